#!/usr/bin/env bash
# isql_client.sh — unixODBC's shells as clients: `isql` (ANSI API) or `iusql`
# (wide API), chosen by $1. Reads the three seeded rows of $LSQ_CLIENT_TABLE,
# inserts row 4 and reads it back, all in one batch session on DSN
# $LSQ_CLIENT_DSN; the delimited output lines are compared exactly.
# Run by tests/integration/test_clients.sh.
set -u
shell=${1:?usage: isql_client.sh isql|iusql}
dsn=${LSQ_CLIENT_DSN:?set by test_clients.sh}
t=${LSQ_CLIENT_TABLE:?set by test_clients.sh}

failures=0
check() { # check WHAT EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "ok   - $1"; else
    echo "FAIL - $1"; echo "       expected: $2"; echo "       got:      $3"; failures=$((failures + 1)); fi
}

# printf() in the SELECT pins the REAL formatting: the subject here is the
# client round trip, not how a double is rendered as text (tested elsewhere).
cols="id, name, qty, printf('%.2f', price)"
# iusql (unixODBC 2.3.11) turns its input bytes into SQLWCHARs by sign
# extension (0xC3 -> U+FFC3) and narrows results by truncation to one byte,
# so it cannot send non-ASCII text and shows U+00EB as the single byte 0xEB.
# It therefore writes an ASCII name, and the seeded "Zoë" is expected as
# "Zo\xEB": exactly what iusql prints when the driver returns U+00EB.
if [ "$shell" = iusql ]; then
  new_name='delta u'; zoe=$'Zo\xeb'
  # iusql also strncpy()s a buffer onto itself; not the driver's bug. The
  # sanitizer's notes about this option go to stderr, kept apart below.
  asan="${ASAN_OPTIONS:-}:replace_str=0"
else
  new_name='delta ü'; zoe='Zoë'; asan="${ASAN_OPTIONS:-}"
fi
err="${LSQ_TEST_TMP:-${TMPDIR:-/tmp}}/isql_client.$$.err"
out=$(printf '%s\n' \
  "SELECT $cols FROM $t ORDER BY id" \
  "INSERT INTO $t(id, name, qty, price) VALUES (4, '$new_name', 40, 4.75)" \
  "SELECT $cols FROM $t WHERE id = 4" \
  "SELECT count(*) FROM $t" \
  | ASAN_OPTIONS="$asan" "$shell" -b -v "$dsn" 2>"$err")
rc=$?
# The table format, not -d: iusql's delimited mode narrows each wide char to
# one byte and would mangle non-ASCII text on its own.
echo "$out" | sed 's/^/    > /'
grep -v 'WARNING: .* interceptors\? \(is\|are\) enabled' "$err" | sed 's/^/    stderr> /'
stderr=$(cat "$err"); rm -f "$err"
check "$shell exits 0" 0 "$rc"
# Data lines are "| 1 | alpha | ... |"; the header starts with a letter.
rows=$(echo "$out" | grep -aE '^\| *-?[0-9]' |
       sed -E 's/^\| *//; s/ *\| *$//; s/ *\| */|/g' | tr '\n' ';')
check "seeded rows, written row, count" \
  "1|alpha|10|1.50;2|beta|20|2.25;3|$zoe|30|-3.00;4|$new_name|40|4.75;4;" "$rows"
check "insert reports one row" 1 "$(echo "$out" | grep -c '^SQLRowCount returns 1$')"
errors=$(printf '%s\n%s\n' "$out" "$stderr" | grep -aE '^\[[0-9A-Z]{5}\]|^\[(libSQL|unixODBC)\]' | head -3)
check "no diagnostics" "" "$errors"
[ "$failures" -eq 0 ]
