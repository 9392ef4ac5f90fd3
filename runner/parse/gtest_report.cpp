#include "parse/gtest_report.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "platform/read_file.hpp"

namespace deflake {
namespace {

using nlohmann::json;

// The pseudo suite under which GoogleTest files failures outside any test.
constexpr std::string_view kNonTestSuite = "NonTestSuiteFailure";
// The timestamp of a test that never started: 0 ms since the epoch.
constexpr std::string_view kNeverStarted = "1970-01-01T00:00:00Z";

GtestReport failed(std::string why) {
  GtestReport report;
  report.error = std::move(why);
  return report;
}

// A string member, or nullopt when absent or of another type.
std::optional<std::string> string_member(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// "0.025s" as GoogleTest formats a duration; nullopt when malformed.
std::optional<double> parse_duration(std::string_view text) {
  if (text.empty() || text.back() != 's') return std::nullopt;
  text.remove_suffix(1);
  double seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  // from_chars reads "nan" and "inf" too: a duration is finite and not negative.
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(seconds) ||
      seconds < 0)
    return std::nullopt;
  return seconds;
}

// The failure messages of a test; an error when "failures" is malformed.
std::optional<std::string> read_failures(const json& test, std::vector<std::string>& out) {
  const auto it = test.find("failures");
  if (it == test.end()) return std::nullopt;
  if (!it->is_array()) return "\"failures\" is not an array";
  for (const auto& failure : *it) {
    if (!failure.is_object()) return "a failure is not an object";
    out.push_back(string_member(failure, "failure").value_or(""));
  }
  // An empty array means no failure: GoogleTest never writes one.
  return std::nullopt;
}

// Decodes one test case; nullopt in `result` with no error means "not run".
std::optional<std::string> read_test(const json& test, const std::string& suite,
                                     std::optional<GtestResult>& result) {
  if (!test.is_object()) return "a test in suite \"" + suite + "\" is not an object";
  const auto name = string_member(test, "name");
  if (!name) return "a test in suite \"" + suite + "\" has no name";
  const std::string full_name = suite + "." + *name;
  const auto status = string_member(test, "status");
  // A report written with --gtest_list_tests has no status: it ran nothing.
  if (!status) return "test \"" + full_name + "\" has no status";
  if (*status == "NOTRUN") return std::nullopt;
  if (*status != "RUN") return "test \"" + full_name + "\" has unknown status \"" + *status + "\"";

  GtestResult r;
  r.full_name = full_name;
  if (auto why = read_failures(test, r.failures)) return "test \"" + full_name + "\": " + *why;
  // GoogleTest before 1.10 wrote no "result"; a test that ran then completed.
  const auto outcome = string_member(test, "result").value_or("COMPLETED");
  if (outcome == "SUPPRESSED") return std::nullopt;
  if (outcome == "COMPLETED") {
    r.outcome = Outcome::pass;
  } else if (outcome == "SKIPPED") {
    r.outcome = Outcome::skip;
  } else {
    return "test \"" + full_name + "\" has unknown result \"" + outcome + "\"";
  }
  // A failure wins over a skip: GTEST_SKIP() after a failed assertion still failed.
  if (!r.failures.empty()) r.outcome = Outcome::fail;
  if (const auto time = string_member(test, "time")) {
    const auto seconds = parse_duration(*time);
    if (!seconds) return "test \"" + full_name + "\" has malformed time \"" + *time + "\"";
    r.seconds = *seconds;
  }
  r.started = string_member(test, "timestamp") != kNeverStarted;
  result = std::move(r);
  return std::nullopt;
}

}  // namespace

GtestReport parse_gtest_report(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return failed("the report is empty");
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {
    // Cut off mid-write or not JSON at all; the message says at which byte.
    return failed(std::string("the report is not valid JSON: ") + e.what());
  }
  if (!root.is_object()) return failed("the report is not a JSON object");
  const auto suites = root.find("testsuites");
  if (suites == root.end() || !suites->is_array())
    return failed("the report has no \"testsuites\" array");

  GtestReport report;
  for (const auto& suite : *suites) {
    if (!suite.is_object()) return failed("a test suite is not an object");
    const auto suite_name = string_member(suite, "name");
    if (!suite_name) return failed("a test suite has no name");
    const auto tests = suite.find("testsuite");
    if (tests == suite.end() || !tests->is_array())
      return failed("test suite \"" + *suite_name + "\" has no \"testsuite\" array");
    for (const auto& test : *tests) {
      if (*suite_name == kNonTestSuite && test.is_object() &&
          string_member(test, "name") == std::string()) {
        std::vector<std::string> failures;
        if (auto why = read_failures(test, failures)) return failed(*why);
        for (auto& f : failures) report.non_test_failures.push_back(std::move(f));
        continue;
      }
      std::optional<GtestResult> result;
      if (auto why = read_test(test, *suite_name, result)) return failed(*why);
      if (result) report.tests.push_back(std::move(*result));
    }
  }
  return report;
}

GtestReport read_gtest_report(const std::string& path) {
  const FileContents file = read_whole_file(path);
  if (file.error)
    return failed("cannot read the report " + path + ": " + std::strerror(file.error));
  auto report = parse_gtest_report(file.text);
  if (report.error) report.error = path + ": " + *report.error;
  return report;
}

}  // namespace deflake
