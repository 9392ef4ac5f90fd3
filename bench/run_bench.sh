#!/usr/bin/env bash
# deflake's performance benchmark: per-run overhead against the floor, and
# peak memory while a test floods its output. See bench/README.md.
#
#   bench/run_bench.sh [BUILD_DIR]        (default: ../build next to this script)
#
# Settings (environment): ROUNDS=5 RUNS=2000 JOBS="1 2" FLOOD_SIZE=2G
# FLOOD_ROUNDS=3 GOAL=1.10 RSS_GOAL_MB=64 RSS_METHOD=auto|time|proc. Builds nothing: build first with
#   cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build
# Exits 0 once the measurements ran, whether or not the goals were met (the
# table says which); non-zero only when something could not be measured.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=${1:-$script_dir/../build}
if [[ ! -d $build_dir ]]; then
  echo "run_bench.sh: no build folder at $build_dir (pass it as the first argument)" >&2
  exit 2
fi
build_dir=$(cd "$build_dir" && pwd)

ROUNDS=${ROUNDS:-5}
RUNS=${RUNS:-2000}
JOBS=${JOBS:-"1 2"}
FLOOD_SIZE=${FLOOD_SIZE:-2G}
FLOOD_ROUNDS=${FLOOD_ROUNDS:-3}
GOAL=${GOAL:-1.10}
RSS_GOAL_MB=${RSS_GOAL_MB:-64}
RSS_METHOD=${RSS_METHOD:-auto}   # auto: /usr/bin/time if usable, else proc; or time, proc

deflake=$build_dir/runner/deflake
floor=$build_dir/bench/spawn_floor
tiny=$build_dir/bench/tiny_test
flood=$build_dir/bench/flood
for exe in "$deflake" "$floor" "$tiny" "$flood"; do
  if [[ ! -x $exe ]]; then
    echo "run_bench.sh: $exe is missing: build deflake with the bench targets first (DEFLAKE_BUILD_BENCH=ON, the default)" >&2
    exit 2
  fi
done
true_cmd=$(command -v true 2>/dev/null | grep / || true)
[[ -x /bin/true ]] && true_cmd=/bin/true
if [[ -z $true_cmd ]]; then
  echo "run_bench.sh: no true(1) binary found" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/deflake-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT

# The floor's children get the same variables deflake adds (same lengths), so
# both run the test with an environment of the same size.
floor_env=(DEFLAKE_SEED=1000000000000000 DEFLAKE_PINNED= DEFLAKE_RUN=0
           "TMPDIR=${TMPDIR:-/tmp}")

# ---------------------------------------------------------------- helpers
now() { echo "$EPOCHREALTIME"; }                  # seconds, µs resolution
elapsed() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.6f", e - s }'; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.6f", v[(NR + 1) / 2]; else printf "%.6f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minmax() { tr ' ' '\n' | grep . | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f-%.2f", lo, hi }'; }

# time_cmd OUTFILE CMD...: runs CMD with stdout+stderr to OUTFILE, prints its
# wall time in seconds (process start and exit included), fails loudly.
time_cmd() {
  local out=$1; shift
  local s e rc=0
  s=$(now)
  "$@" >"$out" 2>&1 || rc=$?
  e=$(now)
  if [[ $rc -ne 0 ]]; then
    echo "run_bench.sh: '$*' exited $rc:" >&2
    tail -n 20 "$out" >&2
    exit 1
  fi
  elapsed "$s" "$e"
}

run_floor() { (export "${floor_env[@]}" && exec "$floor" -n "$1" -j "$2" -- "${@:3}"); }
run_deflake() { "$deflake" run -q -n "$1" -j "$2" -- "${@:3}"; }

# ---------------------------------------------------------------- machine
cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
[[ -z $cpu_model ]] && cpu_model=$(uname -m)
build_type=$(awk -F= '/^CMAKE_BUILD_TYPE:/ { print $2 }' "$build_dir/CMakeCache.txt" 2>/dev/null || true)
compiler=$(awk -F= '/^CMAKE_CXX_COMPILER:/ { print $2 }' "$build_dir/CMakeCache.txt" 2>/dev/null || true)
[[ -n $compiler ]] && compiler="$compiler ($("$compiler" -dumpfullversion 2>/dev/null || echo '?'))"
revision=$(git -C "$script_dir" describe --always --dirty 2>/dev/null || echo unknown)
echo "deflake benchmark"
echo "  machine : $(nproc) cores, $cpu_model"
echo "  kernel  : $(uname -srm)"
# shellcheck source=/dev/null
echo "  os      : $( (. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME") || echo unknown)"
echo "  build   : $build_dir (${build_type:-unknown build type}; ${compiler:-unknown compiler}; rev $revision)"
tmp_base=${TMPDIR:-/tmp}
if command -v findmnt >/dev/null 2>&1; then
  tmp_fs=$(findmnt -no FSTYPE,OPTIONS --target "$tmp_base" 2>/dev/null | head -n 1 || true)
else
  tmp_fs=$(stat -f -c %T "$tmp_base" 2>/dev/null || true)
fi
echo "  TMPDIR  : $tmp_base (${tmp_fs:-unknown filesystem}): deflake makes and removes one folder per run here"
echo "  load    : $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?') (1/5/15 min) at start"
echo "  settings: ROUNDS=$ROUNDS RUNS=$RUNS JOBS='$JOBS' FLOOD_SIZE=$FLOOD_SIZE FLOOD_ROUNDS=$FLOOD_ROUNDS"
echo

# ---------------------------------------------------------------- overhead
# Each round runs the floor and deflake back to back for every (command, -j),
# alternating which goes first, so that drifting machine noise hits both alike.
# Time is the wall time of the whole process over RUNS runs, start-up
# included, divided by RUNS.
declare -A t
commands=("$true_cmd" "$tiny")
names=("$true_cmd" "tiny_test")

# Warm-up: page cache, dynamic loader, the temp folder.
run_floor 50 1 "$tiny" >/dev/null 2>&1 || true
run_deflake 50 1 "$tiny" >/dev/null 2>&1 || true

echo "Per-run overhead: $ROUNDS interleaved rounds of $RUNS runs each ..."
for ((round = 1; round <= ROUNDS; round++)); do
  for c in "${!commands[@]}"; do
    for j in $JOBS; do
      key="$c,$j"
      if ((round % 2)); then order="floor deflake"; else order="deflake floor"; fi
      for tool in $order; do
        secs=$(time_cmd "$work/out" "run_$tool" "$RUNS" "$j" "${commands[$c]}")
        t[$key,$tool]+="$secs "
      done
      f=$(echo "${t[$key,floor]}" | awk '{ print $NF }')
      d=$(echo "${t[$key,deflake]}" | awk '{ print $NF }')
      t[$key,ratio]+="$(awk -v f="$f" -v d="$d" 'BEGIN { printf "%.4f", d / f }') "
    done
  done
  echo "  round $round/$ROUNDS done"
done
echo

# deflake's fixed cost (start, parse, temp root, report, exit), for reading
# the table: it is included above, spread over RUNS runs.
startup=""
for ((i = 0; i < 5; i++)); do startup+="$(time_cmd "$work/out" run_deflake 1 1 "$true_cmd") "; done
floor_startup=""
for ((i = 0; i < 5; i++)); do floor_startup+="$(time_cmd "$work/out" run_floor 1 1 "$true_cmd") "; done

goal_met=0
goal_total=0
printf '%-12s %3s %14s %16s %7s %14s  %s\n' "command" "-j" "floor µs/run" "deflake µs/run" "ratio" "round ratios" "goal (≤ ${GOAL}×)"
printf '%-12s %3s %14s %16s %7s %14s  %s\n' "------------" "---" "--------------" "----------------" "-------" "--------------" "-----------"
for c in "${!commands[@]}"; do
  for j in $JOBS; do
    key="$c,$j"
    fm=$(echo "${t[$key,floor]}" | median)
    dm=$(echo "${t[$key,deflake]}" | median)
    fus=$(awk -v s="$fm" -v n="$RUNS" 'BEGIN { printf "%.1f", s / n * 1e6 }')
    dus=$(awk -v s="$dm" -v n="$RUNS" 'BEGIN { printf "%.1f", s / n * 1e6 }')
    ratio=$(awk -v f="$fm" -v d="$dm" 'BEGIN { printf "%.2f", d / f }')
    spread=$(echo "${t[$key,ratio]}" | minmax)
    goal_total=$((goal_total + 1))
    if awk -v r="$ratio" -v g="$GOAL" 'BEGIN { exit !(r <= g) }'; then
      verdict="met"; goal_met=$((goal_met + 1))
    else
      verdict="NOT met"
    fi
    printf '%-12s %3s %14s %16s %6s× %14s  %s\n' "${names[$c]}" "$j" "$fus" "$dus" "$ratio" "$spread" "$verdict"
  done
done
echo
echo "ratio = median deflake time / median floor time over $ROUNDS rounds; round ratios = the"
echo "lowest and highest deflake/floor ratio of a single round (the pair that ran back to back)."
awk -v d="$(echo "$startup" | median)" -v f="$(echo "$floor_startup" | median)" -v n="$RUNS" 'BEGIN {
  printf "One-run invocation (start + 1 run + exit, /bin/true): deflake %.2f ms, floor %.2f ms;\n", d * 1e3, f * 1e3
  printf "deflake'"'"'s fixed cost adds about %.1f µs/run at %d runs.\n", (d - f) / n * 1e6, n }'
echo "Per-run goal met in $goal_met of $goal_total cases."
echo

# ---------------------------------------------------------------- memory
bytes=$(awk -v s="$FLOOD_SIZE" 'BEGIN {
  n = s + 0; u = toupper(substr(s, length(s)))
  if (u == "K") n *= 1024; else if (u == "M") n *= 1048576; else if (u == "G") n *= 1073741824
  printf "%.0f", n }')
gib=$(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 1073741824 }')
echo "Memory: one run of a test that prints $FLOOD_SIZE ($bytes bytes), $FLOOD_ROUNDS interleaved rounds ..."

have_time=0
if [[ $RSS_METHOD != proc ]] && [[ -x /usr/bin/time ]] && /usr/bin/time -f %M -o "$work/rss" true 2>/dev/null; then
  have_time=1
elif [[ $RSS_METHOD == time ]]; then
  echo "run_bench.sh: RSS_METHOD=time but /usr/bin/time (GNU time, with -f %M) is not usable" >&2
  exit 2
fi

# Peak RSS of deflake, in KiB: /usr/bin/time's %M (the max RSS of deflake and
# of what it waited for: flood's own is printed for comparison), else the
# last VmHWM read from /proc while it ran (sampled every 20 ms).
deflake_flood_rss() {
  if ((have_time)); then
    /usr/bin/time -f %M -o "$work/rss" "$deflake" run -q -n 1 -j 1 -- "$flood" "$FLOOD_SIZE" >"$work/out" 2>&1
    tail -n 1 "$work/rss"
    return
  fi
  "$deflake" run -q -n 1 -j 1 -- "$flood" "$FLOOD_SIZE" >"$work/out" 2>&1 &
  local pid=$! hwm=0 key value _
  while kill -0 "$pid" 2>/dev/null; do
    if [[ -r /proc/$pid/status ]]; then
      while read -r key value _; do
        [[ $key == VmHWM: ]] && hwm=$value
      done <"/proc/$pid/status" 2>/dev/null || true
    fi
    sleep 0.02
  done
  wait "$pid"
  echo "$hwm"
}

fl_floor=""
fl_deflake=""
rss_max=0
for ((round = 1; round <= FLOOD_ROUNDS; round++)); do
  fl_floor+="$(time_cmd "$work/out" run_floor 1 1 "$flood" "$FLOOD_SIZE") "
  if ! grep -q "bytes=$bytes " "$work/out"; then
    echo "run_bench.sh: the floor did not drain $bytes bytes: $(cat "$work/out")" >&2
    exit 1
  fi
  fl_deflake+="$(time_cmd "$work/out" run_deflake 1 1 "$flood" "$FLOOD_SIZE") "
  rss=$(deflake_flood_rss)
  if ((rss > rss_max)); then rss_max=$rss; fi
done
flood_rss=""
if ((have_time)); then
  /usr/bin/time -f %M -o "$work/rss" "$flood" "$FLOOD_SIZE" >/dev/null
  flood_rss=$(tail -n 1 "$work/rss")
fi

ff=$(echo "$fl_floor" | median)
fd=$(echo "$fl_deflake" | median)
awk -v b="$bytes" -v g="$gib" -v ff="$ff" -v fd="$fd" -v rss="$rss_max" -v goal="$RSS_GOAL_MB" \
    -v how="$( ((have_time)) && echo '/usr/bin/time %M' || echo 'VmHWM polled from /proc')" \
    -v child="$flood_rss" 'BEGIN {
  mb = rss / 1024
  printf "  deflake peak RSS : %.1f MB (%s, highest of the rounds)  goal < %d MB: %s\n", mb, how, goal, (mb < goal ? "met" : "NOT met")
  if (child != "") printf "  (flood itself    : %.1f MB, so the figure above is deflake'"'"'s own)\n", child / 1024
  printf "  throughput       : floor %.2f GiB/s (%.2f s), deflake %.2f GiB/s (%.2f s) for %s GiB\n", g / ff, ff, g / fd, fd, g
  printf "  time ratio       : %.2f× the floor\n", fd / ff
}'
echo
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?') (other work on the machine widens the round ratios)"
