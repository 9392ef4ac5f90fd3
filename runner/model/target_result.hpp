// The tally of one target's runs as they come in: counts per outcome and the
// failing runs (every one up to a cap, which reports state).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "model/run.hpp"

namespace deflake {

/// A target as reports name it, with the command that runs it alone.
struct TargetInfo {
  std::string name;
  std::vector<std::string> argv;
};

class TargetResult {
 public:
  /// Failing runs kept in full; past it only their count grows.
  static constexpr std::size_t kFailedRunsCap = 1000;
  /// The first failing run keeps its whole captured output; the others keep
  /// this much of its end, which bounds memory on a sweep that fails often.
  static constexpr std::size_t kLaterOutputTail = 4096;

  TargetResult(std::string name, std::vector<std::string> argv);

  void add(RunRecord record);

  const std::string& name() const { return name_; }
  const std::vector<std::string>& argv() const { return argv_; }
  std::uint64_t count(Outcome outcome) const { return counts_[static_cast<std::size_t>(outcome)]; }
  /// Runs that count: every finished run that was not interrupted.
  std::uint64_t runs() const { return runs_; }
  std::uint64_t failures() const;
  /// Runs that count towards the failure rate (skips excluded).
  std::uint64_t counted() const { return runs_ - count(Outcome::skip); }
  /// failures / counted; 0 when nothing counted (callers check counted()).
  double failure_rate() const {
    return counted() ? static_cast<double>(failures()) / static_cast<double>(counted()) : 0.0;
  }
  std::uint64_t leaky_runs() const { return leaky_; }
  std::uint64_t interrupted_runs() const { return interrupted_; }
  double total_duration_s() const { return total_duration_s_; }

  /// Failing runs in run order (by index), at most kFailedRunsCap.
  std::vector<RunRecord> failed_runs() const;
  bool failed_runs_capped() const { return failures() > failed_.size(); }

 private:
  std::string name_;
  std::vector<std::string> argv_;
  std::array<std::uint64_t, 5> counts_{};
  std::uint64_t runs_ = 0;
  std::uint64_t leaky_ = 0;
  std::uint64_t interrupted_ = 0;
  double total_duration_s_ = 0;
  std::vector<RunRecord> failed_;
};

}  // namespace deflake
