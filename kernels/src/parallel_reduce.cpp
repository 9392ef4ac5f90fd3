#include "deflake/kernels/parallel_reduce.hpp"

#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "deflake/kernels/start_gate.hpp"

namespace deflake::kernels {

unsigned omp_num_threads(unsigned fallback) {
  const char* text = std::getenv("OMP_NUM_THREADS");
  if (text == nullptr) return fallback;
  // The first entry of a nested list such as "4,2"; leading blanks allowed.
  char* end = nullptr;
  const unsigned long value = std::strtoul(text, &end, 10);
  if (end == text || value == 0 || value > 1024) return fallback;
  while (*end == ' ' || *end == '\t') ++end;
  if (*end != '\0' && *end != ',') return fallback;
  return static_cast<unsigned>(value);
}

float sequential_sum(std::span<const float> data) {
  float sum = 0.0f;
  for (const float x : data) sum += x;
  return sum;
}

float parallel_reduce_sum(std::span<const float> data, unsigned threads) {
  if (threads <= 1 || data.size() < threads) return sequential_sum(data);
  const std::size_t per_thread = data.size() / threads;
  std::mutex mutex;
  float total = 0.0f;  // guarded by mutex: the partials arrive in finishing order
  StartGate gate;
  auto work = [&](unsigned t) {
    gate.arrive_and_wait();
    const std::size_t begin = t * per_thread;
    const std::size_t end = t + 1 == threads ? data.size() : begin + per_thread;
    const float partial = sequential_sum(data.subspan(begin, end - begin));
    const std::lock_guard lock(mutex);
    total += partial;
  };
  std::vector<std::thread> team;
  team.reserve(threads);
  for (unsigned t = 0; t < threads; ++t) team.emplace_back(work, t);
  gate.open_when_arrived(threads);
  for (auto& thread : team) thread.join();
  return total;
}

}  // namespace deflake::kernels
