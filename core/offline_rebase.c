/*
 * offline_rebase.c — syncs of a replica that has an offline store
 * (docs/offline.md, "Pull with local changes" and "Crash points").
 *
 * replica.c calls lsq_offline_sync_locked under the replica's sync lock for
 * every sync. Without a store next to the file nothing happens here and the
 * plain incremental pull runs. With one, on a connection of its own (the
 * replica file as main, the store attached):
 *
 *   1. finish a rebase a crash interrupted (the marker file, below);
 *   2. push (offline_push.c) when asked;
 *   3. pull when asked. The store's write lock is taken after the download
 *      and held until the pages are applied (and, for a full pull, the
 *      pending changes replayed): local writers take that lock before they
 *      touch main (offline_capture.c), so no local commit lands between the
 *      check of local_base and the apply.
 *        local_base = ''  the file is exactly the sidecar's revision: an
 *                         incremental pull is applied as usual;
 *        otherwise        the file differs physically from every primary
 *                         revision, so every page is pulled (client revision
 *                         empty), applied atomically by the usual hot-journal
 *                         applier, and the still-pending change sets are
 *                         replayed on top in ONE local transaction that also
 *                         sets local_base (N, or '' when nothing is pending).
 *
 * Crash safety of the full pull. Before the apply, the marker
 * "<db>-libsql-offline-rebase" is written (temp file, fsync, rename) with a
 * fresh id, the revision N and size, and the file's change counter c before
 * the apply; the replay's commit writes meta.rebase_done = id. Whoever finds
 * the marker (the next sync, the next open) decides with the store locked:
 *   rebase_done = id        replayed: record the sidecar, drop the marker;
 *   counter now = c         the apply never completed (SQLite's hot journal
 *                           rolled the file back to the local state): drop;
 *   otherwise               applied but not replayed: replay now, record the
 *                           sidecar, drop the marker.
 * The marker is a file rather than a row of the store because it must be
 * durable BEFORE the apply while the store's lock is still held: committing
 * a row would release that lock and let a local write slip in.
 */
#include "offline.h"
#include "durable.h"
#include "offline_internal.h"
#include "crypto_vfs.h"
#include "log.h"
#include "page_apply.h"
#include "replica.h"
#include "replica_meta.h"
#include "write_ledger.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the marker file ------------------------------------------------------ */

typedef struct marker {
    char id[LSQ_CLIENT_ID_LEN + 1];
    char revision[128];
    uint64_t size_pages;
    uint32_t counter;
} marker;

static lsq_status marker_write(const char *path, const marker *m, lsq_error *err)
{
    size_t n = strlen(path) + 8;
    char *tmp = malloc(n);
    if (!tmp)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    snprintf(tmp, n, "%s.tmp", path);
    int fd = open(tmp, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
    char buf[400];
    int len = snprintf(buf, sizeof buf, "%s %s %" PRIu64 " %" PRIu32 "\n", m->id,
                       m->revision[0] ? m->revision : "-", m->size_pages, m->counter);
    int ok = fd >= 0 && write(fd, buf, (size_t)len) == len && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    ok = ok && rename(tmp, path) == 0;
    lsq_status st = LSQ_OK;
    if (!ok) {
        st = lsq_fail(err, LSQ_ERR_CANTOPEN, errno, "cannot write '%s': %s", path,
                      strerror(errno));
        unlink(tmp);
    } else {
        lsq_fsync_parent_dir(path);
    }
    free(tmp);
    return st;
}

static int marker_read(const char *path, marker *m)
{
    memset(m, 0, sizeof *m);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int ok = fscanf(f, "%32s %127s %" SCNu64 " %" SCNu32, m->id, m->revision, &m->size_pages,
                    &m->counter) == 4;
    fclose(f);
    if (ok && strcmp(m->revision, "-") == 0)
        m->revision[0] = 0;
    return ok;
}

static void marker_remove(const char *path)
{
    if (unlink(path) == 0)
        lsq_fsync_parent_dir(path);
}

/* ---- the sync's own connection ------------------------------------------- */

static lsq_status open_conn(struct lsq_replica *r, sqlite3 **out, lsq_error *err)
{
    *out = NULL;
    const char *path = lsq_replica_path(r);
    const char *vfs = lsq_replica_vfs(r);
    sqlite3 *c = NULL;
    int rc = sqlite3_open_v2(path, &c, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, vfs);
    if (rc == SQLITE_OK && vfs)
        rc = sqlite3_exec(c, LSQ_CRYPTO_CONN_SETUP, NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(c, 1);
        sqlite3_busy_timeout(c, 10000);
        /* Rolls back a hot journal a crash left (a local commit or an
         * apply), so the change counter read later is a consistent one. */
        rc = sqlite3_exec(c, "SELECT count(*) FROM main.sqlite_schema", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        lsq_status st = lsq_fail(err, (rc & 0xff) == SQLITE_BUSY ? LSQ_ERR_BUSY : LSQ_ERR_CANTOPEN,
                                 rc, "cannot open replica file '%s': %s", path,
                                 c ? sqlite3_errmsg(c) : sqlite3_errstr(rc));
        sqlite3_close(c);
        return st;
    }
    lsq_status st = lsq_offline_attach(c, path, vfs, 0, err);
    if (st != LSQ_OK) {
        sqlite3_close(c);
        return st;
    }
    *out = c;
    return LSQ_OK;
}

/* Begin a transaction holding the store's write lock (and nothing on main,
 * so the applier's own connection can lock main). */
static lsq_status lock_store(sqlite3 *c, lsq_error *err)
{
    int rc = sqlite3_exec(c,
                          "BEGIN; UPDATE " LSQ_OFFLINE_SCHEMA ".meta SET value = value "
                          "WHERE key = 'local_base'",
                          NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        lsq_status st = lsq_fail_sqlite(err, c, rc);
        lsq_fail(err, st, sqlite3_extended_errcode(c),
                 "cannot lock the offline store (a local transaction is open?): %s",
                 sqlite3_errmsg(c));
        if (!sqlite3_get_autocommit(c))
            sqlite3_exec(c, "ROLLBACK", NULL, NULL, NULL);
        return st;
    }
    return LSQ_OK;
}

static void unlock_store(sqlite3 *c)
{
    if (!sqlite3_get_autocommit(c))
        sqlite3_exec(c, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- replay ---------------------------------------------------------------- */

typedef struct replay_ctx {
    char reason[300];
} replay_ctx;

static int on_conflict(void *arg, int kind, sqlite3_changeset_iter *it)
{
    replay_ctx *x = arg;
    const char *table = "?";
    int ncol = 0, op = 0, ind = 0;
    if (kind != SQLITE_CHANGESET_FOREIGN_KEY)
        sqlite3changeset_op(it, &table, &ncol, &op, &ind);
    const char *what = kind == SQLITE_CHANGESET_DATA       ? "the row changed on the primary"
                       : kind == SQLITE_CHANGESET_NOTFOUND ? "the row vanished on the primary"
                       : kind == SQLITE_CHANGESET_CONFLICT ? "the row already exists on the primary"
                       : kind == SQLITE_CHANGESET_CONSTRAINT ? "a constraint failed"
                                                             : "a foreign key failed";
    if (!x->reason[0])
        snprintf(x->reason, sizeof x->reason, "replay over the primary's revision: table '%s': %s",
                 table, what);
    return SQLITE_CHANGESET_ABORT;
}

/* Inside the caller's transaction (store locked): apply every pending
 * change set in seq order; one that conflicts is undone alone (the session
 * extension wraps each apply in a savepoint) and moved to conflicts. Then
 * local_base and rebase_done, and COMMIT. */
static lsq_status replay(sqlite3 *c, const char *revision, const char *id, size_t *replayed,
                         size_t *conflicts, lsq_error *err)
{
    int64_t after = 0;
    lsq_status st = LSQ_OK;
    for (;;) {
        lsq_pending_row row;
        int found = 0;
        st = lsq_offline_next_pending(c, after, &row, &found, err);
        if (st != LSQ_OK || !found)
            break;
        int64_t seq = row.seq;
        double committed_at = row.committed_at;
        int n = row.n;
        void *cs = row.cs;
        int rc;
        after = seq;
        replay_ctx x;
        memset(&x, 0, sizeof x);
        rc = sqlite3changeset_apply(c, n, cs, NULL, on_conflict, &x);
        if (rc == SQLITE_OK) {
            (*replayed)++;
        } else if (rc == SQLITE_ABORT) {
            lsq_offline_stmts ss;
            char *sql = NULL;
            if (lsq_offline_changeset_sql(c, cs, n, &ss, NULL) == LSQ_OK) {
                sql = lsq_offline_stmts_render(&ss);
                lsq_offline_stmts_free(&ss);
            }
            st = lsq_offline_record_conflict(c, seq, committed_at, cs, n, sql ? sql : "",
                                             x.reason, 1, err);
            free(sql);
            if (st == LSQ_OK)
                (*conflicts)++;
        } else {
            st = lsq_fail_sqlite(err, c, rc);
            lsq_fail(err, st, rc, "cannot replay pending offline change %lld: %s",
                     (long long)seq, sqlite3_errmsg(c));
        }
        free(cs);
        if (st != LSQ_OK)
            return st;
    }
    if (st != LSQ_OK)
        return st;
    sqlite3_stmt *q = NULL;
    int64_t left = 0;
    if (sqlite3_prepare_v2(c, "SELECT count(*) FROM " LSQ_OFFLINE_SCHEMA ".pending", -1, &q,
                           NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        left = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    st = lsq_offline_meta_set(c, "local_base", left ? (revision[0] ? revision : "?") : "", err);
    if (st == LSQ_OK)
        st = lsq_offline_meta_set(c, "rebase_done", id, err);
    if (st != LSQ_OK)
        return st;
    int rc = sqlite3_exec(c, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return lsq_fail_sqlite(err, c, rc);
    return LSQ_OK;
}

/* ---- recovery -------------------------------------------------------------- */

static lsq_status recover_locked(struct lsq_replica *r, sqlite3 *c, lsq_error *err)
{
    const char *path = lsq_replica_path(r);
    char *mpath = lsq_offline_marker_path(path);
    if (!mpath)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    marker m;
    if (!marker_read(mpath, &m)) {
        free(mpath);
        return LSQ_OK;
    }
    lsq_status st = lock_store(c, err);
    char done[LSQ_CLIENT_ID_LEN + 1] = "";
    if (st == LSQ_OK)
        st = lsq_offline_meta_get(c, "rebase_done", done, sizeof done, err);
    uint32_t counter = 0;
    uint64_t size = 0;
    if (st == LSQ_OK && strcmp(done, m.id) != 0)
        st = lsq_meta_file_identity(path, lsq_replica_vfs(r), &counter, &size, err);
    if (st != LSQ_OK) {
        unlock_store(c);
        free(mpath);
        return st;
    }
    if (strcmp(done, m.id) == 0) {
        unlock_store(c);
        st = lsq_replica_record_pull(r, m.revision, m.size_pages, 0, err);
        LSQ_LOG(LSQ_LOG_INFO, "offline", "'%s': finished recording an interrupted pull at %s",
                path, m.revision);
    } else if (counter == m.counter) {
        unlock_store(c);
        LSQ_LOG(LSQ_LOG_INFO, "offline",
                "'%s': an interrupted pull was rolled back; local changes are intact", path);
    } else {
        size_t replayed = 0, conflicts = 0;
        st = replay(c, m.revision, m.id, &replayed, &conflicts, err);
        if (st == LSQ_OK)
            st = lsq_replica_record_pull(r, m.revision, m.size_pages, 0, err);
        else
            unlock_store(c);
        LSQ_LOG(st == LSQ_OK ? LSQ_LOG_INFO : LSQ_LOG_ERROR, "offline",
                "'%s': replayed %zu pending change sets (%zu conflicts) after an interrupted "
                "pull at %s%s%s", path, replayed, conflicts, m.revision,
                st == LSQ_OK ? "" : ": ", st == LSQ_OK ? "" : err->message);
    }
    if (st == LSQ_OK)
        marker_remove(mpath);
    free(mpath);
    return st;
}

lsq_status lsq_offline_recover(struct lsq_replica *r, int *diverged, lsq_error *err)
{
    *diverged = 0;
    if (!lsq_offline_store_exists(lsq_replica_path(r)))
        return LSQ_OK;
    sqlite3 *c = NULL;
    lsq_status st = open_conn(r, &c, err);
    if (st == LSQ_OK)
        st = recover_locked(r, c, err);
    char base[128] = "";
    if (st == LSQ_OK)
        st = lsq_offline_meta_get(c, "local_base", base, sizeof base, err);
    *diverged = base[0] != 0;
    sqlite3_close(c);
    return st;
}

/* ---- pull ------------------------------------------------------------------ */

/* A file without local changes: an ordinary incremental pull. */
static lsq_status pull_incremental(struct lsq_replica *r, lsq_pull_result *res,
                                   const char *old_rev, struct lsq_sync_stats *stats,
                                   lsq_error *err)
{
    lsq_replica_state rs;
    lsq_replica_get_state(r, &rs);
    lsq_apply_timing tm;
    memset(&tm, 0, sizeof tm);
    return lsq_replica_apply_pulled(r, old_rev, rs.db_size_pages, res, NULL, NULL, &tm, stats,
                                    err);
}

static lsq_status pull_full(struct lsq_replica *r, sqlite3 *c, lsq_pull_result *res,
                            const char *old_rev, struct lsq_sync_stats *stats, lsq_error *err)
{
    const char *path = lsq_replica_path(r);
    if (res->npages == 0 || res->db_size_pages == 0)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                        "the primary returned no pages for a full pull (revision '%s'): the "
                        "local changes of '%s' cannot be rebased now", res->server_revision,
                        path);
    marker m;
    memset(&m, 0, sizeof m);
    lsq_status st = lsq_ledger_new_client_id(m.id, err);
    snprintf(m.revision, sizeof m.revision, "%s", res->server_revision);
    m.size_pages = res->db_size_pages;
    uint64_t fsize = 0;
    if (st == LSQ_OK)
        st = lsq_meta_file_identity(path, lsq_replica_vfs(r), &m.counter, &fsize, err);
    char *mpath = lsq_offline_marker_path(path);
    if (st == LSQ_OK && !mpath)
        st = lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    if (st == LSQ_OK)
        st = marker_write(mpath, &m, err);
    if (st != LSQ_OK) {
        free(mpath);
        return st;
    }
    double blocked = 0;
    st = lsq_apply_pages(path, lsq_replica_vfs(r), res->pages, res->npages, res->db_size_pages,
                         &blocked, err);
    if (st != LSQ_OK) {
        /* Not applied (SQLite rolls back whatever journal is left): the
         * local state stands, the marker must not claim otherwise. */
        marker_remove(mpath);
        free(mpath);
        return st;
    }
    lsq_crash_point("rebase-applied");
    size_t replayed = 0, conflicts = 0;
    st = replay(c, res->server_revision, m.id, &replayed, &conflicts, err);
    if (st != LSQ_OK) {
        /* The marker stays: the next sync or open replays. */
        free(mpath);
        return st;
    }
    lsq_crash_point("rebase-replayed");
    st = lsq_replica_record_pull(r, res->server_revision, res->db_size_pages, res->npages, err);
    if (st == LSQ_OK)
        marker_remove(mpath);
    free(mpath);
    LSQ_LOG(LSQ_LOG_INFO, "offline",
            "'%s': full pull at %s (from %s): %zu pages; replayed %zu pending change sets, "
            "%zu conflicts", path, res->server_revision, old_rev[0] ? old_rev : "(none)",
            res->npages, replayed, conflicts);
    stats->pages = res->npages;
    stats->apply_seconds = blocked;
    stats->changed = strcmp(old_rev, res->server_revision) != 0 || res->npages > 0;
    return st;
}

static lsq_status do_pull(struct lsq_replica *r, sqlite3 *c, struct lsq_sync_stats *stats,
                          lsq_error *err)
{
    char rev[128], base[128];
    lsq_replica_revision(r, rev, sizeof rev);
    lsq_status st = lsq_offline_meta_get(c, "local_base", base, sizeof base, err);
    if (st != LSQ_OK)
        return st;
    int full = base[0] != 0;
    lsq_pull_result res;
    for (;;) {
        memset(&res, 0, sizeof res);
        st = lsq_remote_pull(lsq_replica_pull_remote(r), full ? "" : rev, 0, &res, err);
        if (st != LSQ_OK)
            return st;
        stats->bytes += res.body_len;
        st = lock_store(c, err);
        if (st == LSQ_OK)
            st = lsq_offline_meta_get(c, "local_base", base, sizeof base, err);
        if (st != LSQ_OK) {
            unlock_store(c);
            lsq_pull_result_free(&res);
            return st;
        }
        if (full || !base[0])
            break;
        /* A local commit landed during the download: the incremental pages
         * no longer fit the file. */
        unlock_store(c);
        lsq_pull_result_free(&res);
        full = 1;
    }
    st = full ? pull_full(r, c, &res, rev, stats, err)
              : pull_incremental(r, &res, rev, stats, err);
    unlock_store(c);
    lsq_pull_result_free(&res);
    return st;
}

lsq_status lsq_offline_sync_locked(struct lsq_replica *r, int mode, lsq_offline_push_stats *push,
                                   struct lsq_sync_stats *stats, int *handled, lsq_error *err)
{
    *handled = 0;
    if (!lsq_offline_store_exists(lsq_replica_path(r)))
        return LSQ_OK;
    *handled = 1;
    double t0 = mono_now();
    sqlite3 *c = NULL;
    lsq_status st = open_conn(r, &c, err);
    if (st == LSQ_OK)
        st = recover_locked(r, c, err);
    lsq_offline_push_stats local;
    memset(&local, 0, sizeof local);
    if (st == LSQ_OK && (mode & LSQ_OFFLINE_PUSH)) {
        st = lsq_offline_push_all(r, c, push ? push : &local, err);
        lsq_offline_push_stats *p = push ? push : &local;
        if (p->pushed || p->conflicts)
            LSQ_LOG(LSQ_LOG_INFO, "offline", "'%s': pushed %zu, conflicts %zu, pending %zu",
                    lsq_replica_path(r), p->pushed, p->conflicts, p->pending);
    }
    if (st == LSQ_OK && (mode & LSQ_OFFLINE_PULL))
        st = do_pull(r, c, stats, err);
    sqlite3_close(c);
    stats->seconds = mono_now() - t0;
    return st;
}
