// Tests that end the process instead of failing (RELIABILITY case 21 for
// Exit.Midway): the results file, not the exit code, tells what happened.
//
//   Crash.Sometimes   std::abort() (SIGABRT) for about 10% of test seeds
//   Crash.Never       stable
//   Exit.Midway       std::exit(0) in mid-test for about 10% of test seeds:
//                     the process exits 0, yet the test never finished, so
//                     its `start` line has no `end`
//
// Cause: seed. Both draw one number in [0, 9] from deflake::rng() and give up
// on 0, so each failing seed fails the same way on replay.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "deflake/gtest.hpp"

namespace {

bool unlucky() {
  return deflake::uniform_int(deflake::rng(), 0, 9) == 0;
}

TEST(Crash, Sometimes) {
  if (unlucky()) {
    std::fprintf(stderr, "Crash.Sometimes: aborting (test seed %llu)\n",
                 static_cast<unsigned long long>(deflake::test_seed()));
    std::abort();
  }
  SUCCEED();
}

TEST(Crash, Never) {
  EXPECT_EQ(1 + 1, 2);
}

TEST(Exit, Midway) {
  if (unlucky()) {
    std::printf("Exit.Midway: exiting with 0 in mid-test (test seed %llu)\n",
                static_cast<unsigned long long>(deflake::test_seed()));
    std::fflush(stdout);
    std::exit(0);
  }
  SUCCEED();
}

}  // namespace
