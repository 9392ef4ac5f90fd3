// deflake repro end to end: replay tokens (exact replays, a token for another
// command or a mangled one refused), seeds given by hand, and the verdicts
// "reproduced K/K", "reproduced j/K" and "did not reproduce".
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdint>
#include <fstream>

#include "support/deflake_test.hpp"

namespace e2e {
namespace {

using Repro = DeflakeTest;

/// The token of the first failing run of a sweep's only target.
std::string first_token(const Result& r) {
  return r.failed_run(0).at("token");
}

// fixture_seed_fail 4 1 fails exactly when DEFLAKE_SEED % 4 == 1: its
// failures are a function of the seed and replay every time.
TEST_F(Repro, ATokenReplaysASeedFailureEveryTime) {
  const Result sweep_result = sweep({"-n", "40", "--seed", "3"}, {kSeedFail, "4", "1"});
  ASSERT_EQ(sweep_result.code(), 1) << sweep_result;
  const std::string token = first_token(sweep_result);
  EXPECT_EQ(token.rfind("dfk1-", 0), 0u);
  // The sweep's last line is the command that replays it anywhere.
  EXPECT_NE(sweep_result.out.find("token: deflake repro " + token + " -- "), std::string::npos)
      << sweep_result;
  const Result r = deflake({"repro", token, "--", kSeedFail, "4", "1"});
  EXPECT_EQ(r.code(), 1) << r;
  EXPECT_NE(r.out.find("reproduced 5/5"), std::string::npos) << r;
  const std::string seed =
      std::to_string(sweep_result.failed_run(0).at("seed").get<std::uint64_t>());
  EXPECT_NE(r.out.find("replay without deflake: DEFLAKE_SEED=" + seed), std::string::npos) << r;
  const Result more = deflake({"repro", token, "--runs", "12", "--", kSeedFail, "4", "1"});
  EXPECT_NE(more.out.find("reproduced 12/12"), std::string::npos) << more;
}

// A failure that does not follow the seed (a coin flip from /dev/urandom)
// replays some of the time: "nondeterminism beyond the seed".
TEST_F(Repro, ANondeterministicFailureReproducesOnlySometimes) {
  const std::vector<std::string> coin = {"/bin/sh", "-c",
                                         "test $(od -An -N1 -tu1 /dev/urandom) -lt 128"};
  const Result sweep_result = sweep({"-n", "30", "--seed", "1"}, coin);
  ASSERT_EQ(sweep_result.code(), 1) << sweep_result;
  std::vector<std::string> args = {"repro", first_token(sweep_result), "--runs", "30", "--"};
  args.insert(args.end(), coin.begin(), coin.end());
  const Result r = deflake(args);
  // P(all 30 alike) = 2^-29: never in practice.
  EXPECT_EQ(r.code(), 1) << r;
  EXPECT_NE(r.out.find("nondeterminism beyond the seed"), std::string::npos) << r;
  EXPECT_EQ(r.out.find("reproduced 30/30"), std::string::npos) << r;
}

TEST_F(Repro, ATokenForAnotherCommandOrAMangledOneIsRefused) {
  const Result sweep_result = sweep({"-n", "40", "--seed", "3"}, {kSeedFail, "4", "1"});
  ASSERT_EQ(sweep_result.code(), 1) << sweep_result;
  const std::string token = first_token(sweep_result);
  const Result other = deflake({"repro", token, "--", kSeedFail, "4", "2"});
  EXPECT_EQ(other.code(), 2) << other;
  EXPECT_NE(other.err.find("another command"), std::string::npos) << other;
  const Result cut =
      deflake({"repro", token.substr(0, token.size() - 3), "--", kSeedFail, "4", "1"});
  EXPECT_EQ(cut.code(), 2) << cut;
  EXPECT_NE(cut.err.find("copy it whole"), std::string::npos) << cut;
  std::string changed = token;
  changed[10] = changed[10] == 'A' ? 'B' : 'A';
  const Result bad = deflake({"repro", changed, "--", kSeedFail, "4", "1"});
  EXPECT_EQ(bad.code(), 2) << bad;
  const Result no_command = deflake({"repro", token});
  EXPECT_EQ(no_command.code(), 2) << no_command;
}

TEST_F(Repro, ASeedGivenByHandReplaysThatSeed) {
  // 1000000000000001 % 4 == 1: fails; ...004 % 4 == 0: passes.
  const Result fails = deflake({"repro", "--seed", "1000000000000001", "--", kSeedFail, "4", "1"});
  EXPECT_EQ(fails.code(), 1) << fails;
  EXPECT_NE(fails.out.find("reproduced 5/5"), std::string::npos) << fails;
  const Result passes = deflake({"repro", "--seed", "1000000000000004", "--", kSeedFail, "4", "1"});
  EXPECT_EQ(passes.code(), 0) << passes;
  EXPECT_NE(passes.out.find("did not reproduce in 5 runs"), std::string::npos) << passes;
  const Result bad = deflake({"repro", "--seed", "x12", "--", kSeedFail, "4", "1"});
  EXPECT_EQ(bad.code(), 2) << bad;
}

// A replay runs each process as the sweep did: the process options of run
// (skip exit code, memory limit, ...) are repro's flags too, and [run] of
// deflake.toml sets them under the flags.
TEST_F(Repro, ReplaysTakeTheProcessOptionsOfRun) {
  const auto repro = [&](const std::vector<std::string>& options,
                         const std::vector<std::string>& command, const Launch& launch = {}) {
    std::vector<std::string> args = {"repro", "--seed", "1000000000000001", "--json",
                                     report_path()};
    args.insert(args.end(), options.begin(), options.end());
    args.push_back("--");
    args.insert(args.end(), command.begin(), command.end());
    return deflake(args, launch);
  };
  const std::vector<std::string> exit3 = {"/bin/sh", "-c", "exit 3"};
  const Result flag = repro({"--skip-exit-code", "3"}, exit3);
  EXPECT_EQ(flag.code(), 0) << flag;
  EXPECT_EQ(flag.outcomes()["skip"], 5) << flag;

  std::ofstream(dir() + "/deflake.toml") << "[run]\nskip_exit_code = 3\nmemory_limit = \"64M\"\n";
  const Result from_file = repro({}, exit3);
  EXPECT_EQ(from_file.code(), 0) << from_file;
  EXPECT_EQ(from_file.outcomes()["skip"], 5) << from_file;
  const Result no_skip = repro({"--no-skip-exit-code"}, exit3);
  EXPECT_EQ(no_skip.code(), 1) << no_skip;
  EXPECT_EQ(no_skip.outcomes()["fail"], 5) << no_skip;
  const Result limited = repro({}, {"/bin/sh", "-c", "test \"$(ulimit -v)\" = 65536"});
  EXPECT_EQ(limited.code(), 0) << limited;
  EXPECT_EQ(limited.outcomes()["pass"], 5) << limited;
  const Result flag_wins =
      repro({"--memory-limit", "128M"}, {"/bin/sh", "-c", "test \"$(ulimit -v)\" = 131072"});
  EXPECT_EQ(flag_wins.code(), 0) << flag_wins;

  // deflake starts with its soft core limit raised, so a 0 is deflake's doing.
  struct rlimit core {};
  ::getrlimit(RLIMIT_CORE, &core);
#ifndef DEFLAKE_E2E_SANITIZED  // a sanitizer runtime sets deflake's own soft limit to 0
  if (core.rlim_max != 0) {
    Launch launch;
    launch.raise_core_limit = true;
    const std::vector<std::string> may_dump = {"/bin/sh", "-c", "test \"$(ulimit -c)\" != 0"};
    EXPECT_EQ(repro({}, may_dump, launch).code(), 1);
    const Result cores = repro({"--core-dumps"}, may_dump, launch);
    EXPECT_EQ(cores.code(), 0) << cores;
  }
#endif
}

}  // namespace
}  // namespace e2e
