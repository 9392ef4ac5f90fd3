// Tells what kind of test program a file is by reading its bytes, never by
// running it: running an unknown command with --gtest_list_tests could do
// anything, including the work the user did not ask for.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace deflake {

/// What inspect_binary() found in a file.
struct BinaryKind {
  bool is_script = false;     // starts with "#!": an interpreter runs it, never GoogleTest itself
  bool is_gtest = false;      // links GoogleTest, statically or dynamically
  bool has_adapter = false;   // links deflake::gtest (holds results::kAdapterMarker)
  bool is_libfuzzer = false;  // defines or uses LLVMFuzzerTestOneInput
  std::optional<std::string> error;  // the file could not be read; nothing else is set
};

/// The size of the reads inspect_binary() makes: memory stays bounded by it
/// whatever the file's size. Exposed so tests can split a marker across it.
inline constexpr std::size_t kInspectChunkBytes = 64 * 1024;

/// Reads the file at `path` (never runs it) and reports the markers it holds.
BinaryKind inspect_binary(const std::string& path);

/// Finds the file that execvp() would run for `name`: `name` itself when it
/// holds a '/', else the first executable regular file in the directories of
/// `path_env` (an empty entry is the current directory; null: "/bin:/usr/bin").
std::optional<std::string> resolve_command(const std::string& name, const char* path_env);

}  // namespace deflake
