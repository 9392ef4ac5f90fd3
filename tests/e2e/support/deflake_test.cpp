#include "support/deflake_test.hpp"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <ostream>

namespace e2e {
namespace {

std::string clip(const std::string& text, std::size_t limit = 4000) {
  if (text.size() <= limit) return text;
  return text.substr(0, limit / 2) + "\n[... clipped ...]\n" + text.substr(text.size() - limit / 2);
}

}  // namespace

std::string line_after(const std::string& text, const std::string& prefix) {
  const std::size_t at = text.find(prefix);
  if (at == std::string::npos) return "";
  const std::size_t start = at + prefix.size();
  return text.substr(start, text.find('\n', start) - start);
}

std::string digits_before(const std::string& text, const std::string& suffix) {
  const std::size_t end = text.find(suffix);
  if (end == std::string::npos) return "";
  std::size_t start = end;
  while (start > 0 && text[start - 1] >= '0' && text[start - 1] <= '9') --start;
  return text.substr(start, end - start);
}

const nlohmann::json& Result::target() const {
  if (!report.is_object()) throw std::runtime_error("deflake wrote no JSON report");
  return report.at("targets").at(0);
}

std::ostream& operator<<(std::ostream& os, const Result& r) {
  os << "\ndeflake exit code " << r.exit.exit_code;
  if (r.exit.signal != 0) os << ", killed by signal " << r.exit.signal;
  if (r.exit.hung) os << " (HUNG: killed by the test's safety net)";
  os << ", wall " << r.exit.wall_s << " s, peak RSS " << r.exit.max_rss_kb << " KiB";
  os << "\n--- stdout ---\n" << clip(r.out) << "\n--- stderr ---\n" << clip(r.err) << "\n";
  return os;
}

void DeflakeTest::SetUp() {
  static std::atomic<int> counter{0};
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string pattern = std::filesystem::temp_directory_path().string() + "/deflake-e2e-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  dir_ = pattern;
  std::filesystem::create_directory(temp_root());
  marker_ = "DEFLAKE_E2E_MARKER=" + std::string(info->test_suite_name()) + "." + info->name() +
            "." + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

void DeflakeTest::TearDown() {
  // Whatever a failing deflake left behind must not outlive the test.
  for (int round = 0; round < 50; ++round) {
    const auto left = survivors();
    if (left.empty()) break;
    for (pid_t pid : left) {
      ::kill(pid, SIGKILL);
      ::kill(pid, SIGCONT);
    }
    ::usleep(20'000);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::vector<std::string> DeflakeTest::sweep_args(const std::vector<std::string>& options,
                                                 const std::vector<std::string>& command) const {
  std::vector<std::string> args = {"run", "--json", report_path()};
  args.insert(args.end(), options.begin(), options.end());
  args.push_back("--");
  args.insert(args.end(), command.begin(), command.end());
  return args;
}

std::unique_ptr<Child> DeflakeTest::start(const std::vector<std::string>& args,
                                          const Launch& launch) {
  LaunchOptions o;
  o.argv = launch.wrapper;
  o.argv.push_back(kDeflake);
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = launch.env;
  const std::size_t eq = marker_.find('=');
  o.env.emplace_back(marker_.substr(0, eq), marker_.substr(eq + 1));
  o.env.emplace_back("TMPDIR", temp_root());
  o.env.emplace_back("NO_COLOR", "1");
  o.stdout_path = dir_ + "/stdout";
  o.stderr_path = dir_ + "/stderr";
  o.cwd = dir_;
  o.raise_core_limit = launch.raise_core_limit;
  o.kill_after_s = launch.kill_after_s;
  std::error_code ignored;
  std::filesystem::remove(report_path(),
                          ignored);  // a report from an earlier invocation must not count
  return std::make_unique<Child>(o);
}

Result DeflakeTest::finish(Child& child) const {
  Result r;
  r.exit = child.wait();
  r.out = read_file(dir_ + "/stdout");
  r.err = read_file(dir_ + "/stderr");
  if (std::filesystem::exists(report_path())) {
    const std::string text = read_file(report_path());
    r.report = nlohmann::json::parse(text, nullptr, false);
    if (r.report.is_discarded()) {
      ADD_FAILURE() << "the JSON report does not parse:\n" << clip(text);
      r.report = nullptr;
    }
  }
  EXPECT_FALSE(r.exit.hung) << "deflake hung" << r;
  return r;
}

Result DeflakeTest::deflake(const std::vector<std::string>& args, const Launch& launch) {
  auto child = start(args, launch);
  return finish(*child);
}

std::vector<pid_t> DeflakeTest::runs_named(const Child& deflake, const std::string& name) const {
  std::vector<pid_t> found;
  for (pid_t pid : children_of(deflake.pid()))
    if (process_name(pid) == name) found.push_back(pid);
  return found;
}

}  // namespace e2e
