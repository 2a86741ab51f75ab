/*
 * offline_exec.h — where exec.c and txn.c send a replica connection's writes
 * and transaction statements when it has Offline=1 (docs/offline.md): they
 * run on the local file and are recorded for the next push (core/offline.h),
 * instead of being forwarded to the primary (forward.c, txn_remote.c).
 */
#ifndef OFFLINE_EXEC_H
#define OFFLINE_EXEC_H

#include "driver.h"

/* 1 when the connection writes locally first (Offline=1 on a replica). */
int offline_active(const dbc *c);

/* A ROUTE_WRITE statement, parameters of row 0 already bound: run is
 * exec.c's local runner for it (exec_local, or the parameter-array loop). */
SQLRETURN offline_exec(stmt *s, SQLRETURN (*run)(stmt *s), int is_array);

/* A ROUTE_TXN statement (BEGIN/COMMIT/ROLLBACK/SAVEPOINT/RELEASE). */
SQLRETURN offline_txn(stmt *s);

/* SQLEndTran on an offline connection; diagnostics go to h. */
SQLRETURN offline_end(dbc *c, handle_hdr *h, int commit);

#endif
