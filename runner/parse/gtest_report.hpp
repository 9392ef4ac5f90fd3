// Parses the report a GoogleTest binary writes for --gtest_output=json:PATH
// (format of GoogleTest 1.12) into one result per test that ran.
//
// GoogleTest writes the report once, when the program ends normally, so a
// missing, empty or cut-off report means the process did not get there: the
// caller counts such a run as a crash, whatever the exit code said.
//
// Known blind spot of the 1.12 format: a failure in SetUpTestSuite() appears
// nowhere in the report; the suite's tests show as skipped with `started`
// false. Only the exit code tells that apart from a GTEST_SKIP() there.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/outcome.hpp"

namespace deflake {

/// One test that GoogleTest ran (tests it did not run, status "NOTRUN", are left out).
struct GtestResult {
  std::string full_name;              // "Suite.Name", as --gtest_filter takes it
  Outcome outcome = Outcome::pass;    // pass, fail or skip
  double seconds = 0;                 // the test's own time, as reported
  bool started = true;                // false when skipped before its SetUp (timestamp 0)
  std::vector<std::string> failures;  // each failure's "file:line\nmessage"
};

/// A parsed report, or why it could not be read.
struct GtestReport {
  std::vector<GtestResult> tests;  // in report order
  /// Failures outside any test (a global Environment's SetUp, for example),
  /// which GoogleTest files under a pseudo suite "NonTestSuiteFailure".
  std::vector<std::string> non_test_failures;
  /// Set when the report is missing, empty, cut off or not GoogleTest's
  /// format; then `tests` is empty.
  std::optional<std::string> error;
};

/// Parses the text of a JSON report. Never throws.
GtestReport parse_gtest_report(std::string_view json);

/// Reads and parses the report at `path`. Never throws.
GtestReport read_gtest_report(const std::string& path);

}  // namespace deflake
