// cause: knobs — atomics, threads (requires all; not seed-dependent)
//
// One float-atomics reduction (deflake/kernels/atomic_reduce.hpp) whose worker
// count comes from OMP_NUM_THREADS (unset: 4): the race needs several threads
// AND the atomic accumulation.
//   - threads pinned (OMP_NUM_THREADS=1): one worker, one block, one partial:
//     the sum is the left-to-right sum whatever atomics says;
//   - atomics pinned: the partials are summed in block order, which for the
//     spike data is the single-thread sum (spike_data.hpp), whatever the
//     thread count;
//   - both free: 4 workers add their partials atomically in finishing order,
//     and the sum differs when the spike's block lands third or fourth:
//     about half of the runs fail.
// Pinning either knob removes every failure, on any machine: requires "all".
#include <cstdio>

#include "deflake/kernels/atomic_reduce.hpp"
#include "deflake/kernels/parallel_reduce.hpp"
#include "spike_data.hpp"

int main() {
  namespace k = deflake::kernels;
  const unsigned workers = k::omp_num_threads(4);
  const auto data = bisect_examples::spike_data(workers, 1 << 17);
  const float expected = k::sequential_sum(data);
  const float got = k::atomic_reduce_sum(data, {workers, workers, k::atomics_pinned()});
  if (got != expected) {
    std::printf("FAIL: %u workers summed to %.1f, the single-thread sum is %.1f\n", workers,
                static_cast<double>(got), static_cast<double>(expected));
    return 1;
  }
  std::printf("ok: %u worker(s), sum %.1f\n", workers, static_cast<double>(got));
  return 0;
}
