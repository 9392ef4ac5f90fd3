#!/usr/bin/env bash
# Installs a deflake build tree into a temporary prefix, builds the user
# project in this folder against it with find_package(deflake), and runs it:
# it must pass, carry the adapter's marker, and print the same test seeds for
# the same DEFLAKE_SEED. Then does the same with a fresh adapters-only build
# of deflake (DEFLAKE_BUILD_RUNNER=OFF), which must install on its own.
# Usage: check_package.sh CMAKE BUILD_DIR PACKAGE_SOURCE_DIR DEFLAKE_SOURCE_DIR
set -euo pipefail
cmake=$1
build=$2
source=$3
deflake_source=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "package: $*" >&2; exit 1; }

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

# Runs a logged step; on failure shows the log and stops.
step() {
  local what=$1 log=$work/step.log
  shift
  "$@" >"$log" 2>&1 || { cat "$log"; fail "$what failed"; }
}

# Builds the user project against the package installed in prefix $1, into $2.
build_user() {
  step "configuring against $1" "$cmake" -S "$source" -B "$2" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$1"
  step "building against $1" "$cmake" --build "$2"
}

step "cmake --install" "$cmake" --install "$build" --prefix "$work/prefix"
build_user "$work/prefix" "$work/build"

t=$work/build/t
"$t" >"$work/plain.out" || { cat "$work/plain.out"; fail "the tests failed"; }
[ "$(grep -c deflake-gtest-adapter/1 "$t")" -ge 1 ] || fail "no adapter marker in the binary"

DEFLAKE_SEED=5 "$t" | grep '^seed ' >"$work/a" || fail "no seeds printed (DEFLAKE_SEED=5)"
DEFLAKE_SEED=5 "$t" | grep '^seed ' >"$work/b" || fail "no seeds printed (second run)"
DEFLAKE_SEED=6 "$t" | grep '^seed ' >"$work/c" || fail "no seeds printed (DEFLAKE_SEED=6)"
[ "$(wc -l <"$work/a")" -eq 2 ] || fail "expected 2 seed lines, got: $(cat "$work/a")"
cmp -s "$work/a" "$work/b" || fail "DEFLAKE_SEED=5 gave different seeds twice"
cmp -s "$work/a" "$work/c" && fail "DEFLAKE_SEED=5 and 6 gave the same seeds"

step "configuring deflake with DEFLAKE_BUILD_RUNNER=OFF" "$cmake" -S "$deflake_source" \
  -B "$work/adapters-only" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DDEFLAKE_BUILD_RUNNER=OFF -DDEFLAKE_BUILD_TESTS=OFF -DDEFLAKE_BUILD_EXAMPLES=OFF \
  -DDEFLAKE_BUILD_BENCH=OFF -DDEFLAKE_CUDA=OFF
step "building the adapters alone" "$cmake" --build "$work/adapters-only"
step "installing the adapters alone" "$cmake" --install "$work/adapters-only" \
  --prefix "$work/prefix-adapters-only"
[ ! -e "$work/prefix-adapters-only/bin/deflake" ] || fail "DEFLAKE_BUILD_RUNNER=OFF installed the runner"
build_user "$work/prefix-adapters-only" "$work/build-adapters-only"
"$work/build-adapters-only/t" >"$work/adapters-only.out" ||
  { cat "$work/adapters-only.out"; fail "the tests failed against the adapters-only package"; }
DEFLAKE_SEED=5 "$work/build-adapters-only/t" | grep '^seed ' | cmp -s - "$work/a" ||
  fail "the adapters-only package gives other seeds"

echo "package: ok ($(tr '\n' ' ' <"$work/a"))"
