// StoreReporter keeps a target's first failing log whole: a long output
// comes back from the launcher as a spill file (its first bytes, up to the
// store's cap) and the capture's head and tail; what the store keeps is the
// raw head, one omission marker, and the raw tail, never a part twice.
#include "store/store_reporter.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "platform/output_capture.hpp"
#include "platform/read_file.hpp"
#include "platform/temp_dir.hpp"
#include "store/record.hpp"

namespace deflake {
namespace {

/// `bytes` of numbered lines, starting with "<HEAD>" and ending with
/// "<TAIL>\n", with a line that only looks like the capture's marker.
std::string numbered_output(std::size_t bytes) {
  std::string text = "<HEAD>\n[5 bytes omitted]\n";
  for (std::size_t line = 0; text.size() < bytes; ++line) text += fmt::format("line {:09}\n", line);
  text.resize(bytes - 7);
  text += "<TAIL>\n";
  return text;
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

/// What the store keeps of a failing run that printed `output`, captured as
/// the launcher captures it (head 16 KiB, tail 64 KiB, spilled up to the cap).
std::string kept_whole(const std::string& output) {
  // On tmpfs when there is one: the test writes tens of megabytes.
  TempRoot temp =
      memory_backed_temp_base().empty() ? TempRoot() : TempRoot(memory_backed_temp_base());
  RunRecord run;
  {
    OutputCapture capture(16 * 1024, 64 * 1024);
    capture.spill_to(temp.path() + "/spill", kFullOutputCap);
    for (std::size_t at = 0; at < output.size(); at += 65536)  // as pipe reads come
      capture.append(std::string_view(output).substr(at, 65536));
    run.output = capture.render();
    run.output_bytes = capture.total_bytes();
    run.full_output_path = capture.spill_path();
  }
  EXPECT_FALSE(run.full_output_path.empty());
  run.outcome = Outcome::fail;
  run.status = ExitStatus::exited(1);
  SweepPlan plan;
  plan.argv = {"./t"};
  plan.target_name = "./t";
  StoreReporter reporter(temp.path() + "/store", "run");
  SweepStart start;
  start.plan = &plan;
  reporter.on_sweep_start(start);
  reporter.on_run_end(run, TargetResult("./t", {"./t"}));
  EXPECT_EQ(reporter.written(), 1u);
  const StoreLookup found = Store(temp.path() + "/store").newest();
  if (!found.record || !found.record->full_output_file) {
    ADD_FAILURE() << "no whole output kept: " << found.error;
    return "";
  }
  return read_whole_file(temp.path() + "/store/" + *found.record->full_output_file).text;
}

/// Checks that `kept` is `output`'s first bytes, one marker that counts the
/// bytes left out, and `output`'s last bytes.
void expect_head_marker_tail(const std::string& output, const std::string& kept) {
  EXPECT_LE(kept.size(), kFullOutputCap);
  EXPECT_EQ(occurrences(kept, "<HEAD>"), 1u);
  EXPECT_EQ(occurrences(kept, "<TAIL>"), 1u);
  EXPECT_EQ(occurrences(kept, "[5 bytes omitted]"), 1u);  // the test's own line, kept as it was
  EXPECT_EQ(occurrences(kept, "[deflake: "), 1u);
  EXPECT_EQ(occurrences(kept, " bytes omitted]"), 2u);  // that line, and the one marker
  const std::size_t marker = kept.find("[deflake: ");
  ASSERT_NE(marker, std::string::npos);
  const std::size_t marker_end = kept.find("]\n", marker) + 2;
  const std::uint64_t omitted = std::stoull(kept.substr(marker + 10));
  // The marker is on a line of its own: the head gets a newline when it has none.
  const std::size_t head =
      kept[marker - 1] == '\n' && output[marker - 1] != '\n' ? marker - 1 : marker;
  const std::size_t tail = kept.size() - marker_end;
  // Compared, not printed: GoogleTest would diff megabytes line by line.
  EXPECT_TRUE(kept.compare(0, head, output, 0, head) == 0) << "the head is not the output's start";
  EXPECT_TRUE(kept.compare(marker_end, tail, output, output.size() - tail, tail) == 0)
      << "the tail is not the output's end";
  EXPECT_EQ(head + omitted + tail, output.size());
  EXPECT_GE(tail, 1000u);  // the capture's end made it in
}

TEST(StoreReporter, AnOutputPastTheCapKeepsHeadOneMarkerAndTail) {
  const std::string output = numbered_output(kFullOutputCap + 2 * 1024 * 1024);
  expect_head_marker_tail(output, kept_whole(output));
}

TEST(StoreReporter, AnOutputJustPastTheCapKeepsItsEndOnce) {
  // The capture's tail reaches back into what the spill file holds.
  const std::string output = numbered_output(kFullOutputCap + 1000);
  expect_head_marker_tail(output, kept_whole(output));
}

TEST(StoreReporter, AnOutputUnderTheCapIsKeptAsItIs) {
  const std::string output = numbered_output(1024 * 1024);
  EXPECT_EQ(kept_whole(output), output);
}

}  // namespace
}  // namespace deflake
