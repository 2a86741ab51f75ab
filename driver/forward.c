/*
 * forward.c — statements a replica cannot run locally: writes and
 * transaction control go to the primary (Hrana /v2/pipeline).
 * PLACEHOLDER until write forwarding lands: replica connections are
 * read-only and say so clearly.
 */
#include "internal.h"
#include "replica_hooks.h"

static SQLRETURN read_only(stmt *s)
{
    return diag_post(&s->hdr.diag, "HYC00", 0,
                     "writes through a replica connection are not supported yet "
                     "(the statement was not run)");
}

SQLRETURN forward_exec(stmt *s) { return read_only(s); }
SQLRETURN forward_exec_array(stmt *s) { return read_only(s); }
SQLRETURN forward_txn(stmt *s) { return read_only(s); }
SQLRETURN forward_before_read(stmt *s) { (void)s; return SQL_SUCCESS; }
