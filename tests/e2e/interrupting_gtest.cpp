// A GoogleTest binary whose one test case interrupts the deflake that runs
// it (SIGINT to its parent) when DEFLAKE_E2E_INTERRUPT is set: a Ctrl-C
// that lands, for certain, while bisect screens the test cases.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>

TEST(Interrupt, TheRunner) {
  if (std::getenv("DEFLAKE_E2E_INTERRUPT") != nullptr) kill(getppid(), SIGINT);
  usleep(200 * 1000);
}

TEST(Interrupt, Passes) {}
