/*
 * log.c — the process-wide log sink (see log.h for the contract).
 *
 * Why a global: a log file belongs to the process, not to a connection —
 * several connections naming one LogFile must share one descriptor, and the
 * background sync thread has no connection to ask. So this is, with the
 * replica registry, the only shared mutable state in core/: one descriptor,
 * its path and a level, guarded by a mutex; the level is also mirrored in
 * an atomic so the "is it on?" test costs one load and no lock.
 *
 * Each line is formatted into a local buffer first and handed to write(2)
 * in one call on an O_APPEND descriptor: lines from threads and processes
 * sharing the file never interleave, and no lock is held while formatting.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1;           /* log_mu */
static char *log_path;            /* log_mu */
static atomic_int log_level;      /* LSQ_LOG_OFF while no sink is open */

int lsq_log_level_parse(const char *text, lsq_log_level *out)
{
    static const struct {
        const char *name;
        lsq_log_level level;
    } names[] = {{"off", LSQ_LOG_OFF},     {"none", LSQ_LOG_OFF},  {"error", LSQ_LOG_ERROR},
                 {"warn", LSQ_LOG_WARN},   {"warning", LSQ_LOG_WARN}, {"info", LSQ_LOG_INFO},
                 {"debug", LSQ_LOG_DEBUG}, {"trace", LSQ_LOG_DEBUG}};
    if (!text)
        return -1;
    while (*text == ' ' || *text == '\t')
        text++;
    if (text[0] >= '0' && text[0] <= '4' && text[1] == '\0') {
        *out = (lsq_log_level)(text[0] - '0');
        return 0;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(text, names[i].name)) {
            *out = names[i].level;
            return 0;
        }
    return -1;
}

const char *lsq_log_level_name(lsq_log_level level)
{
    switch (level) {
    case LSQ_LOG_ERROR: return "ERROR";
    case LSQ_LOG_WARN: return "WARN";
    case LSQ_LOG_INFO: return "INFO";
    case LSQ_LOG_DEBUG: return "DEBUG";
    default: return "OFF";
    }
}

lsq_log_level lsq_log_threshold(void)
{
    return (lsq_log_level)atomic_load_explicit(&log_level, memory_order_relaxed);
}

int lsq_log_enabled(lsq_log_level level)
{
    return level != LSQ_LOG_OFF &&
           (int)level <= atomic_load_explicit(&log_level, memory_order_relaxed);
}

lsq_status lsq_log_configure(const char *path, lsq_log_level level, lsq_error *err)
{
    const char *env_path = getenv("LIBSQL_ODBC_LOG");
    const char *env_level = getenv("LIBSQL_ODBC_LOG_LEVEL");
    if (env_path && *env_path)
        path = env_path;
    lsq_log_level parsed;
    if (env_level && *env_level && lsq_log_level_parse(env_level, &parsed) == 0)
        level = parsed;
    if (!path || !*path)
        return LSQ_OK;
    if (level == LSQ_LOG_OFF) {
        /* An explicit "off" (level text given) still means off; the caller
         * passes LSQ_LOG_OFF for "not said", which defaults to warn. */
        level = LSQ_LOG_WARN;
        if (env_level && *env_level && lsq_log_level_parse(env_level, &parsed) == 0 &&
            parsed == LSQ_LOG_OFF)
            return LSQ_OK;
    }

    pthread_mutex_lock(&log_mu);
    if (log_fd >= 0 && log_path && strcmp(log_path, path) == 0) {
        if ((int)level > atomic_load(&log_level))
            atomic_store(&log_level, (int)level);
        pthread_mutex_unlock(&log_mu);
        return LSQ_OK;
    }
    /* 0600: log lines name files, URLs and SQL text an operator may not
     * want every local user to read. O_APPEND keeps lines whole. */
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        int e = errno;
        pthread_mutex_unlock(&log_mu);
        return lsq_fail(err, LSQ_ERR_CANTOPEN, e, "cannot open log file '%s': %s", path,
                        strerror(e));
    }
    char *copy = strdup(path);
    if (!copy) {
        close(fd);
        pthread_mutex_unlock(&log_mu);
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    }
    if (log_fd >= 0)
        close(log_fd);
    free(log_path);
    log_fd = fd;
    log_path = copy;
    atomic_store(&log_level, (int)level);
    pthread_mutex_unlock(&log_mu);
    return LSQ_OK;
}

void lsq_log_write(lsq_log_level level, const char *component, const char *fmt, ...)
{
    if (!lsq_log_enabled(level))
        return;
    char line[2048];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ pid=%ld tid=%ld %-5s %s: ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, ts.tv_nsec / 1000000L, (long)getpid(), (long)syscall(SYS_gettid),
                     lsq_log_level_name(level), component ? component : "-");
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + len, sizeof line - len, fmt, ap);
    va_end(ap);
    if (m > 0)
        len += (size_t)m < sizeof line - len ? (size_t)m : sizeof line - len - 1;
    /* One record per line: a message with newlines (SQL text, server
     * answers) must not forge lines that look like other records. */
    for (size_t i = (size_t)n; i < len; i++)
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';
    if (len >= sizeof line - 1) {
        len = sizeof line - 5;
        memcpy(line + len, "...", 3);
        len += 3;
    }
    line[len++] = '\n';

    pthread_mutex_lock(&log_mu);
    if (log_fd >= 0) {
        ssize_t w = write(log_fd, line, len);
        (void)w; /* a log that cannot be written must not fail the query */
    }
    pthread_mutex_unlock(&log_mu);
}

void lsq_log_close(void)
{
    pthread_mutex_lock(&log_mu);
    atomic_store(&log_level, LSQ_LOG_OFF);
    if (log_fd >= 0)
        close(log_fd);
    log_fd = -1;
    free(log_path);
    log_path = NULL;
    pthread_mutex_unlock(&log_mu);
}

__attribute__((destructor)) static void log_at_exit(void) { lsq_log_close(); }
