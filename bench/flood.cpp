// A test that prints a lot: writes SIZE bytes (default 2G; suffixes K, M, G
// are powers of 1024) of text to stdout in 64 KiB writes, then exits 0. Used
// by the memory case of the benchmark: the runner must stream this through
// its bounded capture without its own memory growing.
//
//   flood [SIZE]
#include <errno.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

bool parse_size(const char* text, std::uint64_t& out) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text) return false;
  std::uint64_t scale = 1;
  if (*end == 'K' || *end == 'k')
    scale = 1ULL << 10;
  else if (*end == 'M' || *end == 'm')
    scale = 1ULL << 20;
  else if (*end == 'G' || *end == 'g')
    scale = 1ULL << 30;
  else if (*end != '\0')
    return false;
  if (*end != '\0' && end[1] != '\0') return false;
  out = value * scale;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t left = 2ULL << 30;
  if (argc > 2 || (argc == 2 && !parse_size(argv[1], left))) {
    std::fprintf(stderr, "usage: flood [SIZE]   (e.g. 2G, 512M; default 2G)\n");
    return 2;
  }
  // 64 KiB of 63-character lines: text, as a chatty test would print.
  std::vector<char> chunk(64 * 1024);
  for (std::size_t i = 0; i < chunk.size(); ++i)
    chunk[i] = (i % 64 == 63) ? '\n' : static_cast<char>('a' + (i % 64) % 26);
  while (left > 0) {
    const std::size_t want = left < chunk.size() ? static_cast<std::size_t>(left) : chunk.size();
    const ssize_t n = ::write(STDOUT_FILENO, chunk.data(), want);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::perror("flood: write");
      return 1;
    }
    left -= static_cast<std::uint64_t>(n);
  }
  return 0;
}
