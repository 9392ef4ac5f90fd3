#include <fmt/format.h>

#include <exception>

#include "base/error.hpp"
#include "cli/options.hpp"
#include "cli/run_command.hpp"

int main(int argc, char** argv) {
  using namespace deflake;
  try {
    const ParsedCommandLine parsed = parse_command_line(argc, argv);
    switch (parsed.command) {
      case ParsedCommandLine::Command::run:
        return run_command(parsed.run);
      case ParsedCommandLine::Command::none:
        return parsed.exit_code;
    }
  } catch (const UsageError& e) {
    fmt::print(stderr, "deflake: error: {}\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "deflake: internal error: {}\n", e.what());
    return kExitInternal;
  }
  return kExitInternal;
}
