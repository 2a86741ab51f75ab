/*
 * sync_odbc.c — the driver's side of bench/bench_sync.sh: bootstrap and
 * incremental pulls of an embedded replica through unixODBC, timed, with the
 * time a concurrent reader of the replica file was blocked by each apply.
 *
 *   sync_odbc CONNSTR REPLICA_PATH [DRIVER_LOG]
 *
 * Reads commands from stdin, one per line, and answers each with one line on
 * stdout (the script drives it and the npm client in lock step):
 *   bootstrap      SQLDriverConnect on a replica file that does not exist yet
 *                  -> "odbc bootstrap pages=P bytes=B seconds=S"
 *   sync LABEL     PRAGMA libsql_sync on the open connection while a reader
 *                  thread queries the replica file through its own sqlite3
 *                  connection -> "odbc LABEL pages=P bytes=B seconds=S
 *                  apply_seconds=A blocked_ms=M idle_ms=I reads=R
 *                  [phases=pull:P,apply_prepare:A,...]"
 *                  (apply_seconds is the driver's own figure: a column of
 *                  PRAGMA libsql_sync if it has one, else the last "readers
 *                  blocked" of DRIVER_LOG (LogFile, LogLevel=info), else "na";
 *                  phases: where that sync's time went, in ms, from the same
 *                  log line;
 *                  blocked_ms is the
 *                  longest single read the reader saw during the sync;
 *                  idle_ms the longest in the 200 ms before it, the noise floor)
 *   quit
 * The reader's busy handler polls every 20 microseconds, so a read's latency
 * is the time the applier's exclusive lock kept it out, not SQLite's default
 * back-off steps.
 */
#include <pthread.h>
#include <sql.h>
#include <sqlext.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(SQLSMALLINT type, SQLHANDLE h, const char *what)
{
    SQLCHAR state[6] = "", msg[1024] = "";
    SQLINTEGER native = 0;
    SQLSMALLINT len;
    if (h)
        SQLGetDiagRec(type, h, 1, state, &native, msg, sizeof msg, &len);
    fprintf(stderr, "sync_odbc: %s failed: [%s] %s\n", what, state, msg);
    exit(1);
}

/* ---------- the reader thread ------------------------------------------- */

typedef struct reader {
    const char *path;
    pthread_t thread;
    volatile int stop;
    double max_latency;
    long reads;
    int failed;
    char error[256];
} reader;

static int spin_busy(void *arg, int tries)
{
    (void)arg;
    (void)tries;
    usleep(20);
    return 1;
}

static void *reader_main(void *arg)
{
    reader *r = arg;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open_v2(r->path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_busy_handler(db, spin_busy, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT length(v) FROM big WHERE id = ?", -1, &st, NULL) !=
            SQLITE_OK) {
        snprintf(r->error, sizeof r->error, "reader: %s", sqlite3_errmsg(db));
        r->failed = 1;
        sqlite3_close(db);
        return NULL;
    }
    unsigned seed = 12345;
    while (!r->stop) {
        double t0 = now();
        sqlite3_bind_int(st, 1, (int)(rand_r(&seed) % 1000) + 1);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            ;
        sqlite3_reset(st);
        double dt = now() - t0;
        if (rc != SQLITE_DONE) {
            snprintf(r->error, sizeof r->error, "reader: %s", sqlite3_errmsg(db));
            r->failed = 1;
            break;
        }
        if (dt > r->max_latency)
            r->max_latency = dt;
        r->reads++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return NULL;
}

/* ---------- commands ----------------------------------------------------- */

static SQLHENV env;
static SQLHDBC dbc;

static long long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* Run `sql` and read its single row into names/values (up to 16 columns). */
static int one_row(const char *sql, char names[][64], char values[][128], int max)
{
    SQLHSTMT st;
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st)))
        die(SQL_HANDLE_DBC, dbc, "SQLAllocHandle(STMT)");
    if (!SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS)))
        die(SQL_HANDLE_STMT, st, sql);
    SQLSMALLINT ncols = 0;
    SQLNumResultCols(st, &ncols);
    if (ncols > max)
        ncols = (SQLSMALLINT)max;
    if (!SQL_SUCCEEDED(SQLFetch(st)))
        die(SQL_HANDLE_STMT, st, "SQLFetch");
    for (SQLSMALLINT i = 1; i <= ncols; i++) {
        SQLSMALLINT nl;
        SQLDescribeCol(st, i, (SQLCHAR *)names[i - 1], 64, &nl, NULL, NULL, NULL, NULL);
        SQLLEN ind;
        if (!SQL_SUCCEEDED(SQLGetData(st, i, SQL_C_CHAR, values[i - 1], 128, &ind)) ||
            ind == SQL_NULL_DATA)
            strcpy(values[i - 1], "na");
    }
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    return ncols;
}

static const char *column(char names[][64], char values[][128], int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcasecmp(names[i], name) == 0)
            return values[i];
    return "na";
}

static void do_bootstrap(const char *connstr, const char *path)
{
    double t0 = now();
    SQLRETURN rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)connstr, SQL_NTS, NULL, 0, NULL,
                                    SQL_DRIVER_NOPROMPT);
    double dt = now() - t0;
    if (!SQL_SUCCEEDED(rc))
        die(SQL_HANDLE_DBC, dbc, "SQLDriverConnect (bootstrap)");
    char names[16][64], values[16][128];
    int n = one_row("PRAGMA libsql_state", names, values, 16);
    printf("odbc bootstrap pages=%s bytes=%lld seconds=%.4f\n",
           column(names, values, n, "db_size_pages"), file_size(path), dt);
}

/* The driver's own figures for the last sync, from its log (LogLevel=info
 * writes "... (readers blocked S s); ms: pull P, apply prepare A, ..." per
 * sync): the lock time into out ("na" when not found), the phases into
 * phases as "pull:P,apply_prepare:A,..." ("" when the log has none). */
static void last_logged_apply(const char *log_path, char *out, size_t cap, char *phases,
                              size_t pcap)
{
    snprintf(out, cap, "na");
    phases[0] = 0;
    FILE *f = log_path ? fopen(log_path, "r") : NULL;
    if (!f)
        return;
    char line[2048];
    const char *tag = "(readers blocked ";
    while (fgets(line, sizeof line, f)) {
        const char *p = strstr(line, tag);
        double v;
        if (!p || sscanf(p + strlen(tag), "%lf", &v) != 1)
            continue;
        snprintf(out, cap, "%.6f", v);
        phases[0] = 0;
        const char *ms = strstr(p, "ms: ");
        if (!ms)
            continue;
        /* "pull 5.8, apply prepare 0.2" -> "pull:5.8,apply_prepare:0.2" */
        size_t n = 0;
        for (const char *c = ms + 4; *c && *c != '\n' && n + 1 < pcap; c++) {
            if (*c == ',')
                phases[n++] = ',';
            else if (*c == ' ' && c[-1] != ',')
                phases[n++] = (c[1] >= '0' && c[1] <= '9') ? ':' : '_';
            else if (*c != ' ')
                phases[n++] = *c;
        }
        phases[n] = 0;
    }
    fclose(f);
}

static void do_sync(const char *label, const char *path, const char *log_path)
{
    reader r;
    memset(&r, 0, sizeof r);
    r.path = path;
    pthread_create(&r.thread, NULL, reader_main, &r);
    /* The noise floor: the longest read while nothing is applied (on a busy
     * machine the scheduler alone can stall a read for milliseconds). */
    usleep(200000);
    double baseline = r.max_latency;
    r.max_latency = 0;
    char names[16][64], values[16][128];
    double t0 = now();
    int n = one_row("PRAGMA libsql_sync", names, values, 16);
    double dt = now() - t0;
    r.stop = 1;
    pthread_join(r.thread, NULL);
    if (r.failed) {
        fprintf(stderr, "sync_odbc: %s\n", r.error);
        exit(1);
    }
    char apply[64], logged[64], phases[512];
    last_logged_apply(log_path, logged, sizeof logged, phases, sizeof phases);
    snprintf(apply, sizeof apply, "%s", column(names, values, n, "apply_seconds"));
    if (strcmp(apply, "na") == 0)
        snprintf(apply, sizeof apply, "%s", logged);
    printf("odbc %s pages=%s bytes=%s seconds=%.4f apply_seconds=%s blocked_ms=%.3f "
           "idle_ms=%.3f reads=%ld%s%s\n",
           label, column(names, values, n, "pages"), column(names, values, n, "bytes"), dt,
           apply, r.max_latency * 1000.0, baseline * 1000.0, r.reads,
           phases[0] ? " phases=" : "", phases);
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: sync_odbc CONNSTR REPLICA_PATH [DRIVER_LOG]\n");
        return 2;
    }
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
    SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
    char line[256];
    int connected = 0;
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        if (strcmp(line, "bootstrap") == 0) {
            do_bootstrap(argv[1], argv[2]);
            connected = 1;
        } else if (strncmp(line, "sync ", 5) == 0 && connected) {
            do_sync(line + 5, argv[2], argc > 3 ? argv[3] : NULL);
        } else if (strcmp(line, "quit") == 0) {
            break;
        } else {
            fprintf(stderr, "sync_odbc: unexpected command '%s'\n", line);
            return 2;
        }
        fflush(stdout);
    }
    if (connected)
        SQLDisconnect(dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    return 0;
}
