// "A small GoogleTest binary" for bench/gtest_strategies.sh: linked with
// deflake::gtest (the adapter's main and listener), a few trivial tests, and
// one whose body lasts as long as an environment variable says.
//
//   BENCH_BODY_US=N   Bench.Body spins for N microseconds (default 0: returns
//                     at once); read once, when the binary starts
//   BENCH_BODY_MODE   spin (default: busy-waits on the steady clock, a
//                     CPU-bound test) or sleep (nanosleep, the CPU stays free)
//
//   Bench.Body          the measured test case
//   Bench.Adds, Bench.Concatenates, Other.Compares   trivial, never measured:
//                       they make the listing and the filter realistic
//
// Every test passes under every seed.
#include <gtest/gtest.h>
#include <time.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>

#include "deflake/gtest.hpp"

namespace {

long body_us() {
  static const long us = [] {
    const char* text = std::getenv("BENCH_BODY_US");
    return text != nullptr ? std::strtol(text, nullptr, 10) : 0L;
  }();
  return us;
}

bool body_sleeps() {
  static const bool sleeps = [] {
    const char* text = std::getenv("BENCH_BODY_MODE");
    return text != nullptr && std::strcmp(text, "sleep") == 0;
  }();
  return sleeps;
}

void run_body() {
  const long us = body_us();
  if (us <= 0) return;
  if (body_sleeps()) {
    timespec ts{us / 1000000, (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0) {
    }
    return;
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(us);
  while (std::chrono::steady_clock::now() < until) {
  }
}

TEST(Bench, Body) {
  run_body();
  // Uses the seed, as a seeded test would; always true.
  EXPECT_EQ(deflake::test_seed() ^ deflake::test_seed(), 0u);
}

TEST(Bench, Adds) {
  EXPECT_EQ(40 + 2, 42);
}

TEST(Bench, Concatenates) {
  EXPECT_EQ(std::string("de") + "flake", "deflake");
}

TEST(Other, Compares) {
  EXPECT_LT(1, 2);
}

}  // namespace
