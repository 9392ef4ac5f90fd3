#pragma once

#include <string>
#include <string_view>

namespace deflake {

/// Replaces `path` with `contents` so that a reader (or a crash at any
/// instant) sees the old file or the new one, never a mix: a temp file in the
/// same folder (a rename never crosses filesystems), fsync, rename, fsync of
/// the folder. Throws SystemError, loudly, on any failure.
void write_file_atomically(const std::string& path, std::string_view contents);

}  // namespace deflake
