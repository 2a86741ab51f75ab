/*
 * txn.c — transaction control: SQLEndTran on a connection or on every
 * connection of an environment, and the implicit BEGIN that manual-commit
 * mode needs before a statement runs.
 *
 * Cursor behaviour (what SQLGetInfo reports): COMMIT preserves open cursors
 * (SQLite lets read statements survive a commit), ROLLBACK closes them
 * (SQLite aborts pending reads on rollback, so the driver closes them first
 * and the application gets a clean 24000 instead of a mid-fetch abort).
 * Prepared statements stay prepared either way.
 */
#include <string.h>

#include "internal.h"
#include "offline_exec.h"
#include "replica_hooks.h"

static SQLRETURN end_dbc(dbc *c, SQLSMALLINT completion)
{
    if (completion != SQL_COMMIT && completion != SQL_ROLLBACK)
        return diag_post(&c->hdr.diag, "HY012", 0, "Invalid transaction operation code");
    if (!c->db)
        return diag_post(&c->hdr.diag, "08003", 0, "Connection not open");
    /* A replica's transaction lives in a local preview plus a queue of
     * writes for the primary (txn_remote.c): commit sends the queue. This
     * also covers turning autocommit back on (attr.c commits through here). */
    if (offline_active(c)) /* Offline=1: the transaction is local, recorded for push */
        return offline_end(c, &c->hdr, completion == SQL_COMMIT);
    if (lsq_is_replica(c->db))
        return txn_remote_end(c, &c->hdr, completion == SQL_COMMIT);
    if (!c->sqlite || sqlite3_get_autocommit(c->sqlite)) {
        c->in_txn = 0; /* nothing open: COMMIT/ROLLBACK of nothing succeeds */
        return SQL_SUCCESS;
    }
    if (completion == SQL_ROLLBACK) {
        for (stmt *s = c->stmts; s; s = s->next)
            if (s->state == ST_CURSOR)
                stmt_close_results(s);
    }
    const char *sql = completion == SQL_COMMIT ? "COMMIT" : "ROLLBACK";
    int rc = sqlite3_exec(c->sqlite, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        /* e.g. SQLITE_BUSY: the transaction stays open, the app may retry */
        return diag_post(&c->hdr.diag, "HY000", sqlite3_extended_errcode(c->sqlite),
                         "%s failed: %s", sql, sqlite3_errmsg(c->sqlite));
    }
    c->in_txn = 0;
    return SQL_SUCCESS;
}

SQLRETURN odbc_EndTran(SQLSMALLINT htype, SQLHANDLE h, SQLSMALLINT completion)
{
    if (htype == SQL_HANDLE_DBC) {
        dbc *c = dbc_from(h);
        if (!c)
            return SQL_INVALID_HANDLE;
        handle_lock(&c->hdr);
        SQLRETURN rc = end_dbc(c, completion);
        handle_unlock(&c->hdr);
        return rc;
    }
    if (htype != SQL_HANDLE_ENV)
        return SQL_INVALID_HANDLE;
    env *e = env_from(h);
    if (!e)
        return SQL_INVALID_HANDLE;
    if (completion != SQL_COMMIT && completion != SQL_ROLLBACK)
        return diag_post(&e->hdr.diag, "HY012", 0, "Invalid transaction operation code");
    int failed = 0;
    for (dbc *c = e->dbcs; c; c = c->next) {
        if (!c->db)
            continue;
        handle_lock(&c->hdr);
        diag_clear(&c->hdr.diag);
        if (!SQL_SUCCEEDED(end_dbc(c, completion)))
            failed++;
        handle_unlock(&c->hdr);
    }
    if (failed)
        return diag_post(&e->hdr.diag, "25S01", 0,
                         "%d connection(s) failed to %s; see their diagnostics", failed,
                         completion == SQL_COMMIT ? "commit" : "roll back");
    return SQL_SUCCESS;
}

SQLRETURN dbc_begin_if_needed(dbc *c)
{
    if (c->autocommit != SQL_AUTOCOMMIT_OFF || !c->sqlite)
        return SQL_SUCCESS;
    if (!sqlite3_get_autocommit(c->sqlite)) {
        c->in_txn = 1; /* already open (an earlier statement or the app's BEGIN) */
        return SQL_SUCCESS;
    }
    int rc = sqlite3_exec(c->sqlite, "BEGIN", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return diag_post_sqlite(&c->hdr.diag, c->sqlite, rc);
    c->in_txn = 1;
    return SQL_SUCCESS;
}
