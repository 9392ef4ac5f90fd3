// cause: seed (culprits [seed]; the outcome is a function of DEFLAKE_SEED)
//
// The code under test splits a message into frames of 6 bytes and joins them
// again; its latent bug drops the last frame when the message length is an
// exact multiple of 6. The test draws the message from the run's seed
// (deflake::rng(), portable distributions): lengths 1..40, of which 6 (the
// multiples of 6) hit the bug, so 15% of seeds fail. Everything else is
// deterministic: no threads, no clock, no addresses, no environment besides
// DEFLAKE_SEED, so a failing seed fails on every replay with every knob
// pinned, and a passing seed always passes.
#include <cstdio>
#include <string>
#include <vector>

#include "deflake/seed.hpp"

namespace {

constexpr std::size_t kFrame = 6;

std::vector<std::string> split_frames(const std::string& message) {
  std::vector<std::string> frames;
  std::size_t pos = 0;
  // The bug: `<` should be `<=`; the last frame, when full, is neither taken
  // here nor as the remainder below.
  for (; pos + kFrame < message.size(); pos += kFrame)
    frames.push_back(message.substr(pos, kFrame));
  if (message.size() % kFrame != 0) frames.push_back(message.substr(pos));
  return frames;
}

std::string join_frames(const std::vector<std::string>& frames) {
  std::string message;
  for (const auto& frame : frames) message += frame;
  return message;
}

}  // namespace

int main() {
  auto& rng = deflake::rng();
  const auto length = deflake::uniform_int(rng, 1, 40);
  std::string message;
  for (std::uint64_t i = 0; i < length; ++i)
    message.push_back(static_cast<char>('a' + deflake::uniform_int(rng, 0, 25)));
  const std::string round_trip = join_frames(split_frames(message));
  if (round_trip != message) {
    std::printf("FAIL: %zu bytes came back as %zu: \"%s\" -> \"%s\"\n", message.size(),
                round_trip.size(), message.c_str(), round_trip.c_str());
    return 1;
  }
  std::printf("ok: %zu bytes\n", message.size());
  return 0;
}
