#include "cli/repro_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <memory>

#include "base/error.hpp"
#include "base/text.hpp"
#include "cli/sweep_setup.hpp"
#include "deflake/seed_derivation.hpp"
#include "report/json_report.hpp"
#include "report/replay.hpp"
#include "report/repro_reporter.hpp"
#include "schedule/replay_token.hpp"
#include "store/manifest.hpp"
#include "store/record.hpp"
#include "store/store.hpp"

namespace deflake {
namespace {

/// One replay to run: the options of its sweep and which seed and run.
struct Replay {
  RunOptions options;
  std::uint64_t seed = 0;
  std::uint64_t run = 0;
  std::string target;  // the test case judged; "" judges every target
  std::string what;    // for the header
};

Replay from_token(const ReproOptions& r) {
  const DecodedToken decoded = decode_token(r.what);
  if (!decoded.token)
    throw UsageError(fmt::format("cannot replay '{}': {}", r.what, decoded.error));
  const ReplayToken& t = *decoded.token;
  if (r.run.command.empty())
    throw UsageError(
        "a replay token replays a command: give the one the failing sweep ran, e.g. deflake "
        "repro TOKEN -- ./my_test");
  if (command_digest(r.run.command) != t.command_digest)
    throw UsageError(fmt::format(
        "this token was made for another command than `{}` (its arguments or program name "
        "differ): give the command the failing sweep ran, with the same arguments",
        shell_join(r.run.command)));
  if (r.run.seed || !r.run.pin.empty() || !r.run.free.empty())
    throw UsageError("a token carries its own seed and knobs: drop --seed, --pin and --free");
  Replay replay;
  replay.options = r.run;
  replay.options.pin = t.pinned;
  replay.options.free = t.freed;
  replay.options.gtest = t.kind == "gtest";
  replay.options.libfuzzer = t.kind == "libfuzzer";
  if (t.kind == "gtest") {
    replay.options.filter = t.gtest_filter;
    // One test case alone, or the suite's filter whose order the seed repeats.
    replay.options.strategy = t.gtest_filter == t.target ? "isolated" : "suite";
  }
  replay.seed = t.seed;
  replay.run = t.run;
  replay.target = t.target;
  replay.what = fmt::format("replaying seed {} (run {}) of {}", t.seed, t.run,
                            t.target.empty() ? shell_join(r.run.command) : t.target);
  return replay;
}

/// A stored failure: its token replays it, with the command it recorded,
/// in the folder it ran in; the manifest says what differs here.
Replay from_store(const ReproOptions& r) {
  if (!r.run.command.empty())
    throw UsageError(
        "a stored failure replays the command it recorded: drop the command after `--` (or give "
        "a replay token or --seed)");
  const Store store(r.store_dir);
  const StoreLookup found = r.what.empty() ? store.newest() : store.find(r.what);
  if (!found.record) throw UsageError(found.error);
  const StoreRecord& record = *found.record;
  if (!record.token)
    throw UsageError(
        fmt::format("failure {} has no replay token (written by an older deflake)", record.id));
  const DecodedToken decoded = decode_token(*record.token);
  if (!decoded.token) throw UsageError(fmt::format("failure {}: {}", record.id, decoded.error));
  ReproOptions from_record = r;
  from_record.what = *record.token;
  from_record.run.command = record.argv;
  // A test case's argv ends with its --gtest_filter; the token adds its own.
  if (decoded.token->kind == "gtest" && !from_record.run.command.empty() &&
      from_record.run.command.back().rfind("--gtest_filter=", 0) == 0)
    from_record.run.command.pop_back();
  if (!record.cwd.empty() && ::chdir(record.cwd.c_str()) != 0)
    fmt::print(stderr, "deflake: warning: cannot enter {}, where it ran; replaying here\n",
               record.cwd);
  const std::string change = describe_manifest_change(
      record.manifest,
      collect_manifest(from_record.run.command.empty() ? std::string()
                                                       : from_record.run.command.front()));
  if (!change.empty()) fmt::print(stderr, "deflake: warning: {}\n", change);
  Replay replay = from_token(from_record);
  replay.what = fmt::format("replaying failure {} ({}, seed {})", record.id.substr(0, 12),
                            record.target, record.seed);
  return replay;
}

Replay from_seed(const ReproOptions& r) {
  if (r.run.command.empty())
    throw UsageError("--seed replays a command: deflake repro --seed S -- ./my_test");
  const auto seed = parse_seed(*r.run.seed);
  if (!seed)
    throw UsageError(
        fmt::format("--seed '{}' is not a seed: give a decimal number below 2^64", *r.run.seed));
  Replay replay;
  replay.options = r.run;
  replay.options.seed.reset();
  replay.seed = *seed;
  replay.what = fmt::format("replaying seed {} of {}", *seed, shell_join(r.run.command));
  return replay;
}

/// The plain shell command of the first replay: what a user runs without deflake.
std::string plain_command(const SweepPlan& plan, const RunOptions& o) {
  RunSpec spec = plan.make_run(0);
  if (!o.filter.empty()) spec.argv.push_back("--gtest_filter=" + o.filter);
  return replay_command(spec);
}

}  // namespace

int repro_command(const ReproOptions& given) {
  // A stored failure replays in its own folder: paths the user gave stay
  // relative to where they gave them.
  ReproOptions r = given;
  char here[4096];
  if (::getcwd(here, sizeof here) != nullptr) {
    if (!r.run.json_path.empty() && r.run.json_path.front() != '/')
      r.run.json_path = std::string(here) + "/" + r.run.json_path;
    if (!r.store_dir.empty() && r.store_dir.front() != '/')
      r.store_dir = std::string(here) + "/" + r.store_dir;
  }
  Replay replay;
  if (looks_like_token(r.what)) {
    replay = from_token(r);
  } else if (r.run.seed) {
    if (!r.what.empty())
      throw UsageError(
          fmt::format("give either a stored failure ('{}') or --seed, not both", r.what));
    replay = from_seed(r);
  } else {
    replay = from_store(r);
  }
  SweepPlan plan = make_plan(replay.options);
  plan.replay_seed = replay.seed;
  plan.replay_run = replay.run;
  plan.master_seed_given = true;
  check_report_path(replay.options.json_path);
  ListenerList listeners;
  auto reporter = std::make_unique<ReproReporter>(console_options(replay.options), replay.target,
                                                  replay.what, plain_command(plan, replay.options));
  ReproReporter& repro = *reporter;
  listeners.add(std::move(reporter));
  if (!replay.options.json_path.empty())
    listeners.add(std::make_unique<JsonReporter>(replay.options.json_path, "repro"));
  const int code = execute_sweep(replay.options, plan, listeners);
  if (code == kExitInterrupted || code == kExitUsage || code == kExitInternal) return code;
  return repro.verdict().failed > 0 ? kExitFailed : kExitOk;
}

}  // namespace deflake
