// cause: knobs — atomics, threads (requires any; not seed-dependent)
//
// Two independent reductions, either of which can break the test:
//   1. the float-atomics reduction of bisect_atomics (4 workers, a constant),
//      nondeterministic unless atomics is pinned;
//   2. the OpenMP-style reduction of bisect_threads (OMP_NUM_THREADS threads,
//      unset: 4), nondeterministic unless threads is pinned.
// Each is checked bit-exactly against the single-thread sum, and the test
// fails when either differs. With both free about three runs in four fail;
// with only one free about half (that one's rate); with both pinned each
// reduction is deterministic and equal to the reference (see those two
// examples for why), so every run passes. Hence requires "any": each culprit
// alone brings the failures back, both must be pinned.
#include <cstdio>

#include "deflake/kernels/atomic_reduce.hpp"
#include "deflake/kernels/parallel_reduce.hpp"
#include "spike_data.hpp"

int main() {
  namespace k = deflake::kernels;
  int status = 0;

  constexpr unsigned kWorkers = 4;
  const auto block_data = bisect_examples::spike_data(kWorkers, 1 << 17);
  const float block_expected = k::sequential_sum(block_data);
  const float atomic_sum =
      k::atomic_reduce_sum(block_data, {kWorkers, kWorkers, k::atomics_pinned()});
  if (atomic_sum != block_expected) {
    std::printf("FAIL: atomic reduction %.1f, expected %.1f\n", static_cast<double>(atomic_sum),
                static_cast<double>(block_expected));
    status = 1;
  }

  const unsigned threads = k::omp_num_threads(4);
  const auto team_data = bisect_examples::spike_data(threads, 1 << 17);
  const float team_expected = k::sequential_sum(team_data);
  const float team_sum = k::parallel_reduce_sum(team_data, threads);
  if (team_sum != team_expected) {
    std::printf("FAIL: %u-thread reduction %.1f, expected %.1f\n", threads,
                static_cast<double>(team_sum), static_cast<double>(team_expected));
    status = 1;
  }
  if (status == 0) std::printf("ok\n");
  return status;
}
