/*
 * rel_tsan_concurrency.c — many threads and processes on ONE replica file of
 * a real primary, for a fixed time, checking invariants (issue 7,
 * "concurrency"); meant to be clean under ThreadSanitizer (ctest label tsan;
 * scripts/test.sh runs it on a -DLSQ_TSAN=ON build) and runs in the ASan
 * build too.
 *
 * The program calls the driver's SQL* functions directly (it is linked with
 * the driver's static library: no driver manager, so TSan sees every lock).
 * The parent starts a primary (tests/node/primary.sh), creates ACCOUNTS
 * accounts of 1000 each over /v2/pipeline (core/remote.h), then runs
 *   - THREADS threads, each on its own connection (half with SyncInterval=1,
 *     so the replica's background thread runs too; a quarter logging at
 *     debug level into one file), SHARED_THREADS more two to a connection,
 *     and
 *   - CHILDREN processes (this program again, "--child"), CHILD_THREADS
 *     threads each, on the same file,
 * all mixing for DURATION seconds (LSQ_SOAK=1: minutes):
 *   reads     one statement: sum(bal) = ACCOUNTS*1000 and count = ACCOUNTS,
 *   transfers a manual-commit transaction of two UPDATEs (forwarded to the
 *             primary as one batch on SQLEndTran), whose local preview must
 *             keep the sum too,
 *   writes    autocommit INSERTs into notes, counted when confirmed,
 *   syncs     PRAGMA libsql_sync,
 *   churn     disconnect / reconnect, sometimes with a new connection handle.
 * Errors are counted by SQLSTATE: 40001 (a transfer's guard saw the primary
 * move) and HY000 with SQLITE_BUSY/LOCKED as native code (contention on the
 * file) are expected; anything else fails the test, as does any invariant
 * violation. At the end: the replica, synced, equals the primary row for row,
 * the primary holds exactly the confirmed notes, integrity_check is ok.
 *
 * Figures go to $LSQ_REPORT_DIR/rel_tsan_concurrency.txt. Run through
 * tests/integration/run.sh (LSQ_TEST_TMP, LSQ_SOURCE_DIR). Under LSQ_TSAN=ON
 * the program re-executes itself once with TSAN_OPTIONS (halt_on_error,
 * second_deadlock_stack, tests/reliability/tsan.supp), which TSan reads only
 * at start-up; children inherit them.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>
#include <sql.h>
#include <sqlext.h>
#include <sqlite3.h>
#include <cjson/cJSON.h>

#include "remote.h"

extern char **environ;

#define THREADS 16
#define SHARED_THREADS 4     /* more threads, two on each of two shared connections */
#define CHILDREN 4
#define CHILD_THREADS 2
#define ACCOUNTS 64
#define TOTAL ((long long)ACCOUNTS * 1000)
#define MAX_STATES 24

/* ---------- counters: one set per worker, summed after the joins ---------- */

typedef struct state_count {
    char state[6];
    long n;
} state_count;

typedef struct counters {
    long reads, transfers, writes, syncs, reconnects, metas;
    long violations, unexpected;
    state_count errors[MAX_STATES];
    char first_problem[600];
} counters;

static void count_error(counters *c, const char *state)
{
    for (int i = 0; i < MAX_STATES; i++) {
        if (c->errors[i].state[0] == 0)
            snprintf(c->errors[i].state, sizeof c->errors[i].state, "%s", state);
        if (strcmp(c->errors[i].state, state) == 0) {
            c->errors[i].n++;
            return;
        }
    }
}

static void problem(counters *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(counters *c, const char *fmt, ...)
{
    if (c->first_problem[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->first_problem, sizeof c->first_problem, fmt, ap);
    va_end(ap);
}

static void add_counters(counters *to, const counters *from)
{
    to->reads += from->reads;
    to->transfers += from->transfers;
    to->writes += from->writes;
    to->syncs += from->syncs;
    to->reconnects += from->reconnects;
    to->metas += from->metas;
    to->violations += from->violations;
    to->unexpected += from->unexpected;
    for (int i = 0; i < MAX_STATES && from->errors[i].state[0]; i++)
        for (long k = 0; k < from->errors[i].n; k++)
            count_error(to, from->errors[i].state);
    if (!to->first_problem[0] && from->first_problem[0])
        memcpy(to->first_problem, from->first_problem, sizeof to->first_problem);
}

/* ---------- small helpers ------------------------------------------------- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Configuration shared read-only by every worker (set before they start). */
static struct {
    char url[256];
    char db[1024];
    char log[1100];
    double deadline;
    const char *who;      /* "parent" or "child N": tags the notes */
} cfg;

/* The first diagnostic of a handle: SQLSTATE and native code; classifies it
 * as expected contention or not. Returns 1 when expected. */
static int note_error(counters *c, SQLSMALLINT type, SQLHANDLE h, const char *what)
{
    SQLCHAR state[6] = "?????";
    SQLCHAR msg[512] = "";
    SQLINTEGER native = 0;
    SQLSMALLINT len = 0;
    if (!SQL_SUCCEEDED(SQLGetDiagRec(type, h, 1, state, &native, msg, sizeof msg, &len)))
        snprintf((char *)msg, sizeof msg, "(no diagnostic)");
    count_error(c, (const char *)state);
    int busy = (native & 0xff) == SQLITE_BUSY || (native & 0xff) == SQLITE_LOCKED;
    if (strcmp((char *)state, "40001") == 0 || (strcmp((char *)state, "HY000") == 0 && busy))
        return 1;
    c->unexpected++;
    problem(c, "%s: %s [%s] native %d: %s", cfg.who, what, state, (int)native, msg);
    return 0;
}

/* ---------- one worker's connection ---------------------------------------- */

typedef struct worker {
    int index;
    int shared;           /* the connection is another's: no transactions, churn or syncs */
    SQLHENV env;          /* shared by the process's workers */
    SQLHDBC dbc;
    unsigned seed;
    long notes_seq;
    counters c;
} worker;

static int connect_worker(worker *w)
{
    if (!w->dbc && !SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, w->env, &w->dbc))) {
        w->c.unexpected++;
        problem(&w->c, "%s: SQLAllocHandle(DBC) failed", cfg.who);
        return 0;
    }
    char cs[2600];
    /* Half the connections ask for the background thread: the replica
     * (shared by the process's connections) then syncs every second too.
     * A quarter log at debug level into one shared file (the process-wide
     * log sink, written by every thread and the sync thread). */
    snprintf(cs, sizeof cs, "Database=%s;SyncUrl=%s;SyncInterval=%d%s%s%s", cfg.db, cfg.url,
             w->index % 2 ? 1 : 0, w->index % 4 == 0 ? ";LogLevel=debug;LogFile=" : "",
             w->index % 4 == 0 ? cfg.log : "", "");
    SQLRETURN rc = SQLDriverConnect(w->dbc, NULL, (SQLCHAR *)cs, SQL_NTS, NULL, 0, NULL,
                                    SQL_DRIVER_NOPROMPT);
    if (!SQL_SUCCEEDED(rc)) {
        note_error(&w->c, SQL_HANDLE_DBC, w->dbc, "connect");
        return 0;
    }
    return 1;
}

static void disconnect_worker(worker *w, int free_handle)
{
    SQLDisconnect(w->dbc);
    if (free_handle) {
        SQLFreeHandle(SQL_HANDLE_DBC, w->dbc);
        w->dbc = NULL;
    }
}

/* Run sql (parameters: up to 3 integers) on a new statement; fetch every row
 * of a result, the first row's two integer columns into out (may be NULL).
 * Returns 1 on success, 0 on an expected error, -1 on anything else. */
static int run(worker *w, const char *sql, int nparams, const SQLBIGINT *params,
               SQLBIGINT out[2], const char *what)
{
    SQLHSTMT st = NULL;
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, w->dbc, &st)))
        return note_error(&w->c, SQL_HANDLE_DBC, w->dbc, what) ? 0 : -1;
    SQLBIGINT p[3];
    SQLLEN ind[3];
    for (int i = 0; i < nparams; i++) {
        p[i] = params[i];
        ind[i] = 0;
        SQLBindParameter(st, (SQLUSMALLINT)(i + 1), SQL_PARAM_INPUT, SQL_C_SBIGINT,
                         SQL_BIGINT, 0, 0, &p[i], 0, &ind[i]);
    }
    int result = 1;
    SQLRETURN rc = SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS);
    if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
        result = note_error(&w->c, SQL_HANDLE_STMT, st, what) ? 0 : -1;
    } else {
        SQLSMALLINT ncols = 0;
        SQLNumResultCols(st, &ncols);
        int first = 1;
        while (ncols > 0 && (rc = SQLFetch(st)) != SQL_NO_DATA) {
            if (!SQL_SUCCEEDED(rc)) {
                result = note_error(&w->c, SQL_HANDLE_STMT, st, what) ? 0 : -1;
                break;
            }
            if (first && out) {
                SQLLEN li = 0;
                out[0] = out[1] = -1;
                SQLGetData(st, 1, SQL_C_SBIGINT, &out[0], 0, &li);
                if (ncols > 1)
                    SQLGetData(st, 2, SQL_C_SBIGINT, &out[1], 0, &li);
            }
            first = 0;
        }
        if (first && out && result == 1) {
            w->c.unexpected++;
            problem(&w->c, "%s: %s returned no row", cfg.who, what);
            result = -1;
        }
    }
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    return result;
}

static const char *CHECK_SQL =
    "SELECT (SELECT sum(bal) FROM acct), (SELECT count(*) FROM acct)";

static void check_invariant(worker *w, const SQLBIGINT v[2], const char *where)
{
    if (v[0] != TOTAL || v[1] != ACCOUNTS) {
        w->c.violations++;
        problem(&w->c, "%s: invariant broken %s: sum %lld over %lld accounts", cfg.who, where,
                (long long)v[0], (long long)v[1]);
    }
}

static void do_read(worker *w)
{
    SQLBIGINT v[2];
    if (run(w, CHECK_SQL, 0, NULL, v, "read") == 1) {
        w->c.reads++;
        check_invariant(w, v, "in a read");
    }
}

/* A manual-commit transaction of two UPDATEs; the local preview is read
 * before the commit (it must keep the sum: both updates or neither). Half
 * of them are optimistic: the debit is a compare-and-set on the balance
 * read from the replica, so when another thread or process moved that
 * account first the primary changes no row, the commit's guard sees it and
 * the driver reports 40001 with nothing committed. */
static void do_transfer(worker *w)
{
    SQLBIGINT a = 1 + rand_r(&w->seed) % ACCOUNTS;
    SQLBIGINT b = 1 + (a + rand_r(&w->seed) % (ACCOUNTS - 1)) % ACCOUNTS;
    SQLBIGINT x = 1 + rand_r(&w->seed) % 50;
    if (!SQL_SUCCEEDED(SQLSetConnectAttr(w->dbc, SQL_ATTR_AUTOCOMMIT,
                                         (SQLPOINTER)(uintptr_t)SQL_AUTOCOMMIT_OFF, 0))) {
        note_error(&w->c, SQL_HANDLE_DBC, w->dbc, "autocommit off");
        return;
    }
    SQLBIGINT p1[3] = {x, a, 0}, p2[2] = {x, b}, v[2];
    int ok;
    if (rand_r(&w->seed) % 2) {
        SQLBIGINT pa[1] = {a}, seen[2];
        ok = run(w, "SELECT bal, 0 FROM acct WHERE id = ?", 1, pa, seen, "transfer") == 1;
        p1[0] = seen[0] - x;
        p1[2] = seen[0];
        ok = ok && run(w, "UPDATE acct SET bal = ? WHERE id = ? AND bal = ?", 3, p1, NULL,
                       "transfer") == 1;
    } else {
        ok = run(w, "UPDATE acct SET bal = bal - ? WHERE id = ?", 2, p1, NULL, "transfer") == 1;
    }
    ok = ok && run(w, "UPDATE acct SET bal = bal + ? WHERE id = ?", 2, p2, NULL, "transfer") == 1;
    if (ok && run(w, CHECK_SQL, 0, NULL, v, "read in a transfer") == 1)
        check_invariant(w, v, "in a transaction's local preview");
    if (ok) {
        SQLRETURN rc = SQLEndTran(SQL_HANDLE_DBC, w->dbc, SQL_COMMIT);
        if (SQL_SUCCEEDED(rc))
            w->c.transfers++;
        else
            note_error(&w->c, SQL_HANDLE_DBC, w->dbc, "commit");
    }
    if (!ok)
        SQLEndTran(SQL_HANDLE_DBC, w->dbc, SQL_ROLLBACK);
    if (!SQL_SUCCEEDED(SQLSetConnectAttr(w->dbc, SQL_ATTR_AUTOCOMMIT,
                                         (SQLPOINTER)(uintptr_t)SQL_AUTOCOMMIT_ON, 0)))
        note_error(&w->c, SQL_HANDLE_DBC, w->dbc, "autocommit on");
}

static void do_write(worker *w)
{
    SQLBIGINT p[2] = {(SQLBIGINT)getpid() * 100 + w->index, ++w->notes_seq};
    if (run(w, "INSERT INTO notes(who, n) VALUES (?, ?)", 2, p, NULL, "write") == 1)
        w->c.writes++;
}

static void do_sync(worker *w)
{
    if (run(w, "PRAGMA libsql_sync", 0, NULL, NULL, "sync") == 1)
        w->c.syncs++;
}

/* Metadata calls: the replica's state (PRAGMA libsql_state) and a catalog
 * function, which read shared replica state and the local schema. */
static void do_meta(worker *w)
{
    if (run(w, "PRAGMA libsql_state", 0, NULL, NULL, "state") != 1)
        return;
    SQLHSTMT st = NULL;
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, w->dbc, &st))) {
        note_error(&w->c, SQL_HANDLE_DBC, w->dbc, "catalog");
        return;
    }
    SQLRETURN rc = SQLTables(st, NULL, 0, NULL, 0, NULL, 0, (SQLCHAR *)"TABLE", SQL_NTS);
    int tables = 0;
    while (SQL_SUCCEEDED(rc) && SQL_SUCCEEDED(SQLFetch(st)))
        tables++;
    if (!SQL_SUCCEEDED(rc))
        note_error(&w->c, SQL_HANDLE_STMT, st, "SQLTables");
    else if (tables < 2) {
        w->c.unexpected++;
        problem(&w->c, "%s: SQLTables listed %d tables", cfg.who, tables);
    } else
        w->c.metas++;
    SQLFreeHandle(SQL_HANDLE_STMT, st);
}

/* Threads sharing one connection (ODBC allows it; each has its own
 * statements): reads, autocommit writes and metadata calls only, since a
 * transaction or a disconnect would be the other thread's too. */
static void *shared_worker_main(void *arg)
{
    worker *w = arg;
    while (now() < cfg.deadline) {
        int r = rand_r(&w->seed) % 100;
        if (r < 55)
            do_read(w);
        else if (r < 85)
            do_write(w);
        else
            do_meta(w);
    }
    return NULL;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    int connected = connect_worker(w);
    while (now() < cfg.deadline) {
        if (!connected) {
            /* a failed connect was counted; try again shortly */
            struct timespec ms = {0, 20 * 1000000};
            nanosleep(&ms, NULL);
            connected = connect_worker(w);
            continue;
        }
        int r = rand_r(&w->seed) % 100;
        if (r < 40)
            do_read(w);
        else if (r < 60)
            do_transfer(w);
        else if (r < 75)
            do_write(w);
        else if (r < 89)
            do_sync(w);
        else if (r < 93)
            do_meta(w);
        else {
            int fresh = r >= 97;  /* sometimes a new connection handle too */
            disconnect_worker(w, fresh);
            w->c.reconnects++;
            connected = connect_worker(w);
        }
    }
    if (connected)
        disconnect_worker(w, 1);
    else if (w->dbc) {
        SQLFreeHandle(SQL_HANDLE_DBC, w->dbc);
        w->dbc = NULL;
    }
    return NULL;
}

/* Run n workers in this process until the deadline, and nshared more that
 * share connections two by two; sum their counters. */
static void run_workers(int n, int nshared, int first_index, counters *total)
{
    SQLHENV env = NULL;
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env)))
        die("%s: SQLAllocHandle(ENV) failed", cfg.who);
    SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    int all = n + nshared;
    worker *ws = calloc((size_t)all, sizeof *ws);
    pthread_t *ts = calloc((size_t)all, sizeof *ts);
    if (!ws || !ts)
        die("out of memory");
    for (int i = 0; i < all; i++) {
        ws[i].index = first_index + i;
        ws[i].env = env;
        ws[i].seed = (unsigned)(getpid() * 7919 + i * 104729);
        ws[i].shared = i >= n;
        if (ws[i].shared && (i - n) % 2 == 0 && !connect_worker(&ws[i]))
            die("%s: connecting a shared connection failed: %s", cfg.who, ws[i].c.first_problem);
        if (ws[i].shared && (i - n) % 2 == 1)
            ws[i].dbc = ws[i - 1].dbc;
    }
    for (int i = 0; i < all; i++)
        if (pthread_create(&ts[i], NULL, ws[i].shared ? shared_worker_main : worker_main,
                           &ws[i]) != 0)
            die("pthread_create failed");
    for (int i = 0; i < all; i++) {
        pthread_join(ts[i], NULL);
        add_counters(total, &ws[i].c);
    }
    for (int i = n; i < all; i += 2)
        disconnect_worker(&ws[i], 1);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    free(ws);
    free(ts);
}

/* ---------- the child: "--child K URL DB SECONDS OUTFILE" ----------------- */

static void write_counters(const char *path, const counters *c)
{
    FILE *f = fopen(path, "w");
    if (!f)
        die("cannot write %s: %s", path, strerror(errno));
    fprintf(f, "%ld %ld %ld %ld %ld %ld %ld %ld\n", c->reads, c->transfers, c->writes, c->syncs,
            c->reconnects, c->metas, c->violations, c->unexpected);
    for (int i = 0; i < MAX_STATES && c->errors[i].state[0]; i++)
        fprintf(f, "E %s %ld\n", c->errors[i].state, c->errors[i].n);
    if (c->first_problem[0])
        fprintf(f, "P %s\n", c->first_problem);
    fclose(f);
}

static int read_counters(const char *path, counters *c)
{
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int ok = fscanf(f, "%ld %ld %ld %ld %ld %ld %ld %ld\n", &c->reads, &c->transfers,
                    &c->writes, &c->syncs, &c->reconnects, &c->metas, &c->violations,
                    &c->unexpected) == 8;
    char line[700];
    while (ok && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        char st[8];
        long n;
        if (sscanf(line, "E %5s %ld", st, &n) == 2) {
            for (long k = 0; k < n; k++)
                count_error(c, st);
        } else if (strncmp(line, "P ", 2) == 0) {
            snprintf(c->first_problem, sizeof c->first_problem, "%.*s", (int)sizeof c->first_problem - 1, line + 2);
        }
    }
    fclose(f);
    return ok;
}

static int child_main(int argc, char **argv)
{
    if (argc != 7)
        die("usage: %s --child K URL DB SECONDS OUTFILE", argv[0]);
    /* Die with the parent (a ThreadSanitizer report ends it at once). */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1)
        return 1;
    static char who[32];
    snprintf(who, sizeof who, "child %s", argv[2]);
    cfg.who = who;
    snprintf(cfg.url, sizeof cfg.url, "%s", argv[3]);
    snprintf(cfg.db, sizeof cfg.db, "%s", argv[4]);
    snprintf(cfg.log, sizeof cfg.log, "%s.log", cfg.db);
    cfg.deadline = now() + atof(argv[5]);
    counters c;
    memset(&c, 0, sizeof c);
    run_workers(CHILD_THREADS, 0, 100 * atoi(argv[2]), &c);
    write_counters(argv[6], &c);
    return 0;
}

/* ---------- the parent: primary, schema, final checks --------------------- */

static char primary_dir[1024];
static int primary_started;

static void stop_primary(void)
{
    if (!primary_started)
        return;
    primary_started = 0;
    char cmd[2400];
    snprintf(cmd, sizeof cmd, "env -u LD_PRELOAD bash '%s/tests/node/primary.sh' stop '%s'",
             getenv("LSQ_SOURCE_DIR"), primary_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: stopping the primary failed\n");
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stdout, "FAIL: ");
    vfprintf(stdout, fmt, ap);
    fprintf(stdout, "\n0 passed, 1 failed\n");
    va_end(ap);
    fflush(stdout);
    stop_primary();
    exit(1);
}

/* ThreadSanitizer ends a process at its first report (halt_on_error)
 * without running atexit handlers: a watchdog process holding the read end
 * of a pipe that only this process can write stops the primary when this
 * process is gone, however it went. */
static void start_watchdog(void)
{
    char path[1100], pid[32] = "";
    snprintf(path, sizeof path, "%s/primary.pid", primary_dir);
    FILE *f = fopen(path, "r");
    if (!f || !fgets(pid, sizeof pid, f))
        die("no pid in %s", path);
    fclose(f);
    pid[strcspn(pid, "\n")] = 0;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        die("pipe2: %s", strerror(errno));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[0], 0);  /* dup2 clears CLOEXEC */
    char *argv[] = {"sh", "-c",
                    "cat >/dev/null; grep -q tursodb /proc/$0/cmdline 2>/dev/null && kill $0",
                    pid, NULL};
    pid_t w;
    int rc = posix_spawn(&w, "/bin/sh", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[0]);
    if (rc != 0)
        die("cannot start the watchdog: %s", strerror(rc));
    /* fds[1] stays open (close-on-exec: children do not hold it) until exit */
}

static void start_primary(const char *tmp)
{
    snprintf(primary_dir, sizeof primary_dir, "%s/primary-tsan", tmp);
    char cmd[2400];
    /* The primary is not ours: no sanitizer preload for it. */
    snprintf(cmd, sizeof cmd,
             "env -u LD_PRELOAD bash '%s/tests/node/primary.sh' start '%s' >/dev/null",
             getenv("LSQ_SOURCE_DIR"), primary_dir);
    if (system(cmd) != 0)
        die("cannot start the primary (%s)", cmd);
    primary_started = 1;
    char path[1100];
    snprintf(path, sizeof path, "%s/primary.port", primary_dir);
    FILE *f = fopen(path, "r");
    int port = 0;
    if (!f || fscanf(f, "%d", &port) != 1 || port <= 0)
        die("no port in %s", path);
    fclose(f);
    snprintf(cfg.url, sizeof cfg.url, "http://127.0.0.1:%d", port);
    start_watchdog();
}

/* Run statements on the primary in one /v2/pipeline request; every result
 * must be ok. Returns the parsed response (caller deletes). */
static cJSON *primary_pipeline(const char *const *stmts, int n)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddNullToObject(body, "baton");
    cJSON *reqs = cJSON_AddArrayToObject(body, "requests");
    for (int i = 0; i < n; i++) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "type", "execute");
        cJSON *st = cJSON_AddObjectToObject(r, "stmt");
        cJSON_AddStringToObject(st, "sql", stmts[i]);
        cJSON_AddItemToArray(reqs, r);
    }
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    lsq_remote *rem = NULL;
    lsq_error err;
    memset(&err, 0, sizeof err);
    char *resp = NULL;
    if (lsq_remote_open(cfg.url, NULL, NULL, &rem, &err) != LSQ_OK ||
        lsq_remote_pipeline(rem, text, &resp, &err) != LSQ_OK)
        die("the primary's /v2/pipeline failed: %s", err.message);
    lsq_remote_close(rem);
    free(text);
    cJSON *out = cJSON_Parse(resp);
    free(resp);
    cJSON *results = out ? cJSON_GetObjectItem(out, "results") : NULL;
    if (!cJSON_IsArray(results) || cJSON_GetArraySize(results) != n)
        die("the primary's answer has no results");
    for (int i = 0; i < n; i++) {
        cJSON *t = cJSON_GetObjectItem(cJSON_GetArrayItem(results, i), "type");
        if (!cJSON_IsString(t) || strcmp(t->valuestring, "ok") != 0)
            die("the primary refused `%s`", stmts[i]);
    }
    return out;
}

/* The rows of result i as integers (every value an integer). */
static long long *primary_ints(cJSON *resp, int i, int *nvalues)
{
    cJSON *rows = cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
                                                    cJSON_GetObjectItem(resp, "results"), i),
                                                "response"),
                            "result"),
        "rows");
    int n = 0, cap = 0;
    long long *v = NULL;
    cJSON *row, *val;
    cJSON_ArrayForEach(row, rows) {
        cJSON_ArrayForEach(val, row) {
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                v = realloc(v, (size_t)cap * sizeof *v);
                if (!v)
                    die("out of memory");
            }
            cJSON *s = cJSON_GetObjectItem(val, "value");
            v[n++] = cJSON_IsString(s) ? atoll(s->valuestring) : -1;
        }
    }
    *nvalues = n;
    return v;
}

static void create_schema(void)
{
    /* 400 bytes of padding a row: the accounts span several pages, so a
     * torn apply (some pages of a revision, not others) breaks the sum. */
    static char insert[ACCOUNTS * 40 + 64];
    size_t k = (size_t)snprintf(insert, sizeof insert, "INSERT INTO acct(id, bal, pad) VALUES ");
    for (int i = 1; i <= ACCOUNTS; i++)
        k += (size_t)snprintf(insert + k, sizeof insert - k, "%s(%d, 1000, randomblob(400))",
                              i > 1 ? "," : "", i);
    const char *stmts[] = {
        "BEGIN",
        "CREATE TABLE acct(id INTEGER PRIMARY KEY, bal INTEGER NOT NULL, pad BLOB)",
        "CREATE TABLE notes(id INTEGER PRIMARY KEY, who INTEGER NOT NULL, n INTEGER NOT NULL)",
        insert,
        "COMMIT",
    };
    cJSON_Delete(primary_pipeline(stmts, 5));
}

/* Run as a child: this program, "--child k url db seconds outfile". */
static pid_t spawn_child(int k, double seconds, const char *outfile)
{
    char ks[16], secs[32];
    snprintf(ks, sizeof ks, "%d", k);
    snprintf(secs, sizeof secs, "%.1f", seconds);
    char *argv[] = {"rel_tsan_concurrency", "--child", ks, cfg.url, cfg.db, secs,
                    (char *)outfile, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, argv, environ);
    if (rc != 0)
        die("posix_spawn: %s", strerror(rc));
    return pid;
}

/* The final state: the replica (synced) equals the primary row for row, the
 * primary holds exactly the confirmed notes, the file is intact. */
static int final_checks(const counters *all, char *summary, size_t cap)
{
    int failures = 0;
    const char *stmts[] = {"SELECT id, bal FROM acct ORDER BY id", "SELECT count(*) FROM notes"};
    cJSON *resp = primary_pipeline(stmts, 2);
    int nacct = 0, nnotes = 0;
    long long *acct = primary_ints(resp, 0, &nacct);
    long long *notes = primary_ints(resp, 1, &nnotes);
    cJSON_Delete(resp);

    /* the replica through the driver, after an explicit sync */
    worker w;
    memset(&w, 0, sizeof w);
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &w.env);
    SQLSetEnvAttr(w.env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    w.index = 0;
    if (!connect_worker(&w) || run(&w, "PRAGMA libsql_sync", 0, NULL, NULL, "final sync") != 1)
        die("final connect/sync failed: %s", w.c.first_problem);
    SQLHSTMT st = NULL;
    SQLAllocHandle(SQL_HANDLE_STMT, w.dbc, &st);
    int mismatch = 0, rows = 0;
    long long sum = 0;
    if (SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)"SELECT id, bal FROM acct ORDER BY id",
                                    SQL_NTS))) {
        SQLBIGINT id, bal;
        SQLLEN li;
        while (SQL_SUCCEEDED(SQLFetch(st))) {
            SQLGetData(st, 1, SQL_C_SBIGINT, &id, 0, &li);
            SQLGetData(st, 2, SQL_C_SBIGINT, &bal, 0, &li);
            if (2 * rows + 1 >= nacct || acct[2 * rows] != id || acct[2 * rows + 1] != bal)
                mismatch = 1;
            sum += bal;
            rows++;
        }
    }
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    SQLBIGINT nv[2] = {-1, -1};
    run(&w, "SELECT count(*), 0 FROM notes", 0, NULL, nv, "final count");
    disconnect_worker(&w, 1);
    SQLFreeHandle(SQL_HANDLE_ENV, w.env);
    if (mismatch || 2 * rows != nacct) {
        printf("FAIL - the synced replica's accounts differ from the primary's (%d rows here, "
               "%d there)\n", rows, nacct / 2);
        failures++;
    }
    if (sum != TOTAL) {
        printf("FAIL - the accounts sum to %lld, not %lld\n", sum, TOTAL);
        failures++;
    }
    long long primary_notes = nnotes == 1 ? notes[0] : -1;
    if (primary_notes != all->writes || nv[0] != primary_notes) {
        printf("FAIL - notes: %ld confirmed, %lld on the primary, %lld in the replica\n",
               all->writes, primary_notes, (long long)nv[0]);
        failures++;
    }
    free(acct);
    free(notes);

    /* integrity, through SQLite (never the file raw) */
    sqlite3 *db = NULL;
    char ic[256] = "cannot open";
    if (sqlite3_open_v2(cfg.db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) == SQLITE_OK &&
            sqlite3_step(s) == SQLITE_ROW)
            snprintf(ic, sizeof ic, "%s", (const char *)sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    if (strcmp(ic, "ok") != 0) {
        printf("FAIL - integrity_check: %s\n", ic);
        failures++;
    }
    snprintf(summary, cap,
             "final: replica %s the primary (%d accounts, sum %lld); notes: %ld confirmed, "
             "%lld on the primary; integrity_check %s",
             mismatch || 2 * rows != nacct ? "DIFFERS from" : "equals", rows, sum, all->writes,
             primary_notes, ic);
    return failures;
}

static long count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    long n = 0;
    int ch;
    while ((ch = getc(f)) != EOF)
        n += ch == '\n';
    fclose(f);
    return n;
}

/* TSan reads TSAN_OPTIONS only at start-up: set it and run again, once. */
static void tsan_reexec(char **argv)
{
    const char *tsan = getenv("LSQ_TSAN");
    if (!tsan || strcmp(tsan, "ON") != 0 || getenv("REL_TSAN_OPTIONS_SET"))
        return;
    const char *src = getenv("LSQ_SOURCE_DIR");
    if (!src)
        die("LSQ_SOURCE_DIR is not set (run through tests/integration/run.sh)");
    char opts[1400];
    snprintf(opts, sizeof opts,
             "halt_on_error=1:second_deadlock_stack=1:history_size=4:"
             "suppressions=%s/tests/reliability/tsan.supp%s%s",
             src, getenv("TSAN_OPTIONS") ? ":" : "",
             getenv("TSAN_OPTIONS") ? getenv("TSAN_OPTIONS") : "");
    setenv("TSAN_OPTIONS", opts, 1);
    setenv("REL_TSAN_OPTIONS_SET", "1", 1);
    execv("/proc/self/exe", argv);
    die("re-exec with TSAN_OPTIONS failed: %s", strerror(errno));
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && strcmp(argv[1], "--child") == 0)
        return child_main(argc, argv);
    tsan_reexec(argv);
    cfg.who = "parent";
    const char *tmp = getenv("LSQ_TEST_TMP");
    if (!tmp || !getenv("LSQ_SOURCE_DIR"))
        die("LSQ_TEST_TMP / LSQ_SOURCE_DIR are not set (run through tests/integration/run.sh)");
    int soak = getenv("LSQ_SOAK") && strcmp(getenv("LSQ_SOAK"), "1") == 0;
    double seconds = soak ? 300 : 20;
    if (getenv("LSQ_TSAN_SECONDS"))  /* a quick look while debugging */
        seconds = atof(getenv("LSQ_TSAN_SECONDS"));
    int tsan = getenv("LSQ_TSAN") && strcmp(getenv("LSQ_TSAN"), "ON") == 0;

    start_primary(tmp);
    atexit(stop_primary);
    create_schema();
    snprintf(cfg.db, sizeof cfg.db, "%s/tsan-replica.db", tmp);
    snprintf(cfg.log, sizeof cfg.log, "%s.log", cfg.db);

    /* No replica file yet: every process and thread races to bootstrap it
     * (one does, under the file's sync lock; the others adopt its file). */
    double t0 = now();
    cfg.deadline = t0 + seconds;
    pid_t kids[CHILDREN];
    char outs[CHILDREN][1100];
    for (int k = 0; k < CHILDREN; k++) {
        snprintf(outs[k], sizeof outs[k], "%s/tsan-child-%d.txt", tmp, k + 1);
        kids[k] = spawn_child(k + 1, seconds, outs[k]);
    }
    counters all;
    memset(&all, 0, sizeof all);
    run_workers(THREADS, SHARED_THREADS, 0, &all);
    int child_failures = 0;
    for (int k = 0; k < CHILDREN; k++) {
        int status = 0;
        if (waitpid(kids[k], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            printf("FAIL - child %d ended with status 0x%x%s\n", k + 1, status,
                   WIFEXITED(status) && WEXITSTATUS(status) == 66
                       ? " (ThreadSanitizer report above)" : "");
            child_failures++;
            continue;
        }
        counters c;
        if (!read_counters(outs[k], &c)) {
            printf("FAIL - child %d left no counters in %s\n", k + 1, outs[k]);
            child_failures++;
            continue;
        }
        add_counters(&all, &c);
    }
    double elapsed = now() - t0;

    char final[600];
    int failures = child_failures + final_checks(&all, final, sizeof final);
    if (all.violations) {
        printf("FAIL - %ld invariant violations (first: %s)\n", all.violations,
               all.first_problem);
        failures++;
    }
    if (all.unexpected) {
        printf("FAIL - %ld unexpected errors (first: %s)\n", all.unexpected, all.first_problem);
        failures++;
    }
    if (all.reads < 100 || all.transfers < 10 || all.writes < 10 || all.syncs < 10) {
        printf("FAIL - too little work to prove anything (reads %ld, transfers %ld, writes %ld, "
               "syncs %ld)\n", all.reads, all.transfers, all.writes, all.syncs);
        failures++;
    }

    char errs[600] = "";
    size_t k = 0;
    for (int i = 0; i < MAX_STATES && all.errors[i].state[0] && k < sizeof errs - 32; i++)
        k += (size_t)snprintf(errs + k, sizeof errs - k, "%s%s %ld", i ? ", " : "",
                              all.errors[i].state, all.errors[i].n);
    char report[2400];
    snprintf(report, sizeof report,
             "mode %s, %.0f s%s: %d threads on their own connections + %d on %d shared ones + "
             "%d processes x %d threads, on one replica file\n"
             "operations %ld: reads %ld, transfers committed %ld, writes %ld, syncs %ld, "
             "reconnects %ld, state+catalog %ld; %ld log lines\n"
             "invariant violations %ld, unexpected errors %ld, failed children %d\n"
             "errors by SQLSTATE: %s\n"
             "%s\n",
             soak ? "soak" : "short", elapsed, tsan ? " under ThreadSanitizer" : "", THREADS,
             SHARED_THREADS, SHARED_THREADS / 2, CHILDREN, CHILD_THREADS,
             all.reads + all.transfers + all.writes + all.syncs + all.reconnects + all.metas,
             all.reads, all.transfers, all.writes, all.syncs, all.reconnects, all.metas,
             count_lines(cfg.log), all.violations,
             all.unexpected, child_failures, k ? errs : "none", final);
    fputs(report, stdout);
    const char *rdir = getenv("LSQ_REPORT_DIR");
    char rpath[1200];
    if (rdir && *rdir) {
        if (mkdir(rdir, 0777) != 0 && errno != EEXIST)
            printf("warning: cannot create %s: %s\n", rdir, strerror(errno));
        snprintf(rpath, sizeof rpath, "%s/rel_tsan_concurrency.txt", rdir);
        FILE *f = fopen(rpath, "w");
        if (f) {
            fputs(report, f);
            fclose(f);
        }
    }
    stop_primary();
    printf("%d passed, %d failed\n", failures ? 0 : 1, failures ? 1 : 0);
    return failures ? 1 : 0;
}
