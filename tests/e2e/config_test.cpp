// deflake.toml end to end: defaults under the flags, named tests, user
// knobs, `deflake knobs`, and bad files of every kind (exit 2, file:line:col).
#include <gtest/gtest.h>

#include <fstream>

#include "support/deflake_test.hpp"

namespace e2e {
namespace {

using Config = DeflakeTest;

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST_F(Config, FileDefaultsApplyUnderTheFlags) {
  write(dir() + "/deflake.toml", "[run]\nruns = 7\nseed = 42\n");
  const Result from_file = sweep({"--config", dir() + "/deflake.toml"}, {"true"});
  ASSERT_EQ(from_file.code(), 0) << from_file;
  EXPECT_EQ(from_file.target()["runs"], 7);
  EXPECT_EQ(from_file.report["master_seed"], 42);
  const Result flag_wins = sweep({"--config", dir() + "/deflake.toml", "-n", "3"}, {"true"});
  EXPECT_EQ(flag_wins.target()["runs"], 3);
  EXPECT_EQ(flag_wins.report["master_seed"], 42);
}

TEST_F(Config, NamedTestsAndUserKnobs) {
  write(dir() + "/deflake.toml",
        "[run]\nruns = 5\n\n"
        "[tests.needs_env]\ncommand = [\"/bin/sh\", \"-c\", \"test \\\"$GREETING\\\" = hi\"]\n"
        "env = { GREETING = \"hi\" }\n\n"
        "[knobs.cache]\ndescription = \"the result cache\"\n"
        "pinned = { env = { APP_CACHE = \"off\" } }\nfree = { unset = [\"APP_CACHE\"] }\n");
  const std::string config = dir() + "/deflake.toml";
  const Result named = deflake({"run", "--config", config, "--json", report_path(), "needs_env"});
  EXPECT_EQ(named.code(), 0) << named;
  EXPECT_EQ(named.target()["name"], "needs_env");
  EXPECT_EQ(named.target()["runs"], 5);
  const Result unknown = deflake({"run", "--config", config, "needs_envv"});
  EXPECT_EQ(unknown.code(), 2) << unknown;
  EXPECT_NE(unknown.err.find("did you mean 'needs_env'"), std::string::npos) << unknown;
  const Result pinned =
      sweep({"--config", config, "--pin", "cache"}, {"/bin/sh", "-c", "test \"$APP_CACHE\" = off"});
  EXPECT_EQ(pinned.code(), 0) << pinned;
  EXPECT_EQ(pinned.report["pinned"], nlohmann::json::array({"cache"}));
  const Result listed = deflake({"knobs", "--config", config});
  EXPECT_EQ(listed.code(), 0) << listed;
  EXPECT_NE(listed.out.find("cache"), std::string::npos) << listed;
  EXPECT_NE(listed.out.find("APP_CACHE=off"), std::string::npos) << listed;
  EXPECT_NE(listed.out.find("atomics"), std::string::npos) << listed;
}

// RELIABILITY case 19: every kind of bad file is exit 2 with file:line:col.
TEST_F(Config, BadFilesPointAtTheLine) {
  const std::string path = dir() + "/bad.toml";
  struct Case {
    std::string text, where, what;
  };
  const std::vector<Case> cases = {
      {"[run]\nruns = \n", "bad.toml:2:", ""},                       // syntax error
      {"[run]\ntimeout = \"slow\"\n", "bad.toml:2:", "timeout"},     // wrong type
      {"[run]\nrunz = 3\n", "bad.toml:2:1", "did you mean 'runs'"},  // unknown key
      {"[run]\ntimeout = -1\n", "bad.toml:2:", "timeout"},           // negative
      {"[run]\nruns = 1e400\n", "bad.toml:2:", ""},                  // out of range
      {"[run]\nfilter = \"a\xff\"\n", "bad.toml:2:", "UTF-8"},       // bad UTF-8
      {"[run]\nruns = 1\nruns = 2\n", "bad.toml:3:", ""},            // duplicate key
      {std::string(2000, '[') + "\n", "bad.toml:1:", ""},            // deep nesting
  };
  for (const Case& c : cases) {
    write(path, c.text);
    const Result r = sweep({"--config", path}, {"true"});
    EXPECT_EQ(r.code(), 2) << c.text << r;
    EXPECT_NE(r.err.find(c.where), std::string::npos) << c.text << r;
    if (!c.what.empty()) {
      EXPECT_NE(r.err.find(c.what), std::string::npos) << c.text << r;
    }
  }
  write(path, "\xEF\xBB\xBF[run]\r\nruns = 2\r\n");  // a BOM and CRLF are fine
  const Result bom = sweep({"--config", path}, {"true"});
  EXPECT_EQ(bom.code(), 0) << bom;
  EXPECT_EQ(bom.target()["runs"], 2);
}

}  // namespace
}  // namespace e2e
