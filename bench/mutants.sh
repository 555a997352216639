#!/usr/bin/env bash
# The mutation benchmark (issue 16): each mutant of bench/mutants/ is applied
# to a scratch copy of the tree and built once (out of tree, ccache, the
# `dcfuzz` target only); then every strategy runs on it as campaigns on the
# mutants' kernel (mainline), one per seed, each stopped at its first
# finding (--stop-on-finding) or at --time. The unmutated tree runs the same
# campaigns first (--baseline-time each): a mutant counts as caught only by
# a title the baseline does not give.
#
# Budget: a mutant's campaigns run strategy by strategy (all seeds of the
# first, then of the next, ...). A campaign that misses costs its whole --time, so a
# strategy that missed a mutant once is not run on it again, and once a
# mutant has spent --mutant-budget seconds of campaigns its remaining
# campaigns are not run; campaigns not run are left out of the medians
# (report.py). A campaign that crashed (the model on a mutant that frees a
# dentry twice, say) counts neither way and is listed apart. Two mutants run
# at a time (--parallel). A mutant whose file
# expects it uncaught (equivalent to the tree, or a gap of the model or its
# oracles: `expect: uncaught: ...`) is there to show when a change makes it
# catchable; its campaigns last at most --uncaught-time seconds (a miss at
# full length would cost --mutant-budget for nothing).
#
#   bench/mutants.sh [--quick] [--time S] [--seeds N] [--mutant-budget S]
#                    [--baseline-time S] [--uncaught-time S]
#                    [--strategies "fuzz random-walk pct pos"]
#                    [--only NAME[,NAME...]] [--parallel N] [--keep DIR]
#
# Full form: 300 s campaigns, 5 seeds, a budget of 600 s per mutant, the
# baseline 30 s a campaign, 60 s for a mutant expected uncaught. --quick: 60 s
# campaigns, 2 seeds, 150 s per mutant, the baseline 20 s a campaign, 30 s
# for a mutant expected uncaught.
# Prints the table (bench/mutants/report.py) and leaves it in DIR/report.txt
# with --keep DIR.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
time=300 seeds=5 budget=600 baseline_time=30 uncaught_time=60 parallel=2 keep="" only=""
strategies="fuzz random-walk pct pos"
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    --quick) time=60 seeds=2 budget=150 baseline_time=20 uncaught_time=30; shift ;;
    --time) time=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --mutant-budget) budget=$2; shift 2 ;;
    --baseline-time) baseline_time=$2; shift 2 ;;
    --uncaught-time) uncaught_time=$2; shift 2 ;;
    --strategies) strategies=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --parallel) parallel=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    *) echo "mutants.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

work=${keep:-$(mktemp -d)}
mkdir -p "$work"
[[ -n "$keep" ]] || trap 'rm -rf "$work"' EXIT
work=$(cd "$work" && pwd)
mutant_py="$root/bench/mutants/mutant.py"

names=$(python3 "$mutant_py" list "$root/bench/mutants")
if [[ -n "$only" ]]; then
  names=$(tr ',' '\n' <<<"$only")
fi

# --- build: one scratch copy and one build directory, re-synced per mutant ---
# mutant.py sync: only the files that differ from the tree are rewritten
# (with a new mtime), so each mutant recompiles its own translation units
# and the restore recompiles them back (a ccache hit).
src="$work/src" build="$work/build" bins="$work/bin"
mkdir -p "$src" "$bins"
sync_tree() { python3 "$mutant_py" sync "$root" "$src"; }
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  # The scratch tree's paths differ from the tree's: let ccache compare them
  # relative to the scratch directory, so unchanged files hit.
  export CCACHE_BASEDIR="$work" CCACHE_NOHASHDIR=1
fi
sync_tree
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >"$work/cmake.log" 2>&1 ||
  { echo "mutants.sh: cmake failed, see $work/cmake.log" >&2; exit 1; }
build_one() {  # NAME: apply (unless baseline), build, keep the binary
  local name=$1 start=$SECONDS
  sync_tree
  if [[ $name != baseline ]]; then
    python3 "$mutant_py" apply "$root/bench/mutants/$name.mutant" "$src" || return 1
  fi
  mkdir -p "$bins/$name"
  if cmake --build "$build" -j"$parallel" --target dcfuzz >"$bins/$name/build.log" 2>&1; then
    cp "$build/dcfuzz" "$bins/$name/dcfuzz"
    echo "built $name ($((SECONDS - start)) s)" >&2
  else
    echo "mutants.sh: $name does not build, see $bins/$name/build.log" >&2
    return 1
  fi
}
build_start=$SECONDS
build_one baseline
for name in $names; do build_one "$name" || true; done
sync_tree
echo "built $(wc -w <<<"$names") mutants in $((SECONDS - build_start)) s" >&2

# --- campaigns ---
# results.tsv: mutant strategy seed caught seconds executions threads preemptions faults title
results="$work/results.tsv"
: >"$results"
: >"$work/walls.tsv"
run_one() {  # NAME STRATEGY SEED TIME -> one row of results.tsv on stdout
  local name=$1 strategy=$2 seed=$3 t=$4
  local out="$work/runs/$name/$strategy/$seed" start=$SECONDS
  rm -rf "$out"
  mkdir -p "$(dirname "$out")"
  local status=0
  "$bins/$name/dcfuzz" fuzz --kernel mainline --strategy "$strategy" --seed "$seed" --time "$t" \
    --stop-on-finding --out "$out" >"$out.log" 2>&1 || status=$?
  # Wall seconds of the whole campaign (start-up, minimization, self-check):
  # what the benchmark's length is made of.
  printf '%s\t%s\t%s\t%s\n' "$name" "$strategy" "$seed" "$((SECONDS - start))" >>"$work/walls.tsv"
  local row
  row=$(sed -n 2p "$out/findings.tsv" 2>/dev/null || true)
  if [[ -z "$row" ]]; then
    # A campaign that died (a signal; a worker that stopped abnormally) has
    # neither caught nor missed its mutant: the model crashed on it (say, a
    # dentry freed twice). Its row says so, and it does not count.
    local how=no
    if ((status > 2)) || grep -q 'stopped abnormally' "$out.log"; then how=crashed; fi
    printf '%s\t%s\t%s\t%s\t%s\t-\t-\t-\t-\t-\n' "$name" "$strategy" "$seed" "$how" "$t"
    return
  fi
  local bucket seconds executions title schedule threads preemptions faults
  IFS=$'\t' read -r bucket seconds executions _ title <<<"$row"
  # The minimized reproducer's size: the finding's depth as found.
  schedule="$out/$bucket/schedule.textproto"
  threads=$(grep -c '^ *threads {' "$schedule" 2>/dev/null || true)
  preemptions=$(grep -c '^preemptions {' "$schedule" 2>/dev/null || true)
  faults=$(grep -c '^faults {' "$schedule" 2>/dev/null || true)
  printf '%s\t%s\t%s\tyes\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$strategy" "$seed" "$seconds" \
    "$executions" "${threads:-?}" "${preemptions:-?}" "${faults:-?}" "$title"
}
run_mutant() {  # NAME[:STRATEGY] TIME: its campaigns, strategy by strategy, within the budget
  local name=${1%%:*} only_strategy=${1#*:} t=$2 spent=0 seed strategy row left
  local missed=" "  # the strategies that missed this mutant once
  [[ $1 == *:* ]] || only_strategy=""
  [[ -x "$bins/$name/dcfuzz" ]] || return 0
  if [[ $name != baseline ]] &&
    [[ $(python3 "$mutant_py" field "$mutant_dir/$name.mutant" expect) == uncaught* ]]; then
    ((t <= uncaught_time)) || t=$uncaught_time
  fi
  for strategy in $strategies; do
    [[ -z $only_strategy || $strategy == "$only_strategy" ]] || continue
    for ((seed = 1; seed <= seeds; seed++)); do
      if [[ $name == baseline ]]; then left=1000000; else left=$((budget - spent)); fi
      # A strategy that missed a mutant once (a whole campaign) is not run on
      # it again: one miss costs the full time, and it is counted as missed.
      if ((left <= 0)) || [[ $name != baseline && $missed == *" $strategy "* ]]; then
        printf '%s\t%s\t%s\tskipped\t-\t-\t-\t-\t-\t-\n' "$name" "$strategy" "$seed"
        continue
      fi
      local start=$SECONDS
      row=$(run_one "$name" "$strategy" "$seed" "$((t < left ? t : left))")
      echo "$row"
      [[ $(cut -f4 <<<"$row") == no ]] && missed+="$strategy "
      spent=$((spent + SECONDS - start))
    done
  done
}
export -f run_one run_mutant
export work bins seeds budget strategies uncaught_time mutant_py
export mutant_dir="$root/bench/mutants"

# The baseline's campaigns (one lane per strategy), then the mutants'.
campaign_start=$SECONDS
echo "baseline: $strategies, $seeds seeds, $baseline_time s each" >&2
# shellcheck disable=SC2016,SC2086
printf 'baseline:%s\n' $strategies | xargs -P "$parallel" -I{} bash -c \
  'run_mutant "$1" "$2" >"$3/runs-$1.tsv"' _ {} "$baseline_time" "$work"
for strategy in $strategies; do cat "$work/runs-baseline:$strategy.tsv" >>"$results"; done
echo "baseline: $((SECONDS - campaign_start)) s wall" >&2
# shellcheck disable=SC2016,SC2086
printf '%s\n' $names | xargs -P "$parallel" -I{} bash -c \
  'run_mutant "$1" "$2" >"$3/runs-$1.tsv"; echo "ran $1" >&2' _ {} "$time" "$work"
for name in $names; do cat "$work/runs-$name.tsv" >>"$results" 2>/dev/null || true; done
echo "campaigns: $((SECONDS - campaign_start)) s wall, $parallel at a time" >&2
# The campaigns' own seconds, those that caught their mutant and those that did not.
awk -F'\t' 'NR == FNR { if ($4 != "skipped") hit[$1 FS $2 FS $3] = $4; next }
  ($1 FS $2 FS $3) in hit && $1 != "baseline" { k = hit[$1 FS $2 FS $3]; n[k]++; s[k] += $4 }
  END { printf "campaign seconds: %d caught %d s, %d missed %d s, %d crashed %d s\n",
          n["yes"], s["yes"], n["no"], s["no"], n["crashed"], s["crashed"] }' \
  "$results" "$work/walls.tsv" >&2 || true

python3 "$root/bench/mutants/report.py" "$root/bench/mutants" "$results" "$time" "$seeds" "$budget" \
  | tee "$work/report.txt"
