/*
 * db.c — lsq_db: one ODBC connection's view of a database.
 *
 * In local mode (no SyncUrl) it is just a sqlite3 connection on the file.
 * In replica mode (SyncUrl set) it holds a reference to the process-wide
 * replica object of that file (replica.c: bootstrap, sync, background
 * thread) plus its own sqlite3 connection on the replica file; the driver
 * only ever sees lsq_db.
 */
#include "crypto_vfs.h"
#include "lsq.h"
#include "offline.h"
#include "replica.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Defined in replica.c; its declaration belongs in replica.h. */

struct lsq_db {
    int read_your_writes;       /* this connection's ReadYourWrites */
    sqlite3 *sqlite;
    char *path;
    lsq_replica *replica;       /* NULL in local mode */
    char *open_warning;         /* NULL, or why the replica was not synced at open */
    lsq_crypto_vfs *crypto;     /* EncryptionKey set: the shim VFS (crypto_vfs.c) */
    lsq_offline_conn *offline;  /* Offline=1 on a replica: the store, the capture */
};

void lsq_config_defaults(lsq_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->read_your_writes = 1;
    cfg->busy_timeout_ms = 5000;
}

/* Strip a "file:" prefix and any "?query" so the path can be checked with
 * stat(); SQLite itself still receives the original URI. */
static char *plain_path(const char *database)
{
    const char *p = database;
    if (strncmp(p, "file:", 5) == 0) {
        p += 5;
        if (strncmp(p, "//", 2) == 0)
            p += 2;
    }
    size_t n = strcspn(p, "?#");
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, p, n);
        out[n] = 0;
    }
    return out;
}

/* Replica mode. The connection's sqlite3 is opened read-write although the
 * application never commits to the file: SQLite needs write access to roll
 * back a hot journal a crashed apply may leave, and the driver previews
 * manual-commit writes in a local transaction it always rolls back
 * (DESIGN.md "Transactions"), so PRAGMA query_only would break both. Keeping
 * the file a faithful copy is the driver's job: it forwards every write.
 * The file must stay in rollback-journal mode; WAL would hide applied pages
 * from readers and break the applier's locking. */
static lsq_status open_replica(const lsq_config *cfg, const char *vfs_name, lsq_db **out,
                               lsq_error *err)
{
    char warning[600];
    lsq_replica *r = NULL;
    lsq_status st = lsq_replica_acquire_w(cfg, &r, warning, sizeof warning, err);
    if (st != LSQ_OK)
        return st;
    const char *path = lsq_replica_path(r);
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, vfs_name);
    if (rc == SQLITE_OK && vfs_name)
        rc = sqlite3_exec(db, LSQ_CRYPTO_CONN_SETUP, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        lsq_fail(err, LSQ_ERR_CANTOPEN, rc, "cannot open replica file '%s': %s", path,
                 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        lsq_replica_release(r);
        return LSQ_ERR_CANTOPEN;
    }
    sqlite3_extended_result_codes(db, 1);
    /* Readers wait here while a sync holds the exclusive lock (milliseconds). */
    sqlite3_busy_timeout(db, cfg->busy_timeout_ms > 0 ? cfg->busy_timeout_ms : 5000);
    sqlite3_stmt *stmt = NULL;
    rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    int is_delete = rc == SQLITE_ROW &&
                    sqlite3_stricmp((const char *)sqlite3_column_text(stmt, 0), "delete") == 0;
    if (rc != SQLITE_ROW) {
        st = lsq_fail_sqlite(err, db, rc);
        lsq_fail(err, st, sqlite3_extended_errcode(db), "cannot read replica file '%s': %s",
                 path, sqlite3_errmsg(db));
    } else if (!is_delete) {
        st = lsq_fail(err, LSQ_ERR_MISC, 0,
                      "replica file '%s' is in journal mode '%s', expected 'delete': it was "
                      "changed outside the driver; delete it to re-bootstrap", path,
                      (const char *)sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    /* Offline=1: writes are local, recorded in the store attached here. */
    lsq_offline_conn *oc = NULL;
    if (st == LSQ_OK && cfg->offline)
        st = lsq_offline_conn_open(db, path, vfs_name, r, &oc, err);
    lsq_db *h = st == LSQ_OK ? calloc(1, sizeof *h) : NULL;
    if (st == LSQ_OK && h) {
        h->path = strdup(path);
        if (warning[0])
            h->open_warning = strdup(warning);
        if (!h->path || (warning[0] && !h->open_warning)) {
            free(h->path);
            free(h->open_warning);
            free(h);
            h = NULL;
        }
    }
    if (st == LSQ_OK && !h)
        st = lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    if (st != LSQ_OK) {
        lsq_offline_conn_close(oc);
        sqlite3_close(db);
        lsq_replica_release(r);
        return st;
    }
    h->offline = oc;
    h->sqlite = db;
    h->replica = r;
    h->read_your_writes = cfg->read_your_writes;
    *out = h;
    return LSQ_OK;
}

static lsq_status open_local(const lsq_config *cfg, char *path, const char *vfs_name,
                             lsq_db **out, lsq_error *err);

lsq_status lsq_open(const lsq_config *cfg, lsq_db **out, lsq_error *err)
{
    *out = NULL;
    if (!cfg || !cfg->database || !*cfg->database)
        return lsq_fail(err, LSQ_ERR_CANTOPEN, 0,
                        "no database file given (set Database= in the DSN)");
    /* EncryptionKey: the file must match the key (checked before SQLite
     * touches it, so a mismatch changes nothing), then every file goes
     * through the encryption shim. */
    const char *key = cfg->encryption_key && *cfg->encryption_key ? cfg->encryption_key : NULL;
    char *path = plain_path(cfg->database);
    if (!path)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    lsq_status cst = lsq_crypto_check_file(path, key, err);
    lsq_crypto_vfs *crypto = NULL;
    if (cst == LSQ_OK && key)
        cst = lsq_crypto_vfs_acquire(key, &crypto, err);
    if (cst != LSQ_OK) {
        free(path);
        return cst;
    }
    const char *vfs_name = lsq_crypto_vfs_name(crypto);
    if (cfg->sync_url && *cfg->sync_url) {
        free(path);
        cst = open_replica(cfg, vfs_name, out, err);
        if (cst == LSQ_OK)
            (*out)->crypto = crypto;
        else
            lsq_crypto_vfs_release(crypto);
        return cst;
    }
    cst = open_local(cfg, path, vfs_name, out, err);
    if (cst == LSQ_OK)
        (*out)->crypto = crypto;
    else
        lsq_crypto_vfs_release(crypto);
    return cst;
}

/* Local mode (no SyncUrl): a sqlite3 connection on the file, through the
 * encryption shim when vfs_name is set. Takes ownership of path. */
static lsq_status open_local(const lsq_config *cfg, char *path, const char *vfs_name,
                             lsq_db **out, lsq_error *err)
{
    struct stat st;
    int exists = stat(path, &st) == 0;
    if (!exists && !cfg->create_if_missing) {
        lsq_fail(err, LSQ_ERR_CANTOPEN, SQLITE_CANTOPEN,
                 "database file '%s' does not exist (set Create=1 to create it)", path);
        free(path);
        return LSQ_ERR_CANTOPEN;
    }
    if (exists && S_ISDIR(st.st_mode)) {
        lsq_fail(err, LSQ_ERR_CANTOPEN, SQLITE_CANTOPEN,
                 "database path '%s' is a directory", path);
        free(path);
        return LSQ_ERR_CANTOPEN;
    }
    if (exists && access(path, cfg->read_only ? R_OK : R_OK | W_OK) != 0) {
        lsq_fail(err, LSQ_ERR_CANTOPEN, SQLITE_CANTOPEN,
                 "cannot open database file '%s': %s", path, strerror(errno));
        free(path);
        return LSQ_ERR_CANTOPEN;
    }

    int flags = SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX |
                (cfg->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                (cfg->create_if_missing && !cfg->read_only ? SQLITE_OPEN_CREATE : 0);
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(cfg->database, &db, flags, vfs_name);
    if (rc != SQLITE_OK) {
        lsq_fail(err, LSQ_ERR_CANTOPEN, rc, "cannot open database file '%s': %s", path,
                 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        free(path);
        return LSQ_ERR_CANTOPEN;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, cfg->busy_timeout_ms > 0 ? cfg->busy_timeout_ms : 0);

    /* Touch the schema now so a file that is not a database (or is
     * encrypted) fails at connect, not at the first query. */
    if (vfs_name)
        rc = sqlite3_exec(db, LSQ_CRYPTO_CONN_SETUP, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        lsq_status s = (rc & 0xff) != SQLITE_NOTADB ? lsq_status_from_sqlite(rc)
                       : vfs_name                 ? LSQ_ERR_AUTH
                                                  : LSQ_ERR_CANTOPEN;
        lsq_fail(err, s, sqlite3_extended_errcode(db), "cannot read database file '%s': %s",
                 path, sqlite3_errmsg(db));
        sqlite3_close(db);
        free(path);
        return s;
    }

    lsq_db *h = calloc(1, sizeof *h);
    if (!h) {
        sqlite3_close(db);
        free(path);
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    }
    h->sqlite = db;
    h->path = path;
    *out = h;
    return LSQ_OK;
}

void lsq_close(lsq_db *db)
{
    if (!db)
        return;
    lsq_offline_conn_close(db->offline); /* its session before the connection */
    sqlite3_close_v2(db->sqlite);
    lsq_replica_release(db->replica);
    /* after every file opened through the shim is closed */
    lsq_crypto_vfs_release(db->crypto);
    free(db->path);
    free(db->open_warning);
    free(db);
}

sqlite3 *lsq_sqlite(lsq_db *db) { return db ? db->sqlite : NULL; }
const char *lsq_path(const lsq_db *db) { return db ? db->path : NULL; }

int lsq_is_replica(const lsq_db *db) { return db && db->replica ? 1 : 0; }

/* The replica behind a connection, for SQL sent to the primary (hrana.h). */
lsq_replica *lsq_db_replica(lsq_db *db) { return db ? db->replica : NULL; }

const char *lsq_open_warning(const lsq_db *db) { return db ? db->open_warning : NULL; }

lsq_status lsq_sync(lsq_db *db, lsq_sync_stats *stats, lsq_error *err)
{
    if (!db || !db->replica)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0,
                        "sync needs a replica connection (set SyncUrl in the DSN)");
    return lsq_replica_sync(db->replica, stats, err);
}

lsq_status lsq_sync_with_progress(lsq_db *db, lsq_progress_fn fn, void *ctx,
                                  lsq_sync_stats *stats, lsq_error *err)
{
    if (!db || !db->replica)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0,
                        "sync needs a replica connection (set SyncUrl in the DSN)");
    return lsq_replica_sync_progress(db->replica, fn, ctx, stats, err);
}

lsq_status lsq_replica_state_of(lsq_db *db, lsq_replica_state *out)
{
    if (!db || !db->replica || !out)
        return LSQ_ERR_MISUSE;
    lsq_replica_get_state(db->replica, out);
    return LSQ_OK;
}

int lsq_sync_interval_of(lsq_db *db)
{
    return db && db->replica ? lsq_replica_sync_interval(db->replica) : 0;
}

int lsq_read_your_writes_of(const lsq_db *db)
{
    return db && db->replica ? db->read_your_writes : 0;
}

/* ---- offline mode (offline.h) ---- */

lsq_offline_conn *lsq_db_offline(lsq_db *db) { return db ? db->offline : NULL; }

int lsq_offline_enabled(const lsq_db *db) { return db && db->offline ? 1 : 0; }

lsq_status lsq_offline_sync(lsq_db *db, int mode, lsq_offline_push_stats *push,
                            lsq_sync_stats *stats, lsq_error *err)
{
    if (!db || !db->replica)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0,
                        "push and pull need a replica connection (set SyncUrl in the DSN)");
    lsq_sync_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (push)
        memset(push, 0, sizeof *push);
    return lsq_replica_sync_mode(db->replica, mode, push, stats, err);
}
