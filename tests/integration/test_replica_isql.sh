#!/usr/bin/env bash
# test_replica_isql.sh — an embedded replica driven from unixODBC's isql, the
# way a user at a terminal would: a DSN in $ODBCINI with SyncUrl pointing at
# a real primary (tests/node/primary.sh), a SELECT answered from the local
# file, `PRAGMA libsql_sync` typed at the prompt printing its one-row result
# (revision, pages, bytes, seconds, changed) and bringing a row written on
# the primary, `PRAGMA libsql_state`, and the offline connect once the
# primary is stopped (reads still work, the sync reports 08S01).
# Run through run.sh (it sets ODBCSYSINI, ODBCINI and LSQ_TEST_TMP).
set -u
: "${LSQ_TEST_TMP:?run me through tests/integration/run.sh}"
: "${ODBCINI:?run me through tests/integration/run.sh}"
: "${LSQ_SOURCE_DIR:?run me through tests/integration/run.sh}"
command -v isql >/dev/null || { echo "FAIL: isql not installed (apt-get install unixodbc)"; exit 1; }

primary_sh="$LSQ_SOURCE_DIR/tests/node/primary.sh"
pdir="$LSQ_TEST_TMP/primary"
trap 'bash "$primary_sh" stop "$pdir"' EXIT
bash "$primary_sh" start "$pdir" >/dev/null || { echo "FAIL: cannot start the primary"; exit 1; }
url=$(bash "$primary_sh" url "$pdir")
psql() { bash "$primary_sh" sql "$pdir" "$1" >/dev/null || { echo "FAIL: primary refused: $1"; exit 1; }; }

failures=0
pass() { echo "ok   - $1"; }
fail() { echo "FAIL - $1"; failures=$((failures + 1)); }
expect() {
  if grep -Eq -- "$3" "$2"; then pass "$1"; else fail "$1 (no line matching /$3/)"; sed 's/^/    | /' "$2"; fi
}
reject() {
  if grep -Eq -- "$3" "$2"; then fail "$1 (unexpected /$3/)"; sed 's/^/    | /' "$2"; else pass "$1"; fi
}

psql "CREATE TABLE city(id INTEGER PRIMARY KEY, name TEXT)"
psql "INSERT INTO city VALUES (1, 'Oslo'), (2, 'Lima')"

db="$LSQ_TEST_TMP/replica.db"
cat >> "$ODBCINI" <<INI
[lsq_replica]
Driver=libSQL
Database=$db
SyncUrl=$url
ConnectTimeout=2
INI

# ---- bootstrap + local read ----------------------------------------------
out="$LSQ_TEST_TMP/1.out"
echo "SELECT id, name FROM city ORDER BY id" | isql -v -b lsq_replica > "$out" 2>&1
[ -f "$db" ] && pass "first connect bootstraps the replica file" || fail "no replica file $db"
expect "first row from the replica" "$out" '^\| 1 +\| Oslo +\|'
expect "second row from the replica" "$out" '^\| 2 +\| Lima +\|'
expect "two rows" "$out" '^2 rows fetched'

# ---- PRAGMA libsql_sync at the prompt --------------------------------------
# Connect first (the connect itself syncs), then write on the primary while
# connected, via a FIFO feeding isql line by line.
fifo="$LSQ_TEST_TMP/in.fifo"
mkfifo "$fifo"
out="$LSQ_TEST_TMP/2.out"
isql -v -b lsq_replica < "$fifo" > "$out" 2>&1 &
isql_pid=$!
exec 3>"$fifo"
echo "SELECT count(*) AS n FROM city" >&3
sleep 1
psql "INSERT INTO city VALUES (3, 'Pune')"
echo "SELECT count(*) AS n_before FROM city" >&3
echo "PRAGMA libsql_sync" >&3
echo "SELECT name FROM city WHERE id = 3" >&3
echo "PRAGMA libsql_state" >&3
exec 3>&-
wait "$isql_pid"
expect "libsql_sync header" "$out" '^\| revision +\| pages +\| bytes +\| seconds +\| changed +\|'
expect "libsql_sync row: pages applied, changed=1" "$out" '^\| [0-9]+ +\| [1-9][0-9]* +\| [1-9][0-9]* +\| [0-9.eE+-]+ +\| 1 +\|'
expect "row written on the primary arrives" "$out" '^\| Pune +\|'
expect "libsql_state header" "$out" '^\| revision +\| db_size_pages +\| last_sync_ok +\| last_sync_attempt +\| last_error +\| syncs_ok'
expect "libsql_state row with ISO time" "$out" '^\| [0-9]+ +\| [0-9]+ +\| [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z'
reject "no errors" "$out" '^\[[0-9A-Z]{5}\]'

# ---- primary down: reads still work, the sync says 08S01 -------------------
bash "$primary_sh" stop "$pdir"
out="$LSQ_TEST_TMP/3.out"
printf '%s\n' "SELECT count(*) AS n FROM city" "PRAGMA libsql_sync" | isql -v -b lsq_replica > "$out" 2>&1
expect "offline: local rows still served" "$out" '^\| 3 +\|'
expect "offline: sync fails with 08S01" "$out" '^\[08S01\]'

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"
