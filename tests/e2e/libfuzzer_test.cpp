// deflake run on a libFuzzer target (examples/fuzz_parse.cpp), end to end:
// the run seed reaches libFuzzer as -seed=, a crash's artifact is kept in
// .deflake/artifacts and replays, and an artifact that passes alone is
// reported as unreproducible. The example needs clang; without it these
// tests skip (but the ones on a stand-in command still run).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/deflake_test.hpp"

namespace e2e {
namespace {

namespace fs = std::filesystem;

const std::string kFuzzParse = DEFLAKE_E2E_FUZZ_PARSE;

#define REQUIRE_FUZZ_EXAMPLE()                       \
  if (kFuzzParse.empty() || !fs::exists(kFuzzParse)) \
  GTEST_SKIP() << "examples/fuzz_parse was not built (no clang++ with -fsanitize=fuzzer)"

std::uint64_t libfuzzer_seed(std::uint64_t seed) {
  return 1 + seed % 4294967295u;
}

class LibFuzzer : public DeflakeTest {
 protected:
  /// Runs a shell command line in the test's folder (where deflake ran).
  Exit shell(const std::string& line, std::string& output) {
    LaunchOptions o;
    o.argv = {"/bin/sh", "-c", line};
    o.stdout_path = dir() + "/replay.out";
    o.stderr_path = dir() + "/replay.out";
    o.cwd = dir();
    o.kill_after_s = 60;
    Child child(o);
    const Exit exit = child.wait();
    output = read_file(dir() + "/replay.out");
    return exit;
  }

  /// deflake's own TMPDIR holds nothing once it has finished.
  void expect_no_leftover_folders() {
    EXPECT_TRUE(fs::is_empty(temp_root())) << "per-run folders were left in " << temp_root();
  }
};

TEST_F(LibFuzzer, ASweepFindsTheCrashKeepsItsArtifactAndTheReplayCrashesAgain) {
  REQUIRE_FUZZ_EXAMPLE();
  // Every seed finds the bug within 20,000 executions; the run ends there.
  const Result r = sweep({"--libfuzzer", "-n", "3", "-j", "2", "--seed", "7", "--timeout", "60"},
                         {kFuzzParse, "-runs=200000"});
  ASSERT_EQ(r.code(), 1) << r;
  const auto& t = r.target();
  ASSERT_EQ(t["failed_runs"].size(), 3u) << r;
  EXPECT_EQ(t["outcomes"]["crash"], 3);
  for (const auto& run : t["failed_runs"]) {
    const std::uint64_t seed = run["seed"].get<std::uint64_t>();
    EXPECT_EQ(run["outcome"], "crash");
    EXPECT_EQ(run["exit_code"], 1);  // AddressSanitizer's, under libFuzzer
    const std::string artifact = run["artifact"].get<std::string>();
    EXPECT_EQ(artifact.rfind(".deflake/artifacts/" + std::to_string(seed) + "-crash-", 0), 0u)
        << artifact;
    EXPECT_TRUE(fs::is_regular_file(dir() + "/" + artifact)) << artifact;
    const std::string note = run["note"].get<std::string>();
    EXPECT_EQ(note.rfind("libFuzzer -seed=" + std::to_string(libfuzzer_seed(seed)) + ";", 0), 0u)
        << note;
    EXPECT_NE(note.find("artifact " + artifact), std::string::npos) << note;
    EXPECT_NE(note.find("the artifact reproduces the crash when run alone"), std::string::npos)
        << note;
    const std::string replay = run["replay"].get<std::string>();
    EXPECT_NE(replay.find("DEFLAKE_SEED=" + std::to_string(seed)), std::string::npos) << replay;
    EXPECT_EQ(replay.find("-runs="), std::string::npos) << replay;
    EXPECT_EQ(replay.substr(replay.size() - artifact.size()), artifact) << replay;
  }
  EXPECT_NE(r.err.find("libFuzzer -seed="), std::string::npos) << r;

  // The printed replay runs the target on the artifact, which crashes again.
  const std::string replay = line_after(r.out, "  replay    ");
  ASSERT_FALSE(replay.empty()) << r;
  std::string output;
  const Exit exit = shell(replay, output);
  EXPECT_EQ(exit.exit_code, 1) << output;
  EXPECT_NE(output.find("heap-buffer-overflow"), std::string::npos) << output;
  expect_no_leftover_folders();
}

TEST_F(LibFuzzer, ALibFuzzerBinaryIsDetectedByReadingIt) {
  REQUIRE_FUZZ_EXAMPLE();
  const Result r =
      sweep({"-n", "2", "--seed", "3", "--timeout", "60", "-v"}, {kFuzzParse, "-runs=200000"});
  ASSERT_EQ(r.code(), 1) << r;
  EXPECT_FALSE(r.failed_run()["artifact"].is_null()) << r;
  EXPECT_EQ(r.target()["strategy"], "isolated");
  // --no-gtest says "a plain command": no seed flag, no artifact handling.
  const Result plain = sweep({"--no-gtest", "-n", "1", "--seed", "3", "--timeout", "60", "-v"},
                             {kFuzzParse, "-runs=1"});
  ASSERT_EQ(plain.code(), 0) << plain;
  EXPECT_EQ(plain.err.find("libFuzzer -seed="), std::string::npos) << plain;
}

TEST_F(LibFuzzer, SomeSeedsFindTheBugAndOthersDoNot) {
  REQUIRE_FUZZ_EXAMPLE();
  // A few thousand executions: the bug is within reach of some seeds only.
  const Result r = sweep({"--libfuzzer", "-n", "8", "--seed", "1", "--timeout", "60"},
                         {kFuzzParse, "-runs=5000"});
  ASSERT_EQ(r.code(), 1) << r;
  EXPECT_EQ(r.target()["verdict"], "flaky") << r;
  expect_no_leftover_folders();
}

TEST_F(LibFuzzer, AnArtifactThatPassesAloneIsReportedUnreproducible) {
  REQUIRE_FUZZ_EXAMPLE();
  Launch launch;
  launch.env = {{"FUZZ_FLAKY", "1"}};
  const Result r = sweep({"--libfuzzer", "-n", "2", "--seed", "5", "--timeout", "60"},
                         {kFuzzParse, "-runs=5000"}, launch);
  ASSERT_EQ(r.code(), 1) << r;
  const auto& t = r.target();
  ASSERT_EQ(t["failed_runs"].size(), 2u) << r;
  for (const auto& run : t["failed_runs"]) {
    // libFuzzer exits 77 on a deadly signal: a failure, never deflake's skip.
    EXPECT_EQ(run["exit_code"], 77);
    EXPECT_EQ(run["outcome"], "crash");
    const std::string artifact = run["artifact"].get<std::string>();
    EXPECT_TRUE(fs::is_regular_file(dir() + "/" + artifact)) << artifact;
    const std::string note = run["note"].get<std::string>();
    EXPECT_NE(note.find("UNREPRODUCIBLE: the artifact " + artifact +
                        " passes when run alone — the failure depends on state beyond the input"),
              std::string::npos)
        << note;
  }
  EXPECT_NE(r.out.find("UNREPRODUCIBLE"), std::string::npos) << r;
  // And indeed: the replay passes (FUZZ_FLAKY is set, as in the sweep).
  std::string output;
  const Exit exit =
      shell("FUZZ_FLAKY=1 " + t["failed_runs"][0]["replay"].get<std::string>(), output);
  EXPECT_EQ(exit.exit_code, 0) << output;
  expect_no_leftover_folders();
}

TEST_F(LibFuzzer, AFailureWithoutAnArtifactSaysSo) {
  // Any command can be swept as a libFuzzer target; this one fails without
  // ever writing an artifact (and ignores the flags deflake appends).
  const Result r =
      sweep({"--libfuzzer", "-n", "2", "--seed", "9", "--timeout", "60"}, {"sh", "-c", "exit 3"});
  ASSERT_EQ(r.code(), 1) << r;
  const auto& run = r.failed_run();
  EXPECT_EQ(run["outcome"], "fail");
  EXPECT_TRUE(run["artifact"].is_null());
  const std::string note = run["note"].get<std::string>();
  EXPECT_NE(note.find("the run failed without leaving an artifact"), std::string::npos) << note;
  EXPECT_NE(run["replay"].get<std::string>().find("-seed="), std::string::npos);
  EXPECT_FALSE(fs::exists(dir() + "/.deflake/artifacts"));
  expect_no_leftover_folders();
}

TEST_F(LibFuzzer, LibFuzzerAndGtestFlagsContradict) {
  const Result r = deflake({"run", "--gtest", "--libfuzzer", "--", "true"});
  EXPECT_EQ(r.code(), 2) << r;
  EXPECT_NE(r.err.find("--gtest and --libfuzzer contradict each other"), std::string::npos) << r;
}

}  // namespace
}  // namespace e2e
