// A GoogleTest binary without the adapter (linked with gtest_main), that
// reads DEFLAKE_SEED itself: the seed reaches a test even when it links
// nothing of deflake's.
//
//   Plain.Adds, Plain.Concatenates   stable
//   Plain.SeedMod7                   fails when DEFLAKE_SEED % 7 == 0 (1 seed in 7)
//
// Cause: seed. With DEFLAKE_SEED unset the seed is 1 and every test passes.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

std::uint64_t seed_from_environment() {
  const char* text = std::getenv("DEFLAKE_SEED");
  return text != nullptr ? std::strtoull(text, nullptr, 10) : 1;
}

TEST(Plain, Adds) {
  EXPECT_EQ(40 + 2, 42);
}

TEST(Plain, Concatenates) {
  EXPECT_EQ(std::string("de") + "flake", "deflake");
}

TEST(Plain, SeedMod7) {
  const std::uint64_t seed = seed_from_environment();
  EXPECT_NE(seed % 7, 0u) << "DEFLAKE_SEED=" << seed << " is a multiple of 7";
}

}  // namespace
