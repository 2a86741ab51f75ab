#!/usr/bin/env bash
# Install what the build, the tests and the demo need, from Debian's packages
# and (for the real primary) the npm registry, pinned by tests/node's lockfile.
# Idempotent: does nothing for what is already there.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
packages=(build-essential cmake pkg-config clang libclang-rt-14-dev
          libsqlite3-dev sqlite3 unixodbc unixodbc-dev odbcinst
          libcurl4-openssl-dev libcjson-dev libssl-dev libcmocka-dev
          python3 python3-pyodbc libsqliteodbc nginx-light openssl curl nodejs npm)
# The real clients of tests/integration/test_clients.sh (tests/clients/packages.txt).
packages+=(python3-pandas libdbd-odbc-perl php-cli php-odbc python3-pyqt5.qtsql libqt5sql5-odbc)
# Packaging: .deb/.rpm builds and the install test in a debootstrap chroot.
packages+=(debootstrap rpm file)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs/npm may come from outside Debian on a developer machine: accept any node/npm.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The real primary (tursodb) and independent clients, at the versions pinned
# in tests/node/package-lock.json. `npm install --no-save` honours the lock
# without rewriting it; `npm ci` refuses this lock because npm leaves the
# other platforms' optional binaries out of it.
if [ -f "$here/tests/node/package-lock.json" ]; then
  if [ ! -d "$here/tests/node/node_modules" ] || [ "$here/tests/node/package-lock.json" -nt "$here/tests/node/node_modules/.package-lock.json" ]; then
    echo "deps: npm install (pinned by package-lock.json) in tests/node"
    (cd "$here/tests/node" && npm install --no-save --no-audit --no-fund --loglevel=error)
  fi
fi
