#include "platform/temp_dir.hpp"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cstdio>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "platform/fd.hpp"

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

/// True when `path` is a real folder (not a symlink), mode 0700, ours, and
/// empty: indistinguishable from a freshly made one.
bool is_empty_private_dir(const std::string& path) {
  Fd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir.valid()) return false;
  struct stat st {};
  if (::fstat(dir.get(), &st) != 0 || (st.st_mode & 07777) != 0700 || st.st_uid != ::geteuid())
    return false;
  alignas(8) char buffer[1024];
  const long n = ::syscall(SYS_getdents64, dir.get(), buffer, sizeof buffer);
  if (n <= 0) return false;
  for (long at = 0; at < n;) {
    const auto* entry = reinterpret_cast<const dirent64*>(buffer + at);
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") return false;
    at += entry->d_reclen;
  }
  return true;  // "." and ".." alone fit in one read: nothing else is there
}

}  // namespace

bool remove_tree(const std::string& path) {
  if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return true;  // the common case: empty
  ::nftw(path.c_str(), make_writable, 8, FTW_PHYS | FTW_MOUNT);
  return ::nftw(path.c_str(), remove_entry, 8, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) == 0;
}

std::string memory_backed_temp_base() {
  struct statfs fs {};
  if (::statfs("/dev/shm", &fs) != 0 || fs.f_type != TMPFS_MAGIC) return {};
  return ::access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : std::string();
}

TempRoot::TempRoot() : TempRoot(std::string()) {}

TempRoot::TempRoot(const std::string& base) {
  const char* tmpdir = ::getenv("TMPDIR");
  const std::string folder = !base.empty()                          ? base
                             : tmpdir != nullptr && *tmpdir != '\0' ? tmpdir
                                                                    : "/tmp";
  std::string pattern = folder + "/deflake-XXXXXX";
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
  while (!spare_.empty()) {
    const std::string spare = std::move(spare_.back());
    spare_.pop_back();
    if (::rename(spare.c_str(), path.c_str()) == 0) return path;
    remove_tree(spare);
  }
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
    throw SystemError("mkdir " + path, errno);
  return path;
}

void TempRoot::give_back(const std::string& path) {
  constexpr std::size_t kMaxSpares = 64;
  if (spare_.size() < kMaxSpares && is_empty_private_dir(path)) {
    spare_.push_back(path);
    return;
  }
  remove_tree(path);
}

}  // namespace deflake
