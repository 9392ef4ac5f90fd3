// Bounded capture of a run's output: the first `head` bytes and the last
// `tail` bytes are kept, everything between is counted and dropped. Memory
// per run is head + tail whatever the test prints, and each byte is copied
// at most once, so time is linear in the output's size.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace deflake {

class OutputCapture {
 public:
  OutputCapture(std::size_t head_bytes, std::size_t tail_bytes);

  void append(std::string_view data);

  /// Head, then "[N bytes omitted]" when something was dropped, then tail.
  std::string render() const;

  std::uint64_t total_bytes() const { return total_; }

 private:
  std::size_t head_cap_;
  std::size_t tail_cap_;
  std::string head_;
  std::string tail_;          // a ring buffer of tail_cap_ bytes once full
  std::size_t tail_pos_ = 0;  // where the next byte goes when the ring is full
  std::uint64_t total_ = 0;
};

}  // namespace deflake
