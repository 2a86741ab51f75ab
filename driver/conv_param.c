/*
 * conv_param.c — application parameters into values to bind (C to SQL,
 * "Converting Data from C to SQL Data Types" in Appendix D), honouring the
 * SQL type the application declared in SQLBindParameter.
 *
 * SQLite stores whatever it is given, so the declared SQL type decides the
 * storage class: "42" bound as SQL_INTEGER is INTEGER 42 (or 22018), a
 * number bound as SQL_VARCHAR is text, dates are ISO-8601 text. Where the
 * ODBC tables demand an error that would only get in the way of SQLite's
 * dynamic typing (a fractional double for an SQL_INTEGER parameter), the
 * value is bound unchanged and the column affinity decides.
 *
 * Fast path: numbers and short formatted values never allocate (they live
 * in param_value.small or point into the application's buffer). A
 * param_value must not be moved after conversion (v.p may point at small).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"

static SQLRETURN post(diag_list *d, SQLLEN row, SQLINTEGER param, const char *state,
                      const char *msg)
{
    if (!d) return (state[0] == '0' && state[1] == '1') ? SQL_SUCCESS_WITH_INFO : SQL_ERROR;
    return diag_post_at(d, row > 0 ? row : SQL_ROW_NUMBER_UNKNOWN, param, state, 0, "%s", msg);
}

typedef enum { K_TEXT, K_INT, K_REAL, K_DECIMAL, K_BIT, K_DATETIME, K_BINARY } sql_kind;

static sql_kind kind_of(SQLSMALLINT sql_type)
{
    switch (sql_type) {
    case SQL_TINYINT: case SQL_SMALLINT: case SQL_INTEGER: case SQL_BIGINT: return K_INT;
    case SQL_REAL: case SQL_FLOAT: case SQL_DOUBLE: return K_REAL;
    case SQL_DECIMAL: case SQL_NUMERIC: return K_DECIMAL;
    case SQL_BIT: return K_BIT;
    case SQL_TYPE_DATE: case SQL_TYPE_TIME: case SQL_TYPE_TIMESTAMP:
    case SQL_DATE: case SQL_TIME: case SQL_TIMESTAMP: return K_DATETIME;
    case SQL_BINARY: case SQL_VARBINARY: case SQL_LONGVARBINARY: return K_BINARY;
    default: return K_TEXT;
    }
}

static void set_int(param_value *out, sqlite3_int64 i)
{
    out->v.type = SQLITE_INTEGER;
    out->v.i = i;
}

static void set_real(param_value *out, double x)
{
    out->v.type = SQLITE_FLOAT;
    out->v.d = x;
}

static void set_text(param_value *out, const char *p, size_t n)
{
    out->v.type = SQLITE_TEXT;
    out->v.p = (const unsigned char *)p;
    out->v.n = (int)n;
}

/* Text formatted into out->small. */
static void set_small_text(param_value *out, size_t n)
{
    set_text(out, out->small, n);
}

/* Storage for n bytes: small when it fits, else malloc'd and owned. */
static char *storage(param_value *out, size_t n)
{
    if (n <= sizeof out->small) return out->small;
    out->owned = malloc(n);
    return out->owned;
}

static int in_int64(double x) { return x >= -9223372036854775808.0 && x < 9223372036854775808.0; }

static size_t format_double(double x, char *buf, size_t cap)
{
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(buf, cap, "%.*g", prec, x);
        if (strtod(buf, NULL) == x) break;
    }
    return n < 0 ? 0 : (size_t)n;
}

/* A whole number for the declared type. */
static SQLRETURN bind_integer(diag_list *d, sqlite3_int64 i, SQLSMALLINT sql_type,
                              param_value *out, SQLLEN row, SQLINTEGER param)
{
    switch (kind_of(sql_type)) {
    case K_TEXT:
        set_small_text(out, (size_t)snprintf(out->small, sizeof out->small, "%lld", (long long)i));
        return SQL_SUCCESS;
    case K_REAL:
        set_real(out, (double)i);
        return SQL_SUCCESS;
    case K_BIT:
        if (i != 0 && i != 1) return post(d, row, param, "22003", "Numeric value out of range");
        set_int(out, i);
        return SQL_SUCCESS;
    default:
        set_int(out, i);
        return SQL_SUCCESS;
    }
}

static SQLRETURN bind_double(diag_list *d, double x, SQLSMALLINT sql_type, param_value *out,
                             SQLLEN row, SQLINTEGER param)
{
    switch (kind_of(sql_type)) {
    case K_TEXT:
        set_small_text(out, format_double(x, out->small, sizeof out->small));
        return SQL_SUCCESS;
    case K_INT:
        if (isnan(x) || isinf(x)) return post(d, row, param, "22003", "Numeric value out of range");
        if (x == conv_trunc(x)) {
            if (!in_int64(x)) return post(d, row, param, "22003", "Numeric value out of range");
            set_int(out, (sqlite3_int64)x);
        } else {
            set_real(out, x); /* the column's affinity decides */
        }
        return SQL_SUCCESS;
    case K_BIT:
        if (x != 0 && x != 1) return post(d, row, param, "22003", "Numeric value out of range");
        set_int(out, (sqlite3_int64)x);
        return SQL_SUCCESS;
    default:
        set_real(out, x);
        return SQL_SUCCESS;
    }
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int equals_ci(const char *s, size_t n, const char *word)
{
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    if (n != strlen(word)) return 0;
    for (size_t k = 0; k < n; k++)
        if ((s[k] | 0x20) != word[k]) return 0;
    return 1;
}

/* UTF-8 text s[0..n) (in the app's buffer, small or owned) for the declared type. */
static SQLRETURN bind_text(diag_list *d, const char *s, size_t n, SQLSMALLINT sql_type,
                           param_value *out, SQLLEN row, SQLINTEGER param)
{
    sqlite3_int64 i;
    double x;
    int is_int;
    switch (kind_of(sql_type)) {
    case K_INT:
    case K_REAL:
        if (conv_parse_number(s, n, &i, &x, &is_int) != 0)
            return post(d, row, param, "22018", "Invalid character value for cast specification");
        if (kind_of(sql_type) == K_REAL) set_real(out, is_int ? (double)i : x);
        else if (is_int) set_int(out, i);
        else if (x == conv_trunc(x) && in_int64(x)) set_int(out, (sqlite3_int64)x);
        else set_real(out, x);
        return SQL_SUCCESS;
    case K_BIT:
        if (equals_ci(s, n, "true") || equals_ci(s, n, "false")) {
            set_int(out, equals_ci(s, n, "true"));
            return SQL_SUCCESS;
        }
        if (conv_parse_number(s, n, &i, &x, &is_int) != 0)
            return post(d, row, param, "22018", "Invalid character value for cast specification");
        return bind_double(d, is_int ? (double)i : x, sql_type, out, row, param);
    case K_DECIMAL:
        if (conv_parse_number(s, n, &i, &x, &is_int) != 0)
            return post(d, row, param, "22018", "Invalid character value for cast specification");
        if (is_int) set_int(out, i);
        else set_text(out, s, n); /* exact decimal text; the column affinity decides */
        return SQL_SUCCESS;
    case K_DATETIME: {
        SQL_TIMESTAMP_STRUCT ts;
        int what;
        if (conv_parse_datetime(s, n, &ts, &what) != 0)
            return post(d, row, param, "22007", "Invalid datetime format");
        set_text(out, s, n);
        return SQL_SUCCESS;
    }
    case K_BINARY: {
        /* Character data for a binary parameter is hexadecimal (ODBC rule). */
        if (n % 2) return post(d, row, param, "22018", "Invalid character value for cast specification");
        /* Text we converted ourselves (from UTF-16) is decoded in place:
         * each output byte lands behind the two digits it came from. */
        int ours = s == out->small || (out->owned && s == out->owned);
        unsigned char *b = ours ? (unsigned char *)s : (unsigned char *)storage(out, n / 2 + 1);
        if (!b) return post(d, row, param, "HY001", "Memory allocation error");
        for (size_t k = 0; k < n; k += 2) {
            int hi = hexval(s[k]), lo = hexval(s[k + 1]);
            if (hi < 0 || lo < 0)
                return post(d, row, param, "22018", "Invalid character value for cast specification");
            b[k / 2] = (unsigned char)(hi << 4 | lo);
        }
        out->v.type = SQLITE_BLOB;
        out->v.p = b;
        out->v.n = (int)(n / 2);
        return SQL_SUCCESS;
    }
    default:
        set_text(out, s, n);
        return SQL_SUCCESS;
    }
}

/* Byte length of character/binary data from StrLen_or_Ind. */
static SQLRETURN data_length(diag_list *d, SQLSMALLINT ctype, const void *ptr, SQLLEN buflen,
                             SQLLEN len_ind, size_t *n, SQLLEN row, SQLINTEGER param)
{
    if (len_ind >= 0) {
        *n = (size_t)len_ind;
        return SQL_SUCCESS;
    }
    if (len_ind != SQL_NTS) return post(d, row, param, "HY090", "Invalid string or buffer length");
    if (ctype == SQL_C_CHAR) {
        *n = buflen > 0 ? strnlen(ptr, (size_t)buflen) : strlen(ptr);
    } else if (ctype == SQL_C_WCHAR) {
        const SQLWCHAR *w = ptr;
        size_t max = buflen > 0 ? (size_t)buflen / sizeof(SQLWCHAR) : (size_t)-1;
        size_t k = 0;
        while (k < max && w[k]) k++;
        *n = k * sizeof(SQLWCHAR);
    } else {
        /* Binary data cannot be null-terminated: use the buffer length. */
        if (buflen < 0) return post(d, row, param, "HY090", "Invalid string or buffer length");
        *n = (size_t)buflen;
    }
    return SQL_SUCCESS;
}

static SQLRETURN bind_datetime(diag_list *d, SQLSMALLINT ctype, SQLSMALLINT sql_type,
                               const void *ptr, param_value *out, SQLLEN row, SQLINTEGER param)
{
    SQL_TIMESTAMP_STRUCT ts;
    int what;
    memset(&ts, 0, sizeof ts);
    if (ctype == SQL_C_TYPE_DATE || ctype == SQL_C_DATE) {
        SQL_DATE_STRUCT ds;
        memcpy(&ds, ptr, sizeof ds);
        ts.year = ds.year, ts.month = ds.month, ts.day = ds.day;
        what = CONV_HAS_DATE;
    } else if (ctype == SQL_C_TYPE_TIME || ctype == SQL_C_TIME) {
        SQL_TIME_STRUCT tm;
        memcpy(&tm, ptr, sizeof tm);
        ts.hour = tm.hour, ts.minute = tm.minute, ts.second = tm.second;
        what = CONV_HAS_TIME;
    } else {
        memcpy(&ts, ptr, sizeof ts);
        what = CONV_HAS_DATE | CONV_HAS_TIME;
        /* A timestamp for a DATE or TIME parameter keeps only that part. */
        if (sql_type == SQL_TYPE_DATE || sql_type == SQL_DATE) what = CONV_HAS_DATE;
        else if (sql_type == SQL_TYPE_TIME || sql_type == SQL_TIME) what = CONV_HAS_TIME;
    }
    if ((what & CONV_HAS_DATE) && !conv_date_valid(ts.year, ts.month, ts.day))
        return post(d, row, param, "22007", "Invalid datetime format");
    if ((what & CONV_HAS_TIME) &&
        (!conv_time_valid(ts.hour, ts.minute, ts.second) || ts.fraction > 999999999u))
        return post(d, row, param, "22007", "Invalid datetime format");
    set_small_text(out, conv_format_ts(&ts, what, out->small, sizeof out->small));
    return SQL_SUCCESS;
}

static int is_interval_ctype(SQLSMALLINT ctype)
{
    return ctype >= SQL_C_INTERVAL_YEAR && ctype <= SQL_C_INTERVAL_MINUTE_TO_SECOND;
}

SQLRETURN conv_from_c(diag_list *d, SQLSMALLINT ctype, SQLSMALLINT sql_type,
                      SQLULEN column_size, SQLSMALLINT digits, const void *ptr,
                      SQLLEN buflen, SQLLEN len_ind, param_value *out, SQLLEN row,
                      SQLINTEGER param)
{
    (void)column_size;
    (void)digits;
    out->owned = NULL;
    memset(&out->v, 0, sizeof out->v);
    out->v.type = SQLITE_NULL;
    if (len_ind == SQL_NULL_DATA || !ptr) return SQL_SUCCESS;
    if (ctype == SQL_C_DEFAULT) ctype = conv_default_ctype(sql_type);

    switch (ctype) {
    case SQL_C_CHAR: {
        size_t n;
        SQLRETURN rc = data_length(d, ctype, ptr, buflen, len_ind, &n, row, param);
        if (rc != SQL_SUCCESS) return rc;
        return bind_text(d, ptr, n, sql_type, out, row, param);
    }
    case SQL_C_WCHAR: {
        size_t n;
        SQLRETURN rc = data_length(d, ctype, ptr, buflen, len_ind, &n, row, param);
        if (rc != SQL_SUCCESS) return rc;
        SQLLEN units = (SQLLEN)(n / sizeof(SQLWCHAR));
        char *buf = storage(out, (size_t)units * 3 + 1);
        if (!buf) return post(d, row, param, "HY001", "Memory allocation error");
        size_t len = utf16_to_utf8_buf(ptr, units, buf);
        return bind_text(d, buf, len, sql_type, out, row, param);
    }
    case SQL_C_BINARY: {
        size_t n;
        SQLRETURN rc = data_length(d, ctype, ptr, buflen, len_ind, &n, row, param);
        if (rc != SQL_SUCCESS) return rc;
        if (kind_of(sql_type) == K_TEXT && utf8_is_valid(ptr, n)) {
            set_text(out, ptr, n);
        } else {
            out->v.type = SQLITE_BLOB;
            out->v.p = ptr;
            out->v.n = (int)n;
        }
        return SQL_SUCCESS;
    }
    case SQL_C_BIT: {
        unsigned char b;
        memcpy(&b, ptr, 1);
        return bind_integer(d, b != 0, sql_type, out, row, param);
    }
    case SQL_C_STINYINT: case SQL_C_TINYINT: {
        signed char c;
        memcpy(&c, ptr, 1);
        return bind_integer(d, c, sql_type, out, row, param);
    }
    case SQL_C_UTINYINT: {
        unsigned char c;
        memcpy(&c, ptr, 1);
        return bind_integer(d, c, sql_type, out, row, param);
    }
    case SQL_C_SSHORT: case SQL_C_SHORT: {
        SQLSMALLINT s;
        memcpy(&s, ptr, sizeof s);
        return bind_integer(d, s, sql_type, out, row, param);
    }
    case SQL_C_USHORT: {
        SQLUSMALLINT s;
        memcpy(&s, ptr, sizeof s);
        return bind_integer(d, s, sql_type, out, row, param);
    }
    case SQL_C_SLONG: case SQL_C_LONG: {
        SQLINTEGER l;
        memcpy(&l, ptr, sizeof l);
        return bind_integer(d, l, sql_type, out, row, param);
    }
    case SQL_C_ULONG: {
        SQLUINTEGER l;
        memcpy(&l, ptr, sizeof l);
        return bind_integer(d, l, sql_type, out, row, param);
    }
    case SQL_C_SBIGINT: {
        SQLBIGINT b;
        memcpy(&b, ptr, sizeof b);
        return bind_integer(d, b, sql_type, out, row, param);
    }
    case SQL_C_UBIGINT: {
        SQLUBIGINT u;
        memcpy(&u, ptr, sizeof u);
        if (u <= (SQLUBIGINT)INT64_MAX) return bind_integer(d, (sqlite3_int64)u, sql_type, out, row, param);
        /* Beyond SQLite's integers: exact text, or a double if asked for. */
        if (kind_of(sql_type) == K_REAL) {
            set_real(out, (double)u);
            return SQL_SUCCESS;
        }
        if (kind_of(sql_type) == K_INT || kind_of(sql_type) == K_BIT)
            return post(d, row, param, "22003", "Numeric value out of range");
        set_small_text(out, (size_t)snprintf(out->small, sizeof out->small, "%llu", (unsigned long long)u));
        return SQL_SUCCESS;
    }
    case SQL_C_FLOAT: {
        float f;
        memcpy(&f, ptr, sizeof f);
        return bind_double(d, f, sql_type, out, row, param);
    }
    case SQL_C_DOUBLE: {
        double x;
        memcpy(&x, ptr, sizeof x);
        return bind_double(d, x, sql_type, out, row, param);
    }
    case SQL_C_NUMERIC: {
        SQL_NUMERIC_STRUCT ns;
        memcpy(&ns, ptr, sizeof ns);
        size_t n = conv_numeric_to_text(&ns, out->small, sizeof out->small);
        if (n >= sizeof out->small) return post(d, row, param, "22003", "Numeric value out of range");
        sqlite3_int64 i;
        double x;
        int is_int;
        if (conv_parse_number(out->small, n, &i, &x, &is_int) != 0)
            return post(d, row, param, "22018", "Invalid character value for cast specification");
        switch (kind_of(sql_type)) {
        case K_TEXT:
            set_small_text(out, n);
            return SQL_SUCCESS;
        case K_REAL:
            set_real(out, is_int ? (double)i : x);
            return SQL_SUCCESS;
        case K_INT: case K_BIT:
            return is_int ? bind_integer(d, i, sql_type, out, row, param)
                          : bind_double(d, x, sql_type, out, row, param);
        default:
            /* DECIMAL/NUMERIC: integers exactly, fractions as exact text. */
            if (is_int) set_int(out, i);
            else set_small_text(out, n);
            return SQL_SUCCESS;
        }
    }
    case SQL_C_TYPE_DATE: case SQL_C_TYPE_TIME: case SQL_C_TYPE_TIMESTAMP:
    case SQL_C_DATE: case SQL_C_TIME: case SQL_C_TIMESTAMP:
        return bind_datetime(d, ctype, sql_type, ptr, out, row, param);
    case SQL_C_GUID: {
        SQLGUID g;
        memcpy(&g, ptr, sizeof g);
        int n = snprintf(out->small, sizeof out->small,
                         "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", (unsigned)g.Data1,
                         g.Data2, g.Data3, g.Data4[0], g.Data4[1], g.Data4[2], g.Data4[3],
                         g.Data4[4], g.Data4[5], g.Data4[6], g.Data4[7]);
        set_small_text(out, (size_t)n);
        return SQL_SUCCESS;
    }
    default:
        if (is_interval_ctype(ctype))
            return post(d, row, param, "07006", "Restricted data type attribute violation: interval types are not supported");
        return post(d, row, param, "HY003", "Program type out of range");
    }
}

void param_value_free(param_value *p)
{
    if (!p) return;
    free(p->owned);
    p->owned = NULL;
}
