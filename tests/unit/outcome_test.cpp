#include "model/outcome.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include "model/target_result.hpp"

namespace deflake {
namespace {

TEST(Outcome, ExitCodes) {
  EXPECT_EQ(classify(ExitStatus::exited(0), false, 77), Outcome::pass);
  EXPECT_EQ(classify(ExitStatus::exited(1), false, 77), Outcome::fail);
  EXPECT_EQ(classify(ExitStatus::exited(77), false, 77), Outcome::skip);
  EXPECT_EQ(classify(ExitStatus::exited(77), false, std::nullopt), Outcome::fail);
  EXPECT_EQ(classify(ExitStatus::exited(4), false, 4), Outcome::skip);
}

TEST(Outcome, SignalIsACrashNotAnExitCode) {
  EXPECT_EQ(classify(ExitStatus::killed(SIGSEGV, true), false, 77), Outcome::crash);
  EXPECT_EQ(classify(ExitStatus::killed(SIGABRT, false), false, 77), Outcome::crash);
}

TEST(Outcome, ARunDeflakeSignalledIsATimeoutWhateverItsExit) {
  // Caught SIGTERM and exited 0: still a timeout, never a pass.
  EXPECT_EQ(classify(ExitStatus::exited(0), true, 77), Outcome::timeout);
  EXPECT_EQ(classify(ExitStatus::killed(SIGKILL, false), true, 77), Outcome::timeout);
  EXPECT_EQ(classify(ExitStatus::exited(77), true, 77), Outcome::timeout);
}

TEST(Outcome, Failure) {
  EXPECT_TRUE(is_failure(Outcome::fail));
  EXPECT_TRUE(is_failure(Outcome::crash));
  EXPECT_TRUE(is_failure(Outcome::timeout));
  EXPECT_FALSE(is_failure(Outcome::pass));
  EXPECT_FALSE(is_failure(Outcome::skip));
}

RunRecord record(std::uint64_t index, Outcome outcome, std::string output = "") {
  RunRecord r;
  r.index = index;
  r.seed = 1000 + index;
  r.outcome = outcome;
  r.output = std::move(output);
  return r;
}

TEST(TargetResult, CountsSkipsOutsideTheDenominatorAndInterruptsNowhere) {
  TargetResult t("t", {"t"});
  t.add(record(0, Outcome::pass));
  t.add(record(1, Outcome::fail));
  t.add(record(2, Outcome::skip));
  t.add(record(3, Outcome::crash));
  RunRecord interrupted = record(4, Outcome::fail);
  interrupted.interrupted = true;
  t.add(interrupted);
  EXPECT_EQ(t.runs(), 4u);
  EXPECT_EQ(t.counted(), 3u);
  EXPECT_EQ(t.failures(), 2u);
  EXPECT_EQ(t.interrupted_runs(), 1u);
}

TEST(TargetResult, FailedRunsInRunOrderAndLaterOutputsTrimmed) {
  TargetResult t("t", {"t"});
  const std::string big(10000, 'x');
  t.add(record(5, Outcome::fail, big));
  t.add(record(2, Outcome::fail, big));
  const auto failed = t.failed_runs();
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[0].index, 2u);
  EXPECT_EQ(failed[1].index, 5u);
  EXPECT_EQ(failed[1].output.size(), big.size());  // the first to arrive keeps all
  EXPECT_EQ(failed[0].output.size(), TargetResult::kLaterOutputTail);
}

TEST(TargetResult, FailedRunsAreCapped) {
  TargetResult t("t", {"t"});
  for (std::uint64_t i = 0; i < TargetResult::kFailedRunsCap + 5; ++i)
    t.add(record(i, Outcome::fail));
  EXPECT_EQ(t.failed_runs().size(), TargetResult::kFailedRunsCap);
  EXPECT_TRUE(t.failed_runs_capped());
  EXPECT_EQ(t.failures(), TargetResult::kFailedRunsCap + 5);
}

}  // namespace
}  // namespace deflake
