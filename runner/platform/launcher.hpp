// The seam between scheduling and processes. The sweep drives a Launcher;
// the real one (ProcessPool) forks, and tests use a fake that answers from a
// table, so scheduling logic is tested without starting a process (ninja's
// CommandRunner / FakeCommandRunner).
#pragma once

#include <cstddef>
#include <vector>

#include "model/run.hpp"

namespace deflake {

enum class StopLevel {
  terminate,  // SIGTERM to every running group, SIGKILL after the grace period
  kill,       // SIGKILL now
};

/// What happened while the sweep waited.
struct LaunchEvents {
  std::vector<RunRecord> finished;
  int interrupts = 0;  // Ctrl-C (SIGINT, SIGTERM, SIGHUP) received meanwhile
};

class Launcher {
 public:
  virtual ~Launcher() = default;

  /// Starts one run and returns at once. Throws SpawnError when the command
  /// cannot be started at all.
  virtual void start(const RunSpec& spec) = 0;

  /// Runs started and not yet returned by wait().
  virtual std::size_t running() const = 0;

  /// Blocks until a run finishes or an interrupt arrives; returns at once
  /// when nothing runs.
  virtual LaunchEvents wait() = 0;

  /// Stops every running run on the user's behalf; such runs come back from
  /// wait() with `interrupted` set.
  virtual void stop_all(StopLevel level) = 0;
};

}  // namespace deflake
