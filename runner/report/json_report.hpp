// The JSON report, schema deflake.report/1 (DESIGN.md). The only translation
// unit that includes nlohmann-json, which is heavy to compile.
#pragma once

#include <string>

#include "report/listener.hpp"

namespace deflake {

/// The report document for one finished sweep.
std::string render_json_report(const std::string& command, const SweepOutcome& outcome);

/// Writes the report when the sweep ends (also after Ctrl-C), atomically.
class JsonReporter final : public SweepListener {
 public:
  JsonReporter(std::string path, std::string command)
      : path_(std::move(path)), command_(std::move(command)) {}
  void on_sweep_end(const SweepOutcome& outcome) override;

 private:
  std::string path_;
  std::string command_;
};

}  // namespace deflake
