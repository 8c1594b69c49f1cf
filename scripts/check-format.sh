#!/bin/sh
# Fails when a C++ file differs from clang-format's output (.clang-format: Google, 100 cols).
set -eu
cd "$(dirname "$0")/.."
status=0
for f in $(git ls-files '*.cc' '*.h'); do
  if ! clang-format-14 "$f" | cmp -s - "$f"; then
    echo "not clang-formatted: $f"
    status=1
  fi
done
exit $status
