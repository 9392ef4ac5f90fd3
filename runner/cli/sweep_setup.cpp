#include "cli/sweep_setup.hpp"

#include <errno.h>
#include <fmt/format.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/text.hpp"
#include "discovery/binary_kind.hpp"
#include "discovery/gtest_discovery.hpp"
#include "exec/command_source.hpp"
#include "exec/gtest_source.hpp"
#include "exec/libfuzzer_source.hpp"
#include "exec/sweep.hpp"
#include "platform/process_pool.hpp"
#include "platform/signals.hpp"
#include "platform/spawn.hpp"
#include "report/console_reporter.hpp"
#include "report/json_report.hpp"
#include "store/record.hpp"

extern char** environ;

namespace deflake {
namespace {

constexpr std::uint64_t kDefaultRuns = 100;
// Descriptors deflake keeps for itself besides one per running test: stdio,
// the directory walk that removes a run's TMPDIR, /proc reads, a spawn's
// transient pipes, the report being written.
constexpr rlim_t kReservedFds = 24;

unsigned core_count() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<unsigned>(n) : 1;
}

/// How many runs fit at once within the open-file limit (each running test
/// holds one pipe end), raising the soft limit towards the hard one only when
/// `wanted` needs it: children inherit the soft limit, and some programs loop
/// over every possible descriptor up to it.
unsigned jobs_that_fit(unsigned wanted) {
  struct rlimit limit {};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1;
  const rlim_t needed = static_cast<rlim_t>(wanted) + kReservedFds;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed &&
      limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? needed : std::min(needed, limit.rlim_max);
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed) return wanted;
  return limit.rlim_cur > kReservedFds + 1 ? static_cast<unsigned>(limit.rlim_cur - kReservedFds)
                                           : 1;
}

std::vector<const Knob*> resolve_knobs(const std::vector<std::string>& names, const char* flag) {
  std::vector<const Knob*> knobs;
  for (const auto& name : names) {
    const Knob* knob = find_knob(name);
    if (knob == nullptr) {
      const auto guess = nearest(name, knob_names());
      throw UsageError(
          fmt::format("unknown knob '{}' in {}{}", name, flag,
                      guess ? fmt::format(" (did you mean '{}'?)", *guess)
                            : fmt::format("; the knobs are: {}", fmt::join(knob_names(), ", "))));
    }
    if (std::find(knobs.begin(), knobs.end(), knob) == knobs.end()) knobs.push_back(knob);
  }
  std::sort(knobs.begin(), knobs.end(),
            [](const Knob* a, const Knob* b) { return a->name < b->name; });
  return knobs;
}

}  // namespace

SweepPlan make_plan(const RunOptions& o) {
  if (o.command.empty()) {
    if (!o.names.empty())
      throw UsageError(
          fmt::format("'{}' is not a command deflake can run: put the test's command after `--` "
                      "(e.g. deflake run -n 100 -- ./my_test), or name a [tests.{}] of "
                      "deflake.toml",
                      o.names.front(), o.names.front()));
    throw UsageError("no command to run: put it after `--`, e.g. deflake run -n 100 -- ./my_test");
  }
  SweepPlan plan;
  plan.argv = o.command;
  plan.env = o.env;
  plan.target_name = shell_join(o.command);
  if (o.seed) {
    const auto seed = parse_seed(*o.seed);
    if (!seed)
      throw UsageError(
          fmt::format("--seed '{}' is not a seed: give a decimal number below 2^64", *o.seed));
    plan.master_seed = *seed;
    plan.master_seed_given = true;
  } else {
    plan.master_seed = draw_master_seed();
  }
  plan.runs =
      o.runs ? o.runs : (o.until_fail ? std::nullopt : std::optional<std::uint64_t>(kDefaultRuns));
  plan.until_fail = o.until_fail;
  plan.timeout_s = o.timeout_s;
  plan.pinned = resolve_knobs(o.pin, "--pin");
  plan.freed = resolve_knobs(o.free, "--free");
  for (const Knob* knob : plan.pinned)
    if (std::find(plan.freed.begin(), plan.freed.end(), knob) != plan.freed.end())
      throw UsageError(fmt::format("knob '{}' is both pinned and free", knob->name));
  plan.jobs = o.jobs > 0 ? o.jobs : core_count();
  return plan;
}

void check_report_path(const std::string& path) {
  if (path.empty()) return;
  const std::string dir = parent_directory(path);
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw UsageError(fmt::format("--json {}: folder '{}' does not exist", path, dir));
  if (access(dir.c_str(), W_OK) != 0)
    throw UsageError(fmt::format("--json {}: folder '{}' is not writable", path, dir));
}

namespace {

bool want_color(int fd) {
  const char* no_color = getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  const char* term = getenv("TERM");
  if (term != nullptr && std::string_view(term) == "dumb") return false;
  return isatty(fd) != 0;
}

}  // namespace

ConsoleOptions console_options(const RunOptions& o) {
  ConsoleOptions console;
  console.verbosity = o.verbosity;
  console.progress = isatty(STDERR_FILENO) != 0;
  console.color = want_color(STDOUT_FILENO) && want_color(STDERR_FILENO);
  return console;
}

namespace {

/// What the binary is, read from its file (never by running it).
BinaryKind inspect_command(const std::vector<std::string>& command) {
  const char* path_env = getenv("PATH");
  const auto path = resolve_command(command.front(), path_env != nullptr ? path_env : "");
  if (!path) return BinaryKind{};  // spawning it will say what is wrong
  return inspect_binary(*path);
}

/// The first value that differs from run to run in what a process is
/// started with, said for a message ("" when there is none): "{seed}" in an
/// argument (expand_seed), "{seed}" or "{gtest_random_seed}" in a value of
/// the test's environment or of a knob in use (plan.cpp, expand_value). A
/// batch expands them once, for its first iteration, so every later
/// iteration would see the first one's value.
std::string per_run_placeholder(const SweepPlan& plan) {
  if (plan.is_pinned("seed")) return "";  // every run has the same seed, so the same values
  for (const auto& word : plan.argv)
    if (word.find("{seed}") != std::string::npos)
      return fmt::format("{{seed}} in the command's argument '{}'", word);
  const auto placeholder = [](const std::string& value) -> std::string_view {
    for (std::string_view p : {"{seed}", "{gtest_random_seed}"})
      if (value.find(p) != std::string::npos) return p;
    return {};
  };
  for (const auto& [name, value] : plan.env)
    if (const auto p = placeholder(value); !p.empty())
      return fmt::format("{} in the test's environment ({}={})", p, name, value);
  const auto in_knob = [&](const Knob* knob, const KnobSetting& setting) -> std::string {
    for (const auto& [name, value] : setting.env.set)
      if (const auto p = placeholder(value); !p.empty())
        return fmt::format("{} in knob '{}' ({}={})", p, knob->name, name, value);
    return "";
  };
  for (const Knob* knob : plan.pinned)
    if (auto found = in_knob(knob, knob->pinned); !found.empty()) return found;
  for (const Knob* knob : plan.freed) {
    // `order` sets GTEST_RANDOM_SEED, which only shuffles: a batch runs one
    // test case, and GoogleTest moves the shuffle seed on per iteration itself.
    if (knob->name == "order") continue;
    if (auto found = in_knob(knob, knob->free); !found.empty()) return found;
  }
  return "";
}

GtestStrategy choose_strategy(const RunOptions& o, const SweepPlan& plan, const BinaryKind& kind) {
  if (o.strategy == "isolated") return GtestStrategy::isolated;
  if (o.strategy == "suite") return GtestStrategy::suite;
  if (o.strategy == "batched") {
    if (!kind.has_adapter)
      throw UsageError(
          "--strategy batched needs a binary that links deflake::gtest (it reports each "
          "iteration's seed and outcome); this one does not: use --strategy isolated or suite");
    if (const std::string placeholder = per_run_placeholder(plan); !placeholder.empty())
      throw UsageError(fmt::format(
          "--strategy batched runs many seeds in one process, whose command and environment "
          "are set once, so every iteration would see the first one's value of {}: use "
          "--strategy isolated, or read the seed in the test (deflake::test_seed())",
          placeholder));
    return GtestStrategy::batched;
  }
  // auto: order matters only in one process running many tests; batching
  // needs the adapter; otherwise one process per run is the safe choice.
  const bool order_free = std::any_of(plan.freed.begin(), plan.freed.end(),
                                      [](const Knob* k) { return k->name == "order"; });
  if (order_free) return GtestStrategy::suite;
  // A replayed seed (repro) or seeds given one per run (bisect) reach a batch
  // only as its first iteration's: the adapter derives the others itself.
  if (plan.replay_seed || !plan.seeds.empty()) return GtestStrategy::isolated;
  // A seed written into the command or its environment is written once per
  // process: a batch would give every iteration the first one's.
  if (!per_run_placeholder(plan).empty()) return GtestStrategy::isolated;
  return kind.has_adapter ? GtestStrategy::batched : GtestStrategy::isolated;
}

/// The test cases to sweep: listed by the binary itself, filtered by --filter.
GtestWork plan_gtest_work(const RunOptions& o, const SweepPlan& plan, const BinaryKind& kind,
                          const PoolOptions& pool_options, const std::vector<std::string>& env,
                          bool registered_too) {
  PoolOptions listing_options = pool_options;
  listing_options.output_head_bytes = kListingOutputBytes;
  ProcessPool listing_pool(listing_options, env);
  RunSpec spec = plan.make_run(0);
  const GtestListing listing = list_gtest_tests(listing_pool, spec, o.filter);
  if (listing.tests.empty())
    throw UsageError(
        fmt::format("no test case of {} matches{}{}", shell_join(o.command),
                    o.filter.empty() ? std::string() : fmt::format(" --filter '{}'", o.filter),
                    listing.disabled.empty()
                        ? std::string()
                        : fmt::format(" (only {} disabled one(s))", listing.disabled.size())));
  GtestWork work;
  work.command = o.command;
  work.tests = listing.tests;
  // Filtered, the whole list costs a second listing: only for a caller
  // that predicts shuffles (bisect's order search).
  if (o.filter.empty())
    work.registered = listing.all;
  else if (registered_too)
    work.registered = list_gtest_tests(listing_pool, spec, "").all;
  work.filter = o.filter;
  work.strategy = choose_strategy(o, plan, kind);
  work.batch_size = o.batch_size;
  if (work.strategy != GtestStrategy::suite && plan.is_pinned("order") == false &&
      std::any_of(plan.freed.begin(), plan.freed.end(),
                  [](const Knob* k) { return k->name == "order"; }) &&
      o.verbosity != Verbosity::quiet)
    fmt::print(stderr,
               "deflake: note: --free order shuffles tests only with --strategy suite; with "
               "{} each process runs one test case\n",
               to_string(work.strategy));
  return work;
}

}  // namespace

SweepEnvironment prepare_environment(const RunOptions& o, SweepPlan& plan) {
  SweepEnvironment env;
  PoolOptions& pool_options = env.pool_options;
  pool_options.grace_s = o.grace_s;
  // The store keeps the first failing log of each target whole, up to 10 MB.
  pool_options.spill_cap_bytes = kFullOutputCap;
  pool_options.leak_window_s = o.leak_window_s;
  pool_options.skip_exit_code =
      o.no_skip_exit_code ? std::nullopt : std::optional<int>(o.skip_exit_code);
  if (o.memory_limit) {
    const auto bytes = parse_size(*o.memory_limit);
    if (!bytes || *bytes == 0)
      throw UsageError(
          fmt::format("--memory-limit '{}' is not a size: use e.g. 512M or 2G", *o.memory_limit));
    pool_options.memory_limit_bytes = bytes;
  }

  const unsigned fit = jobs_that_fit(plan.jobs);
  if (plan.jobs > fit) {
    if (o.verbosity != Verbosity::quiet)
      fmt::print(stderr,
                 "deflake: running {} at a time instead of {}: the open-file limit (ulimit -n) "
                 "leaves room for {}\n",
                 fit, plan.jobs, fit);
    plan.jobs = fit;
  }

  ensure_standard_fds();
  install_signal_handlers();
  limit_core_dumps(o.core_dumps);

  for (char** e = environ; *e != nullptr; ++e) env.base_env.emplace_back(*e);
  try {
    env.pool = std::make_unique<ProcessPool>(pool_options, env.base_env);
  } catch (const SystemError& e) {  // no usable temporary folder: the user's to fix
    throw UsageError(fmt::format("{} (set TMPDIR to a writable folder)", e.what()));
  }
  if (!env.pool->subreaper() && o.verbosity == Verbosity::verbose)
    fmt::print(
        stderr,
        "deflake: warning: cannot become a child subreaper; escaped grandchildren are found only "
        "through the output pipe\n");
  return env;
}

CommandKind classify_command(const RunOptions& o) {
  CommandKind kind;
  kind.binary = o.gtest == false ? BinaryKind{} : inspect_command(o.command);
  // A libFuzzer target wins over GoogleTest markers unless a flag says which.
  kind.libfuzzer =
      o.libfuzzer || (!o.gtest.has_value() && kind.binary.is_libfuzzer && !kind.binary.is_script);
  kind.gtest = !kind.libfuzzer && o.gtest.value_or(kind.binary.is_gtest && !kind.binary.is_script);
  if (!kind.gtest && !o.filter.empty())
    throw UsageError(
        fmt::format("--filter selects GoogleTest test cases, and {} is not a "
                    "GoogleTest binary (add --gtest if it is)",
                    o.command.front()));
  if (!kind.gtest && o.strategy != "auto" && o.strategy != "isolated")
    throw UsageError(
        fmt::format("--strategy {} groups a GoogleTest binary's test cases, and {} "
                    "is not one (add --gtest if it is)",
                    o.strategy, o.command.front()));
  return kind;
}

GtestWork gtest_work(const RunOptions& o, const SweepPlan& plan, const CommandKind& kind,
                     const SweepEnvironment& env, bool registered_too) {
  try {
    return plan_gtest_work(o, plan, kind.binary, env.pool_options, env.base_env, registered_too);
  } catch (const SpawnError& e) {
    if (e.users_to_fix()) throw UsageError(e.what());
    throw;
  }
}

int execute_sweep(const RunOptions& o, SweepPlan& plan, SweepListener& listeners) {
  SweepEnvironment env = prepare_environment(o, plan);
  ProcessPool& pool = *env.pool;
  const CommandKind kind = classify_command(o);
  std::unique_ptr<WorkSource> work;
  if (kind.libfuzzer) {
    try {
      work = std::make_unique<LibFuzzerSource>(plan);
    } catch (const SystemError& e) {  // no folder for the runs' artifacts: the user's to fix
      throw UsageError(fmt::format("{} (set TMPDIR to a writable folder)", e.what()));
    }
  } else if (kind.gtest) {
    work = std::make_unique<GtestSource>(plan, gtest_work(o, plan, kind, env));
  } else {
    work = std::make_unique<CommandSource>(plan);
  }

  const SweepResult result = [&] {
    try {
      return run_sweep(plan, *work, pool, listeners);
    } catch (const SpawnError& e) {
      if (e.users_to_fix()) throw UsageError(e.what());
      throw;
    }
  }();
  const std::size_t strays = pool.kill_stray_orphans();
  if (strays > 0 && o.verbosity != Verbosity::quiet)
    fmt::print(stderr, "deflake: killed {} leftover process(es) that could not be tied to a run\n",
               strays);
  if (result.interrupted) return kExitInterrupted;
  if (!result.stopped_early.empty()) {
    fmt::print(stderr, "deflake: error: the sweep stopped early: {}\n", result.stopped_early);
    if (result.failures() == 0) return kExitInternal;
  }
  return result.failures() > 0 ? kExitFailed : kExitOk;
}

}  // namespace deflake
