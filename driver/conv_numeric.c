/*
 * conv_numeric.c — SQL_NUMERIC_STRUCT in both directions. The struct holds
 * an unsigned 128-bit little-endian mantissa, a sign and a scale; we go
 * through exact decimal digit strings so no binary rounding sneaks in:
 * text "12.345" with scale 2 becomes mantissa 1234 and 01S07 (a nonzero
 * digit was dropped); a double goes through its shortest round-trip
 * decimal form, so 0.1 is 0.1 and not 0.1000000000000000055.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"

#define MAX_NUMERIC_DIGITS 38   /* 10^38 < 2^127: always fits the mantissa */

static SQLRETURN post(diag_list *d, SQLLEN row, SQLINTEGER col, const char *state,
                      const char *msg)
{
    if (!d) return (state[0] == '0' && state[1] == '1') ? SQL_SUCCESS_WITH_INFO : SQL_ERROR;
    return diag_post_at(d, row > 0 ? row : SQL_ROW_NUMBER_UNKNOWN, col, state, 0, "%s", msg);
}

/* A decimal number as significant digits times 10^exp10. */
typedef struct decimal {
    int neg;
    char digits[80];   /* without leading zeros; "" for zero */
    int ndigits;
    int exp10;
} decimal;

/* Parse [blanks][+-]digits[.digits][e[+-]digits][blanks]. Digits beyond
 * the buffer are only allowed when zero after the point (rare; else -1). */
static int parse_decimal(const char *s, size_t n, decimal *out)
{
    const char *p = s, *end = s + n;
    memset(out, 0, sizeof *out);
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t')) end--;
    if (p < end && (*p == '+' || *p == '-')) out->neg = *p++ == '-';
    int seen = 0, after_point = 0, dropped_int = 0;
    for (; p < end; p++) {
        if (*p >= '0' && *p <= '9') {
            seen = 1;
            if (out->ndigits == 0 && *p == '0') {
                if (after_point) out->exp10--;
                continue;
            }
            if (out->ndigits < (int)sizeof out->digits - 1) {
                out->digits[out->ndigits++] = *p;
                if (after_point) out->exp10--;
            } else if (!after_point) {
                dropped_int++; /* too many digits: keep magnitude, lose precision */
            } else if (*p != '0') {
                return -1;
            }
        } else if (*p == '.' && !after_point) {
            after_point = 1;
        } else {
            break;
        }
    }
    if (!seen) return -1;
    out->exp10 += dropped_int;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        int eneg = 0, e = 0, edig = 0;
        if (p < end && (*p == '+' || *p == '-')) eneg = *p++ == '-';
        while (p < end && *p >= '0' && *p <= '9') {
            if (e < 100000) e = e * 10 + (*p - '0');
            p++;
            edig++;
        }
        if (!edig) return -1;
        out->exp10 += eneg ? -e : e;
    }
    if (p != end) return -1;
    out->digits[out->ndigits] = 0;
    if (out->ndigits == 0) out->neg = 0, out->exp10 = 0;
    return 0;
}

static void shortest_double(double x, char *buf, size_t cap)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*e", prec - 1, x);
        if (strtod(buf, NULL) == x) break;
    }
}

SQLRETURN conv_to_numeric(diag_list *d, const db_value *v, const c_target *t, SQLLEN row,
                          SQLINTEGER col)
{
    char buf[64];
    decimal dec;
    int rc;
    switch (v->type) {
    case SQLITE_INTEGER:
        snprintf(buf, sizeof buf, "%lld", (long long)v->i);
        rc = parse_decimal(buf, strlen(buf), &dec);
        break;
    case SQLITE_FLOAT:
        if (!isfinite(v->d)) return post(d, row, col, "22003", "Numeric value out of range");
        shortest_double(v->d, buf, sizeof buf);
        rc = parse_decimal(buf, strlen(buf), &dec);
        break;
    case SQLITE_TEXT:
        rc = parse_decimal((const char *)v->p, (size_t)v->n, &dec);
        if (rc != 0) return post(d, row, col, "22018", "Invalid character value for cast specification");
        break;
    default:
        return post(d, row, col, "07006", "Restricted data type attribute violation");
    }
    if (rc != 0) return post(d, row, col, "22018", "Invalid character value for cast specification");

    int precision = t->precision > 0 ? t->precision : MAX_NUMERIC_DIGITS;
    int scale = t->scale;
    if (precision > MAX_NUMERIC_DIGITS) precision = MAX_NUMERIC_DIGITS;
    /* value * 10^scale = digits * 10^(exp10 + scale) */
    int shift = dec.exp10 + scale;
    int keep = dec.ndigits, frac = 0;
    if (shift < 0) {
        keep = dec.ndigits + shift;
        if (keep < 0) keep = 0;
        for (int k = keep; k < dec.ndigits; k++)
            if (dec.digits[k] != '0') frac = 1;
        shift = 0;
    }
    int total = keep > 0 ? keep + shift : 0;
    if (total > precision) return post(d, row, col, "22003", "Numeric value out of range");
    unsigned __int128 m = 0;
    for (int k = 0; k < keep; k++) m = m * 10 + (unsigned)(dec.digits[k] - '0');
    for (int k = 0; k < shift && keep > 0; k++) m *= 10;

    SQL_NUMERIC_STRUCT ns;
    memset(&ns, 0, sizeof ns);
    ns.precision = (SQLCHAR)precision;
    ns.scale = (SQLSCHAR)scale;
    ns.sign = dec.neg && m != 0 ? 0 : 1;
    for (int k = 0; k < SQL_MAX_NUMERIC_LEN; k++) {
        ns.val[k] = (SQLCHAR)(m & 0xFF);
        m >>= 8;
    }
    if (t->ptr) memcpy(t->ptr, &ns, sizeof ns);
    SQLLEN size = sizeof ns, zero = 0; /* memcpy: the SQLLEN may be misaligned */
    if (t->len) memcpy(t->len, &size, sizeof size);
    if (t->ind && t->ind != t->len) memcpy(t->ind, t->len ? &zero : &size, sizeof size);
    return frac ? post(d, row, col, "01S07", "Fractional truncation") : SQL_SUCCESS;
}

size_t conv_numeric_to_text(const SQL_NUMERIC_STRUCT *ns, char *out, size_t cap)
{
    unsigned __int128 m = 0;
    for (int k = SQL_MAX_NUMERIC_LEN - 1; k >= 0; k--) m = (m << 8) | ns->val[k];
    char digits[48];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m);
    /* digits are reversed; value = digits * 10^-scale */
    char tmp[200];
    size_t o = 0;
    int scale = ns->scale;
    int is_zero = nd == 1 && digits[0] == '0';
    if (ns->sign == 0 && !is_zero) tmp[o++] = '-';
    if (scale <= 0) {
        for (int k = nd - 1; k >= 0; k--) tmp[o++] = digits[k];
        for (int k = 0; k < -scale && !is_zero && o < sizeof tmp - 1; k++) tmp[o++] = '0';
    } else {
        int intdig = nd - scale;
        if (intdig <= 0) {
            tmp[o++] = '0';
            tmp[o++] = '.';
            for (int k = 0; k < -intdig; k++) tmp[o++] = '0';
            for (int k = nd - 1; k >= 0; k--) tmp[o++] = digits[k];
        } else {
            for (int k = nd - 1; k >= 0; k--) {
                tmp[o++] = digits[k];
                if (k == scale && k > 0) tmp[o++] = '.';
            }
        }
    }
    tmp[o] = 0;
    if (cap) {
        size_t c = o < cap - 1 ? o : cap - 1;
        memcpy(out, tmp, c);
        out[c] = 0;
    }
    return o;
}
