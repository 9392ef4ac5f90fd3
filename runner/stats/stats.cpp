#include "stats/stats.hpp"

#include <algorithm>
#include <cmath>

namespace deflake {

double normal_quantile(double p) {
  // Acklam's rational approximation (relative error < 1.2e-9), refined by
  // one Halley step on erfc: plenty for confidence levels.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  const double low = 0.02425;
  double x;
  if (p < low) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - low) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  const double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

Interval wilson_interval(std::uint64_t failures, std::uint64_t runs, double confidence) {
  if (runs == 0) return {0, 1};
  const double n = static_cast<double>(runs);
  const double p = static_cast<double>(failures) / n;
  const double z = normal_quantile(1 - (1 - confidence) / 2);
  const double z2 = z * z;
  const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = z / (1 + z2 / n) * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  // At 0 or n failures the exact end is 0 or 1; rounding must not move it.
  return {failures == 0 ? 0.0 : std::max(0.0, centre - half),
          failures == runs ? 1.0 : std::min(1.0, centre + half)};
}

double ruled_out_rate(std::uint64_t runs, double confidence) {
  if (runs == 0) return 1;
  return 1 - std::pow(1 - confidence, 1.0 / static_cast<double>(runs));
}

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::stable_pass:
      return "stable-pass";
    case Verdict::flaky:
      return "flaky";
    case Verdict::stable_fail:
      return "stable-fail";
    case Verdict::skipped:
      return "skipped";
  }
  return "unknown";
}

Verdict decide_verdict(std::uint64_t failures, std::uint64_t counted) {
  if (counted == 0) return Verdict::skipped;
  if (failures == 0) return Verdict::stable_pass;
  if (failures == counted) return Verdict::stable_fail;
  return Verdict::flaky;
}

}  // namespace deflake
