/*
 * txn_stmt.h — transaction statements written in SQL (BEGIN, COMMIT,
 * ROLLBACK, SAVEPOINT, RELEASE, ROLLBACK TO) on a replica connection: what
 * one does, asked of SQLite's authorizer (no SQL parsing), and the small
 * steps both handlers share — txn_remote.c (writes forwarded at commit) and
 * offline_exec.c (Offline=1, writes committed locally).
 */
#ifndef TXN_STMT_H
#define TXN_STMT_H

#include "internal.h"

typedef enum txn_kind { TK_UNKNOWN, TK_BEGIN, TK_COMMIT, TK_ROLLBACK,
                        TK_SAVEPOINT, TK_RELEASE, TK_ROLLBACK_TO } txn_kind;

/* The kind of the prepared statement st; name gets the savepoint name. */
txn_kind txn_stmt_classify(dbc *c, sqlite3_stmt *st, char *name, size_t cap);
/* Step s->sst once on the local connection (the local preview/transaction). */
SQLRETURN txn_stmt_step_local(stmt *s);
/* The statement's state after a transaction statement ran (no result set,
 * row count -1), or back to prepared/allocated when it failed. */
SQLRETURN txn_stmt_executed(stmt *s, SQLRETURN rc);

#endif
