// The order in which a GoogleTest binary runs its tests under
// --gtest_shuffle: a known function of the random seed. GoogleTest reseeds
// its generator (glibc's rand(3) constants, modulo 2^31) with the seed,
// shuffles the death test suites, then the other suites (Fisher–Yates from
// the end of the range), then the tests inside each suite in declaration
// order of the suites (googletest/src/gtest.cc, UnitTestImpl::ShuffleTests,
// unchanged from 1.10 to 1.14). Predicting it lets a search choose seeds
// whose order it needs instead of drawing orders until one fits; callers
// still check the order each run reports, so a binary that shuffles
// otherwise costs runs, never a wrong answer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace deflake {

/// The tests of `listing` (every registered test, "Suite.Test", disabled
/// ones included, in the order an unfiltered --gtest_list_tests prints
/// them) in the order GoogleTest runs them
/// with --gtest_shuffle and --gtest_random_seed=`random_seed` (1..99999).
std::vector<std::string> gtest_shuffled_order(const std::vector<std::string>& listing,
                                              std::uint32_t random_seed);

}  // namespace deflake
