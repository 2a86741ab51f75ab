/*
 * fetch.c — moving through a result set and handing values to the
 * application: SQLBindCol, SQLFetch, SQLFetchScroll, SQLExtendedFetch,
 * SQLGetData, SQLSetPos (POSITION / REFRESH).
 *
 * One engine serves every fetch call: it works out which rows form the next
 * rowset (forward-only streaming from SQLite, or the ODBC cursor-positioning
 * rules over a materialised static cursor), then copies each row into the
 * ARD's bound buffers (row-wise or column-wise, with the bind offset), and
 * fills the row status array and rows-processed count.
 *
 * Speed matters here (1M-row block fetch within 1.2x of raw sqlite3): the
 * per-column addressing is worked out once per fetch call into a small plan
 * on the stack, nothing is allocated per row, and the common exact cases
 * (integer -> SLONG/SBIGINT, float -> DOUBLE, text that fits -> CHAR) are
 * written directly before falling back to conv_to_c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "internal.h"

/* ---------- SQLBindCol ------------------------------------------------- */

static int is_bookmark_ctype(SQLSMALLINT t)
{
    return t == SQL_C_BOOKMARK || t == SQL_C_VARBOOKMARK || t == SQL_C_ULONG ||
           t == SQL_C_UBIGINT;
}

/* Highest record of the ARD that still has something bound. */
static void ard_trim_count(desc *ard)
{
    SQLSMALLINT n = ard->count;
    while (n > 0 && n < ard->cap && !ard->recs[n].data_ptr && !ard->recs[n].indicator_ptr &&
           !ard->recs[n].octet_length_ptr)
        n--;
    if (n != ard->count)
        desc_set_count(ard, n);
}

SQLRETURN odbc_BindCol(stmt *s, SQLUSMALLINT col, SQLSMALLINT ctype, SQLPOINTER ptr,
                       SQLLEN buflen, SQLLEN *ind)
{
    diag_list *dg = &s->hdr.diag;
    desc *ard = s->ard;
    if (col == 0) {
        if (s->use_bookmarks == SQL_UB_OFF) {
            diag_post(dg, "07009", 0, "Invalid descriptor index 0: bookmarks are off");
            return SQL_ERROR;
        }
        if (ptr && !is_bookmark_ctype(ctype)) {
            diag_post(dg, "HY003", 0, "Invalid application buffer type %d for the bookmark",
                      ctype);
            return SQL_ERROR;
        }
    } else if ((s->state == ST_CURSOR || s->state == ST_PREPARED) && s->ird->count > 0 &&
               col > s->ird->count) {
        diag_post(dg, "07009", 0, "Invalid descriptor index %u (result has %d columns)",
                  (unsigned)col, s->ird->count);
        return SQL_ERROR;
    }
    if (ptr == NULL && ind == NULL) {
        /* Unbind: the record disappears if it was the last one. */
        if (col <= ard->count && col < ard->cap) {
            desc_rec *r = &ard->recs[col];
            r->data_ptr = NULL;
            r->indicator_ptr = NULL;
            r->octet_length_ptr = NULL;
            if (col == ard->count)
                ard_trim_count(ard);
        }
        return SQL_SUCCESS;
    }
    if (!ctype_is_valid(ctype) && !(col == 0 && is_bookmark_ctype(ctype))) {
        diag_post(dg, "HY003", 0, "Invalid application buffer type %d", ctype);
        return SQL_ERROR;
    }
    if (buflen < 0) {
        diag_post(dg, "HY090", 0, "Invalid string or buffer length %ld", (long)buflen);
        return SQL_ERROR;
    }
    desc_rec *r = desc_rec_get(ard, (SQLSMALLINT)col);
    if (!r) {
        diag_post(dg, "HY001", 0, "Memory allocation error");
        return SQL_ERROR;
    }
    desc_rec_set_concise(r, ctype);
    r->octet_length = buflen;
    r->length = (SQLULEN)buflen;
    if (ctype == SQL_C_NUMERIC) {
        /* SQLBindCol gives no precision: the reference's defaults. */
        r->precision = 0;
        r->scale = 0;
    }
    r->data_ptr = ptr;
    r->indicator_ptr = ind;
    r->octet_length_ptr = ind;
    return SQL_SUCCESS;
}

/* ---------- where the rows of a rowset live --------------------------- */

/* Per bound column, everything needed to address row i's buffers. */
typedef struct col_plan {
    int col;                    /* 0-based result column; -1 = bookmark */
    SQLSMALLINT ctype, sqltype;
    SQLSMALLINT precision, scale;
    char *data;                 /* row 0's buffer (offset applied) or NULL */
    SQLLEN *ind, *len;          /* row 0's indicator / length or NULL */
    SQLLEN data_stride, ind_stride;
    SQLLEN buflen;
} col_plan;

#define PLAN_STACK 64

static SQLSMALLINT ird_type(const stmt *s, int col1)
{
    if (col1 >= 1 && col1 <= s->ird->count && col1 < s->ird->cap)
        return s->ird->recs[col1].concise_type;
    return SQL_VARCHAR;
}

static SQLLEN ctype_elem_size(SQLSMALLINT ctype, SQLLEN buflen)
{
    SQLLEN sz = conv_ctype_size(ctype);
    if (sz > 0)
        return sz;
    switch (ctype) {
    case SQL_C_SLONG: case SQL_C_LONG: case SQL_C_ULONG: case SQL_C_FLOAT: return 4;
    case SQL_C_SBIGINT: case SQL_C_UBIGINT: case SQL_C_DOUBLE: return 8;
    case SQL_C_SHORT: case SQL_C_SSHORT: case SQL_C_USHORT: return 2;
    case SQL_C_TINYINT: case SQL_C_STINYINT: case SQL_C_UTINYINT: case SQL_C_BIT: return 1;
    case SQL_C_TYPE_DATE: case SQL_C_DATE: return sizeof(SQL_DATE_STRUCT);
    case SQL_C_TYPE_TIME: case SQL_C_TIME: return sizeof(SQL_TIME_STRUCT);
    case SQL_C_TYPE_TIMESTAMP: case SQL_C_TIMESTAMP: return sizeof(SQL_TIMESTAMP_STRUCT);
    case SQL_C_NUMERIC: return sizeof(SQL_NUMERIC_STRUCT);
    case SQL_C_GUID: return sizeof(SQLGUID);
    default: return buflen;
    }
}

/* Build the plan for the currently bound columns. Returns the number of
 * entries; *heap is set when the plan had to be allocated (> PLAN_STACK). */
static int build_plan(stmt *s, col_plan *stack, col_plan **out, int *oom)
{
    desc *ard = s->ard;
    int ncols = s->cur.ncols;
    int n = 0;
    *oom = 0;
    int max = ard->count < ard->cap ? ard->count : ard->cap - 1;
    if (max > ncols)
        max = ncols;
    col_plan *plan = stack;
    if (max + 1 > PLAN_STACK) {
        plan = malloc(sizeof *plan * (size_t)(max + 1));
        if (!plan) {
            *oom = 1;
            return 0;
        }
    }
    SQLLEN off = ard->bind_offset_ptr ? *ard->bind_offset_ptr : 0;
    int start = s->use_bookmarks != SQL_UB_OFF ? 0 : 1;
    for (int c = start; c <= max; c++) {
        desc_rec *r = &ard->recs[c];
        if (!r->data_ptr && !r->indicator_ptr && !r->octet_length_ptr)
            continue;
        col_plan *p = &plan[n++];
        p->col = c - 1;
        p->sqltype = c ? ird_type(s, c) : SQL_INTEGER;
        p->ctype = r->concise_type;
        if (p->ctype == SQL_C_DEFAULT)
            p->ctype = c ? conv_default_ctype(p->sqltype) : SQL_C_BOOKMARK;
        p->precision = r->precision;
        p->scale = r->scale;
        p->buflen = r->octet_length;
        p->data = r->data_ptr ? (char *)r->data_ptr + off : NULL;
        p->ind = r->indicator_ptr ? (SQLLEN *)((char *)r->indicator_ptr + off) : NULL;
        p->len = r->octet_length_ptr ? (SQLLEN *)((char *)r->octet_length_ptr + off) : NULL;
        if (ard->bind_type == SQL_BIND_BY_COLUMN) {
            p->data_stride = ctype_elem_size(p->ctype, p->buflen);
            p->ind_stride = sizeof(SQLLEN);
        } else {
            p->data_stride = p->ind_stride = ard->bind_type;
        }
    }
    *out = plan;
    return n;
}

/* Row-wise bound structures are not always padded: lengths are stored
 * byte-wise so a packed indicator cannot fault or trip UBSan. */
static inline void store_len(SQLLEN *p, SQLLEN v)
{
    memcpy(p, &v, sizeof v);
}

/* Write the bookmark (1-based absolute row number) of a row. */
static SQLRETURN put_bookmark(stmt *s, const col_plan *p, char *data, SQLLEN *ind,
                              SQLLEN *len, SQLLEN bookmark, SQLLEN row)
{
    SQLLEN n;
    if (p->ctype == SQL_C_VARBOOKMARK) {
        n = sizeof(SQLLEN);
        if (data) {
            if (p->buflen < n) {
                diag_post_at(&s->hdr.diag, row, 0, "22003", 0,
                             "Bookmark buffer too small");
                return SQL_ERROR;
            }
            memcpy(data, &bookmark, sizeof bookmark);
        }
    } else if (p->ctype == SQL_C_ULONG) {
        n = sizeof(SQLUINTEGER);
        if (data) {
            SQLUINTEGER v = (SQLUINTEGER)bookmark;
            memcpy(data, &v, sizeof v);
        }
    } else {
        n = sizeof(SQLUBIGINT);
        if (data) {
            SQLUBIGINT v = (SQLUBIGINT)bookmark;
            memcpy(data, &v, sizeof v);
        }
    }
    if (ind)
        store_len(ind, n);
    if (len && len != ind)
        store_len(len, n);
    return SQL_SUCCESS;
}

/* The exact, lossless cases that need no conversion machinery: integer
 * into SBIGINT (or SLONG when it fits), float into DOUBLE, text that fits
 * into CHAR (unless the column is binary: that converts to hex), NULL with
 * an indicator. Returns 1 when the value was stored. */
static inline int fast_put(const db_value *v, SQLSMALLINT ctype, SQLSMALLINT sqltype,
                           char *data, SQLLEN buflen, SQLLEN *ind, SQLLEN *len)
{
    SQLLEN n;
    switch (v->type) {
    case SQLITE_INTEGER:
        /* Dates stored as numbers and binary columns follow their own
         * conversion rules (conv_to_c); only plain numbers are copied. */
        if (!data || sqltype == SQL_TYPE_DATE || sqltype == SQL_TYPE_TIME ||
            sqltype == SQL_TYPE_TIMESTAMP || sqltype == SQL_BINARY ||
            sqltype == SQL_VARBINARY || sqltype == SQL_LONGVARBINARY)
            return 0;
        if (ctype == SQL_C_SBIGINT) {
            memcpy(data, &v->i, sizeof(SQLBIGINT));
            n = sizeof(SQLBIGINT);
        } else if ((ctype == SQL_C_SLONG || ctype == SQL_C_LONG) && v->i >= INT32_MIN &&
                   v->i <= INT32_MAX) {
            SQLINTEGER x = (SQLINTEGER)v->i;
            memcpy(data, &x, sizeof x);
            n = sizeof x;
        } else {
            return 0;
        }
        break;
    case SQLITE_FLOAT:
        if (!data || ctype != SQL_C_DOUBLE || sqltype == SQL_TYPE_DATE ||
            sqltype == SQL_TYPE_TIME || sqltype == SQL_TYPE_TIMESTAMP)
            return 0;
        memcpy(data, &v->d, sizeof(SQLDOUBLE));
        n = sizeof(SQLDOUBLE);
        break;
    case SQLITE_TEXT:
        if (!data || ctype != SQL_C_CHAR || v->n >= buflen || sqltype == SQL_BINARY ||
            sqltype == SQL_VARBINARY || sqltype == SQL_LONGVARBINARY)
            return 0;
        if (v->n > 0)
            memcpy(data, v->p, (size_t)v->n);
        data[v->n] = 0;
        n = v->n;
        break;
    case SQLITE_NULL:
        if (!ind)
            return 0;
        store_len(ind, SQL_NULL_DATA);
        return 1;
    default:
        return 0;
    }
    if (ind)
        store_len(ind, n);
    if (len && len != ind)
        store_len(len, n);
    return 1;
}

/* Copy the cursor's current row into row `i` of the bound buffers. */
static SQLRETURN put_row(stmt *s, const col_plan *plan, int nplan, SQLULEN i,
                         SQLLEN bookmark, SQLLEN diag_row)
{
    SQLRETURN worst = SQL_SUCCESS;
    const cursor *c = &s->cur;
    for (int k = 0; k < nplan; k++) {
        const col_plan *p = &plan[k];
        char *data = p->data ? p->data + (SQLLEN)i * p->data_stride : NULL;
        SQLLEN *ind = p->ind ? (SQLLEN *)((char *)p->ind + (SQLLEN)i * p->ind_stride) : NULL;
        SQLLEN *len = p->len ? (SQLLEN *)((char *)p->len + (SQLLEN)i * p->ind_stride) : NULL;
        SQLRETURN rc;
        if (p->col < 0) {
            rc = put_bookmark(s, p, data, ind, len, bookmark, diag_row);
        } else {
            db_value v;
            cursor_value(c, p->col, &v);
            if (fast_put(&v, p->ctype, p->sqltype, data, p->buflen, ind, len))
                continue;
            c_target t = {.ctype = p->ctype, .ptr = data, .buflen = p->buflen, .ind = ind,
                          .len = len, .precision = p->precision, .scale = p->scale};
            rc = conv_to_c(&s->hdr.diag, &v, p->sqltype, &t, NULL, diag_row, p->col + 1);
        }
        if (rc == SQL_ERROR)
            worst = SQL_ERROR;
        else if (rc == SQL_SUCCESS_WITH_INFO && worst == SQL_SUCCESS)
            worst = SQL_SUCCESS_WITH_INFO;
    }
    return worst;
}

static SQLUSMALLINT row_status_of(SQLRETURN rc)
{
    return rc == SQL_SUCCESS ? SQL_ROW_SUCCESS
           : rc == SQL_SUCCESS_WITH_INFO ? SQL_ROW_SUCCESS_WITH_INFO
                                        : SQL_ROW_ERROR;
}

/* ---------- the fetch engine ------------------------------------------- */

/* Rows the application may see from a materialised cursor (SQL_ATTR_MAX_ROWS). */
static SQLLEN visible_rows(const stmt *s)
{
    SQLLEN n = cursor_row_count(&s->cur);
    if (s->max_rows > 0 && (SQLULEN)n > s->max_rows)
        n = (SQLLEN)s->max_rows;
    return n;
}

/* Where a scroll lands, as a 1-based row; 0 = before start, N+1 = after end. */
static SQLLEN scroll_target(stmt *s, SQLSMALLINT orient, SQLLEN off, SQLLEN bookmark,
                            SQLLEN n_rows, SQLLEN rsize, int *warn_01s06, int *bad)
{
    const cursor *c = &s->cur;
    SQLLEN after = n_rows + 1;
    int before_start = c->pos < 0;
    int after_end = c->pos >= c->mem.nrows || (c->pos >= 0 && s->rowset_start + 1 > n_rows);
    SQLLEN cur = s->rowset_start + 1;           /* CurrRowsetStart, 1-based */
    *warn_01s06 = 0;
    *bad = 0;
    switch (orient) {
    case SQL_FETCH_NEXT:
        if (before_start)
            return n_rows > 0 ? 1 : after;
        if (after_end || cur + rsize > n_rows)
            return after;
        return cur + rsize;
    case SQL_FETCH_PRIOR:
        if (before_start)
            return 0;
        if (after_end)
            return n_rows < rsize ? (n_rows > 0 ? 1 : 0) : n_rows - rsize + 1;
        if (cur == 1)
            return 0;
        if (cur <= rsize) {
            *warn_01s06 = 1;
            return 1;
        }
        return cur - rsize;
    case SQL_FETCH_FIRST:
        return n_rows > 0 ? 1 : after;
    case SQL_FETCH_LAST:
        if (n_rows == 0)
            return after;
        return rsize <= n_rows ? n_rows - rsize + 1 : 1;
    case SQL_FETCH_ABSOLUTE:
        if (off < 0) {
            SQLLEN a = -off;
            if (a <= n_rows)
                return n_rows + off + 1;
            if (a > rsize)
                return 0;
            *warn_01s06 = 1;
            return n_rows > 0 ? 1 : after;
        }
        if (off == 0)
            return 0;
        return off <= n_rows ? off : after;
    case SQL_FETCH_RELATIVE:
        if ((before_start && off > 0) || (after_end && off < 0))
            return scroll_target(s, SQL_FETCH_ABSOLUTE, off, 0, n_rows, rsize, warn_01s06,
                                 bad);
        if (before_start)
            return 0;
        if (after_end)
            return after;
        if (cur == 1 && off < 0)
            return 0;
        if (cur + off < 1) {
            if (-off > rsize)
                return 0;
            *warn_01s06 = 1;
            return 1;
        }
        return cur + off <= n_rows ? cur + off : after;
    case SQL_FETCH_BOOKMARK:
        return scroll_target(s, SQL_FETCH_ABSOLUTE, bookmark + off, 0, n_rows, rsize,
                             warn_01s06, bad);
    default:
        *bad = 1;
        return 0;
    }
}

static void set_rows_processed(SQLULEN *rows_out, SQLULEN n)
{
    if (rows_out)
        *rows_out = n;
}

static void fill_status(SQLUSMALLINT *status, SQLULEN from, SQLULEN to, SQLUSMALLINT v)
{
    if (status)
        for (SQLULEN i = from; i < to; i++)
            status[i] = v;
}

/*
 * Fetch one rowset. status/rows_out are where the row status array and the
 * number of rows go (IRD fields for SQLFetch/SQLFetchScroll, the caller's
 * arguments for SQLExtendedFetch).
 */
static SQLRETURN fetch_rowset(stmt *s, SQLSMALLINT orient, SQLLEN off, SQLLEN bookmark,
                              SQLULEN *rows_out, SQLUSMALLINT *status)
{
    diag_list *dg = &s->hdr.diag;
    /* Not executed (or its cursor closed, back to allocated/prepared):
     * HY010, as the driver manager's state table has it; executed
     * without a result set: 24000. */
    if (s->state == ST_NEED_DATA || s->state == ST_ALLOCATED || s->state == ST_PREPARED) {
        diag_post(dg, "HY010", 0, "Function sequence error");
        return SQL_ERROR;
    }
    if (s->state != ST_CURSOR || s->cur.kind == CUR_NONE) {
        diag_post(dg, "24000", 0, "Invalid cursor state: no result set");
        return SQL_ERROR;
    }
    int scrollable = s->cursor_type != SQL_CURSOR_FORWARD_ONLY;
    if (!scrollable && orient != SQL_FETCH_NEXT) {
        diag_post(dg, "HY106", 0, "Fetch type out of range for a forward-only cursor");
        return SQL_ERROR;
    }
    if (orient == SQL_FETCH_BOOKMARK && s->use_bookmarks == SQL_UB_OFF) {
        diag_post(dg, "HY106", 0, "Bookmarks are not enabled on this statement");
        return SQL_ERROR;
    }
    /* A scrollable cursor needs random access: read the rows into memory
     * before the first fetch if execute did not already. */
    if (scrollable && s->cur.kind == CUR_SQLITE) {
        if (s->cur.rows_seen > 0) {
            diag_post(dg, "HY106", 0, "Cursor cannot scroll after streamed fetches");
            return SQL_ERROR;
        }
        int rc = cursor_materialize(&s->cur);
        if (rc != SQLITE_OK) {
            if (s->dbc && s->dbc->sqlite)
                diag_post_sqlite(dg, s->dbc->sqlite, rc);
            else
                diag_post(dg, "HY000", rc, "Could not read the result set");
            return SQL_ERROR;
        }
    }
    SQLULEN rsize = s->ard->array_size ? s->ard->array_size : 1;
    s->gd_col = 0;
    s->gd_offset = 0;

    col_plan stack[PLAN_STACK], *plan = NULL;
    int oom = 0;
    int nplan = s->retrieve_data == SQL_RD_OFF ? 0 : build_plan(s, stack, &plan, &oom);
    if (oom) {
        diag_post(dg, "HY001", 0, "Memory allocation error");
        return SQL_ERROR;
    }
    SQLRETURN ret = SQL_SUCCESS;
    SQLULEN got = 0, n_err = 0;
    int any_info = 0;

    if (s->cur.kind == CUR_MEM) {
        SQLLEN n_rows = visible_rows(s);
        int warn = 0, bad = 0;
        SQLLEN target = scroll_target(s, orient, off, bookmark, n_rows, (SQLLEN)rsize,
                                      &warn, &bad);
        if (bad) {
            ret = SQL_ERROR;
            diag_post(dg, "HY106", 0, "Fetch type %d out of range", orient);
            goto out;
        }
        if (target < 1 || target > n_rows) {
            /* Before start or after end: no rowset, the cursor sits there. */
            cursor_seek(&s->cur, target < 1 ? -1 : s->cur.mem.nrows);
            s->rowset_start = target < 1 ? -1 : n_rows;
            s->row_number = 0;
            /* No rowset: the status array keeps describing the last one. */
            set_rows_processed(rows_out, 0);
            ret = SQL_NO_DATA;
            goto out;
        }
        SQLLEN start = target - 1;
        for (SQLULEN i = 0; i < rsize && start + (SQLLEN)i < n_rows; i++) {
            cursor_seek(&s->cur, start + (SQLLEN)i);
            SQLRETURN rc = nplan ? put_row(s, plan, nplan, i, start + (SQLLEN)i + 1,
                                           (SQLLEN)i + 1)
                                 : SQL_SUCCESS;
            if (status)
                status[i] = row_status_of(rc);
            if (rc == SQL_ERROR)
                n_err++;
            else if (rc == SQL_SUCCESS_WITH_INFO)
                any_info = 1;
            got++;
        }
        fill_status(status, got, rsize, SQL_ROW_NOROW);
        cursor_seek(&s->cur, start);
        s->rowset_start = start;
        s->row_number = (SQLULEN)start + 1;
        s->cur.rows_seen = start + (SQLLEN)got;
        if (warn) {
            diag_post(dg, "01S06", 0,
                      "Attempt to fetch before the result set returned the first rowset");
            any_info = 1;
        }
    } else {
        /* Streaming: each row's values are only valid until the next step,
         * so every row is converted right after it is read. */
        for (SQLULEN i = 0; i < rsize; i++) {
            if (s->max_rows > 0 && (SQLULEN)s->cur.rows_seen >= s->max_rows) {
                s->cur.at_end = 1;
                break;
            }
            int st = cursor_next(&s->cur);
            if (st == 0)
                break;
            if (st < 0) {
                if (s->dbc && s->dbc->sqlite)
                    diag_post_sqlite(dg, s->dbc->sqlite, -st);
                else
                    diag_post(dg, "HY000", -st, "SQLite error %d while stepping", -st);
                if (got == 0) {
                    ret = SQL_ERROR;
                    set_rows_processed(rows_out, 0);
                    goto out;
                }
                any_info = 1;
                break;
            }
            SQLRETURN rc = nplan ? put_row(s, plan, nplan, i, s->cur.rows_seen, (SQLLEN)i + 1)
                                 : SQL_SUCCESS;
            if (status)
                status[i] = row_status_of(rc);
            if (rc == SQL_ERROR)
                n_err++;
            else if (rc == SQL_SUCCESS_WITH_INFO)
                any_info = 1;
            got++;
        }
        if (got > 0)
            fill_status(status, got, rsize, SQL_ROW_NOROW);
        if (got == 0) {
            s->row_number = 0;
            set_rows_processed(rows_out, 0);
            ret = SQL_NO_DATA;
            goto out;
        }
        s->rowset_start = s->cur.rows_seen - (SQLLEN)got;
        s->row_number = (SQLULEN)s->rowset_start + 1;
    }
    set_rows_processed(rows_out, got);
    if (n_err == got)
        ret = SQL_ERROR;
    else if (n_err || any_info)
        ret = SQL_SUCCESS_WITH_INFO;
out:
    if (plan && plan != stack)
        free(plan);
    return ret;
}

SQLRETURN odbc_Fetch(stmt *s)
{
    return fetch_rowset(s, SQL_FETCH_NEXT, 0, 0, s->ird->rows_processed_ptr,
                        s->ird->array_status_ptr);
}

SQLRETURN odbc_FetchScroll(stmt *s, SQLSMALLINT orientation, SQLLEN offset)
{
    switch (orientation) {
    case SQL_FETCH_NEXT: case SQL_FETCH_PRIOR: case SQL_FETCH_FIRST: case SQL_FETCH_LAST:
    case SQL_FETCH_ABSOLUTE: case SQL_FETCH_RELATIVE:
        break;
    case SQL_FETCH_BOOKMARK:
        /* The bookmark itself comes from SQL_ATTR_FETCH_BOOKMARK_PTR. */
        if (!s->fetch_bookmark_ptr) {
            diag_post(&s->hdr.diag, "HY111", 0,
                      "SQL_FETCH_BOOKMARK needs SQL_ATTR_FETCH_BOOKMARK_PTR to be set");
            return SQL_ERROR;
        }
        return fetch_rowset(s, SQL_FETCH_BOOKMARK, offset, *s->fetch_bookmark_ptr,
                            s->ird->rows_processed_ptr, s->ird->array_status_ptr);
    default:
        diag_post(&s->hdr.diag, "HY106", 0, "Fetch type %d out of range", orientation);
        return SQL_ERROR;
    }
    return fetch_rowset(s, orientation, offset, 0, s->ird->rows_processed_ptr,
                        s->ird->array_status_ptr);
}

SQLRETURN odbc_ExtendedFetch(stmt *s, SQLUSMALLINT orientation, SQLLEN offset,
                             SQLULEN *rowcount, SQLUSMALLINT *status)
{
    switch (orientation) {
    case SQL_FETCH_NEXT: case SQL_FETCH_PRIOR: case SQL_FETCH_FIRST: case SQL_FETCH_LAST:
    case SQL_FETCH_ABSOLUTE: case SQL_FETCH_RELATIVE:
        return fetch_rowset(s, (SQLSMALLINT)orientation, offset, 0, rowcount, status);
    case SQL_FETCH_BOOKMARK:
        /* ODBC 2: the offset argument is the bookmark itself. */
        return fetch_rowset(s, SQL_FETCH_BOOKMARK, 0, offset, rowcount, status);
    default:
        diag_post(&s->hdr.diag, "HY106", 0, "Fetch type %u out of range", orientation);
        return SQL_ERROR;
    }
}

/* ---------- SQLGetData -------------------------------------------------- */

static int on_row(const stmt *s)
{
    const cursor *c = &s->cur;
    if (s->state != ST_CURSOR)
        return 0;
    if (c->kind == CUR_MEM)
        return c->pos >= 0 && c->pos < c->mem.nrows;
    /* A stream only still holds its newest row: SQLGetData works when the
     * current row (first of the rowset, or the one SQLSetPos chose) is it. */
    if (c->kind == CUR_SQLITE)
        return c->rows_seen > 0 && !c->at_end && !c->pending_row &&
               s->row_number == (SQLULEN)c->rows_seen;
    return 0;
}

static int is_chunked(SQLSMALLINT ctype)
{
    return ctype == SQL_C_CHAR || ctype == SQL_C_WCHAR || ctype == SQL_C_BINARY;
}

/* gd_offset value meaning "this column was returned completely". */
#define GD_DONE ((SQLLEN)-1)

SQLRETURN odbc_GetData(stmt *s, SQLUSMALLINT col, SQLSMALLINT ctype, SQLPOINTER ptr,
                       SQLLEN buflen, SQLLEN *ind)
{
    diag_list *dg = &s->hdr.diag;
    if (s->state == ST_NEED_DATA || s->state == ST_ALLOCATED || s->state == ST_PREPARED) {
        diag_post(dg, "HY010", 0, "Function sequence error");
        return SQL_ERROR;
    }
    if (!on_row(s)) {
        diag_post(dg, "24000", 0, "Invalid cursor state: not positioned on a row");
        return SQL_ERROR;
    }
    if (col == 0) {
        if (s->use_bookmarks == SQL_UB_OFF) {
            diag_post(dg, "07009", 0, "Invalid descriptor index 0: bookmarks are off");
            return SQL_ERROR;
        }
    } else if ((int)col > s->cur.ncols) {
        diag_post(dg, "07009", 0, "Invalid descriptor index %u (result has %d columns)",
                  (unsigned)col, s->cur.ncols);
        return SQL_ERROR;
    }
    if (buflen < 0) {
        diag_post(dg, "HY090", 0, "Invalid string or buffer length %ld", (long)buflen);
        return SQL_ERROR;
    }
    SQLSMALLINT sqltype = col ? ird_type(s, col) : SQL_INTEGER;
    SQLSMALLINT precision = 0, scale = 0;
    if (ctype == SQL_ARD_TYPE) {
        if (col <= s->ard->count && col < s->ard->cap) {
            desc_rec *r = &s->ard->recs[col];
            ctype = r->concise_type;
            precision = r->precision;
            scale = r->scale;
        } else {
            ctype = SQL_C_DEFAULT;
        }
    }
    if (ctype == SQL_C_DEFAULT)
        ctype = col ? conv_default_ctype(sqltype) : SQL_C_BOOKMARK;
    if (!ctype_is_valid(ctype) && !(col == 0 && is_bookmark_ctype(ctype))) {
        diag_post(dg, "HY003", 0, "Invalid application buffer type %d", ctype);
        return SQL_ERROR;
    }
    if (s->gd_col != col) {
        s->gd_col = col;
        s->gd_offset = 0;
    }
    if (s->gd_offset == GD_DONE)
        return SQL_NO_DATA;
    SQLRETURN rc;
    if (col == 0) {
        col_plan p = {.col = -1, .ctype = ctype, .buflen = buflen};
        SQLLEN bm = s->cur.kind == CUR_MEM ? s->cur.pos + 1 : s->cur.rows_seen;
        rc = put_bookmark(s, &p, ptr, ind, NULL, bm, 0);
    } else {
        db_value v;
        cursor_value(&s->cur, col - 1, &v);
        if (s->gd_offset == 0 && fast_put(&v, ctype, sqltype, ptr, buflen, ind, ind)) {
            s->gd_offset = GD_DONE;
            return SQL_SUCCESS;
        }
        c_target t = {.ctype = ctype, .ptr = ptr, .buflen = buflen, .ind = ind, .len = ind,
                      .precision = precision, .scale = scale};
        int chunked = is_chunked(ctype) && v.type != SQLITE_NULL;
        rc = conv_to_c(dg, &v, sqltype, &t, chunked ? &s->gd_offset : NULL, 0, col);
        if (rc == SQL_NO_DATA) {
            s->gd_offset = GD_DONE;
            return SQL_NO_DATA;
        }
        /* A truncated chunk leaves the offset where the next call resumes
         * (still 0 after a length-only call with no buffer); conv_to_c sets
         * GD_DONE once the value is complete, so the next call gets NO_DATA. */
        if (rc == SQL_SUCCESS_WITH_INFO && chunked && s->gd_offset != GD_DONE && dg->count > 0 &&
            strcmp(dg->recs[dg->count - 1].state, "01004") == 0)
            return rc;
    }
    if (rc != SQL_ERROR)
        s->gd_offset = GD_DONE;
    return rc;
}

/* ---------- SQLSetPos --------------------------------------------------- */

/* Rows in the current rowset (CUR_MEM). */
static SQLLEN rowset_rows(const stmt *s)
{
    SQLLEN n = visible_rows(s) - s->rowset_start;
    SQLLEN r = (SQLLEN)(s->ard->array_size ? s->ard->array_size : 1);
    return n < r ? (n < 0 ? 0 : n) : r;
}

SQLRETURN odbc_SetPos(stmt *s, SQLSETPOSIROW row, SQLUSMALLINT op, SQLUSMALLINT lock)
{
    diag_list *dg = &s->hdr.diag;
    if (op != SQL_POSITION && op != SQL_REFRESH) {
        if (op == SQL_UPDATE || op == SQL_DELETE || op == SQL_ADD) {
            diag_post(dg, "HYC00", 0, "Positioned updates and deletes are not supported");
            return SQL_ERROR;
        }
        diag_post(dg, "HY092", 0, "Invalid SQLSetPos operation %u", op);
        return SQL_ERROR;
    }
    if (lock != SQL_LOCK_NO_CHANGE && lock != SQL_LOCK_EXCLUSIVE && lock != SQL_LOCK_UNLOCK) {
        diag_post(dg, "HY092", 0, "Invalid lock type %u", lock);
        return SQL_ERROR;
    }
    if (lock != SQL_LOCK_NO_CHANGE) {
        diag_post(dg, "HYC00", 0, "Row locking is not supported");
        return SQL_ERROR;
    }
    if (s->state == ST_NEED_DATA || s->state == ST_ALLOCATED || s->state == ST_PREPARED) {
        diag_post(dg, "HY010", 0, "Function sequence error");
        return SQL_ERROR;
    }
    int has_rowset = s->state == ST_CURSOR &&
                     (s->cur.kind == CUR_MEM ? on_row(s)
                      : s->cur.kind == CUR_SQLITE && s->cur.rows_seen > 0 &&
                            !s->cur.at_end && !s->cur.pending_row);
    if (!has_rowset) {
        diag_post(dg, "24000", 0, "Invalid cursor state: no current rowset");
        return SQL_ERROR;
    }
    if (s->cur.kind == CUR_SQLITE) {
        /* Only the newest streamed row is still in SQLite's buffers. */
        SQLLEN nrs = s->cur.rows_seen - s->rowset_start;
        if ((SQLLEN)row > nrs) {
            diag_post(dg, "HY107", 0, "Row value %lu out of range", (unsigned long)row);
            return SQL_ERROR;
        }
        if (row == 0 && op == SQL_POSITION && nrs > 1) {
            diag_post(dg, "HY109", 0, "Invalid cursor position: row 0");
            return SQL_ERROR;
        }
        if (row == 0)
            row = (SQLSETPOSIROW)nrs;
        if (s->rowset_start + (SQLLEN)row != s->cur.rows_seen) {
            diag_post(dg, "HYC00", 0,
                      "Only the last row of a forward-only rowset is still available; "
                      "use a static cursor to position on others");
            return SQL_ERROR;
        }
        s->row_number = (SQLULEN)s->cur.rows_seen;
        s->gd_col = 0;
        s->gd_offset = 0;
        if (op == SQL_REFRESH) {
            col_plan stack[PLAN_STACK], *plan = NULL;
            int oom = 0;
            int n = build_plan(s, stack, &plan, &oom);
            if (oom) {
                diag_post(dg, "HY001", 0, "Memory allocation error");
                return SQL_ERROR;
            }
            SQLRETURN rc = n ? put_row(s, plan, n, (SQLULEN)row - 1, s->cur.rows_seen,
                                       (SQLLEN)row)
                             : SQL_SUCCESS;
            if (plan && plan != stack)
                free(plan);
            return rc;
        }
        return SQL_SUCCESS;
    }
    SQLLEN nrs = rowset_rows(s);
    if ((SQLLEN)row > nrs) {
        diag_post(dg, "HY107", 0, "Row value %lu out of range", (unsigned long)row);
        return SQL_ERROR;
    }
    if (op == SQL_POSITION) {
        if (row == 0) {
            if (nrs > 1) {
                diag_post(dg, "HY109", 0, "Invalid cursor position: row 0");
                return SQL_ERROR;
            }
            row = 1;
        }
        cursor_seek(&s->cur, s->rowset_start + (SQLLEN)row - 1);
        s->row_number = (SQLULEN)(s->rowset_start + (SQLLEN)row);
        s->gd_col = 0;
        s->gd_offset = 0;
        return SQL_SUCCESS;
    }
    /* SQL_REFRESH: a static cursor's rows do not change; copy them into the
     * bound buffers again (row 0 = the whole rowset). */
    col_plan stack[PLAN_STACK], *plan = NULL;
    int oom = 0;
    int n = build_plan(s, stack, &plan, &oom);
    if (oom) {
        diag_post(dg, "HY001", 0, "Memory allocation error");
        return SQL_ERROR;
    }
    SQLLEN first = row ? (SQLLEN)row - 1 : 0, last = row ? (SQLLEN)row : nrs;
    SQLRETURN worst = SQL_SUCCESS;
    SQLUSMALLINT *status = s->ird->array_status_ptr;
    for (SQLLEN i = first; i < last; i++) {
        cursor_seek(&s->cur, s->rowset_start + i);
        SQLRETURN rc = n ? put_row(s, plan, n, (SQLULEN)i, s->rowset_start + i + 1, i + 1)
                         : SQL_SUCCESS;
        if (status)
            status[i] = row_status_of(rc);
        if (rc != SQL_SUCCESS)
            worst = SQL_SUCCESS_WITH_INFO;
    }
    if (plan && plan != stack)
        free(plan);
    cursor_seek(&s->cur, s->rowset_start + first);
    s->gd_col = 0;
    s->gd_offset = 0;
    return worst;
}

SQLRETURN odbc_BulkOperations(stmt *s, SQLSMALLINT op)
{
    diag_post(&s->hdr.diag, "HYC00", 0, "SQLBulkOperations is not supported");
    return SQL_ERROR;
}
