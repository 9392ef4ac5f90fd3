// The work of a libFuzzer target: a seeded randomised test. One target (the
// command), one fuzzing process per run; run k passes libFuzzer a seed
// derived from run seed k and its own folder for crash artifacts. A failing
// run's artifacts are kept (`.deflake/artifacts/<seed>-crash-...`), and the
// source then runs the target on the artifact alone: that process is not a
// run of the target, it only says whether the artifact reproduces the
// failure. A failing run is held back until it has that answer, so that its
// record carries it. An artifact that passes alone is the fuzzer's
// "unreproducible testcase": the failure depended on state beyond the input
// (an earlier input, timing, memory layout), and the note says so.
//
// libFuzzer has no "skip": it exits 77 (its -error_exitcode) when it finds a
// bug through a deadly signal, so an exit the launcher took for a skip is a
// failure here.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "exec/work_source.hpp"
#include "platform/temp_dir.hpp"
#include "schedule/plan.hpp"

namespace deflake {

/// The `-seed=` libFuzzer gets for a run seed: libFuzzer reads 32 bits and
/// takes 0 for "pick one at random", so the seed is mapped into [1, 2^32 - 1].
constexpr std::uint32_t libfuzzer_seed(std::uint64_t run_seed) {
  return static_cast<std::uint32_t>(1 + run_seed % 4294967295u);
}

/// The user's libFuzzer command line without what would stop it from running
/// one input once: flags deflake sets per run (-seed, -artifact_prefix,
/// -exact_artifact_path), repetition and parallelism (-runs, -jobs, -workers,
/// -fork, -max_total_time, -merge) and corpus folders (every positional
/// argument after the program).
std::vector<std::string> libfuzzer_replay_argv(const std::vector<std::string>& argv);

/// The file-name prefixes of libFuzzer's failure artifacts.
inline const std::vector<std::string> kLibFuzzerArtifactKinds = {"crash", "leak", "timeout", "oom"};

struct LibFuzzerWork {
  std::string artifacts_dir = ".deflake/artifacts";  // kept artifacts; nothing here is removed
};

class LibFuzzerSource final : public WorkSource {
 public:
  /// Throws SystemError when no folder for the per-run artifacts can be made.
  LibFuzzerSource(const SweepPlan& plan, LibFuzzerWork work = {});
  ~LibFuzzerSource() override;

  const std::vector<TargetInfo>& targets() const override { return targets_; }
  std::string_view strategy() const override { return "isolated"; }
  std::string_view kind() const override { return "libfuzzer"; }
  std::optional<std::uint64_t> planned_runs() const override { return plan_.runs; }
  std::optional<RunSpec> next() override;
  std::vector<TargetRun> finish(RunRecord process) override;
  std::vector<TargetRun> flush() override;

 private:
  struct Job {
    bool verify = false;  // runs an artifact alone for a held failing run
    std::string folder;   // the process's -artifact_prefix folder
    RunRecord held;       // verify: the failing run waiting for the answer
    std::string kind;     // verify: "crash", "leak", ...
    RunSpec spec;         // verify: what to start
  };

  RunSpec make_spec(std::uint64_t index) const;
  std::vector<TargetRun> finish_run(Job job, RunRecord process);
  TargetRun finish_verify(Job job, const RunRecord& process);
  struct Kept {
    std::size_t found = 0;  // failure artifacts libFuzzer left
    std::string path;       // the first one kept (crash first); empty: none could be
    std::string kind;       // its kind: "crash", "leak", ...
    std::string error;      // why one could not be kept
  };
  /// Moves the failure artifacts of `folder` into the kept folder as
  /// `<seed>-<name>`.
  Kept keep_artifacts(const std::string& folder, std::uint64_t seed) const;
  std::string make_folder(std::uint64_t job);

  const SweepPlan& plan_;
  LibFuzzerWork work_;
  std::vector<TargetInfo> targets_;
  std::uint64_t next_run_ = 0;
  std::uint64_t next_job_ = 0;
  bool failed_ = false;
  std::map<std::uint64_t, Job> jobs_;  // in flight, by job id
  std::deque<Job> verifications_;      // queued, not yet started
  std::unique_ptr<TempRoot> folders_;
};

}  // namespace deflake
