// The manifest: collected here without CUDA (and without a GPU, where there
// is none), SHA-256 against known digests, and field-by-field comparison.
#include "store/manifest.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "base/error.hpp"
#include "platform/temp_dir.hpp"
#include "store/sha256.hpp"

namespace deflake {
namespace {

void put(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

bool is_hex64(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// The digests `sha256sum` prints for these contents (FIPS 180-2 vectors).
TEST(Sha256, MatchesSha256sum) {
  TempRoot temp;
  const std::string empty = temp.path() + "/empty";
  const std::string abc = temp.path() + "/abc";
  const std::string million = temp.path() + "/million";
  put(empty, "");
  put(abc, "abc");
  put(million, std::string(1000000, 'a'));  // many 64 KiB blocks and a partial one
  EXPECT_EQ(sha256_file_hex(empty),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_file_hex(abc),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_file_hex(million),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_EQ(sha256_hex("abc"), sha256_file_hex(abc));
  EXPECT_THROW(sha256_file_hex(temp.path() + "/missing"), SystemError);
}

TEST(Manifest, CollectsThisMachine) {
  const Manifest m = collect_manifest("/bin/sh");
  EXPECT_EQ(m.deflake_version, DEFLAKE_VERSION);
  EXPECT_EQ(m.os, "Linux");
  EXPECT_FALSE(m.kernel.empty());
  EXPECT_FALSE(m.arch.empty());
  EXPECT_TRUE(m.compiler.rfind("gcc ", 0) == 0 || m.compiler.rfind("clang ", 0) == 0) << m.compiler;
  EXPECT_EQ(m.binary_path.front(), '/');
  EXPECT_TRUE(is_hex64(m.binary_sha256)) << m.binary_sha256;
  EXPECT_EQ(m.binary_sha256, sha256_file_hex(m.binary_path));
  // Without a CUDA driver (this machine, CI) there is simply no GPU; with
  // one, a GPU comes with the driver's version.
  if (!m.gpus.empty()) {
    EXPECT_FALSE(m.cuda_driver_version.empty());
  }
  if (m.cuda_driver_version.empty()) {
    EXPECT_TRUE(m.gpus.empty());
  }
  EXPECT_EQ(collect_manifest("/bin/sh"), m);  // cached, and stable
}

TEST(Manifest, BinaryFromPathAndMissingBinary) {
  const std::string sh = resolve_binary("sh");
  ASSERT_FALSE(sh.empty());
  EXPECT_EQ(sh.front(), '/');
  EXPECT_EQ(resolve_binary("no-such-program-deflake-test"), "");
  EXPECT_EQ(resolve_binary(""), "");

  const Manifest missing = collect_manifest("./no/such/binary");
  EXPECT_EQ(missing.binary_path, "./no/such/binary");
  EXPECT_EQ(missing.binary_sha256, "");
  EXPECT_EQ(missing.os, "Linux");
}

TEST(Manifest, ResolvesSymlinks) {
  TempRoot temp;
  const std::string target = temp.path() + "/prog";
  put(target, "#!/bin/sh\n");
  ::chmod(target.c_str(), 0755);
  ASSERT_EQ(::symlink(target.c_str(), (temp.path() + "/link").c_str()), 0);
  EXPECT_EQ(resolve_binary(temp.path() + "/link"), target);
  const Manifest m = collect_manifest(temp.path() + "/link");
  EXPECT_EQ(m.binary_path, target);
  EXPECT_EQ(m.binary_sha256, sha256_hex("#!/bin/sh\n"));
}

Manifest example() {
  Manifest m;
  m.deflake_version = "0.1.0";
  m.os = "Linux";
  m.kernel = "6.1.0";
  m.arch = "x86_64";
  m.host = "ci-7";
  m.cpu_model = "AMD EPYC 7B13";
  m.compiler = "gcc 12.2";
  m.binary_path = "/src/build/t";
  m.binary_sha256 = std::string(64, '1');
  m.cuda_driver_version = "12.4";
  m.cuda_runtime_version = "12.4";
  m.gpus = {"A100"};
  return m;
}

TEST(Manifest, ComparesFieldByField) {
  EXPECT_TRUE(compare_manifests(example(), example()).empty());
  struct Change {
    const char* field;
    void (*apply)(Manifest&);
  };
  const Change changes[] = {
      {"deflake_version", [](Manifest& m) { m.deflake_version = "0.2.0"; }},
      {"os", [](Manifest& m) { m.os = "FreeBSD"; }},
      {"kernel", [](Manifest& m) { m.kernel = "6.5.0"; }},
      {"arch", [](Manifest& m) { m.arch = "aarch64"; }},
      {"host", [](Manifest& m) { m.host = "laptop"; }},
      {"cpu_model", [](Manifest& m) { m.cpu_model = "Intel"; }},
      {"compiler", [](Manifest& m) { m.compiler = "clang 17"; }},
      {"binary_path", [](Manifest& m) { m.binary_path = "/other/t"; }},
      {"binary_sha256", [](Manifest& m) { m.binary_sha256 = std::string(64, '2'); }},
      {"cuda_driver_version", [](Manifest& m) { m.cuda_driver_version = ""; }},
      {"cuda_runtime_version", [](Manifest& m) { m.cuda_runtime_version = "12.1"; }},
      {"gpus", [](Manifest& m) { m.gpus.push_back("A100"); }},
  };
  for (const auto& change : changes) {
    Manifest now = example();
    change.apply(now);
    const auto differences = compare_manifests(example(), now);
    ASSERT_EQ(differences.size(), 1u) << change.field;
    EXPECT_EQ(differences[0].field, change.field);
    EXPECT_NE(differences[0].recorded, differences[0].now);
  }
  Manifest none = example();
  none.cuda_driver_version.clear();
  EXPECT_EQ(compare_manifests(example(), none)[0],
            (ManifestDifference{"cuda_driver_version", "12.4", "none"}));
  Manifest two = example();
  two.gpus = {"A100", "H100"};
  EXPECT_EQ(compare_manifests(example(), two)[0],
            (ManifestDifference{"gpus", "A100", "A100, H100"}));
}

TEST(Manifest, SummaryLine) {
  EXPECT_EQ(manifest_summary(example()), "gcc 12.2 / CUDA 12.4 / A100");
  Manifest laptop = example();
  laptop.compiler = "gcc 13.1";
  laptop.cuda_driver_version.clear();
  laptop.cuda_runtime_version.clear();
  laptop.gpus.clear();
  EXPECT_EQ(manifest_summary(laptop), "gcc 13.1 / no GPU");
  EXPECT_EQ(describe_manifest_change(example(), laptop),
            "recorded on gcc 12.2 / CUDA 12.4 / A100, replaying on gcc 13.1 / no GPU");
  laptop.kernel = "6.9";
  laptop.binary_sha256 = std::string(64, '9');
  EXPECT_EQ(describe_manifest_change(example(), laptop),
            "recorded on gcc 12.2 / CUDA 12.4 / A100, replaying on gcc 13.1 / no GPU; also "
            "differs: kernel, binary_sha256");
  Manifest rebuilt = example();
  rebuilt.binary_sha256 = std::string(64, '3');
  EXPECT_EQ(describe_manifest_change(example(), rebuilt),
            "recorded on gcc 12.2 / CUDA 12.4 / A100, replaying on the same except: binary_sha256");
  EXPECT_EQ(describe_manifest_change(example(), example()), "");
}

}  // namespace
}  // namespace deflake
