// RELIABILITY.md process cases 8, 9 and 10: floods of output, a test that
// closes its output long before it ends, and death by SIGSEGV with or
// without a core file.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include "support/deflake_test.hpp"

namespace e2e {
namespace {

using Executor = DeflakeTest;

// deflake's own memory must stay under cap × jobs + 64 MB; with one job the
// kept head and tail (80 KiB) are noise next to the 64 MB.
#ifdef DEFLAKE_E2E_SANITIZED
constexpr long kMaxRssKb = 512 * 1024;  // shadow memory and quarantine of a sanitizer runtime
#else
constexpr long kMaxRssKb = 64 * 1024;
#endif
// "time is linear in bytes": a floor on throughput that any machine meets
// many times over (deflake drains a pipe at GB/s), with the startup on top.
constexpr double kMinBytesPerS = 100e6;

/// Checks a flood's run: every byte counted, the true first and last bytes
/// kept, an "[N bytes omitted]" marker between, and a bounded tail.
void expect_flood_kept_bounded(const Result& r, unsigned long long bytes) {
  ASSERT_EQ(r.code(), 1) << r;
  EXPECT_EQ(r.outcomes()["fail"], 1) << r;
  const auto& run = r.failed_run();
  EXPECT_EQ(run["output_bytes"].get<unsigned long long>(), bytes);
  const std::string tail = run["output_tail"].get<std::string>();
  EXPECT_LT(tail.size(), 1u << 20) << "the kept output is not bounded";
  EXPECT_EQ(tail.rfind("<HEAD>", 0), 0u) << "the head is not the first bytes written";
  EXPECT_NE(tail.find("<TAIL>"), std::string::npos) << "the tail is not the last bytes written";
  const std::string digits = digits_before(tail, " bytes omitted]\n");
  ASSERT_FALSE(digits.empty()) << "no \"[N bytes omitted]\" marker";
  EXPECT_NE(tail.find("[" + digits + " bytes omitted]\n"), std::string::npos);
  const unsigned long long omitted = std::stoull(digits);
  EXPECT_LT(omitted, bytes);
  EXPECT_GT(omitted, bytes - (1u << 20));
  EXPECT_LT(r.exit.max_rss_kb, kMaxRssKb) << r;
  EXPECT_LT(r.wall_s(), 1 + kSlackS + static_cast<double>(bytes) / kMinBytesPerS) << r;
}

// Case 8: 2 GB of lines. The pipe is drained to the end; only a bounded head
// and tail are kept.
TEST_F(Executor, Case08_TwoGigabytesOfOutputAreDrainedInBoundedMemory) {
#ifdef DEFLAKE_E2E_SANITIZED
  const unsigned long long bytes = 256ull << 20;  // a sanitized deflake copies ~10x slower
#else
  const unsigned long long bytes = 2ull << 30;
#endif
  const Result r = sweep({"-n", "1"}, {kOutput, std::to_string(bytes), "lines"});
  expect_flood_kept_bounded(r, bytes);
}

// Case 8: one 100 MB line with no newline at all.
TEST_F(Executor, Case08_OneHundredMegabyteLineIsKeptBounded) {
  const unsigned long long bytes = 100ull << 20;
  const Result r = sweep({"-n", "1"}, {kOutput, std::to_string(bytes), "oneline"});
  expect_flood_kept_bounded(r, bytes);
}

// Case 9: stdout and stderr closed, 5 s of work, exit 0: `pass` at about 5 s.
// A closed pipe does not mean that the process ended.
TEST_F(Executor, Case09_ClosedOutputIsNotTheEndOfTheTest) {
  const Result r = sweep({"-n", "1", "--timeout", "30"}, {kCloseStdio, "5"});
  ASSERT_EQ(r.code(), 0) << r;
  EXPECT_EQ(r.outcomes()["pass"], 1) << r;
  EXPECT_EQ(r.target()["leaky_runs"], 0) << r;
  EXPECT_GE(r.wall_s(), 4.5) << "deflake took the closed pipe for the end of the run" << r;
  EXPECT_LT(r.wall_s(), 5 + 1 + kSlackS) << r;
}

// Case 9, failing variant, to see the run's own duration in the report.
TEST_F(Executor, Case09_DurationIsTheProcessLifetimeNotThePipes) {
  const Result r =
      sweep({"-n", "1", "--timeout", "30"}, {"sh", "-c", "exec >&- 2>&-; sleep 1.5; exit 4"});
  ASSERT_EQ(r.code(), 1) << r;
  EXPECT_EQ(r.failed_run()["exit_code"], 4);
  EXPECT_GE(r.failed_run()["duration_s"].get<double>(), 1.4) << r;
}

rlim_t hard_core_limit() {
  rlimit limit{};
  getrlimit(RLIMIT_CORE, &limit);
  return limit.rlim_max;
}

void expect_segv(const nlohmann::json& run) {
  EXPECT_EQ(run["outcome"], "crash");
  EXPECT_EQ(run["signal"], "SIGSEGV");
  EXPECT_EQ(run["signal_number"], 11);
  EXPECT_TRUE(run["exit_code"].is_null()) << "never the shell's 128+N arithmetic";
  EXPECT_TRUE(run["stopped_by"].is_null());
}

// Case 10: death by SIGSEGV is a crash with the signal's number and name.
// By default runs get a soft RLIMIT_CORE of 0 (deflake is started here with
// its soft limit raised, so the 0 is deflake's doing), and no core is written.
TEST_F(Executor, Case10_SegvIsACrashAndWritesNoCoreByDefault) {
  Launch launch;
  launch.raise_core_limit = true;
  const Result r = sweep({"-n", "1"}, {kSegv, "plain"}, launch);
  ASSERT_EQ(r.code(), 1) << r;
  EXPECT_EQ(r.outcomes()["crash"], 1) << r;
  expect_segv(r.failed_run());
  EXPECT_EQ(r.failed_run()["core_dumped"], false) << r;
  EXPECT_NE(r.failed_run()["output_tail"].get<std::string>().find("RLIMIT_CORE soft=0 "),
            std::string::npos)
      << r.failed_run()["output_tail"];
}

// Case 10: a test may raise its own soft limit up to the hard one; the core
// lands in its TMPDIR (core_pattern "core") and the report says so.
TEST_F(Executor, Case10_TestRaisingItsOwnCoreLimitDumpsCore) {
  if (hard_core_limit() == 0)
    GTEST_SKIP() << "the hard RLIMIT_CORE is 0 here: no process can dump core";
  const Result r = sweep({"-n", "1"}, {kSegv, "raise-limit"});
  ASSERT_EQ(r.code(), 1) << r;
  expect_segv(r.failed_run());
  EXPECT_EQ(r.failed_run()["core_dumped"], true) << r;
}

// Case 10: --core-dumps passes the user's core limit through to the runs.
TEST_F(Executor, Case10_CoreDumpsFlagLetsRunsDumpCore) {
  if (hard_core_limit() == 0)
    GTEST_SKIP() << "the hard RLIMIT_CORE is 0 here: no process can dump core";
#ifdef DEFLAKE_E2E_SANITIZED
  GTEST_SKIP()
      << "a sanitizer runtime sets deflake's own soft RLIMIT_CORE to 0 (disable_coredump=1), "
         "so there is no user limit left to pass through";
#endif
  Launch launch;
  launch.raise_core_limit = true;
  const Result r = sweep({"-n", "1", "--core-dumps"}, {kSegv, "plain"}, launch);
  ASSERT_EQ(r.code(), 1) << r;
  expect_segv(r.failed_run());
  EXPECT_EQ(r.failed_run()["core_dumped"], true) << r;
  EXPECT_EQ(r.failed_run()["output_tail"].get<std::string>().find("RLIMIT_CORE soft=0 "),
            std::string::npos)
      << r.failed_run()["output_tail"];
}

}  // namespace
}  // namespace e2e
