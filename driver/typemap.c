/*
 * typemap.c — owns the one mapping from SQLite declared column types to ODBC
 * SQL types, and the list of types the driver advertises (SQLGetTypeInfo).
 *
 * SQLDescribeCol, SQLColAttribute, SQLColumns (through the odbc_* SQL
 * functions registered here) and SQLGetTypeInfo all ask this file, so a
 * column declared "VARCHAR(20)" looks the same through every one of them.
 *
 * Choices, and why:
 *  - Declared types are matched by keyword, in the spirit of SQLite's own
 *    affinity rules (https://www.sqlite.org/datatype3.html, 3.1) but with
 *    the ODBC types users know from sqliteodbc: BIGINT/INT8 -> SQL_BIGINT,
 *    INT/MEDIUMINT -> SQL_INTEGER, SMALLINT -> SQL_SMALLINT, TINYINT ->
 *    SQL_TINYINT, REAL/DOUBLE/FLOAT -> SQL_DOUBLE, BOOL/BIT -> SQL_BIT,
 *    DATE/TIME/DATETIME/TIMESTAMP -> the SQL_TYPE_* date/time types.
 *  - "INTEGER" is SQL_BIGINT: SQLite integers are 64-bit, and an INTEGER
 *    PRIMARY KEY (rowid) overflows a 32-bit buffer. BigInt=0 in the DSN
 *    (opts->bigint_as_integer) reports it as SQL_INTEGER instead.
 *  - Text without a length (TEXT, VARCHAR, unknown names) is
 *    SQL_VARCHAR(max_text_len): finite, so applications can size buffers,
 *    and configurable (MaxTextLength=). CLOB/LONGTEXT/LONGVARCHAR are
 *    SQL_LONGVARCHAR and BLOB/LONGBLOB/IMAGE without a length are
 *    SQL_LONGVARBINARY, both with column size 1,000,000,000 — SQLite's
 *    default SQLITE_MAX_LENGTH, the largest value it will store.
 *  - NUMERIC/DECIMAL(p,s) keep p and s (s defaults to 0, as in SQL). Without
 *    a precision they are (38,10): 38 is the largest SQL_NUMERIC_STRUCT
 *    precision, and a scale of 0 would make applications round the REAL
 *    values such columns usually hold in SQLite.
 *  - TIMESTAMP/DATETIME have 3 fractional digits (SQLite's own
 *    strftime('%f') and datetime('subsec') resolution): column size 23.
 *  - Wide applications (opts->wide) see text as SQL_WCHAR / SQL_WVARCHAR /
 *    SQL_WLONGVARCHAR, as sqliteodbc's W driver does; NoWCHAR=1 turns it off.
 *  - An empty declared type (expressions, views over expressions) falls back
 *    to the storage class of the value: INTEGER -> BIGINT, FLOAT -> DOUBLE,
 *    BLOB -> VARBINARY, TEXT/NULL -> VARCHAR.
 *  - TYPE_NAME is the advertised type-info name the declaration matches
 *    ("TEXT" stays "TEXT", "INTEGER" stays "INTEGER"), else the first
 *    advertised name of its ODBC type ("STRING" -> "VARCHAR"). Every
 *    advertised name describes back to its own DATA_TYPE (unit-tested).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "typemap.h"

/* SQLite's default SQLITE_MAX_LENGTH: no string or blob can be longer. */
#define LONG_DATA_SIZE 1000000000
#define DEFAULT_MAX_TEXT 65535
#define NUMERIC_DEFAULT_PRECISION 38
#define NUMERIC_DEFAULT_SCALE 10
#define TIMESTAMP_FRACTION_DIGITS 3

/* Names advertised by SQLGetTypeInfo, canonical name of each ODBC type first
 * (which type each is depends on the options: INTEGER moves between BIGINT
 * and INTEGER, text between narrow and wide). */
static const char *const advertised_names[] = {
    "BIT", "BOOLEAN", "TINYINT", "BIGINT", "INTEGER", "INT", "MEDIUMINT", "SMALLINT",
    "BLOB", "VARBINARY", "BINARY", "CLOB", "LONGTEXT", "CHAR", "NCHAR",
    "NUMERIC", "DECIMAL", "DOUBLE", "FLOAT", "REAL", "VARCHAR", "TEXT", "NVARCHAR",
    "DATE", "TIME", "TIMESTAMP", "DATETIME",
};
#define N_ADVERTISED ((int)(sizeof advertised_names / sizeof advertised_names[0]))

static void opts_or_default(const typemap_opts *o, typemap_opts *out)
{
    if (o) {
        *out = *o;
    } else {
        memset(out, 0, sizeof *out);
    }
    if (out->max_text_len <= 0)
        out->max_text_len = DEFAULT_MAX_TEXT;
}

/* A declared type split into upper-case words and its "(a,b)" arguments. */
typedef struct parsed_decl {
    char base[128];   /* upper case, parenthesised part removed, spaces squeezed */
    int nargs;        /* 0, 1 or 2 numbers given in parentheses */
    long arg[2];
} parsed_decl;

static void parse_decl(const char *decl, parsed_decl *p)
{
    size_t n = 0;
    int in_paren = 0, last_space = 1;
    const char *args = NULL;
    memset(p, 0, sizeof *p);
    for (const char *c = decl; *c && n + 1 < sizeof p->base; c++) {
        if (*c == '(') {
            if (!args)
                args = c + 1;
            in_paren++;
            continue;
        }
        if (*c == ')') {
            if (in_paren)
                in_paren--;
            continue;
        }
        if (in_paren)
            continue;
        if (isspace((unsigned char)*c)) {
            if (!last_space)
                p->base[n++] = ' ';
            last_space = 1;
            continue;
        }
        p->base[n++] = (char)toupper((unsigned char)*c);
        last_space = 0;
    }
    while (n > 0 && p->base[n - 1] == ' ')
        n--;
    p->base[n] = '\0';
    if (args) {
        char *end;
        for (int i = 0; i < 2; i++) {
            while (isspace((unsigned char)*args))
                args++;
            long v = strtol(args, &end, 10);
            if (end == args)
                break;
            p->arg[i] = v;
            p->nargs = i + 1;
            args = end;
            while (isspace((unsigned char)*args))
                args++;
            if (*args != ',')
                break;
            args++;
        }
    }
}

static int has(const char *base, const char *word)
{
    return strstr(base, word) != NULL;
}

static SQLSMALLINT text_type(SQLSMALLINT narrow, const typemap_opts *o)
{
    if (!o->wide)
        return narrow;
    switch (narrow) {
    case SQL_CHAR: return SQL_WCHAR;
    case SQL_VARCHAR: return SQL_WVARCHAR;
    case SQL_LONGVARCHAR: return SQL_WLONGVARCHAR;
    default: return narrow;
    }
}

/*
 * The ODBC type of an upper-cased declared type (without its arguments);
 * *size_from_arg says whether a "(n)" is the column size, *numeric whether
 * "(p,s)" are precision and scale. Returns 0 when nothing matches.
 * Order matters: "DATETIME" before "TIME", "BIGINT" before "INT",
 * "POINT"-style accidents are SQLite's own rule (contains "INT").
 */
static SQLSMALLINT classify(const char *b, const typemap_opts *o, int *size_from_arg,
                            int *numeric)
{
    *size_from_arg = 0;
    *numeric = 0;
    if (!*b)
        return 0;
    if (has(b, "BOOL") || !strcmp(b, "BIT"))
        return SQL_BIT;
    if (has(b, "TIMESTAMP") || has(b, "DATETIME"))
        return SQL_TYPE_TIMESTAMP;
    if (has(b, "DATE"))
        return SQL_TYPE_DATE;
    if (has(b, "TIME"))
        return SQL_TYPE_TIME;
    if (has(b, "TINYINT") || !strcmp(b, "INT1"))
        return SQL_TINYINT;
    if (has(b, "SMALLINT") || !strcmp(b, "INT2"))
        return SQL_SMALLINT;
    if (has(b, "BIGINT") || has(b, "INT8") || has(b, "BIG INT"))
        return SQL_BIGINT;
    if (has(b, "MEDIUMINT") || !strcmp(b, "INT") || !strcmp(b, "INT4") ||
        !strcmp(b, "INT UNSIGNED") || !strcmp(b, "UNSIGNED INT"))
        return SQL_INTEGER;
    if (has(b, "INT"))  /* INTEGER, and SQLite's rule 1 for the rest */
        return o->bigint_as_integer ? SQL_INTEGER : SQL_BIGINT;
    if (has(b, "CLOB") || has(b, "LONGTEXT") || has(b, "MEDIUMTEXT") ||
        has(b, "LONGVARCHAR") || has(b, "LONG VARCHAR") || !strcmp(b, "NTEXT"))
        return text_type(SQL_LONGVARCHAR, o);
    if (has(b, "VARCHAR") || has(b, "VARYING") || has(b, "VARCHAR2")) {
        *size_from_arg = 1;
        return text_type(SQL_VARCHAR, o);
    }
    if (has(b, "CHAR")) {
        *size_from_arg = 1;
        return text_type(SQL_CHAR, o);
    }
    if (has(b, "TEXT") || has(b, "STRING"))
        return text_type(SQL_VARCHAR, o);
    if (has(b, "VARBINARY") || has(b, "BINARY VARYING")) {
        *size_from_arg = 1;
        return SQL_VARBINARY;
    }
    if (has(b, "LONGBLOB") || has(b, "MEDIUMBLOB") || has(b, "LONGVARBINARY") ||
        has(b, "IMAGE"))
        return SQL_LONGVARBINARY;
    if (has(b, "BINARY")) {
        *size_from_arg = 1;
        return SQL_BINARY;
    }
    if (has(b, "BLOB") || has(b, "BYTEA")) {
        *size_from_arg = 1;   /* BLOB(n) becomes VARBINARY(n) below */
        return SQL_LONGVARBINARY;
    }
    if (has(b, "REAL") || has(b, "FLOA") || has(b, "DOUB"))
        return SQL_DOUBLE;
    if (has(b, "DECIMAL")) {
        *numeric = 1;
        return SQL_DECIMAL;
    }
    if (has(b, "NUMERIC") || has(b, "NUMBER")) {
        *numeric = 1;
        return SQL_NUMERIC;
    }
    return 0;
}

static const char *static_type_name(SQLSMALLINT t)
{
    switch (t) {
    case SQL_BIT: return "BIT";
    case SQL_TINYINT: return "TINYINT";
    case SQL_SMALLINT: return "SMALLINT";
    case SQL_INTEGER: return "INTEGER";
    case SQL_BIGINT: return "BIGINT";
    case SQL_REAL: return "REAL";
    case SQL_FLOAT: return "FLOAT";
    case SQL_DOUBLE: return "DOUBLE";
    case SQL_NUMERIC: return "NUMERIC";
    case SQL_DECIMAL: return "DECIMAL";
    case SQL_CHAR: case SQL_WCHAR: return "CHAR";
    case SQL_VARCHAR: case SQL_WVARCHAR: return "VARCHAR";
    case SQL_LONGVARCHAR: case SQL_WLONGVARCHAR: return "CLOB";
    case SQL_BINARY: return "BINARY";
    case SQL_VARBINARY: return "VARBINARY";
    case SQL_LONGVARBINARY: return "BLOB";
    case SQL_TYPE_DATE: case SQL_DATE: return "DATE";
    case SQL_TYPE_TIME: case SQL_TIME: return "TIME";
    case SQL_TYPE_TIMESTAMP: case SQL_TIMESTAMP: return "TIMESTAMP";
    case SQL_GUID: return "GUID";
    default: return "VARCHAR";
    }
}

/* The first advertised name that means type t under these options. */
static const char *canonical_name(SQLSMALLINT t, const typemap_opts *o)
{
    for (int i = 0; i < N_ADVERTISED; i++) {
        int sz, num;
        if (classify(advertised_names[i], o, &sz, &num) == t)
            return advertised_names[i];
    }
    return static_type_name(t);
}

static int is_char_type(SQLSMALLINT t)
{
    return t == SQL_CHAR || t == SQL_VARCHAR || t == SQL_LONGVARCHAR || t == SQL_WCHAR ||
           t == SQL_WVARCHAR || t == SQL_WLONGVARCHAR;
}

static int is_wide_type(SQLSMALLINT t)
{
    return t == SQL_WCHAR || t == SQL_WVARCHAR || t == SQL_WLONGVARCHAR;
}

static int is_binary_type(SQLSMALLINT t)
{
    return t == SQL_BINARY || t == SQL_VARBINARY || t == SQL_LONGVARBINARY;
}

void typemap_describe_sql(SQLSMALLINT sql_type, SQLULEN size, SQLSMALLINT digits,
                          const typemap_opts *o_in, type_desc *out)
{
    typemap_opts o;
    opts_or_default(o_in, &o);
    memset(out, 0, sizeof *out);
    out->sql_type = sql_type;
    out->verbose_type = sql_type;
    out->type_name = canonical_name(sql_type, &o);
    out->searchable = SQL_PRED_BASIC;
    out->is_unsigned = 0;
    switch (sql_type) {
    case SQL_BIT:
        out->column_size = 1; out->octet_length = 1; out->display_size = 1;
        out->is_unsigned = 1;
        break;
    case SQL_TINYINT:
        out->column_size = 3; out->octet_length = 1; out->display_size = 4;
        out->radix = 10;
        break;
    case SQL_SMALLINT:
        out->column_size = 5; out->octet_length = 2; out->display_size = 6;
        out->radix = 10;
        break;
    case SQL_INTEGER:
        out->column_size = 10; out->octet_length = 4; out->display_size = 11;
        out->radix = 10;
        break;
    case SQL_BIGINT:
        out->column_size = 19; out->octet_length = 8; out->display_size = 20;
        out->radix = 10;
        break;
    case SQL_REAL:
        out->column_size = 7; out->octet_length = 4; out->display_size = 14;
        out->radix = 10;
        break;
    case SQL_FLOAT:
    case SQL_DOUBLE:
        out->column_size = 15; out->octet_length = 8; out->display_size = 24;
        out->radix = 10;
        break;
    case SQL_NUMERIC:
    case SQL_DECIMAL: {
        SQLULEN p = size ? size : NUMERIC_DEFAULT_PRECISION;
        if (p > NUMERIC_DEFAULT_PRECISION)
            p = NUMERIC_DEFAULT_PRECISION;
        SQLSMALLINT s = digits < 0 ? 0 : digits;
        if ((SQLULEN)s > p)
            s = (SQLSMALLINT)p;
        out->column_size = p; out->decimal_digits = s;
        out->octet_length = (SQLLEN)p + 2; out->display_size = (SQLLEN)p + 2;
        out->radix = 10;
        break;
    }
    case SQL_TYPE_DATE:
    case SQL_DATE:
        out->sql_type = SQL_TYPE_DATE;
        out->verbose_type = SQL_DATETIME; out->datetime_sub = SQL_CODE_DATE;
        out->column_size = 10; out->octet_length = sizeof(SQL_DATE_STRUCT);
        out->display_size = 10;
        out->literal_prefix = "'"; out->literal_suffix = "'";
        break;
    case SQL_TYPE_TIME:
    case SQL_TIME:
        out->sql_type = SQL_TYPE_TIME;
        out->verbose_type = SQL_DATETIME; out->datetime_sub = SQL_CODE_TIME;
        out->column_size = 8; out->octet_length = sizeof(SQL_TIME_STRUCT);
        out->display_size = 8;
        out->literal_prefix = "'"; out->literal_suffix = "'";
        break;
    case SQL_TYPE_TIMESTAMP:
    case SQL_TIMESTAMP: {
        SQLSMALLINT f = digits > 0 ? digits : TIMESTAMP_FRACTION_DIGITS;
        if (f > 9)
            f = 9;
        out->sql_type = SQL_TYPE_TIMESTAMP;
        out->verbose_type = SQL_DATETIME; out->datetime_sub = SQL_CODE_TIMESTAMP;
        out->column_size = 20 + (SQLULEN)f; out->decimal_digits = f;
        out->octet_length = sizeof(SQL_TIMESTAMP_STRUCT);
        out->display_size = (SQLLEN)out->column_size;
        out->literal_prefix = "'"; out->literal_suffix = "'";
        break;
    }
    case SQL_GUID:
        out->column_size = 36; out->octet_length = sizeof(SQLGUID); out->display_size = 36;
        out->is_unsigned = 1;
        out->literal_prefix = "'"; out->literal_suffix = "'";
        break;
    case SQL_BINARY:
    case SQL_VARBINARY:
    case SQL_LONGVARBINARY: {
        SQLULEN n = size ? size
                         : (sql_type == SQL_LONGVARBINARY ? LONG_DATA_SIZE
                                                         : (SQLULEN)o.max_text_len);
        out->column_size = n; out->octet_length = (SQLLEN)n;
        out->display_size = 2 * (SQLLEN)n;
        out->is_unsigned = 1;
        out->literal_prefix = "X'"; out->literal_suffix = "'";
        break;
    }
    default: /* character types, and anything unknown is presented as text */
        if (!is_char_type(sql_type)) {
            sql_type = text_type(SQL_VARCHAR, &o);
            out->sql_type = out->verbose_type = sql_type;
            out->type_name = canonical_name(sql_type, &o);
        }
        {
            SQLULEN n = size ? size
                             : (sql_type == SQL_LONGVARCHAR || sql_type == SQL_WLONGVARCHAR
                                    ? LONG_DATA_SIZE
                                    : (SQLULEN)o.max_text_len);
            out->column_size = n;
            /* bytes of the driver's transfer form: UTF-8 (up to 4 per char
             * would overstate typical data; ODBC drivers report n) or UTF-16 */
            out->octet_length = is_wide_type(sql_type) ? 2 * (SQLLEN)n : (SQLLEN)n;
            out->display_size = (SQLLEN)n;
            out->is_unsigned = 1;
            out->case_sensitive = 1;
            out->searchable = SQL_SEARCHABLE;
            out->literal_prefix = "'"; out->literal_suffix = "'";
        }
        break;
    }
}

static SQLSMALLINT storage_class_type(int storage_class, const typemap_opts *o)
{
    switch (storage_class) {
    case SQLITE_INTEGER: return SQL_BIGINT;
    case SQLITE_FLOAT: return SQL_DOUBLE;
    case SQLITE_BLOB: return SQL_VARBINARY;
    default: return text_type(SQL_VARCHAR, o);
    }
}

void typemap_describe(const char *decltype, int storage_class, const typemap_opts *o_in,
                      type_desc *out)
{
    typemap_opts o;
    parsed_decl p;
    int size_from_arg, numeric;
    opts_or_default(o_in, &o);
    parse_decl(decltype ? decltype : "", &p);

    SQLSMALLINT t = classify(p.base, &o, &size_from_arg, &numeric);
    if (!t) {
        if (!p.base[0])
            t = storage_class_type(storage_class, &o);
        else
            t = text_type(SQL_VARCHAR, &o);  /* unknown names: text, like sqliteodbc */
    }

    SQLULEN size = 0;
    SQLSMALLINT digits = 0;
    if (numeric) {
        if (p.nargs >= 1 && p.arg[0] > 0) {
            size = (SQLULEN)p.arg[0];
            digits = p.nargs >= 2 && p.arg[1] >= 0 ? (SQLSMALLINT)p.arg[1] : 0;
        } else {
            size = NUMERIC_DEFAULT_PRECISION;
            digits = NUMERIC_DEFAULT_SCALE;
        }
    } else if (size_from_arg && p.nargs >= 1 && p.arg[0] > 0) {
        size = (SQLULEN)p.arg[0];
        if (t == SQL_LONGVARBINARY)   /* BLOB(n): bounded, so VARBINARY(n) */
            t = SQL_VARBINARY;
    } else if (t == SQL_TYPE_TIMESTAMP && p.nargs >= 1 && p.arg[0] >= 0) {
        digits = (SQLSMALLINT)(p.arg[0] > 9 ? 9 : p.arg[0]);
        if (digits == 0)
            digits = -1;  /* describe_sql: 0 means default; encode "none" below */
    }

    typemap_describe_sql(t, size, digits < 0 ? 0 : digits, &o, out);
    if (digits < 0) {  /* TIMESTAMP(0): whole seconds */
        out->decimal_digits = 0;
        out->column_size = 19;
        out->display_size = 19;
    }
    if (out->radix && has(p.base, "UNSIGNED"))
        out->is_unsigned = 1;

    /* Keep the user's own spelling when it is an advertised name of the same type. */
    for (int i = 0; i < N_ADVERTISED; i++) {
        if (!strcmp(p.base, advertised_names[i])) {
            int sz, num;
            if (classify(advertised_names[i], &o, &sz, &num) == out->sql_type)
                out->type_name = advertised_names[i];
            break;
        }
    }
}

void typemap_opts_from_dbc(const dbc *c, typemap_opts *o)
{
    memset(o, 0, sizeof *o);
    o->max_text_len = DEFAULT_MAX_TEXT;
    if (!c)
        return;
    if (c->opt.max_text_len > 0)
        o->max_text_len = c->opt.max_text_len;
    o->bigint_as_integer = c->opt.bigint_as_integer != 0;
    o->wide = c->unicode_app && !c->opt.no_wchar;
}

/* ---------- SQLGetTypeInfo -------------------------------------------- */

#define TI_NAME_LEN 128
const col_override typemap_type_info_cols[19] = {
    {"TYPE_NAME", SQL_VARCHAR, TI_NAME_LEN, SQL_NO_NULLS},
    {"DATA_TYPE", SQL_SMALLINT, 5, SQL_NO_NULLS},
    {"COLUMN_SIZE", SQL_INTEGER, 10, SQL_NULLABLE},
    {"LITERAL_PREFIX", SQL_VARCHAR, TI_NAME_LEN, SQL_NULLABLE},
    {"LITERAL_SUFFIX", SQL_VARCHAR, TI_NAME_LEN, SQL_NULLABLE},
    {"CREATE_PARAMS", SQL_VARCHAR, TI_NAME_LEN, SQL_NULLABLE},
    {"NULLABLE", SQL_SMALLINT, 5, SQL_NO_NULLS},
    {"CASE_SENSITIVE", SQL_SMALLINT, 5, SQL_NO_NULLS},
    {"SEARCHABLE", SQL_SMALLINT, 5, SQL_NO_NULLS},
    {"UNSIGNED_ATTRIBUTE", SQL_SMALLINT, 5, SQL_NULLABLE},
    {"FIXED_PREC_SCALE", SQL_SMALLINT, 5, SQL_NO_NULLS},
    {"AUTO_UNIQUE_VALUE", SQL_SMALLINT, 5, SQL_NULLABLE},
    {"LOCAL_TYPE_NAME", SQL_VARCHAR, TI_NAME_LEN, SQL_NULLABLE},
    {"MINIMUM_SCALE", SQL_SMALLINT, 5, SQL_NULLABLE},
    {"MAXIMUM_SCALE", SQL_SMALLINT, 5, SQL_NULLABLE},
    {"SQL_DATA_TYPE", SQL_SMALLINT, 5, SQL_NO_NULLS},
    {"SQL_DATETIME_SUB", SQL_SMALLINT, 5, SQL_NULLABLE},
    {"NUM_PREC_RADIX", SQL_INTEGER, 10, SQL_NULLABLE},
    {"INTERVAL_PRECISION", SQL_SMALLINT, 5, SQL_NULLABLE},
};

typedef struct ti_entry {
    int order;          /* position in advertised_names: closeness within a type */
    type_desc d;
} ti_entry;

static int ti_cmp(const void *a, const void *b)
{
    const ti_entry *x = a, *y = b;
    if (x->d.sql_type != y->d.sql_type)
        return x->d.sql_type < y->d.sql_type ? -1 : 1;
    return x->order - y->order;
}

static int ti_fill_row(db_value *row, const char *name, const type_desc *d)
{
    int is_num = d->radix != 0;
    int is_text = is_char_type(d->sql_type), is_bin = is_binary_type(d->sql_type);
    const char *create = NULL;
    if (d->sql_type == SQL_NUMERIC || d->sql_type == SQL_DECIMAL)
        create = "precision,scale";
    else if (d->sql_type == SQL_CHAR || d->sql_type == SQL_VARCHAR || d->sql_type == SQL_WCHAR ||
             d->sql_type == SQL_WVARCHAR || d->sql_type == SQL_BINARY ||
             d->sql_type == SQL_VARBINARY)
        create = "length";

    if (mem_set_text(&row[0], name) != 0)
        return -1;
    mem_set_int(&row[1], d->sql_type);
    /* the largest size the type can have: "VARCHAR" alone is max_text_len,
     * but VARCHAR(n) may go up to SQLite's limit */
    mem_set_int(&row[2], (is_text || is_bin) && create ? LONG_DATA_SIZE
                                                     : (sqlite3_int64)d->column_size);
    if (d->literal_prefix && mem_set_text(&row[3], d->literal_prefix) != 0)
        return -1;
    if (d->literal_suffix && mem_set_text(&row[4], d->literal_suffix) != 0)
        return -1;
    if (create && mem_set_text(&row[5], create) != 0)
        return -1;
    mem_set_int(&row[6], SQL_NULLABLE);
    mem_set_int(&row[7], d->case_sensitive ? SQL_TRUE : SQL_FALSE);
    mem_set_int(&row[8], d->searchable);
    if (is_num)
        mem_set_int(&row[9], d->is_unsigned ? SQL_TRUE : SQL_FALSE);
    mem_set_int(&row[10], SQL_FALSE);
    if (is_num)
        mem_set_int(&row[11], SQL_FALSE);  /* autoincrement is a column, not a type, property */
    if (mem_set_text(&row[12], name) != 0)
        return -1;
    if (d->sql_type == SQL_NUMERIC || d->sql_type == SQL_DECIMAL) {
        mem_set_int(&row[13], 0);
        mem_set_int(&row[14], NUMERIC_DEFAULT_PRECISION);
    } else if (d->sql_type == SQL_TYPE_TIMESTAMP) {
        mem_set_int(&row[13], 0);
        mem_set_int(&row[14], 9);
    } else if (is_num && d->sql_type != SQL_DOUBLE && d->sql_type != SQL_FLOAT &&
               d->sql_type != SQL_REAL) {
        mem_set_int(&row[13], 0);
        mem_set_int(&row[14], 0);
    }
    mem_set_int(&row[15], d->verbose_type);
    if (d->datetime_sub)
        mem_set_int(&row[16], d->datetime_sub);
    if (is_num)
        mem_set_int(&row[17], d->radix);
    /* row[18] INTERVAL_PRECISION: no interval types */
    return 0;
}

SQLRETURN typemap_type_info_rows(SQLSMALLINT type, const typemap_opts *o_in, mem_rows *out)
{
    typemap_opts o;
    ti_entry ents[N_ADVERTISED];
    int n = 0;
    opts_or_default(o_in, &o);
    /* ODBC 2 applications may ask with the old date/time codes */
    if (type == SQL_DATE)
        type = SQL_TYPE_DATE;
    else if (type == SQL_TIME)
        type = SQL_TYPE_TIME;
    else if (type == SQL_TIMESTAMP)
        type = SQL_TYPE_TIMESTAMP;

    for (int i = 0; i < N_ADVERTISED; i++) {
        type_desc d;
        typemap_describe(advertised_names[i], SQLITE_NULL, &o, &d);
        if (type != SQL_ALL_TYPES && d.sql_type != type)
            continue;
        ents[n].order = i;
        ents[n].d = d;
        n++;
    }
    qsort(ents, (size_t)n, sizeof ents[0], ti_cmp);

    if (mem_rows_init(out, 19) != 0)
        return SQL_ERROR;
    for (int i = 0; i < n; i++) {
        db_value *row = mem_rows_add(out);
        if (!row || ti_fill_row(row, advertised_names[ents[i].order], &ents[i].d) != 0) {
            mem_rows_free(out);
            return SQL_ERROR;
        }
    }
    return SQL_SUCCESS;
}

/* ---------- SQL functions for catalog queries ------------------------- */

typedef enum fn_field {
    FN_SQL_TYPE, FN_COLUMN_SIZE, FN_DECIMAL_DIGITS, FN_TYPE_NAME, FN_OCTET_LENGTH,
    FN_RADIX, FN_DISPLAY_SIZE, FN_VERBOSE_TYPE, FN_DATETIME_SUB, FN_CHAR_OCTET_LENGTH
} fn_field;

typedef struct fn_data {
    typemap_opts opts;
    fn_field field;
} fn_data;

/* Whether DECIMAL_DIGITS means anything for a type (NULL in SQLColumns if not). */
static int has_decimal_digits(const type_desc *d)
{
    return d->radix != 0 || d->sql_type == SQL_TYPE_TIMESTAMP || d->sql_type == SQL_TYPE_TIME;
}

static void sql_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const fn_data *fd = sqlite3_user_data(ctx);
    const char *decl = argc > 0 ? (const char *)sqlite3_value_text(argv[0]) : NULL;
    type_desc d;
    typemap_describe(decl, SQLITE_NULL, &fd->opts, &d);
    switch (fd->field) {
    case FN_SQL_TYPE: sqlite3_result_int(ctx, d.sql_type); break;
    case FN_COLUMN_SIZE: sqlite3_result_int64(ctx, (sqlite3_int64)d.column_size); break;
    case FN_DECIMAL_DIGITS:
        if (has_decimal_digits(&d))
            sqlite3_result_int(ctx, d.decimal_digits);
        else
            sqlite3_result_null(ctx);
        break;
    case FN_TYPE_NAME: sqlite3_result_text(ctx, d.type_name, -1, SQLITE_STATIC); break;
    case FN_OCTET_LENGTH: sqlite3_result_int64(ctx, d.octet_length); break;
    case FN_RADIX:
        if (d.radix)
            sqlite3_result_int(ctx, d.radix);
        else
            sqlite3_result_null(ctx);
        break;
    case FN_DISPLAY_SIZE: sqlite3_result_int64(ctx, d.display_size); break;
    case FN_VERBOSE_TYPE: sqlite3_result_int(ctx, d.verbose_type); break;
    case FN_DATETIME_SUB:
        if (d.datetime_sub)
            sqlite3_result_int(ctx, d.datetime_sub);
        else
            sqlite3_result_null(ctx);
        break;
    case FN_CHAR_OCTET_LENGTH:
        if (is_char_type(d.sql_type) || is_binary_type(d.sql_type))
            sqlite3_result_int64(ctx, d.octet_length);
        else
            sqlite3_result_null(ctx);
        break;
    }
}

int typemap_register_sql_functions(sqlite3 *db, const typemap_opts *o)
{
    static const struct { const char *name; fn_field field; } fns[] = {
        {"odbc_sql_type", FN_SQL_TYPE},
        {"odbc_column_size", FN_COLUMN_SIZE},
        {"odbc_decimal_digits", FN_DECIMAL_DIGITS},
        {"odbc_type_name", FN_TYPE_NAME},
        {"odbc_octet_length", FN_OCTET_LENGTH},
        {"odbc_radix", FN_RADIX},
        {"odbc_display_size", FN_DISPLAY_SIZE},
        {"odbc_verbose_type", FN_VERBOSE_TYPE},
        {"odbc_datetime_sub", FN_DATETIME_SUB},
        {"odbc_char_octet_length", FN_CHAR_OCTET_LENGTH},
    };
    int rc = SQLITE_OK;
    if (!db)
        return SQLITE_MISUSE;
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        fn_data *fd = malloc(sizeof *fd);
        if (!fd)
            return SQLITE_NOMEM;
        opts_or_default(o, &fd->opts);
        fd->field = fns[i].field;
        /* sqlite3_create_function_v2 calls free(fd) itself when it fails or
         * when the function is later replaced or the connection closes. */
        int r = sqlite3_create_function_v2(db, fns[i].name, 1,
                                           SQLITE_UTF8 | SQLITE_DETERMINISTIC, fd, sql_fn,
                                           NULL, NULL, free);
        if (r != SQLITE_OK && rc == SQLITE_OK)
            rc = r;
    }
    return rc;
}
