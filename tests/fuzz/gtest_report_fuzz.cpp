// Fuzzes parse_gtest_report (GoogleTest's JSON report) and checks what it
// returns: an error leaves no results, every result is well-formed, and a
// report written back from the results parses to the same results.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "parse/gtest_report.hpp"

namespace {

using deflake::GtestReport;
using deflake::Outcome;
using nlohmann::json;

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "gtest_report_fuzz: invariant violated: %s\n", what);
  std::abort();
}
#define FUZZ_CHECK(condition) \
  if (!(condition)) violated(#condition)

// The report GoogleTest would have written for `report`'s results: one suite
// per test, split at the first '.', and the failures outside tests under
// GoogleTest's pseudo suite.
std::string write_back(const GtestReport& report) {
  json suites = json::array();
  for (const auto& r : report.tests) {
    const auto dot = r.full_name.find('.');
    json test = {{"name", r.full_name.substr(dot + 1)},
                 {"status", "RUN"},
                 {"result", r.outcome == Outcome::skip ? "SKIPPED" : "COMPLETED"},
                 {"timestamp", r.started ? "2026-01-01T00:00:00Z" : "1970-01-01T00:00:00Z"}};
    char time[64];
    std::snprintf(time, sizeof time, "%.17gs", r.seconds);
    test["time"] = time;
    if (!r.failures.empty()) {
      json failures = json::array();
      for (const auto& f : r.failures) failures.push_back({{"failure", f}, {"type", ""}});
      test["failures"] = std::move(failures);
    }
    suites.push_back({{"name", r.full_name.substr(0, dot)}, {"testsuite", json::array({test})}});
  }
  if (!report.non_test_failures.empty()) {
    json failures = json::array();
    for (const auto& f : report.non_test_failures) failures.push_back({{"failure", f}});
    json test = {{"name", ""}, {"failures", std::move(failures)}};
    suites.push_back({{"name", "NonTestSuiteFailure"}, {"testsuite", json::array({test})}});
  }
  return json{{"testsuites", std::move(suites)}}.dump(2);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto report = deflake::parse_gtest_report(input);
  if (report.error) {
    FUZZ_CHECK(report.tests.empty() && report.non_test_failures.empty());
    return 0;
  }
  for (const auto& r : report.tests) {
    FUZZ_CHECK(!r.full_name.empty() && r.full_name.find('.') != std::string::npos);
    FUZZ_CHECK(r.outcome == Outcome::pass || r.outcome == Outcome::fail ||
               r.outcome == Outcome::skip);
    FUZZ_CHECK(r.failures.empty() != (r.outcome == Outcome::fail));
    FUZZ_CHECK(std::isfinite(r.seconds) && r.seconds >= 0);
  }

  const auto again = deflake::parse_gtest_report(write_back(report));
  FUZZ_CHECK(!again.error);
  FUZZ_CHECK(again.non_test_failures == report.non_test_failures);
  FUZZ_CHECK(again.tests.size() == report.tests.size());
  for (std::size_t i = 0; i < report.tests.size(); ++i) {
    const auto& a = report.tests[i];
    const auto& b = again.tests[i];
    FUZZ_CHECK(a.full_name == b.full_name && a.outcome == b.outcome && (a.seconds == b.seconds || (std::isnan(a.seconds) && std::isnan(b.seconds))) &&
               a.started == b.started && a.failures == b.failures);
  }
  return 0;
}
