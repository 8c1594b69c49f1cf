#!/bin/sh
# Builds the libFuzzer targets with clang and runs each for a fixed number of executions
# (default 200000) over its seed corpus. Exit status non-zero on any crash.
set -eu
cd "$(dirname "$0")/.."
runs="${1:-200000}"
./scripts/build.sh fuzz
status=0
for target in build/fuzz/fuzz/*_fuzz; do
  [ -x "$target" ] || continue
  name=$(basename "$target" _fuzz)
  corpus="fuzz/corpus/$name"
  dict=""
  [ -f "fuzz/$name.dict" ] && dict="-dict=fuzz/$name.dict"
  work=$(mktemp -d)
  echo "fuzz $name: $runs runs"
  # shellcheck disable=SC2086
  if ! "$target" -runs="$runs" -seed=1 -max_len=4096 $dict -artifact_prefix="$work/" "$work" "$corpus" \
      >"$work/log" 2>&1; then
    tail -30 "$work/log"
    status=1
  else
    tail -1 "$work/log"
  fi
  rm -rf "$work"
done
exit $status
