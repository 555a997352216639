#!/usr/bin/env bash
# A campaign's own CPU at equal work, against another build: the same fixed
# seed and number of executions (`dcfuzz fuzz --max-executions N`, one job,
# on v4) with each build in turn, ROUNDS times, alternating (the load of a
# shared machine drifts between rounds, so each round has both). Prints the
# CPU seconds (user + system of the campaign and its workers) of each run,
# the ratio of the medians and of the minima (the run least disturbed), and
# whether both builds made the same corpus and the same findings: a change
# that only saves work leaves the search exactly as it was.
#
#   bench/campaign_equal_work.sh --base DIR [--build DIR] [--executions N]
#                                [--rounds R] [--seed N] [--keep DIR]
#
# Outputs go to a temporary directory (TMPDIR=/dev/shm keeps the filesystem
# out of the figures: every new corpus entry is a file).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build" base="" executions=60000 rounds=5 seed=7 keep=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --base) base=$2; shift 2 ;;
    --executions) executions=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    *) echo "campaign_equal_work.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
source "$root/bench/common.sh"
bench_setup campaign_equal_work.sh "$build" "$keep"
[[ -n "$base" && -x "$base/dcfuzz" ]] || { echo "campaign_equal_work.sh: no --base DIR with a dcfuzz" >&2; exit 2; }

echo "campaign CPU at equal work: $rounds x ($executions executions on v4, seed $seed) with $build and with $base, $(nproc) cores"
# run BIN OUT: a campaign into OUT; prints its CPU seconds and its corpus and findings fingerprint.
run() {
  rm -rf "$2"
  TIMEFORMAT='%U %S'
  { time "$1" fuzz --kernel v4 --seed "$seed" --max-executions "$executions" --time 86400 \
      --out "$2" >"$2.out" 2>&1; } 2>"$2.cpu" || true
  local corpus findings
  corpus=$(cd "$2/corpus" && ls | sort | md5sum | cut -c1-12)
  findings=$(cut -f1,3,4,5 "$2/findings.tsv" | md5sum | cut -c1-12)
  awk -v c="$corpus" -v f="$findings" '{ printf "%.2f %s/%s\n", $1 + $2, c, f }' "$2.cpu"
}
printf '%-6s %10s %10s\n' round build base
: >"$work/cpu"
for ((r = 1; r <= rounds; r++)); do
  a=$(run "$build/dcfuzz" "$work/build-$r")
  b=$(run "$base/dcfuzz" "$work/base-$r")
  printf '%-6s %10s %10s\n' "$r" "${a% *}" "${b% *}"
  echo "${a% *} ${b% *} ${a#* } ${b#* }" >>"$work/cpu"
done
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mb=$(awk '{ print $1 }' "$work/cpu" | median)
ma=$(awk '{ print $2 }' "$work/cpu" | median)
lb=$(awk '{ print $1 }' "$work/cpu" | sort -g | head -1)
la=$(awk '{ print $2 }' "$work/cpu" | sort -g | head -1)
awk -v mb="$mb" -v ma="$ma" -v lb="$lb" -v la="$la" 'BEGIN {
  printf "CPU of build / CPU of base: %.3f (medians %.2f s / %.2f s), %.3f (minima %.2f s / %.2f s)\n",
         mb / ma, mb, ma, lb / la, lb, la }'
if [[ $(awk '{ print $3; print $4 }' "$work/cpu" | sort -u | wc -l) == 1 ]]; then
  echo "same corpus and findings in every run: $(awk 'NR == 1 { print $3 }' "$work/cpu") (corpus/findings fingerprint)"
else
  echo "corpus or findings differ between the builds or the runs:"
  awk '{ print "  build " $3 "  base " $4 }' "$work/cpu"
fi
