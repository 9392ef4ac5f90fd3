// The diagnosis of one target: why it is flaky, decided from runs under
// chosen knob configurations, each decision a statistical test.
//
// What is decided, and how (confidence C, default 0.95; α = 1 − C):
//  - The baseline: every knob free, seeds varied, until the verdict is
//    clear (enough failures to estimate the rate p, or none: stable-pass,
//    or all: stable-fail). Cause `none` for stable targets.
//  - "Configuration K fails": one failing run proves it; no test needed.
//  - "Pinning S removes the failures": zero failures in n runs where
//    (1 − p_L/3)^n ≤ α/2 and p_L is the baseline rate's lower confidence
//    bound at 1 − α/2. Under the null (pinning S does not remove them; it
//    may lower the rate, as running copies one at a time lowers a race's,
//    but not three-fold) the rate is ≥ p_L/3 except with probability α/2,
//    and then n clean runs happen with probability ≤ α/2: the claim is
//    wrong with probability ≤ α (a union bound). n adapts to the observed rate (about 3/p at 95%),
//    and a claim stops at its first failure. Runs with seeds that failed in the baseline go first:
//    under the null each fails with probability at least p (exactly p when seeds do not matter,
//    more when they do), so they only make the test harder to pass — and they expose seed-dependent
//    causes at once.
//  - Culprits: ddmin over the pinned side finds a smallest set M whose
//    pinning removes the failures. |M| ≥ 2: each culprit alone causes
//    failures (requires "any"), confirmed by freeing each alone. |M| = 1:
//    ddmin over the free side finds the smallest set F whose freeing alone
//    brings failures back; |F| ≥ 2 means failures need every member free
//    (requires "all").
//  - No knob removes them (every knob pinned, failures go on): replay
//    failing seeds with every knob pinned. Each failing seed failing r
//    times in a row, with p_U^r ≤ α (p_U the rate's upper bound: the chance
//    a seed-independent flake repeats), and passing seeds passing again:
//    cause `seed`. A failing seed that passes on replay: cause `unknown`.
//  - A claim the budget (--max-runs) cannot settle: cause `undecided`,
//    with the runs the open claim still needs. Never a guess.
// The knob search never includes `seed` (seeds keep varying) nor `order`
// (which has its own search).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stats/stats.hpp"

namespace deflake {

/// Runs the target under a knob configuration. The bisect engine talks to
/// targets only through this, so it is tested against simulated targets.
class BisectOracle {
 public:
  virtual ~BisectOracle() = default;
  /// Runs the target once per seed, with the knobs in `pinned` pinned and
  /// every other candidate free. Returns, per seed, whether the run failed
  /// (nullopt: skipped or interrupted, not counted).
  virtual std::vector<std::optional<bool>> run(const std::vector<std::string>& pinned,
                                               const std::vector<std::uint64_t>& seeds) = 0;
  /// True once the user interrupted: the engine stops asking.
  virtual bool interrupted() const { return false; }
};

struct BisectOptions {
  double confidence = 0.95;
  std::uint64_t max_runs = 10000;  // every run the diagnosis may use
  std::uint64_t master_seed = 1;   // fresh seeds: run_seed(master_seed, i)
  unsigned batch = 8;              // runs asked of the oracle at once (about -j × 4)
};

/// One configuration's runs: evidence for the report.
struct EvidenceRow {
  std::vector<std::string> pinned;
  std::vector<std::string> free;
  std::uint64_t runs = 0;
  std::uint64_t failures = 0;
  std::string claim;  // what it was run to decide, in words
};

struct Diagnosis {
  Verdict verdict = Verdict::stable_pass;
  std::string cause = "none";  // seed | knobs | order | unknown | undecided | none
  std::vector<std::string> culprits;
  std::vector<std::string> polluters;  // cause order: the tests that must run first
  std::string requires_;               // "any" | "all" | "" (not a knob cause)
  std::optional<bool> seed_dependent;  // knob and seed causes
  std::uint64_t baseline_runs = 0, baseline_failures = 0;
  std::vector<EvidenceRow> evidence;
  std::uint64_t total_runs = 0;
  std::string undecided_claim;    // cause undecided: the claim left open
  std::uint64_t runs_needed = 0;  // and the runs it still needs
  // The run that reproduces it: a failing seed and the knobs pinned for it.
  std::optional<std::uint64_t> repro_seed;
  std::vector<std::string> repro_pinned;
  double repro_rate = 0;           // the failure rate of that configuration
  std::vector<std::string> notes;  // lines for the human summary ("seeds do not matter: ...")
};

/// Diagnoses one target. `candidates`: the knobs to search (names, sorted),
/// never `seed` or `order`.
Diagnosis diagnose(BisectOracle& oracle, const std::vector<std::string>& candidates,
                   const BisectOptions& options);

/// Zero-failure runs needed to rule out failure rate `p` at `alpha`.
std::uint64_t clean_runs_needed(double p, double alpha);

}  // namespace deflake
