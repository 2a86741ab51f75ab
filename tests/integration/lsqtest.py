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
- `Bank`: an invariant-keeping workload (transfers between accounts) on a
  primary, with a writer thread that can be paused;
- the runners: `unittest_main` (a unittest suite, "N passed, M failed", a
  skip counts as a failure) and `run_cases` (plain functions that raise
  CheckFailed), with `check`, `CheckFailed` and `sqlstate`.

The tests are run by tests/integration/run.sh with Debian's /usr/bin/python3;
a script's own directory is on sys.path, so `from lsqtest import ...` works.
"""
import base64
import json
import os
import random
import subprocess
import sys
import threading
import time
import traceback
import unittest
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
