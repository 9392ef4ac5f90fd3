// cause: knobs — threads (requires any; not seed-dependent)
//
// A parallel float reduction, OpenMP style: the team size comes from
// OMP_NUM_THREADS (unset: 4 threads), each thread sums its own chunk, and the
// partials are added to the total in the order the threads finish (under a
// mutex, like OpenMP's critical section). The test checks the result
// bit-exactly against the single-thread sum.
//
// Free (OMP_NUM_THREADS unset): 4 threads race from a start gate; the spike
// data (spike_data.hpp) makes the sum differ exactly when the chunk holding
// the spike is combined third or fourth, which the scheduler decides: about
// half of the runs fail, on an idle machine or a loaded one.
// Pinned (OMP_NUM_THREADS=1): one thread sums left to right, which is the
// reference computation itself, so every run passes on every machine.
// No other knob matters: there are no atomics, no seed, no timing choice;
// addresses and the environment do not enter the arithmetic.
#include <cstdio>

#include "deflake/kernels/parallel_reduce.hpp"
#include "spike_data.hpp"

int main() {
  namespace k = deflake::kernels;
  const unsigned threads = k::omp_num_threads(4);
  const auto data = bisect_examples::spike_data(threads, 1 << 17);
  const float expected = k::sequential_sum(data);
  const float got = k::parallel_reduce_sum(data, threads);
  if (got != expected) {
    std::printf("FAIL: %u threads summed to %.1f, the single-thread sum is %.1f\n", threads,
                static_cast<double>(got), static_cast<double>(expected));
    return 1;
  }
  std::printf("ok: %u thread(s), sum %.1f\n", threads, static_cast<double>(got));
  return 0;
}
