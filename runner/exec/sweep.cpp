#include "exec/sweep.hpp"

#include "base/clock.hpp"
#include "exec/command_source.hpp"
#include "schedule/replay_token.hpp"

namespace deflake {
namespace {

/// Hands finished processes to the source and tallies the runs they stand for.
class Tally {
 public:
  Tally(const SweepPlan& plan, WorkSource& work, SweepResult& result, SweepListener& listener)
      : plan_(plan),
        work_(work),
        result_(result),
        listener_(listener),
        digest_(command_digest(plan.argv)) {}

  void take(RunRecord process) { add(work_.finish(std::move(process))); }

  void add(std::vector<TargetRun> runs) {
    for (TargetRun& run : runs) {
      if (!run.record.interrupted && is_failure(run.record.outcome))
        run.record.token = token_for(run.record, run.target);
      TargetResult& target = result_.targets.at(run.target);
      target.add(run.record);
      listener_.on_run_end(run.record, target);
    }
  }

  /// The replay token of a failing run: everything that replays it but the command.
  std::string token_for(const RunRecord& record, std::size_t target) const {
    ReplayToken token;
    token.seed = record.seed;
    token.run = record.index;
    token.kind = std::string(work_.kind());
    for (const Knob* knob : plan_.pinned) token.pinned.push_back(knob->name);
    for (const Knob* knob : plan_.freed) token.freed.push_back(knob->name);
    token.gtest_filter = record.gtest_filter;
    if (!record.gtest_filter.empty()) token.target = result_.targets.at(target).name();
    token.command_digest = digest_;
    return encode_token(token);
  }

 private:
  const SweepPlan& plan_;
  WorkSource& work_;
  SweepResult& result_;
  SweepListener& listener_;
  std::uint64_t digest_;
};

/// Stops and collects what is still running, when the sweep must end early.
void drain_after_error(Launcher& launcher, Tally& tally) {
  launcher.stop_all(StopLevel::kill);
  while (launcher.running() > 0)
    for (auto& record : launcher.wait().finished) tally.take(std::move(record));
}

}  // namespace

std::uint64_t SweepResult::failures() const {
  std::uint64_t total = 0;
  for (const auto& target : targets) total += target.failures();
  return total;
}

SweepResult run_sweep(const SweepPlan& plan, WorkSource& work, Launcher& launcher,
                      SweepListener& listener) {
  const TimePoint started = Clock::now();
  SweepResult result;
  result.strategy = std::string(work.strategy());
  for (const TargetInfo& info : work.targets()) result.targets.emplace_back(info.name, info.argv);
  Tally tally(plan, work, result, listener);
  const unsigned jobs = plan.effective_jobs();
  std::uint64_t started_count = 0;
  bool launching = true;
  int interrupts = 0;
  listener.on_sweep_start(SweepStart{&plan, &work.targets(), result.strategy, work.planned_runs()});
  for (;;) {
    while (launching && launcher.running() < jobs) {
      std::optional<RunSpec> spec = work.next();
      if (!spec) break;
      listener.on_run_start(*spec);
      try {
        launcher.start(*spec);
        ++started_count;
      } catch (const std::exception& e) {
        if (started_count == 0) {  // the very first process: nothing to report, the caller explains
          drain_after_error(launcher, tally);
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
    for (auto& record : events.finished) tally.take(std::move(record));
    if (events.interrupts > 0) {
      interrupts += events.interrupts;
      launching = false;
      result.interrupted = true;
      listener.on_interrupt(interrupts);
      // First Ctrl-C: terminate with the grace period; a second: kill now.
      launcher.stop_all(interrupts >= 2 ? StopLevel::kill : StopLevel::terminate);
    }
  }
  tally.add(work.flush());
  result.wall_s = to_seconds(Clock::now() - started);
  listener.on_sweep_end(SweepOutcome{&plan, &result.targets, result.strategy, result.interrupted,
                                     result.wall_s, result.stopped_early});
  return result;
}

SweepResult run_sweep(const SweepPlan& plan, Launcher& launcher, SweepListener& listener) {
  CommandSource work(plan);
  return run_sweep(plan, work, launcher, listener);
}

}  // namespace deflake
