// GtestSource's three strategies against a simulated GoogleTest binary:
// which processes they start, and how each process's results come back as
// runs of the right test case with the right seed.
#include "exec/gtest_source.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "deflake/seed_derivation.hpp"
#include "exec/sweep.hpp"
#include "fake_gtest.hpp"

namespace deflake {
namespace {

const std::vector<std::string> kTests = {"Math.Add", "Parser.RoundTrip", "Crash.Sometimes",
                                         "Exit.Midway", "Platform.Skip"};

/// A binary whose flakiness is a known function of each test's seed.
FakeBehaviour mixed(const std::string& name, std::uint64_t seed, const std::vector<std::string>&) {
  if (name == "Parser.RoundTrip") return seed % 7 == 0 ? FakeBehaviour::fail : FakeBehaviour::pass;
  if (name == "Crash.Sometimes") return seed % 9 == 0 ? FakeBehaviour::crash : FakeBehaviour::pass;
  if (name == "Exit.Midway")
    return seed % 11 == 0 ? FakeBehaviour::exit_mid_test : FakeBehaviour::pass;
  if (name == "Platform.Skip") return FakeBehaviour::skip;
  return FakeBehaviour::pass;
}

SweepPlan plan_of(std::optional<std::uint64_t> runs, unsigned jobs = 2) {
  SweepPlan plan;
  plan.target_name = "./t";
  plan.argv = {"./t"};
  plan.master_seed = 4242;
  plan.master_seed_given = true;
  plan.runs = runs;
  plan.jobs = jobs;
  return plan;
}

struct Sweep {
  SweepResult result;
  std::vector<RunSpec> started;
};

Sweep sweep(const SweepPlan& plan, GtestStrategy strategy, bool adapter = true,
            FakeGtestBinary::Model model = mixed, std::vector<std::string> tests = kTests,
            std::uint64_t batch_size = 0, bool leak = false) {
  FakeGtestBinary binary(tests, adapter, std::move(model));
  binary.leak = leak;
  GtestWork work;
  work.command = {"./t"};
  work.tests = tests;
  work.strategy = strategy;
  work.batch_size = batch_size;
  GtestSource source(plan, work);
  SweepListener quiet;
  Sweep out{run_sweep(plan, source, binary, quiet), binary.started};
  return out;
}

const TargetResult& target(const SweepResult& r, const std::string& name) {
  for (const auto& t : r.targets)
    if (t.name() == name) return t;
  throw std::runtime_error("no target " + name);
}

/// Failing run indices with their outcome, per test case.
std::map<std::string, std::map<std::uint64_t, Outcome>> failures(const SweepResult& r) {
  std::map<std::string, std::map<std::uint64_t, Outcome>> out;
  for (const auto& t : r.targets)
    for (const auto& run : t.failed_runs()) out[t.name()][run.index] = run.outcome;
  return out;
}

/// What the model says run `index` of `name` does.
FakeBehaviour expected(const std::string& name, std::uint64_t index) {
  return mixed(name, child_seed(run_seed(4242, index), name), {});
}

TEST(GtestSource, IsolatedRunsEachTestCaseAloneWithTheSweepsSeeds) {
  const Sweep s = sweep(plan_of(60), GtestStrategy::isolated);
  EXPECT_EQ(s.result.strategy, "isolated");
  ASSERT_EQ(s.result.targets.size(), kTests.size());
  EXPECT_EQ(s.started.size(), 60 * kTests.size());  // one process per run
  for (const auto& spec : s.started) {
    EXPECT_EQ(spec.seed, run_seed(4242, spec.index));
    EXPECT_EQ(
        std::count_if(spec.argv.begin(), spec.argv.end(),
                      [](const std::string& a) { return a.rfind("--gtest_filter=", 0) == 0; }),
        1);
  }
  for (const auto& name : kTests) {
    const TargetResult& t = target(s.result, name);
    EXPECT_EQ(t.runs(), 60u) << name;
    for (std::uint64_t i = 0; i < 60; ++i) {
      const FakeBehaviour b = expected(name, i);
      const auto f = failures(s.result)[name];
      const bool fails = b == FakeBehaviour::fail || b == FakeBehaviour::crash ||
                         b == FakeBehaviour::exit_mid_test;
      EXPECT_EQ(f.count(i) == 1, fails) << name << " run " << i;
    }
  }
  EXPECT_EQ(target(s.result, "Platform.Skip").count(Outcome::skip), 60u);
}

TEST(GtestSource, ExitInTheMiddleOfATestIsNeverAPass) {
  // RELIABILITY case 21: exit(0) mid-test leaves no report; with or without
  // the adapter, the run counts as a crash.
  for (bool adapter : {true, false}) {
    const Sweep s = sweep(plan_of(80), GtestStrategy::isolated, adapter);
    const TargetResult& t = target(s.result, "Exit.Midway");
    std::uint64_t want = 0;
    for (std::uint64_t i = 0; i < 80; ++i)
      want += expected("Exit.Midway", i) == FakeBehaviour::exit_mid_test;
    ASSERT_GT(want, 0u);
    EXPECT_EQ(t.count(Outcome::crash), want) << "adapter " << adapter;
    for (const auto& run : t.failed_runs()) EXPECT_FALSE(run.note.empty());
  }
}

TEST(GtestSource, BatchedAndIsolatedAgreeSeedForSeed) {
  const Sweep isolated = sweep(plan_of(300), GtestStrategy::isolated);
  for (std::uint64_t batch : {0u, 1u, 7u, 300u}) {
    const Sweep batched = sweep(plan_of(300), GtestStrategy::batched, true, mixed, kTests, batch);
    EXPECT_EQ(batched.result.strategy, "batched");
    EXPECT_EQ(failures(batched.result), failures(isolated.result)) << "batch " << batch;
    for (const auto& name : kTests)
      EXPECT_EQ(target(batched.result, name).runs(), 300u) << name << " batch " << batch;
    if (batch == 300u) {
      EXPECT_LT(batched.started.size(), isolated.started.size() / 10);
    }
  }
}

TEST(GtestSource, ACrashInABatchIsRerunAloneAndAttributed) {
  const Sweep s = sweep(plan_of(200), GtestStrategy::batched, true, mixed, {"Crash.Sometimes"}, 50);
  const TargetResult& t = target(s.result, "Crash.Sometimes");
  EXPECT_EQ(t.runs(), 200u);  // nothing lost, nothing counted twice
  std::set<std::uint64_t> crashing;
  for (std::uint64_t i = 0; i < 200; ++i)
    if (expected("Crash.Sometimes", i) == FakeBehaviour::crash) crashing.insert(i);
  ASSERT_GE(crashing.size(), 5u);
  std::set<std::uint64_t> reported;
  for (const auto& run : t.failed_runs()) {
    EXPECT_EQ(run.outcome, Outcome::crash);
    EXPECT_EQ(run.seed, run_seed(4242, run.index));
    reported.insert(run.index);
  }
  EXPECT_EQ(reported, crashing);
  // Each crashing seed ran once more in a process of its own.
  std::set<std::uint64_t> alone;
  for (const auto& spec : s.started) {
    const bool batch = std::any_of(spec.argv.begin(), spec.argv.end(), [](const std::string& a) {
      return a.rfind("--gtest_repeat=", 0) == 0;
    });
    if (!batch) alone.insert(spec.index);
  }
  EXPECT_EQ(alone, crashing);
}

TEST(GtestSource, ACrashAfterEveryIterationEndedSendsTheBatchToIsolatedRuns) {
  auto model = [](const std::string&, std::uint64_t seed, const std::vector<std::string>&) {
    return seed % 5 == 0 ? FakeBehaviour::crash_at_exit : FakeBehaviour::pass;
  };
  const Sweep s = sweep(plan_of(40), GtestStrategy::batched, true, model, {"T.A"}, 10);
  const TargetResult& t = target(s.result, "T.A");
  EXPECT_EQ(t.runs(), 40u);
  std::uint64_t want = 0;
  for (std::uint64_t i = 0; i < 40; ++i) want += child_seed(run_seed(4242, i), "T.A") % 5 == 0;
  EXPECT_EQ(t.count(Outcome::crash), want);
}

TEST(GtestSource, UntilFailStopsOnlyTheTestCaseThatFailed) {
  for (GtestStrategy strategy :
       {GtestStrategy::isolated, GtestStrategy::batched, GtestStrategy::suite}) {
    SweepPlan plan = plan_of(400, 1);
    plan.until_fail = true;
    const Sweep s = sweep(plan, strategy, true, mixed, {"Math.Add", "Parser.RoundTrip"});
    const TargetResult& flaky = target(s.result, "Parser.RoundTrip");
    // A batch runs to its end, so it may hold a second failure; the others stop at one.
    if (strategy == GtestStrategy::batched) {
      EXPECT_GE(flaky.failures(), 1u);
    } else {
      EXPECT_EQ(flaky.failures(), 1u) << to_string(strategy);
    }
    EXPECT_LT(flaky.runs(), 100u) << to_string(strategy);
    EXPECT_EQ(target(s.result, "Math.Add").runs(), 400u) << to_string(strategy);
  }
}

TEST(GtestSource, SuiteRunsEveryTestPerProcessAndKeepsTheOrderOfFailures) {
  // Cache.ColdStart fails when Cache.Warm ran before it in the same process.
  auto model = [](const std::string& name, std::uint64_t, const std::vector<std::string>& before) {
    const bool polluted = std::find(before.begin(), before.end(), "Cache.Warm") != before.end();
    return name == "Cache.ColdStart" && polluted ? FakeBehaviour::fail : FakeBehaviour::pass;
  };
  const std::vector<std::string> tests = {"Cache.ColdStart", "A.One", "Cache.Warm", "B.Two"};
  SweepPlan plan = plan_of(100);
  const Sweep unshuffled = sweep(plan, GtestStrategy::suite, true, model, tests);
  EXPECT_EQ(unshuffled.started.size(), 100u);
  EXPECT_EQ(target(unshuffled.result, "Cache.ColdStart").failures(), 0u);

  plan.freed = {find_knob("order")};
  for (bool adapter : {true, false}) {
    const Sweep s = sweep(plan, GtestStrategy::suite, adapter, model, tests);
    const TargetResult& victim = target(s.result, "Cache.ColdStart");
    EXPECT_GT(victim.failures(), 20u);
    EXPECT_LT(victim.failures(), 80u);
    for (const auto& name : tests) EXPECT_EQ(target(s.result, name).runs(), 100u);
    for (const auto& run : victim.failed_runs()) {
      ASSERT_FALSE(run.order.empty());
      EXPECT_EQ(run.order.back(), "Cache.ColdStart");
      EXPECT_NE(std::find(run.order.begin(), run.order.end(), "Cache.Warm"), run.order.end());
      EXPECT_NE(run.replay.find("GTEST_RANDOM_SEED="), std::string::npos);
    }
  }
}

TEST(GtestSource, ACrashInASuiteIsBlamedOnTheTestItHappenedIn) {
  const Sweep s = sweep(plan_of(150), GtestStrategy::suite);
  const TargetResult& crash = target(s.result, "Crash.Sometimes");
  for (const auto& run : crash.failed_runs()) {
    EXPECT_EQ(run.outcome, Outcome::crash);
    EXPECT_EQ(expected("Crash.Sometimes", run.index), FakeBehaviour::crash);
  }
  // Tests before the crash keep their passes; Math.Add runs first every time.
  EXPECT_EQ(target(s.result, "Math.Add").runs(), 150u);
  EXPECT_EQ(target(s.result, "Math.Add").failures(), 0u);
}

TEST(GtestSource, AReportedPassFollowedByACrashIsACrash) {
  auto model = [](const std::string&, std::uint64_t, const std::vector<std::string>&) {
    return FakeBehaviour::crash_at_exit;
  };
  const Sweep s = sweep(plan_of(5), GtestStrategy::isolated, false, model, {"T.A"});
  EXPECT_EQ(target(s.result, "T.A").count(Outcome::crash), 5u);
}

TEST(GtestSource, AReportCutShortIsACrash) {
  // RELIABILITY case 21: the binary crashed while writing its JSON report.
  auto model = [](const std::string& name, std::uint64_t, const std::vector<std::string>&) {
    return name == "T.Torn" ? FakeBehaviour::torn_report : FakeBehaviour::pass;
  };
  // A batch writes no JSON report (it costs more than a fast test); there, a
  // crash while writing output shows as a signal, which the batch tests cover.
  for (GtestStrategy strategy : {GtestStrategy::isolated, GtestStrategy::suite}) {
    for (bool adapter : {true, false}) {
      const Sweep s = sweep(plan_of(6), strategy, adapter, model, {"T.Torn"});
      const TargetResult& t = target(s.result, "T.Torn");
      EXPECT_EQ(t.runs(), 6u) << to_string(strategy) << " adapter " << adapter;
      EXPECT_EQ(t.count(Outcome::crash), 6u) << to_string(strategy) << " adapter " << adapter;
    }
  }
}

// A process that left a grandchild behind is one leak, whatever it ran: it
// is marked on the last run the process recorded (the one it was in when
// it exited), never copied to every iteration of a batch or every member
// of a suite.
TEST(GtestSource, ALeakyProcessMarksOneRun) {
  auto pass = [](const std::string&, std::uint64_t, const std::vector<std::string>&) {
    return FakeBehaviour::pass;
  };
  const std::vector<std::string> tests = {"A.One", "B.Two", "C.Three"};
  const Sweep isolated =
      sweep(plan_of(6), GtestStrategy::isolated, true, pass, tests, 0, /*leak=*/true);
  for (const auto& name : tests) EXPECT_EQ(target(isolated.result, name).leaky_runs(), 6u) << name;

  const Sweep batched = sweep(plan_of(40), GtestStrategy::batched, true, pass, {"A.One"}, 10, true);
  ASSERT_EQ(batched.started.size(), 4u);
  const TargetResult& a = target(batched.result, "A.One");
  EXPECT_EQ(a.runs(), 40u);
  EXPECT_EQ(a.leaky_runs(), 4u);  // one per process, not one per iteration

  const Sweep suite = sweep(plan_of(5), GtestStrategy::suite, true, pass, tests, 0, true);
  ASSERT_EQ(suite.started.size(), 5u);
  EXPECT_EQ(target(suite.result, "A.One").leaky_runs(), 0u);
  EXPECT_EQ(target(suite.result, "B.Two").leaky_runs(), 0u);
  EXPECT_EQ(target(suite.result, "C.Three").leaky_runs(), 5u);  // the last to run in each
}

}  // namespace
}  // namespace deflake

namespace deflake {
namespace {

// A suite run keeps the order of the tests up to it only where it is used:
// on failing runs, and on every run of the test cases asked for (bisect's
// order search reads the victim's passing runs too). Every run of a K-test
// suite keeping its prefix would copy O(K²) names per process.
TEST(GtestSource, SuiteRunsKeepTheirOrderOnlyWhereItIsUsed) {
  auto model = [](const std::string& name, std::uint64_t seed, const std::vector<std::string>&) {
    return name == "A.One" && seed % 2 == 0 ? FakeBehaviour::fail : FakeBehaviour::pass;
  };
  const std::vector<std::string> tests = {"A.One", "B.Two", "C.Three"};
  SweepPlan plan = plan_of(20);
  plan.freed = {find_knob("order")};
  FakeGtestBinary binary(tests, true, model);
  GtestWork work;
  work.command = {"./t"};
  work.tests = tests;
  work.strategy = GtestStrategy::suite;
  work.order_kept_for = {"C.Three"};
  GtestSource source(plan, work);
  struct Orders final : SweepListener {
    std::map<std::string, std::vector<RunRecord>> runs;
    void on_run_end(const RunRecord& record, const TargetResult& so_far) override {
      runs[so_far.name()].push_back(record);
    }
  } seen;
  run_sweep(plan, source, binary, seen);
  ASSERT_EQ(seen.runs["A.One"].size(), 20u);
  std::size_t failed = 0;
  for (const RunRecord& run : seen.runs["A.One"]) {
    failed += is_failure(run.outcome);
    EXPECT_EQ(run.order.empty(), !is_failure(run.outcome));
    if (!run.order.empty()) {
      EXPECT_EQ(run.order.back(), "A.One");
    }
  }
  EXPECT_GT(failed, 0u);
  for (const RunRecord& run : seen.runs["B.Two"]) EXPECT_TRUE(run.order.empty());
  ASSERT_EQ(seen.runs["C.Three"].size(), 20u);
  for (const RunRecord& run : seen.runs["C.Three"]) {
    ASSERT_FALSE(run.order.empty());
    EXPECT_EQ(run.order.back(), "C.Three");
  }
}

}  // namespace
}  // namespace deflake
