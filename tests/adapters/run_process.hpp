// Runs a program to completion and keeps its standard output: just enough of
// a launcher for the adapter's tests, which only need exit status and text.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace adapter_test {

struct Finished {
  int exit_code = -1;  // -1 when a signal ended it
  int signal = 0;      // the signal that ended it, or 0
  std::string out;     // everything it wrote to stdout
};

/// Runs argv (argv[0] is the path) with every DEFLAKE_* variable of ours
/// removed, then `env` set, so that a deflake running this test suite cannot
/// change what the child sees. stderr is inherited, for the ctest log.
Finished run_process(const std::vector<std::string>& argv,
                     const std::vector<std::pair<std::string, std::string>>& env);

/// The whole content of a file, or "" when it does not exist.
std::string read_file(const std::string& path);

}  // namespace adapter_test
