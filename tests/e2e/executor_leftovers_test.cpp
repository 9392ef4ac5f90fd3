// RELIABILITY.md process cases 1, 2, 5 and 6: processes that a test leaves
// behind, escapes from the process group, a fork bomb, and `kill -9 0`.
// Every test ends by checking that no process started by deflake survives it.
#include <gtest/gtest.h>

#include "support/deflake_test.hpp"

namespace e2e {
namespace {

using Executor = DeflakeTest;

constexpr double kLeakWindowS = 0.3;
const std::string kLeakWindow = "0.3";

// Case 1: `sleep 3600 &` keeps the output pipe open after the test exits 0.
// The outcome is the main process's; the leftover is killed after the leak
// window and the run is marked leaky.
TEST_F(Executor, Case01_BackgroundChildHoldingStdoutIsKilledAfterTheLeakWindow) {
  const Result r =
      sweep({"-n", "1", "--leak-window", kLeakWindow}, {"sh", "-c", "sleep 3600 & exit 0"});
  ASSERT_EQ(r.code(), 0) << r;
  EXPECT_EQ(r.outcomes()["pass"], 1) << r;
  EXPECT_EQ(r.target()["leaky_runs"], 1) << r;
  EXPECT_TRUE(survivors().empty());
  // Within exit + leak window + 1 s; and the window was granted.
  EXPECT_LT(r.wall_s(), kLeakWindowS + 1 + kSlackS) << r;
  EXPECT_GE(r.wall_s(), kLeakWindowS * 0.9) << r;
}

// Case 1, failing variant: a leaky run that failed says so in failed_runs.
TEST_F(Executor, Case01_LeakyFailingRunIsMarkedLeakyInFailedRuns) {
  const Result r =
      sweep({"-n", "1", "--leak-window", kLeakWindow}, {"sh", "-c", "sleep 3600 & exit 3"});
  ASSERT_EQ(r.code(), 1) << r;
  EXPECT_EQ(r.outcomes()["fail"], 1) << r;
  EXPECT_EQ(r.failed_run()["outcome"], "fail");
  EXPECT_EQ(r.failed_run()["exit_code"], 3);
  EXPECT_EQ(r.failed_run()["leaky"], true);
  EXPECT_EQ(r.target()["leaky_runs"], 1);
  EXPECT_TRUE(survivors().empty());
  EXPECT_LT(r.wall_s(), kLeakWindowS + 1 + kSlackS) << r;
}

// Case 1, control: a child that ends within the leak window is no leak.
TEST_F(Executor, Case01_ChildEndingWithinTheLeakWindowIsNotALeak) {
  const Result r = sweep({"-n", "1", "--leak-window", "2"}, {"sh", "-c", "sleep 0.2 & exit 0"});
  ASSERT_EQ(r.code(), 0) << r;
  EXPECT_EQ(r.outcomes()["pass"], 1);
  EXPECT_EQ(r.target()["leaky_runs"], 0) << r;
  EXPECT_LT(r.wall_s(), 2.0) << "deflake waited the whole window instead of the child" << r;
}

// Case 2: a grandchild calls setsid() and leaves the process group, with its
// output redirected so that no pipe gives it away: only the subreaper can
// find it. deflake must not hang on it, kill it, and mark the run leaky.
TEST_F(Executor, Case02_SetsidEscapeeWithoutThePipeIsFoundAndKilled) {
  const Result r = sweep({"-n", "1", "--leak-window", kLeakWindow},
                         {"sh", "-c", "setsid sleep 3600 >/dev/null 2>&1 & exit 0"});
  ASSERT_EQ(r.code(), 0) << r;
  EXPECT_EQ(r.outcomes()["pass"], 1) << r;
  EXPECT_EQ(r.target()["leaky_runs"], 1) << r;
  EXPECT_TRUE(survivors().empty()) << "the escaped sleep outlived deflake";
  EXPECT_LT(r.wall_s(), kLeakWindowS + 1 + kSlackS) << r;
}

// Case 2, with the pipe: the escapee still holds stdout.
TEST_F(Executor, Case02_SetsidEscapeeHoldingThePipeIsKilled) {
  const Result r =
      sweep({"-n", "1", "--leak-window", kLeakWindow}, {"sh", "-c", "setsid sleep 3600 & exit 0"});
  ASSERT_EQ(r.code(), 0) << r;
  EXPECT_EQ(r.outcomes()["pass"], 1) << r;
  EXPECT_EQ(r.target()["leaky_runs"], 1) << r;
  EXPECT_TRUE(survivors().empty()) << "the escaped sleep outlived deflake";
  EXPECT_LT(r.wall_s(), kLeakWindowS + 1 + kSlackS) << r;
}

// Case 2, double escape: a grandchild that leaves the group, closes the pipe
// *and* changes its TMPDIR cannot be tied to a run by group, pipe or TMPDIR.
// deflake must still neither hang on it nor let it outlive the sweep.
TEST_F(Executor, Case02_UnattributableEscapeeDoesNotOutliveDeflake) {
  const Result r =
      sweep({"-n", "1", "--leak-window", kLeakWindow},
            {"sh", "-c", "TMPDIR=/ setsid sleep 3600 >/dev/null 2>&1 & sleep 0.1; exit 0"});
  ASSERT_EQ(r.code(), 0) << r;
  EXPECT_EQ(r.outcomes()["pass"], 1) << r;
  EXPECT_TRUE(survivors().empty()) << "the escaped sleep outlived deflake";
  EXPECT_LT(r.wall_s(), kLeakWindowS + 1 + kSlackS) << r;
}

// Case 2, double escape holding the pipe: deflake cannot kill what it cannot
// attribute, so it gives up on the pipe one second after the leak window,
// marks the run leaky, and kills the stray when the sweep ends.
TEST_F(Executor, Case02_UnattributableEscapeeHoldingThePipeIsGivenUpOn) {
  const Result r = sweep({"-n", "1", "--leak-window", kLeakWindow},
                         {"sh", "-c", "TMPDIR=/ setsid sleep 3600 & sleep 0.1; exit 0"});
  ASSERT_EQ(r.code(), 0) << r;
  EXPECT_EQ(r.outcomes()["pass"], 1) << r;
  EXPECT_EQ(r.target()["leaky_runs"], 1) << r;
  EXPECT_TRUE(survivors().empty()) << "the escaped sleep outlived deflake";
  EXPECT_LT(r.wall_s(), 0.1 + kLeakWindowS + 1 + kSlackS) << r;
}

// Case 2, deeper: the escapee leaves the group and the pipe and starts
// children of its own (in its new session). Killing the escapee orphans
// them; they must be found and killed too.
TEST_F(Executor, Case02_EscapedSubtreeIsKilledToTheLastProcess) {
  const Result r = sweep({"-n", "1", "--leak-window", kLeakWindow},
                         {"sh", "-c",
                          "setsid sh -c 'sleep 3600 & sleep 3601 & wait' >/dev/null 2>&1 & "
                          "sleep 0.1; exit 0"});
  ASSERT_EQ(r.code(), 0) << r;
  EXPECT_EQ(r.outcomes()["pass"], 1) << r;
  EXPECT_EQ(r.target()["leaky_runs"], 1) << r;
  EXPECT_TRUE(survivors().empty()) << survivors().size() << " escaped processes outlived deflake";
  EXPECT_LT(r.wall_s(), 0.1 + kLeakWindowS + 1 + kSlackS) << r;
}

// Case 5: a group that keeps forking (and ignores SIGTERM) while deflake
// kills it. Outcome timeout, deflake returns within timeout + grace + a few
// seconds, and not one process of the group is left.
TEST_F(Executor, Case05_ForkBombIsStoppedAndKilled) {
  const Result r = sweep({"-n", "1", "--timeout", "1", "--grace", "1"}, {kForker});
  ASSERT_EQ(r.code(), 1) << r;
  EXPECT_EQ(r.outcomes()["timeout"], 1) << r;
  EXPECT_EQ(r.failed_run()["outcome"], "timeout");
  EXPECT_EQ(r.failed_run()["stopped_by"], "SIGKILL") << "the forker ignores SIGTERM";
  EXPECT_NE(r.failed_run()["output_tail"].get<std::string>().find("forker: started"),
            std::string::npos);
  EXPECT_LT(r.wall_s(), 1 + 1 + 2 + kSlackS) << r;
  // A process being torn down by SIGKILL is not a survivor: allow it a moment.
  EXPECT_TRUE(eventually([&] { return survivors().empty(); }, 1.0))
      << survivors().size() << " forker processes survived deflake";
}

// Case 5, spread out: every child of the bomb also calls setsid(), so no
// kill(-pgid) reaches more than one process; deflake's subreaper must find
// each one as its parent dies.
TEST_F(Executor, Case05_ForkBombEscapingItsGroupIsKilledToo) {
  const Result r = sweep({"-n", "1", "--timeout", "1", "--grace", "1"}, {kForker, "escape"});
  ASSERT_EQ(r.code(), 1) << r;
  EXPECT_EQ(r.outcomes()["timeout"], 1) << r;
  EXPECT_LT(r.wall_s(), 1 + 1 + 2 + kSlackS) << r;
  EXPECT_TRUE(eventually([&] { return survivors().empty(); }, 1.0))
      << survivors().size() << " forker processes survived deflake";
}

// Case 6: `kill -9 0` from inside the test kills the test's own group, not
// deflake (which is in a different one). The run is a crash by SIGKILL.
TEST_F(Executor, Case06_KillZeroKillsOnlyTheTestsGroup) {
  const Result r = sweep({"-n", "3", "-j", "1"}, {"sh", "-c", "sleep 30 & kill -9 0"});
  ASSERT_EQ(r.exit.signal, 0) << "deflake itself was killed" << r;
  ASSERT_EQ(r.code(), 1) << r;
  EXPECT_EQ(r.outcomes()["crash"], 3) << r;
  for (const auto& run : r.target()["failed_runs"]) {
    EXPECT_EQ(run["outcome"], "crash");
    EXPECT_EQ(run["signal"], "SIGKILL");
    EXPECT_EQ(run["signal_number"], 9);
    EXPECT_TRUE(run["exit_code"].is_null()) << "a signal death is not exit code 137";
    EXPECT_TRUE(run["stopped_by"].is_null()) << "deflake did not stop it; the test killed itself";
  }
  EXPECT_TRUE(survivors().empty());
  EXPECT_LT(r.wall_s(), 1 + kSlackS) << r;
}

}  // namespace
}  // namespace e2e
