#pragma once

#include "cli/options.hpp"

namespace deflake {

/// `deflake bisect`: the diagnosis of each target (verdict, cause,
/// culprits, evidence). Exit 1 when a target failed (flaky or broken), 0
/// when every target is stable-pass, 130 when interrupted.
int bisect_command(const BisectCommandOptions& options);

}  // namespace deflake
