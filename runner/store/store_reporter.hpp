// Keeps every failing run of a sweep in the store as it ends (DESIGN.md "The
// store"), so a crash of deflake itself loses nothing already found, and
// gives each run the store ID the reports print.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "report/listener.hpp"
#include "store/store.hpp"

namespace deflake {

class StoreReporter final : public SweepListener {
 public:
  /// `command`: "run", "bisect", ... `per_target_cap`: failures kept per
  /// target in this invocation (0: all; bisect fails on purpose, often).
  StoreReporter(std::string root, std::string command, std::size_t per_target_cap = 0);

  void on_sweep_start(const SweepStart& start) override;
  void on_run_end(const RunRecord& record, const TargetResult& so_far) override;
  void on_sweep_end(const SweepOutcome& outcome) override;

  /// Failures written.
  std::size_t written() const { return written_; }
  const std::string& root() const { return store_.root(); }
  /// The ID a failing run of `target` was kept under ("" when it was not).
  std::string id_of(const std::string& target, std::uint64_t run) const;
  /// The same by seed, for callers that run many sweeps (bisect): the first
  /// failing run of `target` with `seed` that was kept, in any sweep.
  std::string id_of_seed(const std::string& target, std::uint64_t seed) const;

 private:
  Store store_;
  std::string command_;
  std::size_t cap_;
  const SweepPlan* plan_ = nullptr;
  std::map<std::string, std::size_t> kept_;  // per target in this invocation
  std::set<std::string> whole_output_kept_;  // targets whose first failure is kept whole
  std::map<std::pair<std::string, std::uint64_t>, std::string> ids_;  // (target, run) → ID
  std::map<std::pair<std::string, std::uint64_t>, std::string> ids_by_seed_;  // (target, seed)
  std::size_t written_ = 0;
  std::string error_;
  std::string cwd_;
};

}  // namespace deflake
