#include "bisect/sweep_oracle.hpp"

#include <algorithm>
#include <functional>

#include "discovery/gtest_shuffle.hpp"
#include "exec/command_source.hpp"
#include "exec/sweep.hpp"
#include "report/replay.hpp"

namespace deflake {
namespace {

/// Keeps each run's outcome by its index, and passes runs on for progress.
/// `keep` (may be null) also receives every run, as `keep_as` rewrites it.
class Collector final : public SweepListener {
 public:
  Collector(std::size_t runs, SweepListener& next, TargetResult* keep = nullptr,
            std::function<RunRecord(const RunRecord&)> keep_as = nullptr)
      : results_(runs), next_(next), keep_(keep), keep_as_(std::move(keep_as)) {}
  void on_sweep_start(const SweepStart& start) override { next_.on_sweep_start(start); }
  void on_run_end(const RunRecord& record, const TargetResult& so_far) override {
    if (record.index < results_.size() && !record.interrupted && record.outcome != Outcome::skip)
      results_[record.index] = is_failure(record.outcome);
    if (keep_ != nullptr) keep_->add(keep_as_(record));
    next_.on_run_end(record, so_far);
  }
  std::vector<std::optional<bool>> take() { return std::move(results_); }

 private:
  std::vector<std::optional<bool>> results_;
  SweepListener& next_;
  TargetResult* keep_;
  std::function<RunRecord(const RunRecord&)> keep_as_;
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
                                   std::string victim, std::vector<std::string> listing,
                                   Launcher& launcher, SweepListener& listener)
    : base_(base),
      command_(std::move(command)),
      victim_(std::move(victim)),
      listing_(std::move(listing)),
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

// Every test asked about is declared before the victim: unshuffled, they
// all run first, every run.
bool SweepOrderOracle::declared_first(const std::vector<std::string>& tests) const {
  const auto victim_at = std::find(listing_.begin(), listing_.end(), victim_);
  return victim_at != listing_.end() &&
         std::all_of(tests.begin(), tests.end(), [&](const std::string& test) {
           return test == victim_ || std::find(listing_.begin(), victim_at, test) != victim_at;
         });
}

std::optional<std::vector<std::string>> SweepOrderOracle::predicted_before(
    const std::vector<std::string>& tests, std::uint64_t seed) const {
  std::vector<std::string> before;
  if (declared_first(tests)) {
    for (const auto& test : tests)
      if (test != victim_) before.push_back(test);
    return before;
  }
  // The order knob's free setting: GTEST_RANDOM_SEED = 1 + seed mod 99999.
  for (const std::string& test :
       gtest_shuffled_order(listing_, static_cast<std::uint32_t>(1 + seed % 99999))) {
    if (test == victim_) return before;
    if (std::find(tests.begin(), tests.end(), test) != tests.end()) before.push_back(test);
  }
  return std::nullopt;  // the victim is not in the listing
}

std::vector<OrderRun> SweepOrderOracle::run(const std::vector<std::string>& tests,
                                            const std::vector<std::uint64_t>& seeds) {
  if (interrupted_ || seeds.empty()) return std::vector<OrderRun>(seeds.size());
  SweepPlan plan = base_;
  plan.seeds = seeds;
  plan.runs = seeds.size();
  plan.until_fail = false;
  if (declared_first(tests)) {
    plan.freed.clear();
    plan.pinned = {find_knob("order")};
  }
  GtestWork work;
  work.command = command_;
  work.tests = tests;
  for (const auto& test : tests) work.filter += (work.filter.empty() ? "" : ":") + test;
  work.strategy = GtestStrategy::suite;
  work.order_kept_for = {victim_};  // its passing runs say what ran first too
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
      listener_(listener),
      baseline_(target_.name, target_.command) {}

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
                                                  const std::vector<std::uint64_t>& seeds,
                                                  bool until_failure) {
  if (interrupted_ || seeds.empty()) return std::vector<std::optional<bool>>(seeds.size());
  SweepPlan plan = plan_for(pinned, 0);
  plan.replay_seed.reset();
  plan.seeds = seeds;
  plan.runs = seeds.size();
  // As `deflake run --until-fail`: no run starts after one has failed; the
  // ones in flight finish (their seeds not run come back nullopt).
  plan.until_fail = until_failure;
  // The runs with every knob free are the target's own runs (its report's
  // `targets` entry): numbered in the order they ran, each with its replay.
  auto as_baseline = [this](const RunRecord& record) {
    RunRecord kept = record;
    kept.index = baseline_.runs();
    if (kept.replay.empty()) {
      RunSpec spec = plan_for({}, record.seed).make_run(0);
      if (!target_.gtest_test.empty()) spec.argv.push_back("--gtest_filter=" + target_.gtest_test);
      kept.replay = replay_command(spec);
    }
    return kept;
  };
  Collector collector(seeds.size(), listener_, pinned.empty() ? &baseline_ : nullptr, as_baseline);
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
