/*
 * commands.c — statements the driver answers itself: PRAGMA libsql_* .
 *
 * route.c sends every `PRAGMA libsql_<name>` here, on any connection, so the
 * replica can be driven from any ODBC client (isql, pyodbc, a BI tool's SQL
 * window) without driver-specific API calls:
 *
 *   PRAGMA libsql_sync   pull from the primary now; one row:
 *                        revision, pages, bytes, seconds, changed
 *   PRAGMA libsql_state  one row: revision, db_size_pages, last_sync_ok,
 *                        last_sync_attempt, last_error, syncs_ok, syncs_failed,
 *                        pages_applied, sync_interval, read_your_writes,
 *                        offline, pending_transactions, pushed_transactions,
 *                        conflicts, last_push
 *   PRAGMA libsql_push   offline mode: push pending local transactions only;
 *                        one row: pushed, conflicts, pending
 *   PRAGMA libsql_pull   pull only (rebasing pending local transactions);
 *                        the same row as libsql_sync
 *   PRAGMA libsql_conflicts  offline mode: the local transactions the
 *                        primary did not take: seq, committed_at, reason, sql
 *
 * On a plain local-file connection both fail with HY000 "not a replica".
 *
 * Also owns replica_refresh_for_retry (exec.c calls it when a local prepare
 * fails with "no such table/column": the replica may just be behind).
 *
 * The applier needs an EXCLUSIVE lock on the file. A result set this same
 * connection still streams from SQLite holds a SHARED lock, which would make
 * the sync wait for itself and fail with SQLITE_BUSY. So before syncing, the
 * open cursors of the connection's other statements are read into memory
 * (their rows stay fetchable, at the revision they started on) and the lock
 * is gone. An open local transaction (manual commit with reads or previewed
 * writes) cannot be released that way: that case is reported as HY000.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "replica_hooks.h"
#include "../core/offline.h"
#include "../core/replica.h"

/* ---------- result columns --------------------------------------------- */

static const col_override sync_cols[] = {
    {"revision", SQL_VARCHAR, 64, SQL_NULLABLE},
    {"pages", SQL_BIGINT, 19, SQL_NO_NULLS},
    {"bytes", SQL_BIGINT, 19, SQL_NO_NULLS},
    {"seconds", SQL_DOUBLE, 15, SQL_NO_NULLS},
    {"changed", SQL_INTEGER, 10, SQL_NO_NULLS},
};
#define N_SYNC_COLS ((int)(sizeof sync_cols / sizeof sync_cols[0]))

static const col_override state_cols[] = {
    {"revision", SQL_VARCHAR, 64, SQL_NULLABLE},
    {"db_size_pages", SQL_BIGINT, 19, SQL_NO_NULLS},
    {"last_sync_ok", SQL_VARCHAR, 20, SQL_NULLABLE},
    {"last_sync_attempt", SQL_VARCHAR, 20, SQL_NULLABLE},
    {"last_error", SQL_VARCHAR, 512, SQL_NULLABLE},
    {"syncs_ok", SQL_BIGINT, 19, SQL_NO_NULLS},
    {"syncs_failed", SQL_BIGINT, 19, SQL_NO_NULLS},
    {"pages_applied", SQL_BIGINT, 19, SQL_NO_NULLS},
    {"sync_interval", SQL_INTEGER, 10, SQL_NO_NULLS},
    {"read_your_writes", SQL_INTEGER, 10, SQL_NO_NULLS},
    {"offline", SQL_INTEGER, 10, SQL_NO_NULLS},
    {"pending_transactions", SQL_BIGINT, 19, SQL_NO_NULLS},
    {"pushed_transactions", SQL_BIGINT, 19, SQL_NO_NULLS},
    {"conflicts", SQL_BIGINT, 19, SQL_NO_NULLS},
    {"last_push", SQL_VARCHAR, 20, SQL_NULLABLE},
};
#define N_STATE_COLS ((int)(sizeof state_cols / sizeof state_cols[0]))

static const col_override push_cols[] = {
    {"pushed", SQL_BIGINT, 19, SQL_NO_NULLS},
    {"conflicts", SQL_BIGINT, 19, SQL_NO_NULLS},
    {"pending", SQL_BIGINT, 19, SQL_NO_NULLS},
};
#define N_PUSH_COLS ((int)(sizeof push_cols / sizeof push_cols[0]))

static const col_override conflict_cols[] = {
    {"seq", SQL_BIGINT, 19, SQL_NO_NULLS},
    {"committed_at", SQL_VARCHAR, 24, SQL_NULLABLE},
    {"reason", SQL_VARCHAR, 1024, SQL_NULLABLE},
    {"sql", SQL_LONGVARCHAR, 65536, SQL_NULLABLE},
};
#define N_CONFLICT_COLS ((int)(sizeof conflict_cols / sizeof conflict_cols[0]))

/* ---------- helpers ------------------------------------------------------ */

/* "2026-11-23T16:15:27Z", or SQL NULL for 0 (never). */
static int set_time(db_value *cell, time_t t)
{
    if (!t)
        return mem_set_text(cell, NULL);
    struct tm tm;
    char buf[32];
    if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return mem_set_text(cell, NULL);
    return mem_set_text(cell, buf);
}

static void set_double(db_value *cell, double v)
{
    mem_set_int(cell, 0); /* clears the cell */
    cell->type = SQLITE_FLOAT;
    cell->d = v;
    cell->i = (sqlite3_int64)v;
}

/* Hand the one-row result to the statement. stmt_set_mem_result forgets the
 * SQL text; it is put back so that a prepared PRAGMA stays executable (the
 * next SQLExecute prepares it again because s->sst is gone) and so that
 * SQLMoreResults still reaches the statements after it in a batch. */
static SQLRETURN install_row(stmt *s, mem_rows *rows, const col_override *cols, int n)
{
    char *sql = s->sql ? strdup(s->sql) : NULL;
    ptrdiff_t next = s->sql && s->sql_next ? s->sql_next - s->sql : -1;
    int prepared = s->prepared;
    SQLRETURN rc = stmt_set_mem_result(s, rows, cols, n);
    if (sql) {
        free(s->sql);
        s->sql = sql;
        s->sql_next = next >= 0 ? sql + next : NULL;
        s->prepared = prepared;
    }
    return rc;
}

/* Release this connection's hold on the file so the applier can lock it:
 * every other statement's streaming cursor becomes an in-memory one.
 * Returns 1 when the connection holds no lock afterwards. */
static int release_local_locks(dbc *c, stmt *self)
{
    for (stmt *t = c->stmts; t; t = t->next) {
        if (t == self || t->cur.kind != CUR_SQLITE)
            continue;
        /* Another thread may be fetching on t: never wait for it (it might
         * be waiting for us), just leave it; the lock check below then
         * reports the connection as busy. */
        if (pthread_mutex_trylock(&t->hdr.lock) != 0)
            continue;
        int ok = 1;
        if (t->state == ST_CURSOR)
            ok = cursor_materialize(&t->cur) == SQLITE_OK;
        else if (t->sst)
            sqlite3_reset(t->sst);
        pthread_mutex_unlock(&t->hdr.lock);
        if (!ok)
            return 0;
    }
    return !c->sqlite || sqlite3_txn_state(c->sqlite, "main") == SQLITE_TXN_NONE;
}

static SQLRETURN not_a_replica(stmt *s)
{
    return diag_post(&s->hdr.diag, "HY000", 0,
                     "PRAGMA %s: not a replica: the DSN has no SyncUrl", s->route.command);
}

/* ---------- the commands ------------------------------------------------- */

static SQLRETURN locked_out(stmt *s)
{
    return diag_post(&s->hdr.diag, "HY000", 0,
                     "PRAGMA %s: this connection holds a lock on the replica file (an open "
                     "transaction, or a result set another thread is reading); commit or roll "
                     "back before syncing", s->route.command);
}

/* libsql_sync (push, then pull) and libsql_pull (pull only). */
static SQLRETURN cmd_sync(stmt *s, int mode)
{
    dbc *c = s->dbc;
    if (!lsq_is_replica(c->db))
        return not_a_replica(s);
    if (!release_local_locks(c, s))
        return locked_out(s);
    lsq_sync_stats stats;
    lsq_error err;
    memset(&stats, 0, sizeof stats);
    memset(&err, 0, sizeof err);
    if (lsq_offline_sync(c->db, mode, NULL, &stats, &err) != LSQ_OK)
        return diag_post_lsq(&s->hdr.diag, &err);

    lsq_replica_state st;
    memset(&st, 0, sizeof st);
    lsq_replica_state_of(c->db, &st);

    mem_rows rows;
    memset(&rows, 0, sizeof rows);
    if (mem_rows_init(&rows, N_SYNC_COLS) != 0)
        return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
    db_value *row = mem_rows_add(&rows);
    if (!row || mem_set_text(&row[0], st.revision[0] ? st.revision : NULL) != 0) {
        mem_rows_free(&rows);
        return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
    }
    mem_set_int(&row[1], (sqlite3_int64)stats.pages);
    mem_set_int(&row[2], (sqlite3_int64)stats.bytes);
    set_double(&row[3], stats.seconds);
    mem_set_int(&row[4], stats.changed ? 1 : 0);
    return install_row(s, &rows, sync_cols, N_SYNC_COLS);
}

static SQLRETURN cmd_state(stmt *s)
{
    dbc *c = s->dbc;
    if (!lsq_is_replica(c->db))
        return not_a_replica(s);
    lsq_replica_state st;
    memset(&st, 0, sizeof st);
    if (lsq_replica_state_of(c->db, &st) != LSQ_OK)
        return diag_post(&s->hdr.diag, "HY000", 0, "cannot read the replica's state");
    lsq_offline_state off;
    lsq_error err;
    memset(&err, 0, sizeof err);
    if (lsq_offline_state_of(c->db, &off, &err) != LSQ_OK)
        return diag_post_lsq(&s->hdr.diag, &err);

    mem_rows rows;
    memset(&rows, 0, sizeof rows);
    if (mem_rows_init(&rows, N_STATE_COLS) != 0)
        return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
    db_value *row = mem_rows_add(&rows);
    int bad = !row;
    if (row) {
        bad |= mem_set_text(&row[0], st.revision[0] ? st.revision : NULL);
        mem_set_int(&row[1], (sqlite3_int64)st.db_size_pages);
        bad |= set_time(&row[2], st.last_sync_ok);
        bad |= set_time(&row[3], st.last_sync_attempt);
        bad |= mem_set_text(&row[4], st.last_error[0] ? st.last_error : NULL);
        mem_set_int(&row[5], (sqlite3_int64)st.syncs_ok);
        mem_set_int(&row[6], (sqlite3_int64)st.syncs_failed);
        mem_set_int(&row[7], (sqlite3_int64)st.pages_applied);
        mem_set_int(&row[8], lsq_sync_interval_of(c->db));
        mem_set_int(&row[9], lsq_read_your_writes_of(c->db));
        mem_set_int(&row[10], off.offline);
        mem_set_int(&row[11], (sqlite3_int64)off.pending_transactions);
        mem_set_int(&row[12], (sqlite3_int64)off.pushed_transactions);
        mem_set_int(&row[13], (sqlite3_int64)off.conflicts);
        bad |= set_time(&row[14], (time_t)off.last_push);
    }
    if (bad) {
        mem_rows_free(&rows);
        return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
    }
    return install_row(s, &rows, state_cols, N_STATE_COLS);
}

static SQLRETURN cmd_push(stmt *s)
{
    dbc *c = s->dbc;
    if (!lsq_is_replica(c->db))
        return not_a_replica(s);
    if (!release_local_locks(c, s))
        return locked_out(s);
    lsq_offline_push_stats ps;
    lsq_error err;
    memset(&err, 0, sizeof err);
    if (lsq_offline_sync(c->db, LSQ_OFFLINE_PUSH, &ps, NULL, &err) != LSQ_OK)
        return diag_post_lsq(&s->hdr.diag, &err);
    mem_rows rows;
    memset(&rows, 0, sizeof rows);
    if (mem_rows_init(&rows, N_PUSH_COLS) != 0)
        return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
    db_value *row = mem_rows_add(&rows);
    if (!row) {
        mem_rows_free(&rows);
        return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
    }
    mem_set_int(&row[0], (sqlite3_int64)ps.pushed);
    mem_set_int(&row[1], (sqlite3_int64)ps.conflicts);
    mem_set_int(&row[2], (sqlite3_int64)ps.pending);
    return install_row(s, &rows, push_cols, N_PUSH_COLS);
}

/* "2026-11-23T16:15:27.250Z" from unix seconds. */
static int set_time_ms(db_value *cell, double t)
{
    if (t <= 0)
        return mem_set_text(cell, NULL);
    time_t whole = (time_t)t;
    struct tm tm;
    char buf[40], out[48];
    if (!gmtime_r(&whole, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm))
        return mem_set_text(cell, NULL);
    int ms = (int)((t - (double)whole) * 1000.0);
    snprintf(out, sizeof out, "%s.%03dZ", buf, ms < 0 ? 0 : ms > 999 ? 999 : ms);
    return mem_set_text(cell, out);
}

static SQLRETURN cmd_conflicts(stmt *s)
{
    dbc *c = s->dbc;
    if (!lsq_is_replica(c->db))
        return not_a_replica(s);
    lsq_offline_conflict *v = NULL;
    size_t n = 0;
    lsq_error err;
    memset(&err, 0, sizeof err);
    if (lsq_offline_conflicts_of(c->db, &v, &n, &err) != LSQ_OK)
        return diag_post_lsq(&s->hdr.diag, &err);
    mem_rows rows;
    memset(&rows, 0, sizeof rows);
    int bad = mem_rows_init(&rows, N_CONFLICT_COLS) != 0;
    for (size_t i = 0; !bad && i < n; i++) {
        db_value *row = mem_rows_add(&rows);
        if (!row) {
            bad = 1;
            break;
        }
        mem_set_int(&row[0], v[i].seq);
        bad |= set_time_ms(&row[1], v[i].committed_at);
        bad |= mem_set_text(&row[2], v[i].reason);
        bad |= mem_set_text(&row[3], v[i].sql);
    }
    lsq_offline_conflicts_free(v, n);
    if (bad) {
        mem_rows_free(&rows);
        return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
    }
    return install_row(s, &rows, conflict_cols, N_CONFLICT_COLS);
}

SQLRETURN command_exec(stmt *s)
{
    static const char *const known[] = {"libsql_sync", "libsql_state", "libsql_push",
                                         "libsql_pull", "libsql_conflicts"};
    const char *name = s->route.command;
    size_t which = 0;
    while (which < sizeof known / sizeof known[0] && strcmp(name, known[which]) != 0)
        which++;
    if (which == sizeof known / sizeof known[0])
        return diag_post(&s->hdr.diag, "42000", 0,
                         "unknown driver command PRAGMA %s (known: libsql_sync, libsql_state, "
                         "libsql_push, libsql_pull, libsql_conflicts)", name);
    if (s->route.has_command_arg)
        return diag_post(&s->hdr.diag, "HY024", 0, "PRAGMA %s takes no value", name);
    switch (which) {
    case 0: return cmd_sync(s, LSQ_OFFLINE_SYNC);
    case 1: return cmd_state(s);
    case 2: return cmd_push(s);
    case 3: return cmd_sync(s, LSQ_OFFLINE_PULL);
    default: return cmd_conflicts(s);
    }
}

int replica_refresh_for_retry(dbc *c)
{
    if (!c || !lsq_is_replica(c->db) || !release_local_locks(c, NULL))
        return 0;
    lsq_sync_stats stats;
    lsq_error err;
    memset(&stats, 0, sizeof stats);
    memset(&err, 0, sizeof err);
    if (lsq_sync(c->db, &stats, &err) != LSQ_OK)
        return 0;
    return stats.pages > 0 || stats.changed;
}
