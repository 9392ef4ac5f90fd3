// The knob catalog as data (DESIGN.md "Built-in knobs"): each knob names what
// its pinned and free settings do to a run's environment, and which actions
// run in the child before exec. Knobs that shape scheduling rather than the
// child (seed, concurrency) carry no environment and are read by the plan.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/run.hpp"

namespace deflake {

struct KnobSetting {
  std::string summary;  // what this setting does, for `deflake knobs` and reports
  EnvDelta env;         // values may hold "{seed}" or "{gtest_random_seed}"
  std::vector<ChildAction> actions;
};

struct Knob {
  std::string name;
  std::string source;  // the source of nondeterminism it controls
  KnobSetting pinned;
  KnobSetting free;
};

/// The built-in knobs, in catalog order.
const std::vector<Knob>& builtin_knobs();

/// Adds knobs defined by the user (deflake.toml [knobs.NAME]); they are
/// found and listed like the built-ins, after them.
void add_user_knobs(const std::vector<Knob>& knobs);

/// The user's knobs, in the order they were added.
const std::vector<const Knob*>& user_knobs();

/// The knob called `name`, or nullptr.
const Knob* find_knob(std::string_view name);

/// The names of every knob, for suggestions.
std::vector<std::string> knob_names();

}  // namespace deflake
