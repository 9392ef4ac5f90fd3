// cause: knobs — algo (requires any; not seed-dependent)
//
// CPU twin of an autotuner (deflake/kernels/autotune.hpp): three summation
// algorithms of equal cost (the same pass started at 0, n/3 or 2n/3) are
// benchmarked side by side and the first to finish is used; their results
// differ in the last bits. The test checks the result bit-exactly against the
// default algorithm's (from_start), as a golden value recorded with the
// default would be.
//
// Free: the candidates tie up to the scheduler and the noise of the moment,
// so the choice varies run to run, and the test fails whenever the tuner
// picks another algorithm than the default: about two runs in three.
// Pinned (DEFLAKE_PINNED has algo, or TF_CUDNN_USE_AUTOTUNE=0): no benchmark,
// the default algorithm, whose result is the reference by definition: every
// run passes, on every machine. The input is a constant (no seed), the
// candidate count is fixed, and no other knob's variable is read.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "deflake/kernels/autotune.hpp"

int main() {
  namespace k = deflake::kernels;
  // Mixed magnitudes, a fixed LCG: every run sums the same values.
  std::vector<float> data(4096);
  std::uint32_t state = 2024;
  for (float& x : data) {
    state = state * 1664525u + 1013904223u;
    const float mantissa = static_cast<float>(state >> 8) * 0x1.0p-24f;  // [0, 1)
    x = (state & 1u ? -1.0f : 1.0f) * mantissa * static_cast<float>(1u << ((state >> 1) % 12));
  }
  const float expected = k::sum_with(data, k::kDefaultSumAlgo);
  const k::TunedSum tuned = k::autotuned_sum(data, k::algo_pinned());
  if (tuned.value != expected) {
    std::printf("FAIL: the tuner chose %s: %.9g, the default algorithm gives %.9g\n",
                std::string(k::name(tuned.algo)).c_str(), static_cast<double>(tuned.value),
                static_cast<double>(expected));
    return 1;
  }
  std::printf("ok: %s (%s): %.9g\n", std::string(k::name(tuned.algo)).c_str(),
              tuned.timed ? "fastest" : "pinned", static_cast<double>(tuned.value));
  return 0;
}
