// Statistics of a sweep: the failure rate with a Wilson score interval, the
// rate that zero failures rule out, and the verdict.
//
// Why Wilson: the normal ("Wald") interval collapses to [0, 0] at zero
// failures and overshoots [0, 1] at small n; Wilson's stays inside [0, 1] and
// keeps close to its nominal coverage down to a handful of runs, which is
// where flaky tests live (3 failures in 200). For "0 failures in n runs" the
// exact one-sided binomial bound is used instead: with true rate p, the
// chance of n clean runs is (1-p)^n, so p ≥ 1 − α^(1/n) is ruled out at
// confidence 1 − α (the "rule of three" is its approximation, 3/n).
#pragma once

#include <cstdint>
#include <string_view>

namespace deflake {

struct Interval {
  double low = 0;
  double high = 1;
};

/// Two-sided Wilson score interval for `failures` out of `runs` at `confidence`.
/// [0, 1] when runs is 0.
Interval wilson_interval(std::uint64_t failures, std::uint64_t runs, double confidence = 0.95);

/// The smallest failure rate that `runs` clean runs rule out at `confidence`:
/// 1 − (1 − confidence)^(1/runs). 1 when runs is 0.
double ruled_out_rate(std::uint64_t runs, double confidence = 0.95);

/// The standard normal quantile: z such that Φ(z) = p, for 0 < p < 1.
double normal_quantile(double p);

enum class Verdict { stable_pass, flaky, stable_fail, skipped };

std::string_view to_string(Verdict verdict);

/// The verdict of a target from its counts. `counted` excludes skipped runs.
Verdict decide_verdict(std::uint64_t failures, std::uint64_t counted);

}  // namespace deflake
