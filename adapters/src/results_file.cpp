#include "results_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "deflake/results_protocol.hpp"

namespace deflake::gtest_adapter {

ResultsFile::ResultsFile(ResultsFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), warned_(other.warned_) {}

ResultsFile& ResultsFile::operator=(ResultsFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    warned_ = other.warned_;
  }
  return *this;
}

ResultsFile::~ResultsFile() {
  if (fd_ >= 0) ::close(fd_);  // Don't retry close on EINTR: the fd is gone either way.
}

ResultsFile ResultsFile::open(const char* path, std::string* error) {
  int fd;
  do {
    // O_CLOEXEC: a child the test execs must not inherit the file and write to it.
    fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    *error = std::string("cannot open results file ") + path + ": " + std::strerror(errno);
    return ResultsFile();
  }
  ResultsFile file(fd);
  file.write_line(std::string(results::kHeader) + "\n");
  return file;
}

void ResultsFile::write_start(std::uint64_t iteration, std::uint64_t run_seed,
                              std::uint64_t test_seed, std::string_view name) {
  if (is_open())
    write_line(format_record(results::kStart, iteration, run_seed, test_seed, "", name));
}

void ResultsFile::write_end(std::uint64_t iteration, std::uint64_t run_seed,
                            std::uint64_t test_seed, Outcome outcome, std::string_view name) {
  if (is_open()) {
    write_line(
        format_record(results::kEnd, iteration, run_seed, test_seed, outcome_name(outcome), name));
  }
}

void ResultsFile::write_line(const std::string& line) {
  // One write(2) on an O_APPEND descriptor puts the whole line at the end of
  // the file at once. A short write (disk full) is finished by a second call
  // rather than lost; the reader drops a torn last line anyway.
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t written = ::write(fd_, line.data() + done, line.size() - done);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      if (!warned_) {
        std::fprintf(stderr, "deflake: cannot write the results file: %s\n",
                     written < 0 ? std::strerror(errno) : "no progress");
        warned_ = true;
      }
      return;
    }
    done += static_cast<std::size_t>(written);
  }
}

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPass:
      return "pass";
    case Outcome::kFail:
      return "fail";
    case Outcome::kSkip:
      return "skip";
  }
  return "fail";
}

std::string format_record(std::string_view kind, std::uint64_t iteration, std::uint64_t run_seed,
                          std::uint64_t test_seed, std::string_view outcome,
                          std::string_view name) {
  std::string line(kind);
  for (const std::uint64_t number : {iteration, run_seed, test_seed}) {
    line += '\t';
    line += std::to_string(number);
  }
  if (!outcome.empty()) {
    line += '\t';
    line += outcome;
  }
  line += '\t';
  for (const char c : name) line += (c == '\t' || c == '\n') ? ' ' : c;
  line += '\n';
  return line;
}

}  // namespace deflake::gtest_adapter
