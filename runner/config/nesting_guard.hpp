// Guards in front of TOML++: its parser caps nested arrays and inline tables
// (TOML_MAX_NESTED_VALUES) but not dotted keys, and a 60000-segment key
// (`a.a.a...= 1`, 120 KB) overflows the stack in its recursive tree walks.
// This scan bounds every kind of nesting before TOML++ sees the text.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace deflake {

/// Where nesting first goes deeper than `limit`, 1-based as TOML++ counts
/// (columns in code points, a leading UTF-8 BOM not counted).
struct TextPosition {
  std::size_t line = 1;
  std::size_t column = 1;
};

/// The position where tables, dotted keys, arrays and inline tables together
/// first nest deeper than `limit`, or nullopt. Strings and comments are
/// skipped; the scan is linear and never recursive. It overestimates depth
/// only for text that is not valid TOML.
std::optional<TextPosition> find_excess_nesting(std::string_view text, std::size_t limit);

/// The position of the first byte that is not valid UTF-8 (an overlong form,
/// a surrogate, past U+10FFFF or cut short), or nullopt. TOML++ reports these
/// too, but one code point early.
std::optional<TextPosition> find_invalid_utf8(std::string_view text);

}  // namespace deflake
