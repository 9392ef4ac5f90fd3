#include "model/outcome.hpp"

namespace deflake {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::pass:
      return "pass";
    case Outcome::fail:
      return "fail";
    case Outcome::crash:
      return "crash";
    case Outcome::timeout:
      return "timeout";
    case Outcome::skip:
      return "skip";
  }
  return "unknown";
}

Outcome classify(const ExitStatus& status, bool signalled, std::optional<int> skip_exit_code) {
  if (signalled) return Outcome::timeout;
  if (status.signal) return Outcome::crash;
  const int code = status.exit_code.value_or(-1);
  if (skip_exit_code && code == *skip_exit_code) return Outcome::skip;
  return code == 0 ? Outcome::pass : Outcome::fail;
}

}  // namespace deflake
