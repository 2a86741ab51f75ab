/*
 * exec.c — statement execution: SQLPrepare, SQLExecute, SQLExecDirect,
 * SQLMoreResults, SQLRowCount, SQLNativeSql, SQLCancel, SQLCloseCursor.
 *
 * A statement's text (after ODBC escape translation) may hold several SQL
 * statements; each one is a separate result, reached with SQLMoreResults.
 * Only the current one is prepared (s->sst); s->sql_next is the rest.
 *
 * Running one statement on the local file is exec_local(); replica mode will
 * decide there whether a statement is forwarded to the primary instead.
 *
 * Re-executing a prepared statement resets and rebinds the same sqlite3_stmt:
 * no prepare and no allocation on that path (see the SQLExecute benchmark).
 */
#include "internal.h"
#include "offline_exec.h"
#include "replica_hooks.h"
#include "sqltext.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---------- preparing --------------------------------------------------- */

/* Prepare the first real statement at or after `text` into s->sst (the
 * previous one must be finalized). Empty statements (";", comments) are
 * skipped. Returns SQL_SUCCESS, SQL_NO_DATA when only whitespace is left,
 * or SQL_ERROR with a diagnostic. */
static SQLRETURN prepare_next(stmt *s, const char *text, unsigned flags)
{
    sqlite3 *db = s->dbc->sqlite;
    int retried = 0;
    while (text && *text) {
        sqlite3_stmt *st = NULL;
        const char *tail = NULL;
        route_probe_slot probe;
        route_begin(db, &probe);
        int rc = sqlite3_prepare_v3(db, text, -1, flags, &st, &tail);
        route_end(db, &probe, st, &s->route);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(st);
            /* A replica that is behind the primary may not know the table
             * yet: sync once and try again before reporting. */
            lsq_status why = lsq_fail_sqlite(NULL, db, rc);
            if (!retried && (why == LSQ_ERR_NO_TABLE || why == LSQ_ERR_NO_COLUMN) &&
                lsq_is_replica(s->dbc->db) && replica_refresh_for_retry(s->dbc)) {
                retried = 1;
                continue;
            }
            s->sql_next = NULL;
            return diag_post_sqlite(&s->hdr.diag, db, rc);
        }
        if (st) {
            s->sst = st;
            s->sql_next = tail;
            return SQL_SUCCESS;
        }
        if (!tail || tail == text)
            break;
        text = tail;
    }
    s->sql_next = NULL;
    return SQL_NO_DATA;
}

/* True when s->sst is the first statement of s->sql, i.e. re-executing may
 * reuse it. SQLite keeps exactly the text it consumed for the statement. */
static int sst_is_first(const stmt *s)
{
    const char *txt = sqlite3_sql(s->sst);
    return txt && s->sql_next && (size_t)(s->sql_next - s->sql) == strlen(txt);
}

/* The common start of SQLPrepare and SQLExecDirect: translate escapes,
 * reject empty text, prepare the first statement and describe its columns. */
static SQLRETURN prepare_text(stmt *s, const SQLCHAR *sql, SQLINTEGER len, unsigned flags)
{
    if (s->state == ST_NEED_DATA)
        return diag_post(&s->hdr.diag, "HY010", 0, "Function sequence error (data-at-execution pending)");
    if (!sql)
        return diag_post(&s->hdr.diag, "HY009", 0, "Invalid use of null pointer");
    SQLLEN n = str_len_in(sql, len);
    if (n < 0)
        return diag_post(&s->hdr.diag, "HY090", 0, "Invalid string or buffer length");
    if (!s->dbc->sqlite)
        return diag_post(&s->hdr.diag, "08003", 0, "Connection not open");

    /* Executing while a cursor is open closes it (lenient, as most drivers). */
    stmt_reset_all(s);

    char err[256] = "";
    char *text = sqltext_translate((const char *)sql, (size_t)n, err, sizeof err);
    if (!text) {
        if (err[0])
            return diag_post(&s->hdr.diag, "42000", 0, "Syntax error in escape sequence: %s", err);
        return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
    }
    if (!sqltext_has_statement(text)) {
        free(text);
        return diag_post(&s->hdr.diag, "42000", 0, "Syntax error or access violation: empty statement");
    }
    s->sql = text;
    SQLRETURN rc = prepare_next(s, text, flags);
    if (rc == SQL_NO_DATA)
        rc = diag_post(&s->hdr.diag, "42000", 0, "Syntax error or access violation: empty statement");
    if (!SQL_SUCCEEDED(rc)) {
        stmt_reset_all(s);
        return rc;
    }
    rc = stmt_describe_columns(s);
    if (!SQL_SUCCEEDED(rc)) {
        stmt_reset_all(s);
        return rc;
    }
    return SQL_SUCCESS;
}

SQLRETURN odbc_Prepare(stmt *s, const SQLCHAR *sql, SQLINTEGER len)
{
    SQLRETURN rc = prepare_text(s, sql, len, SQLITE_PREPARE_PERSISTENT);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    s->prepared = 1;
    s->state = ST_PREPARED;
    return rc;
}

/* ---------- running one statement --------------------------------------- */

/* Deadline for SQL_ATTR_QUERY_TIMEOUT, checked from SQLite's progress hook. */
typedef struct exec_deadline {
    struct timespec at;
    int expired;
} exec_deadline;

static int deadline_check(void *arg)
{
    exec_deadline *d = arg;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > d->at.tv_sec || (now.tv_sec == d->at.tv_sec && now.tv_nsec >= d->at.tv_nsec)) {
        d->expired = 1;
        return 1; /* SQLite stops the statement with SQLITE_INTERRUPT */
    }
    return 0;
}

/* Does the statement report a row count (INSERT/UPDATE/DELETE/REPLACE, or a
 * WITH ... DML)? Read from the text SQLite kept for it. */
static int is_dml(sqlite3_stmt *st) { return sqltext_counts_changes(sqlite3_sql(st)); }

/* Post the failure of sqlite3_step as the right diagnostic: interruptions
 * are HY008 (SQLCancel) or HYT00 (query timeout); the rest via core/. */
static SQLRETURN post_step_error(stmt *s, int rc, const exec_deadline *dl, SQLLEN row)
{
    sqlite3 *db = s->dbc->sqlite;
    if ((rc & 0xff) == SQLITE_INTERRUPT) {
        if (dl && dl->expired)
            return diag_post_at(&s->hdr.diag, row, SQL_COLUMN_NUMBER_UNKNOWN, "HYT00",
                                SQLITE_INTERRUPT, "Timeout expired (SQL_ATTR_QUERY_TIMEOUT = %lu s)",
                                (unsigned long)s->query_timeout);
        return diag_post_at(&s->hdr.diag, row, SQL_COLUMN_NUMBER_UNKNOWN, "HY008",
                            SQLITE_INTERRUPT, "Operation canceled");
    }
    if (row == SQL_NO_ROW_NUMBER)
        return diag_post_sqlite(&s->hdr.diag, db, rc);
    int code = sqlite3_extended_errcode(db);
    return diag_post_at(&s->hdr.diag, row, SQL_COLUMN_NUMBER_UNKNOWN,
                        diag_state_for(lsq_status_from_sqlite(code)), code, "%s",
                        sqlite3_errmsg(db));
}

static void deadline_arm(stmt *s, exec_deadline *dl)
{
    clock_gettime(CLOCK_MONOTONIC, &dl->at);
    dl->at.tv_sec += (time_t)s->query_timeout;
    dl->expired = 0;
    sqlite3_progress_handler(s->dbc->sqlite, 1000, deadline_check, dl);
}

static void deadline_disarm(stmt *s)
{
    sqlite3_progress_handler(s->dbc->sqlite, 0, NULL, NULL);
}

/* After a successful step: open the result set, or record the row count. */
static SQLRETURN open_result(stmt *s, int step_rc, exec_deadline *dl)
{
    sqlite3_stmt *st = s->sst;
    sqlite3 *db = s->dbc->sqlite;
    if (sqlite3_column_count(st) == 0) {
        s->row_count = is_dml(st) ? (SQLLEN)sqlite3_changes64(db) : -1;
        s->hdr.diag.row_count = s->row_count;
        sqlite3_reset(st);
        s->state = ST_EXECUTED;
        return SQL_SUCCESS;
    }
    cursor_open_sqlite(&s->cur, st, step_rc == SQLITE_ROW);
    if (step_rc == SQLITE_DONE)
        s->cur.at_end = 1; /* stepping a DONE statement again would rerun it */
    s->row_count = -1;
    s->hdr.diag.row_count = -1;
    s->state = ST_CURSOR;
    SQLRETURN rc = stmt_refine_column_types(s);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    if (s->cursor_type != SQL_CURSOR_FORWARD_ONLY) {
        int mrc = cursor_materialize(&s->cur);
        if (mrc != SQLITE_OK) {
            SQLRETURN r = post_step_error(s, mrc, dl, SQL_NO_ROW_NUMBER);
            cursor_close(&s->cur);
            sqlite3_reset(st);
            s->state = s->prepared ? ST_PREPARED : ST_ALLOCATED;
            return r;
        }
        s->row_count = cursor_row_count(&s->cur);
        s->hdr.diag.row_count = s->row_count;
    }
    return SQL_SUCCESS;
}

/*
 * Run the current statement (s->sst, parameters already bound) on the local
 * file once and leave its result on the statement. This is the one place
 * that decides where a statement runs; replica mode hooks in here.
 */
SQLRETURN exec_local(stmt *s)
{
    sqlite3 *db = s->dbc->sqlite;
    exec_deadline dl;
    int timed = s->query_timeout > 0;
    if (timed)
        deadline_arm(s, &dl);
    int rc = sqlite3_step(s->sst);
    SQLRETURN ret;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        ret = open_result(s, rc, timed ? &dl : NULL);
    } else {
        ret = post_step_error(s, rc, timed ? &dl : NULL, SQL_NO_ROW_NUMBER);
        sqlite3_reset(s->sst);
        s->state = s->prepared ? ST_PREPARED : ST_ALLOCATED;
    }
    if (timed)
        deadline_disarm(s);
    (void)db;
    return ret;
}

/*
 * Run the current statement where it belongs (route.c): local-file
 * connections run everything locally; a replica forwards writes and
 * transaction control and handles its own commands (replica_hooks.h).
 */
static SQLRETURN exec_routed(stmt *s)
{
    if (s->route.route == ROUTE_COMMAND)
        return command_exec(s);
    if (!lsq_is_replica(s->dbc->db))
        return exec_local(s);
    /* Offline=1: writes commit locally and are pushed on sync. */
    int offline = offline_active(s->dbc);
    switch (s->route.route) {
    case ROUTE_WRITE:
        return offline ? offline_exec(s, exec_local, 0) : forward_exec(s);
    case ROUTE_TXN:
        /* A transaction about to begin must start from the replica with
         * this connection's earlier writes in it: once the local
         * transaction holds its lock, no pull can be applied. */
        if (sqlite3_get_autocommit(s->dbc->sqlite))
            (void)forward_before_read(s);
        return offline ? offline_txn(s) : forward_txn(s);
    default: {
        SQLRETURN rc = forward_before_read(s);
        if (!SQL_SUCCEEDED(rc))
            return rc;
        SQLRETURN r2 = exec_local(s);
        return (r2 == SQL_SUCCESS && rc == SQL_SUCCESS_WITH_INFO) ? rc : r2;
    }
    }
}

/* Manual-commit mode: the connection's transaction must be open first. */
static SQLRETURN begin_if_manual(stmt *s)
{
    if (s->dbc->autocommit != SQL_AUTOCOMMIT_OFF)
        return SQL_SUCCESS;
    /* Pull this connection's autocommit writes in before the local
     * transaction opens (afterwards its lock keeps every pull out). A
     * failed pull is a 01000 warning on the statement, not an error. */
    if (s->dbc->sqlite && sqlite3_get_autocommit(s->dbc->sqlite) && lsq_is_replica(s->dbc->db))
        (void)forward_before_read(s);
    SQLRETURN rc = dbc_begin_if_needed(s->dbc);
    if (!SQL_SUCCEEDED(rc)) {
        /* txn.c posted on the connection; the application reads the statement. */
        sqlite3 *db = s->dbc->sqlite;
        int code = db ? sqlite3_extended_errcode(db) : 0;
        if (code != SQLITE_OK)
            return diag_post_sqlite(&s->hdr.diag, db, code);
        return diag_post(&s->hdr.diag, "HY000", 0, "could not begin the transaction");
    }
    return SQL_SUCCESS;
}

static void set_param_status(stmt *s, SQLULEN row, SQLUSMALLINT st)
{
    if (s->ipd->array_status_ptr)
        s->ipd->array_status_ptr[row] = st;
}

/*
 * A parameter array (SQL_ATTR_PARAMSET_SIZE > 1): the statement runs once per
 * row. Each failing row gets a diagnostic with its row number and
 * SQL_PARAM_ERROR; SQLite's statement journal undoes just that row. In
 * autocommit mode the rows share one transaction (a savepoint), which is far
 * faster than one commit per row. SQLRowCount is the total.
 * No savepoint per row is needed: SQLite's statement journal already undoes
 * exactly the failing statement (except ON CONFLICT ROLLBACK, which by
 * definition ends the transaction). This is the array form of exec_local();
 * replica mode hooks both.
 */
static SQLRETURN exec_param_array(stmt *s)
{
    sqlite3 *db = s->dbc->sqlite;
    SQLULEN n = s->apd->array_size;
    SQLUSMALLINT *ops = s->apd->array_status_ptr;
    SQLULEN processed = 0, ok = 0, failed = 0;
    SQLLEN total = 0;
    int counts = is_dml(s->sst);
    int wrap = s->dbc->autocommit != SQL_AUTOCOMMIT_OFF && sqlite3_get_autocommit(db);
    if (wrap && sqlite3_exec(db, "SAVEPOINT lsq_param_array", NULL, NULL, NULL) != SQLITE_OK)
        wrap = 0;
    exec_deadline dl;
    int timed = s->query_timeout > 0;
    if (timed)
        deadline_arm(s, &dl);
    if (s->ipd->rows_processed_ptr)
        *s->ipd->rows_processed_ptr = 0;

    int interrupted = 0;
    for (SQLULEN row = 0; row < n; row++) {
        if (interrupted || (ops && ops[row] == SQL_PARAM_IGNORE)) {
            set_param_status(s, row, SQL_PARAM_UNUSED);
            continue;
        }
        processed++;
        if (s->ipd->rows_processed_ptr)
            *s->ipd->rows_processed_ptr = processed;
        sqlite3_reset(s->sst);
        s->dae_row = row;
        if (params_next_dae(s, 0)) {
            diag_post_at(&s->hdr.diag, (SQLLEN)row + 1, SQL_COLUMN_NUMBER_UNKNOWN, "HYC00", 0,
                         "Data-at-execution parameters in a parameter array are not supported");
            set_param_status(s, row, SQL_PARAM_ERROR);
            failed++;
            continue;
        }
        if (!SQL_SUCCEEDED(params_bind_row(s, row, 0))) {
            set_param_status(s, row, SQL_PARAM_ERROR);
            failed++;
            continue;
        }
        int rc;
        while ((rc = sqlite3_step(s->sst)) == SQLITE_ROW)
            ; /* result rows of a parameter array are not returned */
        if (rc == SQLITE_DONE) {
            if (counts)
                total += (SQLLEN)sqlite3_changes64(db);
            set_param_status(s, row, SQL_PARAM_SUCCESS);
            ok++;
        } else {
            post_step_error(s, rc, timed ? &dl : NULL, (SQLLEN)row + 1);
            set_param_status(s, row, SQL_PARAM_ERROR);
            failed++;
            if ((rc & 0xff) == SQLITE_INTERRUPT)
                interrupted = 1;
        }
    }
    sqlite3_reset(s->sst);
    s->dae_row = 0;
    if (timed)
        deadline_disarm(s);
    if (wrap)
        sqlite3_exec(db, "RELEASE lsq_param_array", NULL, NULL, NULL);

    return exec_array_done(s, counts ? total : -1, ok, failed, SQL_SUCCESS);
}

/* The end of every parameter-array execution (local or forwarded): the
 * total row count, the statement's state, and the return code — an error
 * only when no row succeeded, SQL_SUCCESS_WITH_INFO when some failed. */
SQLRETURN exec_array_done(stmt *s, SQLLEN row_count, SQLULEN ok, SQLULEN failed,
                          SQLRETURN all_ok_rc)
{
    s->row_count = row_count;
    s->hdr.diag.row_count = row_count;
    s->state = ST_EXECUTED;
    if (failed == 0)
        return all_ok_rc;
    if (ok == 0) {
        s->state = s->prepared ? ST_PREPARED : ST_ALLOCATED;
        return SQL_ERROR;
    }
    return SQL_SUCCESS_WITH_INFO;
}

/* Bind (row 0) and run the current statement; `first` = number of ODBC
 * parameters that belong to earlier statements of the text. */
static SQLRETURN bind_and_run(stmt *s, int first)
{
    SQLRETURN rc = params_bind_row(s, 0, first);
    if (!SQL_SUCCEEDED(rc)) {
        sqlite3_reset(s->sst);
        s->state = s->prepared ? ST_PREPARED : ST_ALLOCATED;
        set_param_status(s, 0, SQL_PARAM_ERROR);
        return rc;
    }
    SQLRETURN r2 = exec_routed(s);
    if (s->apd->array_size <= 1 || sqlite3_bind_parameter_count(s->sst) == 0) {
        set_param_status(s, 0, SQL_SUCCEEDED(r2) ? SQL_PARAM_SUCCESS : SQL_PARAM_ERROR);
        if (s->ipd->rows_processed_ptr)
            *s->ipd->rows_processed_ptr = 1;
    }
    return (r2 == SQL_SUCCESS && rc == SQL_SUCCESS_WITH_INFO) ? rc : r2;
}

/* Execute the (first) statement of s->sql, already prepared or not. */
static SQLRETURN execute_current(stmt *s)
{
    SQLRETURN rc;
    if (!s->sst || !sst_is_first(s)) {
        /* The cursor was closed with SQLFreeStmt(SQL_CLOSE), or SQLMoreResults
         * moved on: prepare the first statement again. */
        if (s->sst) {
            cursor_close(&s->cur);
            sqlite3_finalize(s->sst);
            s->sst = NULL;
        }
        rc = prepare_next(s, s->sql, s->prepared ? SQLITE_PREPARE_PERSISTENT : 0);
        if (rc == SQL_NO_DATA)
            rc = diag_post(&s->hdr.diag, "42000", 0, "empty statement");
        if (!SQL_SUCCEEDED(rc))
            return rc;
        rc = stmt_describe_columns(s);
        if (!SQL_SUCCEEDED(rc))
            return rc;
    } else {
        sqlite3_reset(s->sst);
    }

    rc = begin_if_manual(s);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    rc = params_check_bound(s, 0);
    if (!SQL_SUCCEEDED(rc))
        return rc;

    /* A parameter set size only matters to a statement with parameters. */
    int array = s->apd->array_size > 1 && sqlite3_bind_parameter_count(s->sst) > 0;
    if (!array && params_next_dae(s, 0)) {
        s->dae_row = 0;
        s->dae_param = 0;
        s->state = ST_NEED_DATA;
        return SQL_NEED_DATA;
    }
    if (array) {
        if (s->route.route != ROUTE_WRITE || !lsq_is_replica(s->dbc->db))
            return exec_param_array(s);
        return offline_active(s->dbc) ? offline_exec(s, exec_param_array, 1)
                                      : forward_exec_array(s);
    }
    return bind_and_run(s, 0);
}

SQLRETURN exec_after_params(stmt *s)
{
    s->state = s->prepared ? ST_PREPARED : ST_ALLOCATED;
    SQLRETURN rc = bind_and_run(s, 0);
    params_free_dae(s);
    return rc;
}

SQLRETURN odbc_Execute(stmt *s)
{
    if (s->state == ST_NEED_DATA)
        return diag_post(&s->hdr.diag, "HY010", 0, "Function sequence error (data-at-execution pending)");
    if (!s->prepared || !s->sql)
        return diag_post(&s->hdr.diag, "HY010", 0, "Function sequence error (SQLExecute without SQLPrepare)");
    /* Executing again closes an open cursor (lenient: no 24000). */
    if (s->state == ST_CURSOR || s->state == ST_EXECUTED)
        stmt_close_cursor(s);
    return execute_current(s);
}

SQLRETURN odbc_ExecDirect(stmt *s, const SQLCHAR *sql, SQLINTEGER len)
{
    SQLRETURN rc = prepare_text(s, sql, len, 0);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    s->prepared = 0;
    s->state = ST_ALLOCATED;
    return execute_current(s);
}

int exec_is_dml(sqlite3_stmt *st) { return is_dml(st); }

/* SQLite keeps the text it consumed for s->sst, starting where prepare_next
 * began (s->sql_next minus that length), so the statement's start in s->sql
 * is known without parsing. */
int exec_first_param(stmt *s)
{
    if (!s->sst || !s->sql || !s->sql_next || sst_is_first(s))
        return 0;
    const char *txt = sqlite3_sql(s->sst);
    size_t len = txt ? strlen(txt) : 0;
    if ((size_t)(s->sql_next - s->sql) < len)
        return 0;
    return exec_params_before(s, s->sql_next - len);
}

/* ---------- more results, row count, close ------------------------------ */

/* ODBC numbers parameters across the whole text; SQLite per statement. Count
 * the parameters of the statements before `upto` (a rare path: batches with
 * parameters), preparing them only to ask. */
int exec_params_before(stmt *s, const char *upto)
{
    int total = 0;
    const char *p = s->sql;
    while (p && *p && p < upto) {
        sqlite3_stmt *st = NULL;
        const char *tail = NULL;
        if (sqlite3_prepare_v2(s->dbc->sqlite, p, (int)(upto - p), &st, &tail) != SQLITE_OK) {
            sqlite3_finalize(st);
            break;
        }
        if (st)
            total += sqlite3_bind_parameter_count(st);
        sqlite3_finalize(st);
        if (!tail || tail == p)
            break;
        p = tail;
    }
    return total;
}

SQLRETURN odbc_MoreResults(stmt *s)
{
    if (s->state == ST_NEED_DATA)
        return diag_post(&s->hdr.diag, "HY010", 0, "Function sequence error (data-at-execution pending)");
    if (s->state != ST_CURSOR && s->state != ST_EXECUTED)
        return SQL_NO_DATA;
    const char *next = s->sql_next;
    cursor_close(&s->cur);
    memset(&s->cur, 0, sizeof s->cur);
    s->gd_col = 0;
    s->gd_offset = 0;
    if (!next || !sqltext_has_statement(next)) {
        if (s->sst)
            sqlite3_reset(s->sst);
        s->state = s->prepared ? ST_PREPARED : ST_ALLOCATED;
        return SQL_NO_DATA;
    }
    if (s->sst) {
        sqlite3_finalize(s->sst);
        s->sst = NULL;
    }
    s->state = s->prepared ? ST_PREPARED : ST_ALLOCATED;
    SQLRETURN rc = prepare_next(s, next, s->prepared ? SQLITE_PREPARE_PERSISTENT : 0);
    if (rc == SQL_NO_DATA)
        return SQL_NO_DATA;
    if (!SQL_SUCCEEDED(rc))
        return rc;
    rc = stmt_describe_columns(s);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    int first = sqlite3_bind_parameter_count(s->sst) ? exec_params_before(s, next) : 0;
    rc = params_check_bound(s, first);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    rc = begin_if_manual(s);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    return bind_and_run(s, first);
}

SQLRETURN odbc_RowCount(stmt *s, SQLLEN *count)
{
    if (s->state == ST_NEED_DATA || s->state == ST_PREPARED ||
        (s->state == ST_ALLOCATED && !s->sst))
        return diag_post(&s->hdr.diag, "HY010", 0, "Function sequence error (statement not executed)");
    if (!count)
        return diag_post(&s->hdr.diag, "HY009", 0, "Invalid use of null pointer");
    *count = s->row_count;
    return SQL_SUCCESS;
}

/* Close the open cursor without forgetting the prepared statement. Unlike
 * SQLCloseCursor this never fails (SQLFreeStmt(SQL_CLOSE) semantics). */
void stmt_close_cursor(stmt *s)
{
    if (s->state == ST_NEED_DATA)
        params_free_dae(s);
    cursor_close(&s->cur);
    memset(&s->cur, 0, sizeof s->cur);
    if (s->sst)
        sqlite3_reset(s->sst);
    s->gd_col = 0;
    s->gd_offset = 0;
    s->state = s->prepared ? ST_PREPARED : ST_ALLOCATED;
}

SQLRETURN odbc_CloseCursor(stmt *s)
{
    if (s->state == ST_NEED_DATA)
        return diag_post(&s->hdr.diag, "HY010", 0, "Function sequence error (data-at-execution pending)");
    if (s->state != ST_CURSOR)
        return diag_post(&s->hdr.diag, "24000", 0, "Invalid cursor state (no cursor open)");
    stmt_close_cursor(s);
    return SQL_SUCCESS;
}

/* ---------- native SQL, cancel ------------------------------------------ */

SQLRETURN odbc_NativeSql(dbc *c, const SQLCHAR *in, SQLINTEGER inlen, SQLCHAR *out,
                         SQLINTEGER outmax, SQLINTEGER *outlen)
{
    if (!c->db) /* not a DM-only check in SQLNativeSql's table */
        return diag_post(&c->hdr.diag, "08003", 0, "Connection not open");
    if (!in)
        return diag_post(&c->hdr.diag, "HY009", 0, "Invalid use of null pointer");
    SQLLEN n = str_len_in(in, inlen);
    if (n < 0 || outmax < 0)
        return diag_post(&c->hdr.diag, "HY090", 0, "Invalid string or buffer length");
    char err[256] = "";
    char *text = sqltext_translate((const char *)in, (size_t)n, err, sizeof err);
    if (!text) {
        if (err[0])
            return diag_post(&c->hdr.diag, "42000", 0, "Syntax error in escape sequence: %s", err);
        return diag_post(&c->hdr.diag, "HY001", 0, "Memory allocation error");
    }
    SQLLEN full = 0;
    SQLRETURN rc = str_out(&c->hdr, text, out, outmax, &full);
    if (outlen)
        *outlen = (SQLINTEGER)full;
    free(text);
    return rc;
}

/*
 * SQLCancel may come from another thread while this statement executes
 * (holding its lock): then the lock is busy and sqlite3_interrupt stops the
 * running statement, which reports HY008. Otherwise the only thing to cancel
 * is a pending data-at-execution sequence; ODBC 3 says nothing else happens.
 */
SQLRETURN odbc_Cancel(stmt *s)
{
    if (pthread_mutex_trylock(&s->hdr.lock) != 0) {
        sqlite3 *db = s->dbc ? s->dbc->sqlite : NULL;
        if (db)
            sqlite3_interrupt(db);
        return SQL_SUCCESS;
    }
    int need_data = s->state == ST_NEED_DATA;
    pthread_mutex_unlock(&s->hdr.lock);
    if (!need_data)
        return SQL_SUCCESS;
    /* Resetting uses the connection's SQLite handle: take the connection's
     * lock, then the statement's, the order every entry point uses (api.h). */
    handle_lock(&s->dbc->hdr);
    handle_lock(&s->hdr);
    if (s->state == ST_NEED_DATA) {
        params_free_dae(s);
        if (s->sst)
            sqlite3_reset(s->sst);
        s->state = s->prepared ? ST_PREPARED : ST_ALLOCATED;
    }
    handle_unlock(&s->hdr);
    handle_unlock(&s->dbc->hdr);
    return SQL_SUCCESS;
}
