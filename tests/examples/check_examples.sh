#!/usr/bin/env bash
# The bundled examples behave as their comments say, under the built deflake:
# csv_roundtrip is flaky by seed (each failing seed fails again on replay, and
# the same master seed finds the same failing seeds).
set -euo pipefail
deflake=$1
examples=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seeds_of() { grep -A100000 '"failing_seeds"' "$1" | sed -n '2,/\]/p' | grep -oE '[0-9]+' ; }

status=0
"$deflake" run -q -n 300 --seed 20261123 --json "$work/a.json" -- "$examples/csv_roundtrip" || status=$?
[ "$status" -eq 1 ] || { echo "csv_roundtrip: expected exit 1 (flaky), got $status"; exit 1; }
grep -q '"verdict": "flaky"' "$work/a.json" || { echo "csv_roundtrip: verdict is not flaky"; exit 1; }

status=0
"$deflake" run -q -n 300 --seed 20261123 --json "$work/b.json" -- "$examples/csv_roundtrip" || status=$?
[ "$(seeds_of "$work/a.json")" = "$(seeds_of "$work/b.json")" ] || { echo "same master seed, different failing seeds"; exit 1; }

# 300 runs at a 12% failure rate: fewer than 10 failures has probability < 1e-6.
count=$(seeds_of "$work/a.json" | wc -l)
[ "$count" -ge 10 ] || { echo "only $count failing seeds"; exit 1; }

for seed in $(seeds_of "$work/a.json" | head -5); do
  for attempt in 1 2 3; do
    if DEFLAKE_SEED=$seed "$examples/csv_roundtrip" >/dev/null; then
      echo "seed $seed passed on replay $attempt: the example is not seed-determined"; exit 1
    fi
  done
done
echo "examples: ok ($count failing seeds, each replays)"
