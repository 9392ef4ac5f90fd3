#include "bisect/sweep_oracle.hpp"

#include <algorithm>

#include "exec/command_source.hpp"
#include "exec/sweep.hpp"

namespace deflake {
namespace {

/// Keeps each run's outcome by its index, and passes runs on for progress.
class Collector final : public SweepListener {
 public:
  Collector(std::size_t runs, SweepListener& next) : results_(runs), next_(next) {}
  void on_sweep_start(const SweepStart& start) override { next_.on_sweep_start(start); }
  void on_run_end(const RunRecord& record, const TargetResult& so_far) override {
    if (record.index < results_.size() && !record.interrupted && record.outcome != Outcome::skip)
      results_[record.index] = is_failure(record.outcome);
    next_.on_run_end(record, so_far);
  }
  std::vector<std::optional<bool>> take() { return std::move(results_); }

 private:
  std::vector<std::optional<bool>> results_;
  SweepListener& next_;
};

/// Keeps, per run index, the victim's outcome and the tests before it.
class OrderCollector final : public SweepListener {
 public:
  OrderCollector(std::size_t runs, std::string victim, SweepListener& next)
      : results_(runs), victim_(std::move(victim)), next_(next) {}
  void on_sweep_start(const SweepStart& start) override { next_.on_sweep_start(start); }
  void on_run_end(const RunRecord& record, const TargetResult& so_far) override {
    if (so_far.name() == victim_ && record.index < results_.size() && !record.interrupted &&
        record.outcome != Outcome::skip) {
      OrderRun& run = results_[record.index];
      run.victim_failed = is_failure(record.outcome);
      run.before.assign(record.order.begin(),
                        record.order.empty() ? record.order.end() : record.order.end() - 1);
    }
    next_.on_run_end(record, so_far);
  }
  std::vector<OrderRun> take() { return std::move(results_); }

 private:
  std::vector<OrderRun> results_;
  std::string victim_;
  SweepListener& next_;
};

}  // namespace

SweepOrderOracle::SweepOrderOracle(const SweepPlan& base, std::vector<std::string> command,
                                   std::string victim, Launcher& launcher, SweepListener& listener)
    : base_(base),
      command_(std::move(command)),
      victim_(std::move(victim)),
      launcher_(launcher),
      listener_(listener) {
  base_.pinned.clear();
  base_.freed = {find_knob("order")};
}

SweepPlan SweepOrderOracle::plan_for(std::uint64_t seed) const {
  SweepPlan plan = base_;
  plan.replay_seed = seed;
  return plan;
}

std::vector<OrderRun> SweepOrderOracle::run(const std::vector<std::string>& tests,
                                            const std::vector<std::uint64_t>& seeds) {
  if (interrupted_ || seeds.empty()) return std::vector<OrderRun>(seeds.size());
  SweepPlan plan = base_;
  plan.seeds = seeds;
  plan.runs = seeds.size();
  plan.until_fail = false;
  GtestWork work;
  work.command = command_;
  work.tests = tests;
  for (const auto& test : tests) work.filter += (work.filter.empty() ? "" : ":") + test;
  work.strategy = GtestStrategy::suite;
  GtestSource source(plan, work);
  OrderCollector collector(seeds.size(), victim_, listener_);
  const SweepResult result = run_sweep(plan, source, launcher_, collector);
  interrupted_ = result.interrupted;
  return collector.take();
}

SweepOracle::SweepOracle(const SweepPlan& base, BisectTarget target, std::vector<const Knob*> knobs,
                         Launcher& launcher, SweepListener& listener)
    : base_(base),
      target_(std::move(target)),
      knobs_(std::move(knobs)),
      launcher_(launcher),
      listener_(listener) {}

SweepPlan SweepOracle::plan_for(const std::vector<std::string>& pinned, std::uint64_t seed) const {
  SweepPlan plan = base_;
  plan.pinned.clear();
  plan.freed.clear();
  for (const Knob* knob : knobs_) {
    const bool is_pinned = std::find(pinned.begin(), pinned.end(), knob->name) != pinned.end();
    (is_pinned ? plan.pinned : plan.freed).push_back(knob);
  }
  plan.replay_seed = seed;
  return plan;
}

std::vector<std::optional<bool>> SweepOracle::run(const std::vector<std::string>& pinned,
                                                  const std::vector<std::uint64_t>& seeds) {
  if (interrupted_ || seeds.empty()) return std::vector<std::optional<bool>>(seeds.size());
  SweepPlan plan = plan_for(pinned, 0);
  plan.replay_seed.reset();
  plan.seeds = seeds;
  plan.runs = seeds.size();
  plan.until_fail = false;
  Collector collector(seeds.size(), listener_);
  SweepResult result;
  if (target_.gtest_test.empty()) {
    CommandSource work(plan);
    result = run_sweep(plan, work, launcher_, collector);
  } else {
    GtestWork work;
    work.command = target_.command;
    work.tests = {target_.gtest_test};
    work.filter = target_.gtest_test;
    work.strategy = GtestStrategy::isolated;
    GtestSource source(plan, work);
    result = run_sweep(plan, source, launcher_, collector);
  }
  interrupted_ = result.interrupted;
  return collector.take();
}

}  // namespace deflake
