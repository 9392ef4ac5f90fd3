// The seed contract for C++ tests: one seed, from deflake, drives all of a
// test's randomness, so a failing run replays exactly.
//
//   #include <deflake/seed.hpp>
//   auto value = deflake::uniform_int(deflake::rng(), 1, 6);
//
// Header-only, C++17. The distributions here give the same values with
// libstdc++ and libc++ (the standard ones do not: their algorithms are left
// to the implementation), so a seed replays on every platform.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <string_view>

#include "deflake/seed_derivation.hpp"

namespace deflake {

/// The seed when DEFLAKE_SEED is unset or not a number: a fixed value, so a
/// test run by hand is deterministic too.
inline constexpr std::uint64_t kDefaultSeed = 1;

/// The run's seed: DEFLAKE_SEED, or kDefaultSeed when unset.
inline std::uint64_t seed() {
  const char* text = std::getenv("DEFLAKE_SEED");
  return parse_seed(text != nullptr ? text : "").value_or(kDefaultSeed);
}

/// Whether deflake pinned the knob `name` in this run (DEFLAKE_PINNED holds it).
inline bool pinned(std::string_view name) {
  const char* list = std::getenv("DEFLAKE_PINNED");
  if (list == nullptr || name.empty()) return false;
  std::string_view rest(list);
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    if (rest.substr(0, comma) == name) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

/// The process's generator, seeded from seed() on first use. The GoogleTest
/// adapter reseeds it before each test with that test's own seed.
inline std::mt19937_64& rng() {
  static std::mt19937_64 generator(seed());
  return generator;
}

/// Reseeds rng() (the adapters call this; tests rarely need to).
inline void reseed(std::uint64_t value) {
  rng().seed(value);
}

/// A uniform integer in [low, high], both included, by Lemire's multiply-
/// and-reject method on the generator's raw 64-bit output: unbiased, and the
/// same values everywhere.
template <typename Engine>
std::uint64_t uniform_int(Engine& engine, std::uint64_t low, std::uint64_t high) {
  static_assert(Engine::min() == 0 && Engine::max() == std::numeric_limits<std::uint64_t>::max(),
                "needs a generator of full 64-bit output, such as std::mt19937_64");
  if (low > high) std::swap(low, high);
  const std::uint64_t span = high - low;
  if (span == std::numeric_limits<std::uint64_t>::max()) return engine();
  __extension__ typedef unsigned __int128 uint128;
  const std::uint64_t range = span + 1;
  uint128 product = static_cast<uint128>(engine()) * range;
  auto fraction = static_cast<std::uint64_t>(product);
  if (fraction < range) {
    const std::uint64_t threshold = (0 - range) % range;
    while (fraction < threshold) {
      product = static_cast<uint128>(engine()) * range;
      fraction = static_cast<std::uint64_t>(product);
    }
  }
  return low + static_cast<std::uint64_t>(product >> 64);
}

/// A uniform double in [low, high): 53 random bits scaled, one draw.
template <typename Engine>
double uniform_real(Engine& engine, double low, double high) {
  const double unit = static_cast<double>(engine() >> 11) * 0x1.0p-53;  // [0, 1)
  return low + (high - low) * unit;
}

/// A normal variate by Marsaglia's polar method. Uses only +, *, / and
/// std::sqrt (correctly rounded by IEEE 754) besides one std::log; values
/// match across standard libraries that share the C math library.
template <typename Engine>
double normal(Engine& engine, double mean, double stddev) {
  double u, v, s;
  do {
    u = uniform_real(engine, -1.0, 1.0);
    v = uniform_real(engine, -1.0, 1.0);
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  return mean + stddev * u * std::sqrt(-2.0 * std::log(s) / s);
}

}  // namespace deflake
