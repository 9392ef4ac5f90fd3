#include "platform/wait_status.hpp"

#include <sys/wait.h>

namespace deflake {

std::optional<ExitStatus> decode_child_info(const siginfo_t& info) {
  switch (info.si_code) {
    case CLD_EXITED:
      return ExitStatus::exited(info.si_status);
    case CLD_KILLED:
      return ExitStatus::killed(info.si_status, false);
    case CLD_DUMPED:
      return ExitStatus::killed(info.si_status, true);
    default:
      return std::nullopt;
  }
}

std::optional<ExitStatus> decode_wait_status(int status) {
  if (WIFEXITED(status)) return ExitStatus::exited(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return ExitStatus::killed(WTERMSIG(status), WCOREDUMP(status) != 0);
  return std::nullopt;
}

}  // namespace deflake
