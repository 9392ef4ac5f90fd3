#include "base/error.hpp"

#include <cstring>

namespace deflake {

SystemError::SystemError(const std::string& what, int err)
    : std::runtime_error(what + ": " + std::strerror(err)), err_(err) {}

}  // namespace deflake
