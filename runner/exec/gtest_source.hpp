// The work of a GoogleTest binary: one target per test case, grouped into
// processes by one of three strategies (DESIGN.md `--strategy`):
//   isolated  one process per run of one test case; safe for any binary.
//   batched   many seeds of one test case in one process (--gtest_repeat);
//             needs the adapter, which reports each iteration's seed and
//             outcome in the results file. An iteration the process died in
//             is re-run alone, so a crash is never misattributed.
//   suite     the whole filtered binary per run; the only grouping in which
//             test order can matter (the `order` knob shuffles it).
// Run k of every test case gets run seed k of the sweep whichever strategy
// runs it, so the strategies agree seed for seed. Per-target --until-fail:
// a test case that failed stops being repeated while the others go on.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "exec/work_source.hpp"
#include "platform/temp_dir.hpp"
#include "schedule/plan.hpp"

namespace deflake {

enum class GtestStrategy { isolated, batched, suite };

std::string_view to_string(GtestStrategy strategy);

struct GtestWork {
  std::vector<std::string> command;  // the binary and the user's arguments; may hold {seed}
  std::vector<std::string> tests;    // full names of the selected test cases, in listing order
  std::string filter;                // the user's --filter pattern ("" = every test)
  // Every test the binary registers, disabled and filtered-out ones
  // included, in its own order: what its shuffle draws on (filtered, only
  // where asked for: see gtest_work).
  std::vector<std::string> registered;
  GtestStrategy strategy = GtestStrategy::isolated;
  std::uint64_t batch_size = 0;  // batched: iterations per process; 0 chooses
  // suite: a run keeps the order of the tests up to it (RunRecord::order)
  // when it failed, or when its test case is listed here. Every run of a
  // K-test suite keeping its prefix would copy O(K²) names per process.
  std::vector<std::string> order_kept_for;
};

class GtestSource final : public WorkSource {
 public:
  /// Throws SystemError when no folder for the per-process reports can be made.
  GtestSource(const SweepPlan& plan, GtestWork work);
  ~GtestSource() override;

  const std::vector<TargetInfo>& targets() const override { return targets_; }
  std::string_view strategy() const override { return to_string(work_.strategy); }
  std::string_view kind() const override { return "gtest"; }
  std::optional<std::uint64_t> planned_runs() const override;
  std::optional<RunSpec> next() override;
  std::vector<TargetRun> finish(RunRecord process) override;

 private:
  struct Job {
    GtestStrategy kind = GtestStrategy::isolated;  // batched jobs re-run alone are isolated
    std::size_t target = 0;                        // isolated, batched
    std::uint64_t first_run = 0;
    std::uint64_t iterations = 1;
    std::vector<std::size_t> members;  // suite: the targets its filter selects
    std::string filter;                // its --gtest_filter, for the replay
    RunSpec spec;
    std::string report_path, results_path;
  };
  struct Batch {
    std::uint64_t first_run = 0, count = 0;
  };
  struct TargetState {
    std::uint64_t next_run = 0;  // the next run index not yet handed out
    bool failed = false;
    std::deque<std::uint64_t> reruns;  // run indices to run alone (a batch died in them)
    std::deque<Batch> batches;         // run indices to batch again (after a batch died)
  };

  bool wants_runs(const TargetState& state) const;
  std::optional<RunSpec> next_for_target(std::size_t target);
  std::optional<RunSpec> next_suite();
  RunSpec launch(Job job, const std::string& filter, std::uint64_t run_index, double timeout_s);
  std::vector<TargetRun> finish_isolated(const Job& job, const RunRecord& process);
  std::vector<TargetRun> finish_batched(const Job& job, const RunRecord& process);
  std::vector<TargetRun> finish_suite(const Job& job, const RunRecord& process);
  void requeue_alone(std::size_t target, std::uint64_t first_run, std::uint64_t count);
  RunRecord record_for(const Job& job, const RunRecord& process, std::uint64_t run_index,
                       std::uint64_t seed) const;

  const SweepPlan& plan_;
  GtestWork work_;
  std::vector<TargetInfo> targets_;
  std::vector<TargetState> state_;
  std::map<std::uint64_t, Job> jobs_;  // in flight, by job id
  std::uint64_t next_job_ = 0;
  std::uint64_t next_suite_run_ = 0;
  std::size_t cursor_ = 0;  // round robin over targets
  std::unique_ptr<TempRoot> reports_;
};

}  // namespace deflake
