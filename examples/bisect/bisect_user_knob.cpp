// cause: knobs — cache, a knob of the user's own (deflake.toml in this folder:
// [knobs.cache], pinned APP_CACHE=off, free APP_CACHE unset; requires any;
// not seed-dependent)
//
// An application cache with a background refresh, serving three requests at
// once. Unless APP_CACHE=off, a refresh thread recomputes the entry and
// publishes version 2 while three request threads each compute an answer and
// then read the entry to serve it. The test primed the cache with version 1
// and tolerates one answer from the refreshed version (a request may race
// with the refresh), not two: it fails when the refresh lands before at least
// two of the three requests read. The four threads leave a start gate
// together and do equal work before their step, so the scheduler decides the
// order: about half of the runs fail.
// With APP_CACHE=off there is no refresh thread: nothing can change the
// entry, every request serves version 1, and every run passes, on any
// machine. The entry is an atomic (relaxed loads and stores are enough to
// show the race): no data race. No seed, no other knob's variable.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "deflake/kernels/start_gate.hpp"

namespace {

std::uint64_t busy_work(std::uint64_t salt) {
  std::uint64_t h = 0x9e3779b97f4a7c15ull ^ salt;
  for (unsigned i = 0; i < 150000; ++i) h = (h ^ (h >> 31) ^ i) * 0x94d049bb133111ebull;
  return h;
}

}  // namespace

int main() {
  const char* setting = std::getenv("APP_CACHE");
  const bool refresh = setting == nullptr || std::strcmp(setting, "off") != 0;
  constexpr unsigned kRequests = 3;

  std::atomic<int> version{1};
  std::atomic<unsigned> refreshed_answers{0};
  std::atomic<std::uint64_t> sink{0};
  deflake::kernels::StartGate gate;
  std::vector<std::thread> threads;
  if (refresh)
    threads.emplace_back([&] {
      gate.arrive_and_wait();
      sink.fetch_add(busy_work(0), std::memory_order_relaxed);  // recompute the entry
      version.store(2, std::memory_order_relaxed);
    });
  for (unsigned r = 1; r <= kRequests; ++r)
    threads.emplace_back([&, r] {
      gate.arrive_and_wait();
      sink.fetch_add(busy_work(r), std::memory_order_relaxed);  // compute the answer
      if (version.load(std::memory_order_relaxed) != 1)         // serve it
        refreshed_answers.fetch_add(1, std::memory_order_relaxed);
    });
  gate.open_when_arrived(static_cast<unsigned>(threads.size()));
  for (auto& thread : threads) thread.join();

  const unsigned stale = refreshed_answers.load();
  if (stale >= 2) {
    std::printf("FAIL: %u of %u requests served the refreshed entry, not the primed one\n", stale,
                kRequests);
    return 1;
  }
  std::printf("ok: %u of %u requests served the refreshed entry (refresh %s)\n", stale, kRequests,
              refresh ? "on" : "off");
  return 0;
}
