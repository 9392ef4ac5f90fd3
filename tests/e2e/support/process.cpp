#include "support/process.hpp"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace e2e {
namespace {

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

/// The test's environment with `extra` set on top (replacing same names).
std::vector<std::string> child_environment(
    const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& [key, value] : extra) replaced = replaced || key == name;
    if (!replaced) env.push_back(entry);
  }
  for (const auto& [key, value] : extra) env.push_back(key + "=" + value);
  return env;
}

// In the forked child: async-signal-safe calls only, then exec.
[[noreturn]] void exec_child(const LaunchOptions& o, char** argv, char** envp) {
  ::setpgid(0, 0);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig)
    ::sigaction(sig, &dfl, nullptr);  // undo what the runner ignores
  const int in = ::open("/dev/null", O_RDONLY);
  const int out = ::open(o.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err = ::open(o.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || out < 0 || err < 0) ::_exit(126);
  ::dup2(in, 0);
  ::dup2(out, 1);
  ::dup2(err, 2);
  // Whatever the test runner left open must not reach deflake (or its runs).
  ::close_range(3, ~0U, 0);
  if (!o.cwd.empty() && ::chdir(o.cwd.c_str()) != 0) ::_exit(126);
  if (o.raise_core_limit) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_CORE, &limit) == 0) {
      limit.rlim_cur = limit.rlim_max;
      ::setrlimit(RLIMIT_CORE, &limit);
    }
  }
  ::execve(argv[0], argv, envp);
  ::_exit(127);
}

std::string read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream data;
  data << in.rdbuf();
  return data.str();
}

}  // namespace

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

Child::Child(const LaunchOptions& options) : kill_after_s_(options.kill_after_s) {
  std::vector<std::string> args = options.argv;
  std::vector<std::string> env = child_environment(options.env);
  std::vector<char*> argv = c_strings(args);
  std::vector<char*> envp = c_strings(env);
  started_ = Clock::now();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) exec_child(options, argv.data(), envp.data());
  ::setpgid(pid_, pid_);  // also here, so that a signal sent right away reaches the group
}

Child::~Child() {
  if (reaped_) return;
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  int status;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

void Child::send(int sig) const {
  if (!reaped_) ::kill(pid_, sig);
}

Exit Child::wait() {
  Exit exit;
  int status = 0;
  rusage usage{};
  for (;;) {
    const pid_t r = ::wait4(pid_, &status, WNOHANG, &usage);
    if (r == pid_) break;
    if (r < 0 && errno != EINTR)
      throw std::runtime_error(std::string("wait4: ") + std::strerror(errno));
    if (!exit.hung && seconds_since(started_) > kill_after_s_) {
      exit.hung = true;
      ::kill(-pid_, SIGCONT);
      ::kill(-pid_, SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  reaped_ = true;
  exit.wall_s = seconds_since(started_);
  exit.max_rss_kb = usage.ru_maxrss;
  if (WIFEXITED(status)) exit.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) exit.signal = WTERMSIG(status);
  return exit;
}

bool eventually(const std::function<bool()>& condition, double timeout_s) {
  const auto start = Clock::now();
  for (;;) {
    if (condition()) return true;
    if (seconds_since(start) > timeout_s) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string read_file(const std::string& path) {
  return read_small_file(path);
}

char process_state(pid_t pid) {
  const std::string stat = read_small_file("/proc/" + std::to_string(pid) + "/stat");
  // "pid (comm) S ...": comm may hold spaces and parentheses, so take the last ')'.
  const std::size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return '\0';
  return stat[paren + 2];
}

std::string process_name(pid_t pid) {
  std::string comm = read_small_file("/proc/" + std::to_string(pid) + "/comm");
  if (!comm.empty() && comm.back() == '\n') comm.pop_back();
  return comm;
}

std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> children;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = ::opendir(tasks.c_str());
  if (dir == nullptr) return children;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    std::istringstream list(read_small_file(tasks + "/" + entry->d_name + "/children"));
    for (pid_t child; list >> child;) children.push_back(child);
  }
  ::closedir(dir);
  return children;
}

std::vector<pid_t> processes_with_env(const std::string& entry) {
  std::vector<pid_t> found;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return found;
  while (const dirent* e = ::readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0') continue;
    // A zombie's environment reads as empty, so the dead are never counted.
    const std::string environ_block =
        read_small_file(std::string("/proc/") + e->d_name + "/environ");
    std::size_t start = 0;
    while (start < environ_block.size()) {
      std::size_t stop = environ_block.find('\0', start);
      if (stop == std::string::npos) stop = environ_block.size();
      if (environ_block.compare(start, stop - start, entry) == 0) {
        found.push_back(static_cast<pid_t>(pid));
        break;
      }
      start = stop + 1;
    }
  }
  ::closedir(proc);
  return found;
}

}  // namespace e2e
