#!/bin/sh
# Configures and builds one flavour: release (default), asan or fuzz, into build/<flavour>.
set -eu
cd "$(dirname "$0")/.."
flavour="${1:-release}"
shift || true
case "$flavour" in
  release) args="-DCMAKE_BUILD_TYPE=RelWithDebInfo" ;;
  asan) args="-DCMAKE_BUILD_TYPE=Debug -DSHOAL_SANITIZE=ON" ;;
  fuzz) args="-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHOAL_FUZZ=ON -DSHOAL_TESTS=OFF -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++" ;;
  *) echo "usage: $0 release|asan|fuzz [ninja targets]" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086
cmake -S . -B "build/$flavour" -G Ninja $args >/dev/null
ninja -C "build/$flavour" "$@"
