// SHA-256 through OpenSSL's EVP interface, for store file names and the
// manifest's binary hash. Streaming: a file of any size is hashed in bounded
// memory.
#pragma once

#include <string>
#include <string_view>

namespace deflake {

/// The SHA-256 of `data`, as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

/// The SHA-256 of the file at `path`, read in 64 KiB blocks, as 64 lowercase
/// hex digits. Throws SystemError (with the path) when it cannot be read.
std::string sha256_file_hex(const std::string& path);

}  // namespace deflake
