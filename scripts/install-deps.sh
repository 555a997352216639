#!/usr/bin/env bash
# Installs the Debian packages dcfuzz needs, and nothing when all are present.
# Usage: scripts/install-deps.sh [--with-browser]
set -euo pipefail
packages=(cmake make clang clang-format libclang-rt-14-dev relacy-dev libprotobuf-dev protobuf-compiler libgtest-dev python3)
if [ "${1:-}" = "--with-browser" ]; then
  packages+=(chromium)
fi
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "dcfuzz: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
