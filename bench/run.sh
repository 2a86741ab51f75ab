#!/usr/bin/env bash
# Run the local-read benchmark against the build in BUILD (default ./build):
# raw sqlite3 vs this driver vs Debian's SQLite ODBC driver, same process.
#   bench/run.sh [rows] [points] [repeat]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$here/build}
[ -x "$build/bench/bench_local" ] || { echo "build first: cmake -S . -B build && cmake --build build" >&2; exit 1; }
[ -f /usr/lib/x86_64-linux-gnu/odbc/libsqlite3odbc.so ] || { echo "install libsqliteodbc (apt-get install libsqliteodbc)" >&2; exit 1; }
LSQ_BUILD_DIR=$build LSQ_SANITIZE=OFF exec "$here/tests/integration/run.sh" "$build/bench/bench_local" "$@"
