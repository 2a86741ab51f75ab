#!/usr/bin/python3
"""test_replica.py — the embedded replica through pyodbc against a REAL
primary (tursodb --sync-server from tests/node, started by primary.sh):
bootstrap on first connect, reads from the local file, PRAGMA libsql_sync /
libsql_state, the sync every connect does, same content as the primary
(compared over /v2/pipeline), schema changes, rollback-journal mode of the
file, SyncInterval with one shared background thread, the offline warning
(01000) and 08S01 with the primary down then convergence after its restart,
a replica file pointed at another primary, and rows written by an
independent client (@tursodatabase/sync) arriving after a sync.

Run by tests/integration/run.sh (Debian's /usr/bin/python3 with pyodbc;
LSQ_TEST_TMP is a scratch dir). Every primary started is stopped in a
finally/tearDown. Prints "N passed, M failed"; exits non-zero on failure.
"""
import ctypes
import os
import socket
import sqlite3
import subprocess
import sys
import time
import unittest

from lsqtest import CLEAN_ENV, NODE_DIR, TMP, TURSODB, Primary, fail_to_run, pyodbc, unittest_main


def replica_cs(primary, db, **extra):
    s = "DRIVER=libSQL;Database=%s;SyncUrl=%s" % (db, primary.url)
    for k, v in extra.items():
        s += ";%s=%s" % (k, v)
    return s


def threads():
    return len(os.listdir("/proc/self/task"))


# ---------- the driver manager directly (pyodbc hides connect warnings) ----

class RawODBC:
    SQL_HANDLE_ENV, SQL_HANDLE_DBC = 1, 2

    def __init__(self):
        self.lib = ctypes.CDLL("libodbc.so.2")
        self.env = ctypes.c_void_p()
        self.dbc = ctypes.c_void_p()
        assert self.lib.SQLAllocHandle(1, None, ctypes.byref(self.env)) == 0
        self.lib.SQLSetEnvAttr(self.env, 200, ctypes.c_void_p(3), 0)
        assert self.lib.SQLAllocHandle(2, self.env, ctypes.byref(self.dbc)) == 0

    def connect(self, cs):
        """(return code, [(sqlstate, message)]); self.out = completed string"""
        out = ctypes.create_string_buffer(2048)
        outlen = ctypes.c_short()
        rc = self.lib.SQLDriverConnect(self.dbc, None, cs.encode(), -3, out, 2048,
                                       ctypes.byref(outlen), 0)
        self.out = out.value.decode()
        return rc, self.diags()

    def diags(self):
        recs = []
        for i in range(1, 10):
            state = ctypes.create_string_buffer(6)
            native = ctypes.c_int()
            msg = ctypes.create_string_buffer(1024)
            mlen = ctypes.c_short()
            r = self.lib.SQLGetDiagRec(2, self.dbc, i, state, ctypes.byref(native), msg, 1024,
                                       ctypes.byref(mlen))
            if r not in (0, 1):
                break
            recs.append((state.value.decode(), msg.value.decode()))
        return recs

    def prepare_execute_twice(self, sql):
        """SQLPrepare once, SQLExecute + SQLFetch twice; the return codes."""
        st = ctypes.c_void_p()
        assert self.lib.SQLAllocHandle(3, self.dbc, ctypes.byref(st)) == 0
        codes = [self.lib.SQLPrepare(st, sql.encode(), -3)]
        for _ in range(2):
            codes.append(self.lib.SQLExecute(st))
            codes.append(self.lib.SQLFetch(st))
            codes.append(self.lib.SQLFetch(st))   # 100 = SQL_NO_DATA: one row only
            codes.append(self.lib.SQLCloseCursor(st))
        self.lib.SQLFreeHandle(3, st)
        return codes

    def close(self):
        self.lib.SQLDisconnect(self.dbc)
        self.lib.SQLFreeHandle(2, self.dbc)
        self.lib.SQLFreeHandle(1, self.env)


# ---------- tests ------------------------------------------------------------

PRIMARY = None


def setUpModule():
    global PRIMARY
    PRIMARY = Primary("primary-main")
    PRIMARY.execute(
        "CREATE TABLE acct(id INTEGER PRIMARY KEY, owner TEXT NOT NULL, balance INTEGER, "
        "rate REAL, photo BLOB)",
        "INSERT INTO acct(owner, balance, rate, photo) VALUES ('ann', 100, 1.5, x'00ff10'), "
        "('bob', 250, NULL, NULL), ('cé', -7, 2.25, x'')")


def tearDownModule():
    if PRIMARY:
        PRIMARY.stop()


def sync(conn):
    cur = conn.cursor()
    cur.execute("PRAGMA libsql_sync")
    names = [d[0] for d in cur.description]
    row = cur.fetchone()
    assert cur.fetchone() is None
    return dict(zip(names, row))


def state(conn):
    cur = conn.cursor()
    cur.execute("PRAGMA libsql_state")
    names = [d[0] for d in cur.description]
    return dict(zip(names, cur.fetchone()))


class ReplicaBasics(unittest.TestCase):
    def setUp(self):
        self.db = os.path.join(TMP, "basic-%s.db" % self._testMethodName)
        self.assertFalse(os.path.exists(self.db))
        self.conn = pyodbc.connect(replica_cs(PRIMARY, self.db), autocommit=True)

    def tearDown(self):
        self.conn.close()

    def test_bootstrap_and_local_reads(self):
        self.assertTrue(os.path.exists(self.db), "first connect must create the replica file")
        rows = self.conn.execute("SELECT owner, balance FROM acct ORDER BY id").fetchall()
        self.assertEqual([tuple(r) for r in rows], [("ann", 100), ("bob", 250), ("cé", -7)])
        st = state(self.conn)
        self.assertTrue(st["revision"])
        self.assertGreater(st["db_size_pages"], 0)
        self.assertEqual(os.path.getsize(self.db), st["db_size_pages"] * 4096)
        self.assertRegex(st["last_sync_ok"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertIsNone(st["last_error"])
        self.assertEqual(st["read_your_writes"], 1)
        self.assertEqual(st["sync_interval"], 0)

    def test_sync_brings_new_rows(self):
        PRIMARY.execute("CREATE TABLE IF NOT EXISTS notes(n INTEGER)")
        s = sync(self.conn)
        before = self.conn.execute("SELECT count(*) FROM notes").fetchone()[0]
        PRIMARY.execute("INSERT INTO notes VALUES (1), (2), (3)")
        self.assertEqual(self.conn.execute("SELECT count(*) FROM notes").fetchone()[0], before,
                         "reads are local: nothing new before a sync")
        s = sync(self.conn)
        self.assertEqual(s["changed"], 1)
        self.assertGreater(s["pages"], 0)
        self.assertGreater(s["bytes"], 0)
        self.assertGreaterEqual(s["seconds"], 0.0)
        self.assertEqual(self.conn.execute("SELECT count(*) FROM notes").fetchone()[0],
                         before + 3)
        again = sync(self.conn)
        self.assertEqual(again["changed"], 0)
        self.assertEqual(again["pages"], 0)
        self.assertEqual(again["revision"], s["revision"])
        st = state(self.conn)
        self.assertEqual(st["revision"], s["revision"])
        self.assertGreaterEqual(st["syncs_ok"], 3)

    def test_sync_with_open_cursor_on_same_connection(self):
        PRIMARY.execute("CREATE TABLE IF NOT EXISTS many(n INTEGER)",
                        "INSERT INTO many VALUES (1),(2),(3),(4),(5)")
        sync(self.conn)
        reader = self.conn.cursor()
        reader.execute("SELECT n FROM many ORDER BY n")
        first = reader.fetchone()[0]
        PRIMARY.execute("INSERT INTO many VALUES (100)")
        s = sync(self.conn)  # must not wait on this connection's own read lock
        self.assertEqual(s["changed"], 1)
        rest = [r[0] for r in reader.fetchall()]
        self.assertEqual(first, 1)
        self.assertNotIn(100, rest, "an open cursor keeps the revision it started on")
        self.assertEqual(self.conn.execute("SELECT max(n) FROM many").fetchone()[0], 100)

    def test_sync_inside_a_reading_transaction_is_refused(self):
        conn = pyodbc.connect(replica_cs(PRIMARY, self.db), autocommit=False)
        try:
            conn.execute("SELECT count(*) FROM acct").fetchall()
            with self.assertRaises(pyodbc.Error) as cm:
                conn.execute("PRAGMA libsql_sync")
            self.assertEqual(cm.exception.args[0], "HY000")
            self.assertIn("commit or roll back", str(cm.exception))
            conn.rollback()
            self.assertEqual(len(conn.execute("PRAGMA libsql_sync").fetchall()), 1)
        finally:
            conn.close()

    def test_network_keys_are_accepted_and_echoed(self):
        raw = RawODBC()
        try:
            rc, diags = raw.connect(replica_cs(PRIMARY, self.db, ConnectTimeout=3,
                                               RequestTimeout=20, TlsInsecure=1))
            self.assertEqual(rc, 0, diags)
            for kv in ("ConnectTimeout=3", "RequestTimeout=20", "TlsInsecure=1",
                       "SyncUrl=" + PRIMARY.url):
                self.assertIn(kv, raw.out.split(";"))
        finally:
            raw.close()

    def test_prepared_pragma_reexecutes(self):
        cur = self.conn.cursor()
        for _ in range(3):
            cur.execute("PRAGMA libsql_state")
            self.assertEqual(len(cur.fetchall()), 1)
        raw = RawODBC()
        try:
            rc, diags = raw.connect(replica_cs(PRIMARY, self.db))
            self.assertEqual(rc, 0, diags)
            for sql in ("PRAGMA libsql_sync", "PRAGMA libsql_state"):
                self.assertEqual(raw.prepare_execute_twice(sql),
                                 [0, 0, 0, 100, 0, 0, 0, 100, 0], sql)
        finally:
            raw.close()

    def test_commands_inside_a_batch(self):
        cur = self.conn.cursor()
        cur.execute("PRAGMA libsql_state; SELECT 42 AS answer; PRAGMA libsql_sync; SELECT 7")
        self.assertEqual(len(cur.fetchall()), 1)
        self.assertTrue(cur.nextset())
        self.assertEqual(cur.description[0][0], "answer")
        self.assertEqual([tuple(r) for r in cur.fetchall()], [(42,)])
        self.assertTrue(cur.nextset())
        self.assertEqual(cur.description[0][0], "revision")
        self.assertEqual(len(cur.fetchall()), 1)
        self.assertTrue(cur.nextset())
        self.assertEqual([tuple(r) for r in cur.fetchall()], [(7,)])
        self.assertFalse(cur.nextset())

    def test_commit_closes_cursors_says_getinfo(self):
        # a replica's commit rolls the local preview back and pulls
        self.assertEqual(self.conn.getinfo(pyodbc.SQL_CURSOR_COMMIT_BEHAVIOR),
                         1)  # SQL_CB_CLOSE

    def test_unknown_command_and_argument(self):
        with self.assertRaises(pyodbc.Error) as cm:
            self.conn.execute("PRAGMA libsql_nonsense")
        self.assertEqual(cm.exception.args[0], "42000")
        with self.assertRaises(pyodbc.Error) as cm:
            self.conn.execute("PRAGMA libsql_sync = 1")
        self.assertEqual(cm.exception.args[0], "HY024")

    def test_file_stays_in_rollback_journal_mode(self):
        PRIMARY.execute("CREATE TABLE IF NOT EXISTS jm(x)", "INSERT INTO jm VALUES (1)")
        sync(self.conn)
        with open(self.db, "rb") as f:
            hdr = f.read(100)
        self.assertEqual(hdr[:16], b"SQLite format 3\x00")
        self.assertEqual((hdr[18], hdr[19]), (1, 1), "bytes 18-19 must say rollback journal")
        # a value-less PRAGMA describes the local file, even through the driver
        self.assertEqual(self.conn.execute("PRAGMA journal_mode").fetchone()[0], "delete")
        raw = sqlite3.connect(self.db)
        try:
            self.assertEqual(raw.execute("PRAGMA journal_mode").fetchone()[0], "delete")
            self.assertEqual(raw.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        finally:
            raw.close()


class ConnectSyncs(unittest.TestCase):
    def test_every_connect_syncs(self):
        db = os.path.join(TMP, "connect-syncs.db")
        PRIMARY.execute("CREATE TABLE IF NOT EXISTS cs(n INTEGER)")
        c1 = pyodbc.connect(replica_cs(PRIMARY, db), autocommit=True)
        try:
            PRIMARY.execute("INSERT INTO cs VALUES (42)")
            # a second connection while the first is open (shared replica) ...
            c2 = pyodbc.connect(replica_cs(PRIMARY, db), autocommit=True)
            self.assertEqual(c2.execute("SELECT count(*) FROM cs WHERE n = 42").fetchone()[0], 1)
            c2.close()
        finally:
            c1.close()
        # ... and a fresh one after every connection closed
        PRIMARY.execute("INSERT INTO cs VALUES (43)")
        c3 = pyodbc.connect(replica_cs(PRIMARY, db), autocommit=True)
        try:
            self.assertEqual(c3.execute("SELECT count(*) FROM cs WHERE n = 43").fetchone()[0], 1)
        finally:
            c3.close()


def dump_driver(conn, table):
    return [tuple(r) for r in conn.execute('SELECT * FROM "%s"' % table).fetchall()]


def dump_primary(table):
    return PRIMARY.query('SELECT * FROM "%s"' % table)


class SameContent(unittest.TestCase):
    def test_every_table_equals_the_primary(self):
        PRIMARY.execute("CREATE TABLE IF NOT EXISTS mix(i INTEGER, r REAL, t TEXT, b BLOB)",
                        "INSERT INTO mix VALUES (1, 0.5, 'a', x'01'), (NULL, -1e10, '', NULL), "
                        "(9223372036854775807, 3.0, 'ünï', x'deadbeef')")
        db = os.path.join(TMP, "same.db")
        conn = pyodbc.connect(replica_cs(PRIMARY, db), autocommit=True)
        try:
            sync(conn)
            tables = sorted(r[0] for r in conn.execute(
                "SELECT name FROM sqlite_schema WHERE type='table' "
                "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'turso_%'").fetchall())
            ptables = sorted(r[0] for r in PRIMARY.query(
                "SELECT name FROM sqlite_schema WHERE type='table' "
                "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'turso_%'"))
            self.assertEqual(tables, ptables)
            self.assertIn("mix", tables)
            for t in tables:
                mine = [tuple(bytes(v) if isinstance(v, (bytearray, memoryview)) else v
                              for v in row) for row in dump_driver(conn, t)]
                self.assertEqual(sorted(mine, key=repr), sorted(dump_primary(t), key=repr),
                                 "table %s differs" % t)
        finally:
            conn.close()


class SchemaChanges(unittest.TestCase):
    def test_ddl_arrives(self):
        db = os.path.join(TMP, "schema.db")
        conn = pyodbc.connect(replica_cs(PRIMARY, db), autocommit=True)
        try:
            PRIMARY.execute("CREATE TABLE sc(a INTEGER)", "INSERT INTO sc VALUES (1)")
            sync(conn)
            self.assertEqual(conn.execute("SELECT a FROM sc").fetchone()[0], 1)
            PRIMARY.execute("ALTER TABLE sc ADD COLUMN b TEXT DEFAULT 'dflt'")
            sync(conn)
            self.assertEqual(tuple(conn.execute("SELECT a, b FROM sc").fetchone()), (1, "dflt"))
            cols = [r.column_name for r in conn.cursor().columns(table="sc")]
            self.assertEqual(cols, ["a", "b"])
            PRIMARY.execute("CREATE INDEX sc_b ON sc(b)")
            sync(conn)
            self.assertEqual(conn.execute(
                "SELECT count(*) FROM sqlite_schema WHERE type='index' AND name='sc_b'"
            ).fetchone()[0], 1)
            PRIMARY.execute("DROP TABLE sc")
            sync(conn)
            with self.assertRaises(pyodbc.Error) as cm:
                conn.execute("SELECT * FROM sc")
            self.assertEqual(cm.exception.args[0], "42S02")
            self.assertEqual(conn.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        finally:
            conn.close()

    def test_unknown_table_syncs_once_and_retries(self):
        db = os.path.join(TMP, "retry.db")
        conn = pyodbc.connect(replica_cs(PRIMARY, db), autocommit=True)
        try:
            PRIMARY.execute("CREATE TABLE late(x)", "INSERT INTO late VALUES ('here')")
            # no explicit sync: the failed local prepare pulls and retries
            self.assertEqual(conn.execute("SELECT x FROM late").fetchone()[0], "here")
        finally:
            conn.close()


class Background(unittest.TestCase):
    def test_sync_interval_shares_one_thread(self):
        db = os.path.join(TMP, "interval.db")
        PRIMARY.execute("CREATE TABLE IF NOT EXISTS bg(n INTEGER)")
        base = threads()
        c1 = pyodbc.connect(replica_cs(PRIMARY, db, SyncInterval=1), autocommit=True)
        try:
            one = threads()
            self.assertEqual(one, base + 1, "one background sync thread per replica")
            c2 = pyodbc.connect(replica_cs(PRIMARY, db, SyncInterval=1), autocommit=True)
            try:
                self.assertEqual(threads(), one, "a second connection shares the replica")
                self.assertEqual(state(c2)["sync_interval"], 1)
                ok_before = state(c1)["syncs_ok"]
                PRIMARY.execute("INSERT INTO bg VALUES (7)")
                deadline = time.time() + 8
                seen = 0
                while time.time() < deadline and not seen:
                    seen = c2.execute("SELECT count(*) FROM bg WHERE n = 7").fetchone()[0]
                    if not seen:
                        time.sleep(0.2)
                self.assertEqual(seen, 1, "SyncInterval=1 must bring the row without a call")
                # the counter is updated just after the pages land: allow a moment
                while time.time() < deadline and state(c1)["syncs_ok"] <= ok_before:
                    time.sleep(0.1)
                self.assertGreater(state(c1)["syncs_ok"], ok_before)
            finally:
                c2.close()
        finally:
            c1.close()
        self.assertEqual(threads(), base, "the thread stops with the last connection")


class Offline(unittest.TestCase):
    def test_primary_down_then_back(self):
        p = Primary("primary-offline")
        raw = None
        try:
            p.execute("CREATE TABLE off(n INTEGER)", "INSERT INTO off VALUES (1)")
            db = os.path.join(TMP, "offline.db")
            pyodbc.connect(replica_cs(p, db), autocommit=True).close()  # bootstrap
            p.stop()
            raw = RawODBC()
            rc, diags = raw.connect(replica_cs(p, db, ConnectTimeout=2))
            self.assertEqual(rc, 1, "SQL_SUCCESS_WITH_INFO expected, diags %r" % diags)
            self.assertEqual(diags[0][0], "01000")
            self.assertIn("without syncing", diags[0][1])
            conn = pyodbc.connect(replica_cs(p, db, ConnectTimeout=2), autocommit=True)
            try:
                self.assertEqual(conn.execute("SELECT n FROM off").fetchone()[0], 1)
                with self.assertRaises(pyodbc.Error) as cm:
                    sync(conn)
                self.assertEqual(cm.exception.args[0], "08S01")
                st = state(conn)
                self.assertGreaterEqual(st["syncs_failed"], 1)
                self.assertTrue(st["last_error"])
                self.assertEqual(conn.execute("SELECT n FROM off").fetchone()[0], 1)
                p.restart_same_port()
                p.execute("INSERT INTO off VALUES (2)")
                s = sync(conn)
                self.assertEqual(s["changed"], 1)
                self.assertEqual(conn.execute("SELECT sum(n) FROM off").fetchone()[0], 3)
                self.assertIsNone(state(conn)["last_error"])
            finally:
                conn.close()
        finally:
            if raw:
                raw.close()
            p.stop()

    def test_silent_primary_times_out(self):
        p = Primary("primary-silent")
        sock = None
        try:
            p.execute("CREATE TABLE quiet(n INTEGER)", "INSERT INTO quiet VALUES (5)")
            db = os.path.join(TMP, "silent.db")
            pyodbc.connect(replica_cs(p, db), autocommit=True).close()  # bootstrap
            p.stop()
            # same address, accepts TCP connections (kernel backlog), never answers
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", p.port))
            sock.listen(16)
            t0 = time.time()
            raw = RawODBC()
            try:
                rc, diags = raw.connect(replica_cs(p, db, RequestTimeout=2))
            finally:
                raw.close()
            elapsed = time.time() - t0
            self.assertEqual(rc, 1, diags)
            self.assertEqual(diags[0][0], "01000")
            self.assertLess(elapsed, 15, "RequestTimeout=2 must bound the connect's sync")
            conn = pyodbc.connect(replica_cs(p, db, RequestTimeout=2), autocommit=True)
            try:
                self.assertEqual(conn.execute("SELECT n FROM quiet").fetchone()[0], 5)
                with self.assertRaises(pyodbc.Error) as cm:
                    sync(conn)
                self.assertEqual(cm.exception.args[0], "HYT00")
            finally:
                conn.close()
        finally:
            if sock:
                sock.close()
            p.stop()

    def test_file_from_another_primary(self):
        a = Primary("primary-a")
        b = None
        try:
            a.execute("CREATE TABLE fa(x)")
            db = os.path.join(TMP, "from-a.db")
            pyodbc.connect(replica_cs(a, db), autocommit=True).close()
            b = Primary("primary-b")
            b.execute("CREATE TABLE fb(y)")
            with self.assertRaises(pyodbc.Error) as cm:
                pyodbc.connect(replica_cs(b, db), autocommit=True)
            self.assertIn("different primary", str(cm.exception))
            # the file is untouched and still serves primary A
            conn = pyodbc.connect(replica_cs(a, db), autocommit=True)
            conn.execute("SELECT * FROM fa").fetchall()
            conn.close()
        finally:
            a.stop()
            if b:
                b.stop()

    def test_local_connection_refuses_commands(self):
        conn = pyodbc.connect("DRIVER=libSQL;Database=%s;Create=1" %
                              os.path.join(TMP, "plain.db"), autocommit=True)
        try:
            for cmd in ("PRAGMA libsql_sync", "PRAGMA libsql_state"):
                with self.assertRaises(pyodbc.Error) as cm:
                    conn.execute(cmd)
                self.assertEqual(cm.exception.args[0], "HY000")
                self.assertIn("not a replica", str(cm.exception))
        finally:
            conn.close()


class IndependentClient(unittest.TestCase):
    def test_rows_pushed_by_tursodatabase_sync_arrive(self):
        PRIMARY.execute("CREATE TABLE IF NOT EXISTS pushed(who TEXT, n INTEGER)")
        db = os.path.join(TMP, "indep.db")
        conn = pyodbc.connect(replica_cs(PRIMARY, db), autocommit=True)
        try:
            cdir = os.path.join(TMP, "sync-client")
            os.makedirs(cdir, exist_ok=True)
            r = subprocess.run(["node", os.path.join(NODE_DIR, "sync_push.js"), PRIMARY.url, cdir,
                                "INSERT INTO pushed VALUES ('npm', 1)",
                                "INSERT INTO pushed VALUES ('npm', 2)"],
                               env=CLEAN_ENV, capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(sorted(PRIMARY.query("SELECT n FROM pushed WHERE who='npm'")),
                             [(1,), (2,)], "the push must have reached the primary")
            sync(conn)
            rows = conn.execute("SELECT n FROM pushed WHERE who='npm' ORDER BY n").fetchall()
            self.assertEqual([x[0] for x in rows], [1, 2])
        finally:
            conn.close()


if __name__ == "__main__":
    if not os.access(TURSODB, os.X_OK):
        fail_to_run("tursodb missing at %s (run `npm ci` in tests/node)" % TURSODB)
    sys.exit(unittest_main())
