#!/bin/sh
# Installs dependencies, builds and runs the whole test suite:
#   0. clang-format check of every C++ file
#   1. unit tests (release build)            ctest
#   2. unit tests under ASan+UBSan           ctest
#   3. fuzzers, a fixed number of runs each  libFuzzer (clang)
#   4. integration tests with real clients against the ASan+UBSan server, then the release
#      server                                pytest
# Ends with one line: "N passed, M failed" (stages).
set -u
cd "$(dirname "$0")/.."
./scripts/install-deps.sh || exit 1

passed=0
failed=0
failures=""
stage() {
  name="$1"
  shift
  echo "=== $name"
  if "$@"; then
    passed=$((passed + 1))
    echo "=== $name: passed"
  else
    failed=$((failed + 1))
    failures="$failures $name"
    echo "=== $name: FAILED"
  fi
}

stage format ./scripts/check-format.sh
stage build-release ./scripts/build.sh release
stage unit-release ctest --test-dir build/release --output-on-failure -j2
stage build-asan ./scripts/build.sh asan
stage unit-asan env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build/asan --output-on-failure -j2
stage fuzz ./scripts/fuzz.sh 200000
stage integration-asan env SHOAL_SERVER=build/asan/src/server/shoal-server \
  ASAN_OPTIONS=detect_leaks=0 /usr/bin/python3 -m pytest -q tests/integration
stage integration-release env SHOAL_SERVER=build/release/src/server/shoal-server \
  /usr/bin/python3 -m pytest -q tests/integration

[ -n "$failures" ] && echo "failed stages:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
