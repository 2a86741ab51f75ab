/*
 * offline_store.c — the offline store "<db>-libsql-offline" (docs/offline.md,
 * "Where pending changes live") and the rebase marker next to it.
 *
 * The store is an SQLite database every offline connection ATTACHes as
 * schema `libsql_offline`, so a local transaction's change set is inserted
 * into `pending` in the same SQLite transaction as the local changes (SQLite
 * commits attached databases atomically through its super-journal). It is
 * created 0600 before SQLite first opens it (SQLite's journals copy the
 * file's mode) and opened through the replica's VFS, so an EncryptionKey
 * encrypts it too. The catalog functions list only `main` and `temp`, so
 * applications never see it as a table.
 *
 * The marker "<db>-libsql-offline-rebase" exists only while a full pull is
 * being applied and replayed (offline_rebase.c says why it is a file).
 */
#include "offline.h"
#include "crypto_vfs.h"
#include "replica.h"
#include "write_ledger.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *suffixed(const char *path, const char *suffix)
{
    size_t n = strlen(path) + strlen(suffix) + 1;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s%s", path, suffix);
    return p;
}

char *lsq_offline_store_path(const char *db_path) { return suffixed(db_path, "-libsql-offline"); }
char *lsq_offline_marker_path(const char *db_path)
{
    return suffixed(db_path, "-libsql-offline-rebase");
}

int lsq_offline_store_exists(const char *db_path)
{
    char *p = lsq_offline_store_path(db_path);
    struct stat sb;
    int yes = p && stat(p, &sb) == 0 && sb.st_size > 0;
    free(p);
    return yes;
}

/* "file:<path, percent-encoded>?vfs=<name>" for ATTACH. */
static char *store_uri(const char *store_path, const char *vfs_name)
{
    size_t n = strlen(store_path) * 3 + (vfs_name ? strlen(vfs_name) * 3 : 0) + 32;
    char *u = malloc(n);
    if (!u)
        return NULL;
    size_t k = (size_t)snprintf(u, n, "file:");
    static const char hex[] = "0123456789ABCDEF";
    for (int pass = 0; pass < 2; pass++) {
        const char *s = pass == 0 ? store_path : vfs_name;
        if (!s)
            break;
        if (pass == 1)
            k += (size_t)snprintf(u + k, n - k, "?vfs=");
        for (; *s; s++) {
            unsigned char c = (unsigned char)*s;
            if (c <= ' ' || c >= 0x7f || c == '%' || c == '?' || c == '#' || c == '&' ||
                c == '=') {
                u[k++] = '%';
                u[k++] = hex[c >> 4];
                u[k++] = hex[c & 15];
            } else {
                u[k++] = (char)c;
            }
        }
    }
    u[k] = 0;
    return u;
}

static const char *const schema_sql =
    "CREATE TABLE IF NOT EXISTS " LSQ_OFFLINE_SCHEMA ".meta(key TEXT PRIMARY KEY, value);"
    "CREATE TABLE IF NOT EXISTS " LSQ_OFFLINE_SCHEMA ".pending(seq INTEGER PRIMARY KEY "
    "AUTOINCREMENT, changeset BLOB NOT NULL, committed_at REAL NOT NULL);"
    "CREATE TABLE IF NOT EXISTS " LSQ_OFFLINE_SCHEMA ".conflicts(seq INTEGER PRIMARY KEY, "
    "changeset BLOB, sql TEXT, reason TEXT, committed_at REAL, at REAL);"
    "INSERT OR IGNORE INTO " LSQ_OFFLINE_SCHEMA ".meta(key, value) VALUES "
    "('local_base', ''), ('pushed_transactions', 0), ('last_push', NULL), "
    "('rebase_done', '');";

/* Tables and a client id, made once per store file (the first connection
 * to get there wins; the rest find them). */
static lsq_status ensure_schema(sqlite3 *conn, lsq_error *err)
{
    char id[LSQ_CLIENT_ID_LEN + 1] = "";
    lsq_status st = lsq_offline_meta_get(conn, "client_id", id, sizeof id, NULL);
    if (st == LSQ_OK && id[0])
        return LSQ_OK;
    st = lsq_ledger_new_client_id(id, err);
    if (st != LSQ_OK)
        return st;
    int rc = sqlite3_exec(conn, "BEGIN", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(conn, schema_sql, NULL, NULL, NULL);
    sqlite3_stmt *q = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(conn,
                                "INSERT OR IGNORE INTO " LSQ_OFFLINE_SCHEMA
                                ".meta(key, value) VALUES ('client_id', ?1)",
                                -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
        rc = sqlite3_step(q);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(q);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(conn, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        st = lsq_fail_sqlite(err, conn, rc);
        lsq_fail(err, st, sqlite3_extended_errcode(conn), "cannot create the offline store: %s",
                 sqlite3_errmsg(conn));
        sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
        return st;
    }
    return LSQ_OK;
}

lsq_status lsq_offline_attach(sqlite3 *conn, const char *db_path, const char *vfs_name,
                              int create, lsq_error *err)
{
    char *path = lsq_offline_store_path(db_path);
    if (!path)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (!create) {
            lsq_status st = lsq_fail(err, LSQ_ERR_CANTOPEN, 0, "no offline store '%s'", path);
            free(path);
            return st;
        }
        /* Made here, empty and 0600, before SQLite opens it: SQLite would
         * create it 0644, and its journals take the database file's mode.
         * No SQLite connection of this process can have it open yet (it did
         * not exist), so opening and closing it here drops no lock. */
        int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
        if (fd >= 0)
            close(fd);
        else if (errno != EEXIST) {
            lsq_status st = lsq_fail(err, LSQ_ERR_CANTOPEN, errno,
                                     "cannot create the offline store '%s': %s", path,
                                     strerror(errno));
            free(path);
            return st;
        }
    }
    char *uri = store_uri(path, vfs_name);
    free(path);
    if (!uri)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(conn, "ATTACH ?1 AS " LSQ_OFFLINE_SCHEMA, -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(q, 1, uri, -1, SQLITE_STATIC);
        rc = sqlite3_step(q);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(q);
    free(uri);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(conn,
                          "PRAGMA " LSQ_OFFLINE_SCHEMA ".journal_mode = DELETE;"
                          "PRAGMA " LSQ_OFFLINE_SCHEMA ".synchronous = FULL",
                          NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        lsq_status st = lsq_fail_sqlite(err, conn, rc);
        lsq_fail(err, st, sqlite3_extended_errcode(conn), "cannot open the offline store: %s",
                 sqlite3_errmsg(conn));
        sqlite3_exec(conn, "DETACH " LSQ_OFFLINE_SCHEMA, NULL, NULL, NULL);
        return st;
    }
    if (!create)
        return LSQ_OK;
    lsq_status st = ensure_schema(conn, err);
    if (st != LSQ_OK)
        sqlite3_exec(conn, "DETACH " LSQ_OFFLINE_SCHEMA, NULL, NULL, NULL);
    return st;
}

lsq_status lsq_offline_meta_get(sqlite3 *conn, const char *key, char *out, size_t cap,
                                lsq_error *err)
{
    if (cap)
        out[0] = 0;
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(conn,
                                "SELECT value FROM " LSQ_OFFLINE_SCHEMA ".meta WHERE key = ?1",
                                -1, &q, NULL);
    if (rc != SQLITE_OK)
        return lsq_fail_sqlite(err, conn, rc);
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(q, 0);
        snprintf(out, cap, "%s", v ? v : "");
        rc = SQLITE_DONE;
    }
    lsq_status st = rc == SQLITE_DONE ? LSQ_OK : lsq_fail_sqlite(err, conn, rc);
    sqlite3_finalize(q);
    return st;
}

lsq_status lsq_offline_meta_set(sqlite3 *conn, const char *key, const char *value,
                                lsq_error *err)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(conn,
                                "INSERT OR REPLACE INTO " LSQ_OFFLINE_SCHEMA
                                ".meta(key, value) VALUES (?1, ?2)",
                                -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
        rc = sqlite3_step(q);
    }
    lsq_status st = rc == SQLITE_DONE ? LSQ_OK : lsq_fail_sqlite(err, conn, rc);
    sqlite3_finalize(q);
    return st;
}

/* ---- state and conflicts, read on a connection of their own ------------ */

/* The store alone (as `main` of a new connection would make the meta
 * queries unqualified; instead a scratch in-memory main with the store
 * attached keeps one set of SQL texts). NULL when there is no store. */
static sqlite3 *open_store_reader(lsq_db *db, lsq_error *err, lsq_status *st)
{
    *st = LSQ_OK;
    if (!lsq_is_replica(db) || !lsq_offline_store_exists(lsq_path(db)))
        return NULL;
    sqlite3 *conn = NULL;
    int rc = sqlite3_open_v2(":memory:", &conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        *st = lsq_fail(err, LSQ_ERR_NOMEM, rc, "cannot read the offline store");
        sqlite3_close(conn);
        return NULL;
    }
    sqlite3_busy_timeout(conn, 5000);
    *st = lsq_offline_attach(conn, lsq_path(db), lsq_replica_vfs(lsq_db_replica(db)), 0, err);
    if (*st != LSQ_OK) {
        sqlite3_close(conn);
        return NULL;
    }
    return conn;
}

static uint64_t count_of(sqlite3 *conn, const char *sql)
{
    sqlite3_stmt *q = NULL;
    uint64_t n = 0;
    if (sqlite3_prepare_v2(conn, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        n = (uint64_t)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return n;
}

lsq_status lsq_offline_state_of(lsq_db *db, lsq_offline_state *out, lsq_error *err)
{
    memset(out, 0, sizeof *out);
    out->offline = lsq_offline_enabled(db);
    lsq_status st;
    sqlite3 *conn = open_store_reader(db, err, &st);
    if (!conn)
        return st;
    out->pending_transactions = count_of(conn, "SELECT count(*) FROM " LSQ_OFFLINE_SCHEMA ".pending");
    out->conflicts = count_of(conn, "SELECT count(*) FROM " LSQ_OFFLINE_SCHEMA ".conflicts");
    out->pushed_transactions =
        count_of(conn, "SELECT value FROM " LSQ_OFFLINE_SCHEMA ".meta WHERE key = "
                       "'pushed_transactions'");
    char buf[64];
    if (lsq_offline_meta_get(conn, "last_push", buf, sizeof buf, NULL) == LSQ_OK && buf[0])
        out->last_push = strtod(buf, NULL);
    lsq_offline_meta_get(conn, "local_base", out->local_base, sizeof out->local_base, NULL);
    sqlite3_close(conn);
    return LSQ_OK;
}

void lsq_offline_conflicts_free(lsq_offline_conflict *c, size_t n)
{
    for (size_t i = 0; c && i < n; i++) {
        free(c[i].reason);
        free(c[i].sql);
    }
    free(c);
}

lsq_status lsq_offline_conflicts_of(lsq_db *db, lsq_offline_conflict **out, size_t *n,
                                    lsq_error *err)
{
    *out = NULL;
    *n = 0;
    lsq_status st;
    sqlite3 *conn = open_store_reader(db, err, &st);
    if (!conn)
        return st;
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(conn,
                                "SELECT seq, committed_at, at, reason, sql FROM " LSQ_OFFLINE_SCHEMA
                                ".conflicts ORDER BY seq",
                                -1, &q, NULL);
    size_t cap = 0;
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            lsq_offline_conflict *v = realloc(*out, nc * sizeof *v);
            if (!v) {
                rc = SQLITE_NOMEM;
                break;
            }
            *out = v;
            cap = nc;
        }
        lsq_offline_conflict *c = &(*out)[*n];
        memset(c, 0, sizeof *c);
        c->seq = sqlite3_column_int64(q, 0);
        c->committed_at = sqlite3_column_double(q, 1);
        c->at = sqlite3_column_double(q, 2);
        const char *r = (const char *)sqlite3_column_text(q, 3);
        const char *s = (const char *)sqlite3_column_text(q, 4);
        c->reason = strdup(r ? r : "");
        c->sql = strdup(s ? s : "");
        (*n)++;
        if (!c->reason || !c->sql) {
            rc = SQLITE_NOMEM;
            break;
        }
        rc = SQLITE_OK;
    }
    st = rc == SQLITE_DONE ? LSQ_OK : lsq_fail_sqlite(err, conn, rc);
    sqlite3_finalize(q);
    sqlite3_close(conn);
    if (st != LSQ_OK) {
        lsq_offline_conflicts_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return st;
}
