// What every sweeping command shares (run, repro; later bisect and ctest):
// options to a plan, the process set-up, the choice of work (a plain
// command, a GoogleTest binary's test cases, a libFuzzer target), and the
// sweep itself with its exit code.
#pragma once

#include <memory>

#include "cli/options.hpp"
#include "discovery/binary_kind.hpp"
#include "exec/gtest_source.hpp"
#include "platform/process_pool.hpp"
#include "report/console_reporter.hpp"
#include "report/listener.hpp"
#include "schedule/plan.hpp"

namespace deflake {

/// The plan the options ask for. Throws UsageError.
SweepPlan make_plan(const RunOptions& o);

/// Refuses a report path whose folder is missing or not writable, before any run.
void check_report_path(const std::string& path);

/// Console settings from the options and the terminal (NO_COLOR, TERM=dumb).
ConsoleOptions console_options(const RunOptions& o);

/// The process set-up every sweeping command needs, and its launcher.
struct SweepEnvironment {
  PoolOptions pool_options;
  std::vector<std::string> base_env;
  std::unique_ptr<ProcessPool> pool;
};

/// Sets the process up (signals, descriptors, core limit, the open-file
/// limit, which may lower plan.jobs) and starts the launcher.
SweepEnvironment prepare_environment(const RunOptions& o, SweepPlan& plan);

/// What the command is: a GoogleTest binary, a libFuzzer target, or a
/// plain command (flags first, then by reading the binary).
struct CommandKind {
  bool gtest = false;
  bool libfuzzer = false;
  BinaryKind binary;
};
CommandKind classify_command(const RunOptions& o);

/// A GoogleTest binary's test cases to sweep, listed by running it;
/// `registered_too`: every registered test as well, even when filtered
/// (GtestWork::registered).
GtestWork gtest_work(const RunOptions& o, const SweepPlan& plan, const CommandKind& kind,
                     const SweepEnvironment& env, bool registered_too = false);

/// Sets the process up (signals, descriptors, core limit), picks the work
/// and runs the sweep through `listeners`. Returns the exit code (DESIGN.md).
/// Throws UsageError for what the user must fix.
int execute_sweep(const RunOptions& o, SweepPlan& plan, SweepListener& listeners);

}  // namespace deflake
