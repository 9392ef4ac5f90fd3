// RELIABILITY.md process cases 3, 4, 7, 12 and 13: timeouts against tests that
// ignore or catch SIGTERM or stop themselves, and the user's Ctrl-C / Ctrl-Z,
// sent to deflake by the test mid-run.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "support/deflake_test.hpp"

namespace e2e {
namespace {

using Executor = DeflakeTest;

// A test that ignores SIGTERM; `exec` so that the run is one process.
const std::vector<std::string> kIgnoresTerm = {"sh", "-c", "trap '' TERM; exec sleep 30"};

// Case 3: SIGTERM is ignored, so SIGKILL must follow after the grace period.
TEST_F(Executor, Case03_TestIgnoringSigtermIsKilledAfterTheGrace) {
  const Result r = sweep({"-n", "1", "--timeout", "1", "--grace", "1"}, kIgnoresTerm);
  ASSERT_EQ(r.code(), 1) << r;
  EXPECT_EQ(r.outcomes()["timeout"], 1) << r;
  const auto& run = r.failed_run();
  EXPECT_EQ(run["outcome"], "timeout");
  EXPECT_EQ(run["stopped_by"], "SIGKILL");
  EXPECT_EQ(run["signal"], "SIGKILL");
  // Within timeout + grace + 1 s; and the grace was granted in full.
  EXPECT_LT(r.wall_s(), 1 + 1 + 1 + kSlackS) << r;
  EXPECT_GE(run["duration_s"].get<double>(), 1.9) << r;
  EXPECT_TRUE(survivors().empty());
}

// Case 4: a test that catches SIGTERM and exits 0 still timed out: a run that
// deflake had to signal never counts as a pass.
TEST_F(Executor, Case04_TestCatchingSigtermAndExitingZeroIsATimeout) {
  const Result r = sweep({"-n", "1", "--timeout", "1", "--grace", "5"},
                         {"sh", "-c", "trap 'exit 0' TERM; sleep 30 & wait"});
  ASSERT_EQ(r.code(), 1) << r;
  EXPECT_EQ(r.outcomes()["timeout"], 1) << r;
  EXPECT_EQ(r.outcomes()["pass"], 0) << r;
  const auto& run = r.failed_run();
  EXPECT_EQ(run["outcome"], "timeout");
  EXPECT_EQ(run["exit_code"], 0) << "the test's own exit status is still reported";
  EXPECT_EQ(run["stopped_by"], "SIGTERM");
  // It exited on SIGTERM, so deflake need not wait out the 5 s grace.
  EXPECT_LT(r.wall_s(), 1 + 1 + kSlackS) << r;
  EXPECT_TRUE(survivors().empty());
}

// Case 7: `kill -INT $PPID` from inside the test (sh's parent is deflake,
// which spawns the command directly) is the user's Ctrl-C: stop launching,
// stop the run, exit 130 with the report written.
TEST_F(Executor, Case07_SigintFromTheTestIsTheUsersCtrlC) {
  {  // The premise: $PPID of the test's shell is deflake itself.
    auto child = start(sweep_args({"-n", "1"}, {"sh", "-c", "echo $PPID; exit 1"}));
    const pid_t deflake_pid = child->pid();
    const Result r = finish(*child);
    ASSERT_EQ(r.code(), 1) << r;
    ASSERT_EQ(r.failed_run()["output_tail"], std::to_string(deflake_pid) + "\n") << r;
  }
  const Result r =
      sweep({"-n", "5", "-j", "1", "--grace", "1"}, {"sh", "-c", "kill -INT $PPID; exec sleep 30"});
  ASSERT_EQ(r.code(), 130) << r;
  EXPECT_EQ(r.report["interrupted"], true) << r;
  EXPECT_EQ(r.target()["interrupted_runs"], 1) << "no run launched after the interrupt" << r;
  EXPECT_EQ(r.target()["runs"], 0) << "an interrupted run is not counted" << r;
  EXPECT_LT(r.wall_s(), 1 + 1 + kSlackS) << r;
  EXPECT_TRUE(survivors().empty());
}

// Waits until deflake runs `count` children named `name` (they have exec'd).
::testing::AssertionResult runs_started(const Child& deflake, std::size_t count,
                                        const std::string& name) {
  const bool ok = eventually(
      [&] {
        std::size_t n = 0;
        for (pid_t pid : children_of(deflake.pid())) n += process_name(pid) == name;
        return n >= count;
      },
      20);
  if (ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "deflake never had " << count << " runs of " << name;
}

// Case 12: one Ctrl-C. Stop launching, SIGTERM the running groups, write the
// report of what ran, exit 130 — within grace + 2 s of the signal.
TEST_F(Executor, Case12_CtrlCOnceStopsTheRunsAndWritesTheReport) {
  auto child = start(sweep_args({"-n", "10", "-j", "2", "--grace", "1"}, {"sleep", "30"}));
  ASSERT_TRUE(runs_started(*child, 2, "sleep"));
  const auto signalled = Clock::now();
  child->send(SIGINT);
  const Result r = finish(*child);
  const double after_signal = seconds_since(signalled);
  ASSERT_EQ(r.code(), 130) << r;
  EXPECT_LT(after_signal, 1 + 2 + kSlackS) << r;
  ASSERT_TRUE(r.report.is_object()) << "no report after Ctrl-C" << r;
  EXPECT_EQ(r.report["interrupted"], true);
  EXPECT_EQ(r.target()["interrupted_runs"], 2) << r;
  EXPECT_EQ(r.target()["runs"], 0) << r;
  EXPECT_TRUE(survivors().empty());
}

// Case 12: one Ctrl-C against runs that ignore SIGTERM: they get SIGKILL once
// the grace period ends, and deflake exits 130.
TEST_F(Executor, Case12_CtrlCOnceKillsRunsIgnoringSigtermAfterTheGrace) {
  auto child = start(sweep_args({"-n", "10", "-j", "2", "--grace", "1"}, kIgnoresTerm));
  ASSERT_TRUE(runs_started(*child, 2, "sleep"));
  const auto signalled = Clock::now();
  child->send(SIGINT);
  const Result r = finish(*child);
  const double after_signal = seconds_since(signalled);
  ASSERT_EQ(r.code(), 130) << r;
  EXPECT_GE(after_signal, 0.9) << "the grace period was not granted" << r;
  EXPECT_LT(after_signal, 1 + 2 + kSlackS) << r;
  ASSERT_TRUE(r.report.is_object()) << r;
  EXPECT_EQ(r.report["interrupted"], true);
  EXPECT_EQ(r.target()["interrupted_runs"], 2) << r;
  EXPECT_TRUE(survivors().empty());
}

// Case 12: Ctrl-C twice kills now, long before a 30 s grace period ends.
TEST_F(Executor, Case12_CtrlCTwiceKillsNow) {
  auto child = start(sweep_args({"-n", "10", "-j", "2", "--grace", "30"}, kIgnoresTerm));
  ASSERT_TRUE(runs_started(*child, 2, "sleep"));
  child->send(SIGINT);
  // Two signals sent back to back may merge into one pending signal: send the
  // second only once deflake has said that it handled the first.
  ASSERT_TRUE(
      eventually([&] { return stderr_so_far().find("interrupted") != std::string::npos; }, 10))
      << stderr_so_far();
  const auto signalled = Clock::now();
  child->send(SIGINT);
  const Result r = finish(*child);
  const double after_signal = seconds_since(signalled);
  ASSERT_EQ(r.code(), 130) << r;
  EXPECT_LT(after_signal, 2 + kSlackS) << "the second Ctrl-C did not kill at once" << r;
  ASSERT_TRUE(r.report.is_object()) << r;
  EXPECT_EQ(r.report["interrupted"], true);
  EXPECT_TRUE(survivors().empty());
}

// Case 12: SIGTERM and SIGHUP (a CI job cancelled, a terminal closed) are
// interrupts too.
TEST_F(Executor, Case12_SigtermAndSighupToDeflakeAreInterrupts) {
  for (int sig : {SIGTERM, SIGHUP}) {
    SCOPED_TRACE(sig);
    auto child = start(sweep_args({"-n", "10", "-j", "2", "--grace", "1"}, {"sleep", "30"}));
    ASSERT_TRUE(runs_started(*child, 2, "sleep"));
    const auto signalled = Clock::now();
    child->send(sig);
    const Result r = finish(*child);
    ASSERT_EQ(r.code(), 130) << r;
    EXPECT_LT(seconds_since(signalled), 1 + 2 + kSlackS) << r;
    ASSERT_TRUE(r.report.is_object()) << r;
    EXPECT_EQ(r.report["interrupted"], true);
    EXPECT_TRUE(survivors().empty());
  }
}

/// Waits until deflake's run `sh` has exited (a zombie that deflake keeps
/// while the run's leftovers linger in the leak window).
::testing::AssertionResult lingering(const Child& deflake) {
  const bool ok = eventually(
      [&] {
        for (pid_t pid : children_of(deflake.pid()))
          if (process_name(pid) == "sh" && process_state(pid) == 'Z') return true;
        return false;
      },
      20);
  if (ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "the run never reached its leak window";
}

// Case 12: Ctrl-C while a run's leftovers linger in a (long) leak window: the
// window is cut short like the grace of a running test, not waited out.
TEST_F(Executor, Case12_CtrlCDuringTheLeakWindowDoesNotWaitItOut) {
  auto child = start(sweep_args({"-n", "1", "--grace", "1", "--leak-window", "8"},
                                {"sh", "-c", "sleep 3600 & exit 0"}));
  ASSERT_TRUE(lingering(*child));
  const auto signalled = Clock::now();
  child->send(SIGINT);
  const Result r = finish(*child);
  const double after_signal = seconds_since(signalled);
  ASSERT_EQ(r.code(), 130) << r;
  EXPECT_LT(after_signal, 1 + 2 + kSlackS) << "Ctrl-C waited out the leak window" << r;
  EXPECT_TRUE(survivors().empty());
}

// Case 12: "write the report of what ran": a run whose test had already
// failed when Ctrl-C came (its leftovers were lingering) keeps its outcome
// and its failing seed in the report; it is not discarded as interrupted.
TEST_F(Executor, Case12_RunThatFailedBeforeCtrlCIsReported) {
  auto child = start(sweep_args({"-n", "1", "--grace", "1", "--leak-window", "5"},
                                {"sh", "-c", "sleep 3600 & exit 3"}));
  ASSERT_TRUE(lingering(*child));
  child->send(SIGINT);
  const Result r = finish(*child);
  ASSERT_EQ(r.code(), 130) << r;
  ASSERT_TRUE(r.report.is_object()) << r;
  EXPECT_EQ(r.outcomes()["fail"], 1) << "the failure found before Ctrl-C was dropped" << r;
  EXPECT_EQ(r.target()["failing_seeds"].size(), 1u) << r;
  EXPECT_EQ(r.target()["interrupted_runs"], 0) << r;
}

// Case 12: Ctrl-Z stops deflake and its runs and pauses their timeouts;
// SIGCONT resumes both, and no run times out because deflake was stopped.
TEST_F(Executor, Case12_CtrlZPausesRunsAndTheirTimeouts) {
  // A 3 s test under a 4 s timeout, stopped for 5 s: a timeout that kept
  // running while deflake was stopped would have expired.
  auto child = start(sweep_args({"-n", "1", "--timeout", "4"}, {"sleep", "3"}));
  ASSERT_TRUE(runs_started(*child, 1, "sleep"));
  const pid_t run = runs_named(*child, "sleep").at(0);
  child->send(SIGTSTP);
  EXPECT_TRUE(eventually([&] { return process_state(child->pid()) == 'T'; }, 5))
      << "deflake did not stop";
  EXPECT_TRUE(eventually([&] { return process_state(run) == 'T'; }, 5))
      << "the run was not stopped";
  // The case is about time: stay stopped past the run's timeout.
  std::this_thread::sleep_for(std::chrono::seconds(5));
  EXPECT_EQ(process_state(child->pid()), 'T') << "deflake resumed by itself";
  EXPECT_EQ(process_state(run), 'T') << "the run resumed by itself";
  child->send(SIGCONT);
  const Result r = finish(*child);
  ASSERT_EQ(r.code(), 0) << r;
  EXPECT_EQ(r.outcomes()["pass"], 1) << r;
  EXPECT_EQ(r.outcomes()["timeout"], 0) << r;
  EXPECT_GE(r.wall_s(), 5) << r;
}

// Case 13: a test that stops itself still ends at its timeout.
TEST_F(Executor, Case13_SelfStoppedTestStillTimesOut) {
  for (const char* sig : {"STOP", "TTOU"}) {
    SCOPED_TRACE(sig);
    const Result r = sweep({"-n", "1", "--timeout", "1", "--grace", "1"},
                           {"sh", "-c", std::string("kill -") + sig + " $$; exit 0"});
    ASSERT_EQ(r.code(), 1) << r;
    EXPECT_EQ(r.outcomes()["timeout"], 1) << r;
    EXPECT_EQ(r.failed_run()["outcome"], "timeout");
    EXPECT_LT(r.wall_s(), 1 + 1 + 1 + kSlackS) << r;
    EXPECT_TRUE(survivors().empty());
  }
}

}  // namespace
}  // namespace e2e
