#!/usr/bin/env bash
# dcfuzz minimize against libFuzzer's own -minimize_crash=1, on the same
# inputs (default: the regression reproducers), printing both results.
#
#   bench/minimize.sh [--build DIR] [--runs N] [FILE.textproto ...]
#
# libFuzzer shrinks the binary schedule by bytes with its generic mutations
# and keeps any crash (bench/minimize_libfuzzer.cc crashes on any finding);
# dcfuzz minimize keeps only schedules with the same title. Each result is
# counted the same way (threads, operations, preemptions, faults, steps of
# the schedule as written, normalised) and its title is shown.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build"
runs=20000
files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    *) files+=("$1"); shift ;;
  esac
done
[ ${#files[@]} -gt 0 ] || files=("$root"/corpus/regressions/*.textproto)
dcfuzz="$build/dcfuzz"
baseline="$build/minimize_libfuzzer"
for tool in "$dcfuzz" "$baseline"; do
  [ -x "$tool" ] || { echo "minimize.sh: $tool not built" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seconds() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fs", b - a }'; }

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
  start=$(seconds)
  (cd "$work" && "$baseline" -minimize_crash=1 -runs="$runs" -seed=1 \
     -exact_artifact_path="$work/$name.libfuzzer.pb" "$work/$name.pb" >"$work/$name.lf.log" 2>&1) || true
  end=$(seconds)
  if [ -f "$work/$name.libfuzzer.pb" ]; then
    echo "   libFuzzer: $("$baseline" --stats "$work/$name.libfuzzer.pb" || true) | $(elapsed "$start" "$end")"
  else
    echo "   libFuzzer: no smaller crashing input ($(grep -m1 -E 'CRASH_MIN|ERROR' "$work/$name.lf.log" || echo 'see its log'))"
  fi
done
echo "(libFuzzer: -minimize_crash=1 -runs=$runs -seed=1 on the binary encoding; dcfuzz: dcfuzz minimize FILE)"
