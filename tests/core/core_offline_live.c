/*
 * core_offline_live.c — offline mode (core/offline*.c, docs/offline.md)
 * against a real primary (`tursodb --sync-server`, tests/node/primary.sh):
 * local writes become pending change sets that survive a restart; a push
 * sends each as one atomic batch, exactly once (the ledger); conflicts
 * follow "the primary wins" and are listed; a pull rebases pending changes
 * on the primary's newest state; and a process killed at every offline
 * crash point (push-before-send, push-sent, rebase-applied,
 * rebase-replayed) loses nothing and duplicates nothing. Rows are compared
 * with what the primary answers over Hrana.
 *
 * Run through tests/integration/run.sh (LSQ_TEST_TMP, LSQ_SOURCE_DIR).
 * Prints "N passed, M failed"; exits non-zero on any failure.
 */
#include "lsq.h"
#include "offline.h"
#include "page_apply.h"
#include "remote.h"
#include "replica.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live_primary.h"

/* Start the stopped primary again on the port it had (primary.sh picks a
 * new one, and a replica belongs to its URL). */
static void primary_restart(primary *p)
{
    int port = atoi(strrchr(p->url, ':') + 1);
    char tursodb[1200], cmd[4096];
    snprintf(tursodb, sizeof tursodb,
             "%.1000s/tests/node/node_modules/@tursodatabase/cli-linux-x64-gnu/tursodb",
             getenv("LSQ_SOURCE_DIR"));
    snprintf(cmd, sizeof cmd,
             "env -u LD_PRELOAD sh -c '\"%s\" -q \"%s/primary.db\" --sync-server 127.0.0.1:%d "
             "</dev/null >>\"%s/primary.log\" 2>&1 & echo $! > \"%s/primary.pid\"'",
             tursodb, p->dir, port, p->dir, p->dir);
    if (system(cmd) != 0)
        die("cannot restart the primary (%s)", cmd);
    lsq_error err = {0};
    if (lsq_remote_open(p->url, NULL, NULL, &p->sql, &err) != LSQ_OK)
        die("lsq_remote_open(%s): %s", p->url, err.message);
    for (int i = 0; i < 100; i++) {
        char *resp = NULL;
        if (lsq_remote_pipeline(p->sql,
                                "{\"baton\":null,\"requests\":[{\"type\":\"execute\","
                                "\"stmt\":{\"sql\":\"SELECT 1\"}}]}",
                                &resp, &err) == LSQ_OK) {
            free(resp);
            return;
        }
        usleep(100000);
    }
    die("the primary did not come back on port %d", port);
}

/* ---- offline helpers ---- */

static lsq_status open_off(const char *file, const char *url, lsq_db **out, lsq_error *err)
{
    lsq_config cfg;
    lsq_config_defaults(&cfg);
    cfg.database = file;
    cfg.sync_url = url;
    cfg.offline = 1;
    cfg.connect_timeout_ms = 2000;
    cfg.request_timeout_ms = 10000;
    return lsq_open(&cfg, out, err);
}

/* One local offline transaction: BEGIN, capture, sql, commit. */
static int lwrite(lsq_db *db, const char *sql)
{
    sqlite3 *s = lsq_sqlite(db);
    lsq_error err = {0};
    if (lsq_offline_check(db, sql, &err) != LSQ_OK) {
        fprintf(stderr, "check refused %s: %s\n", sql, err.message);
        return 0;
    }
    if (sqlite3_exec(s, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
        lsq_offline_capture(db, &err) != LSQ_OK) {
        fprintf(stderr, "capture %s: %s %s\n", sql, err.message, sqlite3_errmsg(s));
        lsq_offline_rollback(db);
        return 0;
    }
    if (sqlite3_exec(s, sql, NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "local %s: %s\n", sql, sqlite3_errmsg(s));
        lsq_offline_rollback(db);
        return 0;
    }
    if (lsq_offline_commit(db, &err) != LSQ_OK) {
        fprintf(stderr, "commit %s: %s\n", sql, err.message);
        lsq_offline_rollback(db);
        return 0;
    }
    return 1;
}

static lsq_offline_state ostate(lsq_db *db)
{
    lsq_offline_state st;
    lsq_error err = {0};
    if (lsq_offline_state_of(db, &st, &err) != LSQ_OK)
        fprintf(stderr, "state: %s\n", err.message);
    return st;
}

#define T_ROWS "SELECT id, v FROM t ORDER BY id"

static int local_count(lsq_db *db, const char *sql)
{
    char *r = local_rows(lsq_sqlite(db), sql);
    int n = atoi(r);
    free(r);
    return n;
}

static int primary_count(primary *p, const char *sql)
{
    char *r = primary_rows(p, sql);
    int n = atoi(r);
    free(r);
    return n;
}

/* Run `child` in a forked process with LSQ_CRASH_AT=point armed after it
 * opened the replica; 1 when it died there (exit 99). */
typedef void (*child_fn)(lsq_db *db);

static int crash_at(const char *file, const char *url, const char *point, int arm_before_open,
                    child_fn child)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (arm_before_open)
            setenv("LSQ_CRASH_AT", point, 1);
        lsq_db *db = NULL;
        lsq_error e = {0};
        if (open_off(file, url, &db, &e) != LSQ_OK) {
            fprintf(stderr, "child open: %s\n", e.message);
            _exit(2);
        }
        setenv("LSQ_CRASH_AT", point, 1);
        if (child)
            child(db);
        _exit(0);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 99) {
        fprintf(stderr, "child for %s exited with status %d\n", point, status);
        return 0;
    }
    return 1;
}

static const char *child_update = "UPDATE t SET v = 'local 2' WHERE id = 2";

static void child_write_and_pull(lsq_db *db)
{
    if (!lwrite(db, "INSERT INTO t VALUES (300, 'rebase me')") || !lwrite(db, child_update))
        _exit(3);
    lsq_sync_stats ss;
    lsq_error e = {0};
    lsq_offline_sync(db, LSQ_OFFLINE_PULL, NULL, &ss, &e);
    _exit(4); /* the crash point was not reached */
}

int main(void)
{
    live_init();

    primary a;
    primary_start(&a, "primary-offline");
    if (!primary_ok(&a, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)") ||
        !primary_ok(&a, "INSERT INTO t VALUES (1,'one'),(2,'two'),(3,'three')") ||
        !primary_ok(&a, "CREATE TABLE nokey(a, b)"))
        die("cannot seed the primary");

    char file[700], store[740], marker[760];
    snprintf(file, sizeof file, "%s/offline.db", tmp);
    snprintf(store, sizeof store, "%s-libsql-offline", file);
    snprintf(marker, sizeof marker, "%s-libsql-offline-rebase", file);
    lsq_error err = {0};
    lsq_sync_stats ss;
    lsq_offline_push_stats ps;

    /* 1. local writes: pending, local only, durable across a restart */
    lsq_db *db = NULL;
    lsq_status st = open_off(file, a.url, &db, &err);
    if (st != LSQ_OK)
        die("open offline: %s", err.message);
    struct stat sb;
    CHECK(stat(store, &sb) == 0 && (sb.st_mode & 0777) == 0600, "store exists, mode 0600");
    CHECK(lwrite(db, "INSERT INTO t VALUES (10, 'ten')"), "local insert");
    CHECK(lwrite(db, "UPDATE t SET v = 'ONE' WHERE id = 1"), "local update");
    CHECK(lwrite(db, "DELETE FROM t WHERE id = 3"), "local delete");
    CHECK(local_count(db, "SELECT count(*) FROM t") == 3, "local rows");
    CHECK(primary_count(&a, "SELECT count(*) FROM t WHERE id = 10") == 0, "nothing sent yet");
    CHECK(ostate(db).pending_transactions == 3, "3 pending");
    CHECK(ostate(db).local_base[0] != 0, "local_base set");
    CHECK(lsq_offline_check(db, "CREATE TABLE x(a)", &err) == LSQ_ERR_MISC &&
              strstr(err.message, "Offline=1: schema changes cannot be made offline") == err.message,
          "DDL refused: %s", err.message);
    CHECK(lsq_offline_check(db, "INSERT INTO nokey VALUES (1, 2)", &err) == LSQ_ERR_MISC &&
              strstr(err.message, "table 'nokey' has no PRIMARY KEY"),
          "no-PK table refused: %s", err.message);
    lsq_close(db);
    db = NULL;

    /* 2. restart with the primary down: pending survive, local rows too */
    primary_stop(&a);
    st = open_off(file, a.url, &db, &err);
    CHECK(st == LSQ_OK && lsq_open_warning(db) != NULL, "open while the primary is down: %s",
          st == LSQ_OK ? "" : err.message);
    if (st != LSQ_OK)
        die("cannot continue");
    CHECK(ostate(db).pending_transactions == 3, "pending survive a restart");
    CHECK(local_count(db, "SELECT count(*) FROM t WHERE v IN ('ten', 'ONE')") == 2,
          "local rows survive a restart");
    CHECK(lwrite(db, "INSERT INTO t VALUES (11, 'eleven')"), "write with no network");
    st = lsq_offline_sync(db, LSQ_OFFLINE_PUSH, &ps, &ss, &err);
    CHECK(st == LSQ_ERR_NETWORK, "push with the primary down: %d %s", st, err.message);
    CHECK(ostate(db).pending_transactions == 4, "everything still pending");
    lsq_close(db);
    db = NULL;

    /* 3. the primary is back: connecting pushes and pulls (rebase) */
    primary_restart(&a);
    st = open_off(file, a.url, &db, &err);
    CHECK(st == LSQ_OK && lsq_open_warning(db) == NULL, "reconnect: %s %s",
          st == LSQ_OK ? "" : err.message, db && lsq_open_warning(db) ? lsq_open_warning(db) : "");
    if (st != LSQ_OK)
        die("cannot continue");
    lsq_offline_state os = ostate(db);
    CHECK(os.pending_transactions == 0 && os.pushed_transactions == 4 && os.conflicts == 0,
          "pushed at connect: pending %llu pushed %llu conflicts %llu",
          (unsigned long long)os.pending_transactions, (unsigned long long)os.pushed_transactions,
          (unsigned long long)os.conflicts);
    CHECK(os.local_base[0] == 0, "local_base cleared by the full pull: '%s'", os.local_base);
    CHECK(same_rows(&a, db, T_ROWS), "replica = primary after push + pull");
    CHECK(primary_count(&a, "SELECT count(*) FROM _libsql_odbc_writes") == 4, "4 ledger rows");
    CHECK(local_healthy(db), "integrity");

    /* 4. conflicts: the primary wins, per transaction; later ones still go */
    CHECK(primary_ok(&a, "UPDATE t SET v = 'remote' WHERE id = 2"), "remote update");
    CHECK(lwrite(db, "UPDATE t SET v = 'local' WHERE id = 2"), "conflicting local update");
    CHECK(lwrite(db, "INSERT INTO t VALUES (12, 'twelve')"), "independent insert");
    CHECK(primary_ok(&a, "INSERT INTO t VALUES (13, 'remote 13')"), "remote insert");
    CHECK(lwrite(db, "INSERT INTO t VALUES (13, 'local 13')"), "conflicting local insert");
    st = lsq_offline_sync(db, LSQ_OFFLINE_PUSH, &ps, &ss, &err);
    CHECK(st == LSQ_OK && ps.pushed == 1 && ps.conflicts == 2 && ps.pending == 0,
          "push: %d pushed %zu conflicts %zu pending %zu %s", st, ps.pushed, ps.conflicts,
          ps.pending, err.message);
    lsq_offline_conflict *cv = NULL;
    size_t ncv = 0;
    CHECK(lsq_offline_conflicts_of(db, &cv, &ncv, &err) == LSQ_OK && ncv == 2, "2 conflicts");
    if (ncv == 2) {
        CHECK(strstr(cv[0].reason, "changed or vanished") != NULL, "reason 1: %s", cv[0].reason);
        CHECK(strstr(cv[0].sql, "SET \"v\" = 'local'") != NULL, "sql 1: %s", cv[0].sql);
        CHECK(strstr(cv[1].reason, "UNIQUE") != NULL, "reason 2: %s", cv[1].reason);
    }
    lsq_offline_conflicts_free(cv, ncv);
    st = lsq_offline_sync(db, LSQ_OFFLINE_PULL, NULL, &ss, &err);
    CHECK(st == LSQ_OK, "pull: %s", err.message);
    CHECK(same_rows(&a, db, T_ROWS), "the primary wins: replica = primary");
    CHECK(ostate(db).conflicts == 2, "conflicts counted");

    /* 5. rebase: pending local changes survive a pull of newer primary data */
    CHECK(primary_ok(&a, "INSERT INTO t VALUES (20, 'remote 20')"), "remote insert 20");
    CHECK(lwrite(db, "INSERT INTO t VALUES (21, 'local 21')"), "local insert 21");
    CHECK(lwrite(db, "UPDATE t SET v = 'local 12' WHERE id = 12"), "local update 12");
    st = lsq_offline_sync(db, LSQ_OFFLINE_PULL, NULL, &ss, &err);
    CHECK(st == LSQ_OK, "pull with pending: %s", err.message);
    CHECK(local_count(db, "SELECT count(*) FROM t WHERE id IN (20, 21)") == 2 &&
              local_count(db, "SELECT count(*) FROM t WHERE id = 12 AND v = 'local 12'") == 1,
          "rebased: remote and local rows both there");
    CHECK(ostate(db).pending_transactions == 2, "still 2 pending after a pull");
    CHECK(ostate(db).local_base[0] != 0, "local_base set after a replay");
    CHECK(lsq_sync(db, &ss, &err) == LSQ_OK, "sync: %s", err.message);
    CHECK(same_rows(&a, db, T_ROWS), "replica = primary after sync");
    CHECK(ostate(db).pending_transactions == 0, "nothing pending");
    CHECK(local_healthy(db), "integrity after rebase");
    lsq_close(db);
    db = NULL;

    /* 6. kill -9 between sending and recording the push: exactly once */
    {
        st = open_off(file, a.url, &db, &err);
        if (st != LSQ_OK)
            die("open: %s", err.message);
        CHECK(lwrite(db, "INSERT INTO t VALUES (30, 'thirty')"), "insert 30");
        lsq_close(db);
        db = NULL;
        CHECK(crash_at(file, a.url, "push-before-send", 1, NULL), "died at push-before-send");
        CHECK(primary_count(&a, "SELECT count(*) FROM t WHERE id = 30") == 0,
              "push-before-send: not on the primary");
        CHECK(crash_at(file, a.url, "push-sent", 1, NULL), "died at push-sent");
        CHECK(primary_count(&a, "SELECT count(*) FROM t WHERE id = 30") == 1,
              "push-sent: committed on the primary");
        st = open_off(file, a.url, &db, &err);
        CHECK(st == LSQ_OK, "reopen after push-sent: %s", err.message);
        if (st != LSQ_OK)
            die("cannot continue");
        os = ostate(db);
        CHECK(os.pending_transactions == 0 && os.conflicts == 2,
              "re-push recognised by the ledger: pending %llu conflicts %llu",
              (unsigned long long)os.pending_transactions, (unsigned long long)os.conflicts);
        CHECK(primary_count(&a, "SELECT count(*) FROM t WHERE id = 30") == 1, "not duplicated");
        CHECK(same_rows(&a, db, T_ROWS), "replica = primary after the crash");
        lsq_close(db);
        db = NULL;
    }

    /* 7. kill -9 during a rebase, after the apply and after the replay */
    const char *points[] = {"rebase-applied", "rebase-replayed"};
    for (int i = 0; i < 2; i++) {
        char sql[200];
        snprintf(sql, sizeof sql, "INSERT INTO t VALUES (%d, 'remote during %s')", 40 + i,
                 points[i]);
        CHECK(primary_ok(&a, sql), "remote insert");
        CHECK(primary_ok(&a, "DELETE FROM t WHERE id = 300"), "clean 300");
        CHECK(primary_ok(&a, "UPDATE t SET v = 'two' WHERE id = 2"), "reset 2");
        CHECK(crash_at(file, a.url, points[i], 0, child_write_and_pull), "died at %s",
              points[i]);
        CHECK(file_exists(marker), "%s: the rebase marker is there", points[i]);
        /* Reopen with the primary DOWN: recovery needs no network. */
        primary_stop(&a);
        st = open_off(file, a.url, &db, &err);
        CHECK(st == LSQ_OK, "%s: reopen offline: %s", points[i], err.message);
        if (st != LSQ_OK)
            die("cannot continue");
        CHECK(!file_exists(marker), "%s: marker gone after recovery", points[i]);
        CHECK(local_count(db, "SELECT count(*) FROM t WHERE id = 300") == 1 &&
                  local_count(db, "SELECT count(*) FROM t WHERE id = 2 AND v = 'local 2'") == 1,
              "%s: pending local changes are in the file", points[i]);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM t WHERE id = %d", 40 + i);
        CHECK(local_count(db, sql) == 1, "%s: the primary's row is in the file", points[i]);
        CHECK(ostate(db).pending_transactions == 2, "%s: 2 pending", points[i]);
        CHECK(local_healthy(db), "%s: integrity", points[i]);
        lsq_close(db);
        db = NULL;
        primary_restart(&a);
        st = open_off(file, a.url, &db, &err);
        CHECK(st == LSQ_OK, "%s: reconnect: %s", points[i], err.message);
        if (st != LSQ_OK)
            die("cannot continue");
        CHECK(ostate(db).pending_transactions == 0, "%s: pushed", points[i]);
        CHECK(primary_count(&a, "SELECT count(*) FROM t WHERE id = 300") == 1,
              "%s: exactly one row 300 on the primary", points[i]);
        CHECK(same_rows(&a, db, T_ROWS), "%s: replica = primary", points[i]);
        lsq_close(db);
        db = NULL;
    }

    /* 8. the crash in the middle of the apply itself: nothing changes */
    CHECK(primary_ok(&a, "INSERT INTO t VALUES (50, 'fifty')"), "remote insert 50");
    CHECK(primary_ok(&a, "DELETE FROM t WHERE id = 300"), "clean 300");
    CHECK(primary_ok(&a, "UPDATE t SET v = 'two' WHERE id = 2"), "reset 2");
    CHECK(crash_at(file, a.url, "pages-half-written", 0, child_write_and_pull),
          "died halfway through the apply");
    primary_stop(&a);
    st = open_off(file, a.url, &db, &err);
    CHECK(st == LSQ_OK, "reopen after a torn apply: %s", err.message);
    if (st == LSQ_OK) {
        CHECK(!file_exists(marker), "marker dropped (the apply was rolled back)");
        /* (row 50 arrived with the child's incremental pull at open) */
        CHECK(local_count(db, "SELECT count(*) FROM t WHERE id = 300") == 1 &&
                  local_count(db, "SELECT count(*) FROM t WHERE id = 2 AND v = 'local 2'") == 1,
              "the local state (with its pending changes), not the primary's");
        CHECK(ostate(db).pending_transactions == 2, "2 pending");
        CHECK(local_healthy(db), "integrity after a torn apply");
        lsq_close(db);
        db = NULL;
    }
    primary_restart(&a);
    st = open_off(file, a.url, &db, &err);
    CHECK(st == LSQ_OK, "final reconnect: %s", err.message);
    if (st == LSQ_OK) {
        CHECK(same_rows(&a, db, T_ROWS), "final: replica = primary");
        CHECK(primary_count(&a, "SELECT count(*) FROM t WHERE id = 300") == 1, "final: one 300");
        lsq_close(db);
    }
    primary_stop(&a);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
