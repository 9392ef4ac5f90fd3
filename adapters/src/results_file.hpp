// The writer side of the results file (deflake/results_protocol.hpp): one
// append-only descriptor, one write(2) per line, so that a process that dies
// between two tests leaves only whole lines behind.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace deflake::gtest_adapter {

/// How a test ended, as the protocol spells it.
enum class Outcome { kPass, kFail, kSkip };

/// An open results file. Move-only; closes its descriptor when destroyed.
class ResultsFile {
 public:
  /// A file that writes nothing (DEFLAKE_RESULTS unset).
  ResultsFile() = default;
  ResultsFile(const ResultsFile&) = delete;
  ResultsFile& operator=(const ResultsFile&) = delete;
  ResultsFile(ResultsFile&& other) noexcept;
  ResultsFile& operator=(ResultsFile&& other) noexcept;
  ~ResultsFile();

  /// Opens `path` for appending (creating it 0644) and writes the header line.
  /// On failure returns a file that writes nothing and sets *error.
  static ResultsFile open(const char* path, std::string* error);

  /// Whether lines go anywhere.
  bool is_open() const { return fd_ >= 0; }

  /// Records that test `name` is about to run.
  void write_start(std::uint64_t iteration, std::uint64_t run_seed, std::uint64_t test_seed,
                   std::string_view name);
  /// Records how test `name` ended.
  void write_end(std::uint64_t iteration, std::uint64_t run_seed, std::uint64_t test_seed,
                 Outcome outcome, std::string_view name);

 private:
  explicit ResultsFile(int fd) : fd_(fd) {}
  void write_line(const std::string& line);

  int fd_ = -1;
  bool warned_ = false;
};

/// The protocol's word for an outcome.
std::string_view outcome_name(Outcome outcome);

/// One record line, '\n' included: `kind` and the numbers, then `outcome`
/// when not empty, then the name with any tab or newline made a space (the
/// name is the last field and may hold any other byte).
std::string format_record(std::string_view kind, std::uint64_t iteration, std::uint64_t run_seed,
                          std::uint64_t test_seed, std::string_view outcome, std::string_view name);

}  // namespace deflake::gtest_adapter
