/*
 * convert.c — SQLite values into application C buffers (SQLGetData, bound
 * columns), following "Converting Data from SQL to C Data Types" in
 * Appendix D of the ODBC reference; plus SQL_C_DEFAULT resolution and
 * C type sizes. Parameters (C to SQL) live in conv_param.c, date/time text
 * in conv_datetime.c, SQL_NUMERIC_STRUCT arithmetic in conv_numeric.c.
 *
 * The source is a db_value (INTEGER, FLOAT, TEXT, BLOB, NULL) plus the
 * column's ODBC SQL type, which matters only where the storage class alone
 * is ambiguous: numbers in date/time columns are dates (see
 * conv_datetime.c). Text holding a number converts to numbers.
 *
 * SQLGetData in pieces: *offset counts bytes of the source representation
 * already returned (text bytes, hex digits of a BLOB). Once a value has been
 * returned completely *offset is set to -1, so the next call reports
 * SQL_NO_DATA; the caller resets it to 0 for a new column or row. For
 * SQL_C_WCHAR the offset still counts UTF-8 source bytes and chunks end on
 * whole characters (never half a surrogate pair).
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "convert.h"

#define OFFSET_DONE ((SQLLEN)-1)

/* ---------- diagnostics and lengths ------------------------------------ */

static SQLRETURN post(diag_list *d, SQLLEN row, SQLINTEGER col, const char *state,
                      const char *msg)
{
    if (!d) return (state[0] == '0' && state[1] == '1') ? SQL_SUCCESS_WITH_INFO : SQL_ERROR;
    return diag_post_at(d, row > 0 ? row : SQL_ROW_NUMBER_UNKNOWN, col, state, 0, "%s", msg);
}

/* Octet length goes to len; a separate indicator gets 0 ("not NULL"), or
 * the length when there is no separate length buffer. */
static void store_len(SQLLEN *where, SQLLEN n)
{
    /* memcpy: row-wise bound buffers from some applications are packed,
     * so the SQLLEN may be misaligned. */
    memcpy(where, &n, sizeof n);
}

static void set_length(const c_target *t, SQLLEN n)
{
    if (t->len) store_len(t->len, n);
    if (t->ind && t->ind != t->len) store_len(t->ind, t->len ? 0 : n);
}

/* ---------- numbers ---------------------------------------------------- */

double conv_trunc(double x)
{
    /* Beyond 2^52 every double is already a whole number. */
    if (x != x || x >= 4503599627370496.0 || x <= -4503599627370496.0) return x;
    return (double)(long long)x;
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int conv_parse_number(const char *s, size_t n, sqlite3_int64 *i, double *d, int *is_int)
{
    while (n && is_blank(*s)) s++, n--;
    while (n && is_blank(s[n - 1])) n--;
    if (n == 0) return -1;
    /* Only plain decimal notation: strtod would also take "inf", "nan" and
     * hex floats, which are not numbers in SQL. */
    int digits = 0;
    for (size_t k = 0; k < n; k++) {
        char c = s[k];
        if (c >= '0' && c <= '9') digits++;
        else if (c != '+' && c != '-' && c != '.' && c != 'e' && c != 'E') return -1;
    }
    if (!digits) return -1;
    char small[64], *buf = small;
    if (n >= sizeof small) {
        buf = malloc(n + 1);
        if (!buf) return -1;
    }
    memcpy(buf, s, n);
    buf[n] = 0;
    char *end;
    int rc = -1;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (*end == 0 && errno == 0) {
        *i = v;
        *d = (double)v;
        *is_int = 1;
        rc = 0;
    } else {
        errno = 0;
        double x = strtod(buf, &end);
        if (*end == 0 && end != buf) {
            *d = x;
            *is_int = 0;
            rc = 0;
        }
    }
    if (buf != small) free(buf);
    return rc;
}

typedef struct num_src {
    int is_int;
    sqlite3_int64 i;
    double d;
} num_src;

static SQLRETURN get_number(diag_list *d, const db_value *v, num_src *n, SQLLEN row,
                            SQLINTEGER col)
{
    switch (v->type) {
    case SQLITE_INTEGER:
        n->is_int = 1;
        n->i = v->i;
        n->d = (double)v->i;
        return SQL_SUCCESS;
    case SQLITE_FLOAT:
        n->is_int = 0;
        n->d = v->d;
        return SQL_SUCCESS;
    case SQLITE_TEXT:
        if (conv_parse_number((const char *)v->p, (size_t)v->n, &n->i, &n->d, &n->is_int) != 0)
            return post(d, row, col, "22018", "Invalid character value for cast specification");
        return SQL_SUCCESS;
    default:
        return post(d, row, col, "07006", "Restricted data type attribute violation");
    }
}

/* Shortest "%.Ng" that reads back as the same double (15..17 digits), so
 * 0.1 prints as 0.1 and nothing is lost. */
static size_t format_double(double x, char *buf, size_t cap)
{
    int n = 0;
    if (isnan(x)) return (size_t)snprintf(buf, cap, "NaN");
    if (isinf(x)) return (size_t)snprintf(buf, cap, x < 0 ? "-Inf" : "Inf");
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(buf, cap, "%.*g", prec, x);
        if (strtod(buf, NULL) == x) break;
    }
    return n < 0 ? 0 : (size_t)n;
}

/* Whole-number value within [lo, hi] from a number; *frac set when a
 * fraction was dropped. Returns 0, or -1 when out of range. */
static int number_to_int(const num_src *n, double lo, double hi, sqlite3_int64 *out, int *frac)
{
    *frac = 0;
    if (n->is_int) {
        if ((double)n->i < lo || (double)n->i > hi) return -1;
        *out = n->i;
        return 0;
    }
    if (isnan(n->d)) return -1;
    double t = conv_trunc(n->d);
    if (t < lo || t > hi || t < -9223372036854775808.0 || t >= 9223372036854775808.0) return -1;
    *frac = t != n->d;
    *out = (sqlite3_int64)t;
    return 0;
}

static SQLRETURN to_integer(diag_list *d, const db_value *v, SQLSMALLINT ctype,
                            const c_target *t, SQLLEN row, SQLINTEGER col)
{
    num_src n;
    SQLRETURN rc = get_number(d, v, &n, row, col);
    if (rc != SQL_SUCCESS) return rc;
    sqlite3_int64 x = 0;
    int frac = 0, bad = 0;
    SQLLEN size = conv_ctype_size(ctype);

    if (ctype == SQL_C_UBIGINT) {
        /* The one target wider than sqlite3_int64: digits-only text keeps
         * full precision through strtoull. */
        unsigned long long u = 0;
        if (n.is_int) {
            bad = n.i < 0;
            u = (unsigned long long)n.i;
        } else if (v->type == SQLITE_TEXT) {
            char buf[32];
            size_t len = (size_t)v->n < sizeof buf - 1 ? (size_t)v->n : sizeof buf - 1;
            memcpy(buf, v->p, len);
            buf[len] = 0;
            char *end;
            errno = 0;
            const char *s = buf;
            while (is_blank(*s)) s++;
            u = strtoull(s, &end, 10);
            while (is_blank(*end)) end++;
            if (*s == '-' || *end || errno) {
                double tr = conv_trunc(n.d);
                bad = !(tr >= 0 && tr < 18446744073709551616.0);
                if (!bad) {
                    u = (unsigned long long)tr;
                    frac = tr != n.d;
                }
            }
        } else {
            double tr = conv_trunc(n.d);
            bad = !(tr >= 0 && tr < 18446744073709551616.0);
            if (!bad) {
                u = (unsigned long long)tr;
                frac = tr != n.d;
            }
        }
        if (bad) return post(d, row, col, "22003", "Numeric value out of range");
        if (t->ptr) memcpy(t->ptr, &u, sizeof u);
        set_length(t, size);
        return frac ? post(d, row, col, "01S07", "Fractional truncation") : SQL_SUCCESS;
    }

    double lo, hi;
    switch (ctype) {
    case SQL_C_STINYINT: case SQL_C_TINYINT: lo = -128; hi = 127; break;
    case SQL_C_UTINYINT: lo = 0; hi = 255; break;
    case SQL_C_SSHORT: case SQL_C_SHORT: lo = -32768; hi = 32767; break;
    case SQL_C_USHORT: lo = 0; hi = 65535; break;
    case SQL_C_SLONG: case SQL_C_LONG: lo = -2147483648.0; hi = 2147483647.0; break;
    case SQL_C_ULONG: lo = 0; hi = 4294967295.0; break;
    default: lo = -9223372036854775808.0; hi = 9223372036854775807.0; break;
    }
    if (n.is_int && ctype == SQL_C_SBIGINT) {
        x = n.i;
    } else if (number_to_int(&n, lo, hi, &x, &frac) != 0) {
        return post(d, row, col, "22003", "Numeric value out of range");
    }
    if (t->ptr) {
        switch (ctype) {
        case SQL_C_STINYINT: case SQL_C_TINYINT: { signed char c = (signed char)x; memcpy(t->ptr, &c, 1); break; }
        case SQL_C_UTINYINT: { unsigned char c = (unsigned char)x; memcpy(t->ptr, &c, 1); break; }
        case SQL_C_SSHORT: case SQL_C_SHORT: { SQLSMALLINT s = (SQLSMALLINT)x; memcpy(t->ptr, &s, sizeof s); break; }
        case SQL_C_USHORT: { SQLUSMALLINT s = (SQLUSMALLINT)x; memcpy(t->ptr, &s, sizeof s); break; }
        case SQL_C_SLONG: case SQL_C_LONG: { SQLINTEGER l = (SQLINTEGER)x; memcpy(t->ptr, &l, sizeof l); break; }
        case SQL_C_ULONG: { SQLUINTEGER l = (SQLUINTEGER)x; memcpy(t->ptr, &l, sizeof l); break; }
        default: { SQLBIGINT b = x; memcpy(t->ptr, &b, sizeof b); break; }
        }
    }
    set_length(t, size);
    return frac ? post(d, row, col, "01S07", "Fractional truncation") : SQL_SUCCESS;
}

static int text_equals_ci(const db_value *v, const char *word)
{
    size_t n = (size_t)v->n;
    const char *s = (const char *)v->p;
    while (n && is_blank(*s)) s++, n--;
    while (n && is_blank(s[n - 1])) n--;
    size_t wl = strlen(word);
    if (n != wl) return 0;
    for (size_t k = 0; k < n; k++)
        if ((s[k] | 0x20) != word[k]) return 0;
    return 1;
}

static SQLRETURN to_bit(diag_list *d, const db_value *v, const c_target *t, SQLLEN row,
                        SQLINTEGER col)
{
    unsigned char bit;
    int frac = 0;
    if (v->type == SQLITE_TEXT && (text_equals_ci(v, "true") || text_equals_ci(v, "false"))) {
        bit = text_equals_ci(v, "true");
    } else {
        num_src n;
        SQLRETURN rc = get_number(d, v, &n, row, col);
        if (rc != SQL_SUCCESS) return rc;
        double x = n.is_int ? (double)n.i : n.d;
        if (n.is_int ? (n.i != 0 && n.i != 1) : !(x >= 0 && x < 2))
            return post(d, row, col, "22003", "Numeric value out of range");
        bit = x >= 1;
        frac = !n.is_int && x != 0 && x != 1;
    }
    if (t->ptr) memcpy(t->ptr, &bit, 1);
    set_length(t, 1);
    return frac ? post(d, row, col, "01S07", "Fractional truncation") : SQL_SUCCESS;
}

static SQLRETURN to_floating(diag_list *d, const db_value *v, SQLSMALLINT ctype,
                             const c_target *t, SQLLEN row, SQLINTEGER col)
{
    num_src n;
    SQLRETURN rc = get_number(d, v, &n, row, col);
    if (rc != SQL_SUCCESS) return rc;
    double x = n.is_int ? (double)n.i : n.d;
    if (ctype == SQL_C_FLOAT) {
        if (isfinite(x) && (x < 0 ? -x : x) > FLT_MAX)
            return post(d, row, col, "22003", "Numeric value out of range");
        float f = (float)x;
        if (t->ptr) memcpy(t->ptr, &f, sizeof f);
        set_length(t, sizeof f);
    } else {
        if (t->ptr) memcpy(t->ptr, &x, sizeof x);
        set_length(t, sizeof x);
    }
    return SQL_SUCCESS;
}

/* ---------- date and time ---------------------------------------------- */

static int is_datetime_type(SQLSMALLINT sql_type)
{
    switch (sql_type) {
    case SQL_TYPE_DATE: case SQL_TYPE_TIME: case SQL_TYPE_TIMESTAMP:
    case SQL_DATE: case SQL_TIME: case SQL_TIMESTAMP:
        return 1;
    default:
        return 0;
    }
}

static int datetime_what(SQLSMALLINT sql_type)
{
    switch (sql_type) {
    case SQL_TYPE_DATE: case SQL_DATE: return CONV_HAS_DATE;
    case SQL_TYPE_TIME: case SQL_TIME: return CONV_HAS_TIME;
    default: return CONV_HAS_DATE | CONV_HAS_TIME;
    }
}

static SQLRETURN get_timestamp(diag_list *d, const db_value *v, SQL_TIMESTAMP_STRUCT *ts,
                               int *what, SQLLEN row, SQLINTEGER col)
{
    int rc;
    *what = CONV_HAS_DATE | CONV_HAS_TIME;
    switch (v->type) {
    case SQLITE_TEXT:
        rc = conv_parse_datetime((const char *)v->p, (size_t)v->n, ts, what);
        break;
    case SQLITE_INTEGER:
        rc = conv_epoch_to_ts(v->i, ts);
        break;
    case SQLITE_FLOAT:
        rc = conv_julian_to_ts(v->d, ts);
        break;
    default:
        return post(d, row, col, "07006", "Restricted data type attribute violation");
    }
    if (rc != 0) return post(d, row, col, "22007", "Invalid datetime format");
    return SQL_SUCCESS;
}

static void today(SQL_TIMESTAMP_STRUCT *ts)
{
    time_t now = time(NULL);
    struct tm tmv;
    localtime_r(&now, &tmv);
    ts->year = (SQLSMALLINT)(tmv.tm_year + 1900);
    ts->month = (SQLUSMALLINT)(tmv.tm_mon + 1);
    ts->day = (SQLUSMALLINT)tmv.tm_mday;
}

static SQLRETURN to_datetime(diag_list *d, const db_value *v, SQLSMALLINT ctype,
                             const c_target *t, SQLLEN row, SQLINTEGER col)
{
    SQL_TIMESTAMP_STRUCT ts;
    int what;
    SQLRETURN rc = get_timestamp(d, v, &ts, &what, row, col);
    if (rc != SQL_SUCCESS) return rc;
    int cut = 0;
    switch (ctype) {
    case SQL_C_TYPE_DATE: case SQL_C_DATE: {
        if (!(what & CONV_HAS_DATE)) return post(d, row, col, "22007", "Invalid datetime format");
        cut = ts.hour || ts.minute || ts.second || ts.fraction;
        SQL_DATE_STRUCT ds = {ts.year, ts.month, ts.day};
        if (t->ptr) memcpy(t->ptr, &ds, sizeof ds);
        set_length(t, sizeof ds);
        break;
    }
    case SQL_C_TYPE_TIME: case SQL_C_TIME: {
        if (!(what & CONV_HAS_TIME)) return post(d, row, col, "22007", "Invalid datetime format");
        cut = ts.fraction != 0;
        SQL_TIME_STRUCT tm = {ts.hour, ts.minute, ts.second};
        if (t->ptr) memcpy(t->ptr, &tm, sizeof tm);
        set_length(t, sizeof tm);
        break;
    }
    default:
        if (!(what & CONV_HAS_DATE)) today(&ts); /* time only: today's date (ODBC rule) */
        if (t->ptr) memcpy(t->ptr, &ts, sizeof ts);
        set_length(t, sizeof ts);
        break;
    }
    return cut ? post(d, row, col, "01S07", "Fractional truncation") : SQL_SUCCESS;
}

/* ---------- GUID -------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static SQLRETURN to_guid(diag_list *d, const db_value *v, const c_target *t, SQLLEN row,
                         SQLINTEGER col)
{
    unsigned char b[16];
    if (v->type == SQLITE_BLOB && v->n == 16) {
        memcpy(b, v->p, 16);
    } else if (v->type == SQLITE_TEXT) {
        const char *s = (const char *)v->p;
        size_t n = (size_t)v->n;
        while (n && is_blank(*s)) s++, n--;
        while (n && is_blank(s[n - 1])) n--;
        if (n == 38 && s[0] == '{' && s[37] == '}') s++, n -= 2;
        if (n != 36) return post(d, row, col, "22018", "Invalid character value for cast specification");
        int k = 0;
        for (size_t i = 0; i < 36; i++) {
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (s[i] != '-') return post(d, row, col, "22018", "Invalid character value for cast specification");
                continue;
            }
            int hi = hexval(s[i]), lo = hexval(s[i + 1]);
            if (hi < 0 || lo < 0) return post(d, row, col, "22018", "Invalid character value for cast specification");
            b[k++] = (unsigned char)(hi << 4 | lo);
            i++;
        }
    } else {
        return post(d, row, col, "07006", "Restricted data type attribute violation");
    }
    /* Text and 16-byte blobs are in RFC 4122 (big-endian) order. */
    SQLGUID g;
    g.Data1 = (SQLUINTEGER)b[0] << 24 | (SQLUINTEGER)b[1] << 16 | (SQLUINTEGER)b[2] << 8 | b[3];
    g.Data2 = (SQLUSMALLINT)(b[4] << 8 | b[5]);
    g.Data3 = (SQLUSMALLINT)(b[6] << 8 | b[7]);
    memcpy(g.Data4, b + 8, 8);
    if (t->ptr) memcpy(t->ptr, &g, sizeof g);
    set_length(t, sizeof g);
    return SQL_SUCCESS;
}

/* ---------- character and binary targets ------------------------------- */

/* What a value looks like as characters. Text and hex are streamed in
 * pieces; formatted values (numbers, dates) must fit whole. */
typedef struct char_src {
    const char *p;      /* bytes (text, formatted) or blob bytes for hex */
    size_t n;           /* length of the character form */
    int hex;            /* p holds n/2 blob bytes shown as hex digits */
    int formatted;      /* number or date: 22003 when the whole part does not fit */
} char_src;

static void char_src_of(const db_value *v, SQLSMALLINT col_sql_type, char *buf, size_t cap,
                        char_src *cs)
{
    memset(cs, 0, sizeof *cs);
    if (v->type == SQLITE_TEXT) {
        cs->p = (const char *)v->p;
        cs->n = (size_t)v->n;
        return;
    }
    if (v->type == SQLITE_BLOB) {
        cs->p = (const char *)v->p;
        cs->n = (size_t)v->n * 2;
        cs->hex = 1;
        return;
    }
    cs->p = buf;
    cs->formatted = 1;
    if (is_datetime_type(col_sql_type)) {
        SQL_TIMESTAMP_STRUCT ts;
        int ok = v->type == SQLITE_INTEGER ? conv_epoch_to_ts(v->i, &ts) : conv_julian_to_ts(v->d, &ts);
        if (ok == 0) {
            cs->n = conv_format_ts(&ts, datetime_what(col_sql_type), buf, cap);
            return;
        }
    }
    if (v->type == SQLITE_INTEGER)
        cs->n = (size_t)snprintf(buf, cap, "%lld", (long long)v->i);
    else
        cs->n = format_double(v->d, buf, cap);
}

static void copy_hex(const unsigned char *blob, size_t from, size_t count, char *out)
{
    static const char digits[] = "0123456789ABCDEF";
    for (size_t k = 0; k < count; k++) {
        size_t pos = from + k;
        unsigned char byte = blob[pos / 2];
        out[k] = digits[(pos % 2 == 0) ? byte >> 4 : byte & 0xF];
    }
}

/* How much of a formatted value fits in `room` characters: all of it, its
 * whole part with the fraction cut (01004), or nothing (22003). */
static int formatted_fit(const char_src *cs, size_t room, size_t *take)
{
    if (cs->n <= room) {
        *take = cs->n;
        return 0;
    }
    const char *dot = memchr(cs->p, '.', cs->n);
    if (dot && !memchr(cs->p, 'e', cs->n) && (size_t)(dot - cs->p) <= room) {
        *take = room;
        return 1;
    }
    return -1;
}

static SQLRETURN to_char(diag_list *d, const db_value *v, SQLSMALLINT col_sql_type,
                         const c_target *t, SQLLEN *offset, SQLLEN row, SQLINTEGER col)
{
    char buf[64];
    char_src cs;
    char_src_of(v, col_sql_type, buf, sizeof buf, &cs);
    char *out = t->ptr;
    size_t room = (out && t->buflen > 0) ? (size_t)t->buflen - 1 : 0;

    if (cs.formatted) {
        size_t take;
        int fit = formatted_fit(&cs, room, &take);
        if (!out || t->buflen <= 0) {
            set_length(t, (SQLLEN)cs.n);
            return SQL_SUCCESS;
        }
        if (fit < 0) return post(d, row, col, "22003", "Numeric value out of range");
        memcpy(out, cs.p, take);
        out[take] = 0;
        set_length(t, (SQLLEN)cs.n);
        if (offset) *offset = OFFSET_DONE;
        return fit ? post(d, row, col, "01004", "String data, right truncated") : SQL_SUCCESS;
    }

    size_t off = offset ? (size_t)*offset : 0;
    if (off > cs.n) off = cs.n;
    size_t remaining = cs.n - off;
    set_length(t, (SQLLEN)remaining);
    if (!out || t->buflen <= 0)
        return remaining ? post(d, row, col, "01004", "String data, right truncated") : SQL_SUCCESS;
    size_t take = remaining < room ? remaining : room;
    if (take < remaining && !cs.hex) {
        /* End on a character boundary when at least one whole character fits. */
        size_t k = take;
        while (k > 0 && ((unsigned char)cs.p[off + k] & 0xC0) == 0x80) k--;
        if (k > 0) take = k;
    }
    if (cs.hex) copy_hex((const unsigned char *)cs.p, off, take, out);
    else memcpy(out, cs.p + off, take);
    out[take] = 0;
    if (take < remaining) {
        if (offset) *offset = (SQLLEN)(off + take);
        return post(d, row, col, "01004", "String data, right truncated");
    }
    if (offset) *offset = OFFSET_DONE;
    return SQL_SUCCESS;
}

static SQLRETURN to_wchar(diag_list *d, const db_value *v, SQLSMALLINT col_sql_type,
                          const c_target *t, SQLLEN *offset, SQLLEN row, SQLINTEGER col)
{
    char buf[64];
    char_src cs;
    char_src_of(v, col_sql_type, buf, sizeof buf, &cs);
    SQLWCHAR *out = t->ptr;
    SQLLEN cap_units = (out && t->buflen > 0) ? t->buflen / (SQLLEN)sizeof(SQLWCHAR) : 0;
    size_t room = cap_units > 0 ? (size_t)cap_units - 1 : 0;

    if (cs.formatted) { /* ASCII: one unit per byte */
        size_t take = 0;
        int fit = formatted_fit(&cs, room, &take);
        set_length(t, (SQLLEN)(cs.n * sizeof(SQLWCHAR)));
        if (cap_units <= 0) return SQL_SUCCESS;
        if (fit < 0) return post(d, row, col, "22003", "Numeric value out of range");
        for (size_t k = 0; k < take; k++) out[k] = (SQLWCHAR)(unsigned char)cs.p[k];
        out[take] = 0;
        if (offset) *offset = OFFSET_DONE;
        return fit ? post(d, row, col, "01004", "String data, right truncated") : SQL_SUCCESS;
    }

    size_t off = offset ? (size_t)*offset : 0;
    if (off > cs.n) off = cs.n;
    if (cs.hex) {
        size_t remaining = cs.n - off;
        set_length(t, (SQLLEN)(remaining * sizeof(SQLWCHAR)));
        if (cap_units <= 0)
            return remaining ? post(d, row, col, "01004", "String data, right truncated") : SQL_SUCCESS;
        size_t take = remaining < room ? remaining : room;
        char tmp[256];
        for (size_t done = 0; done < take;) {
            size_t step = take - done < sizeof tmp ? take - done : sizeof tmp;
            copy_hex((const unsigned char *)cs.p, off + done, step, tmp);
            for (size_t k = 0; k < step; k++) out[done + k] = (SQLWCHAR)tmp[k];
            done += step;
        }
        out[take] = 0;
        if (take < remaining) {
            if (offset) *offset = (SQLLEN)(off + take);
            return post(d, row, col, "01004", "String data, right truncated");
        }
        if (offset) *offset = OFFSET_DONE;
        return SQL_SUCCESS;
    }

    SQLLEN consumed = 0;
    SQLLEN units = utf8_to_utf16_part(cs.p + off, (SQLLEN)(cs.n - off), cap_units > 0 ? out : NULL,
                                      cap_units, &consumed);
    set_length(t, units * (SQLLEN)sizeof(SQLWCHAR));
    if (units > (SQLLEN)room || cap_units <= 0) {
        if (cap_units <= 0 && units == 0) return SQL_SUCCESS;
        if (offset) *offset = (SQLLEN)off + consumed;
        return post(d, row, col, "01004", "String data, right truncated");
    }
    if (offset) *offset = OFFSET_DONE;
    return SQL_SUCCESS;
}

static SQLRETURN to_binary(diag_list *d, const db_value *v, SQLSMALLINT col_sql_type,
                           const c_target *t, SQLLEN *offset, SQLLEN row, SQLINTEGER col)
{
    char buf[64];
    const unsigned char *src;
    size_t n;
    int formatted = 0;
    if (v->type == SQLITE_TEXT || v->type == SQLITE_BLOB) {
        src = v->p;
        n = (size_t)v->n;
    } else {
        char_src cs;
        char_src_of(v, col_sql_type, buf, sizeof buf, &cs);
        src = (const unsigned char *)cs.p;
        n = cs.n;
        formatted = 1;
    }
    size_t cap = (t->ptr && t->buflen > 0) ? (size_t)t->buflen : 0;
    if (formatted) {
        set_length(t, (SQLLEN)n);
        if (!cap) return SQL_SUCCESS;
        if (n > cap) return post(d, row, col, "22003", "Numeric value out of range");
        memcpy(t->ptr, src, n);
        if (offset) *offset = OFFSET_DONE;
        return SQL_SUCCESS;
    }
    size_t off = offset ? (size_t)*offset : 0;
    if (off > n) off = n;
    size_t remaining = n - off;
    set_length(t, (SQLLEN)remaining);
    if (!cap) return remaining ? post(d, row, col, "01004", "String data, right truncated") : SQL_SUCCESS;
    size_t take = remaining < cap ? remaining : cap;
    if (take) memcpy(t->ptr, src + off, take);
    if (take < remaining) {
        if (offset) *offset = (SQLLEN)(off + take);
        return post(d, row, col, "01004", "String data, right truncated");
    }
    if (offset) *offset = OFFSET_DONE;
    return SQL_SUCCESS;
}

/* ---------- entry point ------------------------------------------------ */

static int is_fixed_target(SQLSMALLINT ctype)
{
    return ctype != SQL_C_CHAR && ctype != SQL_C_WCHAR && ctype != SQL_C_BINARY;
}

static int is_interval_ctype(SQLSMALLINT ctype)
{
    return ctype >= SQL_C_INTERVAL_YEAR && ctype <= SQL_C_INTERVAL_MINUTE_TO_SECOND;
}

SQLRETURN conv_to_c(diag_list *d, const db_value *v, SQLSMALLINT col_sql_type,
                    const c_target *t, SQLLEN *offset, SQLLEN row, SQLINTEGER col)
{
    SQLSMALLINT ctype = t->ctype;
    if (ctype == SQL_C_DEFAULT) {
        if (col_sql_type == SQL_UNKNOWN_TYPE) {
            switch (v->type) {
            case SQLITE_INTEGER: ctype = SQL_C_SBIGINT; break;
            case SQLITE_FLOAT: ctype = SQL_C_DOUBLE; break;
            case SQLITE_BLOB: ctype = SQL_C_BINARY; break;
            default: ctype = SQL_C_CHAR; break;
            }
        } else {
            ctype = conv_default_ctype(col_sql_type);
        }
    }
    if (offset && *offset == OFFSET_DONE) return SQL_NO_DATA;

    if (v->type == SQLITE_NULL) {
        if (!t->ind) return post(d, row, col, "22002", "Indicator variable required but not supplied");
        store_len(t->ind, SQL_NULL_DATA);
        if (offset) *offset = OFFSET_DONE;
        return SQL_SUCCESS;
    }

    SQLRETURN rc;
    switch (ctype) {
    case SQL_C_CHAR:
        return to_char(d, v, col_sql_type, t, offset, row, col);
    case SQL_C_WCHAR:
        return to_wchar(d, v, col_sql_type, t, offset, row, col);
    case SQL_C_BINARY:
        return to_binary(d, v, col_sql_type, t, offset, row, col);
    case SQL_C_BIT:
        rc = to_bit(d, v, t, row, col);
        break;
    case SQL_C_STINYINT: case SQL_C_UTINYINT: case SQL_C_TINYINT:
    case SQL_C_SSHORT: case SQL_C_USHORT: case SQL_C_SHORT:
    case SQL_C_SLONG: case SQL_C_ULONG: case SQL_C_LONG:
    case SQL_C_SBIGINT: case SQL_C_UBIGINT:
        rc = to_integer(d, v, ctype, t, row, col);
        break;
    case SQL_C_FLOAT: case SQL_C_DOUBLE:
        rc = to_floating(d, v, ctype, t, row, col);
        break;
    case SQL_C_NUMERIC:
        rc = conv_to_numeric(d, v, t, row, col);
        break;
    case SQL_C_TYPE_DATE: case SQL_C_TYPE_TIME: case SQL_C_TYPE_TIMESTAMP:
    case SQL_C_DATE: case SQL_C_TIME: case SQL_C_TIMESTAMP:
        rc = to_datetime(d, v, ctype, t, row, col);
        break;
    case SQL_C_GUID:
        rc = to_guid(d, v, t, row, col);
        break;
    default:
        if (is_interval_ctype(ctype))
            return post(d, row, col, "07006", "Restricted data type attribute violation: interval types are not supported");
        return post(d, row, col, "HY003", "Program type out of range");
    }
    if (offset && is_fixed_target(ctype) && SQL_SUCCEEDED(rc)) *offset = OFFSET_DONE;
    return rc;
}

SQLSMALLINT conv_default_ctype(SQLSMALLINT sql_type)
{
    switch (sql_type) {
    case SQL_WCHAR: case SQL_WVARCHAR: case SQL_WLONGVARCHAR: return SQL_C_WCHAR;
    case SQL_BIT: return SQL_C_BIT;
    case SQL_TINYINT: return SQL_C_STINYINT;
    case SQL_SMALLINT: return SQL_C_SSHORT;
    case SQL_INTEGER: return SQL_C_SLONG;
    case SQL_BIGINT: return SQL_C_SBIGINT;
    case SQL_REAL: return SQL_C_FLOAT;
    case SQL_FLOAT: case SQL_DOUBLE: return SQL_C_DOUBLE;
    case SQL_BINARY: case SQL_VARBINARY: case SQL_LONGVARBINARY: return SQL_C_BINARY;
    case SQL_TYPE_DATE: case SQL_DATE: return SQL_C_TYPE_DATE;
    case SQL_TYPE_TIME: case SQL_TIME: return SQL_C_TYPE_TIME;
    case SQL_TYPE_TIMESTAMP: case SQL_TIMESTAMP: return SQL_C_TYPE_TIMESTAMP;
    case SQL_GUID: return SQL_C_GUID;
    default: return SQL_C_CHAR; /* CHAR, VARCHAR, LONGVARCHAR, DECIMAL, NUMERIC, unknown */
    }
}

SQLLEN conv_ctype_size(SQLSMALLINT ctype)
{
    switch (ctype) {
    case SQL_C_BIT: case SQL_C_STINYINT: case SQL_C_UTINYINT: case SQL_C_TINYINT: return 1;
    case SQL_C_SSHORT: case SQL_C_USHORT: case SQL_C_SHORT: return sizeof(SQLSMALLINT);
    case SQL_C_SLONG: case SQL_C_ULONG: case SQL_C_LONG: return sizeof(SQLINTEGER);
    case SQL_C_SBIGINT: case SQL_C_UBIGINT: return sizeof(SQLBIGINT);
    case SQL_C_FLOAT: return sizeof(float);
    case SQL_C_DOUBLE: return sizeof(double);
    case SQL_C_NUMERIC: return sizeof(SQL_NUMERIC_STRUCT);
    case SQL_C_TYPE_DATE: case SQL_C_DATE: return sizeof(SQL_DATE_STRUCT);
    case SQL_C_TYPE_TIME: case SQL_C_TIME: return sizeof(SQL_TIME_STRUCT);
    case SQL_C_TYPE_TIMESTAMP: case SQL_C_TIMESTAMP: return sizeof(SQL_TIMESTAMP_STRUCT);
    case SQL_C_GUID: return sizeof(SQLGUID);
    default:
        if (ctype >= SQL_C_INTERVAL_YEAR && ctype <= SQL_C_INTERVAL_MINUTE_TO_SECOND)
            return sizeof(SQL_INTERVAL_STRUCT);
        return 0;
    }
}
