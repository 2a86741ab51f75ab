#!/usr/bin/python3
"""test_offline_two_replicas.py — two offline replicas of one REAL primary
(tursodb --sync-server): this driver with Offline=1 (docs/offline.md) and
@tursodatabase/sync from npm (tests/node/offline_client.js, whose header says
how it pushes and rebases). Both write offline — the primary is STOPPED while
they write — to the same two tables: disjoint keys, plus keys and rows both
sides touch (the same new key, the same column, different columns, an update
against a delete, both deleting). They sync in different orders:

  round 1  driver first   (driver sync, npm push, npm pull, driver pull)
  round 2  npm first      (npm push, driver sync, npm pull, driver pull)
  round 3  interleaved    (writes between the other side's push and pull)
  round 4  kill -9        (npm first; the driver dies at push-sent during its
                           sync, and at rebase-applied during a pull with
                           pending changes; restarted, it converges: nothing
                           lost, nothing applied twice)

and finally both pull: driver replica == npm replica == primary (full dumps
of every user table).

Every step is checked against a model of the two documented rules, so a
difference is caught where it happens, not only at the end:
- this driver (docs/offline.md): a local transaction is pushed only if it
  applies on the primary exactly as made locally (an insert's key is free, an
  updated row still has the old values in the changed columns, a deleted row
  is unchanged), otherwise it is a conflict: not applied, counted, and the
  primary's rows become local; a pull replays pending transactions by the
  same rule;
- @tursodatabase/sync (observed, offline_client.js): pushes every change
  blind, keyed by primary key — insert = upsert, update = the changed columns
  where the key matches, delete = by key; a pull replays pending changes the
  same way; nothing is ever a conflict (the last push wins).
The driver's conflicts (PRAGMA libsql_state / libsql_conflicts) must equal
the model's; the npm side's silent overwrites and lost updates are counted by
the model and printed. Figures go to $LSQ_REPORT_DIR/test_offline_two_replicas.txt.

Run by tests/integration/run.sh. Prints "N passed, M failed"; exits non-zero
on failure.
"""
import copy
import os
import shutil
import unittest

from lsqtest import (TMP, FaultProxy, NpmOfflineClient, Primary, odbc_dump, odbc_pragma,
                     odbc_state, pyodbc, run_child, unittest_main, write_report)

COLS = {"a": ["id", "v", "n"], "b": ["k", "v"]}
PK = {"a": "id", "b": "k"}
FIGURES = []


def lit(v):
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    return "'%s'" % str(v).replace("'", "''")


# ---------- operations: SQL for the replicas, changes for the model ----------

class Ins:
    def __init__(self, t, **row):
        self.t, self.row = t, row
        self.pk = row[PK[t]]

    def sql(self):
        cols = COLS[self.t]
        return "INSERT INTO %s(%s) VALUES (%s)" % (self.t, ", ".join(cols),
                                                   ", ".join(lit(self.row[c]) for c in cols))


class Upd:
    def __init__(self, t, pk, **new):
        self.t, self.pk, self.new = t, pk, new

    def sql(self):
        return "UPDATE %s SET %s WHERE %s = %s" % (
            self.t, ", ".join("%s = %s" % (c, lit(v)) for c, v in self.new.items()),
            PK[self.t], lit(self.pk))


class Del:
    def __init__(self, t, pk):
        self.t, self.pk = t, pk

    def sql(self):
        return "DELETE FROM %s WHERE %s = %s" % (self.t, PK[self.t], lit(self.pk))


def row_list(t, row):
    return [row[c] for c in COLS[t]]


def dump_of(state):
    """The model's state as an lsqtest dump ({table: sorted rows})."""
    from lsqtest import norm_rows
    return {t: norm_rows([row_list(t, r) for r in state[t].values()]) for t in sorted(state)}


class DriverModel:
    """The driver's local copy and pending transactions (change sets as the
    session extension records them: old values of the changed columns for an
    update, the whole old row for a delete)."""

    def __init__(self, primary_state):
        self.local = copy.deepcopy(primary_state)
        self.pending = []
        self.conflicts = 0
        self.pushed = 0

    def write(self, ops):
        changes = []
        for op in ops:
            rows = self.local[op.t]
            if isinstance(op, Ins):
                assert op.pk not in rows, "scenario bug: driver inserts an existing key"
                rows[op.pk] = dict(op.row)
                changes.append(("ins", op.t, op.pk, dict(op.row)))
            elif isinstance(op, Upd):
                assert op.pk in rows, "scenario bug: driver updates a missing row"
                old = {c: rows[op.pk][c] for c in op.new}
                assert old != op.new, "scenario bug: a no-op update"
                rows[op.pk].update(op.new)
                changes.append(("upd", op.t, op.pk, old, dict(op.new)))
            else:
                assert op.pk in rows, "scenario bug: driver deletes a missing row"
                changes.append(("del", op.t, op.pk, rows.pop(op.pk)))
        self.pending.append(changes)

    @staticmethod
    def apply(state, changes):
        """All or nothing; False = a conflict (state untouched)."""
        s = copy.deepcopy(state)
        for ch in changes:
            kind, t, pk = ch[0], ch[1], ch[2]
            rows = s[t]
            if kind == "ins":
                if pk in rows:
                    return False
                rows[pk] = dict(ch[3])
            elif kind == "upd":
                if pk not in rows or any(rows[pk][c] != v for c, v in ch[3].items()):
                    return False
                rows[pk].update(ch[4])
            else:
                if rows.get(pk) != ch[3]:
                    return False
                del rows[pk]
        state.clear()
        state.update(s)
        return True

    def push(self, primary):
        for changes in self.pending:
            if self.apply(primary, changes):
                self.pushed += 1
            else:
                self.conflicts += 1
        self.pending = []

    def pull(self, primary):
        self.local = copy.deepcopy(primary)
        keep = []
        for changes in self.pending:
            if self.apply(self.local, changes):
                keep.append(changes)
            else:
                self.conflicts += 1
        self.pending = keep


class NpmModel:
    """@tursodatabase/sync's local copy and pending changes (blind, by key)."""

    def __init__(self, primary_state):
        self.local = copy.deepcopy(primary_state)
        self.pending = []
        self.overwrites = 0    # the push replaced a row or column someone else changed
        self.lost_updates = 0  # an update whose row the primary no longer had

    def write(self, ops):
        for op in ops:
            rows = self.local[op.t]
            if isinstance(op, Ins):
                assert op.pk not in rows, "scenario bug: npm inserts an existing key"
                rows[op.pk] = dict(op.row)
                self.pending.append(("ups", op.t, op.pk, dict(op.row)))
            elif isinstance(op, Upd):
                assert op.pk in rows, "scenario bug: npm updates a missing row"
                rows[op.pk].update(op.new)
                self.pending.append(("upd", op.t, op.pk, dict(op.new)))
            else:
                assert op.pk in rows, "scenario bug: npm deletes a missing row"
                del rows[op.pk]
                self.pending.append(("del", op.t, op.pk))

    def apply(self, state, count):
        for ch in self.pending:
            kind, t, pk = ch[0], ch[1], ch[2]
            rows = state[t]
            if kind == "ups":
                if count and pk in rows and rows[pk] != ch[3]:
                    self.overwrites += 1
                rows[pk] = dict(ch[3])
            elif kind == "upd":
                if pk in rows:
                    rows[pk].update(ch[3])
                elif count:
                    self.lost_updates += 1
            else:
                rows.pop(pk, None)

    def push(self, primary):
        self.apply(primary, True)
        self.pending = []

    def pull(self, primary):
        self.local = copy.deepcopy(primary)
        self.apply(self.local, False)


# ---------- the replicas -------------------------------------------------------

class DriverReplica:
    def __init__(self, url, db):
        self.cs = "DRIVER=libSQL;Database=%s;SyncUrl=%s;Offline=1" % (db, url)
        self.conn = None
        self.open()

    def open(self):
        """Connect (which pushes, then pulls)."""
        self.conn = pyodbc.connect(self.cs, autocommit=True)

    def write(self, ops):
        """ops as ONE local transaction."""
        self.conn.autocommit = False
        cur = self.conn.cursor()
        for op in ops:
            cur.execute(op.sql())
            assert cur.rowcount == 1, "%s: row count %d" % (op.sql(), cur.rowcount)
        self.conn.commit()
        self.conn.autocommit = True

    def _pragma(self, name):
        cur = self.conn.cursor()
        cur.execute("PRAGMA " + name)
        cur.fetchall()
        cur.close()

    def push(self):
        self._pragma("libsql_push")

    def pull(self):
        self._pragma("libsql_pull")

    def sync(self):
        self._pragma("libsql_sync")

    def dump(self):
        return odbc_dump(self.conn, sorted(COLS))

    def state(self):
        return odbc_state(self.conn)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# A driver process that runs one command and is meant to die at LSQ_CRASH_AT.
CRASH_CHILD = r"""
import os
from lsqtest import pyodbc
cn = pyodbc.connect(os.environ["OFF_CS"], autocommit=True)
cn.cursor().execute(os.environ["OFF_SQL"]).fetchall()
print("the crash point was not reached")
"""


class NpmReplica:
    def __init__(self, url, name):
        self.client = NpmOfflineClient(url, name)
        self.client.init()

    def write(self, ops):
        self.client.tx(*[op.sql() for op in ops])

    def push(self):
        self.client.push()

    def pull(self):
        self.client.pull()

    def dump(self):
        return self.client.dump(sorted(COLS))

    def pending(self):
        return self.client.pending()


# ---------- the test -----------------------------------------------------------

def initial_state():
    return {"a": {i: {"id": i, "v": "p%d" % i, "n": i} for i in range(1, 41)},
            "b": {"k%d" % i: {"k": "k%d" % i, "v": "pb%d" % i} for i in range(1, 7)}}


class TwoReplicas(unittest.TestCase):
    def setUp(self):
        self.p = Primary("primary-two")
        state = initial_state()
        self.p.transaction(
            ["CREATE TABLE a(id INTEGER PRIMARY KEY, v TEXT, n INTEGER)",
             "CREATE TABLE b(k TEXT PRIMARY KEY, v TEXT)"] +
            [Ins("a", **r).sql() for r in state["a"].values()] +
            [Ins("b", **r).sql() for r in state["b"].values()])
        self.model = state
        self.dm = DriverModel(state)
        self.nm = NpmModel(state)
        # the driver goes through a proxy so that its pushes alone can be failed
        self.px = FaultProxy(self.p.url)
        self.d = DriverReplica(self.px.url, os.path.join(TMP, "two-driver.db"))
        self.n = NpmReplica(self.p.url, "two-npm")
        self.steps = 0
        self.kills = 0

    def tearDown(self):
        self.d.close()
        self.px.stop()
        self.p.stop()

    # each step: do it on the replica and in the model, then compare
    def expect(self, what, got, want):
        self.steps += 1
        self.assertEqual(got, want, "after step %d (%s)" % (self.steps, what))

    def offline(self, d_txns=(), n_txns=()):
        """Both sides write with the primary stopped."""
        self.p.stop()
        for ops in d_txns:
            self.d.write(ops)
            self.dm.write(ops)
        for ops in n_txns:
            self.n.write(ops)
            self.nm.write(ops)
        self.expect("driver wrote offline", self.d.dump(), dump_of(self.dm.local))
        self.expect("npm wrote offline", self.n.dump(), dump_of(self.nm.local))
        self.assertEqual(self.d.state()["pending_transactions"], len(self.dm.pending))
        self.p.restart_same_port()

    def d_sync(self):
        self.d.sync()
        self.dm.push(self.model)
        self.dm.pull(self.model)
        self.check_synced("driver sync")

    def check_synced(self, what):
        self.expect(what + ": primary", self.p.dump(sorted(COLS)), dump_of(self.model))
        self.expect(what + ": driver", self.d.dump(), dump_of(self.dm.local))
        st = self.d.state()
        self.assertEqual((st["pending_transactions"], st["conflicts"], st["pushed_transactions"]),
                         (0, self.dm.conflicts, self.dm.pushed))

    def d_crash(self, point, sql, proxy_mode):
        """The driver, in a child process, runs sql and dies (kill at
        LSQ_CRASH_AT=point, exit 99); then it is reopened here."""
        self.d.close()
        self.px.mode = proxy_mode
        r = run_child(CRASH_CHILD, {"OFF_CS": self.d.cs, "OFF_SQL": sql, "LSQ_CRASH_AT": point})
        self.px.mode = "pass"
        self.assertEqual(r.returncode, 99, "%s: %s %s" % (point, r.stdout, r.stderr[-2000:]))
        self.kills += 1
        self.d.open()  # pushes what is left, then pulls

    def d_pull(self):
        self.d.pull()
        self.dm.pull(self.model)
        self.expect("driver pull", self.d.dump(), dump_of(self.dm.local))
        st = self.d.state()
        self.assertEqual((st["pending_transactions"], st["conflicts"]),
                         (len(self.dm.pending), self.dm.conflicts))

    def n_push(self):
        self.n.push()
        self.nm.push(self.model)
        self.expect("npm push: primary", self.p.dump(sorted(COLS)), dump_of(self.model))

    def n_pull(self):
        self.n.pull()
        self.nm.pull(self.model)
        self.expect("npm pull", self.n.dump(), dump_of(self.nm.local))

    def test_both_write_offline_sync_in_every_order(self):
        # round 1: driver first
        self.offline(
            d_txns=[[Ins("a", id=101, v="d101", n=0), Upd("a", 1, v="d1")],
                    [Del("a", 2)],
                    [Ins("a", id=900, v="d900", n=0)],          # npm inserts 900 too
                    [Upd("a", 3, v="d3")],                      # npm sets v too
                    [Upd("a", 4, n=40)],                        # npm sets v (other column)
                    [Upd("a", 5, v="d5")],                      # npm deletes 5
                    [Del("a", 6)],                              # npm updates 6
                    [Del("a", 9)],                              # npm deletes 9 too
                    [Ins("b", k="dk1", v="d"), Upd("b", "k1", v="d-k1")]],
            n_txns=[[Ins("a", id=201, v="n201", n=0)],
                    [Upd("a", 7, v="n7"), Del("a", 8)],
                    [Ins("a", id=900, v="n900", n=1)],
                    [Upd("a", 3, v="n3")],
                    [Upd("a", 4, v="n4")],
                    [Del("a", 5)],
                    [Upd("a", 6, n=66)],
                    [Del("a", 9)],
                    [Ins("b", k="nk1", v="n")]])
        self.d_sync()
        self.n_push()
        self.n_pull()
        self.d_pull()
        round1 = self.dm.conflicts

        # round 2: npm first (same kinds of clashes, fresh rows)
        self.offline(
            d_txns=[[Ins("a", id=102, v="d102", n=0)],
                    [Ins("a", id=901, v="d901", n=0)],
                    [Upd("a", 13, v="d13")],
                    [Upd("a", 14, n=140)],
                    [Upd("a", 15, v="d15")],
                    [Del("a", 16)],
                    [Del("a", 19)],
                    [Upd("a", 10, v="d10"), Ins("b", k="dk2", v="d")]],
            n_txns=[[Ins("a", id=202, v="n202", n=0)],
                    [Ins("a", id=901, v="n901", n=1)],
                    [Upd("a", 13, v="n13")],
                    [Upd("a", 14, v="n14")],
                    [Del("a", 15)],
                    [Upd("a", 16, n=166)],
                    [Del("a", 19)],
                    [Upd("b", "k2", v="n-k2")]])
        self.n_push()
        self.d_sync()
        self.n_pull()
        self.d_pull()
        round2 = self.dm.conflicts - round1

        # round 3: interleaved; each side writes again between the other's steps
        self.offline(d_txns=[[Ins("a", id=103, v="d103", n=0)], [Upd("a", 20, v="d20")]],
                     n_txns=[[Ins("a", id=203, v="n203", n=0)], [Upd("a", 21, v="n21")]])
        self.d_sync()
        self.offline(d_txns=[[Upd("a", 22, v="d22")], [Del("a", 23)]],   # npm pushes first now
                     n_txns=[[Upd("a", 22, v="n22")], [Upd("a", 23, n=233)],
                             [Upd("a", 20, n=200)]])                    # 20: driver's change kept
        self.n_push()
        self.d_pull()   # rebase: 22 and 23 conflict here, not at push time
        self.offline(d_txns=[[Ins("a", id=104, v="d104", n=0)], [Upd("a", 21, n=210)]],
                     n_txns=[[Ins("a", id=104, v="n104", n=4)]])
        self.d_sync()
        self.n_pull()   # npm's pending insert of 104 is replayed over the driver's
        self.n_push()
        self.d_sync()
        round3 = self.dm.conflicts - round1 - round2

        # round 4: kill -9 during the driver's push, then during its rebase
        self.offline(d_txns=[[Upd("a", 24, v="d24")], [Ins("a", id=105, v="d105", n=0)],
                             [Upd("a", 25, n=250)]],
                     n_txns=[[Upd("a", 25, n=251)], [Ins("a", id=204, v="n204", n=0)]])
        self.n_push()
        # dies after the primary answered its first push, before recording it
        self.d_crash("push-sent", "PRAGMA libsql_sync", "pass")
        self.dm.push(self.model)   # the restart's push: the first one is not applied again
        self.dm.pull(self.model)
        self.check_synced("restart after push-sent")
        self.n_pull()
        self.offline(d_txns=[[Upd("a", 26, v="d26")], [Del("a", 27)], [Ins("a", id=106, v="d", n=0)]],
                     n_txns=[[Del("a", 26)], [Upd("a", 28, v="n28")]])
        self.n_push()
        # pushes refused, the pull rebases both pending transactions and dies
        # between the page apply and the replay
        self.d_crash("rebase-applied", "PRAGMA libsql_pull", "fail_pipeline")
        self.dm.pull(self.model)   # the replay the restart completes (26 conflicts)
        self.dm.push(self.model)   # then the connect's push and pull
        self.dm.pull(self.model)
        self.check_synced("restart after rebase-applied")
        round4 = self.dm.conflicts - round1 - round2 - round3

        # finally both pull: driver == npm == primary == model
        self.d_pull()
        self.n_pull()
        primary = self.p.dump(sorted(COLS))
        self.assertEqual(primary, dump_of(self.model))
        self.assertEqual(self.d.dump(), primary)
        self.assertEqual(self.n.dump(), primary)
        self.assertEqual(self.n.pending(), 0)
        st = self.d.state()
        self.assertEqual((st["pending_transactions"], st["conflicts"]), (0, self.dm.conflicts))
        listed = odbc_pragma(self.d.conn, "PRAGMA libsql_conflicts")
        self.assertEqual(len(listed), self.dm.conflicts)
        self.assertTrue(all(str(r["reason"]).strip() for r in listed), listed)
        self.assertGreater(self.dm.conflicts, 0, "the scenario must produce conflicts")
        FIGURES.append("driver: local transactions pushed %d, conflicts %d (round 1 driver first "
                       "%d, round 2 npm first %d, round 3 interleaved %d, round 4 kills %d)"
                       % (self.dm.pushed, self.dm.conflicts, round1, round2, round3, round4))
        FIGURES.append("kills survived %d (push-sent, rebase-applied)" % self.kills)
        FIGURES.append("npm @tursodatabase/sync: conflicts 0 by design (last push wins); silent "
                       "overwrites %d, lost updates %d" % (self.nm.overwrites, self.nm.lost_updates))
        FIGURES.append("final: rows in a %d, b %d; driver == npm == primary; lost 0, duplicated 0"
                       % (len(primary["a"]), len(primary["b"])))


def tearDownModule():
    write_report("test_offline_two_replicas", FIGURES)


if __name__ == "__main__":
    if not shutil.which("node"):
        raise SystemExit("FAIL: node is needed for the primary and @tursodatabase/sync")
    raise SystemExit(unittest_main())
