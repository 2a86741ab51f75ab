#!/usr/bin/env bash
# The demo scripts/setup.sh ends with: a real libSQL primary on loopback
# (the Turso sync server from npm), an embedded replica of it through the
# driver, and isql doing what a user does — read from the replica, write
# through it to the primary, read the write back, ask for a sync, look at
# the replica's state. Uses a private odbc.ini; changes nothing else.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/libsql-odbc-demo.XXXXXX)
primary="$here/tests/node/primary.sh"
cleanup() { "$primary" stop "$work" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Starting a local primary (tursodb --sync-server)"
"$primary" start "$work" >/dev/null
url=$("$primary" url "$work")
echo "primary at $url"
"$primary" sql "$work" "CREATE TABLE products(id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL)" >/dev/null
"$primary" sql "$work" "INSERT INTO products(name, price) VALUES ('espresso', 2.5), ('cortado', 3.1), ('flat white', 3.4)" >/dev/null

export ODBCINI="$work/odbc.ini"
cat > "$ODBCINI" <<INI
[demo]
Driver       = libSQL
Description  = embedded replica of the demo primary
Database     = $work/replica.db
SyncUrl      = $url
SyncInterval = 0
INI
step "DSN 'demo' (a private odbc.ini at $ODBCINI)"
cat "$ODBCINI"

step "isql: the first connect bootstraps the replica, SELECTs are answered locally"
echo "SELECT id, name, price FROM products ORDER BY id" | isql -v -b demo

step "isql: a write goes to the primary; the next read sees it (read-your-writes)"
printf "INSERT INTO products(name, price) VALUES ('mocha', 3.9)\nSELECT id, name, price FROM products ORDER BY id\n" | isql -v -b demo

step "The primary has the row too"
"$primary" sql "$work" "SELECT count(*) FROM products" | /usr/bin/python3 -c \
  'import json,sys; r=json.load(sys.stdin)["results"][0]["response"]["result"]["rows"][0][0]; print("rows on the primary:", r["value"])'

step "A change made elsewhere arrives: every connect syncs once, and PRAGMA libsql_sync pulls on demand"
"$primary" sql "$work" "UPDATE products SET price = price + 0.1" >/dev/null
printf "PRAGMA libsql_sync\nSELECT name, price FROM products ORDER BY id\nPRAGMA libsql_state\n" | isql -v -b demo

step "The replica is a plain SQLite file in rollback-journal mode"
sqlite3 "$work/replica.db" "PRAGMA integrity_check; PRAGMA journal_mode; SELECT count(*) FROM products;"
echo
echo "Demo done. Add your own DSN to /etc/odbc.ini or ~/.odbc.ini (see odbcinst/odbc.ini.example)."
