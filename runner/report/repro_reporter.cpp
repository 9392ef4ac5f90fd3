#include "report/repro_reporter.hpp"

#include <fmt/format.h>

#include "base/text.hpp"
#include "platform/signals.hpp"

namespace deflake {

std::string describe_repro(const ReproVerdict& v) {
  if (v.replays == 0) return "no replay finished";
  if (v.failed == v.replays)
    return fmt::format("reproduced {}/{}: the failure replays every time", v.failed, v.replays);
  if (v.failed > 0)
    return fmt::format("reproduced {}/{}: nondeterminism beyond the seed; try `deflake bisect`",
                       v.failed, v.replays);
  return fmt::format("did not reproduce in {} run{}", v.replays, v.replays == 1 ? "" : "s");
}

void ReproReporter::on_sweep_start(const SweepStart& start) {
  planned_ = start.planned_runs.value_or(0);
  if (options_.verbosity == Verbosity::quiet) return;
  fmt::print(options_.err, "deflake repro: {}, {} time{}\n", what_, start.plan->runs.value_or(0),
             start.plan->runs.value_or(0) == 1 ? "" : "s");
  std::fflush(options_.err);
}

void ReproReporter::on_run_end(const RunRecord& record, const TargetResult& so_far) {
  if (record.interrupted || !judged(so_far)) return;
  ++verdict_.replays;
  ReproVerdict& mine = per_target_[so_far.name()];
  ++mine.replays;
  mine.failed += is_failure(record.outcome);
  const bool failed = is_failure(record.outcome);
  verdict_.failed += failed;
  if (options_.verbosity == Verbosity::quiet) return;
  std::string how;
  if (record.outcome == Outcome::timeout)
    how = "timed out";
  else if (record.status.signal)
    how = "killed by " + signal_name(*record.status.signal);
  else
    how = fmt::format("exit {}", record.status.exit_code.value_or(-1));
  fmt::print(options_.err, "  replay {}: {:<7} {}  ({}){}\n", verdict_.replays,
             to_string(record.outcome), how, human_duration(record.duration_s),
             record.note.empty() ? "" : "  " + record.note);
  if (options_.verbosity == Verbosity::verbose || (failed && verdict_.failed == 1)) {
    std::string_view tail = record.output;
    if (tail.size() > 2000) tail = tail.substr(tail.size() - 2000);
    for (std::size_t start = 0; start < tail.size();) {
      const std::size_t nl = std::min(tail.find('\n', start), tail.size());
      fmt::print(options_.err, "    | {}\n", tail.substr(start, nl - start));
      start = nl + 1;
    }
  }
  std::fflush(options_.err);
}

void ReproReporter::on_sweep_end(const SweepOutcome& outcome) {
  try {
    // Several test cases replayed with one seed: a verdict each, since
    // their failures do not add up to one failure's reproducibility.
    bool any = false;
    if (per_target_.size() > 1)
      for (const auto& [name, v] : per_target_)
        if (v.failed > 0) {
          fmt::print(options_.out, "{}: {}\n", name, describe_repro(v));
          any = true;
        }
    if (!any)
      fmt::print(options_.out, "{}{}\n", describe_repro(verdict_),
                 outcome.interrupted ? " — interrupted" : "");
    if (options_.verbosity != Verbosity::quiet)
      fmt::print(options_.out, "replay without deflake: {}\n", shell_);
    std::fflush(options_.out);
  } catch (const std::exception&) {
    // stdout went away; the exit code still tells
  }
}

}  // namespace deflake
