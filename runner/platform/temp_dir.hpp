// Private temporary folders: one per deflake invocation, one per run inside it.
#pragma once

#include <string>

namespace deflake {

/// Removes a tree without following symlinks or crossing mounts. Returns
/// false when something could not be removed.
bool remove_tree(const std::string& path);

/// A folder made with mkdtemp under $TMPDIR (or /tmp), removed with its
/// contents on destruction.
class TempRoot {
 public:
  TempRoot();  // throws SystemError
  ~TempRoot();
  TempRoot(const TempRoot&) = delete;
  TempRoot& operator=(const TempRoot&) = delete;

  const std::string& path() const { return path_; }

  /// Makes an empty folder `name` inside the root, mode 0700; returns its path.
  std::string make_subdir(const std::string& name);

 private:
  std::string path_;
};

}  // namespace deflake
