// GoogleTest's console progress ("[ RUN      ] Suite.Name" ... "[       OK ]"):
// the one record of test order and of the test that was running when a
// process died that every gtest binary writes, with or without deflake's
// adapter. Used only when the adapter's results file is not there; the
// captured output keeps a bounded head and tail, so a very chatty suite may
// lose lines in the middle, and callers treat what this finds as a hint.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/outcome.hpp"

namespace deflake {

struct ConsoleTest {
  std::string name;                // the full name, as --gtest_filter takes it
  std::optional<Outcome> outcome;  // nullopt: RUN seen, no OK/FAILED/SKIPPED after it
  friend bool operator==(const ConsoleTest&, const ConsoleTest&) = default;
};

/// The tests in the order their "[ RUN      ]" lines appear, each with the
/// outcome its closing line gave. A test run again (--gtest_repeat) appears again.
std::vector<ConsoleTest> parse_gtest_console(std::string_view output);

}  // namespace deflake
