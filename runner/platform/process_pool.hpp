// The real Launcher: starts runs as child processes and watches them all from
// one event loop on ppoll (no select, so no FD_SETSIZE limit).
//
// Each run's life is a small state machine:
//   running ──timeout──▶ SIGTERM sent ──grace──▶ SIGKILL sent
//      │                      │                       │
//      └───── main process exits (seen with WNOWAIT) ─┘
//                             ▼
//   lingering: leftovers (its group, orphans attributed to it) may finish
//   within the leak window; after it they are stopped and killed in rounds
//                             ▼
//   reaped: the main process is reaped last, so its zombie keeps the process
//   group id reserved and no signal is ever sent to a recycled pid.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "platform/launcher.hpp"
#include "platform/temp_dir.hpp"

namespace deflake {

struct PoolOptions {
  double grace_s = 5;          // SIGTERM → SIGKILL
  double leak_window_s = 0.5;  // how long leftovers may outlive the main process
  std::size_t output_head_bytes = 16 * 1024;
  std::size_t output_tail_bytes = 64 * 1024;
  std::optional<std::uint64_t> memory_limit_bytes;
  std::optional<int> skip_exit_code = 77;
  std::uint64_t spill_cap_bytes = 0;  // > 0: failing runs' long outputs kept whole up to this
};

class ProcessPool final : public Launcher {
 public:
  /// `base_env` is the environment every run starts from ("NAME=value").
  ProcessPool(PoolOptions options, std::vector<std::string> base_env);
  ~ProcessPool() override;

  void start(const RunSpec& spec) override;
  std::size_t running() const override { return runs_.size(); }
  LaunchEvents wait() override;
  void stop_all(StopLevel level) override;

  /// Kills the leftover processes still alive that no run owns any more
  /// (they changed their TMPDIR and left their run's group, or outlived a
  /// give-up), and returns how many there were. Call when the sweep ends.
  std::size_t kill_stray_orphans();

  /// false when the kernel refused to make deflake a subreaper: escaped
  /// grandchildren can then only be detected by the open pipe.
  bool subreaper() const { return subreaper_; }

 private:
  struct Run;

  std::vector<std::string> build_env(const RunSpec& spec, const std::string& tmpdir) const;
  bool check_exits();  // true when a main process was newly seen to end
  void collect_orphans();
  void advance(Run& run, TimePoint now);
  bool has_leftovers(const Run& run) const;
  void signal_run(Run& run, int sig);
  void terminate(Run& run, TimePoint now);
  void kill_now(Run& run);
  RunRecord finalize(Run& run);
  void drain(Run& run);
  void poll_once(TimePoint now);
  void suspend_all();
  void kill_orphans();

  PoolOptions options_;
  std::vector<std::string> base_env_;
  TempRoot temp_root_;
  std::vector<std::unique_ptr<Run>> runs_;
  // Orphans reparented to deflake, by pid, with the run they belong to (if known).
  std::map<pid_t, std::optional<std::uint64_t>> orphans_;
  bool subreaper_ = false;
  std::vector<char> buffer_;
  std::vector<std::string> handed_out_;  // spill files of returned runs: removed at the next wait
};

}  // namespace deflake
