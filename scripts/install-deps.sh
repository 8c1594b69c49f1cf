#!/bin/sh
# Installs everything Shoal needs to build, test and benchmark on Debian bookworm (as root).
# The single list of dependencies: README's commands and CI all come through here.
set -eu
PACKAGES="build-essential cmake ninja-build ccache clang clang-format-14 libclang-rt-14-dev
  libboost1.81-dev libspdlog-dev libfmt-dev libcli11-dev libxxhash-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  protobuf-compiler libprotobuf-dev libssl-dev
  redis-server redis-tools python3 python3-redis python3-pytest python3-hypothesis"
missing=""
for p in $PACKAGES; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
