#include "deflake/seed_derivation.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace deflake {
namespace {

TEST(SeedDerivation, RunSeedsHaveSixteenDigitsAndFitADouble) {
  for (std::uint64_t master : {0ULL, 1ULL, 42ULL, ~0ULL}) {
    for (std::uint64_t i = 0; i < 10000; ++i) {
      const std::uint64_t seed = run_seed(master, i);
      ASSERT_GE(seed, kSeedMin);
      ASSERT_LT(seed, kSeedEnd);
      ASSERT_EQ(std::to_string(seed).size(), 16u);
      ASSERT_EQ(static_cast<std::uint64_t>(static_cast<double>(seed)), seed);
    }
  }
}

TEST(SeedDerivation, SameMasterGivesSameSeedsInSameOrder) {
  for (std::uint64_t i = 0; i < 100; ++i) EXPECT_EQ(run_seed(1234, i), run_seed(1234, i));
  EXPECT_NE(run_seed(1234, 0), run_seed(1235, 0));
  EXPECT_NE(run_seed(1234, 0), run_seed(1234, 1));
}

// Golden values: a change here changes every seed users have recorded, which
// must be a deliberate, versioned decision, never an accident.
TEST(SeedDerivation, GoldenValues) {
  static_assert(run_seed(42, 0) == run_seed(42, 0));
  EXPECT_EQ(splitmix64(0), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(run_seed(42, 0), 2858328782195721ULL);
  EXPECT_EQ(run_seed(42, 5), 6727268117763856ULL);
  EXPECT_EQ(run_seed(0, 0), 2739371435976602ULL);
  EXPECT_EQ(child_seed(1000000000000017ULL, "Parser.RoundTrip"), 1886051945143875ULL);
}

TEST(SeedDerivation, RunSeedsDoNotCollideInALargeSweep) {
  std::set<std::uint64_t> seen;
  for (std::uint64_t i = 0; i < 100000; ++i) seen.insert(run_seed(7, i));
  EXPECT_EQ(seen.size(), 100000u);
}

TEST(SeedDerivation, ChildSeedDependsOnNameNotPosition) {
  const std::uint64_t parent = run_seed(99, 3);
  EXPECT_EQ(child_seed(parent, "Parser.RoundTrip"), child_seed(parent, "Parser.RoundTrip"));
  EXPECT_NE(child_seed(parent, "Parser.RoundTrip"), child_seed(parent, "Parser.Empty"));
  EXPECT_NE(child_seed(parent, "Parser.RoundTrip"), child_seed(parent + 1, "Parser.RoundTrip"));
  EXPECT_GE(child_seed(parent, "x"), kSeedMin);
  EXPECT_LT(child_seed(parent, "x"), kSeedEnd);
}

TEST(SeedDerivation, SeedsSpreadOverTheRange) {
  // Ten equal buckets of [kSeedMin, kSeedEnd): 20,000 seeds, each bucket's
  // count within 5 standard deviations of 2,000 (bound holds with p > 1-1e-5).
  int buckets[10] = {};
  const double width = double(kSeedEnd - kSeedMin) / 10;
  for (std::uint64_t i = 0; i < 20000; ++i)
    ++buckets[int(double(run_seed(2024, i) - kSeedMin) / width)];
  for (int count : buckets) EXPECT_NEAR(count, 2000, 5 * 42.4);
}

}  // namespace
}  // namespace deflake
