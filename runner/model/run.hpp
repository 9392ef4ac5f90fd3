// What one run is asked to do (RunSpec) and what happened (RunRecord).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/outcome.hpp"

namespace deflake {

/// Something done in the child between fork and exec, that no environment
/// variable can express.
enum class ChildAction { no_aslr };

/// Environment changes for a run, applied on top of the user's environment.
struct EnvDelta {
  std::vector<std::pair<std::string, std::string>> set;
  std::vector<std::string> unset;
};

/// Everything the launcher needs to start one run.
struct RunSpec {
  std::uint64_t job =
      0;  // unique per process within this invocation: how results find their way back
  std::uint64_t index = 0;  // the run's index within its target's sweep (DEFLAKE_RUN)
  std::uint64_t seed = 0;
  std::vector<std::string> argv;  // `{seed}` already replaced
  EnvDelta env;                   // DEFLAKE_* and knob settings; TMPDIR is the launcher's
  std::vector<ChildAction> actions;
  double timeout_s = 60;  // 0: none
};

/// The record of one finished run.
struct RunRecord {
  std::uint64_t job = 0;  // the process this run came from (several runs share one in a batch)
  std::uint64_t index = 0;
  std::uint64_t seed = 0;
  Outcome outcome = Outcome::pass;
  ExitStatus status;
  StopStep stopped_by = StopStep::none;  // how far the timeout state machine went
  bool interrupted = false;              // ended because the user interrupted deflake: not counted
  bool leaky = false;                    // processes outlived the main one and were killed
  double duration_s = 0;                 // spawn to the main process's exit
  std::string output;                    // head and tail of stdout+stderr, with an omission marker
  std::uint64_t output_bytes = 0;        // all bytes the run wrote, kept or not
  std::vector<std::string> order;  // tests that ran in its process up to it, where order matters
  std::string note;          // why the outcome is what it is, when the exit status does not say
  std::string replay;        // the shell command that replays it; empty: derived from the plan
  std::string gtest_filter;  // the --gtest_filter its process ran with, if any
  std::string token;         // its replay token (failing runs)
  // A failing run's output kept whole (up to a cap) in a file, when it
  // outgrew `output`; valid until the launcher's next wait().
  std::string full_output_path;
  std::string artifact;  // the input a fuzzer saved for this failure, kept; empty: none
};

}  // namespace deflake
