/*
 * convert.h — conversions between SQLite values and application C buffers,
 * following the ODBC conversion tables (Appendix D of the ODBC reference).
 * Pure functions: they touch only the buffers given and post diagnostics.
 */
#ifndef CONVERT_H
#define CONVERT_H

#include "driver.h"

/* Where one converted value goes (a bound column, SQLGetData's arguments). */
typedef struct c_target {
    SQLSMALLINT ctype;          /* SQL_C_xxx; SQL_C_DEFAULT resolved by caller or here */
    SQLPOINTER ptr;             /* may be NULL: only lengths are returned */
    SQLLEN buflen;              /* bytes at ptr (char, wchar, binary) */
    SQLLEN *ind;                /* indicator: SQL_NULL_DATA or (if == len) length */
    SQLLEN *len;                /* octet length out; may equal ind */
    SQLSMALLINT precision, scale; /* SQL_C_NUMERIC (ARD fields); 0 = defaults */
} c_target;

/*
 * Convert value v of a column whose ODBC SQL type is col_sql_type into t.
 * offset: for SQLGetData on char/wchar/binary targets, bytes of the source
 * already returned in earlier calls (updated); NULL for bound columns.
 * row/col: for the diagnostic record (row 0 = unknown).
 * Returns SQL_SUCCESS; SQL_SUCCESS_WITH_INFO with 01004 (string truncated) or
 * 01S07 (fraction truncated); SQL_NO_DATA when offset says everything was
 * already returned; SQL_ERROR with 22002 (NULL without indicator), 22003
 * (numeric out of range), 22018 (not a number), 22007 (bad datetime),
 * 07006 (conversion not supported) or HY003 (unknown C type).
 */
SQLRETURN conv_to_c(diag_list *d, const db_value *v, SQLSMALLINT col_sql_type,
                    const c_target *t, SQLLEN *offset, SQLLEN row, SQLINTEGER col);

/* A parameter value ready for sqlite3_bind_* (or a Hrana argument). */
typedef struct param_value {
    db_value v;                 /* v.p points into owned or the app buffer */
    char *owned;                /* malloc'd storage to free after binding */
    char small[72];             /* storage for short formatted values */
} param_value;

/*
 * Convert one application parameter (C type ctype at ptr, with its
 * StrLen_or_Ind value `len_ind`, and buflen for char/binary without length)
 * into the value to bind, honouring the declared SQL type (sql_type,
 * column_size, digits from the IPD): e.g. SQL_C_CHAR "42" for an SQL_INTEGER
 * parameter binds INTEGER 42; dates bind as ISO-8601 text; SQL_C_NUMERIC
 * binds as INTEGER, REAL or exact decimal text; SQL_C_WCHAR is turned into
 * UTF-8. len_ind == SQL_NULL_DATA binds NULL. Posts 22003/22018/22007/HY090
 * /HY003 at (row, param) on failure. Free with param_value_free.
 */
SQLRETURN conv_from_c(diag_list *d, SQLSMALLINT ctype, SQLSMALLINT sql_type,
                      SQLULEN column_size, SQLSMALLINT digits, const void *ptr,
                      SQLLEN buflen, SQLLEN len_ind, param_value *out, SQLLEN row,
                      SQLINTEGER param);
void param_value_free(param_value *p);

/* SQL_C_DEFAULT for a given SQL type (e.g. SQL_BIGINT -> SQL_C_SBIGINT). */
SQLSMALLINT conv_default_ctype(SQLSMALLINT sql_type);

/* Bytes one value of fixed-size C type occupies (0 for char/wchar/binary);
 * used for row-wise binding strides and bound-column defaults. */
SQLLEN conv_ctype_size(SQLSMALLINT ctype);

/* UTF-8 <-> UTF-16 (SQLWCHAR as unixODBC uses it, 2 bytes, host order).
 * utf8_to_utf16: returns number of UTF-16 units needed for the whole string
 * (excluding NUL); writes at most cap units including a NUL when cap > 0.
 * utf16_to_utf8: len16 in units or SQL_NTS; returns malloc'd NUL-terminated
 * UTF-8 (NULL on OOM/NULL input); *outlen gets its byte length if non-NULL.
 * Invalid sequences become U+FFFD. */
SQLLEN utf8_to_utf16(const char *s, SQLLEN n, SQLWCHAR *out, SQLLEN cap);
char *utf16_to_utf8(const SQLWCHAR *s, SQLLEN len16, SQLLEN *outlen);

/* utf.c helpers (added by convert): like utf8_to_utf16, and *consumed gets
 * the source bytes behind the units written (whole characters only), so
 * chunked SQLGetData can resume there. */
SQLLEN utf8_to_utf16_part(const char *s, SQLLEN n, SQLWCHAR *out, SQLLEN cap,
                          SQLLEN *consumed);
/* Decode one code point from s[0..n) (n >= 1); returns bytes used; bad
 * input gives U+FFFD. */
size_t utf8_decode_one(const unsigned char *s, size_t n, unsigned *cp);
/* Nonzero when s[0..n) is well-formed UTF-8. */
int utf8_is_valid(const unsigned char *s, size_t n);

/* conv_datetime.c (added by convert): date/time text and numbers. */
#define CONV_HAS_DATE 1
#define CONV_HAS_TIME 2
/* Parse ISO-8601 date, time or timestamp text; *what gets CONV_HAS_* bits.
 * Returns 0, or -1 when the text is not a valid date/time. */
int conv_parse_datetime(const char *s, size_t n, SQL_TIMESTAMP_STRUCT *ts, int *what);
int conv_date_valid(int y, int m, int d);
int conv_time_valid(int h, int mi, int s);
int conv_days_in_month(int y, int m);
/* Numbers stored in date columns: INTEGER = Unix epoch seconds, REAL =
 * Julian day. Return 0 or -1 when out of the representable range. */
int conv_epoch_to_ts(long long secs, SQL_TIMESTAMP_STRUCT *ts);
int conv_julian_to_ts(double jd, SQL_TIMESTAMP_STRUCT *ts);
/* Format as "YYYY-MM-DD", "HH:MM:SS[.f]" or both (what = CONV_HAS_* bits);
 * fraction digits without trailing zeros. Returns the length. */
size_t conv_format_ts(const SQL_TIMESTAMP_STRUCT *ts, int what, char *out, size_t cap);
size_t conv_format_fraction(SQLUINTEGER frac, char *out);

/* convert.c (added by convert): parse text holding a number (surrounding
 * blanks allowed). Returns 0 with *is_int set (value in *i) or clear (value
 * in *d), -1 when the text is not a number. */
int conv_parse_number(const char *s, size_t n, sqlite3_int64 *i, double *d, int *is_int);

/* conv_numeric.c (added by convert): SQL_NUMERIC_STRUCT. conv_to_numeric
 * fills t (precision/scale from t, defaults 38/0) with conv_to_c's rules;
 * conv_numeric_to_text writes the exact decimal ("-12.34") and returns its
 * length. */
SQLRETURN conv_to_numeric(diag_list *d, const db_value *v, const c_target *t, SQLLEN row,
                          SQLINTEGER col);
size_t conv_numeric_to_text(const SQL_NUMERIC_STRUCT *ns, char *out, size_t cap);

/* utf.c (added by convert): UTF-16 n units -> UTF-8 into out, which must
 * hold 3 * n + 1 bytes; NUL-terminated; returns bytes written. */
size_t utf16_to_utf8_buf(const SQLWCHAR *s, SQLLEN n, char *out);

/* convert.c (added by convert): trunc() without libm (the library is not
 * linked against libm). */
double conv_trunc(double x);

#endif
