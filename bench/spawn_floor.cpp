// The floor for deflake's per-run overhead: the least a runner must do to run
// a command N times, J at a time, and collect its output.
//
//   spawn_floor -n N -j J -- CMD [ARGS...]
//
// Each run: one pipe (O_CLOEXEC both ends) that becomes the child's stdout and
// stderr, stdin on /dev/null, posix_spawnp (glibc: a vfork-style clone), the
// parent's write end closed, its read end made non-blocking. One poll loop
// watches every open pipe and reads what is ready (64 KiB at a time, again
// while full buffers come back, at most 16 reads per wakeup) until EOF; at
// EOF the child is reaped with waitpid. Nothing else: no temp folder, no environment changes (the
// child inherits this process's environ), no process group, no signal
// handling, no output kept (the bytes are counted and dropped).
//
// Reaping at EOF with a blocking waitpid assumes the child exits when it
// closes its output, which holds for the commands the benchmark runs; a real
// runner must also handle a child that closes stdout and lives on.
//
// Prints one line on stdout:
//   elapsed_s=S runs=N jobs=J per_run_us=U bytes=B failed=F
// elapsed_s is the wall time of the loop (process start and exit excluded).
// The exit code is 0 when every run exited 0, 1 otherwise, 2 on a usage or
// system error.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

extern char** environ;

namespace {

[[noreturn]] void die(const char* what, int err) {
  std::fprintf(stderr, "spawn_floor: %s: %s\n", what, std::strerror(err));
  std::exit(2);
}

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: spawn_floor -n RUNS -j JOBS -- CMD [ARGS...]\n");
  std::exit(2);
}

long parse_positive(const char* text) {
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value <= 0) usage();
  return value;
}

double now_s() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

constexpr int kReadsPerWakeup = 16;

struct Running {
  pid_t pid;
  int fd;  // read end of the child's stdout+stderr
};

}  // namespace

int main(int argc, char** argv) {
  long runs = -1;
  long jobs = 1;
  int i = 1;
  for (; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) {
      ++i;
      break;
    }
    // -n N, -nN, -j J, -jJ
    const bool is_n = std::strncmp(argv[i], "-n", 2) == 0;
    const bool is_j = std::strncmp(argv[i], "-j", 2) == 0;
    if (!is_n && !is_j) usage();
    const char* value = argv[i][2] != '\0' ? argv[i] + 2 : (i + 1 < argc ? argv[++i] : nullptr);
    if (value == nullptr) usage();
    (is_n ? runs : jobs) = parse_positive(value);
  }
  if (runs < 0 || i >= argc) usage();
  char** const command = argv + i;

  std::vector<Running> running;
  std::vector<pollfd> fds;
  running.reserve(static_cast<std::size_t>(jobs));
  fds.reserve(static_cast<std::size_t>(jobs));
  std::vector<char> buffer(64 * 1024);
  long started = 0;
  long failed = 0;
  unsigned long long bytes = 0;

  const double t0 = now_s();
  while (started < runs || !running.empty()) {
    while (started < runs && static_cast<long>(running.size()) < jobs) {
      int p[2];
      if (pipe2(p, O_CLOEXEC) != 0) die("pipe2", errno);
      posix_spawn_file_actions_t actions;
      posix_spawn_file_actions_init(&actions);
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
      posix_spawn_file_actions_adddup2(&actions, p[1], 1);
      posix_spawn_file_actions_adddup2(&actions, p[1], 2);
      pid_t pid = -1;
      const int err = posix_spawnp(&pid, command[0], &actions, nullptr, command, environ);
      posix_spawn_file_actions_destroy(&actions);
      close(p[1]);
      if (err != 0) die(command[0], err);
      // Only the read end is non-blocking (the child's stdout stays blocking).
      // Its flags are known (O_RDONLY), so no F_GETFL is needed.
      if (fcntl(p[0], F_SETFL, O_NONBLOCK) != 0) die("fcntl", errno);
      running.push_back(Running{pid, p[0]});
      ++started;
    }
    fds.clear();
    for (const Running& r : running) fds.push_back(pollfd{r.fd, POLLIN, 0});
    const int ready = poll(fds.data(), fds.size(), -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      die("poll", errno);
    }
    // Walk backwards so that erasing a finished run keeps fds[k] ↔ running[k].
    for (std::size_t k = fds.size(); k-- > 0;) {
      if (fds[k].revents == 0) continue;
      bool eof = false;
      // Read while full buffers come back (a flood), at most kReadsPerWakeup
      // times so that one chatty run cannot starve the others. A short read
      // means the pipe is empty for now, so no read is spent on EAGAIN;
      // unless the writer is gone (POLLHUP), when the next read is the EOF.
      const bool hangup = (fds[k].revents & POLLHUP) != 0;
      for (int reads = 0; reads < kReadsPerWakeup; ++reads) {
        const ssize_t n = read(fds[k].fd, buffer.data(), buffer.size());
        if (n > 0) {
          bytes += static_cast<unsigned long long>(n);
          if (!hangup && static_cast<std::size_t>(n) < buffer.size()) break;
          continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) break;
        eof = true;  // EOF (or an error): the child is done with its output
        break;
      }
      if (!eof) continue;
      close(running[k].fd);
      int status = 0;
      while (waitpid(running[k].pid, &status, 0) < 0) {
        if (errno != EINTR) die("waitpid", errno);
      }
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(k));
    }
  }
  const double elapsed = now_s() - t0;

  std::printf("elapsed_s=%.6f runs=%ld jobs=%ld per_run_us=%.2f bytes=%llu failed=%ld\n", elapsed,
              runs, jobs, elapsed / static_cast<double>(runs) * 1e6, bytes, failed);
  return failed == 0 ? 0 : 1;
}
