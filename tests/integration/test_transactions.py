#!/usr/bin/python3
"""test_transactions.py — manual-commit transactions on an embedded replica
(issue 4), through pyodbc and unixODBC, against the real primary
(tests/node/primary.sh: tursodb --sync-server).

What must hold (docs/transactions.md):
- with autocommit off, the application's own uncommitted writes are visible
  on its connection at once, with exact row counts, and are NOT on the
  primary (checked directly through its /v2/pipeline) until commit; after
  commit all of them are there, and the local replica shows them;
- rollback discards them everywhere;
- BEGIN ... COMMIT in SQL with autocommit on does the same;
- when the primary changes underneath (a row the transaction's UPDATE would
  also have touched is inserted directly on the primary), commit fails with
  40001 and none of the transaction's rows reach the primary;
- a constraint error inside a transaction shows at once (23000) and the
  transaction goes on; the connection is usable after every failure;
- SAVEPOINT / ROLLBACK TO / RELEASE work on the queue.

Run by tests/integration/run.sh. Prints "N passed, M failed"; exits non-zero
when anything fails or cannot run. The primary is always stopped.
"""
import json
import os
import subprocess
import sys

from lsqtest import (CHILD_ENV, PRIMARY_SH, SRC, TMP, CheckFailed, Primary, check, pyodbc,
                     report, run_cases, sqlstate)

PRIMARY_DIR = os.path.join(TMP, "primary")  # where Primary("primary") lives
PASSED, FAILED = [], []
PRIMARY = URL = None


def primary(sql):
    """Run one statement on the primary directly; returns its rows as lists
    of Python values."""
    return PRIMARY.query_lists(sql)


def ids_independent(tag):
    """The primary's ids as an independent client sees them: the npm
    package @tursodatabase/sync (tests/node/sync_query.js) pulls its own
    copy. (@libsql/client cannot talk to tursodb 0.6.0, see that script.)"""
    out = subprocess.run(["node", os.path.join(SRC, "tests", "node", "sync_query.js"), URL,
                          os.path.join(TMP, "independent-" + tag),
                          "SELECT id FROM t ORDER BY id"],
                         env=CHILD_ENV, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise CheckFailed("independent client failed: %s" % out.stderr.strip()[-300:])
    return [int(r[0]) for r in json.loads(out.stdout)]


def connect(name, autocommit):
    db = os.path.join(TMP, name + ".db")
    return pyodbc.connect("Driver=libSQL;Database=%s;SyncUrl=%s" % (db, URL),
                          autocommit=autocommit)


def reset_table():
    primary("DROP TABLE IF EXISTS t")
    primary("CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT, v TEXT)")
    primary("INSERT INTO t VALUES (1,'x','one'),(2,'x','two'),(3,'y','three')")


def ids_on_primary():
    return [r[0] for r in primary("SELECT id FROM t ORDER BY id")]


def ids_local(cur):
    return [r[0] for r in cur.execute("SELECT id FROM t ORDER BY id").fetchall()]


# ---- cases ---------------------------------------------------------------

def t_manual_commit():
    reset_table()
    cn = connect("manual", autocommit=False)
    try:
        cur = cn.cursor()
        check(ids_local(cur) == [1, 2, 3], "replica starts with the primary's rows")
        cur.execute("INSERT INTO t VALUES (10,'z','ten')")
        check(cur.rowcount == 1, "INSERT row count %r" % cur.rowcount)
        cur.execute("INSERT INTO t VALUES (?,?,?)", 11, "z", "eleven")
        check(cur.rowcount == 1, "parameterised INSERT row count %r" % cur.rowcount)
        cur.execute("UPDATE t SET v = 'X' WHERE k = 'x'")
        check(cur.rowcount == 2, "UPDATE row count %r (want 2)" % cur.rowcount)
        check(ids_local(cur) == [1, 2, 3, 10, 11], "own writes visible locally")
        v = cur.execute("SELECT v FROM t WHERE id = 1").fetchone()[0]
        check(v == "X", "own UPDATE visible locally: %r" % v)
        check(ids_on_primary() == [1, 2, 3], "nothing on the primary before commit")
        check(primary("SELECT v FROM t WHERE id = 1") == [["one"]],
              "UPDATE not on the primary before commit")
        cn.commit()
        check(ids_on_primary() == [1, 2, 3, 10, 11], "all rows on the primary after commit")
        check(ids_independent("manual") == [1, 2, 3, 10, 11],
              "an independent client (@tursodatabase/sync) sees the commit")
        check(primary("SELECT count(*) FROM t WHERE v = 'X'") == [[2]],
              "UPDATE on the primary after commit")
        check(ids_local(cur) == [1, 2, 3, 10, 11], "local replica shows the commit")
        # manual mode goes on: a second transaction on the same connection
        cur.execute("DELETE FROM t WHERE id = 11")
        check(cur.rowcount == 1, "DELETE row count %r" % cur.rowcount)
        cn.commit()
        check(ids_on_primary() == [1, 2, 3, 10], "second transaction committed")
    finally:
        cn.close()


def t_rollback():
    reset_table()
    cn = connect("rollback", autocommit=False)
    try:
        cur = cn.cursor()
        cur.execute("INSERT INTO t VALUES (20,'z','twenty')")
        cur.execute("DELETE FROM t WHERE id = 1")
        check(ids_local(cur) == [2, 3, 20], "preview before rollback")
        cn.rollback()
        check(ids_local(cur) == [1, 2, 3], "rollback discards the preview")
        check(ids_on_primary() == [1, 2, 3], "rollback sends nothing")
        cn.commit()  # an empty commit is fine
        check(ids_on_primary() == [1, 2, 3], "empty commit sends nothing")
    finally:
        cn.close()


def t_sql_begin_commit():
    reset_table()
    cn = connect("sqlbegin", autocommit=True)
    try:
        cur = cn.cursor()
        cur.execute("BEGIN")
        cur.execute("INSERT INTO t VALUES (30,'z','thirty')")
        check(cur.rowcount == 1, "row count inside BEGIN")
        check(ids_local(cur) == [1, 2, 3, 30], "own write visible inside BEGIN")
        check(ids_on_primary() == [1, 2, 3], "not on the primary before COMMIT")
        cur.execute("COMMIT")
        check(ids_on_primary() == [1, 2, 3, 30], "on the primary after COMMIT")
        check(ids_local(cur) == [1, 2, 3, 30], "local after COMMIT")
        cur.execute("BEGIN")
        cur.execute("INSERT INTO t VALUES (31,'z','x')")
        cur.execute("ROLLBACK")
        check(ids_on_primary() == [1, 2, 3, 30], "SQL ROLLBACK sends nothing")
        check(ids_local(cur) == [1, 2, 3, 30], "SQL ROLLBACK discards locally")
        # autocommit writes work again afterwards
        cur.execute("INSERT INTO t VALUES (32,'z','y')")
        check(ids_on_primary() == [1, 2, 3, 30, 32], "autocommit write after the transaction")
    finally:
        cn.close()


def t_conflict_40001():
    reset_table()
    cn = connect("conflict", autocommit=False)
    try:
        cur = cn.cursor()
        cur.execute("INSERT INTO t VALUES (40,'z','forty')")
        cur.execute("UPDATE t SET v = 'changed' WHERE k = 'x'")
        check(cur.rowcount == 2, "preview UPDATE changed 2 rows (got %r)" % cur.rowcount)
        # someone else adds a row the UPDATE also matches, on the primary
        primary("INSERT INTO t VALUES (4,'x','four')")
        try:
            cn.commit()
            raise CheckFailed("commit succeeded although the primary moved underneath")
        except pyodbc.Error as e:
            check(sqlstate(e) == "40001", "commit error is 40001: %r" % (e.args,))
            check("nothing was committed" in str(e), "message says nothing committed: %s" % e)
        check(ids_on_primary() == [1, 2, 3, 4], "none of the transaction's rows on the primary")
        check(ids_independent("conflict") == [1, 2, 3, 4],
              "an independent client sees none of the transaction's rows")
        check(primary("SELECT count(*) FROM t WHERE v = 'changed'") == [[0]],
              "the UPDATE was not applied on the primary")
        # the connection is usable, and a retry of the transaction works
        check(ids_local(cur) == [1, 2, 3, 4], "local replica shows the primary after 40001")
        cur.execute("INSERT INTO t VALUES (40,'z','forty')")
        cur.execute("UPDATE t SET v = 'changed' WHERE k = 'x'")
        check(cur.rowcount == 3, "retried UPDATE changes 3 rows (got %r)" % cur.rowcount)
        cn.commit()
        check(ids_on_primary() == [1, 2, 3, 4, 40], "retry committed")
        check(primary("SELECT count(*) FROM t WHERE v = 'changed'") == [[3]], "retry UPDATE")
    finally:
        cn.close()


def t_constraint_in_txn():
    reset_table()
    cn = connect("constraint", autocommit=False)
    try:
        cur = cn.cursor()
        cur.execute("INSERT INTO t VALUES (50,'z','fifty')")
        try:
            cur.execute("INSERT INTO t VALUES (1,'dup','dup')")
            raise CheckFailed("duplicate key accepted")
        except pyodbc.Error as e:
            check(sqlstate(e) == "23000", "duplicate key is 23000 at once: %r" % (e.args,))
        check(ids_on_primary() == [1, 2, 3], "nothing sent by the failing statement")
        cur.execute("INSERT INTO t VALUES (51,'z','fifty-one')")
        check(ids_local(cur) == [1, 2, 3, 50, 51], "transaction goes on after the error")
        cn.commit()
        check(ids_on_primary() == [1, 2, 3, 50, 51], "the good rows committed, the bad one not")
    finally:
        cn.close()


def t_savepoints():
    reset_table()
    cn = connect("savepoint", autocommit=True)
    try:
        cur = cn.cursor()
        cur.execute("BEGIN")
        cur.execute("INSERT INTO t VALUES (60,'z','a')")
        cur.execute("SAVEPOINT s1")
        cur.execute("INSERT INTO t VALUES (61,'z','b')")
        cur.execute("ROLLBACK TO s1")
        check(ids_local(cur) == [1, 2, 3, 60], "ROLLBACK TO undoes the preview")
        cur.execute("INSERT INTO t VALUES (62,'z','c')")
        cur.execute("RELEASE s1")
        cur.execute("COMMIT")
        check(ids_on_primary() == [1, 2, 3, 60, 62], "queue cut back at the savepoint")
        # a SAVEPOINT outside a transaction starts one; its RELEASE commits
        cur.execute("SAVEPOINT outer_sp")
        cur.execute("INSERT INTO t VALUES (63,'z','d')")
        check(ids_on_primary() == [1, 2, 3, 60, 62], "not sent before RELEASE")
        cur.execute("RELEASE outer_sp")
        check(ids_on_primary() == [1, 2, 3, 60, 62, 63], "RELEASE of the outer savepoint commits")
    finally:
        cn.close()


def t_autocommit_on_commits():
    reset_table()
    cn = connect("toggle", autocommit=False)
    try:
        cur = cn.cursor()
        cur.execute("INSERT INTO t VALUES (70,'z','seventy')")
        check(ids_on_primary() == [1, 2, 3], "queued while autocommit is off")
        cn.autocommit = True  # ODBC: switching autocommit on commits
        check(ids_on_primary() == [1, 2, 3, 70], "turning autocommit on committed")
    finally:
        cn.close()


def t_disconnect_rolls_back():
    reset_table()
    cn = connect("disc", autocommit=False)
    cur = cn.cursor()
    cur.execute("INSERT INTO t VALUES (80,'z','eighty')")
    cn.close()
    check(ids_on_primary() == [1, 2, 3], "closing with an open transaction sends nothing")


def t_param_array_in_txn():
    reset_table()
    cn = connect("array", autocommit=False)
    try:
        cur = cn.cursor()
        cur.fast_executemany = True  # SQL_ATTR_PARAMSET_SIZE = number of rows
        cur.executemany("INSERT INTO t VALUES (?,?,?)",
                        [(90 + i, "arr", "v%d" % i) for i in range(5)])
        check(ids_local(cur) == [1, 2, 3, 90, 91, 92, 93, 94], "array rows previewed")
        check(ids_on_primary() == [1, 2, 3], "array rows not sent before commit")
        cn.commit()
        check(ids_on_primary() == [1, 2, 3, 90, 91, 92, 93, 94], "array rows committed")
    finally:
        cn.close()


def t_primary_down_at_commit():
    """Last case: it stops the primary. A commit that provably never reached
    the primary says so; the connection stays usable for local reads."""
    reset_table()
    cn = connect("down", autocommit=False)
    try:
        cur = cn.cursor()
        cur.execute("INSERT INTO t VALUES (99,'z','x')")
        subprocess.run([PRIMARY_SH, "stop", PRIMARY_DIR], env=CHILD_ENV, check=True)
        try:
            cn.commit()
            raise CheckFailed("commit succeeded with the primary down")
        except pyodbc.Error as e:
            check(sqlstate(e) in ("08001", "08S01"), "commit error state: %r" % (e.args,))
            check("committed" in str(e), "message says what became of the commit: %s" % e)
        check(ids_local(cur) == [1, 2, 3], "preview rolled back, local reads work")
    finally:
        cn.close()


CASES = [t_manual_commit, t_rollback, t_sql_begin_commit, t_conflict_40001,
         t_constraint_in_txn, t_savepoints, t_autocommit_on_commits, t_disconnect_rolls_back,
         t_param_array_in_txn, t_primary_down_at_commit]


def main():
    global PRIMARY, URL
    try:
        PRIMARY = Primary("primary")
    except Exception as e:  # fail loudly, never skip
        print("FAIL: could not start the primary: %s" % e)
        print("0 passed, 1 failed")
        return 1
    URL = PRIMARY.url
    try:
        run_cases(CASES, PASSED, FAILED)
    finally:
        PRIMARY.stop()
    report(len(PASSED), len(FAILED))
    return 1 if FAILED or not PASSED else 0


if __name__ == "__main__":
    sys.exit(main())
