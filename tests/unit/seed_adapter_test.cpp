#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <map>

#include "deflake/seed.hpp"

namespace deflake {
namespace {

/// Sets an environment variable for one test and restores it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old, had_ = true;
    if (value)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (had_)
      setenv(name_, old_.c_str(), 1);
    else
      unsetenv(name_);
  }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

TEST(SeedAdapter, SeedComesFromTheEnvironment) {
  {
    ScopedEnv env("DEFLAKE_SEED", "4503599627370912");
    EXPECT_EQ(seed(), 4503599627370912u);
  }
  {
    ScopedEnv env("DEFLAKE_SEED", nullptr);
    EXPECT_EQ(seed(), kDefaultSeed);
  }
  {
    ScopedEnv env("DEFLAKE_SEED", "12x");
    EXPECT_EQ(seed(), kDefaultSeed);
  }
}

TEST(SeedAdapter, Pinned) {
  ScopedEnv env("DEFLAKE_PINNED", "aslr,atomics,tf32");
  EXPECT_TRUE(pinned("atomics"));
  EXPECT_TRUE(pinned("aslr"));
  EXPECT_TRUE(pinned("tf32"));
  EXPECT_FALSE(pinned("atom"));
  EXPECT_FALSE(pinned("algo"));
  ScopedEnv none("DEFLAKE_PINNED", "");
  EXPECT_FALSE(pinned("atomics"));
}

// Golden values: these must be the same with libstdc++ and libc++ (the
// generator is specified by the standard; the distributions are ours).
TEST(SeedAdapter, DistributionsAreGolden) {
  std::mt19937_64 engine(42);
  EXPECT_EQ(engine(), 13930160852258120406ULL);  // the standard fixes mt19937_64's output
  engine.seed(42);
  const std::uint64_t a = uniform_int(engine, 1, 6);
  const std::uint64_t b = uniform_int(engine, 0, 999);
  const double c = uniform_real(engine, 0.0, 1.0);
  engine.seed(42);
  EXPECT_EQ(uniform_int(engine, 1, 6), a);
  EXPECT_EQ(uniform_int(engine, 0, 999), b);
  EXPECT_EQ(uniform_real(engine, 0.0, 1.0), c);
  // By hand from the first raw output: floor(13930160852258120406 * 6 / 2^64) = 4, so 1 + 4.
  EXPECT_EQ(a, 5u);
}

TEST(SeedAdapter, UniformIntStaysInRangeAndIsUnbiased) {
  std::mt19937_64 engine(7);
  std::map<std::uint64_t, int> counts;
  for (int i = 0; i < 60000; ++i) {
    const std::uint64_t v = uniform_int(engine, 10, 15);
    ASSERT_GE(v, 10u);
    ASSERT_LE(v, 15u);
    ++counts[v];
  }
  // Each of 6 values expects 10,000; 5 standard deviations is ±456.
  for (const auto& [value, count] : counts) EXPECT_NEAR(count, 10000, 456) << value;
  EXPECT_EQ(uniform_int(engine, 5, 5), 5u);
  std::uint64_t full = uniform_int(engine, 0, ~0ULL);
  (void)full;
}

TEST(SeedAdapter, UniformRealAndNormalMoments) {
  std::mt19937_64 engine(11);
  double sum = 0, sum2 = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const double u = uniform_real(engine, 2.0, 4.0);
    ASSERT_GE(u, 2.0);
    ASSERT_LT(u, 4.0);
    const double x = normal(engine, 3.0, 2.0);
    sum += x;
    sum2 += x * x;
  }
  const double mean = sum / n, var = sum2 / n - mean * mean;
  EXPECT_NEAR(mean, 3.0, 5 * 2.0 / std::sqrt(n));
  EXPECT_NEAR(var, 4.0, 0.1);
}

TEST(SeedAdapter, RngIsSeededFromTheContractAndReseedable) {
  reseed(99);
  const auto first = rng()();
  reseed(99);
  EXPECT_EQ(rng()(), first);
}

}  // namespace
}  // namespace deflake
