/*
 * commands.c — driver-handled statements: PRAGMA libsql_* .
 * PLACEHOLDER until the replica commands land.
 */
#include "internal.h"
#include "replica_hooks.h"

SQLRETURN command_exec(stmt *s)
{
    return diag_post(&s->hdr.diag, "42000", 0, "unknown driver command PRAGMA %s",
                     s->route.command);
}

int replica_refresh_for_retry(dbc *c) { (void)c; return 0; }
