/*
 * sqltext.c — ODBC escape sequences rewritten to SQLite SQL; the only SQL
 * text the driver itself looks at. A small lexer copies the text, skipping
 * '...' strings ('' escapes), "..." `...` [...] identifiers, -- and / * * /
 * comments, and rewrites {...} escapes, innermost first, so escapes nest:
 *
 *   {fn f(args)}            scalar function, table below
 *   {d 'x'} {t 'x'} {ts 'x'} {guid 'x'}  -> 'x' (SQLite keeps dates as text)
 *   {oj outer-join}         -> outer-join
 *   {escape 'c'}            -> ESCAPE 'c'
 *   {call ...} {?= call ...} {INTERVAL ...}  -> error (not supported)
 *
 * Scalar functions supported (must match SQLGetInfo in info.c):
 *  SQL_STRING_FUNCTIONS: ASCII BIT_LENGTH CHAR CHAR_LENGTH CHARACTER_LENGTH
 *    CONCAT INSERT LCASE LEFT LENGTH LOCATE LOCATE_2 LTRIM OCTET_LENGTH
 *    POSITION REPEAT REPLACE RIGHT RTRIM SPACE SUBSTRING UCASE
 *  SQL_NUMERIC_FUNCTIONS: ABS ACOS ASIN ATAN ATAN2 CEILING COS COT DEGREES
 *    EXP FLOOR LOG LOG10 MOD PI POWER RADIANS RAND ROUND SIGN SIN SQRT TAN
 *    TRUNCATE
 *  SQL_TIMEDATE_FUNCTIONS: CURDATE CURTIME CURRENT_DATE CURRENT_TIME
 *    CURRENT_TIMESTAMP DAYNAME DAYOFMONTH DAYOFWEEK DAYOFYEAR HOUR MINUTE
 *    MONTH MONTHNAME NOW QUARTER SECOND TIMESTAMPADD TIMESTAMPDIFF WEEK YEAR
 *  SQL_TIMEDATE_ADD_INTERVALS / SQL_TIMEDATE_DIFF_INTERVALS: FRAC_SECOND
 *    SECOND MINUTE HOUR DAY WEEK MONTH QUARTER YEAR
 *  SQL_SYSTEM_FUNCTIONS: DATABASE IFNULL USER
 *  SQL_CONVERT_FUNCTIONS: CONVERT CAST (CAST is SQLite's own)
 *
 * NOW/CURDATE/CURTIME use UTC, like SQLite's CURRENT_TIMESTAMP, so values
 * compare with DEFAULT CURRENT_TIMESTAMP columns. Math functions need
 * SQLite 3.35+ built with them (Debian's and libSQL's are).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqltext.h"
#include "../core/strbuf.h"

/* ---------- growable output --------------------------------------------- */

typedef lsq_strbuf sbuf;

/* ---------- lexer -------------------------------------------------------- */

typedef struct lexer {
    const char *s;
    size_t pos, len;
    char *err;
    size_t errlen;
    int failed;
} lexer;

static int fail(lexer *lx, const char *msg)
{
    if (!lx->failed && lx->err && lx->errlen) {
        strncpy(lx->err, msg, lx->errlen - 1);
        lx->err[lx->errlen - 1] = 0;
    }
    lx->failed = 1;
    return -1;
}

/* Length of the token at s[pos] that must be copied verbatim (quoted text
 * or comment), 0 if none starts there. Unterminated ones run to the end:
 * SQLite reports them. */
static size_t skip_verbatim(const char *s, size_t pos, size_t len)
{
    char c = s[pos];
    size_t i = pos + 1;
    if (c == '\'' || c == '"' || c == '`') {
        while (i < len) {
            if (s[i] == c) {
                if (i + 1 < len && s[i + 1] == c) {
                    i += 2;
                    continue;
                }
                return i + 1 - pos;
            }
            i++;
        }
        return len - pos;
    }
    if (c == '[') {
        while (i < len && s[i] != ']') i++;
        return (i < len ? i + 1 : len) - pos;
    }
    if (c == '-' && i < len && s[i] == '-') {
        while (i < len && s[i] != '\n') i++;
        return i - pos;
    }
    if (c == '/' && i < len && s[i] == '*') {
        i++;
        while (i + 1 < len && !(s[i] == '*' && s[i + 1] == '/')) i++;
        return (i + 1 < len ? i + 2 : len) - pos;
    }
    return 0;
}

static int translate_escape(lexer *lx, sbuf *out);

/* Copy text, rewriting escapes, until the end or (nested) the '}' that
 * closes the current escape, which is consumed. */
static int translate_span(lexer *lx, sbuf *out, int nested)
{
    size_t start = lx->pos;
    while (lx->pos < lx->len) {
        char c = lx->s[lx->pos];
        size_t v = skip_verbatim(lx->s, lx->pos, lx->len);
        if (v) {
            lx->pos += v;
            continue;
        }
        if (c == '{') {
            lsq_strbuf_addn(out, lx->s + start, lx->pos - start);
            lx->pos++;
            if (translate_escape(lx, out) != 0) return -1;
            start = lx->pos;
            continue;
        }
        if (c == '}' && nested) {
            lsq_strbuf_addn(out, lx->s + start, lx->pos - start);
            lx->pos++;
            return 0;
        }
        lx->pos++;
    }
    lsq_strbuf_addn(out, lx->s + start, lx->pos - start);
    return nested ? fail(lx, "unterminated ODBC escape sequence (missing '}')") : 0;
}

/* ---------- scalar functions ------------------------------------------- */

#define MAX_ARGS 8

typedef struct fn_map {
    const char *name;
    int nargs;
    const char *tmpl; /* $1..$8 are the arguments */
} fn_map;

#define STRFTIME_INT(fmt) "CAST(strftime('" fmt "',$1) AS INTEGER)"

static const fn_map functions[] = {
    /* string */
    {"ASCII", 1, "unicode($1)"},
    {"BIT_LENGTH", 1, "(8*length(CAST($1 AS BLOB)))"},
    {"CHAR", 1, "char($1)"},
    {"CHAR_LENGTH", 1, "length($1)"},
    {"CHARACTER_LENGTH", 1, "length($1)"},
    {"CONCAT", 2, "($1||$2)"},
    {"INSERT", 4, "(substr($1,1,$2-1)||$4||substr($1,$2+$3))"},
    {"LCASE", 1, "lower($1)"},
    {"LEFT", 2, "substr($1,1,$2)"},
    {"LENGTH", 1, "length(rtrim($1,' '))"}, /* ODBC: trailing blanks excluded */
    {"LOCATE", 2, "instr($2,$1)"},
    {"LOCATE", 3, "(CASE WHEN instr(substr($2,$3),$1)>0 THEN instr(substr($2,$3),$1)+$3-1 ELSE 0 END)"},
    {"LTRIM", 1, "ltrim($1)"},
    {"OCTET_LENGTH", 1, "length(CAST($1 AS BLOB))"},
    {"REPEAT", 2, "replace(hex(zeroblob($2)),'00',$1)"},
    {"REPLACE", 3, "replace($1,$2,$3)"},
    {"RIGHT", 2, "(CASE WHEN $2>0 THEN substr($1,-$2) ELSE '' END)"},
    {"RTRIM", 1, "rtrim($1)"},
    {"SPACE", 1, "replace(hex(zeroblob($1)),'00',' ')"},
    {"SUBSTRING", 2, "substr($1,$2)"},
    {"SUBSTRING", 3, "substr($1,$2,$3)"},
    {"UCASE", 1, "upper($1)"},
    /* numeric */
    {"ABS", 1, "abs($1)"},
    {"ACOS", 1, "acos($1)"},
    {"ASIN", 1, "asin($1)"},
    {"ATAN", 1, "atan($1)"},
    {"ATAN2", 2, "atan2($1,$2)"},
    {"CEILING", 1, "ceil($1)"},
    {"COS", 1, "cos($1)"},
    {"COT", 1, "(1.0/tan($1))"},
    {"DEGREES", 1, "degrees($1)"},
    {"EXP", 1, "exp($1)"},
    {"FLOOR", 1, "floor($1)"},
    {"LOG", 1, "ln($1)"}, /* ODBC LOG is natural; SQLite's log() is base 10 */
    {"LOG10", 1, "log10($1)"},
    {"MOD", 2, "($1%$2)"},
    {"PI", 0, "pi()"},
    {"POWER", 2, "power($1,$2)"},
    {"RADIANS", 1, "radians($1)"},
    {"RAND", 0, "(random()/18446744073709551616.0+0.5)"},
    {"RAND", 1, "(random()/18446744073709551616.0+0.5)"}, /* seed ignored */
    {"ROUND", 1, "round($1)"},
    {"ROUND", 2, "round($1,$2)"},
    {"SIGN", 1, "sign($1)"},
    {"SIN", 1, "sin($1)"},
    {"SQRT", 1, "sqrt($1)"},
    {"TAN", 1, "tan($1)"},
    {"TRUNCATE", 2, "(trunc($1*power(10,$2))/power(10,$2))"},
    /* date and time */
    {"CURDATE", 0, "date('now')"},
    {"CURRENT_DATE", 0, "date('now')"},
    {"CURTIME", 0, "time('now')"},
    {"CURRENT_TIME", 0, "time('now')"},
    {"CURRENT_TIME", 1, "time('now')"},
    {"CURRENT_TIMESTAMP", 0, "datetime('now')"},
    {"CURRENT_TIMESTAMP", 1, "datetime('now')"},
    {"NOW", 0, "datetime('now')"},
    {"DAYNAME", 1, "(CASE CAST(strftime('%w',$1) AS INTEGER) WHEN 0 THEN 'Sunday' WHEN 1 THEN 'Monday' "
                   "WHEN 2 THEN 'Tuesday' WHEN 3 THEN 'Wednesday' WHEN 4 THEN 'Thursday' "
                   "WHEN 5 THEN 'Friday' WHEN 6 THEN 'Saturday' END)"},
    {"DAYOFMONTH", 1, STRFTIME_INT("%d")},
    {"DAYOFWEEK", 1, "(" STRFTIME_INT("%w") "+1)"},
    {"DAYOFYEAR", 1, STRFTIME_INT("%j")},
    {"HOUR", 1, STRFTIME_INT("%H")},
    {"MINUTE", 1, STRFTIME_INT("%M")},
    {"MONTH", 1, STRFTIME_INT("%m")},
    {"MONTHNAME", 1, "(CASE CAST(strftime('%m',$1) AS INTEGER) WHEN 1 THEN 'January' WHEN 2 THEN 'February' "
                     "WHEN 3 THEN 'March' WHEN 4 THEN 'April' WHEN 5 THEN 'May' WHEN 6 THEN 'June' "
                     "WHEN 7 THEN 'July' WHEN 8 THEN 'August' WHEN 9 THEN 'September' "
                     "WHEN 10 THEN 'October' WHEN 11 THEN 'November' WHEN 12 THEN 'December' END)"},
    {"QUARTER", 1, "((" STRFTIME_INT("%m") "+2)/3)"},
    {"SECOND", 1, STRFTIME_INT("%S")},
    {"WEEK", 1, "(" STRFTIME_INT("%W") "+1)"},
    {"YEAR", 1, STRFTIME_INT("%Y")},
    /* system */
    {"DATABASE", 0, "'main'"},
    {"IFNULL", 2, "ifnull($1,$2)"},
    {"USER", 0, "''"},
};

/* Arguments that need no parentheses around them: a name, a number, a
 * single string literal. Anything else is wrapped so operators in it
 * cannot bind differently inside the template. */
static int is_simple(const char *a, size_t n)
{
    if (n >= 2 && a[0] == '\'' && a[n - 1] == '\'') {
        for (size_t i = 1; i + 1 < n; i++) {
            if (a[i] == '\'') {
                if (i + 2 < n && a[i + 1] == '\'') i++;
                else return 0;
            }
        }
        return 1;
    }
    size_t i = 0;
    while (i < n && (isalnum((unsigned char)a[i]) || a[i] == '_' || a[i] == '.')) i++;
    if (i == n) return n > 0;
    /* name(...) or (...) whose ")" is the last character: already atomic */
    if (a[i] != '(' || a[n - 1] != ')') return 0;
    int depth = 0;
    for (; i < n; i++) {
        size_t v = skip_verbatim(a, i, n);
        if (v) {
            i += v - 1;
            continue;
        }
        if (a[i] == '(') depth++;
        else if (a[i] == ')' && --depth == 0) return i == n - 1;
    }
    return 0;
}

typedef struct arg {
    const char *p;
    size_t n;
} arg;

static void add_arg(sbuf *out, const arg *a)
{
    if (is_simple(a->p, a->n)) {
        lsq_strbuf_addn(out, a->p, a->n);
    } else {
        lsq_strbuf_addn(out, "(", 1);
        lsq_strbuf_addn(out, a->p, a->n);
        lsq_strbuf_addn(out, ")", 1);
    }
}

static void expand(sbuf *out, const char *tmpl, const arg *args)
{
    for (const char *t = tmpl; *t; t++) {
        if (*t == '$' && t[1] >= '1' && t[1] <= '8') {
            add_arg(out, &args[t[1] - '1']);
            t++;
        } else {
            lsq_strbuf_addn(out, t, 1);
        }
    }
}

static void trim(const char **p, size_t *n)
{
    while (*n && isspace((unsigned char)**p)) (*p)++, (*n)--;
    while (*n && isspace((unsigned char)(*p)[*n - 1])) (*n)--;
}

static int word_is(const arg *a, const char *word)
{
    size_t wl = strlen(word);
    return a->n == wl && strncasecmp(a->p, word, wl) == 0;
}

/* An interval or type keyword, with or without its SQL_TSI_ / SQL_ prefix. */
static int keyword_is(const arg *a, const char *prefix, const char *word)
{
    arg k = *a;
    size_t pl = strlen(prefix);
    if (k.n > pl && strncasecmp(k.p, prefix, pl) == 0) k.p += pl, k.n -= pl;
    return word_is(&k, word);
}

static const char *const tsi_names[] = {"FRAC_SECOND", "SECOND", "MINUTE", "HOUR", "DAY",
                                        "WEEK", "MONTH", "QUARTER", "YEAR"};

static int interval_of(const arg *a)
{
    for (int i = 0; i < (int)(sizeof tsi_names / sizeof *tsi_names); i++)
        if (keyword_is(a, "SQL_TSI_", tsi_names[i])) return i;
    return -1;
}

#define JDIFF "(julianday($3)-julianday($2))"
#define SECS_DIFF "CAST(round(" JDIFF "*86400) AS INTEGER)"
#define MONTHS_DIFF                                                                      \
    "((CAST(strftime('%Y',$3) AS INTEGER)-CAST(strftime('%Y',$2) AS INTEGER))*12"        \
    "+CAST(strftime('%m',$3) AS INTEGER)-CAST(strftime('%m',$2) AS INTEGER))"

static int special_function(lexer *lx, sbuf *out, const arg *name, const arg *args, int nargs,
                            int *handled)
{
    *handled = 1;
    if (word_is(name, "TIMESTAMPADD") || word_is(name, "TIMESTAMPDIFF")) {
        int add = word_is(name, "TIMESTAMPADD");
        if (nargs != 3) return fail(lx, add ? "TIMESTAMPADD takes 3 arguments" : "TIMESTAMPDIFF takes 3 arguments");
        int unit = interval_of(&args[0]);
        if (unit < 0) return fail(lx, "unknown interval in TIMESTAMPADD/TIMESTAMPDIFF (use SQL_TSI_xxx)");
        static const char *const add_tmpl[] = {
            "strftime('%Y-%m-%d %H:%M:%f',$3,($2/1000000000.0)||' seconds')",
            "datetime($3,$2||' seconds')", "datetime($3,$2||' minutes')",
            "datetime($3,$2||' hours')", "datetime($3,$2||' days')",
            "datetime($3,($2*7)||' days')", "datetime($3,$2||' months')",
            "datetime($3,($2*3)||' months')", "datetime($3,$2||' years')"};
        static const char *const diff_tmpl[] = {
            "CAST(round(" JDIFF "*86400000)*1000000 AS INTEGER)", SECS_DIFF, "(" SECS_DIFF "/60)",
            "(" SECS_DIFF "/3600)", "(" SECS_DIFF "/86400)", "(" SECS_DIFF "/604800)", MONTHS_DIFF,
            "(" MONTHS_DIFF "/3)",
            "(CAST(strftime('%Y',$3) AS INTEGER)-CAST(strftime('%Y',$2) AS INTEGER))"};
        expand(out, add ? add_tmpl[unit] : diff_tmpl[unit], args);
        return 0;
    }
    if (word_is(name, "CONVERT")) {
        if (nargs != 2) return fail(lx, "CONVERT takes 2 arguments");
        static const struct { const char *type, *tmpl; } casts[] = {
            {"BIGINT", "CAST($1 AS INTEGER)"}, {"INTEGER", "CAST($1 AS INTEGER)"},
            {"SMALLINT", "CAST($1 AS INTEGER)"}, {"TINYINT", "CAST($1 AS INTEGER)"},
            {"BIT", "CAST($1 AS INTEGER)"}, {"CHAR", "CAST($1 AS TEXT)"},
            {"VARCHAR", "CAST($1 AS TEXT)"}, {"LONGVARCHAR", "CAST($1 AS TEXT)"},
            {"WCHAR", "CAST($1 AS TEXT)"}, {"WVARCHAR", "CAST($1 AS TEXT)"},
            {"WLONGVARCHAR", "CAST($1 AS TEXT)"}, {"DOUBLE", "CAST($1 AS REAL)"},
            {"FLOAT", "CAST($1 AS REAL)"}, {"REAL", "CAST($1 AS REAL)"},
            {"DECIMAL", "CAST($1 AS NUMERIC)"}, {"NUMERIC", "CAST($1 AS NUMERIC)"},
            {"BINARY", "CAST($1 AS BLOB)"}, {"VARBINARY", "CAST($1 AS BLOB)"},
            {"LONGVARBINARY", "CAST($1 AS BLOB)"}, {"DATE", "date($1)"},
            {"TYPE_DATE", "date($1)"}, {"TIME", "time($1)"}, {"TYPE_TIME", "time($1)"},
            {"TIMESTAMP", "datetime($1)"}, {"TYPE_TIMESTAMP", "datetime($1)"},
            {"GUID", "CAST($1 AS TEXT)"}};
        for (size_t i = 0; i < sizeof casts / sizeof *casts; i++) {
            if (keyword_is(&args[1], "SQL_", casts[i].type)) {
                expand(out, casts[i].tmpl, args);
                return 0;
            }
        }
        return fail(lx, "unsupported target type in CONVERT");
    }
    if (word_is(name, "POSITION")) {
        /* POSITION(a IN b): split at the last top-level IN keyword. */
        if (nargs != 1) return fail(lx, "POSITION takes 'string IN string'");
        const char *p = args[0].p;
        size_t n = args[0].n, split = 0;
        for (size_t i = 0; i + 2 <= n; i++) {
            size_t v = skip_verbatim(p, i, n);
            if (v) {
                i += v - 1;
                continue;
            }
            if (i > 0 && isspace((unsigned char)p[i - 1]) && strncasecmp(p + i, "IN", 2) == 0 &&
                i + 2 < n && isspace((unsigned char)p[i + 2]))
                split = i;
        }
        if (!split) return fail(lx, "POSITION takes 'string IN string'");
        arg two[2] = {{p, split}, {p + split + 2, n - split - 2}};
        trim(&two[0].p, &two[0].n);
        trim(&two[1].p, &two[1].n);
        expand(out, "instr($2,$1)", two);
        return 0;
    }
    *handled = 0;
    return 0;
}

/* body: translated text of {fn ...}, e.g. "CONCAT(a, upper(b))". */
static int translate_function(lexer *lx, sbuf *out, const char *body, size_t n)
{
    trim(&body, &n);
    size_t i = 0;
    while (i < n && (isalnum((unsigned char)body[i]) || body[i] == '_')) i++;
    arg name = {body, i};
    if (i == 0) return fail(lx, "malformed {fn ...} escape: function name expected");
    while (i < n && isspace((unsigned char)body[i])) i++;
    if (i >= n || body[i] != '(') return fail(lx, "malformed {fn ...} escape: '(' expected");
    i++;
    arg args[MAX_ARGS];
    int nargs = 0, depth = 0;
    size_t arg_start = i;
    int closed = 0;
    for (; i < n; i++) {
        size_t v = skip_verbatim(body, i, n);
        if (v) {
            i += v - 1;
            continue;
        }
        char c = body[i];
        if (c == '(') {
            depth++;
        } else if (c == ')' && depth > 0) {
            depth--;
        } else if ((c == ',' && depth == 0) || (c == ')' && depth == 0)) {
            arg a = {body + arg_start, i - arg_start};
            trim(&a.p, &a.n);
            if (c == ')' && nargs == 0 && a.n == 0) {
                closed = 1; /* f() */
                break;
            }
            if (nargs == MAX_ARGS) return fail(lx, "too many arguments in {fn ...}");
            args[nargs++] = a;
            arg_start = i + 1;
            if (c == ')') {
                closed = 1;
                break;
            }
        }
    }
    if (!closed) return fail(lx, "malformed {fn ...} escape: ')' expected");
    for (i++; i < n; i++)
        if (!isspace((unsigned char)body[i])) return fail(lx, "malformed {fn ...} escape: text after ')'");
    for (int k = 0; k < nargs; k++)
        if (args[k].n == 0) return fail(lx, "malformed {fn ...} escape: empty argument");

    int handled;
    if (special_function(lx, out, &name, args, nargs, &handled) != 0) return -1;
    if (handled) return 0;
    int known = 0;
    for (size_t k = 0; k < sizeof functions / sizeof *functions; k++) {
        if (!word_is(&name, functions[k].name)) continue;
        known = 1;
        if (functions[k].nargs == nargs) {
            expand(out, functions[k].tmpl, args);
            return 0;
        }
    }
    char msg[160];
    snprintf(msg, sizeof msg, "%s ODBC scalar function {fn %.*s}",
             known ? "wrong number of arguments to" : "unsupported", (int)(name.n > 60 ? 60 : name.n),
             name.p);
    return fail(lx, msg);
}

/* After '{': the keyword, then the body up to the matching '}'. */
static int translate_escape(lexer *lx, sbuf *out)
{
    while (lx->pos < lx->len && isspace((unsigned char)lx->s[lx->pos])) lx->pos++;
    size_t kw = lx->pos;
    if (lx->pos < lx->len && lx->s[lx->pos] == '?')
        return fail(lx, "procedures are not supported ({?= call ...})");
    while (lx->pos < lx->len && isalpha((unsigned char)lx->s[lx->pos])) lx->pos++;
    arg key = {lx->s + kw, lx->pos - kw};

    if (word_is(&key, "call")) return fail(lx, "procedures are not supported ({call ...})");
    if (word_is(&key, "interval")) return fail(lx, "interval literals are not supported");
    int fn = word_is(&key, "fn"), lit = word_is(&key, "d") || word_is(&key, "t") ||
                                          word_is(&key, "ts") || word_is(&key, "guid");
    int oj = word_is(&key, "oj"), esc = word_is(&key, "escape");
    if (!fn && !lit && !oj && !esc) {
        char msg[120];
        snprintf(msg, sizeof msg, "unknown ODBC escape sequence '{%.*s'", (int)(key.n > 40 ? 40 : key.n),
                 key.p);
        return fail(lx, msg);
    }
    if (key.n && lx->pos < lx->len && !isspace((unsigned char)lx->s[lx->pos]) &&
        lx->s[lx->pos] != '\'' && lx->s[lx->pos] != '}' && lx->s[lx->pos] != '(')
        return fail(lx, "malformed ODBC escape sequence");

    sbuf body = {0};
    int rc = translate_span(lx, &body, 1);
    if (rc == 0 && body.oom) rc = fail(lx, "out of memory");
    if (rc != 0) {
        free(body.p);
        return -1;
    }
    const char *b = body.p ? body.p : "";
    size_t n = body.n;
    trim(&b, &n);
    if (fn) {
        rc = translate_function(lx, out, b, n);
    } else if (esc) {
        lsq_strbuf_add(out, "ESCAPE ");
        lsq_strbuf_addn(out, b, n);
    } else {
        if (lit && (n < 2 || b[0] != '\'' || b[n - 1] != '\''))
            rc = fail(lx, "date/time escape needs a quoted literal, e.g. {d '2024-01-31'}");
        else
            lsq_strbuf_addn(out, b, n);
    }
    free(body.p);
    return rc;
}

char *sqltext_translate(const char *sql, size_t len, char *err, size_t errlen)
{
    if (err && errlen) err[0] = 0;
    if (!sql) {
        if (err && errlen) snprintf(err, errlen, "no SQL text");
        return NULL;
    }
    /* Common case: no escapes at all, a plain copy. */
    if (!memchr(sql, '{', len)) {
        char *copy = malloc(len + 1);
        if (!copy) {
            if (err && errlen) snprintf(err, errlen, "out of memory");
            return NULL;
        }
        memcpy(copy, sql, len);
        copy[len] = 0;
        return copy;
    }
    lexer lx = {sql, 0, len, err, errlen, 0};
    sbuf out = {0};
    if (translate_span(&lx, &out, 0) != 0 || out.oom) {
        if (out.oom) fail(&lx, "out of memory");
        free(out.p);
        return NULL;
    }
    if (!out.p) {
        out.p = malloc(1);
        if (!out.p) {
            fail(&lx, "out of memory");
            return NULL;
        }
        out.p[0] = 0;
    }
    return out.p;
}

int sqltext_has_statement(const char *sql)
{
    if (!sql) return 0;
    size_t len = strlen(sql), i = 0;
    while (i < len) {
        char c = sql[i];
        if (isspace((unsigned char)c) || c == ';') {
            i++;
            continue;
        }
        if ((c == '-' && sql[i + 1] == '-') || (c == '/' && sql[i + 1] == '*')) {
            i += skip_verbatim(sql, i, len);
            continue;
        }
        return 1;
    }
    return 0;
}

int sqltext_counts_changes(const char *sql)
{
    static const char *const kw[] = {"INSERT", "UPDATE", "DELETE", "REPLACE", "WITH"};
    const char *p = sql;
    if (!p)
        return 0;
    for (;;) {
        while (*p && (isspace((unsigned char)*p) || *p == '('))
            p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            if (!e)
                return 0;
            p = e + 2;
        } else {
            break;
        }
    }
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++) {
        size_t n = strlen(kw[i]);
        if (strncasecmp(p, kw[i], n) == 0 && !isalnum((unsigned char)p[n]) && p[n] != '_')
            return 1;
    }
    return 0;
}
