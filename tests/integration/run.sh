#!/usr/bin/env bash
# Run one integration test against the freshly built driver through unixODBC.
#
# Sets up a private ODBCSYSINI/ODBCINI in a temp dir that registers the build's
# libsqlodbc.so as driver "libSQL" (and Debian's SQLite ODBC driver as
# "SQLite3" when installed), exports LSQ_TEST_TMP (scratch dir, removed after)
# and runs the test: *.py with Debian's python3 (pyodbc lives there), *.sh with
# bash, anything else is executed. Under LSQ_SANITIZE=ON the driver is built
# with ASan/UBSan, so the runtime is preloaded into the host program.
set -euo pipefail
test_path=$1; shift
: "${LSQ_BUILD_DIR:?LSQ_BUILD_DIR must name the build directory}"
: "${LSQ_SOURCE_DIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
driver="$LSQ_BUILD_DIR/libsqlodbc.so"
[ -f "$driver" ] || { echo "FAIL: driver not built: $driver" >&2; exit 1; }

tmp=$(mktemp -d /tmp/lsq-it.XXXXXX)
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
export LSQ_TEST_TMP="$tmp" LSQ_DRIVER="$driver" LSQ_BUILD_DIR LSQ_SOURCE_DIR
export ODBCSYSINI="$tmp" ODBCINSTINI=odbcinst.ini ODBCINI="$tmp/odbc.ini" HOME="$tmp"
{
  echo "[libSQL]"
  echo "Description=libSQL / Turso ODBC driver (build under test)"
  echo "Driver=$driver"
  echo "Threading=0"
  echo "UsageCount=1"
  sqliteodbc=/usr/lib/x86_64-linux-gnu/odbc/libsqlite3odbc.so
  if [ -f "$sqliteodbc" ]; then
    echo
    echo "[SQLite3]"
    echo "Driver=$sqliteodbc"
    echo "Threading=0"
  fi
} > "$tmp/odbcinst.ini"
: > "$tmp/odbc.ini"

if [ "${LSQ_SANITIZE:-OFF}" = "ON" ]; then
  export LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
  # Host programs (python, isql) are not ours: their own leaks are not reported.
  export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:halt_on_error=1:${ASAN_OPTIONS:-}"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
fi

# Not exec: the EXIT trap must run to remove the scratch dir.
status=0
case "$test_path" in
  *.py) /usr/bin/python3 "$test_path" "$@" || status=$? ;;
  *.sh) bash "$test_path" "$@" || status=$? ;;
  *) "$test_path" "$@" || status=$? ;;
esac
exit $status
