// A GoogleTest binary whose one test case interrupts the deflake that runs
// it (SIGINT to its parent) when DEFLAKE_E2E_INTERRUPT is set: a Ctrl-C
// that lands, for certain, while bisect screens the test cases. With
// DEFLAKE_E2E_INTERRUPT=alone it fails whenever the whole suite runs and
// interrupts only when it runs alone: a Ctrl-C while bisect screens alone
// the test cases that failed in the suite.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

TEST(Interrupt, TheRunner) {
  const char* mode = std::getenv("DEFLAKE_E2E_INTERRUPT");
  if (mode == nullptr) return;
  if (std::string(mode) == "alone" && ::testing::UnitTest::GetInstance()->test_to_run_count() > 1) {
    FAIL() << "fails in the suite";
  }
  kill(getppid(), SIGINT);
  usleep(200 * 1000);
}

TEST(Interrupt, Passes) {}
