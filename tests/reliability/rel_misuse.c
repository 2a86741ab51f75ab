/*
 * rel_misuse.c — ODBC misuse against the driver itself (issue 7): every
 * exported entry point (driver/exports.map: 87 functions, ANSI and W) is
 * called straight into the driver's static library, with no driver manager
 * in between, so the driver's own checks are what is tested:
 *
 *   1. handles: SQL_NULL_HANDLE, a live handle of the wrong type (an HDBC
 *      where an HSTMT belongs ...) and freed handles of every type, for
 *      every function -> SQL_INVALID_HANDLE, nothing dereferenced (ASan);
 *   2. arguments: invalid lengths (HY090), null pointers (HY009), invalid
 *      attribute / option / field identifiers (HY092, HY091, HY096, HY095,
 *      HY106 ...), invalid values (HY024, HY003, HY004, HY105, HY012, HY110),
 *      invalid descriptor and column numbers (07009), read-only descriptor
 *      fields (HY016), automatically allocated descriptors (HY017);
 *   3. sequences: fetch / execute / describe / get data / row count / param
 *      data / put data before their time (HY010, 24000, 07005), anything
 *      while data-at-execution is pending (HY010), freeing an environment
 *      with live connections and a connected connection (HY010),
 *      connecting twice (08002), disconnecting a closed connection (08003),
 *      unbound parameters (07002);
 *   4. a smaller set through unixODBC (dlopen'ed libodbc.so.2, with the
 *      built driver registered as "libSQL" by run.sh), since applications go
 *      through the driver manager.
 *
 * Each call's return code AND SQLSTATE (SQLGetDiagRec record 1) are compared
 * with the ODBC reference (the "Diagnostics" table of each function; DM-only
 * states are expected from the driver where no driver manager stands in
 * front of it). Every mismatch is printed; the figures (calls made,
 * mismatches) go to $LSQ_REPORT_DIR/rel_misuse.txt and the program exits
 * non-zero on any mismatch. LeakSanitizer is turned back on for this
 * program (run.sh turns it off for host programs): see reexec_with_lsan.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sql.h>
#include <sqlext.h>

static long calls, mismatches;
static const char *section = "";

/* ---------- checking ----------------------------------------------------- */

static void state_of(SQLSMALLINT type, SQLHANDLE h, char state[6])
{
    SQLINTEGER native;
    SQLCHAR msg[512];
    SQLSMALLINT len;
    state[0] = 0;
    if (SQLGetDiagRec(type, h, 1, (SQLCHAR *)state, &native, msg, sizeof msg, &len) !=
        SQL_SUCCESS)
        state[0] = 0;
}

static const char *rc_name(SQLRETURN rc)
{
    switch (rc) {
    case SQL_SUCCESS: return "SQL_SUCCESS";
    case SQL_SUCCESS_WITH_INFO: return "SQL_SUCCESS_WITH_INFO";
    case SQL_ERROR: return "SQL_ERROR";
    case SQL_INVALID_HANDLE: return "SQL_INVALID_HANDLE";
    case SQL_NO_DATA: return "SQL_NO_DATA";
    case SQL_NEED_DATA: return "SQL_NEED_DATA";
    case SQL_STILL_EXECUTING: return "SQL_STILL_EXECUTING";
    default: return "?";
    }
}

/* Compare one call's outcome. want_state NULL: do not look at diagnostics
 * (SQL_INVALID_HANDLE posts none; SQL_SUCCESS needs none). */
static void check(const char *what, int line, SQLRETURN rc, SQLRETURN want_rc, SQLSMALLINT htype,
                  SQLHANDLE h, const char *want_state)
{
    calls++;
    char state[6] = "";
    if (want_state && h)
        state_of(htype, h, state);
    if (rc != want_rc || (want_state && strcmp(state, want_state) != 0)) {
        mismatches++;
        printf("MISMATCH [%s] line %d: %s -> %s %s, want %s %s\n", section, line, what,
               rc_name(rc), state, rc_name(want_rc), want_state ? want_state : "");
    }
}

#define EXPECT(call, want_rc, htype, h, state) \
    check(#call, __LINE__, (call), (want_rc), (htype), (h), (state))
#define EXPECT_OK(call, htype, h) \
    check(#call, __LINE__, (call), SQL_SUCCESS, (htype), (h), NULL)
#define EXPECT_INV(call) check(#call, __LINE__, (call), SQL_INVALID_HANDLE, 0, NULL, NULL)
#define ERR_S(call, h, st) EXPECT(call, SQL_ERROR, SQL_HANDLE_STMT, h, st)
#define ERR_C(call, h, st) EXPECT(call, SQL_ERROR, SQL_HANDLE_DBC, h, st)
#define ERR_E(call, h, st) EXPECT(call, SQL_ERROR, SQL_HANDLE_ENV, h, st)
#define ERR_D(call, h, st) EXPECT(call, SQL_ERROR, SQL_HANDLE_DESC, h, st)

/* Something the test needs failed: no point going on. */
static void must(SQLRETURN rc, const char *what)
{
    if (!SQL_SUCCEEDED(rc)) {
        printf("FAIL: setup step failed: %s (rc %d)\n", what, (int)rc);
        exit(1);
    }
}

/* ---------- wide strings ------------------------------------------------- */

static SQLWCHAR *W(const char *s)
{
    static SQLWCHAR bufs[8][512];
    static int next;
    SQLWCHAR *w = bufs[next++ % 8];
    size_t i = 0;
    for (; s[i] && i < 511; i++)
        w[i] = (SQLWCHAR)(unsigned char)s[i];
    w[i] = 0;
    return w;
}

/* ---------- part 1: every function with bad handles ---------------------- */

typedef enum { K_ENV, K_DBC, K_STMT, K_DESC } kind;

static SQLCHAR cbuf[512];
static SQLWCHAR wbuf[512];
static SQLLEN lenv;
static SQLULEN ulenv;
static SQLSMALLINT sm, sm2, sm3, sm4, sm5;
static SQLUSMALLINT usm, usm_arr[200];
static SQLINTEGER iv;
static SQLHANDLE hout;
static SQLPOINTER pout;

#define T(name) static SQLRETURN t_##name(SQLHANDLE h)
#define S(x) ((SQLCHAR *)(x))

T(AllocHandleDbc) { return SQLAllocHandle(SQL_HANDLE_DBC, h, &hout); }
T(AllocHandleStmt) { return SQLAllocHandle(SQL_HANDLE_STMT, h, &hout); }
T(AllocHandleDesc) { return SQLAllocHandle(SQL_HANDLE_DESC, h, &hout); }
T(BindCol) { return SQLBindCol(h, 1, SQL_C_CHAR, cbuf, sizeof cbuf, &lenv); }
T(BindParameter) { return SQLBindParameter(h, 1, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 10, 0, cbuf, sizeof cbuf, &lenv); }
T(Cancel) { return SQLCancel(h); }
T(CloseCursor) { return SQLCloseCursor(h); }
T(ColAttribute) { return SQLColAttribute(h, 1, SQL_DESC_NAME, cbuf, sizeof cbuf, &sm, &lenv); }
T(ColAttributeW) { return SQLColAttributeW(h, 1, SQL_DESC_NAME, wbuf, sizeof wbuf, &sm, &lenv); }
T(ColumnPrivileges) { return SQLColumnPrivileges(h, NULL, 0, NULL, 0, S("t"), SQL_NTS, S("%"), SQL_NTS); }
T(ColumnPrivilegesW) { return SQLColumnPrivilegesW(h, NULL, 0, NULL, 0, W("t"), SQL_NTS, W("%"), SQL_NTS); }
T(Columns) { return SQLColumns(h, NULL, 0, NULL, 0, S("t"), SQL_NTS, S("%"), SQL_NTS); }
T(ColumnsW) { return SQLColumnsW(h, NULL, 0, NULL, 0, W("t"), SQL_NTS, W("%"), SQL_NTS); }
T(Connect) { return SQLConnect(h, S("nodsn"), SQL_NTS, NULL, 0, NULL, 0); }
T(ConnectW) { return SQLConnectW(h, W("nodsn"), SQL_NTS, NULL, 0, NULL, 0); }
T(CopyDescFrom) { return SQLCopyDesc(h, h); }
T(DescribeCol) { return SQLDescribeCol(h, 1, cbuf, sizeof cbuf, &sm, &sm2, &ulenv, &sm3, &sm4); }
T(DescribeColW) { return SQLDescribeColW(h, 1, wbuf, 256, &sm, &sm2, &ulenv, &sm3, &sm4); }
T(DescribeParam) { return SQLDescribeParam(h, 1, &sm, &ulenv, &sm2, &sm3); }
T(Disconnect) { return SQLDisconnect(h); }
T(DriverConnect) { return SQLDriverConnect(h, NULL, S("Database=/nonexistent/x.db"), SQL_NTS, cbuf, sizeof cbuf, &sm, SQL_DRIVER_NOPROMPT); }
T(DriverConnectW) { return SQLDriverConnectW(h, NULL, W("Database=/nonexistent/x.db"), SQL_NTS, wbuf, 256, &sm, SQL_DRIVER_NOPROMPT); }
T(EndTranEnv) { return SQLEndTran(SQL_HANDLE_ENV, h, SQL_COMMIT); }
T(EndTranDbc) { return SQLEndTran(SQL_HANDLE_DBC, h, SQL_COMMIT); }
T(ExecDirect) { return SQLExecDirect(h, S("SELECT 1"), SQL_NTS); }
T(ExecDirectW) { return SQLExecDirectW(h, W("SELECT 1"), SQL_NTS); }
T(Execute) { return SQLExecute(h); }
T(ExtendedFetch) { return SQLExtendedFetch(h, SQL_FETCH_NEXT, 0, &ulenv, usm_arr); }
T(Fetch) { return SQLFetch(h); }
T(FetchScroll) { return SQLFetchScroll(h, SQL_FETCH_NEXT, 0); }
T(ForeignKeys) { return SQLForeignKeys(h, NULL, 0, NULL, 0, S("t"), SQL_NTS, NULL, 0, NULL, 0, NULL, 0); }
T(ForeignKeysW) { return SQLForeignKeysW(h, NULL, 0, NULL, 0, W("t"), SQL_NTS, NULL, 0, NULL, 0, NULL, 0); }
T(FreeHandleEnv) { return SQLFreeHandle(SQL_HANDLE_ENV, h); }
T(FreeHandleDbc) { return SQLFreeHandle(SQL_HANDLE_DBC, h); }
T(FreeHandleStmt) { return SQLFreeHandle(SQL_HANDLE_STMT, h); }
T(FreeHandleDesc) { return SQLFreeHandle(SQL_HANDLE_DESC, h); }
T(FreeStmt) { return SQLFreeStmt(h, SQL_CLOSE); }
T(FreeStmtDrop) { return SQLFreeStmt(h, SQL_DROP); }
T(GetConnectAttr) { return SQLGetConnectAttr(h, SQL_ATTR_AUTOCOMMIT, &ulenv, 0, &iv); }
T(GetConnectAttrW) { return SQLGetConnectAttrW(h, SQL_ATTR_AUTOCOMMIT, &ulenv, 0, &iv); }
T(GetCursorName) { return SQLGetCursorName(h, cbuf, sizeof cbuf, &sm); }
T(GetCursorNameW) { return SQLGetCursorNameW(h, wbuf, 256, &sm); }
T(GetData) { return SQLGetData(h, 1, SQL_C_CHAR, cbuf, sizeof cbuf, &lenv); }
T(GetDescField) { return SQLGetDescField(h, 0, SQL_DESC_COUNT, &sm, 0, &iv); }
T(GetDescFieldW) { return SQLGetDescFieldW(h, 0, SQL_DESC_COUNT, &sm, 0, &iv); }
T(GetDescRec) { return SQLGetDescRec(h, 1, cbuf, sizeof cbuf, &sm, &sm2, &sm3, &lenv, &sm4, &sm5, &sm); }
T(GetDescRecW) { return SQLGetDescRecW(h, 1, wbuf, 256, &sm, &sm2, &sm3, &lenv, &sm4, &sm5, &sm); }
#define DIAG_T(K, TYPE)                                                                    \
    T(GetDiagRec##K) { return SQLGetDiagRec(TYPE, h, 1, cbuf, &iv, cbuf + 10, 200, &sm); }  \
    T(GetDiagRecW##K) { return SQLGetDiagRecW(TYPE, h, 1, wbuf, &iv, wbuf + 10, 200, &sm); } \
    T(GetDiagField##K) { return SQLGetDiagField(TYPE, h, 0, SQL_DIAG_NUMBER, &iv, 0, &sm); } \
    T(GetDiagFieldW##K) { return SQLGetDiagFieldW(TYPE, h, 0, SQL_DIAG_NUMBER, &iv, 0, &sm); }
DIAG_T(Env, SQL_HANDLE_ENV)
DIAG_T(Dbc, SQL_HANDLE_DBC)
DIAG_T(Stmt, SQL_HANDLE_STMT)
DIAG_T(Desc, SQL_HANDLE_DESC)
T(GetEnvAttr) { return SQLGetEnvAttr(h, SQL_ATTR_ODBC_VERSION, &iv, 0, NULL); }
T(GetFunctions) { return SQLGetFunctions(h, SQL_API_SQLFETCH, &usm); }
T(GetInfo) { return SQLGetInfo(h, SQL_DRIVER_NAME, cbuf, sizeof cbuf, &sm); }
T(GetInfoW) { return SQLGetInfoW(h, SQL_DRIVER_NAME, wbuf, sizeof wbuf, &sm); }
T(GetStmtAttr) { return SQLGetStmtAttr(h, SQL_ATTR_ROW_ARRAY_SIZE, &ulenv, 0, &iv); }
T(GetStmtAttrW) { return SQLGetStmtAttrW(h, SQL_ATTR_ROW_ARRAY_SIZE, &ulenv, 0, &iv); }
T(GetTypeInfo) { return SQLGetTypeInfo(h, SQL_ALL_TYPES); }
T(GetTypeInfoW) { return SQLGetTypeInfoW(h, SQL_ALL_TYPES); }
T(MoreResults) { return SQLMoreResults(h); }
T(NativeSql) { return SQLNativeSql(h, S("SELECT 1"), SQL_NTS, cbuf, sizeof cbuf, &iv); }
T(NativeSqlW) { return SQLNativeSqlW(h, W("SELECT 1"), SQL_NTS, wbuf, 256, &iv); }
T(NumParams) { return SQLNumParams(h, &sm); }
T(NumResultCols) { return SQLNumResultCols(h, &sm); }
T(ParamData) { return SQLParamData(h, &pout); }
T(Prepare) { return SQLPrepare(h, S("SELECT 1"), SQL_NTS); }
T(PrepareW) { return SQLPrepareW(h, W("SELECT 1"), SQL_NTS); }
T(PrimaryKeys) { return SQLPrimaryKeys(h, NULL, 0, NULL, 0, S("t"), SQL_NTS); }
T(PrimaryKeysW) { return SQLPrimaryKeysW(h, NULL, 0, NULL, 0, W("t"), SQL_NTS); }
T(ProcedureColumns) { return SQLProcedureColumns(h, NULL, 0, NULL, 0, S("%"), SQL_NTS, S("%"), SQL_NTS); }
T(ProcedureColumnsW) { return SQLProcedureColumnsW(h, NULL, 0, NULL, 0, W("%"), SQL_NTS, W("%"), SQL_NTS); }
T(Procedures) { return SQLProcedures(h, NULL, 0, NULL, 0, S("%"), SQL_NTS); }
T(ProceduresW) { return SQLProceduresW(h, NULL, 0, NULL, 0, W("%"), SQL_NTS); }
T(PutData) { return SQLPutData(h, cbuf, 1); }
T(RowCount) { return SQLRowCount(h, &lenv); }
T(SetConnectAttr) { return SQLSetConnectAttr(h, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_ON, 0); }
T(SetConnectAttrW) { return SQLSetConnectAttrW(h, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_ON, 0); }
T(SetCursorName) { return SQLSetCursorName(h, S("c1"), SQL_NTS); }
T(SetCursorNameW) { return SQLSetCursorNameW(h, W("c1"), SQL_NTS); }
T(SetDescField) { return SQLSetDescField(h, 1, SQL_DESC_TYPE, (SQLPOINTER)SQL_C_CHAR, 0); }
T(SetDescFieldW) { return SQLSetDescFieldW(h, 1, SQL_DESC_TYPE, (SQLPOINTER)SQL_C_CHAR, 0); }
T(SetDescRec) { return SQLSetDescRec(h, 1, SQL_C_CHAR, 0, 10, 0, 0, cbuf, &lenv, &lenv); }
T(SetEnvAttr) { return SQLSetEnvAttr(h, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0); }
T(SetPos) { return SQLSetPos(h, 1, SQL_POSITION, SQL_LOCK_NO_CHANGE); }
T(SetStmtAttr) { return SQLSetStmtAttr(h, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)1, 0); }
T(SetStmtAttrW) { return SQLSetStmtAttrW(h, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)1, 0); }
T(SpecialColumns) { return SQLSpecialColumns(h, SQL_BEST_ROWID, NULL, 0, NULL, 0, S("t"), SQL_NTS, SQL_SCOPE_CURROW, SQL_NULLABLE); }
T(SpecialColumnsW) { return SQLSpecialColumnsW(h, SQL_BEST_ROWID, NULL, 0, NULL, 0, W("t"), SQL_NTS, SQL_SCOPE_CURROW, SQL_NULLABLE); }
T(Statistics) { return SQLStatistics(h, NULL, 0, NULL, 0, S("t"), SQL_NTS, SQL_INDEX_ALL, SQL_QUICK); }
T(StatisticsW) { return SQLStatisticsW(h, NULL, 0, NULL, 0, W("t"), SQL_NTS, SQL_INDEX_ALL, SQL_QUICK); }
T(TablePrivileges) { return SQLTablePrivileges(h, NULL, 0, NULL, 0, S("%"), SQL_NTS); }
T(TablePrivilegesW) { return SQLTablePrivilegesW(h, NULL, 0, NULL, 0, W("%"), SQL_NTS); }
T(Tables) { return SQLTables(h, NULL, 0, NULL, 0, S("%"), SQL_NTS, NULL, 0); }
T(TablesW) { return SQLTablesW(h, NULL, 0, NULL, 0, W("%"), SQL_NTS, NULL, 0); }

typedef struct api_fn {
    const char *name;   /* exported function (and the handle type it is told) */
    kind k;             /* the handle type it needs */
    SQLRETURN (*call)(SQLHANDLE h);
} api_fn;

#define E(name, k) {#name, k, t_##name}
static const api_fn api_fns[] = {
    E(AllocHandleDbc, K_ENV), E(AllocHandleStmt, K_DBC), E(AllocHandleDesc, K_DBC),
    E(BindCol, K_STMT), E(BindParameter, K_STMT), E(Cancel, K_STMT), E(CloseCursor, K_STMT),
    E(ColAttribute, K_STMT), E(ColAttributeW, K_STMT), E(ColumnPrivileges, K_STMT),
    E(ColumnPrivilegesW, K_STMT), E(Columns, K_STMT), E(ColumnsW, K_STMT), E(Connect, K_DBC),
    E(ConnectW, K_DBC), E(CopyDescFrom, K_DESC), E(DescribeCol, K_STMT), E(DescribeColW, K_STMT),
    E(DescribeParam, K_STMT), E(Disconnect, K_DBC), E(DriverConnect, K_DBC),
    E(DriverConnectW, K_DBC), E(EndTranEnv, K_ENV), E(EndTranDbc, K_DBC), E(ExecDirect, K_STMT),
    E(ExecDirectW, K_STMT), E(Execute, K_STMT), E(ExtendedFetch, K_STMT), E(Fetch, K_STMT),
    E(FetchScroll, K_STMT), E(ForeignKeys, K_STMT), E(ForeignKeysW, K_STMT),
    E(FreeHandleEnv, K_ENV), E(FreeHandleDbc, K_DBC), E(FreeHandleStmt, K_STMT),
    E(FreeHandleDesc, K_DESC), E(FreeStmt, K_STMT), E(FreeStmtDrop, K_STMT),
    E(GetConnectAttr, K_DBC), E(GetConnectAttrW, K_DBC), E(GetCursorName, K_STMT),
    E(GetCursorNameW, K_STMT), E(GetData, K_STMT), E(GetDescField, K_DESC),
    E(GetDescFieldW, K_DESC), E(GetDescRec, K_DESC), E(GetDescRecW, K_DESC),
    E(GetDiagRecEnv, K_ENV), E(GetDiagRecWEnv, K_ENV), E(GetDiagFieldEnv, K_ENV),
    E(GetDiagFieldWEnv, K_ENV), E(GetDiagRecDbc, K_DBC), E(GetDiagRecWDbc, K_DBC),
    E(GetDiagFieldDbc, K_DBC), E(GetDiagFieldWDbc, K_DBC), E(GetDiagRecStmt, K_STMT),
    E(GetDiagRecWStmt, K_STMT), E(GetDiagFieldStmt, K_STMT), E(GetDiagFieldWStmt, K_STMT),
    E(GetDiagRecDesc, K_DESC), E(GetDiagRecWDesc, K_DESC), E(GetDiagFieldDesc, K_DESC),
    E(GetDiagFieldWDesc, K_DESC), E(GetEnvAttr, K_ENV), E(GetFunctions, K_DBC),
    E(GetInfo, K_DBC), E(GetInfoW, K_DBC), E(GetStmtAttr, K_STMT), E(GetStmtAttrW, K_STMT),
    E(GetTypeInfo, K_STMT), E(GetTypeInfoW, K_STMT), E(MoreResults, K_STMT),
    E(NativeSql, K_DBC), E(NativeSqlW, K_DBC), E(NumParams, K_STMT), E(NumResultCols, K_STMT),
    E(ParamData, K_STMT), E(Prepare, K_STMT), E(PrepareW, K_STMT), E(PrimaryKeys, K_STMT),
    E(PrimaryKeysW, K_STMT), E(ProcedureColumns, K_STMT), E(ProcedureColumnsW, K_STMT),
    E(Procedures, K_STMT), E(ProceduresW, K_STMT), E(PutData, K_STMT), E(RowCount, K_STMT),
    E(SetConnectAttr, K_DBC), E(SetConnectAttrW, K_DBC), E(SetCursorName, K_STMT),
    E(SetCursorNameW, K_STMT), E(SetDescField, K_DESC), E(SetDescFieldW, K_DESC),
    E(SetDescRec, K_DESC), E(SetEnvAttr, K_ENV), E(SetPos, K_STMT), E(SetStmtAttr, K_STMT),
    E(SetStmtAttrW, K_STMT), E(SpecialColumns, K_STMT), E(SpecialColumnsW, K_STMT),
    E(Statistics, K_STMT), E(StatisticsW, K_STMT), E(TablePrivileges, K_STMT),
    E(TablePrivilegesW, K_STMT), E(Tables, K_STMT), E(TablesW, K_STMT),
};
#define NFN (sizeof api_fns / sizeof api_fns[0])

/* Names the table covers, to prove it covers every export. */
static const char *const exported[] = {
    "SQLAllocHandle", "SQLBindCol", "SQLBindParameter", "SQLCancel", "SQLCloseCursor",
    "SQLColAttribute", "SQLColAttributeW", "SQLColumnPrivileges", "SQLColumnPrivilegesW",
    "SQLColumns", "SQLColumnsW", "SQLConnect", "SQLConnectW", "SQLCopyDesc", "SQLDescribeCol",
    "SQLDescribeColW", "SQLDescribeParam", "SQLDisconnect", "SQLDriverConnect",
    "SQLDriverConnectW", "SQLEndTran", "SQLExecDirect", "SQLExecDirectW", "SQLExecute",
    "SQLExtendedFetch", "SQLFetch", "SQLFetchScroll", "SQLForeignKeys", "SQLForeignKeysW",
    "SQLFreeHandle", "SQLFreeStmt", "SQLGetConnectAttr", "SQLGetConnectAttrW",
    "SQLGetCursorName", "SQLGetCursorNameW", "SQLGetData", "SQLGetDescField",
    "SQLGetDescFieldW", "SQLGetDescRec", "SQLGetDescRecW", "SQLGetDiagField",
    "SQLGetDiagFieldW", "SQLGetDiagRec", "SQLGetDiagRecW", "SQLGetEnvAttr", "SQLGetFunctions",
    "SQLGetInfo", "SQLGetInfoW", "SQLGetStmtAttr", "SQLGetStmtAttrW", "SQLGetTypeInfo",
    "SQLGetTypeInfoW", "SQLMoreResults", "SQLNativeSql", "SQLNativeSqlW", "SQLNumParams",
    "SQLNumResultCols", "SQLParamData", "SQLPrepare", "SQLPrepareW", "SQLPrimaryKeys",
    "SQLPrimaryKeysW", "SQLProcedureColumns", "SQLProcedureColumnsW", "SQLProcedures",
    "SQLProceduresW", "SQLPutData", "SQLRowCount", "SQLSetConnectAttr", "SQLSetConnectAttrW",
    "SQLSetCursorName", "SQLSetCursorNameW", "SQLSetDescField", "SQLSetDescFieldW",
    "SQLSetDescRec", "SQLSetEnvAttr", "SQLSetPos", "SQLSetStmtAttr", "SQLSetStmtAttrW",
    "SQLSpecialColumns", "SQLSpecialColumnsW", "SQLStatistics", "SQLStatisticsW",
    "SQLTablePrivileges", "SQLTablePrivilegesW", "SQLTables", "SQLTablesW", NULL};

/* Does the table exercise `name` (entries are named without "SQL" and may
 * carry a handle-type suffix)? */
static int covered(const char *name)
{
    const char *n = name + 3;
    size_t len = strlen(n);
    for (size_t i = 0; i < NFN; i++) {
        const char *e = api_fns[i].name;
        if (strncmp(e, n, len) != 0)
            continue;
        const char *rest = e + len;
        /* "GetDiagRec" must not count "GetDiagRecW..." as itself */
        if (!*rest || !strcmp(rest, "Env") || !strcmp(rest, "Dbc") || !strcmp(rest, "Stmt") ||
            !strcmp(rest, "Desc") || !strcmp(rest, "From") || !strcmp(rest, "Drop"))
            return 1;
    }
    return 0;
}

static int exports_in_map(void)
{
    int n = 0;
    for (int i = 0; exported[i]; i++) {
        if (!covered(exported[i])) {
            mismatches++;
            printf("MISMATCH [coverage]: %s is exported but not exercised\n", exported[i]);
        }
        n++;
    }
    return n;
}

static void part_handles(SQLHANDLE live[4], SQLHANDLE freed[4])
{
    section = "handles";
    static const char *kn[] = {"HENV", "HDBC", "HSTMT", "HDESC"};
    for (size_t i = 0; i < NFN; i++) {
        const api_fn *f = &api_fns[i];
        char what[160];
        /* SQL_NULL_HANDLE */
        snprintf(what, sizeof what, "SQL%s(SQL_NULL_HANDLE)", f->name);
        check(what, __LINE__, f->call(SQL_NULL_HANDLE), SQL_INVALID_HANDLE, 0, NULL, NULL);
        for (int k = 0; k < 4; k++) {
            /* freed handles of every type, including the right one */
            snprintf(what, sizeof what, "SQL%s(freed %s)", f->name, kn[k]);
            check(what, __LINE__, f->call(freed[k]), SQL_INVALID_HANDLE, 0, NULL, NULL);
            if ((kind)k == f->k)
                continue;
            /* a live handle of the wrong type */
            snprintf(what, sizeof what, "SQL%s(%s where %s belongs)", f->name, kn[k], kn[f->k]);
            check(what, __LINE__, f->call(live[k]), SQL_INVALID_HANDLE, 0, NULL, NULL);
        }
        /* a pointer that was never a handle */
        static char not_a_handle[256];
        snprintf(what, sizeof what, "SQL%s(foreign pointer)", f->name);
        check(what, __LINE__, f->call(not_a_handle), SQL_INVALID_HANDLE, 0, NULL, NULL);
    }
    /* handle-type arguments out of range */
    EXPECT(SQLAllocHandle(99, live[K_ENV], &hout), SQL_ERROR, 0, NULL, NULL);
    EXPECT(SQLFreeHandle(99, live[K_STMT]), SQL_ERROR, 0, NULL, NULL);
    EXPECT(SQLGetDiagRec(99, live[K_STMT], 1, cbuf, &iv, cbuf + 10, 100, &sm), SQL_INVALID_HANDLE, 0, NULL, NULL);
    EXPECT(SQLEndTran(SQL_HANDLE_STMT, live[K_STMT], SQL_COMMIT), SQL_INVALID_HANDLE, 0, NULL, NULL);
}

/* ---------- part 2: invalid arguments on live handles --------------------- */

static void part_env(void)
{
    section = "environment";
    SQLHENV env;
    must(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env), "alloc env");
    EXPECT(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, NULL), SQL_ERROR, 0, NULL, NULL);
    SQLHDBC dbc;
    /* a connection before SQL_ATTR_ODBC_VERSION: HY010 */
    ERR_E(SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc), env, "HY010");
    ERR_E(SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)99, 0), env, "HY024");
    ERR_E(SQLSetEnvAttr(env, 12345, (SQLPOINTER)1, 0), env, "HY092");
    ERR_E(SQLGetEnvAttr(env, 12345, &iv, 0, NULL), env, "HY092");
    EXPECT_OK(SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0), SQL_HANDLE_ENV, env);
    ERR_E(SQLAllocHandle(SQL_HANDLE_DBC, env, NULL), env, "HY009");
    ERR_E(SQLEndTran(SQL_HANDLE_ENV, env, 99), env, "HY012");
    must(SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc), "alloc dbc");
    /* the environment cannot go while a connection lives on it */
    ERR_E(SQLFreeHandle(SQL_HANDLE_ENV, env), env, "HY010");
    EXPECT_OK(SQLFreeHandle(SQL_HANDLE_DBC, dbc), SQL_HANDLE_DBC, dbc);
    EXPECT_OK(SQLFreeHandle(SQL_HANDLE_ENV, env), SQL_HANDLE_ENV, env);
}

static void part_connection(SQLHENV env, const char *connstr)
{
    section = "connection";
    SQLHDBC dbc;
    must(SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc), "alloc dbc");
    SQLHSTMT st;
    /* not connected yet */
    ERR_C(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st), dbc, "08003");
    ERR_C(SQLAllocHandle(SQL_HANDLE_DESC, dbc, &st), dbc, "08003");
    ERR_C(SQLDisconnect(dbc), dbc, "08003");
    ERR_C(SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT), dbc, "08003");
    /* static information is answered before connecting (the driver manager
     * itself refuses with 08003; unit tests read it from bare handles) */
    EXPECT_OK(SQLGetInfo(dbc, SQL_DRIVER_ODBC_VER, cbuf, sizeof cbuf, &sm), SQL_HANDLE_DBC, dbc);
    ERR_C(SQLNativeSql(dbc, S("SELECT 1"), SQL_NTS, cbuf, sizeof cbuf, &iv), dbc, "08003");
    /* connect arguments */
    ERR_C(SQLConnect(dbc, S("x"), -5, NULL, 0, NULL, 0), dbc, "HY090");
    ERR_C(SQLConnectW(dbc, W("x"), -5, NULL, 0, NULL, 0), dbc, "HY090");
    ERR_C(SQLDriverConnect(dbc, NULL, NULL, SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT), dbc, "HY009");
    ERR_C(SQLDriverConnect(dbc, NULL, S(connstr), -7, NULL, 0, NULL, SQL_DRIVER_NOPROMPT), dbc, "HY090");
    ERR_C(SQLDriverConnect(dbc, NULL, S(connstr), SQL_NTS, cbuf, -1, &sm, SQL_DRIVER_NOPROMPT), dbc, "HY090");
    ERR_C(SQLDriverConnect(dbc, NULL, S(connstr), SQL_NTS, NULL, 0, NULL, 77), dbc, "HY110");
    ERR_C(SQLDriverConnectW(dbc, NULL, NULL, SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT), dbc, "HY009");
    ERR_C(SQLDriverConnectW(dbc, NULL, W(connstr), -7, NULL, 0, NULL, SQL_DRIVER_NOPROMPT), dbc, "HY090");
    ERR_C(SQLDriverConnectW(dbc, NULL, W(connstr), SQL_NTS, wbuf, -2, &sm, SQL_DRIVER_NOPROMPT), dbc, "HY090");
    ERR_C(SQLDriverConnect(dbc, NULL, S("Database={unterminated"), SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT), dbc, "08001");
    /* connection attributes */
    ERR_C(SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)7, 0), dbc, "HY024");
    ERR_C(SQLSetConnectAttr(dbc, SQL_ATTR_ACCESS_MODE, (SQLPOINTER)9, 0), dbc, "HY024");
    ERR_C(SQLSetConnectAttr(dbc, 987654, (SQLPOINTER)1, 0), dbc, "HY092");
    ERR_C(SQLGetConnectAttr(dbc, 987654, &ulenv, 0, &iv), dbc, "HY092");
    ERR_C(SQLSetConnectAttrW(dbc, 987654, (SQLPOINTER)1, 0), dbc, "HY092");
    ERR_C(SQLGetConnectAttr(dbc, SQL_ATTR_CURRENT_CATALOG, cbuf, sizeof cbuf, &iv), dbc, "08003");
    ERR_C(SQLSetConnectAttr(dbc, SQL_ATTR_CURRENT_CATALOG, S("main"), -5), dbc, "HY090");
    ERR_C(SQLGetFunctions(dbc, SQL_API_SQLFETCH, NULL), dbc, "HY009");

    must(SQLDriverConnect(dbc, NULL, S(connstr), SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT), "connect");
    ERR_C(SQLDriverConnect(dbc, NULL, S(connstr), SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT), dbc, "08002");
    ERR_C(SQLConnect(dbc, S("x"), SQL_NTS, NULL, 0, NULL, 0), dbc, "08002");
    /* the connection cannot be freed while connected */
    ERR_C(SQLFreeHandle(SQL_HANDLE_DBC, dbc), dbc, "HY010");
    ERR_C(SQLGetInfo(dbc, SQL_DRIVER_NAME, cbuf, -1, &sm), dbc, "HY090");
    ERR_C(SQLGetInfo(dbc, 9999, cbuf, sizeof cbuf, &sm), dbc, "HY096");
    ERR_C(SQLGetInfoW(dbc, SQL_DRIVER_NAME, wbuf, -1, &sm), dbc, "HY090");
    ERR_C(SQLGetFunctions(dbc, 9999, &usm), dbc, "HY095");
    ERR_C(SQLGetConnectAttr(dbc, SQL_ATTR_CURRENT_CATALOG, cbuf, -5, &iv), dbc, "HY090");
    ERR_C(SQLGetConnectAttrW(dbc, SQL_ATTR_CURRENT_CATALOG, wbuf, -5, &iv), dbc, "HY090");
    ERR_C(SQLSetConnectAttrW(dbc, SQL_ATTR_CURRENT_CATALOG, W("main"), -5), dbc, "HY090");
    ERR_C(SQLEndTran(SQL_HANDLE_DBC, dbc, 99), dbc, "HY012");
    ERR_C(SQLNativeSql(dbc, NULL, SQL_NTS, cbuf, sizeof cbuf, &iv), dbc, "HY009");
    ERR_C(SQLNativeSql(dbc, S("SELECT 1"), -9, cbuf, sizeof cbuf, &iv), dbc, "HY090");
    ERR_C(SQLNativeSql(dbc, S("SELECT 1"), SQL_NTS, cbuf, -1, &iv), dbc, "HY090");
    ERR_C(SQLNativeSqlW(dbc, NULL, SQL_NTS, wbuf, 256, &iv), dbc, "HY009");
    ERR_C(SQLNativeSqlW(dbc, W("SELECT 1"), -9, wbuf, 256, &iv), dbc, "HY090");
    EXPECT_OK(SQLDisconnect(dbc), SQL_HANDLE_DBC, dbc);
    EXPECT_OK(SQLFreeHandle(SQL_HANDLE_DBC, dbc), SQL_HANDLE_DBC, dbc);
}

static void part_statement(SQLHDBC dbc)
{
    section = "statement arguments";
    SQLHSTMT s;
    must(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &s), "alloc stmt");
    ERR_S(SQLPrepare(s, NULL, SQL_NTS), s, "HY009");
    ERR_S(SQLPrepare(s, S("SELECT 1"), -5), s, "HY090");
    ERR_S(SQLPrepareW(s, NULL, SQL_NTS), s, "HY009");
    ERR_S(SQLPrepareW(s, W("SELECT 1"), -5), s, "HY090");
    ERR_S(SQLExecDirect(s, NULL, SQL_NTS), s, "HY009");
    ERR_S(SQLExecDirect(s, S("SELECT 1"), -5), s, "HY090");
    ERR_S(SQLExecDirectW(s, NULL, SQL_NTS), s, "HY009");
    ERR_S(SQLExecDirectW(s, W("SELECT 1"), -5), s, "HY090");
    ERR_S(SQLFreeStmt(s, 77), s, "HY092");
    /* statement attributes */
    ERR_S(SQLSetStmtAttr(s, 987654, (SQLPOINTER)1, 0), s, "HY092");
    ERR_S(SQLGetStmtAttr(s, 987654, &ulenv, 0, &iv), s, "HY092");
    ERR_S(SQLSetStmtAttrW(s, 987654, (SQLPOINTER)1, 0), s, "HY092");
    ERR_S(SQLGetStmtAttrW(s, 987654, &ulenv, 0, &iv), s, "HY092");
    ERR_S(SQLSetStmtAttr(s, SQL_ATTR_CURSOR_TYPE, (SQLPOINTER)77, 0), s, "HY024");
    ERR_S(SQLSetStmtAttr(s, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)0, 0), s, "HY024");
    ERR_S(SQLSetStmtAttr(s, SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)0, 0), s, "HY024");
    ERR_S(SQLSetStmtAttr(s, SQL_ATTR_USE_BOOKMARKS, (SQLPOINTER)77, 0), s, "HY024");
    SQLHDESC ird = NULL, ipd = NULL;
    must(SQLGetStmtAttr(s, SQL_ATTR_IMP_ROW_DESC, &ird, 0, NULL), "IRD");
    must(SQLGetStmtAttr(s, SQL_ATTR_IMP_PARAM_DESC, &ipd, 0, NULL), "IPD");
    /* implementation descriptors cannot be replaced, nor used as ARD/APD */
    ERR_S(SQLSetStmtAttr(s, SQL_ATTR_IMP_ROW_DESC, ird, 0), s, "HY017");
    ERR_S(SQLSetStmtAttr(s, SQL_ATTR_APP_ROW_DESC, ird, 0), s, "HY017");
    ERR_S(SQLSetStmtAttr(s, SQL_ATTR_APP_PARAM_DESC, ipd, 0), s, "HY017");
    /* an automatically allocated descriptor cannot be freed */
    ERR_D(SQLFreeHandle(SQL_HANDLE_DESC, ird), ird, "HY017");
    /* cursor names */
    ERR_S(SQLSetCursorName(s, NULL, SQL_NTS), s, "HY009");
    ERR_S(SQLSetCursorName(s, S("c"), -5), s, "HY090");
    ERR_S(SQLSetCursorNameW(s, W("c"), -5), s, "HY090");
    ERR_S(SQLSetCursorName(s, S("SQL_CURx"), SQL_NTS), s, "34000");
    ERR_S(SQLGetCursorName(s, cbuf, -1, &sm), s, "HY090");
    ERR_S(SQLGetCursorNameW(s, wbuf, -1, &sm), s, "HY090");
    /* binding */
    ERR_S(SQLBindCol(s, 1, 9999, cbuf, sizeof cbuf, &lenv), s, "HY003");
    ERR_S(SQLBindCol(s, 1, SQL_C_CHAR, cbuf, -1, &lenv), s, "HY090");
    ERR_S(SQLBindCol(s, 0, SQL_C_BOOKMARK, cbuf, sizeof cbuf, &lenv), s, "07009");
    ERR_S(SQLBindParameter(s, 0, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 10, 0, cbuf, 10, &lenv), s, "07009");
    ERR_S(SQLBindParameter(s, 1, 99, SQL_C_CHAR, SQL_VARCHAR, 10, 0, cbuf, 10, &lenv), s, "HY105");
    ERR_S(SQLBindParameter(s, 1, SQL_PARAM_INPUT, 9999, SQL_VARCHAR, 10, 0, cbuf, 10, &lenv), s, "HY003");
    ERR_S(SQLBindParameter(s, 1, SQL_PARAM_INPUT, SQL_C_CHAR, 9999, 10, 0, cbuf, 10, &lenv), s, "HY004");
    ERR_S(SQLBindParameter(s, 1, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 10, 0, cbuf, -1, &lenv), s, "HY090");
    ERR_S(SQLBindParameter(s, 1, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 10, 0, NULL, 0, NULL), s, "HY009");
    /* a type with no data */
    ERR_S(SQLGetTypeInfo(s, 9999), s, "HY004");
    ERR_S(SQLGetTypeInfoW(s, 9999), s, "HY004");
    /* catalog arguments */
    ERR_S(SQLTables(s, NULL, 0, NULL, 0, S("t"), -5, NULL, 0), s, "HY090");
    ERR_S(SQLTablesW(s, NULL, 0, NULL, 0, W("t"), -5, NULL, 0), s, "HY090");
    ERR_S(SQLColumns(s, S("main"), -9, NULL, 0, S("t"), SQL_NTS, NULL, 0), s, "HY090");
    ERR_S(SQLColumnsW(s, W("main"), -9, NULL, 0, W("t"), SQL_NTS, NULL, 0), s, "HY090");
    ERR_S(SQLPrimaryKeys(s, NULL, 0, NULL, 0, NULL, SQL_NTS), s, "HY009");
    ERR_S(SQLPrimaryKeysW(s, NULL, 0, NULL, 0, NULL, SQL_NTS), s, "HY009");
    ERR_S(SQLStatistics(s, NULL, 0, NULL, 0, NULL, SQL_NTS, SQL_INDEX_ALL, SQL_QUICK), s, "HY009");
    ERR_S(SQLStatistics(s, NULL, 0, NULL, 0, S("t"), SQL_NTS, 77, SQL_QUICK), s, "HY100");
    ERR_S(SQLStatistics(s, NULL, 0, NULL, 0, S("t"), SQL_NTS, SQL_INDEX_ALL, 77), s, "HY101");
    ERR_S(SQLStatisticsW(s, NULL, 0, NULL, 0, NULL, SQL_NTS, SQL_INDEX_ALL, SQL_QUICK), s, "HY009");
    ERR_S(SQLSpecialColumns(s, 77, NULL, 0, NULL, 0, S("t"), SQL_NTS, SQL_SCOPE_CURROW, SQL_NULLABLE), s, "HY097");
    ERR_S(SQLSpecialColumns(s, SQL_BEST_ROWID, NULL, 0, NULL, 0, S("t"), SQL_NTS, 77, SQL_NULLABLE), s, "HY098");
    ERR_S(SQLSpecialColumns(s, SQL_BEST_ROWID, NULL, 0, NULL, 0, S("t"), SQL_NTS, SQL_SCOPE_CURROW, 77), s, "HY099");
    ERR_S(SQLSpecialColumns(s, SQL_BEST_ROWID, NULL, 0, NULL, 0, NULL, SQL_NTS, SQL_SCOPE_CURROW, SQL_NULLABLE), s, "HY009");
    ERR_S(SQLSpecialColumnsW(s, 77, NULL, 0, NULL, 0, W("t"), SQL_NTS, SQL_SCOPE_CURROW, SQL_NULLABLE), s, "HY097");
    ERR_S(SQLForeignKeys(s, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0), s, "HY009");
    ERR_S(SQLForeignKeysW(s, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0), s, "HY009");
    ERR_S(SQLTablePrivileges(s, NULL, 0, NULL, 0, S("t"), -5), s, "HY090");
    ERR_S(SQLTablePrivilegesW(s, NULL, 0, NULL, 0, W("t"), -5), s, "HY090");
    ERR_S(SQLColumnPrivileges(s, NULL, 0, NULL, 0, S("t"), -5, NULL, 0), s, "HY090");
    ERR_S(SQLColumnPrivilegesW(s, NULL, 0, NULL, 0, W("t"), -5, NULL, 0), s, "HY090");
    ERR_S(SQLProcedures(s, NULL, 0, NULL, 0, S("p"), -5), s, "HY090");
    ERR_S(SQLProceduresW(s, NULL, 0, NULL, 0, W("p"), -5), s, "HY090");
    ERR_S(SQLProcedureColumns(s, NULL, 0, NULL, 0, S("p"), -5, NULL, 0), s, "HY090");
    ERR_S(SQLProcedureColumnsW(s, NULL, 0, NULL, 0, W("p"), -5, NULL, 0), s, "HY090");
    EXPECT_OK(SQLFreeHandle(SQL_HANDLE_STMT, s), SQL_HANDLE_STMT, s);
}

static void part_sequences(SQLHDBC dbc)
{
    section = "sequences";
    SQLHSTMT s;
    must(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &s), "alloc stmt");
    /* nothing prepared or executed */
    ERR_S(SQLExecute(s), s, "HY010");
    ERR_S(SQLFetch(s), s, "HY010");
    ERR_S(SQLFetchScroll(s, SQL_FETCH_NEXT, 0), s, "HY010");
    ERR_S(SQLExtendedFetch(s, SQL_FETCH_NEXT, 0, &ulenv, usm_arr), s, "HY010");
    ERR_S(SQLGetData(s, 1, SQL_C_CHAR, cbuf, sizeof cbuf, &lenv), s, "HY010");
    ERR_S(SQLNumResultCols(s, &sm), s, "HY010");
    ERR_S(SQLDescribeCol(s, 1, cbuf, sizeof cbuf, &sm, &sm2, &ulenv, &sm3, &sm4), s, "HY010");
    ERR_S(SQLColAttribute(s, 1, SQL_DESC_NAME, cbuf, sizeof cbuf, &sm, &lenv), s, "HY010");
    ERR_S(SQLNumParams(s, &sm), s, "HY010");
    ERR_S(SQLDescribeParam(s, 1, &sm, &ulenv, &sm2, &sm3), s, "HY010");
    ERR_S(SQLRowCount(s, &lenv), s, "HY010");
    ERR_S(SQLParamData(s, &pout), s, "HY010");
    ERR_S(SQLPutData(s, cbuf, 1), s, "HY010");
    ERR_S(SQLCloseCursor(s), s, "24000");
    ERR_S(SQLSetPos(s, 1, SQL_POSITION, SQL_LOCK_NO_CHANGE), s, "HY010");
    EXPECT(SQLMoreResults(s), SQL_NO_DATA, SQL_HANDLE_STMT, s, NULL);
    EXPECT_OK(SQLCancel(s), SQL_HANDLE_STMT, s);

    /* prepared, not executed */
    must(SQLPrepare(s, S("SELECT 1 AS a, 'x' AS b WHERE ? IS NULL"), SQL_NTS), "prepare");
    ERR_S(SQLFetch(s), s, "HY010");
    ERR_S(SQLGetData(s, 1, SQL_C_CHAR, cbuf, sizeof cbuf, &lenv), s, "HY010");
    ERR_S(SQLRowCount(s, &lenv), s, "HY010");
    EXPECT_OK(SQLNumResultCols(s, &sm), SQL_HANDLE_STMT, s);
    ERR_S(SQLDescribeCol(s, 0, cbuf, sizeof cbuf, &sm, &sm2, &ulenv, &sm3, &sm4), s, "07009");
    ERR_S(SQLDescribeCol(s, 3, cbuf, sizeof cbuf, &sm, &sm2, &ulenv, &sm3, &sm4), s, "07009");
    ERR_S(SQLDescribeCol(s, 1, cbuf, -1, &sm, &sm2, &ulenv, &sm3, &sm4), s, "HY090");
    ERR_S(SQLDescribeColW(s, 1, wbuf, -1, &sm, &sm2, &ulenv, &sm3, &sm4), s, "HY090");
    ERR_S(SQLColAttribute(s, 3, SQL_DESC_NAME, cbuf, sizeof cbuf, &sm, &lenv), s, "07009");
    ERR_S(SQLColAttribute(s, 1, 9999, cbuf, sizeof cbuf, &sm, &lenv), s, "HY091");
    ERR_S(SQLColAttributeW(s, 1, 9999, wbuf, sizeof wbuf, &sm, &lenv), s, "HY091");
    ERR_S(SQLDescribeParam(s, 0, &sm, &ulenv, &sm2, &sm3), s, "07009");
    ERR_S(SQLDescribeParam(s, 2, &sm, &ulenv, &sm2, &sm3), s, "07009");
    /* a parameter marker left unbound */
    ERR_S(SQLExecute(s), s, "07002");
    /* binding past the statement's markers is allowed; executing uses what it needs */
    lenv = SQL_NULL_DATA;
    EXPECT_OK(SQLBindParameter(s, 5, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 10, 0, cbuf, 10, &lenv), SQL_HANDLE_STMT, s);
    ERR_S(SQLExecute(s), s, "07002");
    static SQLLEN nul_ind = SQL_NULL_DATA;
    EXPECT_OK(SQLBindParameter(s, 1, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 10, 0, cbuf, 10, &nul_ind), SQL_HANDLE_STMT, s);
    EXPECT_OK(SQLExecute(s), SQL_HANDLE_STMT, s);
    /* on a result set, before the first fetch */
    ERR_S(SQLGetData(s, 1, SQL_C_CHAR, cbuf, sizeof cbuf, &lenv), s, "24000");
    ERR_S(SQLFetchScroll(s, SQL_FETCH_PRIOR, 0), s, "HY106");
    ERR_S(SQLFetchScroll(s, 99, 0), s, "HY106");
    EXPECT_OK(SQLFetch(s), SQL_HANDLE_STMT, s);
    ERR_S(SQLGetData(s, 7, SQL_C_CHAR, cbuf, sizeof cbuf, &lenv), s, "07009");
    ERR_S(SQLGetData(s, 0, SQL_C_CHAR, cbuf, sizeof cbuf, &lenv), s, "07009");
    ERR_S(SQLGetData(s, 1, SQL_C_CHAR, cbuf, -1, &lenv), s, "HY090");
    ERR_S(SQLGetData(s, 1, 9999, cbuf, sizeof cbuf, &lenv), s, "HY003");
    ERR_S(SQLSetPos(s, 1, 77, SQL_LOCK_NO_CHANGE), s, "HY092");
    ERR_S(SQLSetPos(s, 5, SQL_POSITION, SQL_LOCK_NO_CHANGE), s, "HY107");
    /* a cursor is open: these attributes cannot change now */
    ERR_S(SQLSetStmtAttr(s, SQL_ATTR_CURSOR_TYPE, (SQLPOINTER)SQL_CURSOR_STATIC, 0), s, "24000");
    ERR_S(SQLSetCursorName(s, S("later"), SQL_NTS), s, "24000");
    EXPECT(SQLFetch(s), SQL_NO_DATA, SQL_HANDLE_STMT, s, NULL);
    ERR_S(SQLGetData(s, 1, SQL_C_CHAR, cbuf, sizeof cbuf, &lenv), s, "24000");
    EXPECT_OK(SQLCloseCursor(s), SQL_HANDLE_STMT, s);
    ERR_S(SQLCloseCursor(s), s, "24000");
    ERR_S(SQLFetch(s), s, "HY010"); /* closed: back to "prepared" */
    EXPECT_OK(SQLFreeStmt(s, SQL_RESET_PARAMS), SQL_HANDLE_STMT, s);

    /* executed, no result set */
    must(SQLExecDirect(s, S("CREATE TEMP TABLE IF NOT EXISTS m(a, b)"), SQL_NTS), "create temp");
    ERR_S(SQLFetch(s), s, "24000");
    ERR_S(SQLGetData(s, 1, SQL_C_CHAR, cbuf, sizeof cbuf, &lenv), s, "24000");
    ERR_S(SQLColAttribute(s, 1, SQL_DESC_NAME, cbuf, sizeof cbuf, &sm, &lenv), s, "07005");
    ERR_S(SQLDescribeCol(s, 1, cbuf, sizeof cbuf, &sm, &sm2, &ulenv, &sm3, &sm4), s, "07005");
    EXPECT_OK(SQLRowCount(s, &lenv), SQL_HANDLE_STMT, s);
    EXPECT_OK(SQLFreeStmt(s, SQL_CLOSE), SQL_HANDLE_STMT, s);

    /* data at execution pending */
    static SQLLEN dae = SQL_DATA_AT_EXEC;
    must(SQLPrepare(s, S("INSERT INTO temp.m VALUES (?, 1)"), SQL_NTS), "prepare insert");
    must(SQLBindParameter(s, 1, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 100, 0, (SQLPOINTER)1, 0, &dae), "bind dae");
    EXPECT(SQLExecute(s), SQL_NEED_DATA, SQL_HANDLE_STMT, s, NULL);
    ERR_S(SQLPutData(s, S("x"), 1), s, "HY010"); /* SQLParamData must name the parameter first */
    ERR_S(SQLExecDirect(s, S("SELECT 1"), SQL_NTS), s, "HY010");
    ERR_S(SQLExecute(s), s, "HY010");
    ERR_S(SQLPrepare(s, S("SELECT 1"), SQL_NTS), s, "HY010");
    ERR_S(SQLFetch(s), s, "HY010");
    ERR_S(SQLGetData(s, 1, SQL_C_CHAR, cbuf, sizeof cbuf, &lenv), s, "HY010");
    ERR_S(SQLBindParameter(s, 1, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 10, 0, cbuf, 10, &lenv), s, "HY010");
    ERR_C(SQLDisconnect(dbc), dbc, "HY010");
    EXPECT(SQLParamData(s, &pout), SQL_NEED_DATA, SQL_HANDLE_STMT, s, NULL);
    if (pout != (SQLPOINTER)1) {
        mismatches++;
        printf("MISMATCH [sequences]: SQLParamData returned token %p, want %p\n", pout, (void *)1);
    }
    ERR_S(SQLPutData(s, S("abc"), -77), s, "HY090");
    ERR_S(SQLPutData(s, NULL, 5), s, "HY009");
    EXPECT_OK(SQLPutData(s, S("abc"), SQL_NTS), SQL_HANDLE_STMT, s);
    EXPECT_OK(SQLParamData(s, &pout), SQL_HANDLE_STMT, s);
    ERR_S(SQLPutData(s, S("x"), 1), s, "HY010");
    ERR_S(SQLParamData(s, &pout), s, "HY010");
    /* cancelled data at execution leaves the statement usable */
    EXPECT(SQLExecute(s), SQL_NEED_DATA, SQL_HANDLE_STMT, s, NULL);
    EXPECT_OK(SQLCancel(s), SQL_HANDLE_STMT, s);
    EXPECT_OK(SQLExecDirect(s, S("SELECT count(*) FROM temp.m"), SQL_NTS), SQL_HANDLE_STMT, s);
    EXPECT_OK(SQLFetch(s), SQL_HANDLE_STMT, s);
    SQLINTEGER count = -1;
    EXPECT_OK(SQLGetData(s, 1, SQL_C_SLONG, &count, 0, NULL), SQL_HANDLE_STMT, s);
    if (count != 1) {
        mismatches++;
        printf("MISMATCH [sequences]: %d rows after one completed and one cancelled insert, want 1\n",
               (int)count);
    }
    EXPECT_OK(SQLFreeHandle(SQL_HANDLE_STMT, s), SQL_HANDLE_STMT, s);
    /* a freed statement is gone for good */
    EXPECT_INV(SQLFetch(s));
    EXPECT_INV(SQLFreeHandle(SQL_HANDLE_STMT, s));
}

static void part_descriptors(SQLHDBC dbc)
{
    section = "descriptors";
    SQLHSTMT s;
    SQLHDESC d, ird, ard;
    must(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &s), "alloc stmt");
    must(SQLAllocHandle(SQL_HANDLE_DESC, dbc, &d), "alloc desc");
    must(SQLGetStmtAttr(s, SQL_ATTR_IMP_ROW_DESC, &ird, 0, NULL), "IRD");
    must(SQLGetStmtAttr(s, SQL_ATTR_APP_ROW_DESC, &ard, 0, NULL), "ARD");
    ERR_D(SQLGetDescField(d, 0, 9999, &iv, 0, NULL), d, "HY091");
    ERR_D(SQLSetDescField(d, 0, 9999, (SQLPOINTER)1, 0), d, "HY091");
    ERR_D(SQLGetDescFieldW(d, 0, 9999, &iv, 0, NULL), d, "HY091");
    ERR_D(SQLSetDescFieldW(d, 0, 9999, (SQLPOINTER)1, 0), d, "HY091");
    ERR_D(SQLSetDescField(d, -1, SQL_DESC_TYPE, (SQLPOINTER)SQL_C_CHAR, 0), d, "07009");
    ERR_D(SQLGetDescField(d, -1, SQL_DESC_TYPE, &sm, 0, NULL), d, "07009");
    /* the consistency check runs when DATA_PTR is set */
    EXPECT_OK(SQLSetDescField(d, 1, SQL_DESC_TYPE, (SQLPOINTER)9999, 0), SQL_HANDLE_DESC, d);
    ERR_D(SQLSetDescField(d, 1, SQL_DESC_DATA_PTR, cbuf, 0), d, "HY021");
    ERR_D(SQLSetDescField(d, 0, SQL_DESC_ALLOC_TYPE, (SQLPOINTER)SQL_DESC_ALLOC_AUTO, 0), d, "HY091");
    ERR_D(SQLSetDescRec(d, -1, SQL_C_CHAR, 0, 10, 0, 0, cbuf, &lenv, &lenv), d, "07009");
    EXPECT(SQLGetDescRec(d, 5, cbuf, sizeof cbuf, &sm, &sm2, &sm3, &lenv, &sm4, &sm5, &sm), SQL_NO_DATA, SQL_HANDLE_DESC, d, NULL);
    /* no HY090 in SQLGetDescRec's table: a negative length means no room */
    EXPECT(SQLGetDescRec(d, 1, cbuf, -1, &sm, &sm2, &sm3, &lenv, &sm4, &sm5, &sm), SQL_SUCCESS_WITH_INFO, SQL_HANDLE_DESC, d, "01004");
    EXPECT(SQLGetDescField(d, 5, SQL_DESC_TYPE, &sm, 0, NULL), SQL_NO_DATA, SQL_HANDLE_DESC, d, NULL);
    /* the IRD is read-only for the application */
    ERR_D(SQLSetDescField(ird, 1, SQL_DESC_TYPE, (SQLPOINTER)SQL_C_CHAR, 0), ird, "HY016");
    ERR_D(SQLSetDescRec(ird, 1, SQL_C_CHAR, 0, 10, 0, 0, cbuf, &lenv, &lenv), ird, "HY016");
    ERR_D(SQLCopyDesc(ard, ird), ird, "HY016");
    /* an IRD before anything was prepared: no data to copy */
    ERR_D(SQLCopyDesc(ird, d), d, "HY007");
    EXPECT_OK(SQLCopyDesc(ard, d), SQL_HANDLE_DESC, d);
    /* an explicit descriptor used as ARD survives its statement's use */
    EXPECT_OK(SQLSetStmtAttr(s, SQL_ATTR_APP_ROW_DESC, d, 0), SQL_HANDLE_STMT, s);
    EXPECT_OK(SQLFreeHandle(SQL_HANDLE_DESC, d), SQL_HANDLE_DESC, d);
    EXPECT_INV(SQLGetDescField(d, 0, SQL_DESC_COUNT, &sm, 0, NULL));
    SQLHDESC now = NULL;
    EXPECT_OK(SQLGetStmtAttr(s, SQL_ATTR_APP_ROW_DESC, &now, 0, NULL), SQL_HANDLE_STMT, s);
    if (now != ard) {
        mismatches++;
        printf("MISMATCH [descriptors]: freeing the explicit ARD did not restore the implicit one\n");
    }
    /* implicit descriptors die with their statement */
    EXPECT_OK(SQLFreeHandle(SQL_HANDLE_STMT, s), SQL_HANDLE_STMT, s);
    EXPECT_INV(SQLGetDescField(ird, 0, SQL_DESC_COUNT, &sm, 0, NULL));
    EXPECT_INV(SQLSetDescField(ard, 1, SQL_DESC_TYPE, (SQLPOINTER)SQL_C_CHAR, 0));
}

static void part_diagnostics(SQLHENV env, SQLHDBC dbc)
{
    section = "diagnostics";
    SQLHSTMT s;
    must(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &s), "alloc stmt");
    SQLExecDirect(s, S("SELEKT"), SQL_NTS); /* one record to read */
    EXPECT(SQLGetDiagRec(SQL_HANDLE_STMT, s, 0, cbuf, &iv, cbuf + 10, 100, &sm), SQL_ERROR, 0, NULL, NULL);
    EXPECT(SQLGetDiagRec(SQL_HANDLE_STMT, s, -1, cbuf, &iv, cbuf + 10, 100, &sm), SQL_ERROR, 0, NULL, NULL);
    EXPECT(SQLGetDiagRec(SQL_HANDLE_STMT, s, 1, cbuf, &iv, cbuf + 10, -1, &sm), SQL_ERROR, 0, NULL, NULL);
    EXPECT(SQLGetDiagRec(SQL_HANDLE_STMT, s, 2, cbuf, &iv, cbuf + 10, 100, &sm), SQL_NO_DATA, 0, NULL, NULL);
    EXPECT(SQLGetDiagRecW(SQL_HANDLE_STMT, s, 0, wbuf, &iv, wbuf + 10, 100, &sm), SQL_ERROR, 0, NULL, NULL);
    EXPECT(SQLGetDiagRecW(SQL_HANDLE_STMT, s, 1, wbuf, &iv, wbuf + 10, -1, &sm), SQL_ERROR, 0, NULL, NULL);
    EXPECT(SQLGetDiagField(SQL_HANDLE_STMT, s, 0, 9999, &iv, 0, &sm), SQL_ERROR, 0, NULL, NULL);
    EXPECT(SQLGetDiagField(SQL_HANDLE_STMT, s, 1, SQL_DIAG_MESSAGE_TEXT, cbuf, -1, &sm), SQL_ERROR, 0, NULL, NULL);
    EXPECT(SQLGetDiagField(SQL_HANDLE_STMT, s, 0, SQL_DIAG_NUMBER, &iv, 0, &sm), SQL_SUCCESS, 0, NULL, NULL);
    EXPECT(SQLGetDiagField(SQL_HANDLE_STMT, s, 5, SQL_DIAG_SQLSTATE, cbuf, 10, &sm), SQL_NO_DATA, 0, NULL, NULL);
    /* statement-only header fields on other handles */
    EXPECT(SQLGetDiagField(SQL_HANDLE_DBC, dbc, 0, SQL_DIAG_ROW_COUNT, &lenv, 0, &sm), SQL_ERROR, 0, NULL, NULL);
    EXPECT(SQLGetDiagField(SQL_HANDLE_ENV, env, 0, SQL_DIAG_CURSOR_ROW_COUNT, &lenv, 0, &sm), SQL_ERROR, 0, NULL, NULL);
    EXPECT(SQLGetDiagFieldW(SQL_HANDLE_STMT, s, 0, 9999, &iv, 0, &sm), SQL_ERROR, 0, NULL, NULL);
    EXPECT_OK(SQLFreeHandle(SQL_HANDLE_STMT, s), SQL_HANDLE_STMT, s);
}

/* ---------- part 4: through the driver manager ----------------------------- */

typedef SQLRETURN (*fn_alloc)(SQLSMALLINT, SQLHANDLE, SQLHANDLE *);
typedef SQLRETURN (*fn_free)(SQLSMALLINT, SQLHANDLE);
typedef SQLRETURN (*fn_seteattr)(SQLHENV, SQLINTEGER, SQLPOINTER, SQLINTEGER);
typedef SQLRETURN (*fn_dconn)(SQLHDBC, SQLHWND, SQLCHAR *, SQLSMALLINT, SQLCHAR *,
                              SQLSMALLINT, SQLSMALLINT *, SQLUSMALLINT);
typedef SQLRETURN (*fn_h)(SQLHANDLE);
typedef SQLRETURN (*fn_str)(SQLHSTMT, SQLCHAR *, SQLINTEGER);
typedef SQLRETURN (*fn_diag)(SQLSMALLINT, SQLHANDLE, SQLSMALLINT, SQLCHAR *, SQLINTEGER *,
                             SQLCHAR *, SQLSMALLINT, SQLSMALLINT *);
typedef SQLRETURN (*fn_getdata)(SQLHSTMT, SQLUSMALLINT, SQLSMALLINT, SQLPOINTER, SQLLEN,
                                SQLLEN *);
typedef SQLRETURN (*fn_setcattr)(SQLHDBC, SQLINTEGER, SQLPOINTER, SQLINTEGER);
typedef SQLRETURN (*fn_bindparam)(SQLHSTMT, SQLUSMALLINT, SQLSMALLINT, SQLSMALLINT, SQLSMALLINT,
                                  SQLULEN, SQLSMALLINT, SQLPOINTER, SQLLEN, SQLLEN *);

static struct {
    fn_alloc alloc;
    fn_free free_;
    fn_seteattr seteattr;
    fn_dconn dconn;
    fn_h disconnect, fetch, execute, cancel;
    fn_str prepare, execdirect;
    fn_diag diag;
    fn_getdata getdata;
    fn_setcattr setcattr;
    fn_bindparam bindparam;
    SQLRETURN (*freestmt)(SQLHSTMT, SQLUSMALLINT);
    SQLRETURN (*getinfo)(SQLHDBC, SQLUSMALLINT, SQLPOINTER, SQLSMALLINT, SQLSMALLINT *);
} dm;

static void dm_check(const char *what, int line, SQLRETURN rc, SQLRETURN want_rc,
                     SQLSMALLINT htype, SQLHANDLE h, const char *want_state)
{
    calls++;
    char state[6] = "";
    if (want_state && h) {
        SQLINTEGER native;
        SQLCHAR msg[512];
        SQLSMALLINT len;
        if (dm.diag(htype, h, 1, (SQLCHAR *)state, &native, msg, sizeof msg, &len) != SQL_SUCCESS)
            state[0] = 0;
    }
    if (rc != want_rc || (want_state && strcmp(state, want_state) != 0)) {
        mismatches++;
        printf("MISMATCH [driver manager] line %d: %s -> %s %s, want %s %s\n", line, what,
               rc_name(rc), state, rc_name(want_rc), want_state ? want_state : "");
    }
}
#define DM(call, want_rc, htype, h, st) dm_check(#call, __LINE__, (call), (want_rc), (htype), (h), (st))

static int part_driver_manager(const char *connstr)
{
    section = "driver manager";
    void *lib = dlopen("libodbc.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        printf("FAIL: cannot load unixODBC (libodbc.so.2): %s\n", dlerror());
        mismatches++;
        return 0;
    }
#define SYM(field, name)                                                   \
    do {                                                                   \
        *(void **)&dm.field = dlsym(lib, name);                            \
        if (!dm.field) {                                                   \
            printf("FAIL: unixODBC has no %s\n", name);                    \
            mismatches++;                                                  \
            return 0;                                                      \
        }                                                                  \
    } while (0)
    SYM(alloc, "SQLAllocHandle");
    SYM(free_, "SQLFreeHandle");
    SYM(seteattr, "SQLSetEnvAttr");
    SYM(dconn, "SQLDriverConnect");
    SYM(disconnect, "SQLDisconnect");
    SYM(fetch, "SQLFetch");
    SYM(execute, "SQLExecute");
    SYM(prepare, "SQLPrepare");
    SYM(execdirect, "SQLExecDirect");
    SYM(diag, "SQLGetDiagRec");
    SYM(getdata, "SQLGetData");
    SYM(setcattr, "SQLSetConnectAttr");
    SYM(bindparam, "SQLBindParameter");
    SYM(freestmt, "SQLFreeStmt");
    SYM(getinfo, "SQLGetInfo");
    SYM(cancel, "SQLCancel");
    /* the DM's own symbols must be what we call, not the driver linked in */
    if ((void *)dm.fetch == (void *)SQLFetch) {
        printf("FAIL: dlsym resolved SQLFetch to the statically linked driver\n");
        mismatches++;
        return 0;
    }
    SQLHENV env;
    SQLHDBC dbc;
    SQLHSTMT s;
    DM(dm.fetch(SQL_NULL_HANDLE), SQL_INVALID_HANDLE, 0, NULL, NULL);
    DM(dm.disconnect(SQL_NULL_HANDLE), SQL_INVALID_HANDLE, 0, NULL, NULL);
    DM(dm.alloc(SQL_HANDLE_DBC, SQL_NULL_HANDLE, &dbc), SQL_INVALID_HANDLE, 0, NULL, NULL);
    if (!SQL_SUCCEEDED(dm.alloc(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env)))
        return 0;
    DM(dm.alloc(SQL_HANDLE_DBC, env, &dbc), SQL_ERROR, SQL_HANDLE_ENV, env, "HY010");
    DM(dm.seteattr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0), SQL_SUCCESS, 0, NULL, NULL);
    DM(dm.alloc(SQL_HANDLE_DBC, env, &dbc), SQL_SUCCESS, 0, NULL, NULL);
    DM(dm.alloc(SQL_HANDLE_STMT, dbc, &s), SQL_ERROR, SQL_HANDLE_DBC, dbc, "08003");
    DM(dm.disconnect(dbc), SQL_ERROR, SQL_HANDLE_DBC, dbc, "08003");
    DM(dm.getinfo(dbc, SQL_DRIVER_NAME, cbuf, sizeof cbuf, &sm), SQL_ERROR, SQL_HANDLE_DBC, dbc, "08003");
    char dsn[640];
    snprintf(dsn, sizeof dsn, "DRIVER=libSQL;%s", connstr);
    DM(dm.dconn(dbc, NULL, S(dsn), -7, NULL, 0, NULL, SQL_DRIVER_NOPROMPT), SQL_ERROR, SQL_HANDLE_DBC, dbc, "HY090");
    /* the value check is the driver's: the DM passes it through */
    DM(dm.setcattr(dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)7, 0), SQL_ERROR, SQL_HANDLE_DBC, dbc, "HY024");
    DM(dm.dconn(dbc, NULL, S(dsn), SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT), SQL_SUCCESS, 0, NULL, NULL);
    DM(dm.free_(SQL_HANDLE_DBC, dbc), SQL_ERROR, SQL_HANDLE_DBC, dbc, "HY010");
    DM(dm.free_(SQL_HANDLE_ENV, env), SQL_ERROR, SQL_HANDLE_ENV, env, "HY010");
    DM(dm.alloc(SQL_HANDLE_STMT, dbc, &s), SQL_SUCCESS, 0, NULL, NULL);
    DM(dm.fetch(dbc), SQL_INVALID_HANDLE, 0, NULL, NULL);
    DM(dm.fetch(s), SQL_ERROR, SQL_HANDLE_STMT, s, "HY010");
    DM(dm.execute(s), SQL_ERROR, SQL_HANDLE_STMT, s, "HY010");
    DM(dm.prepare(s, NULL, SQL_NTS), SQL_ERROR, SQL_HANDLE_STMT, s, "HY009");
    DM(dm.prepare(s, S("SELECT 1"), -5), SQL_ERROR, SQL_HANDLE_STMT, s, "HY090");
    DM(dm.getdata(s, 1, SQL_C_CHAR, cbuf, sizeof cbuf, &lenv), SQL_ERROR, SQL_HANDLE_STMT, s, "HY010");
    DM(dm.execdirect(s, S("SELECT 1"), SQL_NTS), SQL_SUCCESS, 0, NULL, NULL);
    DM(dm.fetch(s), SQL_SUCCESS, 0, NULL, NULL);
    DM(dm.getdata(s, 1, SQL_C_CHAR, cbuf, -1, &lenv), SQL_ERROR, SQL_HANDLE_STMT, s, "HY090");
    DM(dm.getdata(s, 2, SQL_C_CHAR, cbuf, sizeof cbuf, &lenv), SQL_ERROR, SQL_HANDLE_STMT, s, "07009");
    DM(dm.fetch(s), SQL_NO_DATA, 0, NULL, NULL);
    /* the cursor is still open: the DM's state machine refuses a prepare */
    DM(dm.prepare(s, S("SELECT ?"), SQL_NTS), SQL_ERROR, SQL_HANDLE_STMT, s, "24000");
    DM(dm.freestmt(s, SQL_CLOSE), SQL_SUCCESS, 0, NULL, NULL);
    static SQLLEN dae = SQL_DATA_AT_EXEC;
    DM(dm.prepare(s, S("SELECT ?"), SQL_NTS), SQL_SUCCESS, 0, NULL, NULL);
    DM(dm.bindparam(s, 1, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 10, 0, (SQLPOINTER)1, 0, &dae), SQL_SUCCESS, 0, NULL, NULL);
    DM(dm.execute(s), SQL_NEED_DATA, 0, NULL, NULL);
    DM(dm.execdirect(s, S("SELECT 2"), SQL_NTS), SQL_ERROR, SQL_HANDLE_STMT, s, "HY010");
    DM(dm.free_(SQL_HANDLE_STMT, s), SQL_ERROR, SQL_HANDLE_STMT, s, "HY010");
    DM(dm.disconnect(dbc), SQL_ERROR, SQL_HANDLE_DBC, dbc, "HY010");
    DM(dm.cancel(s), SQL_SUCCESS, 0, NULL, NULL);
    DM(dm.free_(SQL_HANDLE_STMT, s), SQL_SUCCESS, 0, NULL, NULL);
    DM(dm.disconnect(dbc), SQL_SUCCESS, 0, NULL, NULL);
    DM(dm.free_(SQL_HANDLE_DBC, dbc), SQL_SUCCESS, 0, NULL, NULL);
    DM(dm.free_(SQL_HANDLE_ENV, env), SQL_SUCCESS, 0, NULL, NULL);
    /* the library stays loaded: unixODBC keeps state for its lifetime */
    return 1;
}

/* ---------- LeakSanitizer ------------------------------------------------ */

/* run.sh exports ASAN_OPTIONS with detect_leaks=0 because the host programs
 * it runs (python, isql) are not ours; this program is, so it runs itself
 * again with leak detection on (later options win), suppressing only what
 * unixODBC and libltdl allocate for their lifetime. */
static void reexec_with_lsan(char **argv)
{
    const char *asan = getenv("ASAN_OPTIONS");
    if (!asan || getenv("REL_MISUSE_LSAN"))
        return;
    static char opts[2048], lsan[1024];
    snprintf(opts, sizeof opts, "%s:detect_leaks=1", asan);
    const char *tmp = getenv("LSQ_TEST_TMP") ? getenv("LSQ_TEST_TMP") : "/tmp";
    char supp[600];
    snprintf(supp, sizeof supp, "%s/rel_misuse.lsan.supp", tmp);
    FILE *f = fopen(supp, "w");
    if (f) {
        fputs("leak:libodbc.so\nleak:libltdl.so\nleak:libodbcinst.so\n", f);
        fclose(f);
    }
    snprintf(lsan, sizeof lsan, "suppressions=%s:print_suppressions=0%s%s", supp,
             getenv("LSAN_OPTIONS") ? ":" : "", getenv("LSAN_OPTIONS") ? getenv("LSAN_OPTIONS") : "");
    setenv("ASAN_OPTIONS", opts, 1);
    setenv("LSAN_OPTIONS", lsan, 1);
    setenv("REL_MISUSE_LSAN", "1", 1);
    execv("/proc/self/exe", argv);
    printf("FAIL: cannot re-exec with LeakSanitizer on: %s\n", strerror(errno));
    exit(1);
}

/* ---------- main ------------------------------------------------------- */

int main(int argc, char **argv)
{
    (void)argc;
    reexec_with_lsan(argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *tmp = getenv("LSQ_TEST_TMP");
    if (!tmp) {
        printf("FAIL: LSQ_TEST_TMP is not set (run through tests/integration/run.sh)\n");
        return 1;
    }
    char connstr[600];
    snprintf(connstr, sizeof connstr, "Database=%s/misuse.db;Create=1", tmp);

    int nexports = exports_in_map();

    /* live handles of every type, and freed ones */
    SQLHENV env;
    SQLHDBC dbc;
    SQLHSTMT st;
    SQLHDESC desc;
    must(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env), "alloc env");
    must(SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0), "odbc version");
    must(SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc), "alloc dbc");
    must(SQLDriverConnect(dbc, NULL, S(connstr), SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT), "connect");
    must(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st), "alloc stmt");
    must(SQLAllocHandle(SQL_HANDLE_DESC, dbc, &desc), "alloc desc");

    SQLHANDLE freed[4];
    {
        SQLHENV fe;
        SQLHDBC fc;
        SQLHSTMT fs;
        SQLHDESC fd;
        must(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &fe), "alloc env 2");
        must(SQLSetEnvAttr(fe, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0), "version 2");
        must(SQLAllocHandle(SQL_HANDLE_DBC, fe, &fc), "alloc dbc 2");
        must(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &fs), "alloc stmt 2");
        must(SQLAllocHandle(SQL_HANDLE_DESC, dbc, &fd), "alloc desc 2");
        must(SQLFreeHandle(SQL_HANDLE_STMT, fs), "free stmt 2");
        must(SQLFreeHandle(SQL_HANDLE_DESC, fd), "free desc 2");
        must(SQLFreeHandle(SQL_HANDLE_DBC, fc), "free dbc 2");
        must(SQLFreeHandle(SQL_HANDLE_ENV, fe), "free env 2");
        freed[K_ENV] = fe;
        freed[K_DBC] = fc;
        freed[K_STMT] = fs;
        freed[K_DESC] = fd;
    }
    SQLHANDLE live[4] = {env, dbc, st, desc};
    part_handles(live, freed);
    long after_handles = calls;

    part_env();
    part_connection(env, connstr);
    part_statement(dbc);
    part_sequences(dbc);
    part_descriptors(dbc);
    part_diagnostics(env, dbc);

    /* the handles of part 1 are still fine after all that */
    section = "teardown";
    EXPECT_OK(SQLFreeHandle(SQL_HANDLE_DESC, desc), SQL_HANDLE_DESC, desc);
    EXPECT_OK(SQLFreeHandle(SQL_HANDLE_STMT, st), SQL_HANDLE_STMT, st);
    EXPECT_OK(SQLDisconnect(dbc), SQL_HANDLE_DBC, dbc);
    EXPECT_OK(SQLFreeHandle(SQL_HANDLE_DBC, dbc), SQL_HANDLE_DBC, dbc);
    EXPECT_OK(SQLFreeHandle(SQL_HANDLE_ENV, env), SQL_HANDLE_ENV, env);

    long before_dm = calls;
    part_driver_manager(connstr);
    long via_dm = calls - before_dm;

    char line[512];
    snprintf(line, sizeof line,
             "exported functions %d, all exercised with null/wrong-type/freed handles; "
             "calls made %ld (handle checks %ld, argument and sequence checks %ld, "
             "through unixODBC %ld), mismatches %ld\n",
             nexports, calls, after_handles, before_dm - after_handles,
             via_dm, mismatches);
    fputs(line, stdout);
    const char *rdir = getenv("LSQ_REPORT_DIR");
    if (rdir) {
        mkdir(rdir, 0777);
        char path[700];
        snprintf(path, sizeof path, "%s/rel_misuse.txt", rdir);
        FILE *f = fopen(path, "w");
        if (f) {
            fprintf(f, "rel_misuse: %s", line);
            fprintf(f, "rel_misuse: leaks checked by LeakSanitizer at exit: %s\n",
                    getenv("REL_MISUSE_LSAN") ? "yes" : "no (not an ASan build)");
            fclose(f);
        } else {
            printf("FAIL: cannot write %s\n", path);
            mismatches++;
        }
    }
    printf("%ld passed, %ld failed\n", calls - mismatches, mismatches);
    return mismatches ? 1 : 0;
}
