// deflake.toml → ConfigFile. The only place (with config_values.cpp) that
// includes TOML++: its parse_error is caught here and becomes a ConfigError
// with the file:line:col the user needs to fix it.
#include "config/config.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "base/text.hpp"
#include "config/config_values.hpp"
#include "config/nesting_guard.hpp"
#include "platform/read_file.hpp"

namespace deflake {
namespace {

using config_detail::Reader;

const std::vector<std::string> kTopTables = {"run", "bisect", "ctest", "repro", "tests", "knobs"};
const std::vector<std::string> kBisectKeys = {"confidence", "max_runs"};
const std::vector<std::string> kCtestKeys = {"reruns", "allow_flaky"};
const std::vector<std::string> kReproKeys = {"runs"};
const std::vector<std::string> kTestKeys = {"command", "env", "working_directory", "kind"};
const std::vector<std::string> kKnobKeys = {"description", "pinned", "free"};
const std::vector<std::string> kSettingKeys = {"env", "unset"};

std::vector<std::string> joined(const std::vector<std::string>& a,
                                const std::vector<std::string>& b) {
  std::vector<std::string> out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// A table's entries in file order (toml::table is sorted by key).
std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(
    const toml::table& table) {
  std::vector<std::pair<const toml::key*, const toml::node*>> entries;
  for (const auto& [key, node] : table) entries.emplace_back(&key, &node);
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const auto& x = a.first->source().begin;
    const auto& y = b.first->source().begin;
    return std::tie(x.line, x.column) < std::tie(y.line, y.column);
  });
  return entries;
}

bool valid_knob_name(std::string_view name) {
  if (name.empty() || name.front() < 'a' || name.front() > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool valid_env_name(std::string_view name) {
  return !name.empty() && name.find('=') == std::string_view::npos &&
         name.find('\0') == std::string_view::npos;
}

bool valid_test_name(std::string_view name) {
  if (name.empty() || name.front() == '-') return false;
  return std::none_of(name.begin(), name.end(),
                      [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; });
}

class Parser {
 public:
  explicit Parser(Reader& reader) : r_(reader) {}

  ConfigFile parse(const toml::table& root) {
    ConfigFile file;
    file.path = r_.file();
    // Knobs first: [run] pin = [...] may name a knob defined further down.
    if (const auto* knobs = root.get("knobs")) parse_knobs(*knobs, file);
    r_.set_user_knobs(&file.knobs);
    for (const auto& [key, node] : in_file_order(root)) {
      const std::string name(key->str());
      if (name == "run") {
        parse_section(*node, "run", file.run, {});
      } else if (name == "bisect") {
        parse_section(*node, "bisect", file.bisect, kBisectKeys);
      } else if (name == "ctest") {
        parse_section(*node, "ctest", file.ctest, kCtestKeys);
      } else if (name == "repro") {
        parse_repro(*node, file.repro);
      } else if (name == "tests") {
        parse_tests(*node, file);
      } else if (name == "knobs") {
        // done above
      } else {
        unknown_top_level(*key, *node);
      }
    }
    return file;
  }

 private:
  const toml::table& table_of(const toml::node& node, const std::string& path,
                              std::string_view what) {
    const auto* table = node.as_table();
    if (table == nullptr) r_.wrong(node, path, what);
    return *table;
  }

  [[noreturn]] void unknown_key(const toml::key& key, const std::string& where,
                                const std::vector<std::string>& known) {
    const auto guess = nearest(key.str(), known);
    r_.fail(key.source(),
            fmt::format("unknown key '{}' in {}{}", key.str(), where,
                        guess ? fmt::format(" (did you mean '{}'?)", *guess)
                              : fmt::format("; the keys are: {}", fmt::join(known, ", "))));
  }

  [[noreturn]] void unknown_top_level(const toml::key& key, const toml::node& node) {
    const std::string name(key.str());
    if (node.is_table()) {
      const auto guess = nearest(name, kTopTables);
      r_.fail(key.source(), fmt::format("unknown table [{}]{}", name,
                                        guess ? fmt::format(" (did you mean [{}]?)", *guess)
                                              : fmt::format("; the tables are: [{}]",
                                                            fmt::join(kTopTables, "], ["))));
    }
    const auto& run_keys = config_detail::run_keys();
    if (std::find(run_keys.begin(), run_keys.end(), name) != run_keys.end())
      r_.fail(key.source(), fmt::format("'{}' must be inside a table: put it under [run] (the "
                                        "defaults of every command) or a command's table",
                                        name));
    r_.fail(key.source(), fmt::format("unknown key '{}' outside any table; expected the tables "
                                      "[{}]",
                                      name, fmt::join(kTopTables, "], [")));
  }

  template <typename Section>
  void parse_section(const toml::node& node, const std::string& path, Section& section,
                     const std::vector<std::string>& own_keys) {
    const auto& table = table_of(node, path, "a table of options");
    for (const auto& [key, value] : in_file_order(table)) {
      const std::string name(key->str());
      const std::string key_path = path + "." + name;
      if (r_.read_run_option(name, *value, key_path, section)) continue;
      if constexpr (std::is_same_v<Section, BisectSection>) {
        if (name == "confidence") {
          section.confidence = r_.fraction(*value, key_path);
          continue;
        }
        if (name == "max_runs") {
          section.max_runs = r_.positive_integer(*value, key_path);
          continue;
        }
      }
      if constexpr (std::is_same_v<Section, CtestSection>) {
        if (name == "reruns") {
          section.reruns = r_.count(*value, key_path);
          continue;
        }
        if (name == "allow_flaky") {
          section.allow_flaky = r_.boolean(*value, key_path);
          continue;
        }
      }
      for (const auto& [other, keys] : {std::pair{"bisect", &kBisectKeys}, {"ctest", &kCtestKeys}})
        if (path != other && std::find(keys->begin(), keys->end(), name) != keys->end())
          r_.fail(key->source(),
                  fmt::format("'{}' is not a [{}] option: it belongs in [{}]", name, path, other));
      unknown_key(*key, "[" + path + "]", joined(config_detail::run_keys(), own_keys));
    }
  }

  void parse_repro(const toml::node& node, ReproSection& repro) {
    const auto& table = table_of(node, "repro", "a table of options");
    for (const auto& [key, value] : in_file_order(table)) {
      if (key->str() == "runs") {
        repro.runs = r_.positive_integer(*value, "repro.runs");
        continue;
      }
      unknown_key(*key, "[repro]", kReproKeys);
    }
  }

  void parse_tests(const toml::node& node, ConfigFile& file) {
    const auto& table = table_of(node, "tests", "a table of tests ([tests.NAME])");
    for (const auto& [key, value] : in_file_order(table)) {
      const std::string name(key->str());
      if (!valid_test_name(name))
        r_.fail(key->source(), fmt::format("'{}' is not a test name: use a name without spaces "
                                           "that does not start with '-'",
                                           name));
      const std::string path = "tests." + name;
      if (!value->is_table())
        r_.fail(key->source(),
                fmt::format("{}: expected a table ([tests.{}] with command = [...]), got {}", path,
                            name, r_.describe(*value)));
      TestSpec test = parse_test(*value->as_table(), name, path, *key);
      file.test_order.push_back(name);
      file.tests.emplace(name, std::move(test));
    }
  }

  TestSpec parse_test(const toml::table& table, const std::string& name, const std::string& path,
                      const toml::key& name_key) {
    TestSpec test;
    test.name = name;
    for (const auto& [key, value] : in_file_order(table)) {
      const std::string k(key->str());
      const std::string key_path = path + "." + k;
      if (k == "command") {
        test.command = r_.command(*value, key_path);
      } else if (k == "env") {
        test.env = r_.env_table(*value, key_path);
      } else if (k == "working_directory") {
        test.working_directory = r_.string(*value, key_path, "a folder path");
      } else if (k == "kind") {
        test.kind = r_.choice(*value, key_path, {"cmd", "gtest", "libfuzzer"});
      } else if (!r_.read_run_option(k, *value, key_path, test.options)) {
        unknown_key(*key, "[" + path + "]", joined(kTestKeys, config_detail::run_keys()));
      }
    }
    if (test.command.empty())
      r_.fail(
          name_key.source(),
          fmt::format("[{}]: expected a command (command = [\"./my_test\", \"--flag\"])", path));
    return test;
  }

  void parse_knobs(const toml::node& node, ConfigFile& file) {
    const auto& table = table_of(node, "knobs", "a table of knobs ([knobs.NAME])");
    for (const auto& [key, value] : in_file_order(table)) {
      const std::string name(key->str());
      if (!valid_knob_name(name))
        r_.fail(key->source(), fmt::format("'{}' is not a knob name: expected lower-case letters, "
                                           "digits, '_' and '-', starting with a letter",
                                           name));
      if (find_knob(name) != nullptr)
        r_.fail(key->source(),
                fmt::format("knob '{}' is built in: give yours another name (`deflake knobs` "
                            "lists the built-in ones)",
                            name));
      const std::string path = "knobs." + name;
      if (!value->is_table())
        r_.fail(key->source(), fmt::format("{}: expected a table ([knobs.{}]), got {}", path, name,
                                           r_.describe(*value)));
      file.knobs.push_back(parse_knob(*value->as_table(), name, path));
    }
  }

  Knob parse_knob(const toml::table& table, const std::string& name, const std::string& path) {
    Knob knob;
    knob.name = name;
    knob.pinned.summary = knob.free.summary = "no change";
    for (const auto& [key, value] : in_file_order(table)) {
      const std::string k(key->str());
      const std::string key_path = path + "." + k;
      if (k == "description") {
        knob.source = r_.string(*value, key_path, "a description");
      } else if (k == "pinned") {
        knob.pinned = parse_setting(*value, key_path);
      } else if (k == "free") {
        knob.free = parse_setting(*value, key_path);
      } else {
        unknown_key(*key, "[" + path + "]", kKnobKeys);
      }
    }
    if (knob.source.empty()) knob.source = "user-defined";
    return knob;
  }

  KnobSetting parse_setting(const toml::node& node, const std::string& path) {
    const auto& table =
        table_of(node, path, "a table such as { env = { NAME = \"value\" }, unset = [\"NAME\"] }");
    KnobSetting setting;
    for (const auto& [key, value] : in_file_order(table)) {
      const std::string k(key->str());
      const std::string key_path = path + "." + k;
      if (k == "env") {
        setting.env.set = r_.env_table(*value, key_path);
      } else if (k == "unset") {
        setting.env.unset = r_.string_array(*value, key_path, "environment variable names");
        for (std::size_t i = 0; i < setting.env.unset.size(); ++i)
          if (!valid_env_name(setting.env.unset[i]))
            r_.fail(value->as_array()->get(i)->source(),
                    fmt::format("{}: '{}' is not an environment variable name", key_path,
                                setting.env.unset[i]));
      } else {
        unknown_key(*key, "[" + path + "]", kSettingKeys);
      }
    }
    std::vector<std::string> parts;
    for (const auto& [var, val] : setting.env.set) parts.push_back(var + "=" + val);
    if (!setting.env.unset.empty())
      parts.push_back(fmt::format("unset {}", fmt::join(setting.env.unset, " ")));
    setting.summary = parts.empty() ? "no change" : fmt::format("{}", fmt::join(parts, ", "));
    return setting;
  }

  Reader& r_;
};

}  // namespace

ConfigFile parse_config(std::string_view text, const std::string& name_for_errors) {
  if (const auto bad = find_invalid_utf8(text))
    throw ConfigError(fmt::format("{}:{}:{}: invalid UTF-8: deflake.toml must be UTF-8 text",
                                  name_for_errors, bad->line, bad->column));
  if (const auto deep = find_excess_nesting(text, kMaxConfigNesting))
    throw ConfigError(
        fmt::format("{}:{}:{}: nesting deeper than {} levels (tables, dotted keys, "
                    "arrays and inline tables together)",
                    name_for_errors, deep->line, deep->column, kMaxConfigNesting));
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(name_for_errors));
  } catch (const toml::parse_error& e) {
    std::string what(e.description());
    if (!what.empty())
      what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
    if (what.find("cannot redefine existing") != std::string::npos)
      what += " (a key or table may be defined only once)";
    else if (what.find("floating-point") != std::string::npos &&
             what.find("could not be interpreted") != std::string::npos)
      what += " (out of range for a number)";
    throw ConfigError(fmt::format("{}:{}:{}: {}", name_for_errors, e.source().begin.line,
                                  e.source().begin.column, what));
  }
  Reader reader(name_for_errors);
  return Parser(reader).parse(root);
}

ConfigFile load_config_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ConfigError(fmt::format("{}: is a folder, not a deflake.toml file", path));
  const FileContents contents = read_whole_file(path);
  if (contents.error != 0)
    throw ConfigError(fmt::format("{}: cannot read: {}", path, std::strerror(contents.error)));
  return parse_config(contents.text, path);
}

std::optional<std::string> find_default_config() {
  std::error_code ec;
  if (std::filesystem::exists("deflake.toml", ec)) return std::string("./deflake.toml");
  return std::nullopt;
}

const Knob* find_knob(const ConfigFile& file, std::string_view name) {
  for (const auto& knob : file.knobs)
    if (knob.name == name) return &knob;
  return find_knob(name);
}

}  // namespace deflake
