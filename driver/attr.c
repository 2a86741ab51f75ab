/*
 * attr.c — environment, connection and statement attributes
 * (SQLSet/GetEnvAttr, SQLSet/GetConnectAttr, SQLSet/GetStmtAttr) and cursor
 * names. Statement attributes that ODBC defines as descriptor header fields
 * (row array size, bind offsets, status arrays ...) are stored in the
 * descriptors themselves, so SQLSetStmtAttr and SQLSetDescField always agree.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#define VAL_ULEN(v) ((SQLULEN)(uintptr_t)(v))

static SQLRETURN bad_value(handle_hdr *h, const char *what)
{
    return diag_post(&h->diag, "HY024", 0, "Invalid attribute value for %s", what);
}

static SQLRETURN bad_attr(handle_hdr *h, SQLINTEGER attr)
{
    return diag_post(&h->diag, "HY092", 0, "Invalid attribute/option identifier %d", (int)attr);
}

static SQLRETURN not_capable(handle_hdr *h, const char *what)
{
    return diag_post(&h->diag, "HYC00", 0, "Optional feature not implemented: %s", what);
}

static SQLRETURN changed(handle_hdr *h, const char *what)
{
    return diag_post(&h->diag, "01S02", 0, "Option value changed: %s", what);
}

static void put_uint(SQLPOINTER val, SQLUINTEGER v) { if (val) *(SQLUINTEGER *)val = v; }
static void put_int(SQLPOINTER val, SQLINTEGER v) { if (val) *(SQLINTEGER *)val = v; }
static void put_ulen(SQLPOINTER val, SQLULEN v) { if (val) *(SQLULEN *)val = v; }
static void put_ptr(SQLPOINTER val, void *p) { if (val) *(SQLPOINTER *)val = p; }

/* A string attribute's output; buflen in bytes. */
static SQLRETURN put_str(handle_hdr *h, const char *s, SQLPOINTER val, SQLINTEGER buflen,
                         SQLINTEGER *len)
{
    if (buflen < 0 && val)
        return diag_post(&h->diag, "HY090", 0, "Invalid string or buffer length");
    SQLLEN n = 0;
    SQLRETURN rc = str_out(h, s, (SQLCHAR *)val, buflen, &n);
    if (len)
        *len = (SQLINTEGER)n;
    return rc;
}

/* ---------- environment -------------------------------------------------- */

SQLRETURN odbc_SetEnvAttr(env *e, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER len)
{
    SQLULEN v = VAL_ULEN(val);
    switch (attr) {
    case SQL_ATTR_ODBC_VERSION:
        if (v != SQL_OV_ODBC2 && v != SQL_OV_ODBC3 && v != SQL_OV_ODBC3_80)
            return bad_value(&e->hdr, "SQL_ATTR_ODBC_VERSION");
        e->odbc_version = (SQLINTEGER)v;
        return SQL_SUCCESS;
    case SQL_ATTR_CONNECTION_POOLING:
        if (v != SQL_CP_OFF && v != SQL_CP_ONE_PER_DRIVER && v != SQL_CP_ONE_PER_HENV)
            return bad_value(&e->hdr, "SQL_ATTR_CONNECTION_POOLING");
        e->connection_pooling = (SQLINTEGER)v;
        return SQL_SUCCESS;
    case SQL_ATTR_CP_MATCH:
        if (v != SQL_CP_STRICT_MATCH && v != SQL_CP_RELAXED_MATCH)
            return bad_value(&e->hdr, "SQL_ATTR_CP_MATCH");
        e->cp_match = (SQLINTEGER)v;
        return SQL_SUCCESS;
    case SQL_ATTR_OUTPUT_NTS:
        if (v == SQL_TRUE)
            return SQL_SUCCESS;
        if (v == SQL_FALSE)
            return not_capable(&e->hdr, "strings are always NUL-terminated");
        return bad_value(&e->hdr, "SQL_ATTR_OUTPUT_NTS");
    default:
        return bad_attr(&e->hdr, attr);
    }
}

SQLRETURN odbc_GetEnvAttr(env *e, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER buflen,
                          SQLINTEGER *len)
{
    SQLINTEGER v;
    switch (attr) {
    case SQL_ATTR_ODBC_VERSION: v = e->odbc_version ? e->odbc_version : (SQLINTEGER)SQL_OV_ODBC3; break;
    case SQL_ATTR_CONNECTION_POOLING: v = e->connection_pooling; break;
    case SQL_ATTR_CP_MATCH: v = e->cp_match; break;
    case SQL_ATTR_OUTPUT_NTS: v = SQL_TRUE; break;
    default: return bad_attr(&e->hdr, attr);
    }
    put_int(val, v);
    if (len)
        *len = sizeof(SQLINTEGER);
    return SQL_SUCCESS;
}

/* ---------- connection --------------------------------------------------- */

static int is_string_conn_attr(SQLINTEGER attr)
{
    return attr == SQL_ATTR_CURRENT_CATALOG || attr == SQL_ATTR_TRACEFILE ||
           attr == SQL_ATTR_TRANSLATE_LIB;
}

SQLRETURN odbc_SetConnectAttr(dbc *c, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER len)
{
    SQLULEN v = VAL_ULEN(val);
    if (is_string_conn_attr(attr) && val && len < 0 && len != SQL_NTS)
        return diag_post(&c->hdr.diag, "HY090", 0, "Invalid string or buffer length");
    switch (attr) {
    case SQL_ATTR_AUTOCOMMIT:
        if (v != SQL_AUTOCOMMIT_ON && v != SQL_AUTOCOMMIT_OFF)
            return bad_value(&c->hdr, "SQL_ATTR_AUTOCOMMIT");
        if (v == SQL_AUTOCOMMIT_ON && c->autocommit == SQL_AUTOCOMMIT_OFF && c->sqlite &&
            (c->in_txn || !sqlite3_get_autocommit(c->sqlite))) {
            /* ODBC: switching autocommit on commits the open transaction */
            SQLRETURN rc = odbc_EndTran(SQL_HANDLE_DBC, c, SQL_COMMIT);
            if (!SQL_SUCCEEDED(rc))
                return rc;
        }
        c->autocommit = (SQLUINTEGER)v;
        return SQL_SUCCESS;
    case SQL_ATTR_ACCESS_MODE:
        if (v != SQL_MODE_READ_ONLY && v != SQL_MODE_READ_WRITE)
            return bad_value(&c->hdr, "SQL_ATTR_ACCESS_MODE");
        c->access_mode = (SQLUINTEGER)v;
        /* on an open connection SQLite's query_only pragma enforces it */
        if (c->sqlite)
            sqlite3_exec(c->sqlite,
                         v == SQL_MODE_READ_ONLY ? "PRAGMA query_only=1" : "PRAGMA query_only=0",
                         NULL, NULL, NULL);
        return SQL_SUCCESS;
    case SQL_ATTR_LOGIN_TIMEOUT:
        c->login_timeout = (SQLUINTEGER)v;
        return SQL_SUCCESS;
    case SQL_ATTR_CONNECTION_TIMEOUT:
        c->connection_timeout = (SQLUINTEGER)v;
        return SQL_SUCCESS;
    case SQL_ATTR_TXN_ISOLATION:
        switch (v) {
        case SQL_TXN_SERIALIZABLE:
            c->txn_isolation = SQL_TXN_SERIALIZABLE;
            return SQL_SUCCESS;
        case SQL_TXN_READ_UNCOMMITTED:
        case SQL_TXN_READ_COMMITTED:
        case SQL_TXN_REPEATABLE_READ:
            c->txn_isolation = SQL_TXN_SERIALIZABLE;
            return changed(&c->hdr, "SQLite transactions are always serializable");
        default:
            return bad_value(&c->hdr, "SQL_ATTR_TXN_ISOLATION");
        }
    case SQL_ATTR_CURRENT_CATALOG: {
        /* SQLite has no catalogs: accept the empty name (or "main") only */
        char *name = str_dup_in((const SQLCHAR *)val, len);
        int ok = !name || !*name || !strcasecmp(name, "main");
        free(name);
        return ok ? SQL_SUCCESS : not_capable(&c->hdr, "SQLite has no catalogs");
    }
    case SQL_ATTR_METADATA_ID:
        if (v != SQL_TRUE && v != SQL_FALSE)
            return bad_value(&c->hdr, "SQL_ATTR_METADATA_ID");
        c->metadata_id = (SQLUINTEGER)v;
        return SQL_SUCCESS;
    case SQL_ATTR_PACKET_SIZE:
        c->packet_size = v;
        return SQL_SUCCESS;
    case SQL_ATTR_QUIET_MODE:
        c->quiet_mode = v;
        return SQL_SUCCESS;
    case SQL_ATTR_TRACE:
        if (v != SQL_OPT_TRACE_ON && v != SQL_OPT_TRACE_OFF)
            return bad_value(&c->hdr, "SQL_ATTR_TRACE");
        c->trace = (SQLUINTEGER)v;
        return SQL_SUCCESS;
    case SQL_ATTR_TRACEFILE:
        return SQL_SUCCESS; /* tracing is the driver manager's job */
    case SQL_ATTR_ASYNC_ENABLE:
        if (v == SQL_ASYNC_ENABLE_OFF)
            return SQL_SUCCESS;
        if (v == SQL_ASYNC_ENABLE_ON)
            return not_capable(&c->hdr, "asynchronous execution");
        return bad_value(&c->hdr, "SQL_ATTR_ASYNC_ENABLE");
    case SQL_ATTR_ODBC_CURSORS:
        if (v != SQL_CUR_USE_IF_NEEDED && v != SQL_CUR_USE_ODBC && v != SQL_CUR_USE_DRIVER)
            return bad_value(&c->hdr, "SQL_ATTR_ODBC_CURSORS");
        c->odbc_cursors = v;
        return SQL_SUCCESS;
    case SQL_ATTR_CONNECTION_DEAD:
    case SQL_ATTR_AUTO_IPD:
        return diag_post(&c->hdr.diag, "HY092", 0, "Attribute %d is read-only", (int)attr);
    default:
        return bad_attr(&c->hdr, attr);
    }
}

SQLRETURN odbc_GetConnectAttr(dbc *c, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER buflen,
                              SQLINTEGER *len)
{
    SQLUINTEGER v;
    switch (attr) {
    case SQL_ATTR_AUTOCOMMIT: v = c->autocommit; break;
    case SQL_ATTR_ACCESS_MODE: v = c->access_mode; break;
    case SQL_ATTR_LOGIN_TIMEOUT: v = c->login_timeout; break;
    case SQL_ATTR_CONNECTION_TIMEOUT: v = c->connection_timeout; break;
    case SQL_ATTR_TXN_ISOLATION: v = c->txn_isolation; break;
    case SQL_ATTR_METADATA_ID: v = c->metadata_id; break;
    case SQL_ATTR_PACKET_SIZE: v = (SQLUINTEGER)c->packet_size; break;
    case SQL_ATTR_TRACE: v = c->trace; break;
    case SQL_ATTR_ASYNC_ENABLE: v = SQL_ASYNC_ENABLE_OFF; break;
    case SQL_ATTR_AUTO_IPD: v = SQL_TRUE; break;
    case SQL_ATTR_CONNECTION_DEAD: v = c->db ? SQL_CD_FALSE : SQL_CD_TRUE; break;
    case SQL_ATTR_ODBC_CURSORS:
        put_ulen(val, c->odbc_cursors);
        if (len) *len = sizeof(SQLULEN);
        return SQL_SUCCESS;
    case SQL_ATTR_QUIET_MODE:
        put_ptr(val, (void *)(uintptr_t)c->quiet_mode);
        if (len) *len = sizeof(SQLPOINTER);
        return SQL_SUCCESS;
    case SQL_ATTR_CURRENT_CATALOG:
        if (!c->db)
            return diag_post(&c->hdr.diag, "08003", 0, "Connection not open");
        return put_str(&c->hdr, "", val, buflen, len);
    case SQL_ATTR_TRACEFILE:
        return put_str(&c->hdr, "", val, buflen, len);
    default:
        return bad_attr(&c->hdr, attr);
    }
    put_uint(val, v);
    if (len)
        *len = sizeof(SQLUINTEGER);
    return SQL_SUCCESS;
}

/* ---------- statement ---------------------------------------------------- */

/* Point the statement's ARD or APD at an explicit descriptor (NULL or the
 * statement's own implicit one restores the implicit). */
static SQLRETURN set_app_desc(stmt *s, desc **slot, desc *implicit, SQLPOINTER val)
{
    if (val == NULL || val == (SQLPOINTER)implicit) {
        *slot = implicit;
        return SQL_SUCCESS;
    }
    desc *d = desc_from(val);
    if (!d)
        return diag_post(&s->hdr.diag, "HY024", 0, "Invalid descriptor handle");
    if (d->alloc_type != SQL_DESC_ALLOC_USER)
        return diag_post(&s->hdr.diag, "HY017",
                         0, "Invalid use of an automatically allocated descriptor handle");
    if (d->dbc != s->dbc)
        return diag_post(&s->hdr.diag, "HY024", 0,
                         "Descriptor belongs to a different connection");
    *slot = d;
    return SQL_SUCCESS;
}

/* Attributes that shape the cursor: fixed once the statement is prepared. */
static int is_cursor_shape_attr(SQLINTEGER attr)
{
    return attr == SQL_ATTR_CURSOR_TYPE || attr == SQL_ATTR_CONCURRENCY ||
           attr == SQL_ATTR_CURSOR_SCROLLABLE || attr == SQL_ATTR_CURSOR_SENSITIVITY ||
           attr == SQL_ATTR_SIMULATE_CURSOR || attr == SQL_ATTR_USE_BOOKMARKS;
}

SQLRETURN odbc_SetStmtAttr(stmt *s, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER len)
{
    SQLULEN v = VAL_ULEN(val);
    if (is_cursor_shape_attr(attr)) {
        if (s->state == ST_CURSOR)
            return diag_post(&s->hdr.diag, "24000", 0, "Invalid cursor state: a cursor is open");
        if (s->prepared && s->state != ST_ALLOCATED)
            return diag_post(&s->hdr.diag, "HY011", 0,
                             "Attribute cannot be set now: the statement is prepared");
    }
    switch (attr) {
    /* descriptor header fields */
    case SQL_ATTR_ROW_ARRAY_SIZE:
    case SQL_ROWSET_SIZE:
        if (v == 0)
            return bad_value(&s->hdr, "SQL_ATTR_ROW_ARRAY_SIZE");
        s->ard->array_size = v;
        return SQL_SUCCESS;
    case SQL_ATTR_ROW_STATUS_PTR: s->ird->array_status_ptr = val; return SQL_SUCCESS;
    case SQL_ATTR_ROWS_FETCHED_PTR: s->ird->rows_processed_ptr = val; return SQL_SUCCESS;
    case SQL_ATTR_ROW_BIND_TYPE: s->ard->bind_type = (SQLINTEGER)v; return SQL_SUCCESS;
    case SQL_ATTR_ROW_BIND_OFFSET_PTR: s->ard->bind_offset_ptr = val; return SQL_SUCCESS;
    case SQL_ATTR_ROW_OPERATION_PTR: s->ard->array_status_ptr = val; return SQL_SUCCESS;
    case SQL_ATTR_PARAMSET_SIZE:
        if (v == 0)
            return bad_value(&s->hdr, "SQL_ATTR_PARAMSET_SIZE");
        s->apd->array_size = v;
        return SQL_SUCCESS;
    case SQL_ATTR_PARAM_BIND_TYPE: s->apd->bind_type = (SQLINTEGER)v; return SQL_SUCCESS;
    case SQL_ATTR_PARAM_BIND_OFFSET_PTR: s->apd->bind_offset_ptr = val; return SQL_SUCCESS;
    case SQL_ATTR_PARAM_OPERATION_PTR: s->apd->array_status_ptr = val; return SQL_SUCCESS;
    case SQL_ATTR_PARAM_STATUS_PTR: s->ipd->array_status_ptr = val; return SQL_SUCCESS;
    case SQL_ATTR_PARAMS_PROCESSED_PTR: s->ipd->rows_processed_ptr = val; return SQL_SUCCESS;
    case SQL_ATTR_APP_ROW_DESC: return set_app_desc(s, &s->ard, &s->imp_ard, val);
    case SQL_ATTR_APP_PARAM_DESC: return set_app_desc(s, &s->apd, &s->imp_apd, val);
    case SQL_ATTR_IMP_ROW_DESC:
    case SQL_ATTR_IMP_PARAM_DESC:
        return diag_post(&s->hdr.diag, "HY017", 0,
                         "Invalid use of an automatically allocated descriptor handle");
    case SQL_ATTR_ROW_NUMBER:
        return diag_post(&s->hdr.diag, "HY092", 0, "SQL_ATTR_ROW_NUMBER is read-only");
    case SQL_ATTR_FETCH_BOOKMARK_PTR: s->fetch_bookmark_ptr = val; return SQL_SUCCESS;

    /* cursor shape */
    case SQL_ATTR_CURSOR_TYPE:
        switch (v) {
        case SQL_CURSOR_FORWARD_ONLY:
            s->cursor_type = v;
            s->cursor_scrollable = SQL_NONSCROLLABLE;
            return SQL_SUCCESS;
        case SQL_CURSOR_STATIC:
            s->cursor_type = v;
            s->cursor_scrollable = SQL_SCROLLABLE;
            return SQL_SUCCESS;
        case SQL_CURSOR_KEYSET_DRIVEN:
        case SQL_CURSOR_DYNAMIC:
            s->cursor_type = SQL_CURSOR_STATIC;
            s->cursor_scrollable = SQL_SCROLLABLE;
            return changed(&s->hdr, "cursor type set to SQL_CURSOR_STATIC");
        default:
            return bad_value(&s->hdr, "SQL_ATTR_CURSOR_TYPE");
        }
    case SQL_ATTR_CONCURRENCY:
        switch (v) {
        case SQL_CONCUR_READ_ONLY:
            s->concurrency = v;
            return SQL_SUCCESS;
        case SQL_CONCUR_LOCK:
        case SQL_CONCUR_ROWVER:
        case SQL_CONCUR_VALUES:
            s->concurrency = SQL_CONCUR_READ_ONLY;
            return changed(&s->hdr, "concurrency set to SQL_CONCUR_READ_ONLY");
        default:
            return bad_value(&s->hdr, "SQL_ATTR_CONCURRENCY");
        }
    case SQL_ATTR_CURSOR_SCROLLABLE:
        if (v == SQL_NONSCROLLABLE)
            s->cursor_type = SQL_CURSOR_FORWARD_ONLY;
        else if (v == SQL_SCROLLABLE)
            s->cursor_type = SQL_CURSOR_STATIC;
        else
            return bad_value(&s->hdr, "SQL_ATTR_CURSOR_SCROLLABLE");
        s->cursor_scrollable = v;
        return SQL_SUCCESS;
    case SQL_ATTR_CURSOR_SENSITIVITY:
        switch (v) {
        case SQL_UNSPECIFIED:
        case SQL_INSENSITIVE:
            s->cursor_sensitivity = v;
            return SQL_SUCCESS;
        case SQL_SENSITIVE:
            /* a static snapshot cannot see other changes */
            return not_capable(&s->hdr, "sensitive cursors");
        default:
            return bad_value(&s->hdr, "SQL_ATTR_CURSOR_SENSITIVITY");
        }

    /* plain values */
    case SQL_ATTR_QUERY_TIMEOUT: s->query_timeout = v; return SQL_SUCCESS;
    case SQL_ATTR_MAX_ROWS: s->max_rows = v; return SQL_SUCCESS;
    case SQL_ATTR_MAX_LENGTH: s->max_length = v; return SQL_SUCCESS;
    case SQL_ATTR_KEYSET_SIZE: s->keyset_size = v; return SQL_SUCCESS;
    case SQL_ATTR_NOSCAN:
        if (v != SQL_NOSCAN_ON && v != SQL_NOSCAN_OFF)
            return bad_value(&s->hdr, "SQL_ATTR_NOSCAN");
        s->noscan = v;
        return SQL_SUCCESS;
    case SQL_ATTR_RETRIEVE_DATA:
        if (v != SQL_RD_ON && v != SQL_RD_OFF)
            return bad_value(&s->hdr, "SQL_ATTR_RETRIEVE_DATA");
        s->retrieve_data = v;
        return SQL_SUCCESS;
    case SQL_ATTR_USE_BOOKMARKS:
        if (v != SQL_UB_OFF && v != SQL_UB_VARIABLE && v != SQL_UB_FIXED)
            return bad_value(&s->hdr, "SQL_ATTR_USE_BOOKMARKS");
        s->use_bookmarks = v;
        return SQL_SUCCESS;
    case SQL_ATTR_SIMULATE_CURSOR:
        if (v != SQL_SC_NON_UNIQUE && v != SQL_SC_TRY_UNIQUE && v != SQL_SC_UNIQUE)
            return bad_value(&s->hdr, "SQL_ATTR_SIMULATE_CURSOR");
        s->simulate_cursor = v;
        return SQL_SUCCESS;
    case SQL_ATTR_ASYNC_ENABLE:
        if (v == SQL_ASYNC_ENABLE_OFF)
            return SQL_SUCCESS;
        if (v == SQL_ASYNC_ENABLE_ON)
            return not_capable(&s->hdr, "asynchronous execution");
        return bad_value(&s->hdr, "SQL_ATTR_ASYNC_ENABLE");
    case SQL_ATTR_METADATA_ID:
        if (v != SQL_TRUE && v != SQL_FALSE)
            return bad_value(&s->hdr, "SQL_ATTR_METADATA_ID");
        s->metadata_id = v;
        return SQL_SUCCESS;
    case SQL_ATTR_ENABLE_AUTO_IPD:
        if (v != SQL_TRUE && v != SQL_FALSE)
            return bad_value(&s->hdr, "SQL_ATTR_ENABLE_AUTO_IPD");
        return SQL_SUCCESS; /* the IPD is always populated by SQLPrepare */
    default:
        return bad_attr(&s->hdr, attr);
    }
}

SQLRETURN odbc_GetStmtAttr(stmt *s, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER buflen,
                           SQLINTEGER *len)
{
    SQLULEN v;
    void *p;
    switch (attr) {
    case SQL_ATTR_ROW_ARRAY_SIZE:
    case SQL_ROWSET_SIZE: v = s->ard->array_size; goto ulen;
    case SQL_ATTR_ROW_BIND_TYPE: v = (SQLULEN)s->ard->bind_type; goto ulen;
    case SQL_ATTR_PARAMSET_SIZE: v = s->apd->array_size; goto ulen;
    case SQL_ATTR_PARAM_BIND_TYPE: v = (SQLULEN)s->apd->bind_type; goto ulen;
    case SQL_ATTR_CURSOR_TYPE: v = s->cursor_type; goto ulen;
    case SQL_ATTR_CONCURRENCY: v = s->concurrency; goto ulen;
    case SQL_ATTR_CURSOR_SCROLLABLE: v = s->cursor_scrollable; goto ulen;
    case SQL_ATTR_CURSOR_SENSITIVITY: v = s->cursor_sensitivity; goto ulen;
    case SQL_ATTR_QUERY_TIMEOUT: v = s->query_timeout; goto ulen;
    case SQL_ATTR_MAX_ROWS: v = s->max_rows; goto ulen;
    case SQL_ATTR_MAX_LENGTH: v = s->max_length; goto ulen;
    case SQL_ATTR_KEYSET_SIZE: v = s->keyset_size; goto ulen;
    case SQL_ATTR_NOSCAN: v = s->noscan; goto ulen;
    case SQL_ATTR_RETRIEVE_DATA: v = s->retrieve_data; goto ulen;
    case SQL_ATTR_USE_BOOKMARKS: v = s->use_bookmarks; goto ulen;
    case SQL_ATTR_SIMULATE_CURSOR: v = s->simulate_cursor; goto ulen;
    case SQL_ATTR_ASYNC_ENABLE: v = SQL_ASYNC_ENABLE_OFF; goto ulen;
    case SQL_ATTR_METADATA_ID: v = s->metadata_id; goto ulen;
    case SQL_ATTR_ENABLE_AUTO_IPD: v = SQL_TRUE; goto ulen;
    case SQL_ATTR_ROW_NUMBER:
        if (s->state != ST_CURSOR)
            return diag_post(&s->hdr.diag, "24000", 0, "Invalid cursor state: no open cursor");
        v = s->row_number;
        goto ulen;
    case SQL_ATTR_FETCH_BOOKMARK_PTR: p = s->fetch_bookmark_ptr; goto ptr;
    case SQL_ATTR_ROW_STATUS_PTR: p = s->ird->array_status_ptr; goto ptr;
    case SQL_ATTR_ROWS_FETCHED_PTR: p = s->ird->rows_processed_ptr; goto ptr;
    case SQL_ATTR_ROW_BIND_OFFSET_PTR: p = s->ard->bind_offset_ptr; goto ptr;
    case SQL_ATTR_ROW_OPERATION_PTR: p = s->ard->array_status_ptr; goto ptr;
    case SQL_ATTR_PARAM_BIND_OFFSET_PTR: p = s->apd->bind_offset_ptr; goto ptr;
    case SQL_ATTR_PARAM_OPERATION_PTR: p = s->apd->array_status_ptr; goto ptr;
    case SQL_ATTR_PARAM_STATUS_PTR: p = s->ipd->array_status_ptr; goto ptr;
    case SQL_ATTR_PARAMS_PROCESSED_PTR: p = s->ipd->rows_processed_ptr; goto ptr;
    case SQL_ATTR_APP_ROW_DESC: p = s->ard; goto ptr;
    case SQL_ATTR_APP_PARAM_DESC: p = s->apd; goto ptr;
    case SQL_ATTR_IMP_ROW_DESC: p = s->ird; goto ptr;
    case SQL_ATTR_IMP_PARAM_DESC: p = s->ipd; goto ptr;
    default:
        return bad_attr(&s->hdr, attr);
    }
ulen:
    put_ulen(val, v);
    if (len)
        *len = sizeof(SQLULEN);
    return SQL_SUCCESS;
ptr:
    put_ptr(val, p);
    if (len)
        *len = sizeof(SQLPOINTER);
    return SQL_SUCCESS;
}

/* ---------- cursor names ------------------------------------------------- */

#define MAX_CURSOR_NAME 128

SQLRETURN odbc_SetCursorName(stmt *s, const SQLCHAR *name, SQLSMALLINT len)
{
    SQLLEN n = str_len_in(name, len);
    if (n < 0)
        return diag_post(&s->hdr.diag, "HY090", 0, "Invalid string or buffer length");
    if (s->state == ST_CURSOR)
        return diag_post(&s->hdr.diag, "24000", 0, "Invalid cursor state: a cursor is open");
    char *nm = str_dup_in(name, n);
    if (!nm)
        return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
    /* "SQLCUR" and "SQL_CUR" are reserved for driver-generated names */
    if (n == 0 || n > MAX_CURSOR_NAME || !strncasecmp(nm, "SQLCUR", 6) ||
        !strncasecmp(nm, "SQL_CUR", 7)) {
        free(nm);
        return diag_post(&s->hdr.diag, "34000", 0, "Invalid cursor name");
    }
    for (stmt *o = s->dbc->stmts; o; o = o->next)
        if (o != s && o->cursor_name && !strcasecmp(o->cursor_name, nm)) {
            free(nm);
            return diag_post(&s->hdr.diag, "3C000", 0, "Duplicate cursor name");
        }
    free(s->cursor_name);
    s->cursor_name = nm;
    return SQL_SUCCESS;
}

SQLRETURN odbc_GetCursorName(stmt *s, SQLCHAR *name, SQLSMALLINT buflen, SQLSMALLINT *len)
{
    if (buflen < 0)
        return diag_post(&s->hdr.diag, "HY090", 0, "Invalid string or buffer length");
    SQLLEN n = 0;
    SQLRETURN rc = str_out(&s->hdr, s->cursor_name ? s->cursor_name : "", name, buflen, &n);
    if (len)
        *len = (SQLSMALLINT)n;
    return rc;
}
