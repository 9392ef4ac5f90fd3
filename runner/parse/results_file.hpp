// Reads the results file that a test binary linking deflake::gtest writes
// (the contract: adapters/include/deflake/results_protocol.hpp), and pairs
// each test's `start` with its `end`.
//
// The reader is lenient where a crash can leave damage and strict where the
// format itself is in doubt: a torn last line is dropped and a malformed line
// skipped and counted (a process killed mid-test must still be explained by
// what it managed to write), but a header of another version is an error,
// because reading a newer format as this one would misreport outcomes.
//
// Decisions the protocol leaves open:
// - "\r\n": the adapter writes "\n" only, and a name may hold '\r'. When the
//   first header line ends in '\r', the file went through a CRLF conversion,
//   and one trailing '\r' is dropped from every line; otherwise '\r' is kept
//   as a byte of the name.
// - NUL: the adapter's names come from C strings, so a line holding a NUL
//   byte is damage (zero-filled blocks after a machine crash) and is skipped
//   as malformed.
// - The file may hold several processes' output, each starting with its own
//   header line; records carry the index of the process that wrote them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/outcome.hpp"

namespace deflake {

/// One complete line of the results file after the header.
struct ResultsRecord {
  enum class Kind { start, end };
  Kind kind = Kind::start;
  std::size_t process = 0;  // which header line it follows (0 for the first)
  std::uint64_t iteration = 0;
  std::uint64_t run_seed = 0;
  std::uint64_t test_seed = 0;
  std::optional<Outcome> outcome;  // an `end` only: pass, fail or skip
  std::string name;

  friend bool operator==(const ResultsRecord&, const ResultsRecord&) = default;
};

/// A parsed results file.
struct ResultsFile {
  std::vector<ResultsRecord> records;          // in file order
  bool has_header = false;                     // false: the process wrote no complete line
  std::size_t malformed_lines = 0;             // skipped, not fatal
  std::optional<std::string> first_malformed;  // which line, and why, for messages
  bool torn_last_line = false;                 // a last line without '\n' was dropped
  /// Set when the file is not a results file of this version, or cannot be
  /// read; `records` then holds what came before the offending line.
  std::optional<std::string> error;
};

/// Parses the text of a results file. Never throws.
ResultsFile parse_results_file(std::string_view text);

/// Reads and parses the file at `path`. A file that does not exist is a
/// process that wrote nothing: no records and no error. Never throws.
ResultsFile read_results_file(const std::string& path);

/// One test that started in an iteration, and how it ended.
struct TestRun {
  std::string name;
  std::uint64_t test_seed = 0;
  std::optional<Outcome> outcome;  // nullopt: no `end`, the process died while it ran

  friend bool operator==(const TestRun&, const TestRun&) = default;
};

/// The tests of one iteration of one process, in the order they started.
struct IterationRuns {
  std::size_t process = 0;
  std::uint64_t iteration = 0;
  std::uint64_t run_seed = 0;
  std::vector<TestRun> tests;

  friend bool operator==(const IterationRuns&, const IterationRuns&) = default;
};

/// Pairs records into iterations, in order of first appearance.
struct PairedResults {
  std::vector<IterationRuns> iterations;
  std::size_t unmatched_ends = 0;  // an `end` with no open `start` of that test: ignored
};

/// Pairs each `start` with the `end` of the same test, process, iteration and seeds.
PairedResults pair_results(const std::vector<ResultsRecord>& records);

}  // namespace deflake
