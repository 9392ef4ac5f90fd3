#pragma once

#include "cli/options.hpp"

namespace deflake {

/// `deflake run`: validates the options, sweeps, reports; returns the exit
/// code. With names instead of a command, sweeps each [tests.NAME] of
/// `config` in turn. Throws UsageError for what the user must fix.
int run_command(const RunOptions& options, const ConfigFile* config);

}  // namespace deflake
