/*
 * errors.c — filling lsq_error and classifying SQLite result codes.
 * One place decides which SQLite failure is which category, so the driver's
 * SQLSTATE mapping never has to look at SQLite codes itself.
 */
#include "lsq.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

lsq_status lsq_fail(lsq_error *err, lsq_status status, int native,
                    const char *fmt, ...)
{
    if (!err)
        return status;
    err->status = status;
    err->native = native;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

lsq_status lsq_status_from_sqlite(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK: case SQLITE_ROW: case SQLITE_DONE: return LSQ_OK;
    case SQLITE_CONSTRAINT: return LSQ_ERR_CONSTRAINT;
    case SQLITE_BUSY: case SQLITE_LOCKED: return LSQ_ERR_BUSY;
    case SQLITE_CANTOPEN: return LSQ_ERR_CANTOPEN;
    case SQLITE_NOMEM: return LSQ_ERR_NOMEM;
    case SQLITE_READONLY: return LSQ_ERR_READONLY;
    case SQLITE_NOTADB: return LSQ_ERR_AUTH; /* usually a wrong key */
    case SQLITE_INTERRUPT: return LSQ_ERR_TIMEOUT;
    case SQLITE_MISUSE: case SQLITE_RANGE: return LSQ_ERR_MISUSE;
    default: return LSQ_ERR_MISC;
    }
}

lsq_status lsq_fail_sqlite(lsq_error *err, sqlite3 *db, int rc)
{
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    lsq_status st = lsq_status_from_sqlite(rc);
    /* SQLite reports syntax and missing objects as plain SQLITE_ERROR; the
     * message is the only way to tell them apart. */
    if ((rc & 0xff) == SQLITE_ERROR && msg) {
        if (strstr(msg, "no such table") || strstr(msg, "no such view"))
            st = LSQ_ERR_NO_TABLE;
        else if (strstr(msg, "no such column"))
            st = LSQ_ERR_NO_COLUMN;
        else if (strstr(msg, "syntax error") || strstr(msg, "incomplete input") ||
                 strstr(msg, "unrecognized token") || strstr(msg, "no such function"))
            st = LSQ_ERR_SYNTAX;
        else if (strstr(msg, "already exists"))
            st = LSQ_ERR_EXISTS;
    }
    return lsq_fail(err, st, db ? sqlite3_extended_errcode(db) : rc, "%s", msg ? msg : "unknown error");
}
