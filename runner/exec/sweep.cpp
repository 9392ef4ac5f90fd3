#include "exec/sweep.hpp"

#include "base/clock.hpp"

namespace deflake {
namespace {

/// Stops and collects what is still running, when the sweep must end early.
void drain_after_error(Launcher& launcher, TargetResult& target, SweepListener& listener) {
  launcher.stop_all(StopLevel::kill);
  while (launcher.running() > 0) {
    for (auto& record : launcher.wait().finished) {
      target.add(record);
      listener.on_run_end(record, target);
    }
  }
}

}  // namespace

SweepResult run_sweep(const SweepPlan& plan, Launcher& launcher, SweepListener& listener) {
  const TimePoint started = Clock::now();
  SweepResult result{TargetResult(plan.target_name, plan.argv), false, 0, {}};
  const unsigned jobs = plan.effective_jobs();
  std::uint64_t next = 0;
  bool launching = true;
  int interrupts = 0;
  listener.on_sweep_start(plan);
  for (;;) {
    while (launching && launcher.running() < jobs && (!plan.runs || next < *plan.runs)) {
      const RunSpec spec = plan.make_run(next++);
      listener.on_run_start(spec);
      try {
        launcher.start(spec);
      } catch (const std::exception& e) {
        if (next == 1) {  // the very first run: nothing to report, the caller explains
          drain_after_error(launcher, result.target, listener);
          throw;
        }
        // Later (the binary was deleted or rebuilt, the machine ran out of
        // processes): keep every result so far, let what runs finish, report.
        result.stopped_early = e.what();
        launching = false;
        break;
      }
    }
    if (launcher.running() == 0) break;
    LaunchEvents events = launcher.wait();
    for (auto& record : events.finished) {
      const bool failed = !record.interrupted && is_failure(record.outcome);
      result.target.add(record);
      listener.on_run_end(record, result.target);
      if (failed && plan.until_fail) launching = false;
    }
    if (events.interrupts > 0) {
      interrupts += events.interrupts;
      launching = false;
      result.interrupted = true;
      listener.on_interrupt(interrupts);
      // First Ctrl-C: terminate with the grace period; a second: kill now.
      launcher.stop_all(interrupts >= 2 ? StopLevel::kill : StopLevel::terminate);
    }
  }
  result.wall_s = to_seconds(Clock::now() - started);
  listener.on_sweep_end(
      SweepOutcome{&plan, &result.target, result.interrupted, result.wall_s, result.stopped_early});
  return result;
}

}  // namespace deflake
