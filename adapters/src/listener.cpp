#include "listener.hpp"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "deflake/gtest.hpp"
#include "deflake/results_protocol.hpp"
#include "deflake/seed_derivation.hpp"

namespace deflake {
namespace {

// What the accessors in <deflake/gtest.hpp> report. Listeners run on the
// thread that runs the tests, before and after each test, so no lock.
std::uint64_t current_run_seed = kDefaultSeed;
std::uint64_t current_test_seed = kDefaultSeed;
int current_iteration = 0;

// Seeds both generators a test may use: ours and the C library's.
void seed_generators(std::uint64_t value) {
  reseed(value);
  std::srand(static_cast<unsigned>(value ^ (value >> 32)));
}

}  // namespace

std::uint64_t test_seed() {
  return current_test_seed;
}
std::uint64_t run_seed_of_test() {
  return current_run_seed;
}
int test_iteration() {
  return current_iteration;
}

namespace gtest_adapter {

Settings Settings::from_environment(std::string program) {
  Settings settings;
  const auto read = [](const char* name) -> std::optional<std::uint64_t> {
    const char* text = std::getenv(name);
    return text != nullptr ? parse_seed(text) : std::nullopt;
  };
  settings.master_seed = read(results::kMasterSeedVariable);
  settings.first_run = read("DEFLAKE_RUN").value_or(0);
  settings.process_seed = seed();
  settings.seed_pinned = pinned("seed");
  const char* path = std::getenv(results::kFileVariable);
  settings.results_path = (path != nullptr && *path != '\0') ? path : nullptr;
  settings.program = std::move(program);
  return settings;
}

std::string full_name(const testing::TestInfo& info) {
  // Parameterised ("Prefix/Suite.Name/0") and typed ("Typed/0.Name") tests
  // carry their instantiation in these two parts already.
  return std::string(info.test_suite_name()) + "." + info.name();
}

std::string shell_quote(std::string_view word) {
  constexpr std::string_view kSafe =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=/.,:@%";
  if (!word.empty() && word.find_first_not_of(kSafe) == std::string_view::npos) {
    return std::string(word);
  }
  std::string quoted = "'";
  for (const char c : word) {
    if (c == '\'') {
      quoted += "'\\''";  // close the quote, an escaped quote, reopen
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string replay_line(std::uint64_t run_seed, std::string_view program, std::string_view name) {
  return "[ deflake  ] replay: DEFLAKE_SEED=" + std::to_string(run_seed) + " " +
         shell_quote(program) + " " + shell_quote("--gtest_filter=" + std::string(name)) + "\n";
}

Listener::Listener(Settings settings, ResultsFile results)
    : settings_(std::move(settings)), results_(std::move(results)) {
  current_run_seed = iteration_seed(settings_.master_seed, settings_.first_run,
                                    settings_.process_seed, 0, settings_.seed_pinned);
  current_test_seed = current_run_seed;
}

void Listener::OnTestIterationStart(const testing::UnitTest&, int iteration) {
  current_iteration = iteration;
  current_run_seed =
      iteration_seed(settings_.master_seed, settings_.first_run, settings_.process_seed,
                     static_cast<std::uint64_t>(iteration), settings_.seed_pinned);
  current_test_seed = current_run_seed;
  // Global environments' SetUp draws from the run seed.
  seed_generators(current_run_seed);
  if (settings_.master_seed && settings_.print_replay) {
    // A deflake batch: head the iteration's output (results_protocol.hpp).
    const std::string heading = std::string(results::kIterationHeading) +
                                std::to_string(iteration) + " seed " +
                                std::to_string(current_run_seed) + "\n";
    std::fflush(stdout);
    std::fputs(heading.c_str(), stdout);
  }
}

void Listener::OnTestSuiteStart(const testing::TestSuite& suite) {
  // SetUpTestSuite runs next: seed it by the suite's name, not by whichever
  // suite happened to run before it (--gtest_shuffle).
  seed_generators(child_seed(current_run_seed, suite.name()));
}

void Listener::OnTestStart(const testing::TestInfo& info) {
  const std::string name = full_name(info);
  current_test_seed = child_seed(current_run_seed, name);
  seed_generators(current_test_seed);
  results_.write_start(static_cast<std::uint64_t>(current_iteration), current_run_seed,
                       current_test_seed, name);
}

void Listener::OnTestEnd(const testing::TestInfo& info) {
  const std::string name = full_name(info);
  const testing::TestResult& result = *info.result();
  // Skipped() is false when the test also failed, so a failure is never
  // reported as a skip.
  const Outcome outcome = result.Skipped()  ? Outcome::kSkip
                          : result.Failed() ? Outcome::kFail
                                            : Outcome::kPass;
  results_.write_end(static_cast<std::uint64_t>(current_iteration), current_run_seed,
                     current_test_seed, outcome, name);
  if (outcome == Outcome::kFail && settings_.print_replay) {
    // The run seed, not the test seed: the adapter derives the same test seed
    // from it, so the replay goes through exactly the code path of the failure.
    const std::string line = replay_line(current_run_seed, settings_.program, name);
    std::fflush(stdout);
    std::fputs(line.c_str(), stdout);
    std::fflush(stdout);
  }
}

}  // namespace gtest_adapter
}  // namespace deflake
