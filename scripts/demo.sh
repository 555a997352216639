#!/usr/bin/env bash
# The main job: installs what is missing, builds, runs a fuzz campaign on the
# v4 series with the default scenario seeds, and shows the first report.
# Extra arguments go to `dcfuzz fuzz` (e.g. --time 600 --jobs 2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh"
cd "$root"
status=0
build/dcfuzz fuzz "$@" || status=$?
if [ "$status" -eq 1 ]; then
  first=$(ls -d out/*/ 2>/dev/null | head -n 1)
  echo
  echo "==== ${first}report.txt ===="
  cat "${first}report.txt"
  echo "(all findings: ls out/; replay one: build/dcfuzz replay out/<bucket>/schedule.textproto)"
  exit 0
fi
exit "$status"
