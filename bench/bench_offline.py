#!/usr/bin/python3
"""bench_offline.py — Offline=1 writes (issue 8: "return at local speed").

In one script, against one tursodb primary it starts (tests/node/primary.sh):
  raw      Python's sqlite3 module, autocommit INSERTs into a copy of the
           replica file (journal_mode=DELETE, synchronous=FULL, as the
           replica) — the baseline;
  offline  the same INSERTs through this driver (pyodbc) with Offline=1:
           each is a local transaction that also records its change set;
  online   the same INSERTs forwarded to the primary (Offline=0), for scale;
  push     one PRAGMA libsql_sync pushing every offline transaction.
Prints seconds, rows/s and the ratios offline/raw and online/offline.

  BUILD=build bench/bench_offline.sh [rows]     (run through run.sh)
"""
import os
import shutil
import sqlite3
import sys
import time

sys.path.insert(0, os.path.join(os.environ["LSQ_SOURCE_DIR"], "tests", "integration"))
from lsqtest import TMP, Primary, pyodbc  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1000


def conn(db, url, offline):
    return pyodbc.connect("DRIVER=libSQL;Database=%s;SyncUrl=%s;Offline=%d" % (db, url, offline),
                          autocommit=True)


def timed_inserts(cur, sql, start):
    t = time.perf_counter()
    for i in range(start, start + ROWS):
        cur.execute(sql, (i, "payload %d" % i))
    return time.perf_counter() - t


def main():
    p = Primary("bench-offline")
    try:
        p.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
        off_db = os.path.join(TMP, "offline.db")
        c = conn(off_db, p.url, 1)
        c.close()
        raw_db = os.path.join(TMP, "raw.db")
        shutil.copy(off_db, raw_db)
        raw = sqlite3.connect(raw_db, isolation_level=None)
        raw.execute("PRAGMA synchronous=FULL")
        t_raw = timed_inserts(raw.cursor(), "INSERT INTO t VALUES (?, ?)", 1)
        raw.close()

        c = conn(off_db, p.url, 1)
        t_off = timed_inserts(c.cursor(), "INSERT INTO t VALUES (?, ?)", 1)
        t = time.perf_counter()
        c.cursor().execute("PRAGMA libsql_sync").fetchall()
        t_push = time.perf_counter() - t
        c.close()
        pushed = p.count("SELECT count(*) FROM t")
        if pushed != ROWS:
            raise SystemExit("FAIL: %d rows on the primary after the push, expected %d"
                             % (pushed, ROWS))

        on = conn(os.path.join(TMP, "online.db"), p.url, 0)
        t_on = timed_inserts(on.cursor(), "INSERT INTO t VALUES (?, ?)", ROWS + 1)
        on.close()
    finally:
        p.stop()
    print("%d autocommit single-row INSERTs (best of 1; one primary, same script)" % ROWS)
    print("%-44s %8.3f s %9.0f rows/s" % ("raw sqlite3 (python), synchronous=FULL", t_raw,
                                          ROWS / t_raw))
    print("%-44s %8.3f s %9.0f rows/s" % ("libsql-odbc Offline=1 (pyodbc)", t_off, ROWS / t_off))
    print("%-44s %8.3f s %9.0f rows/s" % ("libsql-odbc Offline=0, forwarded (pyodbc)", t_on,
                                          ROWS / t_on))
    print("%-44s %8.3f s (%d transactions, one sync)" % ("push of the offline writes", t_push,
                                                          ROWS))
    print("offline / raw: %.2fx    forwarded / offline: %.1fx" % (t_off / t_raw, t_on / t_off))


main()
