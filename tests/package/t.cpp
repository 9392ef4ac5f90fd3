// A user's tests on the installed adapter: each prints its seed, so the
// package test can check that a given DEFLAKE_SEED gives the same seeds twice.
#include <gtest/gtest.h>

#include <cstdio>
#include <deflake/gtest.hpp>

namespace {

void print_seed(const char* name) {
  std::printf("seed %s %llu\n", name, static_cast<unsigned long long>(deflake::test_seed()));
}

TEST(User, DrawsFromTheSeededGenerator) {
  print_seed("User.DrawsFromTheSeededGenerator");
  const auto roll = deflake::uniform_int(deflake::rng(), 1, 6);
  EXPECT_GE(roll, 1u);
  EXPECT_LE(roll, 6u);
}

TEST(User, HasItsOwnSeed) {
  print_seed("User.HasItsOwnSeed");
  EXPECT_EQ(deflake::test_seed(),
            deflake::child_seed(deflake::run_seed_of_test(), "User.HasItsOwnSeed"));
  EXPECT_GE(deflake::test_seed(), deflake::kSeedMin);
}

}  // namespace
