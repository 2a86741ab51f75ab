/*
 * diag.c — the diagnostic records every handle carries, and the two ways an
 * application reads them (SQLGetDiagRec, SQLGetDiagField). Also the single
 * place where a core/ failure category (lsq_status) becomes a SQLSTATE, so
 * every path through the driver reports the same state for the same cause.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "opskeys.h"

void diag_init(diag_list *d)
{
    memset(d, 0, sizeof *d);
    d->retcode = SQL_SUCCESS;
}

void diag_clear(diag_list *d)
{
    for (int i = 0; i < d->count; i++)
        free(d->recs[i].message);
    d->count = 0;
    d->retcode = SQL_SUCCESS;
    /* row_count / dynamic_function describe the last execution: they stay
     * until the statement is executed again (exec.c overwrites them). */
}

void diag_free(diag_list *d)
{
    diag_clear(d);
    free(d->recs);
    d->recs = NULL;
    d->cap = 0;
}

static SQLRETURN post_v(diag_list *d, SQLLEN row, SQLINTEGER col, const char *state,
                        SQLINTEGER native, const char *fmt, va_list ap)
{
    SQLRETURN rc = (state[0] == '0' && state[1] == '1') ? SQL_SUCCESS_WITH_INFO : SQL_ERROR;
    if (d->count == d->cap) {
        int ncap = d->cap ? d->cap * 2 : 4;
        diag_rec *nr = realloc(d->recs, (size_t)ncap * sizeof *nr);
        if (!nr)
            return rc; /* out of memory: the return code still tells the story */
        d->recs = nr;
        d->cap = ncap;
    }
    char body[1024];
    vsnprintf(body, sizeof body, fmt, ap);
    size_t len = strlen(DIAG_PREFIX) + strlen(body) + 1;
    char *msg = malloc(len);
    if (!msg)
        return rc;
    snprintf(msg, len, "%s%s", DIAG_PREFIX, body);

    diag_rec *r = &d->recs[d->count++];
    memset(r, 0, sizeof *r);
    snprintf(r->state, sizeof r->state, "%.5s", state);
    r->native = native;
    r->message = msg;
    r->row_number = row;
    r->column_number = col;
    drvlog_diag(r->state, (long)native, body); /* LogFile (opskeys.c) */
    return rc;
}

SQLRETURN diag_post(diag_list *d, const char *state, SQLINTEGER native, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    SQLRETURN rc = post_v(d, SQL_NO_ROW_NUMBER, SQL_NO_COLUMN_NUMBER, state, native, fmt, ap);
    va_end(ap);
    return rc;
}

SQLRETURN diag_post_at(diag_list *d, SQLLEN row, SQLINTEGER col, const char *state,
                       SQLINTEGER native, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    SQLRETURN rc = post_v(d, row, col, state, native, fmt, ap);
    va_end(ap);
    return rc;
}

const char *diag_state_for(lsq_status st)
{
    switch (st) {
    case LSQ_OK: return "00000";
    case LSQ_ERR_CANTOPEN: return "08001";
    case LSQ_ERR_NETWORK: return "08S01";
    case LSQ_ERR_AUTH: return "28000";
    case LSQ_ERR_TIMEOUT: return "HYT00";
    case LSQ_ERR_CONSTRAINT: return "23000";
    case LSQ_ERR_SYNTAX: return "42000";
    case LSQ_ERR_NO_TABLE: return "42S02";
    case LSQ_ERR_NO_COLUMN: return "42S22";
    case LSQ_ERR_EXISTS: return "42S01";
    case LSQ_ERR_BUSY: return "HY000";
    case LSQ_ERR_CONFLICT: return "40001";
    case LSQ_ERR_PROTOCOL: return "08S01";
    case LSQ_ERR_READONLY: return "25000";
    case LSQ_ERR_NOMEM: return "HY001";
    case LSQ_ERR_MISUSE: return "HY009";
    case LSQ_ERR_MISC: return "HY000";
    }
    return "HY000";
}

SQLRETURN diag_post_lsq(diag_list *d, const lsq_error *err)
{
    if (!err)
        return diag_post(d, "HY000", 0, "unknown error");
    return diag_post(d, diag_state_for(err->status), err->native, "%s", err->message);
}

SQLRETURN diag_post_sqlite(diag_list *d, struct sqlite3 *db, int rc)
{
    lsq_error err;
    memset(&err, 0, sizeof err);
    lsq_fail_sqlite(&err, db, rc);
    return diag_post_lsq(d, &err);
}

/* ---------- reading records back ---------------------------------------- */

/* ODBC orders status records by row (records about no particular row first),
 * then by rank: connection/transaction failures, other errors, warnings. */
static SQLLEN row_key(const diag_rec *r)
{
    return r->row_number > 0 ? r->row_number : 0;
}

static int rank(const diag_rec *r)
{
    if (!strncmp(r->state, "08", 2) || !strncmp(r->state, "40", 2))
        return 0;
    if (!strncmp(r->state, "01", 2))
        return 2;
    return 1;
}

static int rec_before(const diag_rec *a, const diag_rec *b)
{
    if (row_key(a) != row_key(b))
        return row_key(a) < row_key(b);
    return rank(a) < rank(b);
}

/* Stable insertion sort: lists are short and usually already in order. */
static void diag_sort(diag_list *d)
{
    for (int i = 1; i < d->count; i++) {
        diag_rec r = d->recs[i];
        int j = i;
        while (j > 0 && rec_before(&r, &d->recs[j - 1])) {
            d->recs[j] = d->recs[j - 1];
            j--;
        }
        d->recs[j] = r;
    }
}

static handle_hdr *hdr_for(SQLSMALLINT htype, SQLHANDLE h)
{
    switch (htype) {
    case SQL_HANDLE_ENV: { env *e = env_from(h); return e ? &e->hdr : NULL; }
    case SQL_HANDLE_DBC: { dbc *c = dbc_from(h); return c ? &c->hdr : NULL; }
    case SQL_HANDLE_STMT: { stmt *s = stmt_from(h); return s ? &s->hdr : NULL; }
    case SQL_HANDLE_DESC: { desc *x = desc_from(h); return x ? &x->hdr : NULL; }
    default: return NULL;
    }
}

/* ODBC 3.x reference, SQLGetDiagField: a class is "ODBC 3.0" only for IM;
 * a subclass is "ODBC 3.0" for the states ODBC itself added. */
static const char *class_origin(const char *state)
{
    return (state[0] == 'I' && state[1] == 'M') ? "ODBC 3.0" : "ISO 9075";
}

static const char *subclass_origin(const char *state)
{
    static const char *odbc_states[] = {
        "01S00", "01S01", "01S02", "01S06", "01S07", "07S01", "08S01", "21S01",
        "21S02", "25S01", "25S02", "25S03", "42S01", "42S02", "42S11", "42S12",
        "42S21", "42S22", "HY095", "HY097", "HY098", "HY099", "HY100", "HY101",
        "HY105", "HY107", "HY109", "HY110", "HY111", "HYT00", "HYT01", "IM001",
        "IM002", "IM003", "IM004", "IM005", "IM006", "IM007", "IM008", "IM010",
        "IM011", "IM012", NULL};
    for (int i = 0; odbc_states[i]; i++)
        if (strcmp(state, odbc_states[i]) == 0)
            return "ODBC 3.0";
    return "ISO 9075";
}

/* Output a string into a SQLSMALLINT-sized buffer (diag fields). */
static SQLRETURN small_str_out(const char *src, SQLCHAR *buf, SQLSMALLINT buflen,
                               SQLSMALLINT *outlen)
{
    SQLLEN full = 0;
    /* Truncation here must not add a record to the list being read. */
    SQLRETURN rc = str_out(NULL, src, buf, buflen, &full);
    if (outlen)
        *outlen = (SQLSMALLINT)(full > 32767 ? 32767 : full);
    return rc;
}

SQLRETURN odbc_GetDiagRec(SQLSMALLINT htype, SQLHANDLE h, SQLSMALLINT recno,
                          SQLCHAR *state, SQLINTEGER *native, SQLCHAR *msg,
                          SQLSMALLINT buflen, SQLSMALLINT *textlen)
{
    handle_hdr *hh = hdr_for(htype, h);
    if (!hh)
        return SQL_INVALID_HANDLE;
    if (recno <= 0 || buflen < 0)
        return SQL_ERROR;
    if (recno > hh->diag.count)
        return SQL_NO_DATA;
    diag_sort(&hh->diag);
    const diag_rec *r = &hh->diag.recs[recno - 1];
    if (state)
        memcpy(state, r->state, 6);
    if (native)
        *native = r->native;
    return small_str_out(r->message, msg, buflen, textlen);
}

static void int_out(SQLPOINTER info, SQLINTEGER v) { if (info) *(SQLINTEGER *)info = v; }
static void len_out(SQLPOINTER info, SQLLEN v) { if (info) *(SQLLEN *)info = v; }

SQLRETURN odbc_GetDiagField(SQLSMALLINT htype, SQLHANDLE h, SQLSMALLINT recno,
                            SQLSMALLINT field, SQLPOINTER info, SQLSMALLINT buflen,
                            SQLSMALLINT *strlen_out)
{
    handle_hdr *hh = hdr_for(htype, h);
    if (!hh)
        return SQL_INVALID_HANDLE;
    diag_list *d = &hh->diag;

    /* header fields: recno is ignored */
    switch (field) {
    case SQL_DIAG_NUMBER: int_out(info, d->count); return SQL_SUCCESS;
    case SQL_DIAG_RETURNCODE:
        if (info) *(SQLRETURN *)info = d->retcode;
        return SQL_SUCCESS;
    case SQL_DIAG_ROW_COUNT:
    case SQL_DIAG_CURSOR_ROW_COUNT:
    case SQL_DIAG_DYNAMIC_FUNCTION:
    case SQL_DIAG_DYNAMIC_FUNCTION_CODE:
        if (htype != SQL_HANDLE_STMT)
            return SQL_ERROR;
        if (field == SQL_DIAG_ROW_COUNT) { len_out(info, d->row_count); return SQL_SUCCESS; }
        if (field == SQL_DIAG_CURSOR_ROW_COUNT) { len_out(info, d->cursor_row_count); return SQL_SUCCESS; }
        if (field == SQL_DIAG_DYNAMIC_FUNCTION_CODE) {
            int_out(info, d->dynamic_function_code);
            return SQL_SUCCESS;
        }
        if (buflen < 0 && buflen != SQL_NTS)
            return SQL_ERROR;
        return small_str_out(d->dynamic_function ? d->dynamic_function : "",
                             (SQLCHAR *)info, buflen, strlen_out);
    default:
        break;
    }

    /* record fields */
    if (recno <= 0)
        return SQL_ERROR;
    if (recno > d->count)
        return SQL_NO_DATA;
    diag_sort(d);
    const diag_rec *r = &d->recs[recno - 1];
    const char *s = NULL;
    switch (field) {
    case SQL_DIAG_SQLSTATE: s = r->state; break;
    case SQL_DIAG_NATIVE: int_out(info, r->native); return SQL_SUCCESS;
    case SQL_DIAG_MESSAGE_TEXT: s = r->message; break;
    case SQL_DIAG_CLASS_ORIGIN: s = class_origin(r->state); break;
    case SQL_DIAG_SUBCLASS_ORIGIN: s = subclass_origin(r->state); break;
    case SQL_DIAG_CONNECTION_NAME: s = ""; break;
    case SQL_DIAG_SERVER_NAME: {
        dbc *c = NULL;
        if (htype == SQL_HANDLE_DBC) c = dbc_from(h);
        else if (htype == SQL_HANDLE_STMT) c = stmt_from(h)->dbc;
        else if (htype == SQL_HANDLE_DESC) c = desc_from(h)->dbc;
        s = (c && c->opt.dsn) ? c->opt.dsn : "";
        break;
    }
    case SQL_DIAG_ROW_NUMBER:
        if (htype != SQL_HANDLE_STMT) return SQL_ERROR;
        len_out(info, r->row_number);
        return SQL_SUCCESS;
    case SQL_DIAG_COLUMN_NUMBER:
        if (htype != SQL_HANDLE_STMT) return SQL_ERROR;
        int_out(info, r->column_number);
        return SQL_SUCCESS;
    default:
        return SQL_ERROR;
    }
    if (buflen < 0)
        return SQL_ERROR;
    return small_str_out(s, (SQLCHAR *)info, buflen, strlen_out);
}
