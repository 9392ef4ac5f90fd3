// Finding the processes a run leaves behind. deflake makes itself a child
// subreaper, so an orphaned descendant of any run (also one that escaped its
// process group with setsid) is reparented to deflake instead of to init,
// where deflake can see it, attribute it to its run and kill it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deflake {

/// PR_SET_CHILD_SUBREAPER on deflake itself. false when the kernel refuses.
bool become_subreaper();

/// deflake's direct children, zombies included (from /proc/self/task/*/children).
std::vector<pid_t> list_children();

/// The value of one variable in another process's environment, as it was at
/// exec (from /proc/PID/environ); nullopt when unreadable or absent.
std::optional<std::string> read_environment_variable(pid_t pid, std::string_view name);

}  // namespace deflake
