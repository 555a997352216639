#!/usr/bin/env bash
# Campaign benchmarks of `dcfuzz fuzz`: time to each of the two v4 bugs (from
# the shipped seeds, from an empty corpus, with and without the interleaving
# counters), clean runs on the fixed kernels, and executions per second
# against Relacy's own random scheduler. Prints one table.
#
#   bench/campaign.sh [--runs N] [--time S] [--clean-time S] [--parallel P]
#                     [--only LIST] [--build DIR] [--keep DIR]
#
# Defaults are the full measurement (10 campaigns of 300 s per configuration,
# 600 s per clean kernel). A time-to-bug campaign stops once it has found
# both bugs, so the whole table takes about 25 minutes with --parallel 2.
# A quick look: bench/campaign.sh --runs 3 --time 60 --clean-time 60
#
# LIST: comma-separated configurations: seeds, empty, seeds-nocov, empty-nocov
# (time to the two bugs on v4), random-walk, pct, pos (the same, as campaigns
# of those strategies: --strategy), fixed, fixed-nocov (time to the deadlock and
# the duplicate dentry that v4-fixed keeps), clean, throughput (default: all). Each campaign is one process (--jobs 1);
# --parallel runs that many campaigns at once. Every campaign records the
# time and executions to each bucket's first finding in OUT/findings.tsv.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=10 time=300 clean_time=600 parallel=1 only="seeds,empty,seeds-nocov,empty-nocov,random-walk,pct,pos,fixed,fixed-nocov,clean,throughput"
build="$root/build" keep=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --time) time=$2; shift 2 ;;
    --clean-time) clean_time=$2; shift 2 ;;
    --parallel) parallel=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    *) echo "campaign.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
source "$root/bench/common.sh"
bench_setup campaign.sh "$build" "$keep"
empty="$work/empty-corpus"
mkdir -p "$empty"

# The two bugs, by bucket name (reports/report.h bucket_name of the title).
wrong_waiter='lost-wakeup-in-__d_move'
unlock='bad-unlock-balance'
# The faults the posted fixes leave (7/7 still drops the parent lock): a
# harder target, where the interleaving counters have room to matter.
deadlock='hung-in-d_wait_lookup'
duplicate='two-hashed-dentries'
targets=("$wrong_waiter" "$unlock")  # what the configuration being run measures

wants() { [[ ",$only," == *",$1,"* ]]; }

# campaign NAME INDEX ARGS...: one campaign into $work/NAME-INDEX. A
# time-to-bug campaign ends (SIGTERM: it reports and summarizes as at time
# up) once both its targets are in its findings.tsv: what comes later
# changes no time to bug.
campaign() {
  local name=$1 i=$2
  shift 2
  local out="$work/$name-$i"
  "$bin" fuzz --seed $((1000 + i)) --out "$out" "$@" >"$out.out" 2>"$out.err" &
  local pid=$!
  if [[ $name != clean-* ]]; then
    while kill -0 "$pid" 2>/dev/null; do
      sleep 0.2
      if grep -q "${targets[0]}" "$out/findings.tsv" 2>/dev/null &&
        grep -q "${targets[1]}" "$out/findings.tsv" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        break
      fi
    done
  fi
  wait "$pid" || true
}

# run_config NAME TIME ARGS...: $runs campaigns, $parallel at a time.
run_config() {
  local name=$1 seconds=$2
  shift 2
  for ((i = 0; i < runs; i++)); do
    campaign "$name" "$i" --time "$seconds" "$@" &
    if (((i + 1) % parallel == 0)); then wait; fi
  done
  wait
}

# The row of a time-to-bug configuration: found/runs, median and worst
# seconds (and executions) to each bug; a run without the bug counts as
# longer than the campaign (">T").
ttb_row() {
  python3 - "$work" "$1" "$runs" "$time" "${targets[@]}" <<'EOF'
import os, statistics, sys
work, name, runs, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
patterns = sys.argv[5:]
cells = [name]
rates = []
for pattern in patterns:
    times, execs = [], []
    for i in range(runs):
        found = None
        path = f"{work}/{name}-{i}/findings.tsv"
        if os.path.exists(path):
            for line in open(path).read().splitlines()[1:]:
                bucket, seconds, executions = line.split("\t")[:3]
                if pattern in bucket and found is None:
                    found = (float(seconds), int(executions))
        times.append(found[0] if found else float("inf"))
        execs.append(found[1] if found else float("inf"))
    def show(values, fmt):
        v = sorted(values)
        median = v[(len(v) - 1) // 2]
        worst = v[-1]
        f = lambda x: (">" + fmt % limit) if x == float("inf") else fmt % x
        return f(median), f(worst)
    hits = sum(t != float("inf") for t in times)
    m, w = show(times, "%.1f")
    me, we = show(execs, "%.0f") if hits else ("-", "-")
    cells += [f"{hits}/{runs}", m, w, me if hits else "-"]
for i in range(runs):
    out = f"{work}/{name}-{i}.out"
    if os.path.exists(out):
        head = open(out).readline()
        if "executions (" in head:
            rates.append(float(head.split("executions (")[1].split("/s")[0]))
cells.append("%.0f" % statistics.median(rates) if rates else "-")
print("  ".join(f"{c:>10}" if k else f"{c:<14}" for k, c in enumerate(cells)))
EOF
}

echo "dcfuzz campaigns: $runs x $time s per configuration, $(nproc) cores, --parallel $parallel"

# ttb_header A B: the header of a time-to-bug table on targets A and B.
ttb_header() {
  echo
  echo "$3 (found/runs, median and worst seconds, median executions; a run stops when it has both)"
  printf '%-14s  %10s  %10s  %10s  %10s  %10s  %10s  %10s  %10s  %10s\n' configuration \
    "$1" "median s" "worst s" "med execs" "$2" "median s" "worst s" "med execs" "execs/s"
}

if wants seeds || wants empty || wants seeds-nocov || wants empty-nocov || wants random-walk ||
  wants pct || wants pos; then
  ttb_header waiter unlock \
    "time to the two bugs on v4 (waiter: $wrong_waiter, unlock: $unlock)"
fi
for config in seeds empty seeds-nocov empty-nocov; do
  wants "$config" || continue
  args=(--kernel v4)
  [[ $config == empty* ]] && args+=("$empty")
  [[ $config == *-nocov ]] && args+=(--no-interleaving-coverage)
  run_config "$config" "$time" "${args[@]}"
  ttb_row "$config"
done
for config in random-walk pct pos; do
  wants "$config" || continue
  run_config "$config" "$time" --kernel v4 --strategy "$config"
  ttb_row "$config"
done

if wants fixed || wants fixed-nocov; then
  targets=("$deadlock" "$duplicate")
  ttb_header deadlock duplicate \
    "time to what the fixes leave, on v4-fixed from the seeds (deadlock: $deadlock, duplicate: $duplicate)"
  for config in fixed fixed-nocov; do
    wants "$config" || continue
    args=(--kernel v4-fixed)
    [[ $config == *-nocov ]] && args+=(--no-interleaving-coverage)
    run_config "$config" "$time" "${args[@]}"
    ttb_row "$config"
  done
  targets=("$wrong_waiter" "$unlock")
fi

if wants clean; then
  echo
  echo "clean kernels: one campaign of $clean_time s each (buckets found; expect none)"
  for kernel in v4-fixed mainline; do
    runs_saved=$runs; runs=1
    run_config "clean-$kernel" "$clean_time" --kernel "$kernel"
    runs=$runs_saved
    buckets=$(tail -n +2 "$work/clean-$kernel-0/findings.tsv" 2>/dev/null | cut -f1 | paste -sd, -)
    printf '  %-10s %s\n' "$kernel" "${buckets:-no findings}"
  done
fi

if wants throughput; then
  echo
  echo "executions per second against Relacy's random scheduler (same process, same scenarios):"
  "$build/fuzz_throughput" "$root/corpus/seeds" 10 | sed 's/^/  seeds:  /'
  # One campaign alone on the machine, then Relacy on the scenarios it ran.
  seconds=$((time < 60 ? time : 60))
  "$bin" fuzz --kernel v4 --time "$seconds" --seed 7 --out "$work/throughput" >"$work/throughput.out" 2>/dev/null || true
  "$build/fuzz_throughput" "$work/throughput/corpus" 10 | tee "$work/throughput.txt" |
    sed 's/^/  campaign corpus:  /'
  relacy=$(awk '/^relacy-random/ {print $2}' "$work/throughput.txt")
  campaign=$(sed -n 's/.*executions (\([0-9]*\)\/s).*/\1/p' "$work/throughput.out")
  awk -v c="$campaign" -v r="$relacy" -v s="$seconds" 'BEGIN { if (r > 0 && c > 0)
    printf "  campaign of %d s (libFuzzer included): %.0f executions/s, ratio %.2f\n", s, c, c / r }'
fi
