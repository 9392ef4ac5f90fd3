// CPU twin of an OpenMP/BLAS parallel reduction whose thread count comes from
// the environment (the `threads` knob).
//
// Nondeterminism: the data is split into `threads` contiguous chunks, one per
// thread, each summed left to right; the chunk partials are added to the
// total in the order the threads finish, under a mutex, as
// `#pragma omp parallel for reduction(+ : sum)` does with its critical
// section. The finishing order is the scheduler's (the threads leave a
// StartGate together), and float addition is not associative, so with more
// than one thread the bits of the result can change run to run.
//
// Pinning (OMP_NUM_THREADS=1, which the knob sets with MKL_NUM_THREADS=1 and
// OPENBLAS_NUM_THREADS=1): one thread sums the whole input left to right, in
// the calling thread; nothing is left to chance.
#pragma once

#include <cstddef>
#include <span>

namespace deflake::kernels {

/// OpenMP's default team size for this process: the first number of
/// OMP_NUM_THREADS (as in "4,2"), or `fallback` when it is unset, empty or
/// not a positive number.
unsigned omp_num_threads(unsigned fallback = 4);

/// Σ data over `threads` threads as described above; threads ≤ 1 (or fewer
/// elements than threads) sums sequentially, left to right.
float parallel_reduce_sum(std::span<const float> data, unsigned threads);

/// The plain left-to-right sum in float: the single-thread reference.
float sequential_sum(std::span<const float> data);

}  // namespace deflake::kernels
