#include "deflake/kernels/tf32.hpp"

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace deflake::kernels {

float round_tf32(float x) {
  std::uint32_t u = std::bit_cast<std::uint32_t>(x);
  if ((u & 0x7f800000u) == 0x7f800000u)  // Inf or NaN: keep a NaN a NaN
    return std::bit_cast<float>((u & 0x007fffffu) ? ((u | 0x00400000u) & 0xffffe000u) : u);
  // Ties away from zero: add half of the last kept bit, then cut; a carry into
  // the exponent is the correct rounding (up to Inf at the top).
  return std::bit_cast<float>((u + 0x00001000u) & 0xffffe000u);
}

bool tf32_enabled() {
  const char* value = std::getenv("NVIDIA_TF32_OVERRIDE");
  return value == nullptr || std::strcmp(value, "0") != 0;
}

void matmul(std::span<const float> a, std::span<const float> b, std::span<float> c, std::size_t n,
            bool tf32) {
  std::vector<float> ra(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(n * n));
  std::vector<float> rb(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n * n));
  if (tf32) {
    for (float& x : ra) x = round_tf32(x);
    for (float& x : rb) x = round_tf32(x);
  }
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      float sum = 0.0f;
      for (std::size_t k = 0; k < n; ++k) sum += ra[i * n + k] * rb[k * n + j];
      c[i * n + j] = sum;
    }
}

}  // namespace deflake::kernels
