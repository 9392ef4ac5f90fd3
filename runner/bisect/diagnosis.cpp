#include "bisect/diagnosis.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "base/text.hpp"
#include "bisect/ddmin.hpp"
#include "deflake/seed_derivation.hpp"

namespace deflake {
namespace {

// The baseline stops once it has this many failures (and a pass): enough
// for a rate estimate whose lower bound is within a factor ~2 of it.
constexpr std::uint64_t kBaselineFailures = 16;
// Every run failing this many times: broken, not flaky.
constexpr std::uint64_t kBrokenRuns = 20;
// A knob that is not a culprit can still lower a failure rate without
// removing it: runs one at a time (concurrency pinned) make a race in the
// test several times rarer. "Pinning S removes the failures" therefore
// rules out rates down to p_L / kRateModulation, not p_L alone, or such a
// knob would be blamed (measured: bisect_threads at 42% free fails 15% of
// the runs with concurrency pinned, and 8 clean runs happen 27% of the time).
constexpr double kRateModulation = 3;
// Batches in a row in which every run was skipped before a claim gives up.
constexpr unsigned kStalledBatches = 3;
// Failing (and passing) seeds replayed to tell `seed` from `unknown`.
constexpr std::size_t kSeedsReplayed = 3;

using Names = std::vector<std::string>;

Names minus(const Names& all, const Names& some) {
  Names out;
  for (const auto& n : all)
    if (std::find(some.begin(), some.end(), n) == some.end()) out.push_back(n);
  return out;
}

Names sorted(Names names) {
  std::sort(names.begin(), names.end());
  return names;
}

std::string list(const Names& names) {
  return names.empty() ? std::string("nothing") : fmt::format("{}", fmt::join(names, ", "));
}

class Engine {
 public:
  Engine(BisectOracle& oracle, Names candidates, const BisectOptions& options)
      : oracle_(oracle),
        candidates_(sorted(std::move(candidates))),
        options_(options),
        alpha_(1 - options.confidence) {}

  Diagnosis run();

 private:
  struct Tally {
    std::uint64_t runs = 0, failures = 0;
    std::vector<std::uint64_t> failing, passing;
    std::set<std::uint64_t> tried;
  };

  bool budget_left() const { return used_ < options_.max_runs && !oracle_.interrupted(); }
  std::uint64_t fresh_seed() { return run_seed(options_.master_seed, next_seed_++); }
  Tally& tally(const Names& pinned, const std::string& claim);
  void run_seeds(const Names& pinned, Tally& t, const std::vector<std::uint64_t>& seeds);
  Answer fails(const Names& pinned, const std::string& claim);
  bool baseline(Diagnosis& d);
  void search_knobs(Diagnosis& d);
  void seed_or_unknown(Diagnosis& d);
  std::optional<bool> replays_consistently(const Names& pinned, Tally& t, Diagnosis& d);
  void undecided(Diagnosis& d) const;

  BisectOracle& oracle_;
  Names candidates_;
  BisectOptions options_;
  double alpha_;
  std::uint64_t used_ = 0;
  std::uint64_t next_seed_ = 0;
  std::map<Names, Tally> tallies_;
  std::vector<std::pair<Names, std::string>>
      order_;  // configurations in first-use order, with claims
  double p_low_ = 0, p_high_ = 1;
  std::uint64_t n_star_ = 0;
  std::string open_claim_;
  std::uint64_t open_needed_ = 0;
};

Engine::Tally& Engine::tally(const Names& pinned, const std::string& claim) {
  auto [it, added] = tallies_.try_emplace(pinned);
  if (added) order_.emplace_back(pinned, claim);
  return it->second;
}

void Engine::run_seeds(const Names& pinned, Tally& t, const std::vector<std::uint64_t>& seeds) {
  const auto results = oracle_.run(pinned, seeds);
  for (std::size_t i = 0; i < seeds.size() && i < results.size(); ++i) {
    t.tried.insert(seeds[i]);
    if (!results[i]) continue;  // skipped or interrupted: not counted
    ++used_;
    ++t.runs;
    if (*results[i]) {
      ++t.failures;
      t.failing.push_back(seeds[i]);
    } else {
      t.passing.push_back(seeds[i]);
    }
  }
}

// Does the configuration fail at all? Yes at its first failure; no after
// n* clean runs; undecided when the budget ends first.
Answer Engine::fails(const Names& pinned, const std::string& claim) {
  Tally& t = tally(pinned, claim);
  const std::vector<std::uint64_t>& known = tallies_[Names{}].failing;
  unsigned stalled = 0;
  for (;;) {
    if (t.failures > 0) return Answer::yes;
    if (t.runs >= n_star_) return Answer::no;
    if (!budget_left()) {
      open_claim_ = claim;
      open_needed_ = n_star_ - t.runs;
      return Answer::undecided;
    }
    const std::uint64_t count =
        std::min<std::uint64_t>({options_.batch, n_star_ - t.runs, options_.max_runs - used_});
    std::vector<std::uint64_t> seeds;
    for (std::uint64_t seed : known)  // the baseline's failing seeds go first (see the header)
      if (seeds.size() < count && !t.tried.count(seed)) seeds.push_back(seed);
    while (seeds.size() < count) seeds.push_back(fresh_seed());
    const std::uint64_t before = t.runs;
    run_seeds(pinned, t, seeds);
    // Interrupted, or every run skipped (exit 77) batch after batch: nothing
    // more can be learned here.
    stalled = t.runs == before ? stalled + 1 : 0;
    used_ += t.runs == before ? seeds.size() : 0;  // skipped runs cost time too
    if (t.runs == before && (oracle_.interrupted() || stalled >= kStalledBatches)) {
      open_claim_ = claim;
      open_needed_ = n_star_ - t.runs;
      return Answer::undecided;
    }
  }
}

// All free, seeds varied, until the verdict is clear. Returns false when
// the target is not flaky (the diagnosis is then complete).
bool Engine::baseline(Diagnosis& d) {
  Tally& b = tally({}, "every knob free: the failure rate");
  // No failure in this many runs: stable-pass (300 clean runs rule out a
  // rate of 1% at 95%); a rarer flake needs a `deflake run` of its own size.
  unsigned stalled = 0;
  const std::uint64_t clean_cap =
      std::min<std::uint64_t>(300, std::max<std::uint64_t>(50, options_.max_runs / 4));
  for (;;) {
    const std::uint64_t passes = b.runs - b.failures;
    if (b.failures >= kBaselineFailures && passes > 0) break;
    if (b.runs >= kBrokenRuns && passes == 0) break;
    if (b.failures == 0 && b.runs >= clean_cap) break;
    if (!budget_left() || b.runs >= options_.max_runs / 2) break;
    std::vector<std::uint64_t> seeds;
    for (unsigned i = 0; i < options_.batch; ++i) seeds.push_back(fresh_seed());
    const std::uint64_t before = b.runs;
    run_seeds({}, b, seeds);
    stalled = b.runs == before ? stalled + 1 : 0;
    used_ += b.runs == before ? seeds.size() : 0;
    if (b.runs == before && (oracle_.interrupted() || stalled >= kStalledBatches)) break;
  }
  d.baseline_runs = b.runs;
  d.baseline_failures = b.failures;
  d.verdict = decide_verdict(b.failures, b.runs);
  if (b.runs == 0) d.verdict = Verdict::skipped;
  if (d.verdict != Verdict::flaky) return false;  // cause none: stable-pass, stable-fail, skipped
  // The rate's bounds at 1 − α/2 each side (a two-sided interval at 1 − α).
  const Interval ci = wilson_interval(b.failures, b.runs, 1 - alpha_);
  p_low_ = ci.low;
  p_high_ = ci.high;
  n_star_ = clean_runs_needed(p_low_ / kRateModulation, alpha_ / 2);
  return true;
}

void Engine::undecided(Diagnosis& d) const {
  d.cause = "undecided";
  d.culprits.clear();
  d.requires_.clear();
  d.undecided_claim = open_claim_;
  d.runs_needed = open_needed_;
}

// Replays failing and passing seeds of a configuration under it: true when
// every failing seed fails again r times and every passing seed passes
// (the outcome is a function of the seed), false when one changes its mind,
// nullopt when the budget ends.
std::optional<bool> Engine::replays_consistently(const Names& pinned, Tally& t, Diagnosis& d) {
  // A seed-independent flake with rate ≤ p_U repeats a failure r times with
  // probability ≤ p_U^r: r ≥ ln α / ln p_U rules that out.
  const double p_up = std::min(0.999, std::max(p_high_, 1e-6));
  const auto r =
      static_cast<std::uint64_t>(std::max(2.0, std::ceil(std::log(alpha_) / std::log(p_up))));
  const std::vector<std::uint64_t> failing(
      t.failing.begin(),
      t.failing.begin() + static_cast<std::ptrdiff_t>(std::min(kSeedsReplayed, t.failing.size())));
  const std::vector<std::uint64_t> passing(
      t.passing.begin(),
      t.passing.begin() + static_cast<std::ptrdiff_t>(std::min(kSeedsReplayed, t.passing.size())));
  // Replays each seed r times; false (with a note) when one changes its mind.
  auto consistent = [&](const std::vector<std::uint64_t>& seeds,
                        bool failed_before) -> std::optional<bool> {
    for (std::uint64_t seed : seeds) {
      if (!budget_left()) return std::nullopt;
      const auto results = oracle_.run(pinned, std::vector<std::uint64_t>(r, seed));
      std::uint64_t failed = 0, counted = 0;
      for (const auto& res : results)
        if (res) ++counted, failed += *res;
      used_ += counted;
      const std::uint64_t changed = failed_before ? counted - failed : failed;
      if (changed > 0) {
        d.notes.push_back(fmt::format(
            "{} seed {} {} {}/{} replays with {} pinned", failed_before ? "failing" : "passing",
            seed, failed_before ? "passed" : "failed", changed, counted, list(pinned)));
        return false;
      }
    }
    return true;
  };
  if (const auto answer = consistent(failing, true); answer != true) return answer;
  if (const auto answer = consistent(passing, false); answer != true) return answer;
  d.notes.push_back(
      fmt::format("the seed decides: {} failing seed(s) failed {}/{} replays each, "
                  "{} passing seed(s) passed every replay",
                  failing.size(), r, r, passing.size()));
  return true;
}

void Engine::search_knobs(Diagnosis& d) {
  const Names& all = candidates_;
  auto removes = [&](const Names& pinned) {
    const Answer a =
        fails(sorted(pinned), "pinning " + list(sorted(pinned)) + " removes the failures");
    return a == Answer::undecided ? a : a == Answer::no ? Answer::yes : Answer::no;
  };
  auto fails_alone = [&](const Names& freed) {
    return fails(sorted(minus(all, freed)),
                 "freeing only " + list(sorted(freed)) + " brings them back");
  };
  // Copies of the test running at once come first: a clash over a port or
  // a file is the commonest flake, and it hides behind any other knob.
  std::optional<Names> pinned_side;
  if (std::find(all.begin(), all.end(), "concurrency") != all.end()) {
    const Answer a = removes({"concurrency"});
    if (a == Answer::undecided) return undecided(d);
    if (a == Answer::yes) pinned_side = Names{"concurrency"};
  }
  if (!pinned_side) {
    pinned_side = ddmin(all, removes);
    if (!pinned_side) return undecided(d);
  }
  const Names m = *pinned_side;
  d.cause = "knobs";
  if (m.size() >= 2) {
    // Pinning one is not enough: each culprit alone causes failures.
    d.culprits = sorted(m);
    d.requires_ = "any";
    for (const auto& knob : m) {
      const Answer a = fails_alone({knob});
      if (a == Answer::undecided) return undecided(d);
      if (a == Answer::no)
        d.notes.push_back(fmt::format("freeing only {} did not bring failures back", knob));
    }
  } else {
    // One knob's pinning removes them: alone, or as one of several that
    // must all be free (then pinning any of them is enough).
    Answer alone = fails_alone(m);
    if (alone == Answer::undecided) return undecided(d);
    Names f = m;
    if (alone == Answer::no) {
      const auto free_side = ddmin(all, [&](const Names& freed) { return fails_alone(freed); });
      if (!free_side) return undecided(d);
      f = *free_side;
    }
    d.culprits = sorted(f.size() >= 2 ? f : m);
    d.requires_ = f.size() >= 2 ? "all" : "any";
  }
  // The configuration that shows the failure: the culprits free, the rest pinned.
  const Names repro_pinned = sorted(minus(all, d.culprits));
  if (fails(repro_pinned, "freeing only " + list(d.culprits) + " brings them back") ==
      Answer::undecided)
    return undecided(d);
  Tally& shown = tallies_[repro_pinned];
  d.repro_pinned = repro_pinned;
  if (!shown.failing.empty()) d.repro_seed = shown.failing.front();
  // Its rate: the baseline's (the culprits free is how the baseline ran
  // them; this configuration's own tally starts with known failing seeds).
  d.repro_rate = double(d.baseline_failures) / double(std::max<std::uint64_t>(1, d.baseline_runs));
  // Seed-dependent: under the culprits' free setting, is the outcome a
  // function of the seed? Needs a few passes and failures to replay.
  while ((shown.failing.size() < 2 || shown.passing.size() < 2) && budget_left() &&
         shown.runs < 4 * n_star_) {
    std::vector<std::uint64_t> seeds;
    for (unsigned i = 0; i < options_.batch; ++i) seeds.push_back(fresh_seed());
    run_seeds(repro_pinned, shown, seeds);
  }
  d.seed_dependent = replays_consistently(repro_pinned, shown, d);
  if (d.seed_dependent == false)
    d.notes.back() = "seeds do not matter: " + d.notes.back() + " (" + list(d.culprits) + " free)";
}

void Engine::seed_or_unknown(Diagnosis& d) {
  Tally& t = tallies_[candidates_];
  d.repro_pinned = candidates_;
  if (!t.failing.empty()) d.repro_seed = t.failing.front();
  d.repro_rate = double(d.baseline_failures) / double(std::max<std::uint64_t>(1, d.baseline_runs));
  // Enough passing seeds to replay too.
  while (t.passing.size() < 2 && budget_left() &&
         t.runs < 4 * std::max<std::uint64_t>(n_star_, 20)) {
    std::vector<std::uint64_t> seeds;
    for (unsigned i = 0; i < options_.batch; ++i) seeds.push_back(fresh_seed());
    run_seeds(candidates_, t, seeds);
  }
  const auto consistent = replays_consistently(candidates_, t, d);
  if (!consistent) {
    open_claim_ = "the outcome is a function of the seed with every knob pinned";
    open_needed_ = kSeedsReplayed * 2 * 3;
    return undecided(d);
  }
  if (*consistent) {
    d.cause = "seed";
    d.culprits = {"seed"};
    d.seed_dependent = true;
    d.repro_rate = 1;  // a failing seed, replayed: it fails every time
  } else {
    d.cause = "unknown";
    d.notes.push_back(
        "the outcome varies with the seed and every knob fixed: the source is outside the knob "
        "catalog (try `rr record --chaos`)");
  }
}

Diagnosis Engine::run() {
  Diagnosis d;
  if (baseline(d)) {
    const Answer all_pinned = fails(candidates_, "pinning every knob removes the failures");
    if (all_pinned == Answer::undecided)
      undecided(d);
    else if (all_pinned == Answer::yes)
      seed_or_unknown(d);
    else
      search_knobs(d);
  }
  for (const auto& [pinned, claim] : order_) {
    const Tally& t = tallies_[pinned];
    if (t.runs == 0) continue;
    d.evidence.push_back(
        EvidenceRow{pinned, minus(candidates_, pinned), t.runs, t.failures, claim});
  }
  d.total_runs = used_;
  return d;
}

}  // namespace

std::uint64_t clean_runs_needed(double p, double alpha) {
  if (p <= 0) return std::numeric_limits<std::uint64_t>::max() / 4;
  if (p >= 1) return 1;
  return static_cast<std::uint64_t>(std::ceil(std::log(alpha) / std::log1p(-p)));
}

Diagnosis diagnose(BisectOracle& oracle, const std::vector<std::string>& candidates,
                   const BisectOptions& options) {
  Engine engine(oracle, candidates, options);
  return engine.run();
}

}  // namespace deflake
