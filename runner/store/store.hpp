// The failure store (DESIGN.md "The store"): a folder, `.deflake` by default,
// whose `failures/` holds one JSON file per failure, named by the first 16 hex
// digits of the SHA-256 of its bytes. Writes are crash-safe (temp file in the
// same folder, fsync, rename, fsync of the folder) and need no coordination
// between writers: every record is unique (its nonce), so every name is too.
// Nothing here deletes or rewrites a file it cannot read; only `remove` and
// `gc` delete, and gc only records it has read and temp files of dead writers.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "store/lock.hpp"
#include "store/record.hpp"

namespace deflake {

/// A file in failures/ that was skipped (or read with a caveat), and why.
struct StoreWarning {
  std::string path;
  std::string message;
};

/// Every readable record, oldest first (by `created`, then id), and a warning
/// for each file that was skipped or is suspect.
struct StoreListing {
  std::vector<StoreRecord> records;
  std::vector<StoreWarning> warnings;
};

/// One record looked up by ID, or why none could be given.
struct StoreLookup {
  std::optional<StoreRecord> record;
  std::string error;  // "no failure ...", "ambiguous ID ...", "<path>: not valid JSON ..."
};

struct GcOptions {
  double max_age_s = 30.0 * 24 * 3600;  // records created longer ago are removed
  double temp_age_s = 60;               // leftover temp files older than this are removed
  std::optional<double> now_s;          // seconds since the epoch; default: the clock
  double lock_timeout_s = 60;
};

struct GcReport {
  std::vector<std::string> removed_records;  // ids
  std::vector<std::string> removed_temps;    // file names
  std::vector<StoreWarning> warnings;        // files kept because they could not be read
};

/// Writers' lock wait before write() gives up loudly.
inline constexpr double kStoreWriteLockTimeout_s = 60;

/// One Store object is for one thread at a time; any number of processes
/// (and Store objects) may use one store folder at once.
class Store {
 public:
  explicit Store(std::string root = ".deflake");

  const std::string& root() const { return root_; }
  std::string failures_dir() const { return root_ + "/failures"; }
  std::string lock_path() const { return root_ + "/lock"; }
  std::string record_path(const std::string& id) const {
    return failures_dir() + "/" + id + ".json";
  }

  /// Writes a record and returns its id. Fills `created` and `nonce` when
  /// they are empty, and caps `full_output` (kFullOutputCap). Creates the
  /// folders as needed; holds the lock shared while writing. Throws
  /// SystemError, naming the path, on any failure: a failure is never lost
  /// silently.
  std::string write(const StoreRecord& record);

  /// Reads every record. A store that does not exist yet is empty. Temp files
  /// of writers are ignored; any other file that is not a readable record of
  /// this version is skipped with a warning and left as it is. Throws
  /// SystemError when failures/ exists but cannot be read.
  StoreListing list() const;

  /// The record with exactly this id (16 hex digits).
  StoreLookup load(const std::string& id) const;

  /// The one record whose id starts with `prefix` (hex digits).
  StoreLookup find(std::string_view prefix) const;

  /// The most recently created readable record.
  StoreLookup newest() const;

  /// Keeps a long output beside the records (crash-safely, named by its
  /// hash) and returns its path relative to the root, for full_output_file.
  /// Throws SystemError.
  std::string write_output(std::string_view text);

  /// Deletes the record with exactly this id. false when there was none;
  /// throws SystemError when it exists and cannot be deleted.
  bool remove(const std::string& id);

  /// Removes records older than max_age_s, then, under the exclusive lock
  /// (held only for that pass), temp files left by killed writers.
  /// Unreadable files are kept and warned about.
  GcReport gc(const GcOptions& options = {});

  /// Whether the store already holds a failure of this target with this argv:
  /// when it does not, the caller stores `full_output` with the failure.
  /// Read once from disk, then kept up to date by this object's write().
  bool has_failure_for(const std::string& target, const std::vector<std::string>& argv) const;

  /// Takes the store's lock (creating the folder and the lock file if needed).
  StoreLock lock(StoreLock::Mode mode, double timeout_s) const;

  /// Whether `name` is a record's file name: 16 lowercase hex digits + ".json".
  static bool is_record_name(std::string_view name);
  /// Whether `name` is a writer's temp file (".<name>.tmp-XXXXXX").
  static bool is_temp_name(std::string_view name);

 private:
  void make_folders() const;
  std::vector<std::string> record_ids() const;

  std::string root_;
  mutable std::optional<std::set<std::string>> targets_seen_;
};

}  // namespace deflake
