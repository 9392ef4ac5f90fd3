#include "cli/bisect_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "base/clock.hpp"
#include "base/error.hpp"
#include "base/text.hpp"
#include "bisect/bisect_report.hpp"
#include "bisect/sweep_oracle.hpp"
#include "cli/sweep_setup.hpp"
#include "exec/sweep.hpp"
#include "platform/atomic_file.hpp"
#include "platform/spawn.hpp"
#include "report/replay.hpp"
#include "store/store_reporter.hpp"

namespace deflake {
namespace {

// A GoogleTest binary's test cases are screened with every knob free
// before any is diagnosed, -n runs of the whole suite in shuffled orders,
// then -n runs alone of each that failed there: the stable ones need no
// search.
constexpr std::uint64_t kScreeningRuns = 100;

/// Counts runs on a terminal's progress line.
class Progress final : public SweepListener {
 public:
  explicit Progress(bool shown) : shown_(shown) {}
  void target(const std::string& name) {
    name_ = name;
    runs_ = 0;
  }
  void on_run_end(const RunRecord&, const TargetResult&) override {
    ++runs_;
    if (!shown_) return;
    const TimePoint now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    fmt::print(stderr, "\r\x1b[K[bisect] {}: {} runs", name_, runs_);
    std::fflush(stderr);
  }
  void clear() {
    if (shown_) fmt::print(stderr, "\r\x1b[K");
  }

 private:
  bool shown_;
  std::string name_;
  std::uint64_t runs_ = 0;
  TimePoint last_{};
};

/// Passes events to a listener owned elsewhere.
class ForwardTo final : public SweepListener {
 public:
  explicit ForwardTo(SweepListener& to) : to_(to) {}
  void on_sweep_start(const SweepStart& start) override { to_.on_sweep_start(start); }
  void on_run_end(const RunRecord& record, const TargetResult& so_far) override {
    to_.on_run_end(record, so_far);
  }

 private:
  SweepListener& to_;
};

/// The engine's options for one target: its own fresh seeds, batches that
/// keep every job busy.
BisectOptions options_for(const BisectCommandOptions& b, const SweepPlan& plan,
                          const std::string& target) {
  BisectOptions options;
  options.confidence = b.confidence;
  options.max_runs = b.max_runs;
  options.master_seed = plan.master_seed ^ fnv1a64(target);
  options.batch = std::max(4u, plan.effective_jobs() * 4);
  options.parallel = std::max(1u, plan.effective_jobs());
  return options;
}

/// The reproducing run's command line, environment and shell form.
void set_repro(TargetDiagnosis& t, const RunSpec& spec) {
  t.repro_argv = spec.argv;
  t.repro_env = spec.env;
  t.repro_shell = replay_command(spec);
}

// Failures of one target that one bisect keeps in the store: bisect fails
// the test on purpose, hundreds of times; the first few are the ones to replay.
constexpr std::size_t kKeptPerTarget = 10;

/// The knobs searched: every one of the catalog but `seed` and `order`
/// (seeds keep varying; order has its own search), less the ones that
/// cannot apply here, which are reported with why.
std::vector<const Knob*> searchable_knobs(ProcessPool& pool, std::vector<std::string>& skipped) {
  std::vector<const Knob*> all;
  for (const Knob& knob : builtin_knobs()) all.push_back(&knob);
  for (const Knob* knob : user_knobs()) all.push_back(knob);  // deflake.toml's, searched alike
  std::vector<const Knob*> knobs;
  for (const Knob* entry : all) {
    const Knob& knob = *entry;
    if (knob.name == "seed" || knob.name == "order") continue;
    if (!knob.pinned.actions.empty()) {
      // Try the child action once (personality may be refused by seccomp).
      RunSpec probe;
      probe.job = ~std::uint64_t{0};
      probe.argv = {"/bin/true"};
      probe.actions = knob.pinned.actions;
      probe.timeout_s = 10;
      try {
        pool.start(probe);
        while (pool.running() > 0) pool.wait();
      } catch (const SpawnError& e) {
        if (e.kind() == SpawnError::Kind::knob_refused) {
          skipped.push_back(knob.name + ": cannot apply on this machine (" + e.what() + ")");
          continue;
        }
      }
    }
    knobs.push_back(&knob);
  }
  std::sort(knobs.begin(), knobs.end(),
            [](const Knob* a, const Knob* b) { return a->name < b->name; });
  return knobs;
}

/// A test case's screening runs, and how they were grouped.
struct ScreenedCase {
  const TargetResult* runs;
  const char* strategy;
};

/// A test case that fails only in the suite, after certain others.
struct OrderTarget {
  std::string name;
  std::vector<std::string> before;  // the tests before it in its first failing order
  ShuffledRate shuffled;            // its failure rate in shuffled suites
  TargetResult suite_runs;          // those runs
};

}  // namespace

int bisect_command(const BisectCommandOptions& b) {
  const RunOptions& o = b.run;
  if (!(b.confidence > 0 && b.confidence < 1))
    throw UsageError(
        fmt::format("--confidence {} is not a probability between 0 and 1", b.confidence));
  if (!o.pin.empty() || !o.free.empty())
    throw UsageError("bisect sets every knob itself: drop --pin and --free");
  SweepPlan plan = make_plan(o);
  check_report_path(o.json_path);
  const TimePoint started = Clock::now();
  SweepEnvironment env = prepare_environment(o, plan);
  ProcessPool& pool = *env.pool;
  const CommandKind kind = classify_command(o);
  std::vector<std::string> skipped;
  const std::vector<const Knob*> knobs = searchable_knobs(pool, skipped);
  std::vector<std::string> candidates;
  for (const Knob* k : knobs) candidates.push_back(k->name);
  Progress shown(isatty(STDERR_FILENO) != 0 && o.verbosity != Verbosity::quiet);
  Progress& progress_line = shown;
  // Failures go into the store too (the first kKeptPerTarget of a target).
  ListenerList progress;
  progress.add(std::make_unique<ForwardTo>(shown));
  auto store_owned = std::make_unique<StoreReporter>(o.store_dir, "bisect", kKeptPerTarget);
  const StoreReporter& store = *store_owned;
  progress.add(std::move(store_owned));

  if (o.verbosity != Verbosity::quiet)
    fmt::print(stderr, "deflake bisect: {}, master seed {}{}; knobs {}\n", shell_join(o.command),
               plan.master_seed,
               plan.master_seed_given
                   ? ""
                   : fmt::format(" (drawn; --seed {} repeats it)", plan.master_seed),
               fmt::join(candidates, ", "));

  // The targets: the command, or each test case of a GoogleTest binary
  // (screened first: the stable ones are done).
  std::vector<BisectTarget> targets;
  std::vector<OrderTarget> order_targets;
  std::vector<std::string> listing;  // every test a GoogleTest binary registers, in its order
  std::vector<TargetDiagnosis> results;
  // Runs each test case had in the screening: part of its total_runs.
  std::map<std::string, std::uint64_t> screening_runs;
  std::map<std::string, TargetResult> screened_results;
  auto write_json = [&](const std::vector<TargetDiagnosis>& done, bool interrupted) {
    if (o.json_path.empty()) return;
    write_file_atomically(
        o.json_path,
        render_bisect_json(done, plan.master_seed, b.confidence, to_seconds(Clock::now() - started),
                           interrupted, [&](const std::string& target, std::uint64_t seed) {
                             return store.id_of_seed(target, seed);
                           }));
  };
  // Interrupted while screening: the report still says what the runs showed
  // (each test case's runs so far, no diagnosis yet).
  auto report_interrupted_screening = [&](const std::vector<ScreenedCase>& screened) {
    std::vector<TargetDiagnosis> partial;
    for (const ScreenedCase& c : screened) {
      const TargetResult& r = *c.runs;
      TargetDiagnosis t;
      t.name = r.name();
      t.argv = r.argv();
      t.candidates = candidates;
      t.runs = r;
      t.strategy = c.strategy;
      t.diagnosis.baseline_runs = r.counted();
      t.diagnosis.baseline_failures = r.failures();
      t.diagnosis.total_runs = r.runs();
      t.diagnosis.verdict =
          r.counted() ? decide_verdict(r.failures(), r.counted()) : Verdict::skipped;
      t.diagnosis.cause = "undecided";
      t.diagnosis.undecided_claim = "interrupted while screening the test cases";
      partial.push_back(std::move(t));
    }
    write_json(partial, true);
    return kExitInterrupted;
  };
  if (kind.gtest) {
    GtestWork work = gtest_work(o, plan, kind, env, /*registered_too=*/true);
    listing = work.registered;
    SweepPlan screening = plan;
    screening.freed = knobs;
    screening.runs = o.runs.value_or(kScreeningRuns);
    // Suite first: -n processes of the whole suite in shuffled orders, every
    // knob free, screen every test case at once. A test case that never
    // fails there is done (stable-pass, on those runs); one that fails is
    // screened alone next, which tells its own flakiness from the order's.
    // Screening each alone first would cost -n processes per test case (50k
    // for a binary of 500), nearly all of them for stable ones.
    std::map<std::string, TargetResult> in_suite;
    std::vector<std::string> suspects = work.tests;
    if (work.tests.size() > 1) {
      SweepPlan suite = screening;
      suite.freed.push_back(find_knob("order"));
      GtestWork whole = work;
      whole.strategy = GtestStrategy::suite;
      GtestSource source_suite(suite, whole);
      progress_line.target("screening the suite in shuffled orders");
      SweepResult shuffled = run_sweep(suite, source_suite, pool, progress);
      progress_line.clear();
      if (shuffled.interrupted) {
        std::vector<ScreenedCase> partial;
        for (const TargetResult& r : shuffled.targets) partial.push_back({&r, "suite"});
        return report_interrupted_screening(partial);
      }
      suspects.clear();
      for (TargetResult& r : shuffled.targets) {
        // Reached in fewer than -n suite runs (a test before it crashed or
        // ended the process): not screened enough, so alone it is too. (One
        // that skipped itself was reached: alone it would skip as well.)
        if (r.failures() > 0 || r.runs() < *screening.runs) suspects.push_back(r.name());
        in_suite.emplace(r.name(), std::move(r));
      }
    }
    // One process per run, as the diagnosis runs them: in a batch, state a
    // test leaves behind reaches its next iteration, which alone it never sees.
    std::map<std::string, TargetResult> alone_runs;
    if (!suspects.empty()) {
      GtestWork alone = work;
      alone.tests = suspects;
      alone.strategy = GtestStrategy::isolated;
      GtestSource source(screening, alone);
      progress_line.target(suspects.size() == work.tests.size()
                               ? "screening every test case"
                               : fmt::format("screening {} test case(s) alone", suspects.size()));
      SweepResult screened = run_sweep(screening, source, pool, progress);
      progress_line.clear();
      if (screened.interrupted) {
        // Each test case in the binary's order, with the runs that say the
        // most: alone where it failed there, else the suite's where it ran
        // there (a suspect that failed in the suite is no stable-pass for
        // passing its few runs alone).
        std::vector<ScreenedCase> partial;
        for (const std::string& name : work.tests) {
          const auto alone_it =
              std::find_if(screened.targets.begin(), screened.targets.end(),
                           [&](const TargetResult& r) { return r.name() == name; });
          const auto suite_it = in_suite.find(name);
          const bool alone_failed = alone_it != screened.targets.end() && alone_it->failures() > 0;
          if (suite_it != in_suite.end() && !alone_failed)
            partial.push_back({&suite_it->second, "suite"});
          else if (alone_it != screened.targets.end())
            partial.push_back({&*alone_it, "isolated"});
        }
        return report_interrupted_screening(partial);
      }
      for (TargetResult& r : screened.targets) alone_runs.emplace(r.name(), std::move(r));
    }
    for (const std::string& name : work.tests) {
      const auto alone = alone_runs.find(name);
      const auto suite = in_suite.find(name);
      if (alone != alone_runs.end()) {
        const TargetResult& r = alone->second;
        screening_runs[name] = r.runs();
        screened_results.emplace(name, r);
        if (r.failures() > 0) {
          targets.push_back(BisectTarget{name, o.command, name});
          continue;
        }
      }
      if (suite != in_suite.end() && suite->second.failures() > 0) {
        const TargetResult& s = suite->second;
        const std::vector<RunRecord> failed = s.failed_runs();
        std::vector<std::string> before = failed.front().order;
        if (!before.empty()) before.pop_back();  // the victim itself
        // The run of its k-th failure (indices count every suite run, so
        // this errs long: the claims it sizes only get stricter).
        const std::uint64_t runs_to_kth =
            failed.size() >= kBaselineFailures ? failed[kBaselineFailures - 1].index + 1 : 0;
        const std::uint64_t clean_alone = alone != alone_runs.end() ? alone->second.counted() : 0;
        order_targets.push_back(
            OrderTarget{name, before,
                        ShuffledRate{s.failure_rate(), s.counted(), runs_to_kth, clean_alone}, s});
        continue;
      }
      // Stable: on its runs alone (a binary of one test case), or in the suite.
      const bool alone_only = alone != alone_runs.end();
      if (!alone_only && suite == in_suite.end()) continue;  // every test case is one or the other
      const TargetResult& r = alone_only ? alone->second : suite->second;
      TargetDiagnosis done;
      done.name = name;
      done.argv = r.argv();
      done.candidates = candidates;
      done.strategy = alone_only ? "isolated" : "suite";
      done.diagnosis.baseline_runs = r.counted();
      done.diagnosis.baseline_failures = 0;
      done.diagnosis.total_runs = r.runs();
      done.diagnosis.verdict = decide_verdict(0, r.counted());
      done.runs = r;
      results.push_back(std::move(done));
    }
  } else {
    targets.push_back(BisectTarget{shell_join(o.command), o.command, ""});
  }

  bool interrupted = false;
  std::map<std::string, std::vector<std::string>> target_notes;  // lines for the summary
  // Victims that failed in shuffled suites but not because of the order,
  // with those runs: their diagnosis runs them alone.
  std::map<std::string, TargetResult> failed_in_suite;
  // --max-runs bounds every diagnosis together (the screening of a
  // GoogleTest binary, -n suite runs and -n alone per case that failed there, comes on top): each
  // target gets what the ones before it left.
  std::uint64_t spent = 0;
  auto budget_left = [&] { return b.max_runs > spent ? b.max_runs - spent : 0; };
  auto out_of_budget = [&](TargetDiagnosis& t, Verdict verdict) {
    t.diagnosis.verdict = verdict;
    t.diagnosis.cause = "undecided";
    t.diagnosis.undecided_claim = fmt::format(
        "the budget (--max-runs {}) was spent on the targets before this one", b.max_runs);
    t.diagnosis.runs_needed = 0;
  };
  for (const OrderTarget& victim : order_targets) {
    const TimePoint target_started = Clock::now();
    progress_line.target(victim.name + " (test order)");
    SweepOrderOracle oracle(plan, o.command, victim.name, listing, pool, progress);
    BisectOptions options = options_for(b, plan, victim.name);
    options.max_runs = budget_left();
    const OrderSearch search =
        find_polluters(oracle, victim.name, victim.before, victim.shuffled, options);
    spent += search.total_runs;
    progress_line.clear();
    if (search.not_order && !oracle.interrupted()) {
      // It failed in a shuffled suite, but not because of the tests before
      // it: diagnose it as any other target, and say why.
      targets.push_back(BisectTarget{victim.name, o.command, victim.name});
      failed_in_suite.emplace(victim.name, victim.suite_runs);
      const std::string ran_before =
          victim.before.empty() ? std::string("no test before it")
                                : fmt::format("{} test(s) before it", victim.before.size());
      target_notes[victim.name].push_back(fmt::format(
          "failed only in a shuffled suite ({:.1f}% of {} runs, {}), and not when those tests "
          "run first ({} runs): the order is not the cause; diagnosed alone",
          100 * victim.shuffled.rate, victim.shuffled.runs, ran_before, search.total_runs));
      continue;
    }
    TargetDiagnosis t;
    t.name = victim.name;
    t.argv = o.command;
    t.argv.push_back("--gtest_filter=" + victim.name);
    t.runs = victim.suite_runs;
    t.strategy = "suite";
    Diagnosis& d = t.diagnosis;
    d.verdict = Verdict::flaky;
    d.baseline_runs = victim.shuffled.runs;
    d.baseline_failures =
        static_cast<std::uint64_t>(victim.shuffled.rate * double(victim.shuffled.runs) + 0.5);
    d.evidence = search.evidence;
    d.total_runs = search.total_runs + screening_runs[victim.name];
    if (search.polluters) {
      d.cause = "order";
      d.culprits = {"order"};
      d.polluters = *search.polluters;
    } else {
      d.cause = "undecided";
      d.undecided_claim = search.undecided_claim;
      d.runs_needed = search.runs_needed;
    }
    if (search.repro_seed) {
      d.repro_seed = search.repro_seed;
      d.repro_rate = victim.shuffled.rate;
      RunSpec spec = oracle.plan_for(*search.repro_seed).make_run(0);
      std::string filter;
      for (const auto& name : d.polluters) filter += name + ":";
      spec.argv.push_back("--gtest_filter=" + filter + victim.name);
      set_repro(t, spec);
    }
    t.wall_s = to_seconds(Clock::now() - target_started);
    results.push_back(std::move(t));
    if (oracle.interrupted()) {
      interrupted = true;
      break;
    }
  }
  for (const BisectTarget& target : targets) {
    if (interrupted) break;
    const TimePoint target_started = Clock::now();
    progress_line.target(target.name);
    SweepOracle oracle(plan, target, knobs, pool, progress);
    BisectOptions options = options_for(b, plan, target.name);
    options.max_runs = budget_left();
    TargetDiagnosis t;
    t.name = target.name;
    t.argv = target.command;
    if (!target.gtest_test.empty()) t.argv.push_back("--gtest_filter=" + target.gtest_test);
    t.candidates = candidates;
    t.skipped = skipped;
    if (const auto screened = screened_results.find(target.name);
        options.max_runs == 0 && screened != screened_results.end()) {
      // It failed in the screening; nothing is left to find out why.
      const TargetResult& r = screened->second;
      out_of_budget(t, decide_verdict(r.failures(), r.counted()));
      t.diagnosis.baseline_runs = r.counted();
      t.diagnosis.baseline_failures = r.failures();
      t.diagnosis.total_runs = r.runs();
      t.runs = r;
      results.push_back(std::move(t));
      continue;
    }
    t.diagnosis = diagnose(oracle, candidates, options);
    spent += t.diagnosis.total_runs;
    t.runs = oracle.baseline();
    if (const auto suite = failed_in_suite.find(target.name);
        suite != failed_in_suite.end() && t.diagnosis.verdict == Verdict::stable_pass) {
      // Alone it passes, in a shuffled suite it fails, and not because of
      // the tests before it: flaky, with a cause no search here can name.
      Diagnosis& d = t.diagnosis;
      d.verdict = Verdict::flaky;
      d.cause = "undecided";
      d.undecided_claim = fmt::format(
          "what makes it fail in a shuffled suite ({}/{} runs): not the tests before it, and "
          "alone it passed {} runs",
          suite->second.failures(), suite->second.counted(), d.baseline_runs);
      d.runs_needed = 0;
      d.baseline_runs = suite->second.counted();
      d.baseline_failures = suite->second.failures();
      t.diagnosis.total_runs += suite->second.runs();
      t.runs = suite->second;
      t.strategy = "suite";
    }
    t.diagnosis.total_runs += screening_runs[target.name];
    for (const auto& note : target_notes[target.name])
      t.diagnosis.notes.insert(t.diagnosis.notes.begin(), note);
    progress_line.clear();
    if (t.diagnosis.repro_seed) {
      RunSpec spec = oracle.plan_for(t.diagnosis.repro_pinned, *t.diagnosis.repro_seed).make_run(0);
      if (!target.gtest_test.empty()) spec.argv.push_back("--gtest_filter=" + target.gtest_test);
      set_repro(t, spec);
    }
    t.wall_s = to_seconds(Clock::now() - target_started);
    results.push_back(std::move(t));
    if (oracle.interrupted()) {
      interrupted = true;
      break;
    }
  }
  pool.kill_stray_orphans();

  for (const TargetDiagnosis& t : results) {
    if (o.verbosity == Verbosity::quiet)
      fmt::print("{}: {} — cause {}{}\n", t.name, to_string(t.diagnosis.verdict), t.diagnosis.cause,
                 t.diagnosis.culprits.empty()
                     ? ""
                     : fmt::format(" ({})", fmt::join(t.diagnosis.culprits, ", ")));
    else if (t.diagnosis.verdict != Verdict::stable_pass || results.size() == 1 ||
             o.verbosity == Verbosity::verbose)
      fmt::print("{}", render_diagnosis(t, b.confidence, b.max_runs));
  }
  if (results.size() > 1 && o.verbosity != Verbosity::quiet) {
    std::size_t stable = 0;
    for (const auto& t : results) stable += t.diagnosis.verdict == Verdict::stable_pass;
    fmt::print("{} test cases: {} stable-pass, {} diagnosed\n", results.size(), stable,
               results.size() - stable);
  }
  write_json(results, interrupted);
  if (interrupted) return kExitInterrupted;
  const bool failed = std::any_of(results.begin(), results.end(), [](const TargetDiagnosis& t) {
    return t.diagnosis.verdict == Verdict::flaky || t.diagnosis.verdict == Verdict::stable_fail;
  });
  return failed ? kExitFailed : kExitOk;
}

}  // namespace deflake
