#include "exec/libfuzzer_source.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "report/replay.hpp"

namespace deflake {
namespace {

namespace fs = std::filesystem;

/// The flag's name when `arg` is a libFuzzer flag (`-name=value`, or the
/// `--name=value` some users type), else "".
std::string_view flag_name(std::string_view arg) {
  if (arg.size() < 2 || arg[0] != '-') return {};
  arg.remove_prefix(arg[1] == '-' ? 2 : 1);
  return arg.substr(0, arg.find('='));
}

bool is_one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

/// Flags deflake sets for every fuzzing run: the user's own would fight them.
bool set_per_run(std::string_view name) {
  return is_one_of(name, {"seed", "artifact_prefix", "exact_artifact_path"});
}

/// The user's argv without the flags deflake sets per run.
std::vector<std::string> without_per_run_flags(const std::vector<std::string>& argv) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < argv.size(); ++i)
    if (i == 0 || !set_per_run(flag_name(argv[i]))) out.push_back(argv[i]);
  return out;
}

/// How an artifact's kind reads in a note ("the crash", "the leak", ...).
std::string kind_words(const std::string& kind) {
  return kind == "oom" ? "the out-of-memory failure" : "the " + kind;
}

}  // namespace

std::vector<std::string> libfuzzer_replay_argv(const std::vector<std::string>& argv) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    if (i == 0) {
      out.push_back(argv[i]);
      continue;
    }
    const std::string_view name = flag_name(argv[i]);
    if (name.empty()) continue;  // a corpus folder: libFuzzer would fuzz instead of replaying
    if (set_per_run(name) ||
        is_one_of(name, {"runs", "jobs", "workers", "fork", "max_total_time", "merge"}))
      continue;
    out.push_back(argv[i]);
  }
  return out;
}

LibFuzzerSource::LibFuzzerSource(const SweepPlan& plan, LibFuzzerWork work)
    : plan_(plan),
      work_(std::move(work)),
      targets_{TargetInfo{plan.target_name, plan.argv}},
      folders_(std::make_unique<TempRoot>()) {}

LibFuzzerSource::~LibFuzzerSource() = default;

std::string LibFuzzerSource::make_folder(std::uint64_t job) {
  return folders_->make_subdir(fmt::format("job-{}", job));
}

RunSpec LibFuzzerSource::make_spec(std::uint64_t index) const {
  RunSpec spec = plan_.make_run(index);
  spec.argv = without_per_run_flags(spec.argv);
  spec.argv.push_back(fmt::format("-seed={}", libfuzzer_seed(spec.seed)));
  return spec;
}

std::optional<RunSpec> LibFuzzerSource::next() {
  // Verifications first: they hold back a failing run's record.
  if (!verifications_.empty()) {
    Job job = std::move(verifications_.front());
    verifications_.pop_front();
    const std::uint64_t id = next_job_++;
    job.folder = make_folder(id);
    RunSpec spec = job.spec;
    spec.job = id;
    // Before the input, so that the input stays last (as in the replay line);
    // libFuzzer writes an artifact even when it runs one input, and the
    // user's folder is not the place for it.
    spec.argv.insert(spec.argv.end() - 1, "-artifact_prefix=" + job.folder + "/");
    jobs_.emplace(id, std::move(job));
    return spec;
  }
  if (plan_.runs && next_run_ >= *plan_.runs) return std::nullopt;
  if (plan_.until_fail && failed_) return std::nullopt;
  const std::uint64_t id = next_job_++;
  Job job;
  job.folder = make_folder(id);
  RunSpec spec = make_spec(next_run_++);
  spec.job = id;
  spec.argv.push_back("-artifact_prefix=" + job.folder + "/");
  jobs_.emplace(id, std::move(job));
  return spec;
}

std::vector<TargetRun> LibFuzzerSource::finish(RunRecord process) {
  const auto found = jobs_.find(process.job);
  if (found == jobs_.end()) return {};  // not ours: cannot happen
  Job job = std::move(found->second);
  jobs_.erase(found);
  const std::string folder = job.folder;
  const bool interrupted = process.interrupted;
  std::vector<TargetRun> runs;
  if (job.verify)
    runs.push_back(finish_verify(std::move(job), process));
  else
    runs = finish_run(std::move(job), std::move(process));
  folders_->give_back(folder);
  if (interrupted) {
    // Nothing new starts after an interrupt: a held run whose artifact has
    // not been run alone yet is reported now, unverified.
    for (Job& queued : verifications_) {
      queued.held.note += "; not verified: deflake was interrupted before the artifact ran alone";
      runs.push_back(TargetRun{0, std::move(queued.held)});
    }
    verifications_.clear();
  }
  return runs;
}

std::vector<TargetRun> LibFuzzerSource::finish_run(Job job, RunRecord process) {
  RunRecord record = std::move(process);
  const RunSpec spec = make_spec(record.index);
  record.note = fmt::format("libFuzzer -seed={}", libfuzzer_seed(record.seed));
  record.replay = replay_command(spec);
  if (record.interrupted) return {TargetRun{0, std::move(record)}};
  // libFuzzer's -error_exitcode (77) is deflake's skip code: no skip here.
  if (record.outcome == Outcome::skip) record.outcome = Outcome::fail;
  if (!is_failure(record.outcome)) return {TargetRun{0, std::move(record)}};
  failed_ = true;

  const Kept kept = keep_artifacts(job.folder, record.seed);
  if (kept.found == 0) {
    record.note +=
        "; the run failed without leaving an artifact (libFuzzer writes one for a crash, "
        "leak, timeout or out-of-memory it catches in an input; this failure came from "
        "elsewhere: deflake's --timeout, a bad flag, a crash before or after fuzzing)";
    return {TargetRun{0, std::move(record)}};
  }
  if (kept.path.empty()) {
    record.note += fmt::format("; libFuzzer left {} artifact(s), and none could be kept ({})",
                               kept.found, kept.error);
    return {TargetRun{0, std::move(record)}};
  }
  // libFuzzer's own report names a crash even though it exits with a code.
  if (kept.kind == "crash" && record.outcome == Outcome::fail) record.outcome = Outcome::crash;
  record.artifact = kept.path;
  record.note += "; artifact " + kept.path;
  if (kept.found > 1)
    record.note += fmt::format(" (and {} more in {})", kept.found - 1, work_.artifacts_dir);

  RunSpec replay = plan_.make_run(record.index);
  replay.argv = libfuzzer_replay_argv(replay.argv);
  replay.argv.push_back(kept.path);
  record.replay = replay_command(replay);

  Job verify;
  verify.verify = true;
  verify.kind = kept.kind;
  verify.spec = std::move(replay);
  verify.held = std::move(record);
  verifications_.push_back(std::move(verify));
  return {};
}

TargetRun LibFuzzerSource::finish_verify(Job job, const RunRecord& process) {
  RunRecord record = std::move(job.held);
  if (process.interrupted) {
    record.note += "; not verified: deflake was interrupted while the artifact ran alone";
  } else if (process.outcome == Outcome::timeout && job.kind != "timeout") {
    record.note += fmt::format(
        "; undecided: the artifact ran alone past deflake's --timeout ({} s) instead of failing "
        "or passing",
        plan_.timeout_s);
  } else if (is_failure(process.outcome) || process.outcome == Outcome::skip) {
    record.note += "; the artifact reproduces " + kind_words(job.kind) + " when run alone";
  } else {
    record.note += fmt::format(
        "; UNREPRODUCIBLE: the artifact {} passes when run alone — the failure depends on state "
        "beyond the input (a previous input, timing, or memory layout)",
        record.artifact);
  }
  return TargetRun{0, std::move(record)};
}

LibFuzzerSource::Kept LibFuzzerSource::keep_artifacts(const std::string& folder,
                                                      std::uint64_t seed) const {
  // Artifacts of the failure kinds, crash first, then by name.
  std::vector<std::pair<std::size_t, std::string>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    for (std::size_t k = 0; k < kLibFuzzerArtifactKinds.size(); ++k)
      if (name.rfind(kLibFuzzerArtifactKinds[k] + "-", 0) == 0 && entry.is_regular_file(ec))
        found.emplace_back(k, name);
  }
  std::sort(found.begin(), found.end());
  Kept kept;
  kept.found = found.size();
  if (found.empty()) return kept;
  fs::create_directories(work_.artifacts_dir, ec);
  for (const auto& [k, name] : found) {
    const std::string from = folder + "/" + name;
    const std::string to = fmt::format("{}/{}-{}", work_.artifacts_dir, seed, name);
    ec.clear();
    fs::rename(from, to, ec);
    if (ec) {  // another filesystem: copy; the original goes with the run's folder
      ec.clear();
      fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
    }
    if (ec) {
      kept.error = fmt::format("{}: {}", to, ec.message());
      continue;
    }
    if (kept.path.empty()) {
      kept.path = to;
      kept.kind = kLibFuzzerArtifactKinds[k];
    }
  }
  return kept;
}

std::vector<TargetRun> LibFuzzerSource::flush() {
  std::vector<TargetRun> runs;
  for (Job& job : verifications_) {
    job.held.note += "; not verified: the sweep stopped before the artifact ran alone";
    runs.push_back(TargetRun{0, std::move(job.held)});
  }
  verifications_.clear();
  return runs;
}

}  // namespace deflake
