// Fuzzes parse_config (deflake.toml, RELIABILITY.md case 19): any input
// either parses or throws a ConfigError whose message starts with
// "fuzz.toml:LINE:COL: "; nothing else escapes, nothing crashes (deep nesting
// included), and what parses keeps the loader's promises.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "knobs/catalog.hpp"

namespace {

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "config_fuzz: invariant violated: %s\n", what);
  std::abort();
}
#define FUZZ_CHECK(condition) \
  if (!(condition)) violated(#condition)

constexpr std::string_view kName = "fuzz.toml";

// "fuzz.toml:12:3: something"
bool well_formed_error(std::string_view message) {
  if (!message.starts_with(kName) || message.size() <= kName.size()) return false;
  message.remove_prefix(kName.size());
  for (int field = 0; field < 2; ++field) {
    if (message.empty() || message.front() != ':') return false;
    message.remove_prefix(1);
    std::size_t digits = 0;
    while (digits < message.size() && message[digits] >= '0' && message[digits] <= '9') ++digits;
    if (digits == 0 || message.front() == '0') return false;
    message.remove_prefix(digits);
  }
  return message.starts_with(": ") && message.size() > 2;
}

void check(const deflake::ConfigFile& file) {
  FUZZ_CHECK(file.path == kName);
  FUZZ_CHECK(file.test_order.size() == file.tests.size());
  for (const auto& name : file.test_order) {
    const auto it = file.tests.find(name);
    FUZZ_CHECK(it != file.tests.end());
    FUZZ_CHECK(it->second.name == name);
    FUZZ_CHECK(!it->second.command.empty() && !it->second.command.front().empty());
  }
  for (const auto& knob : file.knobs) {
    FUZZ_CHECK(!knob.name.empty());
    FUZZ_CHECK(deflake::find_knob(knob.name) == nullptr);
    FUZZ_CHECK(deflake::find_knob(file, knob.name) == &knob);
  }
  for (const auto* section : {static_cast<const deflake::RunSection*>(&file.run),
                              static_cast<const deflake::RunSection*>(&file.bisect),
                              static_cast<const deflake::RunSection*>(&file.ctest)}) {
    FUZZ_CHECK(!section->runs || *section->runs > 0);
    FUZZ_CHECK(!section->timeout_s || *section->timeout_s >= 0);
    if (section->pin)
      for (const auto& knob : *section->pin) FUZZ_CHECK(deflake::find_knob(file, knob) != nullptr);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  try {
    check(deflake::parse_config(input, std::string(kName)));
  } catch (const deflake::ConfigError& e) {
    FUZZ_CHECK(well_formed_error(e.what()));
  }
  return 0;
}
