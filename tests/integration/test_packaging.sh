#!/usr/bin/env bash
# test_packaging.sh — the .deb installs into a clean Debian and just works.
#
# What it proves (issue 6): packaging/build.sh makes libsql-odbc_<v>_amd64.deb
# (and the .rpm) with the right files and dependencies; `apt-get install
# ./file.deb` on a fresh Debian 12 registers the driver so that isql works with
# a new DSN (local file, Create=1: create/insert/select) with no further step;
# the setup library answers ODBCINSTGetProperties with every DSN key (through
# libodbcinst's ODBCINSTConstructProperties, the path ODBCConfig takes) and
# ConfigDSN writes a DSN; reinstalling keeps UsageCount at 1; `apt-get remove`
# unregisters the driver.
#
# Clean root: a debootstrap chroot (bookworm, minbase), not `dpkg --root`.
# dpkg --root runs maintainer scripts with the HOST's odbcinst and
# /etc/odbcinst.ini, and resolves no dependencies, so it would prove neither
# that the Depends line is complete nor that postinst registers the driver in
# the target system. The chroot is made once and cached as a tarball under
# the build dir (BUILD/pkg-chroot/; ~3 minutes the first time, with the
# dependency .debs pre-downloaded into its apt cache so later runs need no
# network); every run unpacks a fresh copy (a few seconds) and deletes it.
# Needs root (chroot, mount /proc) and debootstrap; fails loudly without them.
# Env: LSQ_DEBIAN_MIRROR overrides the mirror (default: the host's apt mirror);
# LSQ_PKG_CACHE names another cache dir (to share one between build dirs).
set -uo pipefail
# run.sh preloads the ASan runtime for sanitizer builds; it must not leak into
# gcc, cmake, dpkg or the chroot (where that runtime does not exist).
unset LD_PRELOAD
: "${LSQ_BUILD_DIR:?run through tests/integration/run.sh}"
src=${LSQ_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=$LSQ_BUILD_DIR
tmp=${LSQ_TEST_TMP:-$(mktemp -d /tmp/lsq-pkg.XXXXXX)}
sanitize=${LSQ_SANITIZE:-OFF}

passed=0
failed=0
ok() { echo "ok   - $1"; passed=$((passed + 1)); }
bad() { echo "FAIL - $1"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; }
fatal() { bad "$1"; finish; exit 1; }

[ "$(id -u)" = 0 ] || fatal "needs root (chroot and mount /proc): run as root"
command -v debootstrap >/dev/null || fatal "debootstrap not installed (apt-get install debootstrap)"
command -v gcc >/dev/null || fatal "gcc not found"

root=$tmp/root
base_pid=
# Stop a process and everything it started (by pid, children first found).
kill_tree() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$child"; done
  kill "$1" 2>/dev/null
}
cleanup() {
  # A debootstrap still running in the background (test stopped early); its
  # half-made stage dir is discarded by the next run.
  [ -n "$base_pid" ] && kill_tree "$base_pid"
  if mountpoint -q "$root/proc" 2>/dev/null; then
    umount "$root/proc" || umount -l "$root/proc"
  fi
  # Never delete through a mount that is still there.
  if [ -d "$root" ] && ! mountpoint -q "$root/proc" 2>/dev/null; then
    rm -rf "$root"
  fi
  # run.sh execs the test, so its own cleanup never runs: drop the scratch
  # dir here, but keep it (logs) when something failed.
  if [ "$failed" -eq 0 ] && [ -n "${LSQ_TEST_TMP:-}" ] && [ -d "$tmp" ] && ! mountpoint -q "$root/proc" 2>/dev/null; then
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

version=$(sed -n 's/^project([a-z_]* VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$version" ] || fatal "cannot read the project version from CMakeLists.txt"

# ---------- 0. the cached clean Debian root (made in the background) ------
mirror=${LSQ_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs: *\(http[^ ]*\/debian\)\/*$/\1/p' | head -1)
fi
if [ -z "$mirror" ]; then
  mirror=$(sed -n 's/^deb \(\[[^]]*\] \)\?\(http[^ ]*\/debian\)\/* bookworm .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -1)
fi
mirror=${mirror:-http://deb.debian.org/debian}
cache=${LSQ_PKG_CACHE:-$build/pkg-chroot}
base=$cache/bookworm-minbase.tar
mkdir -p "$cache"

inroot() {
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
      DEBIAN_FRONTEND=noninteractive chroot "$root" "$@"
}

make_base() {
  local stage=$cache/stage
  rm -rf "$stage"
  echo "# debootstrap --variant=minbase bookworm from $mirror (once; cached in $base)"
  local t0=$SECONDS
  debootstrap --variant=minbase bookworm "$stage" "$mirror" > "$cache/debootstrap.log" 2>&1 \
    || { tail -20 "$cache/debootstrap.log"; return 1; }
  cp /etc/resolv.conf "$stage/etc/resolv.conf"
  # Pre-download (not install) what the package and isql need, so each run
  # installs offline from the apt cache; the root itself stays clean.
  local r=$root; root=$stage
  inroot apt-get update -q > "$cache/apt.log" 2>&1 \
    && inroot apt-get install -y -q --download-only unixodbc odbcinst libodbc2 libodbcinst2 \
         libsqlite3-0 libcurl4 libcjson1 libssl3 >> "$cache/apt.log" 2>&1
  local rc=$?
  root=$r
  [ $rc -eq 0 ] || { tail -20 "$cache/apt.log"; return 1; }
  tar -C "$stage" -cf "$base.part" . && mv "$base.part" "$base" && rm -rf "$stage"
  echo "# clean root cached in $((SECONDS - t0)) s"
}

# Made (once) while the packages build; waited for before section 4.
( flock 9; [ -f "$base" ] || make_base ) 9>"$cache/lock" >"$tmp/base.log" 2>&1 &
base_pid=$!

# ---------- 1. build the packages ------------------------------------------
echo "# building packages (packaging/build.sh)"
if ! out=$("$src/packaging/build.sh" "$build" 2>"$tmp/build.log"); then
  tail -40 "$tmp/build.log"
  fatal "packaging/build.sh failed"
fi
deb=$(grep '\.deb$' <<<"$out" | head -1)
rpm=$(grep '\.rpm$' <<<"$out" | head -1)
[ -f "$deb" ] || fatal "no .deb produced (build.sh printed: $out)"
check "deb is named libsql-odbc_${version}_amd64.deb" \
  test "$(basename "$deb")" = "libsql-odbc_${version}_amd64.deb"

contents=$(dpkg-deb -c "$deb" | awk '{print $NF}')
for f in ./usr/lib/x86_64-linux-gnu/odbc/libsqlodbc.so ./usr/lib/x86_64-linux-gnu/odbc/libsqlodbcS.so \
         ./usr/share/libsql-odbc/odbcinst.ini ./usr/share/libsql-odbc/odbc.ini.example \
         ./usr/share/libsql-odbc/register.sh ./usr/share/man/man7/libsql-odbc.7.gz \
         ./usr/share/doc/libsql-odbc/README.md; do
  check "deb contains $f" grep -qx -- "$f" <<<"$contents"
done
if [ -f "$src/tools/libsql-odbc.c" ]; then
  check "deb contains the CLI and its man page" \
    bash -c 'grep -qx ./usr/bin/libsql-odbc <<<"$1" && grep -qx ./usr/share/man/man1/libsql-odbc.1.gz <<<"$1"' _ "$contents"
fi
depends=$(dpkg-deb -f "$deb" Depends)
for d in libsqlite3-0 libodbc2 libodbcinst2 odbcinst libcurl4 libcjson1 libssl3; do
  check "Depends names $d" grep -qw -- "$d" <<<"$depends"
done
mkdir -p "$tmp/debx"
dpkg-deb -x "$deb" "$tmp/debx"
check "packaged driver is not sanitizer-instrumented" \
  bash -c '! readelf -d "$1" | grep -q "libasan\|libubsan"' _ "$tmp/debx/usr/lib/x86_64-linux-gnu/odbc/libsqlodbc.so"
check "packaged driver template names the installed paths" \
  grep -qx "Driver=/usr/lib/x86_64-linux-gnu/odbc/libsqlodbc.so" "$tmp/debx/usr/share/libsql-odbc/odbcinst.ini"
if [ -n "$rpm" ] && [ -f "$rpm" ]; then
  check "rpm is named libsql-odbc-${version}-1.x86_64.rpm" test "$(basename "$rpm")" = "libsql-odbc-${version}-1.x86_64.rpm"
  check "rpm contains the driver and the setup library" \
    bash -c 'l=$(rpm -qpl "$1" 2>/dev/null); grep -q "/odbc/libsqlodbc.so$" <<<"$l" && grep -q "/odbc/libsqlodbcS.so$" <<<"$l"' _ "$rpm"
  check "rpm has install/uninstall scriptlets" \
    bash -c 'rpm -qp --scripts "$1" 2>/dev/null | grep -q "odbcinst -i -d"' _ "$rpm"
else
  bad "no .rpm produced (rpmbuild missing? apt-get install rpm)"
fi

# ---------- 2. a helper that lists the setup library's properties ----------
# props DRIVER: ODBCINSTConstructProperties (libodbcinst loads the Setup=
# library named in odbcinst.ini and calls its ODBCINSTGetProperties), one line
# per key: name|prompt type|default|choices|help.
# configdsn K=V...: SQLConfigDataSource(ODBC_ADD_DSN, "libSQL") -> ConfigDSN.
cat > "$tmp/lsq_props.c" <<'EOF'
#include <odbcinstext.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "props")) {
        HODBCINSTPROPERTY head = NULL;
        if (ODBCINSTConstructProperties(argv[2], &head) != ODBCINST_SUCCESS || !head) {
            fprintf(stderr, "ODBCINSTConstructProperties(%s) failed\n", argv[2]);
            return 1;
        }
        for (HODBCINSTPROPERTY p = head; p; p = p->pNext) {
            printf("%s|%d|%s|", p->szName, p->nPromptType, p->szValue);
            for (char **c = p->aPromptData; c && *c; c++)
                printf("%s%s", c == p->aPromptData ? "" : ",", *c);
            printf("|%s\n", p->pszHelp ? p->pszHelp : "");
        }
        ODBCINSTDestructProperties(&head);
        return 0;
    }
    if (argc >= 3 && !strcmp(argv[1], "configdsn")) {
        size_t len = 1;
        for (int i = 2; i < argc; i++)
            len += strlen(argv[i]) + 1;
        char *attrs = calloc(len, 1), *w = attrs;
        for (int i = 2; i < argc; i++) {
            strcpy(w, argv[i]);
            w += strlen(argv[i]) + 1;
        }
        int ok = SQLConfigDataSource(NULL, ODBC_ADD_SYS_DSN, "libSQL", attrs);
        free(attrs);
        if (!ok) {
            DWORD code = 0; char msg[512] = ""; WORD n = 0;
            SQLInstallerError(1, &code, msg, sizeof msg, &n);
            fprintf(stderr, "SQLConfigDataSource failed: %lu %s\n", (unsigned long)code, msg);
            return 1;
        }
        return 0;
    }
    fprintf(stderr, "usage: %s props DRIVER | configdsn K=V...\n", argv[0]);
    return 2;
}
EOF
gcc -O1 -o "$tmp/lsq_props" "$tmp/lsq_props.c" -lodbcinst || fatal "cannot compile the property lister"

all_keys="Database Create ReadOnly SyncUrl AuthToken AuthTokenFile AuthTokenEnv SyncInterval
ReadYourWrites Offline EncryptionKey Timeout ConnectTimeout RequestTimeout TlsCaFile TlsInsecure
MaxTextLength BigInt NoWCHAR LogFile LogLevel"

# check_props LISTING: every key once, with the right widget and a help text.
check_props() {
  local listing=$1 where=$2 missing="" k
  for k in $all_keys; do
    grep -q "^$k|[0-9]*|[^|]*|[^|]*|..*" <<<"$listing" || missing="$missing $k"
  done
  check "$where: every DSN key listed with help text${missing:+ (missing:$missing)}" test -z "$missing"
  check "$where: Database and TlsCaFile are file pickers" \
    bash -c 'grep -q "^Database|4|" <<<"$1" && grep -q "^TlsCaFile|4|" <<<"$1"' _ "$listing"
  check "$where: AuthToken and EncryptionKey are password fields" \
    bash -c 'grep -q "^AuthToken|6|" <<<"$1" && grep -q "^EncryptionKey|6|" <<<"$1"' _ "$listing"
  check "$where: booleans are list boxes 0/1 with defaults" \
    bash -c 'grep -q "^ReadYourWrites|2|1|0,1|" <<<"$1" && grep -q "^Create|2|0|0,1|" <<<"$1" && grep -q "^BigInt|2|1|0,1|" <<<"$1"' _ "$listing"
  check "$where: LogLevel offers error,warn,info,debug" \
    grep -q "^LogLevel|2||,error,warn,info,debug|" <<<"$listing"
  check "$where: Timeout default 5000, SyncInterval default 0" \
    bash -c 'grep -q "^Timeout|1|5000|" <<<"$1" && grep -q "^SyncInterval|1|0|" <<<"$1"' _ "$listing"
}

# ---------- 3. the setup library of this build, on the host ----------------
# Under a sanitizer build the lister is built with ASan too, with leak
# detection on: the properties the setup library allocates must all be
# released by ODBCINSTDestructProperties.
if [ -f "$build/libsqlodbcS.so" ]; then
  host=$tmp/host
  mkdir -p "$host"
  printf '[libSQL]\nDriver=%s\nSetup=%s\n' "$build/libsqlodbc.so" "$build/libsqlodbcS.so" > "$host/odbcinst.ini"
  : > "$host/odbc.ini"
  lister=$tmp/lsq_props
  if [ "$sanitize" = ON ]; then
    gcc -O1 -fsanitize=address,undefined -o "$tmp/lsq_props_asan" "$tmp/lsq_props.c" -lodbcinst \
      || fatal "cannot compile the ASan property lister"
    lister=$tmp/lsq_props_asan
  fi
  if listing=$(ODBCSYSINI=$host ODBCINSTINI=odbcinst.ini ODBCINI=$host/odbc.ini \
               ASAN_OPTIONS=detect_leaks=1 "$lister" props libSQL 2>"$tmp/props.err"); then
    ok "host: ODBCINSTConstructProperties loads the build's libsqlodbcS.so (sanitize=$sanitize)"
    check_props "$listing" "host"
  else
    cat "$tmp/props.err"
    bad "host: ODBCINSTConstructProperties with the build's setup library"
  fi
else
  bad "setup library not built: $build/libsqlodbcS.so"
fi

# register.sh (source installs): Setup line, and re-running replaces the
# section instead of raising the usage count.
if [ -f "$build/libsqlodbc.so" ]; then
  reg_dir=$tmp/register
  mkdir -p "$reg_dir"
  for _ in 1 2; do
    ODBCSYSINI=$reg_dir "$src/odbcinst/register.sh" "$build/libsqlodbc.so" >"$tmp/register.log" 2>&1 \
      || { cat "$tmp/register.log"; bad "register.sh exits 0"; }
  done
  check "register.sh twice: one [libSQL] with Setup= and UsageCount=1" \
    bash -c 'f="$1/odbcinst.ini"; [ "$(grep -c "^\[libSQL\]" "$f")" = 1 ] && grep -q "^Setup=.*libsqlodbcS.so" "$f" && grep -q "^UsageCount=1$" "$f"' _ "$reg_dir"
fi

# Man pages render without groff warnings.
for page in "$src"/man/*.[1-9]; do
  [ -f "$page" ] || { bad "no man pages in $src/man"; break; }
  warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
  check "man page $(basename "$page") renders without warnings${warn:+: $warn}" test -z "$warn"
done

# ---------- 4. a fresh copy of the clean root -------------------------------
wait "$base_pid"
base_rc=$?
base_pid=
cat "$tmp/base.log"
[ $base_rc -eq 0 ] && [ -f "$base" ] || fatal "cannot create the Debian root with debootstrap (see $cache/*.log)"

mkdir -p "$root"
tar -C "$root" -xf "$base" || fatal "cannot unpack $base"
mount -t proc proc "$root/proc" || fatal "cannot mount /proc in the chroot"
cp /etc/resolv.conf "$root/etc/resolv.conf"
check "clean root has no ODBC driver manager before the install" \
  bash -c '! test -e "$1/usr/bin/odbcinst" && ! test -e "$1/usr/bin/isql"' _ "$root"

# ---------- 5. apt-get install ./file.deb ------------------------------------
cp "$deb" "$root/tmp/"
debname=$(basename "$deb")
if inroot sh -c "cd /tmp && apt-get install -y -q ./$debname" > "$tmp/install.log" 2>&1; then
  ok "apt-get install ./$debname in the clean root"
else
  tail -30 "$tmp/install.log"
  fatal "apt-get install ./$debname failed"
fi
reg=$(inroot odbcinst -q -d -n libSQL 2>&1)
check "driver registered as [libSQL] by postinst" grep -qx '\[libSQL\]' <<<"$(inroot odbcinst -q -d)"
check "registration names the installed driver" \
  grep -q "^Driver *= */usr/lib/x86_64-linux-gnu/odbc/libsqlodbc.so" <<<"$reg"
check "registration names the setup library" \
  grep -q "^Setup *= */usr/lib/x86_64-linux-gnu/odbc/libsqlodbcS.so" <<<"$reg"
check "UsageCount is 1" grep -q "^UsageCount *= *1$" <<<"$reg"
check "man page installed" test -f "$root/usr/share/man/man7/libsql-odbc.7.gz"

# A new DSN, the way an admin adds one: odbcinst -i -s -l (system DSN).
cat > "$root/tmp/dsn.ini" <<'EOF'
[pkgtest]
Description=package test
Driver=libSQL
Database=/tmp/pkgtest.db
Create=1
EOF
check "odbcinst -i -s -l -f adds the DSN" inroot odbcinst -i -s -l -f /tmp/dsn.ini
isql_out=$(printf '%s\n' "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)" \
  "INSERT INTO t VALUES(1, 'one')" "INSERT INTO t VALUES(2, 'two')" \
  "SELECT a, b FROM t ORDER BY a" | inroot isql -b -d'|' pkgtest 2>&1)
echo "$isql_out" | sed 's/^/#   isql: /'
check "isql: create, insert, select through the installed driver" \
  bash -c 'grep -qx "1|one" <<<"$1" && grep -qx "2|two" <<<"$1" && ! grep -q "\[ISQL\]ERROR\|\[S1\|\[HY\|\[IM" <<<"$1"' _ "$isql_out"
check "the database file was created in the chroot" test -s "$root/tmp/pkgtest.db"
iusql_out=$(echo "SELECT b FROM t WHERE a = 2" | inroot iusql -b -d'|' pkgtest 2>&1)
check "iusql (Unicode API) reads the row back" grep -qx "two" <<<"$iusql_out"
if [ -f "$src/tools/libsql-odbc.c" ]; then
  cli_out=$(inroot libsql-odbc --json check pkgtest 2>&1)
  cli_rc=$?
  check "the packaged CLI runs: libsql-odbc --json check pkgtest exits 0 with ok:true (rc=$cli_rc)" \
    bash -c '[ "$2" = 0 ] && grep -q "\"ok\":[[:space:]]*true" <<<"$1"' _ "$cli_out" "$cli_rc"
fi

cp "$tmp/lsq_props" "$root/usr/local/bin/lsq_props"
if listing=$(inroot lsq_props props libSQL 2>&1); then
  ok "installed setup library answers ODBCINSTConstructProperties"
  check_props "$listing" "chroot"
else
  echo "$listing"
  bad "installed setup library answers ODBCINSTConstructProperties"
fi
check "ConfigDSN (SQLConfigDataSource ODBC_ADD_SYS_DSN) writes a DSN" \
  inroot lsq_props configdsn DSN=viaconfig Database=/tmp/cfg.db Create=1 ReadOnly=0
cfg=$(inroot odbcinst -q -s -n viaconfig 2>&1)
check "ConfigDSN wrote Driver and every attribute" \
  bash -c 'grep -q "^Driver *= *libSQL" <<<"$1" && grep -q "^Database *= */tmp/cfg.db" <<<"$1" && grep -q "^Create *= *1" <<<"$1"' _ "$cfg"
cfg_out=$(echo "SELECT 40 + 2" | inroot isql -b -d'|' viaconfig 2>&1)
check "isql works with the DSN ConfigDSN wrote" grep -qx "42" <<<"$cfg_out"

# Reinstall (what an upgrade to the same version does): still one usage.
inroot sh -c "cd /tmp && apt-get install -y -q --reinstall ./$debname" > "$tmp/reinstall.log" 2>&1 \
  || { tail -20 "$tmp/reinstall.log"; bad "apt-get install --reinstall"; }
check "reinstall keeps UsageCount at 1" grep -q "^UsageCount *= *1$" <<<"$(inroot odbcinst -q -d -n libSQL 2>&1)"

# ---------- 6. apt-get remove ------------------------------------------------
if inroot apt-get remove -y -q libsql-odbc > "$tmp/remove.log" 2>&1; then
  ok "apt-get remove libsql-odbc"
else
  tail -20 "$tmp/remove.log"
  bad "apt-get remove libsql-odbc"
fi
check "odbcinst -q -d no longer lists libSQL" \
  bash -c '! grep -q "^\[libSQL\]" <<<"$1"' _ "$(inroot odbcinst -q -d 2>&1)"
check "driver library removed" test ! -e "$root/usr/lib/x86_64-linux-gnu/odbc/libsqlodbc.so"
check "the user's DSNs are left in odbc.ini" grep -qx '\[pkgtest\]' <<<"$(inroot odbcinst -q -s 2>&1)"

# Install again, and register once more by hand (UsageCount 2): prerm's
# `odbcinst -u` only decrements, so postrm must drop the entry whose library
# is gone.
if inroot sh -c "cd /tmp && apt-get install -y -q ./$debname" > "$tmp/install2.log" 2>&1 \
   && inroot odbcinst -i -d -f /usr/share/libsql-odbc/odbcinst.ini >/dev/null 2>&1; then
  check "second install + manual registration: UsageCount is 2" \
    grep -q "^UsageCount *= *2$" <<<"$(inroot odbcinst -q -d -n libSQL 2>&1)"
  inroot apt-get remove -y -q libsql-odbc > "$tmp/remove2.log" 2>&1 || { tail -20 "$tmp/remove2.log"; bad "second apt-get remove"; }
  check "apt-get remove unregisters a driver also registered by hand" \
    bash -c '! grep -q "^\[libSQL\]" <<<"$1"' _ "$(inroot odbcinst -q -d 2>&1)"
else
  tail -20 "$tmp/install2.log"
  bad "second install and manual registration"
fi

finish
