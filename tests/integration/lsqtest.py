"""lsqtest.py — what the Python integration tests (tests/integration/test_*.py)
share; not a test itself (no test_ prefix, so CMake's glob skips it).

It owns:
- the preamble: pyodbc importable or fail loudly ("0 passed, 1 failed",
  exit 1, never a skip); LSQ_TEST_TMP must be set (run.sh sets it);
  TMP, SRC (LSQ_SOURCE_DIR, else the checkout this file is in), NODE_DIR,
  PRIMARY_SH, PROXY_SH, TURSODB and CLEAN_ENV (= CHILD_ENV: the environment
  without the sanitizer preload, for programs that are not ours);
- `Primary`: a real primary (tests/node/primary.sh: tursodb --sync-server)
  in a directory of its own, with /v2/pipeline (Hrana JSON) helpers;
- `hrana_value`: one Hrana JSON value as a Python value;
- offline mode (docs/offline.md): `FaultProxy` (a recording reverse proxy
  that can fail pushes or everything), `NpmOfflineClient` (an offline
  writer through @tursodatabase/sync, tests/node/offline_client.js),
  `run_child` / `child_argv_env` (Python in a fresh process: a restart,
  a crash point, a SIGKILL),
  `odbc_state` / `odbc_dump` / `norm_rows` / `user_tables` (comparable dumps),
  `diag_message` and `write_report` ($LSQ_REPORT_DIR/<test>.txt figures);
- `Bank`: an invariant-keeping workload (transfers between accounts) on a
  primary, with a writer thread that can be paused;
- the runners: `unittest_main` (a unittest suite, "N passed, M failed", a
  skip counts as a failure) and `run_cases` (plain functions that raise
  CheckFailed), with `check`, `CheckFailed` and `sqlstate`.

The tests are run by tests/integration/run.sh with Debian's /usr/bin/python3;
a script's own directory is on sys.path, so `from lsqtest import ...` works.
"""
import base64
import http.server
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import traceback
import unittest
import urllib.error
import urllib.request


def fail_to_run(why):
    """Nothing can run: say so and count it as one failure."""
    print("FAIL: " + why)
    print("0 passed, 1 failed")
    sys.exit(1)


try:
    import pyodbc  # noqa: F401 - re-exported: `from lsqtest import pyodbc`
except ImportError as e:  # fail loudly, never skip
    fail_to_run("pyodbc is not importable with %s: %s" % (sys.executable, e))

TMP = os.environ.get("LSQ_TEST_TMP")
SRC = os.environ.get("LSQ_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
if not TMP:
    fail_to_run("LSQ_TEST_TMP is not set (run through tests/integration/run.sh)")

NODE_DIR = os.path.join(SRC, "tests", "node")
PRIMARY_SH = os.path.join(NODE_DIR, "primary.sh")
PROXY_SH = os.path.join(SRC, "tests", "nginx", "proxy.sh")
TURSODB = os.path.join(NODE_DIR, "node_modules", "@tursodatabase", "cli-linux-x64-gnu",
                       "tursodb")
# Programs that are not ours must not get the sanitizer preload.
CLEAN_ENV = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
CHILD_ENV = CLEAN_ENV


# ---------- checks -----------------------------------------------------------

class CheckFailed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise CheckFailed(what)


def sqlstate(exc):
    """The SQLSTATE pyodbc put first in the exception's args."""
    return exc.args[0] if exc.args else ""


# ---------- the primary ------------------------------------------------------

def hrana_value(v):
    t = v["type"]
    if t == "null":
        return None
    if t == "integer":
        return int(v["value"])
    if t == "float":
        return float(v["value"])
    if t == "text":
        return v["value"]
    if t == "blob":
        return base64.b64decode(v["base64"] + "=" * (-len(v["base64"]) % 4))
    raise ValueError("unknown Hrana value %r" % v)


class Primary:
    """One tursodb sync server in its own directory, TMP/name."""

    def __init__(self, name):
        self.dir = os.path.join(TMP, name)
        os.makedirs(self.dir, exist_ok=True)
        subprocess.run([PRIMARY_SH, "start", self.dir], check=True, env=CLEAN_ENV,
                       stdout=subprocess.DEVNULL)
        with open(os.path.join(self.dir, "primary.port")) as f:
            self.port = int(f.read().strip())
        self.url = "http://127.0.0.1:%d" % self.port

    def stop(self):
        subprocess.run([PRIMARY_SH, "stop", self.dir], env=CLEAN_ENV)

    def restart_same_port(self):
        """Start tursodb again on the port it had (primary.sh picks a new one)."""
        log = open(os.path.join(self.dir, "primary.log"), "a")
        proc = subprocess.Popen([TURSODB, "-q", os.path.join(self.dir, "primary.db"),
                                 "--sync-server", "127.0.0.1:%d" % self.port],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=CLEAN_ENV)
        log.close()
        with open(os.path.join(self.dir, "primary.pid"), "w") as f:
            f.write(str(proc.pid))
        with open(os.path.join(self.dir, "primary.port"), "w") as f:
            f.write(str(self.port))
        for _ in range(100):
            try:
                self.query("SELECT 1")
                return
            except Exception:
                time.sleep(0.1)
        raise RuntimeError("tursodb did not come back on port %d" % self.port)

    def _post(self, stmts):
        """One /v2/pipeline request executing stmts; the raw results, all ok."""
        body = {"baton": None,
                "requests": [{"type": "execute", "stmt": {"sql": s}} for s in stmts]}
        req = urllib.request.Request(self.url + "/v2/pipeline", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            out = json.load(r)
        for res in out["results"]:
            if res["type"] != "ok":
                raise RuntimeError("primary refused %s: %s" % (stmts, res))
        return out["results"]

    def pipeline(self, stmts):
        """The Hrana result ({"cols", "rows", ...}) of each statement."""
        return [res["response"]["result"] for res in self._post(list(stmts))]

    def execute(self, *stmts):
        """Run stmts in one pipeline; the raw Hrana results ({"type": "ok", ...})."""
        return self._post(list(stmts))

    def query(self, sql):
        """Rows as tuples of Python values (Hrana JSON decoded)."""
        result = self.pipeline([sql])[0]
        return [tuple(hrana_value(v) for v in row) for row in result["rows"]]

    def query_lists(self, sql):
        """Rows as lists of Python values (Hrana JSON decoded)."""
        return [list(row) for row in self.query(sql)]

    def count(self, sql):
        """The integer in the first column of the first row."""
        return int(self.pipeline([sql])[0]["rows"][0][0]["value"])

    def tables(self):
        return {r[0] for r in self.query("SELECT name FROM sqlite_schema WHERE type='table'")}

    def transaction(self, stmts):
        """Run stmts between BEGIN and COMMIT in one pipeline; rows of the last."""
        results = self.pipeline(["BEGIN"] + list(stmts) + ["COMMIT"])
        return [tuple(hrana_value(v) for v in row) for row in results[-2]["rows"]]

    def dump(self, tables=None):
        """{table: rows} (normalized and sorted, see norm_rows) of the given
        tables, default every user table (user_tables)."""
        if tables is None:
            tables = user_tables(self.tables())
        return {t: norm_rows(self.query('SELECT * FROM "%s"' % t)) for t in sorted(tables)}


# ---------- offline mode: comparable dumps, proxies, other writers ----------

# Tables that are bookkeeping, not user data: SQLite's, the driver's push
# ledger (write_ledger.h) and @tursodatabase/sync's (turso_sync_*, turso_cdc*).
INTERNAL_TABLE_PREFIXES = ("sqlite_", "_libsql_odbc_", "turso_sync_", "turso_cdc")


def user_tables(names):
    return sorted(n for n in names if not n.startswith(INTERNAL_TABLE_PREFIXES))


def norm_value(v):
    """One value as JSON-like Python: blobs as {"blob": base64} (what
    offline_client.js prints), integral floats stay floats."""
    if isinstance(v, (bytes, bytearray, memoryview)):
        return {"blob": base64.b64encode(bytes(v)).decode()}
    return v


def norm_rows(rows):
    """Rows as lists of normalized values, sorted (order-free comparison)."""
    out = [[norm_value(v) for v in row] for row in rows]
    return sorted(out, key=lambda r: json.dumps(r, sort_keys=True))


def odbc_rows(conn, sql, *params):
    cur = conn.cursor()
    cur.execute(sql, *params)
    rows = [list(r) for r in cur.fetchall()] if cur.description else []
    cur.close()
    return rows


def odbc_pragma(conn, sql):
    """Every row of a driver command (PRAGMA libsql_*) as a dict by column name."""
    cur = conn.cursor()
    cur.execute(sql)
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r)) for r in cur.fetchall()]
    cur.close()
    return rows


def odbc_state(conn):
    """PRAGMA libsql_state's one row as a dict."""
    rows = odbc_pragma(conn, "PRAGMA libsql_state")
    if len(rows) != 1:
        raise CheckFailed("PRAGMA libsql_state gave %d rows" % len(rows))
    return rows[0]


def odbc_dump(conn, tables=None):
    """{table: normalized sorted rows} of the given tables in main, default
    every user table of the local file."""
    if tables is None:
        tables = user_tables(r[0] for r in odbc_rows(
            conn, "SELECT name FROM main.sqlite_schema WHERE type = 'table'"))
    return {t: norm_rows(odbc_rows(conn, 'SELECT * FROM main."%s"' % t)) for t in sorted(tables)}


_DIAG_PREFIX = re.compile(r"^(\[[^\]]*\]\s*)+")


def diag_message(exc):
    """A pyodbc error's message without pyodbc's "[SQLSTATE] " and the
    driver manager's "[libSQL][libsql-odbc]" prefixes (and without the
    trailing "(native) (SQLFunction)")."""
    msg = exc.args[1] if len(exc.args) > 1 else str(exc)
    msg = _DIAG_PREFIX.sub("", msg)
    return re.sub(r"(\s*\(-?\d+\))?\s*\(SQL\w+\)\s*$", "", msg)


def write_report(test_name, lines):
    """Print the figures and write them to $LSQ_REPORT_DIR/<test_name>.txt
    (scripts/test.sh prints them all). ctest sets LSQ_REPORT_DIR only for the
    reliability tests; integration tests fall back to $LSQ_BUILD_DIR/reports,
    the same directory."""
    for line in lines:
        print("figures: " + line)
    d = os.environ.get("LSQ_REPORT_DIR")
    if not d and os.environ.get("LSQ_BUILD_DIR"):
        d = os.path.join(os.environ["LSQ_BUILD_DIR"], "reports")
    if d:
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, test_name + ".txt"), "w") as f:
            f.write("".join(line + "\n" for line in lines))


def child_argv_env(code, env=None):
    """argv and environment for Python code in a fresh /usr/bin/python3 with
    this process's environment (ODBCSYSINI, the sanitizer preload) plus env;
    lsqtest is importable there."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    prelude = "import sys; sys.path.insert(0, %r)\n" % os.path.dirname(os.path.abspath(__file__))
    return ["/usr/bin/python3", "-c", prelude + code], full_env


def run_child(code, env=None, timeout=300):
    """Run Python code in a fresh process (child_argv_env): for restarts and
    crash points (LSQ_CRASH_AT makes the driver _exit(99)). Returns the
    CompletedProcess (text output)."""
    argv, full_env = child_argv_env(code, env)
    return subprocess.run(argv, env=full_env, capture_output=True, text=True, timeout=timeout)


def forward_post(target, path, body, headers):
    """POST body to target+path as a test proxy forwards a request (its
    Content-Type and Authorization kept); returns (status, data, content
    type). A stopped primary answers 502."""
    req = urllib.request.Request(target + path, data=body, method="POST")
    for k in ("Content-Type", "Authorization"):
        if headers.get(k):
            req.add_header(k, headers[k])
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read(), r.headers.get("Content-Type", "application/octet-stream")
    except urllib.error.HTTPError as e:
        return e.code, e.read(), "text/plain"
    except OSError as e:  # the primary is stopped
        return 502, str(e).encode(), "text/plain"


class FaultProxy:
    """A reverse proxy on its own loopback port in front of a primary, so a
    replica keeps ONE SyncUrl (the replica's sidecar is bound to it) while a
    test makes the primary unreachable. mode:
      "pass"          forward everything;
      "fail_pipeline" answer /v2/pipeline (SQL, pushes) with 503, forward
                      /pull-updates (pulls work, pushes fail);
      "down"          close every connection without an answer (a network
                      failure).
    Every forwarded /v2/pipeline body is kept in `pipelines` (parsed JSON)."""

    def __init__(self, target):
        self.target = target
        self.mode = "pass"
        self.lock = threading.Lock()
        self.pipelines = []
        self.counts = {}
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                mode = proxy.mode
                if mode == "down":
                    self.close_connection = True
                    return
                if mode == "fail_pipeline" and self.path.startswith("/v2/pipeline"):
                    self._answer(503, b"push refused by the test proxy", "text/plain")
                    return
                with proxy.lock:
                    proxy.counts[self.path] = proxy.counts.get(self.path, 0) + 1
                    if self.path.startswith("/v2/pipeline"):
                        try:
                            proxy.pipelines.append(json.loads(body))
                        except ValueError:
                            proxy.pipelines.append({"unparsable": body.decode("latin-1")})
                status, data, ctype = forward_post(proxy.target, self.path, body, self.headers)
                self._answer(status, data, ctype)

            def _answer(self, status, data, ctype):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def batches(self):
        """Every Hrana batch forwarded so far, oldest first: a list (one per
        batch request) of steps, each (sql, [argument values])."""
        out = []
        with self.lock:
            bodies = list(self.pipelines)
        for body in bodies:
            for req in body.get("requests", []):
                if req.get("type") == "batch":
                    out.append([(st["stmt"].get("sql", ""),
                                 [hrana_value(a) for a in st["stmt"].get("args") or []])
                                for st in req["batch"]["steps"]])
        return out

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


OFFLINE_CLIENT_JS = os.path.join(NODE_DIR, "offline_client.js")


class NpmOfflineClient:
    """An offline writer that is not this project's code: @tursodatabase/sync
    through tests/node/offline_client.js (its header says how it behaves),
    with its local copy in its own directory."""

    def __init__(self, url, name):
        self.url = url
        self.dir = os.path.join(TMP, name)

    def run(self, cmd, *sql, check=True):
        r = subprocess.run(["node", OFFLINE_CLIENT_JS, cmd, self.url, self.dir] + list(sql),
                           env=CLEAN_ENV, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            if check:
                raise RuntimeError("offline_client.js %s failed: %s" % (cmd, r.stderr.strip()[-800:]))
            return None
        return json.loads(r.stdout)

    def init(self):
        return self.run("init")

    def exec(self, *sql):
        return self.run("exec", *sql)

    def tx(self, *sql):
        return self.run("tx", *sql)

    def push(self):
        return self.run("push")

    def pull(self):
        return self.run("pull")

    def sync(self):
        return self.run("sync")

    def query(self, sql):
        return self.run("query", sql)

    def dump(self, tables=None):
        d = self.run("dump")
        names = user_tables(d.keys()) if tables is None else tables
        return {t: norm_rows(d.get(t, [])) for t in sorted(names)}

    def pending(self):
        return int(self.run("stats")["cdcOperations"])


# ---------- an invariant-keeping workload -----------------------------------

class Bank:
    """Accounts on a primary whose every committed revision satisfies
        sum(bal) = accounts * 1000,  count(acct) = accounts,  counter.n = count(audit)
    (rows on many pages: a torn apply, some pages of a revision and not others,
    breaks it). `transfer` commits one such revision through /v2/pipeline;
    `start_writer` keeps doing so on a thread, which `pause`/`resume` hold
    still (e.g. while a replica is compared with the primary). Shared by the
    replica concurrency test and the reliability crash loop."""

    CHECK_SQL = ("SELECT (SELECT sum(bal) FROM acct), (SELECT count(*) FROM acct), "
                 "(SELECT n FROM counter), (SELECT count(*) FROM audit)")

    def __init__(self, primary, accounts=300, seed=7):
        self.primary = primary
        self.accounts = accounts
        self.total = accounts * 1000
        self.rnd = random.Random(seed)
        self.transfers = 0
        self.error = None
        self._stop = threading.Event()
        self._go = threading.Event()
        self._go.set()
        self._busy = threading.Lock()
        self._thread = None

    def create(self, extra=()):
        """The tables and the first revision (extra: more statements, same transaction)."""
        values = ",".join("(%d, 1000, randomblob(200))" % i
                          for i in range(1, self.accounts + 1))
        self.primary.transaction(
            ["CREATE TABLE acct(id INTEGER PRIMARY KEY, bal INTEGER NOT NULL, pad BLOB)",
             "CREATE TABLE audit(id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, "
             "amount INTEGER, pad BLOB)",
             "CREATE TABLE counter(n INTEGER NOT NULL)",
             "INSERT INTO counter VALUES (0)",
             "INSERT INTO acct VALUES " + values] + list(extra) + ["SELECT 1"])

    def violates(self, row):
        """True when a CHECK_SQL row breaks the invariant."""
        total, naccts, n, naudit = row
        return total != self.total or naccts != self.accounts or n != naudit

    def transfer(self, rnd=None):
        rnd = rnd or self.rnd
        a, b = rnd.sample(range(1, self.accounts + 1), 2)
        x = rnd.randint(1, 500)
        self.primary.transaction([
            "UPDATE acct SET bal = bal - %d, pad = randomblob(200) WHERE id = %d" % (x, a),
            "INSERT INTO audit(a, b, amount, pad) VALUES (%d, %d, %d, randomblob(100))"
            % (a, b, x),
            "UPDATE acct SET bal = bal + %d, pad = randomblob(200) WHERE id = %d" % (x, b),
            "UPDATE counter SET n = n + 1",
            "SELECT 1"])
        self.transfers += 1

    def _writer(self, pause):
        try:
            while not self._stop.is_set():
                self._go.wait(0.2)
                with self._busy:
                    if self._go.is_set() and not self._stop.is_set():
                        self.transfer()
                if pause:
                    self._stop.wait(pause)
        except Exception as e:  # reported by the test through .error
            self.error = repr(e)

    def start_writer(self, pause=0):
        """Transfer on a thread until stop_writer, sleeping pause seconds
        between transfers (0 = flat out)."""
        self._thread = threading.Thread(target=self._writer, args=(pause,), daemon=True)
        self._thread.start()

    def pause(self):
        """Return once no transfer is in flight and none will start."""
        self._go.clear()
        with self._busy:
            pass

    def resume(self):
        self._go.set()

    def stop_writer(self):
        self._stop.set()
        self._go.set()
        if self._thread:
            self._thread.join(60)


# ---------- runners ----------------------------------------------------------

def report(passed, failed):
    print("%d passed, %d failed" % (passed, failed))
    sys.stdout.flush()


def unittest_main(suite=None):
    """Run suite (default: every test in __main__) verbosely; print
    "N passed, M failed" where a skip counts as failed; the exit status:
    non-zero when anything failed, was skipped, or nothing ran."""
    if suite is None:
        suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules["__main__"])
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    failed += len(result.skipped)  # nothing here may skip silently
    report(passed, failed)
    return 0 if failed == 0 and result.testsRun > 0 else 1


def run_cases(cases, passed, failed):
    """Run each function in cases; a name goes on passed or failed (lists)
    with "PASS name" / "FAIL name: why" (a traceback unless a CheckFailed)."""
    for case in cases:
        try:
            case()
            passed.append(case.__name__)
            print("PASS %s" % case.__name__)
        except Exception as e:  # noqa: BLE001 - report every failure
            failed.append(case.__name__)
            print("FAIL %s: %s" % (case.__name__, e))
            if not isinstance(e, CheckFailed):
                traceback.print_exc()
