// What the command line asked for, as plain values. Filled by cli_parse.cpp
// (the only file that includes CLI11), read by the command implementations.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "report/console_reporter.hpp"

namespace deflake {

struct ConfigFile;

struct RunOptions {
  std::vector<std::string> command;  // after `--`
  std::vector<std::string> names;    // positional names before `--`: [tests.NAME] of deflake.toml
  std::optional<std::uint64_t> runs;
  std::optional<std::string> seed;
  unsigned jobs = 0;  // 0: the number of cores
  double timeout_s = 60;
  double grace_s = 5;
  double leak_window_s = 0.5;
  bool until_fail = false;
  std::vector<std::string> pin;
  std::vector<std::string> free;
  std::string json_path;
  std::optional<std::string> memory_limit;
  int skip_exit_code = 77;
  bool no_skip_exit_code = false;
  bool core_dumps = false;
  std::optional<bool> gtest;  // --gtest / --no-gtest; nullopt: detect by reading the binary
  bool libfuzzer = false;     // --libfuzzer; also detected by reading the binary when no flag says
  std::string filter;         // --filter: GoogleTest pattern selecting test cases
  std::string strategy = "auto";
  std::uint64_t batch_size = 0;  // 0: chosen from runs, tests and jobs
  Verbosity verbosity = Verbosity::normal;
  std::string store_dir = ".deflake";
  std::string config_path;  // --config; "" with no deflake.toml
  // Set by a [tests.NAME] of deflake.toml.
  std::vector<std::pair<std::string, std::string>> env;
  std::string working_directory;
  // The long flags given on the command line ("--runs"): deflake.toml
  // fills only the others.
  std::set<std::string> given;
};

/// `deflake repro [ID | TOKEN] [-- CMD...]`: the sweep options that apply
/// to a replay (runs, jobs, how each process runs as in `run`, knobs with
/// --seed) plus what to replay.
struct ReproOptions {
  std::string what;  // a store ID (or a prefix of one), a replay token, or "": the newest failure
  RunOptions run;    // command after `--`; runs default 5, jobs default 1; seed: a run seed
  std::string store_dir = ".deflake";
};

/// `deflake bisect [options] -- CMD`: the sweep options plus the statistics'.
struct BisectCommandOptions {
  RunOptions run;
  double confidence = 0.95;
  std::uint64_t max_runs = 10000;
};

/// `deflake store list | show ID | rm ID | gc`.
struct StoreOptions {
  std::string action;  // list, show, rm, gc
  std::string id;
  std::string store_dir = ".deflake";
  double max_age_days = 30;
};

/// The parsed command line: which command to run, or an exit code when
/// parsing already answered (help, version, a usage error).
struct ParsedCommandLine {
  enum class Command { none, run, repro, bisect, knobs, store } command = Command::none;
  RunOptions run;
  ReproOptions repro;
  BisectCommandOptions bisect;
  StoreOptions store;
  std::shared_ptr<const ConfigFile> config;  // deflake.toml, when there is one
  int exit_code = 0;                         // meaningful when command is none
};

/// Parses argv. Prints help, version and usage errors itself (with a "did you
/// mean" for a mistyped command or flag).
ParsedCommandLine parse_command_line(int argc, char** argv);

}  // namespace deflake
