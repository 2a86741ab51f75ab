#!/usr/bin/env bash
# bench_sync.sh — pulling from a real primary: this driver's embedded replica
# (through unixODBC, bench/sync_odbc.c) side by side with the npm client
# @tursodatabase/sync (bench/sync_client.mjs), against ONE tursodb started
# here, both pulling the same changes in lock step.
#
#   BUILD=build [ROUNDS=1] bench/bench_sync.sh [SIZE_MB [ROW_BYTES]]   defaults: 100 3000
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
#    driver's log adds the applier's own lock time and where the sync's time
#    went), and the npm client runs pull(). A curl fetch of the bootstrap
#    answer into /dev/null gives the floor any client pays for the transfer.
# ROUNDS > 1 repeats steps 2-3 that many times against the same primary
# (fresh replica files each round, curl floor measured each round) and
# reports the median and the spread of every figure.
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
size_mb=${1:-100}; row_bytes=${2:-3000}; rounds=${ROUNDS:-1}
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

gcc -O2 -o "$tmp/sync_odbc" "$here/bench/sync_odbc.c" $(pkg-config --cflags --libs odbc sqlite3) -lpthread

: > "$tmp/results"
ask() {  # ask FD_OUT FD_IN ROUND COMMAND
  local line
  echo "$4" >&"$1"
  IFS= read -r line <&"$2" || die "a helper died while running '$4'"
  echo "$line"
  echo "round=$3 $line" >> "$tmp/results"
}

for round in $(seq 1 "$rounds"); do
  [ "$rounds" -gt 1 ] && echo "# round $round of $rounds"
  # The floor for any client: the bootstrap answer fetched by curl into
  # /dev/null (server time + transfer, nothing parsed or written).
  read -r wire_s wire_bytes < <(curl -sS -o /dev/null -w '%{time_total} %{size_download}\n' \
    -X POST --data-binary '' -H 'Content-Type: application/protobuf' "$url/pull-updates")
  echo "# raw bootstrap answer fetched by curl (no parsing, no writing): $wire_bytes bytes in $wire_s s"
  echo "round=$round curl bootstrap bytes=$wire_bytes seconds=$wire_s" >> "$tmp/results"

  # Both helpers read commands on a FIFO and answer one line each.
  r="$tmp/r$round"
  mkdir -p "$r/npm"
  mkfifo "$r/odbc.in" "$r/odbc.out" "$r/npm.in" "$r/npm.out"
  LSQ_BUILD_DIR=$build LSQ_SANITIZE=OFF "$here/tests/integration/run.sh" "$tmp/sync_odbc" \
    "Driver=libSQL;Database=$r/replica.db;SyncUrl=$url;LogFile=$r/driver.log;LogLevel=info" \
    "$r/replica.db" "$r/driver.log" <"$r/odbc.in" >"$r/odbc.out" &
  odbc_pid=$!
  node "$here/bench/sync_client.mjs" "$here/tests/node/node_modules" "$url" "$r/npm/local.db" \
    <"$r/npm.in" >"$r/npm.out" &
  npm_pid=$!
  exec 3>"$r/odbc.in" 4<"$r/odbc.out" 5>"$r/npm.in" 6<"$r/npm.out"

  ask 3 4 "$round" bootstrap
  ask 5 6 "$round" bootstrap
  for n in 1 100 10000; do
    sql "UPDATE big SET v = randomblob($row_bytes) WHERE id <= $n"
    ask 3 4 "$round" "sync rows_$n"
    ask 5 6 "$round" "sync rows_$n"
  done
  echo quit >&3; echo quit >&5
  wait "$odbc_pid" || die "sync_odbc failed"
  wait "$npm_pid" || die "sync_client failed"
  odbc_pid=; npm_pid=
  exec 3>&- 4<&- 5>&- 6<&-
  rm -rf "$r"   # 200+ MB of replicas per round
done

/usr/bin/python3 - "$tmp/results" <<'PY'
import statistics, sys
rows = {}          # (client, step) -> list of dicts, one per round
for line in open(sys.argv[1]):
    f = line.split()
    rnd = f[0]
    rows.setdefault((f[1], f[2]), []).append(dict(x.split("=", 1) for x in f[3:]))
rounds = len(rows[("odbc", "bootstrap")])

def spread(values, fmt):
    """median, or 'median (min-max)' over several rounds"""
    m = statistics.median(values)
    if len(values) == 1:
        return fmt % m
    return (fmt + " (" + fmt + "-" + fmt + ")") % (m, min(values), max(values))

def num(d, k):
    v = d.get(k, "na")
    return None if v in ("na", "") else float(v)

print("# summary over %d round%s (median, and min-max when several; MB/s and pages/s from the"
      " driver's page count and median time; ratio = driver time / npm time, per round)"
      % (rounds, "s" if rounds > 1 else ""))
print("%-11s %6s %6s %22s %22s %8s %8s %22s %22s %22s" % (
    "step", "pages", "MB", "driver s", "npm s", "MB/s", "pages/s", "ratio",
    "readers blocked ms", "lock ms"))
for step in ["bootstrap", "rows_1", "rows_100", "rows_10000"]:
    o, n = rows[("odbc", step)], rows[("npm", step)]
    pages = int(num(o[0], "pages") or 0)
    mb = pages * 4096 / 1e6
    ds = [float(x["seconds"]) for x in o]
    ns = [float(x["seconds"]) for x in n]
    ratio = [a / b for a, b in zip(ds, ns)]
    med = statistics.median(ds)
    blocked = [num(x, "blocked_ms") for x in o if num(x, "blocked_ms") is not None]
    lock = [num(x, "apply_seconds") * 1000 for x in o if num(x, "apply_seconds") is not None]
    print("%-11s %6d %6.1f %22s %22s %8.1f %8.0f %22s %22s %22s" % (
        step, pages, mb, spread(ds, "%.3f"), spread(ns, "%.3f"), mb / med if med else 0,
        pages / med if med else 0, spread(ratio, "%.2f"),
        spread(blocked, "%.2f") if blocked else "-", spread(lock, "%.2f") if lock else "-"))
idle = [num(x, "idle_ms") for x in rows[("odbc", "rows_100")] if num(x, "idle_ms") is not None]
if idle:
    print("reader's longest read with no sync running (noise floor), 100-row step: %s ms"
          % spread(idle, "%.2f"))
print("driver's sync time by phase, ms (from its log; median over rounds):")
for step in ["rows_1", "rows_100", "rows_10000"]:
    parts = {}
    for x in rows[("odbc", step)]:
        for kv in x.get("phases", "").split(","):
            if ":" in kv:
                k, v = kv.split(":")
                parts.setdefault(k, []).append(float(v))
    if parts:
        print("  %-10s %s" % (step, ", ".join("%s %.2f" % (k.replace("_", " "),
                                                            statistics.median(v))
                                             for k, v in parts.items())))
curl = [float(x["seconds"]) for x in rows[("curl", "bootstrap")]]
boot_d = [float(x["seconds"]) for x in rows[("odbc", "bootstrap")]]
boot_n = [float(x["seconds"]) for x in rows[("npm", "bootstrap")]]
print("bootstrap floor (curl to /dev/null): %s s; driver %s, npm %s of it" % (
    spread(curl, "%.3f"), spread([d / c for d, c in zip(boot_d, curl)], "%.2fx"),
    spread([n / c for n, c in zip(boot_n, curl)], "%.2fx")))
br = [d / n for d, n in zip(boot_d, boot_n)]
met = sum(1 for x in br if x <= 1.0)
print("target: bootstrap driver/npm <= 1.0: met in %d of %d round(s) (%s)" % (
    met, len(br), spread(br, "%.2f")))
hb = [float(x["blocked_ms"]) for x in rows[("odbc", "rows_100")]]
met = sum(1 for x in hb if x < 5)
print("target: readers blocked < 5 ms for the 100-row (~100-page) apply: met in %d of %d "
      "round(s) (%s ms)" % (met, len(hb), spread(hb, "%.2f")))
PY
