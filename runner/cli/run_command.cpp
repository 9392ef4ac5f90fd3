#include "cli/run_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <climits>
#include <memory>

#include "base/error.hpp"
#include "cli/config_options.hpp"
#include "cli/sweep_setup.hpp"
#include "report/console_reporter.hpp"
#include "report/json_report.hpp"
#include "store/store_reporter.hpp"

namespace deflake {
namespace {

int sweep_once(const RunOptions& o, const std::string& name) {
  SweepPlan plan = make_plan(o);
  if (!name.empty()) plan.target_name = name;
  check_report_path(o.json_path);
  ListenerList listeners;
  auto store = std::make_unique<StoreReporter>(o.store_dir, "run");
  StoreReporter& kept = *store;
  listeners.add(std::move(store));  // first: a failure is kept before it is printed
  listeners.add(std::make_unique<ConsoleReporter>(console_options(o)));
  if (!o.json_path.empty())
    listeners.add(std::make_unique<JsonReporter>(
        o.json_path, "run",
        [&kept](const std::string& target, std::uint64_t run) { return kept.id_of(target, run); }));
  const int code = execute_sweep(o, plan, listeners);
  if (kept.written() > 0 && o.verbosity != Verbosity::quiet) {
    try {  // stderr may be gone (a closed pipe): the exit code still tells
      fmt::print(stderr,
                 "deflake: kept {} failure(s) in {} (deflake store list; deflake repro replays "
                 "the newest)\n",
                 kept.written(), kept.root());
    } catch (const std::exception&) {
    }
  }
  return code;
}

std::string absolute(const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof cwd) == nullptr) return path;
  return std::string(cwd) + "/" + path;
}

/// Ranks exit codes: the run of several named tests ends with the worst.
int severity(int code) {
  switch (code) {
    case kExitOk:
      return 0;
    case kExitFailed:
      return 1;
    case kExitUsage:
      return 2;
    case kExitInternal:
      return 3;
    default:
      return 4;  // interrupted
  }
}

}  // namespace

int run_command(const RunOptions& o, const ConfigFile* config) {
  if (o.names.empty()) return sweep_once(o, "");
  if (!o.command.empty())
    throw UsageError("give either test names from deflake.toml or a command after `--`, not both");
  if (config == nullptr)
    throw UsageError(fmt::format(
        "'{}' names a [tests.{}] of deflake.toml, and there is none here (or give --config FILE)",
        o.names.front(), o.names.front()));
  int worst = kExitOk;
  for (const std::string& name : o.names) {
    RunOptions test = named_test_options(*config, name, o);
    // Reports and the store stay where the user asked, whatever the
    // test's working directory.
    test.json_path = absolute(test.json_path);
    test.store_dir = absolute(test.store_dir);
    char here[PATH_MAX];
    const bool moved = !test.working_directory.empty();
    if (moved) {
      if (::getcwd(here, sizeof here) == nullptr)
        throw SystemError("cannot read the current folder", errno);
      if (::chdir(test.working_directory.c_str()) != 0)
        throw UsageError(fmt::format("[tests.{}] working_directory '{}': {}", name,
                                     test.working_directory, std::strerror(errno)));
    }
    const int code = sweep_once(test, name);
    if (moved && ::chdir(here) != 0)
      throw SystemError("cannot return to the starting folder", errno);
    if (severity(code) > severity(worst)) worst = code;
    if (code == kExitInterrupted) break;
  }
  return worst;
}

}  // namespace deflake
