#!/usr/bin/env bash
# test_cli.sh — the operator tool (tools/libsql-odbc.c) against a real
# primary (tests/node/primary.sh, always stopped on exit): sync (bootstrap,
# then incremental), the progress bar on a terminal (script(1)) and its
# absence otherwise, state (human and --json, parsed with python3's json),
# --max-lag, check ok, check on a corrupted copy (exit 5), an unreachable
# primary (exit 3), usage (2) and configuration (6) errors, and that no
# AuthToken is ever printed. Run through run.sh (ODBCINI, LSQ_TEST_TMP).
set -u
: "${LSQ_TEST_TMP:?run me through tests/integration/run.sh}"
: "${ODBCINI:?run me through tests/integration/run.sh}"
: "${LSQ_BUILD_DIR:?run me through tests/integration/run.sh}"
: "${LSQ_SOURCE_DIR:?run me through tests/integration/run.sh}"

tool="$LSQ_BUILD_DIR/libsql-odbc"
primary="$LSQ_SOURCE_DIR/tests/node/primary.sh"
[ -x "$tool" ] || { echo "FAIL: $tool not built"; echo "0 passed, 1 failed"; exit 1; }
# The tool is ours: check it for leaks too (run.sh turns that off for hosts).
export ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}"

passed=0 failed=0
pass() { echo "ok   - $1"; passed=$((passed + 1)); }
fail() { echo "FAIL - $1"; failed=$((failed + 1)); }
finish() {
  "$primary" stop "$pdir" >/dev/null 2>&1 || true
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}
# expect_rc NAME WANT GOT [output file]
expect_rc() {
  if [ "$3" -eq "$2" ]; then pass "$1 (exit $3)"; else
    fail "$1: exit $3, expected $2"; [ -n "${4:-}" ] && sed 's/^/    | /' "$4"; fi
}
# json FILE PYTHON-EXPR (j = the parsed object): prints the value
json() { env -u LD_PRELOAD /usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>&1; }
expect_json() { # NAME FILE EXPR WANT
  local got; got=$(json "$2" "$3")
  if [ "$got" = "$4" ]; then pass "$1"; else fail "$1: $3 = '$got', expected '$4'"; sed 's/^/    | /' "$2"; fi
}

pdir="$LSQ_TEST_TMP/primary"
trap 'finish; exit $?' EXIT
if ! "$primary" start "$pdir" >/dev/null; then
  fail "primary.sh start (see $pdir/primary.log)"; exit 1
fi
url=$("$primary" url "$pdir")
"$primary" sql "$pdir" "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)" >/dev/null
"$primary" sql "$pdir" "INSERT INTO t(v) VALUES ('a'),('b'),('c')" >/dev/null

db="$LSQ_TEST_TMP/replica.db"
token="cli-secret-token-7f3a9c"
log="$LSQ_TEST_TMP/cli.log"
cat >> "$ODBCINI" <<INI
[cli_replica]
Driver=libSQL
Database=$db
SyncUrl=$url
AuthToken=$token
LogFile=$log
LogLevel=debug

[cli_local]
Driver=libSQL
Database=$LSQ_TEST_TMP/local.db

[cli_dead]
Driver=libSQL
Database=$LSQ_TEST_TMP/dead.db
SyncUrl=http://127.0.0.1:9
INI
out="$LSQ_TEST_TMP/out"; err="$LSQ_TEST_TMP/err"
all="$LSQ_TEST_TMP/all-output"; : > "$all"
run() { "$tool" "$@" > "$out" 2> "$err"; local rc=$?; cat "$out" "$err" >> "$all"; return $rc; }

# ---- usage and configuration ------------------------------------------------
run; expect_rc "no arguments is a usage error" 2 $? "$err"
run frobnicate cli_replica; expect_rc "unknown command" 2 $? "$err"
run --help; expect_rc "--help" 0 $? "$err"
grep -q "exit codes" "$out" && pass "--help lists the exit codes" || fail "--help lists the exit codes"
run --version; expect_rc "--version" 0 $? "$err"
grep -Eq '^libsql-odbc [0-9]+\.[0-9]+' "$out" && pass "--version prints a version" || fail "--version prints a version"
run state no_such_dsn; expect_rc "unknown DSN is a configuration error" 6 $? "$err"
run --json state no_such_dsn; rc=$?
expect_rc "unknown DSN (--json)" 6 $rc "$out"
expect_json "--json failure carries exit_code" "$out" "j['exit_code']" 6
: > "$LSQ_TEST_TMP/local.db"
run sync cli_local; expect_rc "sync on a DSN without SyncUrl" 6 $? "$err"

# ---- sync: bootstrap, then incremental --------------------------------------
run sync cli_replica; rc=$?
expect_rc "sync bootstraps a new replica" 0 $rc "$err"
grep -q "^bootstrapped $db" "$out" && pass "sync says it bootstrapped" || { fail "sync says it bootstrapped"; cat "$out"; }
[ -s "$db" ] && pass "replica file exists" || fail "replica file exists"
"$primary" sql "$pdir" "INSERT INTO t(v) VALUES ('d')" >/dev/null
run --json sync cli_replica; rc=$?
expect_rc "incremental sync (--json)" 0 $rc "$out"
expect_json "sync --json ok" "$out" "j['ok']" True
expect_json "sync --json not a bootstrap" "$out" "j['bootstrapped']" False
expect_json "sync --json revision moved" "$out" "j['revision'] != j['revision_before']" True
expect_json "sync --json pulled pages and bytes" "$out" "j['pages_applied'] > 0 and j['bytes'] > 0" True
rev=$(json "$out" "j['revision']")
# on a terminal (script(1) gives it one) the progress display runs; the
# command must still succeed and print its summary
tty_out="$LSQ_TEST_TMP/tty.out"
script -qec "$tool sync cli_replica" /dev/null > "$tty_out" 2>&1
expect_rc "sync on a terminal (progress display)" 0 $? "$tty_out"
grep -q "synced $db" "$tty_out" && pass "sync on a terminal prints the summary" \
  || { fail "sync on a terminal prints the summary"; cat "$tty_out"; }
cat "$tty_out" >> "$all"
rows=$(unset LD_PRELOAD; sqlite3 "$db" "SELECT count(*) FROM t")
[ "$rows" = 4 ] && pass "replica has the new row" || fail "replica has 4 rows, got '$rows'"

# ---- state -------------------------------------------------------------------
run state cli_replica; rc=$?
expect_rc "state" 0 $rc "$err"
grep -Eq "^revision: +$rev$" "$out" && pass "state shows the revision" || { fail "state shows revision $rev"; cat "$out"; }
grep -Eq "^lag: +[0-9]+ s$" "$out" && pass "state shows the lag" || { fail "state shows the lag"; cat "$out"; }
grep -Eq "^last error: +none$" "$out" && pass "state: no last error" || { fail "state: no last error"; cat "$out"; }
run --json state cli_replica; rc=$?
expect_rc "state --json" 0 $rc "$out"
expect_json "state --json revision" "$out" "j['revision']" "$rev"
expect_json "state --json mode" "$out" "j['mode']" replica
expect_json "state --json lag is small" "$out" "0 <= j['lag_seconds'] < 120" True
expect_json "state --json last_error null" "$out" "j['last_error']" None
expect_json "state --json pages" "$out" "j['db_size_pages'] > 0 and j['file_bytes'] > 0" True
touch -d '1 hour ago' "$db-libsql-meta"
run state --max-lag 60 cli_replica; expect_rc "state --max-lag on a stale replica" 5 $? "$out"
run state --max-lag 100000 cli_replica; expect_rc "state --max-lag within the limit" 0 $? "$out"

# ---- check -------------------------------------------------------------------
run check cli_replica; expect_rc "check on a good replica" 0 $? "$out"
run --json check cli_replica; rc=$?
expect_rc "check --json" 0 $rc "$out"
expect_json "check --json ok" "$out" "j['ok']" True
expect_json "check --json ran integrity" "$out" "[c['name'] for c in j['checks']][0]" integrity

bad="$LSQ_TEST_TMP/corrupt.db"
cp "$db" "$bad"; cp "$db-libsql-meta" "$bad-libsql-meta"
pages=$(( $(stat -c %s "$bad") / 4096 ))
# scribble over every page but the first: b-tree pages become garbage
for p in $(seq 1 $((pages - 1))); do
  head -c 4096 /dev/urandom | dd of="$bad" bs=4096 seek="$p" conv=notrunc status=none
done
run check --connect "Database=$bad;SyncUrl=$url"; expect_rc "check on a corrupted file" 5 $? "$out"
grep -q "DAMAGED" "$out" && pass "check says DAMAGED" || { fail "check says DAMAGED"; cat "$out"; }
run --json check --connect "Database=$bad;SyncUrl=$url"; rc=$?
expect_rc "check --json on a corrupted file" 5 $rc "$out"
expect_json "check --json integrity failed" "$out" "[c['ok'] for c in j['checks'] if c['name']=='integrity'][0]" False
cp "$db" "$bad"; cp "$db-libsql-meta" "$bad-libsql-meta"
run check --connect "Database=$bad;SyncUrl=http://elsewhere.example"; expect_rc "check: metadata from another primary" 5 $? "$out"

# an encrypted local file: checked through its key; a wrong key is exit 4
enc="$LSQ_TEST_TMP/enc.db"; key="cli-secret-key-41d0e2"
/usr/bin/python3 - "$enc" "$key" <<'PY' > "$LSQ_TEST_TMP/enc.out" 2>&1
import sys, pyodbc
c = pyodbc.connect("DRIVER=libSQL;Database=%s;Create=1;EncryptionKey=%s" % (sys.argv[1], sys.argv[2]), autocommit=True)
c.cursor().execute("CREATE TABLE e(x)"); c.cursor().execute("INSERT INTO e VALUES (1)"); c.close()
PY
if [ -s "$enc" ]; then
  run check --connect "Database=$enc;EncryptionKey=$key"; expect_rc "check an encrypted file with its key" 0 $? "$out"
  run check --connect "Database=$enc;EncryptionKey=wrong-$key"; expect_rc "check with a wrong EncryptionKey" 4 $? "$err"
  run check --connect "Database=$enc"; expect_rc "check an encrypted file without a key" 4 $? "$err"
  if grep -q "$key" "$all"; then fail "the EncryptionKey appears in the tool's output"; else pass "the EncryptionKey never appears in the tool's output"; fi
else
  fail "could not create an encrypted file through the driver"; sed 's/^/    | /' "$LSQ_TEST_TMP/enc.out"
fi

# ---- the progress bar: a bootstrap of ~4 MB ------------------------------------
# (tursodb has no recursive CTEs: double a table of 8 kB blobs 9 times)
"$primary" sql "$pdir" "CREATE TABLE big(id INTEGER PRIMARY KEY, b BLOB)" >/dev/null
"$primary" sql "$pdir" "INSERT INTO big(b) VALUES (randomblob(8000))" >/dev/null
for i in 1 2 3 4 5 6 7 8 9; do
  "$primary" sql "$pdir" "INSERT INTO big(b) SELECT randomblob(8000) FROM big" >/dev/null
done
bar_out="$LSQ_TEST_TMP/bar.out"
# interval 0: every progress report is drawn (no throttling, no 0.3 s delay)
LSQ_PROGRESS_MIN_INTERVAL_MS=0 script -qec \
  "$tool sync --connect 'DSN=cli_replica;Database=$LSQ_TEST_TMP/big-tty.db'" /dev/null > "$bar_out" 2>&1
expect_rc "bootstrap of a few MB on a terminal" 0 $? "$bar_out"
cat "$bar_out" >> "$all"
bytes=$(grep -Eo '[0-9]+ bytes pulled' "$bar_out" | cut -d' ' -f1)
total_mb=$(awk -v b="${bytes:-0}" 'BEGIN { printf "%.1f", b / 1e6 }')
bars=$(tr '\r' '\n' < "$bar_out" | grep -E '^\[[#.]{30}\] +[0-9]+%  [0-9.]+/[0-9.]+ MB')
if [ "${bytes:-0}" -gt 2000000 ] && grep -Eq "^\[#{30}\] 100%  $total_mb/$total_mb MB" <<<"$bars"; then
  pass "progress bar ends at 100% of the total ($total_mb MB)"
else
  fail "progress bar ends at 100% of $total_mb MB"; cat -v "$bar_out" | tr '\r' '\n' | sed 's/^/    | /'
fi
grep -Eq '^\[#*\.+\] +[0-9]{1,2}%  [0-9.]+/'"$total_mb"' MB' <<<"$bars" \
  && pass "progress bar drew an intermediate update" \
  || { fail "progress bar drew an intermediate update"; cat -v "$bar_out" | tr '\r' '\n' | sed 's/^/    | /'; }
LSQ_PROGRESS_MIN_INTERVAL_MS=0 run sync --connect "DSN=cli_replica;Database=$LSQ_TEST_TMP/big-pipe.db"
expect_rc "bootstrap of a few MB without a terminal" 0 $? "$err"
if grep -Eq '\[#|%|\]' "$err" || [ -n "$(tr -d '\n' < "$err")" ]; then
  fail "no progress bar without a terminal"; cat -v "$err" | sed 's/^/    | /'
else
  pass "no progress bar without a terminal"
fi

# ---- unreachable primary -----------------------------------------------------
run sync cli_dead; expect_rc "sync with nothing listening (bootstrap)" 3 $? "$err"
run --json sync cli_dead; rc=$?
expect_rc "unreachable (--json)" 3 $rc "$out"
expect_json "unreachable --json ok false" "$out" "j['ok']" False
"$primary" stop "$pdir" >/dev/null 2>&1
run sync cli_replica; expect_rc "sync of an existing replica, primary stopped" 3 $? "$err"
run --json state cli_replica; rc=$?
expect_rc "state after a failed sync" 0 $rc "$out"
expect_json "state records the last error" "$out" "bool(j['last_error'])" True

# ---- secrets and the log -----------------------------------------------------
if grep -q "$token" "$all"; then fail "the AuthToken appears in the tool's output"; else pass "the AuthToken never appears in the tool's output"; fi
if [ -f "$log" ]; then
  pass "LogFile written by the tool"
  [ "$(stat -c %a "$log")" = 600 ] && pass "log file mode 600" || fail "log file mode is $(stat -c %a "$log")"
  grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z pid=[0-9]+ tid=[0-9]+ INFO +sync: bootstrapped' "$log" \
    && pass "log has the bootstrap" || { fail "log has the bootstrap"; sed 's/^/    | /' "$log"; }
  grep -Eq 'WARN +sync: sync of .* failed' "$log" && pass "log has the failed sync" || fail "log has the failed sync"
  grep -q "$token" "$log" && fail "the AuthToken appears in the log" || pass "the AuthToken is not in the log"
else
  fail "LogFile written by the tool"
fi
