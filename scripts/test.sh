#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this):
#   1. dependencies (scripts/deps.sh)
#   2. a build with AddressSanitizer + UndefinedBehaviorSanitizer
#   3. every unit, integration and core test through ctest on that build
#   4. each libFuzzer target for a bounded time (FUZZ_SECONDS, default 25: four targets, well inside the CI budget)
#   5. the tests labelled "tsan" again on a ThreadSanitizer build
#   6. the reliability figures every test wrote to its report dir
# Exit status is non-zero when anything failed.
#   scripts/test.sh --soak   the long mode: LSQ_SOAK=1 makes the reliability
#                            tests run for minutes instead of seconds.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = "--soak" ]; then export LSQ_SOAK=1; shift; fi
"$here/scripts/deps.sh"

build=${BUILD_SAN:-$here/build-asan}
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DLSQ_SANITIZE=ON >/dev/null
cmake --build "$build" -j"$(nproc)"

status=0
rm -rf "$build/reports" && mkdir -p "$build/reports"
log=$(mktemp)
(cd "$build" && ctest --output-on-failure -j2 --timeout 600) 2>&1 | tee "$log" || true
ctest_total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
ctest_failed=$(sed -n 's/.*, \([0-9]*\) tests failed out of.*/\1/p' "$log" | tail -1)
if [ -z "$ctest_total" ]; then echo "FAIL: ctest did not run"; ctest_total=0; ctest_failed=1; fi
[ "$ctest_failed" = 0 ] || status=1
rm -f "$log"
fuzz_passed=0 fuzz_failed=0

fuzz_build=${BUILD_FUZZ:-$here/build-fuzz}
if ls "$here"/tests/fuzz/fuzz_*.c >/dev/null 2>&1; then
  CC=clang cmake -S "$here" -B "$fuzz_build" -DLSQ_FUZZ=ON -DLSQ_SANITIZE=ON -DLSQ_TESTS=ON \
      -DLSQ_BENCH=OFF >/dev/null
  for src in "$here"/tests/fuzz/fuzz_*.c; do
    name=$(basename "$src" .c)
    cmake --build "$fuzz_build" --target "$name" -j"$(nproc)" >/dev/null
    corpus="$here/tests/fuzz/corpus_${name#fuzz_}"
    work=$(mktemp -d)
    [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
    echo "fuzz: $name for ${FUZZ_SECONDS:-25}s"
    if ! "$fuzz_build/tests/$name" -max_total_time="${FUZZ_SECONDS:-25}" -rss_limit_mb=2048 \
        -print_final_stats=0 "$work" >"$work.log" 2>&1; then
      echo "FAIL: fuzzer $name found a crash:"; tail -40 "$work.log"; status=1
      fuzz_failed=$((fuzz_failed + 1))
    else
      fuzz_passed=$((fuzz_passed + 1))
    fi
    rm -rf "$work" "$work.log"
  done
fi

# ThreadSanitizer: the concurrency tests (label "tsan") on their own build.
tsan_build=${BUILD_TSAN:-$here/build-tsan}
tsan_passed=0 tsan_failed=0
cmake -S "$here" -B "$tsan_build" -DCMAKE_BUILD_TYPE=Debug -DLSQ_TSAN=ON -DLSQ_BENCH=OFF >/dev/null
# Only what the tsan tests run: the driver library (run.sh insists on it,
# and script tests load it), the CLI, and the rel_tsan_* programs. The unit
# tests, other programs and the setup library are not built a second time.
tsan_targets="sqlodbc libsql-odbc"
for src in "$here"/tests/reliability/rel_tsan_*.c; do
  [ -f "$src" ] && tsan_targets="$tsan_targets $(basename "$src" .c)"
done
# shellcheck disable=SC2086 # one word per target
cmake --build "$tsan_build" -j"$(nproc)" --target $tsan_targets >/dev/null
rm -rf "$tsan_build/reports" && mkdir -p "$tsan_build/reports"
tlog=$(mktemp)
(cd "$tsan_build" && ctest --output-on-failure -L tsan --timeout 900) 2>&1 | tee "$tlog" || true
tsan_total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$tlog" | tail -1)
tsan_failed=$(sed -n 's/.*, \([0-9]*\) tests failed out of.*/\1/p' "$tlog" | tail -1)
if [ -z "$tsan_total" ] || [ "$tsan_total" = 0 ]; then
  echo "FAIL: no ThreadSanitizer test ran"; tsan_total=1; tsan_failed=1
fi
[ "$tsan_failed" = 0 ] || status=1
tsan_passed=$((tsan_total - tsan_failed))
rm -f "$tlog"

# The figures the reliability tests wrote (faults injected, writes lost,
# duplicates, crashes survived, memory growth ...).
echo
echo "==== reliability figures ===="
for dir in "$build/reports" "$tsan_build/reports"; do
  for f in "$dir"/*.txt; do
    [ -f "$f" ] || continue
    echo "-- $(basename "$f" .txt)$([ "$dir" = "$tsan_build/reports" ] && echo ' (ThreadSanitizer)')"
    cat "$f"
  done
done
echo
echo "suite: $((ctest_total - ctest_failed + fuzz_passed + tsan_passed)) passed, $((ctest_failed + fuzz_failed + tsan_failed)) failed"
exit $status
