#!/bin/sh
# Runs the Raft simulator (src/sim, docs/raft-sim.md) over many seeds in a release build:
# `seeds` (default 10000) seeds each for 3 and 5 nodes with ReadIndex reads, and half as many
# for 3 nodes with reads through the log. Every run checks Raft's safety properties and that
# the clients' KV history is linearizable. Prints the seeds run and the violations found (with
# a replay line for the first few); exit status non-zero on any violation.
#   SHOAL_SIM_JOBS=n   run the three test groups n at a time (default 1; the CPUs are shared)
#   SHOAL_BUILD_DIR=d  build directory (default build/release)
set -eu
cd "$(dirname "$0")/.."
seeds="${1:-10000}"
jobs="${SHOAL_SIM_JOBS:-1}"
dir="${SHOAL_BUILD_DIR:-build/release}"
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$dir" sim_test >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
# Each group writes its own log; the inner script gets its values as arguments.
# shellcheck disable=SC2016
printf '%s\n' ManySeedsThreeNodes ManySeedsFiveNodes ManySeedsLogReads |
  xargs -P "$jobs" -I{} sh -c \
    'SHOAL_SIM_SEEDS="$1" "$2/src/sim/sim_test" --gtest_filter="RaftSim.$3" >"$4/$3.log" 2>&1 || true' \
    sh "$seeds" "$dir" {} "$work"
status=0
for log in "$work"/*.log; do
  grep '^sim: ' "$log" || { echo "no summary from $(basename "$log" .log):"; tail -30 "$log"; status=1; }
  if grep -q 'FAILED' "$log"; then
    grep -B2 -A12 'Failure' "$log" | head -80
    status=1
  fi
done
cat "$work"/*.log | sed -n 's/^sim: .* \([0-9]*\) seeds, .* \([0-9]*\) violations$/\1 \2/p' |
  awk -v secs=$(($(date +%s) - start)) '{ runs += $1; bad += $2 }
    END { printf "raft-sim: %d seeds run, %d violations, %d s\n", runs, bad, secs }'
exit $status
