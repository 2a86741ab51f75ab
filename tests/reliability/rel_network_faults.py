#!/usr/bin/python3
"""rel_network_faults.py — writes are applied exactly once, reads never fail
and the replica converges, with network faults between the driver and the
primary (issue 7).

A replica DSN points at tests/reliability/faultproxy.py in front of a real
primary (tursodb --sync-server). For a bounded time (about 60 s; LSQ_SOAK=1:
10 minutes) one pyodbc program mixes, under a seeded random mix of faults
(delay, dropped request, dropped answer, reset mid-answer, truncated body,
slow drip, 5xx bursts) and short outages:

- reads from the local file (must always succeed, warnings allowed);
- single INSERTs with a unique payload (the table has no UNIQUE constraint,
  so a duplicate would be a second row);
- increments of one counter row (a duplicate = a double increment);
- parameter arrays (fast_executemany) of unique payloads;
- manual transactions (two INSERTs and an increment, then commit);
- syncs (PRAGMA libsql_sync; may fail under faults).

Every write's reported outcome is recorded: success (also 01000 "committed
once" after a lost answer), failed ("not applied", 08S01 / HYT00 / others),
or "outcome unknown" with its ledger id. Then the network heals, the unknown
ones are settled the way the driver does (claim the id on the primary), the
replica syncs, and the primary is compared with what was reported:
duplicated, lost and failed-but-applied must all be 0, and the replica's
content must equal the primary's. Figures go to
$LSQ_REPORT_DIR/rel_network_faults.txt.
"""
import json
import os
import random
import re
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)

from lsqtest import TMP, Primary, fail_to_run, pyodbc, sqlstate  # noqa: E402
from faultproxy import DEFAULT_MIX, FaultProxy  # noqa: E402

NAME = "rel_network_faults"
SOAK = os.environ.get("LSQ_SOAK") == "1"
DURATION = 600.0 if SOAK else 60.0
SEED = int(os.environ.get("LSQ_SEED", "20261123"))
ID_RE = re.compile(r"look up id '([0-9a-f]{32}:\d+)'")


def report_dir():
    d = os.environ.get("LSQ_REPORT_DIR") or os.path.join(TMP, "reports")
    os.makedirs(d, exist_ok=True)
    return d


class Outcome:
    OK, FAILED, UNKNOWN = "ok", "failed", "unknown"


def classify(exc):
    """(outcome, sqlstate, ledger id or None) of a write that raised."""
    msg = str(exc)
    m = ID_RE.search(msg)
    if "outcome unknown" in msg and m:
        return Outcome.UNKNOWN, sqlstate(exc), m.group(1)
    return Outcome.FAILED, sqlstate(exc), None


class Run:
    def __init__(self, primary, proxy, rng):
        self.primary, self.proxy, self.rng = primary, proxy, rng
        self.db = os.path.join(TMP, "net-replica.db")
        cs = ("DRIVER=libSQL;Database=%s;SyncUrl=%s;RequestTimeout=3;ConnectTimeout=2"
              % (self.db, proxy.url))
        self.cn = pyodbc.connect(cs, autocommit=True)
        self.tx = pyodbc.connect(cs, autocommit=False)
        self.seq = 0
        # payload -> (outcome, id); increments: list of (outcome, id)
        self.rows = {}
        self.increments = []
        self.writes = []          # (kind, outcome, sqlstate, settled_by_ledger)
        self.reads = self.read_failures = 0
        self.read_errors = []
        self.syncs_ok = self.syncs_failed = 0

    def payload(self, kind):
        self.seq += 1
        return "%s%d" % (kind, self.seq)

    def record(self, kind, payloads, increments, fn):
        try:
            cur = fn()
            info = any("committed once" in str(m) for m in getattr(cur, "messages", []) or [])
            outcome, state, wid = Outcome.OK, "", None
        except pyodbc.Error as e:
            info = False
            outcome, state, wid = classify(e)
        for p in payloads:
            self.rows[p] = (outcome, wid)
        for _ in range(increments):
            self.increments.append((outcome, wid))
        self.writes.append((kind, outcome, state, info))

    # ---------- operations --------------------------------------------------

    def op_read(self):
        self.reads += 1
        try:
            c = self.cn.cursor()
            c.execute("SELECT count(*) FROM kv")
            c.fetchone()
            c.execute("SELECT n FROM counter WHERE id = 1")
            c.fetchone()
            c.close()
        except pyodbc.Error as e:
            self.read_failures += 1
            self.read_errors.append(str(e)[:300])

    def op_insert(self):
        p = self.payload("i")

        def run():
            c = self.cn.cursor()
            c.execute("INSERT INTO kv(k) VALUES(?)", p)
            return c
        self.record("insert", [p], 0, run)

    def op_increment(self):
        def run():
            c = self.cn.cursor()
            c.execute("UPDATE counter SET n = n + 1 WHERE id = 1")
            return c
        self.record("increment", [], 1, run)

    def op_array(self):
        ps = [self.payload("a") for _ in range(self.rng.randint(2, 6))]

        def run():
            c = self.cn.cursor()
            c.fast_executemany = True
            c.executemany("INSERT INTO kv(k) VALUES(?)", [(p,) for p in ps])
            return c
        self.record("array", ps, 0, run)

    def op_txn(self):
        ps = [self.payload("t"), self.payload("t")]

        def run():
            c = self.tx.cursor()
            try:
                for p in ps:
                    c.execute("INSERT INTO kv(k) VALUES(?)", p)
                c.execute("UPDATE counter SET n = n + 1 WHERE id = 1")
            except pyodbc.Error:
                self.tx.rollback()  # a preview failing is a test bug: surface it
                raise RuntimeError("a local preview failed in a manual transaction")
            self.tx.commit()
            return c
        self.record("txn", ps, 1, run)

    def op_sync(self):
        try:
            self.cn.cursor().execute("PRAGMA libsql_sync").fetchall()
            self.syncs_ok += 1
        except pyodbc.Error:
            self.syncs_failed += 1

    # ---------- the loop ----------------------------------------------------

    def loop(self):
        ops = [(self.op_read, 30), (self.op_insert, 20), (self.op_increment, 15),
               (self.op_array, 8), (self.op_txn, 8), (self.op_sync, 5)]
        fns, weights = [o[0] for o in ops], [o[1] for o in ops]
        self.proxy.set_mix(DEFAULT_MIX)
        t_end = time.monotonic() + DURATION
        next_outage = time.monotonic() + 10
        outages = 0
        while time.monotonic() < t_end:
            if time.monotonic() >= next_outage:
                # A short outage: every request dropped (never seen by the
                # primary), or every answer dropped (applied, answer lost);
                # writes in it end "outcome unknown" or are settled.
                mode = ("drop_request", "drop_response")[outages % 2]
                outages += 1
                self.proxy.set_mode(mode)
                self.op_read()
                self.op_insert()
                self.op_increment()
                self.op_read()
                self.proxy.set_mix(DEFAULT_MIX)
                next_outage = time.monotonic() + 15
                continue
            self.rng.choices(fns, weights)[0]()
        return outages


def settle(primary, wid):
    """Claim a write id on the primary (what the driver does, over plain HTTP):
    True = it had committed, False = it is now settled as not applied."""
    body = {"baton": None, "requests": [
        {"type": "execute", "stmt": {"sql": "CREATE TABLE IF NOT EXISTS _libsql_odbc_writes "
                                            "(id TEXT PRIMARY KEY, changes INTEGER, at INTEGER)"}},
        {"type": "execute", "stmt": {"sql": "INSERT INTO _libsql_odbc_writes(id, changes, at) "
                                            "VALUES(?, -1, 0)",
                                     "args": [{"type": "text", "value": wid}]}},
        {"type": "execute", "stmt": {"sql": "SELECT changes FROM _libsql_odbc_writes WHERE id = ?",
                                     "args": [{"type": "text", "value": wid}],
                                     "want_rows": True}}]}
    req = urllib.request.Request(primary.url + "/v2/pipeline", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        out = json.load(r)["results"]
    rows = out[2]["response"]["result"]["rows"]
    changes = int(rows[0][0]["value"])
    return changes >= 0


def main():
    rng = random.Random(SEED)
    try:
        primary = Primary("primary-netfaults")
        primary.execute("CREATE TABLE kv(id INTEGER PRIMARY KEY, k TEXT NOT NULL)",
                        "CREATE TABLE counter(id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
                        "INSERT INTO counter VALUES(1, 0)")
    except Exception as e:  # noqa: BLE001 - fail loudly, never skip
        fail_to_run("could not start the primary: %s" % e)
    proxy = FaultProxy(primary.url, seed=SEED)
    failures = []
    lines = []
    try:
        run = Run(primary, proxy, rng)
        t0 = time.monotonic()
        outages = run.loop()
        elapsed = time.monotonic() - t0
        faults = proxy.counts()

        # ---- heal, settle, converge ----
        proxy.set_mode("pass")
        unknown_ids = sorted({wid for (o, wid) in list(run.rows.values()) + run.increments
                              if o == Outcome.UNKNOWN})
        settled = {wid: settle(primary, wid) for wid in unknown_ids}
        synced = False
        for _ in range(10):
            try:
                run.cn.cursor().execute("PRAGMA libsql_sync").fetchall()
                synced = True
                break
            except pyodbc.Error:
                time.sleep(0.5)
        if not synced:
            failures.append("the replica did not sync after the network healed")

        def applied(outcome, wid):
            """What the primary must hold for a write reported so: 1 / 0."""
            if outcome == Outcome.OK:
                return 1
            if outcome == Outcome.UNKNOWN:
                return 1 if settled[wid] else 0
            return 0

        on_primary = {}
        for (k,) in primary.query("SELECT k FROM kv"):
            on_primary[k] = on_primary.get(k, 0) + 1
        duplicated = lost = failed_applied = strangers = 0
        for p, (outcome, wid) in run.rows.items():
            want, got = applied(outcome, wid), on_primary.get(p, 0)
            if got > 1:
                duplicated += got - 1
            if want == 1 and got == 0:
                lost += 1
            if want == 0 and got > 0:
                if outcome == Outcome.FAILED:
                    failed_applied += 1
                else:
                    strangers += 1
        strangers += sum(1 for k in on_primary if k not in run.rows)
        n = primary.query("SELECT n FROM counter WHERE id = 1")[0][0]
        want_n = sum(applied(o, w) for o, w in run.increments)
        floor_n = sum(1 for o, _ in run.increments if o == Outcome.OK)
        if n > want_n:
            # more increments than reported: a duplicate, or a failed one applied
            failed_extra = n - want_n
            if n > floor_n + sum(1 for o, _ in run.increments if o != Outcome.OK):
                duplicated += failed_extra
            else:
                failed_applied += failed_extra
        elif n < want_n:
            lost += want_n - n

        # ---- the replica equals the primary ----
        c = run.cn.cursor()
        local_rows = [tuple(r) for r in c.execute("SELECT id, k FROM kv ORDER BY id").fetchall()]
        local_n = c.execute("SELECT n FROM counter WHERE id = 1").fetchone()[0]
        integrity = c.execute("PRAGMA integrity_check").fetchone()[0]
        primary_rows = primary.query("SELECT id, k FROM kv ORDER BY id")
        converged = local_rows == primary_rows and local_n == n

        kinds = {}
        for kind, outcome, state, info in run.writes:
            key = (kind, outcome)
            kinds[key] = kinds.get(key, 0) + 1
        attempted = len(run.writes)
        committed = sum(1 for w in run.writes if w[1] == Outcome.OK)
        via_ledger = sum(1 for w in run.writes if w[1] == Outcome.OK and w[3])
        failed = sum(1 for w in run.writes if w[1] == Outcome.FAILED)
        unknown = sum(1 for w in run.writes if w[1] == Outcome.UNKNOWN)
        states = {}
        for w in run.writes:
            if w[1] != Outcome.OK:
                states[w[2]] = states.get(w[2], 0) + 1
        settled_c = sum(1 for v in settled.values() if v)
        lines += [
            "mode %s, %.0f s, seed %d, %d outage(s)" % ("soak" if SOAK else "short", elapsed,
                                                        SEED, outages),
            "requests through the proxy %d; faults injected: %s" % (
                proxy.requests(), ", ".join("%s %d" % (k, v) for k, v in faults.items()
                                            if k != "pass")),
            "writes attempted %d, committed %d (%d of them after a lost answer, settled by the "
            "ledger), failed %d, unknown %d, duplicated %d, lost %d, failed-but-applied %d"
            % (attempted, committed, via_ledger, failed, unknown, duplicated, lost,
               failed_applied),
            "unknown writes settled afterwards: committed %d, not applied %d"
            % (settled_c, len(settled) - settled_c),
            "failed or unknown writes by SQLSTATE: %s" % (", ".join("%s %d" % kv for kv in
                                                        sorted(states.items())) or "none"),
            "per kind: %s" % ", ".join("%s/%s %d" % (k[0], k[1], v)
                                       for k, v in sorted(kinds.items())),
            "rows written %d (on the primary %d), counter %d (increments reported committed %d)"
            % (len(run.rows), sum(on_primary.values()), n, floor_n),
            "reads %d, read failures %d; syncs ok %d, failed %d" % (
                run.reads, run.read_failures, run.syncs_ok, run.syncs_failed),
            "replica equals primary after the final sync: %s; integrity_check %s" % (
                "yes" if converged else "NO", integrity),
        ]
        if duplicated:
            failures.append("%d duplicated write(s)" % duplicated)
        if lost:
            failures.append("%d write(s) reported committed are missing" % lost)
        if failed_applied:
            failures.append("%d write(s) reported as failed were applied" % failed_applied)
        if strangers:
            failures.append("%d row(s) on the primary that no write accounts for" % strangers)
        if run.read_failures:
            failures.append("%d read(s) failed: %s" % (run.read_failures, run.read_errors[:3]))
        if not converged:
            failures.append("the replica differs from the primary after the final sync")
        if integrity != "ok":
            failures.append("replica integrity_check: %s" % integrity)
        if committed == 0 or failed + unknown == 0:
            failures.append("the run proves nothing: %d committed, %d failed or unknown"
                            % (committed, failed + unknown))
        if sum(v for k, v in faults.items() if k != "pass") == 0:
            failures.append("no fault was injected")
        run.cn.close()
        run.tx.close()
    except Exception as e:  # noqa: BLE001 - report every failure
        import traceback
        traceback.print_exc()
        failures.append("the test itself failed: %s" % e)
    finally:
        proxy.stop()
        primary.stop()
    with open(os.path.join(report_dir(), NAME + ".txt"), "w") as f:
        f.write("\n".join(lines + ["FAIL: " + x for x in failures]) + "\n")
    for line in lines:
        print(line)
    for x in failures:
        print("FAIL: " + x)
    print("%d passed, %d failed" % (0 if failures else 1, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
