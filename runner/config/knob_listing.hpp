// The text of `deflake knobs`: every knob, what source of nondeterminism it
// controls, and what its pinned and free settings do.
#pragma once

#include <string>
#include <vector>

#include "knobs/catalog.hpp"

namespace deflake {

/// The catalog listing: built-in knobs first, then the user's, each marked
/// with `config_path` (the deflake.toml that defines it).
std::string render_knobs(const std::vector<Knob>& builtin, const std::vector<Knob>& user,
                         const std::string& config_path = "deflake.toml");

}  // namespace deflake
