#!/usr/bin/env bash
# dcfuzz minimize against libFuzzer's own -minimize_crash=1, on the same
# inputs (default: bench/minimize_inputs/, the regression reproducers with
# noise added by bench/minimize_bloat.py), printing both results.
#
#   bench/minimize.sh [--build DIR] [--runs N] [FILE.textproto ...]
#
# libFuzzer shrinks the binary schedule by bytes with its generic mutations
# (bench/minimize_libfuzzer.cc) or with dcfuzz's schedule-aware mutator
# (bench/minimize_libfuzzer_mutator.cc), and keeps any crash (both targets
# crash on any finding); dcfuzz minimize keeps only schedules with the same
# title. Each result is
# counted the same way (threads, operations, preemptions, faults, steps of
# the schedule as written, normalised) and its title is shown.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build"
runs=200000
files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    *) files+=("$1"); shift ;;
  esac
done
[ ${#files[@]} -gt 0 ] || files=("$root"/bench/minimize_inputs/*.textproto)
dcfuzz="$build/dcfuzz"
baseline="$build/minimize_libfuzzer"
baseline_mutator="$build/minimize_libfuzzer_mutator"
for tool in "$dcfuzz" "$baseline" "$baseline_mutator"; do
  [ -x "$tool" ] || { echo "minimize.sh: $tool not built" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seconds() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fs", b - a }'; }
# libfuzzer_minimize LABEL BINARY NAME TAG: libFuzzer's -minimize_crash on $work/NAME.pb.
libfuzzer_minimize() {
  local label=$1 binary=$2 name=$3 tag=$4 start end
  start=$(seconds)
  (cd "$work" && "$binary" -minimize_crash=1 -runs="$runs" -seed=1 \
     -exact_artifact_path="$work/$name.$tag.pb" "$work/$name.pb" >"$work/$name.$tag.log" 2>&1) || true
  end=$(seconds)
  if [ -f "$work/$name.$tag.pb" ]; then
    echo "   $label $("$baseline" --stats "$work/$name.$tag.pb" || true) | $(elapsed "$start" "$end")"
  else
    echo "   $label no smaller crashing input ($(grep -m1 -E 'CRASH_MIN|ERROR' "$work/$name.$tag.log" || echo 'see its log'))"
  fi
}

for file in "${files[@]}"; do
  name=$(basename "$file" .textproto)
  echo "== $name"
  echo "   input:     $("$baseline" --stats "$file" || true)"

  start=$(seconds)
  "$dcfuzz" minimize "$file" -o "$work/$name.ours.textproto" >"$work/$name.ours.log" 2>&1 || true
  end=$(seconds)
  if [ -f "$work/$name.ours.textproto" ]; then
    echo "   dcfuzz:    $("$baseline" --stats "$work/$name.ours.textproto" || true) | $(elapsed "$start" "$end")"
  else
    echo "   dcfuzz:    $(head -1 "$work/$name.ours.log")"
  fi

  protoc --proto_path="$root/schedules" --encode=dcfuzz.pb.Schedule "$root/schedules/schedule.proto" \
    <"$file" >"$work/$name.pb"
  libfuzzer_minimize "libFuzzer:" "$baseline" "$name" lf
  libfuzzer_minimize "+mutator:" "$baseline_mutator" "$name" lfm
done
echo "(dcfuzz: dcfuzz minimize FILE. libFuzzer: -minimize_crash=1 -runs=$runs -seed=1 on the binary"
echo " encoding, byte mutations; +mutator: the same with dcfuzz's schedule-aware mutator. Both"
echo " libFuzzer runs keep any crash; columns: title | size | binary bytes | wall time)"
