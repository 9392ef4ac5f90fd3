#include "discovery/gtest_discovery.hpp"

#include <fmt/format.h>

#include "base/error.hpp"
#include "base/text.hpp"
#include "parse/gtest_list.hpp"
#include "platform/signals.hpp"

namespace deflake {

GtestListing list_gtest_tests(Launcher& launcher, RunSpec spec, const std::string& filter) {
  spec.argv.push_back("--gtest_list_tests");
  if (!filter.empty()) spec.argv.push_back("--gtest_filter=" + filter);
  const std::string command = shell_join(spec.argv);
  launcher.start(spec);
  std::optional<RunRecord> done;
  bool interrupted = false;
  while (launcher.running() > 0) {
    LaunchEvents events = launcher.wait();
    for (auto& record : events.finished) done = std::move(record);
    if (events.interrupts > 0 && !interrupted) {
      interrupted = true;
      launcher.stop_all(StopLevel::kill);
    }
  }
  if (interrupted || !done || done->interrupted) throw Interrupted();
  if (done->outcome != Outcome::pass) {
    const std::string how =
        done->outcome == Outcome::timeout ? std::string("timed out")
        : done->status.signal
            ? "was killed by " + signal_name(*done->status.signal)
            : fmt::format("exited with code {}", done->status.exit_code.value_or(-1));
    throw UsageError(fmt::format("listing the tests failed: `{}` {}{}{}", command, how,
                                 done->output.empty() ? "" : ":\n", done->output.substr(0, 4096)));
  }
  const GtestList list = parse_gtest_list(done->output);
  if (list.error)
    throw UsageError(fmt::format("cannot read the test list of `{}`: {}", command, *list.error));
  GtestListing listing;
  for (const GtestCase& test : list.cases) {
    (test.disabled ? listing.disabled : listing.tests).push_back(test.full_name);
    listing.all.push_back(test.full_name);
  }
  return listing;
}

}  // namespace deflake
