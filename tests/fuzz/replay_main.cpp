// A stand-in for libFuzzer's main() in builds without it (gcc, the sanitizer
// builds): feeds LLVMFuzzerTestOneInput every regular file under the
// directories or files named on the command line, once each, so that the
// checked-in corpus is a regression test wherever the tests run.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::vector<std::filesystem::path> inputs(const char* arg) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  if (fs::is_directory(arg)) {
    for (const auto& entry : fs::recursive_directory_iterator(arg))
      if (entry.is_regular_file()) files.push_back(entry.path());
  } else {
    files.emplace_back(arg);
  }
  std::sort(files.begin(), files.end());  // a stable order, for reading failures
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    for (const auto& path : inputs(argv[i])) {
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "cannot read %s\n", path.c_str());
        return 2;
      }
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      // Named before the call: a failing check aborts, and this says on which input.
      std::fprintf(stderr, "replaying %s\n", path.c_str());
      // A copy in its own allocation, so that ASan catches a read past the end.
      std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
      LLVMFuzzerTestOneInput(data.data(), data.size());
      ++count;
    }
  }
  if (count == 0) {
    std::fprintf(stderr, "no corpus files found\n");
    return 2;
  }
  std::fprintf(stderr, "replayed %zu inputs\n", count);
  return 0;
}
