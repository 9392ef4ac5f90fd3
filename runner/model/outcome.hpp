// Plain value types for the result of one run: how the main process ended
// (ExitStatus), which step of the timeout state machine ended it, and the
// outcome that deflake counts.
#pragma once

#include <optional>
#include <string_view>

namespace deflake {

/// The outcome of one run, as DESIGN.md defines it.
enum class Outcome { pass, fail, crash, timeout, skip };

std::string_view to_string(Outcome outcome);

/// A run failed when its outcome is fail, crash or timeout; skips leave the
/// failure rate's denominator.
constexpr bool is_failure(Outcome outcome) {
  return outcome == Outcome::fail || outcome == Outcome::crash || outcome == Outcome::timeout;
}

/// How the main process of a run ended, decoded from the wait status: a
/// process killed by signal 11 is {signal 11}, never exit code 139.
struct ExitStatus {
  std::optional<int> exit_code;  // set when the process exited
  std::optional<int> signal;     // set when a signal killed it
  bool core_dumped = false;

  static ExitStatus exited(int code) { return {code, std::nullopt, false}; }
  static ExitStatus killed(int sig, bool core) { return {std::nullopt, sig, core}; }
  friend bool operator==(const ExitStatus&, const ExitStatus&) = default;
};

/// The last step of the timeout state machine that a run reached before its
/// main process ended: running → SIGTERM sent → SIGKILL sent.
enum class StopStep { none, terminated, killed };

/// Decides the outcome. Precedence (DESIGN.md): deflake had to signal the run
/// (timeout) > a signal killed it (crash) > exit code (skip_exit_code: skip,
/// 0: pass, else fail). `signalled` is true when deflake sent SIGTERM or
/// SIGKILL because of the timeout: such a run never counts as a pass, even if
/// it caught SIGTERM and exited 0.
Outcome classify(const ExitStatus& status, bool signalled, std::optional<int> skip_exit_code);

}  // namespace deflake
