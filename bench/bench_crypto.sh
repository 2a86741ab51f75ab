#!/usr/bin/env bash
# bench_crypto.sh — the local-read workloads of bench_local (issue 2) with
# and without EncryptionKey, in one run: the same rows in a plain file (read
# by sqlite3, this driver and sqliteodbc) and in an encrypted copy read by
# this driver through the encryption shim (core/crypto_vfs.c). Prints the
# bench_local table; the "encrypted/raw" column over the "libsql-odbc/raw"
# column is the cost of encryption.
#
#   BUILD=build bench/bench_crypto.sh [rows] [points] [repeat]
#
# The encrypted copy is written through the driver (pyodbc): ATTACH of a
# plain file built with the same generator as bench_local's make_database,
# so the checksums bench_local compares match.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$here/build}
rows=${1:-1000000}; points=${2:-100000}; repeat=${3:-3}
[ -x "$build/bench/bench_local" ] || { echo "build first: cmake -S . -B build && cmake --build build" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 shell (apt-get install sqlite3)" >&2; exit 1; }

work=$(mktemp -d /tmp/lsq-bench-crypto.XXXXXX)
trap 'rm -rf "$work"' EXIT
key="bench-key-$$"

# The rows bench_local's make_database writes, in a plain file ...
sqlite3 "$work/plain.db" "PRAGMA journal_mode=DELETE;
  CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b REAL, c TEXT);
  WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM s WHERE i<$rows)
  INSERT INTO t SELECT i, i*7 % 1000003, i*0.25, 'row-' || i || '-payload-text' FROM s;" >/dev/null

# ... copied into an encrypted file through the driver.
cat > "$work/make_encrypted.py" <<PY
import pyodbc
c = pyodbc.connect("DRIVER=libSQL;Database=$work/enc.db;Create=1;EncryptionKey=$key",
                   autocommit=True)
cur = c.cursor()
cur.execute("ATTACH 'file:$work/plain.db?vfs=unix&mode=ro' AS src")
cur.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b REAL, c TEXT)")
cur.execute("INSERT INTO t SELECT * FROM src.t")
cur.execute("DETACH src")
n = cur.execute("SELECT count(*) FROM t").fetchone()[0]
assert n == $rows, n
c.close()
PY
LSQ_BUILD_DIR=$build LSQ_SANITIZE=OFF "$here/tests/integration/run.sh" "$work/make_encrypted.py"
if grep -q "payload-text" "$work/enc.db"; then echo "encrypted copy holds plaintext" >&2; exit 1; fi

BENCH_EXTRA_NAME=encrypted \
BENCH_EXTRA_CONN="Driver=libSQL;Database=$work/enc.db;EncryptionKey=$key" \
LSQ_BUILD_DIR=$build LSQ_SANITIZE=OFF \
  "$here/tests/integration/run.sh" "$build/bench/bench_local" "$rows" "$points" "$repeat"
