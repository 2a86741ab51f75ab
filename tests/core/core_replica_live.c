/*
 * core_replica_live.c — the embedded replica against a real primary
 * (`tursodb --sync-server`, started by tests/node/primary.sh): bootstrap,
 * incremental syncs after DML and schema changes, the background thread,
 * a crash between applying pages and saving the metadata, the primary going
 * away, and replica files that belong to another primary or were changed
 * behind the driver's back. Rows are compared with what the primary itself
 * answers over Hrana (lsq_remote_pipeline).
 *
 * Run through tests/integration/run.sh (LSQ_TEST_TMP, LSQ_SOURCE_DIR).
 * Prints "N passed, M failed"; exits non-zero on any failure.
 */
#include "lsq.h"
#include "page_apply.h"
#include "remote.h"
#include "replica.h"
#include "replica_meta.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live_primary.h"

static lsq_status open_replica(const char *file, const char *url, int interval, lsq_db **db,
                               lsq_error *err)
{
    lsq_config cfg;
    lsq_config_defaults(&cfg);
    cfg.database = file;
    cfg.sync_url = url;
    cfg.sync_interval = interval;
    return lsq_open(&cfg, db, err);
}

#define T_ROWS "SELECT * FROM t ORDER BY id"

/* Threads that open, read and close connections on one replica at once
 * (the registry, refcounts and background threads under contention). */
typedef struct churn_ctx {
    const char *file, *url;
    int interval;
    int failures;
} churn_ctx;

static void *churn_main(void *arg)
{
    churn_ctx *c = arg;
    for (int i = 0; i < 5; i++) {
        lsq_db *db = NULL;
        lsq_error e = {0};
        if (open_replica(c->file, c->url, c->interval, &db, &e) != LSQ_OK) {
            fprintf(stderr, "churn open: %s\n", e.message);
            c->failures++;
            continue;
        }
        char *r = local_rows(lsq_sqlite(db), "SELECT count(*) > 0 FROM t");
        if (strcmp(r, "1|\n") != 0)
            c->failures++;
        free(r);
        if (i % 2 == 0 && lsq_sync(db, NULL, &e) != LSQ_OK) {
            fprintf(stderr, "churn sync: %s\n", e.message);
            c->failures++;
        }
        lsq_close(db);
    }
    return NULL;
}

int main(void)
{
    live_init();

    primary a;
    primary_start(&a, "primary-a");
    if (!primary_ok(&a, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, n INTEGER)") ||
        !primary_ok(&a, "INSERT INTO t VALUES (1,'one',10),(2,'two',20),(3,'three',30)"))
        die("cannot seed the primary");
    for (int i = 0; i < 20; i++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "INSERT INTO t VALUES (%d, 'filler %d ' || hex(randomblob(200)), %d)",
                 100 + i, i, i);
        if (!primary_ok(&a, sql))
            die("cannot seed the primary");
    }

    char file[700], meta[720];
    snprintf(file, sizeof file, "%s/replica.db", tmp);
    snprintf(meta, sizeof meta, "%s-libsql-meta", file);
    lsq_error err = {0};

    /* 1. bootstrap */
    lsq_db *db = NULL;
    lsq_status st = open_replica(file, a.url, 0, &db, &err);
    CHECK(st == LSQ_OK, "bootstrap: %s", err.message);
    if (st != LSQ_OK)
        die("cannot continue without a replica");
    CHECK(lsq_is_replica(db) == 1, "lsq_is_replica");
    CHECK(lsq_open_warning(db) == NULL, "no warning expected: %s", lsq_open_warning(db));
    CHECK(file_exists(file) && file_exists(meta), "replica file and metadata exist");
    CHECK(same_rows(&a, db, T_ROWS), "bootstrap content");
    CHECK(local_healthy(db), "bootstrap integrity");
    lsq_replica_state rs;
    CHECK(lsq_replica_state_of(db, &rs) == LSQ_OK && rs.revision[0] != 0 && rs.syncs_ok >= 1,
          "state after bootstrap: rev '%s' ok %llu", rs.revision,
          (unsigned long long)rs.syncs_ok);
    struct stat sb;
    CHECK(stat(meta, &sb) == 0 && (sb.st_mode & 0777) == 0600, "metadata mode 0600");

    /* 2. DML on the primary, explicit sync */
    CHECK(primary_ok(&a, "INSERT INTO t VALUES (4,'four',40)"), "insert");
    CHECK(primary_ok(&a, "UPDATE t SET v = 'TWO', n = n + 1 WHERE id = 2"), "update");
    CHECK(primary_ok(&a, "DELETE FROM t WHERE id = 1 OR id BETWEEN 105 AND 110"), "delete");
    char *before = local_rows(lsq_sqlite(db), T_ROWS);
    lsq_sync_stats ss;
    st = lsq_sync(db, &ss, &err);
    CHECK(st == LSQ_OK, "sync after DML: %s", err.message);
    CHECK(ss.changed && ss.pages > 0, "sync moved: changed %d pages %zu", ss.changed, ss.pages);
    CHECK(same_rows(&a, db, T_ROWS), "content after DML sync");
    char *after = local_rows(lsq_sqlite(db), T_ROWS);
    CHECK(strcmp(before, after) != 0, "the connection sees the change");
    free(before);
    free(after);
    printf("sync after DML: %zu pages, %zu bytes, %.1f ms, readers blocked %.2f ms\n", ss.pages,
           ss.bytes, ss.seconds * 1000, ss.apply_seconds * 1000);

    /* nothing new: a sync that changes nothing */
    st = lsq_sync(db, &ss, &err);
    CHECK(st == LSQ_OK && !ss.changed && ss.pages == 0, "idle sync: st %d changed %d pages %zu",
          st, ss.changed, ss.pages);

    /* 3. schema change (+ VACUUM when the primary allows it) */
    CHECK(primary_ok(&a, "CREATE TABLE u(k TEXT PRIMARY KEY, x INTEGER)"), "create u");
    CHECK(primary_ok(&a, "INSERT INTO u VALUES ('a', 1), ('b', 2)"), "insert u");
    CHECK(primary_ok(&a, "ALTER TABLE t ADD COLUMN extra TEXT DEFAULT 'd'"), "alter t");
    CHECK(primary_ok(&a, "CREATE INDEX t_n ON t(n)"), "create index");
    CHECK(primary_ok(&a, "DELETE FROM t WHERE id >= 111"), "delete many");
    cJSON *vac = primary_exec(&a, "VACUUM");
    if (!vac)
        printf("NOTE: this primary refuses VACUUM (experimental in tursodb without "
               "--experimental-vacuum); shrinking files are covered by test_page_apply\n");
    cJSON_Delete(vac);
    st = lsq_sync(db, &ss, &err);
    CHECK(st == LSQ_OK, "sync after schema change: %s", err.message);
    CHECK(same_rows(&a, db, T_ROWS), "t after schema change");
    CHECK(same_rows(&a, db, "SELECT * FROM u ORDER BY k"), "u after schema change");
    CHECK(same_rows(&a, db, "SELECT name FROM sqlite_schema ORDER BY name"), "schema");
    CHECK(local_healthy(db), "integrity after schema change");

    /* 4. a second connection shares the replica; SyncInterval=1 refreshes it */
    lsq_db *db2 = NULL;
    st = open_replica(file, a.url, 1, &db2, &err);
    CHECK(st == LSQ_OK, "second connection: %s", err.message);
    if (st == LSQ_OK) {
        CHECK(same_rows(&a, db2, T_ROWS), "second connection content");
        CHECK(primary_ok(&a, "INSERT INTO t(id, v, n) VALUES (50, 'background', 5)"),
              "insert for background");
        int seen = 0;
        for (int i = 0; i < 60 && !seen; i++) {
            usleep(100 * 1000);
            char *r = local_rows(lsq_sqlite(db2), "SELECT v FROM t WHERE id = 50");
            seen = strcmp(r, "background|\n") == 0;
            free(r);
        }
        CHECK(seen, "background sync brought the row within 6 s");
        char *r = local_rows(lsq_sqlite(db), "SELECT v FROM t WHERE id = 50");
        CHECK(strcmp(r, "background|\n") == 0, "first connection sees it too: %s", r);
        free(r);
        lsq_close(db2);
    }
    /* 4b. connections come and go on several threads while the primary
     *     changes; the replica object is shared and then torn down. */
    {
        pthread_t th[4];
        churn_ctx cc[4];
        for (int i = 0; i < 4; i++) {
            cc[i] = (churn_ctx){.file = file, .url = a.url, .interval = i % 2, .failures = 0};
            pthread_create(&th[i], NULL, churn_main, &cc[i]);
        }
        for (int i = 0; i < 3; i++) {
            char sql[128];
            snprintf(sql, sizeof sql, "INSERT INTO t(id, v, n) VALUES (%d, 'churn', 0)", 70 + i);
            CHECK(primary_ok(&a, sql), "insert during churn");
        }
        int total = 0;
        for (int i = 0; i < 4; i++) {
            pthread_join(th[i], NULL);
            total += cc[i].failures;
        }
        CHECK(total == 0, "%d failures in concurrent connections", total);
        CHECK(lsq_sync(db, NULL, &err) == LSQ_OK, "sync after churn: %s", err.message);
        CHECK(same_rows(&a, db, T_ROWS), "content after churn");
    }
    lsq_close(db);
    db = NULL;

    /* 5. a crash after the pages are applied, before the metadata is saved:
     *    the next open accepts the file and re-pulls (idempotent). */
    CHECK(primary_ok(&a, "INSERT INTO t(id, v, n) VALUES (60, 'crash', 6)"), "insert crash");
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        setenv("LSQ_CRASH_AT", "before-meta", 1);
        lsq_db *c = NULL;
        lsq_error e = {0};
        lsq_status s = open_replica(file, a.url, 0, &c, &e);
        _exit(s == LSQ_OK ? 0 : 1);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
              WEXITSTATUS(status) == 99,
          "child died at before-meta (status %d)", status);
    st = open_replica(file, a.url, 0, &db, &err);
    CHECK(st == LSQ_OK, "reopen after crash before meta: %s", err.message);
    if (st != LSQ_OK)
        die("cannot continue");
    CHECK(same_rows(&a, db, T_ROWS), "content after crash + reopen");
    CHECK(local_healthy(db), "integrity after crash + reopen");

    /* 6. primary stopped: sync fails with NETWORK, reads still work */
    primary_stop(&a);
    st = lsq_sync(db, &ss, &err);
    CHECK(st == LSQ_ERR_NETWORK, "sync with primary down: %d %s", st, err.message);
    char *r = local_rows(lsq_sqlite(db), "SELECT count(*) FROM t WHERE id = 60");
    CHECK(strcmp(r, "1|\n") == 0, "reads still work: %s", r);
    free(r);
    CHECK(lsq_replica_state_of(db, &rs) == LSQ_OK && rs.last_error[0] && rs.syncs_failed >= 1,
          "state records the failure: '%s'", rs.last_error);
    lsq_close(db);
    db = NULL;
    st = open_replica(file, a.url, 1, &db, &err);
    CHECK(st == LSQ_OK, "open with primary down and a local copy: %s", err.message);
    if (st == LSQ_OK) {
        CHECK(lsq_open_warning(db) != NULL, "open reports a warning");
        if (lsq_open_warning(db))
            printf("warning at open: %s\n", lsq_open_warning(db));
        r = local_rows(lsq_sqlite(db), "SELECT count(*) FROM t");
        CHECK(strcmp(r, "<error>") != 0 && atoi(r) > 0, "reads while down: %s", r);
        free(r);
        /* SyncInterval=1 with the primary down backs off: attempts at about
         * 1 s and 3 s (then 7 s), not every second. With the failed sync at
         * open that is 3 failures after 4.5 s (5 without backoff). */
        usleep(4500 * 1000);
        CHECK(lsq_replica_state_of(db, &rs) == LSQ_OK && rs.syncs_failed >= 2 &&
                  rs.syncs_failed <= 3 && rs.syncs_ok == 0,
              "background retries back off: %llu failed, %llu ok",
              (unsigned long long)rs.syncs_failed, (unsigned long long)rs.syncs_ok);
        lsq_close(db);
        db = NULL;
    }
    char nofile[700];
    snprintf(nofile, sizeof nofile, "%s/never.db", tmp);
    st = open_replica(nofile, a.url, 0, &db, &err);
    CHECK(st == LSQ_ERR_NETWORK && !db, "bootstrap with primary down fails: %d %s", st,
          err.message);
    CHECK(!file_exists(nofile), "no half-made replica file left");

    /* 7. the replica file belongs to primary A: primary B refuses it */
    primary b;
    primary_start(&b, "primary-b");
    CHECK(primary_ok(&b, "CREATE TABLE other(x)"), "seed b");
    st = open_replica(file, b.url, 0, &db, &err);
    CHECK(st == LSQ_ERR_MISC && !db && strstr(err.message, "different primary"),
          "file from another primary: %d %s", st, err.message);
    if (db) {
        lsq_close(db);
        db = NULL;
    }

    /* 8. a file changed behind the driver's back is refused */
    char copy[700], cmd[4096];
    snprintf(copy, sizeof copy, "%s/tampered.db", tmp);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && cp '%s' '%s-libsql-meta'", file, copy, meta,
             copy);
    CHECK(system(cmd) == 0, "copy replica");
    sqlite3 *raw = NULL;
    sqlite3_open(copy, &raw);
    sqlite3_exec(raw, "INSERT INTO u VALUES ('z', 26)", NULL, NULL, NULL);
    sqlite3_exec(raw, "INSERT INTO u VALUES ('y', 25)", NULL, NULL, NULL);
    sqlite3_close(raw);
    st = open_replica(copy, b.url, 0, &db, &err);
    CHECK(st == LSQ_ERR_MISC && !db, "tampered file refused (wrong primary): %d", st);
    char url_a[128];
    snprintf(url_a, sizeof url_a, "%s", a.url);
    st = open_replica(copy, url_a, 0, &db, &err);
    CHECK(st == LSQ_ERR_MISC && !db && strstr(err.message, "does not match its metadata"),
          "tampered file refused: %d %s", st, err.message);
    if (db)
        lsq_close(db);

    /* 9. a bootstrap from B works side by side */
    char fileb[700];
    snprintf(fileb, sizeof fileb, "%s/replica-b.db", tmp);
    db = NULL;
    st = open_replica(fileb, b.url, 0, &db, &err);
    CHECK(st == LSQ_OK, "bootstrap from b: %s", err.message);
    if (st == LSQ_OK) {
        CHECK(same_rows(&b, db, "SELECT name FROM sqlite_schema"), "b schema");
        /* 10. the primary checkpoints its WAL: its revisions restart, which
         *     the replica must refuse loudly rather than miss changes. */
        for (int i = 0; i < 5; i++)
            primary_ok(&b, "INSERT INTO other VALUES (hex(randomblob(500)))");
        CHECK(lsq_sync(db, NULL, &err) == LSQ_OK, "sync b: %s", err.message);
        cJSON *ck = primary_exec(&b, "PRAGMA wal_checkpoint(TRUNCATE)");
        cJSON_Delete(ck);
        CHECK(primary_ok(&b, "INSERT INTO other VALUES ('after checkpoint')"), "insert b");
        st = lsq_sync(db, NULL, &err);
        if (ck) {
            CHECK(st == LSQ_ERR_PROTOCOL && strstr(err.message, "went backwards"),
                  "revision going backwards is refused: %d %s", st, err.message);
            CHECK(lsq_replica_state_of(db, &rs) == LSQ_OK && strstr(rs.last_error, "backwards"),
                  "state records it");
            r = local_rows(lsq_sqlite(db), "SELECT count(*) FROM other");
            CHECK(strcmp(r, "5|\n") == 0, "replica keeps its last good revision: %s", r);
            free(r);
        } else {
            printf("NOTE: the primary refused wal_checkpoint; revision rewind not exercised\n");
        }
        lsq_close(db);
    }
    primary_stop(&b);

    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
