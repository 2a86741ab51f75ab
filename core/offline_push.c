/*
 * offline_push.c — pending local transactions to the primary, in commit
 * order, one atomic Hrana batch (one round trip) each, exactly once
 * (docs/offline.md, "Push").
 *
 * The batch:
 *   0    CREATE TABLE IF NOT EXISTS _libsql_odbc_writes ...   (write_ledger.h)
 *   1    BEGIN
 *   2    INSERT INTO _libsql_odbc_writes ... id = '<client_id>:<seq>'
 *   3..  the transaction's statements (offline_sql.c), each conditioned on
 *        the step before; after each UPDATE/DELETE a guard that fails unless
 *        exactly one row changed
 *   k    COMMIT   (condition: step k-1 ok)
 *   k+1  ROLLBACK (condition: COMMIT not ok)
 *
 * The ledger row comes FIRST inside the transaction: a transaction pushed
 * before (the process died after the primary committed, before the outcome
 * was recorded here) then fails at that step with UNIQUE and nothing after
 * it runs, which is unambiguous; were it last, its re-sent INSERTs would
 * fail first and look like a conflict. So the push identity is
 * "<client_id>:<seq>", checked by the primary's own PRIMARY KEY in the same
 * transaction.
 *
 * Outcomes: committed or already there -> the pending row goes, the counter
 * grows; a conflict (guard, constraint, missing table/column, any other SQL
 * error of the transaction's own statements) -> the pending row moves to
 * `conflicts` and the push goes on with the next one; a transport failure,
 * a busy primary or an answer that cannot be read -> the push stops and
 * everything left stays pending (a retry is safe: see above).
 */
#include "offline.h"
#include "offline_internal.h"
#include "page_apply.h"
#include "replica.h"
#include "write_ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double unix_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}


lsq_status lsq_offline_next_pending(sqlite3 *c, int64_t after, lsq_pending_row *row,
                                    int *found, lsq_error *err)
{
    *found = 0;
    memset(row, 0, sizeof *row);
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(c,
                                "SELECT seq, committed_at, changeset FROM " LSQ_OFFLINE_SCHEMA
                                ".pending WHERE seq > ?1 ORDER BY seq LIMIT 1",
                                -1, &q, NULL);
    if (rc != SQLITE_OK)
        return lsq_fail_sqlite(err, c, rc);
    sqlite3_bind_int64(q, 1, after);
    rc = sqlite3_step(q);
    lsq_status st = LSQ_OK;
    if (rc == SQLITE_ROW) {
        row->seq = sqlite3_column_int64(q, 0);
        row->committed_at = sqlite3_column_double(q, 1);
        row->n = sqlite3_column_bytes(q, 2);
        row->cs = malloc(row->n > 0 ? (size_t)row->n : 1);
        if (!row->cs)
            st = lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
        else {
            if (row->n > 0)
                memcpy(row->cs, sqlite3_column_blob(q, 2), (size_t)row->n);
            *found = 1;
        }
    } else if (rc != SQLITE_DONE) {
        st = lsq_fail_sqlite(err, c, rc);
    }
    sqlite3_finalize(q);
    return st;
}

/* Run sql (with ?1 = seq) in a store transaction, plus the extra statement
 * when given; BUSY waits are the connection's busy timeout. */
static lsq_status store_exec(sqlite3 *c, const char *const *sqls, size_t n, int64_t seq,
                             const char *text1, const char *text2, const void *blob, int nblob,
                             double d1, lsq_error *err)
{
    int rc = sqlite3_exec(c, "BEGIN", NULL, NULL, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
        sqlite3_stmt *q = NULL;
        rc = sqlite3_prepare_v2(c, sqls[i], -1, &q, NULL);
        if (rc != SQLITE_OK)
            break;
        int np = sqlite3_bind_parameter_count(q);
        if (np >= 1) sqlite3_bind_int64(q, 1, seq);
        if (np >= 2) sqlite3_bind_text(q, 2, text1 ? text1 : "", -1, SQLITE_STATIC);
        if (np >= 3) sqlite3_bind_text(q, 3, text2 ? text2 : "", -1, SQLITE_STATIC);
        if (np >= 4) sqlite3_bind_blob(q, 4, blob, nblob, SQLITE_STATIC);
        if (np >= 5) sqlite3_bind_double(q, 5, d1);
        if (np >= 6) sqlite3_bind_double(q, 6, unix_now());
        rc = sqlite3_step(q);
        rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
        sqlite3_finalize(q);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(c, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        lsq_status st = lsq_fail_sqlite(err, c, rc);
        lsq_fail(err, st, sqlite3_extended_errcode(c),
                 "cannot record a push outcome in the offline store: %s", sqlite3_errmsg(c));
        sqlite3_exec(c, "ROLLBACK", NULL, NULL, NULL);
        return st;
    }
    return LSQ_OK;
}

static lsq_status record_pushed(sqlite3 *c, int64_t seq, lsq_error *err)
{
    /* Counted only when this process removed the row (two processes may
     * push the same one; the ledger keeps the primary right regardless). */
    static const char *const sqls[] = {
        "DELETE FROM " LSQ_OFFLINE_SCHEMA ".pending WHERE seq = ?1",
        "UPDATE " LSQ_OFFLINE_SCHEMA ".meta SET value = CAST(value AS INTEGER) + changes() "
        "WHERE key = 'pushed_transactions'",
        "INSERT OR REPLACE INTO " LSQ_OFFLINE_SCHEMA ".meta(key, value) "
        "VALUES ('last_push', (julianday('now') - 2440587.5) * 86400.0)",
    };
    return store_exec(c, sqls, 3, seq, NULL, NULL, NULL, 0, 0, err);
}

lsq_status lsq_offline_record_conflict(sqlite3 *c, int64_t seq, double committed_at,
                                       const void *cs, int n, const char *sql,
                                       const char *reason, int in_txn, lsq_error *err)
{
    static const char *const sqls[] = {
        "INSERT OR REPLACE INTO " LSQ_OFFLINE_SCHEMA
        ".conflicts(seq, sql, reason, changeset, committed_at, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        "DELETE FROM " LSQ_OFFLINE_SCHEMA ".pending WHERE seq = ?1",
    };
    if (!in_txn)
        return store_exec(c, sqls, 2, seq, sql, reason, cs, n, committed_at, err);
    for (size_t i = 0; i < 2; i++) {
        sqlite3_stmt *q = NULL;
        int rc = sqlite3_prepare_v2(c, sqls[i], -1, &q, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_int64(q, 1, seq);
            if (i == 0) {
                sqlite3_bind_text(q, 2, sql ? sql : "", -1, SQLITE_STATIC);
                sqlite3_bind_text(q, 3, reason ? reason : "", -1, SQLITE_STATIC);
                sqlite3_bind_blob(q, 4, cs, n, SQLITE_STATIC);
                sqlite3_bind_double(q, 5, committed_at);
                sqlite3_bind_double(q, 6, unix_now());
            }
            rc = sqlite3_step(q);
            rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
        }
        sqlite3_finalize(q);
        if (rc != SQLITE_OK)
            return lsq_fail_sqlite(err, c, rc);
    }
    return LSQ_OK;
}

/* A failure that says nothing about the transaction itself: stop, retry
 * later. */
static int transient(lsq_status st)
{
    return st == LSQ_ERR_NETWORK || st == LSQ_ERR_TIMEOUT || st == LSQ_ERR_BUSY ||
           st == LSQ_ERR_PROTOCOL || st == LSQ_ERR_AUTH || st == LSQ_ERR_NOMEM;
}

typedef enum outcome { OUT_COMMITTED, OUT_CONFLICT, OUT_STOP } outcome;

static outcome judge(const lsq_hrana_batch_result *res, const lsq_offline_stmts *ss,
                     const size_t *stmt_step, const size_t *guard_step, size_t ledger_step,
                     size_t commit_step, char *reason, size_t cap, lsq_error *err)
{
    const lsq_hrana_result *commit = &res->steps[commit_step];
    if (commit->ok && !commit->skipped)
        return OUT_COMMITTED;
    const lsq_hrana_result *ledger = &res->steps[ledger_step];
    if (!ledger->ok && !ledger->skipped) {
        if (ledger->error.status == LSQ_ERR_CONSTRAINT)
            return OUT_COMMITTED; /* pushed before: the primary has it once */
        lsq_fail(err, transient(ledger->error.status) ? ledger->error.status : LSQ_ERR_MISC,
                 ledger->error.native, "the primary refused the push ledger: %s",
                 ledger->error.message);
        return OUT_STOP;
    }
    for (size_t i = 0; i < 2; i++) {
        const lsq_hrana_result *s = &res->steps[i];
        if (!s->ok && !s->skipped) {
            lsq_fail(err, transient(s->error.status) ? s->error.status : LSQ_ERR_MISC,
                     s->error.native, "the primary could not start the push: %s",
                     s->error.message);
            return OUT_STOP;
        }
    }
    for (size_t k = 0; k < ss->n; k++) {
        const lsq_hrana_result *s = &res->steps[stmt_step[k]];
        if (!s->ok && !s->skipped) {
            if (transient(s->error.status)) {
                *err = s->error;
                return OUT_STOP;
            }
            snprintf(reason, cap, "statement %zu failed on the primary: %s", k + 1,
                     s->error.message);
            return OUT_CONFLICT;
        }
        if (guard_step[k] != (size_t)-1) {
            const lsq_hrana_result *g = &res->steps[guard_step[k]];
            if (!g->ok && !g->skipped) {
                if (transient(g->error.status)) {
                    *err = g->error;
                    return OUT_STOP;
                }
                snprintf(reason, cap,
                         "statement %zu: the row %s changed or vanished on the primary", k + 1,
                         ss->v[k].op == LSQ_OFF_UPDATE ? "to update" : "to delete");
                return OUT_CONFLICT;
            }
        }
    }
    if (!commit->skipped && !transient(commit->error.status)) {
        snprintf(reason, cap, "the primary refused to commit: %s", commit->error.message);
        return OUT_CONFLICT;
    }
    lsq_fail(err, commit->skipped ? LSQ_ERR_PROTOCOL : commit->error.status,
             commit->error.native, "the primary did not commit the push%s%s",
             commit->skipped ? "" : ": ", commit->skipped ? "" : commit->error.message);
    return OUT_STOP;
}

/* Push one pending transaction. */
static lsq_status push_one(struct lsq_replica *r, sqlite3 *c, const char *client_id,
                           const lsq_pending_row *row, lsq_offline_push_stats *ps, lsq_error *err)
{
    lsq_offline_stmts ss;
    lsq_error cerr;
    memset(&cerr, 0, sizeof cerr);
    lsq_status st = lsq_offline_changeset_sql(c, row->cs, row->n, &ss, &cerr);
    if (st == LSQ_ERR_NOMEM)
        return lsq_fail(err, st, 0, "out of memory");
    if (st != LSQ_OK) {
        /* The local schema no longer fits the change (a table was dropped
         * on the primary and pulled): it cannot be pushed as made. */
        char reason[600];
        snprintf(reason, sizeof reason, "cannot be expressed as SQL any more: %s",
                 cerr.message);
        st = lsq_offline_record_conflict(c, row->seq, row->committed_at, row->cs, row->n, "",
                                         reason, 0, err);
        if (st == LSQ_OK)
            ps->conflicts++;
        return st;
    }
    size_t nsteps = 4 + 2 * ss.n + 1;
    lsq_hrana_step *steps = calloc(nsteps, sizeof *steps);
    size_t *stmt_step = calloc(ss.n + 1, sizeof *stmt_step);
    size_t *guard_step = calloc(ss.n + 1, sizeof *guard_step);
    if (!steps || !stmt_step || !guard_step) {
        free(steps); free(stmt_step); free(guard_step);
        lsq_offline_stmts_free(&ss);
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    }
    char id[LSQ_CLIENT_ID_LEN + 32];
    lsq_ledger_write_id(client_id, (uint64_t)row->seq, id, sizeof id);
    lsq_value idv = {.type = SQLITE_TEXT, .p = id, .n = strlen(id)};
    size_t k = 0;
    steps[k++] = (lsq_hrana_step){.sql = LSQ_LEDGER_CREATE_SQL};
    steps[k++] = (lsq_hrana_step){.sql = "BEGIN"};
    size_t ledger_step = k;
    steps[k] = (lsq_hrana_step){.sql = LSQ_LEDGER_RECORD_SQL, .args = &idv, .nargs = 1,
                                .cond = LSQ_COND_OK, .cond_step = (int)k - 1};
    k++;
    for (size_t i = 0; i < ss.n; i++) {
        stmt_step[i] = k;
        steps[k] = (lsq_hrana_step){.sql = ss.v[i].sql, .args = ss.v[i].args,
                                    .nargs = ss.v[i].nargs, .cond = LSQ_COND_OK,
                                    .cond_step = (int)k - 1};
        k++;
        guard_step[i] = (size_t)-1;
        if (ss.v[i].guard) {
            guard_step[i] = k;
            steps[k] = (lsq_hrana_step){.sql = LSQ_OFFLINE_GUARD_SQL, .want_rows = 1,
                                        .cond = LSQ_COND_OK, .cond_step = (int)k - 1};
            k++;
        }
    }
    size_t commit_step = k;
    steps[k] = (lsq_hrana_step){.sql = "COMMIT", .cond = LSQ_COND_OK, .cond_step = (int)k - 1};
    k++;
    steps[k] = (lsq_hrana_step){.sql = "ROLLBACK", .cond = LSQ_COND_NOT_OK,
                                .cond_step = (int)commit_step};
    k++;

    lsq_crash_point("push-before-send");
    lsq_hrana_batch_result res;
    memset(&res, 0, sizeof res);
    int sent = 1;
    st = lsq_hrana_batch(r, steps, k, 0, &res, &sent, err);
    if (st == LSQ_OK) {
        lsq_crash_point("push-sent");
        if (res.nsteps < k) {
            st = lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                          "the primary answered the push with %zu step results for %zu steps",
                          res.nsteps, k);
        } else {
            char reason[700] = "";
            outcome o = judge(&res, &ss, stmt_step, guard_step, ledger_step, commit_step,
                              reason, sizeof reason, err);
            if (o == OUT_COMMITTED) {
                st = record_pushed(c, row->seq, err);
                if (st == LSQ_OK)
                    ps->pushed++;
            } else if (o == OUT_CONFLICT) {
                char *sql = lsq_offline_stmts_render(&ss);
                st = lsq_offline_record_conflict(c, row->seq, row->committed_at, row->cs,
                                                 row->n, sql ? sql : "", reason, 0, err);
                free(sql);
                if (st == LSQ_OK)
                    ps->conflicts++;
            } else {
                st = err->status != LSQ_OK ? err->status : LSQ_ERR_MISC;
            }
        }
    }
    lsq_hrana_batch_result_free(&res);
    free(steps); free(stmt_step); free(guard_step);
    lsq_offline_stmts_free(&ss);
    return st;
}

lsq_status lsq_offline_push_all(struct lsq_replica *r, sqlite3 *c, lsq_offline_push_stats *ps,
                                lsq_error *err)
{
    char client_id[LSQ_CLIENT_ID_LEN + 1];
    lsq_status st = lsq_offline_meta_get(c, "client_id", client_id, sizeof client_id, err);
    if (st == LSQ_OK && !client_id[0])
        st = lsq_fail(err, LSQ_ERR_MISC, 0, "the offline store has no client id");
    int64_t after = 0;
    while (st == LSQ_OK) {
        lsq_pending_row row;
        int found = 0;
        st = lsq_offline_next_pending(c, after, &row, &found, err);
        if (st != LSQ_OK || !found)
            break;
        st = push_one(r, c, client_id, &row, ps, err);
        after = row.seq;
        free(row.cs);
    }
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(c, "SELECT count(*) FROM " LSQ_OFFLINE_SCHEMA ".pending", -1, &q,
                           NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        ps->pending = (size_t)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return st;
}
