// A GoogleTest binary whose order-dependent victim is declared after its
// polluter (Cache.ColdStart fails once Cache.Warm has run in the same
// process) and after two bystanders: bisect can ask "does it fail after
// S?" of any S by running the suite unshuffled, where every run has S first.
#include <gtest/gtest.h>

namespace {
bool warm = false;
}

TEST(Math, Gcd) {
  EXPECT_EQ(6 % 4, 2);
}
TEST(Strings, Trim) {
  EXPECT_EQ(std::string(" a").substr(1), "a");
}
TEST(Cache, Warm) {
  warm = true;
}
TEST(Cache, ColdStart) {
  EXPECT_FALSE(warm) << "the cache was already warm";
}
