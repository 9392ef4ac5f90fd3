#include "parse/gtest_console.hpp"

namespace deflake {
namespace {

constexpr std::string_view kRun = "[ RUN      ] ";
constexpr std::string_view kOk = "[       OK ] ";
constexpr std::string_view kFailed = "[  FAILED  ] ";
constexpr std::string_view kSkipped = "[  SKIPPED ] ";

/// The test name on a progress line: up to " (12 ms)" or the end of the line.
std::string_view name_on(std::string_view rest) {
  const std::size_t timing = rest.find(" (");
  if (timing != std::string_view::npos) rest = rest.substr(0, timing);
  while (!rest.empty() && (rest.back() == '\r' || rest.back() == ' ')) rest.remove_suffix(1);
  // A parameterised test's FAILED line ends with ", where GetParam() = ...".
  const std::size_t where = rest.find(", where ");
  if (where != std::string_view::npos) rest = rest.substr(0, where);
  return rest;
}

}  // namespace

std::vector<ConsoleTest> parse_gtest_console(std::string_view output) {
  std::vector<ConsoleTest> tests;
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::size_t open = kNone;  // the test whose RUN line has no closing line yet
  while (!output.empty()) {
    const std::size_t nl = output.find('\n');
    std::string_view line = output.substr(0, nl);
    output = nl == std::string_view::npos ? std::string_view() : output.substr(nl + 1);
    // A test's own output may end without a newline, so a marker can start mid-line.
    const std::size_t bracket = line.find("[ ");
    if (bracket == std::string_view::npos) continue;
    line = line.substr(bracket);
    if (line.substr(0, kRun.size()) == kRun) {
      tests.push_back({std::string(name_on(line.substr(kRun.size()))), std::nullopt});
      open = tests.size() - 1;
      continue;
    }
    std::optional<Outcome> outcome;
    std::string_view rest;
    if (line.substr(0, kOk.size()) == kOk) {
      outcome = Outcome::pass, rest = line.substr(kOk.size());
    } else if (line.substr(0, kFailed.size()) == kFailed) {
      outcome = Outcome::fail, rest = line.substr(kFailed.size());
    } else if (line.substr(0, kSkipped.size()) == kSkipped) {
      outcome = Outcome::skip, rest = line.substr(kSkipped.size());
    }
    if (!outcome || open == kNone)
      continue;  // the summary's FAILED lines come after every test closed
    if (name_on(rest) != tests[open].name) continue;
    tests[open].outcome = outcome;
    open = kNone;
  }
  return tests;
}

}  // namespace deflake
