#!/usr/bin/env bash
# register.sh — register the libSQL ODBC driver with unixODBC.
#
#   register.sh /path/to/libsqlodbc.so [/path/to/libsqlodbcS.so]
#
# Fills odbcinst.ini.in and installs the [libSQL] section with
# `odbcinst -i -d`. Re-running replaces the section (it is removed first),
# so the usage count does not creep up. The setup library defaults to
# libsqlodbcS.so next to the driver and is left out when it does not exist.
# Honours ODBCSYSINI / ODBCINSTINI like every unixODBC tool.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 /path/to/libsqlodbc.so [/path/to/libsqlodbcS.so]" >&2; exit 2; }
command -v odbcinst >/dev/null || { echo "$0: odbcinst not found (apt-get install unixodbc)" >&2; exit 1; }

driver=$(readlink -f "$1")
[ -f "$driver" ] || { echo "$0: driver library not found: $1" >&2; exit 1; }
setup=${2:-$(dirname "$driver")/libsqlodbcS.so}

tmpl="$here/odbcinst.ini.in"
ini=$(mktemp)
trap 'rm -f "$ini"' EXIT
if [ -f "$setup" ]; then
  sed -e "s|@DRIVER_PATH@|$driver|" -e "s|@SETUP_PATH@|$(readlink -f "$setup")|" "$tmpl" > "$ini"
else
  sed -e "s|@DRIVER_PATH@|$driver|" -e '/@SETUP_PATH@/d' "$tmpl" > "$ini"
fi

# Remove any earlier registration so re-running is idempotent. `odbcinst -u`
# only decrements UsageCount, so repeat (bounded) until the section is gone.
for _ in 1 2 3 4 5 6 7 8 9 10; do
  odbcinst -q -d -n libSQL >/dev/null 2>&1 || break
  odbcinst -u -d -n libSQL >/dev/null 2>&1 || break
done
odbcinst -i -d -f "$ini"
echo "registered driver 'libSQL' -> $driver"
odbcinst -q -d -n libSQL
