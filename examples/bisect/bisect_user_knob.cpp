// cause: knobs — cache, a knob of the user's own (deflake.toml in this folder:
// [knobs.cache], pinned APP_CACHE=off, free APP_CACHE unset; requires any;
// not seed-dependent)
//
// An application cache with a background refresh: unless APP_CACHE=off, a
// refresh thread recomputes the entry and publishes the new version while the
// request thread computes its answer from the version it read at the start
// and then reads the entry again to serve it. The test expects both reads to
// agree (the request must see one consistent version), which holds only when
// the refresh does not land between them: the two threads leave a start gate
// together and do equal work before their second step, so the scheduler
// decides which comes first, and the test fails in about half of the runs.
// With APP_CACHE=off there is no refresh thread: nothing can change the entry,
// and every run passes, on any machine. The entry is an atomic (relaxed
// loads and stores are enough to show the race): no data race.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

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

  std::atomic<int> version{1};
  std::atomic<std::uint64_t> sink{0};
  deflake::kernels::StartGate gate;
  int first = 0, second = 0;  // written by the request thread only, read after join

  std::thread request([&] {
    gate.arrive_and_wait();
    first = version.load(std::memory_order_relaxed);
    sink.fetch_add(busy_work(1), std::memory_order_relaxed);  // compute the answer
    second = version.load(std::memory_order_relaxed);         // serve it
  });
  std::thread refresher;
  if (refresh)
    refresher = std::thread([&] {
      gate.arrive_and_wait();
      sink.fetch_add(busy_work(2), std::memory_order_relaxed);  // recompute the entry
      version.store(2, std::memory_order_relaxed);
    });
  gate.open_when_arrived(refresh ? 2 : 1);
  request.join();
  if (refresher.joinable()) refresher.join();

  if (first != second) {
    std::printf("FAIL: the request computed with version %d and served version %d\n", first,
                second);
    return 1;
  }
  std::printf("ok: version %d (refresh %s)\n", first, refresh ? "on" : "off");
  return 0;
}
