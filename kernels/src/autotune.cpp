#include "deflake/kernels/autotune.hpp"

#include <chrono>
#include <cstdlib>
#include <cstring>

#include "deflake/seed.hpp"

namespace deflake::kernels {

std::string_view name(SumAlgo algo) {
  switch (algo) {
    case SumAlgo::forward:
      return "forward";
    case SumAlgo::reverse:
      return "reverse";
    case SumAlgo::wrapped:
      return "wrapped";
  }
  return "?";
}

float sum_with(std::span<const float> data, SumAlgo algo) {
  float sum = 0.0f;
  const std::size_t n = data.size();
  switch (algo) {
    case SumAlgo::forward:
      for (std::size_t i = 0; i < n; ++i) sum += data[i];
      break;
    case SumAlgo::reverse:
      for (std::size_t i = n; i-- > 0;) sum += data[i];
      break;
    case SumAlgo::wrapped:
      for (std::size_t i = n / 2; i < n; ++i) sum += data[i];
      for (std::size_t i = 0; i < n / 2; ++i) sum += data[i];
      break;
  }
  return sum;
}

TunedSum autotuned_sum(std::span<const float> data, bool pinned) {
  TunedSum tuned;
  if (pinned) {
    tuned.value = sum_with(data, kDefaultSumAlgo);
    return tuned;
  }
  // The warm-up brings the data into cache for every variant alike, so that
  // no variant pays for the first touch.
  volatile float sink = 0.0f;
  for (std::size_t a = 0; a < kSumAlgoCount; ++a)
    sink = sink + sum_with(data, static_cast<SumAlgo>(a));
  using clock = std::chrono::steady_clock;
  std::size_t best = 0;
  for (std::size_t a = 0; a < kSumAlgoCount; ++a) {
    const auto start = clock::now();
    sink = sink + sum_with(data, static_cast<SumAlgo>(a));
    tuned.seconds[a] = std::chrono::duration<double>(clock::now() - start).count();
    if (tuned.seconds[a] < tuned.seconds[best]) best = a;
  }
  tuned.algo = static_cast<SumAlgo>(best);
  tuned.value = sum_with(data, tuned.algo);
  tuned.timed = true;
  return tuned;
}

bool algo_pinned() {
  const char* autotune = std::getenv("TF_CUDNN_USE_AUTOTUNE");
  return deflake::pinned("algo") || (autotune != nullptr && std::strcmp(autotune, "0") == 0);
}

}  // namespace deflake::kernels
