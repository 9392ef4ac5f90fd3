// CPU twin of an autotuner (cudnnFind*, cuBLASLt heuristics plus timing, the
// kernels' own tuner): several algorithms compute the same sum, in different
// orders, so their results differ in the last bits; the tuner times each
// once and keeps the fastest (GPU.md, "Autotune").
//
// Nondeterminism: the variants do the same work with the same code shape
// (a left-to-right pass, a right-to-left pass, a pass that starts half way
// and wraps around), so their costs tie and which one wins the timing is
// decided by the noise of the moment: interrupts, preemption, caches, other
// processes. The choice, and with it the result's bits, varies run to run.
//
// Pinning (`algo` in DEFLAKE_PINNED, or TF_CUDNN_USE_AUTOTUNE=0): no timing;
// the default algorithm (forward) is used, as cudnnGet*_v7 or a fixed
// algorithm index does on the GPU.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

namespace deflake::kernels {

enum class SumAlgo : int { forward = 0, reverse = 1, wrapped = 2 };
inline constexpr std::size_t kSumAlgoCount = 3;
inline constexpr SumAlgo kDefaultSumAlgo = SumAlgo::forward;

std::string_view name(SumAlgo algo);

/// Σ data in the order `algo` says, in float.
float sum_with(std::span<const float> data, SumAlgo algo);

struct TunedSum {
  SumAlgo algo = kDefaultSumAlgo;               ///< the algorithm used
  float value = 0;                              ///< its result
  bool timed = false;                           ///< false when pinned: the default, untimed
  std::array<double, kSumAlgoCount> seconds{};  ///< each variant's time (when timed)
};

/// Times every variant once on `data` (after one untimed warm-up pass over
/// all of them) and sums with the fastest; `pinned` skips the timing and
/// uses kDefaultSumAlgo.
TunedSum autotuned_sum(std::span<const float> data, bool pinned);

/// Whether the algo knob is pinned in this process: DEFLAKE_PINNED has
/// "algo", or TF_CUDNN_USE_AUTOTUNE is "0".
bool algo_pinned();

}  // namespace deflake::kernels
