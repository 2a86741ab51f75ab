/*
 * lsq.h — the replica engine's public face (core/).
 *
 * core/ owns the local SQLite file and, in replica mode, everything that keeps
 * it in step with the remote primary (HTTP, Hrana, pull-updates, the atomic
 * page applier, encryption). It knows nothing of ODBC: callers get plain
 * status codes in `lsq_status` and a message in `lsq_error`, and the driver
 * maps those to SQLSTATEs.
 */
#ifndef LSQ_H
#define LSQ_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What went wrong, in categories the driver can map to SQLSTATEs. */
typedef enum lsq_status {
    LSQ_OK = 0,
    LSQ_ERR_CANTOPEN,    /* local file missing / unreadable        -> 08001 */
    LSQ_ERR_NETWORK,     /* primary unreachable, connection lost   -> 08S01 */
    LSQ_ERR_AUTH,        /* token refused, wrong encryption key    -> 28000 */
    LSQ_ERR_TIMEOUT,     /*                                        -> HYT00 */
    LSQ_ERR_CONSTRAINT,  /*                                        -> 23000 */
    LSQ_ERR_SYNTAX,      /*                                        -> 42000 */
    LSQ_ERR_NO_TABLE,    /*                                        -> 42S02 */
    LSQ_ERR_NO_COLUMN,   /*                                        -> 42S22 */
    LSQ_ERR_EXISTS,      /* table/index already exists             -> 42S01 */
    LSQ_ERR_BUSY,        /* database locked                        -> HY000 */
    LSQ_ERR_CONFLICT,    /* optimistic commit lost a race          -> 40001 */
    LSQ_ERR_PROTOCOL,    /* malformed server response              -> 08S01 */
    LSQ_ERR_READONLY,    /* write refused on a read-only DSN       -> 25000 */
    LSQ_ERR_NOMEM,       /*                                        -> HY001 */
    LSQ_ERR_MISUSE,      /* invalid argument                       -> HY009 */
    LSQ_ERR_MISC         /* anything else                          -> HY000 */
} lsq_status;

/* A failure: category, SQLite (or HTTP) native code, human message. */
typedef struct lsq_error {
    lsq_status status;
    int native;          /* SQLite extended result code, HTTP status, or 0 */
    char message[512];   /* never contains AuthToken or EncryptionKey */
} lsq_error;

/* Download progress of a pull: bytes of the response body received so far
 * and its total from Content-Length (0 = not known). Called on the thread
 * doing the pull, possibly many times with the same values; must not call
 * back into core/ for the same replica. */
typedef void (*lsq_progress_fn)(void *ctx, uint64_t received, uint64_t total);

/* Everything a DSN can say that core/ cares about. Strings are borrowed. */
typedef struct lsq_config {
    const char *database;        /* local file path ("file:" prefix allowed) */
    const char *sync_url;        /* NULL or "" = plain local file */
    const char *auth_token;
    const char *encryption_key;
    int sync_interval;           /* seconds; 0 = on demand only */
    int offline;
    int read_your_writes;        /* default 1 */
    int read_only;               /* open the local file read-only */
    int busy_timeout_ms;         /* sqlite3_busy_timeout; default 5000 */
    int create_if_missing;       /* local mode: create the file if absent (default 0:
                                    a missing file is 08001, DSN key Create=1) */
    /* replica mode: how the primary is reached (0 / NULL = remote.h defaults) */
    long connect_timeout_ms;     /* DSN ConnectTimeout (seconds there) */
    long request_timeout_ms;     /* DSN RequestTimeout (seconds there), whole request */
    const char *tls_ca_file;     /* DSN TlsCaFile: PEM bundle; NULL = system CAs */
    int tls_insecure;            /* DSN TlsInsecure=1: no TLS verification (tests only) */
    /* Optional: progress of the pull lsq_open itself does (the bootstrap of
     * a new replica file, or the sync of an existing one). Used only during
     * lsq_open, never kept afterwards. NULL = none (not a DSN key). */
    lsq_progress_fn open_progress;
    void *open_progress_ctx;
} lsq_config;

typedef struct lsq_db lsq_db;    /* one per ODBC connection */

/* Fill `err` (status, native code, printf-style message); returns status. */
lsq_status lsq_fail(lsq_error *err, lsq_status status, int native,
                    const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Map a SQLite result code (and its message) to a category. */
lsq_status lsq_status_from_sqlite(int rc);

/* Set err from the connection's last SQLite error; returns the category. */
lsq_status lsq_fail_sqlite(lsq_error *err, sqlite3 *db, int rc);

void lsq_config_defaults(lsq_config *cfg);

/* Open the local database described by cfg. On failure *out is NULL. */
lsq_status lsq_open(const lsq_config *cfg, lsq_db **out, lsq_error *err);
void lsq_close(lsq_db *db);

/* The connection's own local SQLite handle (reads, local scratch). */
sqlite3 *lsq_sqlite(lsq_db *db);

/* The resolved local file path. */
const char *lsq_path(const lsq_db *db);


/* ---- replica mode (cfg->sync_url set; core/replica.c, core/db.c) ---- */

/* Defined in replica.h; declared here so the driver need not include it. */
typedef struct lsq_sync_stats lsq_sync_stats;
typedef struct lsq_replica_state lsq_replica_state;

/* 1 when db is an embedded replica (SyncUrl set), else 0. */
int lsq_is_replica(const lsq_db *db);

/* Pull from the primary now and apply (explicit sync). stats may be NULL.
 * On a plain local database: LSQ_ERR_MISUSE. */
lsq_status lsq_sync(lsq_db *db, lsq_sync_stats *stats, lsq_error *err);
/* As lsq_sync, reporting the pull's download progress to fn (NULL = none)
 * for the duration of this sync only. */
lsq_status lsq_sync_with_progress(lsq_db *db, lsq_progress_fn fn, void *ctx,
                                  lsq_sync_stats *stats, lsq_error *err);

/* The replica's revision, last sync times and last error. */
lsq_status lsq_replica_state_of(lsq_db *db, lsq_replica_state *out);

/* NULL, or why the connection opened without an initial sync (primary
 * unreachable: the local copy is served as it is). The driver reports it as
 * a warning (SQL_SUCCESS_WITH_INFO, 01000). Valid until lsq_close. */
const char *lsq_open_warning(const lsq_db *db);

/* Seconds between the replica's background pulls (the shortest any
 * connection asked for; 0 = none), and this connection's ReadYourWrites.
 * Both 0 on a plain local database. (core/db.c) */
int lsq_sync_interval_of(lsq_db *db);
int lsq_read_your_writes_of(const lsq_db *db);

#ifdef __cplusplus
}
#endif
#endif
