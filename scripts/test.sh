#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every test.
#   scripts/test.sh                  release build, all tests
#   scripts/test.sh --sanitize address   ASan+UBSan build, unit and executor tests
#   scripts/test.sh --sanitize thread    TSan build, unit and executor tests
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sanitize=""
if [ "${1:-}" = "--sanitize" ]; then
  sanitize=${2:?"--sanitize needs address or thread"}
fi
"$root/scripts/install-deps.sh"
jobs=$(nproc)
if [ -z "$sanitize" ]; then
  build="$root/build"
  # Line tables only (-g1), as the sanitizer builds below: failures still
  # point at file:line, and the build is CI's largest step.
  "$root/scripts/build.sh" "$build" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
  ctest --test-dir "$build" -j "$jobs" --output-on-failure
else
  build="$root/build-$sanitize"
  # -g1 (line tables): enough for the sanitizers' file:line stack traces, and
  # the ASan+UBSan build compiles about a quarter faster than with -g (CI's
  # 20 minutes on 2 cores are mostly these two builds).
  BUILD_TYPE=Debug "$root/scripts/build.sh" "$build" -DDEFLAKE_SANITIZE="$sanitize" \
    -DDEFLAKE_BUILD_BENCH=OFF -DDEFLAKE_BUILD_EXAMPLES=OFF -DDEFLAKE_BUILD_E2E_TESTS=OFF \
    -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
  ctest --test-dir "$build" -j "$jobs" -L 'unit|executor' --output-on-failure
fi
