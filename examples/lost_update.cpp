// A timing-dependent flaky test: two threads each add 1 to a shared counter
// many times with a load and a separate store (relaxed atomics: a real race,
// but no undefined behaviour). An increment is lost whenever the threads
// interleave between the load and the store, which depends on scheduling,
// not on the seed: replaying a failing seed passes most of the time.
//
// Cause: thread scheduling (no knob pins it; the seed does not matter).
#include <atomic>
#include <cstdio>
#include <thread>

int main() {
  constexpr int kIncrements = 20000;
  std::atomic<int> counter{0};
  auto work = [&counter] {
    for (int i = 0; i < kIncrements; ++i) {
      const int seen = counter.load(std::memory_order_relaxed);
      counter.store(seen + 1, std::memory_order_relaxed);  // the bug: not a fetch_add
    }
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  if (counter.load() != 2 * kIncrements) {
    std::printf("lost %d increments\n", 2 * kIncrements - counter.load());
    return 1;
  }
  std::printf("ok\n");
  return 0;
}
