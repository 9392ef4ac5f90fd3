// The simplest work: one command, one target, one process per run, seeds in
// plan order. Under --until-fail it stops handing out runs at the first
// failure.
#pragma once

#include "exec/work_source.hpp"
#include "schedule/plan.hpp"

namespace deflake {

class CommandSource final : public WorkSource {
 public:
  explicit CommandSource(const SweepPlan& plan);

  const std::vector<TargetInfo>& targets() const override { return targets_; }
  std::string_view strategy() const override { return "isolated"; }
  std::optional<std::uint64_t> planned_runs() const override { return plan_.runs; }
  std::optional<RunSpec> next() override;
  std::vector<TargetRun> finish(RunRecord process) override;

 private:
  const SweepPlan& plan_;
  std::vector<TargetInfo> targets_;
  std::uint64_t next_ = 0;
  bool failed_ = false;
};

}  // namespace deflake
