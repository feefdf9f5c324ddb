#!/usr/bin/env bash
# One command: install what is missing, build, and start scoliomassaged on its
# embedded default (SQLite under ./var/, 127.0.0.1:50051, dev mode).
# Extra arguments go to scoliomassaged, e.g. deploy/run.sh --listen=127.0.0.1:6000
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

deploy/install-deps.sh build
build_dir=${SCOLIOMASSAGE_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCOLIOMASSAGE_BUILD_TESTS=OFF >/dev/null
cmake --build "$build_dir" -j"${JOBS:-2}" --target scoliomassaged scoliomassage scoliomassage_plugin

mkdir -p var
echo "run.sh: starting scoliomassaged (Ctrl-C or SIGTERM stops it gracefully)" >&2
exec "$build_dir/service/server/scoliomassaged" "$@"
