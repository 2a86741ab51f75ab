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
