/*
 * replica_hooks.h — what exec.c calls when the connection is a replica
 * (lsq_is_replica). Local-file connections never reach these.
 *
 *   commands.c  PRAGMA libsql_* statements (sync now, replica state)
 *   forward.c   writes and transactions sent to the primary, and the
 *               read-your-writes pull before a local read
 */
#ifndef REPLICA_HOOKS_H
#define REPLICA_HOOKS_H

#include "driver.h"

/* Run a ROUTE_COMMAND statement (s->route.command). Any connection. */
SQLRETURN command_exec(stmt *s);

/* A ROUTE_WRITE statement, parameters of row 0 already bound to s->sst. */
SQLRETURN forward_exec(stmt *s);
/* A ROUTE_WRITE statement with a parameter array (apd->array_size > 1). */
SQLRETURN forward_exec_array(stmt *s);
/* A ROUTE_TXN statement (BEGIN/COMMIT/ROLLBACK/SAVEPOINT/RELEASE). */
SQLRETURN forward_txn(stmt *s);
/* Before a ROUTE_LOCAL statement runs: pull if this connection's own writes
 * are not visible yet (ReadYourWrites). */
SQLRETURN forward_before_read(stmt *s);

/* A local prepare failed with "no such table/column" in replica mode: sync
 * once so a retry can succeed. Returns 1 when a retry makes sense. */
int replica_refresh_for_retry(dbc *c);

#endif

/* ---- manual-commit transactions on a replica (txn_remote.c) ----------- */
#include "../core/hrana.h"

/* A transaction is open on this replica connection (autocommit off, or an
 * explicit BEGIN): writes are previewed locally and queued, not sent. */
int txn_remote_active(const dbc *c);
/* Queue the statement s with its arguments; `changes` is what the local
 * preview changed (the guard the primary must match at commit). The args
 * are copied. */
SQLRETURN txn_remote_queue(stmt *s, const char *sql, const lsq_value *args, size_t nargs,
                           sqlite3_int64 changes);
/* SQLEndTran / COMMIT / ROLLBACK on a replica connection: send the queue as
 * one atomic guarded batch (40001 when a guard fails), or drop it; then roll
 * the local preview back and pull. Diagnostics go to h. */
SQLRETURN txn_remote_end(dbc *c, handle_hdr *h, int commit);
/* Drop whatever is queued (disconnect). */
void txn_remote_free(dbc *c);

/* ---- shared by forward.c and txn_remote.c ----------------------------- */
/* The bound parameters of row `row` as typed values (forward.c). *out and
 * the storage behind it are freed with forward_params_free. */
SQLRETURN forward_collect_params(stmt *s, SQLULEN row, lsq_value **out, size_t *n,
                                 void **storage);
void forward_params_free(lsq_value *vals, void *storage);
