// deflake.toml as plain values (DESIGN.md "Commands": every option has a
// deflake.toml twin, spelled as the long flag with `_` for `-`, in the table
// of its command). Only config/*.cpp include TOML++; everything else sees the
// structs below. Each option is an optional, so that the command line can tell
// "given in the file" from "absent" and apply command line > file > default.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "knobs/catalog.hpp"

namespace deflake {

/// A bad deflake.toml: "file:line:col: what was expected". Exit 2, like any
/// other usage error.
class ConfigError : public UsageError {
 public:
  using UsageError::UsageError;
};

/// `amplify = true | false | "noise" | "chaos"`.
enum class Amplify { off, on, noise, chaos };  // on: the command's default mode

/// The options every command shares: `[run]`, and the base of `[bisect]`,
/// `[ctest]` and each `[tests.NAME]`.
struct RunSection {
  std::optional<std::uint64_t> runs;
  std::optional<std::string> seed;  // decimal digits, below 2^64
  std::optional<unsigned> jobs;
  std::optional<double> timeout_s;  // 0: none
  std::optional<double> grace_s;
  std::optional<bool> until_fail;
  std::optional<std::vector<std::string>> pin;   // knob names, each known
  std::optional<std::vector<std::string>> free;  // knob names, each known
  std::optional<std::string> json;
  std::optional<std::string> junit;
  std::optional<std::string> store;
  std::optional<std::string> memory_limit;  // a size parse_size() accepts: "512M", "2G"
  std::optional<int> skip_exit_code;        // 0..255
  std::optional<double> leak_window_s;
  std::optional<bool> core_dumps;
  std::optional<bool> gtest;
  std::optional<std::string> filter;
  std::optional<std::string> strategy;  // "auto" | "isolated" | "batched" | "suite"
  std::optional<std::uint64_t> batch_size;
  std::optional<bool> libfuzzer;
  std::optional<Amplify> amplify;
  std::optional<std::string> shard;  // "K/N", 1 <= K <= N
  std::optional<bool> quiet;
  std::optional<bool> verbose;
};

/// `[bisect]`: its own options plus any `[run]` key.
struct BisectSection : RunSection {
  std::optional<double> confidence;  // in (0, 1)
  std::optional<std::uint64_t> max_runs;
};

/// `[ctest]`: its own options plus any `[run]` key.
struct CtestSection : RunSection {
  std::optional<std::uint64_t> reruns;
  std::optional<bool> allow_flaky;
};

/// `[repro]`.
struct ReproSection {
  std::optional<std::uint64_t> runs;
};

/// `[tests.NAME]`: a named test that `deflake run NAME` sweeps.
struct TestSpec {
  std::string name;
  std::vector<std::string> command;                      // never empty
  std::vector<std::pair<std::string, std::string>> env;  // in file order
  std::optional<std::string> working_directory;
  std::optional<std::string> kind;  // "cmd" | "gtest" | "libfuzzer"
  RunSection options;               // per-test overrides; `timeout` lands here
};

/// A whole deflake.toml.
struct ConfigFile {
  std::string path;  // as given: the prefix of every error about this file
  RunSection run;
  BisectSection bisect;
  CtestSection ctest;
  ReproSection repro;
  std::map<std::string, TestSpec> tests;
  std::vector<std::string> test_order;  // the names of `tests` in file order
  std::vector<Knob> knobs;              // user-defined knobs, in file order
};

/// Parses deflake.toml text; `name_for_errors` prefixes every message.
/// Throws ConfigError.
ConfigFile parse_config(std::string_view text, const std::string& name_for_errors);

/// Reads and parses the file at `path`. Throws ConfigError (also when the
/// file cannot be read).
ConfigFile load_config_file(const std::string& path);

/// "./deflake.toml" when that file exists, else nullopt.
std::optional<std::string> find_default_config();

/// The user knob called `name` in `file`, else the built-in one, else nullptr.
const Knob* find_knob(const ConfigFile& file, std::string_view name);

/// Deepest nesting parse_config accepts (tables, dotted keys, arrays and
/// inline tables together); deeper input is rejected before TOML++ sees it.
inline constexpr std::size_t kMaxConfigNesting = 128;

}  // namespace deflake
