#!/bin/sh
# Builds gtest_golden_gen with the system's GoogleTest and captures its
# --gtest_list_tests output and JSON reports into ../golden/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
golden="$here/../golden"
bin=$(mktemp -d)/gtest_golden_gen
trap 'rm -rf "$(dirname "$bin")"' EXIT
# Compiled from here, so that the reports name the source by a relative path.
cd "$here"
g++ -std=c++20 -O0 gtest_golden_gen.cpp -o "$bin" -lgtest_main -lgtest -lpthread

"$bin" --gtest_list_tests >"$golden/gtest_list.txt"
"$bin" --gtest_list_tests --gtest_filter='Plain.*:Ints/*' >"$golden/gtest_list_filtered.txt"

# Each report from one run; the exit code is 1 when a test fails.
report() {  # name filter
  "$bin" --gtest_filter="$2" --gtest_output="json:$golden/$1" >/dev/null || true
}
report gtest_report_all_pass.json 'Plain.*Passes:Ints/*:Words/*:TypedTest/*:My/*'
report gtest_report_one_fail.json 'Plain.Passes:Plain.Fails:Ints/*'
report gtest_report_skip.json 'Plain.Passes:Plain.Skips'
report gtest_report_setup_fail.json 'Plain.Passes:SetUpFails.*'
report gtest_report_suite_setup_fail.json 'Plain.Passes:SuiteSetUpFails.*'
report gtest_report_everything.json '*'
