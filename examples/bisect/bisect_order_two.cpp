// cause: order (culprits [order]; polluters Pool.LeakOnError and
// Pool.LeakOnTimeout)
//
// A process-wide connection pool of 3 connections that no test resets. Two
// tests leak one connection each (their code path forgets to return it);
// Pool.Transfer needs 2 connections at once, so it fails only when BOTH
// leakers ran before it in the same process (one leak leaves it 2). It is
// declared first, so the default order passes; each test passes alone. With
// the tests shuffled (order free: GTEST_SHUFFLE=1), the tests of a suite run
// in a uniformly random order, and Transfer comes after both leakers in a
// third of the runs. Nothing here depends on the seed, threads,
// time or addresses: with order pinned (GTEST_SHUFFLE=0) every run passes.
//
//   Pool.Transfer         the victim (needs 2 free connections)
//   Pool.LeakOnError      polluter: leaks one connection
//   Pool.LeakOnTimeout    polluter: leaks one connection
//   Pool.Reuse, Codec.RoundTrip, Codec.Empty   stable, leak nothing
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "deflake/gtest.hpp"

namespace {

// The code under test: a fixed pool shared by the whole process.
class Pool {
 public:
  static Pool& instance() {
    static Pool pool;
    return pool;
  }
  bool acquire() {
    if (free_ == 0) return false;
    --free_;
    return true;
  }
  void release() { ++free_; }
  int free_count() const { return free_; }

 private:
  int free_ = 3;
};

TEST(Pool, Transfer) {
  Pool& pool = Pool::instance();
  const bool from = pool.acquire();
  const bool to = pool.acquire();
  if (from) pool.release();
  if (to) pool.release();
  EXPECT_TRUE(from && to) << "only " << pool.free_count() << " free connection(s) left";
}

TEST(Pool, LeakOnError) {
  // The error path returns early and forgets the connection.
  ASSERT_TRUE(Pool::instance().acquire());
}

TEST(Pool, Reuse) {
  Pool& pool = Pool::instance();
  ASSERT_TRUE(pool.acquire());
  pool.release();
  ASSERT_TRUE(pool.acquire());
  pool.release();
}

TEST(Pool, LeakOnTimeout) {
  // The timeout path abandons the connection too.
  ASSERT_TRUE(Pool::instance().acquire());
}

std::string encode(const std::vector<int>& values) {
  std::string text;
  for (const int v : values) text += std::to_string(v) + ';';
  return text;
}

TEST(Codec, RoundTrip) {
  EXPECT_EQ(encode({1, 22, 333}), "1;22;333;");
}

TEST(Codec, Empty) {
  EXPECT_EQ(encode({}), "");
}

}  // namespace
