// What a person at a terminal sees: a live progress line (only on a TTY),
// each failing run as it happens, and a summary at the end.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>

#include "base/clock.hpp"
#include "report/listener.hpp"

namespace deflake {

enum class Verbosity { quiet, normal, verbose };

struct ConsoleOptions {
  Verbosity verbosity = Verbosity::normal;
  bool progress = false;  // stderr is a terminal
  bool color = false;     // stdout/stderr are terminals and NO_COLOR is unset
  std::FILE* out = stdout;
  std::FILE* err = stderr;
};

class ConsoleReporter final : public SweepListener {
 public:
  explicit ConsoleReporter(ConsoleOptions options) : options_(options) {}

  void on_sweep_start(const SweepStart& start) override;
  void on_run_end(const RunRecord& record, const TargetResult& so_far) override;
  void on_interrupt(int count) override;
  void on_sweep_end(const SweepOutcome& outcome) override;

 private:
  template <typename F>
  void guarded(F&& print);
  void do_sweep_start(const SweepStart& start);
  void do_run_end(const RunRecord& record, const TargetResult& so_far);
  void do_interrupt(int count);
  void do_sweep_end(const SweepOutcome& outcome);
  void draw_progress(bool force);
  void clear_progress();
  void print_summary(const SweepOutcome& outcome);
  void print_token_line(const SweepOutcome& outcome);
  void print_target(const SweepOutcome& outcome, const TargetResult& r, bool details);

  ConsoleOptions options_;
  const SweepPlan* plan_ = nullptr;
  std::optional<std::uint64_t> planned_runs_;
  bool many_targets_ = false;  // name the target on every line
  std::uint64_t done_ = 0;     // runs finished, over every target
  std::uint64_t failed_ = 0;
  TimePoint started_;
  TimePoint last_draw_;
  bool progress_shown_ = false;
  std::size_t failures_printed_ = 0;
  bool broken_ = false;  // the console went away: print nothing more
};

}  // namespace deflake
