/*
 * opskeys.h — the operator's DSN keys (driver/opskeys.c): LogFile, LogLevel,
 * AuthTokenEnv and AuthTokenFile, and the driver's log lines (connects,
 * statements at debug level, forwarded writes, diagnostics).
 *
 * AuthToken sources, first that yields a non-empty token wins:
 *   1. AuthToken= (connection string, then odbc.ini; SQLConnect's password)
 *   2. AuthTokenEnv=NAME   -> getenv(NAME)
 *   3. AuthTokenFile=PATH  -> first line of the file; refused (28000) when
 *      the file is readable or writable by group or others, like ssh does
 *      with private keys.
 * Naming a source that yields nothing is an error (28000), not a silent
 * anonymous connection.
 */
#ifndef OPSKEYS_H
#define OPSKEYS_H

#include <stddef.h>

#include "driver.h"

/* The keys, NULL-terminated (for reading a DSN from odbc.ini). */
extern const char *const opskeys_names[];

/* Set one operator key (case-insensitive). Returns 1 if it is one, else 0. */
int opskeys_set(dsn_options *o, const char *key, const char *value);
/* Free the operator keys' strings. */
void opskeys_free(dsn_options *o);

/* Fill o->auth_token from AuthTokenEnv / AuthTokenFile when it is empty.
 * Returns 0, or -1 with state (6 bytes) and msg filled; msg never holds
 * the token. */
int opskeys_resolve_token(dsn_options *o, char state[6], char *msg, size_t cap);

/* Open the log sink named by LogFile/LogLevel (the environment variables
 * LIBSQL_ODBC_LOG / LIBSQL_ODBC_LOG_LEVEL win). Returns 0, or -1 with msg
 * filled when the file cannot be opened (the connection still proceeds:
 * the caller reports it as a warning). */
int opskeys_configure_log(const dsn_options *o, char *msg, size_t cap);

/* Connect: before opening (log sink, token), posting diagnostics on c.
 * SQL_SUCCESS, SQL_SUCCESS_WITH_INFO (log file unusable) or SQL_ERROR. */
SQLRETURN ops_before_open(dbc *c);
/* Connect: after lsq_open; logs the outcome (err NULL on success) and, at
 * debug level, installs a statement trace on the connection. */
void ops_after_open(dbc *c, const lsq_error *err);

/* Log one diagnostic record (diag.c calls this for every record it posts):
 * 01000 at warn, other 01xxx at info, everything else at error level. */
void drvlog_diag(const char *state, long native, const char *message);
/* Log a statement forwarded to the primary (forward.c). rows < 0 = unknown. */
void drvlog_forward(const char *what, double seconds, long long rows, int ok);
/* Monotonic seconds, for the durations drvlog_forward reports. */
double drvlog_clock(void);

/* "scheme://host[:port]/path" of url without user info and query, for
 * logs: a URL may carry credentials. Writes into out (cap bytes). */
void ops_redact_url(const char *url, char *out, size_t cap);

#endif
