#include "store/store_reporter.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <climits>
#include <optional>
#include <string_view>

#include "base/error.hpp"
#include "platform/read_file.hpp"
#include "report/replay.hpp"
#include "store/manifest.hpp"
#include "store/record.hpp"

namespace deflake {

namespace {

/// The raw last bytes of a long output: what follows the marker of the
/// capture's rendering (head, "[N bytes omitted]\n", tail; the head gets a
/// newline when it has none: OutputCapture::render). The marker taken is
/// the one whose N agrees with the sizes, so text in the test's own output
/// that only looks like a marker is never taken for it. nullopt when there
/// is none: the rendering is a slice of its process's output (an iteration
/// of a gtest batch), or nothing was omitted.
std::optional<std::string_view> capture_tail(std::string_view rendered, std::uint64_t total) {
  constexpr std::string_view kWords = " bytes omitted]\n";
  for (std::size_t at = rendered.find('['); at != std::string_view::npos;
       at = rendered.find('[', at + 1)) {
    std::size_t end = at + 1;
    std::uint64_t omitted = 0;
    while (end < rendered.size() && end - at <= 20 && rendered[end] >= '0' && rendered[end] <= '9')
      omitted = omitted * 10 + static_cast<std::uint64_t>(rendered[end++] - '0');
    if (end == at + 1 || rendered.substr(end, kWords.size()) != kWords) continue;
    end += kWords.size();
    const std::uint64_t tail = rendered.size() - end;
    // The head ends right before the marker, or before the newline render added.
    const bool added_newline = at >= 2 && rendered[at - 1] == '\n' && rendered[at - 2] != '\n';
    for (std::uint64_t head : {std::uint64_t{at}, std::uint64_t{at} - (added_newline ? 1 : 0)})
      if (head + omitted + tail == total) return rendered.substr(end);
  }
  return std::nullopt;
}

/// A long run's output kept whole, within kFullOutputCap: its first bytes
/// (the launcher's spill file, cut to make room), one marker that counts
/// what is left out, and its last bytes (the capture's tail). Nothing is
/// kept twice: the capture's own head is in the file already.
std::string whole_output(const RunRecord& run) {
  FileContents file = read_whole_file(run.full_output_path);
  if (file.error != 0) return run.output;
  std::string& kept = file.text;
  const std::uint64_t total = run.output_bytes;
  if (total <= kept.size()) return std::move(kept);  // the file has all of it
  std::string_view tail = capture_tail(run.output, total).value_or(std::string_view());
  // The tail may reach back into what the file holds: only what follows it.
  const std::uint64_t after_file = total - kept.size();
  if (tail.size() > after_file) tail.remove_prefix(tail.size() - after_file);
  constexpr std::size_t kMarkerRoom = 64;  // the marker below is always shorter
  const std::size_t room = kFullOutputCap - kMarkerRoom;
  if (tail.size() > room / 2) tail.remove_prefix(tail.size() - room / 2);
  if (kept.size() + tail.size() > room) kept.resize(room - tail.size());
  const std::uint64_t omitted = total - kept.size() - tail.size();
  if (!kept.empty() && kept.back() != '\n') kept += '\n';
  kept += "[deflake: " + std::to_string(omitted) + " bytes omitted]\n";
  kept.append(tail);
  return std::move(kept);
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
    const std::string id = store_.write(record);
    ids_[{record.target, run.index}] = id;
    ids_by_seed_.try_emplace({record.target, run.seed}, id);
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

std::string StoreReporter::id_of_seed(const std::string& target, std::uint64_t seed) const {
  const auto it = ids_by_seed_.find({target, seed});
  return it == ids_by_seed_.end() ? std::string() : it->second;
}

}  // namespace deflake
