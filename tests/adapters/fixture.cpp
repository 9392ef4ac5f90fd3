// A test binary linked with deflake::gtest, started by
// adapter_behaviour_test.cpp to watch the adapter from outside. Every test
// first prints one `report` line with what the adapter gave it:
//
//   report <iteration> <run seed> <test seed> <first rng() value> <first rand()> <name>
//
// Built twice: adapter_fixture_extra adds Extra.Added, to show that adding a
// test changes no other test's seed.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "deflake/gtest.hpp"

namespace {

void report() {
  const testing::TestInfo* info = testing::UnitTest::GetInstance()->current_test_info();
  const std::string name = std::string(info->test_suite_name()) + "." + info->name();
  // Draw first, so the values show how the generators stood when the body began.
  const std::uint64_t drawn = deflake::rng()();
  const int c_drawn = std::rand();
  std::printf("report %d %llu %llu %llu %d %s\n", deflake::test_iteration(),
              static_cast<unsigned long long>(deflake::run_seed_of_test()),
              static_cast<unsigned long long>(deflake::test_seed()),
              static_cast<unsigned long long>(drawn), c_drawn, name.c_str());
  std::fflush(stdout);
}

TEST(Seeds, First) {
  report();
}
TEST(Seeds, Second) {
  report();
}

#ifdef FIXTURE_EXTRA_TEST
TEST(Extra, Added) {
  report();
}
#endif

TEST(Seeds, Third) {
  report();
}

class Param : public testing::TestWithParam<int> {};
TEST_P(Param, Value) {
  report();
}
INSTANTIATE_TEST_SUITE_P(Prefix, Param, testing::Values(10, 20));

template <typename T>
class Typed : public testing::Test {};
using TypedTypes = testing::Types<int, char>;
TYPED_TEST_SUITE(Typed, TypedTypes);
TYPED_TEST(Typed, Reports) {
  report();
}

TEST(Outcomes, Pass) {
  report();
}
TEST(Outcomes, Fail) {
  report();
  ADD_FAILURE() << "fails on purpose";
}
TEST(Outcomes, Skip) {
  report();
  GTEST_SKIP() << "skips on purpose";
}
TEST(Outcomes, FailsForOddSeeds) {
  report();
  EXPECT_EQ(deflake::test_seed() % 2, 0u) << "odd test seed";
}

// A failure in the fixture's SetUp, before the body could run.
class SetUpFails : public testing::Test {
 protected:
  void SetUp() override { FAIL() << "SetUp fails on purpose"; }
};
TEST_F(SetUpFails, Test) {
  report();
}

// Leaves the process in mid-test with status 0 when FIXTURE_EXIT is set.
TEST(Exit, Midway) {
  report();
  if (std::getenv("FIXTURE_EXIT") != nullptr) std::exit(0);
}

// GoogleTest runs this statement in a fresh copy of the binary, which must
// leave the results file alone.
TEST(Death, ExitsWithThree) {
  report();
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(std::exit(3), testing::ExitedWithCode(3), "");
}

}  // namespace
