#include "fake_launcher.hpp"

#include <errno.h>

#include <algorithm>

namespace deflake {

void FakeLauncher::start(const RunSpec& spec) {
  if (spawn_error_at && spec.job == *spawn_error_at) throw SpawnError(spec.argv.at(0), ENOENT);
  started.push_back(spec);
  running_.push_back(spec);
  interrupted_.push_back(false);
  max_running = std::max(max_running, running_.size());
}

LaunchEvents FakeLauncher::wait() {
  LaunchEvents events;
  if (!interrupt_after_starts.empty() && started.size() >= interrupt_after_starts.front()) {
    interrupt_after_starts.erase(interrupt_after_starts.begin());
    events.interrupts = 1;
    return events;
  }
  if (running_.empty()) return events;
  RunRecord record;
  record.job = running_.front().job;
  record.index = running_.front().index;
  record.seed = running_.front().seed;
  record.outcome = decide_(running_.front());
  record.status = is_failure(record.outcome) ? ExitStatus::exited(1) : ExitStatus::exited(0);
  record.interrupted = interrupted_.front();
  running_.pop_front();
  interrupted_.pop_front();
  events.finished.push_back(record);
  return events;
}

void FakeLauncher::stop_all(StopLevel level) {
  stops.push_back(level);
  std::fill(interrupted_.begin(), interrupted_.end(), true);
}

}  // namespace deflake
