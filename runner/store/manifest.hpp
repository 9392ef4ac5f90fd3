// The environment a failure was found in (DESIGN.md "The store"): what
// `deflake repro` compares against the machine it replays on, so that "it
// does not fail here" comes with "and here is what differs".
#pragma once

#include <string>
#include <vector>

namespace deflake {

/// Where a run happened. An empty string means "not known / not present"
/// (no CUDA driver, a binary that could not be read); `gpus` is empty when
/// there is no GPU.
struct Manifest {
  std::string deflake_version;  // DEFLAKE_VERSION of the deflake that ran it
  std::string os;               // uname: sysname ("Linux")
  std::string kernel;           // uname: release
  std::string arch;             // uname: machine ("x86_64")
  std::string host;             // uname: nodename
  std::string cpu_model;        // /proc/cpuinfo "model name"
  std::string compiler;         // the compiler deflake was built with: "gcc 12.2.0", "clang 14.0.6"
  std::string binary_path;      // the tested binary, resolved (PATH, symlinks)
  std::string binary_sha256;    // 64 hex digits
  std::string cuda_driver_version;   // "12.4": the CUDA version the driver supports
  std::string cuda_runtime_version;  // "12.4": the libcudart found by dlopen
  std::vector<std::string> gpus;     // device names, in device order

  friend bool operator==(const Manifest&, const Manifest&) = default;
};

/// The manifest of this machine for `binary_path` (a path, or a name looked up
/// in PATH). Never throws and never needs CUDA: the driver and runtime are
/// found with dlopen at run time, and their absence means "no GPU". Cached
/// per binary for the life of the process (the GPU probe runs once).
Manifest collect_manifest(const std::string& binary_path);

/// The parts of collect_manifest that do not depend on the binary, uncached.
Manifest collect_host_manifest();

/// `name` resolved to an absolute path without symlinks: a path as given, or
/// the first executable of that name in PATH. Empty when not found.
std::string resolve_binary(const std::string& name);

/// One field that differs between two manifests.
struct ManifestDifference {
  std::string field;     // the JSON key: "compiler", "gpus", ...
  std::string recorded;  // as rendered for people: "none" for empty
  std::string now;
  friend bool operator==(const ManifestDifference&, const ManifestDifference&) = default;
};

/// Every field that differs, in declaration order (gpus compared as a list).
std::vector<ManifestDifference> compare_manifests(const Manifest& recorded, const Manifest& now);

/// "gcc 12.2.0 / CUDA 12.4 / NVIDIA A100-SXM4-80GB" or "gcc 12.2.0 / no GPU".
std::string manifest_summary(const Manifest& manifest);

/// One line for `deflake repro`: "recorded on gcc 12.2.0 / CUDA 12.4 / A100,
/// replaying on gcc 13.1.0 / no GPU", naming any other differing fields
/// ("; also differs: kernel, binary_sha256"). Empty when nothing differs.
std::string describe_manifest_change(const Manifest& recorded, const Manifest& now);

}  // namespace deflake
