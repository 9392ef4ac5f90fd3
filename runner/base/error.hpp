// The error style of each layer: a UsageError is the user's to fix (bad flag,
// bad input; exit 2 with a message that says what and where); anything else
// that escapes to main is deflake's bug (exit 3).
#pragma once

#include <stdexcept>
#include <string>

namespace deflake {

/// Exit codes of the deflake program (DESIGN.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,
  kExitUsage = 2,
  kExitInternal = 3,
  kExitInterrupted = 130,
};

/// A mistake in what the user asked for: reported as-is, exit 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The user pressed Ctrl-C before there was anything to report: exit 130.
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

/// A system call failed where deflake cannot go on.
class SystemError : public std::runtime_error {
 public:
  SystemError(const std::string& what, int err);
  int error_number() const { return err_; }

 private:
  int err_;
};

}  // namespace deflake
