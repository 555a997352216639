#!/usr/bin/env bash
# Time to bug of dcfuzz against the strategies a user would otherwise pick
# (PCT d=1..3, random walk, Relacy's context-bound search), per bug path of
# kernel v4, with the scenario given and with the scenario left to find; and
# executions/s of the fuzz loop against Relacy's random scheduler. Prints a
# markdown table and writes it to OUT (default time_to_bug.md). See the
# header of bench/time_to_bug.cc for what each column measures.
#
#   bench/time_to_bug.sh [--build DIR] [--out FILE] [--seeds N]
#                        [--budget-executions E] [--budget-seconds S]
#                        [--parallel P] [--only LIST] [--fault-one-in K] [--keep DIR]
#
# Defaults: 10 seeds, a run capped at 250,000 executions or 45 s, 2 runs in
# parallel (about 15 minutes on 2 cores). A quick look:
#   bench/time_to_bug.sh --seeds 3 --budget-seconds 10 --only fixed,free
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build" out="time_to_bug.md"
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) [[ $# -ge 2 ]] || { echo "time_to_bug.sh: --build wants a directory" >&2; exit 2; }
      build=$2; shift 2 ;;
    --out) [[ $# -ge 2 ]] || { echo "time_to_bug.sh: --out wants a file" >&2; exit 2; }
      out=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
bin="$build/time_to_bug"
[[ -x "$bin" ]] || { echo "time_to_bug.sh: no $bin; build first (cmake --build $build)" >&2; exit 2; }
exec "$bin" --corpus "$root/corpus" --out "$out" "${args[@]+"${args[@]}"}"
