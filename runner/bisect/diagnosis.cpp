#include "bisect/diagnosis.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <utility>

#include "base/text.hpp"
#include "bisect/ddmin.hpp"
#include "bisect/names.hpp"
#include "deflake/seed_derivation.hpp"

namespace deflake {
namespace {

// Every run failing this many times: broken, not flaky.
constexpr std::uint64_t kBrokenRuns = 20;
// Batches in a row in which every run was skipped before a claim gives up.
constexpr unsigned kStalledBatches = 3;
// Failing (and passing) seeds replayed to tell `seed` from `unknown`.
constexpr std::size_t kSeedsReplayed = 3;
// Search rounds (a refuted claim starts the next) before giving up.
constexpr unsigned kSearchRounds = 4;

class Engine {
 public:
  Engine(BisectOracle& oracle, Names candidates, const BisectOptions& options)
      : oracle_(oracle),
        candidates_(sorted(std::move(candidates))),
        options_(options),
        alpha_(1 - options.confidence),
        search_part_(std::find(candidates_.begin(), candidates_.end(), "concurrency") !=
                             candidates_.end()
                         ? 1 - kConcurrencyPart
                         : 1) {}

  Diagnosis run();

 private:
  struct Tally {
    std::uint64_t runs = 0, failures = 0;
    std::uint64_t runs_to_kth = 0;  // the run of the kBaselineFailures-th failure
    // Where its runs as a claim of round `claim_round` began (see claim()).
    unsigned claim_round = ~0u;
    std::uint64_t claim_from = 0;
    std::vector<std::uint64_t> failing, passing;
  };

  bool budget_left() const { return used_ < options_.max_runs && !oracle_.interrupted(); }
  std::uint64_t fresh_seed() { return run_seed(options_.master_seed, next_seed_++); }
  // Up to `count` fresh seeds, never past the budget (--max-runs).
  std::vector<std::uint64_t> fresh_seeds(std::uint64_t count) {
    count = std::min(count, options_.max_runs > used_ ? options_.max_runs - used_ : 0);
    std::vector<std::uint64_t> seeds;
    for (std::uint64_t i = 0; i < count; ++i) seeds.push_back(fresh_seed());
    return seeds;
  }
  Tally& tally(const Names& pinned, const std::string& claim);
  void run_seeds(const Names& pinned, Tally& t, const std::vector<std::uint64_t>& seeds,
                 bool until_failure = false);
  void more_runs(const Names& pinned, Tally& t, const std::function<bool()>& wanted);
  Answer fails(const Names& pinned, const std::string& claim, std::uint64_t clean_needed);
  Answer claim(const Names& pinned, const std::string& text, std::uint64_t fresh, unsigned round);
  std::uint64_t screen_runs(unsigned round) const { return rule_.screen(round); }
  std::uint64_t claim_runs(unsigned round) const {
    return rule_.claim(round, kRateModulation, search_part_);
  }
  void fill_culprit_evidence(Diagnosis& d, const Names& searched);
  // What a race found, and what it saw on the way.
  struct RaceResult {
    std::optional<Names> found;  // the one element sought (a set of one)
    bool saw_both = false;       // both sides failed at one step: one on each side
    // Neither half failed at the first step: elements needed together may
    // lie on both sides.
    std::optional<std::pair<Names, Names>> split;
  };
  RaceResult race_for_one_culprit(const Names& knobs, std::uint64_t screen, const Names& held,
                                  bool proven = false);
  // A configuration to run, and the claim it is run for.
  struct Question {
    Names pinned;
    std::string claim;
  };
  // The two questions every configuration is asked for, in words.
  static std::string removes_text(const Names& pinned) {
    return "pinning " + list(pinned) + " removes the failures";
  }
  std::string brings_back_text(const Names& pinned) const {
    return "freeing only " + list(minus(candidates_, pinned)) + " brings them back";
  }
  using SideQuestion = std::function<Question(const Names& a, const Names& b)>;
  RaceResult race(Names set, std::uint64_t screen, const SideQuestion& in_a,
                  const SideQuestion& in_b, const std::function<bool()>& go_on_in_a = nullptr,
                  bool proven = false);
  bool baseline(Diagnosis& d);
  void search_knobs(Diagnosis& d);
  void seed_or_unknown(Diagnosis& d);
  std::optional<bool> replays_consistently(const Names& pinned, Tally& t, Diagnosis& d, double a);
  void undecided(Diagnosis& d) const;
  // The α of the search's claims, its rounds and the seed-or-unknown
  // answer: all but the part kept for a knob cause's seed dependence.
  double search_alpha() const { return alpha_ * (1 - kSeedDependencePart); }
  // The level of the seed-or-unknown answer: the answering round's share.
  double seed_answer_level() const {
    return search_alpha() * round_share(answer_round_) * search_part_;
  }
  // Replays of each side that rule out a seed-independent outcome at level
  // `a` (replays_consistently).
  static std::uint64_t replays_needed(double a) {
    return static_cast<std::uint64_t>(
        std::max(1.0, std::ceil(std::log(a) / std::log(0.25) - 1e-9)));
  }

  BisectOracle& oracle_;
  Names candidates_;
  BisectOptions options_;
  double alpha_;
  std::uint64_t used_ = 0;
  std::uint64_t next_seed_ = 0;
  std::map<Names, Tally> tallies_;
  std::vector<std::pair<Names, std::string>>
      order_;  // configurations in first-use order, with claims
  double p_low_ = 0;
  std::uint64_t n_star_ = 0;  // clean runs for the first round's one claim
  // The part of each round's α left to the claims after concurrency's
  // (kConcurrencyPart, where concurrency is a candidate).
  double search_part_;
  CleanRunRule rule_;
  std::string open_claim_;
  std::uint64_t open_needed_ = 0;
  // The search round whose answer the diagnosis gives: a seed-or-unknown
  // answer (replays) is that round's, at its share of α.
  unsigned answer_round_ = 0;
};

Engine::Tally& Engine::tally(const Names& pinned, const std::string& claim) {
  auto [it, added] = tallies_.try_emplace(pinned);
  if (added) order_.emplace_back(pinned, claim);
  return it->second;
}

void Engine::run_seeds(const Names& pinned, Tally& t, const std::vector<std::uint64_t>& seeds,
                       bool until_failure) {
  const auto results = oracle_.run(pinned, seeds, until_failure);
  for (std::size_t i = 0; i < seeds.size() && i < results.size(); ++i) {
    if (!results[i]) continue;  // skipped or interrupted: not counted
    ++used_;
    ++t.runs;
    if (*results[i]) {
      ++t.failures;
      if (t.failures == kBaselineFailures) t.runs_to_kth = t.runs;
      t.failing.push_back(seeds[i]);
    } else {
      t.passing.push_back(seeds[i]);
    }
  }
}

// Runs fresh seeds under a configuration while `wanted` says so, the budget
// lasts and runs are counted (batches that are all skipped stop it).
void Engine::more_runs(const Names& pinned, Tally& t, const std::function<bool()>& wanted) {
  unsigned stalled = 0;
  const std::uint64_t start = t.runs;
  while (wanted() && budget_left() && stalled < kStalledBatches) {
    // Most callers want one more failing or passing seed: small batches first.
    const std::vector<std::uint64_t> seeds = fresh_seeds(options_.batch_after(t.runs - start));
    const std::uint64_t before = t.runs;
    run_seeds(pinned, t, seeds);
    stalled = t.runs == before ? stalled + 1 : 0;
    used_ += t.runs == before ? seeds.size() : 0;
  }
}

// Does the configuration fail at all? Yes at its first failure; no after
// `clean_needed` clean runs; undecided when the budget ends first. Runs
// already made under the configuration count: a claim's screen is the
// start of its proof.
Answer Engine::fails(const Names& pinned, const std::string& claim, std::uint64_t clean_needed) {
  Tally& t = tally(pinned, claim);
  unsigned stalled = 0;
  for (;;) {
    if (t.failures > 0) return Answer::yes;
    if (t.runs >= clean_needed) return Answer::no;
    if (!budget_left()) {
      open_claim_ = claim;
      open_needed_ = clean_needed - t.runs;
      return Answer::undecided;
    }
    const std::uint64_t count = std::min<std::uint64_t>(
        {options_.batch_after(t.runs), clean_needed - t.runs, options_.max_runs - used_});
    // Fresh seeds only: the baseline's failing seeds would often refute a
    // wrong configuration at once, but they are no random sample (under the
    // null a seed that failed with every knob free may fail less often
    // where knobs are pinned), so a claim could not count them.
    std::vector<std::uint64_t> seeds;
    while (seeds.size() < count) seeds.push_back(fresh_seed());
    const std::uint64_t before = t.runs;
    // The answer is "yes" at the first failure: runs after it are waste.
    run_seeds(pinned, t, seeds, /*until_failure=*/true);
    // Interrupted, or every run skipped (exit 77) batch after batch: nothing
    // more can be learned here.
    stalled = t.runs == before ? stalled + 1 : 0;
    used_ += t.runs == before ? seeds.size() : 0;  // skipped runs cost time too
    if (t.runs == before && (oracle_.interrupted() || stalled >= kStalledBatches)) {
      open_claim_ = claim;
      open_needed_ = clean_needed - t.runs;
      return Answer::undecided;
    }
  }
}

// A claim: `fresh` clean runs made since it was first asked as a claim in
// this round (and no failure ever). Runs made before — screens, races —
// helped choose what is claimed; counting them would let every candidate
// screened on the way spend the one claim's α.
Answer Engine::claim(const Names& pinned, const std::string& text, std::uint64_t fresh,
                     unsigned round) {
  Tally& t = tally(pinned, text);
  if (t.claim_round != round) {
    t.claim_round = round;
    t.claim_from = t.runs;
  }
  return fails(pinned, text, t.claim_from + fresh);
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
  bool settled = false;
  for (;;) {
    const std::uint64_t passes = b.runs - b.failures;
    settled = (b.failures >= kBaselineFailures && passes > 0) ||
              (b.runs >= kBrokenRuns && passes == 0) || (b.failures == 0 && b.runs >= clean_cap);
    if (settled) break;
    if (!budget_left() || b.runs >= options_.max_runs / 2) break;
    // Once failures come, no more than the rate says the rest need: a batch
    // asked for is a batch paid for (8 runs at 70% hold 5.6 failures).
    std::uint64_t count = options_.batch;
    if (b.failures > 0 && b.failures < kBaselineFailures)
      count = std::clamp<std::uint64_t>((kBaselineFailures - b.failures) * b.runs / b.failures,
                                        options_.parallel, options_.batch);
    const std::vector<std::uint64_t> seeds = fresh_seeds(count);
    const std::uint64_t before = b.runs;
    run_seeds({}, b, seeds);
    stalled = b.runs == before ? stalled + 1 : 0;
    used_ += b.runs == before ? seeds.size() : 0;
    if (b.runs == before && (oracle_.interrupted() || stalled >= kStalledBatches)) break;
  }
  d.baseline_runs = b.runs;
  d.baseline_failures = b.failures;
  d.verdict = b.runs == 0 ? Verdict::skipped : decide_verdict(b.failures, b.runs);
  if (!settled && b.runs > 0 && d.verdict != Verdict::flaky) {
    // Cut short (budget, interrupt) before its runs could call it stable:
    // say so rather than "not flaky".
    open_claim_ = fmt::format("the failure rate with every knob free ({}/{} failed so far)",
                              b.failures, b.runs);
    open_needed_ = (b.failures == 0 ? clean_cap : kBrokenRuns) - std::min(b.runs, clean_cap);
    undecided(d);
    return false;
  }
  if (d.verdict != Verdict::flaky) return false;  // cause none: stable-pass, stable-fail, skipped
  // The rate's bounds at 1 − α/2 each side (a two-sided interval at 1 − α).
  const Interval ci = wilson_interval(b.failures, b.runs, 1 - alpha_);
  p_low_ = ci.low;
  rule_ = CleanRunRule{double(b.failures) / double(b.runs), p_low_, search_alpha(),
                       b.runs_to_kth ? kBaselineFailures : 0, b.runs_to_kth};
  n_star_ = rule_.claim(0);
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
// every replay of a failing seed fails and every replay of a passing seed
// passes (the outcome is a function of the seed), false at the first that
// changes its mind, nullopt when the budget ends.
//
// The test: were the outcome independent of the seed, every run would fail
// with the same probability q, so a failing replays that fail and b passing
// replays that pass have probability q^a (1 − q)^b ≤ max over q, which is
// (a/(a+b))^a (b/(a+b))^b: 4^−r at a = b = r. r = ⌈ln α / ln ¼⌉ (3 at 95%,
// 6 at 99.9%, in a first round) rules independence out for every q at once, with no bound on
// the rate needed. The replays go round the seeds (up to kSeedsReplayed of
// each side), so the answer speaks for several of them.
std::optional<bool> Engine::replays_consistently(const Names& pinned, Tally& t, Diagnosis& d,
                                                 double a) {
  const std::uint64_t r = replays_needed(a);
  const std::vector<std::uint64_t> failing(
      t.failing.begin(),
      t.failing.begin() + static_cast<std::ptrdiff_t>(std::min(kSeedsReplayed, t.failing.size())));
  const std::vector<std::uint64_t> passing(
      t.passing.begin(),
      t.passing.begin() + static_cast<std::ptrdiff_t>(std::min(kSeedsReplayed, t.passing.size())));
  // Nothing to replay on one side: the claim would rest on nothing.
  if (failing.empty() || passing.empty()) return std::nullopt;
  // Replays r runs of one side, a batch at a time, going round its seeds;
  // false (with a note) at the first replay that changes its mind.
  auto consistent = [&](const std::vector<std::uint64_t>& seeds,
                        bool failed_before) -> std::optional<bool> {
    std::uint64_t done = 0;
    while (done < r) {
      if (!budget_left()) return std::nullopt;
      const std::uint64_t batch =
          std::min({r - done, options_.batch_after(done), options_.max_runs - used_});
      std::vector<std::uint64_t> replayed;
      for (std::uint64_t i = 0; i < batch; ++i)
        replayed.push_back(seeds[(done + i) % seeds.size()]);
      const auto results = oracle_.run(pinned, replayed, /*until_failure=*/false);
      std::uint64_t counted = 0;
      std::optional<std::uint64_t> changed;  // the first seed that changed its mind
      for (std::size_t i = 0; i < results.size() && i < replayed.size(); ++i) {
        if (!results[i]) continue;
        ++counted;
        if (*results[i] != failed_before && !changed) changed = replayed[i];
      }
      used_ += counted;
      if (changed) {
        d.notes.push_back(fmt::format("{} seed {} {} on replay with {} pinned",
                                      failed_before ? "failing" : "passing", *changed,
                                      failed_before ? "passed" : "failed", list(pinned)));
        return false;
      }
      if (counted == 0) return std::nullopt;  // skipped or interrupted: cannot tell
      done += counted;
    }
    return true;
  };
  // The side likelier to change its mind first: at rates above one half a
  // passing seed that fails again shows it sooner than a failing one passing.
  const bool passing_first = t.runs > 0 && 2 * t.failures > t.runs;
  for (const bool failed_before : {!passing_first, passing_first})
    if (const auto answer = consistent(failed_before ? failing : passing, failed_before);
        answer != true)
      return answer;
  d.notes.push_back(fmt::format(
      "the seed decides: {} replays of {} failing seed(s) all failed, {} of {} passing seed(s) "
      "all passed (≤ {:.2g}% likely were the seed irrelevant)",
      r, failing.size(), r, passing.size(), 100 * std::pow(0.25, double(r))));
  return true;
}

// One culprit, found by halving: for a split of the candidates into A and
// B, "pinning A" and "freeing only A" run by turns until one fails (the
// knobs in `held` pinned in both). With one culprit exactly one of them
// can: a failure with A pinned puts it in B, a failure with only A free
// puts it in A. Every step is decided by a failure seen, never by a
// screen, and costs about 2/p runs where a screened step costs ln 20 / p.
// Both failing means a culprit on each side (or none at all: the seed);
// once a screen of every knob pinned has passed, the search goes on into A,
// where "freeing only A" proved one. Neither failing within a screen each
// (culprits needed together, split between the halves): nothing found, and
// the halves are handed back. The knob found is then claimed like any
// other, and a wrong one is refuted.
Engine::RaceResult Engine::race_for_one_culprit(const Names& knobs, std::uint64_t screen,
                                                const Names& held, bool proven) {
  auto with_held = [&](Names pinned) {
    pinned.insert(pinned.end(), held.begin(), held.end());
    return sorted(std::move(pinned));
  };
  std::optional<bool> some_knob;  // pinning every knob screened: it removes the failures
  // Culprits on both sides (each enough alone) split the rate: the likelier
  // side fails at least 1 − √(1 − p) of runs, and "neither" waits for that.
  const std::uint64_t race_screen =
      std::max(screen, clean_runs_needed(1 - std::sqrt(1 - rule_.p_hat), kScreenMiss));
  return race(
      knobs, race_screen,
      [&](const Names& a, const Names&) {
        const Names pinned = with_held(minus(knobs, a));
        return Question{pinned, brings_back_text(pinned)};
      },
      [&](const Names&, const Names& b) {
        const Names pinned = with_held(minus(knobs, b));
        return Question{pinned, brings_back_text(pinned)};
      },
      [&] {
        if (!some_knob) {
          const Names pinned = with_held(knobs);
          some_knob = fails(pinned, removes_text(pinned), screen) == Answer::no;
        }
        return *some_knob;
      },
      proven);
}

// The race itself: `in_a(a, b)` is the configuration whose failure puts the
// one element sought in A, `in_b(a, b)` the one whose failure puts it in B.
// When both fail, `go_on_in_a()` says whether A is still a sound choice.
Engine::RaceResult Engine::race(Names set, std::uint64_t screen, const SideQuestion& in_a,
                                const SideQuestion& in_b, const std::function<bool()>& go_on_in_a,
                                bool proven) {
  // Once a failure has shown that the set holds what is sought, one side
  // must fail: "neither" then only means a rate lower than the whole's
  // (a culprit among several), and the race waits for a third of it.
  auto patience = [&] { return proven ? screen * std::uint64_t(kRateModulation) : screen; };
  RaceResult result;
  for (bool first = true; set.size() > 1; first = false) {
    const Names a(set.begin(), set.begin() + static_cast<std::ptrdiff_t>(set.size() / 2));
    const Names b = minus(set, a);
    const Question qa = in_a(a, b), qb = in_b(a, b);
    const Tally& ta = tally(qa.pinned, qa.claim);
    const Tally& tb = tally(qb.pinned, qb.claim);
    for (;;) {
      if (ta.failures > 0 && tb.failures > 0) {  // one on each side
        if (!go_on_in_a || !go_on_in_a()) return result;
        set = a;
        proven = true;
        result.saw_both = true;
        break;
      }
      if (ta.failures > 0 || tb.failures > 0) {
        set = ta.failures > 0 ? a : b;
        proven = true;
        break;
      }
      if (ta.runs >= patience() && tb.runs >= patience()) {  // none alone
        if (first) result.split = std::make_pair(a, b);
        return result;
      }
      if (!budget_left()) return result;
      // One more batch of each (fails() stops at a failure or the count).
      for (const Question* q : {&qa, &qb}) {
        const Tally& t = tallies_[q->pinned];
        if (t.runs >= patience() || t.failures > 0) continue;
        if (fails(q->pinned, q->claim, std::min(patience(), t.runs + options_.parallel)) ==
            Answer::undecided)
          return result;
      }
    }
  }
  result.found = std::move(set);
  return result;
}

// The knob search, in rounds. Each round finds a candidate set M — by races
// where their failures decide, by ddmin with cheap "no failure" screens
// where they cannot — then runs the claims the candidate rests on to full
// strength. A claim refuted by a failure is remembered (a failing
// configuration fails for good) and the next round searches again, with
// longer screens, around it: a raced M whose pinning still fails goes on
// with a race for one more culprit, M pinned.
void Engine::search_knobs(Diagnosis& d) {
  const Names& all = candidates_;
  auto removes = [&](const Names& pinned, std::uint64_t clean_needed) {
    const Answer a = fails(sorted(pinned), removes_text(sorted(pinned)), clean_needed);
    return a == Answer::undecided ? a : a == Answer::no ? Answer::yes : Answer::no;
  };
  // The same as claims (fresh runs, see claim()), in round `round`.
  // `part`: of the round's α (search_part_ but for concurrency's own claim).
  auto removes_claim = [&](const Names& pinned, unsigned round, double part = 0) {
    const std::uint64_t runs =
        part > 0 ? rule_.claim(round, kRateModulation, part) : claim_runs(round);
    const Answer a = claim(sorted(pinned), removes_text(sorted(pinned)), runs, round);
    return a == Answer::undecided ? a : a == Answer::no ? Answer::yes : Answer::no;
  };
  // The knobs searched this round: every one, or all but concurrency when
  // it is left free (below). "Freeing only F" pins the rest of them.
  Names search_set = all;
  auto fails_alone = [&](const Names& freed, std::uint64_t clean_needed) {
    const Names pinned = sorted(minus(search_set, freed));
    return fails(pinned, brings_back_text(pinned), clean_needed);
  };
  // Asks `question` of each knob in turn: yes when every answer is
  // `expected`, no at the first that is not (the set is refuted), undecided
  // when one cannot be settled.
  auto each_holds = [](const Names& knobs, Answer expected, const auto& question) {
    for (const auto& knob : knobs) {
      const Answer a = question(knob);
      if (a != expected) return a == Answer::undecided ? a : Answer::no;
    }
    return Answer::yes;
  };
  // The claims that "requires all" of F rests on: yes when they hold, no
  // when one is refuted (search again), undecided when the budget ends.
  auto requires_all = [&](const Names& f, unsigned round) {
    // Freeing F brings them back: seen (ddmin asks it; the race may have
    // found F's last member by elimination). A failure proves it; none in a
    // claim's length means the search was misled.
    const Answer shown = fails_alone(f, claim_runs(round));
    if (shown != Answer::yes) return shown;
    // Requires "all" (DESIGN.md): failures need every member of F free, so
    // pinning any one of them is enough. That is |F| claims, pinning each f
    // removes the failures (M's is one of them), and the answer is their
    // conjunction: an intersection-union test, in which each claim at the
    // round's level keeps the whole at it (wrong only if some claim is, and
    // each is wrong with probability ≤ its level). Freeing F brings them
    // back: seen.
    Answer holds = each_holds(
        f, Answer::yes, [&](const std::string& knob) { return removes_claim({knob}, round); });
    // Concurrency pinned lowers the load, and with it the rate of any race,
    // often past kRateModulation (bisect_threads: 30% to about 5%): its
    // "removes" claim cannot tell "needed" from "makes rarer". The other
    // side can: with it pinned and the rest of F free, no failure either,
    // ruling out rates down to p/kLoadModulation.
    if (holds == Answer::yes && f.size() >= 2 &&
        std::find(f.begin(), f.end(), "concurrency") != f.end()) {
      const Names pinned = sorted(minus(search_set, minus(f, {"concurrency"})));
      const Answer rest_fails = claim(pinned, brings_back_text(pinned),
                                      rule_.claim(round, kLoadModulation, search_part_), round);
      holds = rest_fails == Answer::no    ? Answer::yes
              : rest_fails == Answer::yes ? Answer::no
                                          : rest_fails;
    }
    return holds;
  };
  const bool has_concurrency = std::find(all.begin(), all.end(), "concurrency") != all.end();
  const Names others = minus(all, {"concurrency"});
  // A raced candidate carried into the next round (see above), searched
  // with concurrency free.
  std::optional<Names> carried;
  for (unsigned round = 0;; ++round) {
    if (round == kSearchRounds) {
      open_claim_ = fmt::format(
          "a set of knobs whose pinning removes the failures ({} candidates "
          "refuted)",
          round);
      open_needed_ = claim_runs(round);
      return undecided(d);
    }
    answer_round_ = round;
    const std::uint64_t screen = screen_runs(round);
    auto removes_screened = [&](const Names& pinned) { return removes(pinned, screen); };
    auto fails_alone_screened = [&](const Names& freed) { return fails_alone(freed, screen); };
    std::optional<Names> pinned_side;
    bool raced = false;  // M came from a race: a failure with it pinned calls for one more
    search_set = all;
    if (carried) {
      pinned_side = std::exchange(carried, std::nullopt);
      search_set = has_concurrency ? others : all;
      raced = true;
    }
    // Copies of the test running at once come first: a clash over a port or
    // a file is the commonest flake, and it hides behind any other knob.
    // Not screened: running one copy at a time lowers the load, and with it
    // the rate of most races, so a screen would often wrongly pass it; run
    // to a claim's length it costs nothing more when it is the cause and a
    // first failure when it is not. It is a claim of its own, which the
    // round's answer may rest on, and when a failure refutes it the round
    // goes on to claim something else: it runs at kConcurrencyPart of the
    // round's α and every other claim at the rest (search_part_), so that
    // the round stays within its share whichever answer it gives.
    if (!pinned_side && has_concurrency) {
      const Answer a = removes_claim({"concurrency"}, round, kConcurrencyPart);
      if (a == Answer::undecided) return undecided(d);
      if (a == Answer::yes) pinned_side = Names{"concurrency"};
    }
    // Concurrency, when not the cause alone, is left free while the others
    // are searched: pinned, it makes races rarer and fools the screens
    // (bisect_threads: 30% free, about 5% with concurrency pinned).
    if (!pinned_side && round == 0) {
      // First a race for one culprit among the others (it needs no screen
      // of them all pinned unless both sides fail: failures decide, and its
      // answer is claimed below).
      search_set = others;
      const RaceResult first = race_for_one_culprit(others, screen, {});
      pinned_side = first.found;
      raced = bool(pinned_side);
      if (!pinned_side) search_set = all;
      // Both halves failed at one step: two culprits at least, each enough
      // alone. Claiming the first alone would only be refuted, and spend
      // this round's α: race on for the second first.
      if (pinned_side && first.saw_both)
        if (const auto more =
                race_for_one_culprit(minus(search_set, *pinned_side), screen, *pinned_side, true)
                    .found)
          pinned_side = sorted(Names{pinned_side->front(), more->front()});
      // Neither half failed alone: culprits needed together may lie on both
      // sides. With everything else free, pinning part of a half fails
      // unless that part holds a member, so a race in each half — the side
      // that fails is the one without it — finds F at a failure a step.
      if (!pinned_side && first.split) {
        const auto [half_a, half_b] = *first.split;
        auto member_in = [&](const Names& half) {
          auto pinning = [&](const Names& side) {
            return Question{sorted(side), removes_text(sorted(side))};
          };
          return race(
                     half, screen, [&](const Names&, const Names& b) { return pinning(b); },
                     [&](const Names& a, const Names&) { return pinning(a); })
              .found;
        };
        const auto in_a = member_in(half_a);
        const auto in_b = member_in(half_b);
        if (bool(in_a) != bool(in_b)) {
          // One half's member, the other half failing whichever part is
          // pinned: one culprit after all, which the first race missed.
          pinned_side = in_a ? in_a : in_b;
          raced = true;
        } else if (in_a && in_b) {
          search_set = others;
          const Names f = sorted(Names{in_a->front(), in_b->front()});
          const Answer a = requires_all(f, round);
          if (a == Answer::undecided) return undecided(d);
          if (a == Answer::yes) {
            d.cause = "knobs";
            d.culprits = f;
            d.requires_ = "all";
            return fill_culprit_evidence(d, search_set);
          }
          continue;
        }
        if (!pinned_side) search_set = all;
      }
    }
    // ddmin's premise: pinning the whole set removes the failures. Screened
    // (a false one that passes costs runs, not truth: what it leads to is
    // claimed), and leaving concurrency free for ddmin too when it holds.
    if (!pinned_side && has_concurrency) {
      const Answer a = removes(others, screen);
      if (a == Answer::undecided) return undecided(d);
      if (a == Answer::yes) search_set = others;
    }
    if (!pinned_side && search_set == all) {
      // Every knob pinned and failures go on: no knob is the cause.
      const Answer all_pinned = removes(all, claim_runs(round));
      if (all_pinned == Answer::undecided) return undecided(d);
      if (all_pinned == Answer::no) return seed_or_unknown(d);
    }
    if (!pinned_side) {
      pinned_side = ddmin(search_set, removes_screened);
      if (!pinned_side) return undecided(d);
    }
    const Names m = sorted(*pinned_side);
    // The claim the diagnosis rests on: pinning M removes the failures.
    const Answer proven = removes_claim(m, round);
    if (proven == Answer::undecided) return undecided(d);
    if (proven == Answer::no) {
      // Refuted by a failure with M pinned: another culprit is free (each
      // enough alone), or M is wrong. A raced M races on for one more
      // culprit among the rest, M pinned, and the next round claims both.
      // (Only while pinning every knob removes them: else no set of knobs
      // does, and the next round says so.)
      if (raced && round + 1 < kSearchRounds && m.size() + 1 < search_set.size() &&
          removes(search_set, screen) == Answer::yes)
        if (const auto more = race_for_one_culprit(minus(search_set, m), screen, m, true).found) {
          Names bigger = m;
          bigger.push_back(more->front());
          carried = sorted(bigger);
        }
      continue;
    }
    d.cause = "knobs";
    if (m.size() >= 2) {
      // Pinning one is not enough (each smaller set failed): each culprit
      // alone causes failures, and must show it. One that does not (with
      // the others pinned) is no independent cause: the claim about M must
      // be wrong, its failures only rarer than it could tell (two sources
      // pinned at once can lower a rate past kRateModulation: measured on
      // bisect_two_causes_any, 65% all free, 14% with threads and
      // concurrency pinned). Search again, longer (a fresh round: the
      // smaller set's own claim has been refuted already).
      const Answer each_fails = each_holds(m, Answer::yes, [&](const std::string& knob) {
        return fails_alone({knob}, claim_runs(round));
      });
      if (each_fails == Answer::undecided) return undecided(d);
      if (each_fails == Answer::no) continue;
      d.culprits = m;
      d.requires_ = "any";
      return fill_culprit_evidence(d, search_set);
    }
    // One knob's pinning removes them: alone, or as one of several that
    // must all be free (then pinning any of them is enough). Freeing it
    // alone is screened: "all" rests on its own claims below, and a screen
    // that misses the failures of "any" costs the search for a second
    // member, which comes back with M alone.
    const Answer alone = fails_alone(m, screen);
    if (alone == Answer::undecided) return undecided(d);
    if (alone == Answer::yes) {
      d.culprits = m;
      d.requires_ = "any";
      return fill_culprit_evidence(d, search_set);
    }
    // Failures need more than M free. M belongs to every such set F (else
    // freeing only F, M pinned, would fail: pinning M removes them), so
    // race for one more member first — freeing M and half A against M and
    // half B — and fall back to ddmin over the free side.
    std::optional<Names> free_side;
    const Names rest = minus(search_set, m);
    auto freeing = [&](const Names& side, const Names&) {
      Names freed = m;
      freed.insert(freed.end(), side.begin(), side.end());
      const Names pinned = sorted(minus(search_set, freed));
      return Question{pinned, brings_back_text(pinned)};
    };
    if (const auto second = race(rest, screen, freeing, [&](const Names& a, const Names& b) {
                              return freeing(b, a);
                            }).found)
      free_side = sorted(Names{m.front(), second->front()});
    if (!free_side) free_side = ddmin(search_set, fails_alone_screened);
    if (!free_side) return undecided(d);
    const Names f = sorted(*free_side);
    if (f == m) {
      // Freeing M alone fails after all: the screen above missed it.
      d.culprits = m;
      d.requires_ = "any";
      return fill_culprit_evidence(d, search_set);
    }
    if (f.size() == 1) {
      // Freeing only F fails, with M pinned: a contradiction of the claim
      // about M that only a wrong claim explains. Say so; never guess.
      open_claim_ = fmt::format(
          "pinning {} removes the failures, yet they come back with only {} "
          "free",
          list(m), list(f));
      open_needed_ = claim_runs(round);
      return undecided(d);
    }
    if (const Answer a = requires_all(f, round); a != Answer::yes) {
      if (a == Answer::undecided) return undecided(d);
      continue;
    }
    d.culprits = f;
    d.requires_ = "all";
    return fill_culprit_evidence(d, search_set);
  }
}

// The configuration that shows the failure (the culprits free, the rest
// pinned), a seed that reproduces it, and whether the seed decides.
// `searched`: the knobs the search pinned and freed (concurrency, left free
// during it, stays free: one replay runs alone either way).
void Engine::fill_culprit_evidence(Diagnosis& d, const Names& searched) {
  const Names repro_pinned = sorted(minus(searched, d.culprits));
  if (fails(repro_pinned, brings_back_text(repro_pinned), n_star_) == Answer::undecided)
    return;  // the cause stands on its claims; no reproducing run to show
  Tally& shown = tallies_[repro_pinned];
  d.repro_pinned = repro_pinned;
  if (!shown.failing.empty()) d.repro_seed = shown.failing.front();
  // Its rate: the baseline's (the culprits free is how the baseline ran
  // them; this configuration's own tally starts with known failing seeds).
  d.repro_rate = double(d.baseline_failures) / double(std::max<std::uint64_t>(1, d.baseline_runs));
  // Seed-dependent: under the culprits' free setting, is the outcome a
  // function of the seed? Needs a failing and a passing seed to replay (one
  // failing seed replayed r times decides at the confidence: see replays).
  more_runs(repro_pinned, shown, [&] {
    return (shown.failing.empty() || shown.passing.empty()) && shown.runs < 4 * n_star_;
  });
  d.seed_dependent = replays_consistently(repro_pinned, shown, d, alpha_ * kSeedDependencePart);
  if (d.seed_dependent == false)
    d.notes.back() = "seeds do not matter: " + d.notes.back() + " (" + list(d.culprits) + " free)";
}

void Engine::seed_or_unknown(Diagnosis& d) {
  Tally& t = tallies_[candidates_];
  d.repro_pinned = candidates_;
  if (!t.failing.empty()) d.repro_seed = t.failing.front();
  d.repro_rate = double(d.baseline_failures) / double(std::max<std::uint64_t>(1, d.baseline_runs));
  // Enough passing seeds to replay too.
  more_runs(candidates_, t, [&] {
    return t.passing.size() < 2 && t.runs < 4 * std::max<std::uint64_t>(n_star_, 20);
  });
  const auto consistent = replays_consistently(candidates_, t, d, seed_answer_level());
  if (!consistent) {
    open_claim_ = "the outcome is a function of the seed with every knob pinned";
    open_needed_ = 2 * replays_needed(seed_answer_level());
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
  if (baseline(d)) search_knobs(d);
  for (const auto& [pinned, claim] : order_) {
    const Tally& t = tallies_[pinned];
    if (t.runs == 0) continue;
    d.evidence.push_back(
        EvidenceRow{pinned, minus(candidates_, pinned), {}, t.runs, t.failures, claim});
  }
  d.total_runs = used_;
  return d;
}

}  // namespace

// A screen: the clean runs that the baseline's rate would break with
// probability kScreenMiss, three times as long each round, never longer
// than a claim.
std::uint64_t CleanRunRule::screen(unsigned round) const {
  std::uint64_t runs = std::max<std::uint64_t>(3, clean_runs_needed(p_hat, kScreenMiss));
  for (unsigned i = 0; i < round; ++i) runs *= 3;
  return std::min(runs, claim(round));
}

// A claim, at its share of the error budget α: round_share(round) of it
// per round.
std::uint64_t CleanRunRule::claim(unsigned round, double modulation, double part) const {
  const double a = alpha * round_share(round) * part;
  if (k > 0 && runs_to_kth > 0) {
    // The test on both samples (the header): m = ⌈c·N⌉, c = 3(a^(−1/k) − 1).
    const double c = modulation * (std::pow(a, -1.0 / double(k)) - 1);
    return std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(c * double(runs_to_kth) - 1e-9)));
  }
  return clean_runs_needed(p_low / modulation, a / 2);
}

// Most diagnoses end in their first round, which gets kFirstRoundShare of
// α; round r ≥ 1 gets the rest times 6/(π²r²) (a sum of 1).
double round_share(unsigned round) {
  constexpr double kPi = 3.14159265358979323846;
  if (round == 0) return kFirstRoundShare;
  return (1 - kFirstRoundShare) * 6 / (kPi * kPi * double(round) * double(round));
}

std::vector<std::optional<bool>> stopped_at_failure(std::vector<std::optional<bool>> results,
                                                    unsigned parallel) {
  const auto first = std::find(results.begin(), results.end(), std::optional<bool>(true));
  if (first == results.end()) return results;
  const auto last_started =
      std::min<std::ptrdiff_t>(results.end() - first - 1, std::max(1u, parallel) - 1);
  for (auto it = first + 1 + last_started; it != results.end(); ++it) it->reset();
  return results;
}

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
