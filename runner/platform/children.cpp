#include "platform/children.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdlib>

#include "platform/fd.hpp"

namespace deflake {
namespace {

/// Reads a whole (small) /proc file; empty on error.
std::string read_proc_file(const char* path) {
  Fd fd(::open(path, O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return {};
  std::string data;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n <= 0) break;
    data.append(buffer, static_cast<std::size_t>(n));
  }
  return data;
}

void parse_pids(const std::string& text, std::vector<pid_t>& out) {
  const char* p = text.c_str();
  char* end = nullptr;
  for (;;) {
    const long pid = std::strtol(p, &end, 10);
    if (end == p) break;
    out.push_back(static_cast<pid_t>(pid));
    p = end;
  }
}

}  // namespace

bool become_subreaper() {
  return ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
}

std::vector<pid_t> list_children() {
  // deflake starts every child from its main thread, and the kernel gives
  // reparented orphans to a subreaper's thread-group leader first, so the
  // main thread's list is the whole list: one small read per scan.
  static const std::string path = "/proc/self/task/" + std::to_string(::getpid()) + "/children";
  std::vector<pid_t> children;
  parse_pids(read_proc_file(path.c_str()), children);
  return children;
}

std::optional<std::string> read_environment_variable(pid_t pid, std::string_view name) {
  const std::string path = "/proc/" + std::to_string(pid) + "/environ";
  const std::string environ_block = read_proc_file(path.c_str());
  std::size_t start = 0;
  while (start < environ_block.size()) {
    std::size_t end = environ_block.find('\0', start);
    if (end == std::string::npos) end = environ_block.size();
    const std::string_view entry(environ_block.data() + start, end - start);
    if (entry.size() > name.size() && entry.substr(0, name.size()) == name &&
        entry[name.size()] == '=')
      return std::string(entry.substr(name.size() + 1));
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace deflake
