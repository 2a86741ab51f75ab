/*
 * offline_exec.c — Offline=1 on a replica: writes commit to the local file
 * at local speed and are recorded as pending change sets (core/offline.h);
 * nothing here talks to the primary.
 *
 *   autocommit    each statement (or parameter array) is one local
 *                 transaction: BEGIN, capture, run, store the change set,
 *                 COMMIT; a failed statement rolls it back;
 *   manual commit the connection's local transaction (txn.c opens it) is
 *                 captured from its first write; SQLEndTran / COMMIT stores
 *                 the change set with the commit, ROLLBACK drops both.
 *
 * Before a write runs, core/ checks that it can be pushed later (no DDL,
 * a PRIMARY KEY on every table written, no triggers that write): otherwise
 * HY000 with a message starting "Offline=1: " and nothing changes.
 * SAVEPOINT outside a transaction begins one that its RELEASE commits, as
 * in SQLite: the driver opens it with BEGIN and remembers the savepoint so
 * that RELEASE stores the change set with the commit.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "offline_exec.h"
#include "txn_stmt.h"
#include "../core/offline.h"

int offline_active(const dbc *c) { return c && c->db && lsq_offline_enabled(c->db); }

static SQLRETURN post_lsq(diag_list *d, const lsq_error *e) { return diag_post_lsq(d, e); }

static void reset_state(stmt *s)
{
    if (s->sst)
        sqlite3_reset(s->sst);
    s->state = s->prepared ? ST_PREPARED : ST_ALLOCATED;
}

SQLRETURN offline_exec(stmt *s, SQLRETURN (*run)(stmt *s), int is_array)
{
    dbc *c = s->dbc;
    lsq_error err;
    memset(&err, 0, sizeof err);
    if (c->opt.read_only) {
        reset_state(s);
        return diag_post(&s->hdr.diag, "25000", SQLITE_READONLY,
                         "this connection is read-only (ReadOnly=1): the write was not run");
    }
    if (lsq_offline_check(c->db, sqlite3_sql(s->sst), &err) != LSQ_OK) {
        reset_state(s);
        return post_lsq(&s->hdr.diag, &err);
    }
    int own_txn = sqlite3_get_autocommit(c->sqlite);
    if (own_txn) {
        int rc = sqlite3_exec(c->sqlite, "BEGIN", NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            reset_state(s);
            return diag_post_sqlite(&s->hdr.diag, c->sqlite, rc);
        }
    }
    if (lsq_offline_capture(c->db, &err) != LSQ_OK) {
        if (own_txn)
            lsq_offline_rollback(c->db);
        reset_state(s);
        return post_lsq(&s->hdr.diag, &err);
    }
    SQLRETURN rc = run(s);
    if (!own_txn)
        return rc;
    /* A RETURNING cursor must finish before COMMIT (SQLite refuses to
     * commit under a running write statement): its rows go to memory. */
    if (SQL_SUCCEEDED(rc) && s->state == ST_CURSOR && cursor_materialize(&s->cur) != SQLITE_OK) {
        rc = diag_post_sqlite(&s->hdr.diag, c->sqlite, sqlite3_extended_errcode(c->sqlite));
        stmt_close_results(s);
        reset_state(s);
    }
    /* A parameter array commits the rows that succeeded (SQLite's statement
     * journal undid each failing one), as on a local file. */
    if (!SQL_SUCCEEDED(rc) && !is_array) {
        lsq_offline_rollback(c->db);
        return rc;
    }
    if (lsq_offline_commit(c->db, &err) != LSQ_OK) {
        lsq_offline_rollback(c->db);
        if (s->state == ST_CURSOR)
            stmt_close_results(s);
        reset_state(s);
        return post_lsq(&s->hdr.diag, &err);
    }
    return rc;
}

/* ---- transactions ---------------------------------------------------------- */

static void close_cursors(dbc *c)
{
    for (stmt *s = c->stmts; s; s = s->next)
        if (s->state == ST_CURSOR)
            stmt_close_results(s);
}

SQLRETURN offline_end(dbc *c, handle_hdr *h, int commit)
{
    lsq_offline_savepoint_slot(c->db)[0] = 0;
    if (!c->sqlite || sqlite3_get_autocommit(c->sqlite)) {
        lsq_offline_rollback(c->db); /* forgets a stale capture */
        c->in_txn = 0;
        return SQL_SUCCESS;
    }
    if (!commit) {
        close_cursors(c);
        lsq_offline_rollback(c->db);
        c->in_txn = 0;
        return SQL_SUCCESS;
    }
    lsq_error err;
    memset(&err, 0, sizeof err);
    if (lsq_offline_commit(c->db, &err) != LSQ_OK) {
        /* Still open when SQLite says so (e.g. busy): the app may retry. */
        if (sqlite3_get_autocommit(c->sqlite))
            c->in_txn = 0;
        return diag_post(&h->diag, diag_state_for(err.status), err.native,
                         "COMMIT failed: %s", err.message);
    }
    c->in_txn = 0;
    return SQL_SUCCESS;
}

SQLRETURN offline_txn(stmt *s)
{
    dbc *c = s->dbc;
    char name[128];
    txn_kind k = txn_stmt_classify(c, s->sst, name, sizeof name);
    int open = !sqlite3_get_autocommit(c->sqlite);
    switch (k) {
    case TK_COMMIT:
        return txn_stmt_executed(s, open ? offline_end(c, &s->hdr, 1) : txn_stmt_step_local(s));
    case TK_ROLLBACK:
        return txn_stmt_executed(s, open ? offline_end(c, &s->hdr, 0) : txn_stmt_step_local(s));
    case TK_SAVEPOINT:
        if (!open) {
            int rc = sqlite3_exec(c->sqlite, "BEGIN", NULL, NULL, NULL);
            if (rc != SQLITE_OK)
                return txn_stmt_executed(s, diag_post_sqlite(&s->hdr.diag, c->sqlite, rc));
            SQLRETURN r = txn_stmt_step_local(s);
            if (!SQL_SUCCEEDED(r)) {
                lsq_offline_rollback(c->db);
                return txn_stmt_executed(s, r);
            }
            char *slot = lsq_offline_savepoint_slot(c->db);
            snprintf(slot, LSQ_OFFLINE_SAVEPOINT_MAX, "%s", name);
            return txn_stmt_executed(s, r);
        }
        return txn_stmt_executed(s, txn_stmt_step_local(s));
    case TK_RELEASE:
        if (open && lsq_offline_savepoint_slot(c->db)[0] &&
            !strcasecmp(name, lsq_offline_savepoint_slot(c->db)))
            return txn_stmt_executed(s, offline_end(c, &s->hdr, 1));
        return txn_stmt_executed(s, txn_stmt_step_local(s));
    default:
        /* BEGIN and ROLLBACK TO run on the local file as they are; the
         * capture reflects a ROLLBACK TO by itself. */
        return txn_stmt_executed(s, txn_stmt_step_local(s));
    }
}
