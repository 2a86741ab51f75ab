/*
 * route.c — decides where each statement runs (DESIGN.md, "The three paths
 * a statement can take"), using SQLite itself rather than a SQL parser: an
 * authorizer callback is installed while the statement is prepared and
 * records what the statement would do.
 *
 *   ROUTE_LOCAL    reads, and writes that touch only `temp` (scratch tables
 *                  BI tools create): stepped on the local connection.
 *   ROUTE_WRITE    writes `main` (DML, DDL, a PRAGMA that changes the file):
 *                  in replica mode forwarded to the primary (forward.c);
 *                  in local mode just run locally.
 *   ROUTE_TXN      BEGIN / COMMIT / ROLLBACK / SAVEPOINT / RELEASE: the
 *                  driver's transaction logic owns them in replica mode.
 *   ROUTE_COMMAND  PRAGMA libsql_*: handled by the driver (commands.c).
 *
 * Prepare-time cost only: the authorizer is removed right after prepare.
 */
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "route.h"

typedef struct route_probe {
    int writes_main, writes_temp, txn, command, pragma_read;
    char command_name[64];
    char command_arg[256];
    int has_command_arg;
} route_probe;

static int is_temp_db(const char *db) { return db && strcmp(db, "temp") == 0; }

/* Object-creating actions name the database in arg3 for some codes and
 * imply it in others (the *_TEMP_* codes). */
static int authorizer(void *arg, int action, const char *a1, const char *a2, const char *db,
                      const char *trigger)
{
    route_probe *p = arg;
    (void)trigger;
    switch (action) {
    case SQLITE_INSERT: case SQLITE_UPDATE: case SQLITE_DELETE:
        /* Writes to sqlite_temp_master etc. come with db = "temp". */
        if (is_temp_db(db))
            p->writes_temp = 1;
        else
            p->writes_main = 1;
        break;
    case SQLITE_CREATE_TEMP_INDEX: case SQLITE_CREATE_TEMP_TABLE:
    case SQLITE_CREATE_TEMP_TRIGGER: case SQLITE_CREATE_TEMP_VIEW:
    case SQLITE_DROP_TEMP_INDEX: case SQLITE_DROP_TEMP_TABLE:
    case SQLITE_DROP_TEMP_TRIGGER: case SQLITE_DROP_TEMP_VIEW:
        p->writes_temp = 1;
        break;
    case SQLITE_CREATE_INDEX: case SQLITE_CREATE_TABLE: case SQLITE_CREATE_TRIGGER:
    case SQLITE_CREATE_VIEW: case SQLITE_DROP_INDEX: case SQLITE_DROP_TABLE:
    case SQLITE_DROP_TRIGGER: case SQLITE_DROP_VIEW: case SQLITE_ALTER_TABLE:
    case SQLITE_CREATE_VTABLE: case SQLITE_DROP_VTABLE:
        if (is_temp_db(db))
            p->writes_temp = 1;
        else
            p->writes_main = 1;
        break;
    case SQLITE_ANALYZE: case SQLITE_REINDEX:
        p->writes_main = 1;
        break;
    case SQLITE_TRANSACTION: case SQLITE_SAVEPOINT:
        p->txn = 1;
        break;
    case SQLITE_PRAGMA:
        if (a1 && strncasecmp(a1, "libsql_", 7) == 0) {
            p->command = 1;
            strncpy(p->command_name, a1, sizeof p->command_name - 1);
            if (a2) {
                strncpy(p->command_arg, a2, sizeof p->command_arg - 1);
                p->has_command_arg = 1;
            }
        } else if (a2) {
            /* "PRAGMA x = y" or "PRAGMA x(y)": route_end decides with
             * sqlite3_stmt_readonly. user_version = 5 writes the file;
             * table_info(t) reads, and foreign_keys = ON or cache_size = N
             * set this connection only: both stay local. */
        } else {
            /* "PRAGMA journal_mode" reads, though SQLite does not call the
             * statement read-only: it describes the local file. */
            p->pragma_read = 1;
        }
        break;
    default:
        break;
    }
    return SQLITE_OK;
}

void route_begin(sqlite3 *db, route_probe_slot *slot)
{
    route_probe *p = (route_probe *)slot->bytes;
    memset(p, 0, sizeof *p);
    sqlite3_set_authorizer(db, authorizer, p);
}

void route_end(sqlite3 *db, route_probe_slot *slot, sqlite3_stmt *st, route_info *out)
{
    sqlite3_set_authorizer(db, NULL, NULL);
    const route_probe *p = (const route_probe *)slot->bytes;
    memset(out, 0, sizeof *out);
    if (p->command) {
        out->route = ROUTE_COMMAND;
        memcpy(out->command, p->command_name, sizeof out->command);
        memcpy(out->command_arg, p->command_arg, sizeof out->command_arg);
        out->has_command_arg = p->has_command_arg;
    } else if (p->txn) {
        out->route = ROUTE_TXN;
    } else if (p->writes_main ||
               (st && !sqlite3_stmt_readonly(st) && !p->writes_temp && !p->pragma_read)) {
        /* VACUUM and a few others write without an authorizer action. */
        out->route = ROUTE_WRITE;
    } else {
        out->route = ROUTE_LOCAL;
    }
    out->writes_temp = p->writes_temp;
}

_Static_assert(sizeof(route_probe) <= sizeof(route_probe_slot), "route_probe_slot too small");
