/*
 * writes_odbc.c — the driver's side of bench/bench_writes.sh: writes from an
 * embedded replica to the primary through unixODBC, timed, with the round
 * trips each operation cost (read from the counting proxy's file).
 *
 *   writes_odbc CONNSTR COUNTFILE ROWS_SINGLE ROWS_ARRAY TXN_STATEMENTS
 *
 * Operations, on table bench_odbc(id INTEGER PRIMARY KEY, name TEXT, val REAL)
 * which the script created on the primary:
 *   single  ROWS_SINGLE prepared INSERTs in autocommit, one SQLExecute each
 *   array   ROWS_ARRAY rows as ONE SQLExecute (SQL_ATTR_PARAMSET_SIZE)
 *   txn     TXN_STATEMENTS INSERTs with autocommit off, then SQLEndTran
 *   read    SELECT count(*) afterwards (read-your-writes: at most one pull)
 * Prints one line per operation:
 *   odbc <op> rows=<n> seconds=<s> rows_per_s=<r> pipeline=<k> pulls=<p>
 */
#define _POSIX_C_SOURCE 200809L
#include <sql.h>
#include <sqlext.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *count_file;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The proxy's counters: pipeline requests and pulls so far. */
static void read_counts(long *pipeline, long *pulls)
{
    FILE *f = fopen(count_file, "r");
    *pipeline = *pulls = -1;
    if (f) {
        if (fscanf(f, "%ld %ld", pipeline, pulls) != 2)
            *pipeline = *pulls = -1;
        fclose(f);
    }
}

static void die(SQLSMALLINT type, SQLHANDLE h, const char *what)
{
    SQLCHAR state[6], msg[512];
    SQLINTEGER native;
    SQLSMALLINT len;
    fprintf(stderr, "writes_odbc: %s failed\n", what);
    for (SQLSMALLINT i = 1;
         SQLGetDiagRec(type, h, i, state, &native, msg, sizeof msg, &len) == SQL_SUCCESS; i++)
        fprintf(stderr, "  %s %s\n", state, msg);
    exit(1);
}

#define CHECK(rc, type, h, what) \
    do { if (!SQL_SUCCEEDED(rc)) die(type, h, what); } while (0)

typedef struct op_mark { double t; long pipeline, pulls; } op_mark;

static op_mark mark(void)
{
    op_mark m;
    read_counts(&m.pipeline, &m.pulls);
    m.t = now();
    return m;
}

static void report(const char *op, long rows, op_mark a)
{
    op_mark b = mark();
    double s = b.t - a.t;
    printf("odbc %s rows=%ld seconds=%.3f rows_per_s=%.0f pipeline=%ld pulls=%ld\n", op, rows,
           s, s > 0 ? (double)rows / s : 0.0, b.pipeline - a.pipeline, b.pulls - a.pulls);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: writes_odbc CONNSTR COUNTFILE ROWS_SINGLE ROWS_ARRAY TXN_STATEMENTS\n");
        return 2;
    }
    count_file = argv[2];
    long n_single = atol(argv[3]), n_array = atol(argv[4]), n_txn = atol(argv[5]);

    SQLHENV env;
    SQLHDBC dbc;
    SQLHSTMT st;
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
    SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
    CHECK(SQLDriverConnect(dbc, NULL, (SQLCHAR *)argv[1], SQL_NTS, NULL, 0, NULL,
                           SQL_DRIVER_NOPROMPT),
          SQL_HANDLE_DBC, dbc, "connect");
    SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
    long next_id = 1;

    /* 1. row by row, autocommit: one SQLExecute per row */
    CHECK(SQLPrepare(st, (SQLCHAR *)"INSERT INTO bench_odbc(id, name, val) VALUES (?, ?, ?)",
                     SQL_NTS), SQL_HANDLE_STMT, st, "prepare");
    SQLBIGINT id;
    char name[32];
    double val;
    SQLLEN name_len = SQL_NTS;
    SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT, 0, 0, &id, 0, NULL);
    SQLBindParameter(st, 2, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 32, 0, name, sizeof name,
                     &name_len);
    SQLBindParameter(st, 3, SQL_PARAM_INPUT, SQL_C_DOUBLE, SQL_DOUBLE, 0, 0, &val, 0, NULL);
    op_mark m = mark();
    for (long i = 0; i < n_single; i++) {
        id = next_id++;
        snprintf(name, sizeof name, "row-%ld", (long)id);
        val = (double)id * 0.5;
        CHECK(SQLExecute(st), SQL_HANDLE_STMT, st, "single insert");
    }
    report("single", n_single, m);

    /* 2. the same kind of rows as one parameter array (column-wise) */
    SQLFreeStmt(st, SQL_RESET_PARAMS);
    SQLBIGINT *ids = calloc((size_t)n_array, sizeof *ids);
    char(*names)[32] = calloc((size_t)n_array, sizeof *names);
    SQLLEN *name_lens = calloc((size_t)n_array, sizeof *name_lens);
    double *vals = calloc((size_t)n_array, sizeof *vals);
    SQLUSMALLINT *status = calloc((size_t)n_array, sizeof *status);
    SQLULEN processed = 0;
    if (!ids || !names || !name_lens || !vals || !status) {
        fprintf(stderr, "writes_odbc: out of memory\n");
        return 1;
    }
    for (long i = 0; i < n_array; i++) {
        ids[i] = next_id++;
        name_lens[i] = snprintf(names[i], sizeof names[i], "row-%ld", (long)ids[i]);
        vals[i] = (double)ids[i] * 0.5;
    }
    SQLSetStmtAttr(st, SQL_ATTR_PARAM_BIND_TYPE, (SQLPOINTER)SQL_PARAM_BIND_BY_COLUMN, 0);
    SQLSetStmtAttr(st, SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)(SQLULEN)n_array, 0);
    SQLSetStmtAttr(st, SQL_ATTR_PARAM_STATUS_PTR, status, 0);
    SQLSetStmtAttr(st, SQL_ATTR_PARAMS_PROCESSED_PTR, &processed, 0);
    SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT, 0, 0, ids, 0, NULL);
    SQLBindParameter(st, 2, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 32, 0, names, 32,
                     name_lens);
    SQLBindParameter(st, 3, SQL_PARAM_INPUT, SQL_C_DOUBLE, SQL_DOUBLE, 0, 0, vals, 0, NULL);
    m = mark();
    CHECK(SQLExecute(st), SQL_HANDLE_STMT, st, "array insert");
    report("array", n_array, m);
    if ((long)processed != n_array) {
        fprintf(stderr, "writes_odbc: array processed %lu of %ld rows\n", (unsigned long)processed,
                n_array);
        return 1;
    }
    for (long i = 0; i < n_array; i++)
        if (status[i] != SQL_PARAM_SUCCESS) {
            fprintf(stderr, "writes_odbc: array row %ld status %u\n", i, status[i]);
            return 1;
        }
    SQLFreeStmt(st, SQL_RESET_PARAMS);
    SQLSetStmtAttr(st, SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)1, 0);
    SQLSetStmtAttr(st, SQL_ATTR_PARAM_STATUS_PTR, NULL, 0);
    SQLSetStmtAttr(st, SQL_ATTR_PARAMS_PROCESSED_PTR, NULL, 0);

    /* 3. a manual transaction of n_txn statements, committed once */
    SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT, 0, 0, &id, 0, NULL);
    SQLBindParameter(st, 2, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 32, 0, name, sizeof name,
                     &name_len);
    SQLBindParameter(st, 3, SQL_PARAM_INPUT, SQL_C_DOUBLE, SQL_DOUBLE, 0, 0, &val, 0, NULL);
    m = mark();
    CHECK(SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0),
          SQL_HANDLE_DBC, dbc, "autocommit off");
    for (long i = 0; i < n_txn; i++) {
        id = next_id++;
        snprintf(name, sizeof name, "row-%ld", (long)id);
        val = (double)id * 0.5;
        CHECK(SQLExecute(st), SQL_HANDLE_STMT, st, "insert in transaction");
    }
    CHECK(SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT), SQL_HANDLE_DBC, dbc, "commit");
    report("txn", n_txn, m);
    SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_ON, 0);

    /* 4. read your writes: the next read sees every row */
    SQLFreeStmt(st, SQL_RESET_PARAMS);
    SQLFreeStmt(st, SQL_CLOSE);
    m = mark();
    CHECK(SQLExecDirect(st, (SQLCHAR *)"SELECT count(*) FROM bench_odbc", SQL_NTS),
          SQL_HANDLE_STMT, st, "count");
    SQLBIGINT count = -1;
    SQLFetch(st);
    SQLGetData(st, 1, SQL_C_SBIGINT, &count, 0, NULL);
    SQLCloseCursor(st);
    report("read", 1, m);
    long want = n_single + n_array + n_txn;
    if (count != want) {
        fprintf(stderr, "writes_odbc: local count %lld, expected %ld\n", (long long)count, want);
        return 1;
    }

    SQLFreeHandle(SQL_HANDLE_STMT, st);
    SQLDisconnect(dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    free(ids); free(names); free(name_lens); free(vals); free(status);
    return 0;
}
