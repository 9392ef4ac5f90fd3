#include "report/console_reporter.hpp"

#include <fmt/color.h>
#include <fmt/format.h>

#include <algorithm>
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

void ConsoleReporter::on_sweep_start(const SweepPlan& plan) {
  guarded([&] { do_sweep_start(plan); });
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

void ConsoleReporter::do_sweep_start(const SweepPlan& plan) {
  plan_ = &plan;
  started_ = Clock::now();
  if (options_.verbosity == Verbosity::quiet) return;
  const std::string runs =
      plan.runs ? fmt::format("{} runs", *plan.runs) : std::string("runs until one fails");
  fmt::print(options_.err, "deflake: {} of {}, {} at a time, master seed {}{}\n", runs,
             shell_join(plan.argv), plan.effective_jobs(), plan.master_seed,
             plan.master_seed_given
                 ? ""
                 : fmt::format(" (drawn; --seed {} repeats this sweep)", plan.master_seed));
  std::fflush(options_.err);
}

void ConsoleReporter::do_run_end(const RunRecord& record, const TargetResult& so_far) {
  if (options_.verbosity == Verbosity::quiet) return;
  const bool failed = !record.interrupted && is_failure(record.outcome);
  const bool print =
      options_.verbosity == Verbosity::verbose || (failed && failures_printed_ < kFailuresPrinted);
  if (print) {
    clear_progress();
    const auto style =
        failed && options_.color ? fmt::fg(fmt::terminal_color::red) : fmt::text_style();
    fmt::print(options_.err, "  {} seed {}  {}{}  ({})\n",
               fmt::styled(fmt::format("{:<7}", to_string(record.outcome)), style), record.seed,
               describe_end(record), record.leaky ? ", leaked processes killed" : "",
               human_duration(record.duration_s));
    if (failed && ++failures_printed_ == kFailuresPrinted &&
        options_.verbosity != Verbosity::verbose)
      fmt::print(options_.err,
                 "  (further failing runs are counted, not printed; -v prints every run)\n");
  }
  draw_progress(so_far, false);
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

void ConsoleReporter::draw_progress(const TargetResult& so_far, bool force) {
  if (!options_.progress || options_.verbosity == Verbosity::quiet) return;
  const TimePoint now = Clock::now();
  if (!force && progress_shown_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double elapsed = to_seconds(now - started_);
  const std::uint64_t done = so_far.runs() + so_far.interrupted_runs();
  std::string line;
  if (plan_ != nullptr && plan_->runs) {
    const double eta =
        done > 0 ? elapsed / static_cast<double>(done) * static_cast<double>(*plan_->runs - done)
                 : 0;
    line = fmt::format("[{}/{}] {} failed ({}) · {:.1f} runs/s · ETA {}", done, *plan_->runs,
                       so_far.failures(), percent(so_far.failure_rate()),
                       elapsed > 0 ? double(done) / elapsed : 0.0, human_duration(eta));
  } else {
    line = fmt::format("[{}] {} failed · {:.1f} runs/s · {}", done, so_far.failures(),
                       elapsed > 0 ? double(done) / elapsed : 0.0, human_duration(elapsed));
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
  std::fflush(options_.out);
}

void ConsoleReporter::print_summary(const SweepOutcome& outcome) {
  const TargetResult& r = *outcome.result;
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
             outcome.interrupted ? " — interrupted" : "");
  if (options_.verbosity == Verbosity::quiet) return;
  if (!outcome.stopped_early.empty())
    fmt::print(options_.out, "  stopped   early, before the planned runs: {}\n",
               outcome.stopped_early);

  std::vector<std::string> parts;
  for (Outcome o : {Outcome::pass, Outcome::fail, Outcome::crash, Outcome::timeout, Outcome::skip})
    if (r.count(o) > 0) parts.push_back(fmt::format("{} {}", r.count(o), to_string(o)));
  fmt::print(options_.out, "  outcomes  {}{}  in {}\n", fmt::join(parts, ", "),
             r.interrupted_runs()
                 ? fmt::format(" ({} interrupted, not counted)", r.interrupted_runs())
                 : "",
             human_duration(outcome.wall_s));
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
  fmt::print(options_.out, "  output of run {} (seed {}, {}, {}):\n", first.index, first.seed,
             describe_end(first), human_duration(first.duration_s));
  const auto lines = last_lines(first.output, kTailLines);
  if (lines.empty()) fmt::print(options_.out, "    | (no output)\n");
  for (auto line : lines) fmt::print(options_.out, "    | {}\n", line);
  if (outcome.plan != nullptr)
    fmt::print(options_.out, "  replay    {}\n", replay_command(*outcome.plan, first.index));
}

}  // namespace deflake
