// Runs a sweep's work through a Launcher: keeps up to `jobs` processes going,
// hands each finished one back to its WorkSource for attribution, tallies
// the runs per target, and turns Ctrl-C into "stop launching, terminate,
// then kill". Never prints.
#pragma once

#include "exec/work_source.hpp"
#include "model/target_result.hpp"
#include "platform/launcher.hpp"
#include "report/listener.hpp"
#include "schedule/plan.hpp"

namespace deflake {

struct SweepResult {
  std::vector<TargetResult> targets;  // in the source's target order
  std::string strategy;
  bool interrupted = false;
  double wall_s = 0;
  std::string stopped_early;  // why launching stopped before the plan's end, if it did

  /// Failing runs over every target.
  std::uint64_t failures() const;
};

/// Runs the work to its end. When the first process cannot start, the error
/// propagates (after stopping anything started); when a later one cannot,
/// the sweep stops launching, finishes, and says why in `stopped_early`.
SweepResult run_sweep(const SweepPlan& plan, WorkSource& work, Launcher& launcher,
                      SweepListener& listener);

/// A plain command: one target, one process per run (CommandSource).
SweepResult run_sweep(const SweepPlan& plan, Launcher& launcher, SweepListener& listener);

}  // namespace deflake
