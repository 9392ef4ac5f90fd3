#!/usr/bin/env bash
# Runs per diagnosis against the statistical floor, and wall time, for every
# bundled bisect example (issue: "goal ≤ 2× the floor, and a median diagnosis
# of a 10%-flaky millisecond test in under 10 s on 2 cores").
#
#   bench/bisect_runs.sh [BUILD_DIR] [SEEDS...]     (default: build, seeds 1 2 3)
#   SCREENING=100 bench/bisect_runs.sh ...           the GoogleTest examples at bisect's
#                                                    default screening (-n 100)
#
# The floor of a diagnosis, at the example's failure rate p (400 runs with
# every knob free; an order victim's: its shuffled-suite screening) and
# α = 0.05,
# counts only what its conclusion needs, for a procedure that knew where to
# look:
#   knobs, requires any, k culprits: k × 1/p   (each "freeing only X fails":
#                                               expected runs to a first failure)
#                                    + ln α / ln(1 − p)   (one "pinning them removes")
#   knobs, requires all, k culprits: k × ln α / ln(1 − p) + 1/p
#   seed, unknown:                   1/p (every knob pinned, it still fails) + 2 replays
#   order, k polluters:              k × 1/p + ln α / ln(1 − p)
#   none:                            the baseline's clean runs
# "floor+baseline" adds 8/p runs: the fewest that estimate p at all (8
# failures), which any procedure that does not know p in advance must spend.
# "p/3 claims" is floor+baseline with each "removes" claim ruling out p/3
# rather than p: the strength of the issue's own example ("pinning atomics:
# 0/120 failed (rules out ≥ 2.5% at 95%)" at a 7.8% rate), and of deflake's
# claims, which must not blame a knob that only makes the failure rarer.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
shift || true
seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=(1 2 3)
deflake="$build/runner/deflake"
examples="$build/examples/bisect"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "deflake bisect: runs per diagnosis ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), seeds ${seeds[*]})"
cases=(bisect_seed bisect_threads bisect_aslr hashseed bisect_atomics bisect_algo bisect_tf32
       bisect_two_causes_any bisect_two_causes_all bisect_concurrency bisect_user_knob
       bisect_unknown bisect_stable bisect_broken gtest_order bisect_order_two)
for name in "${cases[@]}"; do
  for seed in "${seeds[@]}"; do
    extra=()
    case $name in
      hashseed) cmd=(python3 bisect_hashseed.py) ;;
      gtest_order) cmd=(../gtest_order) ;;
      *) cmd=("./$name") ;;
    esac
    # A GoogleTest binary is screened first, -n runs of every test case
    # alone and -n shuffled runs of the suite: a victim's baseline. The
    # default (100) is for finding the flaky cases of a whole binary; 30 is
    # the size of the floor's baseline here (8/p: 17 runs at 48%, 24 at 33%).
    case $name in gtest_order|bisect_order_two) extra=(-n "${SCREENING:-30}") ;; esac
    start=$(date +%s.%N)
    (cd "$examples" && "$deflake" bisect -q -j 2 "${extra[@]}" --seed "$seed" --json "$out/$name.$seed.json" -- "${cmd[@]}" >/dev/null 2>&1) || true
    end=$(date +%s.%N)
    echo "$end - $start" | bc > "$out/$name.$seed.wall"
  done
  # The example's failure rate with every knob free, from 400 runs of its
  # own: the floor is priced at it. (A baseline stops at its 8th failure,
  # and 8/N overstates the rate it estimates.) An order victim's: 400
  # shuffled runs of its suite.
  case $name in
    gtest_order|bisect_order_two)
      (cd "$examples" && "$deflake" run -q -n 400 -j 2 --seed 99 --strategy suite --free order --json "$out/$name.rate.json" -- "${cmd[@]}" >/dev/null 2>&1) || true
      continue ;;
  esac
  free=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(','.join(d['diagnoses'][0]['evidence'][0]['free']))" "$out/$name.${seeds[0]}.json" 2>/dev/null || true)
  [ -n "$free" ] || continue
  (cd "$examples" && "$deflake" run -q -n 400 -j 2 --seed 99 --free "$free" --json "$out/$name.rate.json" -- "${cmd[@]}" >/dev/null 2>&1) || true
done
python3 - "$out" "${seeds[@]}" <<'PY'
import json, math, statistics, sys
out, seeds = sys.argv[1], sys.argv[2:]
names = ["bisect_seed", "bisect_threads", "bisect_aslr", "hashseed", "bisect_atomics", "bisect_algo",
         "bisect_tf32", "bisect_two_causes_any", "bisect_two_causes_all", "bisect_concurrency",
         "bisect_user_knob", "bisect_unknown", "bisect_stable", "bisect_broken", "gtest_order",
         "bisect_order_two"]
A = 0.05
def clean(p): return math.log(A) / math.log(1 - p) if 0 < p < 1 else 0
print(f"{'example':22} {'cause':26} {'p':>5} {'runs':>6} {'floor':>6} {'ratio':>6} {'fl+base':>7} {'ratio':>6} {'p/3 cl.':>7} {'ratio':>6} {'wall':>6}")
ratios, ratios2, ratios3, walls = [], [], [], []
for name in names:
    rows = []
    for s in seeds:
        try:
            doc = json.load(open(f"{out}/{name}.{s}.json"))
        except Exception:
            continue
        d = [x for x in doc["diagnoses"] if x["cause"] != "none"] or doc["diagnoses"]
        d = d[0]
        t = [x for x in doc["targets"] if x["name"] == d["target"]][0]
        p = t["failures"] / t["runs"] if t["runs"] else 0
        try:  # the example's own rate, where measured (see above)
            r = [x for x in json.load(open(f"{out}/{name}.rate.json"))["targets"]
                 if x["name"] == t["name"] or name not in ("gtest_order", "bisect_order_two")][0]
            p = r["failures"] / r["runs"] if 0 < p < 1 and r["runs"] else p
        except Exception:
            pass
        k = len(d["culprits"])
        def floor_at(q):  # q: the rate a "removes" claim rules out
            if d["cause"] == "knobs" and d["requires"] == "any":
                return k / p + clean(q)
            if d["cause"] == "knobs":
                return k * clean(q) + 1 / p
            if d["cause"] in ("seed", "unknown"):
                return 1 / p + 2
            if d["cause"] == "order":
                return len(d["polluters"]) / p + clean(q)
            return t["runs"]
        floor = floor_at(p)
        base = 8 / p if 0 < p < 1 else 0
        rows.append((d["cause"] + ("(" + ",".join(d["culprits"] + d["polluters"]) + ")" if d["culprits"] else ""),
                     p, d["total_runs"], floor, floor + base,
                     float(open(f"{out}/{name}.{s}.wall").read()), floor_at(p / 3) + base))
    if not rows:
        print(f"{name:22} (no report)")
        continue
    cause = rows[0][0]
    p = statistics.median(r[1] for r in rows)
    runs = statistics.median(r[2] for r in rows)
    floor = statistics.median(r[3] for r in rows)
    floor2 = statistics.median(r[4] for r in rows)
    wall = statistics.median(r[5] for r in rows)
    floor3 = statistics.median(r[6] for r in rows)
    r1 = runs / floor if floor else 0
    r2 = runs / floor2 if floor2 else 0
    r3 = runs / floor3 if floor3 else 0
    if 0 < p < 1:
        ratios.append(r1); ratios2.append(r2); ratios3.append(r3); walls.append(wall)
    print(f"{name:22} {cause[:26]:26} {p:5.2f} {runs:6.0f} {floor:6.0f} {r1:5.1f}x {floor2:7.0f} {r2:5.1f}x {floor3:7.0f} {r3:5.1f}x {wall:5.1f}s")
print(f"flaky examples: median ratio {statistics.median(ratios):.1f}x (max {max(ratios):.1f}x) to the floor, "
      f"{statistics.median(ratios2):.1f}x (max {max(ratios2):.1f}x) to floor+baseline, "
      f"{statistics.median(ratios3):.1f}x (max {max(ratios3):.1f}x) with p/3 claims; "
      f"median wall {statistics.median(walls):.1f}s (max {max(walls):.1f}s)")
PY
