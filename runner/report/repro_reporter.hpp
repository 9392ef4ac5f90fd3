// What `deflake repro` prints: each replay as it ends, then whether the
// failure reproduced every time (the seed decides it), sometimes
// (nondeterminism beyond the seed), or never, and the plain shell command
// that replays it without deflake.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "report/console_reporter.hpp"
#include "report/listener.hpp"

namespace deflake {

/// How K replays of one failure went.
struct ReproVerdict {
  std::uint64_t replays = 0;
  std::uint64_t failed = 0;
};

/// "reproduced 5/5: ...", "reproduced 2/5: ...", "did not reproduce in 5 runs".
std::string describe_repro(const ReproVerdict& verdict);

class ReproReporter final : public SweepListener {
 public:
  /// `target`: the test case judged ("" judges every target); `what`: what
  /// is replayed, for the header; `shell`: the plain command.
  ReproReporter(ConsoleOptions options, std::string target, std::string what, std::string shell)
      : options_(options),
        target_(std::move(target)),
        what_(std::move(what)),
        shell_(std::move(shell)) {}

  void on_sweep_start(const SweepStart& start) override;
  void on_run_end(const RunRecord& record, const TargetResult& so_far) override;
  void on_sweep_end(const SweepOutcome& outcome) override;

  /// The verdict once the sweep ended.
  const ReproVerdict& verdict() const { return verdict_; }

  /// Per test case, when a seed given by hand replays every test of a binary.
  const std::map<std::string, ReproVerdict>& per_target() const { return per_target_; }

 private:
  bool judged(const TargetResult& target) const {
    return target_.empty() || target.name() == target_;
  }

  ConsoleOptions options_;
  std::string target_, what_, shell_;
  ReproVerdict verdict_;
  std::map<std::string, ReproVerdict> per_target_;
  std::uint64_t planned_ = 0;
};

}  // namespace deflake
