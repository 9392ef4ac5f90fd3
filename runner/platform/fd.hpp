// RAII for file descriptors, and the few syscall wrappers deflake needs.
#pragma once

#include <unistd.h>

#include <utility>

namespace deflake {

/// Owns one file descriptor; closes it once. Never retries close on EINTR:
/// on Linux the descriptor is already gone and a retry could close another.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

/// A pipe whose both ends are O_CLOEXEC, so that no other child inherits them.
struct Pipe {
  Fd read;
  Fd write;
};
Pipe make_pipe();  // throws SystemError

/// Makes sure descriptors 0, 1 and 2 are open (on /dev/null if they were
/// closed), so that a pipe deflake creates never lands on them.
void ensure_standard_fds();

/// Writes all of `size` bytes, retrying on EINTR and short writes. false on error.
bool write_all(int fd, const void* data, std::size_t size);

}  // namespace deflake
