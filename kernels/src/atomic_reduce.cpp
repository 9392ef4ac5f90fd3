#include "deflake/kernels/atomic_reduce.hpp"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "deflake/kernels/start_gate.hpp"
#include "deflake/seed.hpp"

namespace deflake::kernels {
namespace {

float block_sum(std::span<const float> data, std::size_t begin, std::size_t end) {
  float sum = 0.0f;
  for (std::size_t i = begin; i < end; ++i) sum += data[i];
  return sum;
}

}  // namespace

float atomic_add(std::atomic<std::uint32_t>& target, float value) {
  std::uint32_t old_bits = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(
      old_bits, std::bit_cast<std::uint32_t>(std::bit_cast<float>(old_bits) + value),
      std::memory_order_relaxed)) {
  }
  return std::bit_cast<float>(old_bits);
}

float atomic_reduce_sum(std::span<const float> data, const AtomicReduceOptions& options) {
  const std::size_t blocks =
      std::clamp<std::size_t>(options.blocks, 1, std::max<std::size_t>(data.size(), 1));
  const unsigned workers =
      std::max(1u, static_cast<unsigned>(std::min<std::size_t>(options.workers, blocks)));
  const std::size_t per_block = data.size() / blocks;
  auto bounds = [&](std::size_t b) {
    const std::size_t begin = b * per_block;
    return std::pair{begin, b + 1 == blocks ? data.size() : begin + per_block};
  };

  std::vector<float> partial(blocks, 0.0f);
  std::atomic<std::uint32_t> total{std::bit_cast<std::uint32_t>(0.0f)};
  StartGate gate;
  auto work = [&](unsigned w) {
    gate.arrive_and_wait();
    for (std::size_t b = w; b < blocks; b += workers) {  // grid-stride
      const auto [begin, end] = bounds(b);
      const float sum = block_sum(data, begin, end);
      if (options.deterministic)
        partial[b] = sum;  // each slot has one writer; read after join
      else
        atomic_add(total, sum);
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(workers);
  for (unsigned w = 0; w < workers; ++w) threads.emplace_back(work, w);
  gate.open_when_arrived(workers);
  for (auto& thread : threads) thread.join();

  if (!options.deterministic) return std::bit_cast<float>(total.load(std::memory_order_relaxed));
  float sum = 0.0f;
  for (const float p : partial) sum += p;
  return sum;
}

bool atomics_pinned() {
  const char* tf = std::getenv("TF_DETERMINISTIC_OPS");
  return deflake::pinned("atomics") || (tf != nullptr && std::strcmp(tf, "1") == 0);
}

}  // namespace deflake::kernels
