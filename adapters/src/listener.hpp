// The GoogleTest listener behind deflake::gtest: seeds each test from the run
// seed and its full name, records it in the results file, and prints the line
// that replays a failure.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "results_file.hpp"

namespace deflake::gtest_adapter {

/// What the listener learns from the environment, read once at start so that
/// a test that changes its own environment cannot change the next test's seed.
struct Settings {
  std::optional<std::uint64_t> master_seed;  // DEFLAKE_MASTER_SEED
  std::uint64_t first_run = 0;               // DEFLAKE_RUN
  std::uint64_t process_seed = 1;            // DEFLAKE_SEED, or kDefaultSeed
  bool seed_pinned = false;                  // DEFLAKE_PINNED holds "seed"
  const char* results_path = nullptr;        // DEFLAKE_RESULTS, null when unset or empty
  std::string program;                       // argv[0], for the replay line
  bool print_replay = true;                  // false in a death test's child

  /// Reads DEFLAKE_* from the environment.
  static Settings from_environment(std::string program);
};

/// The test's full name as --gtest_filter takes it: "Suite.Name".
std::string full_name(const testing::TestInfo& info);

/// `word` as one shell word: unchanged when it needs no quoting, else in
/// single quotes.
std::string shell_quote(std::string_view word);

/// The line that replays one failing test, '\n' included.
std::string replay_line(std::uint64_t run_seed, std::string_view program, std::string_view name);

/// Appended to GoogleTest's listeners by the adapter's main().
class Listener : public testing::EmptyTestEventListener {
 public:
  /// `results` may be a file that writes nothing.
  Listener(Settings settings, ResultsFile results);

  void OnTestIterationStart(const testing::UnitTest& unit_test, int iteration) override;
  void OnTestSuiteStart(const testing::TestSuite& suite) override;
  void OnTestStart(const testing::TestInfo& info) override;
  void OnTestEnd(const testing::TestInfo& info) override;

 private:
  Settings settings_;
  ResultsFile results_;
};

}  // namespace deflake::gtest_adapter
