#include "platform/output_capture.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "platform/fd.hpp"

namespace deflake {

OutputCapture::OutputCapture(std::size_t head_bytes, std::size_t tail_bytes)
    : head_cap_(head_bytes), tail_cap_(tail_bytes) {}

OutputCapture::~OutputCapture() {
  if (spill_fd_ >= 0) ::close(spill_fd_);
}

void OutputCapture::spill_to(std::string path, std::uint64_t cap) {
  spill_path_ = std::move(path);
  spill_cap_ = cap;
}

void OutputCapture::spill(std::string_view data) {
  if (spill_fd_ < 0 || spilled_ >= spill_cap_) return;
  const std::size_t take =
      static_cast<std::size_t>(std::min<std::uint64_t>(data.size(), spill_cap_ - spilled_));
  if (!write_all(spill_fd_, data.data(), take)) {  // a full disk: keep what we have
    ::close(spill_fd_);
    spill_fd_ = -1;
    return;
  }
  spilled_ += take;
}

void OutputCapture::append(std::string_view data) {
  total_ += data.size();
  if (head_.size() < head_cap_) {
    const std::size_t take = std::min(head_cap_ - head_.size(), data.size());
    head_.append(data.substr(0, take));
    data.remove_prefix(take);
  }
  if (data.empty() || tail_cap_ == 0) return;
  if (!spill_path_.empty()) {
    if (!spill_tried_ && tail_.size() + data.size() > tail_cap_) {
      spill_tried_ = true;  // once: a later open would truncate a log whose start is gone
      // The tail is about to drop bytes: the file gets everything so far
      // (nothing is lost yet), then every byte that follows, up to the cap.
      spill_fd_ = ::open(spill_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      spill_open_ = spill_fd_ >= 0;
      spill(head_);
      spill(tail_);
    }
    spill(data);
  }
  if (data.size() >= tail_cap_) {  // only the last tail_cap_ bytes can survive
    tail_.assign(data.substr(data.size() - tail_cap_));
    tail_pos_ = 0;
    return;
  }
  if (tail_.size() < tail_cap_) {
    const std::size_t take = std::min(tail_cap_ - tail_.size(), data.size());
    tail_.append(data.substr(0, take));
    data.remove_prefix(take);
    if (data.empty()) return;
  }
  while (!data.empty()) {  // the ring is full: overwrite the oldest bytes
    const std::size_t take = std::min(tail_cap_ - tail_pos_, data.size());
    tail_.replace(tail_pos_, take, data.substr(0, take));
    tail_pos_ = (tail_pos_ + take) % tail_cap_;
    data.remove_prefix(take);
  }
}

std::string OutputCapture::render() const {
  std::string out = head_;
  const std::uint64_t kept = head_.size() + tail_.size();
  if (total_ > kept) {
    if (!out.empty() && out.back() != '\n') out += '\n';
    out += "[" + std::to_string(total_ - kept) + " bytes omitted]\n";
  }
  out.append(tail_, tail_pos_, std::string::npos);
  out.append(tail_, 0, tail_pos_);
  return out;
}

}  // namespace deflake
