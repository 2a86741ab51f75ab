#!/usr/bin/env bash
# bench_writes.sh — writes from an embedded replica to the primary: this
# driver (through unixODBC) side by side with @libsql/client, against ONE
# tursodb started here, both through a counting proxy that tells how many
# HTTP round trips each operation cost.
#
#   BUILD=build bench/bench_writes.sh [ROWS_SINGLE [ROWS_ARRAY [TXN_STATEMENTS]]]
#   defaults: 10000 10000 100
#
# Operations (bench/writes_odbc.c, bench/writes_client.js):
#   single  ROWS_SINGLE single-row INSERTs in autocommit
#   array   ROWS_ARRAY rows in one call (ODBC: SQL_ATTR_PARAMSET_SIZE;
#           client: client.batch)
#   txn     a manual transaction of TXN_STATEMENTS INSERTs, then commit
#   read    (driver) the next SELECT: read-your-writes pulls at most once
# Build the driver without sanitizers first (cmake -S . -B build &&
# cmake --build build); needs gcc, unixodbc-dev, node and tests/node's
# node_modules (cd tests/node && npm ci).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$here/build}
rows_single=${1:-10000}; rows_array=${2:-10000}; txn=${3:-100}
die() { echo "bench_writes.sh: $*" >&2; exit 1; }
[ -f "$build/libsqlodbc.so" ] || die "driver not built in $build (cmake -S . -B build && cmake --build build)"
command -v node >/dev/null || die "node not found"
[ -d "$here/tests/node/node_modules/@libsql/client" ] || die "run: (cd tests/node && npm ci)"
unset LD_PRELOAD

tmp=$(mktemp -d /tmp/lsq-bench-writes.XXXXXX)
proxy_pid=
cleanup() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null || true
  "$here/tests/node/primary.sh" stop "$tmp/primary" || true
  rm -rf "$tmp"
}
trap cleanup EXIT

"$here/tests/node/primary.sh" start "$tmp/primary" >/dev/null
upstream=$("$here/tests/node/primary.sh" url "$tmp/primary")
node "$here/bench/writes_count_proxy.js" "$upstream" "$tmp/counts" "$tmp/proxy.port" &
proxy_pid=$!
for _ in $(seq 1 100); do [ -s "$tmp/proxy.port" ] && break; sleep 0.05; done
[ -s "$tmp/proxy.port" ] || die "the counting proxy did not start"
url="http://127.0.0.1:$(cat "$tmp/proxy.port")"

"$here/tests/node/primary.sh" sql "$tmp/primary" \
  'CREATE TABLE bench_odbc(id INTEGER PRIMARY KEY, name TEXT, val REAL)' >/dev/null
"$here/tests/node/primary.sh" sql "$tmp/primary" \
  'CREATE TABLE bench_js(id INTEGER PRIMARY KEY, name TEXT, val REAL)' >/dev/null

gcc -std=c11 -Wall -Wextra -O2 -o "$tmp/writes_odbc" "$here/bench/writes_odbc.c" $(pkg-config --cflags --libs odbc)

echo "# bench_writes: tursodb (npm turso 0.6.0) at $upstream, through the counting proxy $url"
echo "# rows: single=$rows_single array=$rows_array txn=$txn"
LSQ_BUILD_DIR=$build LSQ_SANITIZE=OFF "$here/tests/integration/run.sh" "$tmp/writes_odbc" \
  "Driver=libSQL;Database=$tmp/replica.db;SyncUrl=$url" "$tmp/counts" \
  "$rows_single" "$rows_array" "$txn" | tee "$tmp/odbc.out"
NODE_PATH="$here/tests/node/node_modules" node "$here/bench/writes_client.js" "$url" \
  "$tmp/counts" "$rows_single" "$rows_array" "$txn" | tee "$tmp/client.out"

# Both tables on the primary hold every row.
for t in bench_odbc bench_js; do
  out=$("$here/tests/node/primary.sh" sql "$tmp/primary" "SELECT count(*) FROM $t")
  want=$((rows_single + rows_array + txn))
  [[ "$out" == *"\"value\":\"$want\""* ]] || die "$t on the primary does not hold $want rows: $out"
done

/usr/bin/python3 - "$tmp/odbc.out" "$tmp/client.out" "$rows_single" <<'PY'
import sys
def load(path):
    d = {}
    for line in open(path):
        f = line.split()
        if len(f) < 3: continue
        kv = dict(x.split("=", 1) for x in f[2:] if "=" in x)
        d[f[1]] = kv
    return d
o, c = load(sys.argv[1]), load(sys.argv[2])
n = int(sys.argv[3])
rt = lambda d, op: int(d[op]["pipeline"]) / max(1, int(d[op]["rows"]) if op == "single" else 1)
print("# summary")
print("driver: %.2f round trips per autocommit write (+%s pulls), array %s round trip(s), txn %s round trip(s) + %s pull(s)" % (
    int(o["single"]["pipeline"]) / n, o["single"]["pulls"], o["array"]["pipeline"],
    o["txn"]["pipeline"], o["txn"]["pulls"]))
print("driver: array path %.0fx the rows/s of row-by-row (target >= 50x)" % (
    float(o["array"]["rows_per_s"]) / float(o["single"]["rows_per_s"])))
for op in ("single", "array", "txn"):
    print("%-6s driver %8s rows/s   @libsql/client %8s rows/s   (driver/client %.2f)" % (
        op, o[op]["rows_per_s"], c[op]["rows_per_s"],
        float(o[op]["rows_per_s"]) / float(c[op]["rows_per_s"])))
PY
