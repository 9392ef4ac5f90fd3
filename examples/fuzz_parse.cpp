// A libFuzzer target with a real bug, for `deflake run --libfuzzer`.
//
// It parses a tiny record format: the magic "DFK", a version byte, then
// records of [length byte][length bytes]. Version 2 follows each record with
// a checksum byte, and the bounds check forgot it: a version-2 record that
// ends exactly at the end of the input reads one byte past it (AddressSanitizer
// reports a heap-buffer-overflow). Coverage guides libFuzzer through the
// magic and the version one comparison at a time, so some seeds find the bug
// within a few thousand executions and others do not.
//
// FUZZ_FLAKY=1 adds a failure that no single input reproduces: the parser
// keeps a cache across calls (state beyond the input), and the 300th call
// aborts whatever its input. libFuzzer saves that input as the crash
// artifact, and the artifact passes when run alone.
//
// Build: clang++ -fsanitize=fuzzer,address -g -O1 fuzz_parse.cpp -o fuzz_parse
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace {

constexpr unsigned kFlakyCall = 300;

unsigned g_calls = 0;     // the "cache": grows with every input, never reset
volatile int g_sink = 0;  // keeps the parse from being optimised away

bool flaky_mode() {
  static const bool flaky = [] {
    const char* value = std::getenv("FUZZ_FLAKY");
    return value != nullptr && std::strcmp(value, "1") == 0;
  }();
  return flaky;
}

/// Sums the record bytes; returns -1 on a malformed input.
int parse(const std::uint8_t* data, std::size_t size) {
  if (size < 4 || std::memcmp(data, "DFK", 3) != 0) return -1;
  const std::uint8_t version = data[3];
  if (version != 1 && version != 2) return -1;
  int sum = 0;
  std::size_t at = 4;
  while (at < size) {
    const std::size_t length = data[at++];
    if (at + length > size) return -1;  // BUG: version 2 also needs room for the checksum
    for (std::size_t i = 0; i < length; ++i) sum += data[at + i];
    at += length;
    if (version == 2) {
      if (data[at] != static_cast<std::uint8_t>(sum)) return -1;  // reads past the end
      ++at;
    }
  }
  return sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (flaky_mode() && ++g_calls == kFlakyCall) std::abort();
  g_sink = parse(data, size);
  return 0;
}
