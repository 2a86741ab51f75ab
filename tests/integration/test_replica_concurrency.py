#!/usr/bin/python3
"""test_replica_concurrency.py — the atomicity guarantee of the replica,
with a REAL primary (tursodb, tests/node/primary.sh).

A writer thread keeps committing transfers on the primary, each one Hrana
pipeline BEGIN .. COMMIT that moves an amount between two accounts (rows on
different pages), appends an audit row and bumps a counter, so every
revision of the primary satisfies
    sum(bal) = ACCOUNTS * 1000   and   counter.n = count(audit)
(and a torn apply — some pages of a revision, not others — breaks it).

Meanwhile this process syncs the replica hundreds of times (PRAGMA
libsql_sync, bounded by MAX_SYNCS / MAX_SECONDS), several reader threads
(each with its own ODBC connection to the same file, so they share one
replica) check the invariant with one statement per read, and a second
process runs Debian's sqlite3 shell in a loop on the same file checking it
too. Passing means: zero violations in any reader, no reader errors, enough
syncs that moved the replica, integrity_check ok, and the final content
equal to the primary's.

Run by tests/integration/run.sh. Prints "N passed, M failed"; exits non-zero
on failure. The primary is stopped in tearDown whatever happens.
"""
import os
import subprocess
import sys
import threading
import time
import unittest

from lsqtest import CLEAN_ENV, TMP, Bank, Primary, pyodbc, unittest_main

MAX_SYNCS = 300
MAX_SECONDS = 45
READERS = 3
CHECK_SQL = Bank.CHECK_SQL


class Atomicity(unittest.TestCase):
    def setUp(self):
        self.primary = Primary("primary-conc")

    def tearDown(self):
        self.primary.stop()

    def test_readers_never_see_a_torn_revision(self):
        p = self.primary
        bank = Bank(p)  # the writer: transfers that keep the invariant
        bank.create()
        violates = bank.violates

        db = os.path.join(TMP, "conc.db")
        cs = "DRIVER=libSQL;Database=%s;SyncUrl=%s" % (db, p.url)
        syncer = pyodbc.connect(cs, autocommit=True)
        self.assertFalse(violates(tuple(syncer.execute(CHECK_SQL).fetchone())))

        stop = threading.Event()
        stats = {"reads": 0, "violations": [], "reader_errors": []}
        lock = threading.Lock()

        def reader(k):
            try:
                conn = pyodbc.connect(cs, autocommit=True)
            except Exception as e:
                with lock:
                    stats["reader_errors"].append("reader %d connect: %r" % (k, e))
                return
            try:
                cur = conn.cursor()
                while not stop.is_set():
                    try:
                        row = tuple(cur.execute(CHECK_SQL).fetchone())
                    except pyodbc.Error as e:
                        with lock:
                            stats["reader_errors"].append("reader %d: %r" % (k, e))
                        continue
                    with lock:
                        stats["reads"] += 1
                        if violates(row):
                            stats["violations"].append(("reader %d" % k, row))
            finally:
                conn.close()

        # the second process: Debian's sqlite3 shell in a loop on the same file
        stop_file = os.path.join(TMP, "conc.stop")
        shell_out = os.path.join(TMP, "conc.shell")
        shell = subprocess.Popen(
            ["bash", "-c",
             'while [ ! -e "$1" ]; do sqlite3 -cmd ".timeout 10000" -separator " " "$2" "$3" '
             '|| echo "ERROR $?"; done > "$4" 2>&1', "loop", stop_file, db, CHECK_SQL,
             shell_out], env=CLEAN_ENV)

        bank.start_writer()
        threads = [threading.Thread(target=reader, args=(k,)) for k in range(READERS)]
        for t in threads:
            t.start()
        syncs = changed = 0
        sync_errors = []
        t0 = time.time()
        try:
            while syncs < MAX_SYNCS and time.time() - t0 < MAX_SECONDS:
                if bank.error:
                    break
                try:
                    cur = syncer.execute("PRAGMA libsql_sync")
                    row = cur.fetchone()
                    changed += row.changed
                except pyodbc.Error as e:
                    sync_errors.append(repr(e))
                syncs += 1
                row = tuple(syncer.execute(CHECK_SQL).fetchone())
                if violates(row):
                    stats["violations"].append(("syncer", row))
        finally:
            stop.set()
            bank.stop_writer()
            with open(stop_file, "w"):
                pass
            for t in threads:
                t.join(60)
            try:
                shell.wait(30)
            except subprocess.TimeoutExpired:
                shell.kill()
        elapsed = time.time() - t0

        shell_rows = shell_bad = 0
        shell_errors = []
        with open(shell_out) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 4 and all(x.lstrip("-").isdigit() for x in parts):
                    shell_rows += 1
                    if violates(tuple(int(x) for x in parts)):
                        shell_bad += 1
                        stats["violations"].append(("sqlite3 shell", line.strip()))
                elif line.strip():
                    shell_errors.append(line.strip())

        print("  %d syncs (%d moved the replica, %d failed) in %.1f s; %d transfers; "
              "%d ODBC reads; %d sqlite3-shell reads" %
              (syncs, changed, len(sync_errors), elapsed, bank.transfers, stats["reads"],
               shell_rows))
        self.assertIsNone(bank.error)
        self.assertEqual(stats["violations"], [], "readers saw a torn revision")
        self.assertEqual(sync_errors, [])
        self.assertEqual(stats["reader_errors"], [])
        self.assertEqual(shell_errors[:5], [], "the sqlite3 shell failed to read")
        self.assertGreaterEqual(changed, 20, "too few syncs moved the replica to prove much")
        self.assertGreater(stats["reads"], 50)
        self.assertGreater(shell_rows, 20)

        # the end: integrity, and the same content as the primary
        syncer.execute("PRAGMA libsql_sync").fetchall()
        mine = tuple(syncer.execute(CHECK_SQL).fetchone())
        theirs = p.transaction([CHECK_SQL])[0]
        self.assertEqual(mine, theirs)
        self.assertEqual(sorted(tuple(r) for r in syncer.execute(
            "SELECT id, bal FROM acct").fetchall()),
            sorted(p.transaction(["SELECT id, bal FROM acct"])))
        self.assertEqual(sorted(tuple(r) for r in syncer.execute(
            "SELECT id, a, b, amount FROM audit").fetchall()),
            sorted(p.transaction(["SELECT id, a, b, amount FROM audit"])))
        syncer.close()
        ic = subprocess.run(["sqlite3", db, "PRAGMA integrity_check"], env=CLEAN_ENV,
                            capture_output=True, text=True).stdout.strip()
        self.assertEqual(ic, "ok")


if __name__ == "__main__":
    sys.exit(unittest_main())
