#pragma once

#include <cstdint>
#include <string>

#include "schedule/plan.hpp"

namespace deflake {

/// A shell command line that starts `spec` without deflake: its environment
/// changes (DEFLAKE_* variables, knob settings), child actions and argv.
std::string replay_command(const RunSpec& spec);

/// A shell command line that replays run `index` of the plan without deflake:
/// the same seed, DEFLAKE_* variables, knob settings and argv.
std::string replay_command(const SweepPlan& plan, std::uint64_t index);

}  // namespace deflake
