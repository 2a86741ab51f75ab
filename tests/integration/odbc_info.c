/*
 * odbc_info.c — SQLGetInfo and SQLGetFunctions through unixODBC, the way BI
 * tools (Power BI, Tableau, Excel) ask them right after connecting. Values
 * are asserted, not just fetched: a tool builds its SQL from these answers.
 *
 * Run through tests/integration/run.sh (driver registered as "libSQL",
 * scratch dir in LSQ_TEST_TMP). Prints "N passed, M failed".
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sql.h>
#include <sqlext.h>

static int passed, failed;

#define CHECK(cond, ...)                                            \
    do {                                                            \
        if (cond) {                                                 \
            passed++;                                               \
        } else {                                                    \
            failed++;                                               \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);             \
            printf(__VA_ARGS__);                                    \
            printf("\n");                                           \
        }                                                           \
    } while (0)

/* First diagnostic's SQLSTATE of a handle ("" when none). */
static const char *state_of(SQLSMALLINT type, SQLHANDLE h)
{
    static char st[6];
    SQLINTEGER native;
    SQLCHAR msg[512];
    SQLSMALLINT len;
    st[0] = '\0';
    if (!SQL_SUCCEEDED(SQLGetDiagRec(type, h, 1, (SQLCHAR *)st, &native, msg, sizeof msg, &len)))
        st[0] = '\0';
    return st;
}

static void print_diag(SQLSMALLINT type, SQLHANDLE h)
{
    SQLCHAR st[6], msg[512];
    SQLINTEGER native;
    SQLSMALLINT len;
    for (SQLSMALLINT i = 1;
         SQL_SUCCEEDED(SQLGetDiagRec(type, h, i, st, &native, msg, sizeof msg, &len)); i++)
        printf("  diag %d: %s %s\n", i, st, msg);
}

static SQLHDBC connect_with(SQLHENV env, const char *connstr)
{
    SQLHDBC dbc = SQL_NULL_HDBC;
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc)))
        return SQL_NULL_HDBC;
    SQLCHAR out[1024];
    SQLSMALLINT outlen;
    SQLRETURN rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)connstr, SQL_NTS, out, sizeof out,
                                    &outlen, SQL_DRIVER_NOPROMPT);
    if (!SQL_SUCCEEDED(rc)) {
        printf("connect failed (%d) for %s\n", rc, connstr);
        print_diag(SQL_HANDLE_DBC, dbc);
        SQLFreeHandle(SQL_HANDLE_DBC, dbc);
        return SQL_NULL_HDBC;
    }
    return dbc;
}

static void check_str(SQLHDBC dbc, SQLUSMALLINT type, const char *name, const char *want)
{
    char buf[1024];
    SQLSMALLINT len = -1;
    SQLRETURN rc = SQLGetInfo(dbc, type, buf, sizeof buf, &len);
    CHECK(rc == SQL_SUCCESS, "%s: rc %d (%s)", name, rc, state_of(SQL_HANDLE_DBC, dbc));
    if (rc == SQL_SUCCESS) {
        CHECK(strcmp(buf, want) == 0, "%s: got '%s', want '%s'", name, buf, want);
        CHECK(len == (SQLSMALLINT)strlen(want), "%s: len %d, want %zu", name, len,
              strlen(want));
    }
}

static SQLUINTEGER get_u32(SQLHDBC dbc, SQLUSMALLINT type, const char *name)
{
    SQLUINTEGER v = 0xdeadbeef;
    SQLSMALLINT len = -1;
    SQLRETURN rc = SQLGetInfo(dbc, type, &v, sizeof v, &len);
    CHECK(rc == SQL_SUCCESS, "%s: rc %d (%s)", name, rc, state_of(SQL_HANDLE_DBC, dbc));
    return v;
}

static SQLUSMALLINT get_u16(SQLHDBC dbc, SQLUSMALLINT type, const char *name)
{
    SQLUSMALLINT v = 0xbeef;
    SQLSMALLINT len = -1;
    SQLRETURN rc = SQLGetInfo(dbc, type, &v, sizeof v, &len);
    CHECK(rc == SQL_SUCCESS, "%s: rc %d (%s)", name, rc, state_of(SQL_HANDLE_DBC, dbc));
    return v;
}

#define STR_IS(dbc, type, want) check_str(dbc, type, #type, want)
#define U32_IS(dbc, type, want)                                                   \
    do {                                                                          \
        SQLUINTEGER v_ = get_u32(dbc, type, #type);                               \
        CHECK(v_ == (SQLUINTEGER)(want), "%s: got 0x%lx, want 0x%lx", #type,      \
              (unsigned long)v_, (unsigned long)(want));                          \
    } while (0)
#define U32_HAS(dbc, type, bits)                                                  \
    do {                                                                          \
        SQLUINTEGER v_ = get_u32(dbc, type, #type);                               \
        CHECK((v_ & (SQLUINTEGER)(bits)) == (SQLUINTEGER)(bits),                  \
              "%s: 0x%lx lacks 0x%lx", #type, (unsigned long)v_, (unsigned long)(bits)); \
    } while (0)
#define U16_IS(dbc, type, want)                                                   \
    do {                                                                          \
        SQLUSMALLINT v_ = get_u16(dbc, type, #type);                              \
        CHECK(v_ == (SQLUSMALLINT)(want), "%s: got %u, want %u", #type,           \
              (unsigned)v_, (unsigned)(want));                                    \
    } while (0)

static void bi_tool_questions(SQLHDBC dbc, const char *dbpath)
{
    STR_IS(dbc, SQL_DRIVER_NAME, "libsqlodbc.so");
    STR_IS(dbc, SQL_DRIVER_ODBC_VER, "03.80");
    STR_IS(dbc, SQL_DBMS_NAME, "libSQL");
    STR_IS(dbc, SQL_DATA_SOURCE_NAME, "InfoDSN");
    STR_IS(dbc, SQL_DATABASE_NAME, dbpath);
    STR_IS(dbc, SQL_USER_NAME, "");
    STR_IS(dbc, SQL_IDENTIFIER_QUOTE_CHAR, "\"");
    STR_IS(dbc, SQL_CATALOG_NAME, "N");
    STR_IS(dbc, SQL_CATALOG_TERM, "");
    STR_IS(dbc, SQL_CATALOG_NAME_SEPARATOR, "");
    STR_IS(dbc, SQL_SCHEMA_TERM, "");
    STR_IS(dbc, SQL_TABLE_TERM, "table");
    STR_IS(dbc, SQL_PROCEDURES, "N");
    STR_IS(dbc, SQL_ACCESSIBLE_TABLES, "Y");
    STR_IS(dbc, SQL_SEARCH_PATTERN_ESCAPE, "\\");
    STR_IS(dbc, SQL_OUTER_JOINS, "Y");
    STR_IS(dbc, SQL_ORDER_BY_COLUMNS_IN_SELECT, "N");
    STR_IS(dbc, SQL_EXPRESSIONS_IN_ORDERBY, "Y");
    STR_IS(dbc, SQL_LIKE_ESCAPE_CLAUSE, "Y");
    STR_IS(dbc, SQL_COLUMN_ALIAS, "Y");
    STR_IS(dbc, SQL_MULT_RESULT_SETS, "Y");
    STR_IS(dbc, SQL_MULTIPLE_ACTIVE_TXN, "Y");
    STR_IS(dbc, SQL_DESCRIBE_PARAMETER, "Y");
    STR_IS(dbc, SQL_NEED_LONG_DATA_LEN, "N");
    STR_IS(dbc, SQL_DATA_SOURCE_READ_ONLY, "N");

    /* DBMS_VER is ##.##.#### */
    char ver[64];
    SQLSMALLINT len;
    CHECK(SQL_SUCCEEDED(SQLGetInfo(dbc, SQL_DBMS_VER, ver, sizeof ver, &len)), "DBMS_VER");
    CHECK(len == 10 && ver[2] == '.' && ver[5] == '.' && strncmp(ver, "03.", 3) == 0,
          "DBMS_VER format: '%s'", ver);

    U16_IS(dbc, SQL_IDENTIFIER_CASE, SQL_IC_MIXED);
    U16_IS(dbc, SQL_QUOTED_IDENTIFIER_CASE, SQL_IC_MIXED);
    U16_IS(dbc, SQL_TXN_CAPABLE, SQL_TC_ALL);
    U16_IS(dbc, SQL_NULL_COLLATION, SQL_NC_LOW);
    U16_IS(dbc, SQL_CONCAT_NULL_BEHAVIOR, SQL_CB_NULL);
    U16_IS(dbc, SQL_CATALOG_LOCATION, 0);
    U16_IS(dbc, SQL_CURSOR_COMMIT_BEHAVIOR, SQL_CB_PRESERVE);
    U16_IS(dbc, SQL_CURSOR_ROLLBACK_BEHAVIOR, SQL_CB_CLOSE);
    U16_IS(dbc, SQL_MAX_COLUMNS_IN_TABLE, 2000);
    U16_IS(dbc, SQL_MAX_CONCURRENT_ACTIVITIES, 0);
    U16_IS(dbc, SQL_CORRELATION_NAME, SQL_CN_ANY);
    U16_IS(dbc, SQL_NON_NULLABLE_COLUMNS, SQL_NNC_NON_NULL);
    U32_IS(dbc, SQL_CATALOG_USAGE, 0);
    U32_IS(dbc, SQL_SCHEMA_USAGE, 0);
    U32_IS(dbc, SQL_TXN_ISOLATION_OPTION, SQL_TXN_SERIALIZABLE);
    U32_IS(dbc, SQL_DEFAULT_TXN_ISOLATION, SQL_TXN_SERIALIZABLE);
    U32_IS(dbc, SQL_ASYNC_MODE, SQL_AM_NONE);
    U32_IS(dbc, SQL_MAX_ASYNC_CONCURRENT_STATEMENTS, 0);
    U32_IS(dbc, SQL_SQL_CONFORMANCE, SQL_SC_SQL92_ENTRY);
    U32_IS(dbc, SQL_ODBC_INTERFACE_CONFORMANCE, SQL_OIC_CORE);
    U32_IS(dbc, SQL_CONVERT_FUNCTIONS, SQL_FN_CVT_CAST | SQL_FN_CVT_CONVERT);
    U32_IS(dbc, SQL_GETDATA_EXTENSIONS,
           SQL_GD_ANY_COLUMN | SQL_GD_ANY_ORDER | SQL_GD_BOUND | SQL_GD_BLOCK);
    U32_IS(dbc, SQL_SCROLL_OPTIONS, SQL_SO_FORWARD_ONLY | SQL_SO_STATIC);
    U32_IS(dbc, SQL_KEYSET_CURSOR_ATTRIBUTES1, 0);
    U32_IS(dbc, SQL_DYNAMIC_CURSOR_ATTRIBUTES1, 0);
    U32_HAS(dbc, SQL_STATIC_CURSOR_ATTRIBUTES1, SQL_CA1_NEXT | SQL_CA1_ABSOLUTE);
    U32_HAS(dbc, SQL_FORWARD_ONLY_CURSOR_ATTRIBUTES1, SQL_CA1_NEXT);
    U32_IS(dbc, SQL_PARAM_ARRAY_ROW_COUNTS, SQL_PARC_NO_BATCH);
    U32_HAS(dbc, SQL_OJ_CAPABILITIES, SQL_OJ_LEFT | SQL_OJ_RIGHT | SQL_OJ_FULL | SQL_OJ_NESTED |
                                          SQL_OJ_NOT_ORDERED | SQL_OJ_ALL_COMPARISON_OPS);
    U32_HAS(dbc, SQL_AGGREGATE_FUNCTIONS, SQL_AF_ALL | SQL_AF_AVG | SQL_AF_COUNT |
                                              SQL_AF_DISTINCT | SQL_AF_MAX | SQL_AF_MIN |
                                              SQL_AF_SUM);
    U32_HAS(dbc, SQL_ALTER_TABLE, SQL_AT_ADD_COLUMN | SQL_AT_DROP_COLUMN);
    U32_HAS(dbc, SQL_STRING_FUNCTIONS, SQL_FN_STR_CONCAT | SQL_FN_STR_LCASE | SQL_FN_STR_UCASE |
                                           SQL_FN_STR_SUBSTRING | SQL_FN_STR_LENGTH);
    U32_HAS(dbc, SQL_NUMERIC_FUNCTIONS, SQL_FN_NUM_ABS | SQL_FN_NUM_ROUND | SQL_FN_NUM_FLOOR);
    U32_HAS(dbc, SQL_TIMEDATE_FUNCTIONS, SQL_FN_TD_NOW | SQL_FN_TD_YEAR | SQL_FN_TD_MONTH);
    U32_HAS(dbc, SQL_SYSTEM_FUNCTIONS, SQL_FN_SYS_IFNULL);
    U32_HAS(dbc, SQL_SQL92_RELATIONAL_JOIN_OPERATORS,
            SQL_SRJO_INNER_JOIN | SQL_SRJO_LEFT_OUTER_JOIN | SQL_SRJO_CROSS_JOIN);
    U32_HAS(dbc, SQL_SQL92_PREDICATES, SQL_SP_BETWEEN | SQL_SP_IN | SQL_SP_LIKE | SQL_SP_ISNULL);
    U32_HAS(dbc, SQL_SQL92_VALUE_EXPRESSIONS, SQL_SVE_CASE | SQL_SVE_CAST | SQL_SVE_COALESCE);
    U32_HAS(dbc, SQL_CONVERT_VARCHAR, SQL_CVT_INTEGER | SQL_CVT_DOUBLE | SQL_CVT_VARCHAR);
    U32_IS(dbc, SQL_ASYNC_DBC_FUNCTIONS, SQL_ASYNC_DBC_NOT_CAPABLE);
    U32_IS(dbc, SQL_DRIVER_AWARE_POOLING_SUPPORTED, SQL_DRIVER_AWARE_POOLING_NOT_CAPABLE);
    U32_IS(dbc, SQL_ASYNC_NOTIFICATION, SQL_ASYNC_NOTIFICATION_NOT_CAPABLE);

    /* SQLite-only keywords, without ODBC's reserved ones */
    static char kw[8192];
    CHECK(SQLGetInfo(dbc, SQL_KEYWORDS, kw, sizeof kw, &len) == SQL_SUCCESS, "KEYWORDS");
    CHECK(strstr(kw, "PRAGMA") != NULL && strstr(kw, "VACUUM") != NULL,
          "KEYWORDS lacks SQLite words: %.80s", kw);
    CHECK(strstr(kw, "SELECT,") == NULL, "KEYWORDS lists an ODBC reserved word");
}

static void truncation_and_errors(SQLHDBC dbc)
{
    char buf[5];
    SQLSMALLINT len = 0;
    SQLRETURN rc = SQLGetInfo(dbc, SQL_DRIVER_NAME, buf, sizeof buf, &len);
    CHECK(rc == SQL_SUCCESS_WITH_INFO, "truncated DRIVER_NAME rc %d", rc);
    CHECK(strcmp(buf, "libs") == 0, "truncated value '%s'", buf);
    CHECK(len == 13, "truncated length %d, want 13", len);
    CHECK(strcmp(state_of(SQL_HANDLE_DBC, dbc), "01004") == 0, "state %s, want 01004",
          state_of(SQL_HANDLE_DBC, dbc));

    char big[64];
    rc = SQLGetInfo(dbc, 4321, big, sizeof big, &len);
    CHECK(rc == SQL_ERROR, "unknown info type rc %d", rc);
    CHECK(strcmp(state_of(SQL_HANDLE_DBC, dbc), "HY096") == 0, "state %s, want HY096",
          state_of(SQL_HANDLE_DBC, dbc));
}

static void functions(SQLHDBC dbc)
{
    SQLUSMALLINT bits[SQL_API_ODBC3_ALL_FUNCTIONS_SIZE];
    SQLRETURN rc = SQLGetFunctions(dbc, SQL_API_ODBC3_ALL_FUNCTIONS, bits);
    CHECK(rc == SQL_SUCCESS, "GetFunctions(ALL) rc %d", rc);
    static const SQLUSMALLINT want[] = {
        SQL_API_SQLFETCHSCROLL, SQL_API_SQLGETDATA, SQL_API_SQLTABLES, SQL_API_SQLCOLUMNS,
        SQL_API_SQLPRIMARYKEYS, SQL_API_SQLFOREIGNKEYS, SQL_API_SQLSTATISTICS,
        SQL_API_SQLGETTYPEINFO, SQL_API_SQLDESCRIBEPARAM, SQL_API_SQLMORERESULTS,
        SQL_API_SQLBINDPARAMETER, SQL_API_SQLGETINFO, SQL_API_SQLSETPOS,
        SQL_API_SQLEXTENDEDFETCH, SQL_API_SQLCOLATTRIBUTE, SQL_API_SQLNATIVESQL,
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        CHECK(SQL_FUNC_EXISTS(bits, want[i]) == SQL_TRUE, "function %u not reported",
              (unsigned)want[i]);
    CHECK(SQL_FUNC_EXISTS(bits, SQL_API_SQLBROWSECONNECT) == SQL_FALSE,
          "SQLBrowseConnect reported but not exported");
    CHECK(SQL_FUNC_EXISTS(bits, SQL_API_SQLBULKOPERATIONS) == SQL_FALSE,
          "SQLBulkOperations reported but not exported");
    SQLUSMALLINT one = 0;
    CHECK(SQLGetFunctions(dbc, SQL_API_SQLPREPARE, &one) == SQL_SUCCESS && one == SQL_TRUE,
          "SQLPrepare not reported");
}

/* Every ODBC 3 function with its id: SQLGetFunctions must report exactly
 * those the driver library really exports (checked with dlsym). */
static const struct { SQLUSMALLINT id; const char *name; } odbc3_functions[] = {
    { SQL_API_SQLALLOCHANDLE, "SQLAllocHandle" }, { SQL_API_SQLBINDCOL, "SQLBindCol" },
    { SQL_API_SQLBINDPARAMETER, "SQLBindParameter" },
    { SQL_API_SQLBROWSECONNECT, "SQLBrowseConnect" },
    { SQL_API_SQLBULKOPERATIONS, "SQLBulkOperations" }, { SQL_API_SQLCANCEL, "SQLCancel" },
    { SQL_API_SQLCLOSECURSOR, "SQLCloseCursor" },
    { SQL_API_SQLCOLATTRIBUTE, "SQLColAttribute" },
    { SQL_API_SQLCOLUMNPRIVILEGES, "SQLColumnPrivileges" },
    { SQL_API_SQLCOLUMNS, "SQLColumns" }, { SQL_API_SQLCONNECT, "SQLConnect" },
    { SQL_API_SQLCOPYDESC, "SQLCopyDesc" }, { SQL_API_SQLDESCRIBECOL, "SQLDescribeCol" },
    { SQL_API_SQLDESCRIBEPARAM, "SQLDescribeParam" },
    { SQL_API_SQLDISCONNECT, "SQLDisconnect" },
    { SQL_API_SQLDRIVERCONNECT, "SQLDriverConnect" }, { SQL_API_SQLENDTRAN, "SQLEndTran" },
    { SQL_API_SQLEXECDIRECT, "SQLExecDirect" }, { SQL_API_SQLEXECUTE, "SQLExecute" },
    { SQL_API_SQLEXTENDEDFETCH, "SQLExtendedFetch" }, { SQL_API_SQLFETCH, "SQLFetch" },
    { SQL_API_SQLFETCHSCROLL, "SQLFetchScroll" },
    { SQL_API_SQLFOREIGNKEYS, "SQLForeignKeys" }, { SQL_API_SQLFREEHANDLE, "SQLFreeHandle" },
    { SQL_API_SQLFREESTMT, "SQLFreeStmt" },
    { SQL_API_SQLGETCONNECTATTR, "SQLGetConnectAttr" },
    { SQL_API_SQLGETCURSORNAME, "SQLGetCursorName" }, { SQL_API_SQLGETDATA, "SQLGetData" },
    { SQL_API_SQLGETDESCFIELD, "SQLGetDescField" },
    { SQL_API_SQLGETDESCREC, "SQLGetDescRec" },
    { SQL_API_SQLGETDIAGFIELD, "SQLGetDiagField" },
    { SQL_API_SQLGETDIAGREC, "SQLGetDiagRec" }, { SQL_API_SQLGETENVATTR, "SQLGetEnvAttr" },
    { SQL_API_SQLGETFUNCTIONS, "SQLGetFunctions" }, { SQL_API_SQLGETINFO, "SQLGetInfo" },
    { SQL_API_SQLGETSTMTATTR, "SQLGetStmtAttr" },
    { SQL_API_SQLGETTYPEINFO, "SQLGetTypeInfo" },
    { SQL_API_SQLMORERESULTS, "SQLMoreResults" }, { SQL_API_SQLNATIVESQL, "SQLNativeSql" },
    { SQL_API_SQLNUMPARAMS, "SQLNumParams" },
    { SQL_API_SQLNUMRESULTCOLS, "SQLNumResultCols" },
    { SQL_API_SQLPARAMDATA, "SQLParamData" }, { SQL_API_SQLPREPARE, "SQLPrepare" },
    { SQL_API_SQLPRIMARYKEYS, "SQLPrimaryKeys" },
    { SQL_API_SQLPROCEDURECOLUMNS, "SQLProcedureColumns" },
    { SQL_API_SQLPROCEDURES, "SQLProcedures" }, { SQL_API_SQLPUTDATA, "SQLPutData" },
    { SQL_API_SQLROWCOUNT, "SQLRowCount" },
    { SQL_API_SQLSETCONNECTATTR, "SQLSetConnectAttr" },
    { SQL_API_SQLSETCURSORNAME, "SQLSetCursorName" },
    { SQL_API_SQLSETDESCFIELD, "SQLSetDescField" },
    { SQL_API_SQLSETDESCREC, "SQLSetDescRec" }, { SQL_API_SQLSETENVATTR, "SQLSetEnvAttr" },
    { SQL_API_SQLSETPOS, "SQLSetPos" }, { SQL_API_SQLSETSTMTATTR, "SQLSetStmtAttr" },
    { SQL_API_SQLSPECIALCOLUMNS, "SQLSpecialColumns" },
    { SQL_API_SQLSTATISTICS, "SQLStatistics" },
    { SQL_API_SQLTABLEPRIVILEGES, "SQLTablePrivileges" }, { SQL_API_SQLTABLES, "SQLTables" },
};

static void functions_match_exports(SQLHDBC dbc)
{
    const char *path = getenv("LSQ_DRIVER");
    void *lib = path ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
    CHECK(lib != NULL, "dlopen(%s): %s", path ? path : "(LSQ_DRIVER unset)",
          path ? dlerror() : "");
    if (!lib)
        return;
    SQLUSMALLINT bits[SQL_API_ODBC3_ALL_FUNCTIONS_SIZE];
    SQLRETURN rc = SQLGetFunctions(dbc, SQL_API_ODBC3_ALL_FUNCTIONS, bits);
    CHECK(rc == SQL_SUCCESS, "GetFunctions(ALL) rc %d", rc);
    for (size_t i = 0; i < sizeof odbc3_functions / sizeof *odbc3_functions; i++) {
        int exported = dlsym(lib, odbc3_functions[i].name) != NULL;
        int reported = SQL_FUNC_EXISTS(bits, odbc3_functions[i].id) == SQL_TRUE;
        CHECK(exported == reported, "%s: exported %d, SQLGetFunctions says %d",
              odbc3_functions[i].name, exported, reported);
    }
    dlclose(lib);
}

int main(void)
{
    const char *tmp = getenv("LSQ_TEST_TMP");
    const char *odbcini = getenv("ODBCINI");
    if (!tmp || !odbcini) {
        printf("FAIL: LSQ_TEST_TMP/ODBCINI not set: run through tests/integration/run.sh\n");
        printf("0 passed, 1 failed\n");
        return 1;
    }
    char dbpath[1024], connstr[2048];
    snprintf(dbpath, sizeof dbpath, "%s/info.db", tmp);

    /* A DSN in the private odbc.ini, so DATA_SOURCE_NAME has a value. */
    FILE *f = fopen(odbcini, "a");
    if (!f) {
        printf("FAIL: cannot write %s\n0 passed, 1 failed\n", odbcini);
        return 1;
    }
    fprintf(f, "[InfoDSN]\nDriver=libSQL\nDatabase=%s\nCreate=1\n\n", dbpath);
    fprintf(f, "[InfoRO]\nDriver=libSQL\nDatabase=%s\nReadOnly=1\n\n", dbpath);
    fclose(f);

    SQLHENV env;
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
    SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);

    SQLHDBC dbc = connect_with(env, "DSN=InfoDSN");
    CHECK(dbc != SQL_NULL_HDBC, "connect to InfoDSN");
    if (dbc) {
        bi_tool_questions(dbc, dbpath);
        truncation_and_errors(dbc);
        functions(dbc);
        functions_match_exports(dbc);
        SQLDisconnect(dbc);
        SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    }

    snprintf(connstr, sizeof connstr, "DSN=InfoRO");
    SQLHDBC ro = connect_with(env, connstr);
    CHECK(ro != SQL_NULL_HDBC, "connect to InfoRO");
    if (ro) {
        STR_IS(ro, SQL_DATA_SOURCE_READ_ONLY, "Y");
        STR_IS(ro, SQL_DATA_SOURCE_NAME, "InfoRO");
        SQLDisconnect(ro);
        SQLFreeHandle(SQL_HANDLE_DBC, ro);
    }
    SQLFreeHandle(SQL_HANDLE_ENV, env);

    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
