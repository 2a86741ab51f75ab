#!/usr/bin/env python3
"""test_logging.py — LogFile / LogLevel, the LIBSQL_ODBC_LOG* environment
variables, and AuthToken kept out of odbc.ini (AuthTokenEnv, AuthTokenFile),
through pyodbc and unixODBC against a real primary (tests/node/primary.sh)
and a token-checking TLS proxy in front of it (tests/nginx/proxy.sh).

The log must hold a timestamped line for the connect, a query, a sync, a
forwarded write and a failing statement (with its SQLSTATE), be mode 0600,
and never contain the AuthToken or the EncryptionKey. The log sink is per
process, so each environment-variable case runs in a child python.
Run through run.sh (ODBCINI, LSQ_TEST_TMP). Prints "N passed, M failed".
"""
import os
import re
import stat
import subprocess
import sys

from lsqtest import CLEAN_ENV, PRIMARY_SH, PROXY_SH, TMP, fail_to_run, pyodbc

ODBCINI = os.environ.get("ODBCINI")
if not ODBCINI:
    fail_to_run("ODBCINI not set (run through run.sh)")
TOKEN = "tok-SECRET-5b1e8d0c2a"
ENC_KEY = "key-SECRET-93c4f7aa10"
LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z pid=\d+ tid=\d+ "
                  r"(ERROR|WARN|INFO|DEBUG) +[a-z_]+: ")

passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   - " + name)
    else:
        failed += 1
        print("FAIL - " + name + (": " + str(detail) if detail else ""))


def sqlstate(exc):
    return exc.args[0] if exc.args else "?"


def add_dsn(name, **keys):
    with open(ODBCINI, "a") as f:
        f.write("\n[%s]\nDriver=libSQL\n" % name)
        for k, v in keys.items():
            f.write("%s=%s\n" % (k, v))


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def has_line(text, pattern):
    return any(LINE.match(l) and re.search(pattern, l) for l in text.splitlines())


def run_child(code, env_extra):
    env = dict(os.environ)
    env.update(env_extra)
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       timeout=120)
    return p.returncode, p.stdout + p.stderr


pdir = os.path.join(TMP, "primary")
xdir = os.path.join(TMP, "proxy")
started = []
try:
    subprocess.run([PRIMARY_SH, "start", pdir], check=True, env=CLEAN_ENV,
                   stdout=subprocess.DEVNULL)
    started.append("primary")
    url = subprocess.run([PRIMARY_SH, "url", pdir], check=True, env=CLEAN_ENV,
                         capture_output=True, text=True).stdout.strip()

    def primary_sql(sql):
        subprocess.run([PRIMARY_SH, "sql", pdir, sql], check=True, env=CLEAN_ENV,
                       stdout=subprocess.DEVNULL)

    primary_sql("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
    primary_sql("INSERT INTO t(v) VALUES ('a'), ('b')")

    # ---- LogFile + LogLevel=debug in the DSN ----------------------------
    log = os.path.join(TMP, "driver.log")
    add_dsn("log_replica", Database=os.path.join(TMP, "a.db"), SyncUrl=url, AuthToken=TOKEN,
            LogFile=log, LogLevel="debug")
    cnx = pyodbc.connect("DSN=log_replica", autocommit=True)
    cur = cnx.cursor()
    check("query through the logged DSN", cur.execute("SELECT count(*) FROM t").fetchone()[0] == 2)
    primary_sql("INSERT INTO t(v) VALUES ('c')")
    cur.execute("PRAGMA libsql_sync").fetchall()
    try:
        cur.execute("SELEC nonsense")
        check("failing statement fails", False, "no error")
    except pyodbc.Error as e:
        check("failing statement fails with 42000", sqlstate(e) == "42000", e)
    try:
        cur.execute("INSERT INTO t(v) VALUES ('from-odbc')")
        check("forwarded write", cur.rowcount == 1, cur.rowcount)
    except pyodbc.Error as e:
        check("forwarded write", False, e)
    cnx.close()

    # EncryptionKey on a local file, then a wrong key: neither may be logged.
    add_dsn("log_enc", Database=os.path.join(TMP, "enc.db"), Create=1, EncryptionKey=ENC_KEY,
            LogFile=log, LogLevel="debug")
    try:
        c2 = pyodbc.connect("DSN=log_enc", autocommit=True)
        c2.cursor().execute("CREATE TABLE s(x)")
        c2.close()
        check("encrypted local DSN connects", True)
    except pyodbc.Error as e:
        check("encrypted local DSN connects", False, e)
    try:
        pyodbc.connect("DSN=log_enc;EncryptionKey=wrong-" + ENC_KEY, autocommit=True).close()
        check("wrong EncryptionKey refused", False, "connected")
    except pyodbc.Error as e:
        check("wrong EncryptionKey refused with 28000", sqlstate(e) == "28000", e)

    text = read(log)
    lines = text.splitlines()
    check("log file exists and has lines", len(lines) > 0, log)
    bad = [l for l in lines if not LINE.match(l)]
    check("every log line is timestamped (ISO-8601 ms, pid, tid, level, component)",
          not bad, bad[:3])
    check("log file mode 0600", os.path.exists(log) and
          stat.S_IMODE(os.stat(log).st_mode) == 0o600, oct(os.stat(log).st_mode) if
          os.path.exists(log) else "missing")
    check("log: connect", has_line(text, r"connect: connected DSN 'log_replica': mode replica"))
    check("log: query (debug statement trace)",
          has_line(text, r"DEBUG +exec: local statement .*SELECT count\(\*\) FROM t"))
    check("log: sync with pages, bytes, duration, revisions",
          has_line(text, r"sync: synced .*revision \S+ -> \S+, \d+ pages, \d+ bytes, [0-9.]+ s"))
    check("log: failing statement with its SQLSTATE", has_line(text, r"diag: SQLSTATE 42000"))
    check("log: forwarded write with duration and row count",
          has_line(text, r"forward: .* in [0-9.]+ s, 1 rows"))
    check("log: wrong EncryptionKey logged as 28000", has_line(text, r"SQLSTATE 28000"))
    check("log never contains the AuthToken", TOKEN not in text)
    check("log never contains the EncryptionKey", ENC_KEY not in text)

    # ---- LogLevel filters -------------------------------------------------
    wlog = os.path.join(TMP, "warn.log")
    add_dsn("log_warn", Database=os.path.join(TMP, "a.db"), SyncUrl=url, LogFile=wlog,
            LogLevel="warn")
    rc, out = run_child(
        "import pyodbc\nc=pyodbc.connect('DSN=log_warn', autocommit=True)\n"
        "c.cursor().execute('SELECT 1').fetchall()\nc.close()\n", {})
    check("LogLevel=warn child ran", rc == 0, out)
    wtext = read(wlog)
    check("LogLevel=warn writes no info/debug lines",
          os.path.exists(wlog) and not re.search(r" (INFO|DEBUG) ", wtext), wtext[:300])

    # ---- a log file that cannot be opened does not stop the connection -------
    add_dsn("log_bad", Database=os.path.join(TMP, "a.db"), SyncUrl=url,
            LogFile=os.path.join(TMP, "no", "such", "dir", "x.log"), LogLevel="info")
    rc, out = run_child(
        "import pyodbc\nc=pyodbc.connect('DSN=log_bad', autocommit=True)\n"
        "print(c.cursor().execute('SELECT count(*) FROM t').fetchone()[0])\nc.close()\n", {})
    check("unwritable LogFile: the connection still works", rc == 0, out)

    # ---- the environment wins over the DSN ----------------------------------
    elog, dlog = os.path.join(TMP, "env.log"), os.path.join(TMP, "dsn-only.log")
    add_dsn("log_env", Database=os.path.join(TMP, "a.db"), SyncUrl=url, LogFile=dlog,
            LogLevel="error")
    rc, out = run_child(
        "import pyodbc\nc=pyodbc.connect('DSN=log_env', autocommit=True)\n"
        "c.cursor().execute('SELECT 1').fetchall()\nc.close()\n",
        {"LIBSQL_ODBC_LOG": elog, "LIBSQL_ODBC_LOG_LEVEL": "info"})
    check("env-var child ran", rc == 0, out)
    etext = read(elog)
    check("LIBSQL_ODBC_LOG receives the log", has_line(etext, r"INFO +connect: connected DSN 'log_env'"),
          etext[:300])
    check("LIBSQL_ODBC_LOG replaces the DSN's LogFile", not os.path.exists(dlog))
    nlog = os.path.join(TMP, "env-nodsn.log")
    add_dsn("log_none", Database=os.path.join(TMP, "a.db"), SyncUrl=url)
    rc, out = run_child(
        "import pyodbc\nc=pyodbc.connect('DSN=log_none', autocommit=True)\nc.close()\n",
        {"LIBSQL_ODBC_LOG": nlog})
    check("LIBSQL_ODBC_LOG alone (default level warn) writes no info lines",
          rc == 0 and os.path.exists(nlog) and " INFO " not in read(nlog), out + read(nlog))

    # ---- AuthTokenEnv / AuthTokenFile through a token-checking proxy --------
    if not os.path.exists(PROXY_SH):
        check("tests/nginx/proxy.sh exists", False, PROXY_SH)
    else:
        p = subprocess.run([PROXY_SH, "start", xdir, url, TOKEN], env=CLEAN_ENV,
                           capture_output=True, text=True, timeout=60)
        check("proxy.sh start", p.returncode == 0, p.stderr[-500:])
        if p.returncode == 0:
            started.append("proxy")
            purl = read(os.path.join(xdir, "proxy.url")).strip()
            ca = os.path.join(xdir, "ca.pem")
            common = dict(SyncUrl=purl, TlsCaFile=ca, LogFile=log, LogLevel="debug")

            def try_connect(dsn, extra=""):
                try:
                    c = pyodbc.connect("DSN=" + dsn + extra, autocommit=True)
                    n = c.cursor().execute("SELECT count(*) FROM t").fetchone()[0]
                    c.close()
                    return "ok", n
                except pyodbc.Error as e:
                    return sqlstate(e), str(e)

            os.environ["LSQ_TEST_TOKEN"] = TOKEN
            os.environ["LSQ_TEST_BAD_TOKEN"] = "not-the-token"
            add_dsn("tok_env", Database=os.path.join(TMP, "c_env.db"),
                    AuthTokenEnv="LSQ_TEST_TOKEN", **common)
            st, n = try_connect("tok_env")
            check("AuthTokenEnv: the proxy accepts the token", st == "ok" and n >= 3, n)
            st, n = try_connect("tok_env", ";AuthTokenEnv=LSQ_TEST_NO_SUCH_VAR")
            check("AuthTokenEnv naming an unset variable: 28000", st == "28000", n)
            check("... and the message names the variable", "LSQ_TEST_NO_SUCH_VAR" in str(n), n)
            st, n = try_connect("tok_env", ";AuthTokenEnv=LSQ_TEST_BAD_TOKEN")
            check("AuthTokenEnv with a wrong token: 28000 from the primary", st == "28000", n)
            st, n = try_connect("tok_env", ";AuthToken=not-the-token")
            check("AuthToken wins over AuthTokenEnv", st == "28000", n)

            tfile = os.path.join(TMP, "token.txt")
            fd = os.open(tfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.write(fd, (TOKEN + "\n# anything after the first line is ignored\n").encode())
            os.close(fd)
            os.chmod(tfile, 0o600)
            add_dsn("tok_file", Database=os.path.join(TMP, "c_file.db"), AuthTokenFile=tfile,
                    **common)
            st, n = try_connect("tok_file")
            check("AuthTokenFile: the proxy accepts the token", st == "ok" and n >= 3, n)
            os.chmod(tfile, 0o644)
            st, n = try_connect("tok_file")
            check("AuthTokenFile readable by others is refused with 28000", st == "28000", n)
            check("... and the message says chmod 600", "chmod 600" in str(n), n)
            os.chmod(tfile, 0o600)
            st, n = try_connect("tok_file", ";AuthTokenFile=" + os.path.join(TMP, "missing"))
            check("AuthTokenFile missing: 28000", st == "28000", n)
            st, n = try_connect("tok_file", ";AuthTokenEnv=LSQ_TEST_TOKEN;AuthTokenFile=/nonexistent")
            check("AuthTokenEnv wins over AuthTokenFile", st == "ok", n)
            text = read(log)
            check("log never contains the token read from env/file", TOKEN not in text)
            check("log names the primary without secrets", has_line(text, r"connected DSN 'tok_env'"))
finally:
    if "proxy" in started:
        subprocess.run([PROXY_SH, "stop", xdir], env=CLEAN_ENV, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    subprocess.run([PRIMARY_SH, "stop", pdir], env=CLEAN_ENV, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed or not passed else 0)
