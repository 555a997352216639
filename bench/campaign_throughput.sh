#!/usr/bin/env bash
# Whole-campaign throughput against Relacy's own random scheduler, on the same
# corpus: `dcfuzz fuzz` (libFuzzer's loop, the mutator, coverage, findings
# and all, one job) for S seconds from the shipped seeds on v4, then Relacy's
# random scheduler (bench/fuzz_throughput) on the scenarios that campaign
# kept (its corpus), for 5 s right after the campaign and 5 s once more after that (the
# mean of the two: on a shared machine the load drifts). Prints executions
# per second of each and their ratio, per wall second (as the campaign's
# summary counts) and per CPU second (user + system of the campaign's
# processes; steadier on a shared machine), REPEAT times, and the median
# ratios. Last, Relacy on the kept corpus against Relacy on random scenarios
# (what most of a campaign's executions run), a measure of how much the
# denominator depends on the scenarios it is given.
#
# --side-by-side: Relacy runs at the same time as the campaign instead of after
# it, for as long, on the corpus of the same seeded campaign run once before
# (the runs before and after a campaign see another load than the campaign
# did; side by side, both see the same). Steadier on a shared machine.
#
#   bench/campaign_throughput.sh [--time S] [--repeat N] [--seed N] [--side-by-side]
#                                [--build DIR] [--keep DIR]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
time=60 repeat=3 seed=7 build="$root/build" keep="" side_by_side=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --time) time=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --side-by-side) side_by_side=1; shift ;;
    --build) build=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    *) echo "campaign_throughput.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
source "$root/bench/common.sh"
bench_setup campaign_throughput.sh "$build" "$keep"
[[ -x "$build/fuzz_throughput" ]] || { echo "campaign_throughput.sh: no $build/fuzz_throughput" >&2; exit 2; }

if ((side_by_side)); then
  echo "campaign throughput: $repeat x (a $time s campaign on v4, seed $seed, and beside it Relacy's random scheduler for $time s on the corpus of the same campaign run before), $(nproc) cores"
else
  echo "campaign throughput: $repeat x (a $time s campaign on v4, seed $seed, then Relacy's random scheduler on its corpus for 2 x 5 s), $(nproc) cores"
fi
# campaign OUT: a campaign into OUT; its CPU time (user, system: the campaign
# process and its workers, which it waits for) into OUT.cpu.
campaign() {
  TIMEFORMAT='%U %S'
  { time "$bin" fuzz --kernel v4 --time "$time" --seed "$seed" --out "$1" \
      >"$1.out" 2>"$1.err"; } 2>"$1.cpu" || true
}
if ((side_by_side)); then
  rm -rf "$work/run-0"
  campaign "$work/run-0"
fi
printf '%-4s %12s %12s %8s %12s %12s %8s\n' run campaign/s relacy/s ratio "campaign/cpu" "relacy/cpu" ratio
for ((r = 1; r <= repeat; r++)); do
  out="$work/run-$r"
  rm -rf "$out"
  if ((side_by_side)); then
    campaign "$out" &
    relacy1=$("$build/fuzz_throughput" "$work/run-$((r - 1))/corpus" "$time" relacy)
    wait
    relacy2=$relacy1
  else
    campaign "$out"
    relacy1=$("$build/fuzz_throughput" "$out/corpus" 5 relacy)
    relacy2=$("$build/fuzz_throughput" "$out/corpus" 5 relacy)
  fi
  cpu=$(tail -1 "$out.cpu")
  executions=$(sed -n 's/.* \([0-9]*\) executions (\([0-9]*\)\/s).*/\1/p' "$out.out")
  wall_rate=$(sed -n 's/.* executions (\([0-9]*\)\/s).*/\1/p' "$out.out")
  awk -v r="$r" -v e="$executions" -v w="$wall_rate" -v cpu="$cpu" -v l1="$relacy1" -v l2="$relacy2" 'BEGIN {
    split(cpu, c, " "); split(l1, a, " "); split(l2, b, " ")
    rw = (a[2] + b[2]) / 2; rc = (a[4] + b[4]) / 2; cc = e / (c[1] + c[2])
    printf "%-4s %12.0f %12.0f %8.2f %12.0f %12.0f %8.2f\n", r, w, rw, w / rw, cc, rc, cc / rc
  }' | tee -a "$work/ratios"
done
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
printf 'median ratio over %d runs: %s per wall second, %s per CPU second\n' "$repeat" \
  "$(awk '{ print $4 }' "$work/ratios" | median)" "$(awk '{ print $7 }' "$work/ratios" | median)"
# The denominator depends on the scenarios it runs: Relacy on the kept corpus
# against Relacy on the random scenarios a campaign's random-walk samples
# draw (most of a campaign's executions run a scenario new to it), 5 s each,
# one after the other.
kept=$("$build/fuzz_throughput" "$work/run-$repeat/corpus" 5 relacy)
drawn=$("$build/fuzz_throughput" random:500 5 relacy)
awk -v k="$kept" -v d="$drawn" 'BEGIN {
  split(k, a, " "); split(d, b, " ")
  printf "Relacy per CPU second on the kept corpus %.0f, on random scenarios %.0f (%.2f of it)\n", a[4], b[4], a[4] / b[4]
}'
