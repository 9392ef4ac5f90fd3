// Seed derivation shared by the deflake runner and the adapters that tests link.
//
// Both sides include this one header, so a run seed that deflake hands out and
// the per-test seed that the adapter derives from it agree by construction.
// Everything here is constexpr integer arithmetic: the same values on every
// compiler and standard library (the standard distributions are not).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace deflake {

/// Seeds that deflake draws lie in [kSeedMin, kSeedEnd): always 16 decimal
/// digits with no leading zero, and exact in a JSON double (below 2^53).
inline constexpr std::uint64_t kSeedMin = 1'000'000'000'000'000ULL;  // 10^15
inline constexpr std::uint64_t kSeedEnd = std::uint64_t{1} << 53;

/// SplitMix64's finaliser (Steele, Lea, Flood 2014): a bijection on 64 bits
/// whose output bits each depend on every input bit.
constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// Maps 64 random bits into [kSeedMin, kSeedEnd) by multiply-high (Lemire).
/// The bias is below 2^-11 relative, irrelevant for seeds, and there is no
/// rejection loop, so a seed costs the same every time.
constexpr std::uint64_t to_seed_range(std::uint64_t bits) {
  __extension__ typedef unsigned __int128
      uint128;  // GCC and Clang; the high half of a 64x64 product
  constexpr std::uint64_t span = kSeedEnd - kSeedMin;
  const uint128 wide = static_cast<uint128>(bits) * span;
  return kSeedMin + static_cast<std::uint64_t>(wide >> 64);
}

/// The seed of run `index` of a sweep whose master seed is `master`. A pure
/// function of both, so a sweep (or any one shard of it) replays exactly.
constexpr std::uint64_t run_seed(std::uint64_t master, std::uint64_t index) {
  return to_seed_range(splitmix64(splitmix64(master) ^ splitmix64(~index)));
}

/// FNV-1a over a name: a stable 64-bit hash, the same on every platform.
constexpr std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

/// A child seed derived from a parent seed and a name (a test's full name):
/// by hash, never by position, so adding, removing or reordering tests never
/// changes another test's seed.
constexpr std::uint64_t child_seed(std::uint64_t parent, std::string_view name) {
  return to_seed_range(splitmix64(splitmix64(parent) ^ fnv1a64(name)));
}

/// Parses a seed as written in DEFLAKE_SEED or on a command line: decimal
/// digits only, below 2^64. nullopt when empty or malformed.
constexpr std::optional<std::uint64_t> parse_seed(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace deflake

namespace deflake {

/// The run seed of iteration `iteration` of one process that runs many
/// iterations (GoogleTest's --gtest_repeat, deflake's batched strategy).
///
/// Under deflake, a batch process gets its sweep's master seed
/// (DEFLAKE_MASTER_SEED) and the run index of its first iteration
/// (DEFLAKE_RUN): iteration j is then run `first_run + j` of the sweep, with
/// exactly the seed an isolated process for that run would get, so batched
/// and isolated sweeps agree seed for seed. Run by hand (no master seed),
/// iteration 0 keeps the process's seed and iteration j > 0 gets the j-th
/// seed of a sweep whose master seed is that seed. A pinned seed stays the
/// same for every iteration.
constexpr std::uint64_t iteration_seed(std::optional<std::uint64_t> master, std::uint64_t first_run,
                                       std::uint64_t process_seed, std::uint64_t iteration,
                                       bool seed_pinned) {
  if (seed_pinned) return process_seed;
  if (master) return run_seed(*master, first_run + iteration);
  return iteration == 0 ? process_seed : run_seed(process_seed, iteration);
}

}  // namespace deflake
