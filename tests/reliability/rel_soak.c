/*
 * rel_soak.c — memory soak (issue 7): connect / write / query / sync /
 * disconnect cycles for a fixed time, against a real replica (tursodb
 * --sync-server started with tests/node/primary.sh) and a local file,
 * calling the driver's static library directly.
 *
 * One cycle, on each of the two databases: allocate a connection, connect
 * (the replica syncs at connect; every other cycle also starts the
 * background sync thread with SyncInterval=1), insert a 5-row parameter
 * array (forwarded to the primary for the replica), read the row count back
 * (read-your-writes: it must equal every row written so far, exactly once),
 * read the new rows' text with SQLGetData, PRAGMA libsql_sync on the
 * replica, then free everything and disconnect.
 *
 * Memory: RSS (/proc/self/statm) is sampled after a warm-up (the first
 * WARMUP_CYCLES cycles: SQLite, curl, OpenSSL and the allocator reach their
 * steady state) and after the last cycle; the growth in between must stay
 * under RSS_BOUND_MB, whatever the duration — a leak of even one small
 * allocation per cycle shows up over hundreds of cycles. Under ASan the
 * program runs itself again with LeakSanitizer on (run.sh turns it off for
 * host programs; this one is ours) and without ASan's quarantine, whose
 * slow filling with freed blocks looked like 10 MB of growth per minute
 * (use-after-free is what the other tests look for; here it is memory).
 * The live heap (ASan's allocated-bytes count) is bounded too, more tightly
 * (HEAP_BOUND_MB). A leak check runs before the figures are written and
 * again at exit, and any leak fails the test.
 *
 * Duration: 60 s; LSQ_SOAK=1 gives 600 s (LSQ_SOAK_SECONDS=N overrides,
 * for trying things out). Figures (cycles, rows, RSS and heap at warm-up and
 * end, growth, bounds, leaks) go to $LSQ_REPORT_DIR/rel_soak.txt.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sql.h>
#include <sqlext.h>

#define WARMUP_CYCLES 15
#define RSS_BOUND_MB 4.0
#define HEAP_BOUND_MB 1.0
#define BATCH 5

int __lsan_do_recoverable_leak_check(void) __attribute__((weak));
size_t __sanitizer_get_current_allocated_bytes(void) __attribute__((weak));

/* Live heap bytes (ASan's count, quarantine excluded), -1 without ASan. */
static double heap_mb(void)
{
    if (!__sanitizer_get_current_allocated_bytes)
        return -1;
    return (double)__sanitizer_get_current_allocated_bytes() / (1024.0 * 1024.0);
}

static char tmpdir[512], srcdir[512], primary_dir[600];
static int primary_started;
static int failures;

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    failures++;
}

/* tests/node/primary.sh CMD DIR, without the sanitizer preload and leak
 * checking (bash and tursodb are not ours); returns its exit status. */
static int primary_sh(const char *cmd, const char *sql)
{
    char script[700];
    snprintf(script, sizeof script, "%s/tests/node/primary.sh", srcdir);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        unsetenv("LD_PRELOAD");
        setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
        if (!freopen("/dev/null", "w", stdout))
            _exit(126);
        execl("/bin/bash", "bash", script, cmd, primary_dir, sql, (char *)NULL);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void stop_primary(void)
{
    if (!primary_started)
        return;
    if (primary_sh("stop", NULL) != 0)
        fprintf(stderr, "warning: primary.sh stop failed\n");
    primary_started = 0;
}

static void on_signal(int sig)
{
    stop_primary();
    signal(sig, SIG_DFL);
    raise(sig);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double rss_mb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = 0;
    if (!f || fscanf(f, "%ld %ld", &size, &resident) != 2) {
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    return (double)resident * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

/* The first diagnostic of a handle, for failure messages. */
static const char *diag(SQLSMALLINT type, SQLHANDLE h)
{
    static char out[700];
    SQLCHAR state[6] = "", msg[600] = "";
    SQLINTEGER native;
    SQLSMALLINT len;
    if (!h || !SQL_SUCCEEDED(SQLGetDiagRec(type, h, 1, state, &native, msg, sizeof msg, &len)))
        return "(no diagnostic)";
    snprintf(out, sizeof out, "%s %s", state, msg);
    return out;
}

#define OK(rc, type, h, what)                                                   \
    do {                                                                        \
        SQLRETURN rc_ = (rc);                                                   \
        if (!SQL_SUCCEEDED(rc_)) {                                              \
            fail("%s: rc %d: %s", what, (int)rc_, diag(type, h));               \
            return -1;                                                          \
        }                                                                       \
    } while (0)

/* Run one statement that returns nothing. */
static int exec_sql(SQLHDBC dbc, const char *sql)
{
    SQLHSTMT s;
    OK(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &s), SQL_HANDLE_DBC, dbc, "alloc stmt");
    SQLRETURN rc = SQLExecDirect(s, (SQLCHAR *)sql, SQL_NTS);
    if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
        fail("%s: rc %d: %s", sql, (int)rc, diag(SQL_HANDLE_STMT, s));
        SQLFreeHandle(SQL_HANDLE_STMT, s);
        return -1;
    }
    SQLFreeHandle(SQL_HANDLE_STMT, s);
    return 0;
}

typedef struct db_target {
    const char *name;
    char connstr[1200];
    long next_id;       /* ids written so far: 1 .. next_id-1 */
    long rows_written, rows_verified, connects, syncs;
} db_target;

/* One connect .. disconnect cycle on t. */
static int cycle(SQLHENV env, db_target *t, int replica, long n)
{
    SQLHDBC dbc = NULL;
    SQLHSTMT s = NULL;
    int ret = -1;
    char cs[1300];
    /* every other replica cycle runs the background sync thread too */
    snprintf(cs, sizeof cs, "%s%s", t->connstr, replica && n % 2 ? ";SyncInterval=1" : "");
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc))) {
        fail("%s: alloc dbc: %s", t->name, diag(SQL_HANDLE_ENV, env));
        return -1;
    }
    SQLRETURN rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)cs, SQL_NTS, NULL, 0, NULL,
                                    SQL_DRIVER_NOPROMPT);
    if (rc != SQL_SUCCESS) { /* SUCCESS_WITH_INFO would mean "not synced" */
        fail("%s: connect: rc %d: %s", t->name, (int)rc, diag(SQL_HANDLE_DBC, dbc));
        SQLFreeHandle(SQL_HANDLE_DBC, dbc);
        return -1;
    }
    t->connects++;
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &s))) {
        fail("%s: alloc stmt: %s", t->name, diag(SQL_HANDLE_DBC, dbc));
        goto out;
    }

    /* a parameter array of BATCH rows, column-wise */
    SQLBIGINT ids[BATCH];
    char texts[BATCH][40];
    SQLLEN text_len[BATCH];
    SQLUSMALLINT status[BATCH];
    SQLULEN processed = 0;
    for (int i = 0; i < BATCH; i++) {
        ids[i] = t->next_id + i;
        text_len[i] = snprintf(texts[i], sizeof texts[i], "row %lld of cycle %ld",
                               (long long)ids[i], n);
    }
    if (!SQL_SUCCEEDED(SQLSetStmtAttr(s, SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)BATCH, 0)) ||
        !SQL_SUCCEEDED(SQLSetStmtAttr(s, SQL_ATTR_PARAM_STATUS_PTR, status, 0)) ||
        !SQL_SUCCEEDED(SQLSetStmtAttr(s, SQL_ATTR_PARAMS_PROCESSED_PTR, &processed, 0)) ||
        !SQL_SUCCEEDED(SQLBindParameter(s, 1, SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT, 0, 0,
                                        ids, 0, NULL)) ||
        !SQL_SUCCEEDED(SQLBindParameter(s, 2, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 40, 0,
                                        texts, sizeof texts[0], text_len))) {
        fail("%s: bind parameter array: %s", t->name, diag(SQL_HANDLE_STMT, s));
        goto out;
    }
    rc = SQLExecDirect(s, (SQLCHAR *)"INSERT INTO soak(id, v) VALUES (?, ?)", SQL_NTS);
    if (rc != SQL_SUCCESS) {
        fail("%s: insert batch at id %ld: rc %d: %s", t->name, t->next_id, (int)rc,
             diag(SQL_HANDLE_STMT, s));
        goto out;
    }
    SQLLEN count = -1;
    SQLRowCount(s, &count);
    if (processed != BATCH || count != BATCH) {
        fail("%s: batch processed %lu rows, row count %ld, want %d", t->name,
             (unsigned long)processed, (long)count, BATCH);
        goto out;
    }
    t->next_id += BATCH;
    t->rows_written += BATCH;
    SQLFreeStmt(s, SQL_RESET_PARAMS);
    SQLSetStmtAttr(s, SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)1, 0);

    /* read your writes: every row so far, each once */
    rc = SQLExecDirect(s, (SQLCHAR *)"SELECT count(*), count(DISTINCT id), max(id) FROM soak",
                       SQL_NTS);
    SQLBIGINT total = -1, distinct = -1, maxid = -1;
    if (!SQL_SUCCEEDED(rc) || !SQL_SUCCEEDED(SQLFetch(s)) ||
        !SQL_SUCCEEDED(SQLGetData(s, 1, SQL_C_SBIGINT, &total, 0, NULL)) ||
        !SQL_SUCCEEDED(SQLGetData(s, 2, SQL_C_SBIGINT, &distinct, 0, NULL)) ||
        !SQL_SUCCEEDED(SQLGetData(s, 3, SQL_C_SBIGINT, &maxid, 0, NULL))) {
        fail("%s: count: %s", t->name, diag(SQL_HANDLE_STMT, s));
        goto out;
    }
    if (total != t->next_id - 1 || distinct != total || maxid != t->next_id - 1) {
        fail("%s: after cycle %ld the table has %lld rows (%lld distinct, max id %lld), want %ld",
             t->name, n, (long long)total, (long long)distinct, (long long)maxid,
             t->next_id - 1);
        goto out;
    }
    SQLCloseCursor(s);

    /* the new rows' text, in two SQLGetData chunks each */
    char q[200];
    snprintf(q, sizeof q, "SELECT id, v FROM soak WHERE id >= %ld ORDER BY id",
             t->next_id - BATCH);
    if (!SQL_SUCCEEDED(SQLExecDirect(s, (SQLCHAR *)q, SQL_NTS))) {
        fail("%s: select new rows: %s", t->name, diag(SQL_HANDLE_STMT, s));
        goto out;
    }
    int seen = 0;
    while ((rc = SQLFetch(s)) == SQL_SUCCESS) {
        char part1[8], part2[64];
        SQLLEN l1, l2;
        SQLRETURN g1 = SQLGetData(s, 2, SQL_C_CHAR, part1, sizeof part1, &l1);
        SQLRETURN g2 = SQLGetData(s, 2, SQL_C_CHAR, part2, sizeof part2, &l2);
        char want[64];
        snprintf(want, sizeof want, "row %ld of cycle %ld", t->next_id - BATCH + seen, n);
        char got[80];
        snprintf(got, sizeof got, "%s%s", part1, g2 == SQL_SUCCESS ? part2 : "");
        if (g1 != SQL_SUCCESS_WITH_INFO || g2 != SQL_SUCCESS || strcmp(got, want) != 0) {
            fail("%s: row text '%s' (rc %d/%d), want '%s'", t->name, got, (int)g1, (int)g2, want);
            goto out;
        }
        seen++;
    }
    if (rc != SQL_NO_DATA || seen != BATCH) {
        fail("%s: read %d new rows (rc %d), want %d", t->name, seen, (int)rc, BATCH);
        goto out;
    }
    t->rows_verified += seen;
    SQLCloseCursor(s);

    if (replica) {
        if (!SQL_SUCCEEDED(SQLExecDirect(s, (SQLCHAR *)"PRAGMA libsql_sync", SQL_NTS))) {
            fail("%s: PRAGMA libsql_sync: %s", t->name, diag(SQL_HANDLE_STMT, s));
            goto out;
        }
        while (SQL_SUCCEEDED(SQLFetch(s)))
            ;
        t->syncs++;
    }
    ret = 0;
out:
    if (s)
        SQLFreeHandle(SQL_HANDLE_STMT, s);
    if (!SQL_SUCCEEDED(SQLDisconnect(dbc))) {
        fail("%s: disconnect: %s", t->name, diag(SQL_HANDLE_DBC, dbc));
        ret = -1;
    }
    if (!SQL_SUCCEEDED(SQLFreeHandle(SQL_HANDLE_DBC, dbc))) {
        fail("%s: free dbc", t->name);
        ret = -1;
    }
    return ret;
}

static int setup_table(SQLHENV env, db_target *t)
{
    SQLHDBC dbc;
    OK(SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc), SQL_HANDLE_ENV, env, "alloc dbc");
    SQLRETURN rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)t->connstr, SQL_NTS, NULL, 0, NULL,
                                    SQL_DRIVER_NOPROMPT);
    if (!SQL_SUCCEEDED(rc)) {
        fail("%s: first connect: %s", t->name, diag(SQL_HANDLE_DBC, dbc));
        SQLFreeHandle(SQL_HANDLE_DBC, dbc);
        return -1;
    }
    int r = exec_sql(dbc, "CREATE TABLE soak(id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    SQLDisconnect(dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    t->next_id = 1;
    return r;
}

/* Under ASan: run again with LeakSanitizer on and no quarantine, so
 * freed memory does not look like growth. */
static void reexec_with_lsan(char **argv)
{
    const char *asan = getenv("ASAN_OPTIONS");
    if (!asan || getenv("REL_SOAK_LSAN"))
        return;
    static char opts[2048];
    snprintf(opts, sizeof opts,
             "%s:detect_leaks=1:quarantine_size_mb=0:thread_local_quarantine_size_kb=0", asan);
    setenv("ASAN_OPTIONS", opts, 1);
    setenv("REL_SOAK_LSAN", "1", 1);
    execv("/proc/self/exe", argv);
    printf("FAIL: cannot re-exec with LeakSanitizer on: %s\n", strerror(errno));
    exit(1);
}

int main(int argc, char **argv)
{
    (void)argc;
    reexec_with_lsan(argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *t = getenv("LSQ_TEST_TMP"), *src = getenv("LSQ_SOURCE_DIR");
    if (!t || !src) {
        printf("FAIL: LSQ_TEST_TMP / LSQ_SOURCE_DIR not set (run through tests/integration/run.sh)\n");
        return 1;
    }
    snprintf(tmpdir, sizeof tmpdir, "%s", t);
    snprintf(srcdir, sizeof srcdir, "%s", src);
    snprintf(primary_dir, sizeof primary_dir, "%s/primary", tmpdir);
    int soak = getenv("LSQ_SOAK") && strcmp(getenv("LSQ_SOAK"), "0") != 0;
    double duration = soak ? 600 : 60;
    if (getenv("LSQ_SOAK_SECONDS")) /* for trying things out locally */
        duration = atof(getenv("LSQ_SOAK_SECONDS"));

    atexit(stop_primary);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    int rc = primary_sh("start", NULL);
    primary_started = 1; /* stop even after a half-failed start */
    char portfile[700];
    snprintf(portfile, sizeof portfile, "%s/primary.port", primary_dir);
    FILE *pf = fopen(portfile, "r");
    int port = 0;
    if (rc != 0 || !pf || fscanf(pf, "%d", &port) != 1 || port <= 0) {
        printf("FAIL: could not start the primary with tests/node/primary.sh (rc %d)\n", rc);
        if (pf)
            fclose(pf);
        return 1;
    }
    fclose(pf);

    db_target targets[2];
    memset(targets, 0, sizeof targets);
    targets[0].name = "replica";
    snprintf(targets[0].connstr, sizeof targets[0].connstr,
             "Database=%s/replica.db;SyncUrl=http://127.0.0.1:%d", tmpdir, port);
    targets[1].name = "local";
    snprintf(targets[1].connstr, sizeof targets[1].connstr, "Database=%s/local.db;Create=1",
             tmpdir);

    SQLHENV env;
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env)) ||
        !SQL_SUCCEEDED(SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0))) {
        printf("FAIL: environment\n");
        return 1;
    }
    /* the sync server seeds a replica from its WAL: give it a first page */
    if (primary_sh("sql", "CREATE TABLE soak(id INTEGER PRIMARY KEY, v TEXT NOT NULL)") != 0) {
        printf("FAIL: creating the table on the primary failed\n");
        return 1;
    }
    targets[0].next_id = 1;
    if (setup_table(env, &targets[1]) != 0) {
        printf("0 passed, %d failed\n", failures);
        return 1;
    }

    double start = now_s(), rss_warm = -1, rss_peak = 0, heap_warm = -1;
    long cycles = 0;
    while (failures == 0 && (now_s() - start < duration || cycles < WARMUP_CYCLES + 5)) {
        if (cycle(env, &targets[0], 1, cycles) != 0 || cycle(env, &targets[1], 0, cycles) != 0)
            break;
        cycles++;
        double r = rss_mb();
        if (cycles == WARMUP_CYCLES) {
            rss_warm = r;
            heap_warm = heap_mb();
        }
        if (r > rss_peak)
            rss_peak = r;
        if (cycles % 50 == 0)
            printf("cycle %ld: %.0f s, RSS %.1f MB, heap %.1f KB\n", cycles, now_s() - start, r,
                   heap_mb() * 1024);
    }
    double elapsed = now_s() - start;
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    double rss_end = rss_mb(), heap_end = heap_mb();
    double growth = rss_end - rss_warm, heap_growth = heap_end - heap_warm;
    /* The live heap (ASan's count) is the finer measure: it does not move
     * with the allocator's caches, so its bound is tighter. */
    if (failures == 0 && heap_warm >= 0 && heap_growth > HEAP_BOUND_MB)
        fail("live heap grew %.3f MB after the warm-up (%.3f -> %.3f MB), bound %.1f MB",
             heap_growth, heap_warm, heap_end, HEAP_BOUND_MB);
    if (failures == 0 && rss_warm > 0 && growth > RSS_BOUND_MB)
        fail("RSS grew %.2f MB after the warm-up (%.1f -> %.1f MB), bound %.1f MB", growth,
             rss_warm, rss_end, RSS_BOUND_MB);

    int leaks = -1;
    if (__lsan_do_recoverable_leak_check && getenv("REL_SOAK_LSAN")) {
        leaks = __lsan_do_recoverable_leak_check() ? 1 : 0;
        if (leaks)
            fail("LeakSanitizer found leaks (report above)");
    }
    stop_primary();

    char line[1200];
    snprintf(line, sizeof line,
             "mode %s, %.0f s: cycles %ld (each: replica and local file), connects %ld, "
             "rows written %ld, rows read back %ld, explicit syncs %ld\n"
             "RSS after %d warm-up cycles %.1f MB, at end %.1f MB, peak %.1f MB, growth %.2f MB "
             "(bound %.1f MB); live heap %.3f -> %.3f MB, growth %.3f MB (bound %.1f MB); "
             "leaks: %s\n",
             soak ? "soak (LSQ_SOAK=1)" : "short", elapsed, cycles,
             targets[0].connects + targets[1].connects,
             targets[0].rows_written + targets[1].rows_written,
             targets[0].rows_verified + targets[1].rows_verified, targets[0].syncs, WARMUP_CYCLES,
             rss_warm, rss_end, rss_peak, growth, RSS_BOUND_MB, heap_warm, heap_end,
             heap_growth, HEAP_BOUND_MB,
             leaks < 0 ? "not checked (no LeakSanitizer in this build)" : leaks ? "FOUND" : "none (LeakSanitizer)");
    fputs(line, stdout);
    const char *rdir = getenv("LSQ_REPORT_DIR");
    if (rdir) {
        mkdir(rdir, 0777);
        char path[700];
        snprintf(path, sizeof path, "%s/rel_soak.txt", rdir);
        FILE *f = fopen(path, "w");
        if (f) {
            fprintf(f, "rel_soak: %s", line);
            fclose(f);
        } else {
            fail("cannot write %s", path);
        }
    }
    if (cycles < WARMUP_CYCLES + 5 && failures == 0)
        fail("only %ld cycles ran", cycles);
    printf("%ld passed, %d failed\n", failures ? 0 : cycles, failures);
    return failures ? 1 : 0;
}
