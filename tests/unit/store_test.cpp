// The failure store: record format (round trip, every field), damaged files
// (RELIABILITY.md cases 14, 16 and 18), lookups, gc and the renderers. The
// process-level cases (SIGKILL, 16 writers, the lock) are in
// tests/e2e/store_reliability_test.cpp.
#include "store/store.hpp"

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "base/error.hpp"
#include "platform/read_file.hpp"
#include "platform/temp_dir.hpp"
#include "store/render.hpp"
#include "store/sha256.hpp"

namespace deflake {
namespace {

namespace fs = std::filesystem;

StoreRecord full_record() {
  StoreRecord r;
  r.created = "2024-05-01T12:34:56.789Z";
  r.nonce = "4242-1714567296789000000-7";
  r.command = "bisect";
  r.target = "Parser.RoundTrip";
  r.argv = {"./mixed_gtest", "--gtest_filter=Parser.RoundTrip", "arg with 'quotes' and \"double\""};
  r.cwd = "/home/dev/project/build";
  r.env.set = {{"DEFLAKE_SEED", "1000000000000017"}, {"OMP_NUM_THREADS", "1"}, {"EMPTY", ""}};
  r.env.unset = {"NVIDIA_TF32_OVERRIDE"};
  r.seed = 18446744073709551615ULL;  // the largest seed survives JSON
  r.pinned = {"aslr", "tf32"};
  r.free = {"threads"};
  r.amplify = "chaos";
  r.order = {"Suite.A", "Suite.B", "Parser.RoundTrip"};
  r.outcome = "crash";
  r.exit_code = std::nullopt;
  r.signal = 11;
  r.signal_name = "SIGSEGV";
  r.core_dumped = true;
  r.duration_s = 0.0123456789;
  r.output_tail = "line 1\nline 2 \xc3\xa9\ttab\n\x01 control\n";
  r.full_output = std::string("the whole output\n") + r.output_tail;
  r.note = "the gtest report said pass";
  r.replay = "DEFLAKE_SEED=1000000000000017 ./mixed_gtest --gtest_filter=Parser.RoundTrip";
  r.artifact = ".deflake/artifacts/crash-0123";
  r.token = "dfk1-abcdef";
  r.manifest.deflake_version = "0.1.0";
  r.manifest.os = "Linux";
  r.manifest.kernel = "6.1.0-18-amd64";
  r.manifest.arch = "x86_64";
  r.manifest.host = "ci-runner-7";
  r.manifest.cpu_model = "AMD EPYC 7B13";
  r.manifest.compiler = "gcc 12.2.0";
  r.manifest.binary_path = "/home/dev/project/build/mixed_gtest";
  r.manifest.binary_sha256 = std::string(64, 'a');
  r.manifest.cuda_driver_version = "12.4";
  r.manifest.cuda_runtime_version = "12.2";
  r.manifest.gpus = {"NVIDIA A100-SXM4-80GB", "NVIDIA A100-SXM4-80GB"};
  return r;
}

std::string read(const std::string& path) {
  return read_whole_file(path).text;
}

void put(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// A store folder on tmpfs when there is one: these tests write thousands of
// small files, and on ext4 with `discard` each removal costs a disk command.
class StoreTest : public ::testing::Test {
 protected:
  StoreTest()
      : temp_(memory_backed_temp_base().empty() ? TempRoot()
                                                : TempRoot(memory_backed_temp_base())) {}
  std::string dir() const { return temp_.path() + "/.deflake"; }
  TempRoot temp_;
};

TEST(StoreRecord, RoundTripsEveryField) {
  const StoreRecord original = full_record();
  const std::string text = to_json(original);
  const ParsedRecord parsed = parse_record(text);
  ASSERT_TRUE(parsed.record) << parsed.error;
  EXPECT_EQ(parsed.problem, RecordProblem::none);
  EXPECT_EQ(*parsed.record, original);
  EXPECT_EQ(to_json(*parsed.record), text);  // deterministic bytes
  EXPECT_EQ(text.back(), '\n');

  // Every field is in the file under its documented key (docs/store.md).
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["schema"], "deflake.failure/1");
  for (const char* key :
       {"created", "nonce",       "command",     "target",     "argv",  "cwd",     "env",
        "seed",    "pinned",      "free",        "amplify",    "order", "outcome", "exit_code",
        "signal",  "signal_name", "core_dumped", "duration_s", "note",  "replay",  "artifact",
        "token",   "manifest",    "output_tail", "full_output"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_FALSE(j.contains("id"));  // derived from the file name
  EXPECT_EQ(j["seed"].get<std::uint64_t>(), original.seed);
  EXPECT_EQ(j["env"]["set"][0][0], "DEFLAKE_SEED");
  for (const char* key :
       {"deflake_version", "os", "kernel", "arch", "host", "cpu_model", "compiler", "binary_path",
        "binary_sha256", "cuda_driver_version", "cuda_runtime_version", "gpus"})
    EXPECT_TRUE(j["manifest"].contains(key)) << key;
}

TEST(StoreRecord, RoundTripsEmptyOptionals) {
  StoreRecord r;
  stamp_new_record(r);
  r.target = "cmd";
  r.outcome = "fail";
  r.exit_code = 1;
  const ParsedRecord parsed = parse_record(to_json(r));
  ASSERT_TRUE(parsed.record) << parsed.error;
  EXPECT_EQ(*parsed.record, r);
  const auto j = nlohmann::json::parse(to_json(r));
  EXPECT_TRUE(j["amplify"].is_null());
  EXPECT_TRUE(j["signal"].is_null());
  EXPECT_TRUE(j["full_output"].is_null());
  EXPECT_TRUE(j["manifest"]["cuda_driver_version"].is_null());
}

TEST(StoreRecord, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  StoreRecord r = full_record();
  r.output_tail = "bad \xff\xfe bytes";
  const ParsedRecord parsed = parse_record(to_json(r));  // dump must not throw
  ASSERT_TRUE(parsed.record) << parsed.error;
  EXPECT_EQ(parsed.record->output_tail, "bad \xef\xbf\xbd\xef\xbf\xbd bytes");
}

TEST(StoreRecord, NonFiniteDurationIsWrittenAsZero) {
  StoreRecord r = full_record();
  r.duration_s = std::numeric_limits<double>::infinity();
  const ParsedRecord parsed = parse_record(to_json(r));
  ASSERT_TRUE(parsed.record) << parsed.error;
  EXPECT_EQ(parsed.record->duration_s, 0);
}

TEST(StoreRecord, SignalWithoutANameGetsOne) {
  StoreRecord r = full_record();
  r.signal_name.clear();
  const ParsedRecord parsed = parse_record(to_json(r));
  ASSERT_TRUE(parsed.record) << parsed.error;
  EXPECT_EQ(parsed.record->signal_name, "SIGSEGV");
}

TEST(StoreRecord, NewerVersionIsRefusedByName) {
  std::string text = to_json(full_record());
  text.replace(text.find("deflake.failure/1"), 17, "deflake.failure/2");
  const ParsedRecord parsed = parse_record(text);
  EXPECT_FALSE(parsed.record);
  EXPECT_EQ(parsed.problem, RecordProblem::newer_version);
  EXPECT_EQ(parsed.error, "written by a newer deflake (version 2)");
  // Even when the rest would not be a version-1 record.
  EXPECT_EQ(parse_record(R"({"schema": "deflake.failure/17", "whatever": []})").problem,
            RecordProblem::newer_version);
}

TEST(StoreRecord, GarbageAndForeignFilesAreErrors) {
  struct Case {
    std::string text;
    RecordProblem problem;
  };
  const Case cases[] = {
      {"", RecordProblem::not_json},
      {"\x7f"
       "ELF\x02\x01\x01",
       RecordProblem::not_json},
      {"{\"schema\": \"deflake.failure/1\"", RecordProblem::not_json},
      {"[1, 2, 3]", RecordProblem::foreign},
      {"{}", RecordProblem::foreign},
      {R"({"schema": "deflake.report/1"})", RecordProblem::foreign},
      {R"({"schema": "deflake.failure/x"})", RecordProblem::foreign},
      {R"({"schema": "deflake.failure/01"})", RecordProblem::foreign},
      {R"({"schema": "deflake.failure/99999999999999999999"})", RecordProblem::foreign},
      {R"({"schema": 1})", RecordProblem::foreign},
      {R"({"schema": "deflake.failure/1"})", RecordProblem::invalid},
  };
  for (const auto& c : cases) {
    const ParsedRecord parsed = parse_record(c.text);
    EXPECT_FALSE(parsed.record) << c.text;
    EXPECT_EQ(parsed.problem, c.problem) << c.text;
    EXPECT_FALSE(parsed.error.empty());
  }
}

TEST(StoreRecord, EveryMissingOrMistypedFieldIsAnError) {
  const auto valid = nlohmann::ordered_json::parse(to_json(full_record()));
  for (const auto& [key, value] : valid.items()) {
    if (key == "schema") continue;
    auto missing = valid;
    missing.erase(key);
    const ParsedRecord a = parse_record(missing.dump());
    if (key == "full_output_file") {  // added within version 1: records before it lack it
      EXPECT_TRUE(a.record) << a.error;
    } else {
      EXPECT_EQ(a.problem, RecordProblem::invalid) << key;
      EXPECT_NE(a.error.find(key), std::string::npos) << a.error;
    }
    auto mistyped = valid;
    mistyped[key] = nlohmann::ordered_json::object({{"x", 1}});
    EXPECT_EQ(parse_record(mistyped.dump()).problem, RecordProblem::invalid) << key;
  }
  auto negative_seed = valid;
  negative_seed["seed"] = -1;
  EXPECT_EQ(parse_record(negative_seed.dump()).problem, RecordProblem::invalid);
  std::string huge = to_json(full_record());
  huge.replace(huge.find("0.0123456789"), 12, "1e400");
  EXPECT_FALSE(parse_record(huge).record);  // out of range: refused by the JSON parser
  auto bad_time = valid;
  bad_time["created"] = "yesterday";
  EXPECT_EQ(parse_record(bad_time.dump()).problem, RecordProblem::invalid);
  auto big_exit = valid;
  big_exit["exit_code"] = 4294967296LL;
  EXPECT_EQ(parse_record(big_exit.dump()).problem, RecordProblem::invalid);
}

TEST(StoreRecord, UnknownKeysAreIgnored) {
  auto j = nlohmann::ordered_json::parse(to_json(full_record()));
  j["added_in_1_5"] = {1, 2};
  const ParsedRecord parsed = parse_record(j.dump());
  ASSERT_TRUE(parsed.record) << parsed.error;
  EXPECT_EQ(*parsed.record, full_record());
}

// RELIABILITY.md 18: JSON allows CR LF between tokens, and no raw line end can
// be inside a JSON string, so a checkout that converted line ends changed
// only whitespace: the record reads the same.
TEST(StoreRecord, CrlfLineEndsReadTheSame) {
  const std::string text = to_json(full_record());
  std::string crlf;
  for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const ParsedRecord parsed = parse_record(crlf);
  ASSERT_TRUE(parsed.record) << parsed.error;
  EXPECT_EQ(*parsed.record, full_record());
}

// RELIABILITY.md 14: a record cut at any byte is an error, never a crash and
// never a different record. Only cuts inside the final newline can parse,
// and they must give the very same record.
TEST(StoreRecord, TruncatedAtEveryOffsetIsAnErrorOrTheSameRecord) {
  const StoreRecord original = full_record();
  const std::string text = to_json(original);
  std::size_t parsed_count = 0;
  for (std::size_t cut = 0; cut < text.size(); ++cut) {
    const ParsedRecord parsed = parse_record(std::string_view(text).substr(0, cut));
    if (parsed.record) {
      EXPECT_EQ(*parsed.record, original) << "cut at " << cut;
      ++parsed_count;
    } else {
      EXPECT_FALSE(parsed.error.empty());
    }
  }
  EXPECT_EQ(parsed_count, 1u);  // only the cut that drops the final newline
}

TEST(StoreRecord, StampsAreUniqueAndWellFormed) {
  std::set<std::string> nonces;
  for (int i = 0; i < 10000; ++i) {
    StoreRecord r;
    stamp_new_record(r);
    ASSERT_TRUE(parse_created(r.created)) << r.created;
    nonces.insert(r.nonce);
  }
  EXPECT_EQ(nonces.size(), 10000u);
  StoreRecord a, b;  // equal records: the stamp alone tells them apart
  stamp_new_record(a);
  stamp_new_record(b);
  EXPECT_NE(to_json(a), to_json(b));
}

TEST(StoreRecord, ParseCreated) {
  EXPECT_EQ(parse_created("1970-01-01T00:00:01.500Z"), 1.5);
  EXPECT_DOUBLE_EQ(*parse_created("2024-05-01T12:34:56.789Z"), 1714566896.789);
  EXPECT_FALSE(parse_created("2024-05-01T12:34:56Z"));
  EXPECT_FALSE(parse_created("2024-13-01T12:34:56.789Z"));
  EXPECT_FALSE(parse_created("2024-05-01 12:34:56.789Z"));
  EXPECT_FALSE(parse_created(""));
}

TEST(StoreRecord, FullOutputIsCappedKeepingHeadAndTail) {
  EXPECT_EQ(cap_full_output("short"), "short");
  const std::string exact(kFullOutputCap, 'x');
  EXPECT_EQ(cap_full_output(exact), exact);
  std::string big = "HEAD" + std::string(kFullOutputCap * 2, 'y') + "TAIL";
  const std::string capped = cap_full_output(big);
  EXPECT_LE(capped.size(), kFullOutputCap);
  EXPECT_GT(capped.size(), kFullOutputCap - 100);
  EXPECT_EQ(capped.substr(0, 4), "HEAD");
  EXPECT_EQ(capped.substr(capped.size() - 4), "TAIL");
  EXPECT_NE(capped.find("bytes omitted]"), std::string::npos);
}

TEST(StoreRecord, FillFromRun) {
  RunRecord run;
  run.seed = 17;
  run.outcome = Outcome::crash;
  run.status = ExitStatus::killed(6, true);
  run.duration_s = 1.5;
  run.output = "abort";
  run.order = {"A.B"};
  run.note = "n";
  run.replay = "DEFLAKE_SEED=17 ./t";
  StoreRecord r;
  fill_from_run(r, run);
  EXPECT_EQ(r.seed, 17u);
  EXPECT_EQ(r.outcome, "crash");
  EXPECT_EQ(r.signal, 6);
  EXPECT_EQ(r.signal_name, "SIGABRT");
  EXPECT_TRUE(r.core_dumped);
  EXPECT_FALSE(r.exit_code);
  EXPECT_EQ(r.output_tail, "abort");
  EXPECT_EQ(r.order, run.order);
  EXPECT_EQ(r.replay, run.replay);
  EXPECT_FALSE(r.artifact);
}

TEST_F(StoreTest, WriteNamesTheFileByItsContentHash) {
  Store store(dir());
  StoreRecord r = full_record();
  r.created.clear();  // stamped by write()
  const std::string id = store.write(r);
  ASSERT_EQ(id.size(), 16u);
  EXPECT_TRUE(Store::is_record_name(id + ".json"));
  const std::string text = read(store.record_path(id));
  EXPECT_EQ(sha256_hex(text).substr(0, 16), id);
  // Nothing else in the folder: the temp file was renamed into place.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(store.failures_dir()))
    names.push_back(e.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{id + ".json"});

  const StoreListing listing = store.list();
  EXPECT_TRUE(listing.warnings.empty());
  ASSERT_EQ(listing.records.size(), 1u);
  EXPECT_EQ(listing.records[0].id, id);
  EXPECT_FALSE(listing.records[0].created.empty());
  EXPECT_FALSE(listing.records[0].nonce.empty());
  StoreRecord expected = full_record();
  expected.id = id;
  expected.created = listing.records[0].created;
  expected.nonce = listing.records[0].nonce;
  EXPECT_EQ(listing.records[0], expected);
}

TEST_F(StoreTest, IdenticalFailuresNeverCollide) {
  Store store(dir());
  StoreRecord r = full_record();
  r.created.clear();
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) ids.insert(store.write(r));
  EXPECT_EQ(ids.size(), 50u);
  EXPECT_EQ(store.list().records.size(), 50u);
}

TEST_F(StoreTest, WriteKeepsTheCallersTimeAndAddsANonce) {
  Store store(dir());
  StoreRecord r = full_record();
  r.nonce.clear();
  const std::string a = store.write(r);
  const std::string b = store.write(r);
  EXPECT_NE(a, b);
  EXPECT_EQ(store.load(a).record->created, r.created);
  EXPECT_FALSE(store.load(a).record->nonce.empty());
}

TEST_F(StoreTest, MissingStoreIsEmpty) {
  Store store(dir());
  EXPECT_TRUE(store.list().records.empty());
  EXPECT_TRUE(store.list().warnings.empty());
  EXPECT_FALSE(store.newest().record);
  EXPECT_NE(store.newest().error.find("no failures"), std::string::npos);
  EXPECT_TRUE(store.gc().removed_records.empty());
  EXPECT_FALSE(fs::exists(dir()));  // reading never creates the store
}

TEST_F(StoreTest, CreatesParentFolders) {
  Store store(temp_.path() + "/a/b/c/.deflake/");
  const std::string id = store.write(full_record());
  EXPECT_TRUE(fs::exists(temp_.path() + "/a/b/c/.deflake/failures/" + id + ".json"));
}

TEST_F(StoreTest, ListIsSortedByCreationTime) {
  Store store(dir());
  StoreRecord r = full_record();
  for (const char* when :
       {"2024-05-03T00:00:00.000Z", "2024-05-01T00:00:00.000Z", "2024-05-02T00:00:00.000Z"}) {
    r.created = when;
    r.target = when;
    store.write(r);
  }
  const auto records = store.list().records;
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].target, "2024-05-01T00:00:00.000Z");
  EXPECT_EQ(records[2].target, "2024-05-03T00:00:00.000Z");
  EXPECT_EQ(store.newest().record->target, "2024-05-03T00:00:00.000Z");
}

TEST_F(StoreTest, FindByUniquePrefix) {
  Store store(dir());
  StoreRecord r = full_record();
  std::vector<std::string> ids;
  for (int i = 0; i < 17; ++i) {  // 17 ids over 16 first digits: two share one
    r.nonce = "n" + std::to_string(i);
    r.target = "T" + std::to_string(i);
    ids.push_back(store.write(r));
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const StoreLookup full = store.find(ids[i]);
    ASSERT_TRUE(full.record) << full.error;
    EXPECT_EQ(full.record->target, "T" + std::to_string(i));
    const StoreLookup shortened = store.find(ids[i].substr(0, 12));
    ASSERT_TRUE(shortened.record) << shortened.error;
    EXPECT_EQ(shortened.record->id, ids[i]);
  }
  std::map<char, std::vector<std::string>> by_digit;
  for (const auto& id : ids) by_digit[id[0]].push_back(id);
  for (const auto& [digit, group] : by_digit) {
    if (group.size() < 2) continue;
    const StoreLookup ambiguous = store.find(std::string(1, digit));
    EXPECT_FALSE(ambiguous.record);
    EXPECT_NE(ambiguous.error.find("ambiguous"), std::string::npos);
    for (const auto& id : group)
      EXPECT_NE(ambiguous.error.find(id), std::string::npos) << ambiguous.error;
  }
  std::string absent = "0000000000000000";
  while (std::find(ids.begin(), ids.end(), absent) != ids.end()) absent[15]++;
  EXPECT_NE(store.find(absent).error.find("no failure"), std::string::npos);
  EXPECT_NE(store.find("").error.find("not a store ID"), std::string::npos);
  EXPECT_NE(store.find("XYZ").error.find("not a store ID"), std::string::npos);
  EXPECT_NE(store.find("../../etc").error.find("not a store ID"), std::string::npos);
}

TEST_F(StoreTest, Remove) {
  Store store(dir());
  const std::string id = store.write(full_record());
  EXPECT_TRUE(store.has_failure_for(full_record().target, full_record().argv));
  EXPECT_TRUE(store.remove(id));
  EXPECT_FALSE(store.remove(id));
  EXPECT_FALSE(store.remove("../lock"));
  EXPECT_TRUE(store.list().records.empty());
  EXPECT_FALSE(store.has_failure_for(full_record().target, full_record().argv));
}

TEST_F(StoreTest, HasFailureForTellsTheFirstFailureOfATarget) {
  Store store(dir());
  const StoreRecord r = full_record();
  EXPECT_FALSE(store.has_failure_for(r.target, r.argv));
  store.write(r);
  EXPECT_TRUE(store.has_failure_for(r.target, r.argv));
  EXPECT_FALSE(store.has_failure_for(r.target, {"./other"}));
  EXPECT_FALSE(store.has_failure_for("Other.Test", r.argv));
  Store fresh(dir());  // another process: reads it from disk
  EXPECT_TRUE(fresh.has_failure_for(r.target, r.argv));
}

TEST_F(StoreTest, WriteCapsFullOutput) {
  Store store(dir());
  StoreRecord r = full_record();
  r.full_output = std::string(kFullOutputCap + 1000, 'z');
  const StoreLookup back = store.load(store.write(r));
  ASSERT_TRUE(back.record) << back.error;
  EXPECT_LE(back.record->full_output->size(), kFullOutputCap);
}

// RELIABILITY.md 14 at the store level: a record file cut at every offset is
// skipped with a warning (or, cut only inside its final newline, read as
// itself), and the file is left as it is.
TEST_F(StoreTest, TruncatedRecordFilesAreSkippedNeverWrong) {
  Store store(dir());
  const std::string id = store.write(full_record());
  const std::string path = store.record_path(id);
  const std::string text = read(path);
  const StoreRecord original = *store.load(id).record;
  for (std::size_t cut = 0; cut < text.size(); ++cut) {
    put(path, text.substr(0, cut));
    const StoreListing listing = store.list();
    if (listing.records.empty()) {
      ASSERT_EQ(listing.warnings.size(), 1u) << cut;
      EXPECT_EQ(listing.warnings[0].path, path);
      EXPECT_FALSE(store.load(id).record);
      EXPECT_FALSE(store.find(id.substr(0, 6)).record);
    } else {
      ASSERT_EQ(listing.records.size(), 1u);
      EXPECT_EQ(listing.records[0], original) << cut;
    }
    ASSERT_EQ(read(path), text.substr(0, cut));  // untouched
  }
}

// RELIABILITY.md 18: a newer deflake's record, garbage, a CRLF copy, a
// foreign name, an empty file, a folder: each skipped or read with a warning,
// and every original kept byte for byte (by list and by gc).
TEST_F(StoreTest, StrangeFilesAreSkippedWithAWarningAndKept) {
  Store store(dir());
  const std::string good = store.write(full_record());
  const std::string f = store.failures_dir() + "/";

  std::string newer = to_json(full_record());
  newer.replace(newer.find("deflake.failure/1"), 17, "deflake.failure/2");
  const std::string newer_id = sha256_hex(newer).substr(0, 16);
  put(f + newer_id + ".json", newer);

  StoreRecord crlf_record = full_record();
  crlf_record.target = "Crlf.Test";
  const std::string crlf_id = store.write(crlf_record);
  std::string crlf;
  for (char c : read(f + crlf_id + ".json"))
    crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  put(f + crlf_id + ".json", crlf);

  put(f + "0123456789abcdef.json", "\x89PNG\r\n\x1a\n garbage");
  put(f + "fedcba9876543210.json", "");
  put(f + "notes.txt", "my notes about these failures\n");
  put(f + "ABCDEF0123456789.json", to_json(full_record()));  // upper case: not our name
  fs::create_directory(f + "1111111111111111.json");

  std::map<std::string, std::string> before;
  for (const auto& e : fs::directory_iterator(store.failures_dir()))
    if (e.is_regular_file()) before[e.path()] = read(e.path());

  const StoreListing listing = store.list();
  std::set<std::string> ids;
  for (const auto& r : listing.records) ids.insert(r.id);
  EXPECT_EQ(ids, (std::set<std::string>{good, crlf_id}));
  std::map<std::string, std::string> warned;
  for (const auto& w : listing.warnings) warned[w.path] = w.message;
  EXPECT_EQ(warned.size(), 7u) << render_store_warnings(listing.warnings);
  EXPECT_NE(warned[f + newer_id + ".json"].find("written by a newer deflake (version 2)"),
            std::string::npos);
  EXPECT_NE(warned[f + crlf_id + ".json"].find("CRLF"), std::string::npos);
  EXPECT_NE(warned[f + "0123456789abcdef.json"].find("not valid JSON"), std::string::npos);
  EXPECT_NE(warned[f + "fedcba9876543210.json"].find("not valid JSON"), std::string::npos);
  EXPECT_NE(warned[f + "notes.txt"].find("not a record's name"), std::string::npos);
  EXPECT_NE(warned[f + "ABCDEF0123456789.json"].find("not a record's name"), std::string::npos);
  EXPECT_NE(warned[f + "1111111111111111.json"].find("cannot read"), std::string::npos);

  const StoreLookup newer_lookup = store.find(newer_id);
  EXPECT_FALSE(newer_lookup.record);
  EXPECT_NE(newer_lookup.error.find("written by a newer deflake (version 2)"), std::string::npos);

  GcOptions everything;
  everything.max_age_s = 0;  // remove every readable record
  everything.temp_age_s = 0;
  const GcReport gc = store.gc(everything);
  EXPECT_EQ(std::set<std::string>(gc.removed_records.begin(), gc.removed_records.end()),
            (std::set<std::string>{good, crlf_id}));
  before.erase(f + good + ".json");
  before.erase(f + crlf_id + ".json");
  for (const auto& [path, text] : before) {
    ASSERT_TRUE(fs::exists(path)) << path;
    EXPECT_EQ(read(path), text) << path;
  }
  EXPECT_TRUE(fs::is_directory(f + "1111111111111111.json"));
}

TEST_F(StoreTest, GcRemovesOldRecordsAndDeadWritersTempFiles) {
  Store store(dir());
  StoreRecord r = full_record();
  r.created = "2024-01-01T00:00:00.000Z";
  const std::string old_id = store.write(r);
  r.created = "2024-03-01T00:00:00.000Z";
  const std::string new_id = store.write(r);
  const std::string f = store.failures_dir() + "/";
  put(f + ".0123456789abcdef.json.tmp-AbCdEf", "{\"schema\": \"defl");  // a killed writer's
  put(f + ".fedcba9876543210.json.tmp-XyZ123", "{");
  const struct timespec two_minutes_ago[2] = {{::time(nullptr) - 120, 0},
                                              {::time(nullptr) - 120, 0}};
  ASSERT_EQ(
      ::utimensat(AT_FDCWD, (f + ".0123456789abcdef.json.tmp-AbCdEf").c_str(), two_minutes_ago, 0),
      0);

  // A temp file is never a record, and never a warning.
  EXPECT_TRUE(store.list().warnings.empty());
  EXPECT_EQ(store.list().records.size(), 2u);

  GcOptions options;
  options.now_s = *parse_created("2024-03-15T00:00:00.000Z");
  options.max_age_s = 30 * 24 * 3600;
  const GcReport report = store.gc(options);
  EXPECT_EQ(report.removed_records, std::vector<std::string>{old_id});
  EXPECT_TRUE(report.warnings.empty());
  EXPECT_FALSE(fs::exists(store.record_path(old_id)));
  EXPECT_TRUE(fs::exists(store.record_path(new_id)));
  // Temp files: the clock is the real one for them (their mtime).
  GcOptions now;
  const GcReport temps = store.gc(now);
  EXPECT_EQ(temps.removed_temps, std::vector<std::string>{".0123456789abcdef.json.tmp-AbCdEf"});
  EXPECT_TRUE(fs::exists(f + ".fedcba9876543210.json.tmp-XyZ123"));  // fresh: maybe a live writer
  EXPECT_EQ(temps.removed_records.size(),
            1u);  // 2024-03-01 is older than 30 days by the real clock
}

// RELIABILITY.md 16: the store on another filesystem than TMPDIR (tmpfs here
// when /dev/shm exists): nothing is written to TMPDIR, the temp file is made
// next to its destination and renamed there.
TEST(StoreFilesystems, TempFilesLiveNextToTheirDestination) {
  const std::string shm = memory_backed_temp_base();
  if (shm.empty()) GTEST_SKIP() << "no writable /dev/shm";
  TempRoot elsewhere;  // $TMPDIR or /tmp: on the disk
  TempRoot store_root(shm);
  const char* old = ::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  ::setenv("TMPDIR", elsewhere.path().c_str(), 1);
  Store store(store_root.path() + "/.deflake");
  const std::string id = store.write(full_record());
  if (old)
    ::setenv("TMPDIR", saved.c_str(), 1);
  else
    ::unsetenv("TMPDIR");
  EXPECT_TRUE(fs::is_empty(elsewhere.path()));
  EXPECT_TRUE(store.load(id).record);
}

// RELIABILITY.md 16: a store that cannot be written is a loud error naming the
// path, never a silent loss.
TEST(StoreFilesystems, UnwritableStoreThrowsNamingThePath) {
  TempRoot temp;
  put(temp.path() + "/file", "not a folder");
  Store under_a_file(temp.path() + "/file/.deflake");
  try {
    under_a_file.write(full_record());
    FAIL() << "no error";
  } catch (const SystemError& e) {
    EXPECT_NE(std::string(e.what()).find(temp.path() + "/file"), std::string::npos) << e.what();
  }
  fs::create_directory(temp.path() + "/s");
  put(temp.path() + "/s/failures", "a file where the folder should be");
  EXPECT_THROW(Store(temp.path() + "/s").write(full_record()), SystemError);
  EXPECT_THROW(Store("/proc/deflake-store-test").write(full_record()), SystemError);
  if (::geteuid() != 0) {  // root writes through permissions
    fs::create_directories(temp.path() + "/ro/failures");
    ::chmod((temp.path() + "/ro/failures").c_str(), 0555);
    EXPECT_THROW(Store(temp.path() + "/ro").write(full_record()), SystemError);
    ::chmod((temp.path() + "/ro/failures").c_str(), 0755);
  }
  // failures/ that cannot be read is an error too, not an empty store.
  EXPECT_THROW(Store(temp.path() + "/s").list(), SystemError);
}

TEST_F(StoreTest, RenderList) {
  Store store(dir());
  EXPECT_EQ(render_store_list(store.list()), "no failures stored\n");
  StoreRecord r = full_record();
  const std::string crash = store.write(r);
  r.created = "2024-05-02T08:00:00.000Z";
  r.target = "cmd";
  r.seed = 17;
  r.outcome = "fail";
  r.signal.reset();
  r.signal_name.clear();
  r.core_dumped = false;
  r.exit_code = 3;
  const std::string fail = store.write(r);
  const std::string text = render_store_list(store.list());
  EXPECT_EQ(text,
            "ID            CREATED (UTC)        TARGET            SEED                  OUTCOME\n" +
                crash.substr(0, 12) +
                "  2024-05-01 12:34:56  Parser.RoundTrip  18446744073709551615  crash (SIGSEGV, "
                "core dumped)\n" +
                fail.substr(0, 12) +
                "  2024-05-02 08:00:00  cmd               17                    fail (exit 3)\n");
}

TEST(StoreRender, RecordShowsEveryField) {
  StoreRecord r = full_record();
  r.id = "0123456789abcdef";
  const std::string text = render_record(r);
  for (const std::string& part : {r.id,
                                  r.created,
                                  r.command,
                                  r.target,
                                  std::string("--gtest_filter=Parser.RoundTrip"),
                                  r.cwd,
                                  std::string("DEFLAKE_SEED=1000000000000017"),
                                  std::string("NVIDIA_TF32_OVERRIDE"),
                                  std::to_string(r.seed),
                                  std::string("aslr, tf32"),
                                  std::string("threads"),
                                  std::string("chaos"),
                                  std::string("Suite.A, Suite.B"),
                                  std::string("crash (SIGSEGV, core dumped)"),
                                  r.note,
                                  *r.artifact,
                                  *r.token,
                                  r.nonce,
                                  r.replay,
                                  r.manifest.deflake_version,
                                  r.manifest.kernel,
                                  r.manifest.host,
                                  r.manifest.cpu_model,
                                  r.manifest.compiler,
                                  r.manifest.binary_path,
                                  r.manifest.binary_sha256,
                                  std::string("cuda driver  12.4"),
                                  std::string("cuda runtime 12.2"),
                                  r.manifest.gpus[0],
                                  std::string("line 2"),
                                  std::string("full output: ")})
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;
}

TEST(StoreRender, Warnings) {
  EXPECT_EQ(render_store_warnings({{"a/b.json", "not valid JSON"}}),
            "warning: a/b.json: not valid JSON\n");
}

// The fuzz harness's seed corpus, with what each file must give: the names
// say (valid_*: a record; newer_*: refused as newer; the rest: no record).
TEST(StoreRecordCorpus, EachSeedGivesWhatItsNameSays) {
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(DEFLAKE_STORE_CORPUS_DIR)) {
    const std::string name = entry.path().filename();
    const ParsedRecord parsed = parse_record(read(entry.path()));
    ++files;
    if (name.rfind("valid_", 0) == 0) {
      ASSERT_TRUE(parsed.record) << name << ": " << parsed.error;
      const ParsedRecord again = parse_record(to_json(*parsed.record));
      ASSERT_TRUE(again.record) << name;
      EXPECT_EQ(*again.record, *parsed.record) << name;
    } else if (name.rfind("newer_", 0) == 0) {
      EXPECT_EQ(parsed.problem, RecordProblem::newer_version) << name;
    } else {
      EXPECT_FALSE(parsed.record) << name;
      EXPECT_FALSE(parsed.error.empty()) << name;
    }
  }
  EXPECT_GE(files, 5u);
}

}  // namespace
}  // namespace deflake
