#!/usr/bin/env bash
# The whole test suite: installs what is missing (Chromium too, for the
# picture test), builds, runs every test under ctest. Builds into build/, or
# into $DCFUZZ_BUILD_DIR (any directory: the tests need no file of the
# source tree beside the binaries).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DCFUZZ_BUILD_DIR:-$root/build}
bash "$root/scripts/build.sh" --with-browser
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 600
