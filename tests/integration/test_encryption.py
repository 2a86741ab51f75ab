#!/usr/bin/python3
"""test_encryption.py — EncryptionKey (docs/encryption.md) through pyodbc:
files written by the driver open in the npm package `libsql` 0.5.29 with the
same key and the reverse (tests/node/libsql_crypt.js); no plaintext on disk
for local writes and for pages pulled from a REAL primary (primary.sh),
including the journal a process killed mid-sync leaves; the three key
mismatches fail at connect with 28000, say which, and change nothing; a
crash at every page-applier kill point recovers with the key; files are
created 0600; the key never appears in a diagnostic.

Run by tests/integration/run.sh (Debian's /usr/bin/python3 with pyodbc;
LSQ_TEST_TMP is a scratch dir). Prints "N passed, M failed"; exits non-zero
on failure.
"""
import glob
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import unittest

from lsqtest import CLEAN_ENV, NODE_DIR, TMP, Primary, fail_to_run, pyodbc, unittest_main

LIBSQL_JS = os.path.join(NODE_DIR, "libsql_crypt.js")
KEY = "s3cr3t-Key-for-tests"
CRASH_POINTS = ["journal-written", "pages-half-written", "pages-written", "journal-deleted",
                "before-meta"]

if not shutil.which("node") or not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "libsql")):
    fail_to_run("node and tests/node/node_modules/libsql are needed (scripts/deps.sh)")


def path(name):
    return os.path.join(TMP, name)


def local_cs(db, key=None, create=True):
    s = "DRIVER=libSQL;Database=%s" % db
    if create:
        s += ";Create=1"
    if key is not None:
        s += ";EncryptionKey=%s" % key
    return s


def libsql(db, key, mode, sql):
    """Run SQL in the npm `libsql` package; rows for mode 'query'."""
    r = subprocess.run(["node", LIBSQL_JS, db, key, mode, sql], env=CLEAN_ENV,
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("libsql failed: %s" % r.stderr.strip())
    return json.loads(r.stdout) if mode == "query" else None


def sha(p):
    with open(p, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def files_of(db):
    """The database and every file beside it that belongs to it."""
    return sorted(glob.glob(glob.escape(db) + "*"))


def find_markers(files, marker):
    hits = []
    for p in files:
        with open(p, "rb") as f:
            if marker.encode() in f.read():
                hits.append(p)
    return hits


def connect_error(cs):
    try:
        c = pyodbc.connect(cs, autocommit=True)
    except pyodbc.Error as e:
        return e
    c.close()
    return None


def replica_cs(primary, db, key=KEY):
    s = "DRIVER=libSQL;Database=%s;SyncUrl=%s" % (db, primary.url)
    if key:
        s += ";EncryptionKey=%s" % key
    return s


class TestCompatibility(unittest.TestCase):
    def test_driver_file_opens_in_libsql(self):
        db = path("drv.db")
        c = pyodbc.connect(local_cs(db, KEY), autocommit=True)
        cur = c.cursor()
        cur.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, v REAL)")
        cur.executemany("INSERT INTO t VALUES (?, ?, ?)",
                        [(i, "row %d" % i, i * 1.5) for i in range(1, 301)])
        rows = [tuple(r) for r in cur.execute("SELECT id, name, v FROM t ORDER BY id")]
        c.close()
        got = libsql(db, KEY, "query", "SELECT id, name, v FROM t ORDER BY id")
        self.assertEqual([tuple(r) for r in got], rows)
        self.assertEqual(libsql(db, KEY, "query", "PRAGMA integrity_check"), [["ok"]])

    def test_libsql_file_opens_in_driver(self):
        db = path("node.db")
        libsql(db, KEY, "exec",
               "CREATE TABLE n(id INTEGER PRIMARY KEY, s TEXT);"
               "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<500) "
               "INSERT INTO n SELECT i, 'node ' || i FROM c;")
        c = pyodbc.connect(local_cs(db, KEY, create=False), autocommit=True)
        cur = c.cursor()
        self.assertEqual(cur.execute("SELECT count(*), max(s) FROM n").fetchone()[1], "node 99")
        self.assertEqual(cur.execute("SELECT count(*) FROM n").fetchone()[0], 500)
        # and the driver's write is read back by libsql
        cur.execute("INSERT INTO n VALUES (501, 'from the driver')")
        c.close()
        self.assertEqual(libsql(db, KEY, "query", "SELECT s FROM n WHERE id = 501"),
                         [["from the driver"]])


class TestNoPlaintext(unittest.TestCase):
    def test_local_writes(self):
        db = path("marks.db")
        c = pyodbc.connect(local_cs(db, KEY), autocommit=False)
        cur = c.cursor()
        cur.execute("CREATE TABLE m(id INTEGER PRIMARY KEY, s TEXT)")
        cur.executemany("INSERT INTO m VALUES (?, ?)",
                        [(i, "LOCALMARKER-%05d" % i) for i in range(2000)])
        c.commit()
        cur.execute("CREATE TEMP TABLE tt AS SELECT * FROM m")  # temp_store=MEMORY
        cur.execute("SELECT s FROM m ORDER BY s DESC").fetchall()
        c.commit()
        c.close()
        self.assertEqual(find_markers(files_of(db), "LOCALMARKER"), [])
        self.assertEqual(find_markers(files_of(db), "SQLite format 3"), [])
        self.assertEqual(stat.S_IMODE(os.stat(db).st_mode), 0o600)


class TestKeyMismatch(unittest.TestCase):
    def check(self, db, cs, words):
        before = {p: sha(p) for p in files_of(db)}
        e = connect_error(cs)
        self.assertIsNotNone(e, "connect should have failed")
        self.assertEqual(e.args[0], "28000", str(e))
        self.assertIn(words, str(e))
        self.assertNotIn(KEY, str(e))
        self.assertNotIn("wrongkey-XYZ", str(e))
        self.assertEqual({p: sha(p) for p in files_of(db)}, before)

    def test_three_cases(self):
        enc = path("enc.db")
        plain = path("plain.db")
        c = pyodbc.connect(local_cs(enc, KEY), autocommit=True)
        c.cursor().execute("CREATE TABLE x(y)")
        c.close()
        c = pyodbc.connect(local_cs(plain), autocommit=True)
        c.cursor().execute("CREATE TABLE x(y)")
        c.close()
        self.check(enc, local_cs(enc, "wrongkey-XYZ", create=False), "wrong EncryptionKey")
        self.check(enc, local_cs(enc, None, create=False),
                   "the file is encrypted but no EncryptionKey was given")
        self.check(plain, local_cs(plain, KEY, create=False),
                   "EncryptionKey given but the file is not encrypted")

    def test_key_not_in_statement_error(self):
        db = path("diag.db")
        c = pyodbc.connect(local_cs(db, KEY), autocommit=True)
        with self.assertRaises(pyodbc.Error) as cm:
            c.cursor().execute("SELEC oops")
        self.assertNotIn(KEY, str(cm.exception))
        with self.assertRaises(pyodbc.Error) as cm:
            c.cursor().execute("SELECT * FROM no_such_table")
        self.assertNotIn(KEY, str(cm.exception))
        c.close()


class TestReplica(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.primary = Primary("enc-primary")

    @classmethod
    def tearDownClass(cls):
        cls.primary.stop()

    def add_rows(self, tag, n):
        # tursodb has no recursive CTEs: one multi-row VALUES
        values = ",".join("('%s-%s')" % (tag, str(i).zfill(200)) for i in range(n))
        self.primary.execute("INSERT INTO p(s) VALUES " + values)

    def test_pulled_pages_and_crashes(self):
        p = self.primary
        p.execute("CREATE TABLE IF NOT EXISTS p(id INTEGER PRIMARY KEY, s TEXT)")
        self.add_rows("PULLMARKER", 300)
        db = path("replica.db")
        c = pyodbc.connect(replica_cs(p, db), autocommit=True)
        n = c.cursor().execute("SELECT count(*) FROM p WHERE s LIKE 'PULLMARKER%'").fetchone()[0]
        self.assertEqual(n, 300)
        c.close()
        self.assertEqual(find_markers(files_of(db), "PULLMARKER"), [])
        for f in files_of(db):
            self.assertEqual(stat.S_IMODE(os.stat(f).st_mode), 0o600, f)
        # the replica opens in libsql with the key too
        self.assertEqual(libsql(db, KEY, "query", "SELECT count(*) FROM p"), [[300]])

        for point in CRASH_POINTS:
            with self.subTest(point=point):
                old_count = p.count("SELECT count(*) FROM p")
                self.add_rows("CRASH" + point.replace("-", "").upper(), 100)
                env = dict(os.environ, LSQ_CRASH_AT=point)
                r = subprocess.run(
                    [sys.executable, "-c",
                     "import pyodbc,sys; pyodbc.connect(sys.argv[1], autocommit=True)",
                     replica_cs(p, db)], env=env, capture_output=True, text=True, timeout=120)
                self.assertEqual(r.returncode, 99, "no crash at %s: %s" % (point, r.stderr))
                left = files_of(db)
                if point in ("journal-written", "pages-half-written", "pages-written"):
                    self.assertIn(db + "-journal", left)
                self.assertEqual(find_markers(left, "CRASH"), [], point)
                self.assertEqual(find_markers(left, "PULLMARKER"), [], point)
                if point == "pages-written":
                    # the hot journal is in libsql's format too: libsql rolls
                    # it back and finds the old revision intact
                    self.assertEqual(libsql(db, KEY, "query", "PRAGMA integrity_check"),
                                     [["ok"]])
                    self.assertFalse(os.path.exists(db + "-journal"))
                    self.assertEqual(libsql(db, KEY, "query", "SELECT count(*) FROM p"),
                                     [[old_count]])
                c = pyodbc.connect(replica_cs(p, db), autocommit=True)
                cur = c.cursor()
                self.assertEqual(cur.execute("PRAGMA integrity_check").fetchone()[0], "ok")
                want = p.count("SELECT count(*) FROM p")
                self.assertEqual(cur.execute("SELECT count(*) FROM p").fetchone()[0], want)
                c.close()
                self.assertFalse(os.path.exists(db + "-journal"))

        # wrong and missing keys on the replica file
        before = {f: sha(f) for f in files_of(db)}
        e = connect_error(replica_cs(p, db, key="wrongkey-XYZ"))
        self.assertIsNotNone(e)
        self.assertEqual(e.args[0], "28000")
        self.assertIn("wrong EncryptionKey", str(e))
        e = connect_error(replica_cs(p, db, key=None))
        self.assertIsNotNone(e)
        self.assertEqual(e.args[0], "28000")
        self.assertIn("no EncryptionKey was given", str(e))
        self.assertEqual({f: sha(f) for f in files_of(db)}, before)

        # control: without a key the same pages are readable on disk, so the
        # scans above can find markers when they are there
        plain = path("replica-plain.db")
        pyodbc.connect(replica_cs(p, plain, key=None), autocommit=True).close()
        self.assertNotEqual(find_markers(files_of(plain), "PULLMARKER"), [])


if __name__ == "__main__":
    sys.exit(unittest_main())
