/*
 * db.c — lsq_db: one ODBC connection's view of a database.
 *
 * In local mode (no SyncUrl) it is just a sqlite3 connection on the file.
 * Replica mode (SyncUrl set) will hang a shared replica object off it; the
 * driver only ever sees lsq_db.
 */
#include "lsq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct lsq_db {
    sqlite3 *sqlite;
    char *path;
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

lsq_status lsq_open(const lsq_config *cfg, lsq_db **out, lsq_error *err)
{
    *out = NULL;
    if (!cfg || !cfg->database || !*cfg->database)
        return lsq_fail(err, LSQ_ERR_CANTOPEN, 0,
                        "no database file given (set Database= in the DSN)");
    if (cfg->sync_url && *cfg->sync_url)
        return lsq_fail(err, LSQ_ERR_MISC, 0,
                        "replica mode (SyncUrl) is not available in this build yet");

    char *path = plain_path(cfg->database);
    if (!path)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");

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
    int rc = sqlite3_open_v2(cfg->database, &db, flags, NULL);
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
    rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        lsq_status s = (rc & 0xff) == SQLITE_NOTADB ? LSQ_ERR_CANTOPEN : lsq_status_from_sqlite(rc);
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
    sqlite3_close_v2(db->sqlite);
    free(db->path);
    free(db);
}

sqlite3 *lsq_sqlite(lsq_db *db) { return db ? db->sqlite : NULL; }
const char *lsq_path(const lsq_db *db) { return db ? db->path : NULL; }
