/*
 * log.h — the driver's log file (core/log.c): one process-wide sink that
 * connections, syncs and the operator tool write timestamped lines to.
 *
 * Configured by the DSN keys LogFile / LogLevel and by the environment
 * variables LIBSQL_ODBC_LOG / LIBSQL_ODBC_LOG_LEVEL, which win over the DSN
 * (an operator debugging a deployed application cannot always edit the
 * application's odbc.ini, but can always set its environment).
 *
 * Line format (one write(2) per line on an O_APPEND descriptor, so lines of
 * concurrent threads and processes never interleave):
 *   2026-11-23T16:20:01.123Z pid=4242 tid=4243 INFO  sync: ...
 *
 * Callers must never pass AuthToken or EncryptionKey values; the logger does
 * not see the DSN, only the messages it is given.
 */
#ifndef LSQ_LOG_H
#define LSQ_LOG_H

#include "lsq.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lsq_log_level {
    LSQ_LOG_OFF = 0,
    LSQ_LOG_ERROR = 1,
    LSQ_LOG_WARN = 2,
    LSQ_LOG_INFO = 3,
    LSQ_LOG_DEBUG = 4
} lsq_log_level;

/* "off", "error", "warn"/"warning", "info", "debug" (any case), or a digit
 * 0-4. Returns 0 and fills *out, or -1 when the text is not a level. */
int lsq_log_level_parse(const char *text, lsq_log_level *out);
const char *lsq_log_level_name(lsq_log_level level);

/* Open (or keep) the sink. The environment wins: when LIBSQL_ODBC_LOG is set
 * it replaces `path`, when LIBSQL_ODBC_LOG_LEVEL is set it replaces `level`.
 * `level` LSQ_LOG_OFF with a path means the default, warn. A NULL/empty path
 * (after the environment) leaves the current sink as it is. Opening the same
 * file again keeps the more verbose of the two levels; another file replaces
 * the sink (the last connection that names one wins). The file is created
 * with mode 0600 and opened O_APPEND. Returns LSQ_OK or LSQ_ERR_CANTOPEN
 * (err filled; logging stays as it was). */
lsq_status lsq_log_configure(const char *path, lsq_log_level level, lsq_error *err);

/* The level currently in force (LSQ_LOG_OFF when no sink is open). */
lsq_log_level lsq_log_threshold(void);

/* Cheap test before formatting anything: one relaxed atomic load. */
int lsq_log_enabled(lsq_log_level level);

/* Write one line (a trailing newline is added). Use LSQ_LOG so the
 * arguments are not even evaluated when the level is off. */
void lsq_log_write(lsq_log_level level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define LSQ_LOG(level, component, ...)                              \
    do {                                                            \
        if (lsq_log_enabled(level))                                 \
            lsq_log_write((level), (component), __VA_ARGS__);       \
    } while (0)

/* Close the sink (tests; also run at process exit). */
void lsq_log_close(void);

#ifdef __cplusplus
}
#endif
#endif
