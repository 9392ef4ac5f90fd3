// Reporting follows a sweep's lifecycle through a listener with empty
// defaults (GoogleTest's TestEventListener): the console, JSON and (later)
// JUnit reporters are peers, and the executor never prints.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/run.hpp"
#include "model/target_result.hpp"
#include "schedule/plan.hpp"

namespace deflake {

/// What a starting sweep tells its reporters.
struct SweepStart {
  const SweepPlan* plan = nullptr;
  const std::vector<TargetInfo>* targets = nullptr;
  std::string strategy;                       // how runs are grouped into processes
  std::optional<std::uint64_t> planned_runs;  // over all targets; nullopt: until a failure
};

/// What a finished sweep hands to its reporters.
struct SweepOutcome {
  const SweepPlan* plan = nullptr;
  const std::vector<TargetResult>* targets = nullptr;
  std::string strategy;
  bool interrupted = false;
  double wall_s = 0;
  std::string stopped_early;  // non-empty: launching stopped early, and why
};

class SweepListener {
 public:
  virtual ~SweepListener() = default;
  virtual void on_sweep_start(const SweepStart& /*start*/) {}
  virtual void on_run_start(const RunSpec& /*spec*/) {}
  virtual void on_run_end(const RunRecord& /*record*/, const TargetResult& /*so_far*/) {}
  virtual void on_interrupt(int /*count*/) {}
  virtual void on_sweep_end(const SweepOutcome& /*outcome*/) {}
};

/// Forwards every event to each listener in turn.
class ListenerList final : public SweepListener {
 public:
  void add(std::unique_ptr<SweepListener> listener) { listeners_.push_back(std::move(listener)); }
  void on_sweep_start(const SweepStart& start) override {
    for (auto& l : listeners_) l->on_sweep_start(start);
  }
  void on_run_start(const RunSpec& spec) override {
    for (auto& l : listeners_) l->on_run_start(spec);
  }
  void on_run_end(const RunRecord& record, const TargetResult& so_far) override {
    for (auto& l : listeners_) l->on_run_end(record, so_far);
  }
  void on_interrupt(int count) override {
    for (auto& l : listeners_) l->on_interrupt(count);
  }
  void on_sweep_end(const SweepOutcome& outcome) override {
    for (auto& l : listeners_) l->on_sweep_end(outcome);
  }

 private:
  std::vector<std::unique_ptr<SweepListener>> listeners_;
};

}  // namespace deflake
