// Private temporary folders: one per deflake invocation, one per run inside it.
#pragma once

#include <string>
#include <vector>

namespace deflake {

/// Removes a tree without following symlinks or crossing mounts. Returns
/// false when something could not be removed.
bool remove_tree(const std::string& path);

/// "/dev/shm" when it is a writable tmpfs, else "": a place for small files
/// that live for one run, where writing and removing them costs no disk
/// work (on ext4 mounted with `discard`, removing a written file issues a
/// block discard that costs more than a fast test).
std::string memory_backed_temp_base();

/// A folder made with mkdtemp under `base` (default: $TMPDIR, or /tmp),
/// removed with its contents on destruction.
class TempRoot {
 public:
  TempRoot();                                  // throws SystemError
  explicit TempRoot(const std::string& base);  // throws SystemError
  ~TempRoot();
  TempRoot(const TempRoot&) = delete;
  TempRoot& operator=(const TempRoot&) = delete;

  const std::string& path() const { return path_; }

  /// An empty folder `name` inside the root, mode 0700; returns its path.
  /// Recycles a folder given back empty (a rename), since creating and
  /// removing a folder per run costs more than a spawn on some filesystems
  /// (ext4 mounted with `discard` issues a block discard on every rmdir).
  std::string make_subdir(const std::string& name);

  /// Hands back a folder from make_subdir: kept for reuse when it is still an
  /// empty 0700 folder, removed with its contents otherwise.
  void give_back(const std::string& path);

 private:
  std::string path_;
  std::vector<std::string> spare_;  // empty folders ready to be renamed
};

}  // namespace deflake
