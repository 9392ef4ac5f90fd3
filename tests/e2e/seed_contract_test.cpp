// The seed contract of DESIGN.md, end to end: what a run sees (DEFLAKE_SEED,
// DEFLAKE_RUN, DEFLAKE_PINNED, `{seed}`, its own TMPDIR) and that a master
// seed repeats a sweep exactly.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <set>

#include "support/deflake_test.hpp"

namespace e2e {
namespace {

using SeedContract = DeflakeTest;

constexpr std::uint64_t kSeedLow = 1'000'000'000'000'000ull;  // 10^15
constexpr std::uint64_t kSeedHigh = 1ull << 53;

std::vector<std::uint64_t> failing_seeds(const Result& r) {
  return r.target().at("failing_seeds").get<std::vector<std::uint64_t>>();
}

// fixture_seed_fail 4 1 fails exactly when DEFLAKE_SEED % 4 == 1: every
// failing seed obeys the rule, each run saw the seed the report names, the
// failure count is plausible for p = 1/4, and the same master seed repeats
// the same failing seeds.
TEST_F(SeedContract, SeedDependentFailuresFollowTheSeedAndRepeat) {
  const std::vector<std::string> options = {"-n", "200", "-j", "2", "--seed", "12345"};
  const Result r = sweep(options, {kSeedFail, "4", "1"});
  ASSERT_EQ(r.code(), 1) << r;
  EXPECT_EQ(r.target()["runs"], 200);
  EXPECT_EQ(r.target()["verdict"], "flaky");
  EXPECT_EQ(r.report["master_seed"], 12345);
  const auto seeds = failing_seeds(r);
  // Binomial(200, 1/4): mean 50, sd 6.1; [20, 85] is beyond 4.9 sd either way.
  EXPECT_GE(seeds.size(), 20u);
  EXPECT_LE(seeds.size(), 85u);
  EXPECT_EQ(r.target()["failures"], seeds.size());
  EXPECT_EQ(r.outcomes()["fail"], seeds.size());
  EXPECT_EQ(r.outcomes()["pass"], 200 - seeds.size());
  EXPECT_EQ(std::set<std::uint64_t>(seeds.begin(), seeds.end()).size(), seeds.size())
      << "seeds repeat";
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    const auto& run = r.failed_run(i);
    EXPECT_EQ(seeds[i] % 4, 1u) << "seed " << seeds[i] << " failed but the fixture passes it";
    EXPECT_GE(seeds[i], kSeedLow);
    EXPECT_LT(seeds[i], kSeedHigh);
    EXPECT_EQ(run["seed"], seeds[i]);
    EXPECT_EQ(run["output_tail"], "seed=" + std::to_string(seeds[i]) + "\n")
        << "the run saw another seed";
  }
  const Result again = sweep(options, {kSeedFail, "4", "1"});
  EXPECT_EQ(failing_seeds(again), seeds) << "--seed 12345 did not repeat the sweep";
  const Result other = sweep({"-n", "200", "-j", "2", "--seed", "54321"}, {kSeedFail, "4", "1"});
  EXPECT_NE(failing_seeds(other), seeds) << "another master seed gave the same run seeds";
}

// Without --seed, the drawn master seed is printed and repeats the sweep.
TEST_F(SeedContract, DrawnMasterSeedIsPrintedAndRepeatsTheSweep) {
  const Result first = sweep({"-n", "40"}, {kSeedFail, "3", "0"});
  ASSERT_EQ(first.code(), 1) << first;
  const std::string seed = digits_before(first.err, " repeats this sweep");
  ASSERT_FALSE(seed.empty()) << first;
  EXPECT_NE(first.err.find("--seed " + seed + " repeats this sweep"), std::string::npos) << first;
  EXPECT_EQ(first.report["master_seed"], std::stoull(seed));
  const Result again = sweep({"-n", "40", "--seed", seed}, {kSeedFail, "3", "0"});
  EXPECT_EQ(failing_seeds(again), failing_seeds(first));
}

// `{seed}` in the command's arguments becomes the run's seed, also inside a word.
TEST_F(SeedContract, SeedPlaceholderInArgumentsIsReplaced) {
  const Result r = sweep({"-n", "5"}, {"sh", "-c", "echo \"$1 $2 $DEFLAKE_SEED\"; exit 1", "sh",
                                       "{seed}", "--seed={seed}"});
  ASSERT_EQ(r.code(), 1) << r;
  ASSERT_EQ(r.target()["failed_runs"].size(), 5u);
  for (const auto& run : r.target()["failed_runs"]) {
    const std::string seed = std::to_string(run["seed"].get<std::uint64_t>());
    EXPECT_EQ(run["output_tail"], seed + " --seed=" + seed + " " + seed + "\n");
  }
  EXPECT_EQ(r.target()["argv"][4], "{seed}") << "the report keeps the command as given";
}

// DEFLAKE_RUN numbers the runs 0..n-1; DEFLAKE_PINNED lists the pinned knobs.
TEST_F(SeedContract, RunIndexAndPinnedKnobsAreInTheEnvironment) {
  const Result r = sweep({"-n", "10", "-j", "2"},
                         {"sh", "-c", "echo \"$DEFLAKE_RUN [$DEFLAKE_PINNED]\"; exit 1"});
  ASSERT_EQ(r.code(), 1) << r;
  ASSERT_EQ(r.target()["failed_runs"].size(), 10u);
  std::set<int> indexes;
  for (const auto& run : r.target()["failed_runs"]) {
    const int index = run["run"].get<int>();
    indexes.insert(index);
    EXPECT_EQ(run["output_tail"], std::to_string(index) + " []\n");
  }
  EXPECT_EQ(indexes, (std::set<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));

  const Result pinned = sweep({"-n", "3", "--pin", "threads,seed"},
                              {"sh", "-c", "echo \"[$DEFLAKE_PINNED] $OMP_NUM_THREADS\"; exit 1"});
  ASSERT_EQ(pinned.code(), 1) << pinned;
  for (const auto& run : pinned.target()["failed_runs"])
    EXPECT_EQ(run["output_tail"], "[seed,threads] 1\n");
  const auto seeds = failing_seeds(pinned);
  ASSERT_EQ(seeds.size(), 3u);
  EXPECT_EQ(seeds[0], seeds[1]) << "a pinned seed is the same for every run";
  EXPECT_EQ(seeds[1], seeds[2]);
}

// Every run gets its own empty TMPDIR, removed afterwards (with whatever the
// test put in it, read-only folders included).
TEST_F(SeedContract, EachRunGetsItsOwnEmptyTmpdirRemovedAfterwards) {
  const Result r =
      sweep({"-n", "8", "-j", "2"},
            {"sh", "-c",
             "echo \"$TMPDIR\"; ls -A \"$TMPDIR\" | wc -l; touch \"$TMPDIR/f\"; "
             "mkdir -p \"$TMPDIR/d/e\"; touch \"$TMPDIR/d/e/g\"; chmod 500 \"$TMPDIR/d\"; exit 1"});
  ASSERT_EQ(r.code(), 1) << r;
  ASSERT_EQ(r.target()["failed_runs"].size(), 8u);
  std::set<std::string> folders;
  for (const auto& run : r.target()["failed_runs"]) {
    const std::string out = run["output_tail"].get<std::string>();
    const std::string folder = out.substr(0, out.find('\n'));
    EXPECT_EQ(out.substr(folder.size() + 1), "0\n") << "TMPDIR was not empty: " << out;
    EXPECT_EQ(folder.rfind(temp_root() + "/", 0), 0u) << folder << " is not under deflake's TMPDIR";
    EXPECT_FALSE(std::filesystem::exists(folder)) << folder << " was not removed";
    folders.insert(folder);
  }
  EXPECT_EQ(folders.size(), 8u) << "runs shared a TMPDIR";
  EXPECT_TRUE(std::filesystem::is_empty(temp_root())) << "deflake left files in its TMPDIR";
}

// --until-fail stops launching at the first failure: with one job, the
// failing run is the last one.
TEST_F(SeedContract, UntilFailStopsAtTheFirstFailure) {
  const Result r = sweep({"--until-fail", "-j", "1", "--seed", "7"}, {kSeedFail, "3", "0"});
  ASSERT_EQ(r.code(), 1) << r;
  EXPECT_EQ(r.target()["failures"], 1) << r;
  const std::uint64_t runs = r.target()["runs"].get<std::uint64_t>();
  EXPECT_EQ(r.failed_run()["run"].get<std::uint64_t>(), runs - 1);
  EXPECT_EQ(r.failed_run()["seed"].get<std::uint64_t>() % 3, 0u);

  const Result capped =
      sweep({"--until-fail", "-n", "1000", "-j", "2", "--seed", "7"}, {kSeedFail, "3", "0"});
  ASSERT_EQ(capped.code(), 1) << capped;
  EXPECT_LT(capped.target()["runs"].get<std::uint64_t>(), 100u) << "it did not stop early";
}

// Exit code 77 means skip; skips leave the failure rate's denominator.
TEST_F(SeedContract, ExitCode77IsSkip) {
  const Result r = sweep({"-n", "3"}, {"sh", "-c", "exit 77"});
  ASSERT_EQ(r.code(), 0) << r;
  EXPECT_EQ(r.outcomes()["skip"], 3);
  EXPECT_EQ(r.target()["verdict"], "skipped");
  EXPECT_TRUE(r.target()["failure_rate"].is_null());

  const Result other = sweep({"-n", "2", "--skip-exit-code", "5"}, {"sh", "-c", "exit 5"});
  EXPECT_EQ(other.outcomes()["skip"], 2) << other;
  const Result none = sweep({"-n", "2", "--no-skip-exit-code"}, {"sh", "-c", "exit 77"});
  EXPECT_EQ(none.code(), 1) << none;
  EXPECT_EQ(none.outcomes()["fail"], 2) << none;
}

}  // namespace
}  // namespace e2e
