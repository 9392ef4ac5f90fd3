// cause: unknown (no knob, not the seed: the source is outside the catalog)
//
// Five worker threads (a constant: no environment variable or knob sets it)
// race from a start gate through an equal share of work; the first to finish
// claims the job with a compare-and-swap. The code under test assumes the
// job is always claimed by one of the first four workers (it reserves
// worker 4 for something else), so the test fails when worker 4 wins: about
// one run in five, whatever the seed and whatever knobs are pinned. The
// threads do not read DEFLAKE_SEED, DEFLAKE_PINNED, OMP_NUM_THREADS or any
// other knob's variable, use no addresses, and run the same with other
// processes around or without: the race is decided by the scheduler alone.
// All shared state is atomic: there is no data race.
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "deflake/kernels/start_gate.hpp"

namespace {

unsigned work(unsigned worker) {
  // Equal work for everybody: a few hundred microseconds of integer hashing.
  std::uint64_t h = 0x9e3779b97f4a7c15ull;
  for (unsigned i = 0; i < 200000; ++i) h = (h ^ (h >> 29) ^ i) * 0xbf58476d1ce4e5b9ull;
  return static_cast<unsigned>(h & 1u) + worker;  // consumed: the loop is not dropped
}

}  // namespace

int main() {
  constexpr unsigned kWorkers = 5;
  constexpr int kReserved = 4;
  std::atomic<int> winner{-1};
  std::atomic<unsigned> sink{0};
  deflake::kernels::StartGate gate;
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < kWorkers; ++w)
    threads.emplace_back([&, w] {
      gate.arrive_and_wait();
      sink.fetch_add(work(w), std::memory_order_relaxed);
      int none = -1;
      winner.compare_exchange_strong(none, static_cast<int>(w), std::memory_order_acq_rel);
    });
  gate.open_when_arrived(kWorkers);
  for (auto& thread : threads) thread.join();
  if (winner.load() == kReserved) {
    std::printf("FAIL: the job was claimed by worker %d, which is reserved\n", kReserved);
    return 1;
  }
  std::printf("ok: worker %d claimed the job\n", winner.load());
  return 0;
}
