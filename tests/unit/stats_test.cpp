#include "stats/stats.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace deflake {
namespace {

TEST(Stats, NormalQuantile) {
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-9);
  EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-12);
  EXPECT_NEAR(normal_quantile(0.995), 2.5758293035489, 1e-9);
  EXPECT_NEAR(normal_quantile(0.001), -3.090232306167813, 1e-9);
}

TEST(Stats, WilsonIntervalMatchesReferenceValues) {
  // DESIGN.md's example: 37 of 500 → [0.054, 0.100].
  const Interval a = wilson_interval(37, 500);
  EXPECT_NEAR(a.low, 0.0542, 5e-4);
  EXPECT_NEAR(a.high, 0.1002, 5e-4);
  // 3 of 200, computed independently (statsmodels proportion_confint method="wilson").
  const Interval b = wilson_interval(3, 200);
  EXPECT_NEAR(b.low, 0.005117, 1e-5);
  EXPECT_NEAR(b.high, 0.043168, 1e-5);
}

TEST(Stats, WilsonIntervalEnds) {
  EXPECT_EQ(wilson_interval(0, 50).low, 0.0);
  EXPECT_GT(wilson_interval(0, 50).high, 0.0);
  EXPECT_EQ(wilson_interval(50, 50).high, 1.0);
  EXPECT_LT(wilson_interval(50, 50).low, 1.0);
  const Interval none = wilson_interval(0, 0);
  EXPECT_EQ(none.low, 0.0);
  EXPECT_EQ(none.high, 1.0);
}

TEST(Stats, WilsonIntervalContainsTheObservedRate) {
  for (std::uint64_t n : {1, 2, 10, 77, 1000})
    for (std::uint64_t k = 0; k <= n; k += (n / 7 + 1)) {
      const Interval ci = wilson_interval(k, n);
      const double p = double(k) / double(n);
      EXPECT_LE(ci.low, p);
      EXPECT_GE(ci.high, p);
      EXPECT_GE(ci.low, 0.0);
      EXPECT_LE(ci.high, 1.0);
    }
}

TEST(Stats, RuledOutRateIsTheExactOneSidedBound) {
  // "0/500: rules out ≥ 0.6% at 95%".
  EXPECT_NEAR(ruled_out_rate(500), 0.005974, 1e-6);
  EXPECT_NEAR(ruled_out_rate(1), 0.95, 1e-12);
  EXPECT_EQ(ruled_out_rate(0), 1.0);
  // Rule of three as the large-n approximation.
  EXPECT_NEAR(ruled_out_rate(3000) * 3000, 3.0, 0.01);
  // At the bound, n clean runs have exactly the 5% chance.
  const double p = ruled_out_rate(120);
  EXPECT_NEAR(std::pow(1 - p, 120), 0.05, 1e-12);
}

TEST(Stats, Verdicts) {
  EXPECT_EQ(decide_verdict(0, 10), Verdict::stable_pass);
  EXPECT_EQ(decide_verdict(3, 10), Verdict::flaky);
  EXPECT_EQ(decide_verdict(10, 10), Verdict::stable_fail);
  EXPECT_EQ(decide_verdict(0, 0), Verdict::skipped);
  EXPECT_EQ(to_string(Verdict::stable_pass), "stable-pass");
  EXPECT_EQ(to_string(Verdict::stable_fail), "stable-fail");
}

}  // namespace
}  // namespace deflake
