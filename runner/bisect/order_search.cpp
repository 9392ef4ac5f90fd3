#include "bisect/order_search.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

#include "bisect/ddmin.hpp"
#include "deflake/seed_derivation.hpp"
#include "stats/stats.hpp"

namespace deflake {

OrderSearch find_polluters(OrderOracle& oracle, const std::string& victim,
                           const std::vector<std::string>& before, double rate,
                           std::uint64_t rate_runs, const BisectOptions& options) {
  OrderSearch out;
  const double alpha = 1 - options.confidence;
  const auto failures = static_cast<std::uint64_t>(rate * double(rate_runs) + 0.5);
  const Interval ci = wilson_interval(failures, rate_runs, 1 - alpha);
  // As in diagnosis.cpp: tests that are not polluters may still make the
  // victim's failure rarer without preventing it.
  const std::uint64_t n_star = clean_runs_needed(ci.low / 3, alpha / 2);
  std::uint64_t next_seed = 0;
  struct Tally {
    std::uint64_t counted = 0, failed = 0, attempts = 0;
    std::optional<std::uint64_t> failing_seed;
  };
  std::map<std::vector<std::string>, Tally> tallies;
  std::vector<std::vector<std::string>> order;  // first use

  auto test = [&](const std::vector<std::string>& subset) -> Answer {
    std::vector<std::string> sorted = subset;
    std::sort(sorted.begin(), sorted.end());
    auto [it, added] = tallies.try_emplace(sorted);
    if (added) order.push_back(sorted);
    Tally& t = it->second;
    std::vector<std::string> tests = sorted;
    tests.push_back(victim);
    for (;;) {
      if (t.failed > 0) return Answer::yes;
      if (t.counted >= n_star) return Answer::no;
      // Every order is drawn fresh; only those with the whole subset first
      // count (1 in |S|+1 of them), so a cap on attempts bounds the work.
      if (out.total_runs >= options.max_runs || oracle.interrupted() ||
          t.attempts > 50 * (n_star + 1) * (sorted.size() + 1)) {
        out.undecided_claim =
            fmt::format("{} fails after {}", victim,
                        sorted.empty() ? "nothing" : fmt::format("{}", fmt::join(sorted, ", ")));
        out.runs_needed = n_star - t.counted;
        return Answer::undecided;
      }
      std::vector<std::uint64_t> seeds;
      for (unsigned i = 0; i < options.batch; ++i)
        seeds.push_back(run_seed(options.master_seed ^ 0x6f72646572ULL, next_seed++));
      const auto runs = oracle.run(tests, seeds);
      for (std::size_t i = 0; i < runs.size(); ++i) {
        ++t.attempts;
        if (!runs[i].victim_failed) continue;
        ++out.total_runs;
        const bool all_first = std::all_of(sorted.begin(), sorted.end(), [&](const std::string& s) {
          return std::find(runs[i].before.begin(), runs[i].before.end(), s) != runs[i].before.end();
        });
        if (!all_first) continue;
        ++t.counted;
        if (*runs[i].victim_failed) {
          ++t.failed;
          if (!t.failing_seed) t.failing_seed = seeds[i];
        }
      }
    }
  };
  out.polluters = ddmin(before, test);
  if (out.polluters && out.polluters->size() == 1) {
    // ddmin stops at one element: make sure that one alone does it (the
    // empty set — the victim alone — was ruled out by the screening).
    if (test(*out.polluters) != Answer::yes) out.polluters.reset();
  }
  if (out.polluters) {
    std::vector<std::string> sorted = *out.polluters;
    std::sort(sorted.begin(), sorted.end());
    out.polluters = sorted;
    out.repro_seed = tallies[sorted].failing_seed;
  }
  for (const auto& subset : order) {
    const Tally& t = tallies[subset];
    std::vector<std::string> tests = subset;
    tests.push_back(victim);
    out.evidence.push_back(
        EvidenceRow{tests,
                    {},
                    t.counted,
                    t.failed,
                    fmt::format("{} fails after {}", victim,
                                subset.empty() ? std::string("nothing")
                                               : fmt::format("{}", fmt::join(subset, ", ")))});
  }
  return out;
}

}  // namespace deflake
