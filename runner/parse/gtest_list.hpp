// Parses what a GoogleTest binary prints for --gtest_list_tests (format of
// GoogleTest 1.12): the tests deflake may sweep one by one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deflake {

/// One test as --gtest_list_tests lists it.
struct GtestCase {
  std::string suite;        // "Plain", "Ints/ParamTest", "TypedTest/0"
  std::string name;         // "Passes", "IsPositive/0"
  std::string full_name;    // suite + "." + name, as --gtest_filter takes it
  std::string type_param;   // "int" from "# TypeParam = int"; empty when none
  std::string value_param;  // "4" from "# GetParam() = 4"; empty when none
  bool disabled = false;    // GoogleTest skips it unless --gtest_also_run_disabled_tests

  friend bool operator==(const GtestCase&, const GtestCase&) = default;
};

/// The listed tests in listing order, and what could not be read.
struct GtestList {
  std::vector<GtestCase> cases;
  /// Set when a line inside the listing is not in the format; `cases` still
  /// holds every test that was read.
  std::optional<std::string> error;
};

/// Parses --gtest_list_tests output. Lines before the listing (a banner such
/// as "Running main() from gtest_main.cc") are ignored; never throws.
GtestList parse_gtest_list(std::string_view output);

/// True when GoogleTest treats a suite or test name as disabled: it starts
/// with "DISABLED_" or has "/DISABLED_" in it (a prefix of a parameterised suite).
bool is_disabled_gtest_name(std::string_view name);

}  // namespace deflake
