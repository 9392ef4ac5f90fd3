// RELIABILITY.md process case 11: a small open-file limit with many jobs and
// many runs, and the hygiene of what a run inherits (descriptors, signals).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <filesystem>

#include "support/deflake_test.hpp"

namespace e2e {
namespace {

using Executor = DeflakeTest;

/// Runs deflake under `ulimit -n LIMIT` (soft and hard), as a user's shell would.
Launch with_open_file_limit(int limit) {
  Launch launch;
  launch.wrapper = {"/bin/sh", "-c", "ulimit -n " + std::to_string(limit) + " && exec \"$@\"",
                    "sh"};
  return launch;
}

void expect_no_descriptor_exhaustion(const Result& r) {
  EXPECT_EQ(r.err.find("Too many open files"), std::string::npos) << r;
  EXPECT_EQ(r.err.find("EMFILE"), std::string::npos) << r;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r;
}

// Case 11: ulimit -n 64, -j 32, 10,000 runs: every run passes, never EMFILE.
TEST_F(Executor, Case11_TenThousandRunsUnderUlimit64WithThirtyTwoJobs) {
  const Result r = sweep({"-q", "-j", "32", "-n", "10000"}, {"true"}, with_open_file_limit(64));
  ASSERT_EQ(r.code(), 0) << r;
  EXPECT_EQ(r.target()["runs"], 10000) << r;
  EXPECT_EQ(r.outcomes()["pass"], 10000) << r;
  EXPECT_EQ(r.target()["leaky_runs"], 0) << r;
  expect_no_descriptor_exhaustion(r);
  // Every per-run TMPDIR was removed again.
  EXPECT_TRUE(std::filesystem::is_empty(temp_root()))
      << "per-run folders were left in " << temp_root();
}

// Case 11: a limit too small for -j 32: deflake runs fewer at a time and says so.
TEST_F(Executor, Case11_JobsAreCappedToFitTheOpenFileLimitAndSaidSo) {
  const Result r = sweep({"-j", "32", "-n", "300"}, {"true"}, with_open_file_limit(32));
  ASSERT_EQ(r.code(), 0) << r;
  EXPECT_EQ(r.outcomes()["pass"], 300) << r;
  EXPECT_NE(r.err.find("at a time instead of 32"), std::string::npos)
      << "the cap was not said" << r;
  expect_no_descriptor_exhaustion(r);
}

// Case 11: no FD_SETSIZE limit: with 1,100 runs at once, the output pipes
// necessarily have descriptor numbers above 1024, which select() cannot watch.
TEST_F(Executor, Case11_MoreRunsAtOnceThanFdSetsize) {
  constexpr int kRuns = 1100;
  rlimit files{}, processes{};
  getrlimit(RLIMIT_NOFILE, &files);
  getrlimit(RLIMIT_NPROC, &processes);
  if (files.rlim_max < kRuns + 100 || processes.rlim_cur < 3 * kRuns)
    GTEST_SKIP() << "this machine's limits do not allow " << kRuns << " runs at once";
  const Result r =
      sweep({"-q", "-j", std::to_string(kRuns), "-n", std::to_string(kRuns), "--timeout", "60"},
            {"sleep", "2"});
  ASSERT_EQ(r.code(), 0) << r;
  EXPECT_EQ(r.outcomes()["pass"], kRuns) << r;
  EXPECT_EQ(r.err.find("instead of"), std::string::npos) << "the jobs were capped" << r;
  expect_no_descriptor_exhaustion(r);
  // They ran at once: one at a time would take 2,200 s.
  EXPECT_LT(r.wall_s(), 2 + 15 + kSlackS) << r;
}

// Case 11: every pipe is O_CLOEXEC: a run sees exactly stdin, stdout and
// stderr, even with other runs (and their pipes) alive at the same time.
// (`ls` lists the shell's descriptors from outside, so the folder it reads
// is not among them.)
TEST_F(Executor, Case11_RunsInheritOnlyTheirStandardDescriptors) {
  const Result r =
      sweep({"-j", "4", "-n", "12"}, {"sh", "-c", "sleep 0.2; ls /proc/$$/fd; exit 1"});
  ASSERT_EQ(r.code(), 1) << r;
  ASSERT_EQ(r.target()["failed_runs"].size(), 12u) << r;
  for (const auto& run : r.target()["failed_runs"])
    EXPECT_EQ(run["output_tail"], "0\n1\n2\n")
        << "run " << run["run"] << " inherited more descriptors";
}

// Case 11: SIGPIPE is back at its default in the child (deflake ignores it
// for itself), and no signal is blocked.
TEST_F(Executor, Case11_RunsGetDefaultSignalDispositions) {
  // Read with builtins only: a shell blocks signals around the commands it
  // forks, so an external reader would see the shell's mask, not deflake's.
  const Result r =
      sweep({"-n", "1"}, {"sh", "-c",
                          "while read -r line; do case $line in Sig[IB]*) echo \"$line\";; esac; "
                          "done </proc/$$/status; exit 1"});
  ASSERT_EQ(r.code(), 1) << r;
  const std::string out = r.failed_run()["output_tail"].get<std::string>();
  const auto field = [&out](const std::string& name) -> unsigned long long {
    const std::size_t at = out.find(name + ":");
    if (at == std::string::npos) return ~0ull;
    return std::stoull(out.substr(at + name.size() + 1), nullptr, 16);
  };
  const unsigned long long sigpipe_bit = 1ull << (13 - 1);
  EXPECT_EQ(field("SigIgn") & sigpipe_bit, 0u) << "SIGPIPE is still ignored in the run:\n" << out;
  EXPECT_EQ(field("SigBlk"), 0u) << "signals are blocked in the run:\n" << out;
  // And a real broken pipe kills the writer by SIGPIPE (128 + 13 in sh's
  // words), rather than failing its write with EPIPE.
  const Result p =
      sweep({"-n", "1"}, {"sh", "-c", "(yes; echo \"yes=$?\" >&2) | head -c 1 >/dev/null; exit 1"});
  ASSERT_EQ(p.code(), 1) << p;
  EXPECT_NE(p.failed_run()["output_tail"].get<std::string>().find("yes=141"), std::string::npos)
      << p.failed_run()["output_tail"];
}

}  // namespace
}  // namespace e2e
