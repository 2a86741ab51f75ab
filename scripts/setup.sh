#!/usr/bin/env bash
# One command from a fresh Debian machine (as root) to a working driver:
# install dependencies, build, register the driver with unixODBC as "libSQL",
# then run the demo (scripts/demo.sh) against a local primary it starts.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/deps.sh"
cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build" -j"$(nproc)"
"$here/odbcinst/register.sh" "$here/build/libsqlodbc.so"
exec "$here/scripts/demo.sh"
