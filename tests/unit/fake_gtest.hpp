// A Launcher that plays a GoogleTest binary without starting a process: it
// reads the flags and environment deflake gives the run (filter, repeat,
// shuffle, report paths, seeds), decides each test's behaviour from a model,
// and writes the JSON report and the adapter's results file just as a real
// binary would, including what a crash or an exit() mid-test leaves behind.
// The strategies of GtestSource are tested against it, fast and exhaustively.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "platform/launcher.hpp"

namespace deflake {

/// What one test does in one run.
enum class FakeBehaviour {
  pass,
  fail,
  skip,
  crash,
  exit_mid_test,
  crash_at_exit,
  torn_report  // passes, then the report is cut short (a crash while writing it), exit 0
};

class FakeGtestBinary final : public Launcher {
 public:
  /// `model(name, test_seed, tests_run_before_in_this_process)`.
  using Model = std::function<FakeBehaviour(const std::string&, std::uint64_t,
                                            const std::vector<std::string>&)>;
  FakeGtestBinary(std::vector<std::string> tests, bool adapter, Model model)
      : tests_(std::move(tests)), adapter_(adapter), model_(std::move(model)) {}

  void start(const RunSpec& spec) override;
  std::size_t running() const override { return done_.size(); }
  LaunchEvents wait() override;
  void stop_all(StopLevel) override {}

  // Every process leaves a grandchild behind (RunRecord::leaky).
  bool leak = false;

  // What deflake asked for.
  std::vector<RunSpec> started;
  std::size_t max_running = 0;

 private:
  RunRecord play(const RunSpec& spec);

  std::vector<std::string> tests_;
  bool adapter_;
  Model model_;
  std::deque<RunRecord> done_;
};

/// GoogleTest's filter matching, as far as deflake uses it: "A:B", "*",
/// "POSITIVE-NEGATIVE", with * and ? wildcards.
bool fake_filter_matches(const std::string& filter, const std::string& name);

}  // namespace deflake
