/*
 * route.h — where a statement runs (route.c classifies; exec.c dispatches).
 */
#ifndef ROUTE_H
#define ROUTE_H

#include <sqlite3.h>

typedef enum stmt_route {
    ROUTE_LOCAL = 0,   /* step on the local connection */
    ROUTE_WRITE,       /* writes main: forwarded to the primary in replica mode */
    ROUTE_TXN,         /* BEGIN/COMMIT/ROLLBACK/SAVEPOINT/RELEASE */
    ROUTE_COMMAND      /* PRAGMA libsql_*: handled by the driver */
} stmt_route;

typedef struct route_info {
    stmt_route route;
    int writes_temp;           /* also (or only) touches temp objects */
    char command[64];          /* ROUTE_COMMAND: pragma name, e.g. "libsql_sync" */
    char command_arg[256];     /* its value (PRAGMA libsql_x = 'arg') */
    int has_command_arg;
} route_info;

/* Opaque storage for the authorizer's probe while a statement is prepared. */
typedef struct route_probe_slot { _Alignas(8) unsigned char bytes[512]; } route_probe_slot;

/* Install the probe before sqlite3_prepare_v3 ... */
void route_begin(sqlite3 *db, route_probe_slot *slot);
/* ... and read the verdict after it (st may be NULL on failure). */
void route_end(sqlite3 *db, route_probe_slot *slot, sqlite3_stmt *st, route_info *out);

#endif
