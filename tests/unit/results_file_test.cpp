#include "parse/results_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <deflake/results_protocol.hpp>
#include <deflake/seed_derivation.hpp>
#include <fstream>
#include <random>
#include <string>

namespace deflake {
namespace {

using Kind = ResultsRecord::Kind;
using namespace std::string_view_literals;

std::string start_line(std::uint64_t it, std::uint64_t run, const std::string& name) {
  return "start\t" + std::to_string(it) + "\t" + std::to_string(run) + "\t" +
         std::to_string(child_seed(run, name)) + "\t" + name + "\n";
}

std::string end_line(std::uint64_t it, std::uint64_t run, const std::string& outcome,
                     const std::string& name) {
  return "end\t" + std::to_string(it) + "\t" + std::to_string(run) + "\t" +
         std::to_string(child_seed(run, name)) + "\t" + outcome + "\t" + name + "\n";
}

const std::string kHeaderLine = std::string(results::kHeader) + "\n";
constexpr std::uint64_t kRun0 = 1234567890123456ULL;
constexpr std::uint64_t kRun1 = 2345678901234567ULL;

// Two iterations; the process died in Prefix/B.Crashes/3 of the second.
std::string valid_file() {
  return kHeaderLine + start_line(0, kRun0, "A.Passes") + end_line(0, kRun0, "pass", "A.Passes") +
         start_line(0, kRun0, "A.Fails") + end_line(0, kRun0, "fail", "A.Fails") +
         start_line(0, kRun0, "Typed/0.Skips") + end_line(0, kRun0, "skip", "Typed/0.Skips") +
         start_line(1, kRun1, "A.Passes") + end_line(1, kRun1, "pass", "A.Passes") +
         start_line(1, kRun1, "Prefix/B.Crashes/3");
}

TEST(ResultsFile, ParsesRecordsInFileOrder) {
  const auto file = parse_results_file(valid_file());
  EXPECT_EQ(file.error, std::nullopt);
  EXPECT_TRUE(file.has_header);
  EXPECT_EQ(file.malformed_lines, 0u);
  EXPECT_FALSE(file.torn_last_line);
  ASSERT_EQ(file.records.size(), 9u);
  EXPECT_EQ(file.records[0], (ResultsRecord{Kind::start, 0, 0, kRun0, child_seed(kRun0, "A.Passes"),
                                            std::nullopt, "A.Passes"}));
  EXPECT_EQ(file.records[3], (ResultsRecord{Kind::end, 0, 0, kRun0, child_seed(kRun0, "A.Fails"),
                                            Outcome::fail, "A.Fails"}));
  EXPECT_EQ(file.records[5].outcome, Outcome::skip);
  EXPECT_EQ(file.records[8].name, "Prefix/B.Crashes/3");
  EXPECT_EQ(file.records[8].iteration, 1u);
}

TEST(ResultsFile, PairsStartsWithEnds) {
  const auto paired = pair_results(parse_results_file(valid_file()).records);
  EXPECT_EQ(paired.unmatched_ends, 0u);
  ASSERT_EQ(paired.iterations.size(), 2u);
  const auto& first = paired.iterations[0];
  EXPECT_EQ(first.iteration, 0u);
  EXPECT_EQ(first.run_seed, kRun0);
  EXPECT_EQ(
      first.tests,
      (std::vector<TestRun>{{"A.Passes", child_seed(kRun0, "A.Passes"), Outcome::pass},
                            {"A.Fails", child_seed(kRun0, "A.Fails"), Outcome::fail},
                            {"Typed/0.Skips", child_seed(kRun0, "Typed/0.Skips"), Outcome::skip}}));
  const auto& second = paired.iterations[1];
  EXPECT_EQ(second.run_seed, kRun1);
  ASSERT_EQ(second.tests.size(), 2u);
  EXPECT_EQ(second.tests[1].name, "Prefix/B.Crashes/3");
  EXPECT_EQ(second.tests[1].outcome, std::nullopt);  // died while it ran
}

TEST(ResultsFile, UnmatchedEndsAreCountedNotInvented) {
  const auto text = kHeaderLine + end_line(0, kRun0, "pass", "Ghost.Test") +
                    start_line(0, kRun0, "A.One") + end_line(0, kRun0, "pass", "A.Other") +
                    end_line(0, kRun1, "pass", "A.One") +  // another run seed
                    end_line(0, kRun0, "fail", "A.One") + end_line(0, kRun0, "pass", "A.One");
  const auto paired = pair_results(parse_results_file(text).records);
  EXPECT_EQ(paired.unmatched_ends, 4u);
  ASSERT_EQ(paired.iterations.size(), 1u);
  ASSERT_EQ(paired.iterations[0].tests.size(), 1u);
  EXPECT_EQ(paired.iterations[0].tests[0].outcome, Outcome::fail);
}

TEST(ResultsFile, TruncationAtEveryByteYieldsAPrefix) {
  const auto text = valid_file();
  const auto whole = parse_results_file(text);
  ASSERT_EQ(whole.records.size(), 9u);
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    const auto prefix = std::string_view(text).substr(0, cut);
    const auto file = parse_results_file(prefix);
    ASSERT_EQ(file.error, std::nullopt) << "cut at " << cut;
    EXPECT_EQ(file.malformed_lines, 0u) << "cut at " << cut;
    EXPECT_EQ(file.torn_last_line, cut > 0 && prefix.back() != '\n') << "cut at " << cut;
    ASSERT_LE(file.records.size(), whole.records.size());
    for (std::size_t i = 0; i < file.records.size(); ++i)
      ASSERT_EQ(file.records[i], whole.records[i]) << "cut at " << cut;
    // Pairing a prefix never crashes either.
    (void)pair_results(file.records);
  }
}

TEST(ResultsFile, TornLastLineIsIgnored) {
  const auto file = parse_results_file(kHeaderLine + start_line(0, kRun0, "A.One") + "end\t0\t1");
  EXPECT_TRUE(file.torn_last_line);
  EXPECT_EQ(file.records.size(), 1u);
  EXPECT_EQ(file.malformed_lines, 0u);
  // A header without its newline is torn too: nothing was written whole.
  const auto header_only = parse_results_file(results::kHeader);
  EXPECT_FALSE(header_only.has_header);
  EXPECT_EQ(header_only.error, std::nullopt);
}

TEST(ResultsFile, EmptyFileIsNoRecordsAndNoError) {
  const auto file = parse_results_file("");
  EXPECT_FALSE(file.has_header);
  EXPECT_TRUE(file.records.empty());
  EXPECT_EQ(file.error, std::nullopt);
}

TEST(ResultsFile, UnknownOrNewerHeaderIsAnError) {
  auto file = parse_results_file("deflake-results 2\n" + start_line(0, kRun0, "A.One"));
  ASSERT_TRUE(file.error.has_value());
  EXPECT_NE(file.error->find("version"), std::string::npos) << *file.error;
  EXPECT_TRUE(file.records.empty());

  file = parse_results_file("PASS\n");
  ASSERT_TRUE(file.error.has_value());
  EXPECT_NE(file.error->find("not a deflake results file"), std::string::npos);

  // A later process of a newer version: the records before it are kept.
  file = parse_results_file(kHeaderLine + start_line(0, kRun0, "A.One") + "deflake-results 2\n" +
                            start_line(0, kRun0, "A.Two"));
  ASSERT_TRUE(file.error.has_value());
  EXPECT_NE(file.error->find("line 3"), std::string::npos) << *file.error;
  EXPECT_EQ(file.records.size(), 1u);
}

TEST(ResultsFile, SeveralProcessesAppendToOneFile) {
  const auto text = kHeaderLine + start_line(0, kRun0, "A.One") + kHeaderLine +
                    start_line(0, kRun1, "A.One") + end_line(0, kRun1, "pass", "A.One");
  const auto file = parse_results_file(text);
  ASSERT_EQ(file.records.size(), 3u);
  EXPECT_EQ(file.records[0].process, 0u);
  EXPECT_EQ(file.records[2].process, 1u);
  const auto paired = pair_results(file.records);
  ASSERT_EQ(paired.iterations.size(), 2u);
  EXPECT_EQ(paired.iterations[0].tests[0].outcome, std::nullopt);  // the first process died
  EXPECT_EQ(paired.iterations[1].tests[0].outcome, Outcome::pass);
}

TEST(ResultsFile, MalformedLinesAreSkippedAndCounted) {
  const std::vector<std::string> bad = {
      "\n",
      "begin\t0\t1\t2\tA.B\n",
      "start\t0\t1\tA.B\n",          // too few fields
      "start\t0\t1\t2\t3\tA.B\n",    // too many fields
      "end\t0\t1\t2\tA.B\n",         // no outcome
      "end\t0\t1\t2\tcrash\tA.B\n",  // not an outcome the adapter writes
      "start\t-1\t1\t2\tA.B\n",      // not decimal digits
      "start\t0\t0x10\t2\tA.B\n",
      "start\t0\t18446744073709551616\t2\tA.B\n",  // 2^64
      "start\t0\t1\t\tA.B\n",                      // empty number
      "start\t0\t1\t2\t\n",                        // empty name
      std::string("start\t0\t1\t2\tA.\0B\n"sv),    // NUL in the name
      std::string("start\t0\t1\0\t2\tA.B\n"sv),    // NUL in a number
      "start 0 1 2 A.B\n",                         // spaces, not tabs
  };
  std::string text = kHeaderLine + start_line(0, kRun0, "A.First");
  for (const auto& line : bad) text += line;
  text += start_line(0, kRun0, "A.Last");
  const auto file = parse_results_file(text);
  EXPECT_EQ(file.error, std::nullopt);
  EXPECT_EQ(file.malformed_lines, bad.size());
  ASSERT_TRUE(file.first_malformed.has_value());
  EXPECT_NE(file.first_malformed->find("line 3"), std::string::npos) << *file.first_malformed;
  ASSERT_EQ(file.records.size(), 2u);
  EXPECT_EQ(file.records[0].name, "A.First");
  EXPECT_EQ(file.records[1].name, "A.Last");
}

TEST(ResultsFile, HugeSeedsAreExact) {
  const std::uint64_t max = UINT64_MAX;  // 18446744073709551615
  const std::uint64_t above53 = (std::uint64_t{1} << 53) + 1;
  const auto file =
      parse_results_file(kHeaderLine + "end\t" + std::to_string(max) + "\t" +
                         std::to_string(above53) + "\t" + std::to_string(max) + "\tpass\tA.B\n");
  ASSERT_EQ(file.records.size(), 1u);
  EXPECT_EQ(file.records[0].iteration, max);
  EXPECT_EQ(file.records[0].run_seed, above53);
  EXPECT_EQ(file.records[0].test_seed, max);
}

TEST(ResultsFile, NamesHoldAnyByteButTabAndNewline) {
  const std::string name = "Weird/S.\xff name with spaces\r";
  const auto file = parse_results_file(kHeaderLine + start_line(0, kRun0, name));
  ASSERT_EQ(file.records.size(), 1u);
  EXPECT_EQ(file.records[0].name, name);  // '\r' kept: the file is not CRLF
}

TEST(ResultsFile, CrlfFileIsReadWhenItsHeaderSaysSo) {
  const auto text = valid_file();
  std::string crlf;
  for (char c : text) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  const auto file = parse_results_file(crlf);
  EXPECT_EQ(file.error, std::nullopt);
  EXPECT_EQ(file.records, parse_results_file(text).records);
}

TEST(ResultsFile, SurvivesRandomDamage) {
  // A cheap fuzz pass with a fixed seed: bytes overwritten with the
  // characters the format cares about; whatever comes back is well-formed.
  std::mt19937_64 rng(20240611);
  const std::string alphabet = std::string(
      "\t\n\r\0"
      "0123456789startendpassfail"sv);
  for (int round = 0; round < 3000; ++round) {
    std::string text = valid_file();
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) text[rng() % text.size()] = alphabet[rng() % alphabet.size()];
    const auto file = parse_results_file(text);
    for (const auto& r : file.records) {
      ASSERT_FALSE(r.name.empty());
      ASSERT_EQ(r.name.find_first_of(std::string("\t\n\0", 3)), std::string::npos);
      ASSERT_EQ(r.outcome.has_value(), r.kind == Kind::end);
    }
    (void)pair_results(file.records);
  }
}

TEST(ResultsFile, ReadsFromDisk) {
  char path[] = "/tmp/deflake_results_test_XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  {
    std::ofstream out(path, std::ios::binary);
    out << valid_file() << "end\t1\t";  // torn
  }
  const auto file = read_results_file(path);
  EXPECT_EQ(file.error, std::nullopt);
  EXPECT_EQ(file.records.size(), 9u);
  EXPECT_TRUE(file.torn_last_line);
  ::unlink(path);

  // Missing: the process never wrote a line.
  const auto missing = read_results_file(path);
  EXPECT_EQ(missing.error, std::nullopt);
  EXPECT_FALSE(missing.has_header);
  // A directory cannot be read.
  EXPECT_TRUE(read_results_file("/").error.has_value());
}

}  // namespace
}  // namespace deflake
