#include "cli/run_command.hpp"

#include <memory>

#include "cli/sweep_setup.hpp"
#include "report/console_reporter.hpp"
#include "report/json_report.hpp"

namespace deflake {

int run_command(const RunOptions& o) {
  SweepPlan plan = make_plan(o);
  check_report_path(o.json_path);
  ListenerList listeners;
  listeners.add(std::make_unique<ConsoleReporter>(console_options(o)));
  if (!o.json_path.empty()) listeners.add(std::make_unique<JsonReporter>(o.json_path, "run"));
  return execute_sweep(o, plan, listeners);
}

}  // namespace deflake
