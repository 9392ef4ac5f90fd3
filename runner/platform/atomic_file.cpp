#include "platform/atomic_file.hpp"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "base/error.hpp"
#include "base/text.hpp"
#include "platform/fd.hpp"

namespace deflake {

void write_file_atomically(const std::string& path, std::string_view contents) {
  const std::string dir = parent_directory(path);
  const std::string base = path.substr(path.rfind('/') + 1);  // npos + 1 == 0: the whole path
  std::string pattern = dir + "/." + base + ".tmp-XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  Fd fd(::mkostemp(name.data(), O_CLOEXEC));
  if (!fd.valid()) throw SystemError("cannot create a temporary file next to " + path, errno);
  const std::string temp(name.data());
  auto fail = [&temp](const std::string& what) {
    const int err = errno;
    ::unlink(temp.c_str());
    throw SystemError(what, err);
  };
  if (::fchmod(fd.get(), 0644) != 0) fail("fchmod " + temp);
  if (!write_all(fd.get(), contents.data(), contents.size())) fail("cannot write " + temp);
  if (::fsync(fd.get()) != 0) fail("fsync " + temp);
  fd.reset();
  if (::rename(temp.c_str(), path.c_str()) != 0) fail("cannot rename " + temp + " to " + path);
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.valid()) ::fsync(dir_fd.get());  // the rename itself must reach the disk
}

}  // namespace deflake
