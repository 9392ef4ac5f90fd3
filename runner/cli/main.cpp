
#include <cstdio>
#include <exception>

#include "base/error.hpp"
#include "cli/bisect_command.hpp"
#include "cli/options.hpp"
#include "cli/repro_command.hpp"
#include "cli/run_command.hpp"

namespace {

void say(std::FILE* to, const char* prefix, const char* message) {
  std::fputs(prefix, to);
  std::fputs(message, to);
  std::fputs("\n", to);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace deflake;
  try {
    const ParsedCommandLine parsed = parse_command_line(argc, argv);
    switch (parsed.command) {
      case ParsedCommandLine::Command::run:
        return run_command(parsed.run);
      case ParsedCommandLine::Command::bisect:
        return bisect_command(parsed.bisect);
      case ParsedCommandLine::Command::repro:
        return repro_command(parsed.repro);
      case ParsedCommandLine::Command::none:
        return parsed.exit_code;
    }
  } catch (const Interrupted&) {
    return kExitInterrupted;
  } catch (const UsageError& e) {
    say(stderr, "deflake: error: ", e.what());  // never throws: stderr may be gone
    return kExitUsage;
  } catch (const std::exception& e) {
    say(stderr, "deflake: internal error: ", e.what());
    return kExitInternal;
  }
  return kExitInternal;
}
