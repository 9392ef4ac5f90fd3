// What every sweeping command shares (run, repro; later bisect and ctest):
// options to a plan, the process set-up, the choice of work (a plain
// command, a GoogleTest binary's test cases, a libFuzzer target), and the
// sweep itself with its exit code.
#pragma once

#include "cli/options.hpp"
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

/// Sets the process up (signals, descriptors, core limit), picks the work
/// and runs the sweep through `listeners`. Returns the exit code (DESIGN.md).
/// Throws UsageError for what the user must fix.
int execute_sweep(const RunOptions& o, SweepPlan& plan, SweepListener& listeners);

}  // namespace deflake
