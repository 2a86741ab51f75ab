/*
 * params.c — statement parameters: SQLBindParameter, SQLNumParams,
 * SQLDescribeParam, data-at-execution (SQLParamData / SQLPutData), and
 * binding the application's values to the sqlite3_stmt for one row of a
 * parameter set.
 *
 * The APD holds what the application bound (C type, buffers, indicator);
 * the IPD what the parameter is in SQL (type, column size, digits,
 * input/output). Values go through conv_from_c (convert.c) so parameters
 * and result columns follow the same conversion rules. One walk over a row's
 * parameters (params_walk_row) serves both binding to SQLite and collecting
 * the arguments a replica sends to the primary (forward.c).
 */
#include "convert.h"
#include "internal.h"
#include "sqltext.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---------- type rules -------------------------------------------------- */

static int sqltype_is_valid(SQLSMALLINT t)
{
    switch (t) {
    case SQL_CHAR: case SQL_VARCHAR: case SQL_LONGVARCHAR: case SQL_WCHAR:
    case SQL_WVARCHAR: case SQL_WLONGVARCHAR: case SQL_DECIMAL: case SQL_NUMERIC:
    case SQL_SMALLINT: case SQL_INTEGER: case SQL_REAL: case SQL_FLOAT:
    case SQL_DOUBLE: case SQL_BIT: case SQL_TINYINT: case SQL_BIGINT:
    case SQL_BINARY: case SQL_VARBINARY: case SQL_LONGVARBINARY:
    case SQL_TYPE_DATE: case SQL_TYPE_TIME: case SQL_TYPE_TIMESTAMP:
    case SQL_DATE: case SQL_TIME: case SQL_TIMESTAMP: case SQL_GUID:
        return 1;
    default:
        return t >= SQL_INTERVAL_YEAR && t <= SQL_INTERVAL_MINUTE_TO_SECOND;
    }
}

static int ctype_is_variable(SQLSMALLINT c)
{
    return c == SQL_C_CHAR || c == SQL_C_WCHAR || c == SQL_C_BINARY;
}

/* ODBC 2 date/time codes to their ODBC 3 concise types. */
static SQLSMALLINT concise_of(SQLSMALLINT t)
{
    switch (t) {
    case SQL_DATE: return SQL_TYPE_DATE;
    case SQL_TIME: return SQL_TYPE_TIME;
    case SQL_TIMESTAMP: return SQL_TYPE_TIMESTAMP;
    default: return t;
    }
}

/* SQL_DESC_TYPE and SQL_DESC_DATETIME_INTERVAL_CODE for a concise type
 * (the same rule for C and SQL types: their codes coincide). */
static void verbose_of(SQLSMALLINT concise, SQLSMALLINT *type, SQLSMALLINT *code)
{
    switch (concise) {
    case SQL_TYPE_DATE: *type = SQL_DATETIME; *code = SQL_CODE_DATE; return;
    case SQL_TYPE_TIME: *type = SQL_DATETIME; *code = SQL_CODE_TIME; return;
    case SQL_TYPE_TIMESTAMP: *type = SQL_DATETIME; *code = SQL_CODE_TIMESTAMP; return;
    default:
        if (concise >= SQL_INTERVAL_YEAR && concise <= SQL_INTERVAL_MINUTE_TO_SECOND) {
            *type = SQL_INTERVAL;
            *code = (SQLSMALLINT)(concise - 100);
            return;
        }
        *type = concise;
        *code = 0;
    }
}

static int is_time_type(SQLSMALLINT t)
{
    return t == SQL_TYPE_TIME || t == SQL_TYPE_TIMESTAMP;
}

static int is_numeric_type(SQLSMALLINT t)
{
    return t == SQL_DECIMAL || t == SQL_NUMERIC || t == SQL_FLOAT || t == SQL_REAL ||
           t == SQL_DOUBLE;
}

/* Column size and digits of an IPD record, following where ODBC keeps them:
 * PRECISION/SCALE for exact numerics, LENGTH/PRECISION for times, LENGTH and
 * SCALE otherwise. */
static void ipd_size_digits(const desc_rec *r, SQLULEN *size, SQLSMALLINT *digits)
{
    SQLSMALLINT t = r->concise_type;
    if (t == SQL_DECIMAL || t == SQL_NUMERIC) {
        *size = r->precision > 0 ? (SQLULEN)r->precision : r->length;
        *digits = r->scale;
    } else if (is_time_type(t)) {
        *size = r->length;
        *digits = r->precision;
    } else {
        *size = r->length;
        *digits = r->scale;
    }
}

/* ---------- SQLBindParameter -------------------------------------------- */

SQLRETURN odbc_BindParameter(stmt *s, SQLUSMALLINT n, SQLSMALLINT io, SQLSMALLINT ctype,
                             SQLSMALLINT sqltype, SQLULEN size, SQLSMALLINT digits,
                             SQLPOINTER ptr, SQLLEN buflen, SQLLEN *ind)
{
    diag_list *d = &s->hdr.diag;
    if (s->state == ST_NEED_DATA)
        return diag_post(d, "HY010", 0, "Function sequence error (data-at-execution pending)");
    if (n < 1)
        return diag_post(d, "07009", 0, "Invalid descriptor index (parameter %u)", n);
    if (io != SQL_PARAM_INPUT && io != SQL_PARAM_INPUT_OUTPUT && io != SQL_PARAM_OUTPUT)
        return diag_post(d, "HY105", 0, "Invalid parameter type %d", io);
    if (io == SQL_PARAM_OUTPUT)
        return diag_post(d, "HYC00", 0, "Output parameters are not supported (SQLite has none)");
    if (ctype != SQL_C_DEFAULT && !ctype_is_valid(ctype))
        return diag_post(d, "HY003", 0, "Invalid application buffer type %d", ctype);
    if (!sqltype_is_valid(sqltype))
        return diag_post(d, "HY004", 0, "Invalid SQL data type %d", sqltype);
    if (!ptr && !ind)
        return diag_post(d, "HY009", 0, "Invalid use of null pointer (no value and no indicator)");
    if (buflen < 0 && ctype_is_variable(ctype))
        return diag_post(d, "HY090", 0, "Invalid string or buffer length");
    if ((sqltype == SQL_DECIMAL || sqltype == SQL_NUMERIC) &&
        (digits < 0 || (size > 0 && (SQLULEN)digits > size)))
        return diag_post(d, "HY104", 0, "Invalid precision or scale value (%lu, %d)",
                         (unsigned long)size, digits);
    if (digits < 0)
        return diag_post(d, "HY104", 0, "Invalid precision or scale value");

    desc_rec *a = desc_rec_get(s->apd, (SQLSMALLINT)n);
    desc_rec *ip = a ? desc_rec_get(s->ipd, (SQLSMALLINT)n) : NULL;
    if (!a || !ip)
        return diag_post(d, "HY001", 0, "Memory allocation error");

    SQLSMALLINT c = concise_of(ctype);
    a->concise_type = c;
    verbose_of(c, &a->type, &a->datetime_interval_code);
    a->data_ptr = ptr;
    a->octet_length = buflen;
    a->indicator_ptr = ind;
    a->octet_length_ptr = ind;
    if (c == SQL_C_NUMERIC) {
        a->precision = (SQLSMALLINT)size;
        a->scale = digits;
    }

    SQLSMALLINT t = concise_of(sqltype);
    ip->concise_type = t;
    verbose_of(t, &ip->type, &ip->datetime_interval_code);
    ip->length = size;
    ip->precision = is_time_type(t) ? digits : is_numeric_type(t) ? (SQLSMALLINT)size : 0;
    ip->scale = digits;
    ip->parameter_type = io;
    ip->nullable = SQL_NULLABLE;
    return SQL_SUCCESS;
}

/* ---------- where a row's value lives ----------------------------------- */

typedef struct param_loc {
    SQLSMALLINT ctype;
    void *ptr;
    SQLLEN *ind, *len;
} param_loc;

/* Address of the value, indicator and length of parameter `a` in `row`,
 * with row-wise (bind_type = row size) or column-wise binding and the bind
 * offset applied. */
static void locate(const stmt *s, const desc_rec *a, const desc_rec *ip, SQLULEN row,
                   param_loc *out)
{
    const desc *apd = s->apd;
    SQLLEN off = apd->bind_offset_ptr ? *apd->bind_offset_ptr : 0;
    SQLSMALLINT ctype = a->concise_type;
    if (ctype == SQL_C_DEFAULT)
        ctype = conv_default_ctype(ip->concise_type);
    out->ctype = ctype;
    SQLLEN elem, ind_stride;
    if (apd->bind_type != SQL_BIND_BY_COLUMN) {
        elem = ind_stride = apd->bind_type;
    } else {
        elem = ctype_is_variable(ctype) ? a->octet_length : conv_ctype_size(ctype);
        ind_stride = (SQLLEN)sizeof(SQLLEN);
    }
    SQLLEN r = (SQLLEN)row;
    out->ptr = a->data_ptr ? (char *)a->data_ptr + off + r * elem : NULL;
    out->ind = a->indicator_ptr ? (SQLLEN *)((char *)a->indicator_ptr + off + r * ind_stride) : NULL;
    out->len = a->octet_length_ptr ? (SQLLEN *)((char *)a->octet_length_ptr + off + r * ind_stride) : NULL;
}

/* Indicators may sit anywhere in a packed row-wise layout (pyodbc's
 * fast_executemany packs them unaligned): read them byte-wise. */
static SQLLEN read_len(const SQLLEN *p)
{
    SQLLEN v;
    memcpy(&v, p, sizeof v);
    return v;
}

static int is_dae_ind(SQLLEN v)
{
    return v == SQL_DATA_AT_EXEC || v <= SQL_LEN_DATA_AT_EXEC_OFFSET;
}

/* ---------- binding ----------------------------------------------------- */

static int bind_value(sqlite3_stmt *st, int idx, const db_value *v)
{
    switch (v->type) {
    case SQLITE_INTEGER:
        return sqlite3_bind_int64(st, idx, v->i);
    case SQLITE_FLOAT:
        return sqlite3_bind_double(st, idx, v->d);
    case SQLITE_TEXT:
        return sqlite3_bind_text(st, idx, v->p ? (const char *)v->p : "", v->n, SQLITE_TRANSIENT);
    case SQLITE_BLOB:
        if (!v->p || v->n == 0)
            return sqlite3_bind_zeroblob(st, idx, 0);
        return sqlite3_bind_blob(st, idx, v->p, v->n, SQLITE_TRANSIENT);
    default:
        return sqlite3_bind_null(st, idx);
    }
}

SQLRETURN params_check_bound(stmt *s, int first)
{
    int np = sqlite3_bind_parameter_count(s->sst);
    for (int i = 1; i <= np; i++) {
        int n = first + i;
        if (n > s->apd->count || n > s->ipd->count || !s->apd->recs[n].concise_type ||
            !s->ipd->recs[n].concise_type ||
            (!s->apd->recs[n].data_ptr && !s->apd->recs[n].indicator_ptr))
            return diag_post(&s->hdr.diag, "07002", 0,
                             "COUNT field incorrect: parameter %d is not bound", n);
    }
    return SQL_SUCCESS;
}

/*
 * The one walk over the parameters of s->sst for row `row` of the parameter
 * set: locate each value (row-wise or column-wise, bind offset, DAE data),
 * convert it with conv_from_c, and hand it to `sink` (parameter index i is
 * 1-based within s->sst; ODBC number first + i). Binding to SQLite
 * (params_bind_row) and collecting Hrana arguments (forward.c) are two sinks
 * of this walk, so both see exactly the same conversion.
 */
SQLRETURN params_walk_row(stmt *s, SQLULEN row, int first, params_sink sink, void *ctx)
{
    sqlite3_stmt *st = s->sst;
    int np = sqlite3_bind_parameter_count(st);
    SQLLEN diag_row = s->apd->array_size > 1 ? (SQLLEN)row + 1 : SQL_NO_ROW_NUMBER;
    SQLRETURN ret = SQL_SUCCESS;
    for (int i = 1; i <= np; i++) {
        int n = first + i;
        const desc_rec *a = &s->apd->recs[n];
        const desc_rec *ip = &s->ipd->recs[n];
        SQLULEN size;
        SQLSMALLINT digits;
        ipd_size_digits(ip, &size, &digits);
        param_loc loc;
        locate(s, a, ip, row, &loc);

        const void *ptr = loc.ptr;
        SQLLEN buflen = a->octet_length;
        SQLLEN len_ind = SQL_NTS;
        SQLLEN indv = loc.ind ? read_len(loc.ind) : 0;
        if (loc.ind && (indv == SQL_NULL_DATA || indv == SQL_DEFAULT_PARAM)) {
            len_ind = SQL_NULL_DATA;
        } else if (loc.ind && is_dae_ind(indv)) {
            struct dae_buf *b = (s->dae && n <= s->n_dae) ? &s->dae[n - 1] : NULL;
            if (!b || b->is_null || !b->given) {
                len_ind = SQL_NULL_DATA;
            } else {
                ptr = b->data ? b->data : "";
                buflen = b->len;
                len_ind = b->len;
            }
        } else if (loc.len) {
            len_ind = read_len(loc.len);
        } else if (loc.ctype == SQL_C_BINARY) {
            len_ind = buflen; /* no length: the whole buffer */
        }

        /* Conversions read typed values: give them an aligned copy when the
         * application's buffer is not aligned (packed row-wise layouts). */
        union { SQLBIGINT i; double d; SQL_NUMERIC_STRUCT n; SQL_TIMESTAMP_STRUCT ts;
                SQLGUID g; SQL_INTERVAL_STRUCT iv; } aligned;
        char *wcopy = NULL;
        if (ptr && len_ind != SQL_NULL_DATA && ((uintptr_t)ptr % sizeof(SQLBIGINT)) != 0) {
            SQLLEN fixed = conv_ctype_size(loc.ctype);
            if (fixed > 0 && (size_t)fixed <= sizeof aligned) {
                memcpy(&aligned, ptr, (size_t)fixed);
                ptr = &aligned;
            } else if (loc.ctype == SQL_C_WCHAR && ((uintptr_t)ptr % sizeof(SQLWCHAR)) != 0) {
                SQLLEN nbytes = len_ind >= 0 ? len_ind : buflen;
                if (len_ind == SQL_NTS) {
                    nbytes = 0; /* find the terminator byte-wise */
                    while ((buflen <= 0 || nbytes + 1 < buflen) &&
                           (((const char *)ptr)[nbytes] || ((const char *)ptr)[nbytes + 1]))
                        nbytes += 2;
                    len_ind = nbytes;
                }
                wcopy = malloc((size_t)nbytes + 2);
                if (!wcopy)
                    return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
                memcpy(wcopy, ptr, (size_t)nbytes);
                wcopy[nbytes] = wcopy[nbytes + 1] = 0;
                ptr = wcopy;
            }
        }

        param_value pv;
        memset(&pv, 0, sizeof pv);
        SQLRETURN rc;
        if (len_ind == SQL_NULL_DATA) {
            pv.v.type = SQLITE_NULL;
            rc = SQL_SUCCESS;
        } else {
            rc = conv_from_c(&s->hdr.diag, loc.ctype, ip->concise_type, size, digits, ptr,
                             buflen, len_ind, &pv, diag_row, n);
        }
        if (!SQL_SUCCEEDED(rc)) {
            param_value_free(&pv);
            free(wcopy);
            return rc;
        }
        if (rc == SQL_SUCCESS_WITH_INFO)
            ret = rc;
        SQLRETURN src = sink(s, i, n, diag_row, &pv.v, ctx);
        param_value_free(&pv);
        free(wcopy);
        if (!SQL_SUCCEEDED(src))
            return src;
    }
    return ret;
}

static SQLRETURN bind_sink(stmt *s, int i, int param_no, SQLLEN diag_row, const db_value *v,
                           void *ctx)
{
    (void)ctx;
    int brc = bind_value(s->sst, i, v);
    if (brc == SQLITE_OK)
        return SQL_SUCCESS;
    if (brc == SQLITE_TOOBIG)
        return diag_post_at(&s->hdr.diag, diag_row, param_no, "22001", brc,
                            "String data, right truncated (value too big for SQLite)");
    return diag_post_sqlite(&s->hdr.diag, s->dbc->sqlite, brc);
}

SQLRETURN params_bind_row(stmt *s, SQLULEN row, int first)
{
    return params_walk_row(s, row, first, bind_sink, NULL);
}

/* ---------- SQLNumParams / SQLDescribeParam ----------------------------- */

/* Parameters of the whole statement text: a batch ("a; b") numbers them
 * across its statements. Only a batch pays for preparing the others. */
static int total_params(stmt *s)
{
    int n = sqlite3_bind_parameter_count(s->sst);
    if (!s->sql || !s->sql_next)
        return n;
    const char *txt = sqlite3_sql(s->sst);
    int single = txt && (size_t)(s->sql_next - s->sql) == strlen(txt) &&
                 !sqltext_has_statement(s->sql_next);
    return single ? n : exec_params_before(s, s->sql + strlen(s->sql));
}

SQLRETURN odbc_NumParams(stmt *s, SQLSMALLINT *count)
{
    if (s->state == ST_NEED_DATA || !s->sst)
        return diag_post(&s->hdr.diag, "HY010", 0, "Function sequence error (no prepared statement)");
    if (count)
        *count = (SQLSMALLINT)total_params(s);
    return SQL_SUCCESS;
}

/*
 * SQLite does not know parameter types (a `?` compared with a column is
 * still untyped), so a parameter the application has not described is
 * reported as SQL_VARCHAR(255), nullable: every C type converts to it.
 */
SQLRETURN odbc_DescribeParam(stmt *s, SQLUSMALLINT n, SQLSMALLINT *type, SQLULEN *size,
                             SQLSMALLINT *digits, SQLSMALLINT *nullable)
{
    if (s->state == ST_NEED_DATA || !s->sst)
        return diag_post(&s->hdr.diag, "HY010", 0, "Function sequence error (no prepared statement)");
    int np = total_params(s);
    if (n < 1 || n > np)
        return diag_post(&s->hdr.diag, "07009", 0, "Invalid descriptor index (parameter %u of %d)", n, np);
    SQLSMALLINT t = SQL_VARCHAR;
    SQLULEN sz = 255;
    SQLSMALLINT dg = 0;
    if (n <= s->ipd->count && s->ipd->recs[n].concise_type) {
        const desc_rec *ip = &s->ipd->recs[n];
        t = ip->concise_type;
        ipd_size_digits(ip, &sz, &dg);
    }
    if (type)
        *type = t;
    if (size)
        *size = sz;
    if (digits)
        *digits = dg;
    if (nullable)
        *nullable = SQL_NULLABLE;
    return SQL_SUCCESS;
}

/* ---------- data at execution ------------------------------------------- */

int params_next_dae(stmt *s, int after)
{
    if (!s->sst)
        return 0;
    int np = sqlite3_bind_parameter_count(s->sst);
    for (int n = after + 1; n <= np && n <= s->apd->count; n++) {
        const desc_rec *a = &s->apd->recs[n];
        if (!a->indicator_ptr || n > s->ipd->count)
            continue;
        param_loc loc;
        locate(s, a, &s->ipd->recs[n], s->dae_row, &loc);
        if (loc.ind && is_dae_ind(read_len(loc.ind)))
            return n;
    }
    return 0;
}

void params_free_dae(stmt *s)
{
    if (s->dae) {
        for (int i = 0; i < s->n_dae; i++)
            free(s->dae[i].data);
        free(s->dae);
    }
    s->dae = NULL;
    s->n_dae = 0;
    s->dae_param = 0;
    s->dae_row = 0;
}

SQLRETURN odbc_ParamData(stmt *s, SQLPOINTER *value)
{
    if (s->state != ST_NEED_DATA)
        return diag_post(&s->hdr.diag, "HY010", 0, "Function sequence error (no data-at-execution parameter pending)");
    if (!s->dae) {
        int np = sqlite3_bind_parameter_count(s->sst);
        s->dae = calloc((size_t)(np > 0 ? np : 1), sizeof *s->dae);
        if (!s->dae)
            return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
        s->n_dae = np;
    }
    int next = params_next_dae(s, s->dae_param);
    if (next) {
        s->dae_param = next;
        param_loc loc;
        locate(s, &s->apd->recs[next], &s->ipd->recs[next], s->dae_row, &loc);
        if (value)
            *value = loc.ptr; /* the application's token for this parameter */
        return SQL_NEED_DATA;
    }
    s->dae_param = 0;
    return exec_after_params(s);
}

SQLRETURN odbc_PutData(stmt *s, SQLPOINTER data, SQLLEN len)
{
    diag_list *d = &s->hdr.diag;
    if (s->state != ST_NEED_DATA || s->dae_param == 0 || !s->dae)
        return diag_post(d, "HY010", 0, "Function sequence error (SQLParamData must name a parameter first)");
    int n = s->dae_param;
    struct dae_buf *b = &s->dae[n - 1];
    param_loc loc;
    locate(s, &s->apd->recs[n], &s->ipd->recs[n], s->dae_row, &loc);

    if (len == SQL_NULL_DATA) {
        if (b->given && !b->is_null)
            return diag_post(d, "HY020", 0, "Attempt to concatenate a null value");
        b->is_null = 1;
        b->given = 1;
        return SQL_SUCCESS;
    }
    if (b->is_null)
        return diag_post(d, "HY020", 0, "Attempt to concatenate a null value");
    if (!data && len != 0)
        return diag_post(d, "HY009", 0, "Invalid use of null pointer");

    SQLLEN nbytes;
    if (ctype_is_variable(loc.ctype)) {
        if (len == SQL_NTS) {
            if (loc.ctype == SQL_C_WCHAR) {
                const SQLWCHAR *w = data;
                SQLLEN k = 0;
                while (w[k])
                    k++;
                nbytes = k * (SQLLEN)sizeof(SQLWCHAR);
            } else if (loc.ctype == SQL_C_CHAR) {
                nbytes = (SQLLEN)strlen(data);
            } else {
                return diag_post(d, "HY090", 0, "Invalid string or buffer length");
            }
        } else if (len < 0) {
            return diag_post(d, "HY090", 0, "Invalid string or buffer length");
        } else {
            nbytes = len;
        }
    } else {
        /* Fixed-size C types come in one piece. */
        if (b->given)
            return diag_post(d, "HY019", 0, "Non-character and non-binary data sent in pieces");
        nbytes = conv_ctype_size(loc.ctype);
        if (nbytes <= 0)
            nbytes = len > 0 ? len : 0;
    }
    if (b->len + nbytes + 2 > b->cap) {
        SQLLEN cap = b->cap ? b->cap : 64;
        while (cap < b->len + nbytes + 2)
            cap *= 2;
        char *p = realloc(b->data, (size_t)cap);
        if (!p)
            return diag_post(d, "HY001", 0, "Memory allocation error");
        b->data = p;
        b->cap = cap;
    }
    if (nbytes)
        memcpy(b->data + b->len, data, (size_t)nbytes);
    b->len += nbytes;
    b->data[b->len] = 0; /* keep a NUL (two for UTF-16) after the bytes */
    b->data[b->len + 1] = 0;
    b->given = 1;
    return SQL_SUCCESS;
}
