#include "base/text.hpp"

#include <gtest/gtest.h>

#include "base/clock.hpp"

namespace deflake {
namespace {

TEST(Text, ShellQuote) {
  EXPECT_EQ(shell_quote("./my_test"), "./my_test");
  EXPECT_EQ(shell_quote("--gtest_filter=A.B"), "--gtest_filter=A.B");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("$HOME"), "'$HOME'");
  EXPECT_EQ(shell_join({"sh", "-c", "echo hi"}), "sh -c 'echo hi'");
}

TEST(Text, ParseSize) {
  EXPECT_EQ(parse_size("1024"), 1024u);
  EXPECT_EQ(parse_size("512M"), 512ull << 20);
  EXPECT_EQ(parse_size("2G"), 2ull << 30);
  EXPECT_EQ(parse_size("2GiB"), 2ull << 30);
  EXPECT_EQ(parse_size("4k"), 4096u);
  EXPECT_EQ(parse_size(""), std::nullopt);
  EXPECT_EQ(parse_size("G"), std::nullopt);
  EXPECT_EQ(parse_size("12X"), std::nullopt);
  EXPECT_EQ(parse_size("-1"), std::nullopt);
  EXPECT_EQ(parse_size("99999999999999999999"), std::nullopt);
  EXPECT_EQ(parse_size("99999999999T"), std::nullopt);
}

TEST(Text, SuggestsTheNearestWord) {
  const std::vector<std::string> commands = {"run", "bisect", "repro", "ctest"};
  EXPECT_EQ(nearest("rnu", commands), "run");  // a transposition is one edit
  EXPECT_EQ(nearest("bisec", commands), "bisect");
  EXPECT_EQ(nearest("ctset", commands), "ctest");
  EXPECT_EQ(nearest("zzzzzz", commands), std::nullopt);
  EXPECT_EQ(nearest("--rnus", {"--runs", "--seed", "--until-fail"}), "--runs");
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
}

TEST(Text, ParentDirectory) {
  EXPECT_EQ(parent_directory("report.json"), ".");
  EXPECT_EQ(parent_directory("/report.json"), "/");
  EXPECT_EQ(parent_directory("out/r.json"), "out");
  EXPECT_EQ(parent_directory("/a/b/c"), "/a/b");
}

TEST(Text, Percent) {
  EXPECT_EQ(percent(0.074), "7.4%");
  EXPECT_EQ(percent(0.005974), "0.6%");
  EXPECT_EQ(percent(0.0006), "0.06%");
  EXPECT_EQ(percent(0), "0.0%");
  EXPECT_EQ(percent(1), "100.0%");
}

TEST(Text, HumanDuration) {
  EXPECT_EQ(human_duration(0.012), "12ms");
  EXPECT_EQ(human_duration(1.5), "1.5s");
  EXPECT_EQ(human_duration(123), "2m03s");
}

TEST(Clock, SecondsAreClampedInsteadOfOverflowing) {
  EXPECT_GT(seconds(1e10), seconds(1e6));  // 1e19 ns would overflow a 64-bit count
  EXPECT_GT(seconds(1e300), Duration::zero());
  EXPECT_EQ(seconds(-5), Duration::zero());
  EXPECT_EQ(seconds(0.5), std::chrono::milliseconds(500));
}

}  // namespace
}  // namespace deflake
