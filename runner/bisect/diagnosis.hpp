// The diagnosis of one target: why it is flaky, decided from runs under
// chosen knob configurations, each decision a statistical test.
//
// What is decided, and how (confidence C, default 0.95; α = 1 − C):
//  - The baseline: every knob free, seeds varied, until the verdict is
//    clear (enough failures to estimate the rate p, or none: stable-pass,
//    or all: stable-fail). Cause `none` for stable targets.
//  - "Configuration K fails": one failing run proves it; no test needed.
//  - "Pinning S removes the failures": zero failures in m runs, m sized so
//    that the claim is wrong with probability ≤ α. The null hypothesis is
//    that pinning S leaves a rate q ≥ p/3 (it may lower the rate, as
//    running copies one at a time lowers a race's, but not three-fold; p
//    the rate with every knob free). The baseline ran until its k-th
//    failure, at run N; m = ⌈c·N⌉ with c = 3(α^(−1/k) − 1). Under the null
//    the chance of m clean runs is E[(1 − q)^(cN)] ≤ E[z^N] with
//    z = e^(−cp/3), and N's generating function (pz / (1 − (1 − p)z))^k is
//    at most (1 + c/3)^(−k) = α because e^x − 1 ≥ x: a test on both
//    samples at once, exact for every p, and about half the runs of a
//    union bound over p's interval and the clean runs. (A baseline cut
//    short by the budget falls back to that union bound: (1 − p_L/3)^m ≤
//    α/2, p_L the rate's lower bound at 1 − α/2.) m adapts to the observed
//    rate (about 1.5·N at k = 8, 95%, in the first round), and a claim stops
//    at its first failure. Its runs use fresh seeds: the baseline's failing
//    seeds are no random sample of a configuration with knobs pinned.
//  - Screens and claims: the search asks many questions and the diagnosis
//    rests on few. A question "does K fail?" is screened: "no" after the
//    clean runs that the baseline's rate would break with probability 0.05.
//    Only the claims the answer rests on run to full length (m above), and
//    the premises of ddmin (a false one sends it through every subset).
//    Screens never become claims: a claim counts only the runs made since
//    it was asked (earlier runs helped choose it, and counting them would
//    let every candidate screened spend the claim's α). A wrong screen
//    costs runs, not truth: the claim it leads to is refuted by a failure,
//    which is kept (a failing configuration fails for good), and the search
//    goes round again with screens three times as long. The error budget α
//    of the claims is spent over rounds (round_share: 0.8 in the first,
//    which most diagnoses need alone), so the whole diagnosis stays wrong
//    with probability ≤ α. A round's answer rests on one claim, or on the
//    conjunction of several (each member of a requires-"all" set: pinning it
//    removes them): an intersection-union test, wrong only when one of its
//    claims is, so each runs at the round's level with no split. The one
//    exception: concurrency's claim comes first in a round, and a round
//    whose failure refutes it claims something else; the two split the
//    round's level (kConcurrencyPart: a quarter to concurrency's, the rest
//    to every other claim, those of a conjunction included). (A
//    baseline cut short by the budget uses the union bound below, and the
//    two branches together are bounded by about 2α; it happens only near
//    --max-runs.)
//  - Races: "freeing only half A" and "freeing only half B" run by turns;
//    a failure proves a culprit on its side (certain: the other side
//    pinned), so every step is decided by a failure seen, not a screen, at
//    about 2/p runs. Both failing (a culprit on each side, each enough
//    alone) goes on into A once a screen shows that pinning every knob
//    removes the failures (else the seed or nothing in the catalog causes
//    them); neither failing (culprits needed together, split between the
//    halves) hands over to ddmin.
//  - Culprits: the race, or ddmin over the pinned side, finds a set M whose
//    pinning removes the failures (claim 1). A raced M whose claim a
//    failure refutes races on for one more culprit with M pinned, and the
//    next round claims the larger set. |M| ≥ 2: each culprit alone causes
//    failures (requires "any"), shown by a failure with it alone free; one
//    that shows none (claim-length runs) refutes claim 1. |M| = 1 and
//    freeing it alone fails (seen; a screen while searching): requires
//    "any". Otherwise failures need several knobs free: a race for a second
//    member beside M (M belongs to every such set), or ddmin over the free
//    side, finds the smallest set F whose freeing brings failures back
//    (seen); pinning each f in F removes them (|F| claims, M's among them):
//    requires "all". Concurrency in F must also show the other side: with
//    it pinned and the rest of F free, no failure (pinned, it lowers the
//    load and the rate of every race, past what a "removes" claim tells).
//  - No knob removes them (every knob pinned, failures go on): replay
//    failing and passing seeds with every knob pinned, r times each side,
//    going round up to three seeds of each. Were the outcome independent of
//    the seed, with rate q, all 2r replays would agree with probability
//    q^r (1 − q)^r ≤ 4^−r; r = ⌈ln a / ln ¼⌉, a the answering round's share
//    of α (3 at 95%), rules that out for every q at once: cause `seed`. A
//    replay that changes its mind: cause `unknown`. The same replays, with
//    the culprits free, decide `seed_dependent` for a knob cause, at a part
//    of α of their own (kSeedDependencePart; the search has the rest).
//  - A claim the budget (--max-runs) cannot settle: cause `undecided`,
//    with the runs the open claim still needs. Never a guess.
// The knob search never includes `seed` (seeds keep varying) nor `order`
// (which has its own search).
#pragma once

#include <algorithm>
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
  /// (nullopt: skipped, interrupted or not run, not counted).
  /// `until_failure`: launch no more runs once one has failed (the runs
  /// then in flight finish and count; the seeds not yet run come back
  /// nullopt). Most questions end at a first failure, and a batch asked
  /// for would otherwise be paid for whole.
  virtual std::vector<std::optional<bool>> run(const std::vector<std::string>& pinned,
                                               const std::vector<std::uint64_t>& seeds,
                                               bool until_failure) = 0;
  /// True once the user interrupted: the engine stops asking.
  virtual bool interrupted() const { return false; }
};

/// What a launcher that stops at the first failure would have returned,
/// for simulated targets whose outcomes are all drawn at once: runs go
/// `parallel` at a time in seed order, so those after the first failing
/// one that had started (the next parallel − 1) count, the rest do not.
std::vector<std::optional<bool>> stopped_at_failure(std::vector<std::optional<bool>> results,
                                                    unsigned parallel);

struct BisectOptions {
  double confidence = 0.95;
  std::uint64_t max_runs = 10000;  // every run the diagnosis may use
  std::uint64_t master_seed = 1;   // fresh seeds: run_seed(master_seed, i)
  unsigned batch = 8;              // most runs asked of the oracle at once (about -j × 4)
  unsigned parallel = 2;           // fewest: the runs that go at once (-j)

  /// The next batch of a question that has made `runs` runs: it grows with
  /// them, from `parallel` to `batch`. Most questions end at a first failure
  /// a few runs in, and a batch asked for is a batch paid for.
  std::uint64_t batch_after(std::uint64_t runs) const {
    return std::min<std::uint64_t>(std::max<std::uint64_t>(runs, parallel),
                                   std::max(parallel, batch));
  }
};

/// One configuration's runs: evidence for the report.
struct EvidenceRow {
  std::vector<std::string> pinned;
  std::vector<std::string> free;
  std::vector<std::string> tests;  // an order search's row: the tests run, the victim last
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

// Screens miss a failure rate equal to the baseline's this often.
constexpr double kScreenMiss = 0.05;
// A knob that is not a culprit may lower the rate without removing it (runs
// one at a time make a race rarer): claims rule out rates down to
// p_L / kRateModulation. Measured: bisect_threads at 42% all free fails 15%
// of runs with concurrency pinned.
constexpr double kRateModulation = 3;
// Running copies one at a time changes the load on the whole machine, and
// the rate of every race with it, further: 30% to about 5% on
// bisect_threads. A claim that concurrency is needed alongside other knobs
// (requires "all") rules out rates down to p/10 with it pinned.
constexpr double kLoadModulation = 10;
// Concurrency's own claim ("pinning concurrency removes the failures"),
// asked first in a round, gets this part of the round's α, and the claims
// the round asks when a failure refutes it get the rest: the round's
// answer rests on one or the other (a union bound). Measured with
// bench/bisect_sim (300 trials): 0.25 costs a concurrency diagnosis 31%
// more runs (54 to 71) and one of a single other culprit 4-5%; 0.15 costs
// the first 39%, 0.35 costs the second 6-7%.
constexpr double kConcurrencyPart = 0.25;
// A knob cause comes with `seed_dependent`, decided by replays (a claim
// beside the answer): it gets this part of α, and the search the rest, so
// that the whole diagnosis, cause and seed dependence, is wrong with
// probability ≤ α. Claims need about 4% more runs for it (their length
// goes with c = 3(a^(−1/k) − 1): 1.49 to 1.55 at 95%), the replays one
// more of each side.
constexpr double kSeedDependencePart = 0.1;

/// How many clean runs answer "no failure here": a screen while searching
/// (cheap, may be wrong: whatever it leads to is proven by claims), a claim
/// when the diagnosis rests on it (see the header comment).
struct CleanRunRule {
  double p_hat = 0;  // the baseline's failure rate
  double p_low = 0;  // its lower bound at 1 − α/2
  double alpha = 0.05;
  // The baseline's k-th failure came at run N (counted runs, in seed
  // order); 0: it stopped before its k-th (then claims use p_low).
  std::uint64_t k = 0, runs_to_kth = 0;
  // The screen of search round `round` (0, 1, ...).
  std::uint64_t screen(unsigned round) const;
  // A claim of round `round` (a round's answer rests on one claim, or on
  // the conjunction of several, each at the round's level: see above).
  // `modulation`: how far the rate may fall without the claim being true
  // (kRateModulation; kLoadModulation where concurrency is pinned).
  // `part`: of the round's share of α, where the round's claims split it
  // (kConcurrencyPart).
  std::uint64_t claim(unsigned round, double modulation = kRateModulation, double part = 1) const;
};

// The baseline stops once it has this many failures (and a pass). A claim
// then needs about c(k)·k/p clean runs (above) after the k/p of the
// baseline: (1 + c(k))·k is 19.9 at k = 8, 21.4 at 10, 23.1 at 12 and 18.6
// at its minimum (k = 5), at 95% in the first round; 8 keeps the rate's
// estimate worth printing for a cost within 7% of the least.
constexpr std::uint64_t kBaselineFailures = 8;

// The share of α that the claims of search round `round` (0, 1, ...)
// spend: kFirstRoundShare in the first, the rest over later ones as
// 6/(π²r²). Measured with bench/bisect_sim: 0.8 against 6/π² (0.61) saves
// about 5% of the runs of one-culprit diagnoses, and costs the second round
// (the second of two culprits each enough alone) about as much.
constexpr double kFirstRoundShare = 0.8;
double round_share(unsigned round);

/// Zero-failure runs needed to rule out failure rate `p` at `alpha`.
std::uint64_t clean_runs_needed(double p, double alpha);

}  // namespace deflake
