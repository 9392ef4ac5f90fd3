// deflake.toml meets the command line: an option set on the command line
// wins; otherwise a named test's table, then the command's table, then
// [run], then the built-in default (docs/config.md).
#pragma once

#include <memory>

#include "cli/options.hpp"
#include "config/config.hpp"

namespace deflake {

/// The config file the options name (--config), or ./deflake.toml when it
/// exists; nullptr when there is none. Registers its knobs with the
/// catalog. Throws ConfigError (exit 2) with file:line:col.
std::shared_ptr<const ConfigFile> load_config(const std::string& path_given);

/// Fills every option of `o` that the command line did not set (o.given)
/// and `section` sets.
void apply_section(const RunSection& section, RunOptions& o);

/// The options of the named test `name` (its command, environment, kind,
/// working directory and option overrides) on top of `base`.
RunOptions named_test_options(const ConfigFile& config, const std::string& name, RunOptions base);

}  // namespace deflake
