#!/usr/bin/python3
"""rel_primary_restart.py — the primary restarts, moves, or is replaced by a
different database (issue 7), against real primaries (tursodb
--sync-server), through pyodbc:

(a) restart on the same file and port: while it is down, reads keep working
    from the local file, writes fail with 08S01 "not applied" (and are not
    applied), syncs fail; once it is back, writes and syncs work and the
    replica equals the primary.
(a2) restart on another port: the DSN's new SyncUrl names another primary as
    far as the replica's sidecar knows, so the connection is refused with a
    message saying what to do, and the local file is untouched.
(b) replaced by a different database at the same URL, with MORE revisions
    than the replica holds (so nothing "goes backwards"):
    - while a connection is open (a sync failed during the swap): the next
      sync fails with 08S01 naming the replacement, reads return the old
      content, writes are refused (08S01, not applied, nothing reaches the
      new database), and the local file keeps the old content and passes
      integrity_check;
    - when no connection is open: the next connect is refused with the same
      message; the file is untouched.
(b2) replaced by a database with FEWER revisions: "revision went backwards".

Figures go to $LSQ_REPORT_DIR/rel_primary_restart.txt.
"""
import os
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from lsqtest import (CLEAN_ENV, PRIMARY_SH, TMP, CheckFailed, Primary, check,  # noqa: E402
                     fail_to_run, pyodbc, run_cases, sqlstate)

NAME = "rel_primary_restart"
FIGURES = []


def connstr(db, url):
    return ("DRIVER=libSQL;Database=%s;SyncUrl=%s;RequestTimeout=5;ConnectTimeout=2"
            % (os.path.join(TMP, db), url))


def expect_error(fn, states, words, what):
    try:
        fn()
    except pyodbc.Error as e:
        check(sqlstate(e) in states, "%s: SQLSTATE %s, wanted one of %s: %s"
              % (what, sqlstate(e), states, e))
        for w in words:
            check(w in str(e), "%s: message lacks %r: %s" % (what, w, e))
        return str(e)
    raise CheckFailed("%s: no error" % what)


def rows(cur, sql):
    return [tuple(r) for r in cur.execute(sql).fetchall()]


def local_file_state(db):
    """Content and integrity of a replica file, read with Python's own SQLite
    (another connection through SQLite's VFS, as any reader would)."""
    con = sqlite3.connect("file:%s?mode=ro" % os.path.join(TMP, db), uri=True)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        data = con.execute("SELECT id, v FROM t ORDER BY id").fetchall()
    finally:
        con.close()
    return ok, data


def new_primary(name, nrows, tag):
    p = Primary(name)
    p.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
    for i in range(1, nrows + 1):  # one revision each
        p.execute("INSERT INTO t VALUES(%d, '%s%d')" % (i, tag, i))
    return p


def move_to_port(p, port):
    """Serve p's database file on `port` (another primary's address)."""
    p.stop()
    p.port = port
    p.url = "http://127.0.0.1:%d" % port
    p.restart_same_port()


# ---------- (a) restart -------------------------------------------------------

def t_restart_same_port():
    p = new_primary("restart", 3, "a")
    try:
        cn = pyodbc.connect(connstr("restart.db", p.url), autocommit=True)
        cur = cn.cursor()
        check(rows(cur, "SELECT count(*) FROM t") == [(3,)], "bootstrapped")
        subprocess.run([PRIMARY_SH, "stop", p.dir], env=CLEAN_ENV, check=True)
        reads = 0
        for _ in range(20):
            check(rows(cur, "SELECT count(*) FROM t") == [(3,)], "read while the primary is down")
            reads += 1
        expect_error(lambda: cur.execute("INSERT INTO t VALUES(10, 'down')"),
                     ["08S01"], ["not applied"], "write while down")
        expect_error(lambda: cur.execute("PRAGMA libsql_sync").fetchall(),
                     ["08S01", "08001"], [], "sync while down")
        p.restart_same_port()
        check(p.query("SELECT count(*) FROM t WHERE id = 10") == [(0,)],
              "the write made while down was not applied")
        cur.execute("INSERT INTO t VALUES(11, 'back')")
        check(cur.rowcount == 1, "write after the restart")
        cur.execute("PRAGMA libsql_sync").fetchall()
        local = rows(cur, "SELECT id, v FROM t ORDER BY id")
        remote = p.query("SELECT id, v FROM t ORDER BY id")
        check(local == remote, "replica equals primary after the restart: %s vs %s"
              % (local, remote))
        check(rows(cur, "PRAGMA integrity_check") == [("ok",)], "integrity")
        FIGURES.append("restart on the same port: %d reads served while down, the write "
                       "while down failed 08S01 and was not applied, converged after the "
                       "restart (%d rows)" % (reads, len(local)))
        cn.close()

        # (a2) the same database on another port: another SyncUrl for the file
        move_to_port(p, _free_port())
        msg = expect_error(lambda: pyodbc.connect(connstr("restart.db", p.url)),
                           ["HY000", "08001"], ["different primary", "re-bootstrap"],
                           "connect with a new SyncUrl")
        ok, data = local_file_state("restart.db")
        check(ok == "ok" and len(data) == len(local), "file untouched: %s, %d rows"
              % (ok, len(data)))
        FIGURES.append("restart on another port: connect refused (%s...)" % msg[:90])
    finally:
        p.stop()


def _free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------- (b) replaced ------------------------------------------------------

def t_replaced_while_open():
    a = new_primary("old-a", 3, "a")
    b = new_primary("new-b", 12, "b")  # more revisions: nothing goes backwards
    b.stop()
    try:
        cn = pyodbc.connect(connstr("replaced.db", a.url), autocommit=True)
        cur = cn.cursor()
        before = rows(cur, "SELECT id, v FROM t ORDER BY id")
        check(len(before) == 3, "bootstrapped from A")
        a.stop()
        expect_error(lambda: cur.execute("PRAGMA libsql_sync").fetchall(),
                     ["08S01", "08001"], [], "sync during the swap")
        move_to_port(b, a.port)  # B now answers at A's URL
        msg = expect_error(lambda: cur.execute("PRAGMA libsql_sync").fetchall(),
                           ["08S01"], ["no longer the database", "delete"],
                           "sync from the replaced primary")
        check(rows(cur, "SELECT id, v FROM t ORDER BY id") == before,
              "reads return the old content")
        expect_error(lambda: cur.execute("INSERT INTO t VALUES(100, 'x')"),
                     ["08S01"], ["not applied"], "write to the replaced primary")
        check(b.query("SELECT count(*) FROM t WHERE id = 100") == [(0,)],
              "the refused write did not reach the new database")
        cn.close()
        ok, data = local_file_state("replaced.db")
        check(ok == "ok", "integrity_check after the refusal: %s" % ok)
        check(data == before, "the file holds A's rows only: %s" % data)
        FIGURES.append("replaced while open: sync refused 08S01, reads served A's %d rows, "
                       "write refused, file intact (%s)" % (len(before), msg[:80]))

        # (b) with no connection open: the next connect is refused
        msg = expect_error(lambda: pyodbc.connect(connstr("replaced.db", b.url)),
                           ["08S01"], ["no longer the database"], "connect after the swap")
        ok, data = local_file_state("replaced.db")
        check(ok == "ok" and data == before, "file untouched after the refused connect")
        FIGURES.append("replaced while closed: connect refused 08S01, file intact")
    finally:
        a.stop()
        b.stop()


def t_replaced_by_shorter_history():
    a = new_primary("old-c", 8, "c")
    b = new_primary("new-d", 1, "d")  # fewer revisions than the replica holds
    b.stop()
    try:
        cn = pyodbc.connect(connstr("shorter.db", a.url), autocommit=True)
        cur = cn.cursor()
        before = rows(cur, "SELECT id, v FROM t ORDER BY id")
        a.stop()
        move_to_port(b, a.port)
        msg = expect_error(lambda: cur.execute("PRAGMA libsql_sync").fetchall(),
                           ["08S01"], ["went backwards", "delete"], "sync, shorter history")
        check(rows(cur, "SELECT id, v FROM t ORDER BY id") == before, "old content served")
        cn.close()
        ok, data = local_file_state("shorter.db")
        check(ok == "ok" and data == before, "file intact")
        FIGURES.append("replaced by a shorter history: sync refused 08S01 (%s...)" % msg[:70])
    finally:
        a.stop()
        b.stop()


def main():
    try:
        subprocess.run([PRIMARY_SH, "url", "/nonexistent"], env=CLEAN_ENV,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError as e:
        fail_to_run("primary.sh cannot run: %s" % e)
    passed, failed = [], []
    t0 = time.monotonic()
    run_cases([t_restart_same_port, t_replaced_while_open, t_replaced_by_shorter_history],
              passed, failed)
    d = os.environ.get("LSQ_REPORT_DIR") or os.path.join(TMP, "reports")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, NAME + ".txt"), "w") as f:
        f.write("\n".join(FIGURES + ["cases passed %d, failed %d (%s), %.0f s"
                                     % (len(passed), len(failed), ", ".join(failed) or "none",
                                        time.monotonic() - t0)]) + "\n")
    print("%d passed, %d failed" % (len(passed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
