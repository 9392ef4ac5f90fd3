// One stored failure (DESIGN.md "The store"): everything needed to replay it
// alone and to tell whether the replaying machine differs. Serialised as one
// JSON document, schema "deflake.failure/1"; parsing never throws and never
// accepts a damaged file as a record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/run.hpp"
#include "store/manifest.hpp"

namespace deflake {

/// The record format this deflake writes, and the newest it reads.
inline constexpr int kStoreFormatVersion = 1;

/// full_output is capped at this many bytes (head and tail kept).
inline constexpr std::size_t kFullOutputCap = 10 * 1024 * 1024;

struct StoreRecord {
  int version = kStoreFormatVersion;  // from the schema; writing always uses the current one
  std::string id;                     // the file name's hash; derived, never serialised
  std::string created;                // UTC "2024-05-01T12:34:56.789Z"
  std::string nonce;                  // "pid-nanoseconds-counter": no two records are equal
  std::string command = "run";        // the deflake command that found it: run, bisect, ctest, ...
  std::string target;                 // "Suite.Name", or the command's name
  std::vector<std::string> argv;      // the target's own argv: replays it alone
  std::string cwd;                    // the working directory it ran in
  EnvDelta env;                       // what deflake set and unset for the run
  std::uint64_t seed = 0;
  std::vector<std::string> pinned;  // knob names
  std::vector<std::string> free;
  std::optional<std::string> amplify;  // "noise", "chaos"
  std::vector<std::string> order;  // tests that ran before it in its process, where order matters
  std::string outcome;             // "fail", "crash", "timeout", ...
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::string signal_name;  // "SIGSEGV" when signal is set
  bool core_dumped = false;
  double duration_s = 0;
  std::string output_tail;                 // head and tail of the run's output
  std::optional<std::string> full_output;  // whole output: the first failure of a target only
  // ... or, when it is long, the file under the store's root that holds it
  // ("outputs/<sha256 prefix>.log"), so that listing never reads it.
  std::optional<std::string> full_output_file;
  std::string note;
  std::string replay;                   // the shell command that replays it without deflake
  std::optional<std::string> artifact;  // a fuzzer's saved input
  std::optional<std::string> token;     // the replay token
  Manifest manifest;
};

/// Field by field, `id` included (EnvDelta has no == of its own).
bool operator==(const StoreRecord& a, const StoreRecord& b);

/// Why a text is not a record.
enum class RecordProblem {
  none,
  not_json,       // torn, truncated, garbage
  foreign,        // JSON, but not a deflake failure record
  newer_version,  // a deflake.failure/N with N > kStoreFormatVersion
  invalid,        // a deflake.failure/1 with a missing or mistyped field
};

/// A parsed record, or why there is none.
struct ParsedRecord {
  std::optional<StoreRecord> record;
  RecordProblem problem = RecordProblem::none;
  std::string
      error;  // for people: "not valid JSON at byte 120", "written by a newer deflake (version 2)"
};

/// The record as JSON text (2-space indents, keys in a fixed order, a final
/// newline). Bytes that are not UTF-8 in strings become U+FFFD; a duration
/// that is not finite becomes 0. `id` and `version` are not written.
std::string to_json(const StoreRecord& record);

/// Parses a record; never throws. Whitespace between tokens, CRLF line ends
/// included, is allowed as in any JSON. Unknown keys are ignored (later
/// additions to format 1); every known key must be present with its type.
ParsedRecord parse_record(std::string_view text);

/// Fills `created` (now, UTC, milliseconds) and `nonce` (pid, nanoseconds and
/// a per-process counter) for a new record.
void stamp_new_record(StoreRecord& record);

/// The time in a `created` string, as seconds since the epoch; nullopt when
/// the string is not of the form "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::optional<double> parse_created(std::string_view created);

/// `output` cut to at most kFullOutputCap bytes: its head and tail with a
/// marker saying how much was left out between them.
std::string cap_full_output(std::string output);

/// Fills the run's own fields (seed, outcome, exit status, duration, output
/// tail, order, note, replay, artifact) from a finished run.
void fill_from_run(StoreRecord& record, const RunRecord& run);

}  // namespace deflake
