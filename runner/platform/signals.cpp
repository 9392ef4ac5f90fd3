#include "platform/signals.hpp"

#include <string.h>

#include <atomic>

namespace deflake {
namespace {

volatile sig_atomic_t g_interrupts = 0;
volatile sig_atomic_t g_stops = 0;
volatile sig_atomic_t g_children = 0;
sigset_t g_wait_mask;

void on_signal(int sig) {
  switch (sig) {
    case SIGCHLD:
      g_children = g_children + 1;
      break;
    case SIGTSTP:
      g_stops = g_stops + 1;
      break;
    default:
      g_interrupts = g_interrupts + 1;
      break;
  }
}

constexpr int kHandled[] = {SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGCHLD};

void set_handler(int sig, void (*handler)(int)) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(sig, &action, nullptr);
}

}  // namespace

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  if (abbrev != nullptr) return std::string("SIG") + abbrev;
  return "SIG" + std::to_string(sig);
}

void install_signal_handlers() {
  sigset_t handled;
  sigemptyset(&handled);
  for (int sig : kHandled) sigaddset(&handled, sig);
  sigset_t old;
  sigprocmask(SIG_BLOCK, &handled, &old);
  g_wait_mask = old;
  for (int sig : kHandled) sigdelset(&g_wait_mask, sig);
  for (int sig : kHandled) set_handler(sig, on_signal);
  signal(SIGPIPE, SIG_IGN);
}

const sigset_t& wait_mask() {
  return g_wait_mask;
}

namespace {

/// Takes signals that are pending but were never delivered: when ppoll finds
/// a descriptor ready, the kernel returns without running handlers and puts
/// the blocked mask back, so a steady flood of output could otherwise hold
/// back SIGCHLD and Ctrl-C indefinitely.
void take_pending_signals() {
  sigset_t pending;
  if (sigpending(&pending) != 0) return;
  for (int sig : kHandled) {
    if (!sigismember(&pending, sig)) continue;
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    const timespec zero{0, 0};
    if (sigtimedwait(&one, nullptr, &zero) == sig) on_signal(sig);
  }
}

}  // namespace

SignalCounts take_signal_counts() {
  take_pending_signals();
  // The handled signals are blocked outside ppoll, so these reads and resets
  // cannot race with the handler.
  SignalCounts counts{g_interrupts, g_stops, g_children};
  g_interrupts = 0;
  g_stops = 0;
  g_children = 0;
  return counts;
}

void suspend_self() {
  set_handler(SIGTSTP, SIG_DFL);
  sigset_t tstp;
  sigemptyset(&tstp);
  sigaddset(&tstp, SIGTSTP);
  const timespec zero{0, 0};
  while (sigtimedwait(&tstp, nullptr, &zero) == SIGTSTP) {
  }  // a second Ctrl-Z already pending must not stop deflake twice
  sigprocmask(SIG_UNBLOCK, &tstp, nullptr);
  raise(SIGTSTP);  // stops here until SIGCONT
  sigprocmask(SIG_BLOCK, &tstp, nullptr);
  set_handler(SIGTSTP, on_signal);
}

}  // namespace deflake
