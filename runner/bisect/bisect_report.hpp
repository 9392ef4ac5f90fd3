// What `deflake bisect` reports: per target, the human summary (verdict,
// cause, the evidence that proves it, a command that reproduces it, a fix
// direction) and the `diagnoses` of the JSON report (DESIGN.md).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bisect/diagnosis.hpp"
#include "model/run.hpp"
#include "model/target_result.hpp"

namespace deflake {

/// One target's diagnosis with what the reports need besides it.
struct TargetDiagnosis {
  std::string name;
  std::vector<std::string> argv;        // the command that runs the target alone
  std::vector<std::string> candidates;  // the knobs searched
  std::vector<std::string> skipped;     // "aslr: ..." knobs that cannot apply here, and why
  Diagnosis diagnosis;
  // Its own runs, as `deflake run` reports them: the baseline (every knob
  // free), or the screening runs that decided a stable target, or the
  // shuffled-suite runs of an order victim.
  std::optional<TargetResult> runs;
  std::string strategy = "isolated";  // how those runs were grouped
  // The reproducing run, when there is one.
  std::vector<std::string> repro_argv;
  EnvDelta repro_env;
  std::string repro_shell;
  double wall_s = 0;
};

/// The human summary of one target.
std::string render_diagnosis(const TargetDiagnosis& target, double confidence,
                             std::uint64_t max_runs);

/// Where the store kept a failing run of a target with a seed ("" if not).
using StoreIdBySeed = std::function<std::string(const std::string& target, std::uint64_t seed)>;

/// The JSON report (deflake.report/1, command "bisect") of every target.
std::string render_bisect_json(const std::vector<TargetDiagnosis>& targets,
                               std::uint64_t master_seed, double confidence, double wall_s,
                               bool interrupted = false, const StoreIdBySeed& store_id = nullptr);

/// Where to look, for a culprit knob ("" when there is nothing to say).
std::string fix_direction(const std::string& knob);

}  // namespace deflake
