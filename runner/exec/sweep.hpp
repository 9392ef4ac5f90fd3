// Runs a plan through a Launcher: keeps up to `jobs` runs going, tallies what
// comes back, stops launching at the first failure under --until-fail, and
// turns Ctrl-C into "stop launching, terminate, then kill". Never prints.
#pragma once

#include "model/target_result.hpp"
#include "platform/launcher.hpp"
#include "report/listener.hpp"
#include "schedule/plan.hpp"

namespace deflake {

struct SweepResult {
  TargetResult target;
  bool interrupted = false;
  double wall_s = 0;
  std::string stopped_early;  // why launching stopped before the plan's end, if it did
};

/// Runs the sweep to its end. When the first run cannot start, the error
/// propagates (after stopping anything started); when a later one cannot,
/// the sweep stops launching, finishes, and says why in `stopped_early`.
SweepResult run_sweep(const SweepPlan& plan, Launcher& launcher, SweepListener& listener);

}  // namespace deflake
