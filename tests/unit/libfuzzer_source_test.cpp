// LibFuzzerSource against a simulated libFuzzer: the fake launcher "runs" a
// spec by writing the artifacts libFuzzer would into the folder its
// -artifact_prefix names, and answers the verification of an artifact as
// the test says.
#include "exec/libfuzzer_source.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>

#include "exec/sweep.hpp"
#include "fake_launcher.hpp"

namespace deflake {
namespace {

namespace fs = std::filesystem;

TEST(LibFuzzerSeed, NeverZeroAndWrapsAt32Bits) {
  EXPECT_EQ(libfuzzer_seed(0), 1u);
  EXPECT_EQ(libfuzzer_seed(1), 2u);
  EXPECT_EQ(libfuzzer_seed(4294967294u), 4294967295u);  // the largest libFuzzer seed
  EXPECT_EQ(libfuzzer_seed(4294967295u), 1u);           // 2^32 - 1 wraps to 1, not 0
  EXPECT_EQ(libfuzzer_seed(4294967296u), 2u);
  EXPECT_EQ(libfuzzer_seed(~std::uint64_t{0}), 1u);  // 2^64 - 1 is a multiple of 2^32 - 1
  for (std::uint64_t seed = 1'000'000'000'000'000; seed < 1'000'000'000'100'000; seed += 7) {
    EXPECT_NE(libfuzzer_seed(seed), 0u) << seed;
    EXPECT_EQ(libfuzzer_seed(seed), 1 + seed % 4294967295u) << seed;
  }
  static_assert(libfuzzer_seed(4503599627370495) == libfuzzer_seed(4503599627370495));
}

TEST(LibFuzzerReplayArgv, KeepsOnlyWhatRunningOneInputNeeds) {
  const std::vector<std::string> argv = {
      "./fuzz",     "-runs=1000",        "corpus/",
      "-seed=5",    "-max_len=64",       "-artifact_prefix=a",
      "--jobs=4",   "-dict=words.dict",  "-timeout=5",
      "-fork=2",    "-max_total_time=9", "-exact_artifact_path=x",
      "-workers=3", "-merge=1",          "seeds/"};
  EXPECT_EQ(libfuzzer_replay_argv(argv),
            (std::vector<std::string>{"./fuzz", "-max_len=64", "-dict=words.dict", "-timeout=5"}));
}

SweepPlan plan_of(std::uint64_t runs, unsigned jobs) {
  SweepPlan plan;
  plan.target_name = "./fuzz -runs=100";
  plan.argv = {"./fuzz", "-runs=100", "-seed=3"};
  plan.master_seed = 1234;
  plan.master_seed_given = true;
  plan.runs = runs;
  plan.jobs = jobs;
  return plan;
}

/// The value of `-name=` in argv, or "".
std::string flag_value(const RunSpec& spec, const std::string& name) {
  for (const auto& arg : spec.argv)
    if (arg.rfind("-" + name + "=", 0) == 0) return arg.substr(name.size() + 2);
  return "";
}

bool is_verification(const RunSpec& spec) {
  return spec.argv.back()[0] != '-';
}

struct NullListener final : SweepListener {};

/// A fuzzing run writes `kind-<index>` into its artifact folder when
/// `fails(spec)` says a kind; a verification answers `reproduces(spec)`.
class Fixture : public ::testing::Test {
 protected:
  void SetUp() override { work_.artifacts_dir = kept_.path() + "/artifacts"; }

  SweepResult sweep(const SweepPlan& plan, std::function<std::string(const RunSpec&)> fails,
                    std::function<Outcome(const RunSpec&)> reproduces) {
    launcher_ = std::make_unique<FakeLauncher>([=, this](const RunSpec& spec) {
      if (is_verification(spec)) {
        verifications.push_back(spec);
        return reproduces(spec);
      }
      const std::string folder = flag_value(spec, "artifact_prefix");
      folders.push_back(folder);
      const std::string kind = fails(spec);
      if (kind.empty()) return Outcome::pass;
      if (kind == "none") return Outcome::fail;  // failed, no artifact
      std::ofstream(folder + kind + "-" + std::to_string(spec.index)) << "input";
      return Outcome::fail;
    });
    source_ = std::make_unique<LibFuzzerSource>(plan, work_);
    NullListener listener;
    return run_sweep(plan, *source_, *launcher_, listener);
  }

  TempRoot kept_;
  LibFuzzerWork work_;
  std::unique_ptr<FakeLauncher> launcher_;
  std::unique_ptr<LibFuzzerSource> source_;
  std::vector<RunSpec> verifications;
  std::vector<std::string> folders;
};

using LibFuzzerSourceTest = Fixture;

TEST_F(LibFuzzerSourceTest, PassesTheSeedAndAFolderPerRun) {
  const SweepPlan plan = plan_of(5, 2);
  const SweepResult r = sweep(
      plan, [](const RunSpec&) { return ""; }, [](const RunSpec&) { return Outcome::pass; });
  ASSERT_EQ(launcher_->started.size(), 5u);
  EXPECT_EQ(source_->planned_runs(), 5u);
  for (const RunSpec& spec : launcher_->started) {
    EXPECT_EQ(flag_value(spec, "seed"), std::to_string(libfuzzer_seed(spec.seed)));
    // The user's -seed gives way to the run's; everything else is kept.
    EXPECT_EQ(std::count_if(spec.argv.begin(), spec.argv.end(),
                            [](const std::string& a) { return a.rfind("-seed=", 0) == 0; }),
              1);
    EXPECT_EQ(spec.argv[1], "-runs=100");
  }
  for (std::size_t i = 0; i < folders.size(); ++i) {
    ASSERT_FALSE(folders[i].empty());
    EXPECT_EQ(folders[i].back(), '/');
  }
  EXPECT_EQ(r.targets.at(0).runs(), 5u);
  EXPECT_EQ(r.targets.at(0).failures(), 0u);
  EXPECT_TRUE(verifications.empty());
  EXPECT_FALSE(fs::exists(work_.artifacts_dir)) << "nothing to keep, nothing made";
}

TEST_F(LibFuzzerSourceTest, KeepsTheArtifactAndSaysItReproduces) {
  const SweepPlan plan = plan_of(4, 2);
  const SweepResult r = sweep(
      plan, [](const RunSpec& s) { return s.index == 1 ? "crash" : ""; },
      [](const RunSpec&) { return Outcome::fail; });
  const TargetResult& t = r.targets.at(0);
  EXPECT_EQ(t.runs(), 4u) << "the verification is not a run";
  ASSERT_EQ(t.failures(), 1u);
  ASSERT_EQ(verifications.size(), 1u);
  EXPECT_EQ(launcher_->started.size(), 5u);
  const RunRecord run = t.failed_runs().at(0);
  EXPECT_EQ(run.outcome, Outcome::crash) << "libFuzzer's crash artifact names a crash";
  const std::string kept = fmt::format("{}/{}-crash-1", work_.artifacts_dir, run.seed);
  EXPECT_EQ(run.artifact, kept);
  EXPECT_TRUE(fs::exists(kept));
  EXPECT_EQ(run.note, fmt::format("libFuzzer -seed={}; artifact {}; the artifact reproduces the "
                                  "crash when run alone",
                                  libfuzzer_seed(run.seed), kept));
  EXPECT_EQ(run.replay, fmt::format("DEFLAKE_SEED={} DEFLAKE_PINNED='' DEFLAKE_RUN=1 ./fuzz {}",
                                    run.seed, kept));
  // The verification runs the artifact alone, with the run's environment,
  // without -runs (libFuzzer would repeat the input) or -seed.
  const RunSpec& verify = verifications.front();
  EXPECT_EQ(verify.argv.back(), kept);
  EXPECT_EQ(verify.seed, run.seed);
  EXPECT_EQ(flag_value(verify, "runs"), "");
  EXPECT_EQ(flag_value(verify, "seed"), "");
  EXPECT_NE(flag_value(verify, "artifact_prefix"), "");
  // The per-run folders are gone with the source's temporary root.
  const std::string folder = folders.front();
  source_.reset();
  EXPECT_FALSE(fs::exists(folder));
  EXPECT_TRUE(fs::exists(kept)) << "kept artifacts are never removed";
}

TEST_F(LibFuzzerSourceTest, AnArtifactThatPassesAloneIsUnreproducible) {
  const SweepPlan plan = plan_of(3, 1);
  const SweepResult r = sweep(
      plan, [](const RunSpec&) { return "crash"; }, [](const RunSpec&) { return Outcome::pass; });
  const TargetResult& t = r.targets.at(0);
  ASSERT_EQ(t.failures(), 3u);
  for (const RunRecord& run : t.failed_runs())
    EXPECT_NE(run.note.find("; UNREPRODUCIBLE: the artifact " + run.artifact +
                            " passes when run alone — the failure depends on state beyond the "
                            "input (a previous input, timing, or memory layout)"),
              std::string::npos)
        << run.note;
}

TEST_F(LibFuzzerSourceTest, AFailureWithoutAnArtifactSaysSo) {
  const SweepPlan plan = plan_of(2, 1);
  const SweepResult r = sweep(
      plan, [](const RunSpec& s) { return s.index == 0 ? "none" : ""; },
      [](const RunSpec&) { return Outcome::fail; });
  const TargetResult& t = r.targets.at(0);
  ASSERT_EQ(t.failures(), 1u);
  const RunRecord run = t.failed_runs().at(0);
  EXPECT_EQ(run.outcome, Outcome::fail);
  EXPECT_TRUE(run.artifact.empty());
  EXPECT_NE(run.note.find("the run failed without leaving an artifact"), std::string::npos);
  EXPECT_TRUE(verifications.empty());
  // Its replay is the fuzzing run itself, with the same libFuzzer seed.
  EXPECT_NE(run.replay.find(fmt::format("-seed={}", libfuzzer_seed(run.seed))), std::string::npos)
      << run.replay;
}

TEST_F(LibFuzzerSourceTest, LibFuzzersErrorExitCodeIsAFailureNotASkip) {
  const SweepPlan plan = plan_of(2, 1);
  FakeLauncher launcher([](const RunSpec&) { return Outcome::skip; });  // exit 77
  LibFuzzerSource source(plan, work_);
  NullListener listener;
  const SweepResult r = run_sweep(plan, source, launcher, listener);
  EXPECT_EQ(r.targets.at(0).failures(), 2u);
  EXPECT_EQ(r.targets.at(0).count(Outcome::skip), 0u);
}

TEST_F(LibFuzzerSourceTest, LeakArtifactsAreKeptToo) {
  const SweepPlan plan = plan_of(1, 1);
  const SweepResult r = sweep(
      plan, [](const RunSpec&) { return "leak"; }, [](const RunSpec&) { return Outcome::fail; });
  const RunRecord run = r.targets.at(0).failed_runs().at(0);
  EXPECT_EQ(run.outcome, Outcome::fail);
  EXPECT_NE(run.artifact.find("-leak-0"), std::string::npos);
  EXPECT_NE(run.note.find("the artifact reproduces the leak when run alone"), std::string::npos);
}

TEST_F(LibFuzzerSourceTest, UntilFailStillVerifiesTheFailure) {
  SweepPlan plan = plan_of(100, 1);
  plan.until_fail = true;
  const SweepResult r = sweep(
      plan, [](const RunSpec& s) { return s.index == 3 ? "crash" : ""; },
      [](const RunSpec&) { return Outcome::fail; });
  EXPECT_EQ(r.targets.at(0).runs(), 4u);
  ASSERT_EQ(r.targets.at(0).failures(), 1u);
  EXPECT_EQ(verifications.size(), 1u);
  EXPECT_NE(r.targets.at(0).failed_runs().at(0).note.find("reproduces"), std::string::npos);
}

TEST_F(LibFuzzerSourceTest, AnInterruptedVerificationStillReportsTheFailure) {
  const SweepPlan plan = plan_of(4, 2);
  // Runs 0 and 1 start; run 0 fails; its verification starts (3 starts);
  // then the user interrupts.
  launcher_ = nullptr;
  FakeLauncher launcher([&](const RunSpec& spec) {
    if (!is_verification(spec) && spec.index == 0)
      std::ofstream(flag_value(spec, "artifact_prefix") + "crash-0") << "input";
    return !is_verification(spec) && spec.index == 0 ? Outcome::fail : Outcome::pass;
  });
  launcher.interrupt_after_starts = {3};
  LibFuzzerSource source(plan, work_);
  NullListener listener;
  const SweepResult r = run_sweep(plan, source, launcher, listener);
  EXPECT_TRUE(r.interrupted);
  ASSERT_EQ(r.targets.at(0).failures(), 1u);
  EXPECT_NE(r.targets.at(0).failed_runs().at(0).note.find("not verified"), std::string::npos);
}

}  // namespace
}  // namespace deflake
