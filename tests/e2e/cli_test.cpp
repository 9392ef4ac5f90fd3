// The command line, end to end: usage errors exit 2 with a message that says
// what to do (a suggestion for a near miss), --version and --help exit 0.
#include <gtest/gtest.h>

#include <fstream>

#include "support/deflake_test.hpp"

namespace e2e {
namespace {

using Cli = DeflakeTest;

/// A usage error: exit 2, no report, and `expected` in stderr.
void expect_usage_error(const Result& r, const std::string& expected) {
  EXPECT_EQ(r.code(), 2) << r;
  EXPECT_NE(r.err.find(expected), std::string::npos) << "stderr lacks '" << expected << "'" << r;
  EXPECT_TRUE(r.report.is_null()) << "a usage error wrote a report";
}

TEST_F(Cli, MistypedFlagSuggestsTheNearestOne) {
  expect_usage_error(sweep({"--rnus", "5"}, {"true"}), "--runs");
  expect_usage_error(sweep({"--timout", "5"}, {"true"}), "--timeout");
}

TEST_F(Cli, MistypedCommandSuggestsTheNearestOne) {
  const Result r = deflake({"rnu", "--", "true"});
  expect_usage_error(r, "deflake run");
  EXPECT_NE(r.err.find("rnu"), std::string::npos) << r;
}

TEST_F(Cli, PlannedCommandSaysItIsNotInThisVersion) {
  expect_usage_error(deflake({"ctest"}), "not in this version");
}

TEST_F(Cli, MissingProgramIsAUsageError) {
  expect_usage_error(sweep({"-n", "3"}, {dir() + "/no-such-program"}), "cannot run");
  EXPECT_TRUE(survivors().empty());
}

TEST_F(Cli, BadValuesAreUsageErrors) {
  expect_usage_error(sweep({"-n", "0"}, {"true"}), "runs");
  expect_usage_error(sweep({"--timeout", "-1"}, {"true"}), "timeout");
  expect_usage_error(sweep({"--seed", "12ab"}, {"true"}), "--seed");
  expect_usage_error(sweep({"--pin", "thread"}, {"true"}), "threads");
  expect_usage_error(sweep({"--pin", "aslr", "--free", "aslr"}, {"true"}), "both pinned and free");
  expect_usage_error(deflake({"run", "-n", "1", "--json", dir() + "/missing/r.json", "--", "true"}),
                     "does not exist");
}

TEST_F(Cli, RunWithoutACommandIsAUsageError) {
  expect_usage_error(deflake({"run", "-n", "3"}), "--");
}

TEST_F(Cli, VersionAndHelp) {
  const Result version = deflake({"--version"});
  EXPECT_EQ(version.code(), 0) << version;
  EXPECT_EQ(version.out.rfind("deflake ", 0), 0u) << version;

  const Result help = deflake({"--help"});
  EXPECT_EQ(help.code(), 0) << help;
  EXPECT_NE(help.out.find("Examples"), std::string::npos) << help;

  const Result run_help = deflake({"run", "--help"});
  EXPECT_EQ(run_help.code(), 0) << run_help;
  for (const char* flag : {"--runs", "--seed", "--jobs", "--timeout", "--grace", "--until-fail",
                           "--json", "--leak-window", "--core-dumps"})
    EXPECT_NE(run_help.out.find(flag), std::string::npos)
        << flag << " is not in `deflake run --help`";
}

// bisect groups runs into processes itself (one per run while it tests
// seeds and knobs, the whole suite per process when it searches test order):
// run's grouping flags would be ignored, so they are refused, saying why.
TEST_F(Cli, BisectRefusesRunsGroupingFlags) {
  const auto bisect = [&](std::vector<std::string> flags) {
    flags.insert(flags.begin(), "bisect");
    flags.insert(flags.end(), {"--max-runs", "10", "--", "true"});
    return deflake(flags);
  };
  for (const auto& flags : std::vector<std::vector<std::string>>{
           {"--strategy", "suite"}, {"--strategy=batched"}, {"-n", "5", "--strategy", "isolated"}})
    expect_usage_error(bisect(flags), "bisect does not take --strategy: it groups runs itself");
  expect_usage_error(bisect({"--batch-size", "10"}), "bisect does not take --batch-size");
  expect_usage_error(bisect({"--libfuzzer"}), "bisect does not take --libfuzzer");
  // Nor does it take what it decides itself: which knobs are pinned, and
  // how long each configuration runs.
  expect_usage_error(bisect({"--pin", "tf32"}), "bisect does not take --pin: it pins and frees");
  expect_usage_error(bisect({"--free=aslr"}), "bisect does not take --free: it pins and frees");
  expect_usage_error(bisect({"--until-fail"}), "bisect does not take --until-fail");
  const Result help = deflake({"bisect", "--help"});
  EXPECT_EQ(help.code(), 0) << help;
  EXPECT_NE(help.out.find("A GoogleTest binary's screening"), std::string::npos) << help;
  for (const char* flag :
       {"--strategy", "--batch-size", "--libfuzzer", "--until-fail", "--pin", "--free"})
    EXPECT_EQ(help.out.find(flag), std::string::npos) << flag << " is in `deflake bisect --help`";
  // [run] of deflake.toml holds defaults for every command: its grouping
  // keys are run's, and bisect leaves them alone.
  std::ofstream(dir() + "/deflake.toml") << "[run]\nstrategy = \"suite\"\nbatch_size = 4\n";
  const Result shared = bisect({"-n", "5"});
  EXPECT_EQ(shared.code(), 0) << shared;
  std::ofstream(dir() + "/deflake.toml") << "[bisect]\nstrategy = \"suite\"\n";
  expect_usage_error(bisect({}), "bisect does not take [bisect] strategy");
  std::ofstream(dir() + "/deflake.toml") << "[bisect]\npin = [\"tf32\"]\n";
  expect_usage_error(bisect({}), "bisect does not take [bisect] pin");
  std::ofstream(dir() + "/deflake.toml") << "[bisect]\nuntil_fail = true\n";
  expect_usage_error(bisect({}), "bisect does not take [bisect] until_fail");
}

TEST_F(Cli, NoArgumentsPrintsHelpAndExitsTwo) {
  const Result r = deflake({});
  EXPECT_EQ(r.code(), 2) << r;
  EXPECT_NE((r.out + r.err).find("run"), std::string::npos) << r;
}

}  // namespace
}  // namespace e2e
