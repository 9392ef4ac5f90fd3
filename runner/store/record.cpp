#include "store/record.hpp"

#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <nlohmann/json.hpp>

#include "platform/signals.hpp"

namespace deflake {
namespace {

// ordered_json: keys come out in the order written, so a record file reads
// top-down (what failed, how, where) and its bytes are deterministic.
using json = nlohmann::ordered_json;

constexpr std::string_view kSchemaPrefix = "deflake.failure/";

json nullable(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}
json nullable(const std::optional<int>& value) {
  return value ? json(*value) : json(nullptr);
}
json empty_as_null(const std::string& value) {
  return value.empty() ? json(nullptr) : json(value);
}

json manifest_json(const Manifest& m) {
  json j;
  j["deflake_version"] = empty_as_null(m.deflake_version);
  j["os"] = empty_as_null(m.os);
  j["kernel"] = empty_as_null(m.kernel);
  j["arch"] = empty_as_null(m.arch);
  j["host"] = empty_as_null(m.host);
  j["cpu_model"] = empty_as_null(m.cpu_model);
  j["compiler"] = empty_as_null(m.compiler);
  j["binary_path"] = empty_as_null(m.binary_path);
  j["binary_sha256"] = empty_as_null(m.binary_sha256);
  j["cuda_driver_version"] = empty_as_null(m.cuda_driver_version);
  j["cuda_runtime_version"] = empty_as_null(m.cuda_runtime_version);
  j["gpus"] = m.gpus;
  return j;
}

// Reads fields out of a JSON object, remembering the first problem; the
// accessors return a default once something is wrong, so the caller checks
// `error` once at the end.
class Reader {
 public:
  explicit Reader(std::string where) : where_(std::move(where)) {}

  std::string error;

  const json* field(const json& object, const char* key) {
    if (!error.empty()) return nullptr;
    const auto it = object.find(key);
    if (it == object.end()) {
      fail(std::string("missing \"") + key + "\"");
      return nullptr;
    }
    return &*it;
  }

  std::string string(const json& object, const char* key) {
    const json* v = field(object, key);
    if (v == nullptr) return "";
    if (!v->is_string()) return fail_type(key, "a string"), "";
    return v->get<std::string>();
  }

  // null reads as "" (the manifest writes unknown values as null).
  std::string string_or_null(const json& object, const char* key) {
    const json* v = field(object, key);
    if (v == nullptr || v->is_null()) return "";
    if (!v->is_string() || v->get_ref<const std::string&>().empty())
      return fail_type(key, "a non-empty string or null"), "";
    return v->get<std::string>();
  }

  std::optional<std::string> optional_string(const json& object, const char* key) {
    const json* v = field(object, key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (!v->is_string()) return fail_type(key, "a string or null"), std::nullopt;
    return v->get<std::string>();
  }

  std::optional<int> optional_int(const json& object, const char* key) {
    const json* v = field(object, key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (!v->is_number_integer()) return fail_type(key, "an integer or null"), std::nullopt;
    if (v->is_number_unsigned() ? v->get<std::uint64_t>() > std::numeric_limits<int>::max()
                                : (v->get<std::int64_t>() < std::numeric_limits<int>::min() ||
                                   v->get<std::int64_t>() > std::numeric_limits<int>::max()))
      return fail_type(key, "an integer in int range"), std::nullopt;
    return static_cast<int>(v->get<std::int64_t>());
  }

  std::uint64_t unsigned_number(const json& object, const char* key) {
    const json* v = field(object, key);
    if (v == nullptr) return 0;
    if (!v->is_number_unsigned()) return fail_type(key, "an unsigned integer"), 0;
    return v->get<std::uint64_t>();
  }

  double finite_number(const json& object, const char* key) {
    const json* v = field(object, key);
    if (v == nullptr) return 0;
    if (!v->is_number() || !std::isfinite(v->get<double>()))
      return fail_type(key, "a finite number"), 0;
    return v->get<double>();
  }

  bool boolean(const json& object, const char* key) {
    const json* v = field(object, key);
    if (v == nullptr) return false;
    if (!v->is_boolean()) return fail_type(key, "true or false"), false;
    return v->get<bool>();
  }

  std::vector<std::string> strings(const json& object, const char* key) {
    std::vector<std::string> out;
    const json* v = field(object, key);
    if (v == nullptr) return out;
    if (!v->is_array()) return fail_type(key, "an array of strings"), out;
    for (const auto& item : *v) {
      if (!item.is_string())
        return fail_type(key, "an array of strings"), std::vector<std::string>{};
      out.push_back(item.get<std::string>());
    }
    return out;
  }

  const json* object(const json& parent, const char* key) {
    const json* v = field(parent, key);
    if (v != nullptr && !v->is_object()) {
      fail_type(key, "an object");
      return nullptr;
    }
    return v;
  }

  void fail(const std::string& what) {
    if (error.empty()) error = where_ + what;
  }

 private:
  void fail_type(const char* key, const char* expected) {
    fail(std::string("\"") + key + "\" must be " + expected);
  }
  std::string where_;
};

Manifest read_manifest(Reader& r, const json& j) {
  Manifest m;
  m.deflake_version = r.string_or_null(j, "deflake_version");
  m.os = r.string_or_null(j, "os");
  m.kernel = r.string_or_null(j, "kernel");
  m.arch = r.string_or_null(j, "arch");
  m.host = r.string_or_null(j, "host");
  m.cpu_model = r.string_or_null(j, "cpu_model");
  m.compiler = r.string_or_null(j, "compiler");
  m.binary_path = r.string_or_null(j, "binary_path");
  m.binary_sha256 = r.string_or_null(j, "binary_sha256");
  m.cuda_driver_version = r.string_or_null(j, "cuda_driver_version");
  m.cuda_runtime_version = r.string_or_null(j, "cuda_runtime_version");
  m.gpus = r.strings(j, "gpus");
  return m;
}

EnvDelta read_env(Reader& r, const json& j) {
  EnvDelta env;
  const json* set = r.field(j, "set");
  if (set != nullptr) {
    if (!set->is_array()) {
      r.fail("\"env.set\" must be an array of [name, value] pairs");
    } else {
      for (const auto& pair : *set) {
        if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
          r.fail("\"env.set\" must be an array of [name, value] pairs");
          break;
        }
        env.set.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
      }
    }
  }
  env.unset = r.strings(j, "unset");
  return env;
}

ParsedRecord problem(RecordProblem kind, std::string error) {
  ParsedRecord parsed;
  parsed.problem = kind;
  parsed.error = std::move(error);
  return parsed;
}

ParsedRecord parse_checked(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return problem(RecordProblem::not_json, "not valid JSON (torn, truncated or garbage)");
  if (!j.is_object() || !j.contains("schema") || !j["schema"].is_string())
    return problem(RecordProblem::foreign, "not a deflake failure record (no \"schema\")");
  const std::string schema = j["schema"].get<std::string>();
  if (schema.compare(0, kSchemaPrefix.size(), kSchemaPrefix) != 0)
    return problem(RecordProblem::foreign,
                   "not a deflake failure record (schema \"" + schema + "\")");
  const std::string number = schema.substr(kSchemaPrefix.size());
  int version = 0;
  bool digits = !number.empty() && number.size() <= 9 && number[0] != '0';
  for (char c : number) digits = digits && c >= '0' && c <= '9';
  if (digits) version = std::stoi(number);
  if (!digits) return problem(RecordProblem::foreign, "unknown schema \"" + schema + "\"");
  if (version > kStoreFormatVersion)
    return problem(RecordProblem::newer_version,
                   "written by a newer deflake (version " + std::to_string(version) + ")");

  Reader r("");
  StoreRecord rec;
  rec.version = version;
  rec.created = r.string(j, "created");
  if (r.error.empty() && !parse_created(rec.created))
    r.fail("\"created\" must be a UTC time like 2024-05-01T12:34:56.789Z");
  rec.nonce = r.string(j, "nonce");
  rec.command = r.string(j, "command");
  rec.target = r.string(j, "target");
  rec.argv = r.strings(j, "argv");
  rec.cwd = r.string(j, "cwd");
  if (const json* env = r.object(j, "env")) rec.env = read_env(r, *env);
  rec.seed = r.unsigned_number(j, "seed");
  rec.pinned = r.strings(j, "pinned");
  rec.free = r.strings(j, "free");
  rec.amplify = r.optional_string(j, "amplify");
  rec.order = r.strings(j, "order");
  rec.outcome = r.string(j, "outcome");
  rec.exit_code = r.optional_int(j, "exit_code");
  rec.signal = r.optional_int(j, "signal");
  rec.signal_name = r.optional_string(j, "signal_name").value_or("");
  rec.core_dumped = r.boolean(j, "core_dumped");
  rec.duration_s = r.finite_number(j, "duration_s");
  rec.note = r.string(j, "note");
  rec.replay = r.string(j, "replay");
  rec.artifact = r.optional_string(j, "artifact");
  rec.token = r.optional_string(j, "token");
  if (const json* m = r.object(j, "manifest")) rec.manifest = read_manifest(r, *m);
  rec.output_tail = r.string(j, "output_tail");
  rec.full_output = r.optional_string(j, "full_output");
  // Added within version 1: a record without it is as valid as before.
  if (j.contains("full_output_file")) rec.full_output_file = r.optional_string(j, "full_output_file");
  if (r.error.empty() && rec.signal_name.empty() != !rec.signal)
    r.fail("\"signal_name\" must be set exactly when \"signal\" is");
  if (!r.error.empty()) return problem(RecordProblem::invalid, "invalid record: " + r.error);
  ParsedRecord parsed;
  parsed.record = std::move(rec);
  return parsed;
}

}  // namespace

bool operator==(const StoreRecord& a, const StoreRecord& b) {
  return a.version == b.version && a.id == b.id && a.created == b.created && a.nonce == b.nonce &&
         a.command == b.command && a.target == b.target && a.argv == b.argv && a.cwd == b.cwd &&
         a.env.set == b.env.set && a.env.unset == b.env.unset && a.seed == b.seed &&
         a.pinned == b.pinned && a.free == b.free && a.amplify == b.amplify && a.order == b.order &&
         a.outcome == b.outcome && a.exit_code == b.exit_code && a.signal == b.signal &&
         a.signal_name == b.signal_name && a.core_dumped == b.core_dumped &&
         a.duration_s == b.duration_s && a.output_tail == b.output_tail &&
         a.full_output == b.full_output && a.full_output_file == b.full_output_file &&
         a.note == b.note && a.replay == b.replay && a.artifact == b.artifact &&
         a.token == b.token && a.manifest == b.manifest;
}

std::string to_json(const StoreRecord& rec) {
  json j;
  j["schema"] = std::string(kSchemaPrefix) + std::to_string(kStoreFormatVersion);
  j["created"] = rec.created;
  j["nonce"] = rec.nonce;
  j["command"] = rec.command;
  j["target"] = rec.target;
  j["argv"] = rec.argv;
  j["cwd"] = rec.cwd;
  json set = json::array();
  for (const auto& [name, value] : rec.env.set) set.push_back(json::array({name, value}));
  j["env"] = {{"set", set}, {"unset", rec.env.unset}};
  j["seed"] = rec.seed;
  j["pinned"] = rec.pinned;
  j["free"] = rec.free;
  j["amplify"] = nullable(rec.amplify);
  j["order"] = rec.order;
  j["outcome"] = rec.outcome;
  j["exit_code"] = nullable(rec.exit_code);
  j["signal"] = nullable(rec.signal);
  j["signal_name"] = !rec.signal               ? json(nullptr)
                     : rec.signal_name.empty() ? json(signal_name(*rec.signal))
                                               : json(rec.signal_name);
  j["core_dumped"] = rec.core_dumped;
  j["duration_s"] = std::isfinite(rec.duration_s) ? rec.duration_s : 0.0;
  j["note"] = rec.note;
  j["replay"] = rec.replay;
  j["artifact"] = nullable(rec.artifact);
  j["token"] = nullable(rec.token);
  j["manifest"] = manifest_json(rec.manifest);
  j["output_tail"] = rec.output_tail;
  j["full_output"] = nullable(rec.full_output);
  j["full_output_file"] = nullable(rec.full_output_file);
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

ParsedRecord parse_record(std::string_view text) {
  try {
    return parse_checked(text);
  } catch (const std::exception& e) {
    // A safety net: the checks above should leave nothing to throw.
    return problem(RecordProblem::invalid, std::string("invalid record: ") + e.what());
  }
}

void stamp_new_record(StoreRecord& record) {
  static std::atomic<std::uint64_t> counter{0};
  const auto now = std::chrono::system_clock::now();
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  const time_t secs = static_cast<time_t>(ns / 1'000'000'000);
  const int ms = static_cast<int>((ns / 1'000'000) % 1000);
  struct tm utc {};
  ::gmtime_r(&secs, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, ms);
  record.created = buffer;
  record.nonce = std::to_string(::getpid()) + "-" + std::to_string(ns) + "-" +
                 std::to_string(counter.fetch_add(1, std::memory_order_relaxed));
}

std::optional<double> parse_created(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS.mmmZ, exactly.
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (s.size() != kShape.size()) return std::nullopt;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (kShape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != kShape[i]) return std::nullopt;
  }
  auto num = [s](std::size_t at, std::size_t len) {
    int v = 0;
    for (std::size_t i = at; i < at + len; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  struct tm utc {};
  utc.tm_year = num(0, 4) - 1900;
  utc.tm_mon = num(5, 2) - 1;
  utc.tm_mday = num(8, 2);
  utc.tm_hour = num(11, 2);
  utc.tm_min = num(14, 2);
  utc.tm_sec = num(17, 2);
  if (utc.tm_mon > 11 || utc.tm_mday < 1 || utc.tm_mday > 31 || utc.tm_hour > 23 ||
      utc.tm_min > 59 || utc.tm_sec > 60)
    return std::nullopt;
  const time_t secs = ::timegm(&utc);
  return static_cast<double>(secs) + num(20, 3) / 1000.0;
}

std::string cap_full_output(std::string output) {
  if (output.size() <= kFullOutputCap) return output;
  constexpr std::size_t kMarkerRoom = 64;  // the marker below is always shorter
  const std::size_t keep = kFullOutputCap - kMarkerRoom;
  const std::size_t head = keep / 2;
  const std::size_t tail = keep - head;
  const std::string marker =
      "\n[deflake: " + std::to_string(output.size() - keep) + " bytes omitted]\n";
  std::string capped;
  capped.reserve(keep + marker.size());
  capped.append(output, 0, head);
  capped += marker;
  capped.append(output, output.size() - tail, tail);
  return capped;
}

void fill_from_run(StoreRecord& record, const RunRecord& run) {
  record.seed = run.seed;
  record.outcome = std::string(to_string(run.outcome));
  record.exit_code = run.status.exit_code;
  record.signal = run.status.signal;
  record.signal_name = run.status.signal ? signal_name(*run.status.signal) : "";
  record.core_dumped = run.status.core_dumped;
  record.duration_s = run.duration_s;
  record.output_tail = run.output;
  record.order = run.order;
  record.note = run.note;
  record.replay = run.replay;
  record.artifact = run.artifact.empty() ? std::nullopt : std::optional<std::string>(run.artifact);
}

}  // namespace deflake
