#include "report/json_report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace deflake {
namespace {

TEST(JsonReport, FollowsTheSchema) {
  SweepPlan plan;
  plan.target_name = "./t --x";
  plan.argv = {"./t", "--x"};
  plan.master_seed = 99;
  plan.pinned = {find_knob("threads")};
  std::vector<TargetResult> targets{TargetResult(plan.target_name, plan.argv)};
  TargetResult& target = targets.front();
  RunRecord pass;
  pass.index = 0;
  pass.seed = 1000000000000017;
  target.add(pass);
  RunRecord crash;
  crash.index = 1;
  crash.seed = 4503599627370912;
  crash.outcome = Outcome::crash;
  crash.status = ExitStatus::killed(11, true);
  crash.output = "bad \xff byte\n";  // invalid UTF-8 must not break the report
  target.add(crash);

  const auto doc = nlohmann::json::parse(
      render_json_report("run", SweepOutcome{&plan, &targets, "isolated", false, 1.5, {}}));
  EXPECT_EQ(doc["schema"], "deflake.report/1");
  EXPECT_EQ(doc["tool"]["name"], "deflake");
  EXPECT_EQ(doc["command"], "run");
  EXPECT_EQ(doc["master_seed"], 99);
  EXPECT_EQ(doc["pinned"], nlohmann::json::array({"threads"}));
  ASSERT_EQ(doc["targets"].size(), 1u);
  const auto& t = doc["targets"][0];
  EXPECT_EQ(t["name"], "./t --x");
  EXPECT_EQ(t["argv"], nlohmann::json::array({"./t", "--x"}));
  EXPECT_EQ(t["runs"], 2);
  EXPECT_EQ(t["failures"], 1);
  EXPECT_EQ(t["outcomes"]["pass"], 1);
  EXPECT_EQ(t["outcomes"]["crash"], 1);
  EXPECT_EQ(t["outcomes"]["timeout"], 0);
  EXPECT_DOUBLE_EQ(t["failure_rate"].get<double>(), 0.5);
  EXPECT_EQ(t["failure_rate_ci95"].size(), 2u);
  EXPECT_EQ(t["failing_seeds"], nlohmann::json::array({4503599627370912ULL}));
  // Seeds stay exact as JSON numbers (below 2^53).
  EXPECT_EQ(t["failing_seeds"][0].get<std::uint64_t>(), 4503599627370912ULL);
  const auto& run = t["failed_runs"][0];
  EXPECT_EQ(run["outcome"], "crash");
  EXPECT_EQ(run["signal"], "SIGSEGV");
  EXPECT_EQ(run["exit_code"], nullptr);
  EXPECT_EQ(run["core_dumped"], true);
  EXPECT_TRUE(run.contains("output_tail"));
  EXPECT_TRUE(run.contains("token"));
  EXPECT_TRUE(run.contains("store_id"));
  EXPECT_EQ(t["leaky_runs"], 0);
  EXPECT_EQ(t["verdict"], "flaky");
  EXPECT_EQ(t["strategy"], "isolated");
}

TEST(JsonReport, StablePassStatesTheRuledOutRate) {
  SweepPlan plan;
  plan.argv = {"./t"};
  std::vector<TargetResult> targets{TargetResult("t", plan.argv)};
  TargetResult& target = targets.front();
  for (std::uint64_t i = 0; i < 500; ++i) {
    RunRecord r;
    r.index = i;
    target.add(r);
  }
  const auto doc =
      nlohmann::json::parse(render_json_report("run", SweepOutcome{&plan, &targets, "isolated", false, 1, {}}));
  const auto& t = doc["targets"][0];
  EXPECT_EQ(t["verdict"], "stable-pass");
  EXPECT_NEAR(t["ruled_out_rate_95"].get<double>(), 0.005974, 1e-6);
}

}  // namespace
}  // namespace deflake
