// The results file: how a test binary that links the GoogleTest adapter tells
// deflake, test by test and iteration by iteration, what ran with which seed
// and how it ended. Both sides include this header.
//
// deflake names the file in DEFLAKE_RESULTS; the adapter appends to it (the
// file may not exist yet). Text, one record per line, fields separated by one
// tab, each line written with a single write(2) on an O_APPEND descriptor so
// that a crash never interleaves or tears a line that was written whole; a
// last line without its '\n' is torn and ignored by the reader.
//
//   deflake-results 1                                     first line, once per process
//   start <iteration> <run_seed> <test_seed> <name>        before a test's body
//   end <iteration> <run_seed> <test_seed> <outcome> <name>  after it; outcome is pass|fail|skip
//
// <iteration> counts --gtest_repeat iterations from 0; <run_seed> is the
// iteration's run seed (iteration_seed() in seed_derivation.hpp); <test_seed>
// is child_seed(run_seed, name); <name> is the test's full name as
// --gtest_filter takes it ("Suite.Name", "Prefix/Suite.Name/0",
// "Typed/0.Name"), always the last field so it may hold any byte but tab and
// newline. A `start` with no `end` is the test that was running when the
// process died (crash, exit() mid-test, timeout). The order of `start` lines
// is the order in which tests ran.
#pragma once

namespace deflake::results {

/// The environment variable that names the results file.
inline constexpr const char* kFileVariable = "DEFLAKE_RESULTS";
/// The environment variable that holds a batch process's master seed.
inline constexpr const char* kMasterSeedVariable = "DEFLAKE_MASTER_SEED";
/// The first line of a results file, and its version.
inline constexpr const char* kHeader = "deflake-results 1";
inline constexpr const char* kStart = "start";
inline constexpr const char* kEnd = "end";
/// In a batch process (DEFLAKE_MASTER_SEED set), the adapter heads each
/// --gtest_repeat iteration's output with this, then "<iteration> seed
/// <run_seed>" and a newline, so that deflake can show a failing iteration's
/// own output (deflake runs batches with --gtest_brief=1, which drops
/// GoogleTest's "Repeating all tests" headings along with the passing tests'
/// lines).
inline constexpr const char* kIterationHeading = "[ deflake  ] iteration ";
/// A string embedded in every binary that links deflake::gtest, so deflake
/// can tell, by reading the binary and never by running it, that the batched
/// strategy is available.
inline constexpr const char* kAdapterMarker = "deflake-gtest-adapter/1";

}  // namespace deflake::results
