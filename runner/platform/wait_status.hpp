// Decoding how a child ended into a typed ExitStatus (rr's WaitStatus): the
// kernel's encodings stay here, and nothing else does 128+N arithmetic.
#pragma once

#include <signal.h>

#include <optional>

#include "model/outcome.hpp"

namespace deflake {

/// From waitid's siginfo. nullopt for a stop or continue (the child lives on).
std::optional<ExitStatus> decode_child_info(const siginfo_t& info);

/// From a waitpid/wait4 status word. nullopt for a stop or continue.
std::optional<ExitStatus> decode_wait_status(int status);

}  // namespace deflake
