#include "platform/temp_dir.hpp"

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "base/error.hpp"

namespace deflake {
namespace {

int remove_entry(const char* path, const struct stat*, int type, struct FTW*) {
  const int rc = (type == FTW_DP) ? ::rmdir(path) : ::unlink(path);
  return rc == 0 || errno == ENOENT ? 0 : -1;
}

int make_writable(const char* path, const struct stat* st, int type, struct FTW*) {
  // A test may leave a read-only folder behind; its entries can only be
  // removed once it is writable again.
  if (type == FTW_D || type == FTW_DNR) ::chmod(path, (st->st_mode & 07777) | S_IRWXU);
  return 0;
}

}  // namespace

bool remove_tree(const std::string& path) {
  if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return true;  // the common case: empty
  ::nftw(path.c_str(), make_writable, 8, FTW_PHYS | FTW_MOUNT);
  return ::nftw(path.c_str(), remove_entry, 8, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) == 0;
}

TempRoot::TempRoot() {
  const char* base = ::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/deflake-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr)
    throw SystemError("cannot create a temporary folder in " + pattern, errno);
  path_ = buffer.data();
}

TempRoot::~TempRoot() {
  if (!remove_tree(path_))
    std::fprintf(stderr, "deflake: warning: could not remove %s\n", path_.c_str());
}

std::string TempRoot::make_subdir(const std::string& name) {
  std::string path = path_ + "/" + name;
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
    throw SystemError("mkdir " + path, errno);
  return path;
}

}  // namespace deflake
