// A Launcher that starts nothing: each run's outcome comes from a function of
// its spec, runs finish in start order, and interrupts arrive on cue. Lets the
// sweep's scheduling be tested exhaustively and fast.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "platform/launcher.hpp"
#include "platform/spawn.hpp"

namespace deflake {

class FakeLauncher final : public Launcher {
 public:
  using Decide = std::function<Outcome(const RunSpec&)>;
  explicit FakeLauncher(Decide decide) : decide_(std::move(decide)) {}

  void start(const RunSpec& spec) override;
  std::size_t running() const override { return running_.size(); }
  LaunchEvents wait() override;
  void stop_all(StopLevel level) override;

  // What the sweep did.
  std::vector<RunSpec> started;
  std::size_t max_running = 0;
  std::vector<StopLevel> stops;

  // Cues: deliver one interrupt on each wait() after this many runs started.
  std::vector<std::size_t> interrupt_after_starts;
  // Fail to start the run with this index (as a missing command would).
  std::optional<std::uint64_t> spawn_error_at;

 private:
  Decide decide_;
  std::deque<RunSpec> running_;
  std::deque<bool> interrupted_;
};

}  // namespace deflake
