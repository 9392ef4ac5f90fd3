// Starts one child: its own process group, stdin on /dev/null, stdout and
// stderr on one pipe, signal mask cleared and SIGPIPE at its default.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/run.hpp"
#include "platform/fd.hpp"

namespace deflake {

struct SpawnRequest {
  const std::vector<std::string>* argv = nullptr;
  const std::vector<std::string>* env = nullptr;  // "NAME=value", the child's whole environment
  std::vector<ChildAction> actions;
  std::optional<std::uint64_t> memory_limit_bytes;  // RLIMIT_AS in the child
};

struct SpawnedChild {
  pid_t pid = -1;  // also the child's process group id
  Fd output;       // read end of the child's stdout+stderr pipe, O_NONBLOCK
};

/// A child that could not be started (the command does not exist, ...).
class SpawnError : public std::runtime_error {
 public:
  enum class Kind {
    bad_command,    // missing, not executable, not a program: the user's to fix
    knob_refused,   // a knob's action is not allowed here (personality under seccomp)
    limit_refused,  // --memory-limit could not be set
    system,         // out of processes, descriptors, ...
  };
  SpawnError(const std::string& command, int err);  // exec failed: kind from errno
  SpawnError(const std::string& message, int err, Kind kind);
  int error_number() const { return err_; }
  Kind kind() const { return kind_; }
  bool users_to_fix() const { return kind_ != Kind::system; }

 private:
  int err_;
  Kind kind_;
};

/// Starts the child. The common case goes through posix_spawn, which glibc
/// implements with a vfork-style clone: the cheapest start there is. Requests
/// that need work between fork and exec that posix_spawn cannot express
/// (memory limit, personality) take a fork path. Throws SpawnError.
SpawnedChild spawn_child(const SpawnRequest& request);

/// Sets deflake's own soft RLIMIT_CORE to 0 so that every child inherits it
/// (a core per failing run fills a disk). Unless `allow_cores`.
void limit_core_dumps(bool allow_cores);

}  // namespace deflake
