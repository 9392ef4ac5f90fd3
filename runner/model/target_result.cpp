#include "model/target_result.hpp"

#include <algorithm>

namespace deflake {

TargetResult::TargetResult(std::string name, std::vector<std::string> argv)
    : name_(std::move(name)), argv_(std::move(argv)) {}

std::uint64_t TargetResult::failures() const {
  return count(Outcome::fail) + count(Outcome::crash) + count(Outcome::timeout);
}

void TargetResult::add(RunRecord record) {
  if (record.interrupted) {  // ended by the user's Ctrl-C: says nothing about the test
    ++interrupted_;
    return;
  }
  ++runs_;
  ++counts_[static_cast<std::size_t>(record.outcome)];
  if (record.leaky) ++leaky_;
  total_duration_s_ += record.duration_s;
  if (!is_failure(record.outcome) || failed_.size() >= kFailedRunsCap) return;
  if (!failed_.empty() && record.output.size() > kLaterOutputTail)
    record.output.erase(0, record.output.size() - kLaterOutputTail);
  failed_.push_back(std::move(record));
}

std::vector<RunRecord> TargetResult::failed_runs() const {
  std::vector<RunRecord> sorted = failed_;
  std::sort(sorted.begin(), sorted.end(),
            [](const RunRecord& a, const RunRecord& b) { return a.index < b.index; });
  return sorted;
}

}  // namespace deflake
