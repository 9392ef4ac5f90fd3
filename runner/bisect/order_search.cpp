#include "bisect/order_search.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <functional>
#include <map>

#include "bisect/ddmin.hpp"
#include "bisect/names.hpp"
#include "deflake/seed_derivation.hpp"
#include "stats/stats.hpp"

namespace deflake {
namespace {

// Search rounds (a refuted claim starts the next) before giving up.
constexpr unsigned kSearchRounds = 4;

class PolluterSearch {
 public:
  PolluterSearch(OrderOracle& oracle, std::string victim, const ShuffledRate& shuffled,
                 const BisectOptions& options)
      : oracle_(oracle), victim_(std::move(victim)), options_(options) {
    const double alpha = 1 - options.confidence;
    const auto failures = static_cast<std::uint64_t>(shuffled.rate * double(shuffled.runs) + 0.5);
    const Interval ci = wilson_interval(failures, shuffled.runs, 1 - alpha);
    // The victim's rate under shuffling is a lower bound on its rate when
    // its polluters always run first: claims sized from it are conservative.
    // Its runs are a sequence of independent shuffled runs, so the run of
    // its k-th failure is what the exact test needs.
    rule_ = CleanRunRule{shuffled.rate, ci.low, alpha, shuffled.runs_to_kth ? kBaselineFailures : 0,
                         shuffled.runs_to_kth};
    // The victim's runs alone (its screening, every knob free): the first
    // round's claim about the empty set (a single polluter is needed)
    // starts with them. They also made it a victim (it never failed alone),
    // but the claim is wrong only if those same runs, and any fresh ones on
    // top, were all clean at a rate of p/3 or more: probability at most
    // (1 − p/3)^m ≤ α, whatever picked the victim.
    if (shuffled.clean_alone > 0) {
      Tally& alone = tallies_[Names{}];
      alone.counted = alone.attempts = shuffled.clean_alone;
      alone.claim_round = 0;
      order_.push_back(Names{});
    }
  }

  OrderSearch run(const Names& before);

 private:
  struct Tally {
    std::uint64_t counted = 0, failed = 0, attempts = 0;
    std::optional<std::uint64_t> failing_seed;
    unsigned claim_round = ~0u;  // see claim()
    std::uint64_t claim_from = 0;
  };
  Answer fails_after(const Names& subset, std::uint64_t clean_needed);
  Answer claim(const Names& subset, std::uint64_t fresh, unsigned round);
  std::uint64_t seed_with_first(const Names& subset, const Names& tests);
  void run_batch(const Names& sorted, Tally& t, std::uint64_t count,
                 const std::function<void(bool failed)>& counted);
  std::uint64_t runs_to_kth_failure(const Names& polluters);

  OrderOracle& oracle_;
  std::string victim_;
  BisectOptions options_;
  CleanRunRule rule_;
  std::uint64_t next_seed_ = 0;
  bool predicts_ = false;                       // the oracle predicted the last seed's order
  std::map<Names, std::uint64_t> kth_failure_;  // runs_to_kth_failure, per set
  std::map<Names, Tally> tallies_;
  std::vector<Names> order_;  // first use
  OrderSearch out_;
};

// Does the victim fail when every test of `subset` runs before it? Yes at a
// first failure; no after `clean_needed` counted clean runs.
Answer PolluterSearch::fails_after(const Names& subset, std::uint64_t clean_needed) {
  Names sorted = subset;
  std::sort(sorted.begin(), sorted.end());
  auto [it, added] = tallies_.try_emplace(sorted);
  if (added) order_.push_back(sorted);
  Tally& t = it->second;
  for (;;) {
    if (t.failed > 0) return Answer::yes;
    if (t.counted >= clean_needed) return Answer::no;
    // Only orders with the whole subset first count (all of them where the
    // oracle predicts its orders, 1 in |S|+1 where it cannot), so a cap on
    // attempts bounds the work.
    if (out_.total_runs >= options_.max_runs || oracle_.interrupted() ||
        t.attempts > 50 * (clean_needed + 1) * (sorted.size() + 1)) {
      out_.undecided_claim = fmt::format("{} fails after {}", victim_, list(sorted));
      out_.runs_needed = clean_needed - t.counted;
      return Answer::undecided;
    }
    // No more than the claim still needs: every run counts where the
    // oracle predicts its orders, 1 in |S|+1 where it cannot.
    const std::uint64_t needed =
        (clean_needed - t.counted) * (predicts_ ? 1 : std::uint64_t(sorted.size() + 1));
    run_batch(sorted, t, std::min(options_.batch_after(t.attempts), needed), nullptr);
  }
}

// Runs `count` orders with `sorted` first (as predicted) and counts those
// in which it really ran first; `counted` hears each of those.
void PolluterSearch::run_batch(const Names& sorted, Tally& t, std::uint64_t count,
                               const std::function<void(bool failed)>& counted) {
  // Never past --max-runs.
  count = std::min(count, options_.max_runs > out_.total_runs ? options_.max_runs - out_.total_runs
                                                              : std::uint64_t(0));
  if (count == 0) return;
  Names tests = sorted;
  tests.push_back(victim_);
  std::vector<std::uint64_t> seeds;
  for (std::uint64_t i = 0; i < count; ++i) seeds.push_back(seed_with_first(sorted, tests));
  const auto runs = oracle_.run(tests, seeds);
  t.attempts += count;  // asked for, answered or not: bounds the work
  for (std::size_t i = 0; i < runs.size() && i < seeds.size(); ++i) {
    if (!runs[i].victim_failed) continue;
    ++out_.total_runs;
    const bool all_first = std::all_of(sorted.begin(), sorted.end(), [&](const std::string& s) {
      return std::find(runs[i].before.begin(), runs[i].before.end(), s) != runs[i].before.end();
    });
    if (!all_first) continue;
    ++t.counted;
    if (*runs[i].victim_failed) {
      ++t.failed;
      if (!t.failing_seed) t.failing_seed = seeds[i];
    }
    if (counted) counted(*runs[i].victim_failed);
  }
}

// The victim's own rate after `polluters`: fresh runs until its k-th
// failure, whose run (counted, 1-based) sizes the claims that each polluter
// is needed (the exact test of diagnosis.hpp, on this configuration's
// runs). 0 when the budget or the attempts run out first.
std::uint64_t PolluterSearch::runs_to_kth_failure(const Names& polluters) {
  if (const auto known = kth_failure_.find(polluters); known != kth_failure_.end())
    return known->second;  // a later round asks again
  Tally& t = tallies_[polluters];
  std::uint64_t counted = 0, failed = 0, at_kth = 0;
  const std::uint64_t attempts_cap = t.attempts + 200 * kBaselineFailures * (polluters.size() + 1);
  while (failed < kBaselineFailures) {
    if (out_.total_runs >= options_.max_runs || oracle_.interrupted() || t.attempts > attempts_cap)
      return 0;
    // No more than the rate so far says the rest need.
    const std::uint64_t count =
        failed == 0 ? options_.batch_after(counted)
                    : std::clamp<std::uint64_t>((kBaselineFailures - failed) * counted / failed,
                                                options_.parallel, options_.batch);
    run_batch(polluters, t, count, [&](bool f) {
      ++counted;
      failed += f;
      if (f && failed == kBaselineFailures) at_kth = counted;
    });
  }
  kth_failure_[polluters] = at_kth;
  return at_kth;
}

// A fresh seed whose order (as the oracle predicts it) runs every test of
// `subset` before the victim: 1 in |S|+1 of them, drawn in turn, so the
// runs are the uniform orders with the subset first that counting only
// those would keep. Where the oracle cannot predict, the next seed.
std::uint64_t PolluterSearch::seed_with_first(const Names& subset, const Names& tests) {
  const std::uint64_t draws = 64 * (subset.size() + 1);
  std::uint64_t seed = 0;
  for (std::uint64_t i = 0; i < draws; ++i) {
    seed = run_seed(options_.master_seed ^ 0x6f72646572ULL, next_seed_++);
    const auto before = oracle_.predicted_before(tests, seed);
    predicts_ = bool(before);
    if (!before) break;
    if (std::all_of(subset.begin(), subset.end(), [&](const std::string& s) {
          return std::find(before->begin(), before->end(), s) != before->end();
        }))
      break;
  }
  return seed;
}

// A claim counts the runs made since it was first asked as one in this
// round: earlier runs helped choose it (diagnosis.cpp, Engine::claim).
Answer PolluterSearch::claim(const Names& subset, std::uint64_t fresh, unsigned round) {
  Names sorted = subset;
  std::sort(sorted.begin(), sorted.end());
  auto [it, added] = tallies_.try_emplace(sorted);
  if (added) order_.push_back(sorted);
  Tally& t = it->second;
  if (t.claim_round != round) {
    t.claim_round = round;
    t.claim_from = t.counted;
  }
  return fails_after(subset, t.claim_from + fresh);
}

// In rounds, as the knob search (diagnosis.hpp): ddmin with screened "no"
// answers finds a smallest failing set P (its "yes" is a failure seen, so
// certain); the claims it rests on, "P less any one of its tests does not
// fail", run to full strength. A refuted claim is a failure kept, and the
// next round searches around it.
OrderSearch PolluterSearch::run(const Names& before) {
  std::optional<Names> found;
  for (unsigned round = 0; round < kSearchRounds && !found && !out_.not_order; ++round) {
    const std::uint64_t screen = rule_.screen(round);
    auto screened = [&](const Names& subset) { return fails_after(subset, screen); };
    // ddmin needs the whole set to fail: the failing order may have been chance.
    const Answer whole = fails_after(before, rule_.claim(round));
    if (whole != Answer::yes) {
      if (whole == Answer::no) out_.not_order = true;
      out_.undecided_claim = fmt::format("{} fails after {}", victim_, list(before));
      break;
    }
    // Failing with nothing before it: the order is not the cause.
    if (const auto alone = tallies_.find(Names{});
        alone != tallies_.end() && alone->second.failed) {
      out_.not_order = true;
      break;
    }
    const auto p = ddmin(before, screened);
    if (!p) break;
    Names polluters = *p;
    std::sort(polluters.begin(), polluters.end());
    // Two or more polluters: their claims are sized from the victim's rate
    // with them all first (fresh runs to its k-th failure), at most the
    // rate that counts for a claim and often far above the shuffled one (a
    // victim that fails whenever they ran: 33% shuffled, 100% after them).
    // One polluter: its claim is about the victim alone, whose screening
    // runs it already has.
    CleanRunRule rule = rule_;
    if (polluters.size() >= 2)
      if (const std::uint64_t n = runs_to_kth_failure(polluters); n > 0) {
        const Tally& t = tallies_[polluters];
        rule = CleanRunRule{double(t.failed) / double(std::max<std::uint64_t>(1, t.counted)), 0,
                            rule_.alpha, kBaselineFailures, n};
      }
    bool refuted = false, open = false;
    for (const auto& test : polluters) {
      Names less;
      for (const auto& other : polluters)
        if (other != test) less.push_back(other);
      // Each polluter is needed: a conjunction, so each claim at the
      // round's level (an intersection-union test, diagnosis.hpp).
      const Answer a = claim(less, rule.claim(round), round);
      if (a == Answer::undecided) {
        open = true;
        break;
      }
      if (a == Answer::yes) {
        refuted = true;
        if (less.empty()) out_.not_order = true;  // it fails with nothing before it
        break;
      }
    }
    if (open) break;  // the budget ended: undecided_claim says which claim
    if (!refuted) found = polluters;
  }
  if (found) {
    out_.polluters = found;
    out_.repro_seed = tallies_[*found].failing_seed;
    out_.undecided_claim.clear();
    out_.runs_needed = 0;
  } else if (!out_.not_order && out_.undecided_claim.empty()) {
    out_.undecided_claim = fmt::format("a smallest set of tests that {} fails after", victim_);
    out_.runs_needed = rule_.claim(kSearchRounds);
  }
  for (const Names& subset : order_) {
    const Tally& t = tallies_[subset];
    Names tests = subset;
    tests.push_back(victim_);
    EvidenceRow row;
    (oracle_.shuffles(tests) ? row.free : row.pinned) = {"order"};
    row.tests = tests;
    row.runs = t.counted;
    row.failures = t.failed;
    row.claim = fmt::format("{} fails after {}", victim_, list(subset));
    out_.evidence.push_back(std::move(row));
  }
  return std::move(out_);
}

}  // namespace

OrderSearch find_polluters(OrderOracle& oracle, const std::string& victim,
                           const std::vector<std::string>& before, const ShuffledRate& shuffled,
                           const BisectOptions& options) {
  if (before.empty()) {
    // The victim failed with nothing before it: not an order failure.
    OrderSearch out;
    out.not_order = true;
    return out;
  }
  return PolluterSearch(oracle, victim, shuffled, options).run(before);
}

}  // namespace deflake
