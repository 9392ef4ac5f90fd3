// Edge cases a review of the executor found: each failed before its fix.
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "support/deflake_test.hpp"

namespace e2e {
namespace {

using Executor = DeflakeTest;

// A run that already timed out keeps its outcome when Ctrl-C arrives during
// its grace period: a hang is often why the user pressed Ctrl-C.
TEST_F(Executor, CtrlCDuringATimeoutsGraceKeepsTheTimeout) {
  auto child = start(sweep_args({"-n", "1", "--timeout", "1", "--grace", "10"},
                                {"sh", "-c", "trap '' TERM; sleep 100"}));
  // The timeout (1 s) has fired well before this; the grace (10 s) has not ended.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  child->send(SIGINT);
  const Result r = finish(*child);
  ASSERT_EQ(r.code(), 130) << r;
  EXPECT_EQ(r.outcomes()["timeout"], 1) << r;
  EXPECT_EQ(r.target()["interrupted_runs"], 0) << r;
  EXPECT_EQ(r.target()["verdict"], "stable-fail") << r;
  EXPECT_LT(r.wall_s(), 2.5 + 10) << "the grace was not cut short by Ctrl-C" << r;
}

// When deflake's stdout and stderr go away (`| tee` killed by the same
// Ctrl-C, a closed pipe), it still finishes the sweep, writes its report and
// exits with the right code instead of aborting.
TEST_F(Executor, ConsoleGoneStillWritesTheReport) {
  const std::string rc_file = dir() + "/rc";
  Launch launch;
  launch.wrapper = {"/bin/sh", "-c", "(\"$@\"; echo $? >" + rc_file + ") 2>&1 | true", "sh"};
  const Result r = deflake(
      sweep_args({"-n", "20", "-j", "2"}, {"sh", "-c", "echo some output; exit 1"}), launch);
  ASSERT_TRUE(r.report.is_object()) << "no report was written" << r;
  EXPECT_EQ(r.outcomes()["fail"], 20) << r;
  std::ifstream rc(rc_file);
  int code = -1;
  rc >> code;
  EXPECT_EQ(code, 1) << "deflake's exit code with its console gone";
}

// The fork path (--memory-limit, --pin aslr) hands the test exactly the
// descriptors the posix_spawn path does.
TEST_F(Executor, ForkPathLeaksNoDescriptor) {
  for (const std::vector<std::string>& option : {std::vector<std::string>{"--memory-limit", "8G"},
                                                 std::vector<std::string>{"--pin", "aslr"}}) {
    std::vector<std::string> options = {"-n", "2"};
    options.insert(options.end(), option.begin(), option.end());
    const Result r = sweep(options, {"sh", "-c", "ls /proc/$$/fd; exit 1"});
    if (option[0] == "--pin" && r.code() == 2) continue;  // personality refused here: said so
    ASSERT_EQ(r.code(), 1) << r;
    for (const auto& run : r.target()["failed_runs"])
      EXPECT_EQ(run["output_tail"], "0\n1\n2\n") << option[0] << r;
  }
}

// A timeout too large for the clock is clamped, not overflowed into "now".
TEST_F(Executor, HugeTimeoutDoesNotTimeOutAtOnce) {
  const Result r = sweep({"-n", "2", "--timeout", "1e10", "--grace", "1e12"}, {"sleep", "0.3"});
  ASSERT_EQ(r.code(), 0) << r;
  EXPECT_EQ(r.outcomes()["pass"], 2) << r;
}

// A command that disappears mid-sweep (deleted, being rebuilt) ends the
// sweep early but keeps every result so far, and says why.
TEST_F(Executor, CommandVanishingMidSweepKeepsResults) {
  const std::string script = dir() + "/selfdel.sh";
  {
    std::ofstream out(script);
    out << "#!/bin/sh\nif [ \"$DEFLAKE_RUN\" = 3 ]; then rm -f \"$0\"; fi\nexit 1\n";
  }
  ASSERT_EQ(::chmod(script.c_str(), 0755), 0);
  const Result r = sweep({"-n", "50", "-j", "1"}, {script});
  ASSERT_EQ(r.code(), 1) << r;
  ASSERT_TRUE(r.report.is_object()) << r;
  EXPECT_EQ(r.outcomes()["fail"], 4) << r;
  EXPECT_NE(r.report["stopped_early"], nullptr) << r;
  EXPECT_NE(r.err.find("stopped early"), std::string::npos) << r;
}

}  // namespace
}  // namespace e2e
