#include "exec/gtest_source.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <unordered_map>

#include "base/error.hpp"
#include "deflake/results_protocol.hpp"
#include "parse/gtest_console.hpp"
#include "parse/gtest_report.hpp"
#include "parse/results_file.hpp"
#include "platform/signals.hpp"
#include "report/replay.hpp"

namespace deflake {
namespace {

// Batches stay small enough that a failing test case under --until-fail
// stops soon, and that a batch killed by its timeout loses little.
constexpr std::uint64_t kMaxBatch = 200;
constexpr std::uint64_t kMaxBatchUntilFail = 25;
// A batch's process may run this many single-run timeouts before it is
// stopped; the iteration it was in is then re-run alone under the normal
// timeout, which decides whether that run timed out.
constexpr std::uint64_t kBatchTimeoutRuns = 10;

std::string join(const std::vector<std::string>& names, char sep) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += sep;
    out += name;
  }
  return out;
}

/// How the process ended, in words, for notes.
std::string describe_process_end(const RunRecord& process) {
  if (process.status.signal) return "was killed by " + signal_name(*process.status.signal);
  return fmt::format("exited with code {}", process.status.exit_code.value_or(-1));
}

/// A process that ended without deflake's or a signal's help and with an
/// exit code GoogleTest uses (0: all passed, 1: some failed).
bool ended_cleanly(const RunRecord& process) {
  return process.outcome != Outcome::timeout && !process.status.signal &&
         (process.status.exit_code == 0 || process.status.exit_code == 1);
}

/// The outcome of a test that the process reported as finished: the report's
/// word, unless the process ended badly after it (a crash in static
/// destructors after a passing test is a crash: DESIGN.md precedence).
Outcome finished_outcome(Outcome reported, const RunRecord& process, bool alone,
                         std::string& note) {
  if (!alone) return reported;  // in a suite, a bad end is blamed on the test it happened in
  if (process.outcome == Outcome::timeout) return Outcome::timeout;
  if (process.status.signal) {
    note = fmt::format("the test ended ({}), then the process {}", to_string(reported),
                       describe_process_end(process));
    return Outcome::crash;
  }
  if (reported == Outcome::pass && process.status.exit_code != 0) {
    note = fmt::format("the test passed, but the process {}", describe_process_end(process));
    return Outcome::fail;
  }
  if (reported == Outcome::skip && process.status.exit_code != 0) {
    // GoogleTest 1.12 reports the tests of a suite whose SetUpTestSuite()
    // failed as skipped, and only the exit code tells.
    note = fmt::format("reported as skipped, but the process {} (a failure in SetUpTestSuite()?)",
                       describe_process_end(process));
    return Outcome::fail;
  }
  return reported;
}

/// The outcome of a test the process died in, or that left no trace.
Outcome died_outcome(const RunRecord& process, std::string& note, bool no_report) {
  if (process.outcome == Outcome::timeout) return Outcome::timeout;
  if (process.status.signal) return Outcome::crash;
  // exit() in the middle of a test, or a crash while writing the report:
  // never a pass (RELIABILITY case 21).
  note = no_report ? fmt::format(
                         "the process {} without writing its GoogleTest report "
                         "(exit() in a test, or a crash while writing the report)",
                         describe_process_end(process))
                   : fmt::format("the process {} in the middle of the test",
                                 describe_process_end(process));
  return Outcome::crash;
}

/// The tests one process ran, in order, as the results file or (without the
/// adapter) GoogleTest's report and console say.
struct Ran {
  std::string name;
  std::optional<Outcome> outcome;  // nullopt: the process died in it
};

std::vector<Ran> tests_that_ran(const ResultsFile& results, const GtestReport& report,
                                const std::string& output) {
  std::vector<Ran> ran;
  if (results.has_header) {
    for (const IterationRuns& it : pair_results(results.records).iterations)
      if (it.process == 0 && it.iteration == 0)
        for (const TestRun& test : it.tests) ran.push_back({test.name, test.outcome});
    return ran;
  }
  for (const ConsoleTest& test : parse_gtest_console(output))
    ran.push_back({test.name, test.outcome});
  if (report.error) return ran;
  // The report's outcome is the framework's own word; the console only orders.
  for (Ran& test : ran) {
    const auto it = std::find_if(report.tests.begin(), report.tests.end(),
                                 [&](const GtestResult& r) { return r.full_name == test.name; });
    if (it != report.tests.end()) test.outcome = it->outcome;
  }
  if (ran.empty())  // output lost: the report still says what ran, though not in which order
    for (const GtestResult& r : report.tests) ran.push_back({r.full_name, r.outcome});
  return ran;
}

/// The part of a batch process's output that iteration `iteration` wrote:
/// the adapter heads each iteration (results::kIterationHeading), and so does
/// GoogleTest when not brief. The whole output when neither heading is there
/// (the capture dropped it).
std::string iteration_output(const std::string& output, std::uint64_t iteration) {
  const std::array<std::string (*)(std::uint64_t), 2> headings = {
      [](std::uint64_t i) { return fmt::format("{}{} seed ", results::kIterationHeading, i); },
      [](std::uint64_t i) {
        return fmt::format("Repeating all tests (iteration {}) . . .", i + 1);
      },
  };
  for (auto heading : headings) {
    const std::size_t start = output.find(heading(iteration));
    if (start == std::string::npos) continue;
    const std::size_t end = output.find(heading(iteration + 1), start);
    return output.substr(start, end == std::string::npos ? std::string::npos : end - start);
  }
  return output;
}

}  // namespace

std::string_view to_string(GtestStrategy strategy) {
  switch (strategy) {
    case GtestStrategy::isolated:
      return "isolated";
    case GtestStrategy::batched:
      return "batched";
    case GtestStrategy::suite:
      return "suite";
  }
  return "isolated";
}

GtestSource::GtestSource(const SweepPlan& plan, GtestWork work)
    : plan_(plan), work_(std::move(work)) {
  // Each run's report is written, read once and removed: keep them in
  // memory when the machine has a tmpfs (see memory_backed_temp_base).
  try {
    reports_ = std::make_unique<TempRoot>(memory_backed_temp_base());
  } catch (const SystemError&) {
    reports_ = std::make_unique<TempRoot>();
  }
  for (const auto& name : work_.tests) {
    std::vector<std::string> argv = work_.command;
    argv.push_back("--gtest_filter=" + name);
    targets_.push_back(TargetInfo{name, std::move(argv)});
  }
  state_.resize(targets_.size());
  if (work_.batch_size == 0) {
    // Enough batches to keep every job busy (four per job), no more than a cap.
    const std::uint64_t runs = plan_.runs.value_or(kMaxBatchUntilFail);
    const std::uint64_t total = runs * std::max<std::uint64_t>(1, targets_.size());
    const std::uint64_t per_job = 4 * std::uint64_t{plan_.effective_jobs()};
    work_.batch_size = std::clamp<std::uint64_t>((total + per_job - 1) / per_job, 1,
                                                 plan_.until_fail ? kMaxBatchUntilFail : kMaxBatch);
  }
}

GtestSource::~GtestSource() = default;

std::optional<std::uint64_t> GtestSource::planned_runs() const {
  if (!plan_.runs) return std::nullopt;
  return *plan_.runs * targets_.size();
}

bool GtestSource::wants_runs(const TargetState& state) const {
  if (state.failed && plan_.until_fail) return false;
  return !plan_.runs || state.next_run < *plan_.runs;
}

std::optional<RunSpec> GtestSource::next() {
  if (work_.strategy == GtestStrategy::suite) return next_suite();
  for (std::size_t k = 0; k < targets_.size(); ++k) {
    const std::size_t target = (cursor_ + k) % targets_.size();
    if (auto spec = next_for_target(target)) {
      cursor_ = target + 1;
      return spec;
    }
  }
  return std::nullopt;
}

std::optional<RunSpec> GtestSource::next_for_target(std::size_t target) {
  TargetState& state = state_[target];
  const std::string& name = targets_[target].name;
  Job job;
  job.target = target;
  if (!state.reruns.empty()) {  // attribution first: a batch died in these
    job.first_run = state.reruns.front();
    state.reruns.pop_front();
    return launch(std::move(job), name, job.first_run, plan_.timeout_s);
  }
  if (state.failed && plan_.until_fail) return std::nullopt;
  if (work_.strategy == GtestStrategy::isolated) {
    if (!wants_runs(state)) return std::nullopt;
    job.first_run = state.next_run++;
    return launch(std::move(job), name, job.first_run, plan_.timeout_s);
  }
  Batch batch;
  if (!state.batches.empty()) {
    batch = state.batches.front();
    state.batches.pop_front();
  } else {
    if (!wants_runs(state)) return std::nullopt;
    batch.first_run = state.next_run;
    batch.count =
        plan_.runs ? std::min(work_.batch_size, *plan_.runs - state.next_run) : work_.batch_size;
    state.next_run += batch.count;
  }
  job.kind = GtestStrategy::batched;
  job.first_run = batch.first_run;
  job.iterations = batch.count;
  const double timeout =
      plan_.timeout_s * static_cast<double>(std::min(batch.count, kBatchTimeoutRuns));
  return launch(std::move(job), name, batch.first_run, timeout);
}

std::optional<RunSpec> GtestSource::next_suite() {
  if (plan_.runs && next_suite_run_ >= *plan_.runs) return std::nullopt;
  Job job;
  job.kind = GtestStrategy::suite;
  std::vector<std::string> dropped;
  for (std::size_t t = 0; t < targets_.size(); ++t) {
    if (state_[t].failed && plan_.until_fail)
      dropped.push_back(targets_[t].name);
    else
      job.members.push_back(t);
  }
  if (job.members.empty()) return std::nullopt;
  // The user's pattern (which selected the targets), less the test cases
  // that are done: short even for a large suite, unlike a list of names.
  std::string filter = work_.filter.empty() ? "*" : work_.filter;
  if (!dropped.empty())
    filter += (filter.find('-') == std::string::npos ? "-" : ":") + join(dropped, ':');
  job.first_run = next_suite_run_++;
  for (std::size_t t : job.members) state_[t].next_run = next_suite_run_;
  return launch(std::move(job), filter, job.first_run, plan_.timeout_s);
}

RunSpec GtestSource::launch(Job job, const std::string& filter, std::uint64_t run_index,
                            double timeout_s) {
  const std::uint64_t id = next_job_++;
  RunSpec spec = plan_.make_run(run_index);
  spec.job = id;
  spec.timeout_s = timeout_s;
  job.report_path = fmt::format("{}/{}.json", reports_->path(), id);
  job.results_path = fmt::format("{}/{}.results", reports_->path(), id);
  job.filter = filter;
  spec.argv.push_back("--gtest_filter=" + filter);
  if (job.kind == GtestStrategy::batched) {
    // No JSON report: GoogleTest would rewrite it after every iteration
    // (it costs more than the iteration itself), and the results file says
    // all a batch needs. Brief output: only failures print.
    spec.argv.push_back(fmt::format("--gtest_repeat={}", job.iterations));
    spec.argv.push_back("--gtest_brief=1");
    spec.env.set.emplace_back(results::kMasterSeedVariable, std::to_string(plan_.master_seed));
  } else {
    spec.argv.push_back("--gtest_output=json:" + job.report_path);
  }
  // One test in one process: GoogleTest's report says all there is to say
  // (and its absence, that the process died), so no results file to write,
  // read and remove on every run.
  if (job.kind != GtestStrategy::isolated)
    spec.env.set.emplace_back(results::kFileVariable, job.results_path);
  job.spec = spec;
  jobs_.emplace(id, std::move(job));
  return spec;
}

RunRecord GtestSource::record_for(const Job& job, const RunRecord& process, std::uint64_t run_index,
                                  std::uint64_t seed) const {
  RunRecord record;
  record.job = process.job;
  record.index = run_index;
  record.seed = seed;
  record.status = process.status;
  record.stopped_by = process.stopped_by;
  record.interrupted = process.interrupted;
  // Not `leaky`: finish() marks one run per leaking process.
  record.duration_s =
      process.duration_s / static_cast<double>(std::max<std::uint64_t>(1, job.iterations));
  // The output is the caller's to attach, and only to failing runs: a batch
  // of B runs would otherwise copy its whole output B times.
  record.output_bytes = process.output_bytes;
  return record;
}

std::vector<TargetRun> GtestSource::finish(RunRecord process) {
  const auto found = jobs_.find(process.job);
  if (found == jobs_.end()) return {};  // not ours: cannot happen
  const Job job = std::move(found->second);
  jobs_.erase(found);
  std::vector<TargetRun> runs;
  switch (job.kind) {
    case GtestStrategy::isolated:
      runs = finish_isolated(job, process);
      break;
    case GtestStrategy::batched:
      runs = finish_batched(job, process);
      break;
    case GtestStrategy::suite:
      runs = finish_suite(job, process);
      break;
  }
  ::unlink(job.report_path.c_str());
  ::unlink(job.results_path.c_str());
  // A process that left processes behind is one leak, whatever it ran:
  // marked on the last run recorded from it (the iteration or test case it
  // ran last, after which it exited), so a batch of 200 iterations or a
  // suite of 500 tests does not count it 200 or 500 times. The test that
  // started the leftover cannot be told from the process's end; runs that
  // go on to run alone (after a crash in a batch) get their own verdict.
  if (process.leaky && !runs.empty()) runs.back().record.leaky = true;
  for (TargetRun& run : runs) {
    if (run.record.interrupted || !is_failure(run.record.outcome)) continue;
    if (run.record.output.empty()) run.record.output = process.output;
    run.record.full_output_path = process.full_output_path;
    // The replay: this run's environment and seed, and its filter (the test
    // case, or a suite's filter, whose order the same GTEST_RANDOM_SEED repeats).
    RunSpec replay = plan_.make_run(run.record.index);
    replay.argv.push_back("--gtest_filter=" + job.filter);
    run.record.replay = replay_command(replay);
    run.record.gtest_filter = job.filter;
    TargetState& state = state_[run.target];
    state.failed = true;
    if (plan_.until_fail) state.batches.clear();  // its failing seed is kept; stop repeating it
  }
  return runs;
}

std::vector<TargetRun> GtestSource::finish_isolated(const Job& job, const RunRecord& process) {
  const std::string& name = targets_[job.target].name;
  RunRecord record = record_for(job, process, job.first_run, process.seed);
  if (process.interrupted) return {TargetRun{job.target, std::move(record)}};
  const GtestReport report = read_gtest_report(job.report_path);
  std::optional<Outcome> reported;
  bool listed = false;
  if (!report.error) {
    for (const GtestResult& r : report.tests)
      if (r.full_name == name) reported = r.outcome, listed = true;
  } else {
    // No report: the adapter's results file may still say the test ended
    // (and the process died afterwards) or that it died in the test.
    const ResultsFile results = read_results_file(job.results_path);
    for (const Ran& ran : tests_that_ran(results, report, process.output))
      if (ran.name == name) reported = ran.outcome, listed = true;
  }
  if (reported && report.error && process.outcome != Outcome::timeout) {
    // The test ended, but GoogleTest's report is missing or unreadable: the
    // process died while writing it (RELIABILITY case 21). Never a pass.
    record.outcome = Outcome::crash;
    record.note = fmt::format(
        "the test ended ({}), then the process {} without a readable "
        "GoogleTest report ({})",
        to_string(*reported), describe_process_end(process), *report.error);
  } else if (reported) {
    record.outcome = finished_outcome(*reported, process, true, record.note);
  } else if (!report.error && !listed) {
    record.outcome = process.outcome == Outcome::timeout ? Outcome::timeout : Outcome::fail;
    record.note = "the test did not run: --gtest_filter matched nothing (renamed or removed?)";
  } else {
    record.outcome = died_outcome(process, record.note, report.error.has_value());
  }
  return {TargetRun{job.target, std::move(record)}};
}

void GtestSource::requeue_alone(std::size_t target, std::uint64_t first_run, std::uint64_t count) {
  for (std::uint64_t i = 0; i < count; ++i) state_[target].reruns.push_back(first_run + i);
}

std::vector<TargetRun> GtestSource::finish_batched(const Job& job, const RunRecord& process) {
  const std::string& name = targets_[job.target].name;
  const ResultsFile results = read_results_file(job.results_path);
  std::vector<TargetRun> runs;
  if (!results.has_header) {
    // The binary wrote nothing (no adapter after all, or it died at once):
    // nothing can be attributed, so every run of the batch runs alone.
    if (!process.interrupted) requeue_alone(job.target, job.first_run, job.iterations);
    return runs;
  }
  const PairedResults paired = pair_results(results.records);
  auto find = [&](std::uint64_t iteration) -> const TestRun* {
    for (const IterationRuns& it : paired.iterations)
      if (it.process == 0 && it.iteration == iteration)
        for (const TestRun& test : it.tests)
          if (test.name == name) return &test;
    return nullptr;
  };
  auto seed_of = [&](std::uint64_t iteration) {
    for (const IterationRuns& it : paired.iterations)
      if (it.process == 0 && it.iteration == iteration) return it.run_seed;
    return plan_.make_run(job.first_run + iteration).seed;
  };
  for (std::uint64_t j = 0; j < job.iterations; ++j) {
    const TestRun* test = find(j);
    if (test != nullptr && test->outcome) {
      RunRecord record = record_for(job, process, job.first_run + j, seed_of(j));
      record.outcome = *test->outcome;
      if (is_failure(record.outcome)) record.output = iteration_output(process.output, j);
      record.interrupted = false;  // it finished before any interrupt
      runs.push_back(TargetRun{job.target, std::move(record)});
      continue;
    }
    // The process died in iteration j (or before it started): run j alone
    // to learn how it ends, and batch the rest again.
    if (process.interrupted) return runs;
    state_[job.target].reruns.push_back(job.first_run + j);
    if (j + 1 < job.iterations)
      state_[job.target].batches.push_front(Batch{job.first_run + j + 1, job.iterations - j - 1});
    return runs;
  }
  // Every iteration ended. A process that still ended badly (a crash at
  // exit, an exit code GoogleTest does not use, a failure no iteration
  // owns) cannot say which run it belongs to: all of them run alone.
  const bool any_failed = std::any_of(
      runs.begin(), runs.end(), [](const TargetRun& r) { return is_failure(r.record.outcome); });
  if (!process.interrupted &&
      (!ended_cleanly(process) || (process.status.exit_code == 1 && !any_failed))) {
    requeue_alone(job.target, job.first_run, job.iterations);
    runs.clear();
  }
  return runs;
}

std::vector<TargetRun> GtestSource::finish_suite(const Job& job, const RunRecord& process) {
  const ResultsFile results = read_results_file(job.results_path);
  const GtestReport report = read_gtest_report(job.report_path);
  const std::vector<Ran> ran = tests_that_ran(results, report, process.output);
  std::unordered_map<std::string_view, std::size_t> member;
  for (std::size_t t : job.members) member.emplace(targets_[t].name, t);
  std::vector<TargetRun> runs;
  std::vector<std::string> order;
  bool died_in_a_test = false;
  for (const Ran& test : ran) {
    const auto target = member.find(test.name);
    if (target == member.end()) continue;
    order.push_back(test.name);
    RunRecord record = record_for(job, process, job.first_run, process.seed);
    if (test.outcome) {
      record.outcome = *test.outcome;
      record.interrupted = false;
    } else {
      died_in_a_test = true;
      record.outcome = died_outcome(process, record.note, report.error.has_value());
    }
    if (is_failure(record.outcome) || !test.outcome ||
        std::find(work_.order_kept_for.begin(), work_.order_kept_for.end(), test.name) !=
            work_.order_kept_for.end())
      record.order = order;
    runs.push_back(TargetRun{target->second, std::move(record)});
  }
  if (process.interrupted) {
    // What finished before the interrupt counts; the rest says nothing.
    std::erase_if(runs, [](const TargetRun& r) { return r.record.interrupted; });
    return runs;
  }
  if (!died_in_a_test && (!ended_cleanly(process) || report.error)) {
    // The process ended badly after its tests (or died writing its report):
    // nobody to single out, so every test of the run carries it (never a pass).
    const std::string note =
        report.error ? fmt::format("the suite process {} without a readable GoogleTest report",
                                   describe_process_end(process))
                     : fmt::format("the suite process {} after its tests ended",
                                   describe_process_end(process));
    for (std::size_t i = 0; i < runs.size(); ++i) {
      RunRecord& record = runs[i].record;
      record.outcome = process.outcome == Outcome::timeout ? Outcome::timeout : Outcome::crash;
      record.note = note;
      // A failing run keeps its order; runs[i] ran (i + 1)-th.
      record.order.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(i + 1));
    }
    if (runs.empty()) {  // and nothing tells what ran: blame every member
      for (std::size_t t : job.members) {
        RunRecord record = record_for(job, process, job.first_run, process.seed);
        record.outcome = process.outcome == Outcome::timeout ? Outcome::timeout : Outcome::crash;
        record.note = fmt::format("the suite process {} and no test could be singled out",
                                  describe_process_end(process));
        runs.push_back(TargetRun{t, std::move(record)});
      }
    }
  }
  return runs;
}

}  // namespace deflake
