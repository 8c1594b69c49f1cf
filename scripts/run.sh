#!/bin/sh
# Installs dependencies, builds the release binary and runs a node on the embedded default
# configuration (127.0.0.1:6379). Extra arguments go to shoal-server.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh release shoal-server
exec ./build/release/src/server/shoal-server "$@"
