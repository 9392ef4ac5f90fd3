#pragma once

#include <string>

namespace deflake {

/// A whole file's contents, or the errno that stopped the read.
struct FileContents {
  std::string text;
  int error = 0;  // 0: read whole; ENOENT: no such file; ...
};

/// Reads all of `path` (retrying reads that a signal interrupts).
FileContents read_whole_file(const std::string& path);

}  // namespace deflake
