/*
 * txn_stmt.c — classifying and stepping transaction statements (txn_stmt.h).
 */
#include "txn_stmt.h"

#include <stdio.h>
#include <string.h>

typedef struct txn_probe { txn_kind kind; char name[128]; } txn_probe;

/* SQLite tells the authorizer what a transaction statement does while it
 * is prepared: SQLITE_TRANSACTION ("BEGIN"/"COMMIT"/"ROLLBACK") or
 * SQLITE_SAVEPOINT ("BEGIN"/"RELEASE"/"ROLLBACK", name). */
static int txn_authorizer(void *arg, int action, const char *a, const char *b, const char *db,
                          const char *trigger)
{
    (void)db; (void)trigger;
    txn_probe *p = arg;
    if (action == SQLITE_TRANSACTION && a) {
        if (strcmp(a, "BEGIN") == 0) p->kind = TK_BEGIN;
        else if (strcmp(a, "COMMIT") == 0) p->kind = TK_COMMIT;
        else if (strcmp(a, "ROLLBACK") == 0) p->kind = TK_ROLLBACK;
    } else if (action == SQLITE_SAVEPOINT && a) {
        if (strcmp(a, "BEGIN") == 0) p->kind = TK_SAVEPOINT;
        else if (strcmp(a, "RELEASE") == 0) p->kind = TK_RELEASE;
        else if (strcmp(a, "ROLLBACK") == 0) p->kind = TK_ROLLBACK_TO;
        snprintf(p->name, sizeof p->name, "%s", b ? b : "");
    }
    return SQLITE_OK;
}

txn_kind txn_stmt_classify(dbc *c, sqlite3_stmt *st, char *name, size_t cap)
{
    txn_probe p = {TK_UNKNOWN, ""};
    const char *sql = sqlite3_sql(st);
    if (!sql)
        return TK_UNKNOWN;
    sqlite3_stmt *again = NULL;
    sqlite3_set_authorizer(c->sqlite, txn_authorizer, &p);
    sqlite3_prepare_v2(c->sqlite, sql, -1, &again, NULL);
    sqlite3_set_authorizer(c->sqlite, NULL, NULL);
    sqlite3_finalize(again);
    snprintf(name, cap, "%s", p.name);
    return p.kind;
}

SQLRETURN txn_stmt_step_local(stmt *s)
{
    int rc = sqlite3_step(s->sst);
    sqlite3_reset(s->sst);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return diag_post_sqlite(&s->hdr.diag, s->dbc->sqlite, rc);
    return SQL_SUCCESS;
}

SQLRETURN txn_stmt_executed(stmt *s, SQLRETURN rc)
{
    if (SQL_SUCCEEDED(rc)) {
        s->row_count = -1;
        s->hdr.diag.row_count = -1;
        s->state = ST_EXECUTED;
    } else {
        s->state = s->prepared ? ST_PREPARED : ST_ALLOCATED;
    }
    return rc;
}
