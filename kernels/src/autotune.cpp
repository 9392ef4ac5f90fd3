#include "deflake/kernels/autotune.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "deflake/kernels/start_gate.hpp"
#include "deflake/seed.hpp"

namespace deflake::kernels {

std::string_view name(SumAlgo algo) {
  switch (algo) {
    case SumAlgo::from_start:
      return "from_start";
    case SumAlgo::from_third:
      return "from_third";
    case SumAlgo::from_two_thirds:
      return "from_two_thirds";
  }
  return "?";
}

float sum_with(std::span<const float> data, SumAlgo algo) {
  const std::size_t n = data.size();
  const std::size_t start = n * static_cast<std::size_t>(algo) / kSumAlgoCount;
  float sum = 0.0f;
  for (std::size_t i = start; i < n; ++i) sum += data[i];
  for (std::size_t i = 0; i < start; ++i) sum += data[i];
  return sum;
}

TunedSum autotuned_sum(std::span<const float> data, bool pinned, unsigned repeats) {
  TunedSum tuned;
  if (pinned) {
    tuned.value = sum_with(data, kDefaultSumAlgo);
    return tuned;
  }
  std::atomic<int> first{-1};
  StartGate gate;
  std::vector<std::thread> benchmarks;
  for (std::size_t a = 0; a < kSumAlgoCount; ++a)
    benchmarks.emplace_back([&, a] {
      gate.arrive_and_wait();
      const auto start = std::chrono::steady_clock::now();
      volatile float sink = 0.0f;
      for (unsigned r = 0; r < repeats; ++r) sink = sink + sum_with(data, static_cast<SumAlgo>(a));
      tuned.seconds[a] =  // one writer per slot, read after join
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      int none = -1;
      first.compare_exchange_strong(none, static_cast<int>(a), std::memory_order_acq_rel);
    });
  gate.open_when_arrived(kSumAlgoCount);
  for (auto& thread : benchmarks) thread.join();
  tuned.algo = static_cast<SumAlgo>(first.load());
  tuned.value = sum_with(data, tuned.algo);
  tuned.timed = true;
  return tuned;
}

bool algo_pinned() {
  const char* autotune = std::getenv("TF_CUDNN_USE_AUTOTUNE");
  return deflake::pinned("algo") || (autotune != nullptr && std::strcmp(autotune, "0") == 0);
}

}  // namespace deflake::kernels
