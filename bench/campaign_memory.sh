#!/usr/bin/env bash
# Memory of a long campaign: runs `dcfuzz fuzz` until it has made N
# executions (default 10 million) and prints, every S seconds, the executions
# so far and the resident set size (VmRSS) of the campaign process and of its
# largest worker, against a fixed bound per process.
#
#   bench/campaign_memory.sh [--executions N] [--jobs J] [--kernel V]
#                            [--every S] [--bound-mib M] [--build DIR] [--keep DIR]
#
# Exit 0 when every sample of every process stayed under the bound, 1 when
# one did not, 2 on bad usage. The last lines compare the peak with the RSS
# measured once the campaign had run 1 million executions (a ratio near 1:
# flat memory).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
executions=10000000 jobs=2 kernel=v4 every=20 bound=128
build="$root/build" keep=""
number() { [[ $2 =~ ^[0-9]+$ && $2 -gt 0 ]] || { echo "campaign_memory.sh: $1 needs a positive integer, not '$2'" >&2; exit 2; }; }
while [[ $# -gt 0 ]]; do
  [[ $# -ge 2 ]] || { echo "campaign_memory.sh: $1 needs a value" >&2; exit 2; }
  case "$1" in
    --executions) number "$1" "$2"; executions=$2 ;;
    --jobs) number "$1" "$2"; jobs=$2 ;;
    --kernel) kernel=$2 ;;
    --every) number "$1" "$2"; every=$2 ;;
    --bound-mib) number "$1" "$2"; bound=$2 ;;
    --build) build=$2 ;;
    --keep) keep=$2 ;;
    *) echo "campaign_memory.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done
source "$root/bench/common.sh"
bench_setup campaign_memory.sh "$build" "$keep"

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# Long enough for N executions at a slow rate; the script stops it earlier.
"$bin" fuzz --kernel "$kernel" --jobs "$jobs" --time 86400 --seed 7 --out "$work/out" \
  >"$work/campaign.out" 2>"$work/campaign.err" &
campaign=$!
trap 'kill -TERM $campaign 2>/dev/null || true' INT TERM

echo "dcfuzz campaign memory: kernel $kernel, --jobs $jobs, until $executions executions;" \
  "bound $bound MiB per process"
printf '%8s  %12s  %14s  %18s  %10s\n' seconds executions "campaign MiB" "largest worker MiB" corpus
start=$SECONDS peak_campaign=0 peak_worker=0 at_million="" over=0 done_execs=0
while kill -0 "$campaign" 2>/dev/null; do
  sleep "$every"
  line=$(grep -a '^\[' "$work/campaign.err" | tail -n 1 || true)
  [[ -n $line ]] || continue
  done_execs=$(sed -E 's/^\[ *[0-9.]+s\] ([0-9]+) execs.*/\1/' <<<"$line")
  corpus=$(sed -E 's/.*corpus ([0-9]+).*/\1/' <<<"$line")
  c=$(rss_kib "$campaign")
  w=0
  for pid in $(pgrep -P "$campaign" || true); do
    r=$(rss_kib "$pid")
    ((r > w)) && w=$r
  done
  ((c > peak_campaign)) && peak_campaign=$c
  ((w > peak_worker)) && peak_worker=$w
  ((c > bound * 1024 || w > bound * 1024)) && over=1
  if [[ -z $at_million && $done_execs -ge 1000000 ]]; then at_million=$((c > w ? c : w)); fi
  printf '%8d  %12d  %14.1f  %18.1f  %10s\n' $((SECONDS - start)) "$done_execs" \
    "$(bc -l <<<"$c/1024")" "$(bc -l <<<"$w/1024")" "$corpus"
  if ((done_execs >= executions)); then
    kill -TERM "$campaign" 2>/dev/null || true
    break
  fi
done
wait "$campaign" || true

peak=$((peak_campaign > peak_worker ? peak_campaign : peak_worker))
printf 'peak RSS: campaign %.1f MiB, largest worker %.1f MiB; bound %d MiB: %s\n' \
  "$(bc -l <<<"$peak_campaign/1024")" "$(bc -l <<<"$peak_worker/1024")" "$bound" \
  "$( ((over)) && echo EXCEEDED || echo kept)"
if [[ -n $at_million && $at_million -gt 0 ]]; then
  printf 'peak / RSS at 1M executions: %.2f\n' "$(bc -l <<<"$peak/$at_million")"
fi
((done_execs >= executions)) || { echo "campaign ended at $done_execs executions, before $executions" >&2; exit 1; }
exit $over
