#pragma once

#include <chrono>

namespace deflake {

/// All deadlines use the monotonic clock: wall-clock jumps never time a run out.
using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;

/// Converts seconds to a Duration, clamped to [0, 10^9 s] (31 years): a
/// larger value would overflow the clock's 64-bit nanoseconds.
inline Duration seconds(double s) {
  constexpr double kMax = 1e9;
  if (!(s > 0)) s = 0;  // also NaN
  if (s > kMax) s = kMax;
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}
inline double to_seconds(Duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace deflake
