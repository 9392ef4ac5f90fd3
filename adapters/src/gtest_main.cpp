// main() for test binaries that link deflake::gtest, in place of gtest_main.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "deflake/results_protocol.hpp"
#include "listener.hpp"

namespace {

// deflake reads test binaries (never runs them) to learn whether they link
// this adapter, and so whether it may batch many tests and seeds in one
// process. In main's translation unit, so every binary that links the
// adapter carries it; `used`, so the optimiser keeps it though nothing reads it.
[[gnu::used]] constexpr char kMarker[] = "deflake-gtest-adapter/1";
static_assert(std::string_view(kMarker) == deflake::results::kAdapterMarker);

// GoogleTest runs a "threadsafe" death test by running this binary again
// with this flag, in the environment of the parent: that child must not
// write into the parent's results file nor print replay lines of its own.
bool is_death_test_child(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--gtest_internal_run_death_test", 31) == 0) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  using deflake::gtest_adapter::Listener;
  using deflake::gtest_adapter::ResultsFile;
  using deflake::gtest_adapter::Settings;

  const bool death_test_child = is_death_test_child(argc, argv);
  testing::InitGoogleTest(&argc, argv);
  Settings settings = Settings::from_environment(argc > 0 ? argv[0] : "");
  settings.print_replay = !death_test_child;
  ResultsFile results;
  if (settings.results_path != nullptr && !death_test_child) {
    std::string error;
    results = ResultsFile::open(settings.results_path, &error);
    if (!results.is_open()) std::fprintf(stderr, "deflake: %s\n", error.c_str());
  }
  // Appended, so GoogleTest's own printer reports the test's start first.
  testing::UnitTest::GetInstance()->listeners().Append(
      new Listener(std::move(settings), std::move(results)));
  return RUN_ALL_TESTS();
}
