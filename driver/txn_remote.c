/*
 * txn_remote.c — manual-commit transactions on a replica connection.
 *
 * Owns: the queue of writes made inside a transaction (autocommit off, or an
 * explicit BEGIN / SAVEPOINT in SQL), the SQL-level transaction statements
 * on a replica (forward_txn), and the commit that sends the queue to the
 * primary as ONE guarded Hrana batch (txn_remote_end).
 *
 * Why it works this way (docs/transactions.md has the user's view):
 * - The primary (tursodb, sqld) keeps no interactive stream between HTTP
 *   requests, so a transaction cannot stay open there while the application
 *   thinks. Instead each write is run locally as a PREVIEW inside a local
 *   transaction that is never committed (forward.c does that and calls
 *   txn_remote_queue), so the application sees its own rows, row counts
 *   and errors at once; the write is queued.
 * - Commit sends: the ledger's CREATE TABLE IF NOT EXISTS; BEGIN; each write
 *   conditioned on the previous step; after each DML write a guard step that
 *   errors unless the primary's changes() equals what the preview changed;
 *   the transaction's id into the write ledger (write_once.h) conditioned on
 *   the last step; COMMIT conditioned on that; ROLLBACK when the COMMIT did
 *   not succeed. A commit whose answer is lost is settled through the
 *   ledger: committed once, or not applied, never "maybe". A guard failure means the
 *   primary's data moved underneath the transaction: SQLSTATE 40001, nothing
 *   committed. The guard raises its error with json('...') on a non-JSON
 *   string: it errors at run time (only in the branch taken) on both SQLite
 *   (sqld) and tursodb, whereas raise() is refused outside triggers by SQLite.
 * - After the batch the local preview is rolled back and the replica pulls,
 *   so the committed rows arrive as the primary's pages.
 * - Savepoints are supported: SAVEPOINT / ROLLBACK TO / RELEASE run on the
 *   local preview and the queue is cut back to its length at the savepoint.
 *
 * The queue belongs to the connection (dbc->txn_queue) and is used under
 * its handle lock; it is dropped when the transaction ends and on
 * disconnect, and a queue whose local transaction is no longer open is
 * stale and dropped on sight.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "opskeys.h"
#include "replica_hooks.h"
#include "txn_stmt.h"
#include "sqltext.h"
#include "write_once.h"

/* A queued write: the SQL text, its arguments (copied), and what the local
 * preview changed (-1 = no guard: DDL and other non-counting statements). */
typedef struct queued_write {
    char *sql;
    lsq_value *args;
    size_t nargs;
    sqlite3_int64 changes;
} queued_write;

typedef struct savepoint_mark {
    char *name;
    size_t queue_len;    /* writes queued before the savepoint was taken */
} savepoint_mark;

typedef struct txn_queue txn_queue;
struct txn_queue {
    queued_write *w;
    size_t n, cap;
    savepoint_mark *sp;
    size_t nsp, capsp;
    int started_by_savepoint;   /* SAVEPOINT outside a transaction began it */
};

static void queue_clear(txn_queue *q)
{
    for (size_t i = 0; i < q->n; i++) {
        free(q->w[i].sql);
        for (size_t a = 0; a < q->w[i].nargs; a++)
            free((void *)q->w[i].args[a].p);
        free(q->w[i].args);
    }
    q->n = 0;
    for (size_t i = 0; i < q->nsp; i++)
        free(q->sp[i].name);
    q->nsp = 0;
    q->started_by_savepoint = 0;
}

static void queue_destroy(txn_queue *q)
{
    queue_clear(q);
    free(q->w);
    free(q->sp);
    free(q);
}

/* The connection's queue (owned by the dbc, used under its handle lock);
 * created when `create`. NULL on OOM or absent. */
static txn_queue *queue_of(dbc *c, int create)
{
    if (!c->txn_queue && create)
        c->txn_queue = calloc(1, sizeof *c->txn_queue);
    return c->txn_queue;
}

static void queue_forget(dbc *c)
{
    if (c->txn_queue) {
        queue_destroy(c->txn_queue);
        c->txn_queue = NULL;
    }
}

void txn_remote_free(dbc *c) { queue_forget(c); }

int txn_remote_active(const dbc *c)
{
    if (!c || !c->db || !c->sqlite || !lsq_is_replica(c->db))
        return 0;
    return !sqlite3_get_autocommit(c->sqlite);
}

SQLRETURN txn_remote_queue(stmt *s, const char *sql, const lsq_value *args, size_t nargs,
                           sqlite3_int64 changes)
{
    dbc *c = s->dbc;
    txn_queue *q = queue_of(c, 1);
    if (!q)
        return diag_post(&s->hdr.diag, "HY001", 0, "out of memory queueing the write");
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        queued_write *w = realloc(q->w, cap * sizeof *w);
        if (!w)
            return diag_post(&s->hdr.diag, "HY001", 0, "out of memory queueing the write");
        q->w = w;
        q->cap = cap;
    }
    queued_write item = {0};
    item.sql = strdup(sql);
    item.changes = sqltext_counts_changes(sql) ? changes : -1;
    if (nargs) {
        item.args = calloc(nargs, sizeof *item.args);
        item.nargs = nargs;
    }
    int oom = !item.sql || (nargs && !item.args);
    for (size_t i = 0; !oom && i < nargs; i++) {
        item.args[i] = args[i];
        item.args[i].p = NULL;
        if ((args[i].type == SQLITE_TEXT || args[i].type == SQLITE_BLOB)) {
            void *copy = malloc(args[i].n ? args[i].n : 1);
            if (!copy) {
                oom = 1;
                break;
            }
            if (args[i].n)
                memcpy(copy, args[i].p, args[i].n);
            item.args[i].p = copy;
        }
    }
    if (oom) {
        free(item.sql);
        for (size_t i = 0; item.args && i < nargs; i++)
            free((void *)item.args[i].p);
        free(item.args);
        return diag_post(&s->hdr.diag, "HY001", 0, "out of memory queueing the write");
    }
    q->w[q->n++] = item;
    return SQL_SUCCESS;
}

/* ---- the commit batch ---------------------------------------------------- */

/* Where each write's steps sit in the batch. */
typedef struct batch_plan {
    lsq_hrana_step *steps;
    size_t nsteps;
    char **guard_sql;            /* owned texts of the guard steps */
    size_t *write_step;          /* index of write i's statement step */
    size_t *guard_step;          /* index of write i's guard, or SIZE_MAX */
    size_t begin_step, ledger_step, commit_step;
} batch_plan;

static void plan_free(batch_plan *p, size_t nwrites)
{
    if (p->guard_sql)
        for (size_t i = 0; i < nwrites; i++)
            free(p->guard_sql[i]);
    free(p->guard_sql);
    free(p->steps);
    free(p->write_step);
    free(p->guard_step);
}

static int plan_build(const txn_queue *q, const wo_write *w, batch_plan *p)
{
    memset(p, 0, sizeof *p);
    size_t max = 2 + 2 * q->n + WO_EXTRA_STEPS;
    p->steps = calloc(max, sizeof *p->steps);
    p->guard_sql = calloc(q->n, sizeof *p->guard_sql);
    p->write_step = calloc(q->n, sizeof *p->write_step);
    p->guard_step = calloc(q->n, sizeof *p->guard_step);
    if (!p->steps || !p->guard_sql || !p->write_step || !p->guard_step)
        return 0;
    size_t k = 0;
    p->steps[k++] = (lsq_hrana_step){.sql = LSQ_LEDGER_CREATE_SQL};
    p->begin_step = k;
    p->steps[k++] = (lsq_hrana_step){.sql = "BEGIN"};
    for (size_t i = 0; i < q->n; i++) {
        const queued_write *w = &q->w[i];
        p->write_step[i] = k;
        p->steps[k] = (lsq_hrana_step){.sql = w->sql, .args = w->args, .nargs = w->nargs,
                                       .cond = LSQ_COND_OK, .cond_step = (int)k - 1};
        k++;
        p->guard_step[i] = SIZE_MAX;
        if (w->changes >= 0) {
            /* json() of a non-JSON text fails at run time, and only when the
             * ELSE branch is taken (see the header comment). */
            char buf[160];
            snprintf(buf, sizeof buf,
                     "SELECT CASE changes() WHEN %lld THEN 1 "
                     "ELSE json('libsql-odbc guard: changes differ') END",
                     (long long)w->changes);
            p->guard_sql[i] = strdup(buf);
            if (!p->guard_sql[i])
                return 0;
            p->guard_step[i] = k;
            p->steps[k] = (lsq_hrana_step){.sql = p->guard_sql[i], .want_rows = 1,
                                           .cond = LSQ_COND_OK, .cond_step = (int)k - 1};
            k++;
        }
    }
    wo_tail(p->steps, &k, w, (int)k - 1, &p->ledger_step, &p->commit_step);
    p->nsteps = k;
    return 1;
}

static const char *short_sql(const char *sql, char *buf, size_t cap)
{
    size_t n = strlen(sql);
    if (n < cap) return sql;
    snprintf(buf, cap, "%.*s...", (int)(cap - 4), sql);
    return buf;
}

/* Read the batch's outcome: SQL_SUCCESS when COMMIT ran and succeeded; else
 * post why nothing was committed. */
static SQLRETURN judge_batch(const txn_queue *q, const batch_plan *p,
                             const lsq_hrana_batch_result *res, diag_list *d)
{
    if (res->nsteps < p->nsteps)
        return diag_post(d, "08S01", 0,
                         "the primary's answer to the commit had %zu step results for %zu steps; "
                         "it is unknown whether the transaction was committed",
                         res->nsteps, p->nsteps);
    const lsq_hrana_result *commit = &res->steps[p->commit_step];
    if (commit->ok && !commit->skipped)
        return SQL_SUCCESS;
    const lsq_hrana_result *begin = &res->steps[p->begin_step];
    if (!begin->ok)
        return diag_post(d, diag_state_for(begin->error.status), begin->error.native,
                         "the primary could not begin the transaction (%s); nothing was committed",
                         begin->error.message);
    char buf[120];
    for (size_t i = 0; i < q->n; i++) {
        const lsq_hrana_result *ws = &res->steps[p->write_step[i]];
        if (!ws->ok && !ws->skipped) {
            lsq_error e = ws->error;
            return diag_post(d, diag_state_for(e.status), e.native,
                             "statement %zu of the transaction (%s) failed on the primary: %s; "
                             "nothing was committed",
                             i + 1, short_sql(q->w[i].sql, buf, sizeof buf), e.message);
        }
        if (p->guard_step[i] != SIZE_MAX) {
            const lsq_hrana_result *gs = &res->steps[p->guard_step[i]];
            if (!gs->ok && !gs->skipped) {
                return diag_post(d, "40001", 0,
                                 "the primary changed underneath the transaction: statement "
                                 "%zu (%s) changed a different number of rows there than the "
                                 "%lld it changed in the local preview; nothing was committed; "
                                 "retry the transaction",
                                 i + 1, short_sql(q->w[i].sql, buf, sizeof buf),
                                 (long long)q->w[i].changes);
            }
        }
    }
    const lsq_hrana_result *ledger = &res->steps[p->ledger_step];
    if (!ledger->ok && !ledger->skipped)
        return diag_post(d, diag_state_for(ledger->error.status), ledger->error.native,
                         "the primary could not record the transaction in its write ledger "
                         "(" LSQ_LEDGER_TABLE "): %s; nothing was committed",
                         ledger->error.message);
    if (!commit->skipped)
        return diag_post(d, commit->error.status == LSQ_ERR_BUSY ? "40001"
                                                                 : diag_state_for(commit->error.status),
                         commit->error.native,
                         "the primary refused to commit the transaction (%s); nothing was "
                         "committed", commit->error.message);
    return diag_post(d, "HY000", 0,
                     "the primary skipped the commit of the transaction; nothing was committed");
}

/* Close the statements' open cursors: a local ROLLBACK aborts them anyway,
 * and the pull after a commit needs the file free of readers. */
static void close_cursors(dbc *c)
{
    for (stmt *s = c->stmts; s; s = s->next)
        if (s->state == ST_CURSOR)
            stmt_close_results(s);
}

static int local_exec(dbc *c, const char *sql)
{
    return sqlite3_exec(c->sqlite, sql, NULL, NULL, NULL);
}

static long timeout_ms_of(handle_hdr *h)
{
    if (h->kind == HK_STMT) {
        stmt *s = (stmt *)h;
        if (s->query_timeout > 0)
            return (long)s->query_timeout * 1000L;
    }
    return 0;
}

/* Pull after a commit so the committed rows are in the local file. A failed
 * pull does not undo the commit: warn, the rows arrive at the next sync. */
static SQLRETURN pull_after_commit(dbc *c, diag_list *d)
{
    lsq_error err;
    memset(&err, 0, sizeof err);
    if (lsq_sync(c->db, NULL, &err) == LSQ_OK)
        return SQL_SUCCESS;
    return diag_post(d, "01000", err.native,
                     "the transaction was committed on the primary, but pulling it into the "
                     "local replica failed (%s); the rows appear after the next sync",
                     err.message);
}

static SQLRETURN send_queue(dbc *c, handle_hdr *h, txn_queue *q, int *reached)
{
    *reached = 0;
    diag_list *d = &h->diag;
    wo_write w;
    SQLRETURN rc = wo_start(c, d, &w);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    batch_plan plan;
    if (!plan_build(q, &w, &plan)) {
        plan_free(&plan, q->n);
        return diag_post(d, "HY001", 0, "out of memory building the commit; nothing was sent");
    }
    lsq_hrana_batch_result res;
    wo_result out;
    double t0 = drvlog_clock();
    wo_send(c, plan.steps, plan.nsteps, timeout_ms_of(h), &w, &res, &out);
    switch (out.outcome) {
    case WO_ANSWERED:
        *reached = 1;
        rc = judge_batch(q, &plan, &res, d);
        break;
    case WO_COMMITTED:
        *reached = 1;
        rc = wo_post(d, SQL_NO_ROW_NUMBER, &out, &w, "transaction", NULL);
        break;
    default:
        /* Not applied: "nothing was committed". Unknown: the message says
         * which id to look up. Either way the replica pulls afterwards. */
        *reached = out.sent;
        rc = wo_post(d, SQL_NO_ROW_NUMBER, &out, &w, "transaction", NULL);
        break;
    }
    drvlog_forward("commit", drvlog_clock() - t0, (long long)q->n, SQL_SUCCEEDED(rc));
    lsq_hrana_batch_result_free(&res);
    plan_free(&plan, q->n);
    return rc;
}

SQLRETURN txn_remote_end(dbc *c, handle_hdr *h, int commit)
{
    diag_list *d = &h->diag;
    if (!c->sqlite || sqlite3_get_autocommit(c->sqlite)) {
        queue_forget(c);  /* nothing open locally: any queue is stale */
        c->in_txn = 0;
        return SQL_SUCCESS;
    }
    txn_queue *q = queue_of(c, 0);
    size_t nwrites = q ? q->n : 0;
    if (!commit || nwrites == 0) {
        /* Rollback, or a commit with nothing for the primary (only temp
         * tables were written): end the local transaction as it is. */
        if (!commit)
            close_cursors(c);
        int rc = local_exec(c, commit ? "COMMIT" : "ROLLBACK");
        if (rc != SQLITE_OK)
            return diag_post(d, "HY000", sqlite3_extended_errcode(c->sqlite), "%s failed: %s",
                             commit ? "COMMIT" : "ROLLBACK", sqlite3_errmsg(c->sqlite));
        queue_forget(c);
        c->in_txn = 0;
        return SQL_SUCCESS;
    }

    int reached = 0;
    SQLRETURN rc = send_queue(c, h, q, &reached);
    /* Whatever the outcome, the local preview is only a preview: roll it
     * back (temp-table changes made in the transaction go with it) and end
     * the transaction. On failure the application starts over. */
    close_cursors(c);
    local_exec(c, "ROLLBACK");
    queue_forget(c);
    c->in_txn = 0;
    if (SQL_SUCCEEDED(rc)) {
        SQLRETURN pr = pull_after_commit(c, d);
        if (pr != SQL_SUCCESS)
            rc = pr;
    } else if (reached) {
        /* 40001, a failed statement, or an unknown outcome: bring the
         * replica up to the primary's present state, so a retry previews
         * against what the primary now holds (and, after a network error,
         * what the app reads shows whether the rows arrived). Best effort:
         * the diagnostic already says what happened. */
        lsq_error e;
        lsq_sync(c->db, NULL, &e);
    }
    return rc;
}

/* ---- transaction statements in SQL (ROUTE_TXN) --------------------------- */

static SQLRETURN push_savepoint(stmt *s, txn_queue *q, const char *name)
{
    if (q->nsp == q->capsp) {
        size_t cap = q->capsp ? q->capsp * 2 : 4;
        savepoint_mark *sp = realloc(q->sp, cap * sizeof *sp);
        if (!sp)
            return diag_post(&s->hdr.diag, "HY001", 0, "out of memory");
        q->sp = sp;
        q->capsp = cap;
    }
    char *copy = strdup(name);
    if (!copy)
        return diag_post(&s->hdr.diag, "HY001", 0, "out of memory");
    q->sp[q->nsp++] = (savepoint_mark){copy, q->n};
    return SQL_SUCCESS;
}

/* Innermost savepoint called `name` (SQLite compares names without case). */
static int find_savepoint(const txn_queue *q, const char *name, size_t *at)
{
    for (size_t i = q->nsp; i-- > 0;) {
        if (sqlite3_stricmp(q->sp[i].name, name) == 0) {
            *at = i;
            return 1;
        }
    }
    return 0;
}

static void truncate_queue(txn_queue *q, size_t n)
{
    while (q->n > n) {
        queued_write *w = &q->w[--q->n];
        free(w->sql);
        for (size_t a = 0; a < w->nargs; a++)
            free((void *)w->args[a].p);
        free(w->args);
    }
}

static void pop_savepoints(txn_queue *q, size_t keep)
{
    while (q->nsp > keep)
        free(q->sp[--q->nsp].name);
}

SQLRETURN forward_txn(stmt *s)
{
    dbc *c = s->dbc;
    char name[128];
    txn_kind k = txn_stmt_classify(c, s->sst, name, sizeof name);
    int open = !sqlite3_get_autocommit(c->sqlite);

    switch (k) {
    case TK_BEGIN:
        /* Starting one is purely local: the primary sees it at commit. A
         * nested BEGIN gets SQLite's own error. */
        return txn_stmt_executed(s, txn_stmt_step_local(s));
    case TK_COMMIT:
        if (!open)
            return txn_stmt_executed(s, txn_stmt_step_local(s)); /* SQLite: no transaction is active */
        return txn_stmt_executed(s, txn_remote_end(c, &s->hdr, 1));
    case TK_ROLLBACK:
        if (!open)
            return txn_stmt_executed(s, txn_stmt_step_local(s));
        return txn_stmt_executed(s, txn_remote_end(c, &s->hdr, 0));
    case TK_SAVEPOINT: {
        if (!open) {
            /* SAVEPOINT outside a transaction begins one, which its RELEASE
             * commits: remember that so the RELEASE goes to the primary. */
            int rc = local_exec(c, "BEGIN");
            if (rc != SQLITE_OK)
                return txn_stmt_executed(s, diag_post_sqlite(&s->hdr.diag, c->sqlite, rc));
        }
        SQLRETURN rc = txn_stmt_step_local(s);
        txn_queue *q = SQL_SUCCEEDED(rc) ? queue_of(c, 1) : NULL;
        if (SQL_SUCCEEDED(rc) && !q)
            rc = diag_post(&s->hdr.diag, "HY001", 0, "out of memory");
        if (SQL_SUCCEEDED(rc)) {
            if (!open)
                queue_clear(q);
            rc = push_savepoint(s, q, name);
            if (SQL_SUCCEEDED(rc) && !open)
                q->started_by_savepoint = 1;
        }
        if (!SQL_SUCCEEDED(rc) && !open)
            local_exec(c, "ROLLBACK");
        return txn_stmt_executed(s, rc);
    }
    case TK_RELEASE:
    case TK_ROLLBACK_TO: {
        txn_queue *q = open ? queue_of(c, 0) : NULL;
        size_t at = 0;
        if (!q || !find_savepoint(q, name, &at))
            return txn_stmt_executed(s, txn_stmt_step_local(s)); /* SQLite: no such savepoint */
        if (k == TK_RELEASE && at == 0 && q->started_by_savepoint)
            return txn_stmt_executed(s, txn_remote_end(c, &s->hdr, 1));
        SQLRETURN rc = txn_stmt_step_local(s);
        if (SQL_SUCCEEDED(rc)) {
            if (k == TK_RELEASE) {
                pop_savepoints(q, at);     /* the savepoint and all inside it */
            } else {
                truncate_queue(q, q->sp[at].queue_len);
                pop_savepoints(q, at + 1); /* ROLLBACK TO keeps the savepoint */
            }
        }
        return txn_stmt_executed(s, rc);
    }
    default:
        return txn_stmt_executed(s, diag_post(&s->hdr.diag, "HYC00", 0,
                                     "this transaction statement is not supported on a "
                                     "replica connection (it was not run)"));
    }
}
