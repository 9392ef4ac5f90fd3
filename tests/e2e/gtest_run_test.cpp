// deflake run on real GoogleTest binaries (examples/gtest_*.cpp): one target
// per test case, the three strategies, the seed reaching tests with and
// without the adapter, crash attribution, test order, replay.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "discovery/gtest_shuffle.hpp"
#include "support/deflake_test.hpp"

namespace e2e {
namespace {

using GtestRun = DeflakeTest;

const std::string kMixed = DEFLAKE_E2E_EXAMPLES "/gtest_mixed";
const std::string kOrder = DEFLAKE_E2E_EXAMPLES "/gtest_order";
const std::string kCrash = DEFLAKE_E2E_EXAMPLES "/gtest_crash";
const std::string kPlain = DEFLAKE_E2E_EXAMPLES "/gtest_plain";

const nlohmann::json& target_named(const Result& r, const std::string& name) {
  for (const auto& t : r.report.at("targets"))
    if (t.at("name") == name) return t;
  throw std::runtime_error("no target " + name + " in the report");
}

/// Failing run index → (seed, outcome), per target.
std::map<std::string, std::map<std::uint64_t, std::pair<std::uint64_t, std::string>>> failures(
    const Result& r) {
  std::map<std::string, std::map<std::uint64_t, std::pair<std::uint64_t, std::string>>> out;
  for (const auto& t : r.report.at("targets"))
    for (const auto& run : t.at("failed_runs"))
      out[t.at("name")][run.at("run").get<std::uint64_t>()] = {run.at("seed").get<std::uint64_t>(),
                                                               run.at("outcome")};
  return out;
}

/// Runs a replay command line with sh in `dir`; its exit status and output.
Result replay(const std::string& command, const std::string& dir) {
  LaunchOptions options;
  options.argv = {"/bin/sh", "-c", command + " 2>&1"};
  options.stdout_path = dir + "/replay.out";
  options.stderr_path = dir + "/replay.err";
  options.cwd = dir;
  options.kill_after_s = 60;
  Child child(options);
  Result r;
  r.exit = child.wait();
  r.out = read_file(options.stdout_path);
  return r;
}

// The headline: a mixed suite where exactly one test case is flaky
// is reported as such, by name, and every other case has its own verdict.
TEST_F(GtestRun, AMixedSuiteNamesItsOneFlakyTestCase) {
  const Result r = sweep({"-n", "300", "-j", "2", "--seed", "7"}, {kMixed});
  ASSERT_EQ(r.code(), 1) << r;
  EXPECT_EQ(r.report["strategy"], "batched");  // the binary links the adapter
  const auto& targets = r.report.at("targets");
  EXPECT_GE(targets.size(), 8u);
  std::set<std::string> flaky;
  for (const auto& t : targets) {
    EXPECT_EQ(t["runs"], 300) << t["name"];
    EXPECT_EQ(t["argv"].back(), "--gtest_filter=" + t["name"].get<std::string>());
    if (t["verdict"] == "flaky") flaky.insert(t["name"]);
  }
  EXPECT_EQ(flaky, std::set<std::string>{"Parser.RoundTrip"});
  EXPECT_EQ(target_named(r, "Platform.NeedsGpu")["verdict"], "skipped");
  EXPECT_EQ(target_named(r, "Math.Add")["verdict"], "stable-pass");
  // Parameterised and typed tests keep their full names.
  bool param = false;
  for (const auto& t : targets)
    param |= t["name"].get<std::string>().find('/') != std::string::npos;
  EXPECT_TRUE(param);
  // About 10% fail: Binomial(300, 0.1) is in [8, 60] far beyond 4 sd.
  const auto& parser = target_named(r, "Parser.RoundTrip");
  EXPECT_GE(parser["failures"], 8);
  EXPECT_LE(parser["failures"], 60);
  EXPECT_NE(r.out.find("Parser.RoundTrip: flaky"), std::string::npos) << r;
}

// Batched (many seeds per process) and isolated (one per process) runs
// agree on which seeds fail, seed for seed, crashes included.
TEST_F(GtestRun, BatchedAndIsolatedAgreeOnWhichSeedsFail) {
  for (const std::string& binary : {kMixed, kCrash}) {
    const Result batched =
        sweep({"-n", "150", "-j", "2", "--seed", "99", "--strategy", "batched"}, {binary});
    const Result isolated =
        sweep({"-n", "150", "-j", "2", "--seed", "99", "--strategy", "isolated"}, {binary});
    ASSERT_EQ(batched.code(), 1) << batched;
    ASSERT_EQ(isolated.code(), 1) << isolated;
    EXPECT_EQ(batched.report["strategy"], "batched");
    EXPECT_EQ(isolated.report["strategy"], "isolated");
    EXPECT_EQ(failures(batched), failures(isolated)) << binary;
    EXPECT_FALSE(failures(batched).empty());
  }
}

// A crash and an exit(0) in the middle of a test inside a batch are
// attributed to their own seeds (re-run alone), never counted as passes,
// and the runs of the batch after them are not lost.
TEST_F(GtestRun, ACrashInsideABatchIsAttributed) {
  const Result r = sweep({"-n", "200", "-j", "2", "--seed", "5", "--batch-size", "100"}, {kCrash});
  ASSERT_EQ(r.code(), 1) << r;
  for (const std::string name : {"Crash.Sometimes", "Exit.Midway"}) {
    const auto& t = target_named(r, name);
    EXPECT_EQ(t["runs"], 200) << name;
    EXPECT_GE(t["outcomes"]["crash"], 1) << name;
    EXPECT_EQ(t["outcomes"]["crash"], t["failures"]) << name;
    for (const auto& run : t["failed_runs"]) EXPECT_EQ(run["outcome"], "crash");
  }
  EXPECT_EQ(target_named(r, "Crash.Never")["verdict"], "stable-pass");
  // Each failing seed replays alone with the command deflake printed.
  const auto& run = target_named(r, "Crash.Sometimes")["failed_runs"][0];
  const Result again = replay(run["replay"], dir());
  EXPECT_NE(again.code(), 0) << again.out;
}

// A failing seed replays alone, with deflake's replay command and with the
// line the adapter prints by itself, and fails the same way.
TEST_F(GtestRun, AFailingSeedReplaysAlone) {
  const Result r = sweep({"-n", "100", "--seed", "3", "--filter", "Parser.*"}, {kMixed});
  ASSERT_EQ(r.code(), 1) << r;
  ASSERT_EQ(r.report["targets"].size(), 1u);
  const auto& run = r.report["targets"][0]["failed_runs"][0];
  const std::string seed = std::to_string(run["seed"].get<std::uint64_t>());
  const std::string tail = run["output_tail"];
  const std::string adapter_line = line_after(tail, "[ deflake  ] replay: ");
  EXPECT_NE(adapter_line.find("DEFLAKE_SEED=" + seed), std::string::npos) << tail;
  EXPECT_NE(adapter_line.find("--gtest_filter=Parser.RoundTrip"), std::string::npos) << tail;
  // And its token replays it through deflake, on the same test case alone.
  const Result token = deflake({"repro", run["token"].get<std::string>(), "--", kMixed});
  EXPECT_EQ(token.code(), 1) << token;
  EXPECT_NE(token.out.find("reproduced 5/5"), std::string::npos) << token;
  for (const std::string& command : {run["replay"].get<std::string>(), adapter_line}) {
    const Result again = replay(command, dir());
    EXPECT_EQ(again.code(), 1) << command << "\n" << again.out;
    EXPECT_NE(again.out.find("[  FAILED  ] Parser.RoundTrip"), std::string::npos) << again.out;
  }
}

// The order knob: the suite strategy shuffles, the order-dependent victim
// fails only after its polluter, the report keeps each failing run's order,
// and the replay repeats that order.
TEST_F(GtestRun, OrderDependentFailuresKeepTheirOrderAndReplay) {
  const Result unshuffled = sweep({"-n", "40", "--seed", "1", "--strategy", "suite"}, {kOrder});
  EXPECT_EQ(unshuffled.code(), 0) << unshuffled;
  const Result r = sweep({"-n", "100", "-j", "2", "--seed", "1", "--free", "order"}, {kOrder});
  ASSERT_EQ(r.code(), 1) << r;
  EXPECT_EQ(r.report["strategy"], "suite");
  const auto& victim = target_named(r, "Cache.ColdStart");
  EXPECT_EQ(victim["verdict"], "flaky");
  // About half the orders put Cache.Warm first: Binomial(100, 0.5) in [20, 80].
  EXPECT_GE(victim["failures"], 20);
  EXPECT_LE(victim["failures"], 80);
  for (const auto& run : victim["failed_runs"]) {
    const auto order = run["order"].get<std::vector<std::string>>();
    ASSERT_FALSE(order.empty());
    EXPECT_EQ(order.back(), "Cache.ColdStart");
    EXPECT_NE(std::find(order.begin(), order.end(), "Cache.Warm"), order.end());
  }
  const Result again = replay(victim["failed_runs"][0]["replay"], dir());
  EXPECT_EQ(again.code(), 1) << again.out;
  EXPECT_NE(again.out.find("[  FAILED  ] Cache.ColdStart"), std::string::npos) << again.out;
}

// Without the adapter the seed still reaches the test through DEFLAKE_SEED,
// and deflake runs each test case in a process of its own.
TEST_F(GtestRun, AGtestBinaryWithoutTheAdapterGetsTheSeed) {
  const Result r = sweep({"-n", "120", "-j", "2", "--seed", "11"}, {kPlain});
  ASSERT_EQ(r.code(), 1) << r;
  EXPECT_EQ(r.report["strategy"], "isolated");
  const auto& t = target_named(r, "Plain.SeedMod7");
  EXPECT_GE(t["failures"], 3);
  for (const auto& seed : t["failing_seeds"]) EXPECT_EQ(seed.get<std::uint64_t>() % 7, 0u);
  const Result batched = sweep({"-n", "10", "--strategy", "batched"}, {kPlain});
  EXPECT_EQ(batched.code(), 2) << batched;
  EXPECT_NE(batched.err.find("deflake::gtest"), std::string::npos) << batched;
}

// A seed written into the command ({seed}) or into the test's environment
// is set once per process: a batch would hand every iteration the first
// one's. auto runs such a binary one process per run, and --strategy
// batched is refused, saying why.
TEST_F(GtestRun, ASeedInTheCommandOrEnvironmentIsNeverBatched) {
  const std::vector<std::string> options = {"-n", "4", "--seed", "5", "--filter", "Math.Add"};
  const Result plain = sweep(options, {kMixed});
  ASSERT_EQ(plain.code(), 0) << plain;
  EXPECT_EQ(plain.report["strategy"], "batched");  // the adapter is there: batching is the default
  const Result in_argv = sweep(options, {kMixed, "--input_seed={seed}"});
  ASSERT_EQ(in_argv.code(), 0) << in_argv;
  EXPECT_EQ(in_argv.report["strategy"], "isolated");
  EXPECT_EQ(target_named(in_argv, "Math.Add")["runs"], 4);

  std::ofstream(dir() + "/deflake.toml")
      << "[tests.mixed]\ncommand = [\"" << kMixed << "\"]\nkind = \"gtest\"\n"
      << "filter = \"Math.Add\"\nruns = 4\nenv = { ORDER_SEED = \"{gtest_random_seed}\" }\n"
      << "[knobs.pool]\npinned = { env = { POOL_SEED = \"{seed}\" } }\n";
  const Result in_env = deflake({"run", "--json", report_path(), "mixed"});
  ASSERT_EQ(in_env.code(), 0) << in_env;
  EXPECT_EQ(in_env.report["strategy"], "isolated");
  std::vector<std::string> knob = options;
  knob.insert(knob.end(), {"--pin", "pool"});
  const Result in_knob = sweep(knob, {kMixed});
  ASSERT_EQ(in_knob.code(), 0) << in_knob;
  EXPECT_EQ(in_knob.report["strategy"], "isolated");

  std::vector<std::string> batched = options;
  batched.insert(batched.end(), {"--strategy", "batched"});
  const Result refused = sweep(batched, {kMixed, "--input_seed={seed}"});
  EXPECT_EQ(refused.code(), 2) << refused;
  EXPECT_NE(refused.err.find("{seed} in the command's argument '--input_seed={seed}'"),
            std::string::npos)
      << refused;
  const Result refused_env = deflake({"run", "--strategy", "batched", "mixed"});
  EXPECT_EQ(refused_env.code(), 2) << refused_env;
  EXPECT_NE(refused_env.err.find("{gtest_random_seed} in the test's environment"),
            std::string::npos)
      << refused_env;
  // A pinned seed is the same in every run: nothing to lose in a batch.
  batched.insert(batched.end(), {"--pin", "seed"});
  const Result pinned = sweep(batched, {kMixed, "--input_seed={seed}"});
  ASSERT_EQ(pinned.code(), 0) << pinned;
  EXPECT_EQ(pinned.report["strategy"], "batched");
}

// --until-fail applies per test case: the flaky one stops at its first
// failure while the stable ones get every run.
TEST_F(GtestRun, UntilFailStopsEachTestCaseOnItsOwn) {
  const Result r = sweep({"-n", "400", "-j", "2", "--seed", "8", "--until-fail", "--filter",
                          "Parser.*:Math.*", "--strategy", "isolated"},
                         {kMixed});
  ASSERT_EQ(r.code(), 1) << r;
  const auto& parser = target_named(r, "Parser.RoundTrip");
  EXPECT_GE(parser["failures"], 1);
  EXPECT_LE(parser["failures"], 2);  // at most the runs already in flight (-j 2)
  EXPECT_LT(parser["runs"], 150);
  EXPECT_EQ(target_named(r, "Math.Add")["runs"], 400);
}

TEST_F(GtestRun, FilterAndDetectionAreExplicitWhenAsked) {
  const Result none = sweep({"-n", "5", "--filter", "NoSuch.*"}, {kMixed});
  EXPECT_EQ(none.code(), 2) << none;
  EXPECT_NE(none.err.find("no test case"), std::string::npos) << none;
  const Result whole = sweep({"-n", "5", "--no-gtest", "--seed", "1"}, {kMixed});
  EXPECT_EQ(whole.report["targets"].size(), 1u) << whole;
  EXPECT_EQ(whole.report["targets"][0]["name"], kMixed);
  const Result not_gtest = sweep({"-n", "5", "--filter", "X.*"}, {"/bin/true"});
  EXPECT_EQ(not_gtest.code(), 2) << not_gtest;
}

// GoogleTest's shuffle is a function of its seed that deflake predicts (to
// choose orders instead of drawing them): the prediction matches the order
// the binaries really run, for every seed tried.
TEST_F(GtestRun, TheShuffledOrderIsPredictedFromTheSeed) {
  auto lines = [&](const std::string& command) {
    std::vector<std::string> out;
    std::istringstream in(replay(command, dir()).out);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  };
  for (const std::string& binary : {kMixed, kOrder}) {
    // --gtest_list_tests: "Suite." lines, then "  Test  # comment" lines.
    std::vector<std::string> listing;
    std::string suite;
    for (std::string line : lines(binary + " --gtest_list_tests")) {
      if (line.empty()) continue;
      if (line[0] != ' ') {
        suite = line.substr(0, line.find(' '));
        continue;
      }
      line = line.substr(2);
      listing.push_back(suite + line.substr(0, line.find(' ')));
    }
    ASSERT_GE(listing.size(), 5u) << binary;
    // The tests a shuffled run ran, in order.
    auto ran = [&](std::uint32_t seed, const std::string& filter) {
      std::vector<std::string> out;
      const std::string kRun = "[ RUN      ] ";
      for (const std::string& line :
           lines(binary + " --gtest_shuffle --gtest_random_seed=" + std::to_string(seed) +
                 (filter.empty() ? "" : " --gtest_filter=" + filter) + " 2>&1"))
        if (line.rfind(kRun, 0) == 0) out.push_back(line.substr(kRun.size()));
      return out;
    };
    for (std::uint32_t seed : {1u, 2u, 77u, 4242u, 99999u}) {
      EXPECT_EQ(ran(seed, ""), deflake::gtest_shuffled_order(listing, seed))
          << binary << " seed " << seed;
      // Filtered, the tests left run in the order of the whole shuffle:
      // GoogleTest shuffles every registered test, then skips.
      const std::string first = listing.front(), last = listing.back();
      std::vector<std::string> predicted;
      for (const std::string& test : deflake::gtest_shuffled_order(listing, seed))
        if (test == first || test == last) predicted.push_back(test);
      EXPECT_EQ(ran(seed, first + ":" + last), predicted) << binary << " seed " << seed;
    }
  }
}

}  // namespace
}  // namespace e2e
