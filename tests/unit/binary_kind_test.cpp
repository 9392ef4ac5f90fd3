#include "discovery/binary_kind.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <deflake/results_protocol.hpp>
#include <fstream>
#include <string>

namespace deflake {
namespace {

// A temporary file, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/deflake_binary_kind_XXXXXX";
    const int fd = ::mkstemp(name);
    EXPECT_GE(fd, 0);
    ::close(fd);
    path_ = name;
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(BinaryKind, ThisTestBinaryIsGtest) {
  // Only is_gtest can be asserted here: inspect_binary() itself is linked in,
  // with every marker it searches for.
  const auto kind = inspect_binary("/proc/self/exe");
  EXPECT_EQ(kind.error, std::nullopt);
  EXPECT_TRUE(kind.is_gtest);
  EXPECT_FALSE(kind.is_script);
}

TEST(BinaryKind, TheShellIsNotGtest) {
  const auto kind = inspect_binary("/bin/sh");
  EXPECT_EQ(kind.error, std::nullopt);
  EXPECT_FALSE(kind.is_gtest);
  EXPECT_FALSE(kind.has_adapter);
  EXPECT_FALSE(kind.is_libfuzzer);
}

TEST(BinaryKind, FindsEachMarker) {
  const std::string filler(1000, 'x');
  EXPECT_TRUE(inspect_binary(TempFile(filler + "_ZN7testing4TestC2Ev").path()).is_gtest);
  EXPECT_TRUE(inspect_binary(TempFile(filler + "--gtest_list_tests").path()).is_gtest);
  const auto adapter = inspect_binary(TempFile(filler + results::kAdapterMarker).path());
  EXPECT_TRUE(adapter.has_adapter);
  EXPECT_FALSE(adapter.is_gtest);
  const auto fuzzer = inspect_binary(TempFile(filler + "LLVMFuzzerTestOneInput").path());
  EXPECT_TRUE(fuzzer.is_libfuzzer);
  EXPECT_FALSE(fuzzer.is_gtest);
  const auto none = inspect_binary(TempFile(filler + "_ZN7testin" + filler).path());
  EXPECT_FALSE(none.is_gtest);
  EXPECT_EQ(none.error, std::nullopt);
}

TEST(BinaryKind, FindsAMarkerSplitAcrossReads) {
  const std::string marker = results::kAdapterMarker;
  // Every split of the marker across the first and second reads, and across
  // the second and third.
  for (std::size_t boundary : {kInspectChunkBytes, 2 * kInspectChunkBytes}) {
    for (std::size_t before = 1; before < marker.size(); ++before) {
      std::string content(boundary - before, '\0');
      content += marker;
      content += std::string(100, '\0');
      const auto kind = inspect_binary(TempFile(content).path());
      EXPECT_TRUE(kind.has_adapter) << "boundary " << boundary << ", split at " << before;
    }
  }
}

TEST(BinaryKind, AScriptIsNotGtest) {
  const auto kind =
      inspect_binary(TempFile("#!/bin/sh\n# mentions --gtest_list_tests and _ZN7testing\n").path());
  EXPECT_TRUE(kind.is_script);
  EXPECT_FALSE(kind.is_gtest);
  EXPECT_EQ(kind.error, std::nullopt);
}

TEST(BinaryKind, EmptyAndTinyFiles) {
  EXPECT_EQ(inspect_binary(TempFile("").path()).error, std::nullopt);
  EXPECT_FALSE(inspect_binary(TempFile("#").path()).is_script);
}

TEST(BinaryKind, UnreadableFilesAreErrors) {
  const auto missing = inspect_binary("/nonexistent/deflake/binary");
  ASSERT_TRUE(missing.error.has_value());
  EXPECT_NE(missing.error->find("/nonexistent/deflake/binary"), std::string::npos);
  EXPECT_FALSE(missing.is_gtest);
  EXPECT_TRUE(inspect_binary("/tmp").error.has_value());       // a directory
  EXPECT_TRUE(inspect_binary("/dev/null").error.has_value());  // not a regular file
}

TEST(BinaryKind, ResolvesCommandsLikeExecvp) {
  EXPECT_EQ(resolve_command("./x/y", "/bin"), "./x/y");  // a '/': taken as is
  EXPECT_EQ(resolve_command("", "/bin"), std::nullopt);
  EXPECT_EQ(resolve_command("sh", "/nonexistent:/bin"), "/bin/sh");
  EXPECT_EQ(resolve_command("sh", nullptr), "/bin/sh");  // execvp's default path
  EXPECT_EQ(resolve_command("no-such-command-deflake", "/bin:/usr/bin"), std::nullopt);
  // Directories and files without execute permission are passed over.
  EXPECT_EQ(resolve_command("tmp", "/"), std::nullopt);
  TempFile plain("not executable");
  const auto slash = plain.path().rfind('/');
  const std::string dir = plain.path().substr(0, slash), base = plain.path().substr(slash + 1);
  EXPECT_EQ(resolve_command(base, dir.c_str()), std::nullopt);
  ::chmod(plain.path().c_str(), 0700);
  EXPECT_EQ(resolve_command(base, dir.c_str()), plain.path());
}

}  // namespace
}  // namespace deflake
