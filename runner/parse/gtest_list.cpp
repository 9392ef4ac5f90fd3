#include "parse/gtest_list.hpp"

#include <string>

namespace deflake {
namespace {

// What follows a name on a listed line, two spaces then a comment.
constexpr std::string_view kCommentLead = "  # ";
constexpr std::string_view kTypeParam = "TypeParam = ";
constexpr std::string_view kValueParam = "GetParam() = ";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

// A name as GoogleTest prints it: non-empty, no whitespace. Names registered
// with testing::RegisterTest may hold characters TEST() would not allow, so
// no stricter check than this.
bool is_name(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (is_space(c) || c == '\0') return false;
  return true;
}

// Splits "Name  # Key = value" into the name and the comment after "# ".
struct Split {
  std::string_view name;
  std::string_view comment;
};
Split split_comment(std::string_view text) {
  const auto at = text.find(kCommentLead);
  if (at == std::string_view::npos) return {text, {}};
  return {text.substr(0, at), text.substr(at + kCommentLead.size())};
}

// The value of "Key = value" when the comment is that key; empty otherwise.
std::string comment_value(std::string_view comment, std::string_view key) {
  if (comment.substr(0, key.size()) != key) return {};
  return std::string(comment.substr(key.size()));
}

struct Suite {
  std::string name;
  std::string type_param;
};

// A suite line: at column 0, "Suite." optionally followed by a comment.
std::optional<Suite> parse_suite_line(std::string_view line) {
  const auto [head, comment] = split_comment(line);
  if (head.size() < 2 || head.back() != '.') return std::nullopt;
  const auto name = head.substr(0, head.size() - 1);
  if (!is_name(name)) return std::nullopt;
  return Suite{std::string(name), comment_value(comment, kTypeParam)};
}

struct Test {
  std::string name;
  std::string value_param;
};

// A test line: indented exactly two spaces, optionally followed by a comment.
std::optional<Test> parse_test_line(std::string_view line) {
  if (line.size() < 3 || line.substr(0, 2) != "  " || line[2] == ' ') return std::nullopt;
  const auto [head, comment] = split_comment(line.substr(2));
  if (!is_name(head)) return std::nullopt;
  return Test{std::string(head), comment_value(comment, kValueParam)};
}

}  // namespace

bool is_disabled_gtest_name(std::string_view name) {
  // GoogleTest's own filter for disabled tests is "DISABLED_*:*/DISABLED_*".
  constexpr std::string_view kDisabled = "DISABLED_";
  return name.substr(0, kDisabled.size()) == kDisabled ||
         name.find("/DISABLED_") != std::string_view::npos;
}

GtestList parse_gtest_list(std::string_view output) {
  GtestList list;
  // A suite line is held until a test line confirms it: before the listing,
  // a banner line such as "Starting up." looks like a suite with no tests,
  // which GoogleTest never prints.
  std::optional<Suite> suite;
  bool listing = false;  // a suite line followed by a test line was seen
  std::size_t line_number = 0;
  while (!output.empty()) {
    const auto end = output.find('\n');
    std::string_view line = output.substr(0, end);
    output = end == std::string_view::npos ? std::string_view{} : output.substr(end + 1);
    ++line_number;
    // Tolerate "\r\n", as written through a text-mode stream on some platforms.
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;

    if (auto test = parse_test_line(line); test && suite) {
      listing = true;
      GtestCase c;
      c.suite = suite->name;
      c.name = std::move(test->name);
      c.full_name = c.suite + "." + c.name;
      c.type_param = suite->type_param;
      c.value_param = std::move(test->value_param);
      c.disabled = is_disabled_gtest_name(c.suite) || is_disabled_gtest_name(c.name);
      list.cases.push_back(std::move(c));
      continue;
    }
    if (auto next = parse_suite_line(line)) {
      suite = std::move(next);
      continue;
    }
    if (!listing) {
      suite.reset();  // banner text: whatever looked like a suite was not one
      continue;
    }
    if (!list.error) {
      constexpr std::size_t kShown = 200;  // a runaway line must not flood the message
      list.error = "line " + std::to_string(line_number) +
                   " of the test listing is not a suite or a test: \"" +
                   std::string(line.substr(0, kShown)) + (line.size() > kShown ? "...\"" : "\"");
    }
  }
  return list;
}

}  // namespace deflake
