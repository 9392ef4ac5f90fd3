#include "report/json_report.hpp"

#include <nlohmann/json.hpp>

#include "platform/atomic_file.hpp"
#include "platform/signals.hpp"
#include "report/replay.hpp"
#include "stats/stats.hpp"

namespace deflake {
namespace {

using nlohmann::json;

constexpr const char* kVersion = DEFLAKE_VERSION;

json failed_run_json(const RunRecord& run, const SweepPlan* plan, const std::string& target,
                     const StoreIdLookup& store_id) {
  json j;
  j["seed"] = run.seed;
  j["run"] = run.index;
  j["outcome"] = to_string(run.outcome);
  j["exit_code"] = run.status.exit_code ? json(*run.status.exit_code) : json(nullptr);
  j["signal"] = run.status.signal ? json(signal_name(*run.status.signal)) : json(nullptr);
  j["signal_number"] = run.status.signal ? json(*run.status.signal) : json(nullptr);
  j["core_dumped"] = run.status.core_dumped;
  j["stopped_by"] = run.stopped_by == StopStep::none         ? json(nullptr)
                    : run.stopped_by == StopStep::terminated ? json("SIGTERM")
                                                             : json("SIGKILL");
  j["leaky"] = run.leaky;
  j["duration_s"] = run.duration_s;
  j["order"] = run.order.empty() ? json(nullptr) : json(run.order);  // where order matters
  j["amplify"] = nullptr;  // amplification setting (a later issue)
  j["note"] = run.note.empty() ? json(nullptr) : json(run.note);
  j["replay"] = run.replay.empty() && plan != nullptr ? json(replay_command(*plan, run.index))
                                                      : json(run.replay);
  j["artifact"] = run.artifact.empty() ? json(nullptr) : json(run.artifact);  // libFuzzer
  j["output_tail"] = run.output;
  j["output_bytes"] = run.output_bytes;
  j["token"] = run.token.empty() ? json(nullptr) : json(run.token);
  const std::string id = store_id ? store_id(target, run.index) : std::string();
  j["store_id"] = id.empty() ? json(nullptr) : json(id);
  return j;
}

}  // namespace

json target_json(const TargetResult& r, const std::string& strategy, const SweepPlan* plan,
                 const StoreIdLookup& store_id) {
  json target;
  target["name"] = r.name();
  target["argv"] = r.argv();
  target["runs"] = r.runs();
  target["failures"] = r.failures();
  json outcomes = json::object();
  for (Outcome o : {Outcome::pass, Outcome::fail, Outcome::crash, Outcome::timeout, Outcome::skip})
    outcomes[std::string(to_string(o))] = r.count(o);
  target["outcomes"] = outcomes;
  const std::uint64_t counted = r.counted();
  target["failure_rate"] = counted ? json(r.failure_rate()) : json(nullptr);
  const Interval ci = wilson_interval(r.failures(), counted);
  target["failure_rate_ci95"] = counted ? json::array({ci.low, ci.high}) : json(nullptr);
  target["ruled_out_rate_95"] =
      counted && r.failures() == 0 ? json(ruled_out_rate(counted)) : json(nullptr);
  json seeds = json::array();
  json failed = json::array();
  for (const RunRecord& run : r.failed_runs()) {
    seeds.push_back(run.seed);
    failed.push_back(failed_run_json(run, plan, r.name(), store_id));
  }
  target["failing_seeds"] = seeds;
  target["failed_runs"] = failed;
  target["failed_runs_cap"] = TargetResult::kFailedRunsCap;
  target["failed_runs_capped"] = r.failed_runs_capped();
  target["leaky_runs"] = r.leaky_runs();
  target["interrupted_runs"] = r.interrupted_runs();
  target["strategy"] = strategy;
  // No run finished (interrupted at once): no verdict rather than a false "skipped".
  target["verdict"] =
      r.runs() == 0 ? json(nullptr) : json(to_string(decide_verdict(r.failures(), counted)));
  return target;
}

std::string render_json_report(const std::string& command, const SweepOutcome& outcome,
                               const StoreIdLookup& store_id) {
  json doc;
  doc["schema"] = "deflake.report/1";
  doc["tool"] = {{"name", "deflake"}, {"version", kVersion}};
  doc["command"] = command;
  if (outcome.plan != nullptr) {
    doc["master_seed"] = outcome.plan->master_seed;
    json pinned = json::array(), freed = json::array();
    for (const Knob* k : outcome.plan->pinned) pinned.push_back(k->name);
    for (const Knob* k : outcome.plan->freed) freed.push_back(k->name);
    doc["pinned"] = pinned;
    doc["free"] = freed;
  }
  doc["interrupted"] = outcome.interrupted;
  doc["stopped_early"] =
      outcome.stopped_early.empty() ? json(nullptr) : json(outcome.stopped_early);
  doc["wall_s"] = outcome.wall_s;
  doc["strategy"] = outcome.strategy;
  json targets = json::array();
  for (const TargetResult& r : *outcome.targets)
    targets.push_back(target_json(r, outcome.strategy, outcome.plan, store_id));
  doc["targets"] = targets;
  // Test output may hold invalid UTF-8: replace it rather than fail the report.
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

void JsonReporter::on_sweep_end(const SweepOutcome& outcome) {
  write_file_atomically(path_, render_json_report(command_, outcome, store_id_));
}

}  // namespace deflake
