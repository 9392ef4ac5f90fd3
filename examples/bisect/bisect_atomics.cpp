// cause: knobs — atomics (requires any; not seed-dependent)
//
// CPU twin of a float atomicAdd reduction (deflake/kernels/atomic_reduce.hpp):
// 4 worker threads (a constant: no environment variable sets it, so the
// threads knob has no say) each sum one block of the spike data and add the
// partial into one float with a compare-and-swap loop. The test checks the
// result bit-exactly against the single-thread sum.
//
// Free: the blocks' partials land in the order the workers finish, which the
// scheduler decides; the sum differs exactly when the spike's block lands
// third or fourth (spike_data.hpp): about half of the runs fail.
// Pinned (DEFLAKE_PINNED has atomics, or TF_DETERMINISTIC_OPS=1): the
// partials go to one slot per block and are summed in block order after the
// workers finish, which gives the single-thread sum for this data by
// construction (each 1 meets exactly 2^24 and is rounded away), so every run
// passes on every machine.
#include <cstdio>

#include "deflake/kernels/atomic_reduce.hpp"
#include "deflake/kernels/parallel_reduce.hpp"
#include "spike_data.hpp"

int main() {
  namespace k = deflake::kernels;
  constexpr unsigned kWorkers = 4;
  const auto data = bisect_examples::spike_data(kWorkers, 1 << 17);
  const float expected = k::sequential_sum(data);
  const bool pinned = k::atomics_pinned();
  const float got = k::atomic_reduce_sum(data, {kWorkers, kWorkers, pinned});
  if (got != expected) {
    std::printf("FAIL: the atomic reduction gave %.1f, the single-thread sum is %.1f\n",
                static_cast<double>(got), static_cast<double>(expected));
    return 1;
  }
  std::printf("ok: sum %.1f (%s)\n", static_cast<double>(got),
              pinned ? "deterministic reduction" : "atomics");
  return 0;
}
