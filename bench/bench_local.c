/*
 * bench_local.c — local-read benchmark: the same workloads through the raw
 * sqlite3 API, through this driver and through Debian's SQLite ODBC driver
 * (libsqliteodbc), in one process, printing times and ratios.
 *
 * Workloads (issue 2):
 *   point   100k prepared point selects by primary key
 *   block   full scan of N rows, SQLBindCol, 1000-row block fetch
 *   getdata full scan of N rows, SQLFetch + SQLGetData per column
 *
 * Both ODBC drivers are reached through unixODBC, registered as "libSQL" and
 * "SQLite3" (tests/integration/run.sh writes that odbcinst.ini). The same
 * database file serves every run; each workload is run REPEAT times and the
 * best time kept, so a noisy neighbour inflates nothing but the spread.
 *
 * Usage: bench_local [rows] [points] [repeat]   (defaults 1000000 100000 3)
 * Extra driver: BENCH_EXTRA_CONN="Driver=libSQL;...;EncryptionKey=k" adds a
 * column (used by the encryption benchmark).
 */
#include <sql.h>
#include <sqlext.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BLOCK 1000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench: %s\n", what);
    exit(1);
}

static void odbc_die(SQLSMALLINT type, SQLHANDLE h, const char *what)
{
    SQLCHAR state[6] = "", msg[512] = "";
    SQLINTEGER native = 0;
    SQLSMALLINT len;
    SQLGetDiagRec(type, h, 1, state, &native, msg, sizeof msg, &len);
    fprintf(stderr, "bench: %s failed: [%s] %s\n", what, state, msg);
    exit(1);
}

#define OK(call, type, h, what)                                    \
    do {                                                           \
        SQLRETURN rc_ = (call);                                    \
        if (!SQL_SUCCEEDED(rc_)) odbc_die(type, h, what);          \
    } while (0)

/* ---- data ------------------------------------------------------------ */

static void make_database(const char *path, long rows)
{
    remove(path);
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK) die("cannot create database");
    sqlite3_exec(db, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF;"
                     "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b REAL, c TEXT);"
                     "BEGIN;", NULL, NULL, NULL);
    sqlite3_stmt *ins;
    sqlite3_prepare_v2(db, "INSERT INTO t VALUES(?,?,?,?)", -1, &ins, NULL);
    char text[64];
    for (long i = 1; i <= rows; i++) {
        snprintf(text, sizeof text, "row-%ld-payload-text", i);
        sqlite3_bind_int64(ins, 1, i);
        sqlite3_bind_int64(ins, 2, i * 7 % 1000003);
        sqlite3_bind_double(ins, 3, i * 0.25);
        sqlite3_bind_text(ins, 4, text, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(ins) != SQLITE_DONE) die("insert failed");
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db);
}

/* Every workload returns a checksum so no run can skip work unnoticed. */
typedef struct result { double seconds; long long checksum; } result;

static long next_key(long *state, long rows)
{
    *state = (*state * 1103515245 + 12345) & 0x7fffffff;
    return 1 + *state % rows;
}

/* ---- raw sqlite3 ------------------------------------------------------ */

static result raw_point(const char *path, long rows, long points)
{
    sqlite3 *db;
    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_stmt *st;
    sqlite3_prepare_v3(db, "SELECT a, b, c FROM t WHERE id = ?", -1,
                       SQLITE_PREPARE_PERSISTENT, &st, NULL);
    long seed = 42;
    long long sum = 0;
    char buf[64];
    double t0 = now();
    for (long i = 0; i < points; i++) {
        sqlite3_bind_int64(st, 1, next_key(&seed, rows));
        if (sqlite3_step(st) == SQLITE_ROW) {
            sum += sqlite3_column_int64(st, 0);
            sum += (long long)sqlite3_column_double(st, 1);
            const unsigned char *c = sqlite3_column_text(st, 2);
            int n = sqlite3_column_bytes(st, 2);
            memcpy(buf, c, n < 63 ? n : 63);
            sum += n;
        }
        sqlite3_reset(st);
    }
    double t = now() - t0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return (result){t, sum};
}

static result raw_scan(const char *path)
{
    sqlite3 *db;
    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT id, a, b, c FROM t", -1, &st, NULL);
    long long sum = 0;
    char buf[64];
    double t0 = now();
    while (sqlite3_step(st) == SQLITE_ROW) {
        sum += sqlite3_column_int64(st, 0) + sqlite3_column_int64(st, 1);
        sum += (long long)sqlite3_column_double(st, 2);
        const unsigned char *c = sqlite3_column_text(st, 3);
        int n = sqlite3_column_bytes(st, 3);
        memcpy(buf, c, n < 63 ? n : 63);
        sum += n;
    }
    double t = now() - t0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return (result){t, sum};
}

/* ---- ODBC ------------------------------------------------------------- */

typedef struct odbc_conn { SQLHENV env; SQLHDBC dbc; } odbc_conn;

static odbc_conn odbc_open(const char *connstr)
{
    odbc_conn c;
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &c.env);
    SQLSetEnvAttr(c.env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    SQLAllocHandle(SQL_HANDLE_DBC, c.env, &c.dbc);
    OK(SQLDriverConnect(c.dbc, NULL, (SQLCHAR *)connstr, SQL_NTS, NULL, 0, NULL,
                        SQL_DRIVER_NOPROMPT), SQL_HANDLE_DBC, c.dbc, connstr);
    return c;
}

static void odbc_close(odbc_conn *c)
{
    SQLDisconnect(c->dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, c->dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, c->env);
}

static result odbc_point(const char *connstr, long rows, long points)
{
    odbc_conn c = odbc_open(connstr);
    SQLHSTMT st;
    SQLAllocHandle(SQL_HANDLE_STMT, c.dbc, &st);
    OK(SQLPrepare(st, (SQLCHAR *)"SELECT a, b, c FROM t WHERE id = ?", SQL_NTS),
       SQL_HANDLE_STMT, st, "SQLPrepare");
    SQLBIGINT key = 0, a = 0;
    double b = 0;
    char text[64];
    SQLLEN ind_a, ind_b, ind_c;
    OK(SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT, 0, 0, &key, 0, NULL),
       SQL_HANDLE_STMT, st, "SQLBindParameter");
    SQLBindCol(st, 1, SQL_C_SBIGINT, &a, 0, &ind_a);
    SQLBindCol(st, 2, SQL_C_DOUBLE, &b, 0, &ind_b);
    SQLBindCol(st, 3, SQL_C_CHAR, text, sizeof text, &ind_c);
    long seed = 42;
    long long sum = 0;
    double t0 = now();
    for (long i = 0; i < points; i++) {
        key = next_key(&seed, rows);
        OK(SQLExecute(st), SQL_HANDLE_STMT, st, "SQLExecute");
        if (SQLFetch(st) == SQL_SUCCESS)
            sum += a + (long long)b + ind_c;
        SQLCloseCursor(st);
    }
    double t = now() - t0;
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    odbc_close(&c);
    return (result){t, sum};
}

static result odbc_block_scan(const char *connstr)
{
    odbc_conn c = odbc_open(connstr);
    SQLHSTMT st;
    SQLAllocHandle(SQL_HANDLE_STMT, c.dbc, &st);
    static SQLBIGINT id[BLOCK], a[BLOCK];
    static double b[BLOCK];
    static char text[BLOCK][64];
    static SQLLEN ind[4][BLOCK];
    SQLULEN fetched = 0;
    OK(SQLSetStmtAttr(st, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)BLOCK, 0), SQL_HANDLE_STMT, st,
       "ROW_ARRAY_SIZE");
    SQLSetStmtAttr(st, SQL_ATTR_ROWS_FETCHED_PTR, &fetched, 0);
    double t0 = now();
    OK(SQLExecDirect(st, (SQLCHAR *)"SELECT id, a, b, c FROM t", SQL_NTS), SQL_HANDLE_STMT, st,
       "SQLExecDirect");
    SQLBindCol(st, 1, SQL_C_SBIGINT, id, 0, ind[0]);
    SQLBindCol(st, 2, SQL_C_SBIGINT, a, 0, ind[1]);
    SQLBindCol(st, 3, SQL_C_DOUBLE, b, 0, ind[2]);
    SQLBindCol(st, 4, SQL_C_CHAR, text, 64, ind[3]);
    long long sum = 0;
    SQLRETURN rc;
    while ((rc = SQLFetch(st)) == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO)
        for (SQLULEN i = 0; i < fetched; i++)
            sum += id[i] + a[i] + (long long)b[i] + ind[3][i];
    double t = now() - t0;
    if (rc != SQL_NO_DATA) odbc_die(SQL_HANDLE_STMT, st, "SQLFetch (block)");
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    odbc_close(&c);
    return (result){t, sum};
}

static result odbc_getdata_scan(const char *connstr)
{
    odbc_conn c = odbc_open(connstr);
    SQLHSTMT st;
    SQLAllocHandle(SQL_HANDLE_STMT, c.dbc, &st);
    double t0 = now();
    OK(SQLExecDirect(st, (SQLCHAR *)"SELECT id, a, b, c FROM t", SQL_NTS), SQL_HANDLE_STMT, st,
       "SQLExecDirect");
    long long sum = 0;
    SQLBIGINT id, a;
    double b;
    char text[64];
    SQLLEN ind;
    SQLRETURN rc;
    while ((rc = SQLFetch(st)) == SQL_SUCCESS) {
        SQLGetData(st, 1, SQL_C_SBIGINT, &id, 0, &ind);
        SQLGetData(st, 2, SQL_C_SBIGINT, &a, 0, &ind);
        SQLGetData(st, 3, SQL_C_DOUBLE, &b, 0, &ind);
        SQLGetData(st, 4, SQL_C_CHAR, text, sizeof text, &ind);
        sum += id + a + (long long)b + ind;
    }
    double t = now() - t0;
    if (rc != SQL_NO_DATA) odbc_die(SQL_HANDLE_STMT, st, "SQLFetch");
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    odbc_close(&c);
    return (result){t, sum};
}

/* ---- driver ----------------------------------------------------------- */

typedef struct column { const char *name; char connstr[1024]; int raw; } column;

static result run(const column *col, const char *path, const char *workload, long rows,
                  long points)
{
    if (!strcmp(workload, "point"))
        return col->raw ? raw_point(path, rows, points) : odbc_point(col->connstr, rows, points);
    if (!strcmp(workload, "block"))
        return col->raw ? raw_scan(path) : odbc_block_scan(col->connstr);
    return col->raw ? raw_scan(path) : odbc_getdata_scan(col->connstr);
}

int main(int argc, char **argv)
{
    long rows = argc > 1 ? atol(argv[1]) : 1000000;
    long points = argc > 2 ? atol(argv[2]) : 100000;
    int repeat = argc > 3 ? atoi(argv[3]) : 3;
    const char *tmp = getenv("LSQ_TEST_TMP") ? getenv("LSQ_TEST_TMP") : "/tmp";
    char path[512];
    snprintf(path, sizeof path, "%s/bench_local.db", tmp);
    printf("building %ld-row database at %s ...\n", rows, path);
    make_database(path, rows);

    column cols[4] = {{"sqlite3", "", 1}, {"libsql-odbc", "", 0}, {"sqliteodbc", "", 0}};
    int ncols = 3;
    snprintf(cols[1].connstr, sizeof cols[1].connstr, "Driver=libSQL;Database=%s", path);
    snprintf(cols[2].connstr, sizeof cols[2].connstr, "Driver=SQLite3;Database=%s", path);
    if (getenv("BENCH_EXTRA_CONN")) {
        cols[3].name = getenv("BENCH_EXTRA_NAME") ? getenv("BENCH_EXTRA_NAME") : "extra";
        snprintf(cols[3].connstr, sizeof cols[3].connstr, "%s", getenv("BENCH_EXTRA_CONN"));
        ncols = 4;
    }

    const char *workloads[] = {"point", "block", "getdata"};
    const char *labels[] = {"100k prepared point selects", "scan, SQLBindCol, 1000-row blocks",
                            "scan, SQLFetch + SQLGetData"};
    printf("\n%-36s", "workload (best of repeats, seconds)");
    for (int c = 0; c < ncols; c++) printf(" %12s", cols[c].name);
    for (int c = 1; c < ncols; c++) printf(" %10s/raw", cols[c].name);
    printf("\n");
    int failed = 0;
    for (int w = 0; w < 3; w++) {
        double best[4];
        long long sums[4];
        for (int c = 0; c < ncols; c++) {
            best[c] = 1e9;
            for (int r = 0; r < repeat; r++) {
                result res = run(&cols[c], path, workloads[w], rows, points);
                if (res.seconds < best[c]) best[c] = res.seconds;
                sums[c] = res.checksum;
            }
        }
        printf("%-36s", labels[w]);
        for (int c = 0; c < ncols; c++) printf(" %12.4f", best[c]);
        for (int c = 1; c < ncols; c++) printf(" %13.2fx", best[c] / best[0]);
        printf("\n");
        /* Checksums: the ODBC runs must have read exactly what sqlite3 read
         * (text lengths via indicators equal the byte counts). */
        for (int c = 1; c < ncols; c++)
            if (sums[c] != sums[0]) {
                fprintf(stderr, "checksum mismatch in %s for %s: %lld vs %lld\n", workloads[w],
                        cols[c].name, sums[c], sums[0]);
                failed = 1;
            }
    }
    remove(path);
    return failed;
}
