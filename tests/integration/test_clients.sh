#!/usr/bin/env bash
# test_clients.sh — the ctest entry for tests/clients: real, unmodified ODBC
# clients from Debian (isql, iusql, pandas over pyodbc, Perl DBI with
# DBD::ODBC, PHP's odbc extension, Qt's QODBC through PyQt5) each read seeded
# rows, write one row and read it back through the driver.
#
# Two targets, each a DSN in $ODBCINI:
#   local    a plain local file (Create=1) seeded with the sqlite3 shell; it
#            shows the client side of each script is right on its own
#   replica  an embedded replica (SyncUrl) of a real primary started with
#            tests/node/primary.sh and seeded over Hrana; the row each client
#            writes must then be on the PRIMARY, which is checked here
# Every client gets its own table (t_<client>) so one failure cannot cascade.
# LSQ_CLIENTS_TARGETS ("local replica" by default) and LSQ_CLIENTS_ONLY (a
# space-separated subset of client names) narrow a run while debugging;
# LSQ_CLIENTS_VERBOSE=1 shows every client's own check lines, not only on failure.
#
# Prints one "ok"/"FAIL" line per client and target, then "N passed, M
# failed"; exits non-zero on any failure, and a client that cannot run
# (package missing) is a failure naming the package, never a skip.
# Run through tests/integration/run.sh (sets ODBCSYSINI, ODBCINI, LSQ_TEST_TMP).
set -u
: "${LSQ_TEST_TMP:?run me through tests/integration/run.sh}"
: "${ODBCINI:?run me through tests/integration/run.sh}"
src=${LSQ_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
clients_dir="$src/tests/clients"
primary_sh="$src/tests/node/primary.sh"
targets=${LSQ_CLIENTS_TARGETS:-local replica}
all_clients="isql iusql pandas perl php qt"
clients=${LSQ_CLIENTS_ONLY:-$all_clients}
per_client_timeout=${LSQ_CLIENTS_TIMEOUT:-60}

passed=0
failed=0
pass() { echo "ok   - $1"; passed=$((passed + 1)); }
fail() { echo "FAIL - $1"; failed=$((failed + 1)); }
finish() {
  echo "test_clients: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
  exit $?
}

# The seed every client script asserts on (tests/clients/README.md); the
# third name is non-ASCII on purpose: it must survive every client's encoding.
schema() { echo "CREATE TABLE $1(id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER, price REAL)"; }
seed() { echo "INSERT INTO $1(id, name, qty, price) VALUES (1, 'alpha', 10, 1.5), (2, 'beta', 20, 2.25), (3, 'Zoë', 30, -3.0)"; }

# ---- the client commands ----------------------------------------------------
# Each prints its own "ok/FAIL" detail lines and exits 0 only when the whole
# read / write / read-back cycle asserted right. LSQ_CLIENT_DSN and
# LSQ_CLIENT_TABLE tell it where to work.
need() { # need COMMAND-OR-FILE PACKAGE
  if [[ "$1" == /* ]]; then [ -e "$1" ] && return 0; else command -v "$1" >/dev/null && return 0; fi
  echo "    client cannot run: '$1' missing (apt-get install $2)"
  return 1
}
run_client() { # run_client NAME
  local name=$1
  case "$name" in
  isql)   need isql unixodbc && bash "$clients_dir/isql_client.sh" isql ;;
  iusql)  need iusql unixodbc && bash "$clients_dir/isql_client.sh" iusql ;;
  pandas) need /usr/bin/python3 python3 && /usr/bin/python3 "$clients_dir/pandas_client.py" ;;
  perl)   need perl perl && perl "$clients_dir/perl_dbd_odbc.pl" ;;
  # PHP dlopen()s its extensions with RTLD_DEEPBIND, which the sanitizer
  # runtime refuses; under LSQ_SANITIZE the no_deepbind shim goes in front
  # of it (see tests/clients/no_deepbind.c), so the driver stays checked.
  php)    need php php-cli &&
          if [ -n "${LD_PRELOAD:-}" ]; then
            [ -f "${LSQ_NO_DEEPBIND:-}" ] || { echo "    no_deepbind shim was not built"; return 1; }
            LD_PRELOAD="$LSQ_NO_DEEPBIND $LD_PRELOAD" \
            ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
              php "$clients_dir/php_odbc.php"
          else
            php "$clients_dir/php_odbc.php"
          fi ;;
  qt)     need /usr/bin/python3 python3 && /usr/bin/python3 "$clients_dir/qt_qodbc.py" ;;
  *)      echo "    unknown client '$name'"; return 1 ;;
  esac
}

# ---- per-target setup ---------------------------------------------------------
primary_dir="$LSQ_TEST_TMP/primary"
stop_primary() { [ -f "$primary_dir/primary.pid" ] && bash "$primary_sh" stop "$primary_dir" >/dev/null 2>&1; return 0; }
trap stop_primary EXIT

# setup_local: a seeded local file and DSN lsq_clients_local.
setup_local() {
  local db="$LSQ_TEST_TMP/local/clients.db" t
  mkdir -p "$LSQ_TEST_TMP/local"
  command -v sqlite3 >/dev/null || { echo "    sqlite3 shell missing (apt-get install sqlite3)"; return 1; }
  for c in $clients; do
    t="t_$c"
    printf '%s;\n%s;\n' "$(schema "$t")" "$(seed "$t")" | sqlite3 "$db" || return 1
  done
  cat >> "$ODBCINI" <<INI

[lsq_clients_local]
Driver=libSQL
Description=client tests: local file
Database=$db
Create=1
INI
  echo "lsq_clients_local"
}

# setup_replica: a real primary, seeded, and DSN lsq_clients_replica whose
# local file does not exist yet (the first client bootstraps it).
setup_replica() {
  local t url
  [ -x "$src/tests/node/node_modules/@tursodatabase/cli-linux-x64-gnu/tursodb" ] || {
    echo "    tursodb missing: (cd $src/tests/node && npm ci)"; return 1; }
  bash "$primary_sh" start "$primary_dir" >/dev/null || return 1
  for c in $clients; do
    t="t_$c"
    bash "$primary_sh" sql "$primary_dir" "$(schema "$t")" >/dev/null || return 1
    bash "$primary_sh" sql "$primary_dir" "$(seed "$t")" >/dev/null || return 1
  done
  url=$(bash "$primary_sh" url "$primary_dir") || return 1
  mkdir -p "$LSQ_TEST_TMP/replica"
  cat >> "$ODBCINI" <<INI

[lsq_clients_replica]
Driver=libSQL
Description=client tests: embedded replica of a real primary
Database=$LSQ_TEST_TMP/replica/clients.db
SyncUrl=$url
SyncInterval=0
INI
  echo "lsq_clients_replica"
}

# written_row TARGET TABLE: the row a client wrote (id 4), read where it must
# have landed (the local file, or the primary for a replica), as
# "id|name|qty|price", plus the row count of the table.
written_row() {
  local target=$1 t=$2
  local q="SELECT (SELECT count(*) FROM $t) || '/' || id || '|' || name || '|' || qty || '|' || printf('%.2f', price) FROM $t WHERE id = 4"
  if [ "$target" = local ]; then
    sqlite3 "$LSQ_TEST_TMP/local/clients.db" "$q" 2>&1
  else
    bash "$primary_sh" sql "$primary_dir" "$q" 2>&1 | /usr/bin/python3 -c '
import json, sys
try:
    rows = json.load(sys.stdin)["results"][0]["response"]["result"]["rows"]
    print(rows[0][0]["value"] if rows else "(no row 4)")
except Exception as e:
    print("unreadable answer: %s" % e)'
  fi
}

# ---- run ------------------------------------------------------------------------
# The sanitizer build preloads ASan into every client; php needs the shim.
if [ -n "${LD_PRELOAD:-}" ] && [[ " $clients " == *" php "* ]]; then
  export LSQ_NO_DEEPBIND="$LSQ_TEST_TMP/no_deepbind.so"
  LD_PRELOAD= cc -shared -fPIC -O1 -o "$LSQ_NO_DEEPBIND" "$clients_dir/no_deepbind.c" -ldl ||
    echo "    (could not build $LSQ_NO_DEEPBIND: php will fail)"
fi
for target in $targets; do
  echo "# target: $target"
  log="$LSQ_TEST_TMP/setup-$target.log"
  if ! dsn=$("setup_$target" 2>"$log"); then
    sed 's/^/    | /' "$log"
    echo "$dsn" | sed 's/^/    | /'
    for c in $clients; do fail "$c on $target (target setup failed)"; done
    continue
  fi
  for c in $clients; do
    out="$LSQ_TEST_TMP/$target-$c.out"
    LSQ_CLIENT_DSN=$dsn LSQ_CLIENT_TABLE="t_$c" LSQ_CLIENT_TARGET=$target \
      timeout -k 5 "$per_client_timeout" bash -c "$(declare -f need run_client); clients_dir='$clients_dir'; run_client $c" \
      > "$out" 2>&1
    rc=$?
    where=$([ "$target" = local ] && echo "local file" || echo "primary")
    if [ $rc -ne 0 ]; then
      [ $rc -eq 124 ] && echo "    (timed out after ${per_client_timeout}s)" >> "$out"
      fail "$c on $target: read / write / read back (exit $rc)"
      sed 's/^/    | /' "$out"
      continue
    fi
    got=$(written_row "$target" "t_$c")
    # iusql cannot send non-ASCII text (see tests/clients/isql_client.sh)
    want="4/4|delta ü|40|4.75"; [ "$c" = iusql ] && want="4/4|delta u|40|4.75"
    if [ "$got" = "$want" ]; then
      pass "$c on $target: read 3 rows, wrote row 4, read it back; $where holds it"
      [ "${LSQ_CLIENTS_VERBOSE:-0}" = 1 ] && sed 's/^/    | /' "$out"
    else
      fail "$c on $target: client passed but the $where holds '$got', expected '$want'"
      sed 's/^/    | /' "$out"
    fi
  done
  if [ "$target" = replica ]; then
    # Every client read its row back after writing it, so (read-your-writes)
    # the replica file itself must have pulled them all: a plain sqlite3
    # reader of that file sees 4 rows in every table.
    counts=""; want_counts=""
    for c in $clients; do
      counts+="$(sqlite3 "$LSQ_TEST_TMP/replica/clients.db" "SELECT count(*) FROM t_$c" 2>&1) "
      want_counts+="4 "
    done
    if [ "$counts" = "$want_counts" ]; then
      pass "replica file caught up with every client's write (sqlite3 reader)"
    else
      fail "replica file row counts per client table: '$counts', expected '$want_counts'"
    fi
    # The other direction: a row another writer puts on the primary while a
    # client is connected reaches that client after the explicit sync any
    # client can send (PRAGMA libsql_sync). One isql session: count row 10
    # (0), then the primary gets row 10, then sync and count again (1).
    st="t_${clients%% *}" sync_out="$LSQ_TEST_TMP/replica-sync.out"
    if command -v isql >/dev/null; then
      {
        echo "SELECT 'before:' || count(*) FROM $st WHERE id = 10"
        for _ in $(seq 1 300); do grep -q 'before:' "$sync_out" 2>/dev/null && break; sleep 0.1; done
        bash "$primary_sh" sql "$primary_dir" \
          "INSERT INTO $st(id, name, qty, price) VALUES (10, 'from the primary', 100, 0.5)" >/dev/null ||
          echo "SELECT 'primary insert failed'"
        echo "PRAGMA libsql_sync"
        echo "SELECT 'after:' || count(*) || ':' || max(name) FROM $st WHERE id = 10"
      } | stdbuf -oL isql -b -v "$dsn" > "$sync_out" 2>&1
      if grep -q '^| before:0 ' "$sync_out" && grep -q '^| after:1:from the primary ' "$sync_out"; then
        pass "a connected isql sees a row written on the primary after PRAGMA libsql_sync"
      else
        fail "a connected isql did not see the primary's new row (0 before, 1 after PRAGMA libsql_sync)"
        grep -v '^+--\|^$' "$sync_out" | sed 's/^/    | /'
      fi
    else
      fail "isql missing (apt-get install unixodbc): sync check not run"
    fi
    stop_primary
  fi
done
finish
