#include "report/console_reporter.hpp"

#include <fmt/color.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include "base/text.hpp"
#include "platform/signals.hpp"
#include "report/replay.hpp"
#include "stats/stats.hpp"

namespace deflake {
namespace {

constexpr std::size_t kFailuresPrinted = 10;  // failing runs printed as they happen
constexpr std::size_t kSeedsShown = 5;        // failing seeds in the summary
constexpr std::size_t kTailLines = 20;        // lines of the failing run's output shown

std::string describe_end(const RunRecord& record) {
  if (record.outcome == Outcome::timeout) return "timed out";
  if (record.status.signal) {
    return fmt::format("killed by {}{}", signal_name(*record.status.signal),
                       record.status.core_dumped ? " (core dumped)" : "");
  }
  return fmt::format("exit {}", record.status.exit_code.value_or(-1));
}

/// The last `lines` lines of `text`.
std::vector<std::string_view> last_lines(std::string_view text, std::size_t lines) {
  std::vector<std::string_view> out;
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  while (!text.empty() && out.size() < lines) {
    const std::size_t nl = text.rfind('\n');
    const std::size_t start = nl == std::string_view::npos ? 0 : nl + 1;
    out.push_back(text.substr(start));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(0, nl);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

// The console must never end a sweep: when stdout or stderr goes away (a
// closed pipe, `| tee` killed by the same Ctrl-C, a hung-up terminal), fmt
// throws; the console then falls silent and the sweep, its exit code and
// the JSON report carry on.
template <typename F>
void ConsoleReporter::guarded(F&& print) {
  if (broken_) return;
  try {
    print();
  } catch (const std::exception&) {
    broken_ = true;
  }
}

void ConsoleReporter::on_sweep_start(const SweepStart& start) {
  guarded([&] { do_sweep_start(start); });
}
void ConsoleReporter::on_run_end(const RunRecord& record, const TargetResult& so_far) {
  guarded([&] { do_run_end(record, so_far); });
}
void ConsoleReporter::on_interrupt(int count) {
  guarded([&] { do_interrupt(count); });
}
void ConsoleReporter::on_sweep_end(const SweepOutcome& outcome) {
  guarded([&] { do_sweep_end(outcome); });
}

void ConsoleReporter::do_sweep_start(const SweepStart& start) {
  const SweepPlan& plan = *start.plan;
  plan_ = &plan;
  planned_runs_ = start.planned_runs;
  const std::size_t target_count = start.targets ? start.targets->size() : 1;
  many_targets_ = target_count != 1 || start.strategy != "isolated";
  started_ = Clock::now();
  if (options_.verbosity == Verbosity::quiet) return;
  const std::string runs =
      plan.runs ? fmt::format("{} runs", *plan.runs) : std::string("runs until one fails");
  const std::string what = many_targets_ ? fmt::format("{} of each of {} test{} in {} ({})", runs,
                                                       target_count, target_count == 1 ? "" : "s",
                                                       shell_join(plan.argv), start.strategy)
                                         : fmt::format("{} of {}", runs, shell_join(plan.argv));
  fmt::print(options_.err, "deflake: {}, {} at a time, master seed {}{}\n", what,
             plan.effective_jobs(), plan.master_seed,
             plan.master_seed_given
                 ? ""
                 : fmt::format(" (drawn; --seed {} repeats this sweep)", plan.master_seed));
  std::fflush(options_.err);
}

void ConsoleReporter::do_run_end(const RunRecord& record, const TargetResult& so_far) {
  const bool failed = !record.interrupted && is_failure(record.outcome);
  ++done_;
  failed_ += failed;
  if (options_.verbosity == Verbosity::quiet) return;
  const bool print =
      options_.verbosity == Verbosity::verbose || (failed && failures_printed_ < kFailuresPrinted);
  if (print) {
    clear_progress();
    const auto style =
        failed && options_.color ? fmt::fg(fmt::terminal_color::red) : fmt::text_style();
    fmt::print(options_.err, "  {} {}seed {}  {}{}  ({}){}\n",
               fmt::styled(fmt::format("{:<7}", to_string(record.outcome)), style),
               many_targets_ ? so_far.name() + "  " : std::string(), record.seed,
               describe_end(record), record.leaky ? ", leaked processes killed" : "",
               human_duration(record.duration_s),
               record.note.empty() ? std::string() : "  " + record.note);
    if (failed && ++failures_printed_ == kFailuresPrinted &&
        options_.verbosity != Verbosity::verbose)
      fmt::print(options_.err,
                 "  (further failing runs are counted, not printed; -v prints every run)\n");
  }
  draw_progress(false);
}

void ConsoleReporter::do_interrupt(int count) {
  if (options_.verbosity == Verbosity::quiet) return;
  clear_progress();
  if (count == 1)
    fmt::print(options_.err,
               "deflake: interrupted: stopping the running tests (Ctrl-C again kills them now)\n");
  else
    fmt::print(options_.err, "deflake: interrupted again: killing the running tests\n");
  std::fflush(options_.err);
}

void ConsoleReporter::draw_progress(bool force) {
  if (!options_.progress || options_.verbosity == Verbosity::quiet) return;
  const TimePoint now = Clock::now();
  if (!force && progress_shown_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double elapsed = to_seconds(now - started_);
  const double rate = elapsed > 0 ? double(done_) / elapsed : 0.0;
  const std::string failed_part =
      done_ ? fmt::format("{} failed ({})", failed_, percent(double(failed_) / double(done_)))
            : std::string("0 failed");
  std::string line;
  if (planned_runs_) {
    const std::uint64_t left = *planned_runs_ > done_ ? *planned_runs_ - done_ : 0;
    const double eta = done_ > 0 ? elapsed / double(done_) * double(left) : 0;
    line = fmt::format("[{}/{}] {} · {:.1f} runs/s · ETA {}", done_, *planned_runs_, failed_part,
                       rate, human_duration(eta));
  } else {
    line = fmt::format("[{}] {} · {:.1f} runs/s · {}", done_, failed_part, rate,
                       human_duration(elapsed));
  }
  fmt::print(options_.err, "\r\x1b[K{}", line);
  std::fflush(options_.err);
  progress_shown_ = true;
}

void ConsoleReporter::clear_progress() {
  if (!progress_shown_) return;
  fmt::print(options_.err, "\r\x1b[K");
  progress_shown_ = false;
}

void ConsoleReporter::do_sweep_end(const SweepOutcome& outcome) {
  clear_progress();
  print_summary(outcome);
  print_token_line(outcome);
  std::fflush(options_.out);
}

void ConsoleReporter::print_summary(const SweepOutcome& outcome) {
  const auto& targets = *outcome.targets;
  if (!many_targets_) {
    if (!targets.empty()) print_target(outcome, targets.front(), true);
    return;
  }
  // Many targets: the ones that failed in full, a line for the rest, a total.
  std::array<std::size_t, 4> verdicts{};  // by Verdict
  std::size_t not_run = 0;
  std::vector<std::string> failing;
  for (const TargetResult& r : targets) {
    if (r.runs() == 0) {
      ++not_run;
      continue;
    }
    const Verdict v = decide_verdict(r.failures(), r.counted());
    ++verdicts[static_cast<std::size_t>(v)];
    if (r.failures() > 0) failing.push_back(r.name());
    if (r.failures() > 0 || options_.verbosity == Verbosity::verbose)
      print_target(outcome, r, r.failures() > 0);
  }
  std::vector<std::string> parts;
  for (Verdict v : {Verdict::stable_pass, Verdict::flaky, Verdict::stable_fail, Verdict::skipped})
    if (verdicts[static_cast<std::size_t>(v)] > 0)
      parts.push_back(fmt::format("{} {}", verdicts[static_cast<std::size_t>(v)], to_string(v)));
  if (not_run > 0) parts.push_back(fmt::format("{} not run", not_run));
  fmt::print(options_.out, "{} test{} ({} strategy): {}{}  in {}\n", targets.size(),
             targets.size() == 1 ? "" : "s", outcome.strategy, fmt::join(parts, ", "),
             outcome.interrupted ? " — interrupted" : "", human_duration(outcome.wall_s));
  if (!outcome.stopped_early.empty())
    fmt::print(options_.out, "  stopped   early, before the planned runs: {}\n",
               outcome.stopped_early);
}

void ConsoleReporter::print_target(const SweepOutcome& outcome, const TargetResult& r,
                                   bool details) {
  const Verdict verdict = decide_verdict(r.failures(), r.counted());
  const auto verdict_style = [&]() -> fmt::text_style {
    if (!options_.color) return {};
    switch (verdict) {
      case Verdict::stable_pass:
        return fmt::fg(fmt::terminal_color::green) | fmt::emphasis::bold;
      case Verdict::skipped:
        return fmt::fg(fmt::terminal_color::yellow) | fmt::emphasis::bold;
      default:
        return fmt::fg(fmt::terminal_color::red) | fmt::emphasis::bold;
    }
  }();
  if (r.runs() == 0) {
    fmt::print(options_.out, "{}: no run finished{}\n", r.name(),
               outcome.interrupted ? " — interrupted" : "");
    if (!outcome.stopped_early.empty())
      fmt::print(options_.out, "  stopped   {}\n", outcome.stopped_early);
    return;
  }
  std::string rate;
  if (r.counted() == 0) {
    rate = "no run counted";
  } else if (r.failures() == 0) {
    rate = fmt::format("0/{} failed: rules out ≥ {} at 95%", r.counted(),
                       percent(ruled_out_rate(r.counted())));
  } else {
    const Interval ci = wilson_interval(r.failures(), r.counted());
    rate = fmt::format("{}/{} failed, {} [{}, {}] at 95%", r.failures(), r.counted(),
                       percent(r.failure_rate()), percent(ci.low), percent(ci.high));
  }
  fmt::print(options_.out, "{}: {} ({}){}\n", r.name(),
             fmt::styled(to_string(verdict), verdict_style), rate,
             outcome.interrupted && !many_targets_ ? " — interrupted" : "");
  if (options_.verbosity == Verbosity::quiet || !details) return;
  if (!outcome.stopped_early.empty() && !many_targets_)
    fmt::print(options_.out, "  stopped   early, before the planned runs: {}\n",
               outcome.stopped_early);

  std::vector<std::string> parts;
  for (Outcome o : {Outcome::pass, Outcome::fail, Outcome::crash, Outcome::timeout, Outcome::skip})
    if (r.count(o) > 0) parts.push_back(fmt::format("{} {}", r.count(o), to_string(o)));
  fmt::print(options_.out, "  outcomes  {}{}{}\n", fmt::join(parts, ", "),
             r.interrupted_runs()
                 ? fmt::format(" ({} interrupted, not counted)", r.interrupted_runs())
                 : "",
             many_targets_ ? std::string() : "  in " + human_duration(outcome.wall_s));
  if (r.leaky_runs() > 0)
    fmt::print(options_.out,
               "  leaky     {} run(s) left processes behind after exiting; deflake killed them\n",
               r.leaky_runs());
  const std::vector<RunRecord> failed = r.failed_runs();
  if (failed.empty()) return;
  std::vector<std::string> seeds;
  for (std::size_t i = 0; i < failed.size() && i < kSeedsShown; ++i)
    seeds.push_back(std::to_string(failed[i].seed));
  const std::uint64_t more = r.failures() - seeds.size();
  fmt::print(options_.out, "  seeds     {}{}\n", fmt::join(seeds, ", "),
             more ? fmt::format(" (+{} more; --json lists them all)", more) : "");
  const RunRecord& first = failed.front();
  if (!first.order.empty())
    fmt::print(options_.out, "  order     {}\n", fmt::join(first.order, " → "));
  if (!first.note.empty()) fmt::print(options_.out, "  note      {}\n", first.note);
  fmt::print(options_.out, "  output of run {} (seed {}, {}, {}):\n", first.index, first.seed,
             describe_end(first), human_duration(first.duration_s));
  const auto lines = last_lines(first.output, kTailLines);
  if (lines.empty()) fmt::print(options_.out, "    | (no output)\n");
  for (auto line : lines) fmt::print(options_.out, "    | {}\n", line);
  if (!first.replay.empty())
    fmt::print(options_.out, "  replay    {}\n", first.replay);
  else if (outcome.plan != nullptr)
    fmt::print(options_.out, "  replay    {}\n", replay_command(*outcome.plan, first.index));
  if (many_targets_ && !first.token.empty())
    fmt::print(options_.out, "  token     {}\n", first.token);
}

// The last line of a failing sweep: the token of its first failure, as the
// command that replays it anywhere, with no store at hand.
void ConsoleReporter::print_token_line(const SweepOutcome& outcome) {
  if (options_.verbosity == Verbosity::quiet || outcome.plan == nullptr) return;
  for (const TargetResult& r : *outcome.targets) {
    const std::vector<RunRecord> failed = r.failed_runs();
    if (failed.empty() || failed.front().token.empty()) continue;
    fmt::print(options_.out, "token: deflake repro {} -- {}\n", failed.front().token,
               shell_join(outcome.plan->argv));
    return;
  }
}

}  // namespace deflake
