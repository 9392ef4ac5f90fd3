// The bisect engine's oracle for real targets: each question ("run these
// seeds with these knobs pinned, the rest free") is a sweep through the
// same launcher as `deflake run`, with every knob of the search set pinned
// or free in every run (DESIGN.md: bisect sets every knob).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bisect/diagnosis.hpp"
#include "bisect/order_search.hpp"
#include "exec/gtest_source.hpp"
#include "platform/launcher.hpp"
#include "report/listener.hpp"
#include "schedule/plan.hpp"

namespace deflake {

/// Which target a bisect oracle runs: a command, or one test case of a
/// GoogleTest binary (run alone, one process per run).
struct BisectTarget {
  std::string name;
  std::vector<std::string> command;
  std::string gtest_test;  // empty: a plain command
};

class SweepOracle final : public BisectOracle {
 public:
  /// `base`: jobs, timeout and master seed; `knobs`: the search set, by
  /// name → catalog entry. `listener` sees every run (progress).
  SweepOracle(const SweepPlan& base, BisectTarget target, std::vector<const Knob*> knobs,
              Launcher& launcher, SweepListener& listener);

  std::vector<std::optional<bool>> run(const std::vector<std::string>& pinned,
                                       const std::vector<std::uint64_t>& seeds,
                                       bool until_failure) override;
  bool interrupted() const override { return interrupted_; }

  /// The plan of one configuration (for repro lines): seed and knobs.
  SweepPlan plan_for(const std::vector<std::string>& pinned, std::uint64_t seed) const;

  /// Every run made with every knob free (the diagnosis's baseline), as
  /// `deflake run` would report them.
  const TargetResult& baseline() const { return baseline_; }

 private:
  SweepPlan base_;
  BisectTarget target_;
  std::vector<const Knob*> knobs_;
  Launcher& launcher_;
  SweepListener& listener_;
  bool interrupted_ = false;
  TargetResult baseline_;
};

/// The order search's oracle: a GoogleTest binary's filtered suite, one
/// process per seed (the suite strategy). When every test asked for comes
/// before the victim in the binary's own order (`listing`, as
/// --gtest_list_tests gives it), the suite runs unshuffled (`order`
/// pinned): every run then has them all first, where a shuffle would put
/// them first in only 1 run of |S| + 1. Otherwise it is shuffled.
class SweepOrderOracle final : public OrderOracle {
 public:
  SweepOrderOracle(const SweepPlan& base, std::vector<std::string> command, std::string victim,
                   std::vector<std::string> listing, Launcher& launcher, SweepListener& listener);
  std::vector<OrderRun> run(const std::vector<std::string>& tests,
                            const std::vector<std::uint64_t>& seeds) override;
  bool interrupted() const override { return interrupted_; }
  std::optional<std::vector<std::string>> predicted_before(const std::vector<std::string>& tests,
                                                           std::uint64_t seed) const override;
  bool shuffles(const std::vector<std::string>& tests) const override {
    return !declared_first(tests);
  }

  /// The plan of one run of `tests` with `seed` (for repro lines).
  SweepPlan plan_for(std::uint64_t seed) const;

 private:
  bool declared_first(const std::vector<std::string>& tests) const;

  SweepPlan base_;
  std::vector<std::string> command_;
  std::string victim_;
  std::vector<std::string> listing_;
  Launcher& launcher_;
  SweepListener& listener_;
  bool interrupted_ = false;
};

}  // namespace deflake
