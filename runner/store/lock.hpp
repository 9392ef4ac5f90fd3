// The store's lock file: writers hold it shared while they write, gc holds it
// exclusive, so gc never removes a record (or the temp file) being written.
// flock locks belong to the open file and die with the process, so a holder
// killed with SIGKILL releases it at once (RELIABILITY.md case 17).
#pragma once

#include <string>

#include "platform/fd.hpp"

namespace deflake {

class StoreLock {
 public:
  enum class Mode { shared, exclusive };

  /// Opens (creating it if needed) and locks `path`, waiting up to
  /// `timeout_s` seconds. Throws SystemError with the path when the file
  /// cannot be opened or locked, and ETIMEDOUT when the wait runs out.
  static StoreLock acquire(const std::string& path, Mode mode, double timeout_s);

  StoreLock(StoreLock&&) = default;
  StoreLock& operator=(StoreLock&&) = default;

  /// Unlocks by closing the descriptor (the lock goes with it).
  void release() { fd_.reset(); }
  bool held() const { return fd_.valid(); }

 private:
  explicit StoreLock(Fd fd) : fd_(std::move(fd)) {}
  Fd fd_;
};

}  // namespace deflake
