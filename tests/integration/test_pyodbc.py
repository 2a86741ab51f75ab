#!/usr/bin/python3
"""test_pyodbc.py — the driver as Python applications see it, through
pyodbc and unixODBC: connecting (DSN-less and through odbc.ini), cursor
fetch styles, every Python parameter type round-tripping with the right
Python type per declared column type, cursor.description, catalog
functions, row counts, error classes with SQLSTATEs, manual commit and
fast_executemany.

Run by tests/integration/run.sh (Debian's /usr/bin/python3, which has
pyodbc; LSQ_TEST_TMP is a scratch dir). Prints "N passed, M failed" and
exits non-zero when anything fails or cannot run.
"""
import datetime
import decimal
import os
import sys
import unittest

from lsqtest import TMP, pyodbc, unittest_main


def conn_str(name):
    return "DRIVER=libSQL;Database=%s;Create=1" % os.path.join(TMP, name)


class Base(unittest.TestCase):
    autocommit = True

    def setUp(self):
        self.db_name = self.id().split(".")[-1] + ".db"
        self.cnxn = pyodbc.connect(conn_str(self.db_name), autocommit=self.autocommit)
        self.cur = self.cnxn.cursor()

    def tearDown(self):
        try:
            self.cnxn.close()
        except pyodbc.Error:
            pass


class TestConnect(unittest.TestCase):
    def test_dsnless(self):
        c = pyodbc.connect(conn_str("dsnless.db"), autocommit=True)
        self.assertEqual(c.cursor().execute("SELECT 1 + 1").fetchone()[0], 2)
        self.assertTrue(os.path.exists(os.path.join(TMP, "dsnless.db")))
        c.close()

    def test_dsn_from_odbc_ini(self):
        ini = os.environ.get("ODBCINI") or os.path.join(TMP, "odbc.ini")
        with open(ini, "a") as f:
            f.write("\n[pyodbc_dsn]\nDriver=libSQL\nDatabase=%s\nCreate=1\n"
                    % os.path.join(TMP, "dsn.db"))
        c = pyodbc.connect("DSN=pyodbc_dsn", autocommit=True)
        cur = c.cursor()
        cur.execute("CREATE TABLE t(x INTEGER)")
        cur.execute("INSERT INTO t VALUES (7)")
        self.assertEqual(cur.execute("SELECT x FROM t").fetchone()[0], 7)
        c.close()
        self.assertTrue(os.path.exists(os.path.join(TMP, "dsn.db")))

    def test_getinfo(self):
        c = pyodbc.connect(conn_str("info.db"), autocommit=True)
        self.assertTrue(c.getinfo(pyodbc.SQL_DRIVER_NAME))
        self.assertTrue(c.getinfo(pyodbc.SQL_DBMS_NAME))
        c.close()


class TestFetch(Base):
    def setUp(self):
        super().setUp()
        self.cur.execute("CREATE TABLE n(i INTEGER PRIMARY KEY, s TEXT)")
        self.cur.executemany("INSERT INTO n(i, s) VALUES (?, ?)",
                             [(i, "row%d" % i) for i in range(10)])

    def test_fetch_styles(self):
        self.cur.execute("SELECT i, s FROM n ORDER BY i")
        row = self.cur.fetchone()
        self.assertEqual((row.i, row.s), (0, "row0"))
        self.assertEqual([r[0] for r in self.cur.fetchmany(3)], [1, 2, 3])
        rest = self.cur.fetchall()
        self.assertEqual([r[0] for r in rest], list(range(4, 10)))
        self.assertIsNone(self.cur.fetchone())

    def test_iterate_and_count(self):
        self.assertEqual(self.cur.execute("SELECT count(*) FROM n").fetchval(), 10)
        self.assertEqual(sum(r.i for r in self.cur.execute("SELECT i FROM n")), 45)

    def test_rowcount_after_update(self):
        self.cur.execute("UPDATE n SET s = 'x' WHERE i < 4")
        self.assertEqual(self.cur.rowcount, 4)
        self.cur.execute("DELETE FROM n WHERE i >= 8")
        self.assertEqual(self.cur.rowcount, 2)
        self.cur.execute("UPDATE n SET s = 'y' WHERE i > 100")
        self.assertEqual(self.cur.rowcount, 0)

    def test_escapes(self):
        self.assertEqual(self.cur.execute("SELECT {fn UCASE('abc')}").fetchval(), "ABC")
        self.assertEqual(self.cur.execute(
            "SELECT {fn CONCAT(s, '!')} FROM n WHERE i = 1").fetchval(), "row1!")
        self.assertEqual(self.cur.execute("SELECT {d '2024-01-31'}").fetchval(), "2024-01-31")


class TestFastExecutemany(Base):
    """pyodbc's fast_executemany binds packed row-wise parameter arrays."""

    def test_fast_executemany(self):
        self.cur.execute("CREATE TABLE f(a INTEGER, b TEXT, c REAL)")
        self.cur.fast_executemany = True
        rows = [(i, "t\u00e9xt%d" % i, i / 4) for i in range(200)]
        self.cur.executemany("INSERT INTO f VALUES (?, ?, ?)", rows)
        got = self.cur.execute("SELECT a, b, c FROM f ORDER BY a").fetchall()
        self.assertEqual([tuple(r) for r in got], rows)


class TestTypes(Base):
    COLUMNS = [
        ("c_int", "INTEGER", 2 ** 40 + 3, int),
        ("c_real", "REAL", 3.25, float),
        ("c_text", "TEXT", "h\u00e9llo \u00f1 \U0001F600 \u4e2d\u6587", str),
        ("c_blob", "BLOB", b"\x00\xff\x10binary", bytes),
        ("c_num", "NUMERIC(10,2)", decimal.Decimal("12.34"), decimal.Decimal),
        ("c_date", "DATE", datetime.date(2024, 2, 29), datetime.date),
        ("c_time", "TIME", datetime.time(13, 14, 15), datetime.time),
        ("c_ts", "TIMESTAMP", datetime.datetime(2024, 1, 2, 3, 4, 5, 123000), datetime.datetime),
        ("c_bool", "BOOLEAN", True, bool),
    ]

    def setUp(self):
        super().setUp()
        cols = ", ".join("%s %s" % (n, t) for n, t, _, _ in self.COLUMNS)
        self.cur.execute("CREATE TABLE ty(id INTEGER PRIMARY KEY, %s)" % cols)

    def insert(self, values):
        names = ", ".join(n for n, _, _, _ in self.COLUMNS)
        marks = ", ".join("?" for _ in self.COLUMNS)
        self.cur.execute("INSERT INTO ty(%s) VALUES (%s)" % (names, marks), *values)

    def test_round_trip_every_type(self):
        self.insert([v for _, _, v, _ in self.COLUMNS])
        row = self.cur.execute("SELECT * FROM ty").fetchone()
        for (name, decl, value, pytype) in self.COLUMNS:
            with self.subTest(column=name, decl=decl):
                got = getattr(row, name)
                self.assertIsInstance(got, pytype, "%s %s -> %r" % (name, decl, got))
                self.assertEqual(got, value)

    def test_none_everywhere(self):
        self.insert([None] * len(self.COLUMNS))
        row = self.cur.execute("SELECT * FROM ty").fetchone()
        for (name, _, _, _) in self.COLUMNS:
            self.assertIsNone(getattr(row, name), name)

    def test_description_type_codes(self):
        self.cur.execute("SELECT * FROM ty")
        codes = {d[0]: d[1] for d in self.cur.description}
        for (name, decl, _, pytype) in self.COLUMNS:
            with self.subTest(column=name, decl=decl):
                # pyodbc describes binary columns as bytearray (values are bytes).
                self.assertIs(codes[name], bytearray if pytype is bytes else pytype)
        self.assertIs(codes["id"], int)

    def test_ints_and_floats_edge_values(self):
        self.cur.execute("CREATE TABLE e(i INTEGER, r REAL)")
        vals = [(0, 0.0), (-1, -1.5), (2 ** 31, 1e300), (-(2 ** 63), 2.2250738585072014e-308),
                (2 ** 63 - 1, 0.1)]
        self.cur.executemany("INSERT INTO e VALUES (?, ?)", vals)
        got = [tuple(r) for r in self.cur.execute("SELECT i, r FROM e").fetchall()]
        self.assertEqual(got, vals)

    def test_long_values_in_pieces(self):
        # Long enough that pyodbc reads them with several SQLGetData calls.
        text = ("\u00e9\U0001F600abc" * 40000)
        blob = bytes(range(256)) * 2000
        self.cur.execute("CREATE TABLE big(t TEXT, b BLOB)")
        self.cur.execute("INSERT INTO big VALUES (?, ?)", text, blob)
        t, b = self.cur.execute("SELECT t, b FROM big").fetchone()
        self.assertEqual(len(t), len(text))
        self.assertEqual(t, text)
        self.assertEqual(b, blob)

    def test_decimal_values(self):
        self.cur.execute("CREATE TABLE d(x NUMERIC(10,2))")
        vals = [decimal.Decimal("0.10"), decimal.Decimal("-99.99"), decimal.Decimal("12345678.90")]
        self.cur.executemany("INSERT INTO d VALUES (?)", [(v,) for v in vals])
        got = [r[0] for r in self.cur.execute("SELECT x FROM d").fetchall()]
        self.assertEqual(got, vals)

    def test_parameters_in_expressions(self):
        # No declared type: the value's own storage class decides.
        for value in (7, 2 ** 62, -0.5, "\u00e9t\u00e9 \U0001F680", b"\x01\x02", None):
            with self.subTest(value=value):
                got = self.cur.execute("SELECT ?", value).fetchval()
                self.assertEqual(got, value)
                if value is not None:
                    self.assertIsInstance(got, type(value))

    def test_type_info(self):
        rows = self.cur.getTypeInfo(0).fetchall()  # 0 = SQL_ALL_TYPES
        self.assertGreater(len(rows), 5)
        types = {r.data_type for r in rows}
        for t in (pyodbc.SQL_INTEGER, pyodbc.SQL_DOUBLE, pyodbc.SQL_TYPE_TIMESTAMP):
            self.assertIn(t, types)

    def test_string_parameter_to_integer_comparison(self):
        self.cur.execute("INSERT INTO ty(id, c_int) VALUES (1, 42)")
        self.assertEqual(self.cur.execute("SELECT id FROM ty WHERE c_int = ?", 42).fetchval(), 1)


class TestCatalog(Base):
    def setUp(self):
        super().setUp()
        self.cur.execute("CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        self.cur.execute("CREATE TABLE child(id INTEGER, pid INTEGER REFERENCES parent(id), "
                         "code VARCHAR(20), PRIMARY KEY (id, pid))")
        self.cur.execute("CREATE UNIQUE INDEX child_code ON child(code)")
        self.cur.execute("CREATE VIEW v AS SELECT * FROM parent")

    def test_tables(self):
        rows = self.cur.tables().fetchall()
        names = {r.table_name: r.table_type for r in rows}
        self.assertEqual(names.get("parent"), "TABLE")
        self.assertEqual(names.get("child"), "TABLE")
        self.assertEqual(names.get("v"), "VIEW")
        only = [r.table_name for r in self.cur.tables(table="par%").fetchall()]
        self.assertEqual(only, ["parent"])

    def test_columns(self):
        rows = self.cur.columns(table="child").fetchall()
        self.assertEqual([r.column_name for r in rows], ["id", "pid", "code"])
        code = rows[2]
        # VARCHAR(20) is reported as SQL_VARCHAR, or SQL_WVARCHAR when the
        # driver presents text as Unicode (its typemap "wide" setting).
        self.assertIn(code.data_type, (pyodbc.SQL_VARCHAR, pyodbc.SQL_WVARCHAR))
        self.assertEqual(code.column_size, 20)
        self.assertEqual(code.ordinal_position, 3)
        name = self.cur.columns(table="parent", column="name").fetchone()
        self.assertEqual(name.nullable, 0)

    def test_primary_keys(self):
        rows = self.cur.primaryKeys("child").fetchall()
        self.assertEqual([(r.column_name, r.key_seq) for r in rows], [("id", 1), ("pid", 2)])

    def test_statistics(self):
        rows = [r for r in self.cur.statistics("child").fetchall() if r.index_name]
        self.assertIn("child_code", {r.index_name for r in rows})
        code = [r for r in rows if r.index_name == "child_code"][0]
        self.assertEqual(code.non_unique, 0)
        self.assertEqual(code.column_name, "code")


class TestErrors(Base):
    def test_integrity_error(self):
        self.cur.execute("CREATE TABLE u(x INTEGER PRIMARY KEY)")
        self.cur.execute("INSERT INTO u VALUES (1)")
        with self.assertRaises(pyodbc.IntegrityError) as cm:
            self.cur.execute("INSERT INTO u VALUES (1)")
        self.assertIn("23000", str(cm.exception))

    def test_not_null_violation(self):
        self.cur.execute("CREATE TABLE nn(x TEXT NOT NULL)")
        with self.assertRaises(pyodbc.IntegrityError) as cm:
            self.cur.execute("INSERT INTO nn VALUES (?)", None)
        self.assertIn("23000", str(cm.exception))

    def test_syntax_error(self):
        with self.assertRaises(pyodbc.ProgrammingError) as cm:
            self.cur.execute("SELEC 1")
        self.assertIn("42000", str(cm.exception))

    def test_missing_table(self):
        with self.assertRaises(pyodbc.ProgrammingError) as cm:
            self.cur.execute("SELECT * FROM no_such_table")
        self.assertIn("42S02", str(cm.exception))

    def test_call_escape_rejected(self):
        with self.assertRaises(pyodbc.Error) as cm:
            self.cur.execute("{call p(1)}")
        self.assertIn("procedures are not supported", str(cm.exception))

    def test_bad_number_text_for_integer(self):
        # A str bound for an INTEGER comparison stays text: no error, no row.
        self.cur.execute("CREATE TABLE z(i INTEGER)")
        self.cur.execute("INSERT INTO z VALUES (1)")
        self.assertIsNone(self.cur.execute("SELECT i FROM z WHERE i = ?", "abc").fetchone())


class TestTransactions(Base):
    autocommit = False

    def test_commit_and_rollback(self):
        self.cur.execute("CREATE TABLE tx(x INTEGER)")
        self.cnxn.commit()
        self.cur.execute("INSERT INTO tx VALUES (1)")
        self.assertEqual(self.cur.execute("SELECT count(*) FROM tx").fetchval(), 1)
        self.cnxn.rollback()
        self.assertEqual(self.cur.execute("SELECT count(*) FROM tx").fetchval(), 0)
        self.cur.execute("INSERT INTO tx VALUES (2)")
        self.cnxn.commit()
        other = pyodbc.connect(conn_str(self.db_name), autocommit=True)
        self.assertEqual(other.cursor().execute("SELECT x FROM tx").fetchall()[0][0], 2)
        other.close()

    def test_autocommit_switch(self):
        self.assertFalse(self.cnxn.autocommit)
        self.cnxn.autocommit = True
        self.cur.execute("CREATE TABLE ac(x INTEGER)")
        self.cur.execute("INSERT INTO ac VALUES (5)")
        other = pyodbc.connect(conn_str(self.db_name), autocommit=True)
        self.assertEqual(other.cursor().execute("SELECT x FROM ac").fetchval(), 5)
        other.close()


def run_tests(names):
    module = sys.modules[__name__]
    suite = unittest.defaultTestLoader.loadTestsFromNames(names, module)
    return unittest_main(suite)


def main():
    # With arguments: run the named tests ("TestTypes", "TestFetch.test_escapes")
    # in this process. Without: run each test class in a child process, so a
    # driver crash (a sanitizer abort) fails that class loudly and the other
    # classes still report.
    if len(sys.argv) > 1:
        return run_tests(sys.argv[1:])
    import re
    import subprocess
    classes = sorted(name for name, obj in globals().items()
                     if isinstance(obj, type) and issubclass(obj, unittest.TestCase)
                     and obj is not Base and name.startswith("Test"))
    total_passed = total_failed = 0
    for name in classes:
        sys.stdout.flush()
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), name],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        sys.stdout.write(proc.stdout)
        m = re.search(r"^(\d+) passed, (\d+) failed$", proc.stdout, re.M)
        if m and proc.returncode in (0, 1):
            total_passed += int(m.group(1))
            total_failed += int(m.group(2))
        else:
            count = unittest.defaultTestLoader.loadTestsFromName(name, sys.modules[__name__])
            n = count.countTestCases()
            print("FAIL: %s crashed (exit %d); counting its %d tests as failed"
                  % (name, proc.returncode, n))
            total_failed += n
    print("%d passed, %d failed" % (total_passed, total_failed))
    return 0 if total_failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
