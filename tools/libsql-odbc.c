/*
 * libsql-odbc.c — the operator's command-line tool shipped with the driver.
 *
 *   libsql-odbc [--json] sync  DSN | --connect "k=v;..."   pull from the primary now
 *   libsql-odbc [--json] state DSN | --connect ...          revision, size, last sync, lag
 *   libsql-odbc [--json] check DSN | --connect ...          integrity + metadata consistency
 *
 * It reads DSNs exactly as the driver does (connect.c's parser and odbc.ini
 * via odbcinst, opskeys.c for AuthTokenEnv/AuthTokenFile and the log) and
 * talks to core/ directly: no driver manager is involved. `state` and
 * `check` never touch the network; only `sync` does.
 *
 * Exit codes (stable, for scripts; docs/operations.md):
 *   0 ok   1 failure   2 usage   3 primary unreachable   4 authentication
 *   5 replica damaged / inconsistent / lag above --max-lag
 *   6 configuration (DSN unknown, no Database, sync on a non-replica DSN)
 *
 * Secrets: nothing this tool prints comes from AuthToken or EncryptionKey;
 * messages are core/'s lsq_error texts, which never hold them.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <odbcinst.h>

#include "connstr.h"
#include "crypto_vfs.h"
#include "log.h"
#include "lsq.h"
#include "opskeys.h"
#include "replica.h"
#include "replica_meta.h"
#include "sync_status.h"

#define TOOL_VERSION "0.1.0"

enum exit_code {
    EXIT_OK = 0,
    EXIT_FAIL = 1,
    EXIT_USAGE = 2,
    EXIT_UNREACHABLE = 3,
    EXIT_AUTH = 4,
    EXIT_DAMAGED = 5,
    EXIT_CONFIG = 6
};

typedef struct cli {
    const char *command;
    const char *dsn;        /* DSN name, or NULL with --connect */
    const char *connect;    /* connection string */
    int json;
    int quiet;
    long max_lag;           /* state: -1 = no limit */
    dsn_options opt;
    char path[PATH_MAX];    /* the replica/local file, resolved */
} cli;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: libsql-odbc [--json] [--quiet] COMMAND (DSN | --connect \"k=v;...\")\n"
            "\n"
            "commands:\n"
            "  sync    pull from the primary now (bootstraps a new replica); a progress\n"
            "          bar (percentage, MB received / total) is shown on a terminal\n"
            "  state   revision, size, last successful sync, lag, last error (no network);\n"
            "          --max-lag SECONDS exits 5 when the last sync is older\n"
            "  check   PRAGMA integrity_check on the file and its replica metadata (no network)\n"
            "\n"
            "options:\n"
            "  --json           one JSON object on stdout\n"
            "  --connect CS     a connection string instead of a DSN name (DSN= inside it\n"
            "                   reads that DSN first, like SQLDriverConnect)\n"
            "  --quiet          no progress display\n"
            "  --help, --version\n"
            "\n"
            "exit codes: 0 ok, 1 failure, 2 usage, 3 primary unreachable, 4 authentication\n"
            "refused, 5 replica damaged or lagging, 6 configuration error\n");
}

/* ---------- output ------------------------------------------------------- */

static int exit_for_status(lsq_status st)
{
    switch (st) {
    case LSQ_OK: return EXIT_OK;
    case LSQ_ERR_NETWORK:
    case LSQ_ERR_TIMEOUT: return EXIT_UNREACHABLE;
    case LSQ_ERR_AUTH: return EXIT_AUTH;
    default: return EXIT_FAIL;
    }
}

/* Print an error (human to stderr, or JSON to stdout); returns code. */
static int fail(cli *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(cli *c, int code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    LSQ_LOG(LSQ_LOG_ERROR, "cli", "%s: %s", c->command ? c->command : "-", msg);
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddBoolToObject(o, "ok", 0);
        cJSON_AddStringToObject(o, "command", c->command ? c->command : "");
        cJSON_AddStringToObject(o, "error", msg);
        cJSON_AddNumberToObject(o, "exit_code", code);
        char *s = cJSON_Print(o);
        if (s)
            puts(s);
        free(s);
        cJSON_Delete(o);
    } else {
        fprintf(stderr, "libsql-odbc %s: %s\n", c->command ? c->command : "", msg);
    }
    return code;
}

static void print_json(cJSON *o)
{
    char *s = cJSON_Print(o);
    if (s)
        puts(s);
    free(s);
}

static void iso_time(time_t t, char *out, size_t cap)
{
    if (!t) {
        snprintf(out, cap, "never");
        return;
    }
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---------- DSN ---------------------------------------------------------- */

/* The local file without "file:" and "?query", resolved like core/ does. */
static int resolve_file(const char *database, char *out, size_t cap)
{
    const char *p = database;
    if (strncmp(p, "file:", 5) == 0) {
        p += 5;
        if (strncmp(p, "//", 2) == 0)
            p += 2;
    }
    char plain[PATH_MAX];
    snprintf(plain, sizeof plain, "%.*s", (int)strcspn(p, "?#"), p);
    char real[PATH_MAX];
    if (realpath(plain, real))
        snprintf(out, cap, "%s", real);
    else
        snprintf(out, cap, "%s", plain);
    return 0;
}

static int load_options(cli *c)
{
    dsn_options_defaults(&c->opt);
    if (c->connect) {
        if (dsn_options_from_connstr(&c->opt, c->connect) != 0)
            return fail(c, EXIT_USAGE,
                        "invalid connection string (unbalanced braces or a key without '=')");
    } else {
        dsn_options_load_dsn(&c->opt, c->dsn);
    }
    char msg[600] = "";
    if (opskeys_configure_log(&c->opt, msg, sizeof msg) != 0 && !c->json)
        fprintf(stderr, "libsql-odbc: warning: logging: %s\n", msg);
    if (!c->opt.database || !*c->opt.database)
        return fail(c, EXIT_CONFIG,
                    c->connect ? "the connection string names no Database"
                               : "DSN '%s' not found in odbc.ini, or it has no Database key",
                    c->dsn ? c->dsn : "");
    resolve_file(c->opt.database, c->path, sizeof c->path);
    return EXIT_OK;
}

/* How the primary is reached: ConnectTimeout, RequestTimeout (seconds),
 * TlsCaFile, TlsInsecure. connect.c keeps these out of dsn_options, so they
 * are read here the same way: the DSN's odbc.ini keys, then the string's. */
typedef struct net_keys {
    long connect_timeout_s, request_timeout_s;
    char tls_ca_file[PATH_MAX];
    int tls_insecure;
} net_keys;

static void net_set(net_keys *n, const char *key, const char *v)
{
    if (!strcasecmp(key, "ConnectTimeout"))
        n->connect_timeout_s = atol(v) > 0 ? atol(v) : 0;
    else if (!strcasecmp(key, "RequestTimeout"))
        n->request_timeout_s = atol(v) > 0 ? atol(v) : 0;
    else if (!strcasecmp(key, "TlsCaFile"))
        snprintf(n->tls_ca_file, sizeof n->tls_ca_file, "%s", v);
    else if (!strcasecmp(key, "TlsInsecure"))
        n->tls_insecure = !strcasecmp(v, "yes") || !strcasecmp(v, "true") || atoi(v) != 0;
}

static void net_load_dsn(net_keys *n, const char *dsn)
{
    static const char *const keys[] = {"ConnectTimeout", "RequestTimeout", "TlsCaFile",
                                       "TlsInsecure", NULL};
    char buf[PATH_MAX];
    for (int i = 0; dsn && keys[i]; i++) {
        buf[0] = 0;
        if (SQLGetPrivateProfileString(dsn, keys[i], "", buf, sizeof buf, "odbc.ini") > 0 &&
            buf[0])
            net_set(n, keys[i], buf);
    }
}

static void net_load(const cli *c, net_keys *n)
{
    memset(n, 0, sizeof *n);
    if (!c->connect) {
        net_load_dsn(n, c->dsn);
        return;
    }
    connstr_pair *pairs = NULL;
    int np = 0;
    if (connstr_parse(c->connect, &pairs, &np) != 0)
        return;
    for (int i = 0; i < np; i++)
        if (!strcasecmp(pairs[i].key, "DSN"))
            net_load_dsn(n, pairs[i].value);
    for (int i = 0; i < np; i++)
        net_set(n, pairs[i].key, pairs[i].value);
    connstr_pairs_free(pairs, np);
}

static int is_replica_dsn(const cli *c) { return c->opt.sync_url && *c->opt.sync_url; }

/* ---------- sync --------------------------------------------------------- */

/* The progress display (stderr on a terminal only). The pull is one HTTP
 * request inside core/, which reports its download progress through
 * lsq_config.open_progress (curl's transfer callback, on this thread):
 * with a Content-Length the callback draws
 *   [#########.........]  45%  47.2/105.1 MB
 * at most every LSQ_PROGRESS_MIN_INTERVAL_MS (default 100 ms); without one a
 * spinner thread shows the elapsed time and the bytes received so far. Quick
 * syncs (under 0.3 s) print nothing; an interval of 0 also drops that delay
 * (the tests use it). */
#define BAR_WIDTH 30
#define SHOW_AFTER_SECONDS 0.3

typedef struct spinner {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    const char *path;
    const char *verb;           /* "bootstrapping" or "syncing" */
    double t0;                  /* mono_now() at the start */
    double min_interval;        /* seconds between two bar updates */
    double show_after;          /* seconds before anything is drawn */
    /* from core's callback, under mu */
    uint64_t received, total;   /* total 0 = unknown (spinner mode) */
    /* what is on the screen, under mu */
    int spinner_drawn, bar_drawn;
    double last_draw;
    uint64_t drawn_received, drawn_total;
} spinner;

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Called with s->mu held. */
static void draw_bar(spinner *s, double now)
{
    uint64_t rx = s->received < s->total ? s->received : s->total;
    int pct = (int)(rx * 100 / s->total);
    int fill = (int)(rx * BAR_WIDTH / s->total);
    char bar[BAR_WIDTH + 1];
    memset(bar, '#', (size_t)fill);
    memset(bar + fill, '.', (size_t)(BAR_WIDTH - fill));
    bar[BAR_WIDTH] = 0;
    int mb = s->total >= 1000000;
    double unit = mb ? 1e6 : 1e3;
    fprintf(stderr, "\r[%s] %3d%%  %.1f/%.1f %s\033[K", bar, pct, rx / unit, s->total / unit,
            mb ? "MB" : "kB");
    fflush(stderr);
    s->bar_drawn = 1;
    s->last_draw = now;
    s->drawn_received = s->received;
    s->drawn_total = s->total;
}

/* lsq_progress_fn: runs on the thread inside lsq_open. */
static void on_pull_progress(void *ctx, uint64_t received, uint64_t total)
{
    spinner *s = ctx;
    pthread_mutex_lock(&s->mu);
    s->received = received;
    s->total = total;
    double now = mono_now();
    if (total && now - s->t0 >= s->show_after &&
        (received != s->drawn_received || total != s->drawn_total) &&
        (!s->bar_drawn || received >= total || now - s->last_draw >= s->min_interval))
        draw_bar(s, now);
    pthread_mutex_unlock(&s->mu);
}

/* The fallback while no total is known. */
static void *spin_main(void *arg)
{
    spinner *s = arg;
    static const char frames[] = "|/-\\";
    pthread_mutex_lock(&s->mu);
    for (unsigned i = 0; !s->stop; i++) {
        double el = mono_now() - s->t0;
        if (!s->total && !s->bar_drawn && el >= s->show_after) {
            if (s->received)
                fprintf(stderr, "\r%c %s %s: %.1f s, %.1f MB received\033[K", frames[i % 4],
                        s->verb, s->path, el, s->received / 1e6);
            else
                fprintf(stderr, "\r%c %s %s: %.1f s\033[K", frames[i % 4], s->verb, s->path, el);
            fflush(stderr);
            s->spinner_drawn = 1;
        }
        struct timespec dl;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_nsec += 100 * 1000000L;
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->cv, &s->mu, &dl);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static int spinner_start(spinner *s, const char *path, const char *verb)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    s->verb = verb;
    s->t0 = mono_now();
    s->min_interval = 0.1;
    s->show_after = SHOW_AFTER_SECONDS;
    const char *env = getenv("LSQ_PROGRESS_MIN_INTERVAL_MS");
    if (env && *env) {
        char *end = NULL;
        long ms = strtol(env, &end, 10);
        if (!*end && ms >= 0) {
            s->min_interval = ms / 1000.0;
            if (ms == 0)
                s->show_after = 0;
        }
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (pthread_create(&s->thread, NULL, spin_main, s) != 0) {
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->cv);
        return -1;
    }
    return 0;
}

/* Ends the display: a bar is completed to its last state and kept on its own
 * line; a spinner is erased. */
static void spinner_stop(spinner *s)
{
    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    if (s->bar_drawn) {
        if (s->total && (s->received != s->drawn_received || s->total != s->drawn_total))
            draw_bar(s, mono_now());
        fputc('\n', stderr);
    } else if (s->spinner_drawn) {
        fprintf(stderr, "\r\033[K");
    }
    fflush(stderr);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
}

static int cmd_sync(cli *c)
{
    if (!is_replica_dsn(c))
        return fail(c, EXIT_CONFIG, "'%s' is a local database (no SyncUrl): nothing to sync",
                    c->path);
    char state[6] = "", msg[600] = "";
    if (opskeys_resolve_token(&c->opt, state, msg, sizeof msg) != 0)
        return fail(c, EXIT_AUTH, "%s", msg);

    char before[128] = "";
    lsq_replica_meta m;
    int found = 0;
    lsq_error err;
    memset(&err, 0, sizeof err);
    if (lsq_meta_load(c->path, &m, &found, &err) == LSQ_OK && found)
        snprintf(before, sizeof before, "%s", m.revision);

    lsq_config cfg;
    lsq_config_defaults(&cfg);
    cfg.database = c->opt.database;
    cfg.sync_url = c->opt.sync_url;
    cfg.auth_token = c->opt.auth_token;
    cfg.encryption_key = c->opt.encryption_key;
    cfg.sync_interval = 0; /* no background thread in a one-shot tool */
    cfg.busy_timeout_ms = c->opt.busy_timeout_ms;
    net_keys net;
    net_load(c, &net);
    cfg.connect_timeout_ms = net.connect_timeout_s * 1000;
    cfg.request_timeout_ms = net.request_timeout_s * 1000;
    cfg.tls_ca_file = net.tls_ca_file[0] ? net.tls_ca_file : NULL;
    cfg.tls_insecure = net.tls_insecure;

    spinner sp;
    int spinning = !c->json && !c->quiet && isatty(STDERR_FILENO) &&
                   spinner_start(&sp, c->path, found ? "syncing" : "bootstrapping") == 0;
    if (spinning) {
        /* Only on a terminal: otherwise curl's progress stays switched off. */
        cfg.open_progress = on_pull_progress;
        cfg.open_progress_ctx = &sp;
    }
    double t0 = mono_now();
    lsq_db *db = NULL;
    lsq_status st = lsq_open(&cfg, &db, &err);
    /* Opening a replica is the sync: a new file is bootstrapped, an existing
     * one pulls from its revision (a failure the local copy survives comes
     * back as the open warning). One pull, not two: that is why the progress
     * callback rides on lsq_config (used during lsq_open only) rather than
     * on a second lsq_sync_with_progress after the open. */
    const char *warning = st == LSQ_OK ? lsq_open_warning(db) : NULL;
    double seconds = mono_now() - t0;
    if (spinning)
        spinner_stop(&sp);
    if (st != LSQ_OK) {
        lsq_close(db);
        return fail(c, exit_for_status(st), "%s", err.message);
    }
    if (warning) {
        /* lsq_open served the local copy because the primary is unreachable */
        int code = fail(c, EXIT_UNREACHABLE, "%s", warning);
        lsq_close(db);
        return code;
    }
    lsq_replica_state rs;
    memset(&rs, 0, sizeof rs);
    lsq_replica_state_of(db, &rs);
    lsq_close(db);

    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddBoolToObject(o, "ok", 1);
        cJSON_AddStringToObject(o, "command", "sync");
        cJSON_AddStringToObject(o, "file", c->path);
        cJSON_AddBoolToObject(o, "bootstrapped", !found);
        if (found)
            cJSON_AddStringToObject(o, "revision_before", before);
        else
            cJSON_AddNullToObject(o, "revision_before");
        cJSON_AddStringToObject(o, "revision", rs.revision);
        cJSON_AddNumberToObject(o, "pages_applied", (double)rs.pages_applied);
        cJSON_AddNumberToObject(o, "db_size_pages", (double)rs.db_size_pages);
        cJSON_AddNumberToObject(o, "bytes", (double)rs.bytes_pulled);
        cJSON_AddNumberToObject(o, "seconds", seconds);
        print_json(o);
        cJSON_Delete(o);
    } else {
        printf("%s %s: revision %s -> %s, %llu pages applied, %llu pages in the file, "
               "%llu bytes pulled, %.3f s\n",
               found ? "synced" : "bootstrapped", c->path, found ? before : "(none)",
               rs.revision, (unsigned long long)rs.pages_applied,
               (unsigned long long)rs.db_size_pages, (unsigned long long)rs.bytes_pulled, seconds);
    }
    return EXIT_OK;
}

/* ---------- state -------------------------------------------------------- */

static int cmd_state(cli *c)
{
    struct stat sb;
    if (stat(c->path, &sb) != 0)
        return fail(c, EXIT_FAIL, "'%s' does not exist%s", c->path,
                    is_replica_dsn(c) ? " (run 'libsql-odbc sync' to bootstrap it)" : "");
    lsq_replica_meta m;
    memset(&m, 0, sizeof m);
    int found = 0;
    lsq_error err;
    memset(&err, 0, sizeof err);
    if (lsq_meta_load(c->path, &m, &found, &err) != LSQ_OK)
        return fail(c, EXIT_DAMAGED, "%s", err.message);
    if (is_replica_dsn(c) && !found)
        return fail(c, EXIT_DAMAGED,
                    "'%s' has no replica metadata ('%s-libsql-meta'): not a replica made by "
                    "this driver", c->path, c->path);
    int primary_matches = 1;
    if (found && is_replica_dsn(c)) {
        char want[65];
        lsq_meta_url_hash(c->opt.sync_url, want);
        primary_matches = strcmp(want, m.url_sha256) == 0;
    }
    time_t last_ok = 0, last_fail = 0;
    char last_error[600] = "";
    if (found)
        lsq_sync_status_read(c->path, &last_ok, &last_fail, last_error, sizeof last_error);
    time_t now = time(NULL);
    long lag = last_ok ? (long)(now - last_ok) : -1;
    char ok_s[32], fail_s[32];
    iso_time(last_ok, ok_s, sizeof ok_s);
    iso_time(last_fail, fail_s, sizeof fail_s);
    char url[512];
    ops_redact_url(c->opt.sync_url, url, sizeof url);

    int lagging = found && c->max_lag >= 0 && (lag < 0 || lag > c->max_lag);
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddBoolToObject(o, "ok", !lagging && primary_matches);
        cJSON_AddStringToObject(o, "command", "state");
        cJSON_AddStringToObject(o, "file", c->path);
        cJSON_AddStringToObject(o, "mode", found ? "replica" : "local");
        if (found) {
            cJSON_AddStringToObject(o, "primary", url);
            cJSON_AddBoolToObject(o, "primary_matches", primary_matches);
            cJSON_AddStringToObject(o, "revision", m.revision);
            cJSON_AddNumberToObject(o, "db_size_pages", (double)m.db_size_pages);
        }
        cJSON_AddNumberToObject(o, "file_bytes", (double)sb.st_size);
        if (last_ok) {
            cJSON_AddStringToObject(o, "last_sync", ok_s);
            cJSON_AddNumberToObject(o, "last_sync_epoch", (double)last_ok);
            cJSON_AddNumberToObject(o, "lag_seconds", (double)lag);
        } else {
            cJSON_AddNullToObject(o, "last_sync");
            cJSON_AddNullToObject(o, "lag_seconds");
        }
        if (last_fail) {
            cJSON_AddStringToObject(o, "last_error", last_error);
            cJSON_AddStringToObject(o, "last_error_time", fail_s);
        } else {
            cJSON_AddNullToObject(o, "last_error");
        }
        print_json(o);
        cJSON_Delete(o);
    } else {
        printf("file:          %s\n", c->path);
        printf("mode:          %s\n", found ? "replica" : "local");
        if (found) {
            printf("primary:       %s%s\n", url,
                   primary_matches ? "" : "  (MISMATCH: the file was made from another primary)");
            printf("revision:      %s\n", m.revision);
            printf("size:          %llu pages, %lld bytes\n",
                   (unsigned long long)m.db_size_pages, (long long)sb.st_size);
            printf("last sync:     %s\n", ok_s);
            if (lag >= 0)
                printf("lag:           %ld s\n", lag);
            else
                printf("lag:           unknown\n");
            if (last_fail)
                printf("last error:    %s (%s)\n", last_error, fail_s);
            else
                printf("last error:    none\n");
        } else {
            printf("size:          %lld bytes\n", (long long)sb.st_size);
        }
    }
    if (!primary_matches)
        return EXIT_DAMAGED;
    if (lagging) {
        if (!c->json)
            fprintf(stderr, "libsql-odbc state: lag %ld s exceeds --max-lag %ld\n", lag,
                    c->max_lag);
        return EXIT_DAMAGED;
    }
    return EXIT_OK;
}

/* ---------- check -------------------------------------------------------- */

typedef struct checks {
    cJSON *list;   /* [{name, ok, detail}] */
    int failed;
    int json;
} checks;

static void check_add(checks *k, const char *name, int ok, const char *detail)
{
    if (!ok)
        k->failed++;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddBoolToObject(o, "ok", ok);
    cJSON_AddStringToObject(o, "detail", detail ? detail : "");
    cJSON_AddItemToArray(k->list, o);
    if (!k->json)
        printf("%-16s %s%s%s\n", name, ok ? "ok" : "FAILED", detail && *detail ? ": " : "",
               detail ? detail : "");
}

/* Run a one-column pragma; its rows joined by "; " into out. */
static int pragma_text(sqlite3 *db, const char *sql, char *out, size_t cap, int *rows)
{
    sqlite3_stmt *st = NULL;
    out[0] = 0;
    *rows = 0;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    size_t len = 0;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (len < cap)
            len += (size_t)snprintf(out + len, cap - len, "%s%s", *rows ? "; " : "",
                                    t ? t : "");
        (*rows)++;
        rc = SQLITE_OK;
    }
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    if (rc != SQLITE_OK)
        snprintf(out, cap, "%s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

static int cmd_check(cli *c)
{
    struct stat sb;
    if (stat(c->path, &sb) != 0)
        return fail(c, EXIT_FAIL, "'%s' does not exist", c->path);
    /* An encrypted file is read through the shim VFS of its key; a wrong
     * key is an authentication failure, not damage. */
    lsq_error err;
    memset(&err, 0, sizeof err);
    const char *key = c->opt.encryption_key;
    if (lsq_crypto_check_file(c->path, key, &err) != LSQ_OK)
        return fail(c, EXIT_AUTH, "%s", err.message);
    lsq_crypto_vfs *crypto = NULL;
    if (key && *key && lsq_crypto_vfs_acquire(key, &crypto, &err) != LSQ_OK)
        return fail(c, exit_for_status(err.status), "%s", err.message);
    const char *vfs = crypto ? lsq_crypto_vfs_name(crypto) : NULL;
    checks k = {cJSON_CreateArray(), 0, c->json};
    char detail[1200];

    /* Read-write when allowed, so SQLite rolls back a hot journal an
     * interrupted sync may have left, exactly as the driver's open would. */
    int flags = access(c->path, W_OK) == 0 ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(c->path, &db, flags, vfs);
    int rows = 0;
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, c->opt.busy_timeout_ms > 0 ? c->opt.busy_timeout_ms : 5000);
        rc = pragma_text(db, "PRAGMA integrity_check", detail, sizeof detail, &rows);
    } else {
        snprintf(detail, sizeof detail, "%s", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    }
    int integrity_ok = rc == SQLITE_OK && rows == 1 && strcmp(detail, "ok") == 0;
    check_add(&k, "integrity", integrity_ok, integrity_ok ? "" : detail);

    long long page_count = -1;
    if (rc == SQLITE_OK) {
        char jm[64];
        if (pragma_text(db, "PRAGMA journal_mode", jm, sizeof jm, &rows) == SQLITE_OK &&
            c->opt.sync_url && *c->opt.sync_url) {
            int ok = strcmp(jm, "delete") == 0;
            snprintf(detail, sizeof detail, "%s%s", jm, ok ? "" : " (a replica must be 'delete')");
            check_add(&k, "journal_mode", ok, detail);
        }
        char pc[64];
        if (pragma_text(db, "PRAGMA page_count", pc, sizeof pc, &rows) == SQLITE_OK)
            page_count = atoll(pc);
    }
    sqlite3_close(db);

    lsq_replica_meta m;
    int found = 0;
    lsq_status st = lsq_meta_load(c->path, &m, &found, &err);
    if (st != LSQ_OK) {
        check_add(&k, "metadata", 0, err.message);
    } else if (!found) {
        if (is_replica_dsn(c))
            check_add(&k, "metadata", 0, "no -libsql-meta sidecar: not a replica made by this driver");
    } else {
        if (is_replica_dsn(c)) {
            st = lsq_meta_check(c->path, vfs, &m, c->opt.sync_url, &err);
        } else {
            uint32_t counter = 0;
            uint64_t size = 0;
            st = lsq_meta_file_identity(c->path, vfs, &counter, &size, &err);
            if (st == LSQ_OK && !(counter == m.change_counter && size == m.file_size) &&
                counter != m.change_counter + 1)
                st = lsq_fail(&err, LSQ_ERR_MISC, 0,
                              "file does not match its metadata (change counter %u, %llu "
                              "bytes; metadata says %u, %llu bytes)", counter,
                              (unsigned long long)size, m.change_counter,
                              (unsigned long long)m.file_size);
        }
        snprintf(detail, sizeof detail, "revision %s", m.revision);
        check_add(&k, "metadata", st == LSQ_OK, st == LSQ_OK ? detail : err.message);
        if (page_count >= 0) {
            int ok = (uint64_t)page_count == m.db_size_pages;
            snprintf(detail, sizeof detail, "%lld pages in the file, %llu in the metadata",
                     page_count, (unsigned long long)m.db_size_pages);
            check_add(&k, "size", ok, detail);
        }
    }

    lsq_crypto_vfs_release(crypto);
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddBoolToObject(o, "ok", k.failed == 0);
        cJSON_AddStringToObject(o, "command", "check");
        cJSON_AddStringToObject(o, "file", c->path);
        cJSON_AddItemToObject(o, "checks", k.list);
        print_json(o);
        cJSON_Delete(o);
    } else {
        cJSON_Delete(k.list);
        printf("%s: %s\n", c->path, k.failed ? "DAMAGED" : "ok");
    }
    if (k.failed)
        LSQ_LOG(LSQ_LOG_ERROR, "cli", "check of '%s' failed (%d checks)", c->path, k.failed);
    return k.failed ? EXIT_DAMAGED : EXIT_OK;
}

/* ---------- main --------------------------------------------------------- */

int main(int argc, char **argv)
{
    cli c;
    memset(&c, 0, sizeof c);
    c.max_lag = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "--version")) {
            printf("libsql-odbc %s (SQLite %s)\n", TOOL_VERSION, sqlite3_libversion());
            return EXIT_OK;
        } else if (!strcmp(a, "--json")) {
            c.json = 1;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            c.quiet = 1;
        } else if (!strcmp(a, "--connect") || !strcmp(a, "-c")) {
            if (++i >= argc) {
                fprintf(stderr, "libsql-odbc: --connect needs a connection string\n");
                return EXIT_USAGE;
            }
            c.connect = argv[i];
        } else if (!strcmp(a, "--max-lag")) {
            char *end = NULL;
            if (++i >= argc || (c.max_lag = strtol(argv[i], &end, 10), *end) || c.max_lag < 0) {
                fprintf(stderr, "libsql-odbc: --max-lag needs a number of seconds\n");
                return EXIT_USAGE;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "libsql-odbc: unknown option '%s'\n", a);
            usage(stderr);
            return EXIT_USAGE;
        } else if (!c.command) {
            c.command = a;
        } else if (!c.dsn) {
            c.dsn = a;
        } else {
            fprintf(stderr, "libsql-odbc: unexpected argument '%s'\n", a);
            return EXIT_USAGE;
        }
    }
    int (*run)(cli *) = NULL;
    if (c.command && !strcmp(c.command, "sync"))
        run = cmd_sync;
    else if (c.command && !strcmp(c.command, "state"))
        run = cmd_state;
    else if (c.command && !strcmp(c.command, "check"))
        run = cmd_check;
    if (!run || (!c.dsn == !c.connect)) {
        if (c.command && !run)
            fprintf(stderr, "libsql-odbc: unknown command '%s'\n", c.command);
        else
            fprintf(stderr, "libsql-odbc: give a command and either a DSN or --connect\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    int code = load_options(&c);
    if (code == EXIT_OK)
        code = run(&c);
    dsn_options_free(&c.opt);
    return code;
}
