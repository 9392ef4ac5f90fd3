#!/usr/bin/env bash
# Installs the Debian packages deflake builds with, when they are missing.
# As root it runs apt-get; otherwise it prints the line to run.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config procps
  libfmt-dev libtomlplusplus-dev libgtest-dev libcli11-dev nlohmann-json3-dev libssl-dev
  clang libclang-rt-14-dev
)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "deflake needs these Debian packages: ${missing[*]}" >&2
  echo "install them with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
