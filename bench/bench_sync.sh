#!/usr/bin/env bash
# bench_sync.sh — pulling from a real primary: this driver's embedded replica
# (through unixODBC, bench/sync_odbc.c) side by side with the npm client
# @tursodatabase/sync (bench/sync_client.mjs), against ONE tursodb started
# here, both pulling the same changes in lock step.
#
#   BUILD=build bench/bench_sync.sh [SIZE_MB [ROW_BYTES]]     defaults: 100 3000
#
# 1. Starts tursodb (tests/node/primary.sh) and fills table big(id, v BLOB)
#    with SIZE_MB of random blobs (about one row per 4 KiB page) by doubling
#    INSERT ... SELECT through /v2/pipeline (tursodb has no recursive CTEs).
#    The primary is never checkpointed: it serves pages from its WAL only.
# 2. Bootstrap: the driver (SQLDriverConnect on a new file) and the npm client
#    (connect()) each copy the whole database.
# 3. Incremental: for N in 1, 100, 10000 the primary rewrites N rows (N pages),
#    then the driver runs PRAGMA libsql_sync while a reader thread queries the
#    replica file (the longest read = the time readers were blocked; the
#    driver's log adds the applier's own lock time), and the npm client runs
#    pull(). A curl fetch of the bootstrap answer into /dev/null gives the
#    floor any client pays for the transfer.
# Prints one line per step and client, then a table with MB/s, pages/s and
# driver/npm time ratios (< 1 = the driver is faster). Targets (issue 3):
# bootstrap at least as fast as the npm client; readers blocked < 5 ms for a
# 100-page apply.
# Build the driver without sanitizers first (cmake -S . -B build &&
# cmake --build build); needs gcc, unixodbc-dev, libsqlite3-dev, node and
# tests/node's node_modules (cd tests/node && npm ci).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$here/build}
size_mb=${1:-100}; row_bytes=${2:-3000}
die() { echo "bench_sync.sh: $*" >&2; exit 1; }
[ -f "$build/libsqlodbc.so" ] || die "driver not built in $build (cmake -S . -B build && cmake --build build)"
command -v node >/dev/null || die "node not found"
[ -d "$here/tests/node/node_modules/@tursodatabase/sync" ] || die "run: (cd tests/node && npm ci)"
[ "$row_bytes" -le 4000 ] || die "ROW_BYTES must fit one page (<= 4000)"
unset LD_PRELOAD
primary="$here/tests/node/primary.sh"

tmp=$(mktemp -d /tmp/lsq-bench-sync.XXXXXX)
odbc_pid=; npm_pid=
cleanup() {
  exec 3>&- 5>&- 2>/dev/null || true
  [ -n "$odbc_pid" ] && kill "$odbc_pid" 2>/dev/null || true
  [ -n "$npm_pid" ] && kill "$npm_pid" 2>/dev/null || true
  "$primary" stop "$tmp/primary" || true
  rm -rf "$tmp"
}
trap cleanup EXIT

sql() { "$primary" sql "$tmp/primary" "$1" >/dev/null; }

"$primary" start "$tmp/primary" >/dev/null
url=$("$primary" url "$tmp/primary")
rows=$(( size_mb * 1024 * 1024 / 4096 ))
echo "# bench_sync: tursodb (npm turso 0.6.0) at $url; $rows rows of $row_bytes random bytes (~$size_mb MB)"
t0=$(date +%s.%N)
sql "CREATE TABLE big(id INTEGER PRIMARY KEY, v BLOB NOT NULL)"
sql "INSERT INTO big(v) VALUES (randomblob($row_bytes))"
have=1
while [ $((have * 2)) -le "$rows" ]; do
  sql "INSERT INTO big(v) SELECT randomblob($row_bytes) FROM big"
  have=$((have * 2))
done
[ "$have" -lt "$rows" ] &&
  sql "INSERT INTO big(v) SELECT randomblob($row_bytes) FROM big WHERE id <= $((rows - have))"
echo "# primary filled in $(/usr/bin/python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$t0" "$(date +%s.%N)") s"

# The floor for any client: the bootstrap answer fetched by curl into
# /dev/null (server time + transfer, nothing parsed or written).
read -r wire_s wire_bytes < <(curl -sS -o /dev/null -w '%{time_total} %{size_download}\n' \
  -X POST --data-binary '' -H 'Content-Type: application/protobuf' "$url/pull-updates")
echo "# raw bootstrap answer fetched by curl (no parsing, no writing): $wire_bytes bytes in $wire_s s"
echo "curl bootstrap bytes=$wire_bytes seconds=$wire_s" > "$tmp/wire"

gcc -O2 -o "$tmp/sync_odbc" "$here/bench/sync_odbc.c" $(pkg-config --cflags --libs odbc sqlite3) -lpthread

# Both helpers read commands on a FIFO and answer one line each.
mkfifo "$tmp/odbc.in" "$tmp/odbc.out" "$tmp/npm.in" "$tmp/npm.out"
mkdir -p "$tmp/npm"
LSQ_BUILD_DIR=$build LSQ_SANITIZE=OFF "$here/tests/integration/run.sh" "$tmp/sync_odbc" \
  "Driver=libSQL;Database=$tmp/replica.db;SyncUrl=$url;LogFile=$tmp/driver.log;LogLevel=info" \
  "$tmp/replica.db" "$tmp/driver.log" <"$tmp/odbc.in" >"$tmp/odbc.out" &
odbc_pid=$!
node "$here/bench/sync_client.mjs" "$here/tests/node/node_modules" "$url" "$tmp/npm/local.db" \
  <"$tmp/npm.in" >"$tmp/npm.out" &
npm_pid=$!
exec 3>"$tmp/odbc.in" 4<"$tmp/odbc.out" 5>"$tmp/npm.in" 6<"$tmp/npm.out"

: > "$tmp/results"
ask() {  # ask FD_OUT FD_IN COMMAND
  local line
  echo "$3" >&"$1"
  IFS= read -r line <&"$2" || die "a helper died while running '$3'"
  echo "$line" | tee -a "$tmp/results"
}

ask 3 4 bootstrap
ask 5 6 bootstrap
for n in 1 100 10000; do
  sql "UPDATE big SET v = randomblob($row_bytes) WHERE id <= $n"
  ask 3 4 "sync rows_$n"
  ask 5 6 "sync rows_$n"
done
echo quit >&3; echo quit >&5
wait "$odbc_pid" || die "sync_odbc failed"
wait "$npm_pid" || die "sync_client failed"
odbc_pid=; npm_pid=

/usr/bin/python3 - "$tmp/results" "$tmp/wire" <<'PY'
import sys
res = {}
for line in open(sys.argv[1]).readlines() + open(sys.argv[2]).readlines():
    f = line.split()
    res[(f[0], f[1])] = dict(x.split("=", 1) for x in f[2:])
print("# summary (MB/s and pages/s from the driver's page count; ratio = driver time / npm time)")
print("%-12s %8s %9s %9s %9s %10s %9s %24s %8s" % (
    "step", "pages", "MB", "drv s", "npm s", "drv MB/s", "pages/s",
    "blocked/idle (lock) ms", "ratio"))
for step in ["bootstrap", "rows_1", "rows_100", "rows_10000"]:
    o, n = res[("odbc", step)], res[("npm", step)]
    pages = int(o["pages"]) if o["pages"] not in ("na", "") else 0
    mb = pages * 4096 / 1e6
    ds, ns = float(o["seconds"]), float(n["seconds"])
    blocked = o.get("blocked_ms", "-")
    if "idle_ms" in o:
        blocked += "/" + "%.1f" % float(o["idle_ms"])
    if o.get("apply_seconds", "na") != "na":
        blocked += " (lock %.1f)" % (float(o["apply_seconds"]) * 1000)
    print("%-12s %8d %9.1f %9.3f %9.3f %10.1f %9.0f %24s %8.2f" % (
        step, pages, mb, ds, ns, mb / ds if ds else 0, pages / ds if ds else 0, blocked,
        ds / ns if ns else 0))
w = res[("curl", "bootstrap")]
print("bootstrap floor (curl to /dev/null): %.3f s; driver %.2fx, npm %.2fx of it" % (
    float(w["seconds"]), float(res[("odbc", "bootstrap")]["seconds"]) / float(w["seconds"]),
    float(res[("npm", "bootstrap")]["seconds"]) / float(w["seconds"])))
b = res[("odbc", "bootstrap")], res[("npm", "bootstrap")]
print("target: bootstrap driver/npm <= 1.0: %s (%.2f)" % (
    "met" if float(b[0]["seconds"]) <= float(b[1]["seconds"]) else "NOT met",
    float(b[0]["seconds"]) / float(b[1]["seconds"])))
hb = float(res[("odbc", "rows_100")]["blocked_ms"])
print("target: readers blocked < 5 ms for the 100-row (~100-page) apply: %s (%.2f ms)" % (
    "met" if hb < 5 else "NOT met", hb))
PY
