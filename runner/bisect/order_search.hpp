// Cause `order`: a test case that fails only after certain other tests ran
// in the same process. Finds the smallest set of polluters by delta
// debugging over the tests that ran before the victim in a failing order.
//
// The question for a set S: does the victim fail when every test of S runs
// before it? Each run shuffles S and the victim (GoogleTest's own shuffle,
// with seeds chosen so that S comes first where the oracle can predict the
// order), and only runs in which all of S came first count. One failing run
// says yes; "no" is screened while searching and proven for the claims the
// answer rests on (each polluter is needed: without it, no failure), with
// the rounds, screens and claims of diagnosis.hpp. With one polluter the
// claim ("alone, it does not fail") is sized from the victim's failure rate
// under shuffling (its screening's k-th failure): at most its rate with the
// polluter first, so the claim only errs long. With two or more, each claim
// ("without this one, under a third of the rate with them all first") is
// sized from that rate's own fresh runs to their k-th failure. First of all
// the victim must fail after the whole set: else the order is not the cause.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bisect/diagnosis.hpp"

namespace deflake {

/// One run of a filtered suite: whether the victim failed, and which tests ran before it.
struct OrderRun {
  std::optional<bool> victim_failed;  // nullopt: the victim did not run (or was skipped)
  std::vector<std::string> before;
};

class OrderOracle {
 public:
  virtual ~OrderOracle() = default;
  /// Runs the tests `tests` (victim included) in one shuffled process per seed.
  virtual std::vector<OrderRun> run(const std::vector<std::string>& tests,
                                    const std::vector<std::uint64_t>& seeds) = 0;
  virtual bool interrupted() const { return false; }
  /// The tests of `tests` predicted to run before the victim (the last of
  /// them) in its run with `seed`, where the oracle can tell (GoogleTest's
  /// shuffle is a function of its seed); nullopt where it cannot. The search
  /// spends its runs on seeds whose order it needs, and still counts a run
  /// by the order it reports.
  virtual std::optional<std::vector<std::string>> predicted_before(
      const std::vector<std::string>& tests, std::uint64_t seed) const {
    (void)tests, (void)seed;
    return std::nullopt;
  }
  /// Whether runs of `tests` shuffle them (else they run in the order the
  /// binary declares them, every run alike): the evidence says which.
  virtual bool shuffles(const std::vector<std::string>& tests) const {
    (void)tests;
    return true;
  }
};

struct OrderSearch {
  std::optional<std::vector<std::string>> polluters;  // nullopt: undecided, or not order
  // The victim does not fail after the tests that ran before it in the
  // failing order, or nothing did, or it fails with nothing before it: the
  // order is not the cause.
  bool not_order = false;
  std::vector<EvidenceRow> evidence;  // per set asked about: `tests`, the victim last
  std::uint64_t total_runs = 0;
  std::optional<std::uint64_t> repro_seed;  // a failing run with the polluters only
  std::string undecided_claim;
  std::uint64_t runs_needed = 0;
};

/// The victim's runs in shuffled suites: its failure rate there, over how
/// many runs, and the run (1-based, in run order) of its
/// kBaselineFailures-th failure (0: it had fewer), which sizes claims with
/// the exact test of diagnosis.hpp.
struct ShuffledRate {
  double rate = 0;
  std::uint64_t runs = 0;
  std::uint64_t runs_to_kth = 0;
  // Runs of the victim alone, made before the search (a GoogleTest
  // binary's screening), all passing: the runs of the claim "it does not
  // fail with nothing before it", which the search did not choose.
  std::uint64_t clean_alone = 0;
};

/// Searches the polluters of `victim` among `before` (the tests that ran
/// before it in a failing order).
OrderSearch find_polluters(OrderOracle& oracle, const std::string& victim,
                           const std::vector<std::string>& before, const ShuffledRate& shuffled,
                           const BisectOptions& options);

}  // namespace deflake
