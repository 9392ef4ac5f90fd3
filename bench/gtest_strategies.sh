#!/usr/bin/env bash
# deflake's GoogleTest strategies side by side: what one run of one test case
# costs when every run is its own process (isolated) and when many seeds of it
# share one process (batched), against the floors of each: a bare spawn loop
# and GoogleTest's own --gtest_repeat. See bench/README.md.
#
#   bench/gtest_strategies.sh [BUILD_DIR]   (default: ../build next to this script)
#
# Settings (environment): REPS=3 JOBS="1 2" BODIES_US="0 1000 10000"
# RUNS="2000 500 100" (one per body) BATCH_GOAL=50 GOAL=1.10
# BENCH_BODY_MODE=spin|sleep. Builds nothing: build first with
#   cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build
# Exits 0 once the measurements ran, whether or not the goals were met (the
# tables say which); non-zero only when something could not be measured.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=${1:-$script_dir/../build}
if [[ ! -d $build_dir ]]; then
  echo "gtest_strategies.sh: no build folder at $build_dir (pass it as the first argument)" >&2
  exit 2
fi
build_dir=$(cd "$build_dir" && pwd)

REPS=${REPS:-3}
JOBS=${JOBS:-"1 2"}
BODIES_US=${BODIES_US:-"0 1000 10000"}
RUNS=${RUNS:-"2000 500 100"}
BATCH_GOAL=${BATCH_GOAL:-50}
GOAL=${GOAL:-1.10}
export BENCH_BODY_MODE=${BENCH_BODY_MODE:-spin}

read -r -a bodies <<<"$BODIES_US"
read -r -a runs_of <<<"$RUNS"
if ((${#bodies[@]} != ${#runs_of[@]})); then
  echo "gtest_strategies.sh: BODIES_US and RUNS need one entry each per body ($BODIES_US / $RUNS)" >&2
  exit 2
fi

deflake=$build_dir/runner/deflake
floor=$build_dir/bench/spawn_floor
gbench=$build_dir/bench/gtest_bench
for exe in "$deflake" "$floor" "$gbench"; do
  if [[ ! -x $exe ]]; then
    echo "gtest_strategies.sh: $exe is missing: build deflake with the bench targets and GoogleTest first" >&2
    exit 2
  fi
done
test_case=Bench.Body

work=$(mktemp -d "${TMPDIR:-/tmp}/deflake-gbench-XXXXXX")
trap 'rm -rf "$work"' EXIT
# Run copies, so that a rebuild while the script runs cannot swap a binary
# between two measurements.
mkdir "$work/bin"
cp "$deflake" "$floor" "$gbench" "$work/bin/"
deflake=$work/bin/deflake
floor=$work/bin/spawn_floor
gbench=$work/bin/gtest_bench

# The spawn floor's children get the variables deflake adds (same lengths),
# as in run_bench.sh.
floor_env=(DEFLAKE_SEED=1000000000000000 DEFLAKE_PINNED= DEFLAKE_RUN=0
           "TMPDIR=${TMPDIR:-/tmp}")

# ---------------------------------------------------------------- helpers
now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.6f", e - s }'; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.6f", v[(NR + 1) / 2]; else printf "%.6f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
div() { awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN { if (b > 0) printf f, a / b; else printf "-" }'; }

# time_cmd OUTFILE CMD...: wall time of CMD in seconds, start and exit included.
time_cmd() {
  local out=$1; shift
  local s e rc=0
  s=$(now)
  "$@" >"$out" 2>&1 || rc=$?
  e=$(now)
  if [[ $rc -ne 0 ]]; then
    echo "gtest_strategies.sh: '$*' exited $rc:" >&2
    tail -n 20 "$out" >&2
    exit 1
  fi
  elapsed "$s" "$e"
}

# run_spawn N J: the spawn floor, `gtest_bench --gtest_filter=Bench.Body` N times.
run_spawn() {
  (export "${floor_env[@]}" && exec "$floor" -n "$1" -j "$2" -- "$gbench" "--gtest_filter=$test_case")
}
# run_repeat N J RESULTS [ARGS...]: the in-process floor, J processes at once,
# each running the test case N/J times with --gtest_repeat. RESULTS: 1 turns
# the adapter's results file on (DEFLAKE_RESULTS, one file per process).
run_repeat() {
  local n=$1 j=$2 results=$3; shift 3
  local per=$(((n + j - 1) / j)) pids=() k rc=0
  for ((k = 0; k < j; k++)); do
    rm -f "$work/results.$k" "$work/report.$k.json"
    if ((results)); then
      DEFLAKE_RESULTS=$work/results.$k "$gbench" "--gtest_filter=$test_case" "--gtest_repeat=$per" "${@//@K@/$k}" &
    else
      "$gbench" "--gtest_filter=$test_case" "--gtest_repeat=$per" "${@//@K@/$k}" &
    fi
    pids+=($!)
  done
  for k in "${pids[@]}"; do wait "$k" || rc=$?; done
  return "$rc"
}
# run_deflake N J STRATEGY [BATCH_SIZE]
run_deflake() {
  local size=()
  [[ -n ${4:-} ]] && size=(--batch-size "$4")
  "$deflake" run -n "$1" --seed 1 -q --strategy "$3" "${size[@]}" -j "$2" \
    --filter "$test_case" -- "$gbench"
}

# ---------------------------------------------------------------- machine
cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
[[ -z $cpu_model ]] && cpu_model=$(uname -m)
build_type=$(awk -F= '/^CMAKE_BUILD_TYPE:/ { print $2 }' "$build_dir/CMakeCache.txt" 2>/dev/null || true)
compiler=$(awk -F= '/^CMAKE_CXX_COMPILER:/ { print $2 }' "$build_dir/CMakeCache.txt" 2>/dev/null || true)
[[ -n $compiler ]] && compiler="$compiler ($("$compiler" -dumpfullversion 2>/dev/null || echo '?'))"
revision=$(git -C "$script_dir" describe --always --dirty 2>/dev/null || echo unknown)
gtest_version=$(dpkg-query -W -f '${Version}' libgtest-dev 2>/dev/null || echo unknown)
tmp_base=${TMPDIR:-/tmp}
if command -v findmnt >/dev/null 2>&1; then
  tmp_fs=$(findmnt -no FSTYPE,OPTIONS --target "$tmp_base" 2>/dev/null | head -n 1 || true)
else
  tmp_fs=$(stat -f -c %T "$tmp_base" 2>/dev/null || true)
fi
echo "deflake GoogleTest strategies benchmark"
echo "  machine : $(nproc) cores, $cpu_model"
echo "  kernel  : $(uname -srm)"
# shellcheck source=/dev/null
echo "  os      : $( (. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME") || echo unknown)"
echo "  build   : $build_dir (${build_type:-unknown build type}; ${compiler:-unknown compiler}; GoogleTest $gtest_version; rev $revision)"
echo "  TMPDIR  : $tmp_base (${tmp_fs:-unknown filesystem}): deflake's run folders, reports and results files go here"
echo "  load    : $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?') (1/5/15 min) at start"
echo "  settings: REPS=$REPS JOBS='$JOBS' BODIES_US='$BODIES_US' RUNS='$RUNS' BENCH_BODY_MODE=$BENCH_BODY_MODE"
echo

# ---------------------------------------------------------------- measure
# Columns, in the order each repetition runs them (the order rotates by one
# every repetition, so drifting noise does not always hit the same column).
cols=(spawn isolated batched batched1 repeat results json)
declare -A t

measure() {  # measure COL N J: one timing of column COL, in seconds
  local col=$1 n=$2 j=$3
  case $col in
    spawn) time_cmd "$work/out" run_spawn "$n" "$j" ;;
    isolated) time_cmd "$work/out" run_deflake "$n" "$j" isolated ;;
    batched) time_cmd "$work/out" run_deflake "$n" "$j" batched ;;
    batched1) time_cmd "$work/out" run_deflake "$n" "$j" batched $(((n + j - 1) / j)) ;;
    repeat) time_cmd "$work/out" run_repeat "$n" "$j" 0 ;;
    results) time_cmd "$work/out" run_repeat "$n" "$j" 1 ;;
    json) time_cmd "$work/out" run_repeat "$n" "$j" 1 "--gtest_output=json:$work/report.@K@.json" ;;
  esac
}

# Warm-up: page cache, dynamic loader, the temp folder.
BENCH_BODY_US=0 run_spawn 50 1 >/dev/null 2>&1 || true
BENCH_BODY_US=0 run_deflake 50 1 isolated >/dev/null 2>&1 || true
BENCH_BODY_US=0 run_deflake 50 1 batched >/dev/null 2>&1 || true

echo "Per-run cost of $test_case: $REPS repetitions of every figure ..."
for ((rep = 0; rep < REPS; rep++)); do
  for b in "${!bodies[@]}"; do
    export BENCH_BODY_US=${bodies[$b]}
    n=${runs_of[$b]}
    for j in $JOBS; do
      for ((c = 0; c < ${#cols[@]}; c++)); do
        col=${cols[$(((c + rep) % ${#cols[@]}))]}
        t[$b,$j,$col]+="$(measure "$col" "$n" "$j") "
      done
    done
  done
  echo "  repetition $((rep + 1))/$REPS done"
done
echo

# deflake's fixed cost (start, read the binary, --gtest_list_tests, temp
# folders, report, exit), for reading the table: it is in every deflake
# figure above, spread over the runs.
export BENCH_BODY_US=0
fixed_d=""
fixed_f=""
for ((i = 0; i < 5; i++)); do
  fixed_d+="$(time_cmd "$work/out" run_deflake 1 1 isolated) "
  fixed_f+="$(time_cmd "$work/out" run_spawn 1 1) "
done

# ---------------------------------------------------------------- tables
us() { awk -v s="$1" -v n="$2" 'BEGIN { printf "%.1f", s / n * 1e6 }'; }
body_name() { awk -v u="$1" 'BEGIN { if (u == 0) print "0"; else if (u % 1000 == 0) printf "%d ms\n", u / 1000; else printf "%d µs\n", u }'; }

echo "µs per run (median of $REPS; wall time of the whole invocation / runs):"
printf '%-6s %5s %3s %10s %10s %10s %10s %10s %10s %10s\n' "body" "runs" "-j" "spawn" "isolated" "batched" "batch/job" "repeat" "+results" "+json"
printf '%-6s %5s %3s %10s %10s %10s %10s %10s %10s %10s\n' "------" "-----" "---" "----------" "----------" "----------" "----------" "----------" "----------" "----------"
declare -A m
for b in "${!bodies[@]}"; do
  n=${runs_of[$b]}
  for j in $JOBS; do
    row=()
    for col in "${cols[@]}"; do
      m[$b,$j,$col]=$(echo "${t[$b,$j,$col]}" | median)
      row+=("$(us "${m[$b,$j,$col]}" "$n")")
    done
    printf '%-6s %5s %3s %10s %10s %10s %10s %10s %10s %10s\n' "$(body_name "${bodies[$b]}")" "$n" "$j" "${row[@]}"
  done
done
echo
echo "Ratios (of the medians above):"
printf '%-6s %3s %14s %15s %16s %15s %15s  %s\n' "body" "-j" "iso/spawn" "iso/batched" "iso/batch-job" "batched/repeat" "batched/+json" "goals"
printf '%-6s %3s %14s %15s %16s %15s %15s  %s\n' "------" "---" "--------------" "---------------" "----------------" "---------------" "---------------" "-----"
met=0
total=0
for b in "${!bodies[@]}"; do
  for j in $JOBS; do
    k="$b,$j"
    r_iso=$(div "${m[$k,isolated]}" "${m[$k,spawn]}")
    r_gain=$(div "${m[$k,isolated]}" "${m[$k,batched]}" "%.1f")
    r_gain1=$(div "${m[$k,isolated]}" "${m[$k,batched1]}" "%.1f")
    r_rep=$(div "${m[$k,batched]}" "${m[$k,repeat]}" "%.1f")
    r_json=$(div "${m[$k,batched]}" "${m[$k,json]}")
    verdict=""
    total=$((total + 1))
    if awk -v r="$r_iso" -v g="$GOAL" 'BEGIN { exit !(r <= g) }'; then
      verdict="iso ≤ ${GOAL}×: met"; met=$((met + 1))
    else
      verdict="iso ≤ ${GOAL}×: NOT met"
    fi
    if ((bodies[b] == 0)); then
      total=$((total + 1))
      if awk -v r="$r_gain" -v g="$BATCH_GOAL" 'BEGIN { exit !(r >= g) }'; then
        verdict+=", batched ≥ ${BATCH_GOAL}×: met"; met=$((met + 1))
      else
        verdict+=", batched ≥ ${BATCH_GOAL}×: NOT met"
      fi
    fi
    printf '%-6s %3s %13s× %14s× %15s× %14s× %14s×  %s\n' "$(body_name "${bodies[$b]}")" "$j" "$r_iso" "$r_gain" "$r_gain1" "$r_rep" "$r_json" "$verdict"
  done
done
echo
awk -v d="$(echo "$fixed_d" | median)" -v f="$(echo "$fixed_f" | median)" 'BEGIN {
  printf "One-run invocation (start + 1 isolated run + exit): deflake %.2f ms, spawn floor %.2f ms:\n", d * 1e3, f * 1e3
  printf "deflake'"'"'s fixed cost is about %.2f ms per invocation, in every deflake column above.\n", (d - f) * 1e3 }'
echo "Goals met in $met of $total cases."
echo
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?') (other work on the machine widens the spread)"
