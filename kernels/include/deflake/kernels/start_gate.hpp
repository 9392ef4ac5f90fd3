// A start line for racing threads: every worker waits at the gate, spinning
// with std::this_thread::yield(), until the owner opens it once all of them
// have arrived. Started this way, the threads leave the gate together, and
// which of them gets a core first (and so finishes its equal share of work
// first) is decided by the scheduler at that instant, not by the order in
// which they were created. That is the real nondeterminism the CPU twins and
// the bisect examples rely on; the gate itself is free of data races (it is
// two atomics).
#pragma once

#include <atomic>
#include <chrono>
#include <thread>

namespace deflake::kernels {

class StartGate {
 public:
  /// Called by each worker: announces it and waits until the gate opens.
  void arrive_and_wait() {
    arrived_.fetch_add(1, std::memory_order_acq_rel);
    while (!open_.load(std::memory_order_acquire)) std::this_thread::yield();
  }

  /// Called by the owner: waits until `workers` have arrived, lets them spin
  /// for `settle` (see the top of this file), then opens.
  void open_when_arrived(unsigned workers,
                         std::chrono::microseconds settle = std::chrono::microseconds(500)) {
    while (arrived_.load(std::memory_order_acquire) < workers) std::this_thread::yield();
    if (settle.count() > 0) std::this_thread::sleep_for(settle);
    open_.store(true, std::memory_order_release);
  }

 private:
  std::atomic<unsigned> arrived_{0};
  std::atomic<bool> open_{false};
};

}  // namespace deflake::kernels
