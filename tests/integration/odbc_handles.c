/*
 * odbc_handles.c — handle management, attributes, diagnostics and
 * transactions through unixODBC's driver manager (run via run.sh, which
 * registers the built driver as "libSQL" and sets LSQ_TEST_TMP).
 *
 * Checks: NULL / freed / wrong-type handles -> SQL_INVALID_HANDLE, HY010
 * out-of-order calls, HY090 invalid lengths, HY092 invalid attributes,
 * HY024 invalid values, 01S02 substituted values, cursor names (3C000,
 * 34000), explicit descriptors, 08001 for a missing file, 42000 for bad SQL,
 * manual commit / rollback and rollback on disconnect.
 * Prints "N passed, M failed" and exits non-zero on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sql.h>
#include <sqlext.h>

static int passed, failed;

static void state_of(SQLSMALLINT type, SQLHANDLE h, char *state, char *msg, size_t msglen)
{
    SQLINTEGER native;
    SQLSMALLINT len;
    state[0] = msg[0] = 0;
    if (h && SQLGetDiagRec(type, h, 1, (SQLCHAR *)state, &native, (SQLCHAR *)msg,
                           (SQLSMALLINT)msglen, &len) != SQL_SUCCESS)
        state[0] = 0;
}

static void check(int ok, const char *what, SQLSMALLINT type, SQLHANDLE h)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    char st[6], msg[512];
    state_of(type, h, st, msg, sizeof msg);
    printf("FAIL: %s [%s] %s\n", what, st, msg);
}

/* rc must equal want and (if given) the first record's SQLSTATE must be `state`. */
static void expect(SQLRETURN rc, SQLRETURN want, const char *state, const char *what,
                   SQLSMALLINT type, SQLHANDLE h)
{
    char st[6] = "", msg[512] = "";
    if (state)
        state_of(type, h, st, msg, sizeof msg);
    int ok = rc == want && (!state || strcmp(st, state) == 0);
    if (!ok)
        printf("FAIL: %s: rc=%d (want %d) state=%s (want %s) %s\n", what, rc, want, st,
               state ? state : "-", msg);
    ok ? passed++ : failed++;
}

static SQLLEN count_rows(SQLHDBC dbc, const char *sql)
{
    SQLHSTMT st;
    SQLLEN n = -1, ind;
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st)))
        return -2;
    if (SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS)) &&
        SQL_SUCCEEDED(SQLFetch(st))) {
        SQLINTEGER v = -1;
        if (SQL_SUCCEEDED(SQLGetData(st, 1, SQL_C_SLONG, &v, 0, &ind)))
            n = v;
    } else {
        check(0, sql, SQL_HANDLE_STMT, st);
    }
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    return n;
}

static SQLHDBC connect_to(SQLHENV env, const char *cs)
{
    SQLHDBC dbc;
    SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
    SQLCHAR out[1024];
    SQLSMALLINT outlen = 0;
    SQLRETURN rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)cs, SQL_NTS, out, sizeof out, &outlen,
                                    SQL_DRIVER_NOPROMPT);
    check(SQL_SUCCEEDED(rc), "SQLDriverConnect", SQL_HANDLE_DBC, dbc);
    check(strstr((char *)out, "Database=") != NULL && outlen == (SQLSMALLINT)strlen((char *)out),
          "out connection string names the database", SQL_HANDLE_DBC, dbc);
    return dbc;
}

int main(void)
{
    const char *tmp = getenv("LSQ_TEST_TMP");
    if (!tmp) {
        printf("FAIL: LSQ_TEST_TMP not set: run through tests/integration/run.sh\n");
        return 1;
    }
    char cs[1024], missing_cs[1024], missing[512];
    snprintf(cs, sizeof cs, "DRIVER={libSQL};Database=%s/handles.db;Create=1", tmp);
    snprintf(missing, sizeof missing, "%s/not/there.db", tmp);
    snprintf(missing_cs, sizeof missing_cs, "DRIVER=libSQL;Database=%s", missing);

    /* ---- invalid handles ---- */
    expect(SQLAllocHandle(SQL_HANDLE_DBC, NULL, NULL), SQL_INVALID_HANDLE, NULL,
           "AllocHandle(DBC, NULL env)", 0, NULL);
    expect(SQLExecDirect(NULL, (SQLCHAR *)"SELECT 1", SQL_NTS), SQL_INVALID_HANDLE, NULL,
           "ExecDirect(NULL)", 0, NULL);
    expect(SQLFreeHandle(SQL_HANDLE_STMT, NULL), SQL_INVALID_HANDLE, NULL,
           "FreeHandle(STMT, NULL)", 0, NULL);
    expect(SQLDisconnect(NULL), SQL_INVALID_HANDLE, NULL, "Disconnect(NULL)", 0, NULL);

    SQLHENV env;
    expect(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env), SQL_SUCCESS, NULL,
           "AllocHandle(ENV)", 0, NULL);
    SQLHDBC early;
    expect(SQLAllocHandle(SQL_HANDLE_DBC, env, &early), SQL_ERROR, "HY010",
           "AllocHandle(DBC) before SQL_ATTR_ODBC_VERSION", SQL_HANDLE_ENV, env);
    expect(SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0), SQL_SUCCESS,
           NULL, "SetEnvAttr(ODBC3)", SQL_HANDLE_ENV, env);
    SQLINTEGER ver = 0;
    SQLGetEnvAttr(env, SQL_ATTR_ODBC_VERSION, &ver, 0, NULL);
    check(ver == SQL_OV_ODBC3, "GetEnvAttr(ODBC_VERSION)", SQL_HANDLE_ENV, env);

    /* ---- connect failures ---- */
    SQLHDBC bad;
    SQLAllocHandle(SQL_HANDLE_DBC, env, &bad);
    expect(SQLDriverConnect(bad, NULL, (SQLCHAR *)missing_cs, SQL_NTS, NULL, 0, NULL,
                            SQL_DRIVER_NOPROMPT),
           SQL_ERROR, "08001", "missing file without Create -> 08001", SQL_HANDLE_DBC, bad);
    {
        char st[6], msg[512];
        state_of(SQL_HANDLE_DBC, bad, st, msg, sizeof msg);
        check(strstr(msg, missing) != NULL, "08001 message names the path", SQL_HANDLE_DBC, bad);
    }
    expect(SQLDriverConnect(bad, NULL, (SQLCHAR *)"DRIVER=libSQL;AuthToken=s3cret;Database=",
                            SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT),
           SQL_ERROR, "08001", "empty Database -> 08001", SQL_HANDLE_DBC, bad);
    {
        char st[6], msg[512];
        state_of(SQL_HANDLE_DBC, bad, st, msg, sizeof msg);
        check(strstr(msg, "s3cret") == NULL, "no secret in diagnostics", SQL_HANDLE_DBC, bad);
    }
    /* Offline=1 on a replica is accepted (issue 8): this one fails only
     * because the replica's directory does not exist. */
    expect(SQLDriverConnect(bad, NULL,
                            (SQLCHAR *)"DRIVER=libSQL;Database=/nonexistent/r.db;"
                                       "SyncUrl=http://127.0.0.1:9;Offline=1",
                            SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT),
           SQL_ERROR, "08001", "Offline=1 with a missing directory -> 08001", SQL_HANDLE_DBC,
           bad);
    {
        char st[6], msg[512];
        state_of(SQL_HANDLE_DBC, bad, st, msg, sizeof msg);
        check(strstr(msg, "directory does not exist") != NULL,
              "08001 names the missing directory", SQL_HANDLE_DBC, bad);
    }
    expect(SQLFreeHandle(SQL_HANDLE_DBC, bad), SQL_SUCCESS, NULL, "free unconnected dbc", 0, NULL);

    /* ---- connection attributes ---- */
    SQLHDBC dbc = connect_to(env, cs);
    expect(SQLFreeHandle(SQL_HANDLE_DBC, dbc), SQL_ERROR, "HY010", "free connected dbc -> HY010",
           SQL_HANDLE_DBC, dbc);
    expect(SQLSetConnectAttr(dbc, 99999, (SQLPOINTER)1, 0), SQL_ERROR, "HY092",
           "SetConnectAttr(unknown) -> HY092", SQL_HANDLE_DBC, dbc);
    expect(SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)7, 0), SQL_ERROR, "HY024",
           "AUTOCOMMIT=7 -> HY024", SQL_HANDLE_DBC, dbc);
    expect(SQLSetConnectAttr(dbc, SQL_ATTR_TXN_ISOLATION, (SQLPOINTER)SQL_TXN_READ_COMMITTED, 0),
           SQL_SUCCESS_WITH_INFO, "01S02", "TXN_ISOLATION=READ_COMMITTED -> 01S02",
           SQL_HANDLE_DBC, dbc);
    SQLUINTEGER u = 0;
    SQLGetConnectAttr(dbc, SQL_ATTR_TXN_ISOLATION, &u, 0, NULL);
    check(u == SQL_TXN_SERIALIZABLE, "isolation reads back SERIALIZABLE", SQL_HANDLE_DBC, dbc);
    expect(SQLSetConnectAttr(dbc, SQL_ATTR_ASYNC_ENABLE, (SQLPOINTER)SQL_ASYNC_ENABLE_ON, 0),
           SQL_ERROR, "HYC00", "ASYNC_ENABLE=ON -> HYC00", SQL_HANDLE_DBC, dbc);
    expect(SQLSetConnectAttr(dbc, SQL_ATTR_CURRENT_CATALOG, (SQLPOINTER) "", -7), SQL_ERROR,
           "HY090", "CURRENT_CATALOG len -7 -> HY090", SQL_HANDLE_DBC, dbc);
    SQLGetConnectAttr(dbc, SQL_ATTR_AUTO_IPD, &u, 0, NULL);
    check(u == SQL_TRUE, "AUTO_IPD is true", SQL_HANDLE_DBC, dbc);
    u = 99;
    SQLGetConnectAttr(dbc, SQL_ATTR_CONNECTION_DEAD, &u, 0, NULL);
    check(u == SQL_CD_FALSE, "CONNECTION_DEAD is false", SQL_HANDLE_DBC, dbc);

    /* ---- statements ---- */
    SQLHSTMT st;
    expect(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st), SQL_SUCCESS, NULL, "AllocHandle(STMT)",
           SQL_HANDLE_DBC, dbc);
    expect(SQLGetDiagRec(SQL_HANDLE_DBC, st, 1, NULL, NULL, NULL, 0, NULL), SQL_INVALID_HANDLE,
           NULL, "stmt handle passed as DBC", 0, NULL);
    expect(SQLFetch(st), SQL_ERROR, "HY010", "Fetch before Execute -> HY010", SQL_HANDLE_STMT, st);
    expect(SQLExecDirect(st, (SQLCHAR *)"SELEC 1", SQL_NTS), SQL_ERROR, "42000",
           "syntax error -> 42000", SQL_HANDLE_STMT, st);
    {
        char origin[32] = "";
        SQLSMALLINT len;
        SQLGetDiagField(SQL_HANDLE_STMT, st, 1, SQL_DIAG_CLASS_ORIGIN, origin, sizeof origin, &len);
        check(strcmp(origin, "ISO 9075") == 0, "class origin ISO 9075", SQL_HANDLE_STMT, st);
        SQLINTEGER n = 0;
        SQLGetDiagField(SQL_HANDLE_STMT, st, 0, SQL_DIAG_NUMBER, &n, 0, NULL);
        check(n == 1, "SQL_DIAG_NUMBER == 1", SQL_HANDLE_STMT, st);
    }
    expect(SQLExecDirect(st, (SQLCHAR *)"SELECT * FROM no_such_table", SQL_NTS), SQL_ERROR,
           "42S02", "missing table -> 42S02", SQL_HANDLE_STMT, st);

    expect(SQLSetStmtAttr(st, 99999, (SQLPOINTER)1, 0), SQL_ERROR, "HY092",
           "SetStmtAttr(unknown) -> HY092", SQL_HANDLE_STMT, st);
    expect(SQLSetStmtAttr(st, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)0, 0), SQL_ERROR, "HY024",
           "ROW_ARRAY_SIZE=0 -> HY024", SQL_HANDLE_STMT, st);
    expect(SQLSetStmtAttr(st, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)5, 0), SQL_SUCCESS, NULL,
           "ROW_ARRAY_SIZE=5", SQL_HANDLE_STMT, st);
    SQLULEN ul = 0;
    SQLGetStmtAttr(st, SQL_ATTR_ROW_ARRAY_SIZE, &ul, 0, NULL);
    check(ul == 5, "ROW_ARRAY_SIZE reads back 5", SQL_HANDLE_STMT, st);
    {
        SQLHDESC ard = NULL;
        SQLULEN sz = 0;
        SQLGetStmtAttr(st, SQL_ATTR_APP_ROW_DESC, &ard, 0, NULL);
        SQLGetDescField(ard, 0, SQL_DESC_ARRAY_SIZE, &sz, 0, NULL);
        check(sz == 5, "ROW_ARRAY_SIZE is the ARD's SQL_DESC_ARRAY_SIZE", SQL_HANDLE_STMT, st);
    }
    SQLSetStmtAttr(st, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)1, 0);
    expect(SQLSetStmtAttr(st, SQL_ATTR_CURSOR_TYPE, (SQLPOINTER)SQL_CURSOR_KEYSET_DRIVEN, 0),
           SQL_SUCCESS_WITH_INFO, "01S02", "KEYSET cursor -> 01S02", SQL_HANDLE_STMT, st);
    SQLGetStmtAttr(st, SQL_ATTR_CURSOR_TYPE, &ul, 0, NULL);
    check(ul == SQL_CURSOR_STATIC, "cursor type became STATIC", SQL_HANDLE_STMT, st);
    expect(SQLSetStmtAttr(st, SQL_ATTR_CONCURRENCY, (SQLPOINTER)SQL_CONCUR_LOCK, 0),
           SQL_SUCCESS_WITH_INFO, "01S02", "CONCUR_LOCK -> 01S02", SQL_HANDLE_STMT, st);
    expect(SQLSetStmtAttr(st, SQL_ATTR_CURSOR_TYPE, (SQLPOINTER)77, 0), SQL_ERROR, "HY024",
           "CURSOR_TYPE=77 -> HY024", SQL_HANDLE_STMT, st);
    SQLSetStmtAttr(st, SQL_ATTR_CURSOR_TYPE, (SQLPOINTER)SQL_CURSOR_FORWARD_ONLY, 0);
    expect(SQLSetStmtAttr(st, SQL_ATTR_IMP_ROW_DESC, (SQLPOINTER)1, 0), SQL_ERROR, "HY017",
           "set IMP_ROW_DESC -> HY017", SQL_HANDLE_STMT, st);

    /* cursor names */
    {
        char name[64] = "";
        SQLSMALLINT len = 0;
        SQLGetCursorName(st, (SQLCHAR *)name, sizeof name, &len);
        check(strncmp(name, "SQL_CUR", 7) == 0 && len == (SQLSMALLINT)strlen(name),
              "default cursor name SQL_CUR<n>", SQL_HANDLE_STMT, st);
        SQLHSTMT st2;
        SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st2);
        expect(SQLSetCursorName(st, (SQLCHAR *)"orders_cur", SQL_NTS), SQL_SUCCESS, NULL,
               "SetCursorName", SQL_HANDLE_STMT, st);
        expect(SQLSetCursorName(st2, (SQLCHAR *)"ORDERS_CUR", SQL_NTS), SQL_ERROR, "3C000",
               "duplicate cursor name -> 3C000", SQL_HANDLE_STMT, st2);
        expect(SQLSetCursorName(st2, (SQLCHAR *)"SQL_CUR9", SQL_NTS), SQL_ERROR, "34000",
               "reserved cursor name -> 34000", SQL_HANDLE_STMT, st2);
        expect(SQLGetCursorName(st2, (SQLCHAR *)name, -1, &len), SQL_ERROR, "HY090",
               "cursor name buffer length -1 -> HY090", SQL_HANDLE_STMT, st2);
        expect(SQLGetCursorName(st, (SQLCHAR *)name, 4, &len), SQL_SUCCESS_WITH_INFO, "01004",
               "truncated cursor name -> 01004", SQL_HANDLE_STMT, st);
        check(strcmp(name, "ord") == 0 && len == 10, "truncated cursor name value",
              SQL_HANDLE_STMT, st);
        SQLFreeHandle(SQL_HANDLE_STMT, st2);
        expect(SQLFreeStmt(st2, SQL_CLOSE), SQL_INVALID_HANDLE, NULL, "freed stmt", 0, NULL);
    }

    /* explicit descriptors */
    {
        SQLHDESC d, cur = NULL, imp = NULL;
        expect(SQLAllocHandle(SQL_HANDLE_DESC, dbc, &d), SQL_SUCCESS, NULL, "AllocHandle(DESC)",
               SQL_HANDLE_DBC, dbc);
        SQLGetStmtAttr(st, SQL_ATTR_APP_ROW_DESC, &imp, 0, NULL);
        expect(SQLSetStmtAttr(st, SQL_ATTR_APP_ROW_DESC, d, 0), SQL_SUCCESS, NULL,
               "APP_ROW_DESC = explicit", SQL_HANDLE_STMT, st);
        SQLGetStmtAttr(st, SQL_ATTR_APP_ROW_DESC, &cur, 0, NULL);
        check(cur == d, "APP_ROW_DESC reads back the explicit desc", SQL_HANDLE_STMT, st);
        expect(SQLFreeHandle(SQL_HANDLE_DESC, d), SQL_SUCCESS, NULL, "free explicit desc",
               0, NULL);
        SQLGetStmtAttr(st, SQL_ATTR_APP_ROW_DESC, &cur, 0, NULL);
        check(cur == imp, "freeing it reverts to the implicit ARD", SQL_HANDLE_STMT, st);
        expect(SQLFreeHandle(SQL_HANDLE_DESC, imp), SQL_ERROR, "HY017",
               "free implicit desc -> HY017", SQL_HANDLE_DESC, imp);
    }

    /* ---- transactions ---- */
    SQLExecDirect(st, (SQLCHAR *)"DROP TABLE IF EXISTS t", SQL_NTS);
    expect(SQLExecDirect(st, (SQLCHAR *)"CREATE TABLE t(a INTEGER)", SQL_NTS), SQL_SUCCESS, NULL,
           "CREATE TABLE", SQL_HANDLE_STMT, st);
    expect(SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0),
           SQL_SUCCESS, NULL, "AUTOCOMMIT off", SQL_HANDLE_DBC, dbc);
    SQLExecDirect(st, (SQLCHAR *)"INSERT INTO t VALUES(1)", SQL_NTS);
    check(count_rows(dbc, "SELECT count(*) FROM t") == 1, "own insert visible", SQL_HANDLE_DBC, dbc);
    expect(SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_ROLLBACK), SQL_SUCCESS, NULL, "ROLLBACK",
           SQL_HANDLE_DBC, dbc);
    check(count_rows(dbc, "SELECT count(*) FROM t") == 0, "rollback drops the row",
          SQL_HANDLE_DBC, dbc);
    SQLExecDirect(st, (SQLCHAR *)"INSERT INTO t VALUES(2)", SQL_NTS);
    expect(SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT), SQL_SUCCESS, NULL, "COMMIT",
           SQL_HANDLE_DBC, dbc);
    expect(SQLEndTran(SQL_HANDLE_DBC, dbc, 42), SQL_ERROR, "HY012", "EndTran(42) -> HY012",
           SQL_HANDLE_DBC, dbc);
    SQLHDBC other = connect_to(env, cs);
    check(count_rows(other, "SELECT count(*) FROM t") == 1, "committed row seen by 2nd connection",
          SQL_HANDLE_DBC, other);
    /* a pending transaction is rolled back by SQLDisconnect */
    SQLExecDirect(st, (SQLCHAR *)"INSERT INTO t VALUES(3)", SQL_NTS);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    expect(SQLDisconnect(dbc), SQL_SUCCESS, NULL, "Disconnect with open txn", SQL_HANDLE_DBC, dbc);
    check(count_rows(other, "SELECT count(*) FROM t") == 1, "disconnect rolled back",
          SQL_HANDLE_DBC, other);
    /* autocommit on again commits */
    SQLSetConnectAttr(other, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0);
    SQLAllocHandle(SQL_HANDLE_STMT, other, &st);
    SQLExecDirect(st, (SQLCHAR *)"INSERT INTO t VALUES(4)", SQL_NTS);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    expect(SQLSetConnectAttr(other, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_ON, 0),
           SQL_SUCCESS, NULL, "AUTOCOMMIT on commits", SQL_HANDLE_DBC, other);
    expect(SQLFreeHandle(SQL_HANDLE_DBC, dbc), SQL_SUCCESS, NULL, "free disconnected dbc", 0, NULL);
    dbc = connect_to(env, cs);
    check(count_rows(dbc, "SELECT count(*) FROM t") == 2, "autocommit-on committed the row",
          SQL_HANDLE_DBC, dbc);

    /* SQLEndTran on the environment commits every connection */
    SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0);
    SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
    expect(SQLExecDirect(st, (SQLCHAR *)"INSERT INTO t VALUES(5)", SQL_NTS), SQL_SUCCESS, NULL,
           "insert in manual mode", SQL_HANDLE_STMT, st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    expect(SQLEndTran(SQL_HANDLE_ENV, env, SQL_COMMIT), SQL_SUCCESS, NULL, "EndTran(ENV, COMMIT)",
           SQL_HANDLE_ENV, env);
    check(count_rows(other, "SELECT count(*) FROM t") == 3, "env commit reached the file",
          SQL_HANDLE_DBC, other);

    SQLDisconnect(dbc);
    SQLDisconnect(other);
    expect(SQLDisconnect(other), SQL_ERROR, "08003", "disconnect twice -> 08003",
           SQL_HANDLE_DBC, other);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, other);
    expect(SQLFreeHandle(SQL_HANDLE_ENV, env), SQL_SUCCESS, NULL, "FreeHandle(ENV)", 0, NULL);

    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
