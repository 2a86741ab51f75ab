#!/usr/bin/python3
"""test_offline.py — offline mode end to end (issue 8; the contract is
docs/offline.md), through pyodbc against a REAL primary (tursodb
--sync-server, tests/node/primary.sh), mostly behind a FaultProxy
(lsqtest.py) so one SyncUrl can be made to fail pushes or everything:

- writes with the primary stopped: INSERT/UPDATE/DELETE commit locally with
  the local row counts and last_insert_rowid, reads see them, they survive a
  process restart still pending, a SIGKILL right after a commit, and reach the
  primary on the next connect/sync (pending 0, replica == primary, one ledger
  row per local transaction under the file's client id);
- one atomic batch per local transaction, in commit order (the proxy records
  the batches): manual commit, BEGIN..COMMIT in SQL, a parameter array,
  rollback dropping its transaction, a conflicting transaction applied
  all-or-nothing, an UPDATE pushed after the INSERT it depends on;
- exactly once: LSQ_CRASH_AT=push-sent and push-before-send;
- rebase: PRAGMA libsql_pull with pending changes keeps them next to the
  primary's; a failing push (503) reports 08S01/HYT00 and keeps everything;
- conflicts (the primary wins, per local transaction): updated / deleted /
  vanished rows and a duplicate key; counted in libsql_state, listed by
  PRAGMA libsql_conflicts with a reason, later transactions still pushed;
- kill -9 during the rebase pull at rebase-applied, rebase-replayed and each
  page-applier point: integrity ok, pending changes kept and visible, each
  on the primary exactly once after sync;
- random SIGKILLs over a loop of offline writes and syncs (short: ~30 s;
  LSQ_SOAK=1: 5 minutes): no acknowledged write lost, nothing duplicated;
- schema changes and writes to a table without PRIMARY KEY refused (HY000 and
  the contract's message), temp tables still work; a column added on the
  primary while a local change is pending;
- EncryptionKey: no plaintext of written values in any file next to the
  replica (a key-less control shows the grep finds it), and it all works;
- SyncInterval pushes in the background.
Figures go to $LSQ_REPORT_DIR/test_offline.txt.

Run by tests/integration/run.sh. Prints "N passed, M failed"; exits non-zero
on failure.
"""
import json
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import time
import unittest

from lsqtest import (TMP, FaultProxy, Primary, child_argv_env, diag_message, odbc_dump,
                     odbc_pragma, odbc_rows, odbc_state, pyodbc, run_child, sqlstate,
                     unittest_main, write_report)

SCHEMA_MSG = "Offline=1: schema changes cannot be made offline"
NOPK_MSG = ("Offline=1: table 'nopk' has no PRIMARY KEY; offline writes need one so they "
            "can be pushed")
# The contract says a failed push reports 08S01 (network, 5xx) or HYT00
# (timeout); a connection refused may also be classed 08001 (DESIGN.md).
NET_STATES = ("08S01", "08001", "HYT00")
# The page applier's kill points (core/page_apply.h). "before-meta" (core/replica.c)
# is not on a rebase's path: there the sidecar is written after the replay, so
# "rebase-replayed" is that point.
APPLIER_POINTS = ["journal-written", "pages-half-written", "pages-written", "journal-deleted"]
SOAK = os.environ.get("LSQ_SOAK") == "1"
FIGURES = []

SEED_SQL = ["CREATE TABLE items(id INTEGER PRIMARY KEY, v TEXT, n INTEGER)",
            "INSERT INTO items(id, v, n) VALUES (1, 'one', 1), (2, 'two', 2), (3, 'three', 3), "
            "(4, 'four', 4), (5, 'five', 5)"]
SEED = [[1, "one", 1], [2, "two", 2], [3, "three", 3], [4, "four", 4], [5, "five", 5]]

# Code run in a child process: connect, run statements, print JSON
# {"rows": rows of the last statement that has rows, "state": libsql_state}.
CHILD_RUN = r"""
import json, os, sys
from lsqtest import pyodbc, odbc_state
cn = pyodbc.connect(os.environ["OFF_CS"], autocommit=True)
cur = cn.cursor()
rows = None
for sql in json.loads(os.environ.get("OFF_SQL", "[]")):
    cur.execute(sql)
    if cur.description:
        rows = [list(r) for r in cur.fetchall()]
print(json.dumps({"rows": rows, "state": {k: (v if isinstance(v, (int, float, type(None))) else str(v))
                                          for k, v in odbc_state(cn).items()}}))
cn.close()
"""


def cs(url, db, extra=""):
    s = "DRIVER=libSQL;Database=%s;SyncUrl=%s;Offline=1" % (db, url)
    return s + (";" + extra if extra else "")


def child(url, db, sqls, env=None, extra=""):
    e = {"OFF_CS": cs(url, db, extra), "OFF_SQL": json.dumps(sqls)}
    e.update(env or {})
    return run_child(CHILD_RUN, e)


def child_json(url, db, sqls, extra=""):
    r = child(url, db, sqls, extra=extra)
    if r.returncode != 0:
        raise AssertionError("child failed (%d): %s %s" % (r.returncode, r.stdout, r.stderr[-2000:]))
    return json.loads(r.stdout.strip().splitlines()[-1])


def items(conn, table="items"):
    return odbc_rows(conn, "SELECT * FROM %s ORDER BY 1" % table)


def grep_file(path, needle):
    """Does the file contain needle (bytes)? Read by a child process (grep):
    opening a database file raw in this process could drop SQLite's locks."""
    r = subprocess.run(["grep", "-c", "-a", "-F", "-e", needle, path], capture_output=True, text=True)
    if r.returncode not in (0, 1):
        raise AssertionError("grep %s: %s" % (path, r.stderr))
    return r.returncode == 0


class OfflineCase(unittest.TestCase):
    """Each test: its own primary (seeded with `items`), a FaultProxy in front
    of it, and replica paths of its own."""

    def setUp(self):
        self.p = Primary("primary-" + self._testMethodName)
        self.p.transaction(SEED_SQL)
        self.px = FaultProxy(self.p.url)
        self.n = 0
        self.conns = []

    def tearDown(self):
        for c in self.conns:
            try:
                c.close()
            except pyodbc.Error:
                pass
        self.px.stop()
        self.p.stop()

    def db(self, tag="r"):
        self.n += 1
        return os.path.join(TMP, "%s-%s%d.db" % (self._testMethodName, tag, self.n))

    def connect(self, db, url=None, extra="", autocommit=True):
        c = pyodbc.connect(cs(url or self.px.url, db, extra), autocommit=autocommit)
        self.conns.append(c)
        return c

    def close(self, c):
        c.close()
        self.conns.remove(c)

    def state(self, c):
        return odbc_state(c)

    def assert_refused(self, conn, sql, state, prefix):
        with self.assertRaises(pyodbc.Error, msg=sql) as cm:
            conn.cursor().execute(sql)
        self.assertEqual(sqlstate(cm.exception), state, "%s: %s" % (sql, cm.exception))
        self.assertTrue(diag_message(cm.exception).startswith(prefix),
                        "%s: message %r does not start %r" % (sql, diag_message(cm.exception),
                                                              prefix))

    def assert_sync_fails(self, conn, pragma="PRAGMA libsql_sync"):
        with self.assertRaises(pyodbc.Error, msg=pragma) as cm:
            conn.cursor().execute(pragma)
        self.assertIn(sqlstate(cm.exception), NET_STATES, str(cm.exception))

    def assert_converged(self, conn):
        """The replica's user tables equal the primary's."""
        self.assertEqual(odbc_dump(conn), self.p.dump())

    def client_id(self, conn):
        rows = odbc_rows(conn, "SELECT value FROM libsql_offline.meta WHERE key = 'client_id'")
        self.assertEqual(len(rows), 1, "libsql_offline.meta has no client_id")
        cid = str(rows[0][0])
        self.assertRegex(cid, r"^[0-9a-f]{32}$")
        return cid

    def ledger_ids(self, cid):
        return [r[0] for r in self.p.query(
            "SELECT id FROM _libsql_odbc_writes WHERE id LIKE '%s:%%' ORDER BY id" % cid)]


class OfflineWrites(OfflineCase):
    def test_writes_with_primary_stopped_survive_restart_then_sync(self):
        db = self.db()
        url = self.p.url  # direct: the primary itself is stopped and restarted
        c = self.connect(db, url)
        self.assertEqual(items(c), SEED)
        st = self.state(c)
        self.assertEqual((st["offline"], st["pending_transactions"], st["conflicts"]), (1, 0, 0))
        self.close(c)

        self.p.stop()
        c = self.connect(db, url)  # unreachable primary: a warning, the local copy served
        cur = c.cursor()
        cur.execute("INSERT INTO items(id, v, n) VALUES (10, 'ten', 10)")
        self.assertEqual(cur.rowcount, 1)
        cur.execute("UPDATE items SET n = n + 100 WHERE id IN (1, 2)")
        self.assertEqual(cur.rowcount, 2)
        cur.execute("DELETE FROM items WHERE id = 3")
        self.assertEqual(cur.rowcount, 1)
        cur.execute("UPDATE items SET v = 'none' WHERE id = 99")
        self.assertEqual(cur.rowcount, 0)
        cur.execute("INSERT INTO items(v, n) VALUES ('auto', 7)")
        self.assertEqual(cur.rowcount, 1)
        expected = [[1, "one", 101], [2, "two", 102], [4, "four", 4], [5, "five", 5],
                    [10, "ten", 10], [11, "auto", 7]]
        self.assertEqual(items(c), expected)
        st = self.state(c)
        # the UPDATE that matched nothing changed nothing: no change set for it
        self.assertIn(st["pending_transactions"], (4, 5))
        pending = st["pending_transactions"]
        self.assertEqual(st["pushed_transactions"], 0)
        self.assert_sync_fails(c)
        self.assertEqual(self.state(c)["pending_transactions"], pending)
        self.assertEqual(items(c), expected)
        self.close(c)

        side = db + "-libsql-offline"
        self.assertTrue(os.path.exists(side), "no offline store at " + side)
        self.assertEqual(stat.S_IMODE(os.stat(side).st_mode), 0o600)

        # a process restart, the primary still down: everything still there, still pending
        out = child_json(url, db, ["SELECT * FROM items ORDER BY 1"])
        self.assertEqual(out["rows"], expected)
        self.assertEqual(out["state"]["pending_transactions"], pending)

        self.p.restart_same_port()
        c = self.connect(db, url)  # connect pushes, then pulls
        cur = c.cursor()
        cur.execute("PRAGMA libsql_sync")
        cur.fetchall()
        self.assertEqual(self.p.query_lists("SELECT * FROM items ORDER BY 1"), expected)
        st = self.state(c)
        self.assertEqual((st["pending_transactions"], st["pushed_transactions"], st["conflicts"]),
                         (0, pending, 0))
        self.assertIsNotNone(st["last_push"])
        self.assert_converged(c)
        cid = self.client_id(c)
        ids = self.ledger_ids(cid)
        self.assertEqual(len(ids), pending, ids)
        self.assertEqual(len(set(ids)), pending)
        FIGURES.append("restart: writes %d, pending after restart %d, pushed %d, lost 0"
                       % (5, pending, st["pushed_transactions"]))

    def test_last_insert_rowid_is_local(self):
        """The contract: row counts and last_insert_rowid are the local ones
        (recording the change set must not clobber it)."""
        c = self.connect(self.db())
        cur = c.cursor()
        cur.execute("INSERT INTO items(v, n) VALUES ('auto', 7)")
        self.assertEqual(odbc_rows(c, "SELECT last_insert_rowid()"), [[6]])
        cur.execute("INSERT INTO items(id, v, n) VALUES (40, 'forty', 40)")
        cur.execute("UPDATE items SET n = 0 WHERE id = 1")
        self.assertEqual(odbc_rows(c, "SELECT last_insert_rowid()"), [[40]])

    def test_commit_is_durable_across_sigkill(self):
        """A local commit that returned survives kill -9 of the process right
        after it, pending, and is pushed once."""
        db = self.db()
        c = self.connect(db)
        self.close(c)
        code = r"""
import os, signal
from lsqtest import pyodbc
cn = pyodbc.connect(os.environ["OFF_CS"], autocommit=False)
cur = cn.cursor()
cur.execute("INSERT INTO items(id, v, n) VALUES (20, 'killed-after-commit', 20)")
cur.execute("UPDATE items SET n = -1 WHERE id = 5")
cn.commit()
print("committed", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""
        r = run_child(code, {"OFF_CS": cs(self.px.url, db)})
        self.assertEqual(r.returncode, -signal.SIGKILL, r.stdout + r.stderr[-2000:])
        self.assertIn("committed", r.stdout)
        self.px.mode = "down"
        c = self.connect(db)
        self.assertEqual(odbc_rows(c, "PRAGMA integrity_check"), [["ok"]])
        self.assertEqual(items(c)[-2:], [[5, "five", -1], [20, "killed-after-commit", 20]])
        self.assertEqual(self.state(c)["pending_transactions"], 1)
        self.px.mode = "pass"
        c.cursor().execute("PRAGMA libsql_sync").fetchall()
        self.assertEqual(self.p.query_lists("SELECT * FROM items WHERE id IN (5, 20) ORDER BY 1"),
                         [[5, "five", -1], [20, "killed-after-commit", 20]])
        self.assertEqual(self.state(c)["pending_transactions"], 0)
        self.assert_converged(c)

    def test_one_batch_per_transaction_in_commit_order(self):
        db = self.db()
        c = self.connect(db)
        cur = c.cursor()
        # A: manual commit, several statements
        c.autocommit = False
        cur.execute("INSERT INTO items(id, v, n) VALUES (100, 'a', 0)")
        cur.execute("INSERT INTO items(id, v, n) VALUES (101, 'b', 0)")
        cur.execute("UPDATE items SET v = 'A' WHERE id = 1")
        c.commit()
        # B: depends on A (an UPDATE of the row A inserted)
        cur.execute("UPDATE items SET v = 'second' WHERE id = 100")
        c.commit()
        # rolled back: not pending, not visible
        cur.execute("INSERT INTO items(id, v, n) VALUES (102, 'rolled-back', 0)")
        c.rollback()
        c.autocommit = True
        self.assertEqual(self.state(c)["pending_transactions"], 2)
        # D: BEGIN .. COMMIT in SQL
        cur.execute("BEGIN")
        cur.execute("INSERT INTO items(id, v, n) VALUES (103, 'd', 0)")
        cur.execute("DELETE FROM items WHERE id = 2")
        cur.execute("COMMIT")
        # E: a parameter array is one local transaction per execute
        cur.fast_executemany = True
        cur.executemany("INSERT INTO items(id, v, n) VALUES (?, ?, ?)",
                        [(110 + k, "e%d" % k, k) for k in range(5)])
        cur.fast_executemany = False
        # F: conflicts on the primary (122 exists there): all or nothing
        c.autocommit = False
        cur.execute("INSERT INTO items(id, v, n) VALUES (120, 'f', 0)")
        cur.execute("INSERT INTO items(id, v, n) VALUES (121, 'f', 0)")
        cur.execute("INSERT INTO items(id, v, n) VALUES (122, 'f-local', 0)")
        c.commit()
        c.autocommit = True
        # G: after the conflicting one, still pushed
        cur.execute("UPDATE items SET n = 999 WHERE id = 100")
        self.assertEqual(self.state(c)["pending_transactions"], 6)
        self.assertEqual(odbc_rows(c, "SELECT count(*) FROM items WHERE id = 102"), [[0]])
        self.p.execute("INSERT INTO items(id, v, n) VALUES (122, 'primary-122', 0)")  # F's clash

        before = len(self.px.batches())
        cur.execute("PRAGMA libsql_sync")
        cur.fetchall()
        batches = self.px.batches()[before:]
        pushes = [b for b in batches
                  if any("_libsql_odbc_writes" in sql and sql.lstrip().upper().startswith("INSERT")
                         for sql, _ in b)]
        self.assertEqual(len(pushes), 6, "one batch per local transaction: %s" % pushes)
        cid = self.client_id(c)
        seqs = []
        for b in pushes:
            sqls = [sql.strip().upper() for sql, _ in b]
            self.assertIn("BEGIN", sqls[:3], b)
            self.assertIn("COMMIT", sqls, b)
            rec = [(sql, args) for sql, args in b if "_libsql_odbc_writes" in sql
                   and sql.lstrip().upper().startswith("INSERT")]
            self.assertEqual(len(rec), 1, b)
            # the id: the record step's argument (LSQ_LEDGER_RECORD_SQL), or a literal
            found = [str(a) for a in rec[0][1] if re.match(r"^[0-9a-f]{32}:\d+$", str(a))]
            found += re.findall(r"'([0-9a-f]{32}:\d+)'", rec[0][0])
            self.assertEqual(len(found), 1, rec)
            wid = found[0]
            self.assertTrue(wid.startswith(cid + ":"), wid)
            seqs.append(int(wid.split(":")[1]))
        self.assertEqual(seqs, sorted(seqs), "pushed out of commit order: %s" % seqs)
        self.assertEqual(len(set(seqs)), 6)

        def user_steps(b, verb):
            return [sql for sql, _ in b if sql.lstrip().upper().startswith(verb)
                    and "items" in sql]
        self.assertEqual((len(user_steps(pushes[0], "INSERT")), len(user_steps(pushes[0], "UPDATE"))),
                         (2, 1), "A's three changes in A's batch")
        self.assertEqual(len(user_steps(pushes[3], "INSERT")), 5, "the parameter array's batch")

        got = self.p.query_lists("SELECT * FROM items ORDER BY 1")
        self.assertEqual(got, [[1, "A", 1], [3, "three", 3], [4, "four", 4], [5, "five", 5],
                               [100, "second", 999], [101, "b", 0], [103, "d", 0],
                               [110, "e0", 0], [111, "e1", 1], [112, "e2", 2], [113, "e3", 3],
                               [114, "e4", 4], [122, "primary-122", 0]])
        st = self.state(c)
        self.assertEqual((st["pending_transactions"], st["pushed_transactions"], st["conflicts"]),
                         (0, 5, 1))
        self.assert_converged(c)
        self.assertEqual(len(self.ledger_ids(cid)), 5)
        FIGURES.append("batches: local transactions 6, push batches %d, pushed 5, conflicts 1"
                       % len(pushes))


class ExactlyOnce(OfflineCase):
    def _crash_during_push(self, point, applied_before_restart):
        self.p.transaction(["CREATE TABLE counter(id INTEGER PRIMARY KEY, n INTEGER)",
                            "INSERT INTO counter VALUES (1, 0)",
                            "CREATE TABLE log(id INTEGER PRIMARY KEY, note TEXT)"])
        db = self.db()
        c = self.connect(db)
        cur = c.cursor()
        cur.execute("UPDATE counter SET n = n + 1 WHERE id = 1")
        cur.execute("INSERT INTO log VALUES (1, 'once')")
        self.assertEqual(self.state(c)["pending_transactions"], 2)
        self.close(c)

        r = child(self.px.url, db, ["PRAGMA libsql_sync"], env={"LSQ_CRASH_AT": point})
        self.assertEqual(r.returncode, 99, "%s never reached: %s %s" % (point, r.stdout,
                                                                        r.stderr[-2000:]))
        # the first transaction was (push-sent) or was not (push-before-send) committed
        self.assertEqual(self.p.count("SELECT n FROM counter WHERE id = 1"),
                         1 if applied_before_restart else 0)

        c = self.connect(db)  # pushes again (same ids), then pulls
        c.cursor().execute("PRAGMA libsql_sync").fetchall()
        self.assertEqual(self.p.query_lists("SELECT * FROM counter"), [[1, 1]])
        self.assertEqual(self.p.query_lists("SELECT * FROM log"), [[1, "once"]])
        st = self.state(c)
        self.assertEqual((st["pending_transactions"], st["pushed_transactions"], st["conflicts"]),
                         (0, 2, 0))
        self.assertEqual(len(self.ledger_ids(self.client_id(c))), 2)
        self.assert_converged(c)
        FIGURES.append("exactly once (%s): killed 1, applied once, duplicated 0, lost 0" % point)

    def test_crash_after_primary_answered(self):
        self._crash_during_push("push-sent", True)

    def test_crash_before_send(self):
        self._crash_during_push("push-before-send", False)


class Rebase(OfflineCase):
    def test_pull_keeps_pending_changes_then_push(self):
        db = self.db()
        c = self.connect(db)
        cur = c.cursor()
        cur.execute("INSERT INTO items(id, v, n) VALUES (10, 'local', 10)")
        cur.execute("UPDATE items SET v = 'L1' WHERE id = 1")
        # another client changes other rows on the primary
        self.p.transaction(["INSERT INTO items(id, v, n) VALUES (20, 'remote', 20)",
                            "UPDATE items SET v = 'R2' WHERE id = 2"])
        both = [[1, "L1", 1], [2, "R2", 2], [3, "three", 3], [4, "four", 4], [5, "five", 5],
                [10, "local", 10], [20, "remote", 20]]
        cur.execute("PRAGMA libsql_pull")
        cur.fetchall()
        self.assertEqual(items(c), both)
        self.assertEqual(self.state(c)["pending_transactions"], 2)
        self.assertEqual(self.p.count("SELECT count(*) FROM items WHERE id = 10"), 0,
                         "libsql_pull must not push")
        self.px.mode = "fail_pipeline"  # pushes fail with 503, pulls still work
        # a second connection of the same file (its connect's push fails) sees the same
        c2 = self.connect(db)
        self.assertEqual(items(c2), both)
        self.close(c2)
        self.assert_sync_fails(c, "PRAGMA libsql_push")
        self.assert_sync_fails(c, "PRAGMA libsql_sync")
        self.assertEqual(self.state(c)["pending_transactions"], 2)
        self.assertEqual(items(c), both)

        self.px.mode = "pass"
        cur.execute("PRAGMA libsql_push")
        cur.fetchall()
        self.assertEqual(self.p.query_lists("SELECT * FROM items ORDER BY 1"), both)
        self.assertEqual(self.state(c)["pending_transactions"], 0)
        cur.execute("PRAGMA libsql_pull")
        cur.fetchall()
        self.assertEqual(items(c), both)
        self.assert_converged(c)
        self.assertEqual(self.state(c)["conflicts"], 0)

    def test_column_added_on_primary_while_change_pending(self):
        """Schema changes come from the primary; a pending change made before
        one still reaches the primary (it is pushable as it was made)."""
        db = self.db()
        c = self.connect(db)
        c.cursor().execute("INSERT INTO items(id, v, n) VALUES (30, 'before-alter', 30)")
        self.p.execute("ALTER TABLE items ADD COLUMN extra TEXT DEFAULT 'dflt'")
        c.cursor().execute("PRAGMA libsql_pull").fetchall()
        cols = [r[0] for r in odbc_rows(c, "SELECT name FROM pragma_table_info('items')")]
        self.assertIn("extra", cols)
        c.cursor().execute("PRAGMA libsql_sync").fetchall()
        self.assertEqual(self.p.query_lists("SELECT id, v, n, extra FROM items WHERE id = 30"),
                         [[30, "before-alter", 30, "dflt"]])
        st = self.state(c)
        self.assertEqual((st["pending_transactions"], st["conflicts"]), (0, 0))
        self.assert_converged(c)


class Conflicts(OfflineCase):
    def test_primary_wins_per_transaction(self):
        db = self.db()
        c = self.connect(db)
        cur = c.cursor()
        local = [
            ["UPDATE items SET v = 'local-1' WHERE id = 1"],            # primary updated 1
            ["DELETE FROM items WHERE id = 2"],                         # primary updated 2
            ["UPDATE items SET v = 'local-3' WHERE id = 3"],            # primary deleted 3
            ["INSERT INTO items(id, v, n) VALUES (50, 'local-50', 0)"],  # primary inserted 50
            ["INSERT INTO items(id, v, n) VALUES (60, 'local-60', 0)"],  # fine
            ["UPDATE items SET n = 44 WHERE id = 4"],                   # fine
            ["INSERT INTO items(id, v, n) VALUES (70, 'local-70', 0)",  # all or nothing:
             "UPDATE items SET n = 55 WHERE id = 1"],                   # 1's n changed there
            ["UPDATE items SET v = 'local-5' WHERE id = 5"],            # fine, after conflicts
        ]
        conflicting = [0, 1, 2, 3, 6]
        for txn in local:
            c.autocommit = False
            for sql in txn:
                cur.execute(sql)
            c.commit()
        c.autocommit = True
        self.assertEqual(self.state(c)["pending_transactions"], len(local))
        self.p.transaction(["UPDATE items SET v = 'primary-1', n = 11 WHERE id = 1",
                            "UPDATE items SET n = 22 WHERE id = 2",
                            "DELETE FROM items WHERE id = 3",
                            "INSERT INTO items(id, v, n) VALUES (50, 'primary-50', 5)"])
        cur.execute("PRAGMA libsql_sync")
        cur.fetchall()

        expected = [[1, "primary-1", 11], [2, "two", 22], [4, "four", 44], [5, "local-5", 5],
                    [50, "primary-50", 5], [60, "local-60", 0]]
        self.assertEqual(self.p.query_lists("SELECT * FROM items ORDER BY 1"), expected)
        self.assertEqual(items(c), expected, "the primary's versions are local after sync")
        st = self.state(c)
        self.assertEqual((st["pending_transactions"], st["pushed_transactions"], st["conflicts"]),
                         (0, len(local) - len(conflicting), len(conflicting)))
        rows = odbc_pragma(c, "PRAGMA libsql_conflicts")
        self.assertEqual(len(rows), len(conflicting), rows)
        self.assertEqual(set(rows[0].keys()), {"seq", "committed_at", "reason", "sql"})
        seqs = [int(r["seq"]) for r in rows]
        self.assertEqual(seqs, sorted(seqs))
        for r in rows:
            self.assertTrue(r["reason"] and str(r["reason"]).strip(), r)
            self.assertIn("items", str(r["sql"]), r)
            self.assertIsNotNone(r["committed_at"])
        self.assertEqual(len(self.ledger_ids(self.client_id(c))), len(local) - len(conflicting))
        self.assert_converged(c)
        # counted durably
        self.close(c)
        out = child_json(self.px.url, db, [])
        self.assertEqual(out["state"]["conflicts"], len(conflicting))
        FIGURES.append("conflicts: local transactions %d, pushed %d, conflicts %d (primary wins)"
                       % (len(local), st["pushed_transactions"], st["conflicts"]))


class KillDuringRebase(OfflineCase):
    """One test per kill point (test_kill_at_<point>, made below)."""

    def _kill_at(self, point):
        k1, k2, remote = 101, 102, 150
        db = self.db(point)
        c = self.connect(db)
        cur = c.cursor()
        cur.execute("INSERT INTO items(id, v, n) VALUES (?, 'k1', 1)", k1)
        c.autocommit = False
        cur.execute("INSERT INTO items(id, v, n) VALUES (?, 'k2', 2)", k2)
        cur.execute("UPDATE items SET n = n + 10 WHERE id = ?", k1)
        c.commit()
        c.autocommit = True
        self.close(c)
        self.p.execute("INSERT INTO items(id, v, n) VALUES (%d, 'remote', 0)" % remote)

        # pushes fail, pulls work: the connect's pull (or the PRAGMA) is a
        # rebase with both transactions pending, and dies at the point
        self.px.mode = "fail_pipeline"
        r = child(self.px.url, db, ["PRAGMA libsql_pull"], env={"LSQ_CRASH_AT": point})
        self.assertEqual(r.returncode, 99, "%s never reached: %s %s"
                         % (point, r.stdout, r.stderr[-2000:]))

        self.px.mode = "down"  # restart with no network at all
        c = self.connect(db)
        self.assertEqual(odbc_rows(c, "PRAGMA main.integrity_check"), [["ok"]])
        self.assertEqual(odbc_rows(c, "PRAGMA libsql_offline.integrity_check"), [["ok"]])
        mine = odbc_rows(c, "SELECT id, v, n FROM items WHERE id IN (?, ?) ORDER BY 1", k1, k2)
        self.assertEqual(mine, [[k1, "k1", 11], [k2, "k2", 2]],
                         "pending changes not visible after a kill at " + point)
        self.assertEqual(self.state(c)["pending_transactions"], 2)
        # the primary's row: there (the pull got through) or not (rolled back), never torn
        self.assertIn(odbc_rows(c, "SELECT count(*) FROM items WHERE id = ?", remote),
                      ([[0]], [[1]]))

        self.px.mode = "pass"
        c.cursor().execute("PRAGMA libsql_sync").fetchall()
        self.assertEqual(self.p.query_lists(
            "SELECT id, v, n FROM items WHERE id IN (%d, %d, %d) ORDER BY 1" % (k1, k2, remote)),
            [[k1, "k1", 11], [k2, "k2", 2], [remote, "remote", 0]])
        st = self.state(c)
        self.assertEqual((st["pending_transactions"], st["conflicts"]), (0, 0))
        self.assertEqual(len(self.ledger_ids(self.client_id(c))), 2)
        self.assert_converged(c)
        FIGURES.append("kill during rebase at %s: killed 1, survived 1, lost 0, duplicated 0"
                       % point)


for _point in ["rebase-applied", "rebase-replayed"] + APPLIER_POINTS:
    setattr(KillDuringRebase, "test_kill_at_" + _point.replace("-", "_"),
            lambda self, p=_point: self._kill_at(p))


# The writer killed at random: each write is one local transaction that
# inserts a row with a unique wid and bumps a tally; its wid is logged (and
# fsynced) only after commit returned = acknowledged. Every 5th write syncs.
KILL_WRITER = r"""
import os
from lsqtest import pyodbc
cn = pyodbc.connect(os.environ["OFF_CS"], autocommit=False)
cur = cn.cursor()
log = open(os.environ["OFF_LOG"], "a")
wid = int(os.environ["OFF_START"])
while True:
    wid += 1
    cur.execute("INSERT INTO ev(wid, note) VALUES (?, ?)", wid, "w%d" % wid)
    cur.execute("UPDATE tally SET n = n + 1 WHERE id = 1")
    cn.commit()
    log.write("%d\n" % wid)
    log.flush()
    os.fsync(log.fileno())
    if wid % 5 == 0:
        cn.autocommit = True
        try:
            cur.execute("PRAGMA libsql_sync")
            cur.fetchall()
        except pyodbc.Error:
            pass  # the proxy may be failing pushes or be down
        cn.autocommit = False
"""


class RandomKills(OfflineCase):
    def test_random_sigkills_lose_and_duplicate_nothing(self):
        self.p.transaction(["CREATE TABLE ev(id INTEGER PRIMARY KEY, wid INTEGER NOT NULL, note TEXT)",
                            "CREATE TABLE tally(id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
                            "INSERT INTO tally VALUES (1, 0)",
                            "CREATE TABLE other(id INTEGER PRIMARY KEY, v TEXT)"])
        db = self.db()
        c = self.connect(db)
        self.close(c)
        seed = int(os.environ.get("LSQ_SEED", str(int(time.time()))))
        rng = random.Random(seed)
        print("random kills: seed %d (LSQ_SEED=%d repeats it)" % (seed, seed))
        logp = os.path.join(TMP, "acked.log")
        budget = 300.0 if SOAK else 30.0
        deadline = time.monotonic() + budget
        kills = other = 0
        while time.monotonic() < deadline:
            self.px.mode = rng.choice(["pass", "pass", "pass", "fail_pipeline", "down"])
            argv, env = child_argv_env(KILL_WRITER, {"OFF_CS": cs(self.px.url, db), "OFF_LOG": logp,
                                                     "OFF_START": str((kills + 1) * 1000000)})
            errf = open(os.path.join(TMP, "writer.err"), "w")
            proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=errf)
            try:
                proc.wait(timeout=rng.uniform(0.5, 3.0))
                errf.close()
                with open(os.path.join(TMP, "writer.err")) as f:
                    raise AssertionError("the writer exited by itself (%d): %s"
                                         % (proc.returncode, f.read()[-3000:]))
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                errf.close()
                kills += 1
            if rng.random() < 0.5:  # another client writes the primary meanwhile
                other += 1
                self.p.execute("INSERT INTO other(id, v) VALUES (%d, 'o')" % other)

        self.px.mode = "pass"
        c = self.connect(db)
        self.assertEqual(odbc_rows(c, "PRAGMA integrity_check"), [["ok"]])
        cur = c.cursor()
        cur.execute("PRAGMA libsql_sync")
        cur.fetchall()
        with open(logp) as f:
            acked = [int(x) for x in f.read().split()]
        on_primary = [r[0] for r in self.p.query("SELECT wid FROM ev")]
        lost = sorted(set(acked) - set(on_primary))
        duplicated = len(on_primary) - len(set(on_primary))
        tally = self.p.count("SELECT n FROM tally WHERE id = 1")
        st = self.state(c)
        line = ("random kills: seed %d, kills %d, writes acknowledged %d, on the primary %d, "
                "pushed %d, conflicts %d, other client's writes %d, lost %d, duplicated %d"
                % (seed, kills, len(acked), len(on_primary), st["pushed_transactions"],
                   st["conflicts"], other, len(lost), duplicated))
        FIGURES.append(line)
        print(line)
        self.assertGreater(kills, 3)
        self.assertGreater(len(acked), 0, "no write was ever acknowledged")
        self.assertEqual(lost, [], "acknowledged writes lost")
        self.assertEqual(duplicated, 0)
        self.assertEqual(tally, len(on_primary), "the tally counts each write once")
        self.assertEqual(st["pending_transactions"], 0)
        self.assertEqual(st["conflicts"], 0)
        self.assertEqual(self.p.count("SELECT count(*) FROM other"), other)
        self.assert_converged(c)


class SchemaRefused(OfflineCase):
    def test_schema_changes_and_keyless_tables_refused(self):
        self.p.transaction(["CREATE TABLE nopk(a INTEGER, b TEXT)",
                            "INSERT INTO nopk VALUES (1, 'x')",
                            "CREATE INDEX items_n ON items(n)",
                            "CREATE TABLE wr(k TEXT PRIMARY KEY, v INTEGER)"])
        db = self.db()
        c = self.connect(db)
        schema = odbc_rows(c, "SELECT type, name, sql FROM main.sqlite_schema ORDER BY name")
        primary_schema = self.p.query_lists("SELECT type, name, sql FROM sqlite_schema ORDER BY name")
        for sql in ["CREATE TABLE newt(id INTEGER PRIMARY KEY)",
                    "CREATE TABLE IF NOT EXISTS newt2(id INTEGER PRIMARY KEY)",
                    "ALTER TABLE items ADD COLUMN extra TEXT",
                    "ALTER TABLE items RENAME TO items2",
                    "DROP TABLE items",
                    "CREATE INDEX ix_v ON items(v)",
                    "DROP INDEX items_n",
                    "CREATE VIEW vv AS SELECT id FROM items",
                    "CREATE TRIGGER tr AFTER INSERT ON items BEGIN SELECT 1; END"]:
            self.assert_refused(c, sql, "HY000", SCHEMA_MSG)
        for sql in ["INSERT INTO nopk VALUES (2, 'y')", "UPDATE nopk SET b = 'z'",
                    "DELETE FROM nopk"]:
            self.assert_refused(c, sql, "HY000", NOPK_MSG)
        self.assertEqual(odbc_rows(c, "SELECT type, name, sql FROM main.sqlite_schema ORDER BY name"),
                         schema)
        self.assertEqual(odbc_rows(c, "SELECT * FROM nopk"), [[1, "x"]])
        self.assertEqual(self.state(c)["pending_transactions"], 0)
        # keyed tables still work, a TEXT key too (tursodb 0.6.0 has no WITHOUT ROWID)
        cur = c.cursor()
        cur.execute("INSERT INTO wr VALUES ('k', 1)")
        self.assertEqual(cur.rowcount, 1)
        cur.execute("INSERT INTO items(id, v, n) VALUES (9, 'nine', 9)")
        # temp stays local scratch, never pending
        cur.execute("CREATE TEMP TABLE scratch(x)")
        cur.execute("INSERT INTO scratch VALUES (1), (2)")
        self.assertEqual(cur.rowcount, 2)
        self.assertEqual(odbc_rows(c, "SELECT count(*) FROM temp.scratch"), [[2]])
        cur.execute("DROP TABLE temp.scratch")
        self.assertEqual(self.state(c)["pending_transactions"], 2)
        cur.execute("PRAGMA libsql_sync")
        cur.fetchall()
        self.assertEqual([r for r in self.p.query_lists("SELECT type, name, sql FROM sqlite_schema "
                                                        "ORDER BY name")
                          if "_libsql_odbc_" not in r[1]], primary_schema)
        self.assertEqual(self.p.query_lists("SELECT * FROM wr"), [["k", 1]])
        self.assertNotIn("scratch", self.p.tables())
        self.assert_converged(c)


class ReadOnlyPragmas(OfflineCase):
    def test_read_only_pragmas_with_an_argument(self):
        """PRAGMA table_info(t) and friends only read: tools call them all
        the time, and offline they must answer from the local file."""
        c = self.connect(self.db())
        self.px.mode = "down"
        self.assertEqual([r[1] for r in odbc_rows(c, "PRAGMA table_info(items)")], ["id", "v", "n"])
        self.assertEqual(odbc_rows(c, "PRAGMA index_list(items)"), [])
        self.assertEqual(odbc_rows(c, "PRAGMA main.integrity_check(10)"), [["ok"]])


class Encryption(OfflineCase):
    KEY = "offline-Key-0123456789"

    def _write_marked(self, db, extra):
        marker = "PLAINTEXT-MARK-%08x" % random.getrandbits(32)
        c = self.connect(db, extra=extra)
        cur = c.cursor()
        c.autocommit = False
        for k in range(20):
            cur.execute("INSERT INTO items(id, v, n) VALUES (?, ?, ?)", 1000 + k,
                        "%s-%02d" % (marker, k), k)
        c.commit()
        cur.execute("UPDATE items SET v = ? WHERE id = 1", marker + "-upd")
        c.commit()
        c.autocommit = True
        self.assertEqual(self.state(c)["pending_transactions"], 2)
        self.close(c)
        return marker

    def _files(self, db):
        d, base = os.path.split(db)
        return sorted(os.path.join(d, f) for f in os.listdir(d) if f.startswith(base))

    def test_offline_store_is_encrypted(self):
        # control: without a key the values ARE in the offline store (the grep works)
        plain = self.db("plain")
        self.close(self.connect(plain))
        pmark = self._write_marked(plain, "")
        side = plain + "-libsql-offline"
        self.assertTrue(os.path.exists(side), "no offline store at " + side)
        self.assertTrue(grep_file(side, pmark), "control: plaintext not found in " + side)

        db = self.db("enc")
        extra = "EncryptionKey=" + self.KEY
        self.close(self.connect(db, extra=extra))
        mark = self._write_marked(db, extra)
        files = self._files(db)
        self.assertIn(db + "-libsql-offline", files)
        self.assertEqual(stat.S_IMODE(os.stat(db + "-libsql-offline").st_mode), 0o600)
        for f in files:
            self.assertFalse(grep_file(f, mark), "plaintext in " + f)
            self.assertFalse(grep_file(f, self.KEY), "the key in " + f)

        self.px.mode = "down"  # reopen with no network: nothing pushed yet
        c = self.connect(db, extra=extra)
        self.assertEqual(odbc_rows(c, "SELECT count(*) FROM items WHERE v LIKE ?", mark + "%"),
                         [[21]])
        self.assertEqual(self.state(c)["pending_transactions"], 2)
        self.px.mode = "pass"
        c.cursor().execute("PRAGMA libsql_sync").fetchall()
        self.assertEqual(self.p.count("SELECT count(*) FROM items WHERE v LIKE '%s%%'" % mark), 21)
        self.assertEqual(self.state(c)["pending_transactions"], 0)
        self.assert_converged(c)
        self.close(c)
        for f in self._files(db):
            self.assertFalse(grep_file(f, mark), "plaintext in %s after the sync" % f)
        with self.assertRaises(pyodbc.Error) as cm:
            self.connect(db, extra="EncryptionKey=wrong-key-000")
        self.assertEqual(sqlstate(cm.exception), "28000", str(cm.exception))


class Background(OfflineCase):
    def test_sync_interval_pushes(self):
        db = self.db()
        c = self.connect(db, extra="SyncInterval=1")
        c.cursor().execute("INSERT INTO items(id, v, n) VALUES (77, 'background', 0)")
        # liveness, not speed: the background thread must get there eventually
        for _ in range(600):
            if self.p.count("SELECT count(*) FROM items WHERE id = 77") == 1:
                break
            time.sleep(0.1)
        self.assertEqual(self.p.query_lists("SELECT * FROM items WHERE id = 77"),
                         [[77, "background", 0]])
        for _ in range(600):
            if self.state(c)["pending_transactions"] == 0:
                break
            time.sleep(0.1)
        self.assertEqual(self.state(c)["pending_transactions"], 0)


def tearDownModule():
    write_report("test_offline", FIGURES)


if __name__ == "__main__":
    if not shutil.which("node"):
        raise SystemExit("FAIL: node is needed for the primary (tests/node)")
    raise SystemExit(unittest_main())
