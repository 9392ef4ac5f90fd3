#!/usr/bin/env bash
# Measures each bisect example (examples/bisect) with the built deflake: its
# failure rate with the culprit knobs free, with them pinned, and with them
# free while every other knob is pinned (which must not remove the failures).
# Prints a table. Not a pass/fail test: the numbers are for people tuning the
# examples (README.md in examples/bisect says what each should show).
#
#   tests/examples/measure_bisect_examples.sh [BUILD_DIR] [RUNS] [MASTER_SEED]
#
# Defaults: build, 200 runs, seed 1; every sweep runs with -j 2.
set -uo pipefail
build=${1:-build}
runs=${2:-200}
seed=${3:-1}
here=$(cd "$(dirname "$0")/../.." && pwd)
deflake=$build/runner/deflake
ex=$build/examples/bisect
config=$here/examples/bisect/deflake.toml
all_knobs=(seed order threads aslr hashseed tf32 atomics algo cublas launch concurrency)

[ -x "$deflake" ] || { echo "no deflake at $deflake (build first)"; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# others KNOB,... : every built-in knob but those and seed, comma-separated
# (as in bisect, seeds keep varying while knobs are tested).
others() {
  local skip=",$1,seed," out=() k
  for k in "${all_knobs[@]}"; do [[ $skip == *",$k,"* ]] || out+=("$k"); done
  (IFS=,; echo "${out[*]}")
}

# rate FILTER ARGS... : runs one sweep, prints "failures/runs" of its first
# target whose name contains FILTER (from the JSON report).
rate() {
  local filter=$1; shift
  rm -f "$work/report.json"
  "$deflake" run -q -n "$runs" -j 2 --seed "$seed" --store "$work/store" \
    --json "$work/report.json" "$@" >/dev/null 2>&1
  python3 - "$work/report.json" "$filter" <<'PY' 2>/dev/null || echo error
import json, sys
targets = json.load(open(sys.argv[1]))["targets"]
t = next(t for t in targets if sys.argv[2] in t["name"])
print(f'{t["failures"]}/{t["runs"] - t["outcomes"]["skip"]}')
PY
}

row() {  # row NAME CULPRITS FREE PINNED OTHERS
  printf '%-24s %-18s %-10s %-10s %-10s\n' "$@"
}

# measure NAME CULPRITS FILTER CMD... : culprits free / pinned / others pinned.
measure() {
  local name=$1 culprits=$2 filter=$3; shift 3
  local free pinned other
  free=$(rate "$filter" --free "$culprits" "$@")
  pinned=$(rate "$filter" --pin "$culprits" "$@")
  other=$(rate "$filter" --free "$culprits" --pin "$(others "$culprits")" "$@")
  row "$name" "$culprits" "$free" "$pinned" "$other"
}

echo "deflake run -n $runs -j 2 --seed $seed; 'others' = culprits free, every other built-in knob pinned"
row example culprits free pinned others
measure bisect_threads threads "" -- "$ex/bisect_threads"
measure bisect_atomics atomics "" -- "$ex/bisect_atomics"
measure bisect_two_causes_any atomics,threads "" -- "$ex/bisect_two_causes_any"
for k in atomics threads; do  # requires any: freeing either one alone brings failures back
  other=${k/atomics/threads}; [ "$k" = threads ] && other=atomics
  row "  (only $k free)" "$k" "$(rate "" --free "$k" --pin "$other" -- "$ex/bisect_two_causes_any")" - -
done
measure bisect_two_causes_all atomics,threads "" -- "$ex/bisect_two_causes_all"
for k in atomics threads; do  # requires all: pinning either one alone removes them
  other=atomics; [ "$k" = atomics ] && other=threads
  row "  (only $k pinned)" "$k" - "$(rate "" --pin "$k" --free "$other" -- "$ex/bisect_two_causes_all")" -
done
measure bisect_aslr aslr "" -- "$ex/bisect_aslr"
measure bisect_hashseed.py hashseed "" -- python3 "$ex/bisect_hashseed.py"
measure bisect_algo algo "" -- "$ex/bisect_algo"
measure bisect_tf32 tf32 "" -- "$ex/bisect_tf32"
measure bisect_concurrency concurrency "" -- "$ex/bisect_concurrency"
# The user knob lives in deflake.toml; its 'others' pins every built-in knob.
row bisect_user_knob cache \
  "$(rate "" --config "$config" --free cache -- "$ex/bisect_user_knob")" \
  "$(rate "" --config "$config" --pin cache -- "$ex/bisect_user_knob")" \
  "$(rate "" --config "$config" --free cache --pin "$(others none)" -- "$ex/bisect_user_knob")"
# seed: 'pinned' runs one seed 'runs' times (all pass or all fail, by that seed).
row bisect_seed seed "$(rate "" -- "$ex/bisect_seed")" "$(rate "" --pin seed -- "$ex/bisect_seed")" \
  "$(rate "" --pin "$(others seed)" -- "$ex/bisect_seed")"
# order: the whole suite per process; the victim's line.
for victim in bisect_order_two:Pool.Transfer gtest_order:Cache.ColdStart; do
  bin=${victim%%:*} test=${victim#*:}
  path=$ex/$bin; [ -x "$path" ] || path=$build/examples/$bin
  measure "$bin ($test)" order "$test" --strategy suite -- "$path"
done
# No knob matters: "free" is nothing pinned, "pinned" every knob pinned, seed included.
for name in bisect_unknown bisect_stable bisect_broken; do
  row "$name" - "$(rate "" -- "$ex/$name")" "$(rate "" --pin "seed,$(others none)" -- "$ex/$name")" -
done
