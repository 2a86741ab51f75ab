#!/usr/bin/python3
"""test_writes_tls.py — writes from a replica through TLS and a bearer-token
check (issue 4, "Tests"): the real primary (tests/node/primary.sh, tursodb)
behind Debian's nginx (tests/nginx/proxy.sh: test CA in DIR/ca.pem, a
second port with a self-signed certificate nobody vouches for).

- right AuthToken + TlsCaFile: an autocommit write and a manual transaction
  reach the primary (checked on the primary directly, over plain HTTP);
- wrong AuthToken: 28000 (at connect, or at the write), nothing written;
- untrusted certificate without a CA file: a clear TLS error (08001/08S01
  naming the certificate problem), nothing written.

Run by tests/integration/run.sh. Prints "N passed, M failed"; exits non-zero
when anything fails or cannot run. The primary and nginx are always stopped.
"""
import os
import subprocess
import sys

from lsqtest import (CHILD_ENV, PROXY_SH, TMP, CheckFailed, Primary, check, pyodbc, report,
                     run_cases)

PROXY_DIR = os.path.join(TMP, "proxy")
TOKEN = "test-token-4f9a"
PASSED, FAILED = [], []
PRIMARY = PLAIN_URL = HTTPS_URL = UNTRUSTED_URL = None


def primary(sql):
    """One statement on the primary directly (plain HTTP, no proxy)."""
    return PRIMARY.query_lists(sql)


def ids_on_primary():
    return [r[0] for r in primary("SELECT id FROM w ORDER BY id")]


def connstr(db, url, token=None, ca=None):
    s = "Driver=libSQL;Database=%s;SyncUrl=%s;ConnectTimeout=5;RequestTimeout=10" % (
        os.path.join(TMP, db), url)
    if token:
        s += ";AuthToken=" + token
    if ca:
        s += ";TlsCaFile=" + ca
    return s


def write_must_fail(cs, want_states, what, insert_id):
    """Connect and write; the first failure must carry one of want_states.
    Returns the error text."""
    try:
        cn = pyodbc.connect(cs, autocommit=True)
    except pyodbc.Error as e:
        check(e.args[0] in want_states, "%s: connect failed with %r" % (what, e.args))
        return str(e)
    try:
        cn.cursor().execute("INSERT INTO w VALUES (?, 'x')", insert_id)
    except pyodbc.Error as e:
        check(e.args[0] in want_states, "%s: write failed with %r" % (what, e.args))
        return str(e)
    finally:
        cn.close()
    raise CheckFailed("%s: the write succeeded" % what)


def t_right_token_and_ca():
    cs = connstr("good.db", HTTPS_URL, TOKEN, os.path.join(PROXY_DIR, "ca.pem"))
    cn = pyodbc.connect(cs, autocommit=True)
    try:
        cur = cn.cursor()
        check([r[0] for r in cur.execute("SELECT id FROM w ORDER BY id").fetchall()] == [1],
              "bootstrapped over https")
        cur.execute("INSERT INTO w VALUES (?, ?)", 2, "two")
        check(cur.rowcount == 1, "row count over https: %r" % cur.rowcount)
        check(ids_on_primary() == [1, 2], "autocommit write reached the primary")
        cn.autocommit = False
        cur.execute("INSERT INTO w VALUES (3, 'three')")
        cur.execute("INSERT INTO w VALUES (4, 'four')")
        check(ids_on_primary() == [1, 2], "transaction not sent before commit")
        cn.commit()
        check(ids_on_primary() == [1, 2, 3, 4], "transaction committed through TLS")
        check([r[0] for r in cur.execute("SELECT id FROM w ORDER BY id").fetchall()]
              == [1, 2, 3, 4], "replica pulled the commit over https")
    finally:
        cn.close()


def t_wrong_token():
    before = ids_on_primary()
    ca = os.path.join(PROXY_DIR, "ca.pem")
    # an existing replica file (the write is what is refused) ...
    write_must_fail(connstr("good.db", HTTPS_URL, "wrong-token", ca), ["28000"],
                    "wrong token, existing replica", 90)
    # ... and a new one (the bootstrap is refused)
    write_must_fail(connstr("fresh.db", HTTPS_URL, "wrong-token", ca), ["28000"],
                    "wrong token, new replica", 91)
    write_must_fail(connstr("fresh2.db", HTTPS_URL, None, ca), ["28000"],
                    "no token", 92)
    check(ids_on_primary() == before, "nothing written with a wrong token")


def t_untrusted_certificate():
    before = ids_on_primary()
    # (a replica file remembers its primary's URL, so this one is new)
    msg = write_must_fail(connstr("fresh3.db", UNTRUSTED_URL, TOKEN), ["08001", "08S01"],
                          "untrusted certificate", 93)
    low = msg.lower()
    check("certificate" in low or "tls" in low or "ssl" in low,
          "the error names the TLS problem: %s" % msg)
    check(not os.path.exists(os.path.join(TMP, "fresh3.db")) or
          os.path.getsize(os.path.join(TMP, "fresh3.db")) == 0,
          "a failed bootstrap leaves no replica file behind")
    check(ids_on_primary() == before, "nothing written through an untrusted certificate")


CASES = [t_right_token_and_ca, t_wrong_token, t_untrusted_certificate]


def run(cmd):
    return subprocess.run(cmd, env=CHILD_ENV, capture_output=True, text=True, timeout=120)


def main():
    global PRIMARY, PLAIN_URL, HTTPS_URL, UNTRUSTED_URL
    proxy_up = False
    try:
        PRIMARY = Primary("primary")
    except Exception as e:  # fail loudly, never skip
        print("FAIL: could not start the primary: %s" % e)
        print("0 passed, 1 failed")
        return 1
    try:
        PLAIN_URL = PRIMARY.url
        out = run([PROXY_SH, "start", PROXY_DIR, PLAIN_URL, TOKEN])
        if out.returncode != 0:
            print("FAIL: could not start the TLS proxy: %s" % out.stderr.strip())
            print("0 passed, 1 failed")
            return 1
        proxy_up = True
        HTTPS_URL = out.stdout.strip().splitlines()[-1]
        with open(os.path.join(PROXY_DIR, "proxy_untrusted.url")) as f:
            UNTRUSTED_URL = f.read().strip()
        primary("CREATE TABLE w(id INTEGER PRIMARY KEY, v TEXT)")
        primary("INSERT INTO w VALUES (1, 'one')")
        run_cases(CASES, PASSED, FAILED)
    finally:
        if proxy_up:
            run([PROXY_SH, "stop", PROXY_DIR])
        PRIMARY.stop()
    report(len(PASSED), len(FAILED))
    return 1 if FAILED or not PASSED else 0


if __name__ == "__main__":
    sys.exit(main())
