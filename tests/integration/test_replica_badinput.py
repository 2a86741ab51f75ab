#!/usr/bin/python3
"""test_replica_badinput.py — an embedded replica facing a primary that
misbehaves, through pyodbc and unixODBC (issue 3, "Bad input").

Part A points the replica DSN at tests/node/scripted_primary.py, a fake
primary whose /pull-updates answers are scripted: malformed, truncated and
oversized bodies, pages that are not 4096 bytes, a db_size smaller than a
page id, a duplicated page, junk after a valid answer, a revision older than
the replica's (a checkpointed primary), HTTP 401/403/404/500/503 and a
connection closed mid-body (also after announcing a 10 GB body). For each
answer, three ways in: an explicit `PRAGMA libsql_sync` on an open
connection, the sync every connect does on an existing replica, and the
bootstrap of a new file. Each must end in a diagnostic with the right
SQLSTATE (08S01 network/protocol, 28000 authentication) and leave the
replica byte-for-byte at its last good revision (file and sidecar metadata
unchanged, integrity_check ok, rows unchanged); a failed bootstrap leaves
nothing behind. Afterwards a good answer still moves the replica forward.

Part B puts the real primary (tests/node/primary.sh, tursodb) behind a TLS
proxy that checks a bearer token (tests/nginx/proxy.sh): right token and
TlsCaFile work; a wrong or missing token is 28000; a certificate nobody
vouches for is a TLS error (08001/08S01) unless TlsInsecure=1; libsql://
means https; with the proxy gone, PRAGMA libsql_sync is 08S01 while reads
and new connections keep using the local copy, unchanged.

Run by tests/integration/run.sh (Debian's /usr/bin/python3 with pyodbc;
LSQ_TEST_TMP is a scratch dir). Prints "N passed, M failed"; exits non-zero
when anything fails or cannot run.
"""
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import traceback
import urllib.request

# CHILD_ENV: helpers we start are not built with the sanitizers run.sh preloads.
from lsqtest import CHILD_ENV, SRC, TMP, CheckFailed, check, pyodbc

PASSED, FAILED = [], []

# What each scripted answer must produce. Protocol trouble and a dropped
# connection are 08S01; a refused token is 28000.
PROTOCOL_MODES = ["garbage", "html", "empty", "truncated", "oversized", "wrongtype",
                  "shortpage", "longpage", "pageid_beyond", "dup_page",
                  "valid_then_garbage", "rev_backwards", "http404"]
NETWORK_MODES = ["http500", "http503", "midbody", "huge_length"]
AUTH_MODES = ["http401", "http403"]
EXPECTED = dict([(m, "08S01") for m in PROTOCOL_MODES + NETWORK_MODES] +
                [(m, "28000") for m in AUTH_MODES])

V1_ROWS, V2_ROWS = 300, 400

# Printed under a failing case to say what the failure means.
HINTS = {
    "dup_page": "one page id sent twice with different images is ambiguous (which is "
                "newest?); accepting it (core/pull_proto.c keeps the later one) leaves a "
                "corrupt replica: it must be refused as a protocol error",
}


def run_case(name, fn, hint=None):
    try:
        fn()
        PASSED.append(name)
        print("ok   %s" % name)
    except Exception as e:  # a failed check or anything unexpected
        FAILED.append(name)
        detail = str(e) if isinstance(e, CheckFailed) else traceback.format_exc()
        print("FAIL %s: %s" % (name, detail.strip()))
        if hint:
            print("     why it matters: %s" % hint)
    sys.stdout.flush()


def sqlstate_of(e):
    return e.args[0] if e.args else "?"


def message_of(e):
    return e.args[1] if len(e.args) > 1 else str(e)


def expect_error(fn, states, what, secret=None):
    """fn() must raise a pyodbc.Error whose SQLSTATE is one of states, with a
    message that says something and never contains secret."""
    try:
        fn()
    except pyodbc.Error as e:
        st, msg = sqlstate_of(e), message_of(e)
        check(st in states, "%s: SQLSTATE %s, wanted %s (%s)" % (what, st, "/".join(states), msg))
        check(len(msg) > 20, "%s: diagnostic too terse: %r" % (what, msg))
        if secret:
            check(secret not in msg, "%s: the message leaks the token: %r" % (what, msg))
        return msg
    raise CheckFailed("%s: succeeded, wanted SQLSTATE %s" % (what, "/".join(states)))


def connect(path, url, extra=""):
    return pyodbc.connect("DRIVER=libSQL;Database=%s;SyncUrl=%s;%s" % (path, url, extra),
                          autocommit=True, timeout=30)


def file_snapshot(path):
    """Digest of the replica file and its sidecar metadata."""
    h = hashlib.sha256()
    for p in (path, path + "-libsql-meta"):
        with open(p, "rb") as f:
            h.update(f.read())
        h.update(b"|")
    return h.hexdigest()


def read_independently(path):
    """(integrity_check, row count, sum) as Debian's SQLite sees the file."""
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        ic = db.execute("PRAGMA integrity_check").fetchone()[0]
        n, s = db.execute("SELECT count(*), total(length(v)) FROM t").fetchone()
        return ic, n, s
    finally:
        db.close()


def leftovers(path):
    d, base = os.path.split(path)
    return sorted(f for f in os.listdir(d) if f.startswith(base))


# ---------------------------------------------------------------- part A

def make_databases(d):
    """DB1 (revision 1) and DB2 = DB1 after updates and inserts (revision 2)."""
    db1, db2 = os.path.join(d, "src1.db"), os.path.join(d, "src2.db")
    c = sqlite3.connect(db1)
    c.execute("PRAGMA page_size=4096")
    c.execute("PRAGMA journal_mode=DELETE")
    c.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
    c.executemany("INSERT INTO t VALUES(?, ?)",
                  [(i, "row %d " % i + "x" * 100) for i in range(1, V1_ROWS + 1)])
    c.commit()
    c.close()
    shutil.copyfile(db1, db2)
    c = sqlite3.connect(db2)
    c.execute("UPDATE t SET v = v || 'changed' WHERE id % 50 = 0")
    c.executemany("INSERT INTO t VALUES(?, ?)",
                  [(i, "row %d " % i + "y" * 100) for i in range(V1_ROWS + 1, V2_ROWS + 1)])
    c.commit()
    c.close()
    return db1, db2


class Scripted:
    def __init__(self, d):
        self.dir = d
        os.makedirs(d, exist_ok=True)
        self.db1, self.db2 = make_databases(d)
        portfile = os.path.join(d, "port")
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(SRC, "tests", "node", "scripted_primary.py"),
             portfile, self.db1, self.db2], env=CHILD_ENV,
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(d, "server.log"), "w"))
        for _ in range(100):
            if os.path.exists(portfile):
                break
            if self.proc.poll() is not None:
                raise RuntimeError("scripted_primary.py exited with %d" % self.proc.returncode)
            time.sleep(0.1)
        else:
            raise RuntimeError("scripted_primary.py did not start")
        with open(portfile) as f:
            self.url = "http://127.0.0.1:%s" % f.read().strip()

    def mode(self, m):
        with urllib.request.urlopen(self.url + "/__mode/" + m, timeout=10) as r:
            check(r.read() == b"ok\n", "scripted primary refused mode %s" % m)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def part_a():
    srv = Scripted(os.path.join(TMP, "scripted"))
    try:
        _part_a(srv)
    finally:
        srv.stop()


def _part_a(srv):
    v1_content = read_independently(srv.db1)
    serial = [0]

    def good_replica():
        """A new replica bootstrapped from a correct answer (revision 1), so
        that one case's damage cannot leak into the next."""
        serial[0] += 1
        path = os.path.join(TMP, "a_replica_%d.db" % serial[0])
        srv.mode("v1")
        cn = connect(path, srv.url)
        try:
            n = cn.cursor().execute("SELECT count(*) FROM t").fetchone()[0]
        finally:
            cn.close()
        check(n == V1_ROWS, "bootstrap from a good answer: %d rows, wanted %d" % (n, V1_ROWS))
        got = read_independently(path)
        check(got == v1_content, "bootstrapped file reads %r, wanted %r" % (got, v1_content))
        return path, file_snapshot(path)

    run_case("A bootstrap from a correct answer", good_replica)

    def assert_unchanged(path, snap, what):
        check(file_snapshot(path) == snap,
              "%s: the replica file or its metadata changed" % what)
        got = read_independently(path)
        check(got == v1_content, "%s: file now reads %r, wanted %r" % (what, got, v1_content))
        check(not any(f.endswith((".libsql-new", "-journal")) for f in leftovers(path)),
              "%s: leftovers %r" % (what, leftovers(path)))

    for m in sorted(EXPECTED):
        want = EXPECTED[m]

        # 1. explicit sync on an open connection
        def explicit_sync(m=m, want=want):
            path, snap = good_replica()
            cn = connect(path, srv.url)
            try:
                cur = cn.cursor()
                srv.mode(m)
                expect_error(lambda: cur.execute("PRAGMA libsql_sync").fetchall(), [want],
                             "PRAGMA libsql_sync against '%s'" % m)
                assert_unchanged(path, snap, "after '%s'" % m)
                n = cur.execute("SELECT count(*) FROM t").fetchone()[0]
                check(n == V1_ROWS, "reads after '%s': %d rows, wanted %d" % (m, n, V1_ROWS))
            finally:
                cn.close()
        run_case("A %-18s PRAGMA libsql_sync -> %s" % (m, want), explicit_sync, HINTS.get(m))

        # 2. the sync every connect does on an existing replica
        def connect_sync(m=m, want=want):
            path, snap = good_replica()
            srv.mode(m)
            try:
                cn = connect(path, srv.url)
            except pyodbc.Error as e:
                check(sqlstate_of(e) == want, "connect against '%s': SQLSTATE %s, wanted %s (%s)"
                      % (m, sqlstate_of(e), want, message_of(e)))
                check(len(message_of(e)) > 20, "connect: diagnostic too terse")
            else:
                # Serving the local copy (with a warning) is fine when the
                # primary cannot be reached or talks nonsense; a refused
                # token must refuse the connection.
                try:
                    check(m in NETWORK_MODES or m in PROTOCOL_MODES,
                          "connect against '%s' succeeded, wanted %s" % (m, want))
                    n = cn.cursor().execute("SELECT count(*) FROM t").fetchone()[0]
                    check(n == V1_ROWS, "connect against '%s' serves %d rows" % (m, n))
                finally:
                    cn.close()
            assert_unchanged(path, snap, "connect against '%s'" % m)
        run_case("A %-18s connect sync   -> %s or local copy" % (m, want), connect_sync,
                 HINTS.get(m))

        # 3. bootstrap of a new file
        def bootstrap_bad(m=m, want=want):
            path = os.path.join(TMP, "a_boot_%s.db" % m)
            srv.mode(m)
            expect_error(lambda: connect(path, srv.url), [want], "bootstrap against '%s'" % m)
            # No partial database, metadata, temp file or journal; a record
            # of the failure (-libsql-lasterror) is fine.
            left = [f for f in leftovers(path) if not f.endswith("-libsql-lasterror") and
                    (os.path.getsize(os.path.join(TMP, f)) > 0 or not f.endswith(".db"))]
            check(not left, "a failed bootstrap left %r" % left)
            srv.mode("v1")
            cn = connect(path, srv.url)
            try:
                n = cn.cursor().execute("SELECT count(*) FROM t").fetchone()[0]
                check(n == V1_ROWS, "bootstrap after the failure: %d rows" % n)
            finally:
                cn.close()
        run_case("A %-18s bootstrap      -> %s" % (m, want), bootstrap_bad, HINTS.get(m))

    def converges():
        path, _ = good_replica()
        cn = connect(path, srv.url)
        try:
            cur = cn.cursor()
            for m in ("truncated", "http503", "midbody"):
                srv.mode(m)
                try:
                    cur.execute("PRAGMA libsql_sync").fetchall()
                except pyodbc.Error:
                    pass
            srv.mode("v2")
            cur.execute("PRAGMA libsql_sync").fetchall()
            n = cur.execute("SELECT count(*) FROM t").fetchone()[0]
            check(n == V2_ROWS, "after a good sync: %d rows, wanted %d" % (n, V2_ROWS))
            got, want = read_independently(path), read_independently(srv.db2)
            check(got == want, "after a good sync the file reads %r, wanted %r" % (got, want))
        finally:
            cn.close()
    run_case("A after failed syncs, a correct answer moves the replica to revision 2",
             converges)


# ---------------------------------------------------------------- part B

def sh(*args):
    p = subprocess.run(list(args), env=CHILD_ENV, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(args), p.returncode, p.stdout))
    return p.stdout.strip()


def part_b():
    primary_sh = os.path.join(SRC, "tests", "node", "primary.sh")
    proxy_sh = os.path.join(SRC, "tests", "nginx", "proxy.sh")
    pdir, xdir = os.path.join(TMP, "primary"), os.path.join(TMP, "proxy")
    token = "tok-0123456789abcdef"
    # If this process dies hard (a sanitizer abort in the driver), nothing
    # below gets to clean up: a watchdog stops the servers when we are gone.
    subprocess.Popen(["/bin/bash", "-c",
                      'while kill -0 %d 2>/dev/null; do sleep 1; done; "$0" stop "$1"; '
                      '"$2" stop "$3"' % os.getpid(), proxy_sh, xdir, primary_sh, pdir],
                     env=CHILD_ENV, start_new_session=True, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
    try:
        sh(primary_sh, "start", pdir)
        sh(primary_sh, "sql", pdir, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        sh(primary_sh, "sql", pdir, "INSERT INTO t VALUES (1,'a'),(2,'b'),(3,'c')")
        sh(proxy_sh, "start", xdir, sh(primary_sh, "url", pdir), token)
    except Exception as e:
        print("FAIL part B: cannot start the primary and TLS proxy: %s" % e)
        FAILED.append("B setup")
        sh(proxy_sh, "stop", xdir)
        sh(primary_sh, "stop", pdir)
        return
    try:
        _part_b(primary_sh, pdir, xdir, token)
    finally:
        sh(proxy_sh, "stop", xdir)
        sh(primary_sh, "stop", pdir)


def _part_b(primary_sh, pdir, xdir, token):
    with open(os.path.join(xdir, "proxy.url")) as f:
        url = f.read().strip()
    with open(os.path.join(xdir, "proxy_untrusted.url")) as f:
        untrusted = f.read().strip()
    ca = os.path.join(xdir, "ca.pem")
    tls_states = ["08001", "08S01"]
    n = [0]

    def fresh():
        n[0] += 1
        return os.path.join(TMP, "b_replica_%d.db" % n[0])

    def count(cn):
        return cn.cursor().execute("SELECT count(*) FROM t").fetchone()[0]

    replica = fresh()

    def right_token():
        cn = connect(replica, url, "AuthToken=%s;TlsCaFile=%s" % (token, ca))
        try:
            check(count(cn) == 3, "over TLS with the right token: %d rows" % count(cn))
            sh(primary_sh, "sql", pdir, "INSERT INTO t VALUES (4,'d')")
            cn.cursor().execute("PRAGMA libsql_sync").fetchall()
            check(count(cn) == 4, "PRAGMA libsql_sync over TLS: %d rows, wanted 4" % count(cn))
        finally:
            cn.close()
    run_case("B https + right token + TlsCaFile: bootstrap and sync", right_token)

    def wrong_token_existing():
        check(os.path.exists(replica), "no replica from the previous case")
        before = file_snapshot(replica)
        expect_error(lambda: connect(replica, url, "AuthToken=wrong-%s;TlsCaFile=%s" % (token, ca)),
                     ["28000"], "connect with a wrong token", secret="wrong-" + token)
        check(file_snapshot(replica) == before, "a refused sync changed the replica")
        ic = read_independently(replica)[0]
        check(ic == "ok", "integrity_check after a refused sync: %s" % ic)
    run_case("B https + wrong token on an existing replica -> 28000, file unchanged",
             wrong_token_existing)

    run_case("B https + wrong token, bootstrap -> 28000", lambda: expect_error(
        lambda: connect(fresh(), url, "AuthToken=not-the-token;TlsCaFile=%s" % ca),
        ["28000"], "bootstrap with a wrong token", secret="not-the-token"))
    run_case("B https + no token, bootstrap -> 28000", lambda: expect_error(
        lambda: connect(fresh(), url, "TlsCaFile=%s" % ca), ["28000"],
        "bootstrap without a token"))

    def tls_error(target, extra, what):
        msg = expect_error(lambda: connect(fresh(), target, extra), tls_states, what,
                           secret=token)
        check("tls" in msg.lower() or "certificate" in msg.lower() or "ssl" in msg.lower(),
              "%s: the message does not say it is about TLS: %r" % (what, msg))
    run_case("B https, test CA not given (system CAs only) -> TLS error",
             lambda: tls_error(url, "AuthToken=%s" % token, "CA not trusted"))
    run_case("B https, self-signed certificate, no TlsCaFile -> TLS error",
             lambda: tls_error(untrusted, "AuthToken=%s" % token, "self-signed, no CA file"))
    run_case("B https, self-signed certificate, TlsCaFile of another CA -> TLS error",
             lambda: tls_error(untrusted, "AuthToken=%s;TlsCaFile=%s" % (token, ca),
                               "self-signed with a CA file"))
    run_case("B TlsCaFile naming a missing file -> clear error", lambda: expect_error(
        lambda: connect(fresh(), url, "AuthToken=%s;TlsCaFile=%s" % (token, ca + ".missing")),
        ["08001", "08S01", "HY000"], "missing CA file"))

    def insecure():
        cn = connect(fresh(), untrusted, "AuthToken=%s;TlsInsecure=1" % token)
        try:
            check(count(cn) == 4, "TlsInsecure=1: %d rows, wanted 4" % count(cn))
        finally:
            cn.close()
    run_case("B https, self-signed certificate, TlsInsecure=1 -> works", insecure)

    def libsql_scheme():
        cn = connect(fresh(), "libsql://" + url[len("https://"):],
                     "AuthToken=%s;TlsCaFile=%s" % (token, ca))
        try:
            check(count(cn) == 4, "libsql:// (https): %d rows, wanted 4" % count(cn))
        finally:
            cn.close()
    run_case("B libsql://host:port means https", libsql_scheme)

    def proxy_down():
        check(os.path.exists(replica), "no replica from the first case")
        before = file_snapshot(replica)
        extra = "AuthToken=%s;TlsCaFile=%s" % (token, ca)
        cn = connect(replica, url, extra)
        try:
            sh(os.path.join(SRC, "tests", "nginx", "proxy.sh"), "stop", xdir)
            cur = cn.cursor()
            expect_error(lambda: cur.execute("PRAGMA libsql_sync").fetchall(), ["08S01", "08001"],
                         "PRAGMA libsql_sync with the primary unreachable", secret=token)
            check(count(cn) == 4, "reads with the primary unreachable: %d rows" % count(cn))
        finally:
            cn.close()
        # A new connection serves the local copy (with a warning) instead of failing.
        cn = connect(replica, url, extra)
        try:
            check(count(cn) == 4, "connect with the primary unreachable: %d rows" % count(cn))
        finally:
            cn.close()
        check(file_snapshot(replica) == before, "an unreachable primary changed the replica")
    run_case("B primary unreachable: sync is 08S01, connect and reads use the local copy",
             proxy_down)


def main():
    for part in (part_a, part_b):
        try:
            part()
        except Exception:
            FAILED.append(part.__name__)
            print("FAIL %s crashed:\n%s" % (part.__name__, traceback.format_exc()))
    print("%d passed, %d failed" % (len(PASSED), len(FAILED)))
    return 0 if not FAILED else 1


if __name__ == "__main__":
    sys.exit(main())
