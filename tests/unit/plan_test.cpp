#include "schedule/plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "deflake/seed_derivation.hpp"

namespace deflake {
namespace {

std::string env_value(const RunSpec& spec, const std::string& name) {
  for (const auto& [key, value] : spec.env.set)
    if (key == name) return value;
  return "<unset>";
}

bool unsets(const RunSpec& spec, const std::string& name) {
  return std::find(spec.env.unset.begin(), spec.env.unset.end(), name) != spec.env.unset.end();
}

TEST(Plan, ExpandSeedReplacesEveryOccurrence) {
  EXPECT_EQ(expand_seed({"./t", "--seed={seed}", "{seed}-{seed}", "{see}"}, 17),
            (std::vector<std::string>{"./t", "--seed=17", "17-17", "{see}"}));
}

TEST(Plan, ParseSeed) {
  EXPECT_EQ(parse_seed("0"), 0u);
  EXPECT_EQ(parse_seed("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(parse_seed("18446744073709551616"), std::nullopt);
  EXPECT_EQ(parse_seed("-1"), std::nullopt);
  EXPECT_EQ(parse_seed("12a"), std::nullopt);
  EXPECT_EQ(parse_seed(""), std::nullopt);
}

TEST(Plan, DrawnMasterSeedsAreSixteenDigits) {
  for (int i = 0; i < 100; ++i) EXPECT_EQ(std::to_string(draw_master_seed()).size(), 16u);
}

TEST(Plan, EachRunGetsTheSeedContract) {
  SweepPlan plan;
  plan.argv = {"./t", "{seed}"};
  plan.master_seed = 5;
  const RunSpec spec = plan.make_run(3);
  EXPECT_EQ(spec.index, 3u);
  EXPECT_EQ(spec.seed, run_seed(5, 3));
  EXPECT_EQ(spec.argv[1], std::to_string(spec.seed));
  EXPECT_EQ(env_value(spec, "DEFLAKE_SEED"), std::to_string(spec.seed));
  EXPECT_EQ(env_value(spec, "DEFLAKE_PINNED"), "");
  EXPECT_EQ(env_value(spec, "DEFLAKE_RUN"), "3");
  EXPECT_TRUE(spec.env.unset.empty());  // no knob named: the user's environment stays
  EXPECT_TRUE(spec.actions.empty());
}

TEST(Plan, PinnedAndFreeKnobsSetWhatTheCatalogSays) {
  SweepPlan plan;
  plan.argv = {"./t"};
  plan.pinned = {find_knob("aslr"), find_knob("threads")};
  plan.freed = {find_knob("order"), find_knob("tf32")};
  const RunSpec spec = plan.make_run(0);
  EXPECT_EQ(env_value(spec, "DEFLAKE_PINNED"), "aslr,threads");
  EXPECT_EQ(env_value(spec, "OMP_NUM_THREADS"), "1");
  EXPECT_EQ(env_value(spec, "MKL_CBWR"), "COMPATIBLE");
  EXPECT_EQ(env_value(spec, "GTEST_SHUFFLE"), "1");
  EXPECT_EQ(env_value(spec, "GTEST_RANDOM_SEED"), std::to_string(1 + spec.seed % 99999));
  EXPECT_TRUE(unsets(spec, "NVIDIA_TF32_OVERRIDE"));
  EXPECT_EQ(spec.actions, std::vector<ChildAction>{ChildAction::no_aslr});
}

TEST(Plan, PinnedSeedGivesEveryRunTheSameSeed) {
  SweepPlan plan;
  plan.argv = {"./t"};
  plan.master_seed = 11;
  plan.pinned = {find_knob("seed")};
  EXPECT_EQ(plan.make_run(0).seed, plan.make_run(9).seed);
}

TEST(Plan, PinnedConcurrencyRunsOneAtATime) {
  SweepPlan plan;
  plan.jobs = 8;
  EXPECT_EQ(plan.effective_jobs(), 8u);
  plan.pinned = {find_knob("concurrency")};
  EXPECT_EQ(plan.effective_jobs(), 1u);
}

TEST(Plan, CatalogHasEveryKnobOfTheDesign) {
  for (const char* name : {"seed", "order", "threads", "aslr", "hashseed", "tf32", "atomics",
                           "algo", "cublas", "launch", "concurrency"})
    EXPECT_NE(find_knob(name), nullptr) << name;
  EXPECT_EQ(find_knob("nope"), nullptr);
}

}  // namespace
}  // namespace deflake
