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

  /// Also keep the output's first `cap` bytes in a file at `path`, made
  /// only once the output outgrows head + tail (most runs never do, and pay
  /// nothing): the store keeps a target's first failing log whole.
  void spill_to(std::string path, std::uint64_t cap);

  /// The spill file, when the output outgrew head + tail; "" otherwise.
  const std::string& spill_path() const { return spill_open_ ? spill_path_ : kNoSpill; }

 private:
  void spill(std::string_view data);
  static inline const std::string kNoSpill;

  std::size_t head_cap_;
  std::size_t tail_cap_;
  std::string head_;
  std::string tail_;          // a ring buffer of tail_cap_ bytes once full
  std::size_t tail_pos_ = 0;  // where the next byte goes when the ring is full
  std::uint64_t total_ = 0;
  std::string spill_path_;
  std::uint64_t spill_cap_ = 0;
  std::uint64_t spilled_ = 0;
  int spill_fd_ = -1;
  bool spill_open_ = false;
  bool spill_tried_ = false;  // the file exists (it may have stopped growing)

 public:
  ~OutputCapture();
  OutputCapture(const OutputCapture&) = delete;
  OutputCapture& operator=(const OutputCapture&) = delete;
};

}  // namespace deflake
