/*
 * fuzz_convert.c — libFuzzer target for the type conversions (driver/
 * convert.c, conv_param.c, conv_datetime.c, conv_numeric.c, utf.c).
 *
 * Input layout: byte 0 picks the direction and the source kind, bytes 1..7
 * the SQL type, the C type, the buffer length, how lengths are asked for and
 * the numeric precision/scale; the rest is the payload (the value's bytes).
 *
 * SQL -> C (SQLGetData and bound columns): every value is read once whole
 * (length first with no buffer, then into a buffer of exactly that size) and
 * again in chunks with the fuzzed buffer length (0, odd lengths for WCHAR,
 * tiny buffers). Buffers are malloc'd at their exact size and followed by
 * nothing, so ASan reports any write past them; fixed-size targets get
 * exactly their C size. Checked: return codes are ones the function may
 * return, lengths and indicators agree with what was written, strings are
 * NUL-terminated inside the buffer, chunks concatenate to the whole value,
 * every chunk reports the bytes still available, NULL needs an indicator.
 *
 * C -> SQL (parameters): the payload is the application buffer (exact size)
 * with a fuzzed StrLen_or_Ind. Checked: invalid negative lengths give HY090,
 * bound text is valid for its kind (WCHAR turns into valid UTF-8), blobs and
 * text point at readable storage, date/time structs that are valid format
 * into text that parses back to the same struct.
 *
 * Pure parsers get round-trip checks: conv_parse_datetime -> conv_format_ts
 * -> conv_parse_datetime, conv_parse_number -> printf -> parse,
 * SQL_NUMERIC_STRUCT -> text -> SQL_NUMERIC_STRUCT.
 * Seed corpus: tests/fuzz/corpus_convert/.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "fuzz_convert: check failed at line %d: %s\n", __LINE__, #cond); \
            abort();                                                                    \
        }                                                                               \
    } while (0)

static const SQLSMALLINT sql_types[] = {
    SQL_CHAR, SQL_VARCHAR, SQL_LONGVARCHAR, SQL_WCHAR, SQL_WVARCHAR, SQL_WLONGVARCHAR,
    SQL_BIT, SQL_TINYINT, SQL_SMALLINT, SQL_INTEGER, SQL_BIGINT, SQL_REAL, SQL_FLOAT,
    SQL_DOUBLE, SQL_DECIMAL, SQL_NUMERIC, SQL_BINARY, SQL_VARBINARY, SQL_LONGVARBINARY,
    SQL_TYPE_DATE, SQL_TYPE_TIME, SQL_TYPE_TIMESTAMP, SQL_DATE, SQL_TIME, SQL_TIMESTAMP,
    SQL_GUID, SQL_UNKNOWN_TYPE, 1234};
static const SQLSMALLINT c_types[] = {
    SQL_C_CHAR, SQL_C_WCHAR, SQL_C_BINARY, SQL_C_BIT, SQL_C_STINYINT, SQL_C_UTINYINT,
    SQL_C_TINYINT, SQL_C_SSHORT, SQL_C_USHORT, SQL_C_SHORT, SQL_C_SLONG, SQL_C_ULONG,
    SQL_C_LONG, SQL_C_SBIGINT, SQL_C_UBIGINT, SQL_C_FLOAT, SQL_C_DOUBLE, SQL_C_NUMERIC,
    SQL_C_TYPE_DATE, SQL_C_TYPE_TIME, SQL_C_TYPE_TIMESTAMP, SQL_C_DATE, SQL_C_TIME,
    SQL_C_TIMESTAMP, SQL_C_GUID, SQL_C_DEFAULT, SQL_C_INTERVAL_DAY, 9999};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *last_state(const diag_list *d)
{
    return d->count ? d->recs[d->count - 1].state : "";
}

/* Octet length from whichever of len / ind the target has. */
static SQLLEN reported(const c_target *t)
{
    SQLLEN n;
    memcpy(&n, t->len ? t->len : t->ind, sizeof n);
    return n;
}

static int is_var_ctype(SQLSMALLINT c)
{
    return c == SQL_C_CHAR || c == SQL_C_WCHAR || c == SQL_C_BINARY;
}

/* The C type conv_to_c will use for SQL_C_DEFAULT (mirrors convert.c). */
static SQLSMALLINT resolve_ctype(SQLSMALLINT ctype, SQLSMALLINT sqlt, const db_value *v)
{
    if (ctype != SQL_C_DEFAULT)
        return ctype;
    if (sqlt == SQL_UNKNOWN_TYPE) {
        switch (v->type) {
        case SQLITE_INTEGER: return SQL_C_SBIGINT;
        case SQLITE_FLOAT: return SQL_C_DOUBLE;
        case SQLITE_BLOB: return SQL_C_BINARY;
        default: return SQL_C_CHAR;
        }
    }
    return conv_default_ctype(sqlt);
}

/* One conv_to_c call with a fresh diag list; the state posted goes to state. */
static SQLRETURN call_to_c(const db_value *v, SQLSMALLINT sqlt, const c_target *t,
                           SQLLEN *offset, char state[6])
{
    diag_list d;
    diag_init(&d);
    SQLRETURN rc = conv_to_c(&d, v, sqlt, t, offset, 1, 1);
    CHECK(rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO || rc == SQL_ERROR ||
          rc == SQL_NO_DATA);
    CHECK((rc == SQL_SUCCESS || rc == SQL_NO_DATA) == (d.count == 0));
    snprintf(state, 6, "%s", last_state(&d));
    diag_free(&d);
    return rc;
}

/* Whole value of a variable-length target: length with no buffer, then a
 * buffer of exactly that size plus the terminator. *out is malloc'd
 * (without terminator for BINARY), *n its byte length. 0, or -1 when the
 * conversion fails outright (then the chunked read must fail the same way). */
static int read_whole(const db_value *v, SQLSMALLINT sqlt, SQLSMALLINT ctype,
                      unsigned char **out, SQLLEN *n, char fail_state[6])
{
    SQLLEN ind = 12345, off = 0;
    char st[6];
    c_target t = {.ctype = ctype, .ptr = NULL, .buflen = 0, .ind = &ind, .len = &ind};
    SQLRETURN rc = call_to_c(v, sqlt, &t, &off, st);
    if (rc == SQL_ERROR) {
        memcpy(fail_state, st, 6);
        return -1;
    }
    CHECK(rc == SQL_SUCCESS || (rc == SQL_SUCCESS_WITH_INFO && !strcmp(st, "01004")));
    CHECK(ind >= 0);
    CHECK(off == 0); /* a length-only call consumes nothing */
    SQLLEN term = ctype == SQL_C_CHAR ? 1 : ctype == SQL_C_WCHAR ? 2 : 0;
    if (ctype == SQL_C_WCHAR)
        CHECK(ind % 2 == 0);
    SQLLEN cap = ind + term;
    unsigned char *buf = malloc(cap ? (size_t)cap : 1);
    CHECK(buf);
    SQLLEN ind2 = 12345;
    t.ptr = buf;
    t.buflen = cap;
    t.ind = t.len = &ind2;
    rc = call_to_c(v, sqlt, &t, &off, st);
    if (rc == SQL_ERROR) { /* e.g. 22003: a formatted number not fitting 0 bytes */
        CHECK(ctype == SQL_C_BINARY && cap == 0);
        free(buf);
        memcpy(fail_state, st, 6);
        return -1;
    }
    CHECK(rc == SQL_SUCCESS);
    CHECK(ind2 == ind);
    if (ctype == SQL_C_CHAR)
        CHECK(buf[ind] == 0);
    if (ctype == SQL_C_WCHAR) {
        SQLWCHAR z;
        memcpy(&z, buf + ind, 2);
        CHECK(z == 0);
    }
    /* complete: the next call says so (an empty value with no room may
     * leave the offset alone: odbc_GetData marks it done itself) */
    if (ind == 0 && cap == 0)
        off = -1;
    SQLLEN ind3 = 777;
    t.ind = t.len = &ind3;
    CHECK(call_to_c(v, sqlt, &t, &off, st) == SQL_NO_DATA);
    CHECK(ind3 == 777);
    *out = buf;
    *n = ind;
    return 0;
}

/* Chunked SQLGetData with buffers of buflen bytes; the chunks must add up
 * to the whole value. */
static void read_chunks(const db_value *v, SQLSMALLINT sqlt, SQLSMALLINT ctype, SQLLEN buflen,
                        const unsigned char *whole, SQLLEN whole_n, int null_ptr)
{
    SQLLEN term = ctype == SQL_C_CHAR ? 1 : ctype == SQL_C_WCHAR ? 2 : 0;
    unsigned char *buf = null_ptr ? NULL : malloc(buflen ? (size_t)buflen : 1);
    unsigned char *acc = malloc((size_t)whole_n + 1);
    CHECK(null_ptr || buf);
    CHECK(acc);
    SQLLEN got = 0, off = 0;
    int calls = 0;
    int has_nul = 0; /* embedded NULs: chunk lengths cannot be read back */
    if (ctype == SQL_C_CHAR)
        has_nul = memchr(whole, 0, (size_t)whole_n) != NULL;
    else if (ctype == SQL_C_WCHAR)
        for (SQLLEN k = 0; k + 1 < whole_n; k += 2)
            has_nul |= whole[k] == 0 && whole[k + 1] == 0;
    for (;;) {
        SQLLEN ind = -777;
        char st[6];
        c_target t = {.ctype = ctype, .ptr = buf, .buflen = buflen, .ind = &ind, .len = &ind};
        SQLRETURN rc = call_to_c(v, sqlt, &t, &off, st);
        if (rc == SQL_NO_DATA) {
            CHECK(ind == -777);
            break;
        }
        CHECK(rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO || rc == SQL_ERROR);
        if (rc == SQL_ERROR) {
            /* only a formatted value (number, date) too long for the
             * buffer fails, and only on the first call */
            CHECK(!strcmp(st, "22003") && calls == 0 && v->type != SQLITE_TEXT &&
                  v->type != SQLITE_BLOB);
            break;
        }
        if (rc == SQL_SUCCESS_WITH_INFO)
            CHECK(!strcmp(st, "01004"));
        /* what is still available, counted from this call's start */
        CHECK(ind >= 0);
        if (v->type == SQLITE_TEXT || v->type == SQLITE_BLOB || ctype == SQL_C_BINARY) {
            CHECK(ind == whole_n - got);
        } else {
            CHECK(ind == whole_n); /* formatted: always the whole length */
        }
        SQLLEN chunk;
        if (!buf || buflen < term || (term == 0 && buflen == 0)) {
            chunk = 0;
        } else if (ctype == SQL_C_BINARY) {
            chunk = ind < buflen ? ind : buflen;
        } else if (has_nul) {
            chunk = -1;
        } else if (ctype == SQL_C_CHAR) {
            chunk = (SQLLEN)strnlen((const char *)buf, (size_t)buflen);
            CHECK(chunk < buflen); /* terminated inside the buffer */
        } else {
            SQLLEN units = buflen / 2, k = 0;
            SQLWCHAR w;
            for (;;) {
                CHECK(k < units); /* terminated inside the buffer */
                memcpy(&w, buf + 2 * k, 2);
                if (!w)
                    break;
                k++;
            }
            chunk = 2 * k;
        }
        if (chunk < 0) { /* cannot follow: stop after one call */
            got = -1;
            break;
        }
        if (rc == SQL_SUCCESS && buf && buflen > term)
            CHECK(chunk == ind); /* complete: the last chunk is what was left */
        CHECK(got + chunk <= whole_n);
        if (chunk)
            memcpy(acc + got, buf, (size_t)chunk);
        got += chunk;
        if (rc == SQL_SUCCESS)
            break;
        if (chunk == 0 && ++calls > 2) {
            /* no room for even one character: allowed, but the value
             * must not move on (nothing was returned) */
            CHECK(off >= 0);
            break;
        }
        calls++;
        CHECK(calls < 100000);
        if (v->type != SQLITE_TEXT && v->type != SQLITE_BLOB && ctype != SQL_C_BINARY) {
            /* a formatted value cut at its fraction is complete */
            SQLLEN ind2 = 1;
            c_target t2 = t;
            t2.ind = t2.len = &ind2;
            CHECK(call_to_c(v, sqlt, &t2, &off, st) == SQL_NO_DATA);
            got = -1;
            break;
        }
    }
    if (got >= 0 && off == -1 && got == whole_n)
        CHECK(memcmp(acc, whole, (size_t)got) == 0);
    if (got >= 0 && off == -1 && buf && v->type != SQLITE_NULL)
        CHECK(got == whole_n); /* finished means everything was returned */
    free(buf);
    free(acc);
}

/* A fixed-size target: exactly its size, or no buffer. */
static void read_fixed(const db_value *v, SQLSMALLINT sqlt, SQLSMALLINT ctype, int mode,
                       SQLSMALLINT prec, SQLSMALLINT scale)
{
    SQLSMALLINT rc_type = resolve_ctype(ctype, sqlt, v);
    SQLLEN size = conv_ctype_size(rc_type);
    unsigned char *buf = (mode & 1) ? NULL : malloc(size ? (size_t)size : 1);
    SQLLEN len = -555, ind = -555;
    c_target t = {.ctype = ctype, .ptr = buf, .buflen = (mode & 2) ? 0 : size,
                  .ind = &ind, .len = &len, .precision = prec, .scale = scale};
    if (mode & 4)
        t.ind = NULL;
    else if (mode & 8)
        t.len = t.ind;
    SQLLEN off = 0;
    char st[6];
    SQLRETURN rc = call_to_c(v, sqlt, &t, (mode & 16) ? &off : NULL, st);
    if (v->type == SQLITE_NULL) {
        if (!t.ind) {
            CHECK(rc == SQL_ERROR && !strcmp(st, "22002"));
        } else {
            CHECK(rc == SQL_SUCCESS && *t.ind == SQL_NULL_DATA);
        }
        free(buf);
        return;
    }
    if (rc == SQL_ERROR) {
        static const char *ok[] = {"22003", "22018", "22007", "07006", "HY003", NULL};
        int found = 0;
        for (int k = 0; ok[k]; k++)
            found |= !strcmp(st, ok[k]);
        CHECK(found);
        free(buf);
        return;
    }
    CHECK(rc == SQL_SUCCESS || (rc == SQL_SUCCESS_WITH_INFO && !strcmp(st, "01S07")));
    CHECK(size > 0);
    CHECK(reported(&t) == size);
    if (t.ind && t.ind != t.len)
        CHECK(*t.ind == 0);
    if (mode & 16)
        CHECK(off == -1);
    if (buf) {
        /* spot-check values the conversion must preserve exactly */
        if (v->type == SQLITE_INTEGER && rc_type == SQL_C_SBIGINT) {
            SQLBIGINT b;
            memcpy(&b, buf, sizeof b);
            CHECK(b == v->i);
        } else if (v->type == SQLITE_INTEGER && rc_type == SQL_C_SLONG) {
            SQLINTEGER l;
            memcpy(&l, buf, sizeof l);
            CHECK(l == v->i);
        } else if (v->type == SQLITE_FLOAT && rc_type == SQL_C_DOUBLE) {
            double x;
            memcpy(&x, buf, sizeof x);
            CHECK(x == v->d || (isnan(x) && isnan(v->d)));
        } else if (rc_type == SQL_C_TYPE_TIMESTAMP || rc_type == SQL_C_TIMESTAMP) {
            SQL_TIMESTAMP_STRUCT ts;
            memcpy(&ts, buf, sizeof ts);
            CHECK(conv_date_valid(ts.year, ts.month, ts.day));
            CHECK(conv_time_valid(ts.hour, ts.minute, ts.second));
            CHECK(ts.fraction <= 999999999u);
        } else if (rc_type == SQL_C_NUMERIC) {
            SQL_NUMERIC_STRUCT ns;
            memcpy(&ns, buf, sizeof ns);
            CHECK(ns.sign == 0 || ns.sign == 1);
            CHECK(ns.precision >= 1 && ns.precision <= 38);
        }
    }
    free(buf);
}

static void fuzz_to_c(const db_value *v, SQLSMALLINT sqlt, SQLSMALLINT ctype, SQLLEN buflen,
                      int mode, SQLSMALLINT prec, SQLSMALLINT scale)
{
    SQLSMALLINT rc_type = resolve_ctype(ctype, sqlt, v);
    if (!is_var_ctype(rc_type)) {
        read_fixed(v, sqlt, ctype, mode, prec, scale);
        return;
    }
    if (v->type == SQLITE_NULL) {
        read_fixed(v, sqlt, ctype, mode, prec, scale); /* indicator rules only */
        return;
    }
    unsigned char *whole = NULL;
    SQLLEN n = 0;
    char st[6];
    if (read_whole(v, sqlt, rc_type, &whole, &n, st) != 0) {
        /* failing outright is reserved for formatted values into BINARY */
        CHECK(rc_type == SQL_C_BINARY && !strcmp(st, "22003"));
        return;
    }
    if (rc_type == SQL_C_CHAR && v->type == SQLITE_TEXT) {
        CHECK(n == v->n);
        CHECK(memcmp(whole, v->p, (size_t)n) == 0);
    }
    if (rc_type == SQL_C_BINARY && (v->type == SQLITE_TEXT || v->type == SQLITE_BLOB)) {
        CHECK(n == v->n);
        CHECK(n == 0 || memcmp(whole, v->p, (size_t)n) == 0);
    }
    if (rc_type == SQL_C_CHAR && v->type == SQLITE_BLOB)
        CHECK(n == 2 * (SQLLEN)v->n);
    if (rc_type == SQL_C_WCHAR && v->type == SQLITE_TEXT) {
        /* the same text, as UTF-16 */
        SQLLEN units = utf8_to_utf16((const char *)v->p, v->n, NULL, 0);
        CHECK(n == 2 * units);
    }
    read_chunks(v, sqlt, rc_type, buflen, whole, n, (mode & 1) && buflen == 0);
    free(whole);
}

/* ---------- C -> SQL ---------------------------------------------------- */

static void fuzz_from_c(SQLSMALLINT ctype, SQLSMALLINT sqlt, const uint8_t *payload, size_t n,
                        int lenmode, SQLLEN buflen)
{
    SQLLEN csize = conv_ctype_size(ctype == SQL_C_DEFAULT ? conv_default_ctype(sqlt) : ctype);
    int var = is_var_ctype(ctype == SQL_C_DEFAULT ? conv_default_ctype(sqlt) : ctype);
    size_t alloc = n;
    if (!var && (size_t)csize > alloc)
        alloc = (size_t)csize; /* the application owns a whole struct */
    /* NTS strings carry their terminator (the application's contract) */
    if (var && lenmode == 1)
        alloc = n + 4; /* whole SQLWCHAR terminator even after an odd length */
    unsigned char *app = malloc(alloc ? alloc : 1);
    CHECK(app);
    memset(app, 0, alloc ? alloc : 1);
    memcpy(app, payload, n);
    SQLLEN len_ind;
    switch (lenmode) {
    case 0: len_ind = (SQLLEN)n; break;                   /* explicit length */
    case 1: len_ind = SQL_NTS; break;
    case 2: len_ind = SQL_NULL_DATA; break;
    case 3: len_ind = -5 - (SQLLEN)(n % 90); break;        /* invalid */
    default: len_ind = (SQLLEN)(n / 2) | 1; break;          /* odd, shorter */
    }
    if (lenmode == 1 && buflen > (SQLLEN)alloc)
        buflen = (SQLLEN)alloc;
    if (ctype == SQL_C_BINARY && lenmode == 1)
        buflen = (SQLLEN)(buflen < 0 ? -1 : (buflen > (SQLLEN)n ? (SQLLEN)n : buflen));
    diag_list d;
    diag_init(&d);
    param_value pv;
    memset(&pv, 0x5a, sizeof pv);
    SQLRETURN rc = conv_from_c(&d, ctype, sqlt, 0, 0, app, buflen, len_ind, &pv, 1, 1);
    const char *st = last_state(&d);
    CHECK(rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO || rc == SQL_ERROR);
    if (lenmode == 2)
        CHECK(rc == SQL_SUCCESS && pv.v.type == SQLITE_NULL);
    if (lenmode == 3 && var)
        CHECK(rc == SQL_ERROR && !strcmp(st, "HY090"));
    if (rc == SQL_ERROR) {
        static const char *ok[] = {"22003", "22018", "22007", "07006", "HY003", "HY090",
                                   "HY001", NULL};
        int found = 0;
        for (int k = 0; ok[k]; k++)
            found |= !strcmp(st, ok[k]);
        CHECK(found);
    } else {
        switch (pv.v.type) {
        case SQLITE_NULL: case SQLITE_INTEGER:
            break;
        case SQLITE_FLOAT:
            break;
        case SQLITE_TEXT: case SQLITE_BLOB:
            CHECK(pv.v.n >= 0);
            CHECK(pv.v.n == 0 || pv.v.p);
            if (pv.v.n) /* touch every byte: ASan checks the bounds */
                for (int k = 0; k < pv.v.n; k++)
                    (void)((volatile const unsigned char *)pv.v.p)[k];
            if (pv.v.type == SQLITE_TEXT && ctype == SQL_C_WCHAR)
                CHECK(utf8_is_valid(pv.v.p, (size_t)pv.v.n));
            break;
        default:
            CHECK(0);
        }
        /* date/time structs become ISO text that parses back the same */
        SQLSMALLINT ct = ctype;
        if ((ct == SQL_C_TYPE_DATE || ct == SQL_C_TYPE_TIMESTAMP || ct == SQL_C_TYPE_TIME) &&
            pv.v.type == SQLITE_TEXT) {
            SQL_TIMESTAMP_STRUCT ts;
            int what;
            CHECK(conv_parse_datetime((const char *)pv.v.p, (size_t)pv.v.n, &ts, &what) == 0);
            if (ct == SQL_C_TYPE_DATE) {
                SQL_DATE_STRUCT ds;
                memcpy(&ds, app, sizeof ds);
                CHECK(ts.year == ds.year && ts.month == ds.month && ts.day == ds.day);
            }
        }
        if (ct == SQL_C_CHAR && lenmode == 0 && pv.v.type == SQLITE_TEXT &&
            (sqlt == SQL_VARCHAR || sqlt == SQL_CHAR || sqlt == SQL_LONGVARCHAR))
            CHECK(pv.v.n == (int)n && memcmp(pv.v.p, payload, n) == 0);
    }
    param_value_free(&pv);
    diag_free(&d);
    free(app);
}

/* ---------- pure parsers: round trips ----------------------------------- */

static void fuzz_parsers(const uint8_t *p, size_t n)
{
    SQL_TIMESTAMP_STRUCT ts, ts2;
    int what, what2;
    if (conv_parse_datetime((const char *)p, n, &ts, &what) == 0) {
        CHECK(what >= 1 && what <= 3);
        char buf[64];
        size_t len = conv_format_ts(&ts, what, buf, sizeof buf);
        CHECK(len < sizeof buf);
        CHECK(conv_parse_datetime(buf, len, &ts2, &what2) == 0);
        CHECK(what2 == what);
        if (what & CONV_HAS_DATE)
            CHECK(ts.year == ts2.year && ts.month == ts2.month && ts.day == ts2.day);
        if (what & CONV_HAS_TIME)
            CHECK(ts.hour == ts2.hour && ts.minute == ts2.minute && ts.second == ts2.second &&
                  ts.fraction == ts2.fraction);
    }
    sqlite3_int64 i, i2;
    double x, x2;
    int is_int, is_int2;
    if (conv_parse_number((const char *)p, n, &i, &x, &is_int) == 0) {
        char buf[64];
        int len = is_int ? snprintf(buf, sizeof buf, "%lld", (long long)i)
                         : snprintf(buf, sizeof buf, "%.17g", x);
        if (is_int || isfinite(x)) {
            CHECK(conv_parse_number(buf, (size_t)len, &i2, &x2, &is_int2) == 0);
            CHECK(is_int2 == is_int || !is_int); /* "1e3" reads back as 1000 */
            if (is_int)
                CHECK(i2 == i);
            else
                CHECK((is_int2 ? (double)i2 : x2) == x);
        }
    }
    if (n >= sizeof(SQL_NUMERIC_STRUCT)) {
        /* struct -> exact text -> struct with the same scale */
        SQL_NUMERIC_STRUCT ns, back;
        memcpy(&ns, p, sizeof ns);
        char text[256];
        size_t len = conv_numeric_to_text(&ns, text, sizeof text);
        CHECK(len < sizeof text && strlen(text) == len);
        unsigned __int128 m = 0;
        for (int k = SQL_MAX_NUMERIC_LEN - 1; k >= 0; k--)
            m = (m << 8) | ns.val[k];
        unsigned __int128 lim = 1;
        for (int k = 0; k < 38; k++)
            lim *= 10;
        if (m < lim && ns.scale >= 0 && ns.scale <= 38 && (ns.sign == 0 || ns.sign == 1)) {
            db_value v = {SQLITE_TEXT, 0, 0, (const unsigned char *)text, (int)len};
            SQLLEN ind;
            c_target t = {.ctype = SQL_C_NUMERIC, .ptr = &back, .buflen = sizeof back,
                          .ind = &ind, .len = &ind, .precision = 38, .scale = ns.scale};
            diag_list d;
            diag_init(&d);
            SQLRETURN rc = conv_to_c(&d, &v, SQL_NUMERIC, &t, NULL, 1, 1);
            if (rc != SQL_SUCCESS)
                fprintf(stderr, "numeric text '%s' scale %d: rc %d %s\n", text, ns.scale, rc,
                        last_state(&d));
            CHECK(rc == SQL_SUCCESS);
            CHECK(memcmp(back.val, ns.val, sizeof ns.val) == 0);
            CHECK(back.scale == ns.scale);
            CHECK(back.sign == ns.sign || m == 0);
            diag_free(&d);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8)
        return 0;
    int sel = data[0];
    SQLSMALLINT sqlt = sql_types[data[1] % NELEM(sql_types)];
    SQLSMALLINT ctype = c_types[data[2] % NELEM(c_types)];
    SQLLEN buflen = (SQLLEN)(data[3] | (data[4] & 1) << 8); /* 0..511, odd ones too */
    int mode = data[5];
    SQLSMALLINT prec = (SQLSMALLINT)(data[6] % 50);
    SQLSMALLINT scale = (SQLSMALLINT)((signed char)data[7] % 45);
    const uint8_t *p = data + 8;
    size_t n = size - 8;

    if (sel & 0x80) {
        SQLLEN bl = (mode & 0x40) ? buflen : (mode & 0x20) ? -1 : 0;
        fuzz_from_c(ctype, sqlt, p, n, (mode >> 2) % 5, bl);
        return 0;
    }
    if (sel & 0x40) {
        fuzz_parsers(p, n);
        return 0;
    }
    /* The value: payload bytes as text/blob (in an exact-size copy), or an
     * integer / double from the first 8 bytes. */
    db_value v;
    memset(&v, 0, sizeof v);
    unsigned char *copy = malloc(n ? n : 1);
    CHECK(copy);
    memcpy(copy, p, n);
    switch (sel % 5) {
    case 0: {
        sqlite3_int64 i = 0;
        memcpy(&i, p, n < sizeof i ? n : sizeof i);
        v.type = SQLITE_INTEGER;
        v.i = i;
        break;
    }
    case 1: {
        double x = 0;
        memcpy(&x, p, n < sizeof x ? n : sizeof x);
        v.type = SQLITE_FLOAT;
        v.d = x;
        break;
    }
    case 2: v.type = SQLITE_TEXT; v.p = copy; v.n = (int)n; break;
    case 3: v.type = SQLITE_BLOB; v.p = copy; v.n = (int)n; break;
    default: v.type = SQLITE_NULL; break;
    }
    fuzz_to_c(&v, sqlt, ctype, buflen, mode, prec, scale);
    free(copy);
    return 0;
}
