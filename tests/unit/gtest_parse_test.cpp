#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "parse/gtest_list.hpp"
#include "parse/gtest_report.hpp"

namespace deflake {
namespace {

std::string golden_path(const std::string& name) {
  return std::string(DEFLAKE_GOLDEN_DIR) + "/" + name;
}

std::string read_golden(const std::string& name) {
  std::ifstream in(golden_path(name), std::ios::binary);
  EXPECT_TRUE(in) << "missing golden file " << name;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> full_names(const GtestList& list) {
  std::vector<std::string> names;
  for (const auto& c : list.cases) names.push_back(c.full_name);
  return names;
}

const GtestResult* find(const GtestReport& report, const std::string& full_name) {
  for (const auto& t : report.tests)
    if (t.full_name == full_name) return &t;
  return nullptr;
}

// --- --gtest_list_tests ----------------------------------------------------

TEST(GtestList, ParsesTheGoldenListing) {
  const auto list = parse_gtest_list(read_golden("gtest_list.txt"));
  EXPECT_EQ(list.error, std::nullopt);
  const std::vector<std::string> expected = {
      "Plain.Passes",
      "Plain.AlsoPasses",
      "Plain.Fails",
      "Plain.Skips",
      "Plain.DISABLED_Later",
      "DISABLED_Suite.Test",
      "SetUpFails.Body",
      "SuiteSetUpFails.First",
      "SuiteSetUpFails.Second",
      "TypedTest/0.DefaultIsZero",
      "TypedTest/1.DefaultIsZero",
      "My/TypedParamTest/0.SizeIsPositive",
      "My/TypedParamTest/1.SizeIsPositive",
      "Ints/ParamTest.IsPositive/0",
      "Ints/ParamTest.IsPositive/1",
      "Words/WordTest.NotEmpty/0",
      "Words/WordTest.NotEmpty/1",
  };
  EXPECT_EQ(full_names(list), expected);
}

TEST(GtestList, KeepsTypeAndValueParameters) {
  const auto list = parse_gtest_list(read_golden("gtest_list.txt"));
  ASSERT_EQ(list.cases.size(), 17u);
  const GtestCase typed = list.cases[10];
  EXPECT_EQ(typed, (GtestCase{"TypedTest/1", "DefaultIsZero", "TypedTest/1.DefaultIsZero", "double",
                              "", false}));
  EXPECT_EQ(list.cases[11].type_param, "char");  // type-parameterised
  EXPECT_EQ(list.cases[11].suite, "My/TypedParamTest/0");
  EXPECT_EQ(list.cases[13], (GtestCase{"Ints/ParamTest", "IsPositive/0",
                                       "Ints/ParamTest.IsPositive/0", "", "4", false}));
  EXPECT_EQ(list.cases[15].value_param, "\"a b\"");  // spaces and quotes kept
  EXPECT_EQ(list.cases[0].type_param, "");
  EXPECT_EQ(list.cases[0].value_param, "");
}

TEST(GtestList, MarksDisabledTests) {
  const auto list = parse_gtest_list(read_golden("gtest_list.txt"));
  std::vector<std::string> disabled;
  for (const auto& c : list.cases)
    if (c.disabled) disabled.push_back(c.full_name);
  EXPECT_EQ(disabled, (std::vector<std::string>{"Plain.DISABLED_Later", "DISABLED_Suite.Test"}));
  EXPECT_TRUE(is_disabled_gtest_name("Prefix/DISABLED_Suite"));
  EXPECT_TRUE(is_disabled_gtest_name("DISABLED_Prefix/Suite"));
  EXPECT_FALSE(is_disabled_gtest_name("NotDISABLED_Suite"));
  EXPECT_FALSE(is_disabled_gtest_name("Suite"));
}

TEST(GtestList, ParsesAFilteredListing) {
  const auto list = parse_gtest_list(read_golden("gtest_list_filtered.txt"));
  EXPECT_EQ(list.error, std::nullopt);
  EXPECT_EQ(full_names(list), (std::vector<std::string>{
                                  "Plain.Passes", "Plain.AlsoPasses", "Plain.Fails", "Plain.Skips",
                                  "Plain.DISABLED_Later", "Ints/ParamTest.IsPositive/0",
                                  "Ints/ParamTest.IsPositive/1"}));
}

TEST(GtestList, IgnoresABannerBeforeTheListing) {
  // A binary may print anything before main() reaches GoogleTest, even lines
  // that look like a suite ("Starting.") or a test ("  loading").
  const auto list = parse_gtest_list(
      "My tool v1.2 starting.\n"
      "  loading config\n"
      "Ready.\n"
      "\n"
      "Suite.\n"
      "  Test\n");
  EXPECT_EQ(list.error, std::nullopt);
  EXPECT_EQ(full_names(list), (std::vector<std::string>{"Suite.Test"}));
}

TEST(GtestList, EmptyOutputListsNothing) {
  EXPECT_TRUE(parse_gtest_list("").cases.empty());
  EXPECT_EQ(parse_gtest_list("").error, std::nullopt);
  const auto banner_only = parse_gtest_list("Running main() from gtest_main.cc\n");
  EXPECT_TRUE(banner_only.cases.empty());
  EXPECT_EQ(banner_only.error, std::nullopt);
}

TEST(GtestList, ReportsJunkInsideTheListing) {
  const auto list = parse_gtest_list("A.\n  One\nsomething else printed\n  Two\nB.\n  Three\n");
  ASSERT_TRUE(list.error.has_value());
  EXPECT_NE(list.error->find("line 3"), std::string::npos) << *list.error;
  // The tests around it are still read.
  EXPECT_EQ(full_names(list), (std::vector<std::string>{"A.One", "A.Two", "B.Three"}));
}

TEST(GtestList, ToleratesCrlfAndAMissingLastNewline) {
  const auto list = parse_gtest_list("A.\r\n  One\r\n  Two  # GetParam() = 2\r\nB.\n  Three");
  EXPECT_EQ(list.error, std::nullopt);
  EXPECT_EQ(full_names(list), (std::vector<std::string>{"A.One", "A.Two", "B.Three"}));
  EXPECT_EQ(list.cases[1].value_param, "2");
}

TEST(GtestList, NeverCrashesOnAnyPrefix) {
  const auto text = read_golden("gtest_list.txt");
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    const auto list = parse_gtest_list(std::string_view(text).substr(0, cut));
    EXPECT_LE(list.cases.size(), 17u);
  }
}

// --- --gtest_output=json ----------------------------------------------------

TEST(GtestReport, AllPass) {
  const auto report = read_gtest_report(golden_path("gtest_report_all_pass.json"));
  ASSERT_EQ(report.error, std::nullopt);
  std::vector<std::string> names;
  for (const auto& t : report.tests) {
    names.push_back(t.full_name);
    EXPECT_EQ(t.outcome, Outcome::pass) << t.full_name;
    EXPECT_TRUE(t.failures.empty());
    EXPECT_TRUE(t.started);
  }
  EXPECT_EQ(names, (std::vector<std::string>{
                       "Plain.Passes", "Plain.AlsoPasses", "TypedTest/0.DefaultIsZero",
                       "TypedTest/1.DefaultIsZero", "My/TypedParamTest/0.SizeIsPositive",
                       "My/TypedParamTest/1.SizeIsPositive", "Ints/ParamTest.IsPositive/0",
                       "Ints/ParamTest.IsPositive/1", "Words/WordTest.NotEmpty/0",
                       "Words/WordTest.NotEmpty/1"}));
  // AlsoPasses sleeps 25 ms.
  EXPECT_GE(find(report, "Plain.AlsoPasses")->seconds, 0.02);
  EXPECT_LT(find(report, "Plain.AlsoPasses")->seconds, 1.0);
  EXPECT_EQ(find(report, "Plain.Passes")->seconds, 0.0);
  EXPECT_TRUE(report.non_test_failures.empty());
}

TEST(GtestReport, OneFailing) {
  const auto report = read_gtest_report(golden_path("gtest_report_one_fail.json"));
  ASSERT_EQ(report.error, std::nullopt);
  ASSERT_EQ(report.tests.size(), 4u);
  const auto* failing = find(report, "Plain.Fails");
  ASSERT_NE(failing, nullptr);
  EXPECT_EQ(failing->outcome, Outcome::fail);
  ASSERT_EQ(failing->failures.size(), 1u);
  EXPECT_NE(failing->failures[0].find("arithmetic is broken"), std::string::npos);
  EXPECT_EQ(find(report, "Plain.Passes")->outcome, Outcome::pass);
  EXPECT_EQ(find(report, "Ints/ParamTest.IsPositive/1")->outcome, Outcome::pass);
}

TEST(GtestReport, Skipped) {
  const auto report = read_gtest_report(golden_path("gtest_report_skip.json"));
  ASSERT_EQ(report.error, std::nullopt);
  ASSERT_EQ(report.tests.size(), 2u);
  EXPECT_EQ(find(report, "Plain.Skips")->outcome, Outcome::skip);
  EXPECT_TRUE(find(report, "Plain.Skips")->started);
  EXPECT_EQ(find(report, "Plain.Passes")->outcome, Outcome::pass);
}

TEST(GtestReport, FailureInSetUpIsAFailure) {
  const auto report = read_gtest_report(golden_path("gtest_report_setup_fail.json"));
  ASSERT_EQ(report.error, std::nullopt);
  const auto* body = find(report, "SetUpFails.Body");
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(body->outcome, Outcome::fail);
  ASSERT_EQ(body->failures.size(), 1u);
  EXPECT_NE(body->failures[0].find("cannot set up"), std::string::npos);
}

TEST(GtestReport, FailureInSetUpTestSuiteShowsAsNeverStartedSkips) {
  // GoogleTest 1.12 writes no failure for it: only `started` tells.
  const auto report = read_gtest_report(golden_path("gtest_report_suite_setup_fail.json"));
  ASSERT_EQ(report.error, std::nullopt);
  for (const char* name : {"SuiteSetUpFails.First", "SuiteSetUpFails.Second"}) {
    const auto* test = find(report, name);
    ASSERT_NE(test, nullptr) << name;
    EXPECT_EQ(test->outcome, Outcome::skip);
    EXPECT_FALSE(test->started);
  }
  EXPECT_TRUE(find(report, "Plain.Passes")->started);
}

TEST(GtestReport, DisabledTestsAreLeftOut) {
  const auto report = read_gtest_report(golden_path("gtest_report_everything.json"));
  ASSERT_EQ(report.error, std::nullopt);
  EXPECT_EQ(report.tests.size(), 17u - 2u);
  EXPECT_EQ(find(report, "Plain.DISABLED_Later"), nullptr);
  EXPECT_EQ(find(report, "DISABLED_Suite.Test"), nullptr);
  int failed = 0, skipped = 0;
  for (const auto& t : report.tests) {
    failed += t.outcome == Outcome::fail;
    skipped += t.outcome == Outcome::skip;
  }
  EXPECT_EQ(failed, 2);   // Plain.Fails, SetUpFails.Body
  EXPECT_EQ(skipped, 3);  // Plain.Skips, SuiteSetUpFails.*
}

TEST(GtestReport, BrokenReportsAreErrors) {
  for (const char* name :
       {"gtest_report_truncated.json", "gtest_report_empty.json", "gtest_report_garbage.json",
        "gtest_report_no_suites.json", "no_such_report.json"}) {
    const auto report = read_gtest_report(golden_path(name));
    ASSERT_TRUE(report.error.has_value()) << name;
    EXPECT_NE(report.error->find(name), std::string::npos) << *report.error;
    EXPECT_TRUE(report.tests.empty()) << name;
  }
}

TEST(GtestReport, EveryPrefixOfAReportIsAnErrorNeverACrash) {
  const auto text = read_golden("gtest_report_one_fail.json");
  // The whole text minus trailing whitespace is the only valid prefix.
  const auto complete = text.find_last_not_of(" \n") + 1;
  for (std::size_t cut = 0; cut < complete; ++cut) {
    const auto report = parse_gtest_report(std::string_view(text).substr(0, cut));
    EXPECT_TRUE(report.error.has_value()) << "cut at " << cut;
  }
  EXPECT_EQ(parse_gtest_report(text).error, std::nullopt);
}

TEST(GtestReport, SurvivesRandomDamage) {
  // A cheap fuzz pass with a fixed seed: a damaged report parses or is an
  // error value, never an exception or a crash.
  std::mt19937_64 rng(20240611);
  const std::string alphabet = "{}[]\",:0123456789 sRUNCOMPLETEDSKIPPEDtruenull";
  const auto original = read_golden("gtest_report_everything.json");
  for (int round = 0; round < 500; ++round) {
    std::string text = original;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) text[rng() % text.size()] = alphabet[rng() % alphabet.size()];
    const auto report = parse_gtest_report(text);
    if (report.error) {
      EXPECT_TRUE(report.tests.empty());
    }
  }
  const auto listing = read_golden("gtest_list.txt");
  for (int round = 0; round < 500; ++round) {
    std::string text = listing;
    for (int e = 0; e < 4; ++e) text[rng() % text.size()] = " .\n#/\r"[rng() % 6];
    EXPECT_LE(parse_gtest_list(text).cases.size(), text.size());
  }
}

TEST(GtestReport, WrongTypesAreErrorsNotExceptions) {
  for (const char* json : {
           "[]",
           "{\"testsuites\": 3}",
           "{\"testsuites\": [3]}",
           "{\"testsuites\": [{\"name\": 1, \"testsuite\": []}]}",
           "{\"testsuites\": [{\"name\": \"S\"}]}",
           "{\"testsuites\": [{\"name\": \"S\", \"testsuite\": [\"x\"]}]}",
           "{\"testsuites\": [{\"name\": \"S\", \"testsuite\": [{\"name\": \"T\"}]}]}",
           "{\"testsuites\": [{\"name\": \"S\", \"testsuite\": [{\"name\": \"T\", \"status\": "
           "\"RUN\", \"result\": \"EXPLODED\"}]}]}",
           "{\"testsuites\": [{\"name\": \"S\", \"testsuite\": [{\"name\": \"T\", \"status\": "
           "\"RUN\", \"failures\": 7}]}]}",
           "{\"testsuites\": [{\"name\": \"S\", \"testsuite\": [{\"name\": \"T\", \"status\": "
           "\"RUN\", \"time\": \"fast\"}]}]}",
       }) {
    EXPECT_TRUE(parse_gtest_report(json).error.has_value()) << json;
  }
}

TEST(GtestReport, FailureWinsOverSkipAndOldReportsWithoutResult) {
  const auto report = parse_gtest_report(
      R"({"testsuites": [{"name": "S", "testsuite": [
           {"name": "FailThenSkip", "status": "RUN", "result": "SKIPPED",
            "failures": [{"failure": "f.cc:1\nboom", "type": ""}]},
           {"name": "Old", "status": "RUN", "time": "1.5s"}]}]})");
  ASSERT_EQ(report.error, std::nullopt);
  ASSERT_EQ(report.tests.size(), 2u);
  EXPECT_EQ(report.tests[0].outcome, Outcome::fail);
  EXPECT_EQ(report.tests[1].outcome, Outcome::pass);
  EXPECT_EQ(report.tests[1].seconds, 1.5);
}

TEST(GtestReport, FailuresOutsideTestsAreKeptApart) {
  // What GoogleTest writes when a global Environment's SetUp fails.
  const auto report = parse_gtest_report(
      R"({"testsuites": [{"name": "NonTestSuiteFailure", "tests": 1, "testsuite": [
           {"name": "", "status": "RUN", "result": "COMPLETED", "time": "0s", "classname": "",
            "failures": [{"failure": "env.cc:3\nno GPU", "type": ""}]}]}]})");
  ASSERT_EQ(report.error, std::nullopt);
  EXPECT_TRUE(report.tests.empty());
  EXPECT_EQ(report.non_test_failures, (std::vector<std::string>{"env.cc:3\nno GPU"}));
}

}  // namespace
}  // namespace deflake

namespace deflake {
namespace {

// Found by the fuzzer: from_chars reads "nan" and "inf", which are no durations.
TEST(GtestReport, ADurationThatIsNotFiniteIsMalformed) {
  for (const char* time : {"nans", "-nans", "infs", "1e999s"}) {
    const std::string text =
        std::string(R"({"testsuites":[{"name":"S","testsuite":[{"name":"T","status":"RUN","time":")") +
        time + R"("}]}]})";
    EXPECT_TRUE(parse_gtest_report(text).error) << time;
  }
}

}  // namespace
}  // namespace deflake
