/*
 * conv_datetime.c — date/time values for the conversion tables: parsing the
 * text SQLite stores, formatting ODBC structs as ISO-8601 text, and turning
 * numbers stored in date columns into dates.
 *
 * Accepted text: "YYYY-MM-DD", "HH:MM[:SS[.f...]]" and
 * "YYYY-MM-DD[ T]HH:MM[:SS[.f...]]" with an optional trailing "Z" or
 * "+HH:MM"/"-HH:MM" zone, which is ignored (SQLite's date functions treat
 * such values as UTC and so do we: no zone conversion). Up to 9 fraction
 * digits are kept (nanoseconds, as SQL_TIMESTAMP_STRUCT holds them).
 *
 * Numbers in date/time columns (documented choice, matching what
 * applications commonly store): an INTEGER is Unix epoch seconds, a REAL is
 * a Julian day number — the two numeric forms SQLite's own date functions
 * understand ('unixepoch' modifier and the default). A REAL too large to
 * be a Julian day before year 10000 (> 5373484.5) is Unix time with a
 * fraction, as time.time() and many applications write it.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "convert.h"

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int conv_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12) return 0;
    return days[m - 1] + (m == 2 && is_leap(y));
}

int conv_date_valid(int y, int m, int d)
{
    return y >= 0 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= conv_days_in_month(y, m);
}

int conv_time_valid(int h, int mi, int s)
{
    /* 60 seconds allowed for a leap second, as SQL permits. */
    return h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 60;
}

/* Read exactly `count` digits at *p into *v. */
static int read_digits(const char **p, const char *end, int count, int *v)
{
    int x = 0;
    for (int i = 0; i < count; i++) {
        if (*p >= end || **p < '0' || **p > '9') return 0;
        x = x * 10 + (**p - '0');
        (*p)++;
    }
    *v = x;
    return 1;
}

static int parse_time_part(const char **pp, const char *end, SQL_TIMESTAMP_STRUCT *ts)
{
    const char *p = *pp;
    int h, mi, s = 0;
    unsigned long frac = 0;
    /* Hours may be one digit ("9:30"): accept 1 or 2. */
    if (p + 1 < end && p[1] == ':') {
        if (!read_digits(&p, end, 1, &h)) return 0;
    } else if (!read_digits(&p, end, 2, &h)) {
        return 0;
    }
    if (p >= end || *p != ':') return 0;
    p++;
    if (!read_digits(&p, end, 2, &mi)) return 0;
    if (p < end && *p == ':') {
        p++;
        if (!read_digits(&p, end, 2, &s)) return 0;
        if (p < end && *p == '.') {
            p++;
            int nd = 0;
            if (p >= end || *p < '0' || *p > '9') return 0;
            while (p < end && *p >= '0' && *p <= '9') {
                if (nd < 9) {
                    frac = frac * 10 + (unsigned long)(*p - '0');
                    nd++;
                }
                p++;
            }
            while (nd < 9) {
                frac *= 10;
                nd++;
            }
        }
    }
    if (!conv_time_valid(h, mi, s)) return 0;
    ts->hour = (SQLUSMALLINT)h;
    ts->minute = (SQLUSMALLINT)mi;
    ts->second = (SQLUSMALLINT)s;
    ts->fraction = (SQLUINTEGER)frac;
    *pp = p;
    return 1;
}

/* Skip a trailing zone designator: Z, +HH:MM, -HH:MM, +HHMM. */
static void skip_zone(const char **pp, const char *end)
{
    const char *p = *pp;
    while (p < end && *p == ' ') p++;
    if (p < end && (*p == 'Z' || *p == 'z')) {
        *pp = p + 1;
        return;
    }
    if (p < end && (*p == '+' || *p == '-')) {
        const char *q = p + 1;
        int hh, mm;
        if (!read_digits(&q, end, 2, &hh)) return;
        if (q < end && *q == ':') q++;
        if (!read_digits(&q, end, 2, &mm)) return;
        *pp = q;
    }
}

int conv_parse_datetime(const char *s, size_t n, SQL_TIMESTAMP_STRUCT *ts, int *what)
{
    const char *p = s, *end = s + n;
    memset(ts, 0, sizeof *ts);
    *what = 0;
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n')) end--;
    if (p >= end) return -1;

    /* A date starts with 4 digits and '-'; a time has ':' in position 1 or 2. */
    if (end - p >= 10 && p[4] == '-') {
        int y, m, d;
        if (!read_digits(&p, end, 4, &y) || *p++ != '-' || !read_digits(&p, end, 2, &m) ||
            p >= end || *p++ != '-' || !read_digits(&p, end, 2, &d))
            return -1;
        if (!conv_date_valid(y, m, d)) return -1;
        ts->year = (SQLSMALLINT)y;
        ts->month = (SQLUSMALLINT)m;
        ts->day = (SQLUSMALLINT)d;
        *what |= CONV_HAS_DATE;
        if (p < end && (*p == ' ' || *p == 'T' || *p == 't')) {
            p++;
            while (p < end && *p == ' ') p++;
            if (!parse_time_part(&p, end, ts)) return -1;
            *what |= CONV_HAS_TIME;
            skip_zone(&p, end);
        }
    } else {
        if (!parse_time_part(&p, end, ts)) return -1;
        *what |= CONV_HAS_TIME;
        skip_zone(&p, end);
    }
    return p == end ? 0 : -1;
}

/* Civil date from days since 1970-01-01 (proleptic Gregorian). */
static void civil_from_days(long long z, int *y, int *m, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long yy = yoe + era * 400;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

int conv_epoch_to_ts(long long secs, SQL_TIMESTAMP_STRUCT *ts)
{
    long long days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    if (!conv_date_valid(y, m, d)) return -1;
    ts->year = (SQLSMALLINT)y;
    ts->month = (SQLUSMALLINT)m;
    ts->day = (SQLUSMALLINT)d;
    ts->hour = (SQLUSMALLINT)(rem / 3600);
    ts->minute = (SQLUSMALLINT)(rem / 60 % 60);
    ts->second = (SQLUSMALLINT)(rem % 60);
    ts->fraction = 0;
    return 0;
}

int conv_julian_to_ts(double jd, SQL_TIMESTAMP_STRUCT *ts)
{
    /* Julian day 2440587.5 is 1970-01-01 00:00:00; work in milliseconds as
     * SQLite does, so values round-trip with julianday(). */
    if (!isfinite(jd) || jd < 0) return -1;
    if (jd > 5373484.5) {
        /* Past 9999-12-31 as a Julian day: a REAL Unix time with a
         * fraction (time.time() style) is the only sensible reading. */
        if (jd >= 253402300800.0) return -1;
        long long secs = (long long)jd;
        long long ns = (long long)((jd - (double)secs) * 1e9 + 0.5);
        if (ns >= 1000000000) ns = 999999999;
        if (conv_epoch_to_ts(secs, ts) != 0) return -1;
        ts->fraction = (SQLUINTEGER)ns;
        return 0;
    }
    double msd = (jd - 2440587.5) * 86400000.0;
    long long ms = (long long)(msd < 0 ? msd - 0.5 : msd + 0.5);
    long long secs = ms / 1000, msr = ms % 1000;
    if (msr < 0) {
        msr += 1000;
        secs--;
    }
    if (conv_epoch_to_ts(secs, ts) != 0) return -1;
    ts->fraction = (SQLUINTEGER)(msr * 1000000);
    return 0;
}

size_t conv_format_fraction(SQLUINTEGER frac, char *out)
{
    if (frac == 0) {
        out[0] = 0;
        return 0;
    }
    char digits[16];
    snprintf(digits, sizeof digits, "%09u", (unsigned)frac);
    int nd = 9;
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    out[0] = '.';
    memcpy(out + 1, digits, (size_t)nd);
    out[nd + 1] = 0;
    return (size_t)nd + 1;
}

size_t conv_format_ts(const SQL_TIMESTAMP_STRUCT *ts, int what, char *out, size_t cap)
{
    char frac[16];
    int n = 0;
    conv_format_fraction(ts->fraction, frac);
    if (what == CONV_HAS_DATE)
        n = snprintf(out, cap, "%04d-%02u-%02u", ts->year, ts->month, ts->day);
    else if (what == CONV_HAS_TIME)
        n = snprintf(out, cap, "%02u:%02u:%02u%s", ts->hour, ts->minute, ts->second, frac);
    else
        n = snprintf(out, cap, "%04d-%02u-%02u %02u:%02u:%02u%s", ts->year, ts->month, ts->day,
                     ts->hour, ts->minute, ts->second, frac);
    return n < 0 ? 0 : (size_t)n;
}
