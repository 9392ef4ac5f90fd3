// The GoogleTest adapter: link deflake::gtest instead of GTest::gtest_main and
// every test gets its own seed, derived from the run's seed and the test's
// full name, with rng() and std::rand reseeded from it before the test's
// fixture is built.
//
//   #include <deflake/gtest.hpp>
//   TEST(Parser, RoundTrip) {
//     auto length = deflake::uniform_int(deflake::rng(), 0, 64);
//     ...
//   }
//
// The library provides main(); this header only declares what a test may ask.
// A failing test prints one line that replays it:
//   [ deflake  ] replay: DEFLAKE_SEED=<run seed> <argv0> --gtest_filter=<Suite.Name>
#pragma once

#include <cstdint>

#include "deflake/seed.hpp"

namespace deflake {

/// The running test's seed: child_seed(run_seed_of_test(), "Suite.Name"), the
/// value rng() and std::srand were seeded with before the test began. Before
/// the first test of an iteration, the iteration's run seed.
std::uint64_t test_seed();

/// The run seed of the current --gtest_repeat iteration: iteration_seed() of
/// DEFLAKE_MASTER_SEED, DEFLAKE_RUN, DEFLAKE_SEED and DEFLAKE_PINNED, so that
/// iteration 0 run by hand keeps DEFLAKE_SEED (or kDefaultSeed when unset).
std::uint64_t run_seed_of_test();

/// The current --gtest_repeat iteration, counted from 0.
int test_iteration();

}  // namespace deflake
