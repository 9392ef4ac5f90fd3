#!/usr/bin/env bash
# Installs a deflake build tree into a temporary prefix, builds the user
# project in this folder against it with find_package(deflake), and runs it:
# it must pass, carry the adapter's marker, and print the same test seeds for
# the same DEFLAKE_SEED. Usage: check_package.sh CMAKE BUILD_DIR PACKAGE_SOURCE_DIR
set -euo pipefail
cmake=$1
build=$2
source=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "package: $*" >&2; exit 1; }

"$cmake" --install "$build" --prefix "$work/prefix" >"$work/install.log" ||
  { cat "$work/install.log"; fail "cmake --install failed"; }
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
"$cmake" -S "$source" -B "$work/build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; fail "configuring against the installed package failed"; }
"$cmake" --build "$work/build" >"$work/build.log" 2>&1 ||
  { cat "$work/build.log"; fail "building against the installed package failed"; }

t=$work/build/t
"$t" >"$work/plain.out" || { cat "$work/plain.out"; fail "the tests failed"; }
[ "$(grep -c deflake-gtest-adapter/1 "$t")" -ge 1 ] || fail "no adapter marker in the binary"

DEFLAKE_SEED=5 "$t" | grep '^seed ' >"$work/a" || fail "no seeds printed (DEFLAKE_SEED=5)"
DEFLAKE_SEED=5 "$t" | grep '^seed ' >"$work/b" || fail "no seeds printed (second run)"
DEFLAKE_SEED=6 "$t" | grep '^seed ' >"$work/c" || fail "no seeds printed (DEFLAKE_SEED=6)"
[ "$(wc -l <"$work/a")" -eq 2 ] || fail "expected 2 seed lines, got: $(cat "$work/a")"
cmp -s "$work/a" "$work/b" || fail "DEFLAKE_SEED=5 gave different seeds twice"
cmp -s "$work/a" "$work/c" && fail "DEFLAKE_SEED=5 and 6 gave the same seeds"
echo "package: ok ($(tr '\n' ' ' <"$work/a"))"
