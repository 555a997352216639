#!/usr/bin/env bash
# Checks that the tracked C++ sources are formatted as .clang-format says;
# one line per file that differs, exit 1 if any does. Generated code (the
# protobuf output, the embedded seeds) lives in the build directory and is not
# tracked, so it is not checked. Fix with: clang-format -i <file>
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
formatter=${CLANG_FORMAT:-}
if [ -z "$formatter" ]; then
  for c in clang-format clang-format-14; do
    if command -v "$c" >/dev/null; then formatter=$c; break; fi
  done
fi
if [ -z "$formatter" ]; then
  echo "dcfuzz: clang-format not found (scripts/install-deps.sh installs it)" >&2
  exit 2
fi
status=0
while IFS= read -r -d '' f; do
  if ! "$formatter" --style=file --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "dcfuzz: $f differs from .clang-format (clang-format -i $f)" >&2
    status=1
  fi
done < <(git ls-files -z -- '*.cc' '*.h')
exit $status
