#include "platform/output_capture.hpp"

#include <gtest/gtest.h>

#include <random>

namespace deflake {
namespace {

TEST(OutputCapture, KeepsEverythingWhenSmall) {
  OutputCapture c(8, 8);
  c.append("hello\n");
  EXPECT_EQ(c.render(), "hello\n");
  EXPECT_EQ(c.total_bytes(), 6u);
}

TEST(OutputCapture, KeepsHeadAndTailAndCountsTheRest) {
  OutputCapture c(4, 4);
  c.append("abcdefghijklmnop");
  EXPECT_EQ(c.render(), "abcd\n[8 bytes omitted]\nmnop");
  EXPECT_EQ(c.total_bytes(), 16u);
}

TEST(OutputCapture, ExactlyFullIsNotTruncated) {
  OutputCapture c(4, 4);
  c.append("abcdefgh");
  EXPECT_EQ(c.render(), "abcdefgh");
}

// Whatever the chunking, the result equals the reference built from the whole
// text: chunks of every size through the ring buffer's wrap-around.
TEST(OutputCapture, ChunkingDoesNotMatter) {
  std::mt19937 rng(5);
  std::string text;
  for (int i = 0; i < 5000; ++i) text += static_cast<char>('a' + rng() % 26);
  OutputCapture whole(100, 300);
  whole.append(text);
  for (std::size_t chunk : {1u, 2u, 7u, 99u, 300u, 301u, 4096u}) {
    OutputCapture pieces(100, 300);
    for (std::size_t at = 0; at < text.size(); at += chunk)
      pieces.append(std::string_view(text).substr(at, chunk));
    EXPECT_EQ(pieces.render(), whole.render()) << "chunk " << chunk;
  }
  EXPECT_EQ(whole.render(), text.substr(0, 100) + "\n[4600 bytes omitted]\n" + text.substr(4700));
}

TEST(OutputCapture, MemoryStaysBoundedForAFlood) {
  OutputCapture c(16, 16);
  const std::string mb(1 << 20, 'z');
  for (int i = 0; i < 64; ++i) c.append(mb);
  EXPECT_EQ(c.total_bytes(), 64u << 20);
  EXPECT_LT(c.render().size(), 100u);
}

}  // namespace
}  // namespace deflake
