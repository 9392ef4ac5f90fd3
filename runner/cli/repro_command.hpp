#pragma once

#include "cli/options.hpp"

namespace deflake {

/// `deflake repro`: replays a stored failure, a replay token or a seed given
/// by hand K times and says whether it reproduced. Returns the exit code:
/// 1 if any replay failed, 0 if none did, 130 when interrupted. Throws
/// UsageError for what the user must fix (a bad token, a token made for
/// another command, no such failure).
int repro_command(const ReproOptions& options);

}  // namespace deflake
