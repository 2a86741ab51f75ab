/*
 * odbc_exec.c — statement execution through unixODBC against the built
 * driver: prepare / execute / re-execute, every C parameter type round-
 * tripping through a table, NULLs, parameter arrays (row- and column-wise,
 * with a failing row), data-at-execution, SQLMoreResults, SQLRowCount,
 * SQLSTATEs of common errors, SQLNativeSql, query timeout and SQLCancel.
 *
 * Run by tests/integration/run.sh (it registers the driver as "libSQL" and
 * exports LSQ_TEST_TMP). Prints "N passed, M failed"; exits 1 on a failure.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* clock_gettime, usleep (the build also defines it) */
#endif
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sql.h>
#include <sqlext.h>

static int passed, failed;
static SQLHENV env;
static SQLHDBC dbc;
static SQLHSTMT st; /* the statement whose diagnostics CHECK prints */

/* First diagnostic record of a handle: SQLSTATE and native code. */
static void diag_of(SQLSMALLINT htype, SQLHANDLE h, char state[6], SQLINTEGER *native,
                    char *msg, SQLSMALLINT msglen)
{
    SQLSMALLINT len = 0;
    SQLINTEGER nat = 0;
    state[0] = 0;
    if (msg && msglen)
        msg[0] = 0;
    if (!SQL_SUCCEEDED(SQLGetDiagRec(htype, h, 1, (SQLCHAR *)state, &nat, (SQLCHAR *)msg,
                                     msg ? msglen : 0, &len)))
        strcpy(state, "-----");
    if (native)
        *native = nat;
}

static const char *last_state(void)
{
    static char s[6], msg[300];
    diag_of(SQL_HANDLE_STMT, st, s, NULL, msg, sizeof msg);
    return s;
}

#define CHECK(expr)                                                                    \
    do {                                                                               \
        if (expr) {                                                                    \
            passed++;                                                                  \
        } else {                                                                       \
            char s_[6], m_[300];                                                       \
            failed++;                                                                  \
            diag_of(SQL_HANDLE_STMT, st, s_, NULL, m_, sizeof m_);                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s [SQLSTATE %s: %s]\n", __FILE__,   \
                    __LINE__, #expr, s_, m_);                                          \
        }                                                                              \
    } while (0)

#define OK(rc) SQL_SUCCEEDED(rc)

static SQLRETURN run(const char *sql)
{
    return SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS);
}

/* Execute a one-value query and return its integer. */
static long long scalar(const char *sql)
{
    long long v = -999999;
    SQLLEN ind = 0;
    SQLFreeStmt(st, SQL_CLOSE);
    if (OK(run(sql)) && OK(SQLFetch(st)))
        SQLGetData(st, 1, SQL_C_SBIGINT, &v, 0, &ind);
    SQLFreeStmt(st, SQL_CLOSE);
    return ind == SQL_NULL_DATA ? -888888 : v;
}

static void scalar_text(const char *sql, char *out, SQLLEN cap)
{
    SQLLEN ind = 0;
    out[0] = 0;
    SQLFreeStmt(st, SQL_CLOSE);
    if (OK(run(sql)) && OK(SQLFetch(st)))
        SQLGetData(st, 1, SQL_C_CHAR, out, cap, &ind);
    if (ind == SQL_NULL_DATA)
        strcpy(out, "<NULL>");
    SQLFreeStmt(st, SQL_CLOSE);
}

/* ---------- prepare / execute / re-execute ------------------------------ */

static void test_prepare_execute(void)
{
    CHECK(OK(run("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT NOT NULL, v REAL)")));
    CHECK(OK(SQLPrepare(st, (SQLCHAR *)"INSERT INTO t VALUES(?, ?, ?)", SQL_NTS)));
    SQLSMALLINT np = -1;
    CHECK(OK(SQLNumParams(st, &np)) && np == 3);
    SQLINTEGER id = 0;
    char name[32];
    double v = 0;
    SQLLEN name_ind = SQL_NTS;
    CHECK(OK(SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &id, 0, NULL)));
    CHECK(OK(SQLBindParameter(st, 2, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 30, 0, name,
                              sizeof name, &name_ind)));
    CHECK(OK(SQLBindParameter(st, 3, SQL_PARAM_INPUT, SQL_C_DOUBLE, SQL_DOUBLE, 0, 0, &v, 0, NULL)));
    for (int i = 1; i <= 5; i++) {
        id = i;
        snprintf(name, sizeof name, "name%d", i);
        v = i * 1.5;
        CHECK(OK(SQLExecute(st)));
        SQLLEN rc = -5;
        CHECK(OK(SQLRowCount(st, &rc)) && rc == 1);
    }
    SQLSMALLINT ptype = 0, pdig = -1, pnull = -1;
    SQLULEN psize = 0;
    CHECK(OK(SQLDescribeParam(st, 2, &ptype, &psize, &pdig, &pnull)) && ptype == SQL_VARCHAR &&
          psize == 30);
    CHECK(SQLDescribeParam(st, 4, &ptype, &psize, &pdig, &pnull) == SQL_ERROR &&
          strcmp(last_state(), "07009") == 0);
    SQLFreeStmt(st, SQL_RESET_PARAMS);

    /* SELECT described before it runs, then re-executed many times. */
    CHECK(OK(SQLPrepare(st, (SQLCHAR *)"SELECT name, v FROM t WHERE id = ?", SQL_NTS)));
    SQLSMALLINT ncols = -1;
    CHECK(OK(SQLNumResultCols(st, &ncols)) && ncols == 2);
    char colname[32] = "";
    SQLSMALLINT namelen = 0, ctype = 0, cdig = 0, cnull = -1;
    SQLULEN csize = 0;
    CHECK(OK(SQLDescribeCol(st, 1, (SQLCHAR *)colname, sizeof colname, &namelen, &ctype, &csize,
                            &cdig, &cnull)) &&
          strcmp(colname, "name") == 0 && cnull == SQL_NO_NULLS);
    SQLDescribeCol(st, 2, (SQLCHAR *)colname, sizeof colname, &namelen, &ctype, &csize, &cdig, &cnull);
    CHECK(cnull == SQL_NULLABLE);
    CHECK(OK(SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &id, 0, NULL)));
    int good = 1;
    for (int round = 0; round < 200; round++) {
        id = round % 5 + 1;
        char buf[32] = "";
        double got = 0;
        SQLLEN ind = 0;
        if (!OK(SQLExecute(st)) || !OK(SQLFetch(st)) ||
            !OK(SQLGetData(st, 1, SQL_C_CHAR, buf, sizeof buf, &ind)) ||
            !OK(SQLGetData(st, 2, SQL_C_DOUBLE, &got, 0, &ind)) ||
            SQLFetch(st) != SQL_NO_DATA || !OK(SQLCloseCursor(st))) {
            good = 0;
            break;
        }
        char want[32];
        snprintf(want, sizeof want, "name%d", (int)id);
        if (strcmp(buf, want) != 0 || got != id * 1.5) {
            good = 0;
            break;
        }
    }
    CHECK(good);
    /* A closed cursor cannot be closed again (24000); executing with a cursor
     * open closes it implicitly. */
    CHECK(SQLCloseCursor(st) == SQL_ERROR && strcmp(last_state(), "24000") == 0);
    id = 2;
    CHECK(OK(SQLExecute(st)));
    id = 3;
    CHECK(OK(SQLExecute(st)));
    char buf[32] = "";
    SQLLEN ind = 0;
    CHECK(OK(SQLFetch(st)) && OK(SQLGetData(st, 1, SQL_C_CHAR, buf, sizeof buf, &ind)) &&
          strcmp(buf, "name3") == 0);
    /* SQLFreeStmt(SQL_CLOSE) keeps the statement prepared. */
    SQLFreeStmt(st, SQL_CLOSE);
    id = 4;
    CHECK(OK(SQLExecute(st)) && OK(SQLFetch(st)) &&
          OK(SQLGetData(st, 1, SQL_C_CHAR, buf, sizeof buf, &ind)) && strcmp(buf, "name4") == 0);
    SQLFreeStmt(st, SQL_CLOSE);
    SQLFreeStmt(st, SQL_RESET_PARAMS);

    /* An empty result set. */
    CHECK(OK(run("SELECT id FROM t WHERE id > 100")));
    CHECK(SQLFetch(st) == SQL_NO_DATA);
    CHECK(SQLFetch(st) == SQL_NO_DATA);
    SQLFreeStmt(st, SQL_CLOSE);
}

/* ---------- every C parameter type -------------------------------------- */

/* Insert one value through parameter 1 and return the row id. */
static int put_value(SQLSMALLINT ctype, SQLSMALLINT sqltype, SQLULEN size, SQLSMALLINT digits,
                     void *ptr, SQLLEN buflen, SQLLEN *ind)
{
    SQLFreeStmt(st, SQL_CLOSE);
    SQLFreeStmt(st, SQL_RESET_PARAMS);
    if (!OK(run("DELETE FROM r")))
        return 0;
    if (!OK(SQLPrepare(st, (SQLCHAR *)"INSERT INTO r(k, x) VALUES(1, ?)", SQL_NTS)))
        return 0;
    if (!OK(SQLBindParameter(st, 1, SQL_PARAM_INPUT, ctype, sqltype, size, digits, ptr, buflen, ind)))
        return 0;
    SQLRETURN rc = SQLExecute(st);
    SQLFreeStmt(st, SQL_RESET_PARAMS);
    return OK(rc);
}

/* Read r.x back with SQLGetData as ctype. */
static int get_value(SQLSMALLINT ctype, void *out, SQLLEN cap, SQLLEN *ind)
{
    SQLFreeStmt(st, SQL_CLOSE);
    int ok = OK(run("SELECT x FROM r WHERE k = 1")) && OK(SQLFetch(st)) &&
             OK(SQLGetData(st, 1, ctype, out, cap, ind));
    SQLFreeStmt(st, SQL_CLOSE);
    return ok;
}

static void test_param_types(void)
{
    char text[64];
    SQLLEN ind = 0, nts = SQL_NTS;
    long long i64 = 0;
    double d = 0;
    CHECK(OK(run("CREATE TABLE r(k INTEGER PRIMARY KEY, x)")));

    char s[] = "hello world";
    CHECK(put_value(SQL_C_CHAR, SQL_VARCHAR, 20, 0, s, sizeof s, &nts));
    CHECK(get_value(SQL_C_CHAR, text, sizeof text, &ind) && strcmp(text, "hello world") == 0);
    scalar_text("SELECT typeof(x) FROM r", text, sizeof text);
    CHECK(strcmp(text, "text") == 0);

    SQLWCHAR w[] = {'h', 0xe9, 'l', 'l', 'o', 0};
    SQLLEN wlen = 5 * sizeof(SQLWCHAR);
    CHECK(put_value(SQL_C_WCHAR, SQL_WVARCHAR, 20, 0, w, sizeof w, &wlen));
    CHECK(get_value(SQL_C_CHAR, text, sizeof text, &ind) && strcmp(text, "h\xc3\xa9llo") == 0);

    SQLINTEGER sl = -123456;
    CHECK(put_value(SQL_C_SLONG, SQL_INTEGER, 0, 0, &sl, 0, NULL));
    CHECK(get_value(SQL_C_SBIGINT, &i64, 0, &ind) && i64 == -123456);
    scalar_text("SELECT typeof(x) FROM r", text, sizeof text);
    CHECK(strcmp(text, "integer") == 0);

    SQLSMALLINT ss = -1234;
    CHECK(put_value(SQL_C_SSHORT, SQL_SMALLINT, 0, 0, &ss, 0, NULL));
    CHECK(get_value(SQL_C_SBIGINT, &i64, 0, &ind) && i64 == -1234);

    SQLSCHAR sti = -12;
    CHECK(put_value(SQL_C_STINYINT, SQL_TINYINT, 0, 0, &sti, 0, NULL));
    CHECK(get_value(SQL_C_SBIGINT, &i64, 0, &ind) && i64 == -12);

    SQLCHAR uti = 250;
    CHECK(put_value(SQL_C_UTINYINT, SQL_SMALLINT, 0, 0, &uti, 0, NULL));
    CHECK(get_value(SQL_C_SBIGINT, &i64, 0, &ind) && i64 == 250);

    SQLUINTEGER ul = 4000000000u;
    CHECK(put_value(SQL_C_ULONG, SQL_BIGINT, 0, 0, &ul, 0, NULL));
    CHECK(get_value(SQL_C_SBIGINT, &i64, 0, &ind) && i64 == 4000000000LL);

    SQLBIGINT sb = -9000000000000LL;
    CHECK(put_value(SQL_C_SBIGINT, SQL_BIGINT, 0, 0, &sb, 0, NULL));
    CHECK(get_value(SQL_C_SBIGINT, &i64, 0, &ind) && i64 == -9000000000000LL);

    SQLUBIGINT ub = 9000000000000000000ULL;
    CHECK(put_value(SQL_C_UBIGINT, SQL_BIGINT, 0, 0, &ub, 0, NULL));
    CHECK(get_value(SQL_C_SBIGINT, &i64, 0, &ind) && i64 == 9000000000000000000LL);

    SQLREAL f = 1.5f;
    CHECK(put_value(SQL_C_FLOAT, SQL_REAL, 0, 0, &f, 0, NULL));
    CHECK(get_value(SQL_C_DOUBLE, &d, 0, &ind) && d == 1.5);

    SQLDOUBLE dd = 3.25;
    CHECK(put_value(SQL_C_DOUBLE, SQL_DOUBLE, 0, 0, &dd, 0, NULL));
    CHECK(get_value(SQL_C_DOUBLE, &d, 0, &ind) && d == 3.25);
    scalar_text("SELECT typeof(x) FROM r", text, sizeof text);
    CHECK(strcmp(text, "real") == 0);

    SQLCHAR bit = 1;
    CHECK(put_value(SQL_C_BIT, SQL_BIT, 0, 0, &bit, 0, NULL));
    CHECK(get_value(SQL_C_SBIGINT, &i64, 0, &ind) && i64 == 1);

    SQL_NUMERIC_STRUCT num;
    memset(&num, 0, sizeof num);
    num.precision = 10;
    num.scale = 2;
    num.sign = 1;
    num.val[0] = 12345 & 0xff; /* 123.45 = 12345 * 10^-2, little-endian */
    num.val[1] = 12345 >> 8;
    CHECK(put_value(SQL_C_NUMERIC, SQL_NUMERIC, 10, 2, &num, sizeof num, NULL));
    CHECK(get_value(SQL_C_DOUBLE, &d, 0, &ind) && fabs(d - 123.45) < 1e-9);
    num.sign = 0; /* negative */
    CHECK(put_value(SQL_C_NUMERIC, SQL_DECIMAL, 10, 2, &num, sizeof num, NULL));
    CHECK(get_value(SQL_C_DOUBLE, &d, 0, &ind) && fabs(d + 123.45) < 1e-9);

    SQL_DATE_STRUCT date = {2024, 2, 29};
    CHECK(put_value(SQL_C_TYPE_DATE, SQL_TYPE_DATE, 10, 0, &date, 0, NULL));
    CHECK(get_value(SQL_C_CHAR, text, sizeof text, &ind) && strcmp(text, "2024-02-29") == 0);
    SQL_DATE_STRUCT date2;
    memset(&date2, 0, sizeof date2);
    CHECK(get_value(SQL_C_TYPE_DATE, &date2, sizeof date2, &ind) && date2.year == 2024 &&
          date2.month == 2 && date2.day == 29);

    SQL_TIME_STRUCT tm = {13, 45, 30};
    CHECK(put_value(SQL_C_TYPE_TIME, SQL_TYPE_TIME, 8, 0, &tm, 0, NULL));
    CHECK(get_value(SQL_C_CHAR, text, sizeof text, &ind) && strcmp(text, "13:45:30") == 0);

    SQL_TIMESTAMP_STRUCT ts = {2024, 1, 2, 3, 4, 5, 500000000};
    CHECK(put_value(SQL_C_TYPE_TIMESTAMP, SQL_TYPE_TIMESTAMP, 23, 3, &ts, 0, NULL));
    CHECK(get_value(SQL_C_CHAR, text, sizeof text, &ind) &&
          strncmp(text, "2024-01-02 03:04:05.5", 21) == 0);
    SQL_TIMESTAMP_STRUCT ts2;
    memset(&ts2, 0, sizeof ts2);
    CHECK(get_value(SQL_C_TYPE_TIMESTAMP, &ts2, sizeof ts2, &ind) && ts2.year == 2024 &&
          ts2.month == 1 && ts2.day == 2 && ts2.hour == 3 && ts2.minute == 4 &&
          ts2.second == 5 && ts2.fraction == 500000000);

    unsigned char bin[4] = {0x00, 0x01, 0x7f, 0xff};
    SQLLEN binlen = 4;
    CHECK(put_value(SQL_C_BINARY, SQL_VARBINARY, 4, 0, bin, sizeof bin, &binlen));
    unsigned char back[8];
    memset(back, 0xaa, sizeof back);
    CHECK(get_value(SQL_C_BINARY, back, sizeof back, &ind) && ind == 4 &&
          memcmp(back, bin, 4) == 0);
    scalar_text("SELECT typeof(x) FROM r", text, sizeof text);
    CHECK(strcmp(text, "blob") == 0);

    SQLINTEGER dflt = 77; /* SQL_C_DEFAULT for SQL_INTEGER is SQL_C_SLONG */
    CHECK(put_value(SQL_C_DEFAULT, SQL_INTEGER, 0, 0, &dflt, 0, NULL));
    CHECK(get_value(SQL_C_SBIGINT, &i64, 0, &ind) && i64 == 77);

    SQLLEN null_ind = SQL_NULL_DATA;
    CHECK(put_value(SQL_C_CHAR, SQL_VARCHAR, 10, 0, s, sizeof s, &null_ind));
    CHECK(get_value(SQL_C_CHAR, text, sizeof text, &ind) && ind == SQL_NULL_DATA);
    CHECK(scalar("SELECT x IS NULL FROM r") == 1);

    /* Invalid bindings. */
    CHECK(SQLBindParameter(st, 1, SQL_PARAM_INPUT, 9999, SQL_INTEGER, 0, 0, &sl, 0, NULL) == SQL_ERROR &&
          strcmp(last_state(), "HY003") == 0);
    CHECK(SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SLONG, 9999, 0, 0, &sl, 0, NULL) == SQL_ERROR &&
          strcmp(last_state(), "HY004") == 0);
    CHECK(SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_NUMERIC, SQL_NUMERIC, 5, 9, &num, 0, NULL) == SQL_ERROR &&
          strcmp(last_state(), "HY104") == 0);
    CHECK(SQLBindParameter(st, 1, 77, SQL_C_SLONG, SQL_INTEGER, 0, 0, &sl, 0, NULL) == SQL_ERROR &&
          strcmp(last_state(), "HY105") == 0);
    SQLFreeStmt(st, SQL_RESET_PARAMS);

    /* A parameter left unbound: 07002. */
    CHECK(OK(SQLPrepare(st, (SQLCHAR *)"SELECT ?", SQL_NTS)));
    CHECK(SQLExecute(st) == SQL_ERROR && strcmp(last_state(), "07002") == 0);
    /* A '?' inside a literal or comment is not a parameter. */
    SQLSMALLINT np = -1;
    CHECK(OK(SQLPrepare(st, (SQLCHAR *)"SELECT '?', ? /* ? */ -- ?\n", SQL_NTS)) &&
          OK(SQLNumParams(st, &np)) && np == 1);
}

/* ---------- parameter arrays -------------------------------------------- */

static void test_param_arrays(void)
{
    CHECK(OK(run("CREATE TABLE a(id INTEGER PRIMARY KEY, v TEXT NOT NULL)")));

    /* Column-wise: the third row repeats a key and fails alone. */
    SQLINTEGER ids[4] = {1, 2, 2, 3};
    char vals[4][8] = {"one", "two", "dup", "three"};
    SQLLEN vind[4] = {SQL_NTS, SQL_NTS, SQL_NTS, SQL_NTS};
    SQLUSMALLINT status[4] = {99, 99, 99, 99};
    SQLULEN processed = 0;
    CHECK(OK(SQLSetStmtAttr(st, SQL_ATTR_PARAM_BIND_TYPE, (SQLPOINTER)SQL_PARAM_BIND_BY_COLUMN, 0)));
    CHECK(OK(SQLSetStmtAttr(st, SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)4, 0)));
    CHECK(OK(SQLSetStmtAttr(st, SQL_ATTR_PARAM_STATUS_PTR, status, 0)));
    CHECK(OK(SQLSetStmtAttr(st, SQL_ATTR_PARAMS_PROCESSED_PTR, &processed, 0)));
    CHECK(OK(SQLPrepare(st, (SQLCHAR *)"INSERT INTO a VALUES(?, ?)", SQL_NTS)));
    CHECK(OK(SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, ids, 0, NULL)));
    CHECK(OK(SQLBindParameter(st, 2, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 7, 0, vals, 8, vind)));
    SQLRETURN rc = SQLExecute(st);
    CHECK(rc == SQL_SUCCESS_WITH_INFO);
    CHECK(strcmp(last_state(), "23000") == 0);
    SQLLEN rown = 0;
    CHECK(OK(SQLGetDiagField(SQL_HANDLE_STMT, st, 1, SQL_DIAG_ROW_NUMBER, &rown, 0, NULL)) && rown == 3);
    CHECK(processed == 4);
    CHECK(status[0] == SQL_PARAM_SUCCESS && status[1] == SQL_PARAM_SUCCESS &&
          status[2] == SQL_PARAM_ERROR && status[3] == SQL_PARAM_SUCCESS);
    SQLLEN count = -5;
    CHECK(OK(SQLRowCount(st, &count)) && count == 3);
    CHECK(scalar("SELECT count(*) FROM a") == 3);
    SQLFreeStmt(st, SQL_RESET_PARAMS);

    /* Row-wise, with one row ignored and one NULL violating NOT NULL. */
    struct row { SQLINTEGER id; SQLLEN id_ind; char v[8]; SQLLEN v_ind; } rows[4] = {
        {10, 0, "ten", SQL_NTS}, {11, 0, "", SQL_NULL_DATA},
        {12, 0, "twelve", SQL_NTS}, {13, 0, "skip", SQL_NTS}};
    SQLUSMALLINT ops[4] = {SQL_PARAM_PROCEED, SQL_PARAM_PROCEED, SQL_PARAM_PROCEED, SQL_PARAM_IGNORE};
    for (int i = 0; i < 4; i++)
        status[i] = 99;
    processed = 0;
    CHECK(OK(SQLSetStmtAttr(st, SQL_ATTR_PARAM_BIND_TYPE, (SQLPOINTER)sizeof(struct row), 0)));
    CHECK(OK(SQLSetStmtAttr(st, SQL_ATTR_PARAM_OPERATION_PTR, ops, 0)));
    CHECK(OK(SQLPrepare(st, (SQLCHAR *)"INSERT INTO a VALUES(?, ?)", SQL_NTS)));
    CHECK(OK(SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &rows[0].id, 0,
                              &rows[0].id_ind)));
    CHECK(OK(SQLBindParameter(st, 2, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 7, 0, rows[0].v, 8,
                              &rows[0].v_ind)));
    rc = SQLExecute(st);
    CHECK(rc == SQL_SUCCESS_WITH_INFO && strcmp(last_state(), "23000") == 0);
    CHECK(processed == 3);
    CHECK(status[0] == SQL_PARAM_SUCCESS && status[1] == SQL_PARAM_ERROR &&
          status[2] == SQL_PARAM_SUCCESS && status[3] == SQL_PARAM_UNUSED);
    count = -5;
    CHECK(OK(SQLRowCount(st, &count)) && count == 2);
    CHECK(scalar("SELECT count(*) FROM a WHERE id >= 10") == 2);

    /* A packed row layout (as pyodbc's fast_executemany builds): values and
     * indicators at unaligned addresses. */
    SQLSetStmtAttr(st, SQL_ATTR_PARAM_OPERATION_PTR, NULL, 0);
#pragma pack(push, 1)
    struct packed { char pad; SQLBIGINT id; SQLLEN id_ind; SQLDOUBLE v; SQLLEN v_ind; } pk[2] = {
        {0, 20, 0, 2.5, 0}, {0, 21, 0, 0, SQL_NULL_DATA}};
#pragma pack(pop)
    CHECK(OK(SQLSetStmtAttr(st, SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)2, 0)));
    CHECK(OK(SQLSetStmtAttr(st, SQL_ATTR_PARAM_BIND_TYPE, (SQLPOINTER)sizeof(struct packed), 0)));
    CHECK(OK(SQLPrepare(st, (SQLCHAR *)"INSERT INTO a VALUES(?, coalesce(?, 'null'))", SQL_NTS)));
    CHECK(OK(SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT, 0, 0, &pk[0].id, 0,
                              &pk[0].id_ind)));
    CHECK(OK(SQLBindParameter(st, 2, SQL_PARAM_INPUT, SQL_C_DOUBLE, SQL_DOUBLE, 0, 0, &pk[0].v, 0,
                              &pk[0].v_ind)));
    CHECK(SQLExecute(st) == SQL_SUCCESS && processed == 2);
    char text[32];
    scalar_text("SELECT group_concat(v, ',') FROM (SELECT v FROM a WHERE id IN (20, 21) ORDER BY id)",
                text, sizeof text);
    CHECK(strcmp(text, "2.5,null") == 0);

    SQLSetStmtAttr(st, SQL_ATTR_PARAM_STATUS_PTR, NULL, 0);
    SQLSetStmtAttr(st, SQL_ATTR_PARAMS_PROCESSED_PTR, NULL, 0);
    SQLSetStmtAttr(st, SQL_ATTR_PARAM_BIND_TYPE, (SQLPOINTER)SQL_PARAM_BIND_BY_COLUMN, 0);
    SQLSetStmtAttr(st, SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)1, 0);
    SQLFreeStmt(st, SQL_RESET_PARAMS);
}

/* ---------- data at execution ------------------------------------------- */

static void test_data_at_exec(void)
{
    CHECK(OK(run("CREATE TABLE d(id INTEGER, body TEXT, bin BLOB)")));
    CHECK(OK(SQLPrepare(st, (SQLCHAR *)"INSERT INTO d VALUES(?, ?, ?)", SQL_NTS)));
    SQLINTEGER id = 1;
    SQLLEN body_ind = SQL_LEN_DATA_AT_EXEC(0), bin_ind = SQL_DATA_AT_EXEC;
    CHECK(OK(SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &id, 0, NULL)));
    CHECK(OK(SQLBindParameter(st, 2, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_LONGVARCHAR, 1000, 0,
                              (SQLPOINTER)2, 0, &body_ind)));
    CHECK(OK(SQLBindParameter(st, 3, SQL_PARAM_INPUT, SQL_C_BINARY, SQL_LONGVARBINARY, 1000, 0,
                              (SQLPOINTER)3, 0, &bin_ind)));
    CHECK(SQLExecute(st) == SQL_NEED_DATA);
    SQLPOINTER token = NULL;
    CHECK(SQLParamData(st, &token) == SQL_NEED_DATA && token == (SQLPOINTER)2);
    CHECK(OK(SQLPutData(st, "abc", SQL_NTS)));
    CHECK(OK(SQLPutData(st, "defXX", 3)));
    CHECK(OK(SQLPutData(st, "ghi", SQL_NTS)));
    CHECK(SQLParamData(st, &token) == SQL_NEED_DATA && token == (SQLPOINTER)3);
    CHECK(OK(SQLPutData(st, "\x01\x02", 2)));
    CHECK(OK(SQLPutData(st, "\x00\x03\x04", 3)));
    CHECK(OK(SQLParamData(st, &token)));
    char text[64];
    scalar_text("SELECT body FROM d WHERE id = 1", text, sizeof text);
    CHECK(strcmp(text, "abcdefghi") == 0);
    CHECK(scalar("SELECT length(bin) FROM d WHERE id = 1") == 5);
    CHECK(scalar("SELECT hex(bin) = '0102000304' FROM d WHERE id = 1") == 1);

    /* Again, with NULL for the text and the sequence out of order. */
    CHECK(OK(SQLPrepare(st, (SQLCHAR *)"INSERT INTO d VALUES(?, ?, ?)", SQL_NTS)));
    id = 2;
    CHECK(SQLExecute(st) == SQL_NEED_DATA);
    CHECK(SQLPutData(st, "x", 1) == SQL_ERROR && strcmp(last_state(), "HY010") == 0);
    CHECK(SQLParamData(st, &token) == SQL_NEED_DATA && token == (SQLPOINTER)2);
    CHECK(OK(SQLPutData(st, NULL, SQL_NULL_DATA)));
    CHECK(SQLParamData(st, &token) == SQL_NEED_DATA && token == (SQLPOINTER)3);
    CHECK(OK(SQLPutData(st, "z", 1)));
    CHECK(OK(SQLParamData(st, &token)));
    CHECK(scalar("SELECT body IS NULL AND bin = x'7a' FROM d WHERE id = 2") == 1);

    /* A fixed-size type may not come in pieces (HY019); SQLCancel ends it. */
    SQLFreeStmt(st, SQL_RESET_PARAMS);
    SQLLEN id_ind = SQL_DATA_AT_EXEC;
    CHECK(OK(SQLPrepare(st, (SQLCHAR *)"INSERT INTO d(id) VALUES(?)", SQL_NTS)));
    CHECK(OK(SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0,
                              (SQLPOINTER)9, 0, &id_ind)));
    CHECK(SQLExecute(st) == SQL_NEED_DATA);
    CHECK(SQLParamData(st, &token) == SQL_NEED_DATA && token == (SQLPOINTER)9);
    SQLINTEGER v = 42;
    CHECK(OK(SQLPutData(st, &v, 0)));
    CHECK(SQLPutData(st, &v, 0) == SQL_ERROR && strcmp(last_state(), "HY019") == 0);
    CHECK(OK(SQLCancel(st)));
    CHECK(scalar("SELECT count(*) FROM d WHERE id = 42") == 0);
    /* ... and a complete one stores the value. */
    CHECK(OK(SQLPrepare(st, (SQLCHAR *)"INSERT INTO d(id) VALUES(?)", SQL_NTS)));
    CHECK(SQLExecute(st) == SQL_NEED_DATA);
    CHECK(SQLParamData(st, &token) == SQL_NEED_DATA);
    CHECK(OK(SQLPutData(st, &v, 0)));
    CHECK(OK(SQLParamData(st, &token)));
    CHECK(scalar("SELECT count(*) FROM d WHERE id = 42") == 1);
    SQLFreeStmt(st, SQL_RESET_PARAMS);
}

/* ---------- several statements, row counts ------------------------------ */

static void test_more_results(void)
{
    SQLLEN count = 0, ind = 0;
    SQLBIGINT v = 0;
    SQLSMALLINT ncols = -1;
    CHECK(OK(run("SELECT 1; SELECT 2, 3;\n INSERT INTO t VALUES(100, 'x', 0); -- c\n SELECT 4;  ")));
    CHECK(OK(SQLFetch(st)) && OK(SQLGetData(st, 1, SQL_C_SBIGINT, &v, 0, &ind)) && v == 1);
    CHECK(OK(SQLMoreResults(st)));
    CHECK(OK(SQLNumResultCols(st, &ncols)) && ncols == 2);
    CHECK(OK(SQLFetch(st)) && OK(SQLGetData(st, 2, SQL_C_SBIGINT, &v, 0, &ind)) && v == 3);
    CHECK(OK(SQLMoreResults(st)));
    CHECK(OK(SQLNumResultCols(st, &ncols)) && ncols == 0);
    CHECK(OK(SQLRowCount(st, &count)) && count == 1);
    CHECK(OK(SQLMoreResults(st)));
    CHECK(OK(SQLFetch(st)) && OK(SQLGetData(st, 1, SQL_C_SBIGINT, &v, 0, &ind)) && v == 4);
    CHECK(SQLMoreResults(st) == SQL_NO_DATA);
    SQLFreeStmt(st, SQL_CLOSE);

    /* Parameters are numbered across the statements of one text. */
    SQLINTEGER p1 = 200, p2 = 201;
    CHECK(OK(SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &p1, 0, NULL)));
    CHECK(OK(SQLBindParameter(st, 2, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &p2, 0, NULL)));
    CHECK(OK(run("INSERT INTO t VALUES(?, 'p', 0); INSERT INTO t VALUES(?, 'q', 0)")));
    CHECK(OK(SQLMoreResults(st)));
    CHECK(SQLMoreResults(st) == SQL_NO_DATA);
    SQLFreeStmt(st, SQL_RESET_PARAMS);
    CHECK(scalar("SELECT count(*) FROM t WHERE id IN (200, 201)") == 2);

    /* SQLNumParams counts the parameters of every statement of a batch. */
    SQLSMALLINT np = -1;
    CHECK(OK(SQLPrepare(st, (SQLCHAR *)"SELECT ?; SELECT 1; SELECT ?, ?", SQL_NTS)) &&
          OK(SQLNumParams(st, &np)) && np == 3);

    /* A prepared batch runs again from its first statement. */
    CHECK(OK(SQLPrepare(st, (SQLCHAR *)"SELECT 7; SELECT 8", SQL_NTS)));
    for (int i = 0; i < 2; i++) {
        CHECK(OK(SQLExecute(st)) && OK(SQLFetch(st)) &&
              OK(SQLGetData(st, 1, SQL_C_SBIGINT, &v, 0, &ind)) && v == 7);
        CHECK(OK(SQLMoreResults(st)) && OK(SQLFetch(st)) &&
              OK(SQLGetData(st, 1, SQL_C_SBIGINT, &v, 0, &ind)) && v == 8);
        CHECK(SQLMoreResults(st) == SQL_NO_DATA);
    }

    long long n = scalar("SELECT count(*) FROM t");
    CHECK(OK(run("UPDATE t SET v = v + 1")));
    CHECK(OK(SQLRowCount(st, &count)) && count == n);
    CHECK(OK(run("UPDATE t SET v = 0 WHERE id < 0")));
    CHECK(OK(SQLRowCount(st, &count)) && count == 0);
    CHECK(OK(run("DELETE FROM t WHERE id >= 100")));
    CHECK(OK(SQLRowCount(st, &count)) && count == 3);
    CHECK(OK(run("WITH x(i) AS (SELECT 300) INSERT INTO t SELECT i, 'w', 0 FROM x")));
    CHECK(OK(SQLRowCount(st, &count)) && count == 1);
    CHECK(OK(run("CREATE TABLE scratch(a)")));
    CHECK(OK(SQLRowCount(st, &count)) && count == -1);
    CHECK(OK(run("SELECT * FROM t")));
    CHECK(OK(SQLRowCount(st, &count)) && count == -1);
    SQLFreeStmt(st, SQL_CLOSE);

    /* A static cursor reads the whole result. */
    CHECK(OK(SQLSetStmtAttr(st, SQL_ATTR_CURSOR_TYPE, (SQLPOINTER)SQL_CURSOR_STATIC, 0)));
    CHECK(OK(run("SELECT id FROM t ORDER BY id")));
    int rows = 0;
    while (OK(SQLFetch(st)))
        rows++;
    CHECK(rows == n - 2);
    SQLFreeStmt(st, SQL_CLOSE);
    SQLSetStmtAttr(st, SQL_ATTR_CURSOR_TYPE, (SQLPOINTER)SQL_CURSOR_FORWARD_ONLY, 0);
}

/* ---------- errors ------------------------------------------------------ */

static void test_errors(void)
{
    char state[6], msg[300];
    SQLINTEGER native = 0;
    CHECK(run("SELEC 1") == SQL_ERROR && strcmp(last_state(), "42000") == 0);
    CHECK(run("SELECT * FROM no_such_table") == SQL_ERROR && strcmp(last_state(), "42S02") == 0);
    CHECK(run("INSERT INTO t VALUES(1, 'again', 0)") == SQL_ERROR);
    diag_of(SQL_HANDLE_STMT, st, state, &native, msg, sizeof msg);
    CHECK(strcmp(state, "23000") == 0 && (native & 0xff) == 19 /* SQLITE_CONSTRAINT */);
    CHECK(run("INSERT INTO t(id) VALUES(555)") == SQL_ERROR && strcmp(last_state(), "23000") == 0);
    CHECK(run("   \n ") == SQL_ERROR && strcmp(last_state(), "42000") == 0);
    CHECK(run("-- only a comment") == SQL_ERROR && strcmp(last_state(), "42000") == 0);
    CHECK(SQLExecDirect(st, NULL, SQL_NTS) == SQL_ERROR && strcmp(last_state(), "HY009") == 0);

    /* SQLExecute on a statement never prepared. */
    SQLHSTMT fresh = SQL_NULL_HSTMT, keep = st;
    CHECK(OK(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &fresh)));
    st = fresh;
    CHECK(SQLExecute(st) == SQL_ERROR && strcmp(last_state(), "HY010") == 0);
    /* ... or executed directly. */
    CHECK(OK(run("SELECT 1")));
    SQLFreeStmt(st, SQL_CLOSE);
    CHECK(SQLExecute(st) == SQL_ERROR && strcmp(last_state(), "HY010") == 0);
    SQLFreeHandle(SQL_HANDLE_STMT, fresh);
    st = keep;
}

/* ---------- manual commit --------------------------------------------- */

static void test_manual_commit(void)
{
    long long before = scalar("SELECT count(*) FROM a");
    CHECK(OK(SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0)));
    CHECK(OK(run("INSERT INTO a VALUES(500, 'txn')")));
    /* A parameter array inside the application's transaction. */
    SQLINTEGER ids[3] = {501, 502, 501};
    SQLUSMALLINT status[3] = {99, 99, 99};
    CHECK(OK(SQLSetStmtAttr(st, SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)3, 0)));
    CHECK(OK(SQLSetStmtAttr(st, SQL_ATTR_PARAM_STATUS_PTR, status, 0)));
    CHECK(OK(SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, ids, 0, NULL)));
    CHECK(run("INSERT INTO a VALUES(?, 'arr')") == SQL_SUCCESS_WITH_INFO);
    CHECK(status[0] == SQL_PARAM_SUCCESS && status[1] == SQL_PARAM_SUCCESS &&
          status[2] == SQL_PARAM_ERROR);
    SQLSetStmtAttr(st, SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)1, 0);
    SQLSetStmtAttr(st, SQL_ATTR_PARAM_STATUS_PTR, NULL, 0);
    SQLFreeStmt(st, SQL_RESET_PARAMS);
    CHECK(scalar("SELECT count(*) FROM a") == before + 3);
    CHECK(OK(SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_ROLLBACK)));
    CHECK(scalar("SELECT count(*) FROM a") == before);
    CHECK(OK(run("INSERT INTO a VALUES(600, 'kept')")));
    CHECK(OK(SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT)));
    CHECK(OK(SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_ON, 0)));
    CHECK(scalar("SELECT count(*) FROM a") == before + 1);

    /* An expression column takes its type from the first row once executed. */
    SQLSMALLINT type = 0, dig = 0, nul = 0;
    SQLULEN size = 0;
    CHECK(OK(SQLPrepare(st, (SQLCHAR *)"SELECT count(*) FROM a", SQL_NTS)) && OK(SQLExecute(st)));
    CHECK(OK(SQLDescribeCol(st, 1, NULL, 0, NULL, &type, &size, &dig, &nul)) &&
          (type == SQL_BIGINT || type == SQL_INTEGER));
    SQLFreeStmt(st, SQL_CLOSE);
}

/* ---------- SQLNativeSql ------------------------------------------------ */

static void test_native_sql(void)
{
    char out[256];
    SQLINTEGER len = 0;
    const char *in = "SELECT {fn UCASE('abc')}, {d '2024-01-02'}";
    CHECK(OK(SQLNativeSql(dbc, (SQLCHAR *)in, SQL_NTS, (SQLCHAR *)out, sizeof out, &len)));
    CHECK(strchr(out, '{') == NULL && len == (SQLINTEGER)strlen(out));
    CHECK(strstr(out, "2024-01-02") != NULL);
    char small[8];
    SQLINTEGER len2 = 0;
    SQLRETURN rc = SQLNativeSql(dbc, (SQLCHAR *)in, SQL_NTS, (SQLCHAR *)small, sizeof small, &len2);
    char state[6];
    diag_of(SQL_HANDLE_DBC, dbc, state, NULL, NULL, 0);
    CHECK(rc == SQL_SUCCESS_WITH_INFO && strcmp(state, "01004") == 0 && len2 == len &&
          strlen(small) == sizeof small - 1);
    /* The translated statement runs. */
    char text[64];
    scalar_text(in, text, sizeof text);
    CHECK(strcmp(text, "ABC") == 0);
}

/* ---------- timeout and cancel ------------------------------------------ */

static const char *forever =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void *cancel_later(void *arg)
{
    usleep(300 * 1000);
    SQLCancel((SQLHSTMT)arg);
    return NULL;
}

static void test_timeout_cancel(void)
{
    CHECK(OK(SQLSetStmtAttr(st, SQL_ATTR_QUERY_TIMEOUT, (SQLPOINTER)1, 0)));
    double t0 = now_s();
    CHECK(run(forever) == SQL_ERROR && strcmp(last_state(), "HYT00") == 0);
    double took = now_s() - t0;
    CHECK(took >= 0.9 && took < 4.0);
    /* The connection is usable afterwards. */
    CHECK(scalar("SELECT 5") == 5);

    /* SQLCancel from another thread stops a running statement: HY008. The
     * timeout (10 s) only keeps a broken cancel from hanging the test. */
    CHECK(OK(SQLSetStmtAttr(st, SQL_ATTR_QUERY_TIMEOUT, (SQLPOINTER)10, 0)));
    pthread_t th;
    t0 = now_s();
    pthread_create(&th, NULL, cancel_later, st);
    SQLRETURN rc = run(forever);
    pthread_join(th, NULL);
    took = now_s() - t0;
    CHECK(rc == SQL_ERROR && strcmp(last_state(), "HY008") == 0);
    CHECK(took < 5.0);
    SQLSetStmtAttr(st, SQL_ATTR_QUERY_TIMEOUT, (SQLPOINTER)0, 0);
    CHECK(scalar("SELECT 6") == 6);
}

int main(void)
{
    const char *tmp = getenv("LSQ_TEST_TMP");
    if (!tmp) {
        fprintf(stderr, "FAIL: LSQ_TEST_TMP not set (run through tests/integration/run.sh)\n");
        return 1;
    }
    char conn[1024];
    snprintf(conn, sizeof conn, "Driver=libSQL;Database=%s/exec.db;Create=1", tmp);
    if (!OK(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env)) ||
        !OK(SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0)) ||
        !OK(SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc))) {
        fprintf(stderr, "FAIL: cannot allocate ODBC handles\n");
        return 1;
    }
    SQLRETURN rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)conn, SQL_NTS, NULL, 0, NULL,
                                    SQL_DRIVER_NOPROMPT);
    if (!OK(rc)) {
        char state[6], msg[300];
        diag_of(SQL_HANDLE_DBC, dbc, state, NULL, msg, sizeof msg);
        fprintf(stderr, "FAIL: connect: %s %s\n", state, msg);
        return 1;
    }
    if (!OK(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st))) {
        fprintf(stderr, "FAIL: cannot allocate a statement\n");
        return 1;
    }

    test_prepare_execute();
    test_param_types();
    test_param_arrays();
    test_data_at_exec();
    test_more_results();
    test_errors();
    test_manual_commit();
    test_native_sql();
    test_timeout_cancel();

    SQLFreeHandle(SQL_HANDLE_STMT, st);
    SQLDisconnect(dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
