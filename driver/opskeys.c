/*
 * opskeys.c — operator concerns of a connection: the LogFile / LogLevel /
 * AuthTokenEnv / AuthTokenFile DSN keys, resolving the AuthToken from the
 * environment or a file (so secrets need not sit in odbc.ini), and the
 * driver's log lines. The sink itself is core/log.c.
 *
 * Secrets: the token is copied into dsn_options (wiped on disconnect like
 * any AuthToken) and never formatted into a message or a log line; URLs are
 * logged without user info or query string.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../core/log.h"
#include "internal.h"
#include "opskeys.h"

const char *const opskeys_names[] = {"LogFile", "LogLevel", "AuthTokenEnv", "AuthTokenFile",
                                     NULL};

static void replace(char **slot, const char *v)
{
    free(*slot);
    *slot = v ? strdup(v) : NULL;
}

int opskeys_set(dsn_options *o, const char *key, const char *v)
{
    if (!key || !v)
        return 0;
    if (!strcasecmp(key, "LogFile"))
        replace(&o->log_file, v);
    else if (!strcasecmp(key, "LogLevel"))
        replace(&o->log_level, v);
    else if (!strcasecmp(key, "AuthTokenEnv"))
        replace(&o->auth_token_env, v);
    else if (!strcasecmp(key, "AuthTokenFile"))
        replace(&o->auth_token_file, v);
    else
        return 0;
    return 1;
}

void opskeys_free(dsn_options *o)
{
    free(o->log_file);
    free(o->log_level);
    free(o->auth_token_env);
    free(o->auth_token_file);
    o->log_file = o->log_level = o->auth_token_env = o->auth_token_file = NULL;
}

/* ---------- the token ---------------------------------------------------- */

static void set_token(dsn_options *o, const char *tok)
{
    if (o->auth_token) {
        memset(o->auth_token, 0, strlen(o->auth_token));
        free(o->auth_token);
    }
    o->auth_token = strdup(tok);
}

/* The first line of path, whitespace-trimmed, into buf. 0 or -1 (msg). */
static int read_token_file(const char *path, char *buf, size_t cap, char *msg, size_t mcap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(msg, mcap, "cannot read AuthTokenFile '%s': %s", path, strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(msg, mcap, "AuthTokenFile '%s' is not a regular file", path);
        close(fd);
        return -1;
    }
    if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
        /* Like ssh with a private key: a token others can read is a leaked
         * token, and refusing is the only way the operator finds out. */
        snprintf(msg, mcap,
                 "AuthTokenFile '%s' is accessible by group or others (mode %04o); "
                 "refusing to use it: run chmod 600 '%s'",
                 path, (unsigned)(sb.st_mode & 07777), path);
        close(fd);
        return -1;
    }
    size_t len = 0;
    for (;;) {
        if (len + 1 >= cap) {
            snprintf(msg, mcap, "AuthTokenFile '%s': first line is too long", path);
            close(fd);
            memset(buf, 0, cap);
            return -1;
        }
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (memchr(buf, '\n', len))
            break;
    }
    close(fd);
    buf[len] = 0;
    buf[strcspn(buf, "\r\n")] = 0;
    len = strlen(buf);
    while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
        buf[--len] = 0;
    size_t lead = strspn(buf, " \t");
    memmove(buf, buf + lead, len - lead + 1);
    if (!buf[0]) {
        snprintf(msg, mcap, "AuthTokenFile '%s' is empty", path);
        return -1;
    }
    return 0;
}

int opskeys_resolve_token(dsn_options *o, char state[6], char *msg, size_t cap)
{
    if (o->auth_token && *o->auth_token)
        return 0; /* an explicit AuthToken wins */
    int asked = 0;
    if (o->auth_token_env && *o->auth_token_env) {
        asked = 1;
        const char *v = getenv(o->auth_token_env);
        if (v && *v) {
            set_token(o, v);
            return o->auth_token ? 0 : (snprintf(state, 6, "HY001"),
                                        snprintf(msg, cap, "out of memory"), -1);
        }
    }
    if (o->auth_token_file && *o->auth_token_file) {
        char buf[8192];
        if (read_token_file(o->auth_token_file, buf, sizeof buf, msg, cap) != 0) {
            snprintf(state, 6, "28000");
            return -1;
        }
        set_token(o, buf);
        memset(buf, 0, sizeof buf);
        return o->auth_token ? 0 : (snprintf(state, 6, "HY001"),
                                    snprintf(msg, cap, "out of memory"), -1);
    }
    if (asked) {
        snprintf(state, 6, "28000");
        snprintf(msg, cap,
                 "AuthTokenEnv names the environment variable '%s', which is not set or "
                 "empty (and no AuthTokenFile is given)", o->auth_token_env);
        return -1;
    }
    return 0;
}

/* ---------- logging ------------------------------------------------------ */

int opskeys_configure_log(const dsn_options *o, char *msg, size_t cap)
{
    lsq_log_level level = LSQ_LOG_OFF; /* "not said": warn once a file is named */
    if (o->log_level && *o->log_level) {
        if (lsq_log_level_parse(o->log_level, &level) != 0) {
            snprintf(msg, cap, "LogLevel '%s' is not one of off, error, warn, info, debug; "
                     "using warn", o->log_level);
            level = LSQ_LOG_WARN;
        } else if (level == LSQ_LOG_OFF && !getenv("LIBSQL_ODBC_LOG_LEVEL")) {
            return 0; /* LogLevel=off: explicitly no log from this DSN */
        }
    }
    lsq_error err;
    memset(&err, 0, sizeof err);
    if (lsq_log_configure(o->log_file, level, &err) != LSQ_OK) {
        snprintf(msg, cap, "%s", err.message);
        return -1;
    }
    return msg[0] ? -1 : 0;
}

void ops_redact_url(const char *url, char *out, size_t cap)
{
    if (!cap)
        return;
    out[0] = 0;
    if (!url)
        return;
    const char *scheme_end = strstr(url, "://");
    const char *host = scheme_end ? scheme_end + 3 : url;
    size_t host_len = strcspn(host, "/?#");
    /* the LAST '@' ends the user info: a password may hold an unescaped '@' */
    const char *at = NULL;
    for (size_t k = 0; k < host_len; k++)
        if (host[k] == '@')
            at = host + k;
    const char *h = at ? at + 1 : host;
    size_t path_len = strcspn(h, "?#");
    snprintf(out, cap, "%.*s%.*s", scheme_end ? (int)(host - url) : 0, url, (int)path_len, h);
}

SQLRETURN ops_before_open(dbc *c)
{
    SQLRETURN rc = SQL_SUCCESS;
    char msg[600];
    msg[0] = 0;
    if (opskeys_configure_log(&c->opt, msg, sizeof msg) != 0)
        rc = diag_post(&c->hdr.diag, "01000", 0, "logging: %s", msg);
    char state[6] = "28000";
    msg[0] = 0;
    if (opskeys_resolve_token(&c->opt, state, msg, sizeof msg) != 0) {
        LSQ_LOG(LSQ_LOG_ERROR, "connect", "connect to DSN '%s' failed: SQLSTATE %s: %s",
                c->opt.dsn ? c->opt.dsn : "(connection string)", state, msg);
        return diag_post(&c->hdr.diag, state, 0, "%s", msg);
    }
    return rc;
}

/* At debug level every statement SQLite runs on the connection is logged
 * with its duration: the SQL text as prepared, never the bound values. */
static int trace_cb(unsigned type, void *ctx, void *p, void *x)
{
    (void)ctx;
    if (type == SQLITE_TRACE_PROFILE && lsq_log_enabled(LSQ_LOG_DEBUG)) {
        sqlite3_stmt *st = p;
        sqlite3_int64 ns = *(sqlite3_int64 *)x;
        const char *sql = sqlite3_sql(st);
        /* SQLite measures with its VFS clock: millisecond resolution */
        lsq_log_write(LSQ_LOG_DEBUG, "exec", "local statement %.0f ms: %.400s", ns / 1e6,
                      sql ? sql : "");
    }
    return 0;
}

void ops_after_open(dbc *c, const lsq_error *err)
{
    const char *dsn = c->opt.dsn ? c->opt.dsn : "(connection string)";
    if (err) {
        LSQ_LOG(LSQ_LOG_ERROR, "connect", "connect to DSN '%s' (file '%s') failed: SQLSTATE %s "
                "(native %d): %s", dsn, c->opt.database ? c->opt.database : "",
                diag_state_for(err->status), err->native, err->message);
        return;
    }
    if (lsq_log_enabled(LSQ_LOG_INFO)) {
        char url[512];
        ops_redact_url(c->opt.sync_url, url, sizeof url);
        int replica = lsq_is_replica(c->db);
        lsq_log_write(LSQ_LOG_INFO, "connect",
                      "connected DSN '%s': mode %s, file '%s'%s%s, token %s, SyncInterval %d",
                      dsn, replica ? "replica" : "local", lsq_path(c->db),
                      replica ? ", primary " : "", replica ? url : "",
                      c->opt.auth_token && *c->opt.auth_token ? "set" : "none",
                      c->opt.sync_interval);
    }
    const char *w = lsq_open_warning(c->db);
    if (w)
        LSQ_LOG(LSQ_LOG_WARN, "connect", "DSN '%s': %s", dsn, w);
    if (c->sqlite && lsq_log_enabled(LSQ_LOG_DEBUG))
        sqlite3_trace_v2(c->sqlite, SQLITE_TRACE_PROFILE, trace_cb, NULL);
}

void drvlog_diag(const char *state, long native, const char *message)
{
    if (!state)
        return;
    /* 01000 (opened without syncing, log trouble) matters to an operator;
     * other 01xxx (01004 truncation, 01S02 option changed) are routine and
     * would flood a warn-level log from every fetch loop. */
    lsq_log_level lvl = strncmp(state, "01", 2) != 0 ? LSQ_LOG_ERROR
                        : strcmp(state, "01000") == 0 ? LSQ_LOG_WARN
                                                      : LSQ_LOG_INFO;
    LSQ_LOG(lvl, "diag", "SQLSTATE %s (native %ld): %s", state, native,
            message ? message : "");
}

void drvlog_forward(const char *what, double seconds, long long rows, int ok)
{
    if (rows >= 0)
        LSQ_LOG(ok ? LSQ_LOG_INFO : LSQ_LOG_WARN, "forward", "%s %s in %.3f s, %lld rows",
                what ? what : "write", ok ? "done" : "failed", seconds, rows);
    else
        LSQ_LOG(ok ? LSQ_LOG_INFO : LSQ_LOG_WARN, "forward", "%s %s in %.3f s",
                what ? what : "write", ok ? "done" : "failed", seconds);
}

double drvlog_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
