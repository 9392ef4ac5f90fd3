// A tiny GoogleTest binary whose output the parser tests are checked against.
// Not built by CMake: capture.sh builds it with the system's libgtest and
// writes the outputs into ../golden/, which are committed. Rerun it when the
// GoogleTest version changes.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

// Plain tests: one passes, one fails, one skips, one disabled.
TEST(Plain, Passes) {
  EXPECT_EQ(1 + 1, 2);
}
// Sleeps, so that its report shows a time other than "0s".
TEST(Plain, AlsoPasses) {
  std::this_thread::sleep_for(std::chrono::milliseconds(25));
}
TEST(Plain, Fails) {
  EXPECT_EQ(1 + 1, 3) << "arithmetic is broken";
}
TEST(Plain, Skips) {
  GTEST_SKIP() << "not on this machine";
}
TEST(Plain, DISABLED_Later) {
  FAIL();
}
TEST(DISABLED_Suite, Test) {
  FAIL();
}

// A fixture whose SetUp fails: the body never runs.
class SetUpFails : public ::testing::Test {
 protected:
  void SetUp() override { FAIL() << "cannot set up"; }
};
TEST_F(SetUpFails, Body) {
  SUCCEED();
}

// A fixture whose SetUpTestSuite fails: GoogleTest reports the failure on
// the suite, not on its tests.
class SuiteSetUpFails : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { FAIL() << "cannot set up the suite"; }
};
TEST_F(SuiteSetUpFails, First) {
  SUCCEED();
}
TEST_F(SuiteSetUpFails, Second) {
  SUCCEED();
}

// Value-parameterised: "Ints/ParamTest.IsPositive/0  # GetParam() = 4".
class ParamTest : public ::testing::TestWithParam<int> {};
TEST_P(ParamTest, IsPositive) {
  EXPECT_GT(GetParam(), 0);
}
INSTANTIATE_TEST_SUITE_P(Ints, ParamTest, ::testing::Values(4, 7));

// A string parameter, so the comment holds spaces and quotes.
class WordTest : public ::testing::TestWithParam<std::string> {};
TEST_P(WordTest, NotEmpty) {
  EXPECT_FALSE(GetParam().empty());
}
INSTANTIATE_TEST_SUITE_P(Words, WordTest, ::testing::Values("a b", "c"));

// Typed: "TypedTest/0.  # TypeParam = int".
template <typename T>
class TypedTest : public ::testing::Test {};
using MyTypes = ::testing::Types<int, double>;
TYPED_TEST_SUITE(TypedTest, MyTypes);
TYPED_TEST(TypedTest, DefaultIsZero) {
  EXPECT_EQ(TypeParam{}, TypeParam{0});
}

// Type-parameterised: "My/TypedParamTest/0.  # TypeParam = char".
template <typename T>
class TypedParamTest : public ::testing::Test {};
TYPED_TEST_SUITE_P(TypedParamTest);
TYPED_TEST_P(TypedParamTest, SizeIsPositive) {
  EXPECT_GT(sizeof(TypeParam), 0u);
}
REGISTER_TYPED_TEST_SUITE_P(TypedParamTest, SizeIsPositive);
using MoreTypes = ::testing::Types<char, long>;
INSTANTIATE_TYPED_TEST_SUITE_P(My, TypedParamTest, MoreTypes);
