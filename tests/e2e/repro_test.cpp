// deflake repro end to end: replay tokens (exact replays, a token for another
// command or a mangled one refused), seeds given by hand, and the verdicts
// "reproduced K/K", "reproduced j/K" and "did not reproduce".
#include <gtest/gtest.h>

#include <cstdint>

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

}  // namespace
}  // namespace e2e
