// The base of every end-to-end test: runs the built deflake binary in a
// private folder, with a private TMPDIR and a marker in its environment that
// every process it starts inherits, so that a test can find (and clean up)
// whatever deflake left behind.
#pragma once

#include <gtest/gtest.h>

#include <iosfwd>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "support/process.hpp"

namespace e2e {

// Paths of the programs under test, from CMake ($<TARGET_FILE:...>).
inline const std::string kDeflake = DEFLAKE_E2E_DEFLAKE;
inline const std::string kForker = DEFLAKE_E2E_FIXTURE_FORKER;
inline const std::string kOutput = DEFLAKE_E2E_FIXTURE_OUTPUT;
inline const std::string kSegv = DEFLAKE_E2E_FIXTURE_SEGV;
inline const std::string kCloseStdio = DEFLAKE_E2E_FIXTURE_CLOSE_STDIO;
inline const std::string kSeedFail = DEFLAKE_E2E_FIXTURE_SEED_FAIL;

// Slack added to every wall-time bound of RELIABILITY.md: a loaded 2-core CI
// machine (other tests run beside this one) may start deflake late and
// schedule it slowly; a sanitizer build slows it further.
#ifdef DEFLAKE_E2E_SANITIZED
inline constexpr double kSlackS = 3.0;
#else
inline constexpr double kSlackS = 1.5;
#endif

// Small text helpers (std::regex trips GCC 12's -Wmaybe-uninitialized in
// sanitizer builds, and these are all the parsing the tests need).
/// The rest of the line after the first `prefix` in `text`, or "" if none.
std::string line_after(const std::string& text, const std::string& prefix);
/// The decimal number that ends right before the first `suffix` in `text`
/// ("[123 bytes omitted]" with suffix " bytes omitted]" gives "123"), or "".
std::string digits_before(const std::string& text, const std::string& suffix);

/// How to start deflake beyond its arguments.
struct Launch {
  std::vector<std::pair<std::string, std::string>> env;  // extra environment
  // Run as WRAPPER... DEFLAKE ARGS..., e.g. sh -c 'ulimit -n 64 && exec "$@"' sh
  std::vector<std::string> wrapper;
  bool raise_core_limit = false;
  double kill_after_s = 120;
};

/// A finished deflake: how it ended, what it printed, its JSON report.
struct Result {
  Exit exit;
  std::string out, err;
  nlohmann::json report;  // null when no report was written

  int code() const { return exit.exit_code; }
  double wall_s() const { return exit.wall_s; }
  /// The report's only target; fails the test (throws) when there is none.
  const nlohmann::json& target() const;
  const nlohmann::json& outcomes() const { return target().at("outcomes"); }
  const nlohmann::json& failed_run(std::size_t i = 0) const {
    return target().at("failed_runs").at(i);
  }
};
/// For assertion messages: exit status, wall time, stdout and stderr.
std::ostream& operator<<(std::ostream& os, const Result& r);

class DeflakeTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  const std::string& dir() const { return dir_; }
  std::string report_path() const { return dir_ + "/report.json"; }
  /// deflake's own TMPDIR: its per-run folders are made (and removed) here.
  std::string temp_root() const { return dir_ + "/tmp"; }
  /// "NAME=value" in the environment of deflake and everything it starts.
  const std::string& marker() const { return marker_; }

  /// `run --json REPORT OPTIONS... -- COMMAND...`
  std::vector<std::string> sweep_args(const std::vector<std::string>& options,
                                      const std::vector<std::string>& command) const;

  std::unique_ptr<Child> start(const std::vector<std::string>& args, const Launch& launch = {});
  Result finish(Child& child) const;
  Result deflake(const std::vector<std::string>& args, const Launch& launch = {});
  Result sweep(const std::vector<std::string>& options, const std::vector<std::string>& command,
               const Launch& launch = {}) {
    return deflake(sweep_args(options, command), launch);
  }

  std::string stderr_so_far() const { return read_file(dir_ + "/stderr"); }
  /// Live processes started by deflake (they carry the marker) that remain.
  std::vector<pid_t> survivors() const { return processes_with_env(marker_); }
  /// The children of deflake (its runs) whose command name is `name`.
  std::vector<pid_t> runs_named(const Child& deflake, const std::string& name) const;

 private:
  std::string dir_;
  std::string marker_;
};

}  // namespace e2e
