// A GoogleTest suite in which one test is flaky by seed, the rest stable: the
// common case deflake is for, and ground truth for its end-to-end tests.
//
//   Math.Add, Math.Mul, Strings.Reverse   stable
//   Sizes/Buffer.Fill/0..2                stable (parameterised)
//   Numeric/0..2.ZeroIsIdentity           stable (typed)
//   Platform.NeedsGpu                     always skipped
//   Parser.RoundTrip                      fails for about 10% of test seeds
//
// Cause of Parser.RoundTrip's flake: seed. The record writer escapes the
// separator ',' as "\," but forgets to escape the escape character itself, so
// a record holding a '\' reads back wrong, unless it is the very last
// character. Records are two fields of two characters drawn from 29, one of
// them '\': 1 - (28/29)^3 = 10.0% of records fail. The
// record is drawn from deflake::rng(), which the adapter seeds from the test's
// own seed, so each failing seed fails again on replay.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "deflake/gtest.hpp"

namespace {

TEST(Math, Add) {
  EXPECT_EQ(2 + 3, 5);
}

TEST(Math, Mul) {
  const auto a = deflake::uniform_int(deflake::rng(), 1, 1000);
  const auto b = deflake::uniform_int(deflake::rng(), 1, 1000);
  EXPECT_EQ(a * b, b * a);
  EXPECT_EQ(a * (b + 1), a * b + a);
}

TEST(Strings, Reverse) {
  std::string text = "deflake";
  std::reverse(text.begin(), text.end());
  EXPECT_EQ(text, "ekalfed");
  std::reverse(text.begin(), text.end());
  EXPECT_EQ(text, "deflake");
}

class Buffer : public testing::TestWithParam<std::size_t> {};

TEST_P(Buffer, Fill) {
  std::vector<int> buffer(GetParam());
  std::fill(buffer.begin(), buffer.end(), 7);
  EXPECT_EQ(std::count(buffer.begin(), buffer.end(), 7), static_cast<long>(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Sizes, Buffer, testing::Values(0, 1, 4096));

template <typename T>
class Numeric : public testing::Test {};

using NumericTypes = testing::Types<int, long, double>;
TYPED_TEST_SUITE(Numeric, NumericTypes);

TYPED_TEST(Numeric, ZeroIsIdentity) {
  const TypeParam value = static_cast<TypeParam>(deflake::uniform_int(deflake::rng(), 0, 100));
  EXPECT_EQ(value + TypeParam{0}, value);
}

TEST(Platform, NeedsGpu) {
  GTEST_SKIP() << "no GPU on this machine";
}

// The code under test: a tiny record format, fields separated by ','.
std::string write_record(const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    for (const char c : fields[i]) {
      if (c == ',') line += '\\';  // BUG: a '\' in a field must be escaped too
      line += c;
    }
  }
  return line;
}

std::vector<std::string> read_record(const std::string& line) {
  std::vector<std::string> fields(1);
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size()) {
      fields.back() += line[++i];
    } else if (line[i] == ',') {
      fields.emplace_back();
    } else {
      fields.back() += line[i];
    }
  }
  return fields;
}

std::vector<std::string> random_record() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz ,\\";
  std::vector<std::string> fields(2);
  for (auto& field : fields) {
    for (int i = 0; i < 2; ++i) {
      field += kAlphabet[deflake::uniform_int(deflake::rng(), 0, sizeof kAlphabet - 2)];
    }
  }
  return fields;
}

TEST(Parser, RoundTrip) {
  const auto record = random_record();
  const auto line = write_record(record);
  EXPECT_EQ(read_record(line), record) << "line: " << line;
}

}  // namespace
