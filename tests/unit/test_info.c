/*
 * test_info.c — unit tests for driver/info.c (SQLGetInfo, SQLGetFunctions)
 * and the wide string plumbing of driver/api_w.c that needs no database:
 * every info type answers with the size its ODBC type has, strings truncate
 * with 01004 and report their full length, unknown types give HY096, and the
 * SQLGetFunctions bitmap matches exactly the functions the driver exports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../driver/convert.h"
#include "../../driver/internal.h"

#ifndef SQL_RETURN_ESCAPE_CLAUSE
#define SQL_RETURN_ESCAPE_CLAUSE 180
#endif

enum { K_STR, K_U16, K_U32, K_ULEN };

typedef struct expected {
    SQLUSMALLINT id;
    int kind;
    const char *name;
} expected;

#define E(id, k) { id, k, #id }

/* Every info type of ODBC 3.x (plus the ODBC 2 ones a driver manager passes
 * through), with the C type the ODBC reference gives it. Written from the
 * reference independently of info.c's table, so a wrong kind there fails. */
static const expected all_types[] = {
    E(SQL_ACCESSIBLE_PROCEDURES, K_STR), E(SQL_ACCESSIBLE_TABLES, K_STR),
    E(SQL_ACTIVE_ENVIRONMENTS, K_U16), E(SQL_AGGREGATE_FUNCTIONS, K_U32),
    E(SQL_ALTER_DOMAIN, K_U32), E(SQL_ALTER_TABLE, K_U32), E(SQL_ASYNC_MODE, K_U32),
    E(SQL_ASYNC_DBC_FUNCTIONS, K_U32), E(SQL_ASYNC_NOTIFICATION, K_U32),
    E(SQL_BATCH_ROW_COUNT, K_U32), E(SQL_BATCH_SUPPORT, K_U32),
    E(SQL_BOOKMARK_PERSISTENCE, K_U32), E(SQL_CATALOG_LOCATION, K_U16),
    E(SQL_CATALOG_NAME, K_STR), E(SQL_CATALOG_NAME_SEPARATOR, K_STR),
    E(SQL_CATALOG_TERM, K_STR), E(SQL_CATALOG_USAGE, K_U32), E(SQL_COLLATION_SEQ, K_STR),
    E(SQL_COLUMN_ALIAS, K_STR), E(SQL_CONCAT_NULL_BEHAVIOR, K_U16),
    E(SQL_CONVERT_BIGINT, K_U32), E(SQL_CONVERT_BINARY, K_U32), E(SQL_CONVERT_BIT, K_U32),
    E(SQL_CONVERT_CHAR, K_U32), E(SQL_CONVERT_DATE, K_U32), E(SQL_CONVERT_DECIMAL, K_U32),
    E(SQL_CONVERT_DOUBLE, K_U32), E(SQL_CONVERT_FLOAT, K_U32), E(SQL_CONVERT_GUID, K_U32),
    E(SQL_CONVERT_INTEGER, K_U32), E(SQL_CONVERT_INTERVAL_DAY_TIME, K_U32),
    E(SQL_CONVERT_INTERVAL_YEAR_MONTH, K_U32), E(SQL_CONVERT_LONGVARBINARY, K_U32),
    E(SQL_CONVERT_LONGVARCHAR, K_U32), E(SQL_CONVERT_NUMERIC, K_U32),
    E(SQL_CONVERT_REAL, K_U32), E(SQL_CONVERT_SMALLINT, K_U32), E(SQL_CONVERT_TIME, K_U32),
    E(SQL_CONVERT_TIMESTAMP, K_U32), E(SQL_CONVERT_TINYINT, K_U32),
    E(SQL_CONVERT_VARBINARY, K_U32), E(SQL_CONVERT_VARCHAR, K_U32),
    E(SQL_CONVERT_WCHAR, K_U32), E(SQL_CONVERT_WLONGVARCHAR, K_U32),
    E(SQL_CONVERT_WVARCHAR, K_U32), E(SQL_CONVERT_FUNCTIONS, K_U32),
    E(SQL_CORRELATION_NAME, K_U16), E(SQL_CREATE_ASSERTION, K_U32),
    E(SQL_CREATE_CHARACTER_SET, K_U32), E(SQL_CREATE_COLLATION, K_U32),
    E(SQL_CREATE_DOMAIN, K_U32), E(SQL_CREATE_SCHEMA, K_U32), E(SQL_CREATE_TABLE, K_U32),
    E(SQL_CREATE_TRANSLATION, K_U32), E(SQL_CREATE_VIEW, K_U32),
    E(SQL_CURSOR_COMMIT_BEHAVIOR, K_U16), E(SQL_CURSOR_ROLLBACK_BEHAVIOR, K_U16),
    E(SQL_CURSOR_SENSITIVITY, K_U32), E(SQL_DATA_SOURCE_NAME, K_STR),
    E(SQL_DATA_SOURCE_READ_ONLY, K_STR), E(SQL_DATABASE_NAME, K_STR),
    E(SQL_DATETIME_LITERALS, K_U32), E(SQL_DBMS_NAME, K_STR), E(SQL_DBMS_VER, K_STR),
    E(SQL_DDL_INDEX, K_U32), E(SQL_DEFAULT_TXN_ISOLATION, K_U32),
    E(SQL_DESCRIBE_PARAMETER, K_STR), E(SQL_DRIVER_AWARE_POOLING_SUPPORTED, K_U32),
    E(SQL_DRIVER_HDBC, K_ULEN), E(SQL_DRIVER_HENV, K_ULEN), E(SQL_DRIVER_HLIB, K_ULEN),
    E(SQL_DRIVER_NAME, K_STR), E(SQL_DRIVER_ODBC_VER, K_STR), E(SQL_DRIVER_VER, K_STR),
    E(SQL_DROP_ASSERTION, K_U32), E(SQL_DROP_CHARACTER_SET, K_U32),
    E(SQL_DROP_COLLATION, K_U32), E(SQL_DROP_DOMAIN, K_U32), E(SQL_DROP_SCHEMA, K_U32),
    E(SQL_DROP_TABLE, K_U32), E(SQL_DROP_TRANSLATION, K_U32), E(SQL_DROP_VIEW, K_U32),
    E(SQL_DYNAMIC_CURSOR_ATTRIBUTES1, K_U32), E(SQL_DYNAMIC_CURSOR_ATTRIBUTES2, K_U32),
    E(SQL_EXPRESSIONS_IN_ORDERBY, K_STR), E(SQL_FETCH_DIRECTION, K_U32),
    E(SQL_FILE_USAGE, K_U16), E(SQL_FORWARD_ONLY_CURSOR_ATTRIBUTES1, K_U32),
    E(SQL_FORWARD_ONLY_CURSOR_ATTRIBUTES2, K_U32), E(SQL_GETDATA_EXTENSIONS, K_U32),
    E(SQL_GROUP_BY, K_U16), E(SQL_IDENTIFIER_CASE, K_U16),
    E(SQL_IDENTIFIER_QUOTE_CHAR, K_STR), E(SQL_INDEX_KEYWORDS, K_U32),
    E(SQL_INFO_SCHEMA_VIEWS, K_U32), E(SQL_INSERT_STATEMENT, K_U32),
    E(SQL_INTEGRITY, K_STR), E(SQL_KEYSET_CURSOR_ATTRIBUTES1, K_U32),
    E(SQL_KEYSET_CURSOR_ATTRIBUTES2, K_U32), E(SQL_KEYWORDS, K_STR),
    E(SQL_LIKE_ESCAPE_CLAUSE, K_STR), E(SQL_LOCK_TYPES, K_U32),
    E(SQL_MAX_ASYNC_CONCURRENT_STATEMENTS, K_U32), E(SQL_MAX_BINARY_LITERAL_LEN, K_U32),
    E(SQL_MAX_CATALOG_NAME_LEN, K_U16), E(SQL_MAX_CHAR_LITERAL_LEN, K_U32),
    E(SQL_MAX_COLUMN_NAME_LEN, K_U16), E(SQL_MAX_COLUMNS_IN_GROUP_BY, K_U16),
    E(SQL_MAX_COLUMNS_IN_INDEX, K_U16), E(SQL_MAX_COLUMNS_IN_ORDER_BY, K_U16),
    E(SQL_MAX_COLUMNS_IN_SELECT, K_U16), E(SQL_MAX_COLUMNS_IN_TABLE, K_U16),
    E(SQL_MAX_CONCURRENT_ACTIVITIES, K_U16), E(SQL_MAX_CURSOR_NAME_LEN, K_U16),
    E(SQL_MAX_DRIVER_CONNECTIONS, K_U16), E(SQL_MAX_IDENTIFIER_LEN, K_U16),
    E(SQL_MAX_INDEX_SIZE, K_U32), E(SQL_MAX_PROCEDURE_NAME_LEN, K_U16),
    E(SQL_MAX_ROW_SIZE, K_U32), E(SQL_MAX_ROW_SIZE_INCLUDES_LONG, K_STR),
    E(SQL_MAX_SCHEMA_NAME_LEN, K_U16), E(SQL_MAX_STATEMENT_LEN, K_U32),
    E(SQL_MAX_TABLE_NAME_LEN, K_U16), E(SQL_MAX_TABLES_IN_SELECT, K_U16),
    E(SQL_MAX_USER_NAME_LEN, K_U16), E(SQL_MULT_RESULT_SETS, K_STR),
    E(SQL_MULTIPLE_ACTIVE_TXN, K_STR), E(SQL_NEED_LONG_DATA_LEN, K_STR),
    E(SQL_NON_NULLABLE_COLUMNS, K_U16), E(SQL_NULL_COLLATION, K_U16),
    E(SQL_NUMERIC_FUNCTIONS, K_U32), E(SQL_ODBC_API_CONFORMANCE, K_U16),
    E(SQL_ODBC_INTERFACE_CONFORMANCE, K_U32), E(SQL_ODBC_SAG_CLI_CONFORMANCE, K_U16),
    E(SQL_ODBC_SQL_CONFORMANCE, K_U16), E(SQL_ODBC_VER, K_STR),
    E(SQL_OJ_CAPABILITIES, K_U32), E(SQL_ORDER_BY_COLUMNS_IN_SELECT, K_STR),
    E(SQL_OUTER_JOINS, K_STR), E(SQL_PARAM_ARRAY_ROW_COUNTS, K_U32),
    E(SQL_PARAM_ARRAY_SELECTS, K_U32), E(SQL_POS_OPERATIONS, K_U32),
    E(SQL_POSITIONED_STATEMENTS, K_U32), E(SQL_PROCEDURE_TERM, K_STR),
    E(SQL_PROCEDURES, K_STR), E(SQL_QUOTED_IDENTIFIER_CASE, K_U16),
    E(SQL_RETURN_ESCAPE_CLAUSE, K_U32), E(SQL_ROW_UPDATES, K_STR),
    E(SQL_SCHEMA_TERM, K_STR), E(SQL_SCHEMA_USAGE, K_U32),
    E(SQL_SCROLL_CONCURRENCY, K_U32), E(SQL_SCROLL_OPTIONS, K_U32),
    E(SQL_SEARCH_PATTERN_ESCAPE, K_STR), E(SQL_SERVER_NAME, K_STR),
    E(SQL_SPECIAL_CHARACTERS, K_STR), E(SQL_SQL_CONFORMANCE, K_U32),
    E(SQL_SQL92_DATETIME_FUNCTIONS, K_U32), E(SQL_SQL92_FOREIGN_KEY_DELETE_RULE, K_U32),
    E(SQL_SQL92_FOREIGN_KEY_UPDATE_RULE, K_U32), E(SQL_SQL92_GRANT, K_U32),
    E(SQL_SQL92_NUMERIC_VALUE_FUNCTIONS, K_U32), E(SQL_SQL92_PREDICATES, K_U32),
    E(SQL_SQL92_RELATIONAL_JOIN_OPERATORS, K_U32), E(SQL_SQL92_REVOKE, K_U32),
    E(SQL_SQL92_ROW_VALUE_CONSTRUCTOR, K_U32), E(SQL_SQL92_STRING_FUNCTIONS, K_U32),
    E(SQL_SQL92_VALUE_EXPRESSIONS, K_U32), E(SQL_STANDARD_CLI_CONFORMANCE, K_U32),
    E(SQL_STATIC_CURSOR_ATTRIBUTES1, K_U32), E(SQL_STATIC_CURSOR_ATTRIBUTES2, K_U32),
    E(SQL_STATIC_SENSITIVITY, K_U32), E(SQL_STRING_FUNCTIONS, K_U32),
    E(SQL_SUBQUERIES, K_U32), E(SQL_SYSTEM_FUNCTIONS, K_U32), E(SQL_TABLE_TERM, K_STR),
    E(SQL_TIMEDATE_ADD_INTERVALS, K_U32), E(SQL_TIMEDATE_DIFF_INTERVALS, K_U32),
    E(SQL_TIMEDATE_FUNCTIONS, K_U32), E(SQL_TXN_CAPABLE, K_U16),
    E(SQL_TXN_ISOLATION_OPTION, K_U32), E(SQL_UNION, K_U32), E(SQL_USER_NAME, K_STR),
    E(SQL_XOPEN_CLI_YEAR, K_STR),
};

/* A connection built by hand: enough for info.c, which only reads options. */
typedef struct fixture {
    env e;
    dbc c;
} fixture;

static int setup(void **state)
{
    static fixture f;
    memset(&f, 0, sizeof f);
    f.e.hdr.kind = HK_ENV;
    f.c.hdr.kind = HK_DBC;
    diag_init(&f.e.hdr.diag);
    diag_init(&f.c.hdr.diag);
    f.c.env = &f.e;
    f.c.access_mode = SQL_MODE_READ_WRITE;
    f.c.opt.dsn = "TestDSN";
    f.c.opt.database = "/tmp/test-info.db";
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    diag_free(&f->c.hdr.diag);
    diag_free(&f->e.hdr.diag);
    return 0;
}

static const char *last_state(dbc *c)
{
    return c->hdr.diag.count ? c->hdr.diag.recs[c->hdr.diag.count - 1].state : "";
}

static void every_type_has_its_size(void **state)
{
    fixture *f = *state;
    for (size_t i = 0; i < sizeof all_types / sizeof *all_types; i++) {
        const expected *x = &all_types[i];
        union { char s[4096]; SQLULEN ulen; SQLUINTEGER u32; SQLUSMALLINT u16; } buf;
        memset(&buf, 0x5a, sizeof buf);
        SQLSMALLINT len = -1;
        diag_clear(&f->c.hdr.diag);
        SQLRETURN rc = odbc_GetInfo(&f->c, x->id, &buf, (SQLSMALLINT)sizeof buf.s, &len);
        if (rc != SQL_SUCCESS)
            fail_msg("%s: rc %d state %s", x->name, rc, last_state(&f->c));
        switch (x->kind) {
        case K_STR:
            if (len < 0 || (size_t)len != strlen(buf.s))
                fail_msg("%s: len %d vs strlen %zu", x->name, len, strlen(buf.s));
            assert_int_equal(info_type_is_string(x->id), 1);
            break;
        case K_U16:
            if (len != (SQLSMALLINT)sizeof(SQLUSMALLINT))
                fail_msg("%s: len %d, want 2", x->name, len);
            /* only two bytes written: the third keeps the fill pattern */
            assert_int_equal((unsigned char)buf.s[2], 0x5a);
            assert_int_equal(info_type_is_string(x->id), 0);
            break;
        case K_U32:
            if (len != (SQLSMALLINT)sizeof(SQLUINTEGER))
                fail_msg("%s: len %d, want 4", x->name, len);
            assert_int_equal((unsigned char)buf.s[4], 0x5a);
            assert_int_equal(info_type_is_string(x->id), 0);
            break;
        case K_ULEN:
            if (len != (SQLSMALLINT)sizeof(SQLULEN))
                fail_msg("%s: len %d, want %zu", x->name, len, sizeof(SQLULEN));
            break;
        }
    }
}

static void string_values(void **state)
{
    fixture *f = *state;
    char buf[256];
    SQLSMALLINT len;
    struct { SQLUSMALLINT id; const char *want; } cases[] = {
        { SQL_DRIVER_NAME, "libsqlodbc.so" }, { SQL_DRIVER_ODBC_VER, "03.80" },
        { SQL_DBMS_NAME, "libSQL" }, { SQL_DATA_SOURCE_NAME, "TestDSN" },
        { SQL_DATABASE_NAME, "/tmp/test-info.db" }, { SQL_SERVER_NAME, "/tmp/test-info.db" },
        { SQL_USER_NAME, "" }, { SQL_IDENTIFIER_QUOTE_CHAR, "\"" },
        { SQL_CATALOG_NAME, "N" }, { SQL_CATALOG_TERM, "" }, { SQL_SCHEMA_TERM, "" },
        { SQL_TABLE_TERM, "table" }, { SQL_PROCEDURES, "N" },
        { SQL_SEARCH_PATTERN_ESCAPE, "\\" }, { SQL_OUTER_JOINS, "Y" },
        { SQL_DATA_SOURCE_READ_ONLY, "N" }, { SQL_ORDER_BY_COLUMNS_IN_SELECT, "N" },
        { SQL_LIKE_ESCAPE_CLAUSE, "Y" }, { SQL_MULT_RESULT_SETS, "Y" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_int_equal(odbc_GetInfo(&f->c, cases[i].id, buf, sizeof buf, &len), SQL_SUCCESS);
        assert_string_equal(buf, cases[i].want);
        assert_int_equal(len, (SQLSMALLINT)strlen(cases[i].want));
    }
    /* ##.##.#### from the SQLite library actually linked */
    assert_int_equal(odbc_GetInfo(&f->c, SQL_DBMS_VER, buf, sizeof buf, &len), SQL_SUCCESS);
    char want[32];
    int v = sqlite3_libversion_number();
    snprintf(want, sizeof want, "%02d.%02d.%04d", v / 1000000, (v / 1000) % 1000, v % 1000);
    assert_string_equal(buf, want);
    assert_int_equal(len, 10);

    f->c.opt.read_only = 1;
    assert_int_equal(odbc_GetInfo(&f->c, SQL_DATA_SOURCE_READ_ONLY, buf, sizeof buf, &len),
                     SQL_SUCCESS);
    assert_string_equal(buf, "Y");
    f->c.opt.read_only = 0;

    f->c.opt.sync_url = "https://db.example.com";
    assert_int_equal(odbc_GetInfo(&f->c, SQL_SERVER_NAME, buf, sizeof buf, &len), SQL_SUCCESS);
    assert_string_equal(buf, "https://db.example.com");
    f->c.opt.sync_url = NULL;
}

static void numeric_values(void **state)
{
    fixture *f = *state;
    SQLUSMALLINT u16;
    SQLUINTEGER u32;
    SQLSMALLINT len;
#define U16_IS(id, v) do { assert_int_equal(odbc_GetInfo(&f->c, id, &u16, 0, &len), SQL_SUCCESS); \
        assert_int_equal(u16, v); } while (0)
#define U32_IS(id, v) do { assert_int_equal(odbc_GetInfo(&f->c, id, &u32, 0, &len), SQL_SUCCESS); \
        assert_int_equal(u32, v); } while (0)
    U16_IS(SQL_IDENTIFIER_CASE, SQL_IC_MIXED);
    U16_IS(SQL_QUOTED_IDENTIFIER_CASE, SQL_IC_MIXED);
    U16_IS(SQL_TXN_CAPABLE, SQL_TC_ALL);
    U16_IS(SQL_NULL_COLLATION, SQL_NC_LOW);
    U16_IS(SQL_CONCAT_NULL_BEHAVIOR, SQL_CB_NULL);
    U16_IS(SQL_MAX_COLUMNS_IN_TABLE, 2000);
    U16_IS(SQL_CATALOG_LOCATION, 0);
    U16_IS(SQL_CURSOR_COMMIT_BEHAVIOR, SQL_CB_PRESERVE);
    U16_IS(SQL_CURSOR_ROLLBACK_BEHAVIOR, SQL_CB_CLOSE);
    U16_IS(SQL_MAX_CURSOR_NAME_LEN, 128);
    U32_IS(SQL_PARAM_ARRAY_SELECTS, SQL_PAS_NO_SELECT);
    U32_IS(SQL_CATALOG_USAGE, 0);
    U32_IS(SQL_SCHEMA_USAGE, 0);
    U32_IS(SQL_TXN_ISOLATION_OPTION, SQL_TXN_SERIALIZABLE);
    U32_IS(SQL_DEFAULT_TXN_ISOLATION, SQL_TXN_SERIALIZABLE);
    U32_IS(SQL_ASYNC_MODE, SQL_AM_NONE);
    U32_IS(SQL_SQL_CONFORMANCE, SQL_SC_SQL92_ENTRY);
    U32_IS(SQL_ODBC_INTERFACE_CONFORMANCE, SQL_OIC_CORE);
    U32_IS(SQL_CONVERT_FUNCTIONS, SQL_FN_CVT_CAST | SQL_FN_CVT_CONVERT);
    U32_IS(SQL_SCROLL_OPTIONS, SQL_SO_FORWARD_ONLY | SQL_SO_STATIC);
    U32_IS(SQL_GETDATA_EXTENSIONS, SQL_GD_ANY_COLUMN | SQL_GD_ANY_ORDER | SQL_GD_BOUND |
                                       SQL_GD_BLOCK);
    U32_IS(SQL_PARAM_ARRAY_ROW_COUNTS, SQL_PARC_NO_BATCH);
    U32_IS(SQL_KEYSET_CURSOR_ATTRIBUTES1, 0);
    U32_IS(SQL_DYNAMIC_CURSOR_ATTRIBUTES1, 0);
    U32_IS(SQL_POS_OPERATIONS, SQL_POS_POSITION | SQL_POS_REFRESH);
    assert_int_equal(odbc_GetInfo(&f->c, SQL_OJ_CAPABILITIES, &u32, 0, &len), SQL_SUCCESS);
    assert_true(u32 & SQL_OJ_LEFT);
    assert_true(u32 & SQL_OJ_FULL);
    assert_true(u32 & SQL_OJ_ALL_COMPARISON_OPS);
    assert_int_equal(odbc_GetInfo(&f->c, SQL_ALTER_TABLE, &u32, 0, &len), SQL_SUCCESS);
    assert_true(u32 & SQL_AT_ADD_COLUMN);
    assert_true(u32 & SQL_AT_DROP_COLUMN);
    /* handles are the driver's own pointers */
    SQLULEN h = 0;
    assert_int_equal(odbc_GetInfo(&f->c, SQL_DRIVER_HDBC, &h, 0, &len), SQL_SUCCESS);
    assert_true(h == (SQLULEN)(uintptr_t)&f->c);
    assert_int_equal(odbc_GetInfo(&f->c, SQL_DRIVER_HENV, &h, 0, &len), SQL_SUCCESS);
    assert_true(h == (SQLULEN)(uintptr_t)&f->e);
#undef U16_IS
#undef U32_IS
}

static void keywords_exclude_odbc_reserved(void **state)
{
    fixture *f = *state;
    static char buf[8192];
    SQLSMALLINT len;
    assert_int_equal(odbc_GetInfo(&f->c, SQL_KEYWORDS, buf, sizeof buf, &len), SQL_SUCCESS);
    assert_int_equal(len, (SQLSMALLINT)strlen(buf));
    /* SQLite-only words are there; ODBC reserved words are not. */
    char padded[8200];
    snprintf(padded, sizeof padded, ",%s,", buf);
    assert_non_null(strstr(padded, ",AUTOINCREMENT,"));
    assert_non_null(strstr(padded, ",PRAGMA,"));
    assert_non_null(strstr(padded, ",VACUUM,"));
    assert_null(strstr(padded, ",SELECT,"));
    assert_null(strstr(padded, ",TABLE,"));
    assert_null(strstr(padded, ",CURRENT_DATE,"));
}

static void truncation_posts_01004(void **state)
{
    fixture *f = *state;
    char buf[5];
    SQLSMALLINT len = 0;
    diag_clear(&f->c.hdr.diag);
    SQLRETURN rc = odbc_GetInfo(&f->c, SQL_DRIVER_NAME, buf, sizeof buf, &len);
    assert_int_equal(rc, SQL_SUCCESS_WITH_INFO);
    assert_string_equal(buf, "libs");
    assert_int_equal(len, (SQLSMALLINT)strlen("libsqlodbc.so"));
    assert_string_equal(last_state(&f->c), "01004");

    /* NULL buffer: only the length, no warning */
    diag_clear(&f->c.hdr.diag);
    len = 0;
    assert_int_equal(odbc_GetInfo(&f->c, SQL_DBMS_NAME, NULL, 0, &len), SQL_SUCCESS);
    assert_int_equal(len, 6);
    assert_int_equal(f->c.hdr.diag.count, 0);
}

static void unknown_type_is_hy096(void **state)
{
    fixture *f = *state;
    char buf[64];
    SQLSMALLINT len;
    SQLUSMALLINT bogus[] = { 9999, 3333, 1500, 60000 };
    for (size_t i = 0; i < sizeof bogus / sizeof *bogus; i++) {
        diag_clear(&f->c.hdr.diag);
        assert_int_equal(odbc_GetInfo(&f->c, bogus[i], buf, sizeof buf, &len), SQL_ERROR);
        assert_string_equal(last_state(&f->c), "HY096");
    }
}

/* The exported ANSI functions (api.c), as SQL_API_* ids. */
static const SQLUSMALLINT exported[] = {
    SQL_API_SQLALLOCHANDLE, SQL_API_SQLFREEHANDLE, SQL_API_SQLFREESTMT,
    SQL_API_SQLGETDIAGREC, SQL_API_SQLGETDIAGFIELD, SQL_API_SQLCONNECT,
    SQL_API_SQLDRIVERCONNECT, SQL_API_SQLDISCONNECT, SQL_API_SQLSETENVATTR,
    SQL_API_SQLGETENVATTR, SQL_API_SQLSETCONNECTATTR, SQL_API_SQLGETCONNECTATTR,
    SQL_API_SQLSETSTMTATTR, SQL_API_SQLGETSTMTATTR, SQL_API_SQLSETCURSORNAME,
    SQL_API_SQLGETCURSORNAME, SQL_API_SQLENDTRAN, SQL_API_SQLGETINFO,
    SQL_API_SQLGETFUNCTIONS, SQL_API_SQLPREPARE, SQL_API_SQLEXECUTE,
    SQL_API_SQLEXECDIRECT, SQL_API_SQLNUMPARAMS, SQL_API_SQLDESCRIBEPARAM,
    SQL_API_SQLPARAMDATA, SQL_API_SQLPUTDATA, SQL_API_SQLMORERESULTS,
    SQL_API_SQLROWCOUNT, SQL_API_SQLNATIVESQL, SQL_API_SQLCANCEL,
    SQL_API_SQLCLOSECURSOR, SQL_API_SQLBINDPARAMETER, SQL_API_SQLBINDCOL,
    SQL_API_SQLFETCH, SQL_API_SQLFETCHSCROLL, SQL_API_SQLEXTENDEDFETCH,
    SQL_API_SQLGETDATA, SQL_API_SQLSETPOS, SQL_API_SQLNUMRESULTCOLS,
    SQL_API_SQLDESCRIBECOL, SQL_API_SQLCOLATTRIBUTE, SQL_API_SQLGETDESCFIELD,
    SQL_API_SQLSETDESCFIELD, SQL_API_SQLGETDESCREC, SQL_API_SQLSETDESCREC,
    SQL_API_SQLCOPYDESC, SQL_API_SQLTABLES, SQL_API_SQLCOLUMNS,
    SQL_API_SQLPRIMARYKEYS, SQL_API_SQLFOREIGNKEYS, SQL_API_SQLSTATISTICS,
    SQL_API_SQLSPECIALCOLUMNS, SQL_API_SQLPROCEDURES, SQL_API_SQLPROCEDURECOLUMNS,
    SQL_API_SQLTABLEPRIVILEGES, SQL_API_SQLCOLUMNPRIVILEGES, SQL_API_SQLGETTYPEINFO,
};

/* ODBC 2 names the driver manager maps onto the functions above. */
static const SQLUSMALLINT mapped_odbc2[] = {
    SQL_API_SQLALLOCCONNECT, SQL_API_SQLALLOCENV, SQL_API_SQLALLOCSTMT,
    SQL_API_SQLFREECONNECT, SQL_API_SQLFREEENV, SQL_API_SQLERROR, SQL_API_SQLTRANSACT,
    SQL_API_SQLSETPARAM, SQL_API_SQLCOLATTRIBUTES, SQL_API_SQLGETCONNECTOPTION,
    SQL_API_SQLSETCONNECTOPTION, SQL_API_SQLGETSTMTOPTION, SQL_API_SQLSETSTMTOPTION,
    SQL_API_SQLPARAMOPTIONS,
};

static int listed(SQLUSMALLINT id)
{
    for (size_t i = 0; i < sizeof exported / sizeof *exported; i++)
        if (exported[i] == id)
            return 1;
    for (size_t i = 0; i < sizeof mapped_odbc2 / sizeof *mapped_odbc2; i++)
        if (mapped_odbc2[i] == id)
            return 1;
    return 0;
}

static void get_functions_matches_exports(void **state)
{
    fixture *f = *state;
    SQLUSMALLINT bits[SQL_API_ODBC3_ALL_FUNCTIONS_SIZE];
    assert_int_equal(odbc_GetFunctions(&f->c, SQL_API_ODBC3_ALL_FUNCTIONS, bits), SQL_SUCCESS);
    for (unsigned id = 0; id < SQL_API_ODBC3_ALL_FUNCTIONS_SIZE * 16; id++) {
        int set = SQL_FUNC_EXISTS(bits, id) == SQL_TRUE;
        if (set != listed((SQLUSMALLINT)id))
            fail_msg("function id %u: bitmap says %d, export list says %d", id, set,
                     listed((SQLUSMALLINT)id));
    }
    SQLUSMALLINT arr[100];
    assert_int_equal(odbc_GetFunctions(&f->c, SQL_API_ALL_FUNCTIONS, arr), SQL_SUCCESS);
    for (unsigned id = 0; id < 100; id++)
        assert_int_equal(arr[id], listed((SQLUSMALLINT)id) ? SQL_TRUE : SQL_FALSE);
    SQLUSMALLINT one = 77;
    assert_int_equal(odbc_GetFunctions(&f->c, SQL_API_SQLFETCHSCROLL, &one), SQL_SUCCESS);
    assert_int_equal(one, SQL_TRUE);
    assert_int_equal(odbc_GetFunctions(&f->c, SQL_API_SQLBULKOPERATIONS, &one), SQL_SUCCESS);
    assert_int_equal(one, SQL_FALSE);
    assert_int_equal(odbc_GetFunctions(&f->c, SQL_API_SQLBROWSECONNECT, &one), SQL_SUCCESS);
    assert_int_equal(one, SQL_FALSE);
}

/* ---- SQLGetInfoW through a real (unconnected) connection handle -------- */

static SQLHANDLE wide_env, wide_dbc;

static int setup_wide(void **state)
{
    (void)state;
    if (odbc_AllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &wide_env) != SQL_SUCCESS)
        return -1;
    ((env *)wide_env)->odbc_version = SQL_OV_ODBC3;
    if (odbc_AllocHandle(SQL_HANDLE_DBC, wide_env, &wide_dbc) != SQL_SUCCESS)
        return -1;
    return 0;
}

static int teardown_wide(void **state)
{
    (void)state;
    odbc_FreeHandle(SQL_HANDLE_DBC, wide_dbc);
    odbc_FreeHandle(SQL_HANDLE_ENV, wide_env);
    return 0;
}

static void get_info_w_lengths_in_bytes(void **state)
{
    (void)state;
    SQLWCHAR w[64];
    SQLSMALLINT len = 0;
    assert_int_equal(SQLGetInfoW(wide_dbc, SQL_DBMS_NAME, w, sizeof w, &len), SQL_SUCCESS);
    assert_int_equal(len, 6 * (SQLSMALLINT)sizeof(SQLWCHAR));
    char *u8 = utf16_to_utf8(w, SQL_NTS, NULL);
    assert_string_equal(u8, "libSQL");
    free(u8);

    /* room for 3 characters + NUL: "lib", 01004, full length in bytes */
    memset(w, 0x7f, sizeof w);
    len = 0;
    assert_int_equal(SQLGetInfoW(wide_dbc, SQL_DRIVER_NAME, w, 4 * sizeof(SQLWCHAR), &len),
                     SQL_SUCCESS_WITH_INFO);
    assert_int_equal(len, 13 * (SQLSMALLINT)sizeof(SQLWCHAR));
    assert_int_equal(w[0], 'l');
    assert_int_equal(w[2], 'b');
    assert_int_equal(w[3], 0);
    assert_int_equal(w[4], 0x7f7f);   /* nothing written past the buffer */
    dbc *c = wide_dbc;
    assert_int_equal(c->hdr.diag.count, 1);
    assert_string_equal(c->hdr.diag.recs[0].state, "01004");

    /* numeric answers pass through unchanged */
    SQLUSMALLINT u16 = 0;
    assert_int_equal(SQLGetInfoW(wide_dbc, SQL_TXN_CAPABLE, &u16, 0, &len), SQL_SUCCESS);
    assert_int_equal(u16, SQL_TC_ALL);
    assert_int_equal(len, 2);

    /* a long string (the keyword list) is fetched whole even though the
     * first internal attempt is too small; the probe's 01004 is dropped */
    static SQLWCHAR big[8192];
    len = 0;
    assert_int_equal(SQLGetInfoW(wide_dbc, SQL_KEYWORDS, big, sizeof big, &len), SQL_SUCCESS);
    assert_int_equal(c->hdr.diag.count, 0);
    char *kw = utf16_to_utf8(big, SQL_NTS, NULL);
    assert_non_null(kw);
    assert_int_equal(len, (SQLSMALLINT)(strlen(kw) * sizeof(SQLWCHAR)));
    assert_true(strlen(kw) > 256);
    free(kw);

    assert_int_equal(SQLGetInfoW(wide_dbc, 9999, big, sizeof big, &len), SQL_ERROR);
    assert_string_equal(c->hdr.diag.recs[0].state, "HY096");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_type_has_its_size, setup, teardown),
        cmocka_unit_test_setup_teardown(string_values, setup, teardown),
        cmocka_unit_test_setup_teardown(numeric_values, setup, teardown),
        cmocka_unit_test_setup_teardown(keywords_exclude_odbc_reserved, setup, teardown),
        cmocka_unit_test_setup_teardown(truncation_posts_01004, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_type_is_hy096, setup, teardown),
        cmocka_unit_test_setup_teardown(get_functions_matches_exports, setup, teardown),
        cmocka_unit_test_setup_teardown(get_info_w_lengths_in_bytes, setup_wide, teardown_wide),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
