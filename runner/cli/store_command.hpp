#pragma once

#include "cli/options.hpp"

namespace deflake {

/// `deflake store list | show ID | rm ID | gc`: the failures kept in the
/// store. Returns the exit code; throws UsageError (no such ID, ...).
int store_command(const StoreOptions& options);

}  // namespace deflake
