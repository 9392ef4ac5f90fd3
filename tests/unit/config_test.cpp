// deflake.toml: the loader's values, and its errors (RELIABILITY.md case 19),
// each asserted with its exact file:line:col.
#include "config/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "config/knob_listing.hpp"
#include "config/nesting_guard.hpp"

namespace deflake {
namespace {

namespace fs = std::filesystem;

const fs::path kHere = fs::path(__FILE__).parent_path();
const fs::path kConfigs = kHere / "configs";
const fs::path kCorpus = kHere.parent_path() / "fuzz" / "corpus" / "config";

// The message of the ConfigError that parsing `text` throws ("" when none).
std::string error_of(std::string_view text) {
  try {
    parse_config(text, "x.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_CONFIG_ERROR(text, message) EXPECT_EQ(error_of(text), message)

TEST(Config, FullRoundTrip) {
  const std::string path = (kConfigs / "full.toml").string();
  const ConfigFile file = load_config_file(path);
  EXPECT_EQ(file.path, path);

  const RunSection& run = file.run;
  EXPECT_EQ(run.runs, 200u);
  EXPECT_EQ(run.seed, "1234");
  EXPECT_EQ(run.jobs, 8u);
  EXPECT_EQ(run.timeout_s, 30.0);
  EXPECT_EQ(run.grace_s, 2.5);
  EXPECT_EQ(run.until_fail, false);
  EXPECT_EQ(run.pin, (std::vector<std::string>{"threads", "aslr"}));
  EXPECT_EQ(run.free, (std::vector<std::string>{"order", "gpu-mem"}));
  EXPECT_EQ(run.json, "out/report.json");
  EXPECT_EQ(run.junit, "out/junit.xml");
  EXPECT_EQ(run.store, ".deflake");
  EXPECT_EQ(run.memory_limit, "2G");
  EXPECT_EQ(run.skip_exit_code, 77);
  EXPECT_EQ(run.leak_window_s, 0.5);
  EXPECT_EQ(run.core_dumps, true);
  EXPECT_EQ(run.gtest, true);
  EXPECT_EQ(run.filter, "Parser.*");
  EXPECT_EQ(run.strategy, "batched");
  EXPECT_EQ(run.batch_size, 50u);
  EXPECT_EQ(run.libfuzzer, false);
  EXPECT_EQ(run.amplify, Amplify::chaos);
  EXPECT_EQ(run.shard, "2/4");
  EXPECT_EQ(run.quiet, false);
  EXPECT_EQ(run.verbose, true);

  EXPECT_EQ(file.bisect.confidence, 0.99);
  EXPECT_EQ(file.bisect.max_runs, 5000u);
  EXPECT_EQ(file.bisect.runs, 300u);
  EXPECT_EQ(file.bisect.pin, (std::vector<std::string>{"tf32"}));
  EXPECT_FALSE(file.bisect.seed.has_value());  // absent stays absent: [run] applies

  EXPECT_EQ(file.ctest.reruns, 3u);
  EXPECT_EQ(file.ctest.allow_flaky, true);
  EXPECT_EQ(file.ctest.jobs, 4u);
  EXPECT_EQ(file.ctest.seed, "18446744073709551615");
  EXPECT_EQ(file.repro.runs, 10u);

  EXPECT_EQ(file.test_order, (std::vector<std::string>{"parser", "fuzz"}));  // file order
  ASSERT_EQ(file.tests.size(), 2u);
  const TestSpec& parser = file.tests.at("parser");
  EXPECT_EQ(parser.name, "parser");
  EXPECT_EQ(parser.command,
            (std::vector<std::string>{"./build/parser_test", "--seed={seed}", "two words"}));
  EXPECT_EQ(parser.env, (std::vector<std::pair<std::string, std::string>>{
                            {"LANG", "C"}, {"PARSER_MODE", "strict"}}));
  EXPECT_EQ(parser.options.timeout_s, 5.0);
  EXPECT_EQ(parser.working_directory, "build");
  EXPECT_EQ(parser.kind, "gtest");
  EXPECT_EQ(parser.options.runs, 1000u);
  EXPECT_EQ(parser.options.filter, "Parser.*");
  EXPECT_EQ(parser.options.strategy, "suite");
  EXPECT_EQ(parser.options.free, (std::vector<std::string>{"order"}));
  const TestSpec& fuzz = file.tests.at("fuzz");
  EXPECT_EQ(fuzz.command, (std::vector<std::string>{"./build/fuzz_target", "-runs=1000"}));
  EXPECT_EQ(fuzz.kind, "libfuzzer");
  EXPECT_FALSE(fuzz.options.runs.has_value());

  ASSERT_EQ(file.knobs.size(), 2u);
  const Knob& gpu = file.knobs[0];
  EXPECT_EQ(gpu.name, "gpu-mem");
  EXPECT_EQ(gpu.source, "GPU memory pool");
  EXPECT_EQ(gpu.pinned.env.set, (std::vector<std::pair<std::string, std::string>>{
                                    {"PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:False"},
                                    {"POOL_SEED", "{seed}"}}));
  EXPECT_TRUE(gpu.pinned.env.unset.empty());
  EXPECT_TRUE(gpu.free.env.set.empty());
  EXPECT_EQ(gpu.free.env.unset, (std::vector<std::string>{"PYTORCH_CUDA_ALLOC_CONF", "POOL_SEED"}));
  EXPECT_EQ(gpu.pinned.summary,
            "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:False, POOL_SEED={seed}");
  EXPECT_EQ(gpu.free.summary, "unset PYTORCH_CUDA_ALLOC_CONF POOL_SEED");
  const Knob& locale = file.knobs[1];
  EXPECT_EQ(locale.name, "locale");
  EXPECT_EQ(locale.pinned.env.set,
            (std::vector<std::pair<std::string, std::string>>{{"LC_ALL", "C"}}));
  EXPECT_EQ(locale.free.env.set,
            (std::vector<std::pair<std::string, std::string>>{{"LC_ALL", "tr_TR.UTF-8"}}));
  EXPECT_EQ(locale.free.env.unset, (std::vector<std::string>{"LANG"}));
  EXPECT_EQ(locale.free.summary, "LC_ALL=tr_TR.UTF-8, unset LANG");

  EXPECT_EQ(find_knob(file, "gpu-mem"), &file.knobs[0]);
  EXPECT_EQ(find_knob(file, "threads"), find_knob("threads"));
  EXPECT_EQ(find_knob(file, "nope"), nullptr);
}

TEST(Config, EmptyFileIsAllAbsent) {
  const ConfigFile file = parse_config("# nothing\n", "x.toml");
  EXPECT_FALSE(file.run.runs.has_value());
  EXPECT_FALSE(file.run.pin.has_value());
  EXPECT_TRUE(file.tests.empty());
  EXPECT_TRUE(file.knobs.empty());
}

TEST(Config, BomAndCrlfAccepted) {
  const ConfigFile file = load_config_file((kConfigs / "bom_crlf.toml").string());
  EXPECT_EQ(file.run.runs, 3u);
  EXPECT_EQ(file.run.pin, (std::vector<std::string>{"threads"}));
  EXPECT_EQ(file.tests.at("a").command, (std::vector<std::string>{"./a"}));
  // Positions after a BOM count from the first character after it.
  EXPECT_CONFIG_ERROR("\xEF\xBB\xBF[run]\r\nrunz = 3\r\n",
                      "x.toml:2:1: unknown key 'runz' in [run] (did you mean 'runs'?)");
}

TEST(Config, ConfigErrorIsAUsageError) {
  try {
    parse_config("[run]\nruns = 0\n", "x.toml");
    FAIL() << "no error";
  } catch (const UsageError& e) {  // exits 2
    EXPECT_STREQ(e.what(), "x.toml:2:8: run.runs: expected a positive integer, got 0");
  }
}

TEST(Config, SyntaxErrors) {
  EXPECT_CONFIG_ERROR("[run]\nruns = \n",
                      "x.toml:2:8: error while parsing key-value pair: expected value, saw '\\n'");
  EXPECT_CONFIG_ERROR("[run\n",
                      "x.toml:1:5: error while parsing table header: expected ']', saw '\\n'");
}

TEST(Config, InvalidUtf8) {
  EXPECT_CONFIG_ERROR("[run]\nfilter = \"\xff\xfe\"\n",
                      "x.toml:2:11: invalid UTF-8: deflake.toml must be UTF-8 text");
  EXPECT_CONFIG_ERROR("# comment \xc3\n",
                      "x.toml:1:11: invalid UTF-8: deflake.toml must be UTF-8 text");
  // Columns count code points: é, € and 😀 are one column each.
  const auto at =
      find_invalid_utf8("\xEF\xBB\xBFok\n# \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xC0\xAF\n");
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(at->line, 2u);
  EXPECT_EQ(at->column, 6u);
  EXPECT_TRUE(find_invalid_utf8("\xED\xA0\x80").has_value());      // a surrogate
  EXPECT_TRUE(find_invalid_utf8("\xF4\x90\x80\x80").has_value());  // past U+10FFFF
  EXPECT_TRUE(find_invalid_utf8("ab\xE2\x82").has_value());        // cut short
  EXPECT_FALSE(
      find_invalid_utf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF").has_value());
}

TEST(Config, DuplicateKeys) {
  EXPECT_CONFIG_ERROR("[run]\nruns = 1\nruns = 2\n",
                      "x.toml:3:8: error while parsing key-value pair: cannot redefine existing "
                      "integer 'runs' (a key or table may be defined only once)");
  EXPECT_NE(error_of("[run]\n[run]\n").find("x.toml:2:1: "), std::string::npos);
}

TEST(Config, DeepNestingRejectedWithoutCrash) {
  const std::string arrays = "a=" + std::string(100000, '[');
  EXPECT_CONFIG_ERROR(arrays,
                      "x.toml:1:131: nesting deeper than 128 levels (tables, dotted keys, arrays "
                      "and inline tables together)");
  std::string dotted = "a";
  for (int i = 0; i < 100000; ++i) dotted += ".a";
  EXPECT_NE(error_of(dotted + " = 1\n").find("x.toml:1:258: nesting deeper"), std::string::npos);
  std::string header = "[a";
  for (int i = 0; i < 100000; ++i) header += ".a";
  EXPECT_NE(error_of(header + "]\n").find("x.toml:1:257: nesting deeper"), std::string::npos);
  std::string inline_tables = "a = ";
  for (int i = 0; i < 100000; ++i) inline_tables += "{b.c = ";
  EXPECT_NE(error_of(inline_tables).find("x.toml:1:"), std::string::npos);
}

TEST(Config, NestingGuardSkipsStringsCommentsAndNumbers) {
  const std::string brackets(1000, '[');
  const std::string dots(1000, '.');
  const std::string text = "[run]\nfilter = \"" + brackets + dots + "\" # " + brackets + "\n" +
                           "json = '" + dots + "'\nstore = '''\n" + brackets + "\n'''\n";
  EXPECT_FALSE(find_excess_nesting(text, 2).has_value());
  EXPECT_EQ(parse_config(text, "x.toml").run.filter, brackets + dots);
  // A float's dot is no key's: 128 arrays around 1.5 are within the limit.
  const std::string floats = "a = " + std::string(127, '[') + "1.5" + std::string(127, ']') + "\n";
  EXPECT_FALSE(find_excess_nesting(floats, kMaxConfigNesting).has_value());
  EXPECT_EQ(error_of("[knobs.k.pinned]\nenv = { A = \"1\" }\n"), "");
  const auto at = find_excess_nesting("a = 1\nb.c.d = 2\n", 1);
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(at->line, 2u);
  EXPECT_EQ(at->column, 4u);
}

TEST(Config, WrongTypes) {
  EXPECT_CONFIG_ERROR("[run]\ntimeout = \"5\"\n",
                      "x.toml:2:11: run.timeout: expected a number of seconds ≥ 0, got a string");
  EXPECT_CONFIG_ERROR("[run]\nuntil_fail = 1\n",
                      "x.toml:2:14: run.until_fail: expected true or false, got 1");
  EXPECT_CONFIG_ERROR("[run]\npin = 3\n",
                      "x.toml:2:7: run.pin: expected knob names: an array such as [\"threads\", "
                      "\"aslr\"], got 3");
  EXPECT_CONFIG_ERROR("run = 3\n", "x.toml:1:7: run: expected a table of options, got 3");
  EXPECT_CONFIG_ERROR("[tests.a]\ncommand = [\"./a\", 2]\n",
                      "x.toml:2:19: tests.a.command[1]: expected a string (the command's words), "
                      "got 2");
  EXPECT_CONFIG_ERROR("[tests.a]\ncommand = [\"./a\"]\nenv = { N = 1 }\n",
                      "x.toml:3:13: tests.a.env.N: expected a string (write it in quotes: \"1\"), "
                      "got 1");
  EXPECT_CONFIG_ERROR("[run]\nseed = -3\n",
                      "x.toml:2:8: run.seed: expected a seed: an integer ≥ 0, or a string of "
                      "decimal digits below 2^64, got -3");
  EXPECT_CONFIG_ERROR("[run]\nseed = \"18446744073709551616\"\n",
                      "x.toml:2:8: run.seed: expected a seed: an integer ≥ 0, or a string of "
                      "decimal digits below 2^64, got a string");
}

TEST(Config, BadNumbers) {
  EXPECT_CONFIG_ERROR("[run]\ntimeout = -1\n",
                      "x.toml:2:11: run.timeout: expected a number of seconds ≥ 0, got -1");
  EXPECT_CONFIG_ERROR("[run]\ntimeout = inf\n",
                      "x.toml:2:11: run.timeout: expected a number of seconds ≥ 0, got inf");
  EXPECT_CONFIG_ERROR("[run]\ntimeout = nan\n",
                      "x.toml:2:11: run.timeout: expected a number of seconds ≥ 0, got nan");
  EXPECT_CONFIG_ERROR("[run]\nruns = 1e400\n",
                      "x.toml:2:13: error while parsing floating-point: '1e400' could not be "
                      "interpreted as a value (out of range for a number)");
  EXPECT_CONFIG_ERROR("[run]\nruns = 1.5\n",
                      "x.toml:2:8: run.runs: expected a positive integer, got 1.5");
  EXPECT_CONFIG_ERROR("[run]\nruns = 99999999999999999999\n",
                      "x.toml:2:28: error while parsing decimal integer: '99999999999999999999' is "
                      "not representable in 64 bits");
  EXPECT_CONFIG_ERROR("[run]\nruns = -5\n",
                      "x.toml:2:8: run.runs: expected a positive integer, got -5");
  EXPECT_CONFIG_ERROR("[run]\nskip_exit_code = 256\n",
                      "x.toml:2:18: run.skip_exit_code: expected an exit code 0..255, got 256");
  EXPECT_CONFIG_ERROR("[bisect]\nconfidence = 1.0\n",
                      "x.toml:2:14: bisect.confidence: expected a number between 0 and 1 (such as "
                      "0.95), got 1");
  EXPECT_CONFIG_ERROR("[ctest]\nreruns = -1\n",
                      "x.toml:2:10: ctest.reruns: expected an integer ≥ 0, got -1");
  EXPECT_EQ(parse_config("[ctest]\nreruns = 0\n", "x.toml").ctest.reruns, 0u);
  EXPECT_EQ(parse_config("[run]\ntimeout = 0\n", "x.toml").run.timeout_s, 0.0);
}

TEST(Config, BadStrings) {
  EXPECT_CONFIG_ERROR("[run]\nstrategy = \"batch\"\n",
                      "x.toml:2:12: run.strategy: expected one of \"auto\", \"isolated\", "
                      "\"batched\", \"suite\", got \"batch\" (did you mean \"batched\"?)");
  EXPECT_CONFIG_ERROR("[run]\nmemory_limit = \"2Q\"\n",
                      "x.toml:2:16: run.memory_limit: expected a size such as \"512M\" or \"2G\", "
                      "got \"2Q\"");
  EXPECT_CONFIG_ERROR("[run]\nshard = \"5/4\"\n",
                      "x.toml:2:9: run.shard: expected a shard \"K/N\" with 1 ≤ K ≤ N, such as "
                      "\"2/4\", got \"5/4\"");
  EXPECT_CONFIG_ERROR(
      "[run]\namplify = \"loud\"\n",
      "x.toml:2:11: run.amplify: expected true, false, \"noise\" or \"chaos\", got a "
      "string");
  EXPECT_EQ(parse_config("[run]\namplify = true\n", "x.toml").run.amplify, Amplify::on);
  EXPECT_CONFIG_ERROR("[run]\njson = \"\"\n",
                      "x.toml:2:8: run.json: expected a file path, got \"\"");
}

TEST(Config, UnknownKeysSuggestTheNearest) {
  EXPECT_CONFIG_ERROR("[run]\nrunz = 5\n",
                      "x.toml:2:1: unknown key 'runz' in [run] (did you mean 'runs'?)");
  EXPECT_CONFIG_ERROR("[bisect]\nmax_run = 5\n",
                      "x.toml:2:1: unknown key 'max_run' in [bisect] (did you mean 'max_runs'?)");
  EXPECT_CONFIG_ERROR("[run]\nmax_runs = 5\n",
                      "x.toml:2:1: 'max_runs' is not a [run] option: it belongs in [bisect]");
  EXPECT_CONFIG_ERROR("[tests.a]\ncommand = [\"./a\"]\nworkdir = \"x\"\n",
                      "x.toml:3:1: unknown key 'workdir' in [tests.a]; the keys are: command, env, "
                      "working_directory, kind, runs, seed, jobs, timeout, grace, until_fail, pin, "
                      "free, json, junit, store, memory_limit, skip_exit_code, leak_window, "
                      "core_dumps, gtest, filter, strategy, batch_size, libfuzzer, amplify, shard, "
                      "quiet, verbose");
  EXPECT_CONFIG_ERROR("[rnu]\n", "x.toml:1:2: unknown table [rnu] (did you mean [run]?)");
  EXPECT_CONFIG_ERROR("[repro]\nseed = 1\n",
                      "x.toml:2:1: unknown key 'seed' in [repro]; the keys are: runs");
  EXPECT_CONFIG_ERROR("runs = 5\n",
                      "x.toml:1:1: 'runs' must be inside a table: put it under [run] (the defaults "
                      "of every command) or a command's table");
  EXPECT_CONFIG_ERROR("[knobs.k]\ndescription = \"x\"\npined = {}\n",
                      "x.toml:3:1: unknown key 'pined' in [knobs.k] (did you mean 'pinned'?)");
}

TEST(Config, UnknownKnobs) {
  // In a plain string the column is the bad name's own.
  EXPECT_CONFIG_ERROR("[run]\npin = \"threads, treads\"\n",
                      "x.toml:2:17: run.pin: unknown knob 'treads' (did you mean 'threads'?)");
  EXPECT_CONFIG_ERROR("[run]\nfree = [\"order\", \"gpu-men\"]\n[knobs.gpu-mem]\n",
                      "x.toml:2:18: run.free: unknown knob 'gpu-men' (did you mean 'gpu-mem'?)");
  // A knob defined further down the file may be named above it.
  EXPECT_EQ(parse_config("[run]\npin = \"gpu-mem\"\n[knobs.gpu-mem]\n", "x.toml").run.pin,
            (std::vector<std::string>{"gpu-mem"}));
}

TEST(Config, UserKnobs) {
  const ConfigFile file = parse_config(
      "[knobs.net]\n"
      "description = \"network sandbox\"\n"
      "pinned = { env = { NET = \"off\", SEED = \"{seed}\" }, unset = [\"PROXY\"] }\n"
      "[knobs.zeta_1]\n",
      "x.toml");
  ASSERT_EQ(file.knobs.size(), 2u);
  EXPECT_EQ(file.knobs[0].name, "net");
  EXPECT_EQ(file.knobs[0].source, "network sandbox");
  EXPECT_EQ(file.knobs[0].pinned.env.set,
            (std::vector<std::pair<std::string, std::string>>{{"NET", "off"}, {"SEED", "{seed}"}}));
  EXPECT_EQ(file.knobs[0].pinned.env.unset, (std::vector<std::string>{"PROXY"}));
  EXPECT_EQ(file.knobs[0].pinned.summary, "NET=off, SEED={seed}, unset PROXY");
  EXPECT_EQ(file.knobs[0].free.summary, "no change");
  EXPECT_TRUE(file.knobs[0].pinned.actions.empty());
  EXPECT_EQ(file.knobs[1].name, "zeta_1");
  EXPECT_EQ(file.knobs[1].source, "user-defined");
}

TEST(Config, UserKnobErrors) {
  EXPECT_CONFIG_ERROR("[knobs.threads]\n",
                      "x.toml:1:8: knob 'threads' is built in: give yours another name (`deflake "
                      "knobs` lists the built-in ones)");
  EXPECT_CONFIG_ERROR("[knobs.Net]\n",
                      "x.toml:1:8: 'Net' is not a knob name: expected lower-case letters, digits, "
                      "'_' and '-', starting with a letter");
  EXPECT_CONFIG_ERROR("[knobs.net]\npinned = { unset = [\"A=B\"] }\n",
                      "x.toml:2:21: knobs.net.pinned.unset: 'A=B' is not an environment variable "
                      "name");
  EXPECT_CONFIG_ERROR("[knobs.net]\nfree = \"NET=on\"\n",
                      "x.toml:2:8: knobs.net.free: expected a table such as { env = { NAME = "
                      "\"value\" }, unset = [\"NAME\"] }, got a string");
}

TEST(Config, TestCommands) {
  EXPECT_CONFIG_ERROR("[tests.a]\ntimeout = 3\n",
                      "x.toml:1:8: [tests.a]: expected a command (command = [\"./my_test\", "
                      "\"--flag\"])");
  EXPECT_CONFIG_ERROR("[tests.a]\ncommand = []\n",
                      "x.toml:2:11: tests.a.command: expected a command: an array of strings such "
                      "as [\"./my_test\", \"--flag\"], got an empty command");
  EXPECT_CONFIG_ERROR("[tests.a]\ncommand = \"./a 'x y'\"\n",
                      "x.toml:2:11: tests.a.command: a command string cannot hold quotes or "
                      "backslashes; write it as an array of words: [\"./my_test\", \"--flag\"]");
  EXPECT_EQ(
      parse_config("[tests.a]\ncommand = \"  ./a\t-x  {seed} \"\n", "x.toml").tests.at("a").command,
      (std::vector<std::string>{"./a", "-x", "{seed}"}));
  EXPECT_CONFIG_ERROR(
      "[tests.a]\ncommand = [\"./a\"]\nkind = \"gtst\"\n",
      "x.toml:3:8: tests.a.kind: expected one of \"cmd\", \"gtest\", \"libfuzzer\", "
      "got \"gtst\" (did you mean \"gtest\"?)");
  EXPECT_CONFIG_ERROR(
      "[tests]\na = 3\n",
      "x.toml:2:1: tests.a: expected a table ([tests.a] with command = [...]), got 3");
}

TEST(Config, UnreadableFile) {
  try {
    load_config_file("/nonexistent/deflake.toml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/deflake.toml: cannot read: No such file or directory");
  }
  EXPECT_THROW(load_config_file(kConfigs.string()), ConfigError);
}

TEST(Config, FindDefaultConfig) {
  const fs::path previous = fs::current_path();
  const fs::path dir =
      fs::temp_directory_path() / ("deflake_config_test_" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::current_path(dir);
  EXPECT_EQ(find_default_config(), std::nullopt);
  std::ofstream(dir / "deflake.toml") << "[run]\nruns = 2\n";
  EXPECT_EQ(find_default_config(), "./deflake.toml");
  EXPECT_EQ(load_config_file(*find_default_config()).run.runs, 2u);
  fs::current_path(previous);
  fs::remove_all(dir);
}

TEST(Config, RenderKnobs) {
  const ConfigFile file =
      parse_config("[knobs.net]\ndescription = \"network\"\npinned = { env = { NET = \"0\" } }\n",
                   "conf/deflake.toml");
  const std::string text = render_knobs(builtin_knobs(), file.knobs, file.path);
  EXPECT_NE(text.find("threads      thread count, parallel reduction order\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("pinned: OMP_NUM_THREADS=1"), std::string::npos);
  EXPECT_NE(text.find("net          network (from conf/deflake.toml)\n"
                      "               pinned: NET=0\n"
                      "               free:   no change\n"),
            std::string::npos)
      << text;
  EXPECT_LT(text.find("concurrency"), text.find("net "));
}

// The fuzz harness's contract, on its seed corpus: every input parses or
// throws a ConfigError that says where; nothing else escapes.
TEST(Config, FuzzCorpusParsesOrSaysWhere) {
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    ++files;
    try {
      parse_config(text, "fuzz.toml");
    } catch (const ConfigError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("fuzz.toml:", 0), 0u) << entry.path();
    }
  }
  EXPECT_GE(files, 10u);
  EXPECT_NO_THROW(parse_config(std::string_view(), "fuzz.toml"));
}

}  // namespace
}  // namespace deflake
