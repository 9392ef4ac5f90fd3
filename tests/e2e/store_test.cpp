// The store end to end: a sweep keeps every failure, `deflake repro` replays
// the newest (or one by ID) and says whether it reproduced, concurrent
// sweeps lose nothing, a deflake killed mid-sweep leaves a readable store,
// and a replay on another environment says what differs.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/deflake_test.hpp"

namespace e2e {
namespace {

using Store = DeflakeTest;
namespace fs = std::filesystem;

std::size_t records_in(const std::string& store) {
  if (!fs::exists(store + "/failures")) return 0;
  std::size_t n = 0;
  for (const auto& entry : fs::directory_iterator(store + "/failures"))
    n += entry.path().extension() == ".json";
  return n;
}

std::size_t lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST_F(Store, ASeedFailureRoundTripsThroughTheStore) {
  const Result swept = sweep({"-n", "60", "--seed", "9"}, {kSeedFail, "4", "1"});
  ASSERT_EQ(swept.code(), 1) << swept;
  const std::size_t failures = swept.target()["failures"];
  EXPECT_EQ(records_in(dir() + "/.deflake"), failures);
  // The report names where each failing run was kept.
  for (const auto& run : swept.target()["failed_runs"]) {
    ASSERT_TRUE(run["store_id"].is_string()) << run;
    EXPECT_TRUE(
        fs::exists(dir() + "/.deflake/failures/" + run["store_id"].get<std::string>() + ".json"));
  }
  const Result listed = deflake({"store", "list"});
  EXPECT_EQ(listed.code(), 0) << listed;
  EXPECT_EQ(lines(listed.out), failures + 1) << listed;  // a header line
  EXPECT_TRUE(listed.err.empty()) << listed;
  const Result newest = deflake({"repro"});
  EXPECT_EQ(newest.code(), 1) << newest;
  EXPECT_NE(newest.out.find("reproduced 5/5"), std::string::npos) << newest;
  // One by (a prefix of) its ID, shown and removed.
  const std::string id = listed.out.substr(listed.out.find('\n') + 1, 12);
  const Result by_id = deflake({"repro", id, "--runs", "3"});
  EXPECT_NE(by_id.out.find("reproduced 3/3"), std::string::npos) << by_id;
  const Result shown = deflake({"store", "show", id});
  EXPECT_EQ(shown.code(), 0) << shown;
  EXPECT_NE(shown.out.find("DEFLAKE_SEED="), std::string::npos) << shown;
  EXPECT_EQ(deflake({"store", "rm", id}).code(), 0);
  EXPECT_EQ(records_in(dir() + "/.deflake"), failures - 1);
  EXPECT_EQ(deflake({"repro", "ffffffffffff"}).code(), 2);
}

TEST_F(Store, ANondeterministicFailureDoesNotReproduceEveryTime) {
  const Result swept = sweep({"-n", "30", "--seed", "2"},
                             {"/bin/sh", "-c", "test $(od -An -N1 -tu1 /dev/urandom) -lt 128"});
  ASSERT_EQ(swept.code(), 1) << swept;
  const Result r = deflake({"repro", "--runs", "30"});
  EXPECT_EQ(r.code(), 1) << r;  // P(30 replays alike) = 2^-29
  EXPECT_NE(r.out.find("nondeterminism beyond the seed"), std::string::npos) << r;
}

// RELIABILITY 15 through the program: four sweeps at once, one store.
TEST_F(Store, FourConcurrentSweepsLoseNothing) {
  std::vector<std::unique_ptr<Child>> children;
  for (int i = 0; i < 4; ++i)
    children.push_back(
        start({"run", "-q", "-n", "120", "-j", "2", "--seed", std::to_string(100 + i), "--json",
               dir() + "/r" + std::to_string(i) + ".json", "--", kSeedFail, "3", "0"}));
  std::size_t failures = 0;
  for (int i = 0; i < 4; ++i) {
    const Result r = finish(*children[i]);
    EXPECT_EQ(r.code(), 1) << r;
    std::ifstream in(dir() + "/r" + std::to_string(i) + ".json");
    failures += nlohmann::json::parse(in)["targets"][0]["failures"].get<std::size_t>();
  }
  EXPECT_GT(failures, 40u);
  EXPECT_EQ(records_in(dir() + "/.deflake"), failures);
  const Result listed = deflake({"store", "list"});
  EXPECT_EQ(lines(listed.out), failures + 1) << listed;
  EXPECT_TRUE(listed.err.empty()) << listed;
}

// RELIABILITY 14 through the program: SIGKILL mid-sweep leaves a store
// that lists and shows, with no warning.
TEST_F(Store, ADeflakeKilledMidSweepLeavesAReadableStore) {
  auto child = start({"run", "-q", "-n", "100000", "-j", "2", "--", "/bin/sh", "-c", "exit 1"});
  ASSERT_TRUE(eventually([&] { return records_in(dir() + "/.deflake") >= 20; }, 60));
  child->send(SIGKILL);
  finish(*child);
  const Result listed = deflake({"store", "list"});
  EXPECT_EQ(listed.code(), 0) << listed;
  EXPECT_GE(lines(listed.out), 21u);
  EXPECT_TRUE(listed.err.empty()) << listed;
  const std::string id = listed.out.substr(listed.out.find('\n') + 1, 12);
  EXPECT_EQ(deflake({"store", "show", id}).code(), 0);
}

// A failure recorded elsewhere: repro says what differs, field by field.
TEST_F(Store, ReproSaysWhatDiffersFromTheRecordedEnvironment) {
  const Result swept = sweep({"-n", "40", "--seed", "9"}, {kSeedFail, "4", "1"});
  ASSERT_EQ(swept.code(), 1) << swept;
  for (const auto& entry : fs::directory_iterator(dir() + "/.deflake/failures")) {
    std::ifstream in(entry.path());
    nlohmann::json record = nlohmann::json::parse(in);
    record["manifest"]["compiler"] = "gcc 1.0.0";
    std::ofstream(entry.path()) << record.dump(2);
  }
  const Result r = deflake({"repro"});
  EXPECT_NE(r.err.find("recorded on gcc 1.0.0"), std::string::npos) << r;
  EXPECT_NE(r.out.find("reproduced 5/5"), std::string::npos) << r;
}

// The first failing log of a target is kept whole, beyond what the
// capture keeps in memory (head and tail): the log people debug from.
TEST_F(Store, TheFirstFailureOfATargetKeepsItsWholeOutput) {
  const Result swept = sweep({"-n", "2", "-j", "1"}, {kOutput, "1000000", "lines", "1"});
  ASSERT_EQ(swept.code(), 1) << swept;
  std::vector<nlohmann::json> records;
  for (const auto& entry : fs::directory_iterator(dir() + "/.deflake/failures")) {
    std::ifstream in(entry.path());
    records.push_back(nlohmann::json::parse(in));
  }
  ASSERT_EQ(records.size(), 2u);
  int whole = 0;
  for (const auto& record : records) {
    if (record["full_output_file"].is_null()) continue;
    ++whole;
    std::ifstream in(dir() + "/.deflake/" + record["full_output_file"].get<std::string>());
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str().size(), 1000000u);
    EXPECT_EQ(text.str().rfind("<HEAD>", 0), 0u);
    EXPECT_EQ(text.str().find("bytes omitted"), std::string::npos);
    EXPECT_NE(text.str().find("<TAIL>"), std::string::npos);
    EXPECT_LT(record["output_tail"].get<std::string>().size(), 100000u);
  }
  EXPECT_EQ(whole, 1) << "only the first failure of the target keeps it whole";
}

}  // namespace
}  // namespace e2e
