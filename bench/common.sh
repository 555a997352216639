# Sourced by the bench scripts.
#
# bench_setup SCRIPT BUILD KEEP: sets `bin` (BUILD/dcfuzz, which must exist)
# and `work` (KEEP, or a fresh temporary directory that is removed at exit).
bench_setup() {
  bin="$2/dcfuzz"
  [[ -x "$bin" ]] || { echo "$1: no $bin; build first (scripts/build.sh)" >&2; exit 2; }
  work=${3:-$(mktemp -d)}
  mkdir -p "$work"
  [[ -n "$3" ]] || trap 'rm -rf "$work"' EXIT
}
