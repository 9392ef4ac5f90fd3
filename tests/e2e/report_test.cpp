// The JSON report (schema deflake.report/1) and the console summary, end to
// end: the keys users and CI read, verdicts, rates, and exit codes.
#include <gtest/gtest.h>

#include <algorithm>

#include "support/deflake_test.hpp"

namespace e2e {
namespace {

using Report = DeflakeTest;

TEST_F(Report, StablePassHasTheSchemaAndARuledOutRate) {
  const Result r = sweep({"-n", "20", "--seed", "99"}, {"true"});
  ASSERT_EQ(r.code(), 0) << r;
  const auto& doc = r.report;
  EXPECT_EQ(doc["schema"], "deflake.report/1");
  EXPECT_EQ(doc["tool"]["name"], "deflake");
  const std::string version = doc["tool"]["version"].get<std::string>();
  EXPECT_EQ(std::count(version.begin(), version.end(), '.'), 2) << version;
  EXPECT_EQ(version.find_first_not_of("0123456789."), std::string::npos) << version;
  EXPECT_EQ(doc["command"], "run");
  EXPECT_EQ(doc["master_seed"], 99);
  EXPECT_EQ(doc["interrupted"], false);
  ASSERT_EQ(doc["targets"].size(), 1u);
  const auto& t = r.target();
  EXPECT_EQ(t["name"], "true");
  EXPECT_EQ(t["argv"], nlohmann::json::array({"true"}));
  EXPECT_EQ(t["runs"], 20);
  EXPECT_EQ(t["failures"], 0);
  EXPECT_EQ(t["outcomes"],
            (nlohmann::json{{"pass", 20}, {"fail", 0}, {"crash", 0}, {"timeout", 0}, {"skip", 0}}));
  EXPECT_EQ(t["failure_rate"], 0.0);
  EXPECT_EQ(t["failing_seeds"], nlohmann::json::array());
  EXPECT_EQ(t["failed_runs"], nlohmann::json::array());
  EXPECT_EQ(t["verdict"], "stable-pass");
  // 0 failures in 20 runs rules out p >= 1 - 0.05^(1/20) = 13.9%.
  EXPECT_NEAR(t["ruled_out_rate_95"].get<double>(), 0.1391, 1e-3);
  EXPECT_NE(r.out.find("stable-pass"), std::string::npos) << r;
}

TEST_F(Report, StableFailListsEveryFailingRunAndAReplayCommand) {
  const Result r = sweep({"-n", "6", "--seed", "5"}, {"sh", "-c", "echo boom; exit 2"});
  ASSERT_EQ(r.code(), 1) << r;
  const auto& t = r.target();
  EXPECT_EQ(t["verdict"], "stable-fail");
  EXPECT_EQ(t["failure_rate"], 1.0);
  ASSERT_EQ(t["failed_runs"].size(), 6u);
  ASSERT_EQ(t["failure_rate_ci95"].size(), 2u);
  EXPECT_LT(t["failure_rate_ci95"][0].get<double>(), 1.0);
  EXPECT_EQ(t["failure_rate_ci95"][1].get<double>(), 1.0);
  for (std::size_t i = 0; i < 6; ++i) {
    const auto& run = t["failed_runs"][i];
    EXPECT_EQ(run["run"], i) << "failed_runs are in run order";
    EXPECT_EQ(run["exit_code"], 2);
    EXPECT_EQ(run["output_tail"], "boom\n");
    EXPECT_EQ(run["leaky"], false);
  }
  // The console names a seed and the command that replays the first failure.
  const std::string first_seed = std::to_string(t["failed_runs"][0]["seed"].get<std::uint64_t>());
  EXPECT_NE(r.out.find("replay"), std::string::npos) << r;
  EXPECT_NE(r.out.find("DEFLAKE_SEED=" + first_seed), std::string::npos) << r;
}

// The replay line printed by a failing sweep reproduces the failure by itself.
TEST_F(Report, PrintedReplayCommandReproducesTheFailure) {
  const Result r = sweep({"-n", "30", "--seed", "3"}, {kSeedFail, "5", "2"});
  ASSERT_EQ(r.code(), 1) << r;
  std::string line = line_after(r.out, "replay ");
  line.erase(0, line.find_first_not_of(' '));
  ASSERT_FALSE(line.empty()) << r;
  const Result replay = deflake({"run", "-n", "1", "--seed", "1", "--json", report_path(), "--",
                                 "sh", "-c", line + "; exit $?"});
  // The replayed command fails (the fixture exits 1 for that seed) no matter
  // which seed deflake hands the wrapping shell: the line sets its own.
  EXPECT_EQ(replay.code(), 1) << "replay line: " << line << replay;
}

// A test's output may hold any bytes: NUL, escapes, invalid UTF-8. The
// report stays valid JSON and counts every byte.
TEST_F(Report, BinaryOutputKeepsTheReportValid) {
  const Result r = sweep({"-n", "1"}, {"sh", "-c", "printf 'a\\377\\376\\000b\\033[31m'; exit 1"});
  ASSERT_EQ(r.code(), 1) << r;
  ASSERT_TRUE(r.report.is_object()) << r;
  EXPECT_EQ(r.failed_run()["output_bytes"], 10);
  const std::string tail = r.failed_run()["output_tail"].get<std::string>();
  EXPECT_EQ(tail.front(), 'a');
  EXPECT_NE(tail.find(std::string("\0b\x1b[31m", 6)), std::string::npos)
      << "NUL and ESC were not kept";
}

TEST_F(Report, FlakyVerdictAndRate) {
  const Result r = sweep({"-n", "100", "--seed", "8"}, {kSeedFail, "2", "0"});
  ASSERT_EQ(r.code(), 1) << r;
  const auto& t = r.target();
  EXPECT_EQ(t["verdict"], "flaky");
  const double rate = t["failure_rate"].get<double>();
  EXPECT_DOUBLE_EQ(rate, t["failures"].get<double>() / 100.0);
  EXPECT_LE(t["failure_rate_ci95"][0].get<double>(), rate);
  EXPECT_GE(t["failure_rate_ci95"][1].get<double>(), rate);
  EXPECT_NE(r.out.find("flaky"), std::string::npos) << r;
}

}  // namespace
}  // namespace e2e
