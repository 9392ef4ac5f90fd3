// The command line: the only translation unit that includes CLI11 (a heavy
// header library), so a change elsewhere never recompiles it.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstring>
#include <optional>

#include "base/error.hpp"
#include "base/text.hpp"
#include "cli/config_options.hpp"
#include "cli/options.hpp"
#include "knobs/catalog.hpp"

namespace deflake {
namespace {

// Commands of DESIGN.md that later versions add: named so that a user who
// types one hears "not in this version" rather than "unknown command".
const std::vector<std::string> kPlannedCommands = {"ctest", "probe", "merge"};
const std::vector<std::string> kCommands = {"run", "repro", "bisect", "knobs", "store"};

constexpr const char* kMainFooter = R"(Examples:
  deflake run -n 500 -- ./my_test --some-flag     sweep a command under 500 seeds
  deflake run --until-fail -- ./my_test           stop at the first failing seed
  deflake run --seed 1234 -n 200 -- ./my_test     repeat an earlier sweep exactly

Run 'deflake run --help' for every option. Exit codes: 0 nothing failed,
1 a run failed, 2 bad usage, 3 internal error, 130 interrupted.)";

constexpr const char* kReproFooter =
    R"(Replays the recorded command, environment, seed and knob settings, and says whether the
failure reproduced every time, sometimes (nondeterminism beyond the seed), or never. Prints the
plain shell command that replays it without deflake. Exit 1 if any replay failed, else 0.

Examples:
  deflake repro                                   the newest stored failure, 5 times
  deflake repro 3f9c2a --runs 20                  a stored failure by (a prefix of) its ID
  deflake repro dfk1-...-1e0007fb -- ./my_test    a replay token from a CI log
  deflake repro --seed 4054806030609510 -- ./my_test   a run seed by hand)";

constexpr const char* kBisectFooter =
    R"(Sweeps the test with every knob free to learn its failure rate, then pins and frees
knobs (delta debugging, each claim a statistical test at --confidence) until it can name the
cause: knobs (with culprits), seed, order, unknown, undecided, or none for a stable test.
Prints the evidence, a command that reproduces the failure, and where to look.

Examples:
  deflake bisect -- ./reduce_test
  deflake bisect --confidence 0.99 --max-runs 10000 --json diagnosis.json -- ./my_test
  deflake bisect --filter 'Parser.*' -- ./my_gtest_binary)";

constexpr const char* kRunFooter =
    R"(The test gets DEFLAKE_SEED (a 16-digit seed), DEFLAKE_PINNED and DEFLAKE_RUN in its
environment, its own empty TMPDIR, and every "{seed}" in its arguments replaced by the seed.
Exit code 77 means "skip". A failing sweep prints the command that replays one failing run.

Examples:
  deflake run -n 500 -- ./my_test --some-flag
  deflake run -n 200 -j 8 --timeout 10 -- ./my_test --seed={seed}
  deflake run --until-fail --json report.json -- ./my_test
  deflake run -n 100 --pin threads,aslr -- ./my_test
  deflake run -n 1000 --filter 'Parser.*' -- ./my_gtest_binary    each test case on its own
  deflake run -n 200 --strategy suite --free order -- ./my_gtest_binary   shuffled test order
  deflake run -n 50 --libfuzzer -- ./fuzz_target -runs=10000     a fuzz target, seed by seed)";

std::vector<std::string> split_commas(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& value : values) {
    std::size_t start = 0;
    while (start <= value.size()) {
      const std::size_t comma = std::min(value.find(',', start), value.size());
      if (comma > start) out.push_back(value.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return out;
}

int usage_error(const std::string& message, const std::string& hint) {
  fmt::print(stderr, "deflake: error: {}\n", message);
  if (!hint.empty()) fmt::print(stderr, "{}\n", hint);
  return kExitUsage;
}

std::vector<std::string> long_flags(const CLI::App& app);

/// A usage error for the first unknown flag left over after parsing, with
/// the nearest known one; nullopt when there is none.
std::optional<int> unknown_flag(const CLI::App& command, const std::string& name) {
  for (const auto& extra : command.remaining()) {
    if (extra.rfind("-", 0) != 0) continue;
    const std::string flag = extra.substr(0, extra.find('='));
    const auto guess = nearest(flag, long_flags(command));
    return usage_error(fmt::format("unknown option '{}' for 'deflake {}'", flag, name),
                       guess ? fmt::format("Did you mean '{}'?", *guess)
                             : fmt::format("See 'deflake {} --help'.", name));
  }
  return std::nullopt;
}

/// The long flags given on the command line, which deflake.toml must not override.
std::set<std::string> given_flags(const CLI::App& app) {
  std::set<std::string> given;
  for (const CLI::Option* option : app.get_options())
    if (option->count() > 0)
      for (const auto& name : option->get_lnames()) given.insert("--" + name);
  return given;
}

/// The long names of an app's options ("--runs", ...), for suggestions.
std::vector<std::string> long_flags(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* option : app.get_options()) {
    for (const auto& name : option->get_lnames()) names.push_back("--" + name);
  }
  return names;
}

/// What CLI11 fills before it becomes RunOptions: lists still comma-joined,
/// flag pairs still apart.
struct RawFlags {
  std::vector<std::string> pin, free;
  bool quiet = false, verbose = false, gtest = false, no_gtest = false;
};

/// Turns a parsed command's raw flags into `o` (the command after `--`,
/// knob lists, verbosity, the flags given on the command line). A usage
/// error's exit code when the flags contradict each other or one is unknown.
std::optional<int> finish_options(const CLI::App& app, const std::string& name, RawFlags& raw,
                                  std::vector<std::string> command, RunOptions& o) {
  if (const auto unknown = unknown_flag(app, name)) return unknown;
  if (raw.gtest && raw.no_gtest)
    return usage_error("--gtest and --no-gtest contradict each other", "");
  if (raw.gtest && o.libfuzzer)
    return usage_error("--gtest and --libfuzzer contradict each other", "");
  if (raw.gtest || raw.no_gtest) o.gtest = raw.gtest;
  o.command = std::move(command);
  o.pin = split_commas(raw.pin);
  o.free = split_commas(raw.free);
  o.verbosity = raw.quiet ? Verbosity::quiet : raw.verbose ? Verbosity::verbose : Verbosity::normal;
  o.given = given_flags(app);
  return std::nullopt;
}

/// How each process of a run is set up and judged: run, bisect and repro
/// take them alike (a replay runs as the sweep that found the failure).
void add_process_options(CLI::App& app, RunOptions& o) {
  app.add_option("--memory-limit", o.memory_limit,
                 "Address-space limit per run, e.g. 2G (RLIMIT_AS)");
  app.add_option("--skip-exit-code", o.skip_exit_code, "Exit code that means 'skip' (default 77)");
  app.add_flag("--no-skip-exit-code", o.no_skip_exit_code, "No exit code means 'skip'");
  app.add_option(
         "--leak-window", o.leak_window_s,
         "Seconds that processes a run leaves behind may live on after it exits (default 0.5)")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--core-dumps", o.core_dumps, "Let runs write core files (default: RLIMIT_CORE 0)");
}

// run's flags that say how a binary's runs are grouped into processes.
// bisect refuses them (DESIGN.md lists them for run): it chooses the
// grouping itself, and would otherwise ignore them.
const std::vector<std::pair<std::string, std::string>> kNotForBisect = {
    {"strategy",
     "it groups runs itself (one process per run while it tests seeds and knobs, the whole "
     "suite per process when it searches test order)"},
    {"batch_size",
     "it never batches (one process per run while it tests seeds and knobs, the whole suite per "
     "process when it searches test order)"},
    {"libfuzzer",
     "it runs a command or a GoogleTest binary one process per run, and never drives a fuzz "
     "target's -seed= or artifacts (sweep a fuzz target with 'deflake run --libfuzzer')"},
    {"until_fail",
     "it decides how long each configuration runs (a question ends at its first failure, a "
     "claim at its last clean run); bound the whole diagnosis with --max-runs"},
    {"pin", "it pins and frees every knob itself"},
    {"free", "it pins and frees every knob itself"},
};

/// A usage error for the first of run's grouping flags given to bisect.
std::optional<int> refused_by_bisect(const CLI::App& bisect) {
  for (const auto& extra : bisect.remaining()) {
    if (extra.rfind("--", 0) != 0) continue;
    const std::string flag = extra.substr(0, extra.find('='));
    for (const auto& [key, why] : kNotForBisect) {
      std::string spelled = "--" + key;
      std::replace(spelled.begin(), spelled.end(), '_', '-');
      if (flag == spelled)
        return usage_error(fmt::format("bisect does not take {}: {}", spelled, why),
                           "See 'deflake bisect --help'.");
    }
  }
  return std::nullopt;
}

/// `grouping`: the flags of kNotForBisect, which only run takes (bisect
/// gets its own words for -n).
void add_run_options(CLI::App& run, RunOptions& o, std::vector<std::string>& pin,
                     std::vector<std::string>& free, bool& quiet, bool& verbose, bool& gtest,
                     bool& no_gtest, bool grouping) {
  run.add_option("-n,--runs", o.runs,
                 grouping ? "Number of runs (default 100; no limit with --until-fail)"
                          : "A GoogleTest binary's screening: shuffled runs of the whole suite, "
                            "then runs alone of each test case that failed there (default 100; "
                            "a single command's baseline runs until its rate is clear)")
      ->check(CLI::PositiveNumber);
  run.add_option("--seed", o.seed,
                 "Master seed: the same seed repeats the same run seeds in the same order");
  run.add_option("-j,--jobs", o.jobs, "Runs at once (default: the number of cores)")
      ->check(CLI::PositiveNumber);
  run.add_option("--timeout", o.timeout_s,
                 "Seconds per run before SIGTERM; 0 means none (default 60)")
      ->check(CLI::NonNegativeNumber);
  run.add_option("--grace", o.grace_s, "Seconds from SIGTERM to SIGKILL (default 5)")
      ->check(CLI::NonNegativeNumber);
  if (grouping) {
    run.add_flag("--until-fail", o.until_fail, "Stop launching runs at the first failure");
    const std::string knobs = fmt::format("{}", fmt::join(knob_names(), ", "));
    run.add_option("--pin", pin, "Knobs to hold fixed, comma-separated: " + knobs)->delimiter(',');
    run.add_option("--free", free, "Knobs to vary on purpose, comma-separated")->delimiter(',');
  }
  run.add_option("--json", o.json_path, "Write the JSON report (deflake.report/1) to this file");
  run.add_option("--config", o.config_path,
                 "The deflake.toml to read (default: ./deflake.toml when it exists)");
  run.add_option("--store", o.store_dir, "The failure store (default .deflake)");
  add_process_options(run, o);
  run.add_flag("--gtest", gtest,
               "The command is a GoogleTest binary: report each test case (default: detected "
               "by reading the binary)");
  run.add_flag("--no-gtest", no_gtest, "Treat the command as one test, even if it is GoogleTest");
  if (grouping)
    run.add_flag("--libfuzzer", o.libfuzzer,
                 "The command is a libFuzzer target: pass each run's seed as -seed=, keep crash "
                 "artifacts in .deflake/artifacts and check that each reproduces alone (default: "
                 "detected by reading the binary)");
  run.add_option("--filter", o.filter,
                 "GoogleTest pattern selecting the test cases to sweep (as --gtest_filter)");
  if (grouping) {
    run.add_option("--strategy", o.strategy,
                   "How a gtest binary's runs share processes: auto, isolated (one run per "
                   "process), batched (many seeds of one test per process; needs the adapter), "
                   "suite (the whole filtered binary per run)")
        ->check(CLI::IsMember({"auto", "isolated", "batched", "suite"}));
    run.add_option("--batch-size", o.batch_size,
                   "Runs per process with --strategy batched (default: chosen from runs and jobs)")
        ->check(CLI::PositiveNumber);
  }
  run.add_flag("-q,--quiet", quiet, "Print only the summary line");
  run.add_flag("-v,--verbose", verbose, "Print every run");
  run.add_option("names", o.names, "Names of tests in deflake.toml (not in this version)");
}

}  // namespace

ParsedCommandLine parse_command_line(int argc, char** argv) {
  ParsedCommandLine parsed;
  // Everything after the first `--` is the test's command line, untouched.
  std::vector<std::string> args;
  std::vector<std::string> command;
  bool after_dashes = false;
  for (int i = 1; i < argc; ++i) {
    if (!after_dashes && std::strcmp(argv[i], "--") == 0) {
      after_dashes = true;
      continue;
    }
    (after_dashes ? command : args).push_back(argv[i]);
  }

  // A mistyped command: suggest the nearest one before CLI11 sees it.
  if (!args.empty() && args[0][0] != '-' &&
      std::find(kCommands.begin(), kCommands.end(), args[0]) == kCommands.end()) {
    if (std::find(kPlannedCommands.begin(), kPlannedCommands.end(), args[0]) !=
        kPlannedCommands.end()) {
      parsed.exit_code = usage_error(
          fmt::format("'deflake {}' is not in this version ({}) yet", args[0], DEFLAKE_VERSION),
          "Available: deflake run. See 'deflake --help'.");
      return parsed;
    }
    std::vector<std::string> all = kCommands;
    all.insert(all.end(), kPlannedCommands.begin(), kPlannedCommands.end());
    const auto guess = nearest(args[0], all);
    parsed.exit_code = usage_error(fmt::format("unknown command '{}'", args[0]),
                                   guess ? fmt::format("Did you mean 'deflake {}'?", *guess)
                                         : std::string("See 'deflake --help'."));
    return parsed;
  }

  CLI::App app{
      "deflake: runs a test many times under different seeds, captures the failing seeds\n"
      "and replays them exactly.",
      "deflake"};
  app.set_version_flag("--version", std::string("deflake ") + DEFLAKE_VERSION);
  app.footer(kMainFooter);
  app.require_subcommand(0, 1);
  RunOptions& o = parsed.run;
  RawFlags run_flags;
  CLI::App* run = app.add_subcommand(
      "run", "Sweep a command under many seeds: deflake run [options] -- CMD [ARGS...]");
  run->footer(kRunFooter);
  run->allow_extras();  // unknown flags are reported below, with a suggestion
  add_run_options(*run, o, run_flags.pin, run_flags.free, run_flags.quiet, run_flags.verbose,
                  run_flags.gtest, run_flags.no_gtest, /*grouping=*/true);

  ReproOptions& r = parsed.repro;
  r.run.runs = 5;
  r.run.jobs = 1;
  RawFlags repro_flags;
  CLI::App* repro = app.add_subcommand(
      "repro",
      "Replay a failure: a stored one (default: the newest), a replay token, or a seed by hand");
  repro->footer(kReproFooter);
  repro->allow_extras();
  repro->add_option("what", r.what, "A store ID (or a unique prefix of one), or a replay token");
  repro->add_option("-n,--runs", r.run.runs, "Replays (default 5)")->check(CLI::PositiveNumber);
  repro->add_option("--seed", r.run.seed,
                    "A run seed to replay by hand (with -- CMD): every replay gets this seed");
  repro->add_option("-j,--jobs", r.run.jobs, "Replays at once (default 1)")
      ->check(CLI::PositiveNumber);
  repro->add_option("--timeout", r.run.timeout_s, "Seconds per replay; 0 means none (default 60)")
      ->check(CLI::NonNegativeNumber);
  repro->add_option("--grace", r.run.grace_s, "Seconds from SIGTERM to SIGKILL (default 5)")
      ->check(CLI::NonNegativeNumber);
  repro->add_option("--pin", repro_flags.pin, "With --seed: knobs to hold fixed")->delimiter(',');
  repro->add_option("--free", repro_flags.free, "With --seed: knobs to vary")->delimiter(',');
  repro->add_option("--store", r.store_dir, "The failure store (default .deflake)");
  repro->add_option("--config", r.run.config_path,
                    "The deflake.toml to read (default: ./deflake.toml when it exists)");
  repro->add_option("--json", r.run.json_path, "Write the JSON report of the replays to this file");
  add_process_options(*repro, r.run);
  repro->add_flag("-q,--quiet", repro_flags.quiet, "Print only the verdict");
  repro->add_flag("-v,--verbose", repro_flags.verbose, "Print every replay's output");

  BisectCommandOptions& bo = parsed.bisect;
  RawFlags bisect_flags;
  CLI::App* bisect = app.add_subcommand(
      "bisect", "Diagnose a flaky test: verdict, cause, culprits and the runs that prove it");
  bisect->footer(kBisectFooter);
  bisect->allow_extras();
  add_run_options(*bisect, bo.run, bisect_flags.pin, bisect_flags.free, bisect_flags.quiet,
                  bisect_flags.verbose, bisect_flags.gtest, bisect_flags.no_gtest,
                  /*grouping=*/false);
  bisect->add_option("--confidence", bo.confidence, "Confidence of every claim (default 0.95)");
  bisect
      ->add_option("--max-runs", bo.max_runs,
                   "Runs all diagnoses together may use (default 10000; a GoogleTest "
                   "binary's screening, -n, comes on top); past it, claims left open make the "
                   "cause 'undecided'")
      ->check(CLI::PositiveNumber);

  std::string knobs_config;
  CLI::App* knobs = app.add_subcommand(
      "knobs", "List the knobs: the built-in catalog and those of deflake.toml, pinned and free");
  knobs->add_option("--config", knobs_config,
                    "The deflake.toml to read (default: ./deflake.toml when it exists)");

  StoreOptions& so = parsed.store;
  CLI::App* store =
      app.add_subcommand("store", "The failures kept in the store: list, show ID, rm ID, gc");
  store->add_option("--store", so.store_dir, "The failure store (default .deflake)");
  store->require_subcommand(1);
  store->add_subcommand("list", "One line per failure: ID, when, target, seed, outcome");
  store->add_subcommand("show", "Every field of one failure")
      ->add_option("id", so.id, "ID or a unique prefix")
      ->required();
  store->add_subcommand("rm", "Remove one failure")
      ->add_option("id", so.id, "ID or a unique prefix")
      ->required();
  store
      ->add_subcommand("gc",
                       "Remove failures older than --max-age days and leftover temporary files")
      ->add_option("--max-age", so.max_age_days, "Days (default 30)")
      ->check(CLI::NonNegativeNumber);

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help, --version
      app.exit(e);
      parsed.exit_code = kExitOk;
      return parsed;
    }
    parsed.exit_code = usage_error(e.what(), "See 'deflake --help'.");
    return parsed;
  }
  if (store->parsed()) {
    for (CLI::App* sub : store->get_subcommands()) so.action = sub->get_name();
    parsed.command = ParsedCommandLine::Command::store;
    return parsed;
  }
  if (knobs->parsed()) {
    parsed.config = load_config(knobs_config);
    parsed.command = ParsedCommandLine::Command::knobs;
    return parsed;
  }
  if (bisect->parsed()) {
    if (const auto refused = refused_by_bisect(*bisect)) {
      parsed.exit_code = *refused;
      return parsed;
    }
    if (const auto error =
            finish_options(*bisect, "bisect", bisect_flags, std::move(command), bo.run)) {
      parsed.exit_code = *error;
      return parsed;
    }
    parsed.config = load_config(bo.run.config_path);
    if (parsed.config) {
      const BisectSection& own = parsed.config->bisect;
      for (const auto& [key, why] : kNotForBisect) {
        const bool set = key == "strategy"     ? own.strategy.has_value()
                         : key == "batch_size" ? own.batch_size.has_value()
                         : key == "libfuzzer"  ? own.libfuzzer.has_value()
                         : key == "until_fail" ? own.until_fail.has_value()
                         : key == "pin"        ? own.pin.has_value()
                                               : own.free.has_value();
        if (set)
          throw UsageError(fmt::format("{}: bisect does not take [bisect] {}: {}",
                                       parsed.config->path, key, why));
      }
      // bisect sets every knob itself, sweeps to its own end and groups
      // runs itself: [run]'s knobs, until_fail and grouping are for run
      // and ctest.
      RunSection shared = parsed.config->run;
      shared.pin.reset();
      shared.free.reset();
      shared.until_fail.reset();
      shared.strategy.reset();
      shared.batch_size.reset();
      shared.libfuzzer.reset();
      apply_section(shared, bo.run);
      apply_section(parsed.config->bisect, bo.run);
      if (parsed.config->bisect.confidence && !bo.run.given.count("--confidence"))
        bo.confidence = *parsed.config->bisect.confidence;
      if (parsed.config->bisect.max_runs && !bo.run.given.count("--max-runs"))
        bo.max_runs = *parsed.config->bisect.max_runs;
    }
    parsed.command = ParsedCommandLine::Command::bisect;
    return parsed;
  }
  if (repro->parsed()) {
    if (const auto error =
            finish_options(*repro, "repro", repro_flags, std::move(command), r.run)) {
      parsed.exit_code = *error;
      return parsed;
    }
    parsed.config = load_config(r.run.config_path);
    if (parsed.config) {
      // [run]'s options for how each process runs apply to a replay as to
      // the sweep that found the failure; what runs, with which seed and
      // knobs, comes from the failure replayed.
      const RunSection& shared = parsed.config->run;
      RunSection process;
      process.timeout_s = shared.timeout_s;
      process.grace_s = shared.grace_s;
      process.memory_limit = shared.memory_limit;
      process.skip_exit_code = shared.skip_exit_code;
      process.leak_window_s = shared.leak_window_s;
      process.core_dumps = shared.core_dumps;
      apply_section(process, r.run);
      if (parsed.config->repro.runs && !r.run.given.count("--runs"))
        r.run.runs = parsed.config->repro.runs;
      if (shared.store && !r.run.given.count("--store")) r.store_dir = *shared.store;
    }
    parsed.command = ParsedCommandLine::Command::repro;
    return parsed;
  }
  if (!run->parsed()) {
    fmt::print(stderr, "{}", app.help());
    parsed.exit_code = kExitUsage;
    return parsed;
  }
  if (const auto error = finish_options(*run, "run", run_flags, std::move(command), o)) {
    parsed.exit_code = *error;
    return parsed;
  }
  parsed.config = load_config(o.config_path);
  if (parsed.config) apply_section(parsed.config->run, o);
  parsed.command = ParsedCommandLine::Command::run;
  return parsed;
}

}  // namespace deflake
