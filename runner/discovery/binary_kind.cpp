#include "discovery/binary_kind.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <deflake/results_protocol.hpp>
#include <string_view>
#include <vector>

namespace deflake {
namespace {

// The markers, each with the flag it sets.
enum Marker { kGtestSymbol, kGtestFlag, kAdapter, kLibFuzzer, kMarkerCount };

// "_ZN7testing" prefixes every mangled name in GoogleTest's namespace: in the
// symbol table of a static link, and in the dynamic symbol names a binary
// imports from libgtest.so. A stripped static link has no symbol names but
// still holds the text of GoogleTest's --help, which names the flag.
constexpr std::array<std::string_view, kMarkerCount> kMarkers = {
    "_ZN7testing",
    "gtest_list_tests",
    results::kAdapterMarker,
    "LLVMFuzzerTestOneInput",
};

constexpr std::size_t longest_marker() {
  std::size_t longest = 0;
  for (auto m : kMarkers) longest = std::max(longest, m.size());
  return longest;
}

// Closes the descriptor on every path out. Not retried on EINTR, on purpose.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

BinaryKind read_error(const std::string& path, int err) {
  BinaryKind kind;
  kind.error = "cannot read " + path + ": " + std::strerror(err);
  return kind;
}

}  // namespace

BinaryKind inspect_binary(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return read_error(path, errno);
  FdCloser closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return read_error(path, errno);
  if (S_ISDIR(st.st_mode)) return read_error(path, EISDIR);
  // A FIFO or a device could block or never end; a program is a regular file.
  if (!S_ISREG(st.st_mode)) {
    BinaryKind kind;
    kind.error = path + " is not a regular file";
    return kind;
  }

  // Each read lands after the last (longest_marker() - 1) bytes of the one
  // before, so a marker split across two reads is still found whole.
  constexpr std::size_t kKeep = longest_marker() - 1;
  std::vector<char> buffer(kKeep + kInspectChunkBytes);
  std::size_t kept = 0;
  bool found[kMarkerCount] = {};
  std::uint64_t window_start = 0;  // file offset of buffer[0]
  BinaryKind kind;
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data() + kept, kInspectChunkBytes);
    if (n < 0) {
      if (errno == EINTR) continue;
      return read_error(path, errno);
    }
    if (n == 0) break;
    const std::size_t size = kept + static_cast<std::size_t>(n);
    const std::string_view window(buffer.data(), size);
    if (window_start == 0 && window.substr(0, 2) == "#!") {
      // A script: whatever strings it holds, it is run by an interpreter.
      kind.is_script = true;
      return kind;
    }
    for (int m = 0; m < kMarkerCount; ++m)
      if (!found[m] && window.find(kMarkers[m]) != std::string_view::npos) found[m] = true;
    if (std::all_of(std::begin(found), std::end(found), [](bool f) { return f; })) break;
    kept = std::min(kKeep, size);
    window_start += size - kept;
    std::memmove(buffer.data(), buffer.data() + size - kept, kept);
  }
  kind.is_gtest = found[kGtestSymbol] || found[kGtestFlag];
  kind.has_adapter = found[kAdapter];
  kind.is_libfuzzer = found[kLibFuzzer];
  return kind;
}

std::optional<std::string> resolve_command(const std::string& name, const char* path_env) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) return name;
  // execvp's default search path when PATH is unset.
  std::string_view dirs = path_env ? path_env : "/bin:/usr/bin";
  for (;;) {
    const auto colon = dirs.find(':');
    const auto dir = dirs.substr(0, colon);
    const std::string candidate = dir.empty() ? name : std::string(dir) + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0)
      return dir.empty() ? "./" + name : candidate;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return std::nullopt;
}

}  // namespace deflake
