/*
 * diag.h — diagnostic records on a handle (SQLGetDiagRec / SQLGetDiagField).
 * Every failure a driver function returns is posted here first, with a real
 * SQLSTATE; lsq_error from core/ is mapped to a SQLSTATE in one place.
 */
#ifndef DIAG_H
#define DIAG_H

#include <sql.h>
#include <sqlext.h>

#include "../core/lsq.h"

typedef struct diag_rec {
    char state[6];
    SQLINTEGER native;
    char *message;           /* full text with the [libSQL][libsql-odbc] prefix */
    SQLLEN row_number;       /* SQL_NO_ROW_NUMBER / SQL_ROW_NUMBER_UNKNOWN / n */
    SQLINTEGER column_number;
} diag_rec;

typedef struct diag_list {
    diag_rec *recs;
    int count, cap;
    SQLRETURN retcode;       /* SQL_DIAG_RETURNCODE */
    SQLLEN row_count;        /* SQL_DIAG_ROW_COUNT (statements) */
    SQLLEN cursor_row_count;
    const char *dynamic_function; /* SQL_DIAG_DYNAMIC_FUNCTION, static string */
    SQLINTEGER dynamic_function_code;
} diag_list;

#define DIAG_PREFIX "[libSQL][libsql-odbc]"

void diag_init(diag_list *d);
void diag_clear(diag_list *d);
void diag_free(diag_list *d);

/* Append a record. Returns SQL_SUCCESS_WITH_INFO for class "01" states and
 * SQL_ERROR for every other state, so callers can `return diag_post(...)`. */
SQLRETURN diag_post(diag_list *d, const char *state, SQLINTEGER native,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Same, with the row and column the record is about (parameter arrays). */
SQLRETURN diag_post_at(diag_list *d, SQLLEN row, SQLINTEGER col, const char *state,
                       SQLINTEGER native, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* The SQLSTATE for a core/ failure category. */
const char *diag_state_for(lsq_status st);

/* Post an lsq_error with its mapped SQLSTATE; returns SQL_ERROR. */
SQLRETURN diag_post_lsq(diag_list *d, const lsq_error *err);

/* Post the last SQLite error of `db` for result code rc; returns SQL_ERROR. */
struct sqlite3;
SQLRETURN diag_post_sqlite(diag_list *d, struct sqlite3 *db, int rc);

#endif
