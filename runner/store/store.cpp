#include "store/store.hpp"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "base/error.hpp"
#include "platform/atomic_file.hpp"
#include "platform/read_file.hpp"
#include "store/sha256.hpp"

namespace deflake {
namespace {

constexpr std::size_t kIdDigits = 16;

bool is_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

// The entry names of `dir` (without "." and ".."); nullopt with errno set
// when it cannot be read.
std::optional<std::vector<std::string>> entries(const std::string& dir) {
  std::unique_ptr<DIR, DirCloser> handle(::opendir(dir.c_str()));
  if (!handle) return std::nullopt;
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    const dirent* entry = ::readdir(handle.get());
    if (entry == nullptr) {
      if (errno != 0) return std::nullopt;
      break;
    }
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> entries_or_throw(const std::string& dir) {
  auto names = entries(dir);
  if (names) return std::move(*names);
  if (errno == ENOENT) return {};  // no store yet: nothing in it
  throw SystemError("cannot read the store folder " + dir, errno);
}

void make_folder(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) == 0) return;
  const int err = errno;
  struct stat st {};
  // EEXIST is a concurrent writer (or an earlier run) winning the race: fine,
  // as long as what is there is a folder.
  if (err == EEXIST && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return;
  throw SystemError("cannot create the store folder " + path, err == EEXIST ? ENOTDIR : err);
}

std::string without_cr(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string target_key(const std::string& target, const std::vector<std::string>& argv) {
  std::string key = target;
  for (const auto& arg : argv) {
    key += '\0';
    key += arg;
  }
  return key;
}

// Reads and checks one record file: the record (with its id), or a warning.
// A record whose bytes no longer hash to its name is still read (a checkout
// that converted line ends, an edit by hand) but comes with a warning.
struct LoadedFile {
  std::optional<StoreRecord> record;
  std::optional<StoreWarning> warning;
};

LoadedFile load_file(const std::string& path, const std::string& id) {
  LoadedFile out;
  const FileContents file = read_whole_file(path);
  if (file.error == ENOENT) return out;  // removed since the folder was read (rm, gc)
  if (file.error != 0) {
    out.warning = StoreWarning{path, SystemError("cannot read it", file.error).what()};
    return out;
  }
  ParsedRecord parsed = parse_record(file.text);
  if (!parsed.record) {
    out.warning = StoreWarning{path, parsed.error + "; skipped, left as it is"};
    return out;
  }
  parsed.record->id = id;
  if (sha256_hex(file.text).compare(0, kIdDigits, id) != 0) {
    const bool crlf = file.text.find("\r\n") != std::string::npos &&
                      sha256_hex(without_cr(file.text)).compare(0, kIdDigits, id) == 0;
    out.warning = StoreWarning{
        path, crlf ? "its line ends were converted to CRLF (by a checkout or an editor?); read "
                     "anyway, left as it is"
                   : "its content does not match its name (edited by hand?); read anyway, left as "
                     "it is"};
  }
  out.record = std::move(parsed.record);
  return out;
}

}  // namespace

Store::Store(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  if (root_.empty()) root_ = ".";
}

bool Store::is_record_name(std::string_view name) {
  return name.size() == kIdDigits + 5 && name.substr(kIdDigits) == ".json" &&
         is_hex(name.substr(0, kIdDigits));
}

bool Store::is_temp_name(std::string_view name) {
  return name.size() > 1 && name[0] == '.' && name.find(".tmp-") != std::string_view::npos;
}

void Store::make_folders() const {
  // Parents first, as mkdir -p would: `--store build/x/.deflake` just works.
  for (std::size_t slash = root_.find('/', 1); slash != std::string::npos;
       slash = root_.find('/', slash + 1))
    make_folder(root_.substr(0, slash));
  make_folder(root_);
  make_folder(failures_dir());
}

StoreLock Store::lock(StoreLock::Mode mode, double timeout_s) const {
  make_folders();
  return StoreLock::acquire(lock_path(), mode, timeout_s);
}

std::string Store::write(const StoreRecord& record) {
  StoreRecord copy = record;
  if (copy.created.empty() || copy.nonce.empty()) {
    const std::string created = copy.created;
    stamp_new_record(copy);
    if (!created.empty()) copy.created = created;  // the caller's time, a fresh nonce
  }
  if (copy.full_output) copy.full_output = cap_full_output(std::move(*copy.full_output));
  const std::string text = to_json(copy);
  const std::string id = sha256_hex(text).substr(0, kIdDigits);
  {
    const StoreLock held = lock(StoreLock::Mode::shared, kStoreWriteLockTimeout_s);
    write_file_atomically(record_path(id), text);
  }
  if (targets_seen_) targets_seen_->insert(target_key(copy.target, copy.argv));
  return id;
}

std::string Store::write_output(std::string_view text) {
  make_folders();
  const std::string relative = "outputs/" + sha256_hex(text).substr(0, kIdDigits) + ".log";
  if (::mkdir((root_ + "/outputs").c_str(), 0755) != 0 && errno != EEXIST)
    throw SystemError("cannot create " + root_ + "/outputs", errno);
  write_file_atomically(root_ + "/" + relative, text);
  return relative;
}

std::vector<std::string> Store::record_ids() const {
  std::vector<std::string> ids;
  for (const auto& name : entries_or_throw(failures_dir()))
    if (is_record_name(name)) ids.push_back(name.substr(0, kIdDigits));
  return ids;
}

StoreListing Store::list() const {
  StoreListing listing;
  for (const auto& name : entries_or_throw(failures_dir())) {
    const std::string path = failures_dir() + "/" + name;
    if (is_temp_name(name)) continue;  // being written, or left by a killed writer (gc's job)
    if (!is_record_name(name)) {
      listing.warnings.push_back(
          {path, "not a record's name (16 hex digits + .json); skipped, left as it is"});
      continue;
    }
    LoadedFile loaded = load_file(path, name.substr(0, kIdDigits));
    if (loaded.warning) listing.warnings.push_back(std::move(*loaded.warning));
    if (loaded.record) listing.records.push_back(std::move(*loaded.record));
  }
  std::sort(listing.records.begin(), listing.records.end(),
            [](const StoreRecord& a, const StoreRecord& b) {
              return a.created != b.created ? a.created < b.created : a.id < b.id;
            });
  return listing;
}

StoreLookup Store::load(const std::string& id) const {
  StoreLookup out;
  if (!is_record_name(id + ".json")) {
    out.error = "\"" + id + "\" is not a store ID (16 hex digits)";
    return out;
  }
  const std::string path = record_path(id);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    out.error = "no failure " + id + " in " + failures_dir();
    return out;
  }
  LoadedFile loaded = load_file(path, id);
  if (!loaded.record) {
    out.error = loaded.warning ? loaded.warning->path + ": " + loaded.warning->message
                               : "no failure " + id + " in " + failures_dir();
    return out;
  }
  out.record = std::move(loaded.record);
  return out;
}

StoreLookup Store::find(std::string_view prefix) const {
  StoreLookup out;
  if (prefix.empty() || prefix.size() > kIdDigits || !is_hex(prefix)) {
    out.error = "\"" + std::string(prefix) + "\" is not a store ID (up to 16 lowercase hex digits)";
    return out;
  }
  std::vector<std::string> matches;
  for (auto& id : record_ids())
    if (id.compare(0, prefix.size(), prefix) == 0) matches.push_back(std::move(id));
  if (matches.empty()) {
    out.error =
        "no failure with an ID starting with " + std::string(prefix) + " in " + failures_dir();
    return out;
  }
  if (matches.size() > 1) {
    out.error = "ambiguous ID " + std::string(prefix) + ": " + std::to_string(matches.size()) +
                " failures match (";
    constexpr std::size_t kShown = 10;
    for (std::size_t i = 0; i < matches.size() && i < kShown; ++i)
      out.error += (i ? ", " : "") + matches[i];
    if (matches.size() > kShown) out.error += ", ...";
    out.error += "); give more digits";
    return out;
  }
  return load(matches.front());
}

StoreLookup Store::newest() const {
  StoreListing listing = list();
  StoreLookup out;
  if (listing.records.empty())
    out.error = "no failures stored in " + failures_dir();
  else
    out.record = std::move(listing.records.back());
  return out;
}

bool Store::remove(const std::string& id) {
  if (!is_record_name(id + ".json")) return false;
  const std::string path = record_path(id);
  // Its long output goes with it (a file named by its own hash).
  const StoreLookup found = load(id);
  if (found.record && found.record->full_output_file &&
      found.record->full_output_file->rfind("outputs/", 0) == 0 &&
      found.record->full_output_file->find("..") == std::string::npos)
    ::unlink((root_ + "/" + *found.record->full_output_file).c_str());
  if (::unlink(path.c_str()) == 0) {
    targets_seen_.reset();  // may no longer hold a failure of that target
    return true;
  }
  if (errno == ENOENT) return false;
  throw SystemError("cannot remove " + path, errno);
}

GcReport Store::gc(const GcOptions& options) {
  GcReport report;
  struct stat root_st {};
  if (::stat(failures_dir().c_str(), &root_st) != 0 && errno == ENOENT) return report;
  const double now = options.now_s.value_or(now_seconds());
  auto remove_file = [](const std::string& path) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
      throw SystemError("cannot remove " + path, errno);
  };

  // Records need no lock: a record file appears whole (rename) and is never
  // rewritten, and one being written is not old. Reading them all can take
  // long in a big store, and writers must not wait for it.
  for (const auto& name : entries_or_throw(failures_dir())) {
    if (!is_record_name(name)) continue;  // temp files below; foreign files are never ours
    const std::string path = failures_dir() + "/" + name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    LoadedFile loaded = load_file(path, name.substr(0, kIdDigits));
    if (!loaded.record) {
      if (loaded.warning) report.warnings.push_back(std::move(*loaded.warning));
      continue;
    }
    const std::optional<double> created = parse_created(loaded.record->created);
    if (created && now - *created > options.max_age_s) {
      remove_file(path);
      report.removed_records.push_back(loaded.record->id);
    }
  }
  if (!report.removed_records.empty()) targets_seen_.reset();

  // Temp files under the exclusive lock, held only for this short pass: with
  // no writer active, any temp file is a dead writer's. The age margin is a
  // second safety net (a writer on another machine sharing the folder over a
  // filesystem without flock).
  const StoreLock held = lock(StoreLock::Mode::exclusive, options.lock_timeout_s);
  const double temp_now = options.now_s ? now : now_seconds();
  for (const auto& name : entries_or_throw(failures_dir())) {
    if (!is_temp_name(name)) continue;
    const std::string path = failures_dir() + "/" + name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    const double mtime = static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec / 1e9;
    if (temp_now - mtime >= options.temp_age_s) {
      remove_file(path);
      report.removed_temps.push_back(name);
    }
  }
  return report;
}

bool Store::has_failure_for(const std::string& target, const std::vector<std::string>& argv) const {
  if (!targets_seen_) {
    std::set<std::string> seen;
    for (const auto& record : list().records) seen.insert(target_key(record.target, record.argv));
    targets_seen_ = std::move(seen);
  }
  return targets_seen_->count(target_key(target, argv)) != 0;
}

}  // namespace deflake
