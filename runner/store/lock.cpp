#include "store/lock.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>

#include <algorithm>
#include <thread>

#include "base/clock.hpp"
#include "base/error.hpp"

namespace deflake {

StoreLock StoreLock::acquire(const std::string& path, Mode mode, double timeout_s) {
  // O_CLOEXEC: a test deflake starts must not inherit (and so keep) the lock.
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) throw SystemError("cannot open the store lock " + path, errno);
  const int operation = (mode == Mode::shared ? LOCK_SH : LOCK_EX) | LOCK_NB;
  const TimePoint deadline = Clock::now() + seconds(timeout_s);
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    if (::flock(fd.get(), operation) == 0) return StoreLock(std::move(fd));
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) throw SystemError("cannot lock " + path, errno);
    if (Clock::now() >= deadline)
      throw SystemError("timed out waiting for the store lock " + path, ETIMEDOUT);
    // Polling rather than a blocking flock: the wait stays bounded and needs
    // no signal to interrupt it.
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(10));
  }
}

}  // namespace deflake
