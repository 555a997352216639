#!/usr/bin/env bash
# The whole test suite: installs what is missing (Chromium too, for the
# picture test), builds, runs every test under ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" --with-browser
ctest --test-dir "$root/build" --output-on-failure -j"$(nproc)" --timeout 600
