#include "parse/results_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deflake/results_protocol.hpp>
#include <deflake/seed_derivation.hpp>
#include <map>
#include <utility>

#include "platform/read_file.hpp"

namespace deflake {
namespace {

constexpr std::string_view kHeaderPrefix = "deflake-results";

// Splits `line` at tabs into exactly `count` fields; false when the count differs.
bool split_fields(std::string_view line, std::string_view* fields, std::size_t count) {
  for (std::size_t i = 0; i + 1 < count; ++i) {
    const auto tab = line.find('\t');
    if (tab == std::string_view::npos) return false;
    fields[i] = line.substr(0, tab);
    line.remove_prefix(tab + 1);
  }
  if (line.find('\t') != std::string_view::npos) return false;
  fields[count - 1] = line;
  return true;
}

std::optional<Outcome> parse_outcome(std::string_view text) {
  if (text == "pass") return Outcome::pass;
  if (text == "fail") return Outcome::fail;
  if (text == "skip") return Outcome::skip;
  return std::nullopt;
}

// Parses one record line; nullopt with `why` set when it is malformed.
std::optional<ResultsRecord> parse_record(std::string_view line, std::string& why) {
  if (line.find('\0') != std::string_view::npos) {
    why = "holds a NUL byte";
    return std::nullopt;
  }
  const auto kind = line.substr(0, line.find('\t'));
  ResultsRecord record;
  std::string_view fields[6];
  std::size_t count = 0;
  if (kind == results::kStart) {
    record.kind = ResultsRecord::Kind::start;
    count = 5;
  } else if (kind == results::kEnd) {
    record.kind = ResultsRecord::Kind::end;
    count = 6;
  } else {
    why = "is neither a start nor an end";
    return std::nullopt;
  }
  if (!split_fields(line, fields, count)) {
    why = "has " + std::string(count == 5 ? "not 5" : "not 6") + " tab-separated fields";
    return std::nullopt;
  }
  const auto iteration = parse_seed(fields[1]);
  const auto run_seed = parse_seed(fields[2]);
  const auto test_seed = parse_seed(fields[3]);
  if (!iteration || !run_seed || !test_seed) {
    why = "has a malformed number";
    return std::nullopt;
  }
  record.iteration = *iteration;
  record.run_seed = *run_seed;
  record.test_seed = *test_seed;
  if (record.kind == ResultsRecord::Kind::end) {
    record.outcome = parse_outcome(fields[4]);
    if (!record.outcome) {
      why = "has an unknown outcome";
      return std::nullopt;
    }
  }
  const auto name = fields[count - 1];
  if (name.empty()) {
    why = "has an empty name";
    return std::nullopt;
  }
  record.name = std::string(name);
  return record;
}

ResultsFile file_error(std::string why) {
  ResultsFile file;
  file.error = std::move(why);
  return file;
}

}  // namespace

ResultsFile parse_results_file(std::string_view text) {
  ResultsFile file;
  const std::string_view header = results::kHeader;
  constexpr std::size_t kShown = 40;  // of an offending line, in a message
  bool crlf = false;
  std::size_t process = 0;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    if (newline == std::string_view::npos) {
      // Torn: the write that would have ended it never happened.
      file.torn_last_line = true;
      break;
    }
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline + 1);
    ++line_number;

    if (!file.has_header) {
      if (line.size() == header.size() + 1 && line.back() == '\r') {
        line.remove_suffix(1);
        crlf = line == header;
      }
      if (line != header) {
        const auto shown = std::string(line.substr(0, kShown));
        file.error = line.substr(0, kHeaderPrefix.size()) == kHeaderPrefix
                         ? "unsupported results file version: \"" + shown + "\""
                         : "not a deflake results file: it starts \"" + shown + "\"";
        return file;
      }
      file.has_header = true;
      continue;
    }
    if (crlf && !line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.substr(0, kHeaderPrefix.size()) == kHeaderPrefix) {
      // Another process appended to the same file; it must speak the same version.
      if (line != header) {
        file.error = "line " + std::to_string(line_number) +
                     ": unsupported results file version: \"" +
                     std::string(line.substr(0, kShown)) + "\"";
        return file;
      }
      ++process;
      continue;
    }
    std::string why;
    if (auto record = parse_record(line, why)) {
      record->process = process;
      file.records.push_back(std::move(*record));
    } else {
      ++file.malformed_lines;
      if (!file.first_malformed)
        file.first_malformed = "line " + std::to_string(line_number) + " " + why;
    }
  }
  return file;
}

ResultsFile read_results_file(const std::string& path) {
  const FileContents contents = read_whole_file(path);
  if (contents.error == ENOENT) return ResultsFile{};  // the process never wrote a line
  if (contents.error)
    return file_error("cannot read the results file " + path + ": " +
                      std::strerror(contents.error));
  auto file = parse_results_file(contents.text);
  if (file.error) file.error = path + ": " + *file.error;
  return file;
}

PairedResults pair_results(const std::vector<ResultsRecord>& records) {
  PairedResults paired;
  std::map<std::pair<std::size_t, std::uint64_t>, std::size_t> index;  // (process, iteration)
  for (const auto& record : records) {
    const auto key = std::make_pair(record.process, record.iteration);
    auto it = index.find(key);
    if (record.kind == ResultsRecord::Kind::start) {
      if (it == index.end()) {
        it = index.emplace(key, paired.iterations.size()).first;
        paired.iterations.push_back({record.process, record.iteration, record.run_seed, {}});
      }
      paired.iterations[it->second].tests.push_back({record.name, record.test_seed, std::nullopt});
      continue;
    }
    bool matched = false;
    if (it != index.end() && paired.iterations[it->second].run_seed == record.run_seed) {
      // Tests run one at a time, so the open start of this test is nearly
      // always the last one; search from the back.
      auto& tests = paired.iterations[it->second].tests;
      for (auto test = tests.rbegin(); test != tests.rend(); ++test) {
        if (!test->outcome && test->name == record.name && test->test_seed == record.test_seed) {
          test->outcome = record.outcome;
          matched = true;
          break;
        }
      }
    }
    if (!matched) ++paired.unmatched_ends;
  }
  return paired;
}

}  // namespace deflake
