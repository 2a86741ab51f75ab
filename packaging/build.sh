#!/usr/bin/env bash
# packaging/build.sh — build the .deb (and .rpm when rpmbuild exists).
#
#   packaging/build.sh BUILD_DIR
#
# Packages must not contain sanitizer-instrumented libraries (they only load
# into programs that preload the ASan runtime), nor test binaries. So when
# BUILD_DIR was configured with LSQ_SANITIZE=ON, or has no driver yet, a
# clean release build is made in BUILD_DIR/package-build and packaged from
# there; otherwise BUILD_DIR itself is packaged. Packages land in
# <packaged build dir>/packages/ and their paths are printed, one a line,
# on stdout (progress goes to stderr).
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
build=$(cd "$1" && pwd)
jobs=${LSQ_PACKAGE_JOBS:-2}

sanitized=OFF
if [ -f "$build/CMakeCache.txt" ]; then
  sanitized=$(sed -n 's/^LSQ_SANITIZE:BOOL=//p' "$build/CMakeCache.txt")
fi
if [ "$sanitized" = "ON" ] || [ ! -f "$build/CMakeCache.txt" ]; then
  pkg_build="$build/package-build"
  echo "packaging: release build in $pkg_build" >&2
  cmake -S "$src" -B "$pkg_build" -DCMAKE_BUILD_TYPE=Release -DLSQ_SANITIZE=OFF \
        -DLSQ_TESTS=OFF -DLSQ_BENCH=OFF -DLSQ_FUZZ=OFF >&2
else
  pkg_build="$build"
  cmake "$pkg_build" >&2   # re-run configure so new man pages/docs are picked up
fi
cmake --build "$pkg_build" -j"$jobs" >&2

rm -rf "$pkg_build/packages"
generators=DEB
if command -v rpmbuild >/dev/null; then
  generators="DEB;RPM"
else
  echo "packaging: rpmbuild not found (apt-get install rpm): building the .deb only" >&2
fi
(cd "$pkg_build" && cpack -G "$generators" >&2)
ls -1 "$pkg_build"/packages/*.deb "$pkg_build"/packages/*.rpm 2>/dev/null
