#include "cli/config_options.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/error.hpp"
#include "base/text.hpp"

namespace deflake {

std::shared_ptr<const ConfigFile> load_config(const std::string& path_given) {
  std::optional<std::string> path =
      path_given.empty() ? find_default_config() : std::optional<std::string>(path_given);
  if (!path) return nullptr;
  auto config = std::make_shared<const ConfigFile>(load_config_file(*path));
  add_user_knobs(config->knobs);
  return config;
}

void apply_section(const RunSection& s, RunOptions& o) {
  auto unset = [&](const char* flag) { return o.given.count(flag) == 0; };
  if (s.runs && unset("--runs")) o.runs = s.runs;
  if (s.seed && unset("--seed")) o.seed = s.seed;
  if (s.jobs && unset("--jobs")) o.jobs = *s.jobs;
  if (s.timeout_s && unset("--timeout")) o.timeout_s = *s.timeout_s;
  if (s.grace_s && unset("--grace")) o.grace_s = *s.grace_s;
  if (s.until_fail && unset("--until-fail")) o.until_fail = *s.until_fail;
  if (s.pin && unset("--pin")) o.pin = *s.pin;
  if (s.free && unset("--free")) o.free = *s.free;
  if (s.json && unset("--json")) o.json_path = *s.json;
  if (s.store && unset("--store")) o.store_dir = *s.store;
  if (s.memory_limit && unset("--memory-limit")) o.memory_limit = s.memory_limit;
  if (s.skip_exit_code && unset("--skip-exit-code") && unset("--no-skip-exit-code"))
    o.skip_exit_code = *s.skip_exit_code;
  if (s.leak_window_s && unset("--leak-window")) o.leak_window_s = *s.leak_window_s;
  if (s.core_dumps && unset("--core-dumps")) o.core_dumps = *s.core_dumps;
  if (s.gtest && unset("--gtest") && unset("--no-gtest")) o.gtest = *s.gtest;
  if (s.filter && unset("--filter")) o.filter = *s.filter;
  if (s.strategy && unset("--strategy")) o.strategy = *s.strategy;
  if (s.batch_size && unset("--batch-size")) o.batch_size = *s.batch_size;
  if (s.libfuzzer && unset("--libfuzzer")) o.libfuzzer = *s.libfuzzer;
  if (unset("--quiet") && unset("--verbose")) {
    if (s.quiet && *s.quiet) o.verbosity = Verbosity::quiet;
    if (s.verbose && *s.verbose) o.verbosity = Verbosity::verbose;
  }
  // Options of DESIGN.md that this version does not act on yet: said, not ignored.
  std::vector<std::string> later;
  if (s.junit) later.push_back("junit");
  if (s.amplify) later.push_back("amplify");
  if (s.shard) later.push_back("shard");
  if (!later.empty() && o.verbosity != Verbosity::quiet)
    fmt::print(stderr, "deflake: note: {} in deflake.toml {} not acted on by this version\n",
               fmt::join(later, ", "), later.size() == 1 ? "is" : "are");
}

RunOptions named_test_options(const ConfigFile& config, const std::string& name, RunOptions o) {
  const auto it = config.tests.find(name);
  if (it == config.tests.end()) {
    const auto guess = nearest(name, config.test_order);
    throw UsageError(
        fmt::format("no test '{}' in {}{}", name, config.path,
                    guess ? fmt::format(" (did you mean '{}'?)", *guess)
                    : config.test_order.empty()
                        ? std::string(": it names no [tests.NAME]")
                        : fmt::format("; its tests are: {}", fmt::join(config.test_order, ", "))));
  }
  const TestSpec& test = it->second;
  // The test's table outranks the command's and [run]: apply it over them,
  // leaving what the command line set.
  apply_section(test.options, o);
  o.command = test.command;
  o.env = test.env;
  if (test.working_directory) o.working_directory = *test.working_directory;
  if (test.kind && o.given.count("--gtest") == 0 && o.given.count("--no-gtest") == 0 &&
      o.given.count("--libfuzzer") == 0) {
    o.gtest = *test.kind == "gtest";
    o.libfuzzer = *test.kind == "libfuzzer";
  }
  return o;
}

}  // namespace deflake
