#include "platform/process_pool.hpp"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "platform/children.hpp"
#include "platform/output_capture.hpp"
#include "platform/signals.hpp"
#include "platform/spawn.hpp"
#include "platform/wait_status.hpp"

namespace deflake {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
// Reads per run per wakeup: enough to keep up with a flood, few enough that
// one chatty run cannot starve the others' timeouts.
constexpr int kReadsPerWakeup = 16;
// After leftovers were sent SIGKILL, how long to wait for the pipe to close
// before giving up on them (a process in uninterruptible sleep).
constexpr double kGiveUpAfterKillS = 1.0;
// How often leftovers are stopped and killed again while some remain.
constexpr double kKillRoundS = 0.01;

}  // namespace

struct ProcessPool::Run {
  RunSpec spec;
  pid_t pid = -1;  // also the process group id; valid until finalize reaps it
  Fd output;
  OutputCapture capture;
  std::string tmpdir;
  TimePoint started;
  std::optional<TimePoint> deadline;  // the timeout
  StopStep stop = StopStep::none;
  bool timed_out = false;
  bool interrupted = false;
  TimePoint kill_at;  // when SIGTERM was sent: SIGKILL follows at this time
  std::optional<ExitStatus> exit;
  TimePoint exited_at;
  std::optional<TimePoint> linger_until;  // end of the leak window
  bool leaky = false;
  bool leftovers_killed = false;
  TimePoint give_up_at;
  TimePoint next_kill_round;

  Run(const RunSpec& s, const PoolOptions& o)
      : spec(s), capture(o.output_head_bytes, o.output_tail_bytes) {}
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;
};

ProcessPool::ProcessPool(PoolOptions options, std::vector<std::string> base_env)
    : options_(std::move(options)), base_env_(std::move(base_env)), buffer_(kReadChunk) {
  subreaper_ = become_subreaper();
}

std::size_t ProcessPool::kill_stray_orphans() {
  collect_orphans();
  const std::size_t alive = orphans_.size();
  kill_orphans();
  return alive;
}

ProcessPool::~ProcessPool() {
  // Nothing may outlive deflake: kill what is left, then reap it.
  for (auto& run : runs_) kill_now(*run);
  kill_orphans();
  for (auto& run : runs_) {
    int status;
    while (::waitpid(run->pid, &status, 0) < 0 && errno == EINTR) {
    }
    remove_tree(run->tmpdir);
  }
}

std::vector<std::string> ProcessPool::build_env(const RunSpec& spec,
                                                const std::string& tmpdir) const {
  auto overridden = [&spec](std::string_view entry) {
    const std::string_view name = entry.substr(0, entry.find('='));
    if (name == "TMPDIR") return true;
    for (const auto& u : spec.env.unset)
      if (u == name) return true;
    for (const auto& [key, value] : spec.env.set)
      if (key == name) return true;
    return false;
  };
  std::vector<std::string> env;
  env.reserve(base_env_.size() + spec.env.set.size() + 1);
  for (const auto& entry : base_env_)
    if (!overridden(entry)) env.push_back(entry);
  for (const auto& [key, value] : spec.env.set) env.push_back(key + "=" + value);
  env.push_back("TMPDIR=" + tmpdir);
  return env;
}

void ProcessPool::start(const RunSpec& spec) {
  auto run = std::make_unique<Run>(spec, options_);
  run->tmpdir = temp_root_.make_subdir("run-" + std::to_string(spec.job));
  if (options_.spill_cap_bytes > 0)  // beside the run folders, never inside one the test can touch
    run->capture.spill_to(temp_root_.path() + "/output-" + std::to_string(spec.job),
                          options_.spill_cap_bytes);
  const std::vector<std::string> env = build_env(spec, run->tmpdir);
  SpawnRequest request;
  request.argv = &spec.argv;
  request.env = &env;
  request.actions = spec.actions;
  request.memory_limit_bytes = options_.memory_limit_bytes;
  SpawnedChild child;
  run->started = Clock::now();  // before the spawn: its cost is the run's
  try {
    child = spawn_child(request);
  } catch (...) {
    temp_root_.give_back(run->tmpdir);
    throw;
  }
  run->pid = child.pid;
  run->output = std::move(child.output);
  if (spec.timeout_s > 0) run->deadline = run->started + seconds(spec.timeout_s);
  // No scan here: a child that already exited has its SIGCHLD pending (it
  // is blocked outside ppoll), which wakes the next wait at once.
  runs_.push_back(std::move(run));
}

bool ProcessPool::check_exits() {
  bool newly = false;
  for (auto& run : runs_) {
    if (run->exit) continue;
    siginfo_t info{};
    // WNOWAIT: learn the status but leave the zombie, which keeps the pid and
    // the process group id from being reused while leftovers are handled.
    if (::waitid(P_PID, static_cast<id_t>(run->pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
      continue;
    if (info.si_pid != run->pid) continue;  // still running
    if (auto status = decode_child_info(info)) {
      run->exit = status;
      run->exited_at = Clock::now();
      newly = true;
    }
  }
  return newly;
}

void ProcessPool::collect_orphans() {
  for (pid_t pid : list_children()) {
    if (orphans_.count(pid)) continue;
    const bool is_main =
        std::any_of(runs_.begin(), runs_.end(), [pid](const auto& r) { return r->pid == pid; });
    if (is_main) continue;
    int status;
    if (::waitpid(pid, &status, WNOHANG) == pid) continue;  // already ended: reaped, nothing to tie
    // Attribute it: by process group first (a plain background child), then
    // by the run's private TMPDIR (one that escaped with setsid).
    std::optional<std::uint64_t> owner;
    const pid_t group = ::getpgid(pid);
    const auto tmpdir = read_environment_variable(pid, "TMPDIR");
    for (const auto& run : runs_) {
      if (run->pid == group || (tmpdir && *tmpdir == run->tmpdir)) {
        owner = run->spec.job;
        break;
      }
    }
    orphans_.emplace(pid, owner);
  }
  // Reap the orphans that ended. Each is our child and unreaped until here,
  // so its pid cannot have been recycled.
  for (auto it = orphans_.begin(); it != orphans_.end();) {
    int status;
    const pid_t r = ::waitpid(it->first, &status, WNOHANG);
    if (r == it->first || (r < 0 && errno == ECHILD))
      it = orphans_.erase(it);
    else
      ++it;
  }
}

bool ProcessPool::has_leftovers(const Run& run) const {
  if (run.output.valid()) return true;  // something still holds the pipe
  return std::any_of(orphans_.begin(), orphans_.end(),
                     [&run](const auto& o) { return o.second == run.spec.job; });
}

void ProcessPool::signal_run(Run& run, int sig) {
  // The main process is not reaped yet (zombie at worst), so its pid still
  // names this group and nobody else.
  ::kill(-run.pid, sig);
  for (const auto& [pid, owner] : orphans_)
    if (owner == run.spec.job) ::kill(pid, sig);
}

void ProcessPool::terminate(Run& run, TimePoint now) {
  if (run.stop != StopStep::none) return;
  signal_run(run, SIGTERM);
  signal_run(run, SIGCONT);  // a stopped process must run to act on SIGTERM
  run.stop = StopStep::terminated;
  run.kill_at = now + seconds(options_.grace_s);
}

void ProcessPool::kill_now(Run& run) {
  // Stop first so that a process that keeps forking cannot outrun the kill.
  signal_run(run, SIGSTOP);
  signal_run(run, SIGKILL);
  if (!run.exit) run.stop = StopStep::killed;
}

void ProcessPool::advance(Run& run, TimePoint now) {
  if (!run.exit) {
    if (run.stop == StopStep::none && run.deadline && now >= *run.deadline) {
      run.timed_out = true;
      terminate(run, now);
    } else if (run.stop == StopStep::terminated && now >= run.kill_at) {
      kill_now(run);
    }
    return;
  }
  if (!has_leftovers(run)) return;  // finalized by the caller
  const bool stopping = run.stop != StopStep::none || run.interrupted;
  if (!run.linger_until)
    run.linger_until = stopping ? run.exited_at : run.exited_at + seconds(options_.leak_window_s);
  if (now < *run.linger_until) return;
  if (!run.leftovers_killed) {
    if (!stopping) run.leaky = true;
    run.leftovers_killed = true;
    run.give_up_at = now + seconds(kGiveUpAfterKillS);
  }
  if (now >= run.next_kill_round) {
    kill_now(run);
    run.next_kill_round = now + seconds(kKillRoundS);
  }
  if (now >= run.give_up_at) {
    // Killed and still there (uninterruptible sleep on a hung filesystem,
    // a long teardown): the run must not hang the sweep. Its leftovers stop
    // being its own; kill_stray_orphans deals with them at the end.
    run.leaky = true;
    run.output.reset();
    for (auto& [pid, owner] : orphans_)
      if (owner == run.spec.job) owner.reset();
  }
}

RunRecord ProcessPool::finalize(Run& run) {
  int status;
  while (::waitpid(run.pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (run.leaky)
    remove_tree(run.tmpdir);  // a leftover may still hold it: never hand it to another run
  else
    temp_root_.give_back(run.tmpdir);
  RunRecord record;
  record.job = run.spec.job;
  record.index = run.spec.index;
  record.seed = run.spec.seed;
  record.status = *run.exit;
  record.stopped_by = run.stop;
  record.interrupted = run.interrupted;
  record.leaky = run.leaky;
  record.outcome = classify(*run.exit, run.timed_out, options_.skip_exit_code);
  record.duration_s = to_seconds(run.exited_at - run.started);
  record.output = run.capture.render();
  record.output_bytes = run.capture.total_bytes();
  if (!run.capture.spill_path().empty()) {
    if (is_failure(record.outcome) && !record.interrupted) {
      record.full_output_path = run.capture.spill_path();
      handed_out_.push_back(record.full_output_path);  // its reader is done by the next wait
    } else {
      ::unlink(run.capture.spill_path().c_str());
    }
  }
  return record;
}

void ProcessPool::drain(Run& run) {
  for (int i = 0; i < kReadsPerWakeup && run.output.valid(); ++i) {
    const ssize_t n = ::read(run.output.get(), buffer_.data(), buffer_.size());
    if (n > 0) {
      run.capture.append(std::string_view(buffer_.data(), static_cast<std::size_t>(n)));
      continue;
    }
    if (n < 0 && (errno == EINTR)) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    run.output.reset();  // EOF (or an error we cannot recover from)
  }
}

void ProcessPool::poll_once(TimePoint now) {
  std::optional<TimePoint> wake;
  auto consider = [&wake](TimePoint t) {
    if (!wake || t < *wake) wake = t;
  };
  std::vector<pollfd> fds;
  std::vector<Run*> owners;
  fds.reserve(runs_.size());
  for (auto& run : runs_) {
    if (run->output.valid()) {
      fds.push_back(pollfd{run->output.get(), POLLIN, 0});
      owners.push_back(run.get());
    }
    if (!run->exit) {
      if (run->stop == StopStep::none && run->deadline) consider(*run->deadline);
      if (run->stop == StopStep::terminated) consider(run->kill_at);
    } else if (!run->leftovers_killed) {
      consider(run->linger_until.value_or(now));
    } else {
      consider(run->next_kill_round);
      consider(run->give_up_at);
    }
  }
  timespec timeout{};
  timespec* timeout_ptr = nullptr;
  if (wake) {
    const auto left = std::max(Duration::zero(), *wake - now);
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    timeout.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    timeout.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    timeout_ptr = &timeout;
  }
  const int ready = ::ppoll(fds.data(), fds.size(), timeout_ptr, &wait_mask());
  if (ready <= 0) return;  // timeout, or EINTR from a signal the loop handles next
  for (std::size_t i = 0; i < fds.size(); ++i)
    if (fds[i].revents != 0) drain(*owners[i]);
}

void ProcessPool::suspend_all() {
  collect_orphans();  // an escaped leftover not seen yet must stop too
  const TimePoint before = Clock::now();
  for (auto& run : runs_) signal_run(*run, SIGSTOP);
  for (const auto& [pid, owner] : orphans_)
    if (!owner) ::kill(pid, SIGSTOP);
  suspend_self();
  // Time spent stopped is nobody's fault: shift every clock of every run.
  const Duration paused = Clock::now() - before;
  for (auto& run : runs_) {
    run->started += paused;
    if (run->deadline) *run->deadline += paused;
    run->kill_at += paused;
    if (run->exit) run->exited_at += paused;
    if (run->linger_until) *run->linger_until += paused;
    run->give_up_at += paused;
    run->next_kill_round += paused;
  }
  for (auto& run : runs_) signal_run(*run, SIGCONT);
  for (const auto& [pid, owner] : orphans_)
    if (!owner) ::kill(pid, SIGCONT);
}

void ProcessPool::kill_orphans() {
  for (int round = 0; round < 100; ++round) {
    collect_orphans();
    bool any = false;
    for (const auto& [pid, owner] : orphans_) {
      ::kill(pid, SIGKILL);
      any = true;
    }
    if (!any) return;
    ::usleep(1000);
  }
}

void ProcessPool::stop_all(StopLevel level) {
  const TimePoint now = Clock::now();
  for (auto& run : runs_) {
    if (run->exit) {
      // It ended before the interrupt: its outcome stands and is reported;
      // only its leftovers' leak window is cut short.
      if (!run->linger_until || *run->linger_until > now) run->linger_until = now;
      continue;
    }
    // A run already timing out keeps its outcome: a hang is often exactly
    // why the user pressed Ctrl-C.
    if (!run->timed_out) run->interrupted = true;
    if (level == StopLevel::kill)
      kill_now(*run);
    else
      terminate(*run, now);
  }
}

LaunchEvents ProcessPool::wait() {
  LaunchEvents events;
  for (const auto& path : handed_out_) ::unlink(path.c_str());
  handed_out_.clear();
  while (!runs_.empty()) {
    const SignalCounts signals = take_signal_counts();
    events.interrupts += signals.interrupts;
    if (signals.stops > 0) suspend_all();
    // Exits are checked on every pass, not only after a SIGCHLD: one waitid
    // per run is cheap, and it does not depend on signal delivery.
    const bool exited = check_exits();
    // Scan for orphans after a SIGCHLD, when a main process has just ended
    // (the kernel reparents its escaped children to deflake before its exit
    // can be seen, but its SIGCHLD may not have been counted yet), and while
    // a run lingers: its leftovers may end without a SIGCHLD reaching deflake.
    const bool lingering = std::any_of(runs_.begin(), runs_.end(),
                                       [](const auto& r) { return r->exit && r->linger_until; });
    if (signals.children > 0 || exited || lingering) collect_orphans();
    const TimePoint now = Clock::now();
    for (auto it = runs_.begin(); it != runs_.end();) {
      Run& run = **it;
      advance(run, now);
      if (run.exit && !has_leftovers(run)) {
        events.finished.push_back(finalize(run));
        it = runs_.erase(it);
      } else {
        ++it;
      }
    }
    if (!events.finished.empty() || events.interrupts > 0) break;
    poll_once(Clock::now());
  }
  return events;
}

}  // namespace deflake
