#include "platform/spawn.hpp"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "base/error.hpp"

namespace deflake {
namespace {

/// The steps between fork and exec that can fail, as the child reports them.
enum class ChildStep : int { exec, memory_limit, personality, stdio };

// Signals whose disposition deflake changes (handled or ignored): the child
// gets each back at its default. Handled ones would be reset by exec anyway;
// listing them also keeps a vfork child from running deflake's handlers.
constexpr int kResetSignals[] = {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGCHLD};

std::vector<char*> to_c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (const auto& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

SpawnedChild spawn_with_posix_spawn(const SpawnRequest& request, Pipe pipe) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe.write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, pipe.write.get(), 2);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, reset;
  sigemptyset(&empty);
  sigemptyset(&reset);
  for (int sig : kResetSignals) sigaddset(&reset, sig);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &reset);
  posix_spawnattr_setpgroup(&attr, 0);  // own group: Ctrl-C and kill(-pgid) stay ours
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  auto argv = to_c_strings(*request.argv);
  auto envp = to_c_strings(*request.env);
  pid_t pid = -1;
  const int err = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) throw SpawnError((*request.argv)[0], err);
  return SpawnedChild{pid, std::move(pipe.read)};
}

// Runs in the forked child: async-signal-safe calls only. Reports a failure
// through `error_fd` (close-on-exec, so a successful exec closes it).
[[noreturn]] void exec_in_child(const SpawnRequest& request, int output_fd, int error_fd,
                                char** argv, char** envp) {
  // Reports which step failed and why, so the parent can say more than errno.
  auto fail = [error_fd](ChildStep step, int err) {
    const int report[2] = {static_cast<int>(step), err};
    (void)!::write(error_fd, report, sizeof report);
    ::_exit(127);
  };
  ::setpgid(0, 0);
  for (int sig : kResetSignals) ::signal(sig, SIG_DFL);
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
  if (request.memory_limit_bytes) {
    struct rlimit limit {};
    limit.rlim_cur = limit.rlim_max = *request.memory_limit_bytes;
    if (::setrlimit(RLIMIT_AS, &limit) != 0) fail(ChildStep::memory_limit, errno);
  }
  for (ChildAction action : request.actions) {
    if (action == ChildAction::no_aslr) {
      const int current = ::personality(0xffffffff);
      if (current == -1 ||
          ::personality(static_cast<unsigned long>(current) | ADDR_NO_RANDOMIZE) == -1)
        fail(ChildStep::personality, errno);
    }
  }
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0 || ::dup2(null_fd, 0) < 0)
    fail(ChildStep::stdio, errno);  // dup2 clears CLOEXEC on fd 0 only
  if (::dup2(output_fd, 1) < 0 || ::dup2(output_fd, 2) < 0) fail(ChildStep::stdio, errno);
  ::execvpe(argv[0], argv, envp);
  fail(ChildStep::exec, errno);
  ::_exit(127);  // not reached: fail() exits
}

SpawnedChild spawn_with_fork(const SpawnRequest& request, Pipe pipe) {
  Pipe errors = make_pipe();
  auto argv = to_c_strings(*request.argv);
  auto envp = to_c_strings(*request.env);
  const pid_t pid = ::fork();
  if (pid < 0) throw SpawnError((*request.argv)[0], errno);
  if (pid == 0)
    exec_in_child(request, pipe.write.get(), errors.write.get(), argv.data(), envp.data());
  ::setpgid(pid, pid);  // also from the parent, so no kill(-pid) can precede it
  errors.write.reset();
  int report[2] = {0, 0};
  ssize_t n;
  do {
    n = ::read(errors.read.get(), report, sizeof report);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof report)) {
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    const auto step = static_cast<ChildStep>(report[0]);
    const int err = report[1];
    const std::string& command = (*request.argv)[0];
    switch (step) {
      case ChildStep::personality:
        throw SpawnError(
            fmt::format("knob aslr cannot apply on this machine: personality(ADDR_NO_RANDOMIZE) "
                        "was refused ({}); a container's seccomp profile does this",
                        std::strerror(err)),
            err, SpawnError::Kind::knob_refused);
      case ChildStep::memory_limit:
        throw SpawnError(
            fmt::format("cannot set --memory-limit for '{}': {}", command, std::strerror(err)), err,
            SpawnError::Kind::limit_refused);
      default:
        throw SpawnError(command, err);
    }
  }
  return SpawnedChild{pid, std::move(pipe.read)};
}

}  // namespace

SpawnError::SpawnError(const std::string& command, int err)
    : std::runtime_error("cannot run '" + command + "': " + std::strerror(err)),
      err_(err),
      kind_(err == ENOENT || err == EACCES || err == ENOEXEC || err == ENOTDIR || err == ELOOP ||
                    err == ENAMETOOLONG || err == EISDIR
                ? Kind::bad_command
                : Kind::system) {}

SpawnError::SpawnError(const std::string& message, int err, Kind kind)
    : std::runtime_error(message), err_(err), kind_(kind) {}

SpawnedChild spawn_child(const SpawnRequest& request) {
  Pipe pipe = make_pipe();
  const bool needs_fork = request.memory_limit_bytes.has_value() || !request.actions.empty();
  SpawnedChild child = needs_fork ? spawn_with_fork(request, std::move(pipe))
                                  : spawn_with_posix_spawn(request, std::move(pipe));
  // The write end was closed above (moved into the helper and destroyed), so
  // EOF on the read end means every holder of the child's stdout closed it.
  ::fcntl(child.output.get(), F_SETFL, O_NONBLOCK);  // a fresh read end has no other flags
  return child;
}

void limit_core_dumps(bool allow_cores) {
  if (allow_cores) return;
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_CORE, &limit) != 0) return;
  limit.rlim_cur = 0;  // the hard limit stays, so a test may raise its own
  ::setrlimit(RLIMIT_CORE, &limit);
}

}  // namespace deflake
