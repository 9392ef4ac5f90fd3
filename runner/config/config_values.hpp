// Internal to config/: reads one TOML value into the type an option wants,
// or throws a ConfigError that says where, which key, what was expected and
// what was there. Includes TOML++, so only config/*.cpp include this header.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"

namespace deflake::config_detail {

/// The keys of [run] (every command's shared options), in documentation order.
const std::vector<std::string>& run_keys();

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }

  /// The [knobs.*] of this file, which pin and free may name besides the built-in ones.
  void set_user_knobs(const std::vector<Knob>* knobs) { user_knobs_ = knobs; }

  /// Throws "file:line:col: what".
  [[noreturn]] void fail(const toml::source_region& where, const std::string& what) const;

  /// Throws "file:line:col: path: expected <expected>, got <what the node is>".
  [[noreturn]] void wrong(const toml::node& node, const std::string& path,
                          std::string_view expected) const;

  /// "a string", "an array", ...; the value itself for numbers and booleans.
  std::string describe(const toml::node& node) const;

  std::uint64_t positive_integer(const toml::node& node, const std::string& path) const;
  std::uint64_t count(const toml::node& node, const std::string& path) const;  // >= 0
  double seconds(const toml::node& node, const std::string& path) const;       // finite, >= 0
  double fraction(const toml::node& node, const std::string& path) const;      // in (0, 1)
  bool boolean(const toml::node& node, const std::string& path) const;
  std::string string(const toml::node& node, const std::string& path,
                     std::string_view what) const;  // non-empty
  std::string choice(const toml::node& node, const std::string& path,
                     const std::vector<std::string>& choices) const;
  std::vector<std::string> string_array(const toml::node& node, const std::string& path,
                                        std::string_view what) const;
  std::vector<std::string> command(const toml::node& node, const std::string& path) const;
  std::vector<std::pair<std::string, std::string>> env_table(const toml::node& node,
                                                             const std::string& path) const;
  std::vector<std::string> knob_list(const toml::node& node, const std::string& path) const;

  /// Reads `name` into `section` when it is a [run] option; false when it is not one.
  bool read_run_option(const std::string& name, const toml::node& node, const std::string& path,
                       RunSection& section) const;

 private:
  void check_knob(const std::string& name, const toml::source_region& where,
                  const std::string& path) const;

  std::string file_;
  const std::vector<Knob>* user_knobs_ = nullptr;
};

}  // namespace deflake::config_detail
