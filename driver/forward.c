/*
 * forward.c — writes on a replica connection go to the primary (Hrana
 * /v2/pipeline through core/hrana.c), and reads after them see them.
 *
 * Owns:
 *  - forward_collect_params: a row of bound parameters as typed Hrana
 *    arguments (the same walk and conversion that binds to SQLite,
 *    params_walk_row in params.c);
 *  - forward_exec: one autocommit write = one round trip, a batch of the
 *    statement and `SELECT changes(), last_insert_rowid()` (tursodb leaves
 *    affected_row_count at 0), RETURNING rows as the result set;
 *  - forward_exec_array: a parameter array as ONE round trip (BEGIN, each
 *    row and its changes() step, COMMIT), per-row status;
 *  - the read-your-writes flag: after a write is forwarded, the next read on
 *    any connection of that replica pulls first (forward_before_read).
 * Inside a manual-commit transaction (txn_remote_active) nothing is sent
 * here: the write runs locally as a preview and is queued (txn_remote.c).
 *
 * Exactly once (write_once.h, core/write_ledger.h): every batch that writes
 * the primary records its id in the primary's ledger table inside the same
 * transaction, COMMIT conditioned on it. A batch is sent again only when it
 * provably never reached the primary (lsq_hrana_batch's `sent` = 0). When
 * the answer is lost after sending (reset, timeout, 5xx, garbled body), the
 * id is claimed on the primary: the write is then reported as committed
 * once (01000) or as not applied (08S01 / HYT00), never guessed.
 */
#include "internal.h"
#include "opskeys.h"
#include "replica_hooks.h"
#include "write_once.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char changes_sql[] = "SELECT changes(), last_insert_rowid()";

/* ---------- parameters as Hrana arguments ------------------------------- */

/* Collected values keep TEXT/BLOB bytes in one arena; while collecting, the
 * arena may move, so such values hold their offset in `i` until the end. */
typedef struct collect_ctx {
    lsq_value *vals;
    size_t n;
    char *arena;
    size_t len, cap;
} collect_ctx;

static SQLRETURN collect_sink(stmt *s, int index, int param_no, SQLLEN diag_row,
                              const db_value *v, void *ctx)
{
    (void)param_no;
    (void)diag_row;
    collect_ctx *c = ctx;
    lsq_value *out = &c->vals[index - 1];
    memset(out, 0, sizeof *out);
    out->type = v->type;
    switch (v->type) {
    case SQLITE_INTEGER: out->i = v->i; break;
    case SQLITE_FLOAT: out->d = v->d; break;
    case SQLITE_TEXT:
    case SQLITE_BLOB: {
        size_t n = v->n > 0 ? (size_t)v->n : 0;
        if (c->len + n + 1 > c->cap) {
            size_t cap = c->cap ? c->cap : 256;
            while (cap < c->len + n + 1)
                cap *= 2;
            char *p = realloc(c->arena, cap);
            if (!p)
                return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
            c->arena = p;
            c->cap = cap;
        }
        if (n)
            memcpy(c->arena + c->len, v->p, n);
        out->i = (int64_t)c->len;
        out->n = n;
        c->len += n;
        break;
    }
    default: out->type = SQLITE_NULL; break;
    }
    return SQL_SUCCESS;
}

SQLRETURN forward_collect_params(stmt *s, SQLULEN row, lsq_value **out, size_t *n,
                                 void **storage)
{
    *out = NULL;
    *n = 0;
    *storage = NULL;
    int np = s->sst ? sqlite3_bind_parameter_count(s->sst) : 0;
    if (np <= 0)
        return SQL_SUCCESS;
    collect_ctx c = {0};
    c.vals = calloc((size_t)np, sizeof *c.vals);
    if (!c.vals)
        return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
    c.n = (size_t)np;
    SQLRETURN rc = params_walk_row(s, row, exec_first_param(s), collect_sink, &c);
    if (!SQL_SUCCEEDED(rc)) {
        free(c.vals);
        free(c.arena);
        return rc;
    }
    for (size_t i = 0; i < c.n; i++)
        if (c.vals[i].type == SQLITE_TEXT || c.vals[i].type == SQLITE_BLOB) {
            c.vals[i].p = c.arena ? c.arena + c.vals[i].i : "";
            c.vals[i].i = 0;
        }
    *out = c.vals;
    *n = c.n;
    *storage = c.arena;
    return rc;
}

void forward_params_free(lsq_value *vals, void *storage)
{
    free(vals);
    free(storage);
}

/* ---------- read your writes -------------------------------------------- */

/* Replicas with a forwarded write not yet pulled. Keyed by the replica
 * (shared by every connection naming the file), so the next read on ANY of
 * its connections pulls. Generations, not a flag: a write that lands while
 * a pull is under way must keep the replica marked. A stale key after a
 * replica is freed costs at most one extra pull, which is harmless. */
typedef struct dirty_replica {
    const void *replica;
    unsigned long written;   /* bumped by every forwarded write */
    unsigned long pulled;    /* `written` as it was when the last pull began */
    struct dirty_replica *next;
} dirty_replica;

static pthread_mutex_t dirty_mu = PTHREAD_MUTEX_INITIALIZER;
static dirty_replica *dirty_list;

static dirty_replica *dirty_find(const void *replica, int create)
{
    dirty_replica *d = dirty_list;
    while (d && d->replica != replica)
        d = d->next;
    if (!d && create) {
        d = calloc(1, sizeof *d);
        if (d) {
            d->replica = replica;
            d->next = dirty_list;
            dirty_list = d;
        }
    }
    return d;
}

/* Returns the write generation to pass to pulled_up_to, 0 when clean. */
static unsigned long dirty_generation(const void *replica)
{
    unsigned long gen = 0;
    pthread_mutex_lock(&dirty_mu);
    dirty_replica *d = dirty_find(replica, 0);
    if (d && d->written != d->pulled)
        gen = d->written;
    pthread_mutex_unlock(&dirty_mu);
    return gen;
}

static void note_write(const void *replica)
{
    if (!replica)
        return;
    pthread_mutex_lock(&dirty_mu);
    dirty_replica *d = dirty_find(replica, 1);
    if (d && ++d->written == d->pulled)
        d->written++; /* wrapped onto `pulled`: stay marked */
    pthread_mutex_unlock(&dirty_mu);
}

static void pulled_up_to(const void *replica, unsigned long gen)
{
    pthread_mutex_lock(&dirty_mu);
    dirty_replica *d = dirty_find(replica, 0);
    if (d)
        d->pulled = gen;
    pthread_mutex_unlock(&dirty_mu);
}

static void mark_written(dbc *c)
{
    if (lsq_read_your_writes_of(c->db))
        note_write(lsq_db_replica(c->db));
}

/* Would a pull block on this very connection? Applying pages needs an
 * EXCLUSIVE lock; an open cursor or a local transaction on this connection
 * holds SHARED, so the pull would only wait out its busy timeout and fail. */
static int connection_holds_lock(stmt *s)
{
    sqlite3 *db = s->dbc->sqlite;
    if (!sqlite3_get_autocommit(db))
        return 1;
    for (sqlite3_stmt *p = sqlite3_next_stmt(db, NULL); p; p = sqlite3_next_stmt(db, p))
        if (p != s->sst && sqlite3_stmt_busy(p))
            return 1;
    return 0;
}

SQLRETURN forward_before_read(stmt *s)
{
    dbc *c = s->dbc;
    struct lsq_replica *r = lsq_db_replica(c->db);
    unsigned long gen = r && lsq_read_your_writes_of(c->db) ? dirty_generation(r) : 0;
    if (!gen)
        return SQL_SUCCESS;
    if (connection_holds_lock(s))
        return diag_post(&s->hdr.diag, "01000", 0,
                         "read may not include your last write: another statement of this "
                         "connection has an open cursor or transaction, so the replica was "
                         "not pulled (close it, or run PRAGMA libsql_sync)");
    lsq_error err;
    if (lsq_sync(c->db, NULL, &err) == LSQ_OK) {
        pulled_up_to(r, gen);
        return SQL_SUCCESS;
    }
    return diag_post(&s->hdr.diag, "01000", (SQLINTEGER)err.native,
                     "read may not include your last write: pulling from the primary "
                     "failed: %s", err.message);
}

/* ---------- sending ----------------------------------------------------- */

static long timeout_ms_of(stmt *s)
{
    return s->query_timeout > 0 ? (long)s->query_timeout * 1000L : 0;
}

/* Statements SQLite refuses inside a transaction: they cannot carry the
 * ledger, so they go alone, under the older never-twice rule. */
static int runs_outside_transactions(const char *sql)
{
    while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r' || *sql == '(')
        sql++;
    return sqlite3_strnicmp(sql, "VACUUM", 6) == 0;
}

/* One round trip without the ledger (runs_outside_transactions): retried
 * once only when nothing reached the primary, otherwise reported. */
static lsq_status send_batch_plain(stmt *s, const lsq_hrana_step *steps, size_t nsteps,
                                   lsq_hrana_batch_result *res, lsq_error *err)
{
    struct lsq_replica *r = lsq_db_replica(s->dbc->db);
    long timeout_ms = timeout_ms_of(s);
    int sent = 1;
    lsq_status st = lsq_hrana_batch(r, steps, nsteps, timeout_ms, res, &sent, err);
    if (st != LSQ_OK && !sent)
        st = lsq_hrana_batch(r, steps, nsteps, timeout_ms, res, &sent, err);
    if (st != LSQ_ERR_TIMEOUT && st != LSQ_ERR_NETWORK)
        return st;
    char why[sizeof err->message]; /* lsq_fail must not read what it writes */
    memcpy(why, err->message, sizeof why);
    why[sizeof why - 1] = '\0';
    if (!sent)
        lsq_fail(err, st, err->native, "%.400s; the write was not applied", why);
    else
        lsq_fail(err, st, err->native,
                 "%.300s; the statement cannot run inside a transaction, so it carries no "
                 "write ledger: it may or may not have been applied and was not resent", why);
    return st;
}

static SQLRETURN post_step_error(stmt *s, SQLLEN row, const lsq_error *e)
{
    return diag_post_at(&s->hdr.diag, row, SQL_COLUMN_NUMBER_UNKNOWN,
                        diag_state_for(e->status), e->native, "%s", e->message);
}

static SQLRETURN refuse_read_only(stmt *s)
{
    return diag_post(&s->hdr.diag, "25000", SQLITE_READONLY,
                     "this connection is read-only (ReadOnly=1): the write was not sent to "
                     "the primary");
}

/* Changes and last rowid from the `SELECT changes(), last_insert_rowid()`
 * step; -1 when it did not run. */
static int64_t step_changes(const lsq_hrana_result *r)
{
    if (!r->ok || r->nrows < 1 || r->ncols < 1 || r->rows[0].type != SQLITE_INTEGER)
        return -1;
    return r->rows[0].i;
}

/* Move RETURNING rows into an in-memory cursor. The IRD already describes
 * the columns: the statement was prepared locally, with the same schema. */
static SQLRETURN install_rows(stmt *s, lsq_hrana_result *r)
{
    mem_rows m;
    if (mem_rows_init(&m, r->ncols) != 0)
        return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
    for (size_t i = 0; i < r->nrows; i++) {
        db_value *row = mem_rows_add(&m);
        if (!row) {
            mem_rows_free(&m);
            return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
        }
        for (int c = 0; c < r->ncols; c++) {
            lsq_value *v = &r->rows[i * (size_t)r->ncols + (size_t)c];
            db_value *cell = &row[c];
            cell->type = v->type;
            cell->i = v->i;
            cell->d = v->d;
            if (v->type == SQLITE_TEXT || v->type == SQLITE_BLOB) {
                cell->p = v->p; /* ownership moves to the cursor */
                cell->n = (int)v->n;
                v->p = NULL;
                v->type = SQLITE_NULL;
            }
        }
    }
    cursor_open_mem(&s->cur, &m);
    s->state = ST_CURSOR;
    return SQL_SUCCESS;
}

/* ---------- inside a manual-commit transaction -------------------------- */

static SQLRETURN preview_and_queue(stmt *s)
{
    lsq_value *args;
    size_t nargs;
    void *storage;
    SQLRETURN rc = forward_collect_params(s, 0, &args, &nargs, &storage);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    SQLRETURN ran = exec_local(s);
    /* With RETURNING, SQLite counts the changes only when the statement
     * finishes: read its rows into memory first so the guard is right. */
    if (SQL_SUCCEEDED(ran) && s->state == ST_CURSOR) {
        int mrc = cursor_materialize(&s->cur);
        if (mrc != SQLITE_OK) {
            forward_params_free(args, storage);
            cursor_close(&s->cur);
            sqlite3_reset(s->sst);
            s->state = s->prepared ? ST_PREPARED : ST_ALLOCATED;
            return diag_post_sqlite(&s->hdr.diag, s->dbc->sqlite, mrc);
        }
    }
    if (SQL_SUCCEEDED(ran)) {
        sqlite3_int64 changes = sqlite3_changes64(s->dbc->sqlite);
        SQLRETURN q = txn_remote_queue(s, sqlite3_sql(s->sst), args, nargs, changes);
        if (!SQL_SUCCEEDED(q))
            ran = q;
    }
    forward_params_free(args, storage);
    return ran;
}

/* ---------- one statement ----------------------------------------------- */

/* A forwarded write the primary committed: row count from its changes()
 * step, RETURNING rows (or the executed state) from its statement step;
 * frees res. */
static SQLRETURN write_done(stmt *s, lsq_hrana_batch_result *res, lsq_hrana_result *main_step,
                            const lsq_hrana_result *changes_step, int want_rows, double t0)
{
    mark_written(s->dbc);
    int64_t changes = step_changes(changes_step);
    s->row_count = exec_is_dml(s->sst) ? (SQLLEN)(changes >= 0 ? changes : 0) : -1;
    drvlog_forward("write", drvlog_clock() - t0, s->row_count, 1);
    s->hdr.diag.row_count = s->row_count;
    SQLRETURN rc = SQL_SUCCESS;
    if (want_rows)
        rc = install_rows(s, main_step);
    else
        s->state = ST_EXECUTED;
    lsq_hrana_batch_result_free(res);
    return rc;
}

/* The statement alone (VACUUM): the older two-step batch, no ledger. */
static SQLRETURN exec_plain(stmt *s, lsq_value *args, size_t nargs, int want_rows)
{
    lsq_hrana_step steps[2] = {
        {.sql = sqlite3_sql(s->sst), .args = args, .nargs = nargs, .want_rows = want_rows},
        {.sql = changes_sql, .want_rows = 1, .cond = LSQ_COND_OK, .cond_step = 0},
    };
    lsq_hrana_batch_result res;
    lsq_error err;
    double t0 = drvlog_clock();
    lsq_status st = send_batch_plain(s, steps, 2, &res, &err);
    s->state = s->prepared ? ST_PREPARED : ST_ALLOCATED;
    if (st != LSQ_OK) {
        drvlog_forward("write", drvlog_clock() - t0, -1, 0);
        return diag_post_lsq(&s->hdr.diag, &err);
    }
    SQLRETURN rc;
    if (!res.steps[0].ok) {
        drvlog_forward("write", drvlog_clock() - t0, -1, 0);
        rc = post_step_error(s, SQL_NO_ROW_NUMBER, &res.steps[0].error);
        lsq_hrana_batch_result_free(&res);
        return rc;
    }
    return write_done(s, &res, &res.steps[0], &res.steps[1], want_rows, t0);
}

/* Why a batch that was answered did not commit; nothing was committed.
 * Steps: the write's own failure first, then BEGIN, the ledger, COMMIT. */
static SQLRETURN post_not_committed(stmt *s, SQLLEN row, const lsq_hrana_batch_result *res,
                                    size_t begin_step, size_t ledger_step, size_t commit_step)
{
    const lsq_hrana_result *b = &res->steps[begin_step];
    const lsq_hrana_result *l = &res->steps[ledger_step];
    const lsq_hrana_result *cm = &res->steps[commit_step];
    if (!b->ok && !b->skipped)
        return diag_post_at(&s->hdr.diag, row, SQL_COLUMN_NUMBER_UNKNOWN,
                            diag_state_for(b->error.status), b->error.native,
                            "the primary could not begin a transaction (%s); nothing was applied",
                            b->error.message);
    if (!l->ok && !l->skipped)
        return diag_post_at(&s->hdr.diag, row, SQL_COLUMN_NUMBER_UNKNOWN,
                            diag_state_for(l->error.status), l->error.native,
                            "the primary could not record the write in its ledger "
                            "(" LSQ_LEDGER_TABLE "): %s; nothing was applied",
                            l->error.message);
    if (!cm->ok && !cm->skipped)
        return diag_post_at(&s->hdr.diag, row, SQL_COLUMN_NUMBER_UNKNOWN,
                            diag_state_for(cm->error.status), cm->error.native,
                            "the primary refused to commit (%s); nothing was applied",
                            cm->error.message);
    return diag_post_at(&s->hdr.diag, row, SQL_COLUMN_NUMBER_UNKNOWN, "HY000", 0,
                        "the primary did not commit the write; nothing was applied");
}

/* An empty result set with the statement's columns: RETURNING rows of a
 * write whose answer was lost cannot be had again. */
static SQLRETURN install_no_rows(stmt *s)
{
    lsq_hrana_result empty;
    memset(&empty, 0, sizeof empty);
    empty.ncols = sqlite3_column_count(s->sst);
    return install_rows(s, &empty);
}

/*
 * One autocommit write, one round trip:
 *   0 CREATE TABLE IF NOT EXISTS <ledger>
 *   1 BEGIN
 *   2 the statement                         (ok 1)
 *   3 SELECT changes(), last_insert_rowid() (ok 2)
 *   4 INSERT INTO <ledger> the write's id   (ok 3)
 *   5 COMMIT                                (ok 4)
 *   6 ROLLBACK                              (not ok 5)
 */
SQLRETURN forward_exec(stmt *s)
{
    dbc *c = s->dbc;
    if (c->opt.read_only)
        return refuse_read_only(s);
    if (txn_remote_active(c))
        return preview_and_queue(s);

    lsq_value *args;
    size_t nargs;
    void *storage;
    SQLRETURN rc = forward_collect_params(s, 0, &args, &nargs, &storage);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    int want_rows = sqlite3_column_count(s->sst) > 0;
    if (runs_outside_transactions(sqlite3_sql(s->sst))) {
        rc = exec_plain(s, args, nargs, want_rows);
        forward_params_free(args, storage);
        return rc;
    }
    wo_write w;
    rc = wo_start(c, &s->hdr.diag, &w);
    if (!SQL_SUCCEEDED(rc)) {
        forward_params_free(args, storage);
        return rc;
    }
    lsq_hrana_step steps[4 + WO_EXTRA_STEPS];
    size_t k = 0, ledger_step, commit_step;
    steps[k++] = (lsq_hrana_step){.sql = LSQ_LEDGER_CREATE_SQL};
    steps[k++] = (lsq_hrana_step){.sql = "BEGIN"};
    steps[k++] = (lsq_hrana_step){.sql = sqlite3_sql(s->sst), .args = args, .nargs = nargs,
                                  .want_rows = want_rows, .cond = LSQ_COND_OK, .cond_step = 1};
    steps[k++] = (lsq_hrana_step){.sql = changes_sql, .want_rows = 1, .cond = LSQ_COND_OK,
                                  .cond_step = 2};
    wo_tail(steps, &k, &w, 3, &ledger_step, &commit_step);

    lsq_hrana_batch_result res;
    wo_result out;
    double t0 = drvlog_clock();
    wo_send(c, steps, k, timeout_ms_of(s), &w, &res, &out);
    forward_params_free(args, storage);
    s->state = s->prepared ? ST_PREPARED : ST_ALLOCATED;

    if (out.outcome != WO_ANSWERED) {
        if (out.outcome != WO_COMMITTED) {
            drvlog_forward("write", drvlog_clock() - t0, -1, 0);
            return wo_post(&s->hdr.diag, SQL_NO_ROW_NUMBER, &out, &w, "write", NULL);
        }
        mark_written(c);
        s->row_count = exec_is_dml(s->sst) ? (SQLLEN)(out.changes >= 0 ? out.changes : 0) : -1;
        s->hdr.diag.row_count = s->row_count;
        drvlog_forward("write", drvlog_clock() - t0, s->row_count, 1);
        rc = wo_post(&s->hdr.diag, SQL_NO_ROW_NUMBER, &out, &w, "write",
                     want_rows ? "; its RETURNING rows are not available (the result set is "
                                 "empty): read them back from the table"
                               : NULL);
        SQLRETURN ir = want_rows ? install_no_rows(s) : SQL_SUCCESS;
        if (!want_rows)
            s->state = ST_EXECUTED;
        return SQL_SUCCEEDED(ir) ? rc : ir;
    }

    lsq_hrana_result *main_step = &res.steps[2];
    if (!res.steps[commit_step].ok) {
        drvlog_forward("write", drvlog_clock() - t0, -1, 0);
        if (!main_step->ok && !main_step->skipped)
            rc = post_step_error(s, SQL_NO_ROW_NUMBER, &main_step->error);
        else
            rc = post_not_committed(s, SQL_NO_ROW_NUMBER, &res, 1, ledger_step, commit_step);
        lsq_hrana_batch_result_free(&res);
        return rc;
    }
    return write_done(s, &res, main_step, &res.steps[3], want_rows, t0);
}

/* ---------- a parameter array: one round trip --------------------------- */

static void param_status(stmt *s, SQLULEN row, SQLUSMALLINT v)
{
    if (s->ipd->array_status_ptr)
        s->ipd->array_status_ptr[row] = v;
}

/* Inside a transaction: preview and queue row by row. */
static SQLRETURN array_in_txn(stmt *s)
{
    SQLULEN n = s->apd->array_size, ok = 0, failed = 0, processed = 0;
    SQLLEN total = 0;
    const SQLUSMALLINT *ops = s->apd->array_status_ptr;
    for (SQLULEN row = 0; row < n; row++) {
        if (ops && ops[row] == SQL_PARAM_IGNORE) {
            param_status(s, row, SQL_PARAM_UNUSED);
            continue;
        }
        processed++;
        sqlite3_reset(s->sst);
        s->dae_row = row;
        SQLRETURN rc = params_next_dae(s, 0)
                           ? diag_post_at(&s->hdr.diag, (SQLLEN)row + 1,
                                          SQL_COLUMN_NUMBER_UNKNOWN, "HYC00", 0,
                                          "Data-at-execution parameters in a parameter array "
                                          "are not supported")
                           : params_bind_row(s, row, 0);
        lsq_value *args = NULL;
        size_t nargs = 0;
        void *storage = NULL;
        if (SQL_SUCCEEDED(rc))
            rc = forward_collect_params(s, row, &args, &nargs, &storage);
        if (SQL_SUCCEEDED(rc)) {
            int step = sqlite3_step(s->sst);
            while (step == SQLITE_ROW)
                step = sqlite3_step(s->sst);
            if (step == SQLITE_DONE) {
                sqlite3_int64 ch = sqlite3_changes64(s->dbc->sqlite);
                rc = txn_remote_queue(s, sqlite3_sql(s->sst), args, nargs, ch);
                if (SQL_SUCCEEDED(rc))
                    total += (SQLLEN)ch;
            } else {
                sqlite3 *db = s->dbc->sqlite;
                int code = sqlite3_extended_errcode(db);
                rc = diag_post_at(&s->hdr.diag, (SQLLEN)row + 1, SQL_COLUMN_NUMBER_UNKNOWN,
                                  diag_state_for(lsq_status_from_sqlite(code)), code, "%s",
                                  sqlite3_errmsg(db));
            }
        }
        forward_params_free(args, storage);
        param_status(s, row, SQL_SUCCEEDED(rc) ? SQL_PARAM_SUCCESS : SQL_PARAM_ERROR);
        if (SQL_SUCCEEDED(rc))
            ok++;
        else
            failed++;
    }
    sqlite3_reset(s->sst);
    s->dae_row = 0;
    if (s->ipd->rows_processed_ptr)
        *s->ipd->rows_processed_ptr = processed;
    return exec_array_done(s, exec_is_dml(s->sst) ? total : -1, ok, failed, SQL_SUCCESS);
}

/* Can a trigger or a foreign-key action make total_changes() count more
 * than the statements' own changes()? Asked of the local schema, which the
 * statement was just prepared against. */
static int schema_has_side_effects(sqlite3 *db)
{
    sqlite3_stmt *q = NULL;
    int found = 1; /* when unsure, count row by row */
    if (sqlite3_prepare_v2(db,
                           "SELECT 1 FROM main.sqlite_schema WHERE type = 'trigger' OR "
                           "(type = 'table' AND sql LIKE '%REFERENCES%') LIMIT 1",
                           -1, &q, NULL) == SQLITE_OK) {
        int rc = sqlite3_step(q);
        found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : 1;
    }
    sqlite3_finalize(q);
    return found;
}

/*
 * Autocommit: rows are independent, as on the local path (a failing row is
 * undone alone, the others apply), but they travel as ONE batch inside one
 * remote transaction, one round trip and one commit on the primary whatever
 * the row count:
 *   BEGIN IMMEDIATE, SELECT total_changes(), one step per row,
 *   SELECT total_changes(), COMMIT, ROLLBACK (not ok on COMMIT).
 * The row count is the difference of the two total_changes() (a failed
 * statement adds nothing; IMMEDIATE keeps other writers out in between).
 * Parsing a `SELECT changes()` per row would triple the primary's work, so
 * that is done only when a trigger or a foreign key in the schema could make
 * total_changes() count more than the statements themselves changed.
 */
SQLRETURN forward_exec_array(stmt *s)
{
    dbc *c = s->dbc;
    if (c->opt.read_only)
        return refuse_read_only(s);
    if (txn_remote_active(c))
        return array_in_txn(s);

    SQLULEN n = s->apd->array_size;
    const SQLUSMALLINT *ops = s->apd->array_status_ptr;
    const char *sql = sqlite3_sql(s->sst);
    lsq_hrana_step *steps = calloc(2 * (size_t)n + 5 + WO_EXTRA_STEPS, sizeof *steps);
    lsq_value **args = calloc((size_t)n, sizeof *args);
    void **storage = calloc((size_t)n, sizeof *storage);
    /* step index of each row's statement; 0 = not sent */
    size_t *row_step = calloc((size_t)n, sizeof *row_step);
    if (!steps || !args || !storage || !row_step) {
        free(steps); free(args); free(storage); free(row_step);
        return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
    }
    SQLULEN processed = 0, ok = 0, failed = 0;
    SQLLEN total = 0;
    size_t k = 0;
    int per_row = schema_has_side_effects(c->sqlite);
    wo_write w;
    memset(&w, 0, sizeof w);
    steps[k++] = (lsq_hrana_step){.sql = LSQ_LEDGER_CREATE_SQL};
    steps[k++] = (lsq_hrana_step){.sql = "BEGIN IMMEDIATE"};
    size_t total_before = 0;
    if (!per_row) {
        total_before = k;
        steps[k++] = (lsq_hrana_step){.sql = "SELECT total_changes()", .want_rows = 1};
    }
    for (SQLULEN row = 0; row < n; row++) {
        if (ops && ops[row] == SQL_PARAM_IGNORE) {
            param_status(s, row, SQL_PARAM_UNUSED);
            continue;
        }
        processed++;
        s->dae_row = row;
        SQLRETURN rc;
        if (params_next_dae(s, 0)) {
            rc = diag_post_at(&s->hdr.diag, (SQLLEN)row + 1, SQL_COLUMN_NUMBER_UNKNOWN, "HYC00",
                              0, "Data-at-execution parameters in a parameter array are not "
                                 "supported");
        } else {
            size_t nargs = 0;
            rc = forward_collect_params(s, row, &args[row], &nargs, &storage[row]);
            if (SQL_SUCCEEDED(rc)) {
                row_step[row] = k;
                /* Conditioned on BEGIN: should it fail, no row may run in
                 * autocommit and then be reported as not applied. */
                steps[k++] = (lsq_hrana_step){.sql = sql, .args = args[row], .nargs = nargs,
                                              .cond = LSQ_COND_OK, .cond_step = 1};
                if (per_row) {
                    steps[k] = (lsq_hrana_step){.sql = changes_sql, .want_rows = 1,
                                                .cond = LSQ_COND_OK, .cond_step = (int)k - 1};
                    k++;
                }
            }
        }
        if (!SQL_SUCCEEDED(rc)) {
            param_status(s, row, SQL_PARAM_ERROR);
            failed++;
        }
    }
    s->dae_row = 0;
    size_t total_after = 0;
    if (!per_row) {
        total_after = k;
        steps[k++] = (lsq_hrana_step){.sql = "SELECT total_changes()", .want_rows = 1};
    }
    SQLRETURN ret = SQL_SUCCESS;
    lsq_hrana_batch_result res = {0};
    wo_result out = {0};
    int sent_any = ok + failed < processed; /* some row made it into the batch */
    /* Rows are independent: the ledger insert needs only BEGIN. */
    size_t ledger_step = 0, commit_step = 0;
    if (sent_any && !SQL_SUCCEEDED(wo_start(c, &s->hdr.diag, &w)))
        sent_any = 0, ret = SQL_ERROR;
    if (sent_any)
        wo_tail(steps, &k, &w, 1, &ledger_step, &commit_step);
    double t0 = drvlog_clock();
    if (sent_any)
        wo_send(c, steps, k, timeout_ms_of(s), &w, &res, &out);
    if (!sent_any) {
        if (ret == SQL_ERROR)
            for (SQLULEN row = 0; row < n; row++)
                if (row_step[row]) {
                    param_status(s, row, SQL_PARAM_ERROR);
                    failed++;
                }
    } else if (out.outcome == WO_COMMITTED) {
        /* Committed once, but which rows failed on their own is lost with
         * the answer: every sent row is "diagnostics unavailable". */
        wo_post(&s->hdr.diag, SQL_NO_ROW_NUMBER, &out, &w, "parameter array",
                "; per-row results and the row count are not available");
        for (SQLULEN row = 0; row < n; row++)
            if (row_step[row]) {
                param_status(s, row, SQL_PARAM_DIAG_UNAVAILABLE);
                ok++;
            }
        total = -1;
        ret = SQL_SUCCESS_WITH_INFO;
        mark_written(c);
    } else if (out.outcome != WO_ANSWERED) {
        wo_post(&s->hdr.diag, SQL_NO_ROW_NUMBER, &out, &w, "parameter array", NULL);
        for (SQLULEN row = 0; row < n; row++)
            if (row_step[row]) {
                param_status(s, row, SQL_PARAM_ERROR);
                failed++;
            }
        ok = 0;
    } else if (!res.steps[commit_step].ok) {
        /* Nothing was committed: every row failed with the commit. */
        post_not_committed(s, SQL_NO_ROW_NUMBER, &res, 1, ledger_step, commit_step);
        for (SQLULEN row = 0; row < n; row++)
            if (row_step[row]) {
                param_status(s, row, SQL_PARAM_ERROR);
                failed++;
            }
        ok = 0;
    } else {
        for (SQLULEN row = 0; row < n; row++) {
            size_t i = row_step[row];
            if (!i)
                continue;
            const lsq_hrana_result *r = &res.steps[i];
            if (r->ok) {
                if (per_row) {
                    int64_t ch = step_changes(&res.steps[i + 1]);
                    total += ch > 0 ? (SQLLEN)ch : 0;
                }
                param_status(s, row, SQL_PARAM_SUCCESS);
                ok++;
            } else {
                post_step_error(s, (SQLLEN)row + 1, &r->error);
                param_status(s, row, SQL_PARAM_ERROR);
                failed++;
            }
        }
        if (!per_row) {
            int64_t before = step_changes(&res.steps[total_before]);
            int64_t after = step_changes(&res.steps[total_after]);
            total = before >= 0 && after >= before ? (SQLLEN)(after - before) : 0;
        }
        if (ok)
            mark_written(c);
    }
    if (sent_any)
        drvlog_forward("parameter array", drvlog_clock() - t0, (long long)total, ok > 0);
    lsq_hrana_batch_result_free(&res);
    for (SQLULEN row = 0; row < n; row++)
        forward_params_free(args[row], storage[row]);
    free(steps); free(args); free(storage); free(row_step);

    if (s->ipd->rows_processed_ptr)
        *s->ipd->rows_processed_ptr = processed;
    return exec_array_done(s, exec_is_dml(s->sst) ? total : -1, ok, failed, ret);
}
