#pragma once

#include "cli/options.hpp"

namespace deflake {

/// `deflake run`: validates the options, sweeps, reports; returns the exit code.
/// Throws UsageError for what the user must fix.
int run_command(const RunOptions& options);

}  // namespace deflake
