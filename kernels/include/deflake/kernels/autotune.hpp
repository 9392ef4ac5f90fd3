// CPU twin of an autotuner (cudnnFind*, cuBLASLt heuristics plus timing, the
// kernels' own tuner): several algorithms compute the same sum in different
// orders, so their results differ in the last bits; the tuner benchmarks them
// and keeps the fastest (GPU.md, "Autotune").
//
// Nondeterminism: the variants run the very same code over the same data and
// differ only in where the pass starts (at 0, at n/3 or at 2n/3, wrapping
// around), like the tile orders or split points of a GEMM, so their costs
// tie. The tuner benchmarks them side by side, one thread each, from a start
// gate (as a tuner that benchmarks candidates on parallel streams does) and
// keeps the first to finish: which one that is, is decided by the scheduler
// and the noise of the moment, not by the code. (Timing them one after the
// other does not do: on a quiet machine a difference of 0.5% in favour of
// one variant, from code alignment or the order of measurement, decides
// every time.) The choice, and with it the result's bits, varies run to run.
//
// Pinning (`algo` in DEFLAKE_PINNED, or TF_CUDNN_USE_AUTOTUNE=0): no
// benchmark; the default algorithm (from_start) is used, as cudnnGet*_v7 or
// a fixed algorithm index does on the GPU.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

namespace deflake::kernels {

/// Where the pass starts: 0, n/3 or 2n/3 (it wraps around to the start).
enum class SumAlgo : int { from_start = 0, from_third = 1, from_two_thirds = 2 };
inline constexpr std::size_t kSumAlgoCount = 3;
inline constexpr SumAlgo kDefaultSumAlgo = SumAlgo::from_start;

std::string_view name(SumAlgo algo);

/// Σ data in the order `algo` says, in float.
float sum_with(std::span<const float> data, SumAlgo algo);

struct TunedSum {
  SumAlgo algo = kDefaultSumAlgo;               ///< the algorithm used
  float value = 0;                              ///< its result
  bool timed = false;                           ///< false when pinned: the default, untimed
  std::array<double, kSumAlgoCount> seconds{};  ///< each variant's benchmark time
};

/// Benchmarks every variant on `data` (`repeats` passes each, one thread per
/// variant, all started together) and sums with the first to finish;
/// `pinned` skips the benchmark and uses kDefaultSumAlgo.
TunedSum autotuned_sum(std::span<const float> data, bool pinned, unsigned repeats = 16);

/// Whether the algo knob is pinned in this process: DEFLAKE_PINNED has
/// "algo", or TF_CUDNN_USE_AUTOTUNE is "0".
bool algo_pinned();

}  // namespace deflake::kernels
