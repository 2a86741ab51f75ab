#!/usr/bin/env bash
# bench_offline.sh — Offline=1 write speed against raw sqlite3 and forwarded
# writes, in one script (bench_offline.py says what is measured).
#   BUILD=build bench/bench_offline.sh [rows]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$here/build}
[ -f "$build/libsqlodbc.so" ] || { echo "build first: cmake -S . -B build && cmake --build build" >&2; exit 1; }
LSQ_BUILD_DIR=$build LSQ_SOURCE_DIR=$here LSQ_SANITIZE=OFF \
  "$here/tests/integration/run.sh" "$here/bench/bench_offline.py" "$@"
