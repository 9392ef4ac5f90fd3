// What a sweep runs: the seam between "which processes, with which seeds"
// (a strategy) and "keep `jobs` of them going" (the sweep). A source hands
// out processes to start and turns each finished process back into the runs
// of the targets it stood for: one run of one target (a plain command, an
// isolated gtest case), many runs of one target (a batch of seeds in one
// process), or one run of each of many targets (a whole suite in one
// process). Sources never print and never start processes themselves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/run.hpp"
#include "model/target_result.hpp"

namespace deflake {

/// One run of one target, attributed.
struct TargetRun {
  std::size_t target = 0;  // index into WorkSource::targets()
  RunRecord record;
};

class WorkSource {
 public:
  virtual ~WorkSource() = default;

  /// The targets, fixed for the whole sweep.
  virtual const std::vector<TargetInfo>& targets() const = 0;

  /// How processes are grouped ("isolated", "batched", "suite").
  virtual std::string_view strategy() const = 0;

  /// What kind of test it runs, for replay tokens: "cmd", "gtest", "libfuzzer".
  virtual std::string_view kind() const { return "cmd"; }

  /// Runs planned over all targets, for progress; nullopt when unbounded.
  virtual std::optional<std::uint64_t> planned_runs() const = 0;

  /// The next process to start, or nullopt when there is none right now
  /// (more may come when running processes finish and are handed back).
  virtual std::optional<RunSpec> next() = 0;

  /// Turns a finished process into the runs it stands for. May queue more
  /// work (a batch that crashed re-runs the crashing seed alone).
  virtual std::vector<TargetRun> finish(RunRecord process) = 0;

  /// The sweep stopped launching (Ctrl-C, --until-fail, an error) with
  /// nothing running: the runs still held back for work that will not start
  /// now (a failing run waiting for its artifact to run alone).
  virtual std::vector<TargetRun> flush() { return {}; }
};

}  // namespace deflake
