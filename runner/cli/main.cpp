
#include <cstdio>
#include <exception>

#include "base/error.hpp"
#include "cli/bisect_command.hpp"
#include "cli/options.hpp"
#include "cli/repro_command.hpp"
#include "cli/run_command.hpp"
#include "cli/store_command.hpp"
#include "config/config.hpp"
#include "config/knob_listing.hpp"
#include "knobs/catalog.hpp"

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
        return run_command(parsed.run, parsed.config.get());
      case ParsedCommandLine::Command::knobs: {
        std::vector<Knob> user;
        for (const Knob* knob : user_knobs()) user.push_back(*knob);
        std::fputs(render_knobs(builtin_knobs(), user,
                                parsed.config ? parsed.config->path : std::string("deflake.toml"))
                       .c_str(),
                   stdout);
        return kExitOk;
      }
      case ParsedCommandLine::Command::store:
        return store_command(parsed.store);
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
