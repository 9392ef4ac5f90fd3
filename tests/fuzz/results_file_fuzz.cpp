// Fuzzes the results-file reader (parse_results_file, then pair_results) and
// checks what they return: well-formed records, one test per `start`, every
// `end` either matched or counted, and records written back in the protocol's
// format read back the same.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deflake/results_protocol.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "parse/results_file.hpp"

namespace {

using deflake::ResultsRecord;

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "results_file_fuzz: invariant violated: %s\n", what);
  std::abort();
}
#define FUZZ_CHECK(condition) \
  if (!(condition)) violated(#condition)

const char* outcome_word(deflake::Outcome outcome) {
  switch (outcome) {
    case deflake::Outcome::pass: return "pass";
    case deflake::Outcome::fail: return "fail";
    case deflake::Outcome::skip: return "skip";
    default: violated("an `end` with an outcome other than pass, fail or skip");
  }
}

// The file the adapter would have written for `records`: a header line per process.
std::string write_back(const std::vector<ResultsRecord>& records) {
  const std::string header = std::string(deflake::results::kHeader) + "\n";
  std::string out = header;
  std::size_t process = 0;
  for (const auto& r : records) {
    for (; process < r.process; ++process) out += header;
    const bool start = r.kind == ResultsRecord::Kind::start;
    out += start ? deflake::results::kStart : deflake::results::kEnd;
    out += "\t" + std::to_string(r.iteration) + "\t" + std::to_string(r.run_seed) + "\t" +
           std::to_string(r.test_seed) + "\t";
    if (!start) out += std::string(outcome_word(*r.outcome)) + "\t";
    out += r.name + "\n";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto file = deflake::parse_results_file(input);

  if (!file.has_header) FUZZ_CHECK(file.records.empty());
  if (file.torn_last_line) FUZZ_CHECK(!input.empty() && input.back() != '\n');
  FUZZ_CHECK((file.malformed_lines == 0) == !file.first_malformed);
  std::size_t starts = 0;
  std::size_t ends = 0;
  std::size_t process = 0;
  for (const auto& r : file.records) {
    FUZZ_CHECK(!r.name.empty());
    FUZZ_CHECK(r.name.find_first_of(std::string_view("\t\n\0", 3)) == std::string::npos);
    FUZZ_CHECK(r.process >= process);  // in file order
    process = r.process;
    if (r.kind == ResultsRecord::Kind::start) {
      FUZZ_CHECK(!r.outcome);
      ++starts;
    } else {
      FUZZ_CHECK(r.outcome.has_value());
      ++ends;
    }
  }

  const auto again = deflake::parse_results_file(write_back(file.records));
  FUZZ_CHECK(again.has_header && !again.error && again.malformed_lines == 0 && !again.torn_last_line);
  FUZZ_CHECK(again.records == file.records);

  const auto paired = deflake::pair_results(file.records);
  std::size_t tests = 0;
  std::size_t matched = 0;
  for (const auto& iteration : paired.iterations) {
    FUZZ_CHECK(!iteration.tests.empty());  // an iteration appears with its first start
    tests += iteration.tests.size();
    for (const auto& test : iteration.tests) {
      FUZZ_CHECK(!test.name.empty());
      if (test.outcome) ++matched;
    }
  }
  FUZZ_CHECK(tests == starts);
  FUZZ_CHECK(matched + paired.unmatched_ends == ends);
  return 0;
}
