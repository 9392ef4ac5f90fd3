#include "platform/read_file.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
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
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && st.st_size > 0)  // one allocation for a file of known size
    contents.text.reserve(static_cast<std::size_t>(st.st_size));
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
