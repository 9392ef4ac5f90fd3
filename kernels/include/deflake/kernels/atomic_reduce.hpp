// CPU twin of a float atomicAdd reduction (GPU.md, "Atomics").
//
// Nondeterminism: worker threads stand for SMs. Block b runs on worker
// b mod workers (a grid-stride loop); each block is summed left to right, and
// its partial is added into one float with a compare-and-swap loop, the twin
// of atomicAdd. Float addition is not associative, so the result depends on
// the order in which the blocks finish, which the scheduler decides run by
// run (the workers leave a StartGate together).
//
// Pinning (`atomics` in DEFLAKE_PINNED, or TF_DETERMINISTIC_OPS=1): each block
// writes its partial to its own slot and the slots are summed in block order
// once every worker is done, the twin of a tree reduction. The result is then
// a function of the data alone.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

namespace deflake::kernels {

struct AtomicReduceOptions {
  unsigned workers = 4;        ///< threads standing for SMs (at least 1)
  std::size_t blocks = 4;      ///< equal blocks (the last takes the remainder)
  bool deterministic = false;  ///< partials summed in block order, not by atomics
};

/// Σ data as described above. With one block, or deterministic, the result is
/// that of summing the block partials in block order.
float atomic_reduce_sum(std::span<const float> data, const AtomicReduceOptions& options);

/// Whether the atomics knob is pinned in this process: DEFLAKE_PINNED has
/// "atomics", or TF_DETERMINISTIC_OPS is "1" (the framework equivalent).
bool atomics_pinned();

/// atomicAdd(float*, float) on a CPU: adds `value` to the float whose bits
/// `target` holds, with a compare-and-swap loop; returns the old value.
float atomic_add(std::atomic<std::uint32_t>& target, float value);

}  // namespace deflake::kernels
