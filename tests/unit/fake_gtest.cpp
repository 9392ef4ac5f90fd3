#include "fake_gtest.hpp"

#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>

#include "deflake/results_protocol.hpp"
#include "deflake/seed_derivation.hpp"

namespace deflake {
namespace {

bool glob(const char* pattern, const char* text) {
  if (*pattern == '\0') return *text == '\0';
  if (*pattern == '*') return glob(pattern + 1, text) || (*text != '\0' && glob(pattern, text + 1));
  if (*text == '\0') return false;
  return (*pattern == '?' || *pattern == *text) && glob(pattern + 1, text + 1);
}

bool any_matches(const std::string& patterns, const std::string& name) {
  std::size_t start = 0;
  while (start <= patterns.size()) {
    const std::size_t colon = std::min(patterns.find(':', start), patterns.size());
    if (glob(patterns.substr(start, colon - start).c_str(), name.c_str())) return true;
    start = colon + 1;
  }
  return false;
}

std::optional<std::string> flag(const RunSpec& spec, const std::string& prefix) {
  std::optional<std::string> value;
  for (const auto& arg : spec.argv)
    if (arg.rfind(prefix, 0) == 0) value = arg.substr(prefix.size());
  return value;
}

std::optional<std::string> env(const RunSpec& spec, const std::string& name) {
  for (const auto& [key, value] : spec.env.set)
    if (key == name) return value;
  return std::nullopt;
}

}  // namespace

bool fake_filter_matches(const std::string& filter, const std::string& name) {
  const std::size_t dash = filter.find('-');
  const std::string positive = filter.substr(0, dash);
  if (!any_matches(positive.empty() ? "*" : positive, name)) return false;
  return dash == std::string::npos || !any_matches(filter.substr(dash + 1), name);
}

void FakeGtestBinary::start(const RunSpec& spec) {
  started.push_back(spec);
  done_.push_back(play(spec));
  max_running = std::max(max_running, done_.size());
}

LaunchEvents FakeGtestBinary::wait() {
  LaunchEvents events;
  if (done_.empty()) return events;
  events.finished.push_back(std::move(done_.front()));
  done_.pop_front();
  return events;
}

RunRecord FakeGtestBinary::play(const RunSpec& spec) {
  const std::string filter = flag(spec, "--gtest_filter=").value_or("*");
  const std::string report = flag(spec, "--gtest_output=json:").value_or("");
  const std::uint64_t repeat = std::stoull(flag(spec, "--gtest_repeat=").value_or("1"));
  const auto results_path = adapter_ ? env(spec, results::kFileVariable) : std::nullopt;
  const auto master = parse_seed(env(spec, results::kMasterSeedVariable).value_or(""));
  const std::uint64_t first_run = parse_seed(env(spec, "DEFLAKE_RUN").value_or("0")).value_or(0);
  const bool shuffle = env(spec, "GTEST_SHUFFLE") == std::optional<std::string>("1");
  const std::uint64_t shuffle_seed =
      parse_seed(env(spec, "GTEST_RANDOM_SEED").value_or("0")).value_or(0);
  const bool seed_pinned =
      env(spec, "DEFLAKE_PINNED").value_or("").find("seed") != std::string::npos;

  std::vector<std::string> selected;
  for (const auto& name : tests_)
    if (fake_filter_matches(filter, name)) selected.push_back(name);
  if (shuffle)  // a Fisher-Yates shuffle driven by the shuffle seed, like GoogleTest's
    for (std::size_t i = selected.size(); i > 1; --i)
      std::swap(selected[i - 1], selected[splitmix64(shuffle_seed * 1000 + i) % i]);

  RunRecord record;
  record.job = spec.job;
  record.index = spec.index;
  record.seed = spec.seed;
  record.leaky = leak;
  std::ofstream results;
  if (results_path) {
    results.open(*results_path, std::ios::app);
    results << results::kHeader << '\n';
  }
  std::string json_tests;
  bool any_failed = false;
  bool torn_report = false;
  for (std::uint64_t iteration = 0; iteration < repeat; ++iteration) {
    const std::uint64_t run = iteration_seed(master, first_run, spec.seed, iteration, seed_pinned);
    std::vector<std::string> before;
    json_tests.clear();
    if (repeat > 1)
      record.output += fmt::format("\nRepeating all tests (iteration {}) . . .\n\n", iteration + 1);
    for (const auto& name : selected) {
      const std::uint64_t test_seed = child_seed(run, name);
      const FakeBehaviour b = model_(name, test_seed, before);
      before.push_back(name);
      record.output += "[ RUN      ] " + name + "\n";
      if (results_path)
        results << fmt::format("start\t{}\t{}\t{}\t{}\n", iteration, run, test_seed, name)
                << std::flush;
      if (b == FakeBehaviour::crash || b == FakeBehaviour::exit_mid_test) {
        record.status =
            b == FakeBehaviour::crash ? ExitStatus::killed(SIGSEGV, false) : ExitStatus::exited(0);
        record.outcome = b == FakeBehaviour::crash ? Outcome::crash : Outcome::pass;
        return record;  // no end line, no report
      }
      const char* word = b == FakeBehaviour::fail   ? "fail"
                         : b == FakeBehaviour::skip ? "skip"
                                                    : "pass";
      any_failed |= b == FakeBehaviour::fail;
      record.output += fmt::format("[  {}  ] {} (0 ms)\n",
                                   b == FakeBehaviour::fail   ? "FAILED"
                                   : b == FakeBehaviour::skip ? "SKIPPED"
                                                              : "     OK",
                                   name);
      if (results_path)
        results << fmt::format("end\t{}\t{}\t{}\t{}\t{}\n", iteration, run, test_seed, word, name)
                << std::flush;
      const std::size_t dot = name.find('.');
      if (!json_tests.empty()) json_tests += ",";
      json_tests += fmt::format(
          R"({{"name":"{}","tests":1,"testsuite":[{{"name":"{}","status":"RUN","result":"{}","time":"0s","classname":"{}"{}}}]}})",
          name.substr(0, dot), name.substr(dot + 1),
          b == FakeBehaviour::skip ? "SKIPPED" : "COMPLETED", name.substr(0, dot),
          b == FakeBehaviour::fail ? R"(,"failures":[{"failure":"boom","type":""}])" : "");
      torn_report |= b == FakeBehaviour::torn_report;
      if (b == FakeBehaviour::crash_at_exit) {
        record.status = ExitStatus::killed(SIGABRT, false);
        record.outcome = Outcome::crash;
      }
    }
  }
  if (!report.empty()) {
    std::ofstream out(report);
    const std::string text = R"({"tests":1,"name":"AllTests","testsuites":[)" + json_tests + "]}\n";
    out << (torn_report ? text.substr(0, text.size() / 2) : text);
  }
  if (!record.status.signal) {
    record.status = ExitStatus::exited(any_failed ? 1 : 0);
    record.outcome = any_failed ? Outcome::fail : Outcome::pass;
  }
  return record;
}

}  // namespace deflake
