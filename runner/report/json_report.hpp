// The JSON report, schema deflake.report/1 (DESIGN.md). nlohmann-json is
// heavy to compile: only the report writers include all of it.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "report/listener.hpp"

namespace deflake {

/// Where a failing run was kept in the store ("" when it was not).
using StoreIdLookup = std::function<std::string(const std::string& target, std::uint64_t run)>;

/// One entry of `targets`: a target's runs, outcomes, failing seeds and
/// failed runs. `plan` (may be null) gives failing runs their replay line
/// when a run does not carry one.
nlohmann::json target_json(const TargetResult& result, const std::string& strategy,
                           const SweepPlan* plan, const StoreIdLookup& store_id = nullptr);

/// The report document for one finished sweep.
std::string render_json_report(const std::string& command, const SweepOutcome& outcome,
                               const StoreIdLookup& store_id = nullptr);

/// Writes the report when the sweep ends (also after Ctrl-C), atomically.
class JsonReporter final : public SweepListener {
 public:
  JsonReporter(std::string path, std::string command, StoreIdLookup store_id = nullptr)
      : path_(std::move(path)), command_(std::move(command)), store_id_(std::move(store_id)) {}
  void on_sweep_end(const SweepOutcome& outcome) override;

 private:
  std::string path_;
  std::string command_;
  StoreIdLookup store_id_;
};

}  // namespace deflake
