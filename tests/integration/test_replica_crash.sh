#!/usr/bin/env bash
# test_replica_crash.sh — crash safety of a real sync, deterministically.
#
# For each kill point of the applier (LSQ_CRASH_AT, core/page_apply.h:
# journal-written, pages-half-written, pages-written, journal-deleted, and
# before-meta in core/replica.c) a fresh replica is bootstrapped from a real
# primary (tests/node/primary.sh), the primary then commits one transaction
# that rewrites every row (new version number, new random padding, 40 more
# rows: dozens of pages), and isql connects with LSQ_CRASH_AT set — the
# connect's own sync dies at that step with exit status 99. Then:
#   - Debian's sqlite3 shell opens the file (rolling back a hot journal as
#     SQLite does): PRAGMA integrity_check is ok;
#   - the content is entirely the old or entirely the new revision: one
#     distinct version and the row count that goes with it;
#   - the next connect through the driver converges to the primary's content.
# Run through run.sh (it sets ODBCSYSINI, ODBCINI, LSQ_TEST_TMP).
set -u
: "${LSQ_TEST_TMP:?run me through tests/integration/run.sh}"
: "${ODBCINI:?run me through tests/integration/run.sh}"
: "${LSQ_SOURCE_DIR:?run me through tests/integration/run.sh}"
command -v isql >/dev/null || { echo "FAIL: isql not installed"; exit 1; }
command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 shell not installed (apt-get install sqlite3)"; exit 1; }

primary_sh="$LSQ_SOURCE_DIR/tests/node/primary.sh"
pdir="$LSQ_TEST_TMP/primary"
trap 'bash "$primary_sh" stop "$pdir"' EXIT
bash "$primary_sh" start "$pdir" >/dev/null || { echo "FAIL: cannot start the primary"; exit 1; }
url=$(bash "$primary_sh" url "$pdir")

failures=0
pass() { echo "ok   - $1"; }
fail() { echo "FAIL - $1"; failures=$((failures + 1)); }

# Run SQL statements on the primary as ONE transaction (a Hrana pipeline
# BEGIN .. COMMIT); prints the rows of the last statement, '|'-separated.
ptx() {
  env -u LD_PRELOAD URL="$url" /usr/bin/python3 - "$@" <<'PY'
import json, os, sys, urllib.request
stmts = ["BEGIN"] + sys.argv[1:] + ["COMMIT"]
body = {"baton": None, "requests": [{"type": "execute", "stmt": {"sql": s}} for s in stmts]}
req = urllib.request.Request(os.environ["URL"] + "/v2/pipeline", data=json.dumps(body).encode(),
                             headers={"Content-Type": "application/json"})
out = json.load(urllib.request.urlopen(req, timeout=30))
for r in out["results"]:
    if r["type"] != "ok":
        sys.exit("primary refused: %s" % r)
rows = out["results"][-2]["response"]["result"]["rows"]
for row in rows:
    print("|".join("" if v["type"] == "null" else str(v["value"]) for v in row))
PY
}
lite() { env -u LD_PRELOAD sqlite3 "$@"; }

SUMMARY="SELECT count(DISTINCT ver), min(ver), count(*), sum(length(pad)) FROM t"

# (tursodb 0.6.0 has no recursive CTEs: spell the 200 rows out)
values=$(for i in $(seq 200); do printf '(1, randomblob(300)),'; done)
ptx "CREATE TABLE t(id INTEGER PRIMARY KEY, ver INTEGER NOT NULL, pad BLOB NOT NULL)" \
    "INSERT INTO t(ver, pad) VALUES ${values%,}" "SELECT count(*) FROM t" | grep -qx 200 ||
  { echo "FAIL: cannot create the table on the primary"; exit 1; }

ver=1
for step in journal-written pages-half-written pages-written journal-deleted before-meta; do
  db="$LSQ_TEST_TMP/crash-$step.db"
  dsn="crash_${step//-/_}"
  printf '[%s]\nDriver=libSQL\nDatabase=%s\nSyncUrl=%s\n\n' "$dsn" "$db" "$url" >> "$ODBCINI"

  echo "SELECT count(*) FROM t" | isql -b "$dsn" > "$LSQ_TEST_TMP/boot.out" 2>&1
  [ -f "$db" ] || { fail "$step: bootstrap did not create $db"; cat "$LSQ_TEST_TMP/boot.out"; continue; }
  old=$(lite "$db" "$SUMMARY")

  ver=$((ver + 1))
  new=$(ptx "UPDATE t SET ver = $ver, pad = randomblob(300)" \
            "INSERT INTO t(ver, pad) SELECT $ver, randomblob(300) FROM t LIMIT 40" \
            "$SUMMARY")
  [ -n "$new" ] && [ "$new" != "$old" ] || { fail "$step: primary transaction failed ('$old' -> '$new')"; continue; }

  echo "SELECT 1" | LSQ_CRASH_AT=$step isql -b "$dsn" > "$LSQ_TEST_TMP/crash.out" 2>&1
  code=$?
  if [ "$code" -eq 99 ]; then pass "$step: the sync died at the kill point (exit 99)"
  else fail "$step: expected exit 99, got $code"; sed 's/^/    | /' "$LSQ_TEST_TMP/crash.out"; fi

  ic=$(lite "$db" "PRAGMA integrity_check" 2>&1)
  [ "$ic" = "ok" ] && pass "$step: integrity_check ok" || fail "$step: integrity_check says: $ic"
  got=$(lite "$db" "$SUMMARY" 2>&1)
  if [ "$got" = "$old" ] || [ "$got" = "$new" ]; then
    pass "$step: one whole revision ($( [ "$got" = "$old" ] && echo old || echo new))"
  else
    fail "$step: mixed content: got '$got', old '$old', new '$new'"
  fi
  [ -e "$db-journal" ] && fail "$step: hot journal left after the sqlite3 shell opened the file"

  printf '%s\n' "$SUMMARY" "PRAGMA libsql_state" | isql -b -d'|' "$dsn" > "$LSQ_TEST_TMP/after.out" 2>&1
  if grep -qx -- "$new" "$LSQ_TEST_TMP/after.out"; then pass "$step: next connect converges to the primary"
  else fail "$step: after reconnect expected '$new'"; sed 's/^/    | /' "$LSQ_TEST_TMP/after.out"; fi
  ic=$(lite "$db" "PRAGMA integrity_check" 2>&1)
  [ "$ic" = "ok" ] && pass "$step: integrity_check ok after convergence" || fail "$step: integrity_check after convergence: $ic"
done

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"
