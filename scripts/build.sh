#!/usr/bin/env bash
# Configures and builds dcfuzz (installs missing packages first) into build/,
# or into $DCFUZZ_BUILD_DIR. A plain configure: CMakeLists.txt picks clang.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DCFUZZ_BUILD_DIR:-$root/build}
bash "$root/scripts/install-deps.sh" "$@"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)"
