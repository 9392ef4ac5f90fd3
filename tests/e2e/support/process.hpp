// Starting the deflake binary from a test and watching it from outside, the
// way a user's shell and terminal would: its exit status, its output, its wall
// time, its peak memory, signals sent to it mid-run (Ctrl-C, Ctrl-Z), and the
// processes it leaves behind, read from /proc.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace e2e {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start);

struct LaunchOptions {
  std::vector<std::string> argv;                         // argv[0] is the program's path
  std::vector<std::pair<std::string, std::string>> env;  // set on top of the test's environment
  std::string stdout_path, stderr_path;                  // files that receive its output
  std::string cwd;                                       // empty: the test's own
  bool raise_core_limit =
      false;                  // start it with soft RLIMIT_CORE = hard (the test's own is often 0)
  double kill_after_s = 120;  // safety net: a hung child is killed and reported as hung
};

/// What happened to a finished child.
struct Exit {
  int exit_code = -1;   // -1 when a signal ended it
  int signal = 0;       // the signal that ended it, or 0
  double wall_s = 0;    // from fork to the moment its exit was seen
  long max_rss_kb = 0;  // its peak resident set size (wait4's ru_maxrss)
  bool hung = false;    // killed by the safety net
};

/// A running child in its own process group (so that a test's signals reach
/// it alone), stdin on /dev/null, every other inherited descriptor closed, a
/// clean signal mask. Killed (with its group) if destroyed while running.
class Child {
 public:
  explicit Child(const LaunchOptions& options);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  void send(int sig) const;
  /// Waits for the exit; past kill_after_s since the start, kills it first.
  Exit wait();
  bool finished() const { return reaped_; }

 private:
  pid_t pid_ = -1;
  Clock::time_point started_;
  double kill_after_s_;
  bool reaped_ = false;
};

/// Polls `condition` every 5 ms until it holds (true) or `timeout_s` passes.
bool eventually(const std::function<bool()>& condition, double timeout_s);

std::string read_file(const std::string& path);

/// The one-letter state of a process from /proc/PID/stat ('R', 'S', 'T',
/// 'Z', ...), or '\0' when there is no such process.
char process_state(pid_t pid);
/// The command name (/proc/PID/comm, without the newline), or "".
std::string process_name(pid_t pid);
/// The children of a process (/proc/PID/task/*/children).
std::vector<pid_t> children_of(pid_t pid);
/// Live processes (not zombies) whose environment holds `entry` ("NAME=value").
std::vector<pid_t> processes_with_env(const std::string& entry);

}  // namespace e2e
