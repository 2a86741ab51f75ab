/*
 * api_w.c — the exported wide (UTF-16) ODBC entry points. Each is a thin
 * wrapper over the SAME internal odbc_* function the ANSI entry point in
 * api.c calls, so the two APIs cannot drift apart: validate and lock the
 * handle, clear its diagnostics, convert input strings UTF-16 -> UTF-8, call,
 * convert output strings UTF-8 -> UTF-16, record the return code, unlock.
 *
 * Output strings: the internal function writes UTF-8 into a temporary buffer.
 * When the UTF-8 does not fit, the getter is called once more with a buffer
 * of the exact size (getters are idempotent), and the 01004 record the first
 * attempt posted is dropped, so the full string is always known. It is then
 * converted to UTF-16, as much as fits is copied (NUL-terminated, never
 * splitting a surrogate pair) and the full length is reported in the unit
 * the function uses: characters for SQLDescribeColW, SQLGetDiagRecW,
 * SQLGetCursorNameW, SQLNativeSqlW, SQLDriverConnectW, SQLGetDescRecW;
 * bytes for SQLGetInfoW, SQLGet{Connect,Stmt}AttrW, SQLColAttributeW,
 * SQLGetDiagFieldW, SQLGetDescFieldW. Truncation posts 01004 (except in the
 * SQLGetDiag* functions, which must not add records to what they read).
 *
 * SQLConnectW / SQLDriverConnectW mark the connection as a Unicode
 * application before connecting, so text columns are described as
 * SQL_WVARCHAR (unless the DSN says NoWCHAR=1).
 */
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "api.h"

/* The library is built with hidden visibility; like api.c, this file makes
 * its SQL*W entry points public (static helpers stay local regardless). */
#pragma GCC visibility push(default)


/* Largest string a SQLSMALLINT length can describe. */
#define SMALL_MAX 32767

static SQLRETURN no_memory(handle_hdr *h)
{
    return diag_post(&h->diag, "HY001", 0, "Memory allocation error");
}

/* ---------- input strings ---------------------------------------------- */

/* One converted input string. `s` is NULL when the application passed NULL
 * (catalog functions distinguish NULL from ""). */
typedef struct w_in {
    char *s;
    SQLLEN len;          /* bytes of UTF-8 */
} w_in;

/* Convert (ws, len16) — len16 in characters or SQL_NTS — to UTF-8.
 * Returns SQL_SUCCESS, or SQL_ERROR after posting HY090 (bad length) or
 * HY001 (out of memory). */
static SQLRETURN in_conv(handle_hdr *h, const SQLWCHAR *ws, SQLLEN len16, w_in *out)
{
    out->s = NULL;
    out->len = 0;
    if (ws == NULL)
        return SQL_SUCCESS;
    if (len16 < 0 && len16 != SQL_NTS)
        return diag_post(&h->diag, "HY090", 0, "Invalid string or buffer length");
    out->s = utf16_to_utf8(ws, len16, &out->len);
    if (!out->s)
        return no_memory(h);
    return SQL_SUCCESS;
}

/* SQLSMALLINT length to hand the internal function for a converted input. */
static SQLSMALLINT small_len(const w_in *w)
{
    return w->s && w->len <= SMALL_MAX ? (SQLSMALLINT)w->len : SQL_NTS;
}

/* Byte lengths (SQLSetConnectAttrW, SQLSetDescFieldW) -> characters. */
static SQLLEN bytes_to_chars(SQLLEN len)
{
    return len == SQL_NTS ? SQL_NTS : (len < 0 ? len : len / (SQLLEN)sizeof(SQLWCHAR));
}

/* ---------- output strings --------------------------------------------- */

/* An internal getter bound to its arguments: writes UTF-8 into buf (cap
 * bytes, including the NUL) and the full length in bytes into *len8. */
typedef SQLRETURN (*u8_getter)(void *ctx, char *buf, SQLLEN cap, SQLLEN *len8);

/* Drop the records posted after the first `keep` (a probe's 01004). */
static void diag_keep(diag_list *d, int keep)
{
    while (d->count > keep) {
        d->count--;
        free(d->recs[d->count].message);
        d->recs[d->count].message = NULL;
    }
}

/* Run `fn` until the whole UTF-8 string is known. *out gets it (malloc'd,
 * NULL when the call failed). max_cap bounds the buffer (SQLSMALLINT
 * lengths). h may be NULL (diagnostic getters do not post). */
static SQLRETURN fetch_u8(handle_hdr *h, u8_getter fn, void *ctx, SQLLEN first_cap,
                          SQLLEN max_cap, char **out)
{
    *out = NULL;
    SQLLEN cap = first_cap < 256 ? 256 : first_cap;
    if (cap > max_cap)
        cap = max_cap;
    int keep = h ? h->diag.count : 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        char *buf = calloc(1, (size_t)cap);
        if (!buf)
            return h ? no_memory(h) : SQL_ERROR;
        SQLLEN len8 = 0;
        SQLRETURN rc = fn(ctx, buf, cap, &len8);
        if (!SQL_SUCCEEDED(rc)) {
            free(buf);
            return rc;
        }
        if (len8 < cap || attempt == 1 || cap >= max_cap) {
            if (h && len8 >= cap)   /* cannot grow further: keep its 01004 */
                keep = h->diag.count;
            if (h)
                diag_keep(&h->diag, keep);
            *out = buf;
            return rc;
        }
        free(buf);
        if (h)
            diag_keep(&h->diag, keep);
        cap = len8 + 1 > max_cap ? max_cap : len8 + 1;
    }
    return SQL_ERROR; /* not reached */
}

/* Copy UTF-8 `s` into the wide buffer (cap_units counting the NUL; buf may
 * be NULL). Returns the full length in UTF-16 units; *truncated is set when
 * buf was given and the string (with its NUL) did not fit. */
static SQLLEN wide_copy(const char *s, SQLWCHAR *buf, SQLLEN cap_units, int *truncated)
{
    SQLLEN full = utf8_to_utf16(s ? s : "", -1, (buf && cap_units > 0) ? buf : NULL,
                                cap_units);
    *truncated = buf != NULL && full >= cap_units;
    return full;
}

/* Finish a wide string output: copy, set the length (in characters when
 * in_bytes is 0, else in bytes), post 01004 on truncation when h != NULL.
 * rc is the internal call's code; the worse of the two is returned. */
static SQLRETURN wide_out(handle_hdr *h, SQLRETURN rc, const char *s, SQLWCHAR *buf,
                          SQLLEN cap_units, int in_bytes, SQLLEN *full_len)
{
    int truncated;
    SQLLEN full = wide_copy(s, buf, cap_units, &truncated);
    *full_len = in_bytes ? full * (SQLLEN)sizeof(SQLWCHAR) : full;
    if (truncated) {
        if (h)
            diag_post(&h->diag, "01004", 0, "String data, right truncated");
        return rc == SQL_ERROR ? rc : SQL_SUCCESS_WITH_INFO;
    }
    return rc;
}

/* A negative capacity for a buffer that was given is HY090 (the SQLGetDiag*
 * functions, h == NULL, just return SQL_ERROR). Returns 1 when bad. */
static int bad_buflen(handle_hdr *h, const void *buf, SQLLEN buflen, SQLRETURN *rc)
{
    if (buf == NULL || buflen >= 0)
        return 0;
    *rc = h ? diag_post(&h->diag, "HY090", 0, "Invalid string or buffer length") : SQL_ERROR;
    return 1;
}

static void set_small(SQLSMALLINT *p, SQLLEN v)
{
    if (p)
        *p = (SQLSMALLINT)(v > SMALL_MAX ? SMALL_MAX : v);
}

static void set_int(SQLINTEGER *p, SQLLEN v)
{
    if (p)
        *p = (SQLINTEGER)v;
}

/* Units a caller's buffer holds, from a byte length. */
static SQLLEN units_of_bytes(SQLLEN bytes)
{
    return bytes > 0 ? bytes / (SQLLEN)sizeof(SQLWCHAR) : 0;
}

/* ---------- which fields are strings ------------------------------------ */

static int diag_field_is_string(SQLSMALLINT f)
{
    switch (f) {
    case SQL_DIAG_CLASS_ORIGIN: case SQL_DIAG_SUBCLASS_ORIGIN:
    case SQL_DIAG_CONNECTION_NAME: case SQL_DIAG_MESSAGE_TEXT:
    case SQL_DIAG_SERVER_NAME: case SQL_DIAG_SQLSTATE: case SQL_DIAG_DYNAMIC_FUNCTION:
        return 1;
    default:
        return 0;
    }
}

/* Descriptor / column-attribute fields holding strings (the ODBC 2
 * SQL_COLUMN_NAME included: unixODBC may pass it through). */
static int desc_field_is_string(SQLSMALLINT f)
{
    switch (f) {
    case SQL_DESC_BASE_COLUMN_NAME: case SQL_DESC_BASE_TABLE_NAME:
    case SQL_DESC_CATALOG_NAME: case SQL_DESC_LABEL: case SQL_DESC_LITERAL_PREFIX:
    case SQL_DESC_LITERAL_SUFFIX: case SQL_DESC_LOCAL_TYPE_NAME: case SQL_DESC_NAME:
    case SQL_DESC_SCHEMA_NAME: case SQL_DESC_TABLE_NAME: case SQL_DESC_TYPE_NAME:
    case SQL_COLUMN_NAME:
        return 1;
    default:
        return 0;
    }
}

static int connect_attr_is_string(SQLINTEGER a)
{
    return a == SQL_ATTR_CURRENT_CATALOG || a == SQL_ATTR_TRACEFILE ||
           a == SQL_ATTR_TRANSLATE_LIB;
}

/* ---------- diagnostics (read, never clear) ----------------------------- */

typedef struct diag_rec_ctx {
    SQLSMALLINT type, recno;
    SQLHANDLE h;
    char state[6];
    SQLINTEGER native;
} diag_rec_ctx;

static SQLRETURN get_diag_rec(void *p, char *buf, SQLLEN cap, SQLLEN *len8)
{
    diag_rec_ctx *x = p;
    SQLSMALLINT n = 0;
    SQLRETURN rc = odbc_GetDiagRec(x->type, x->h, x->recno, (SQLCHAR *)x->state, &x->native,
                                   (SQLCHAR *)buf, (SQLSMALLINT)cap, &n);
    *len8 = n;
    return rc;
}

SQLRETURN SQL_API SQLGetDiagRecW(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT recno,
                                 SQLWCHAR *state, SQLINTEGER *native, SQLWCHAR *msg,
                                 SQLSMALLINT buflen, SQLSMALLINT *textlen)
{
    handle_hdr *hh = handle_hdr_of(type, h);
    if (!hh)
        return SQL_INVALID_HANDLE;
    handle_lock(hh);
    diag_rec_ctx x = { type, recno, h, "", 0 };
    char *text = NULL;
    SQLRETURN rc;
    if (bad_buflen(NULL, msg, buflen, &rc)) {
        handle_unlock(hh);
        return rc;
    }
    rc = fetch_u8(NULL, get_diag_rec, &x, (SQLLEN)buflen * 3 + 1, SMALL_MAX, &text);
    if (SQL_SUCCEEDED(rc)) {
        if (state)
            utf8_to_utf16(x.state, -1, state, 6);
        if (native)
            *native = x.native;
        SQLLEN full;
        rc = wide_out(NULL, rc, text, msg, buflen, 0, &full);
        set_small(textlen, full);
    }
    free(text);
    handle_unlock(hh);
    return rc;
}

typedef struct diag_field_ctx {
    SQLSMALLINT type, recno, field;
    SQLHANDLE h;
} diag_field_ctx;

static SQLRETURN get_diag_field(void *p, char *buf, SQLLEN cap, SQLLEN *len8)
{
    diag_field_ctx *x = p;
    SQLSMALLINT n = 0;
    SQLRETURN rc = odbc_GetDiagField(x->type, x->h, x->recno, x->field, buf,
                                     (SQLSMALLINT)cap, &n);
    *len8 = n;
    return rc;
}

SQLRETURN SQL_API SQLGetDiagFieldW(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT recno,
                                   SQLSMALLINT field, SQLPOINTER info, SQLSMALLINT buflen,
                                   SQLSMALLINT *strlen)
{
    handle_hdr *hh = handle_hdr_of(type, h);
    if (!hh)
        return SQL_INVALID_HANDLE;
    handle_lock(hh);
    SQLRETURN rc;
    if (!diag_field_is_string(field)) {
        rc = odbc_GetDiagField(type, h, recno, field, info, buflen, strlen);
    } else {
        diag_field_ctx x = { type, recno, field, h };
        char *text = NULL;
        if (!bad_buflen(NULL, info, buflen, &rc))
            rc = fetch_u8(NULL, get_diag_field, &x, units_of_bytes(buflen) * 3 + 1, SMALL_MAX,
                      &text);
        if (SQL_SUCCEEDED(rc)) {
            SQLLEN full;
            rc = wide_out(NULL, rc, text, info, units_of_bytes(buflen), 1, &full);
            set_small(strlen, full);
        }
        free(text);
    }
    handle_unlock(hh);
    return rc;
}

/* ---------- connections ------------------------------------------------- */

static SQLRETURN connect_w(dbc *c, SQLWCHAR *dsn, SQLSMALLINT dsnlen, SQLWCHAR *uid,
                           SQLSMALLINT uidlen, SQLWCHAR *pwd, SQLSMALLINT pwdlen)
{
    w_in d, u, p;
    SQLRETURN rc = in_conv(&c->hdr, dsn, dsnlen, &d);
    if (rc == SQL_SUCCESS && (rc = in_conv(&c->hdr, uid, uidlen, &u)) != SQL_SUCCESS)
        free(d.s);
    if (rc == SQL_SUCCESS && (rc = in_conv(&c->hdr, pwd, pwdlen, &p)) != SQL_SUCCESS) {
        free(d.s);
        free(u.s);
    }
    if (rc != SQL_SUCCESS)
        return rc;
    c->unicode_app = 1;  /* before connecting: column types depend on it */
    rc = odbc_Connect(c, (SQLCHAR *)d.s, small_len(&d), (SQLCHAR *)u.s, small_len(&u),
                      (SQLCHAR *)p.s, small_len(&p));
    free(d.s);
    free(u.s);
    if (p.s) {
        memset(p.s, 0, (size_t)p.len);   /* do not leave the password in the heap */
        free(p.s);
    }
    return rc;
}

SQLRETURN SQL_API SQLConnectW(SQLHDBC h, SQLWCHAR *dsn, SQLSMALLINT dsnlen, SQLWCHAR *uid,
                              SQLSMALLINT uidlen, SQLWCHAR *pwd, SQLSMALLINT pwdlen)
{
    DBC_API(h, connect_w(c, dsn, dsnlen, uid, uidlen, pwd, pwdlen));
}

/* SQLDriverConnect is not idempotent (it connects), so it is called once
 * with the largest buffer its SQLSMALLINT length allows. */
static SQLRETURN driver_connect_w(dbc *c, SQLHWND hwnd, SQLWCHAR *in, SQLSMALLINT inlen,
                                  SQLWCHAR *out, SQLSMALLINT outmax, SQLSMALLINT *outlen,
                                  SQLUSMALLINT completion)
{
    w_in w;
    SQLRETURN rc;
    if (bad_buflen(&c->hdr, out, outmax, &rc))
        return rc;
    rc = in_conv(&c->hdr, in, inlen, &w);
    if (rc != SQL_SUCCESS)
        return rc;
    char *buf = calloc(1, SMALL_MAX + 1);
    if (!buf) {
        free(w.s);
        return no_memory(&c->hdr);
    }
    c->unicode_app = 1;  /* before connecting: column types depend on it */
    SQLSMALLINT n = 0;
    rc = odbc_DriverConnect(c, hwnd, (SQLCHAR *)w.s, small_len(&w), (SQLCHAR *)buf,
                            SMALL_MAX, &n, completion);
    if (SQL_SUCCEEDED(rc)) {
        SQLLEN full;
        rc = wide_out(&c->hdr, rc, buf, out, outmax, 0, &full);
        set_small(outlen, full);
    }
    if (w.s) {
        memset(w.s, 0, (size_t)w.len);   /* may hold AuthToken / EncryptionKey */
        free(w.s);
    }
    memset(buf, 0, SMALL_MAX + 1);
    free(buf);
    return rc;
}

SQLRETURN SQL_API SQLDriverConnectW(SQLHDBC h, SQLHWND hwnd, SQLWCHAR *in, SQLSMALLINT inlen,
                                    SQLWCHAR *out, SQLSMALLINT outmax, SQLSMALLINT *outlen,
                                    SQLUSMALLINT completion)
{
    DBC_API(h, driver_connect_w(c, hwnd, in, inlen, out, outmax, outlen, completion));
}

/* ---------- attributes -------------------------------------------------- */

static SQLRETURN set_connect_attr_w(dbc *c, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER len)
{
    if (!connect_attr_is_string(attr) || val == NULL)
        return odbc_SetConnectAttr(c, attr, val, len);
    w_in w;
    SQLRETURN rc = in_conv(&c->hdr, val, bytes_to_chars(len), &w);
    if (rc != SQL_SUCCESS)
        return rc;
    rc = odbc_SetConnectAttr(c, attr, w.s, SQL_NTS);
    free(w.s);
    return rc;
}

SQLRETURN SQL_API SQLSetConnectAttrW(SQLHDBC h, SQLINTEGER attr, SQLPOINTER val,
                                     SQLINTEGER len)
{
    DBC_API(h, set_connect_attr_w(c, attr, val, len));
}

typedef struct connect_attr_ctx {
    dbc *c;
    SQLINTEGER attr;
} connect_attr_ctx;

static SQLRETURN get_connect_attr(void *p, char *buf, SQLLEN cap, SQLLEN *len8)
{
    connect_attr_ctx *x = p;
    SQLINTEGER n = 0;
    SQLRETURN rc = odbc_GetConnectAttr(x->c, x->attr, buf, (SQLINTEGER)cap, &n);
    *len8 = n;
    return rc;
}

static SQLRETURN get_connect_attr_w(dbc *c, SQLINTEGER attr, SQLPOINTER val,
                                    SQLINTEGER buflen, SQLINTEGER *len)
{
    if (!connect_attr_is_string(attr))
        return odbc_GetConnectAttr(c, attr, val, buflen, len);
    connect_attr_ctx x = { c, attr };
    char *text;
    SQLRETURN rc;
    if (bad_buflen(&c->hdr, val, buflen, &rc))
        return rc;
    rc = fetch_u8(&c->hdr, get_connect_attr, &x, units_of_bytes(buflen) * 3 + 1,
                            1 << 20, &text);
    if (SQL_SUCCEEDED(rc)) {
        SQLLEN full;
        rc = wide_out(&c->hdr, rc, text, val, units_of_bytes(buflen), 1, &full);
        set_int(len, full);
    }
    free(text);
    return rc;
}

SQLRETURN SQL_API SQLGetConnectAttrW(SQLHDBC h, SQLINTEGER attr, SQLPOINTER val,
                                     SQLINTEGER buflen, SQLINTEGER *len)
{
    DBC_API(h, get_connect_attr_w(c, attr, val, buflen, len));
}

/* No statement attribute holds a string, so these only differ from the
 * ANSI ones in name. */
SQLRETURN SQL_API SQLSetStmtAttrW(SQLHSTMT h, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER len)
{
    STMT_API(h, odbc_SetStmtAttr(s, attr, val, len));
}

SQLRETURN SQL_API SQLGetStmtAttrW(SQLHSTMT h, SQLINTEGER attr, SQLPOINTER val,
                                  SQLINTEGER buflen, SQLINTEGER *len)
{
    STMT_API(h, odbc_GetStmtAttr(s, attr, val, buflen, len));
}

static SQLRETURN set_cursor_name_w(stmt *s, SQLWCHAR *name, SQLSMALLINT len)
{
    if (!name)
        return api_null_ptr(&s->hdr);
    w_in w;
    SQLRETURN rc = in_conv(&s->hdr, name, len, &w);
    if (rc != SQL_SUCCESS)
        return rc;
    rc = odbc_SetCursorName(s, (SQLCHAR *)w.s, small_len(&w));
    free(w.s);
    return rc;
}

SQLRETURN SQL_API SQLSetCursorNameW(SQLHSTMT h, SQLWCHAR *name, SQLSMALLINT len)
{
    STMT_API(h, set_cursor_name_w(s, name, len));
}

static SQLRETURN get_cursor_name(void *p, char *buf, SQLLEN cap, SQLLEN *len8)
{
    SQLSMALLINT n = 0;
    SQLRETURN rc = odbc_GetCursorName(p, (SQLCHAR *)buf, (SQLSMALLINT)cap, &n);
    *len8 = n;
    return rc;
}

static SQLRETURN get_cursor_name_w(stmt *s, SQLWCHAR *name, SQLSMALLINT buflen,
                                   SQLSMALLINT *len)
{
    char *text;
    SQLRETURN rc;
    if (bad_buflen(&s->hdr, name, buflen, &rc))
        return rc;
    rc = fetch_u8(&s->hdr, get_cursor_name, s, (SQLLEN)buflen * 3 + 1, SMALL_MAX,
                            &text);
    if (SQL_SUCCEEDED(rc)) {
        SQLLEN full;
        rc = wide_out(&s->hdr, rc, text, name, buflen, 0, &full);
        set_small(len, full);
    }
    free(text);
    return rc;
}

SQLRETURN SQL_API SQLGetCursorNameW(SQLHSTMT h, SQLWCHAR *name, SQLSMALLINT buflen,
                                    SQLSMALLINT *len)
{
    STMT_API(h, get_cursor_name_w(s, name, buflen, len));
}

/* ---------- information ------------------------------------------------- */

typedef struct info_ctx {
    dbc *c;
    SQLUSMALLINT type;
} info_ctx;

static SQLRETURN get_info(void *p, char *buf, SQLLEN cap, SQLLEN *len8)
{
    info_ctx *x = p;
    SQLSMALLINT n = 0;
    SQLRETURN rc = odbc_GetInfo(x->c, x->type, buf, (SQLSMALLINT)cap, &n);
    *len8 = n;
    return rc;
}

static SQLRETURN get_info_w(dbc *c, SQLUSMALLINT type, SQLPOINTER val, SQLSMALLINT buflen,
                            SQLSMALLINT *len)
{
    if (!info_type_is_string(type))
        return odbc_GetInfo(c, type, val, buflen, len);
    info_ctx x = { c, type };
    char *text;
    SQLRETURN rc;
    if (bad_buflen(&c->hdr, val, buflen, &rc))
        return rc;
    rc = fetch_u8(&c->hdr, get_info, &x, units_of_bytes(buflen) * 3 + 1, SMALL_MAX,
                            &text);
    if (SQL_SUCCEEDED(rc)) {
        SQLLEN full;
        rc = wide_out(&c->hdr, rc, text, val, units_of_bytes(buflen), 1, &full);
        set_small(len, full);
    }
    free(text);
    return rc;
}

SQLRETURN SQL_API SQLGetInfoW(SQLHDBC h, SQLUSMALLINT type, SQLPOINTER val,
                              SQLSMALLINT buflen, SQLSMALLINT *len)
{
    DBC_API(h, get_info_w(c, type, val, buflen, len));
}

/* ---------- SQL text ---------------------------------------------------- */

static SQLRETURN prepare_w(stmt *s, SQLWCHAR *sql, SQLINTEGER len, int direct)
{
    if (!sql)
        return api_null_ptr(&s->hdr);
    w_in w;
    SQLRETURN rc = in_conv(&s->hdr, sql, len, &w);
    if (rc != SQL_SUCCESS)
        return rc;
    rc = direct ? odbc_ExecDirect(s, (SQLCHAR *)w.s, (SQLINTEGER)w.len)
                : odbc_Prepare(s, (SQLCHAR *)w.s, (SQLINTEGER)w.len);
    free(w.s);
    return rc;
}

SQLRETURN SQL_API SQLPrepareW(SQLHSTMT h, SQLWCHAR *sql, SQLINTEGER len)
{
    STMT_API(h, prepare_w(s, sql, len, 0));
}

SQLRETURN SQL_API SQLExecDirectW(SQLHSTMT h, SQLWCHAR *sql, SQLINTEGER len)
{
    STMT_API(h, prepare_w(s, sql, len, 1));
}

typedef struct native_ctx {
    dbc *c;
    const char *in;
    SQLINTEGER inlen;
} native_ctx;

static SQLRETURN get_native(void *p, char *buf, SQLLEN cap, SQLLEN *len8)
{
    native_ctx *x = p;
    SQLINTEGER n = 0;
    SQLRETURN rc = odbc_NativeSql(x->c, (const SQLCHAR *)x->in, x->inlen, (SQLCHAR *)buf,
                                  (SQLINTEGER)cap, &n);
    *len8 = n;
    return rc;
}

static SQLRETURN native_sql_w(dbc *c, SQLWCHAR *in, SQLINTEGER inlen, SQLWCHAR *out,
                              SQLINTEGER outmax, SQLINTEGER *outlen)
{
    if (!in)
        return api_null_ptr(&c->hdr);
    w_in w;
    SQLRETURN rc;
    if (bad_buflen(&c->hdr, out, outmax, &rc))
        return rc;
    rc = in_conv(&c->hdr, in, inlen, &w);
    if (rc != SQL_SUCCESS)
        return rc;
    native_ctx x = { c, w.s, (SQLINTEGER)w.len };
    char *text;
    /* The translation may be longer than the input ({fn} rewrites); the
     * first guess is sized from the input, not from the caller's buffer
     * (which may claim gigabytes), and the retry gets the exact size. */
    rc = fetch_u8(&c->hdr, get_native, &x, w.len * 2 + 64, 1 << 30, &text);
    if (SQL_SUCCEEDED(rc)) {
        SQLLEN full;
        rc = wide_out(&c->hdr, rc, text, out, outmax, 0, &full);
        set_int(outlen, full);
    }
    free(text);
    free(w.s);
    return rc;
}

SQLRETURN SQL_API SQLNativeSqlW(SQLHDBC h, SQLWCHAR *in, SQLINTEGER inlen, SQLWCHAR *out,
                                SQLINTEGER outmax, SQLINTEGER *outlen)
{
    DBC_API(h, native_sql_w(c, in, inlen, out, outmax, outlen));
}

/* ---------- result columns ---------------------------------------------- */

typedef struct describe_ctx {
    stmt *s;
    SQLUSMALLINT col;
    SQLSMALLINT *type, *digits, *nullable;
    SQLULEN *size;
} describe_ctx;

static SQLRETURN get_describe(void *p, char *buf, SQLLEN cap, SQLLEN *len8)
{
    describe_ctx *x = p;
    SQLSMALLINT n = 0;
    SQLRETURN rc = odbc_DescribeCol(x->s, x->col, (SQLCHAR *)buf, (SQLSMALLINT)cap, &n,
                                    x->type, x->size, x->digits, x->nullable);
    *len8 = n;
    return rc;
}

static SQLRETURN describe_col_w(stmt *s, SQLUSMALLINT col, SQLWCHAR *name, SQLSMALLINT buflen,
                                SQLSMALLINT *namelen, SQLSMALLINT *type, SQLULEN *size,
                                SQLSMALLINT *digits, SQLSMALLINT *nullable)
{
    describe_ctx x = { s, col, type, digits, nullable, size };
    char *text;
    SQLRETURN rc;
    if (bad_buflen(&s->hdr, name, buflen, &rc))
        return rc;
    rc = fetch_u8(&s->hdr, get_describe, &x, (SQLLEN)buflen * 3 + 1, SMALL_MAX,
                            &text);
    if (SQL_SUCCEEDED(rc)) {
        SQLLEN full;
        rc = wide_out(&s->hdr, rc, text, name, buflen, 0, &full);
        set_small(namelen, full);
    }
    free(text);
    return rc;
}

SQLRETURN SQL_API SQLDescribeColW(SQLHSTMT h, SQLUSMALLINT col, SQLWCHAR *name,
                                  SQLSMALLINT buflen, SQLSMALLINT *namelen, SQLSMALLINT *type,
                                  SQLULEN *size, SQLSMALLINT *digits, SQLSMALLINT *nullable)
{
    STMT_API(h, describe_col_w(s, col, name, buflen, namelen, type, size, digits, nullable));
}

typedef struct colattr_ctx {
    stmt *s;
    SQLUSMALLINT col, field;
    SQLLEN *num;
} colattr_ctx;

static SQLRETURN get_colattr(void *p, char *buf, SQLLEN cap, SQLLEN *len8)
{
    colattr_ctx *x = p;
    SQLSMALLINT n = 0;
    SQLRETURN rc = odbc_ColAttribute(x->s, x->col, x->field, buf, (SQLSMALLINT)cap, &n,
                                     x->num);
    *len8 = n;
    return rc;
}

static SQLRETURN col_attribute_w(stmt *s, SQLUSMALLINT col, SQLUSMALLINT field,
                                 SQLPOINTER str, SQLSMALLINT buflen, SQLSMALLINT *strlen,
                                 SQLLEN *num)
{
    if (!desc_field_is_string((SQLSMALLINT)field))
        return odbc_ColAttribute(s, col, field, str, buflen, strlen, num);
    colattr_ctx x = { s, col, field, num };
    char *text;
    SQLRETURN rc;
    if (bad_buflen(&s->hdr, str, buflen, &rc))
        return rc;
    rc = fetch_u8(&s->hdr, get_colattr, &x, units_of_bytes(buflen) * 3 + 1,
                            SMALL_MAX, &text);
    if (SQL_SUCCEEDED(rc)) {
        SQLLEN full;
        rc = wide_out(&s->hdr, rc, text, str, units_of_bytes(buflen), 1, &full);
        set_small(strlen, full);
    }
    free(text);
    return rc;
}

SQLRETURN SQL_API SQLColAttributeW(SQLHSTMT h, SQLUSMALLINT col, SQLUSMALLINT field,
                                   SQLPOINTER str, SQLSMALLINT buflen, SQLSMALLINT *strlen,
                                   SQLLEN *num)
{
    STMT_API(h, col_attribute_w(s, col, field, str, buflen, strlen, num));
}

/* ---------- descriptors ------------------------------------------------- */

typedef struct desc_field_ctx {
    desc *d;
    SQLSMALLINT rec, field;
} desc_field_ctx;

static SQLRETURN get_desc_field(void *p, char *buf, SQLLEN cap, SQLLEN *len8)
{
    desc_field_ctx *x = p;
    SQLINTEGER n = 0;
    SQLRETURN rc = odbc_GetDescField(x->d, x->rec, x->field, buf, (SQLINTEGER)cap, &n);
    *len8 = n;
    return rc;
}

static SQLRETURN get_desc_field_w(desc *d, SQLSMALLINT rec, SQLSMALLINT field, SQLPOINTER val,
                                  SQLINTEGER buflen, SQLINTEGER *len)
{
    if (!desc_field_is_string(field))
        return odbc_GetDescField(d, rec, field, val, buflen, len);
    desc_field_ctx x = { d, rec, field };
    char *text;
    SQLRETURN rc;
    if (bad_buflen(&d->hdr, val, buflen, &rc))
        return rc;
    rc = fetch_u8(&d->hdr, get_desc_field, &x, units_of_bytes(buflen) * 3 + 1,
                            1 << 20, &text);
    if (SQL_SUCCEEDED(rc)) {
        SQLLEN full;
        rc = wide_out(&d->hdr, rc, text, val, units_of_bytes(buflen), 1, &full);
        set_int(len, full);
    }
    free(text);
    return rc;
}

SQLRETURN SQL_API SQLGetDescFieldW(SQLHDESC h, SQLSMALLINT rec, SQLSMALLINT field,
                                   SQLPOINTER val, SQLINTEGER buflen, SQLINTEGER *len)
{
    DESC_API(h, get_desc_field_w(d, rec, field, val, buflen, len));
}

static SQLRETURN set_desc_field_w(desc *d, SQLSMALLINT rec, SQLSMALLINT field, SQLPOINTER val,
                                  SQLINTEGER len)
{
    if (!desc_field_is_string(field) || val == NULL)
        return odbc_SetDescField(d, rec, field, val, len);
    w_in w;
    SQLRETURN rc = in_conv(&d->hdr, val, bytes_to_chars(len), &w);
    if (rc != SQL_SUCCESS)
        return rc;
    rc = odbc_SetDescField(d, rec, field, w.s, SQL_NTS);
    free(w.s);
    return rc;
}

SQLRETURN SQL_API SQLSetDescFieldW(SQLHDESC h, SQLSMALLINT rec, SQLSMALLINT field,
                                   SQLPOINTER val, SQLINTEGER len)
{
    DESC_API(h, set_desc_field_w(d, rec, field, val, len));
}

typedef struct desc_rec_ctx {
    desc *d;
    SQLSMALLINT rec;
    SQLSMALLINT *type, *subtype, *precision, *scale, *nullable;
    SQLLEN *length;
} desc_rec_ctx;

static SQLRETURN get_desc_rec(void *p, char *buf, SQLLEN cap, SQLLEN *len8)
{
    desc_rec_ctx *x = p;
    SQLSMALLINT n = 0;
    SQLRETURN rc = odbc_GetDescRec(x->d, x->rec, (SQLCHAR *)buf, (SQLSMALLINT)cap, &n, x->type,
                                   x->subtype, x->length, x->precision, x->scale,
                                   x->nullable);
    *len8 = n;
    return rc;
}

static SQLRETURN get_desc_rec_w(desc *d, SQLSMALLINT rec, SQLWCHAR *name, SQLSMALLINT buflen,
                                SQLSMALLINT *namelen, SQLSMALLINT *type, SQLSMALLINT *subtype,
                                SQLLEN *length, SQLSMALLINT *precision, SQLSMALLINT *scale,
                                SQLSMALLINT *nullable)
{
    desc_rec_ctx x = { d, rec, type, subtype, precision, scale, nullable, length };
    char *text;
    SQLRETURN rc;
    if (bad_buflen(&d->hdr, name, buflen, &rc))
        return rc;
    rc = fetch_u8(&d->hdr, get_desc_rec, &x, (SQLLEN)buflen * 3 + 1, SMALL_MAX,
                            &text);
    if (SQL_SUCCEEDED(rc)) {
        SQLLEN full;
        rc = wide_out(&d->hdr, rc, text, name, buflen, 0, &full);
        set_small(namelen, full);
    }
    free(text);
    return rc;
}

SQLRETURN SQL_API SQLGetDescRecW(SQLHDESC h, SQLSMALLINT rec, SQLWCHAR *name,
                                 SQLSMALLINT buflen, SQLSMALLINT *namelen, SQLSMALLINT *type,
                                 SQLSMALLINT *subtype, SQLLEN *length, SQLSMALLINT *precision,
                                 SQLSMALLINT *scale, SQLSMALLINT *nullable)
{
    DESC_API(h, get_desc_rec_w(d, rec, name, buflen, namelen, type, subtype, length, precision,
                               scale, nullable));
}

/* ---------- catalog functions ------------------------------------------- */

/* Up to six identifier arguments of a catalog call, converted together. */
typedef struct cat_args {
    w_in a[6];
    int n;
} cat_args;

static void cat_free(cat_args *ca)
{
    for (int i = 0; i < ca->n; i++)
        free(ca->a[i].s);
    ca->n = 0;
}

/* One (string, length) argument as the application passed it. */
typedef struct wide_arg {
    const SQLWCHAR *s;
    SQLSMALLINT len;
} wide_arg;

/* Convert n arguments into ca; on failure nothing stays allocated. */
static SQLRETURN cat_convert(handle_hdr *h, cat_args *ca, const wide_arg *args, int n)
{
    ca->n = 0;
    for (int i = 0; i < n; i++) {
        SQLRETURN rc = in_conv(h, args[i].s, args[i].len, &ca->a[i]);
        if (rc != SQL_SUCCESS) {
            cat_free(ca);
            return rc;
        }
        ca->n++;
    }
    return SQL_SUCCESS;
}

#define CAT_S(ca, i) ((const SQLCHAR *)(ca).a[i].s)
#define CAT_L(ca, i) small_len(&(ca).a[i])
/* Convert the listed {pointer, length} pairs into `ca` or return the failure. */
#define CAT_CONVERT(s, ca, ...)                                                   \
    do {                                                                          \
        const wide_arg args_[] = { __VA_ARGS__ };                                 \
        SQLRETURN r_ = cat_convert(&(s)->hdr, &(ca), args_,                       \
                                   (int)(sizeof args_ / sizeof *args_));          \
        if (r_ != SQL_SUCCESS)                                                    \
            return r_;                                                            \
    } while (0)

static SQLRETURN tables_w(stmt *s, SQLWCHAR *cat, SQLSMALLINT catlen, SQLWCHAR *sch,
                          SQLSMALLINT schlen, SQLWCHAR *tab, SQLSMALLINT tablen,
                          SQLWCHAR *types, SQLSMALLINT typeslen)
{
    cat_args ca = { .n = 0 };
    CAT_CONVERT(s, ca, { cat, catlen }, { sch, schlen }, { tab, tablen }, { types, typeslen });
    SQLRETURN rc = odbc_Tables(s, CAT_S(ca, 0), CAT_L(ca, 0), CAT_S(ca, 1), CAT_L(ca, 1),
                               CAT_S(ca, 2), CAT_L(ca, 2), CAT_S(ca, 3), CAT_L(ca, 3));
    cat_free(&ca);
    return rc;
}

SQLRETURN SQL_API SQLTablesW(SQLHSTMT h, SQLWCHAR *cat, SQLSMALLINT catlen, SQLWCHAR *sch,
                             SQLSMALLINT schlen, SQLWCHAR *tab, SQLSMALLINT tablen,
                             SQLWCHAR *types, SQLSMALLINT typeslen)
{
    STMT_API(h, tables_w(s, cat, catlen, sch, schlen, tab, tablen, types, typeslen));
}

static SQLRETURN columns_w(stmt *s, SQLWCHAR *cat, SQLSMALLINT catlen, SQLWCHAR *sch,
                           SQLSMALLINT schlen, SQLWCHAR *tab, SQLSMALLINT tablen,
                           SQLWCHAR *col, SQLSMALLINT collen)
{
    cat_args ca = { .n = 0 };
    CAT_CONVERT(s, ca, { cat, catlen }, { sch, schlen }, { tab, tablen }, { col, collen });
    SQLRETURN rc = odbc_Columns(s, CAT_S(ca, 0), CAT_L(ca, 0), CAT_S(ca, 1), CAT_L(ca, 1),
                                CAT_S(ca, 2), CAT_L(ca, 2), CAT_S(ca, 3), CAT_L(ca, 3));
    cat_free(&ca);
    return rc;
}

SQLRETURN SQL_API SQLColumnsW(SQLHSTMT h, SQLWCHAR *cat, SQLSMALLINT catlen, SQLWCHAR *sch,
                              SQLSMALLINT schlen, SQLWCHAR *tab, SQLSMALLINT tablen,
                              SQLWCHAR *col, SQLSMALLINT collen)
{
    STMT_API(h, columns_w(s, cat, catlen, sch, schlen, tab, tablen, col, collen));
}

static SQLRETURN primary_keys_w(stmt *s, SQLWCHAR *cat, SQLSMALLINT catlen, SQLWCHAR *sch,
                                SQLSMALLINT schlen, SQLWCHAR *tab, SQLSMALLINT tablen)
{
    cat_args ca = { .n = 0 };
    CAT_CONVERT(s, ca, { cat, catlen }, { sch, schlen }, { tab, tablen });
    SQLRETURN rc = odbc_PrimaryKeys(s, CAT_S(ca, 0), CAT_L(ca, 0), CAT_S(ca, 1), CAT_L(ca, 1),
                                    CAT_S(ca, 2), CAT_L(ca, 2));
    cat_free(&ca);
    return rc;
}

SQLRETURN SQL_API SQLPrimaryKeysW(SQLHSTMT h, SQLWCHAR *cat, SQLSMALLINT catlen, SQLWCHAR *sch,
                                  SQLSMALLINT schlen, SQLWCHAR *tab, SQLSMALLINT tablen)
{
    STMT_API(h, primary_keys_w(s, cat, catlen, sch, schlen, tab, tablen));
}

static SQLRETURN foreign_keys_w(stmt *s, SQLWCHAR *pkcat, SQLSMALLINT pkcatlen,
                                SQLWCHAR *pksch, SQLSMALLINT pkschlen, SQLWCHAR *pktab,
                                SQLSMALLINT pktablen, SQLWCHAR *fkcat, SQLSMALLINT fkcatlen,
                                SQLWCHAR *fksch, SQLSMALLINT fkschlen, SQLWCHAR *fktab,
                                SQLSMALLINT fktablen)
{
    cat_args ca = { .n = 0 };
    CAT_CONVERT(s, ca, { pkcat, pkcatlen }, { pksch, pkschlen }, { pktab, pktablen },
                { fkcat, fkcatlen }, { fksch, fkschlen }, { fktab, fktablen });
    SQLRETURN rc = odbc_ForeignKeys(s, CAT_S(ca, 0), CAT_L(ca, 0), CAT_S(ca, 1), CAT_L(ca, 1),
                                    CAT_S(ca, 2), CAT_L(ca, 2), CAT_S(ca, 3), CAT_L(ca, 3),
                                    CAT_S(ca, 4), CAT_L(ca, 4), CAT_S(ca, 5), CAT_L(ca, 5));
    cat_free(&ca);
    return rc;
}

SQLRETURN SQL_API SQLForeignKeysW(SQLHSTMT h, SQLWCHAR *pkcat, SQLSMALLINT pkcatlen,
                                  SQLWCHAR *pksch, SQLSMALLINT pkschlen, SQLWCHAR *pktab,
                                  SQLSMALLINT pktablen, SQLWCHAR *fkcat, SQLSMALLINT fkcatlen,
                                  SQLWCHAR *fksch, SQLSMALLINT fkschlen, SQLWCHAR *fktab,
                                  SQLSMALLINT fktablen)
{
    STMT_API(h, foreign_keys_w(s, pkcat, pkcatlen, pksch, pkschlen, pktab, pktablen, fkcat,
                               fkcatlen, fksch, fkschlen, fktab, fktablen));
}

static SQLRETURN statistics_w(stmt *s, SQLWCHAR *cat, SQLSMALLINT catlen, SQLWCHAR *sch,
                              SQLSMALLINT schlen, SQLWCHAR *tab, SQLSMALLINT tablen,
                              SQLUSMALLINT unique, SQLUSMALLINT reserved)
{
    cat_args ca = { .n = 0 };
    CAT_CONVERT(s, ca, { cat, catlen }, { sch, schlen }, { tab, tablen });
    SQLRETURN rc = odbc_Statistics(s, CAT_S(ca, 0), CAT_L(ca, 0), CAT_S(ca, 1), CAT_L(ca, 1),
                                   CAT_S(ca, 2), CAT_L(ca, 2), unique, reserved);
    cat_free(&ca);
    return rc;
}

SQLRETURN SQL_API SQLStatisticsW(SQLHSTMT h, SQLWCHAR *cat, SQLSMALLINT catlen, SQLWCHAR *sch,
                                 SQLSMALLINT schlen, SQLWCHAR *tab, SQLSMALLINT tablen,
                                 SQLUSMALLINT unique, SQLUSMALLINT reserved)
{
    STMT_API(h, statistics_w(s, cat, catlen, sch, schlen, tab, tablen, unique, reserved));
}

static SQLRETURN special_columns_w(stmt *s, SQLUSMALLINT idtype, SQLWCHAR *cat,
                                   SQLSMALLINT catlen, SQLWCHAR *sch, SQLSMALLINT schlen,
                                   SQLWCHAR *tab, SQLSMALLINT tablen, SQLUSMALLINT scope,
                                   SQLUSMALLINT nullable)
{
    cat_args ca = { .n = 0 };
    CAT_CONVERT(s, ca, { cat, catlen }, { sch, schlen }, { tab, tablen });
    SQLRETURN rc = odbc_SpecialColumns(s, idtype, CAT_S(ca, 0), CAT_L(ca, 0), CAT_S(ca, 1),
                                       CAT_L(ca, 1), CAT_S(ca, 2), CAT_L(ca, 2), scope,
                                       nullable);
    cat_free(&ca);
    return rc;
}

SQLRETURN SQL_API SQLSpecialColumnsW(SQLHSTMT h, SQLUSMALLINT idtype, SQLWCHAR *cat,
                                     SQLSMALLINT catlen, SQLWCHAR *sch, SQLSMALLINT schlen,
                                     SQLWCHAR *tab, SQLSMALLINT tablen, SQLUSMALLINT scope,
                                     SQLUSMALLINT nullable)
{
    STMT_API(h, special_columns_w(s, idtype, cat, catlen, sch, schlen, tab, tablen, scope,
                                  nullable));
}

static SQLRETURN procedures_w(stmt *s, SQLWCHAR *cat, SQLSMALLINT catlen, SQLWCHAR *sch,
                              SQLSMALLINT schlen, SQLWCHAR *proc, SQLSMALLINT proclen)
{
    cat_args ca = { .n = 0 };
    CAT_CONVERT(s, ca, { cat, catlen }, { sch, schlen }, { proc, proclen });
    SQLRETURN rc = odbc_Procedures(s, CAT_S(ca, 0), CAT_L(ca, 0), CAT_S(ca, 1), CAT_L(ca, 1),
                                   CAT_S(ca, 2), CAT_L(ca, 2));
    cat_free(&ca);
    return rc;
}

SQLRETURN SQL_API SQLProceduresW(SQLHSTMT h, SQLWCHAR *cat, SQLSMALLINT catlen, SQLWCHAR *sch,
                                 SQLSMALLINT schlen, SQLWCHAR *proc, SQLSMALLINT proclen)
{
    STMT_API(h, procedures_w(s, cat, catlen, sch, schlen, proc, proclen));
}

static SQLRETURN procedure_columns_w(stmt *s, SQLWCHAR *cat, SQLSMALLINT catlen,
                                     SQLWCHAR *sch, SQLSMALLINT schlen, SQLWCHAR *proc,
                                     SQLSMALLINT proclen, SQLWCHAR *col, SQLSMALLINT collen)
{
    cat_args ca = { .n = 0 };
    CAT_CONVERT(s, ca, { cat, catlen }, { sch, schlen }, { proc, proclen }, { col, collen });
    SQLRETURN rc = odbc_ProcedureColumns(s, CAT_S(ca, 0), CAT_L(ca, 0), CAT_S(ca, 1),
                                         CAT_L(ca, 1), CAT_S(ca, 2), CAT_L(ca, 2),
                                         CAT_S(ca, 3), CAT_L(ca, 3));
    cat_free(&ca);
    return rc;
}

SQLRETURN SQL_API SQLProcedureColumnsW(SQLHSTMT h, SQLWCHAR *cat, SQLSMALLINT catlen,
                                       SQLWCHAR *sch, SQLSMALLINT schlen, SQLWCHAR *proc,
                                       SQLSMALLINT proclen, SQLWCHAR *col, SQLSMALLINT collen)
{
    STMT_API(h, procedure_columns_w(s, cat, catlen, sch, schlen, proc, proclen, col, collen));
}

static SQLRETURN table_privileges_w(stmt *s, SQLWCHAR *cat, SQLSMALLINT catlen, SQLWCHAR *sch,
                                    SQLSMALLINT schlen, SQLWCHAR *tab, SQLSMALLINT tablen)
{
    cat_args ca = { .n = 0 };
    CAT_CONVERT(s, ca, { cat, catlen }, { sch, schlen }, { tab, tablen });
    SQLRETURN rc = odbc_TablePrivileges(s, CAT_S(ca, 0), CAT_L(ca, 0), CAT_S(ca, 1),
                                        CAT_L(ca, 1), CAT_S(ca, 2), CAT_L(ca, 2));
    cat_free(&ca);
    return rc;
}

SQLRETURN SQL_API SQLTablePrivilegesW(SQLHSTMT h, SQLWCHAR *cat, SQLSMALLINT catlen,
                                      SQLWCHAR *sch, SQLSMALLINT schlen, SQLWCHAR *tab,
                                      SQLSMALLINT tablen)
{
    STMT_API(h, table_privileges_w(s, cat, catlen, sch, schlen, tab, tablen));
}

static SQLRETURN column_privileges_w(stmt *s, SQLWCHAR *cat, SQLSMALLINT catlen,
                                     SQLWCHAR *sch, SQLSMALLINT schlen, SQLWCHAR *tab,
                                     SQLSMALLINT tablen, SQLWCHAR *col, SQLSMALLINT collen)
{
    cat_args ca = { .n = 0 };
    CAT_CONVERT(s, ca, { cat, catlen }, { sch, schlen }, { tab, tablen }, { col, collen });
    SQLRETURN rc = odbc_ColumnPrivileges(s, CAT_S(ca, 0), CAT_L(ca, 0), CAT_S(ca, 1),
                                         CAT_L(ca, 1), CAT_S(ca, 2), CAT_L(ca, 2),
                                         CAT_S(ca, 3), CAT_L(ca, 3));
    cat_free(&ca);
    return rc;
}

SQLRETURN SQL_API SQLColumnPrivilegesW(SQLHSTMT h, SQLWCHAR *cat, SQLSMALLINT catlen,
                                       SQLWCHAR *sch, SQLSMALLINT schlen, SQLWCHAR *tab,
                                       SQLSMALLINT tablen, SQLWCHAR *col, SQLSMALLINT collen)
{
    STMT_API(h, column_privileges_w(s, cat, catlen, sch, schlen, tab, tablen, col, collen));
}

SQLRETURN SQL_API SQLGetTypeInfoW(SQLHSTMT h, SQLSMALLINT type)
{
    STMT_API(h, odbc_GetTypeInfo(s, type));
}

#pragma GCC visibility pop
