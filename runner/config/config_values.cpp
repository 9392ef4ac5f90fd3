#include "config/config_values.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/text.hpp"
#include "deflake/seed_derivation.hpp"  // parse_seed

namespace deflake::config_detail {
namespace {

std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return std::string(s.substr(first, last - first + 1));
}

std::optional<std::uint64_t> parse_positive(std::string_view s) {
  const auto value = parse_seed(s);  // decimal digits, below 2^64
  if (!value || *value == 0) return std::nullopt;
  return value;
}

}  // namespace

const std::vector<std::string>& run_keys() {
  static const std::vector<std::string> keys = {
      "runs",       "seed",  "jobs",   "timeout",  "grace",        "until_fail",     "pin",
      "free",       "json",  "junit",  "store",    "memory_limit", "skip_exit_code", "leak_window",
      "core_dumps", "gtest", "filter", "strategy", "batch_size",   "libfuzzer",      "amplify",
      "shard",      "quiet", "verbose"};
  return keys;
}

void Reader::fail(const toml::source_region& where, const std::string& what) const {
  throw ConfigError(fmt::format("{}:{}:{}: {}", file_, where.begin.line, where.begin.column, what));
}

void Reader::wrong(const toml::node& node, const std::string& path,
                   std::string_view expected) const {
  fail(node.source(), fmt::format("{}: expected {}, got {}", path, expected, describe(node)));
}

std::string Reader::describe(const toml::node& node) const {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return fmt::format("{}", node.as_integer()->get());
    case toml::node_type::floating_point:
      return fmt::format("{}", node.as_floating_point()->get());
    case toml::node_type::boolean:
      return node.as_boolean()->get() ? "true" : "false";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::uint64_t Reader::positive_integer(const toml::node& node, const std::string& path) const {
  const auto* value = node.as_integer();
  if (value == nullptr || value->get() <= 0) wrong(node, path, "a positive integer");
  return static_cast<std::uint64_t>(value->get());
}

std::uint64_t Reader::count(const toml::node& node, const std::string& path) const {
  const auto* value = node.as_integer();
  if (value == nullptr || value->get() < 0) wrong(node, path, "an integer ≥ 0");
  return static_cast<std::uint64_t>(value->get());
}

double Reader::seconds(const toml::node& node, const std::string& path) const {
  double seconds = -1;
  if (const auto* i = node.as_integer()) seconds = static_cast<double>(i->get());
  if (const auto* f = node.as_floating_point()) seconds = f->get();
  if (!std::isfinite(seconds) || seconds < 0) wrong(node, path, "a number of seconds ≥ 0");
  return seconds;
}

double Reader::fraction(const toml::node& node, const std::string& path) const {
  double value = -1;
  if (const auto* f = node.as_floating_point()) value = f->get();
  if (!(value > 0 && value < 1)) wrong(node, path, "a number between 0 and 1 (such as 0.95)");
  return value;
}

bool Reader::boolean(const toml::node& node, const std::string& path) const {
  const auto* value = node.as_boolean();
  if (value == nullptr) wrong(node, path, "true or false");
  return value->get();
}

std::string Reader::string(const toml::node& node, const std::string& path,
                           std::string_view what) const {
  const auto* value = node.as_string();
  if (value == nullptr) wrong(node, path, fmt::format("a string ({})", what));
  if (value->get().empty())
    fail(node.source(), fmt::format("{}: expected {}, got \"\"", path, what));
  return value->get();
}

std::string Reader::choice(const toml::node& node, const std::string& path,
                           const std::vector<std::string>& choices) const {
  const std::string expected = fmt::format("one of \"{}\"", fmt::join(choices, "\", \""));
  const auto* value = node.as_string();
  if (value == nullptr) wrong(node, path, expected);
  const std::string& text = value->get();
  if (std::find(choices.begin(), choices.end(), text) != choices.end()) return text;
  const auto guess = nearest(text, choices);
  fail(node.source(), fmt::format("{}: expected {}, got \"{}\"{}", path, expected, text,
                                  guess ? fmt::format(" (did you mean \"{}\"?)", *guess) : ""));
}

std::vector<std::string> Reader::string_array(const toml::node& node, const std::string& path,
                                              std::string_view what) const {
  const auto* array = node.as_array();
  if (array == nullptr) wrong(node, path, fmt::format("an array of strings ({})", what));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    const auto* text = element.as_string();
    if (text == nullptr)
      wrong(element, fmt::format("{}[{}]", path, i), fmt::format("a string ({})", what));
    out.push_back(text->get());
  }
  return out;
}

std::vector<std::string> Reader::command(const toml::node& node, const std::string& path) const {
  constexpr std::string_view kExpected =
      "a command: an array of strings such as [\"./my_test\", \"--flag\"]";
  std::vector<std::string> argv;
  if (const auto* text = node.as_string()) {
    // A string is split on spaces and nothing else: no shell quoting, so a
    // command whose words hold spaces or quotes must be an array.
    if (text->get().find_first_of("\"'\\") != std::string::npos)
      fail(node.source(), fmt::format("{}: a command string cannot hold quotes or backslashes; "
                                      "write it as an array of words: {}",
                                      path, kExpected.substr(kExpected.find('['))));
    std::size_t start = 0;
    const std::string& s = text->get();
    while (start < s.size()) {
      const auto first = s.find_first_not_of(" \t", start);
      if (first == std::string::npos) break;
      const auto end = std::min(s.find_first_of(" \t", first), s.size());
      argv.push_back(s.substr(first, end - first));
      start = end;
    }
  } else if (node.is_array()) {
    argv = string_array(node, path, "the command's words");
  } else {
    wrong(node, path, kExpected);
  }
  if (argv.empty() || argv.front().empty())
    fail(node.source(), fmt::format("{}: expected {}, got an empty command", path, kExpected));
  return argv;
}

std::vector<std::pair<std::string, std::string>> Reader::env_table(const toml::node& node,
                                                                   const std::string& path) const {
  const auto* table = node.as_table();
  if (table == nullptr) wrong(node, path, "a table of environment variables { NAME = \"value\" }");
  std::vector<std::pair<const toml::key*, const toml::node*>> entries;
  for (const auto& [key, value] : *table) entries.emplace_back(&key, &value);
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const auto& x = a.first->source().begin;
    const auto& y = b.first->source().begin;
    return std::tie(x.line, x.column) < std::tie(y.line, y.column);
  });
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, value] : entries) {
    const std::string name(key->str());
    if (name.empty() || name.find('=') != std::string::npos || name.find('\0') != std::string::npos)
      fail(key->source(), fmt::format("{}: '{}' is not an environment variable name", path, name));
    const auto* text = value->as_string();
    if (text == nullptr) {
      const std::string shown = describe(*value);
      wrong(*value, path + "." + name,
            value->is_number() || value->is_boolean()
                ? fmt::format("a string (write it in quotes: \"{}\")", shown)
                : std::string("a string"));
    }
    out.emplace_back(name, text->get());
  }
  return out;
}

void Reader::check_knob(const std::string& name, const toml::source_region& where,
                        const std::string& path) const {
  if (find_knob(name) != nullptr) return;
  std::vector<std::string> names = knob_names();
  if (user_knobs_ != nullptr) {
    for (const auto& knob : *user_knobs_) {
      if (knob.name == name) return;
      names.push_back(knob.name);
    }
  }
  const auto guess = nearest(name, names);
  fail(where, fmt::format("{}: unknown knob '{}'{}", path, name,
                          guess ? fmt::format(" (did you mean '{}'?)", *guess)
                                : fmt::format("; the knobs are: {}", fmt::join(names, ", "))));
}

std::vector<std::string> Reader::knob_list(const toml::node& node, const std::string& path) const {
  std::vector<std::string> names;
  if (const auto* text = node.as_string()) {
    // "threads, aslr": point at the bad name itself when the string is
    // written plainly on one line (no escapes), else at the string.
    const std::string& s = text->get();
    const toml::source_region& region = node.source();
    const bool plain = region.begin.line == region.end.line &&
                       region.end.column - region.begin.column == code_points(s) + 2;
    std::size_t start = 0;
    while (start <= s.size()) {
      const std::size_t comma = std::min(s.find(',', start), s.size());
      const std::string name = trim(std::string_view(s).substr(start, comma - start));
      if (!name.empty()) {
        toml::source_region where = region;
        if (plain)
          where.begin.column = static_cast<toml::source_index>(
              region.begin.column + 1 + code_points(s.substr(0, s.find(name, start))));
        check_knob(name, where, path);
        names.push_back(name);
      }
      start = comma + 1;
    }
    return names;
  }
  const auto* array = node.as_array();
  if (array == nullptr) wrong(node, path, "knob names: an array such as [\"threads\", \"aslr\"]");
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    const auto* text = element.as_string();
    if (text == nullptr) wrong(element, fmt::format("{}[{}]", path, i), "a knob name");
    check_knob(text->get(), element.source(), path);
    names.push_back(text->get());
  }
  return names;
}

bool Reader::read_run_option(const std::string& name, const toml::node& node,
                             const std::string& path, RunSection& o) const {
  if (name == "runs") {
    o.runs = positive_integer(node, path);
  } else if (name == "seed") {
    if (const auto* i = node.as_integer(); i != nullptr && i->get() >= 0) {
      o.seed = std::to_string(i->get());
    } else if (const auto* s = node.as_string(); s != nullptr && parse_seed(s->get())) {
      o.seed = s->get();
    } else {
      wrong(node, path, "a seed: an integer ≥ 0, or a string of decimal digits below 2^64");
    }
  } else if (name == "jobs") {
    const std::uint64_t jobs = positive_integer(node, path);
    if (jobs > std::numeric_limits<unsigned>::max()) wrong(node, path, "a sensible number of jobs");
    o.jobs = static_cast<unsigned>(jobs);
  } else if (name == "timeout") {
    o.timeout_s = seconds(node, path);
  } else if (name == "grace") {
    o.grace_s = seconds(node, path);
  } else if (name == "leak_window") {
    o.leak_window_s = seconds(node, path);
  } else if (name == "until_fail") {
    o.until_fail = boolean(node, path);
  } else if (name == "pin") {
    o.pin = knob_list(node, path);
  } else if (name == "free") {
    o.free = knob_list(node, path);
  } else if (name == "json") {
    o.json = string(node, path, "a file path");
  } else if (name == "junit") {
    o.junit = string(node, path, "a file path");
  } else if (name == "store") {
    o.store = string(node, path, "a folder path");
  } else if (name == "memory_limit") {
    constexpr std::string_view kSize = "a size such as \"512M\" or \"2G\"";
    const auto* s = node.as_string();
    if (s == nullptr) wrong(node, path, kSize);
    if (!parse_size(s->get()) || *parse_size(s->get()) == 0)
      fail(node.source(), fmt::format("{}: expected {}, got \"{}\"", path, kSize, s->get()));
    o.memory_limit = s->get();
  } else if (name == "skip_exit_code") {
    const auto* i = node.as_integer();
    if (i == nullptr || i->get() < 0 || i->get() > 255) wrong(node, path, "an exit code 0..255");
    o.skip_exit_code = static_cast<int>(i->get());
  } else if (name == "core_dumps") {
    o.core_dumps = boolean(node, path);
  } else if (name == "gtest") {
    o.gtest = boolean(node, path);
  } else if (name == "libfuzzer") {
    o.libfuzzer = boolean(node, path);
  } else if (name == "quiet") {
    o.quiet = boolean(node, path);
  } else if (name == "verbose") {
    o.verbose = boolean(node, path);
  } else if (name == "filter") {
    const auto* s = node.as_string();
    if (s == nullptr) wrong(node, path, "a GoogleTest filter pattern (a string)");
    o.filter = s->get();
  } else if (name == "strategy") {
    o.strategy = choice(node, path, {"auto", "isolated", "batched", "suite"});
  } else if (name == "batch_size") {
    o.batch_size = positive_integer(node, path);
  } else if (name == "amplify") {
    if (const auto* b = node.as_boolean()) {
      o.amplify = b->get() ? Amplify::on : Amplify::off;
    } else {
      const auto* s = node.as_string();
      if (s == nullptr || (s->get() != "noise" && s->get() != "chaos"))
        wrong(node, path, "true, false, \"noise\" or \"chaos\"");
      o.amplify = s->get() == "noise" ? Amplify::noise : Amplify::chaos;
    }
  } else if (name == "shard") {
    constexpr std::string_view kShard = "a shard \"K/N\" with 1 ≤ K ≤ N, such as \"2/4\"";
    const auto* s = node.as_string();
    if (s == nullptr) wrong(node, path, kShard);
    const std::string& text = s->get();
    const auto slash = text.find('/');
    const auto k =
        slash == std::string::npos ? std::nullopt : parse_positive(text.substr(0, slash));
    const auto n =
        slash == std::string::npos ? std::nullopt : parse_positive(text.substr(slash + 1));
    if (!k || !n || *k > *n)
      fail(node.source(), fmt::format("{}: expected {}, got \"{}\"", path, kShard, text));
    o.shard = text;
  } else {
    return false;
  }
  return true;
}

}  // namespace deflake::config_detail
