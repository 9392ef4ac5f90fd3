// What `deflake bisect` reports: per target, the human summary (verdict,
// cause, the evidence that proves it, a command that reproduces it, a fix
// direction) and the `diagnoses` of the JSON report (DESIGN.md).
#pragma once

#include <string>
#include <vector>

#include "bisect/diagnosis.hpp"
#include "model/run.hpp"

namespace deflake {

/// One target's diagnosis with what the reports need besides it.
struct TargetDiagnosis {
  std::string name;
  std::vector<std::string> argv;        // the command that runs the target alone
  std::vector<std::string> candidates;  // the knobs searched
  std::vector<std::string> skipped;     // "aslr: ..." knobs that cannot apply here, and why
  Diagnosis diagnosis;
  // The reproducing run, when there is one.
  std::vector<std::string> repro_argv;
  EnvDelta repro_env;
  std::string repro_shell;
  double wall_s = 0;
};

/// The human summary of one target.
std::string render_diagnosis(const TargetDiagnosis& target, double confidence,
                             std::uint64_t max_runs);

/// The JSON report (deflake.report/1, command "bisect") of every target.
std::string render_bisect_json(const std::vector<TargetDiagnosis>& targets,
                               std::uint64_t master_seed, double confidence, double wall_s);

/// Where to look, for a culprit knob ("" when there is nothing to say).
std::string fix_direction(const std::string& knob);

}  // namespace deflake
