#include "config/nesting_guard.hpp"

#include <vector>

namespace deflake {
namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool done() const { return i_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const {
    return i_ + ahead < text_.size() ? text_[i_ + ahead] : '\0';
  }
  bool starts_with(std::string_view s) const { return text_.substr(i_).starts_with(s); }
  TextPosition position() const { return {line_, column_}; }

  void advance() {
    const auto c = static_cast<unsigned char>(text_[i_++]);
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((c & 0xC0) != 0x80) {  // a continuation byte is part of the previous code point
      ++column_;
    }
  }

  // Past a string that opens here with `quote`: basic strings honour
  // backslash escapes, literal strings do not; single-line ones end at a
  // newline (an error TOML++ reports), multi-line ones take up to two extra
  // quotes before their closing triple (`''''` ends with one quote inside).
  void skip_string(char quote) {
    const std::string_view triple = quote == '"' ? "\"\"\"" : "'''";
    if (starts_with(triple)) {
      for (int k = 0; k < 3; ++k) advance();
      while (!done()) {
        if (quote == '"' && peek() == '\\') {
          advance();
          if (!done()) advance();
        } else if (starts_with(triple)) {
          for (int k = 0; k < 3; ++k) advance();
          for (int k = 0; k < 2 && peek() == quote; ++k) advance();
          return;
        } else {
          advance();
        }
      }
      return;
    }
    advance();
    while (!done() && peek() != '\n') {
      const char c = peek();
      advance();
      if (c == quote) return;
      if (quote == '"' && c == '\\' && !done() && peek() != '\n') advance();
    }
  }

  void skip_comment() {
    while (!done() && peek() != '\n') advance();
  }

 private:
  std::string_view text_;
  std::size_t i_ = 0;
  std::size_t line_ = 1;
  std::size_t column_ = 1;
};

}  // namespace

std::optional<TextPosition> find_excess_nesting(std::string_view text, std::size_t limit) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  Scanner scan(text);
  struct Open {
    std::size_t depth;  // around it, plus the dotted key that leads to it, plus one
    bool keys;          // a table header or inline table (keys inside), not an array
  };
  std::vector<Open> open;
  std::size_t key_dots = 0;      // dots of the key before the last '='
  std::size_t current_dots = 0;  // dots of the key being read
  bool in_value = false;         // after '=': dots belong to numbers and times
  auto base = [&] { return open.empty() ? std::size_t{0} : open.back().depth; };
  auto among_keys = [&] { return !in_value && (open.empty() || open.back().keys); };
  while (!scan.done()) {
    const char c = scan.peek();
    switch (c) {
      case '#':
        scan.skip_comment();
        continue;
      case '"':
      case '\'':
        scan.skip_string(c);
        continue;
      case '.':
        if (among_keys()) {
          ++current_dots;
          if (base() + current_dots > limit) return scan.position();
        }
        break;
      case '=':
        key_dots = current_dots;
        current_dots = 0;
        in_value = true;
        break;
      case '[':
      case '{': {
        const bool keys = c == '{' || among_keys();  // '[' among keys opens a table header
        const std::size_t depth = base() + key_dots + current_dots + 1;
        if (depth > limit) return scan.position();
        open.push_back({depth, keys});
        key_dots = current_dots = 0;
        in_value = false;
        break;
      }
      case ']':
      case '}':
        if (!open.empty()) open.pop_back();
        key_dots = current_dots = 0;
        in_value = true;  // what follows a closed value or header is no key
        break;
      case ',':
      case '\n':
        key_dots = current_dots = 0;
        in_value = false;
        break;
      default:
        break;
    }
    scan.advance();
  }
  return std::nullopt;
}

std::optional<TextPosition> find_invalid_utf8(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  TextPosition at;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t length = 1;
    char32_t min = 0, cp = c;
    if (c >= 0x80) {
      if (c >= 0xC2 && c <= 0xDF) {
        length = 2, min = 0x80, cp = c & 0x1F;
      } else if (c >= 0xE0 && c <= 0xEF) {
        length = 3, min = 0x800, cp = c & 0x0F;
      } else if (c >= 0xF0 && c <= 0xF4) {
        length = 4, min = 0x10000, cp = c & 0x07;
      } else {
        return at;
      }
      if (i + length > text.size()) return at;
      for (std::size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[i + k]);
        if ((next & 0xC0) != 0x80) return at;
        cp = (cp << 6) | (next & 0x3F);
      }
      if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return at;
    }
    if (c == '\n') {
      ++at.line;
      at.column = 1;
    } else {
      ++at.column;
    }
    i += length;
  }
  return std::nullopt;
}

}  // namespace deflake
