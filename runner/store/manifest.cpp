#include "store/manifest.hpp"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <mutex>
#include <string_view>

#include "base/error.hpp"
#include "store/sha256.hpp"

namespace deflake {
namespace {

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

std::string built_with() {
#if defined(__clang__)
  return "clang " + trim(__clang_version__);
#elif defined(__GNUC__)
  return "gcc " + trim(__VERSION__);
#else
  return "unknown";
#endif
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    if (trim(std::string_view(line).substr(0, colon)) == "model name")
      return trim(std::string_view(line).substr(colon + 1));
  }
  return "";
}

// CUDA encodes versions as 1000 * major + 10 * minor: 12040 is 12.4.
std::string cuda_version(int encoded) {
  if (encoded <= 0) return "";
  return std::to_string(encoded / 1000) + "." + std::to_string((encoded % 1000) / 10);
}

struct GpuProbe {
  std::string driver_version;
  std::string runtime_version;
  std::vector<std::string> gpus;
};

// The driver API through dlsym, so that deflake neither links nor needs CUDA.
// The handles are never closed: unloading a GPU driver library is unsafe.
void probe_driver(GpuProbe& probe) {
  void* lib = ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) return;
  using Init = int (*)(unsigned);
  using GetInt = int (*)(int*);
  using DeviceGet = int (*)(int*, int);
  using DeviceGetName = int (*)(char*, int, int);
  const auto init = reinterpret_cast<Init>(::dlsym(lib, "cuInit"));
  const auto driver_version = reinterpret_cast<GetInt>(::dlsym(lib, "cuDriverGetVersion"));
  const auto device_count = reinterpret_cast<GetInt>(::dlsym(lib, "cuDeviceGetCount"));
  const auto device_get = reinterpret_cast<DeviceGet>(::dlsym(lib, "cuDeviceGet"));
  const auto device_name = reinterpret_cast<DeviceGetName>(::dlsym(lib, "cuDeviceGetName"));
  int version = 0;
  if (driver_version != nullptr && driver_version(&version) == 0)
    probe.driver_version = cuda_version(version);
  if (init == nullptr || device_count == nullptr || device_get == nullptr ||
      device_name == nullptr || init(0) != 0)
    return;  // no device (CUDA_ERROR_NO_DEVICE), or a driver without these entry points
  int count = 0;
  if (device_count(&count) != 0) return;
  for (int i = 0; i < count; ++i) {
    int device = 0;
    char name[256] = {};
    if (device_get(&device, i) != 0 || device_name(name, sizeof name - 1, device) != 0) continue;
    probe.gpus.emplace_back(name);
  }
}

void probe_runtime(GpuProbe& probe) {
  for (const char* name :
       {"libcudart.so", "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0"}) {
    void* lib = ::dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) continue;
    using GetVersion = int (*)(int*);
    const auto get = reinterpret_cast<GetVersion>(::dlsym(lib, "cudaRuntimeGetVersion"));
    int version = 0;
    if (get != nullptr && get(&version) == 0) probe.runtime_version = cuda_version(version);
    return;
  }
}

const GpuProbe& gpu_probe() {
  static const GpuProbe probe = [] {
    GpuProbe p;
    probe_driver(p);
    probe_runtime(p);
    return p;
  }();
  return probe;
}

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string real_path(const std::string& path) {
  char resolved[PATH_MAX];
  return ::realpath(path.c_str(), resolved) != nullptr ? std::string(resolved) : std::string();
}

std::string shown(const std::string& value) {
  return value.empty() ? "none" : value;
}

std::string join(const std::vector<std::string>& words, std::string_view separator) {
  std::string out;
  for (const auto& word : words) {
    if (!out.empty()) out += separator;
    out += word;
  }
  return out;
}

}  // namespace

std::string resolve_binary(const std::string& name) {
  if (name.empty()) return "";
  if (name.find('/') != std::string::npos) return real_path(name);
  const char* path_env = ::getenv("PATH");
  std::string_view path = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    const auto colon = path.find(':');
    std::string dir(path.substr(0, colon));
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + name;
    if (is_executable_file(candidate)) return real_path(candidate);
    if (colon == std::string_view::npos) return "";
    path.remove_prefix(colon + 1);
  }
}

Manifest collect_host_manifest() {
  Manifest m;
  m.deflake_version = DEFLAKE_VERSION;
  struct utsname names {};
  if (::uname(&names) == 0) {
    m.os = names.sysname;
    m.kernel = names.release;
    m.arch = names.machine;
    m.host = names.nodename;
  }
  m.cpu_model = cpu_model();
  m.compiler = built_with();
  const GpuProbe& gpu = gpu_probe();
  m.cuda_driver_version = gpu.driver_version;
  m.cuda_runtime_version = gpu.runtime_version;
  m.gpus = gpu.gpus;
  return m;
}

Manifest collect_manifest(const std::string& binary_path) {
  static std::mutex mutex;
  static std::map<std::string, Manifest> cache;
  const std::lock_guard<std::mutex> lock(mutex);
  const auto found = cache.find(binary_path);
  if (found != cache.end()) return found->second;
  Manifest m = collect_host_manifest();
  m.binary_path = resolve_binary(binary_path);
  if (m.binary_path.empty()) {
    m.binary_path = binary_path;  // as given: a shell builtin, a missing file
  } else {
    try {
      m.binary_sha256 = sha256_file_hex(m.binary_path);
    } catch (const SystemError&) {
      // Unreadable (execute-only): the hash stays unknown, the run goes on.
    }
  }
  cache.emplace(binary_path, m);
  return m;
}

std::vector<ManifestDifference> compare_manifests(const Manifest& recorded, const Manifest& now) {
  std::vector<ManifestDifference> out;
  auto field = [&out](const char* name, const std::string& a, const std::string& b) {
    if (a != b) out.push_back({name, shown(a), shown(b)});
  };
  field("deflake_version", recorded.deflake_version, now.deflake_version);
  field("os", recorded.os, now.os);
  field("kernel", recorded.kernel, now.kernel);
  field("arch", recorded.arch, now.arch);
  field("host", recorded.host, now.host);
  field("cpu_model", recorded.cpu_model, now.cpu_model);
  field("compiler", recorded.compiler, now.compiler);
  field("binary_path", recorded.binary_path, now.binary_path);
  field("binary_sha256", recorded.binary_sha256, now.binary_sha256);
  field("cuda_driver_version", recorded.cuda_driver_version, now.cuda_driver_version);
  field("cuda_runtime_version", recorded.cuda_runtime_version, now.cuda_runtime_version);
  if (recorded.gpus != now.gpus)
    out.push_back({"gpus", shown(join(recorded.gpus, ", ")), shown(join(now.gpus, ", "))});
  return out;
}

std::string manifest_summary(const Manifest& m) {
  std::string out = m.compiler.empty() ? "unknown compiler" : m.compiler;
  if (!m.cuda_driver_version.empty())
    out += " / CUDA " + m.cuda_driver_version;
  else if (!m.cuda_runtime_version.empty())
    out += " / CUDA runtime " + m.cuda_runtime_version;
  out += " / " + (m.gpus.empty() ? std::string("no GPU") : join(m.gpus, " + "));
  return out;
}

std::string describe_manifest_change(const Manifest& recorded, const Manifest& now) {
  const auto differences = compare_manifests(recorded, now);
  if (differences.empty()) return "";
  const std::string before = manifest_summary(recorded);
  const std::string after = manifest_summary(now);
  std::string line = before == after ? "recorded on " + before + ", replaying on the same"
                                     : "recorded on " + before + ", replaying on " + after;
  std::vector<std::string> others;
  for (const auto& d : differences) {
    // These change the summaries, which the line already shows side by side.
    // The CUDA runtime shows in a summary when there is no driver, and
    // follows a driver that comes or goes.
    const bool runtime_shown =
        (recorded.cuda_driver_version.empty() && now.cuda_driver_version.empty()) ||
        recorded.cuda_driver_version != now.cuda_driver_version;
    const bool in_summary = d.field == "compiler" || d.field == "gpus" ||
                            d.field == "cuda_driver_version" ||
                            (d.field == "cuda_runtime_version" && runtime_shown);
    if (!in_summary) others.push_back(d.field);
  }
  if (!others.empty())
    line += (before == after ? " except: " : "; also differs: ") + join(others, ", ");
  return line;
}

}  // namespace deflake
