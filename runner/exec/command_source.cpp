#include "exec/command_source.hpp"

namespace deflake {

CommandSource::CommandSource(const SweepPlan& plan)
    : plan_(plan), targets_{TargetInfo{plan.target_name, plan.argv}} {}

std::optional<RunSpec> CommandSource::next() {
  if (plan_.runs && next_ >= *plan_.runs) return std::nullopt;
  if (plan_.until_fail && failed_) return std::nullopt;
  RunSpec spec = plan_.make_run(next_);
  spec.job = next_++;
  return spec;
}

std::vector<TargetRun> CommandSource::finish(RunRecord process) {
  if (!process.interrupted && is_failure(process.outcome)) failed_ = true;
  std::vector<TargetRun> runs;
  runs.push_back(TargetRun{0, std::move(process)});
  return runs;
}

}  // namespace deflake
