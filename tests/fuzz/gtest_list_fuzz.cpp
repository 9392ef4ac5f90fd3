// Fuzzes parse_gtest_list (--gtest_list_tests output), and checks what it
// returns: well-formed cases, and a listing printed back from them parses to
// the same cases with no error.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "parse/gtest_list.hpp"

namespace {

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "gtest_list_fuzz: invariant violated: %s\n", what);
  std::abort();
}
#define FUZZ_CHECK(condition) \
  if (!(condition)) violated(#condition)

bool has_space(std::string_view text) {
  return text.find_first_of(std::string_view(" \t\r\v\f\0", 6)) != std::string_view::npos;
}

// The listing GoogleTest would print for `cases`. Lines end in "\r\n": the
// parser drops one '\r' from each line, so a parameter ending in '\r' survives.
std::string print_listing(const std::vector<deflake::GtestCase>& cases) {
  std::string out = "Running main() from fuzz\r\n";  // a banner, which the parser skips
  const deflake::GtestCase* previous = nullptr;
  for (const auto& c : cases) {
    if (!previous || previous->suite != c.suite || previous->type_param != c.type_param) {
      out += c.suite + ".";
      if (!c.type_param.empty()) out += "  # TypeParam = " + c.type_param;
      out += "\r\n";
    }
    out += "  " + c.name;
    if (!c.value_param.empty()) out += "  # GetParam() = " + c.value_param;
    out += "\r\n";
    previous = &c;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto list = deflake::parse_gtest_list(input);
  for (const auto& c : list.cases) {
    FUZZ_CHECK(!c.suite.empty() && !c.name.empty());
    FUZZ_CHECK(!has_space(c.suite) && !has_space(c.name));
    FUZZ_CHECK(c.full_name == c.suite + "." + c.name);
    FUZZ_CHECK(c.disabled == (deflake::is_disabled_gtest_name(c.suite) ||
                              deflake::is_disabled_gtest_name(c.name)));
    FUZZ_CHECK(c.type_param.find('\n') == std::string::npos);
    FUZZ_CHECK(c.value_param.find('\n') == std::string::npos);
  }
  if (!list.cases.empty()) {
    const auto again = deflake::parse_gtest_list(print_listing(list.cases));
    FUZZ_CHECK(!again.error);
    FUZZ_CHECK(again.cases == list.cases);
  }
  return 0;
}
