// Lists the test cases of a GoogleTest binary by running it with
// --gtest_list_tests (the one time deflake runs a binary with a flag of its
// own choosing, and only once inspect_binary() has found GoogleTest in it).
#pragma once

#include <string>
#include <vector>

#include "platform/launcher.hpp"

namespace deflake {

struct GtestListing {
  std::vector<std::string> tests;     // full names, in GoogleTest's order, disabled ones left out
  std::vector<std::string> disabled;  // DISABLED_ ones, which GoogleTest does not run either
  std::vector<std::string> all;       // both, in GoogleTest's order (its shuffle draws on all)
};

/// Output kept from a listing: whole, for suites of many thousand tests.
inline constexpr std::size_t kListingOutputBytes = 64 * 1024 * 1024;

/// Runs `spec` (the test's command, environment and timeout) with
/// --gtest_list_tests and, when `filter` is not empty, --gtest_filter=filter,
/// through `launcher`, and parses what it prints. Throws UsageError when the
/// binary fails to list (with its output), and Interrupted on Ctrl-C.
GtestListing list_gtest_tests(Launcher& launcher, RunSpec spec, const std::string& filter);

}  // namespace deflake
