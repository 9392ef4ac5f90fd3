#include "bisect/bisect_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/text.hpp"
#include "bisect/names.hpp"
#include "report/json_report.hpp"
#include "stats/stats.hpp"

namespace deflake {
namespace {

const EvidenceRow* row(const Diagnosis& d, const Names& pinned) {
  for (const auto& r : d.evidence)
    if (r.pinned == pinned) return &r;
  return nullptr;
}

std::string rate_line(const Diagnosis& d) {
  const Interval ci = wilson_interval(d.baseline_failures, d.baseline_runs);
  if (d.baseline_runs == 0) return "every run skipped itself (exit 77)";
  if (d.baseline_failures == 0)
    return fmt::format("0/{} failed: rules out ≥ {} at 95%", d.baseline_runs,
                       percent(ruled_out_rate(d.baseline_runs)));
  return fmt::format("{}/{} failed, {} [{}, {}]", d.baseline_failures, d.baseline_runs,
                     percent(double(d.baseline_failures) / double(d.baseline_runs)),
                     percent(ci.low), percent(ci.high));
}

}  // namespace

std::string fix_direction(const std::string& knob) {
  if (knob == "atomics")
    return "float atomics change the summation order; use a deterministic reduction, or "
           "tolerate rounding";
  if (knob == "threads")
    return "the thread count changes the reduction order; fix the thread count or make the "
           "result independent of it";
  if (knob == "aslr")
    return "the outcome depends on memory addresses (pointer hashing or ordering); key and "
           "order by value";
  if (knob == "hashseed")
    return "hash set and dict iteration order changes with the hash seed; sort before comparing";
  if (knob == "tf32")
    return "TF32 rounds matmul inputs to 10 mantissa bits; loosen the tolerance for such "
           "inputs or disable TF32 for this check";
  if (knob == "algo")
    return "the autotuner picks a different algorithm from run to run; fix the algorithm or "
           "tolerate the differences between them";
  if (knob == "cublas")
    return "cuBLAS reduction order follows its workspace; set CUBLAS_WORKSPACE_CONFIG=:4096:8";
  if (knob == "launch")
    return "asynchronous kernel launches race with the host; synchronise before reading results";
  if (knob == "concurrency")
    return "copies of the test clash over something shared (a port, a file, the GPU); use "
           "unique names, or RESOURCE_LOCK / RUN_SERIAL";
  if (knob == "order")
    return "tests leak state into each other: reset what the polluters change (globals, "
           "singletons, files, environment) in SetUp/TearDown";
  if (knob == "seed")
    return "some inputs break the test: replay a failing seed and fix what it finds";
  return "";
}

std::string render_diagnosis(const TargetDiagnosis& t, double confidence, std::uint64_t max_runs) {
  const Diagnosis& d = t.diagnosis;
  std::string out = fmt::format("{}: {} ({})\n", t.name, to_string(d.verdict), rate_line(d));
  const std::string conf = percent(confidence);
  auto pinning = [&](const Names& pinned, const std::string& label) {
    if (const EvidenceRow* r = row(d, pinned))
      out += fmt::format("  pinning {}: {}/{} failed{}\n", label, r->failures, r->runs,
                         r->failures == 0
                             ? fmt::format(" (rules out ≥ {} at {})",
                                           percent(ruled_out_rate(r->runs, confidence)), conf)
                             : std::string());
  };
  auto freeing = [&](const Names& freed) {
    if (const EvidenceRow* r = row(d, minus(t.candidates, freed)))
      out += fmt::format("  freeing only {}: {}/{} failed\n", list(freed), r->failures, r->runs);
  };
  if (d.cause == "none") {
    out += d.verdict == Verdict::stable_fail
               ? "cause: none — it fails every time: broken, not flaky\n"
               : "cause: none\n";
  } else if (d.cause == "knobs") {
    out += fmt::format("cause: knobs — {}{}\n", list(d.culprits),
                       d.culprits.size() < 2 ? ""
                       : d.requires_ == "all"
                           ? " (failures need all of them free: pinning any one is enough)"
                           : " (each alone causes failures: pin all of them)");
    if (d.requires_ == "all") {
      for (const auto& knob : d.culprits) pinning({knob}, knob);
      freeing(d.culprits);
    } else {
      pinning(d.culprits, list(d.culprits));
      for (const auto& knob : d.culprits) freeing({knob});
    }
  } else if (d.cause == "order") {
    out += fmt::format("cause: order — it fails after {} ran before it in the same process\n",
                       list(d.polluters));
    for (const auto& r : d.evidence)
      out += fmt::format("  running {}: {}/{} failed ({})\n", list(r.tests), r.failures, r.runs,
                         r.tests.size() == 1 ? "alone"
                         : r.free.empty()    ? "in the order they are declared"
                                             : "shuffled, the others first");
  } else if (d.cause == "seed") {
    out += "cause: seed — the outcome is a function of the seed\n";
    pinning(t.candidates, "every knob");
  } else if (d.cause == "unknown") {
    out += "cause: unknown — with every knob pinned and the seed fixed, the outcome still varies\n";
    pinning(t.candidates, "every knob");
  } else if (d.cause == "undecided") {
    if (d.runs_needed == 0)
      out += fmt::format("cause: undecided — {}\n", d.undecided_claim);
    else
      out += fmt::format(
          "cause: undecided — the budget (--max-runs {}) ran out before this claim was settled "
          "at {}: {} (about {} more runs)\n",
          max_runs, conf, d.undecided_claim, d.runs_needed);
  }
  for (const auto& note : d.notes) out += "  " + note + "\n";
  for (const auto& skipped : t.skipped) out += "  skipped knob " + skipped + "\n";
  if (!t.repro_shell.empty() && d.cause != "none")
    out += fmt::format("reproduce: {}   ({})\n", t.repro_shell,
                       d.cause == "seed" ? std::string("fails every time: the seed decides")
                                         : "fails ~" + percent(d.repro_rate) + " of runs");
  std::vector<std::string> directions;
  for (const auto& knob : d.culprits)
    if (const std::string dir = fix_direction(knob); !dir.empty()) directions.push_back(dir);
  if (d.cause == "unknown") directions.push_back("record it with `rr record --chaos` and replay");
  for (const auto& dir : directions) out += "fix direction: " + dir + "\n";
  out += fmt::format("runs: {} in {}\n", d.total_runs, human_duration(t.wall_s));
  return out;
}

std::string render_bisect_json(const std::vector<TargetDiagnosis>& targets,
                               std::uint64_t master_seed, double confidence, double wall_s,
                               bool interrupted, const StoreIdBySeed& store_id) {
  using nlohmann::json;
  json doc;
  doc["schema"] = "deflake.report/1";
  doc["tool"] = {{"name", "deflake"}, {"version", DEFLAKE_VERSION}};
  doc["command"] = "bisect";
  doc["master_seed"] = master_seed;
  doc["confidence"] = confidence;
  doc["interrupted"] = interrupted;
  doc["wall_s"] = wall_s;
  json jt = json::array(), jd = json::array();
  for (const auto& t : targets) {
    const Diagnosis& d = t.diagnosis;
    json target;
    if (t.runs) {
      // Failing runs carry their index among the target's runs; the store
      // knows them by seed.
      StoreIdLookup by_index = nullptr;
      if (store_id)
        by_index = [&](const std::string&, std::uint64_t index) {
          for (const RunRecord& run : t.runs->failed_runs())
            if (run.index == index) return store_id(t.name, run.seed);
          return std::string();
        };
      target = target_json(*t.runs, t.strategy, nullptr, by_index);
    } else {
      const Interval ci = wilson_interval(d.baseline_failures, d.baseline_runs);
      target = {{"runs", d.baseline_runs},
                {"failures", d.baseline_failures},
                {"failure_rate", d.baseline_runs
                                     ? json(double(d.baseline_failures) / double(d.baseline_runs))
                                     : json(nullptr)},
                {"failure_rate_ci95", json::array({ci.low, ci.high})},
                {"strategy", t.strategy}};
    }
    target["name"] = t.name;
    target["argv"] = t.argv;
    target["verdict"] = to_string(d.verdict);
    jt.push_back(target);
    json evidence = json::array();
    for (const auto& r : d.evidence) {
      json row = {{"pinned", r.pinned}, {"free", r.free},         {"amplify", nullptr},
                  {"runs", r.runs},     {"failures", r.failures}, {"claim", r.claim}};
      if (!r.tests.empty()) row["tests"] = r.tests;  // an order search's row
      evidence.push_back(row);
    }
    json repro = nullptr;
    if (d.repro_seed) {
      json env = json::object();
      for (const auto& [k, v] : t.repro_env.set) env[k] = v;
      repro = {{"seed", *d.repro_seed},       {"pinned", d.repro_pinned},
               {"argv", t.repro_argv},        {"env", env},
               {"unset", t.repro_env.unset},  {"shell", t.repro_shell},
               {"failure_rate", d.repro_rate}};
    }
    jd.push_back({{"target", t.name},
                  {"verdict", to_string(d.verdict)},
                  {"cause", d.cause},
                  {"culprits", d.culprits},
                  {"requires", d.requires_.empty() ? json(nullptr) : json(d.requires_)},
                  {"seed_dependent", d.seed_dependent ? json(*d.seed_dependent) : json(nullptr)},
                  {"polluters", d.polluters},
                  {"co_runners", json::array()},
                  {"repro", repro},
                  {"evidence", evidence},
                  {"skipped_knobs", t.skipped},
                  {"undecided",
                   d.cause == "undecided"
                       ? json{{"claim", d.undecided_claim},
                              {"runs_needed", d.runs_needed ? json(d.runs_needed) : json(nullptr)}}
                       : json(nullptr)},
                  {"notes", d.notes},
                  {"total_runs", d.total_runs}});
  }
  doc["targets"] = jt;
  doc["diagnoses"] = jd;
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace deflake
