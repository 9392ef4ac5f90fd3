#!/usr/bin/env bash
# Fuzzes deflake's own parsers with libFuzzer for a short, bounded time.
#   scripts/fuzz.sh [SECONDS_PER_HARNESS]     (default 20)
# Builds every tests/fuzz/*_fuzz.cpp with clang in build-fuzz/
# (-fsanitize=fuzzer,address,undefined), then runs each harness for that many
# seconds on a copy of its seed corpus tests/fuzz/corpus/<name>/ (the checked-in
# corpus is never written), up to one harness per core at a time.
# Exit 0: nothing found, or no clang/libFuzzer here (skipped; this script
# installs nothing). Exit 1: a harness crashed or broke an invariant (the
# input that did it is printed), or a harness did not build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-20}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [SECONDS_PER_HARNESS]" >&2; exit 2; }
build="$root/build-fuzz"
jobs=$(nproc)
started=$SECONDS

skip() {
  echo "fuzz: skipped: $*"
  exit 0
}
command -v clang >/dev/null && command -v clang++ >/dev/null ||
  skip "no clang/clang++ (Debian: apt-get install clang libclang-rt-14-dev)"
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' \
  >"$probe/probe.cpp"
clang++ -fsanitize=fuzzer,address,undefined "$probe/probe.cpp" -o "$probe/probe" 2>/dev/null ||
  skip "clang++ cannot link -fsanitize=fuzzer,address,undefined (Debian: apt-get install libclang-rt-14-dev)"

# Configure and build: the harnesses and what they link, nothing else.
generator=()
keep_going=(-k)
if command -v ninja >/dev/null; then
  generator=(-G Ninja)
  keep_going=(-k 0)
fi
[ -f "$build/CMakeCache.txt" ] && generator=()  # keep an existing folder's generator
[ -f "$build/build.ninja" ] && keep_going=(-k 0)
[ -f "$build/Makefile" ] && keep_going=(-k)
echo "fuzz: configuring and building $build"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DCMAKE_C_FLAGS_DEBUG="-O1 -g" \
  -DDEFLAKE_BUILD_FUZZERS=ON -DDEFLAKE_BUILD_TESTS=ON -DDEFLAKE_BUILD_EXAMPLES=OFF \
  -DDEFLAKE_BUILD_BENCH=OFF -DDEFLAKE_INSTALL=OFF -DDEFLAKE_SANITIZE= >/dev/null
build_log="$build/fuzz-build.log"
cmake --build "$build" -j "$jobs" --target deflake_fuzzers -- "${keep_going[@]}" >"$build_log" 2>&1 || true

harnesses=()
broken=()
for source in "$root"/tests/fuzz/*_fuzz.cpp; do
  [ -e "$source" ] || continue
  target=$(basename "$source" .cpp)
  # Built one by one as well, so a harness that does not compile is named (and
  # a stale binary from an earlier build is never run in its place).
  if cmake --build "$build" --target "$target" >"$build/fuzz-build-$target.log" 2>&1; then
    harnesses+=("$target")
  else
    broken+=("$target")
  fi
done
built_at=$SECONDS
echo "fuzz: built ${#harnesses[@]} harness(es) in $((built_at - started)) s"
if [ ${#broken[@]} -gt 0 ]; then
  for target in "${broken[@]}"; do
    echo "fuzz: FAILED TO BUILD: $target (tests/fuzz/$target.cpp); the compiler said:"
    grep -m 20 -E 'error|undefined reference' "$build/fuzz-build-$target.log" | sed 's/^/    /' || true
    echo "    full log: $build/fuzz-build-$target.log"
  done
fi

# Run each harness on a copy of its corpus, at most $jobs at a time.
runs="$build/fuzz-runs"
rm -rf "$runs"
mkdir -p "$runs"
names=()
for target in "${harnesses[@]}"; do
  name=${target%_fuzz}
  work="$runs/$name"
  mkdir -p "$work/corpus" "$work/artifacts"
  if [ -d "$root/tests/fuzz/corpus/$name" ]; then
    cp -R "$root/tests/fuzz/corpus/$name/." "$work/corpus/"
  else
    echo "fuzz: warning: no seed corpus tests/fuzz/corpus/$name/; $target starts from nothing"
  fi
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  echo "fuzz: running $target for ${seconds} s"
  (
    status=0
    "$build/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/log" 2>&1 ||
      status=$?
    echo "$status" >"$work/status"
  ) &
  names+=("$name")
done
wait

found=()
for name in "${names[@]}"; do
  work="$runs/$name"
  status=$(cat "$work/status" 2>/dev/null || echo "?")
  execs=$(grep -m1 -oE 'stat::number_of_executed_units: *[0-9]+' "$work/log" | grep -oE '[0-9]+$' || echo "?")
  if [ "$status" = 0 ]; then
    echo "fuzz: ${name}_fuzz: ok ($execs runs)"
    continue
  fi
  found+=("$name")
  echo "fuzz: ${name}_fuzz FOUND A PROBLEM (exit $status). Log: $work/log"
  grep -E '^(==[0-9]+==ERROR|SUMMARY|.*invariant violated|.*runtime error|ALARM|    #[0-9]+ )' "$work/log" |
    grep -vE ' in (fuzzer::|__sanitizer_print_stack_trace|__libc_start|_start )' | head -40 |
    sed 's/^/    /' || true
  for artifact in "$work"/artifacts/*; do
    [ -e "$artifact" ] || continue
    echo "    input: $artifact (replay: $build/tests/fuzz/${name}_fuzz $artifact)"
    echo "    bytes: $(head -c 300 "$artifact" | od -An -c | tr -s ' ' | head -c 600)"
  done
done

echo "fuzz: done in $((SECONDS - started)) s (build $((built_at - started)) s, ${seconds} s per harness, $jobs at a time)"
if [ ${#found[@]} -gt 0 ] || [ ${#broken[@]} -gt 0 ]; then
  [ ${#found[@]} -gt 0 ] && echo "fuzz: FAILED: found problems in: ${found[*]}"
  [ ${#broken[@]} -gt 0 ] && echo "fuzz: FAILED: did not build: ${broken[*]}"
  exit 1
fi
