#include "platform/read_file.hpp"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "platform/fd.hpp"

namespace deflake {

FileContents read_whole_file(const std::string& path) {
  FileContents contents;
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    contents.error = errno;
    return contents;
  }
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n > 0) {
      contents.text.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0) {
      return contents;
    } else if (errno != EINTR) {
      contents.error = errno;
      return contents;
    }
  }
}

}  // namespace deflake
