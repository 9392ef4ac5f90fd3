#include "report/replay.hpp"

#include "base/text.hpp"

namespace deflake {

std::string replay_command(const RunSpec& spec) {
  std::string line;
  if (!spec.env.unset.empty()) {
    line = "env";
    for (const auto& name : spec.env.unset) line += " -u " + shell_quote(name);
    line += ' ';
  }
  for (const auto& [name, value] : spec.env.set) line += name + "=" + shell_quote(value) + " ";
  for (ChildAction action : spec.actions)
    if (action == ChildAction::no_aslr) line += "setarch \"$(uname -m)\" -R ";  // pinned aslr
  return line + shell_join(spec.argv);
}

std::string replay_command(const SweepPlan& plan, std::uint64_t index) {
  return replay_command(plan.make_run(index));
}

}  // namespace deflake
