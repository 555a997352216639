#!/usr/bin/env bash
# The main job: installs what is missing, builds, runs a 20 s fuzz campaign on
# the v4 series with the shipped seeds, and shows a report: of the wrong
# waiter (the lost wakeup in __d_move) if the campaign found it, else of the
# series' other bug, else of its first finding. Extra arguments go to
# `dcfuzz fuzz` (e.g. --time 600 --jobs 2 for a longer campaign).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh"
cd "$root"
# Where the findings go: dcfuzz's default, or the --out given. Both posted
# bugs take well under a second: 20 s unless a --time is given.
out=out
time_given=
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --out) out=${args[i + 1]:-$out} ;;
    --out=*) out=${args[i]#--out=} ;;
    --time | --time=*) time_given=1 ;;
  esac
done
[ -n "$time_given" ] || set -- --time 20 "$@"
status=0
build/dcfuzz fuzz "$@" || status=$?
if [ "$status" -eq 1 ]; then
  # findings.tsv lists the buckets in the order found: the wrong waiter, else
  # the other posted bug, else the first.
  first=$(awk -F'\t' 'NR > 1 && $1 ~ /lost-wakeup-in-__d_move/ { print $1; exit }' "$out/findings.tsv")
  [ -n "$first" ] || first=$(awk -F'\t' 'NR > 1 && $1 ~ /bad-unlock-balance/ { print $1; exit }' \
    "$out/findings.tsv")
  [ -n "$first" ] || first=$(awk -F'\t' 'NR == 2 { print $1 }' "$out/findings.tsv")
  echo
  echo "==== $out/$first/report.txt ===="
  cat "$out/$first/report.txt"
  echo "(all findings: ls $out/; the picture: $out/$first/interleaving.html;"
  echo " replay: build/dcfuzz replay $out/$first/schedule.textproto)"
  exit 0
fi
exit "$status"
