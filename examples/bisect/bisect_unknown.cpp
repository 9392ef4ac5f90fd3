// cause: unknown (no knob, not the seed: the source is outside the catalog)
//
// A job queue with four worker threads (a constant: no environment variable
// or knob sets it) that race from a start gate through an equal share of
// work and then take a ticket, in the order they finish. The code under test
// assumes that worker 0, which holds the queue's lease, always finishes among
// the first two (it renews the lease with ticket 0 or 1); the test fails when
// worker 0 takes ticket 2 or 3. Which worker finishes when is the scheduler's
// decision: with four threads on a few cores, worker 0 comes third or fourth
// in about a third of the runs (the same race as bisect_atomics, measured the
// same). The threads read no environment at all (not DEFLAKE_SEED, not
// DEFLAKE_PINNED, not OMP_NUM_THREADS), use no addresses and no hash seeds,
// and race just as well with other processes around or without: whatever is
// pinned, the outcome still varies. All shared state is atomic: no data race.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <thread>
#include <vector>

#include "deflake/kernels/start_gate.hpp"

namespace {

std::uint64_t work(unsigned worker) {
  // Equal work for everybody: a few hundred microseconds of integer hashing.
  std::uint64_t h = 0x9e3779b97f4a7c15ull ^ worker;
  for (unsigned i = 0; i < 150000; ++i) h = (h ^ (h >> 29) ^ i) * 0xbf58476d1ce4e5b9ull;
  return h;
}

}  // namespace

int main() {
  constexpr unsigned kWorkers = 4;
  std::atomic<unsigned> next_ticket{0};
  std::atomic<unsigned> lease_ticket{0};
  std::atomic<std::uint64_t> sink{0};
  deflake::kernels::StartGate gate;
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < kWorkers; ++w)
    threads.emplace_back([&, w] {
      gate.arrive_and_wait();
      sink.fetch_add(work(w), std::memory_order_relaxed);
      const unsigned ticket = next_ticket.fetch_add(1, std::memory_order_acq_rel);
      if (w == 0) lease_ticket.store(ticket, std::memory_order_relaxed);
    });
  gate.open_when_arrived(kWorkers);
  for (auto& thread : threads) thread.join();
  const unsigned ticket = lease_ticket.load();
  if (ticket >= 2) {
    std::printf("FAIL: worker 0 finished with ticket %u; its lease expired\n", ticket);
    return 1;
  }
  std::printf("ok: worker 0 finished with ticket %u\n", ticket);
  return 0;
}
