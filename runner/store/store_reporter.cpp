#include "store/store_reporter.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <climits>

#include "base/error.hpp"
#include "platform/read_file.hpp"
#include "report/replay.hpp"
#include "store/manifest.hpp"
#include "store/record.hpp"

namespace deflake {

namespace {

/// A long run's output kept whole: the launcher's spill file (the output's
/// first bytes, up to its cap), and past the cap the end the capture kept.
std::string whole_output(const RunRecord& run) {
  FileContents file = read_whole_file(run.full_output_path);
  if (file.error != 0) return run.output;
  if (run.output_bytes > file.text.size()) {
    // The end of the capture's rendering is the output's last bytes.
    const std::uint64_t missing = run.output_bytes - file.text.size();
    const std::size_t tail =
        static_cast<std::size_t>(std::min<std::uint64_t>(missing, run.output.size()));
    if (!file.text.empty() && file.text.back() != '\n') file.text += '\n';
    file.text += "[" + std::to_string(missing - tail) + " bytes omitted]\n";
    file.text.append(run.output, run.output.size() - tail, tail);
  }
  return std::move(file.text);
}

}  // namespace

StoreReporter::StoreReporter(std::string root, std::string command, std::size_t per_target_cap)
    : store_(std::move(root)), command_(std::move(command)), cap_(per_target_cap) {
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof cwd) != nullptr) cwd_ = cwd;
}

void StoreReporter::on_sweep_start(const SweepStart& start) {
  plan_ = start.plan;
}

void StoreReporter::on_run_end(const RunRecord& run, const TargetResult& so_far) {
  if (run.interrupted || !is_failure(run.outcome) || plan_ == nullptr || !error_.empty()) return;
  std::size_t& kept = kept_[so_far.name()];
  if (cap_ > 0 && kept >= cap_) return;
  ++kept;
  StoreRecord record;
  record.command = command_;
  record.target = so_far.name();
  record.argv = so_far.argv();
  record.cwd = cwd_;
  const RunSpec spec = plan_->make_run(run.index);  // the environment deflake set for it
  record.env = spec.env;
  for (const Knob* knob : plan_->pinned) record.pinned.push_back(knob->name);
  for (const Knob* knob : plan_->freed) record.free.push_back(knob->name);
  fill_from_run(record, run);
  if (record.replay.empty()) record.replay = replay_command(spec);
  record.seed = run.seed;
  if (!run.token.empty()) record.token = run.token;
  // The first failure of a target keeps its output whole: the log people
  // debug from. (It is what the capture kept: all of it up to the
  // capture's head and tail sizes, and those with the omission marked.)
  const std::string key = record.target + '\n' + record.argv.front();
  if (!whole_output_kept_.count(key) && !store_.has_failure_for(record.target, record.argv)) {
    // A short output is all in the capture; a long one goes to a file of
    // its own, so the record stays small and listing stays fast.
    if (run.full_output_path.empty()) {
      record.full_output = run.output;
    } else {
      try {
        record.full_output_file = store_.write_output(cap_full_output(whole_output(run)));
      } catch (const std::exception&) {
        record.full_output = run.output;  // the record itself must not be lost
      }
    }
    whole_output_kept_.insert(key);
  }
  record.manifest = collect_manifest(plan_->argv.empty() ? "" : plan_->argv.front());
  try {
    ids_[{record.target, run.index}] = store_.write(record);
    ++written_;
  } catch (const std::exception& e) {
    // Loud, once, and the sweep goes on: its report still has every failure.
    error_ = e.what();
    fmt::print(stderr, "deflake: error: cannot keep failures in {}: {}\n", store_.root(), error_);
  }
}

void StoreReporter::on_sweep_end(const SweepOutcome&) {}

std::string StoreReporter::id_of(const std::string& target, std::uint64_t run) const {
  const auto it = ids_.find({target, run});
  return it == ids_.end() ? std::string() : it->second;
}

}  // namespace deflake
