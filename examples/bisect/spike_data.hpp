// The input of the reduction examples (bisect_threads, bisect_atomics,
// bisect_two_causes_*): data for which a float sum is bit-exact in every
// order but one kind, so that only the order in which partial sums are
// combined can change the result.
//
// The data is split into `chunks` equal chunks (one per thread or block):
//   - chunk 0 starts with 2^24 (the spike), every other chunk with 1.0f;
//   - the rest of each chunk is even integers in [-32, 32] in pairs (v, -v),
//     real work for the threads that sums exactly to 0 within the chunk.
// Every sum of the noise and of a few ones is an exact small integer, and
// 2^24 + an even integer of that size is exact too. The one inexact step is
// 2^24 + 1 (or 2^24 + 3): a tie, rounded to even, so 2^24 + 1 gives 2^24.
//
// Left to right (one thread), or with the chunk partials combined in chunk
// order, each 1 meets a running sum of exactly 2^24 and is lost: the sum is
// 2^24. Combined in another order, the result is still 2^24 when at most one
// 1 comes before the spike (1 + 2^24 rounds to 2^24), but when two or more do,
// 1 + 1 = 2 is exact and 2 + 2^24 = 2^24 + 2 is exact: the result is
// 2^24 + 2 or more, never 2^24 again (adding 1 never rounds down). So the sum
// differs from the single-thread one exactly when the spike's chunk is
// combined third or later: with 4 chunks in a uniformly random order, half
// of the time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace bisect_examples {

inline std::vector<float> spike_data(std::size_t chunks, std::size_t per_chunk) {
  std::vector<float> data(chunks * per_chunk, 0.0f);
  std::uint32_t state = 12345;  // a fixed LCG: the data is the same in every run
  for (std::size_t c = 0; c < chunks; ++c) {
    float* chunk = data.data() + c * per_chunk;
    chunk[0] = c == 0 ? 16777216.0f : 1.0f;
    for (std::size_t i = 1; i + 1 < per_chunk; i += 2) {
      state = state * 1664525u + 1013904223u;
      const auto v = static_cast<float>(2 * static_cast<int>((state >> 16) % 33) - 32);
      chunk[i] = v;
      chunk[i + 1] = -v;
    }
  }
  return data;
}

}  // namespace bisect_examples
