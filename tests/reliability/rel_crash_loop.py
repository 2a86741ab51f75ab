#!/usr/bin/python3
"""rel_crash_loop.py — processes that die at every instant of a sync and of
a forwarded write leave a replica that is intact and converges (issue 7,
"process crashes"). It replaces tests/integration/test_replica_crash.sh
(one kill per applier step), which it covers several times over.

A real primary (tests/node/primary.sh) holds a Bank (tests/integration/
lsqtest.py): accounts whose every revision keeps sum(bal) constant and
counter.n = count(audit); a writer thread here commits transfers all along.
Children work on ONE replica file and are killed, one at a time:

  (a) at every named step (LSQ_CRASH_AT, _exit(99)): the applier's
      journal-written, pages-half-written, pages-written, journal-deleted,
      the sync's before-meta, and a forwarded write's pipeline-before-send /
      pipeline-after-response (core/replica.c), several times each; the first
      kill of each step starts from no replica file (bootstrap);
  (b) by SIGKILL after a random delay, hundreds of times.

A child is this script run with --child (pyodbc through the driver: syncs,
invariant reads, transfers as manual-commit transactions of two UPDATEs,
autocommit inserts, parameter-array inserts; every write also inserts
unique tags into `marks` and the child prints "try"/"ok" around it), or the
operator CLI `libsql-odbc sync` (build dir), which is quicker to start.

After every kill, with the writer paused:
  - Debian's sqlite3 shell opens the file first (so SQLite itself rolls back
    any hot journal): PRAGMA integrity_check = ok, the invariant holds, no
    journal is left behind;
  - the primary's `marks`: every tag the child saw committed is there
    exactly once, a tag in flight at the kill at most once, no unknown tag;
  - a fresh driver connection (a new replica object: adopt + sync) converges:
    acct, audit, counter and marks equal the primary's (/v2/pipeline), and
    integrity_check is ok again.

Figures to $LSQ_REPORT_DIR/rel_crash_loop.txt. LSQ_SOAK=1: many more kills.
Exit status non-zero on any failure. Run through tests/integration/run.sh.
"""
import os
import random
import select
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from lsqtest import CLEAN_ENV, TMP, Bank, Primary, fail_to_run, pyodbc  # noqa: E402

SYNC_STEPS = ["journal-written", "pages-half-written", "pages-written", "journal-deleted",
              "before-meta"]
WRITE_STEPS = ["pipeline-before-send", "pipeline-after-response"]
SOAK = os.environ.get("LSQ_SOAK") == "1"
# (LSQ_CRASH_KILLS=per-step,random overrides both, for a quick look)
KILLS_PER_STEP, RANDOM_KILLS = (25, 2000) if SOAK else (3, 200)
if os.environ.get("LSQ_CRASH_KILLS"):
    KILLS_PER_STEP, RANDOM_KILLS = (int(x) for x in os.environ["LSQ_CRASH_KILLS"].split(","))
ACCOUNTS = 100
CRASH_EXIT = 99          # lsq_crash_point's _exit status
VIOLATION_EXIT = 3       # a child read a torn revision
JOURNAL_MAGIC = bytes([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7])
STEP_ATTEMPTS = 15       # children per named-step kill before "never reached"


# ---------- the child --------------------------------------------------------

def child_main(cs, prefix, seed):
    """Work on the replica until killed: print "ready", then for every write
    "try <tags>" before and "ok <tags>" after the driver reported success
    ("err <state> <tags>" on failure). Exit VIOLATION_EXIT on a torn read."""
    rnd = random.Random(seed)
    bank = Bank(None, ACCOUNTS)
    out = sys.stdout

    def say(*words):
        out.write(" ".join(str(w) for w in words) + "\n")
        out.flush()

    conn = pyodbc.connect(cs, autocommit=True)
    cur = conn.cursor()
    say("ready")
    seq = 0

    def tags(n):
        nonlocal seq
        t = []
        for _ in range(n):
            seq += 1
            t.append("%s-%d" % (prefix, seq))
        return t

    while True:
        r = rnd.random()
        try:
            if r < 0.30:
                cur.execute("PRAGMA libsql_sync").fetchall()
            elif r < 0.55:  # a transfer: one manual-commit transaction, forwarded on commit
                t = tags(1)
                a, b = rnd.sample(range(1, ACCOUNTS + 1), 2)
                x = rnd.randint(1, 100)
                say("try", *t)
                try:
                    conn.autocommit = False
                    cur.execute("UPDATE acct SET bal = bal - ? WHERE id = ?", x, a)
                    cur.execute("UPDATE acct SET bal = bal + ? WHERE id = ?", x, b)
                    cur.execute("INSERT INTO marks(tag) VALUES (?)", t[0])
                    conn.commit()
                    say("ok", *t)
                except pyodbc.Error as e:
                    say("err", e.args[0] if e.args else "?", *t)
                    conn.rollback()
                finally:
                    conn.autocommit = True
            elif r < 0.75:  # an autocommit write
                t = tags(1)
                say("try", *t)
                try:
                    cur.execute("INSERT INTO marks(tag) VALUES (?)", t[0])
                    say("ok", *t)
                except pyodbc.Error as e:
                    say("err", e.args[0] if e.args else "?", *t)
            elif r < 0.85:  # a parameter array: one batch for three rows
                t = tags(3)
                say("try", *t)
                try:
                    cur.fast_executemany = True
                    cur.executemany("INSERT INTO marks(tag) VALUES (?)", [(x,) for x in t])
                    say("ok", *t)
                except pyodbc.Error as e:
                    say("err", e.args[0] if e.args else "?", *t)
                finally:
                    cur.fast_executemany = False
            row = tuple(cur.execute(Bank.CHECK_SQL).fetchone())
            if bank.violates(row):
                say("violation", *row)
                sys.exit(VIOLATION_EXIT)
        except pyodbc.Error as e:
            say("readerr", e.args[0] if e.args else "?", str(e).replace("\n", " ")[:300])


# ---------- the parent -------------------------------------------------------

class Loop:
    def __init__(self):
        self.primary = Primary("primary-crash")
        self.bank = Bank(self.primary, ACCOUNTS)
        self.bank.create(["CREATE TABLE marks(id INTEGER PRIMARY KEY, tag TEXT NOT NULL)"])
        self.db = os.path.join(TMP, "crash.db")
        self.cs = "DRIVER=libSQL;Database=%s;SyncUrl=%s" % (self.db, self.primary.url)
        self.cli = os.path.join(os.environ["LSQ_BUILD_DIR"], "libsql-odbc")
        if not os.access(self.cli, os.X_OK):
            fail_to_run("the CLI is not built: %s" % self.cli)
        self.rnd = random.Random(int(os.environ.get("LSQ_SEED", "20261123")))
        self.kid = 0
        self.failures = []
        self.step_kills = {s: 0 for s in SYNC_STEPS + WRITE_STEPS}
        self.random_kills = {"pyodbc": 0, "cli": 0}
        self.children = {"pyodbc": 0, "cli": 0}
        self.finished_first = 0   # random-kill children that exited before the signal
        self.bootstrap_kills = 0  # kills that left no replica file (died bootstrapping)
        self.hot_journals = 0     # kills that left a journal the shell rolled back
        self.cold_journals = 0    # journals without a header, which SQLite ignores
        self.confirmed = self.in_flight = self.in_flight_committed = 0
        self.failed_writes = 0
        self.duplicated = self.lost = self.unknown = 0
        self.errors = {}          # SQLSTATE -> count, reported by children
        self.integrity_failures = self.invariant_failures = self.convergence_failures = 0
        self.converge_checks = 0  # kills followed by a fresh connect compared with the primary
        self.chained = 0          # kills left for the next child to recover from

    def fail(self, what):
        self.failures.append(what)
        print("FAIL - " + what)
        sys.stdout.flush()

    # -- children

    def remove_replica(self):
        for suffix in ("", "-journal", "-libsql-meta", ".libsql-new", ".libsql-new-journal"):
            try:
                os.unlink(self.db + suffix)
            except FileNotFoundError:
                pass

    def spawn(self, kind, crash_at=None):
        self.kid += 1
        self.children[kind] += 1
        env = dict(os.environ)
        env.pop("LSQ_CRASH_AT", None)
        if crash_at:
            env["LSQ_CRASH_AT"] = crash_at
        if kind == "cli":
            argv = [self.cli, "--quiet", "sync", "--connect",
                    "Database=%s;SyncUrl=%s" % (self.db, self.primary.url)]
        else:
            argv = [sys.executable, os.path.abspath(__file__), "--child", self.cs,
                    "k%d" % self.kid, str(self.rnd.randrange(1 << 30))]
        return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    def wait_ready(self, proc, timeout):
        """Wait for the child's "ready" line; returns the lines read. Reads
        the pipe's fd directly: communicate() later reads the same fd, and
        a buffered readline here would swallow lines it never returns."""
        buf = b""
        fd = proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"ready\n" not in buf and time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], max(0, deadline - time.monotonic()))
            if not r:
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            buf += chunk
        return buf.decode().splitlines(keepends=True)

    def reap(self, proc, head=()):
        out, err = proc.communicate(timeout=60)
        return list(head) + out.splitlines(keepends=True), err

    # -- checks after every kill

    def shell(self, sql):
        p = subprocess.run(["sqlite3", "-cmd", ".timeout 10000", self.db, sql], env=CLEAN_ENV,
                           capture_output=True, text=True, timeout=60)
        return (p.stdout + p.stderr).strip()

    def check_file(self, when):
        if not os.path.exists(self.db):
            if when == "after the kill":
                self.bootstrap_kills += 1
                return
            self.fail("%s: no replica file %s" % (when, when))
            return
        if os.path.exists(self.db + "-journal") and when == "after the kill":
            self.hot_journals += 1
        out = self.shell("PRAGMA integrity_check; " + Bank.CHECK_SQL).split("\n")
        ic = "\n".join(out[:-1])
        if ic != "ok":
            self.integrity_failures += 1
            self.fail("kid %d %s: integrity_check says %r" % (self.kid, when, ic))
        row = out[-1].split("|")
        try:
            bad = self.bank.violates(tuple(int(x) for x in row))
        except ValueError:
            bad = True
        if bad:
            self.invariant_failures += 1
            self.fail("kid %d %s: invariant broken in the file: %r" % (self.kid, when, row))
        self.check_no_hot_journal(when)

    def check_no_hot_journal(self, when):
        """After SQLite has read the file no hot journal may remain. A journal
        that never got its header (the applier died between creating and
        writing it) is not hot: SQLite ignores it (first byte 0), and the
        next apply overwrites it; count those."""
        try:
            with open(self.db + "-journal", "rb") as f:  # the journal, not the database
                head = f.read(8)
        except FileNotFoundError:
            return
        if head == JOURNAL_MAGIC:
            self.fail("kid %d %s: a hot journal is left after the sqlite3 shell read the file"
                      % (self.kid, when))
        elif head[:1] in (b"", b"\0"):
            self.cold_journals += 1
        else:
            self.fail("kid %d %s: a journal that is neither hot nor empty is left: %r"
                      % (self.kid, when, head))

    def check_writes(self, lines):
        tried, ok = set(), set()
        for line in lines:
            w = line.split()
            if not w:
                continue
            if w[0] == "try":
                tried.update(w[1:])
            elif w[0] == "ok":
                ok.update(w[1:])
            elif w[0] in ("err", "readerr"):
                self.errors[w[1]] = self.errors.get(w[1], 0) + 1
                if w[0] == "err":
                    self.failed_writes += len(w) - 2
                if w[1] not in ("40001", "HY000", "HYT00", "08S01"):
                    self.fail("kid %d: unexpected error: %s" % (self.kid, line.strip()))
            elif w[0] == "violation":
                self.invariant_failures += 1
                self.fail("kid %d read a torn revision: %s" % (self.kid, line.strip()))
        if not tried:
            return
        rows = self.primary.query("SELECT tag, count(*) FROM marks WHERE tag LIKE 'k%d-%%' "
                                  "GROUP BY tag" % self.kid)
        on_primary = {tag: n for tag, n in rows}
        for tag, n in on_primary.items():
            if tag not in tried:
                self.unknown += 1
                self.fail("kid %d: tag %s on the primary was never sent" % (self.kid, tag))
            if n > 1:
                self.duplicated += 1
                self.fail("kid %d: tag %s is on the primary %d times" % (self.kid, tag, n))
        for tag in ok:
            self.confirmed += 1
            if tag not in on_primary:
                self.lost += 1
                self.fail("kid %d: confirmed write %s is not on the primary" % (self.kid, tag))
        for tag in tried - ok:
            self.in_flight += 1
            if tag in on_primary:
                self.in_flight_committed += 1

    def check_converges(self):
        try:
            conn = pyodbc.connect(self.cs, autocommit=True)
        except pyodbc.Error as e:
            self.convergence_failures += 1
            self.fail("kid %d: the next connect failed: %s" % (self.kid, e))
            return
        try:
            p = self.primary
            for sql in ("SELECT id, bal FROM acct ORDER BY id",
                        "SELECT id, a, b, amount FROM audit ORDER BY id",
                        "SELECT n FROM counter",
                        "SELECT id, tag FROM marks ORDER BY id"):
                mine = [tuple(r) for r in conn.execute(sql).fetchall()]
                theirs = p.query(sql)
                if mine != theirs:
                    self.convergence_failures += 1
                    self.fail("kid %d: after a sync `%s` differs from the primary "
                              "(%d rows here, %d there)" % (self.kid, sql, len(mine), len(theirs)))
                    break
        except pyodbc.Error as e:
            self.convergence_failures += 1
            self.fail("kid %d: reading after the sync failed: %s" % (self.kid, e))
        finally:
            conn.close()

    def after_kill(self, lines, converge=True):
        """Every check, with the primary held still. converge=False leaves
        the driver's recovery to the next child, so crashes pile up (two
        kills between an apply and its sidecar, for one)."""
        self.bank.pause()
        try:
            self.check_file("after the kill")
            self.check_writes(lines)
            if converge:
                self.converge_checks += 1
                self.check_converges()
                self.check_file("after the next sync")
            else:
                self.chained += 1
        finally:
            self.bank.resume()

    # -- the two kinds of kill

    def kill_at_step(self, step, fresh, converge):
        kinds = ["pyodbc"] if step in WRITE_STEPS else ["cli", "pyodbc"]
        if fresh:
            self.remove_replica()
        for _ in range(STEP_ATTEMPTS):
            kind = self.rnd.choice(kinds)
            proc = self.spawn(kind, crash_at=step)
            try:
                lines, err = self.reap(proc)
            except subprocess.TimeoutExpired:
                # A child loops until the step is reached: the writer keeps
                # giving syncs something to apply, so this means it never is.
                proc.kill()
                lines, err = self.reap(proc)
                self.fail("%s: the child never reached the step in 60 s" % step)
                return
            if proc.returncode == CRASH_EXIT:
                self.step_kills[step] += 1
                self.after_kill(lines, converge)
                return
            if proc.returncode != 0:
                self.fail("%s: child (%s) exited %d instead of dying at the step: %s%s" %
                          (step, kind, proc.returncode, "".join(lines[-5:]), err[-2000:]))
                self.after_kill(lines)
                return
            # a CLI sync that found nothing new to apply exits 0: try again
            self.after_kill(lines, converge)
        self.fail("%s: not reached in %d children" % (step, STEP_ATTEMPTS))

    def random_kill(self):
        # two in three are the CLI: it starts in a third of pyodbc's time
        kind = "cli" if self.rnd.random() < 0.67 else "pyodbc"
        if self.rnd.random() < 0.06:
            self.remove_replica()  # sometimes die while bootstrapping
        proc = self.spawn(kind)
        head = []
        if kind == "cli":
            time.sleep(self.rnd.uniform(0, 0.15))
        elif self.rnd.random() < 0.25:
            time.sleep(self.rnd.uniform(0, 0.6))  # during start-up and the first sync
        else:
            head = self.wait_ready(proc, 60)
            time.sleep(self.rnd.uniform(0, 0.3))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        lines, err = self.reap(proc, head)
        converge = self.rnd.random() < 0.7
        if proc.returncode == -signal.SIGKILL:
            self.random_kills[kind] += 1
        elif proc.returncode == 0 and kind == "cli":
            self.finished_first += 1
        else:
            self.fail("random kill: child (%s) exited %d by itself: %s%s" %
                      (kind, proc.returncode, "".join(lines[-5:]), err[-2000:]))
        self.after_kill(lines, converge)

    # -- the run

    def run(self):
        t0 = time.monotonic()
        # Paced: every sync still finds news, and the primary's history (and
        # the audit table compared after every kill) stays small.
        self.bank.start_writer(pause=0.03)
        try:
            for k in range(KILLS_PER_STEP):
                for step in SYNC_STEPS + WRITE_STEPS:
                    # round 0 starts each step from no file; round 1 chains
                    # the kills (journal-deleted then before-meta: the
                    # sidecar is behind the file twice over)
                    self.kill_at_step(step, fresh=k == 0, converge=k != 1)
            for _ in range(RANDOM_KILLS):
                self.random_kill()
        finally:
            self.bank.stop_writer()
        if self.bank.error:
            self.fail("the writer on the primary failed: %s" % self.bank.error)
        elapsed = time.monotonic() - t0
        self.report(elapsed)

    def report(self, elapsed):
        survived = sum(self.step_kills.values()) + sum(self.random_kills.values())
        lines = [
            "mode %s, %.0f s, %d transfers committed on the primary meanwhile; children "
            "started: %d pyodbc, %d libsql-odbc sync"
            % ("soak" if SOAK else "short", elapsed, self.bank.transfers,
               self.children["pyodbc"], self.children["cli"]),
            "kills at named steps: " + ", ".join("%s %d" % kv for kv in self.step_kills.items()),
            "random SIGKILLs %d (libsql-odbc sync %d, pyodbc %d); %d CLI syncs finished "
            "before their signal" % (sum(self.random_kills.values()), self.random_kills["cli"],
                                     self.random_kills["pyodbc"], self.finished_first),
            "crashes survived %d (%d left a journal: %d without a header, ignored by SQLite; "
            "%d died bootstrapping)"
            % (survived, self.hot_journals, self.cold_journals, self.bootstrap_kills),
            "integrity failures %d, invariant violations %d, convergence failures %d "
            "(%d convergence checks; %d kills piled on the next one)"
            % (self.integrity_failures, self.invariant_failures, self.convergence_failures,
               self.converge_checks, self.chained),
            "forwarded writes: confirmed %d, lost %d, duplicated %d, unknown %d; in flight at "
            "a kill %d (committed %d, not %d); failed %d"
            % (self.confirmed, self.lost, self.duplicated, self.unknown, self.in_flight,
               self.in_flight_committed, self.in_flight - self.in_flight_committed,
               self.failed_writes),
            "child errors by SQLSTATE: " + (", ".join("%s %d" % kv for kv in
                                                    sorted(self.errors.items())) or "none"),
            "failures %d" % len(self.failures),
        ]
        text = "\n".join(lines) + "\n"
        print(text, end="")
        rdir = os.environ.get("LSQ_REPORT_DIR") or os.path.join(TMP, "reports")
        os.makedirs(rdir, exist_ok=True)
        with open(os.path.join(rdir, "rel_crash_loop.txt"), "w") as f:
            f.write(text)

    def close(self):
        self.primary.stop()


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return 0
    for tool in ("sqlite3",):
        if subprocess.run(["which", tool], capture_output=True).returncode:
            fail_to_run("%s is not installed" % tool)
    loop = Loop()
    try:
        loop.run()
    finally:
        loop.close()
    if loop.failures:
        print("%d check(s) failed" % len(loop.failures))
        return 1
    if sum(loop.step_kills.values()) != KILLS_PER_STEP * len(loop.step_kills):
        print("FAIL: not every step was killed %d times" % KILLS_PER_STEP)
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
