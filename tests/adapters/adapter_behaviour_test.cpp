// The GoogleTest adapter (deflake::gtest) watched from outside: a fixture
// binary that links it is run as a real process, and its report lines,
// results file, replay lines and exit status are checked against the seed
// contract computed here from <deflake/seed_derivation.hpp>.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "deflake/results_protocol.hpp"
#include "deflake/seed.hpp"
#include "run_process.hpp"

namespace {

namespace fs = std::filesystem;
using adapter_test::Finished;
using adapter_test::read_file;
using adapter_test::run_process;
using Env = std::vector<std::pair<std::string, std::string>>;

const std::string kFixture = ADAPTER_FIXTURE;
const std::string kFixtureExtra = ADAPTER_FIXTURE_EXTRA;
constexpr std::uint64_t kSeed = 4503599627370917;  // a 16-digit seed, as deflake draws them

/// One `report` line of the fixture.
struct Report {
  int iteration = 0;
  std::uint64_t run_seed = 0, test_seed = 0, drawn = 0;
  int c_drawn = 0;
  std::string name;
};

std::vector<Report> reports_of(const std::string& out) {
  std::vector<Report> reports;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("report ", 0) != 0) continue;
    std::istringstream fields(line.substr(7));
    Report r;
    fields >> r.iteration >> r.run_seed >> r.test_seed >> r.drawn >> r.c_drawn >> r.name;
    reports.push_back(r);
  }
  return reports;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// The replay lines in a run's output.
std::vector<std::string> replay_lines(const std::string& out) {
  std::vector<std::string> found;
  for (const auto& line : lines_of(out)) {
    if (line.rfind("[ deflake  ] replay: ", 0) == 0) found.push_back(line);
  }
  return found;
}

/// The first rng() and rand() values a test with this seed must see.
void expect_generators_seeded(const Report& r) {
  std::mt19937_64 expected(r.test_seed);
  EXPECT_EQ(r.drawn, expected()) << r.name;
  std::srand(static_cast<unsigned>(r.test_seed ^ (r.test_seed >> 32)));
  EXPECT_EQ(r.c_drawn, std::rand()) << r.name;
}

/// A temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "deflake-adapter-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::string record(const char* kind, std::uint64_t iteration, std::uint64_t run_seed,
                   const std::string& name, const char* outcome = nullptr) {
  std::string line = std::string(kind) + "\t" + std::to_string(iteration) + "\t" +
                     std::to_string(run_seed) + "\t" +
                     std::to_string(deflake::child_seed(run_seed, name)) + "\t";
  if (outcome != nullptr) line += std::string(outcome) + "\t";
  return line + name;
}

TEST(AdapterSeeds, AreAPureFunctionOfRunSeedAndFullName) {
  const std::string filter = "--gtest_filter=Seeds.*:Prefix/*:Typed/*:Extra.*";
  const Finished plain = run_process({kFixture, filter}, {{"DEFLAKE_SEED", std::to_string(kSeed)}});
  const Finished extra =
      run_process({kFixtureExtra, filter}, {{"DEFLAKE_SEED", std::to_string(kSeed)}});
  ASSERT_EQ(plain.exit_code, 0) << plain.out;
  ASSERT_EQ(extra.exit_code, 0) << extra.out;

  std::map<std::string, std::uint64_t> seeds;
  for (const Report& r : reports_of(plain.out)) {
    EXPECT_EQ(r.run_seed, kSeed);
    EXPECT_EQ(r.test_seed, deflake::child_seed(kSeed, r.name)) << r.name;
    seeds[r.name] = r.test_seed;
  }
  const std::set<std::string> expected_names = {
      "Seeds.First",          "Seeds.Second",    "Seeds.Third",    "Prefix/Param.Value/0",
      "Prefix/Param.Value/1", "Typed/0.Reports", "Typed/1.Reports"};
  std::set<std::string> names;
  for (const auto& [name, seed] : seeds) names.insert(name);
  EXPECT_EQ(names, expected_names);

  // One more test in the binary, or fewer run: no other seed moves.
  std::size_t common = 0;
  for (const Report& r : reports_of(extra.out)) {
    if (r.name == "Extra.Added") continue;
    EXPECT_EQ(r.test_seed, seeds[r.name]) << r.name;
    ++common;
  }
  EXPECT_EQ(common, seeds.size());
  const Finished alone = run_process({kFixture, "--gtest_filter=Seeds.Third"},
                                     {{"DEFLAKE_SEED", std::to_string(kSeed)}});
  ASSERT_EQ(reports_of(alone.out).size(), 1u);
  EXPECT_EQ(reports_of(alone.out)[0].test_seed, seeds["Seeds.Third"]);
}

TEST(AdapterSeeds, DefaultToSeedOneWithoutDeflake) {
  const Finished first = run_process({kFixture, "--gtest_filter=Seeds.*"}, {});
  const Finished second = run_process({kFixture, "--gtest_filter=Seeds.*"}, {});
  ASSERT_EQ(first.exit_code, 0);
  ASSERT_EQ(reports_of(first.out).size(), 3u);
  for (const Report& r : reports_of(first.out)) {
    EXPECT_EQ(r.run_seed, deflake::kDefaultSeed);
    EXPECT_EQ(r.test_seed, deflake::child_seed(deflake::kDefaultSeed, r.name));
  }
  std::vector<std::string> first_lines, second_lines;  // report lines only: timings differ
  for (const Report& r : reports_of(first.out))
    first_lines.push_back(r.name + std::to_string(r.drawn));
  for (const Report& r : reports_of(second.out))
    second_lines.push_back(r.name + std::to_string(r.drawn));
  EXPECT_EQ(first_lines, second_lines);
}

TEST(AdapterSeeds, EachRepeatIterationGetsTheNextRunSeed) {
  const Finished run = run_process({kFixture, "--gtest_filter=Seeds.First", "--gtest_repeat=4"},
                                   {{"DEFLAKE_SEED", std::to_string(kSeed)}});
  ASSERT_EQ(run.exit_code, 0);
  const auto reports = reports_of(run.out);
  ASSERT_EQ(reports.size(), 4u);
  std::set<std::uint64_t> distinct;
  for (std::size_t j = 0; j < reports.size(); ++j) {
    EXPECT_EQ(reports[j].iteration, static_cast<int>(j));
    EXPECT_EQ(reports[j].run_seed, deflake::iteration_seed(std::nullopt, 0, kSeed, j, false));
    EXPECT_EQ(reports[j].test_seed, deflake::child_seed(reports[j].run_seed, "Seeds.First"));
    distinct.insert(reports[j].run_seed);
  }
  EXPECT_EQ(reports[0].run_seed, kSeed);  // iteration 0 replays DEFLAKE_SEED itself
  EXPECT_EQ(distinct.size(), 4u);
}

TEST(AdapterSeeds, APinnedSeedHoldsForEveryIteration) {
  const Finished run = run_process({kFixture, "--gtest_filter=Seeds.First", "--gtest_repeat=3"},
                                   {{"DEFLAKE_SEED", std::to_string(kSeed)},
                                    {"DEFLAKE_MASTER_SEED", "99"},
                                    {"DEFLAKE_PINNED", "order,seed"}});
  ASSERT_EQ(reports_of(run.out).size(), 3u);
  for (const Report& r : reports_of(run.out)) EXPECT_EQ(r.run_seed, kSeed);
}

TEST(AdapterSeeds, GeneratorsAreReseededPerTestWhateverTheOrder) {
  std::map<std::string, std::uint64_t> drawn_by_name;
  std::set<std::string> orders;
  for (int shuffle_seed = 1; shuffle_seed <= 4; ++shuffle_seed) {
    const Finished run =
        run_process({kFixture, "--gtest_filter=Seeds.*:Prefix/*:Typed/*", "--gtest_shuffle",
                     "--gtest_random_seed=" + std::to_string(shuffle_seed)},
                    {{"DEFLAKE_SEED", std::to_string(kSeed)}});
    ASSERT_EQ(run.exit_code, 0);
    std::string order;
    for (const Report& r : reports_of(run.out)) {
      expect_generators_seeded(r);
      order += r.name + " ";
      if (!drawn_by_name.count(r.name)) drawn_by_name[r.name] = r.drawn;
      EXPECT_EQ(drawn_by_name[r.name], r.drawn) << r.name << " drew differently in another order";
    }
    orders.insert(order);
  }
  EXPECT_GT(orders.size(), 1u) << "--gtest_shuffle never changed the order";
}

TEST(AdapterResultsFile, FollowsTheProtocolLineByLine) {
  TempDir dir;
  const std::string path = dir / "results";
  const std::uint64_t master = 20261123, first_run = 40;
  const Finished run = run_process(
      {kFixture, "--gtest_filter=Outcomes.Pass:Outcomes.Fail:Outcomes.Skip:SetUpFails.*",
       "--gtest_repeat=3"},
      {{"DEFLAKE_RESULTS", path},
       {"DEFLAKE_MASTER_SEED", std::to_string(master)},
       {"DEFLAKE_RUN", std::to_string(first_run)},
       {"DEFLAKE_SEED", std::to_string(deflake::run_seed(master, first_run))}});
  EXPECT_EQ(run.exit_code, 1);

  std::string expected = std::string(deflake::results::kHeader) + "\n";
  for (std::uint64_t j = 0; j < 3; ++j) {
    const std::uint64_t seed = deflake::run_seed(master, first_run + j);
    ASSERT_EQ(seed, deflake::iteration_seed(master, first_run, 0, j, false));
    for (const auto& [name, outcome] :
         std::vector<std::pair<std::string, const char*>>{{"Outcomes.Pass", "pass"},
                                                          {"Outcomes.Fail", "fail"},
                                                          {"Outcomes.Skip", "skip"},
                                                          {"SetUpFails.Test", "fail"}}) {
      expected += record("start", j, seed, name) + "\n";
      expected += record("end", j, seed, name, outcome) + "\n";
    }
  }
  EXPECT_EQ(read_file(path), expected);
}

TEST(AdapterResultsFile, AppendsToWhatIsThere) {
  TempDir dir;
  const std::string path = dir / "results";
  for (int i = 0; i < 2; ++i) {
    run_process({kFixture, "--gtest_filter=Seeds.First"},
                {{"DEFLAKE_RESULTS", path}, {"DEFLAKE_SEED", std::to_string(kSeed)}});
  }
  const std::string one = std::string(deflake::results::kHeader) + "\n" +
                          record("start", 0, kSeed, "Seeds.First") + "\n" +
                          record("end", 0, kSeed, "Seeds.First", "pass") + "\n";
  EXPECT_EQ(read_file(path), one + one);
}

TEST(AdapterResultsFile, ExitInMidTestLeavesAStartWithoutEnd) {
  TempDir dir;
  const std::string path = dir / "results";
  const Finished run =
      run_process({kFixture, "--gtest_filter=Seeds.First:Exit.Midway"},
                  {{"DEFLAKE_RESULTS", path}, {"DEFLAKE_SEED", "7"}, {"FIXTURE_EXIT", "1"}});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(read_file(path), std::string(deflake::results::kHeader) + "\n" +
                                 record("start", 0, 7, "Seeds.First") + "\n" +
                                 record("end", 0, 7, "Seeds.First", "pass") + "\n" +
                                 record("start", 0, 7, "Exit.Midway") + "\n");
}

TEST(AdapterResultsFile, ADeathTestChildWritesNothing) {
  TempDir dir;
  const std::string path = dir / "results";
  const Finished run = run_process({kFixture, "--gtest_filter=Death.*"},
                                   {{"DEFLAKE_RESULTS", path}, {"DEFLAKE_SEED", "7"}});
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(read_file(path), std::string(deflake::results::kHeader) + "\n" +
                                 record("start", 0, 7, "Death.ExitsWithThree") + "\n" +
                                 record("end", 0, 7, "Death.ExitsWithThree", "pass") + "\n");
}

TEST(AdapterReplay, OneLinePerFailureThatFailsAgainWithTheSameSeed) {
  // A path with a space, so the replay line must quote it to work.
  TempDir dir;
  fs::create_directory(dir / "with space");
  const std::string program = dir / "with space/fixture";
  fs::copy_file(kFixture, program);
  const Finished run = run_process({program, "--gtest_filter=Seeds.*:Outcomes.Pass:Outcomes.Fail"},
                                   {{"DEFLAKE_SEED", std::to_string(kSeed)}});
  EXPECT_EQ(run.exit_code, 1);
  const auto lines = replay_lines(run.out);
  ASSERT_EQ(lines.size(), 1u) << run.out;
  EXPECT_EQ(lines[0], "[ deflake  ] replay: DEFLAKE_SEED=" + std::to_string(kSeed) + " '" +
                          program + "' --gtest_filter=Outcomes.Fail");

  const std::string command = lines[0].substr(std::string("[ deflake  ] replay: ").size());
  const Finished replay = run_process({"/bin/sh", "-c", command}, {});
  EXPECT_EQ(replay.exit_code, 1) << replay.out;
  const auto reports = reports_of(replay.out);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].name, "Outcomes.Fail");
  EXPECT_EQ(reports[0].test_seed, deflake::child_seed(kSeed, "Outcomes.Fail"));
}

TEST(AdapterReplay, ReplaysTheFailingIterationOfARepeatedBatch) {
  // Under a master seed, iteration j runs with run_seed(master, first + j);
  // the test fails for odd test seeds. Find a master whose batch has both.
  const int iterations = 6;
  std::uint64_t master = 1;
  std::vector<std::uint64_t> failing;
  for (;; ++master) {
    failing.clear();
    for (int j = 0; j < iterations; ++j) {
      const std::uint64_t seed = deflake::run_seed(master, j);
      if (deflake::child_seed(seed, "Outcomes.FailsForOddSeeds") % 2 == 1) failing.push_back(seed);
    }
    if (failing.size() >= 2 && failing.size() < iterations) break;
  }
  const Finished run =
      run_process({kFixture, "--gtest_filter=Outcomes.FailsForOddSeeds",
                   "--gtest_repeat=" + std::to_string(iterations)},
                  {{"DEFLAKE_MASTER_SEED", std::to_string(master)}, {"DEFLAKE_RUN", "0"}});
  EXPECT_EQ(run.exit_code, 1);
  const auto lines = replay_lines(run.out);
  ASSERT_EQ(lines.size(), failing.size()) << run.out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string command = lines[i].substr(std::string("[ deflake  ] replay: ").size());
    EXPECT_EQ(command, "DEFLAKE_SEED=" + std::to_string(failing[i]) + " " + kFixture +
                           " --gtest_filter=Outcomes.FailsForOddSeeds");
    const Finished replay = run_process({"/bin/sh", "-c", command}, {});
    EXPECT_EQ(replay.exit_code, 1);
    ASSERT_EQ(reports_of(replay.out).size(), 1u);
    EXPECT_EQ(reports_of(replay.out)[0].test_seed,
              deflake::child_seed(failing[i], "Outcomes.FailsForOddSeeds"));
  }
}

TEST(AdapterReplay, PassingAndSkippedTestsPrintNone) {
  const Finished run =
      run_process({kFixture, "--gtest_filter=Seeds.*:Outcomes.Pass:Outcomes.Skip"}, {});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_TRUE(replay_lines(run.out).empty()) << run.out;
}

TEST(AdapterMarker, IsInTheBinary) {
  EXPECT_NE(read_file(kFixture).find(deflake::results::kAdapterMarker), std::string::npos);
}

}  // namespace
