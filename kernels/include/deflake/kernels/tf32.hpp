// CPU emulation of TF32 tensor-core math (GPU.md, "TF32").
//
// What it does: with TF32 on, each input of a matrix product is rounded to
// TF32 (8 exponent bits, 10 explicit mantissa bits) before the multiply, and
// products are accumulated in FP32, as a tensor core does. The rounding is
// round-to-nearest, ties away from zero, which is what the GPU's
// __float_to_tf32 / cvt.rna.tf32.f32 does, so a twin matches a WMMA kernel.
//
// Nondeterminism: none run to run. TF32 is deterministic; what it changes is
// the error against an FP32/FP64 reference (about 2^-11 relative per input
// instead of 2^-24), so a tolerance check fails for some inputs (some seeds)
// and not others.
//
// Pinning (NVIDIA_TF32_OVERRIDE=0, honoured as the CUDA libraries do): plain
// FP32 inputs, no rounding.
#pragma once

#include <cstddef>
#include <span>

namespace deflake::kernels {

/// `x` rounded to TF32 (RNA: ties away from zero); Inf stays Inf, NaN stays
/// NaN. A carry out of the largest finite exponent gives Inf, as on the GPU.
float round_tf32(float x);

/// Whether TF32 math is on: NVIDIA_TF32_OVERRIDE is unset or anything but "0".
bool tf32_enabled();

/// C = A·B for row-major n×n matrices in float, k from 0 up, inputs rounded
/// to TF32 first when `tf32`. Spans must hold n*n elements.
void matmul(std::span<const float> a, std::span<const float> b, std::span<float> c, std::size_t n,
            bool tf32);

}  // namespace deflake::kernels
