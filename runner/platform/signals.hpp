// deflake's own signal handling. Handlers only count signals; the event loop
// reads the counts. The signals are blocked everywhere except inside ppoll,
// so none is lost between a check and the wait (ninja's approach).
#pragma once

#include <signal.h>

#include <string>

namespace deflake {

/// "SIGSEGV" for 11; "SIG42" for a number without a name.
std::string signal_name(int sig);

/// Counts of signals received since install, read by the event loop.
struct SignalCounts {
  int interrupts = 0;  // SIGINT, SIGTERM, SIGHUP
  int stops = 0;       // SIGTSTP (Ctrl-Z)
  int children = 0;    // SIGCHLD
};

/// Installs the handlers and blocks the handled signals. Call once, before
/// any child is started. Also ignores SIGPIPE for deflake itself (a child
/// gets it back at its default).
void install_signal_handlers();

/// The signal mask to use inside ppoll: the caller's mask with the handled
/// signals unblocked.
const sigset_t& wait_mask();

/// Takes the counts accumulated since the last call.
SignalCounts take_signal_counts();

/// Suspends deflake as the default SIGTSTP action would, and returns once it
/// is continued (SIGCONT). The handlers are back in place on return.
void suspend_self();

}  // namespace deflake
