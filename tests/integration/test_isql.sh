#!/usr/bin/env bash
# test_isql.sh — the driver end to end through unixODBC's own shells.
# A DSN in $ODBCINI (written here) points at a fresh file in $LSQ_TEST_TMP;
# isql (ANSI API) and iusql (wide API) run a CREATE / INSERT / SELECT script
# and the exact output lines are checked. Also: a missing file without
# Create=1 must fail with 08001 naming the path, a syntax error with 42000.
# Run through run.sh (it sets ODBCSYSINI, ODBCINI and LSQ_TEST_TMP).
set -u
: "${LSQ_TEST_TMP:?run me through tests/integration/run.sh}"
: "${ODBCINI:?run me through tests/integration/run.sh}"
command -v isql >/dev/null || { echo "FAIL: isql not installed (apt-get install unixodbc)"; exit 1; }

failures=0
pass() { echo "ok   - $1"; }
fail() { echo "FAIL - $1"; failures=$((failures + 1)); }
# expect NAME FILE PATTERN (grep -E)
expect() {
  if grep -Eq -- "$3" "$2"; then pass "$1"; else fail "$1 (no line matching /$3/)"; sed 's/^/    | /' "$2"; fi
}
reject() {
  if grep -Eq -- "$3" "$2"; then fail "$1 (unexpected /$3/)"; sed 's/^/    | /' "$2"; else pass "$1"; fi
}

db="$LSQ_TEST_TMP/isql.db"
missing="$LSQ_TEST_TMP/no/such/file.db"
cat >> "$ODBCINI" <<INI
[lsq_isql]
Driver=libSQL
Database=$db
Create=1

[lsq_missing]
Driver=libSQL
Database=$missing

[lsq_wide]
Driver=libSQL
Database=$LSQ_TEST_TMP/wide.db
Create=1
INI

# ---- ANSI: create, insert, select ---------------------------------------
out="$LSQ_TEST_TMP/isql.out"
printf '%s\n' \
  "CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT)" \
  "INSERT INTO people VALUES(1, 'alice')" \
  "INSERT INTO people VALUES(2, 'bob')" \
  "SELECT id, name FROM people ORDER BY id" \
  "SELEC nonsense" \
  | isql -v -b lsq_isql > "$out" 2>&1
expect "isql connects and creates the file" "$out" "SQLRowCount returns 1"
[ -f "$db" ] && pass "database file created (Create=1)" || fail "database file $db not created"
expect "column header" "$out" '^\| id +\| name +\|'
expect "first row" "$out" '^\| 1 +\| alice +\|'
expect "second row" "$out" '^\| 2 +\| bob +\|'
expect "row count of the select" "$out" '^2 rows fetched'
# isql is an ODBC 2 application: the driver manager shows our 42000 as 37000
expect "syntax error is 42000 (37000 for ODBC 2 apps)" "$out" '^\[37000\]\[libSQL\]\[libsql-odbc\]near "SELEC": syntax error'
reject "no driver-manager stub errors" "$out" 'IM001|Driver does not support'

# the file really holds the rows (checked with the sqlite3 shell)
if command -v sqlite3 >/dev/null; then
  got=$(sqlite3 "$db" "SELECT group_concat(name, ',') FROM people ORDER BY id" 2>&1)
  [ "$got" = "alice,bob" ] && pass "rows persisted" || fail "rows persisted (sqlite3 says '$got')"
fi

# ---- missing file without Create ----------------------------------------
out2="$LSQ_TEST_TMP/missing.out"
echo "SELECT 1" | isql -v -b lsq_missing > "$out2" 2>&1
expect "missing file is 08001" "$out2" '^\[08001\](\[unixODBC\])?\[libSQL\]\[libsql-odbc\]'
expect "08001 names the path" "$out2" "$missing"
[ -e "$missing" ] && fail "missing file was created without Create=1" || pass "missing file not created"

# ---- wide API (iusql) ------------------------------------------------------
out3="$LSQ_TEST_TMP/iusql.out"
if command -v iusql >/dev/null; then
  printf '%s\n' \
    "CREATE TABLE w(id INTEGER, name TEXT)" \
    "INSERT INTO w VALUES(7, 'zoë')" \
    "SELECT id, name FROM w" \
    "SELEC nonsense" \
    | ASAN_OPTIONS="${ASAN_OPTIONS:-}:replace_str=0" iusql -v -b lsq_wide > "$out3" 2>&1
  # (replace_str=0: iusql itself strncpy()s a buffer onto itself; not ours)
  expect "iusql insert" "$out3" "SQLRowCount returns 1"
  expect "iusql header" "$out3" '^\| id +\| name +\|'
  expect "iusql row (non-ASCII text)" "$out3" '^\| 7 +\| zoë +\|'
  # iusql prints only the message text of a diagnostic
  expect "iusql syntax error" "$out3" '^\[libSQL\]\[libsql-odbc\]near "SELEC": syntax error'
else
  fail "iusql not installed"
fi

# ---- odbcinst/register.sh: fills the template, idempotent -----------------
if [ -n "${LSQ_SOURCE_DIR:-}" ] && [ -n "${LSQ_DRIVER:-}" ]; then
  regdir="$LSQ_TEST_TMP/register"
  mkdir -p "$regdir"
  ODBCSYSINI="$regdir" bash "$LSQ_SOURCE_DIR/odbcinst/register.sh" "$LSQ_DRIVER" > "$regdir/out1" 2>&1
  ODBCSYSINI="$regdir" bash "$LSQ_SOURCE_DIR/odbcinst/register.sh" "$LSQ_DRIVER" > "$regdir/out2" 2>&1
  expect "register.sh installs the driver path" "$regdir/odbcinst.ini" "^Driver=$(readlink -f "$LSQ_DRIVER")\$"
  n=$(grep -c '^\[libSQL\]' "$regdir/odbcinst.ini")
  [ "$n" = 1 ] && pass "register.sh is idempotent" || fail "register.sh: $n [libSQL] sections"
  reject "register.sh leaves no placeholders" "$regdir/odbcinst.ini" '@[A-Z_]+@'
else
  fail "LSQ_SOURCE_DIR / LSQ_DRIVER not set (run through run.sh)"
fi

[ "$failures" -eq 0 ] && echo "test_isql: all checks passed" || echo "test_isql: $failures check(s) failed"
[ "$failures" -eq 0 ]
