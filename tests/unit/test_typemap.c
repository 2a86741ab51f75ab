/*
 * test_typemap.c — the declared-type -> ODBC type mapping (typemap.c): the
 * mapping table, column sizes / digits / octet lengths, the SQLGetTypeInfo
 * rows (sorted, 19 columns, every TYPE_NAME describing back to its own
 * DATA_TYPE), the options, and the odbc_* SQL functions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "typemap.h"

static const typemap_opts DEFAULTS = {65535, 0, 0};

typedef struct map_case {
    const char *decl;
    int storage;
    SQLSMALLINT type;
    SQLULEN size;
    SQLSMALLINT digits;
    const char *type_name;
} map_case;

static void test_mapping_table(void **state)
{
    (void)state;
    static const map_case cases[] = {
        {"INTEGER", SQLITE_NULL, SQL_BIGINT, 19, 0, "INTEGER"},
        {"integer", SQLITE_NULL, SQL_BIGINT, 19, 0, "INTEGER"},
        {"BIGINT", SQLITE_NULL, SQL_BIGINT, 19, 0, "BIGINT"},
        {"INT8", SQLITE_NULL, SQL_BIGINT, 19, 0, "BIGINT"},
        {"UNSIGNED BIG INT", SQLITE_NULL, SQL_BIGINT, 19, 0, "BIGINT"},
        {"INT", SQLITE_NULL, SQL_INTEGER, 10, 0, "INT"},
        {"MEDIUMINT", SQLITE_NULL, SQL_INTEGER, 10, 0, "MEDIUMINT"},
        {"SMALLINT", SQLITE_NULL, SQL_SMALLINT, 5, 0, "SMALLINT"},
        {"INT2", SQLITE_NULL, SQL_SMALLINT, 5, 0, "SMALLINT"},
        {"TINYINT", SQLITE_NULL, SQL_TINYINT, 3, 0, "TINYINT"},
        {"REAL", SQLITE_NULL, SQL_DOUBLE, 15, 0, "REAL"},
        {"DOUBLE PRECISION", SQLITE_NULL, SQL_DOUBLE, 15, 0, "DOUBLE"},
        {"FLOAT", SQLITE_NULL, SQL_DOUBLE, 15, 0, "FLOAT"},
        {"NUMERIC(10,2)", SQLITE_NULL, SQL_NUMERIC, 10, 2, "NUMERIC"},
        {"DECIMAL(12, 4)", SQLITE_NULL, SQL_DECIMAL, 12, 4, "DECIMAL"},
        {"DECIMAL(7)", SQLITE_NULL, SQL_DECIMAL, 7, 0, "DECIMAL"},
        {"NUMERIC", SQLITE_NULL, SQL_NUMERIC, 38, 10, "NUMERIC"},
        {"BOOLEAN", SQLITE_NULL, SQL_BIT, 1, 0, "BOOLEAN"},
        {"BOOL", SQLITE_NULL, SQL_BIT, 1, 0, "BIT"},
        {"BIT", SQLITE_NULL, SQL_BIT, 1, 0, "BIT"},
        {"DATE", SQLITE_NULL, SQL_TYPE_DATE, 10, 0, "DATE"},
        {"TIME", SQLITE_NULL, SQL_TYPE_TIME, 8, 0, "TIME"},
        {"DATETIME", SQLITE_NULL, SQL_TYPE_TIMESTAMP, 23, 3, "DATETIME"},
        {"TIMESTAMP", SQLITE_NULL, SQL_TYPE_TIMESTAMP, 23, 3, "TIMESTAMP"},
        {"TIMESTAMP(0)", SQLITE_NULL, SQL_TYPE_TIMESTAMP, 19, 0, "TIMESTAMP"},
        {"TIMESTAMP(6)", SQLITE_NULL, SQL_TYPE_TIMESTAMP, 26, 6, "TIMESTAMP"},
        {"VARCHAR(20)", SQLITE_NULL, SQL_VARCHAR, 20, 0, "VARCHAR"},
        {"varchar ( 30 )", SQLITE_NULL, SQL_VARCHAR, 30, 0, "VARCHAR"},
        {"NVARCHAR(15)", SQLITE_NULL, SQL_VARCHAR, 15, 0, "NVARCHAR"},
        {"CHARACTER VARYING(9)", SQLITE_NULL, SQL_VARCHAR, 9, 0, "VARCHAR"},
        {"CHAR(5)", SQLITE_NULL, SQL_CHAR, 5, 0, "CHAR"},
        {"NCHAR(2)", SQLITE_NULL, SQL_CHAR, 2, 0, "NCHAR"},
        {"TEXT", SQLITE_NULL, SQL_VARCHAR, 65535, 0, "TEXT"},
        {"VARCHAR", SQLITE_NULL, SQL_VARCHAR, 65535, 0, "VARCHAR"},
        {"CLOB", SQLITE_NULL, SQL_LONGVARCHAR, 1000000000, 0, "CLOB"},
        {"LONGTEXT", SQLITE_NULL, SQL_LONGVARCHAR, 1000000000, 0, "LONGTEXT"},
        {"BLOB", SQLITE_NULL, SQL_LONGVARBINARY, 1000000000, 0, "BLOB"},
        {"BLOB(16)", SQLITE_NULL, SQL_VARBINARY, 16, 0, "VARBINARY"},
        {"VARBINARY(32)", SQLITE_NULL, SQL_VARBINARY, 32, 0, "VARBINARY"},
        {"BINARY(4)", SQLITE_NULL, SQL_BINARY, 4, 0, "BINARY"},
        {"WHATEVER", SQLITE_NULL, SQL_VARCHAR, 65535, 0, "VARCHAR"},
        {"", SQLITE_INTEGER, SQL_BIGINT, 19, 0, "BIGINT"},
        {NULL, SQLITE_INTEGER, SQL_BIGINT, 19, 0, "BIGINT"},
        {NULL, SQLITE_FLOAT, SQL_DOUBLE, 15, 0, "DOUBLE"},
        {NULL, SQLITE_BLOB, SQL_VARBINARY, 65535, 0, "VARBINARY"},
        {NULL, SQLITE_TEXT, SQL_VARCHAR, 65535, 0, "VARCHAR"},
        {NULL, SQLITE_NULL, SQL_VARCHAR, 65535, 0, "VARCHAR"},
        /* a declared type wins over the storage class of the value */
        {"TEXT", SQLITE_INTEGER, SQL_VARCHAR, 65535, 0, "TEXT"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        type_desc d;
        typemap_describe(cases[i].decl, cases[i].storage, &DEFAULTS, &d);
        print_message("  %s\n", cases[i].decl ? cases[i].decl : "(null)");
        assert_int_equal(d.sql_type, cases[i].type);
        assert_int_equal(d.column_size, cases[i].size);
        assert_int_equal(d.decimal_digits, cases[i].digits);
        assert_string_equal(d.type_name, cases[i].type_name);
    }
}

static void test_sizes(void **state)
{
    (void)state;
    type_desc d;
    typemap_describe("INTEGER", SQLITE_NULL, &DEFAULTS, &d);
    assert_int_equal(d.octet_length, 8);
    assert_int_equal(d.display_size, 20);
    assert_int_equal(d.radix, 10);
    assert_int_equal(d.verbose_type, SQL_BIGINT);
    assert_false(d.is_unsigned);

    typemap_describe("INT", SQLITE_NULL, &DEFAULTS, &d);
    assert_int_equal(d.octet_length, 4);
    assert_int_equal(d.display_size, 11);

    typemap_describe("INT UNSIGNED", SQLITE_NULL, &DEFAULTS, &d);
    assert_int_equal(d.sql_type, SQL_INTEGER);
    assert_true(d.is_unsigned);

    typemap_describe("DOUBLE", SQLITE_NULL, &DEFAULTS, &d);
    assert_int_equal(d.octet_length, 8);
    assert_int_equal(d.display_size, 24);

    typemap_describe("DECIMAL(10,2)", SQLITE_NULL, &DEFAULTS, &d);
    assert_int_equal(d.octet_length, 12);
    assert_int_equal(d.display_size, 12);
    assert_int_equal(d.radix, 10);

    typemap_describe("DATE", SQLITE_NULL, &DEFAULTS, &d);
    assert_int_equal(d.verbose_type, SQL_DATETIME);
    assert_int_equal(d.datetime_sub, SQL_CODE_DATE);
    assert_int_equal(d.octet_length, 6);
    assert_int_equal(d.radix, 0);
    assert_string_equal(d.literal_prefix, "'");

    typemap_describe("TIMESTAMP", SQLITE_NULL, &DEFAULTS, &d);
    assert_int_equal(d.verbose_type, SQL_DATETIME);
    assert_int_equal(d.datetime_sub, SQL_CODE_TIMESTAMP);
    assert_int_equal(d.octet_length, 16);
    assert_int_equal(d.display_size, 23);

    typemap_describe("TIME", SQLITE_NULL, &DEFAULTS, &d);
    assert_int_equal(d.datetime_sub, SQL_CODE_TIME);

    typemap_describe("VARCHAR(20)", SQLITE_NULL, &DEFAULTS, &d);
    assert_int_equal(d.octet_length, 20);
    assert_int_equal(d.display_size, 20);
    assert_true(d.case_sensitive);
    assert_int_equal(d.searchable, SQL_SEARCHABLE);
    assert_int_equal(d.radix, 0);

    typemap_describe("VARBINARY(8)", SQLITE_NULL, &DEFAULTS, &d);
    assert_int_equal(d.octet_length, 8);
    assert_int_equal(d.display_size, 16);
    assert_string_equal(d.literal_prefix, "X'");

    typemap_describe("BIT", SQLITE_NULL, &DEFAULTS, &d);
    assert_int_equal(d.octet_length, 1);
    assert_int_equal(d.display_size, 1);

    /* NULL options mean the defaults */
    typemap_describe("TEXT", SQLITE_NULL, NULL, &d);
    assert_int_equal(d.column_size, 65535);

    /* describe_sql agrees with describe */
    typemap_describe_sql(SQL_INTEGER, 0, 0, &DEFAULTS, &d);
    assert_int_equal(d.column_size, 10);
    typemap_describe_sql(SQL_VARCHAR, 50, 0, &DEFAULTS, &d);
    assert_int_equal(d.column_size, 50);
    assert_string_equal(d.type_name, "VARCHAR");
    typemap_describe_sql(SQL_TIMESTAMP, 0, 0, &DEFAULTS, &d);
    assert_int_equal(d.sql_type, SQL_TYPE_TIMESTAMP);
}

static void test_options(void **state)
{
    (void)state;
    type_desc d;
    typemap_opts o = {100, 1, 0};
    typemap_describe("INTEGER", SQLITE_NULL, &o, &d);
    assert_int_equal(d.sql_type, SQL_INTEGER);
    assert_string_equal(d.type_name, "INTEGER");
    typemap_describe("BIGINT", SQLITE_NULL, &o, &d);
    assert_int_equal(d.sql_type, SQL_BIGINT);
    typemap_describe("TEXT", SQLITE_NULL, &o, &d);
    assert_int_equal(d.column_size, 100);
    assert_int_equal(d.sql_type, SQL_VARCHAR);

    typemap_opts w = {65535, 0, 1};
    typemap_describe("TEXT", SQLITE_NULL, &w, &d);
    assert_int_equal(d.sql_type, SQL_WVARCHAR);
    assert_int_equal(d.octet_length, 2 * 65535);
    typemap_describe("CHAR(3)", SQLITE_NULL, &w, &d);
    assert_int_equal(d.sql_type, SQL_WCHAR);
    typemap_describe("CLOB", SQLITE_NULL, &w, &d);
    assert_int_equal(d.sql_type, SQL_WLONGVARCHAR);
    typemap_describe(NULL, SQLITE_TEXT, &w, &d);
    assert_int_equal(d.sql_type, SQL_WVARCHAR);
    typemap_describe("BLOB", SQLITE_NULL, &w, &d);
    assert_int_equal(d.sql_type, SQL_LONGVARBINARY);

    /* options from a connection's DSN settings */
    dbc c;
    memset(&c, 0, sizeof c);
    typemap_opts got;
    typemap_opts_from_dbc(&c, &got);
    assert_int_equal(got.max_text_len, 65535);
    assert_int_equal(got.bigint_as_integer, 0);
    assert_int_equal(got.wide, 0);
    c.opt.max_text_len = 4000;
    c.opt.bigint_as_integer = 1;
    c.unicode_app = 1;
    typemap_opts_from_dbc(&c, &got);
    assert_int_equal(got.max_text_len, 4000);
    assert_int_equal(got.bigint_as_integer, 1);
    assert_int_equal(got.wide, 1);
    c.opt.no_wchar = 1;
    typemap_opts_from_dbc(&c, &got);
    assert_int_equal(got.wide, 0);
}

static const char *cell_text(const mem_rows *m, SQLLEN row, int col, char *buf, size_t n)
{
    const db_value *v = &m->cells[row * m->ncols + col];
    if (v->type != SQLITE_TEXT)
        return NULL;
    snprintf(buf, n, "%.*s", v->n, (const char *)v->p);
    return buf;
}

static sqlite3_int64 cell_int(const mem_rows *m, SQLLEN row, int col, int *is_null)
{
    const db_value *v = &m->cells[row * m->ncols + col];
    *is_null = v->type == SQLITE_NULL;
    return v->type == SQLITE_INTEGER ? v->i : 0;
}

/* Every advertised TYPE_NAME describes back to the DATA_TYPE of its row,
 * rows are sorted by DATA_TYPE, and a single-type request returns just
 * the rows of that type. Under each combination of options. */
static void check_type_info(const typemap_opts *o)
{
    mem_rows m;
    memset(&m, 0, sizeof m);
    assert_int_equal(typemap_type_info_rows(SQL_ALL_TYPES, o, &m), SQL_SUCCESS);
    assert_int_equal(m.ncols, 19);
    assert_true(m.nrows >= 15);
    sqlite3_int64 prev = -32768;
    int saw_bigint = 0, saw_integer = 0, saw_text = 0;
    for (SQLLEN r = 0; r < m.nrows; r++) {
        char name[64];
        int isnull;
        assert_non_null(cell_text(&m, r, 0, name, sizeof name));
        sqlite3_int64 dt = cell_int(&m, r, 1, &isnull);
        assert_false(isnull);
        assert_true(dt >= prev);
        prev = dt;
        type_desc d;
        typemap_describe(name, SQLITE_NULL, o, &d);
        print_message("  %s -> %d (row %d)\n", name, d.sql_type, (int)dt);
        assert_int_equal(d.sql_type, dt);
        assert_string_equal(d.type_name, name);
        /* SQL_DATA_TYPE and SQL_DATETIME_SUB agree with describe */
        assert_int_equal(cell_int(&m, r, 15, &isnull), d.verbose_type);
        sqlite3_int64 sub = cell_int(&m, r, 16, &isnull);
        if (d.datetime_sub)
            assert_int_equal(sub, d.datetime_sub);
        else
            assert_true(isnull);
        /* NULLABLE is SQL_NULLABLE; SEARCHABLE is set */
        assert_int_equal(cell_int(&m, r, 6, &isnull), SQL_NULLABLE);
        assert_false(isnull);
        cell_int(&m, r, 8, &isnull);
        assert_false(isnull);
        saw_bigint |= dt == SQL_BIGINT;
        saw_integer |= dt == SQL_INTEGER;
        saw_text |= dt == (o->wide ? SQL_WVARCHAR : SQL_VARCHAR);
    }
    assert_true(saw_bigint && saw_integer && saw_text);
    mem_rows_free(&m);

    /* one type: only its rows */
    memset(&m, 0, sizeof m);
    assert_int_equal(typemap_type_info_rows(SQL_TYPE_DATE, o, &m), SQL_SUCCESS);
    assert_int_equal(m.nrows, 1);
    int isnull;
    assert_int_equal(cell_int(&m, 0, 1, &isnull), SQL_TYPE_DATE);
    mem_rows_free(&m);

    /* ODBC 2 code for timestamp */
    memset(&m, 0, sizeof m);
    assert_int_equal(typemap_type_info_rows(SQL_TIMESTAMP, o, &m), SQL_SUCCESS);
    assert_int_equal(m.nrows, 2);
    mem_rows_free(&m);

    /* a type the driver does not advertise: no rows */
    memset(&m, 0, sizeof m);
    assert_int_equal(typemap_type_info_rows(SQL_INTERVAL_DAY, o, &m), SQL_SUCCESS);
    assert_int_equal(m.nrows, 0);
    mem_rows_free(&m);
}

static void test_type_info_rows(void **state)
{
    (void)state;
    for (int big = 0; big < 2; big++)
        for (int wide = 0; wide < 2; wide++) {
            typemap_opts o = {65535, big, wide};
            print_message("bigint_as_integer=%d wide=%d\n", big, wide);
            check_type_info(&o);
        }
}

static void test_type_info_cols(void **state)
{
    (void)state;
    static const char *names[19] = {
        "TYPE_NAME", "DATA_TYPE", "COLUMN_SIZE", "LITERAL_PREFIX", "LITERAL_SUFFIX",
        "CREATE_PARAMS", "NULLABLE", "CASE_SENSITIVE", "SEARCHABLE", "UNSIGNED_ATTRIBUTE",
        "FIXED_PREC_SCALE", "AUTO_UNIQUE_VALUE", "LOCAL_TYPE_NAME", "MINIMUM_SCALE",
        "MAXIMUM_SCALE", "SQL_DATA_TYPE", "SQL_DATETIME_SUB", "NUM_PREC_RADIX",
        "INTERVAL_PRECISION"};
    static const SQLSMALLINT types[19] = {
        SQL_VARCHAR, SQL_SMALLINT, SQL_INTEGER, SQL_VARCHAR, SQL_VARCHAR, SQL_VARCHAR,
        SQL_SMALLINT, SQL_SMALLINT, SQL_SMALLINT, SQL_SMALLINT, SQL_SMALLINT, SQL_SMALLINT,
        SQL_VARCHAR, SQL_SMALLINT, SQL_SMALLINT, SQL_SMALLINT, SQL_SMALLINT, SQL_INTEGER,
        SQL_SMALLINT};
    for (int i = 0; i < 19; i++) {
        assert_non_null(typemap_type_info_cols[i].name);
        assert_string_equal(typemap_type_info_cols[i].name, names[i]);
        assert_int_equal(typemap_type_info_cols[i].sql_type, types[i]);
    }
}

static sqlite3_int64 query_int(sqlite3 *db, const char *sql, int *is_null)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    *is_null = sqlite3_column_type(st, 0) == SQLITE_NULL;
    sqlite3_int64 v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void test_sql_functions(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    int isnull;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    typemap_opts o = {255, 0, 0};
    assert_int_equal(typemap_register_sql_functions(db, &o), SQLITE_OK);
    assert_int_equal(query_int(db, "SELECT odbc_sql_type('VARCHAR(20)')", &isnull), SQL_VARCHAR);
    assert_int_equal(query_int(db, "SELECT odbc_column_size('VARCHAR(20)')", &isnull), 20);
    assert_int_equal(query_int(db, "SELECT odbc_column_size('TEXT')", &isnull), 255);
    assert_int_equal(query_int(db, "SELECT odbc_decimal_digits('DECIMAL(9,3)')", &isnull), 3);
    query_int(db, "SELECT odbc_decimal_digits('TEXT')", &isnull);
    assert_true(isnull);
    assert_int_equal(query_int(db, "SELECT odbc_radix('INTEGER')", &isnull), 10);
    query_int(db, "SELECT odbc_radix('TEXT')", &isnull);
    assert_true(isnull);
    assert_int_equal(query_int(db, "SELECT odbc_octet_length('INTEGER')", &isnull), 8);
    assert_int_equal(query_int(db, "SELECT odbc_display_size('INT')", &isnull), 11);
    assert_int_equal(query_int(db, "SELECT odbc_verbose_type('DATE')", &isnull), SQL_DATETIME);
    assert_int_equal(query_int(db, "SELECT odbc_datetime_sub('DATE')", &isnull), SQL_CODE_DATE);
    assert_int_equal(query_int(db, "SELECT odbc_char_octet_length('CHAR(7)')", &isnull), 7);
    query_int(db, "SELECT odbc_char_octet_length('INT')", &isnull);
    assert_true(isnull);
    assert_int_equal(query_int(db, "SELECT odbc_sql_type(NULL)", &isnull), SQL_VARCHAR);
    assert_int_equal(query_int(db, "SELECT odbc_type_name('integer') = 'INTEGER'", &isnull), 1);

    /* registering again replaces the functions (old user data freed by
     * SQLite: ASan would report a leak otherwise) with the new options */
    typemap_opts o2 = {255, 1, 0};
    assert_int_equal(typemap_register_sql_functions(db, &o2), SQLITE_OK);
    assert_int_equal(query_int(db, "SELECT odbc_sql_type('INTEGER')", &isnull), SQL_INTEGER);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mapping_table),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_type_info_rows),
        cmocka_unit_test(test_type_info_cols),
        cmocka_unit_test(test_sql_functions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
