#include "exec/sweep.hpp"

#include <gtest/gtest.h>

#include "deflake/seed_derivation.hpp"
#include "fake_launcher.hpp"

namespace deflake {
namespace {

/// Records the events a listener sees.
struct RecordingListener final : SweepListener {
  int starts = 0, run_starts = 0, run_ends = 0, interrupts = 0, ends = 0;
  void on_sweep_start(const SweepStart&) override { ++starts; }
  void on_run_start(const RunSpec&) override { ++run_starts; }
  void on_run_end(const RunRecord&, const TargetResult&) override { ++run_ends; }
  void on_interrupt(int) override { ++interrupts; }
  void on_sweep_end(const SweepOutcome&) override { ++ends; }
};

SweepPlan plan_of(std::uint64_t runs, unsigned jobs) {
  SweepPlan plan;
  plan.target_name = "t";
  plan.argv = {"./t"};
  plan.master_seed = 77;
  plan.master_seed_given = true;
  plan.runs = runs;
  plan.jobs = jobs;
  return plan;
}

Outcome fail_when_mod(const RunSpec& spec, std::uint64_t k) {
  return spec.seed % k == 0 ? Outcome::fail : Outcome::pass;
}

TEST(Sweep, RunsEverySeedInOrderAndCountsThem) {
  FakeLauncher launcher([](const RunSpec& s) { return fail_when_mod(s, 4); });
  RecordingListener listener;
  const SweepResult r = run_sweep(plan_of(200, 3), launcher, listener);
  ASSERT_EQ(launcher.started.size(), 200u);
  std::uint64_t expected_failures = 0;
  for (std::uint64_t i = 0; i < 200; ++i) {
    EXPECT_EQ(launcher.started[i].index, i);
    EXPECT_EQ(launcher.started[i].seed, run_seed(77, i));
    expected_failures += run_seed(77, i) % 4 == 0;
  }
  EXPECT_EQ(r.targets.at(0).runs(), 200u);
  EXPECT_EQ(r.targets.at(0).failures(), expected_failures);
  EXPECT_FALSE(r.interrupted);
  EXPECT_EQ(listener.starts, 1);
  EXPECT_EQ(listener.run_starts, 200);
  EXPECT_EQ(listener.run_ends, 200);
  EXPECT_EQ(listener.ends, 1);
}

TEST(Sweep, NeverRunsMoreThanJobsAtOnce) {
  for (unsigned jobs : {1u, 2u, 7u}) {
    FakeLauncher launcher([](const RunSpec&) { return Outcome::pass; });
    RecordingListener listener;
    run_sweep(plan_of(50, jobs), launcher, listener);
    EXPECT_EQ(launcher.max_running, jobs);
  }
}

TEST(Sweep, PinnedConcurrencyRunsOneAtATime) {
  FakeLauncher launcher([](const RunSpec&) { return Outcome::pass; });
  RecordingListener listener;
  SweepPlan plan = plan_of(20, 8);
  plan.pinned = {find_knob("concurrency")};
  run_sweep(plan, launcher, listener);
  EXPECT_EQ(launcher.max_running, 1u);
}

TEST(Sweep, UntilFailStopsLaunchingAtTheFirstFailure) {
  // Run 10 is the first to fail; with 1 job nothing else starts after it.
  FakeLauncher launcher(
      [](const RunSpec& s) { return s.index == 10 ? Outcome::crash : Outcome::pass; });
  RecordingListener listener;
  SweepPlan plan = plan_of(1000, 1);
  plan.until_fail = true;
  const SweepResult r = run_sweep(plan, launcher, listener);
  EXPECT_EQ(launcher.started.size(), 11u);
  EXPECT_EQ(r.targets.at(0).failures(), 1u);
  EXPECT_EQ(r.targets.at(0).failed_runs().at(0).index, 10u);
}

TEST(Sweep, UntilFailWithoutALimitRunsUntilAFailure) {
  FakeLauncher launcher(
      [](const RunSpec& s) { return s.index == 1234 ? Outcome::timeout : Outcome::pass; });
  RecordingListener listener;
  SweepPlan plan = plan_of(0, 4);
  plan.runs.reset();
  plan.until_fail = true;
  const SweepResult r = run_sweep(plan, launcher, listener);
  // The runs in flight when it failed still finish and count.
  EXPECT_GE(r.targets.at(0).runs(), 1235u);
  EXPECT_LE(r.targets.at(0).runs(), 1235u + 3);
  EXPECT_EQ(r.targets.at(0).failures(), 1u);
}

TEST(Sweep, FirstInterruptTerminatesSecondKills) {
  FakeLauncher launcher([](const RunSpec&) { return Outcome::pass; });
  launcher.interrupt_after_starts = {4, 4};
  RecordingListener listener;
  const SweepResult r = run_sweep(plan_of(100, 4), launcher, listener);
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(launcher.started.size(), 4u);  // nothing launched after Ctrl-C
  ASSERT_EQ(launcher.stops.size(), 2u);
  EXPECT_EQ(launcher.stops[0], StopLevel::terminate);
  EXPECT_EQ(launcher.stops[1], StopLevel::kill);
  EXPECT_EQ(r.targets.at(0).runs(), 0u);  // interrupted runs do not count
  EXPECT_EQ(r.targets.at(0).interrupted_runs(), 4u);
  EXPECT_EQ(listener.interrupts, 2);
  EXPECT_EQ(listener.ends, 1);  // the report of what ran is still written
}

TEST(Sweep, RunsFinishedBeforeTheInterruptStillCount) {
  FakeLauncher launcher([](const RunSpec&) { return Outcome::fail; });
  launcher.interrupt_after_starts = {10};
  RecordingListener listener;
  const SweepResult r = run_sweep(plan_of(100, 2), launcher, listener);
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.targets.at(0).runs(), 8u);
  EXPECT_EQ(r.targets.at(0).failures(), 8u);
  EXPECT_EQ(r.targets.at(0).interrupted_runs(), 2u);
}

TEST(Sweep, ASpawnErrorStopsWhatRunsAndPropagates) {
  FakeLauncher launcher([](const RunSpec&) { return Outcome::pass; });
  launcher.spawn_error_at = 0;
  RecordingListener listener;
  EXPECT_THROW(run_sweep(plan_of(10, 2), launcher, listener), SpawnError);
  EXPECT_EQ(launcher.running(), 0u);
}

TEST(Sweep, ALaterSpawnErrorEndsTheSweepEarlyAndKeepsResults) {
  FakeLauncher launcher([](const RunSpec&) { return Outcome::fail; });
  launcher.spawn_error_at = 5;
  RecordingListener listener;
  const SweepResult r = run_sweep(plan_of(100, 2), launcher, listener);
  EXPECT_FALSE(r.stopped_early.empty());
  EXPECT_EQ(r.targets.at(0).runs(), 5u);  // runs 0-4 all finished and count
  EXPECT_EQ(r.targets.at(0).failures(), 5u);
  EXPECT_EQ(listener.ends, 1);  // the report is written
}

TEST(Sweep, SameMasterSeedSameRuns) {
  std::vector<std::uint64_t> first, second;
  for (auto* seeds : {&first, &second}) {
    FakeLauncher launcher([](const RunSpec& s) { return fail_when_mod(s, 3); });
    RecordingListener listener;
    const SweepResult r = run_sweep(plan_of(300, 2), launcher, listener);
    for (const auto& run : r.targets.at(0).failed_runs()) seeds->push_back(run.seed);
  }
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, second);
}

// A source that holds a finished run back until the sweep ends: flush()
// must still bring it into the tally (a libFuzzer failure whose artifact was
// never run alone, when Ctrl-C came first).
class HoldingSource final : public WorkSource {
 public:
  explicit HoldingSource(const SweepPlan& plan) : targets_{{"t", plan.argv}} {}
  const std::vector<TargetInfo>& targets() const override { return targets_; }
  std::string_view strategy() const override { return "isolated"; }
  std::optional<std::uint64_t> planned_runs() const override { return 1; }
  std::optional<RunSpec> next() override {
    if (started_) return std::nullopt;
    started_ = true;
    return RunSpec{};
  }
  std::vector<TargetRun> finish(RunRecord process) override {
    held_ = std::move(process);
    return {};
  }
  std::vector<TargetRun> flush() override {
    if (!held_) return {};
    std::vector<TargetRun> runs{TargetRun{0, *held_}};
    held_.reset();
    return runs;
  }

 private:
  std::vector<TargetInfo> targets_;
  bool started_ = false;
  std::optional<RunRecord> held_;
};

TEST(Sweep, RunsHeldBackBySourceAreFlushedAtTheEnd) {
  FakeLauncher launcher([](const RunSpec&) { return Outcome::fail; });
  RecordingListener listener;
  const SweepPlan plan = plan_of(1, 1);
  HoldingSource source(plan);
  const SweepResult r = run_sweep(plan, source, launcher, listener);
  EXPECT_EQ(r.targets.at(0).runs(), 1u);
  EXPECT_EQ(r.failures(), 1u);
  EXPECT_EQ(listener.run_ends, 1);
}

}  // namespace
}  // namespace deflake
