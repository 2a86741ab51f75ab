/*
 * replica.c — the embedded replica object: one per local file per process.
 *
 * Owns the process-wide registry (keyed by the file's real path, refcounted,
 * guarded by one mutex — the only global mutable state in core/), the
 * bootstrap of a new replica file, the check of an existing one against its
 * sidecar metadata, syncs (pull from the stored revision, apply the pages
 * atomically, then record the new revision), and the background thread that
 * syncs every SyncInterval seconds with exponential backoff after failures.
 *
 * Locks, always taken in this order and never held across a wait on another:
 *   registry_lock  – the list and every refcount; held while a NEW replica
 *                    bootstraps so two connections never bootstrap one file;
 *   r->sync_mu     – one sync at a time per replica (and the pull remote);
 *   r->lock_fd     – flock() on "<db>-libsql-lock", taken under sync_mu: one
 *                    sync (or bootstrap, or adoption) at a time among all
 *                    PROCESSES sharing the file, so their pulls and applies
 *                    cannot interleave (a pull applied after a newer one
 *                    would put pages back in time) and sidecars are written
 *                    in the order of the applies;
 *   r->state_mu    – the state snapshot and the background thread's fields.
 */
#include "replica.h"
#include "durable.h"
#include "offline.h"
#include "page_apply.h"
#include "primary_check.h"
#include "replica_meta.h"
#include "crypto_vfs.h"
#include "log.h"
#include "sync_status.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Longest pause between background retries after repeated failures. */
#define MAX_BACKOFF_SECONDS 300

struct lsq_replica {
    lsq_replica *next;          /* registry list */
    int refs;                   /* registry_lock */
    char *path;                 /* real path: the registry key */
    char url_hash[65];
    const char *vfs_name;       /* NULL = default VFS; the encryption shim's name */
    lsq_crypto_vfs *crypto;     /* EncryptionKey set (crypto_vfs.c); owns vfs_name */
    lsq_remote *pull_remote;    /* used under sync_mu only */
    lsq_remote *sql_remote;     /* used under sql_mu only */

    pthread_mutex_t sync_mu;
    char *lock_path;            /* "<db>-libsql-lock" */
    int lock_fd;                /* open on lock_path; -1 = could not be opened */
    pthread_mutex_t sql_mu;
    /* sync_mu: before following the primary again, check it is still the
     * database the file was made from (primary_check.h): set at open and
     * after a sync that could not reach it (it may have been replaced
     * meanwhile), cleared by a passing check. */
    int verify_primary;

    pthread_mutex_t state_mu;
    pthread_cond_t wake;        /* CLOCK_MONOTONIC; wakes the thread to stop */
    lsq_replica_state st;
    int interval;               /* seconds; 0 = no background thread */
    int thread_started;
    int stop;
    unsigned failures;          /* consecutive background failures */
    char refused[512];          /* why the primary is refused ("" = it is not): a
                                   different database; writes are refused too */
    pthread_t thread;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static lsq_replica *registry;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the cross-process sync lock ---- */

static void open_lock_file(lsq_replica *r)
{
    r->lock_fd = r->lock_path ? open(r->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : -1;
    if (r->lock_fd < 0)
        LSQ_LOG(LSQ_LOG_DEBUG, "sync", "no sync lock file '%s': %s",
                r->lock_path ? r->lock_path : "(none)", strerror(errno));
}

/* Take the file's sync lock (caller holds sync_mu). A failed bootstrap
 * removes the lock file (it leaves nothing behind), so a lock taken on a
 * file that is no longer at lock_path is worthless: open it again. Without
 * a lock file (a read-only directory, say) syncs still cannot tear the file:
 * the applier re-checks the change counter under SQLite's lock
 * (lsq_apply_pages_if). */
static void file_lock(lsq_replica *r)
{
    for (int tries = 0; r->lock_fd >= 0 && tries < 100; tries++) {
        if (flock(r->lock_fd, LOCK_EX) != 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        struct stat held, now;
        if (fstat(r->lock_fd, &held) == 0 && stat(r->lock_path, &now) == 0 &&
            held.st_dev == now.st_dev && held.st_ino == now.st_ino)
            return;
        close(r->lock_fd);
        open_lock_file(r);
    }
}

static void file_unlock(lsq_replica *r)
{
    if (r->lock_fd >= 0)
        flock(r->lock_fd, LOCK_UN);
}

/* ---- the registry key ---- */

/* The file's path without "file:" and "?query", made absolute and free of
 * symlinks; the file itself may not exist yet (then its directory must). */
static lsq_status resolve_path(const char *database, char **out, lsq_error *err)
{
    *out = NULL;
    const char *p = database;
    if (strncmp(p, "file:", 5) == 0) {
        p += 5;
        if (strncmp(p, "//", 2) == 0)
            p += 2;
    }
    size_t n = strcspn(p, "?#");
    char *plain = strndup(p, n);
    if (!plain)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    char *real = realpath(plain, NULL);
    if (!real && errno == ENOENT) {
        char *slash = strrchr(plain, '/');
        const char *base = slash ? slash + 1 : plain;
        char *dir = slash ? strndup(plain, (size_t)(slash - plain)) : strdup(".");
        if (dir && !*dir) {
            free(dir);
            dir = strdup("/");
        }
        char *rdir = dir ? realpath(dir, NULL) : NULL;
        if (rdir && *base) {
            size_t len = strlen(rdir) + strlen(base) + 2;
            real = malloc(len);
            if (real)
                snprintf(real, len, "%s%s%s", rdir, strcmp(rdir, "/") ? "/" : "", base);
        }
        free(dir);
        free(rdir);
    }
    if (!real) {
        lsq_fail(err, LSQ_ERR_CANTOPEN, 0,
                 "cannot use '%s' as a replica file: its directory does not exist", plain);
        free(plain);
        return LSQ_ERR_CANTOPEN;
    }
    free(plain);
    *out = real;
    return LSQ_OK;
}

/* ---- state bookkeeping ---- */

static void record_failure(lsq_replica *r, const lsq_error *err)
{
    pthread_mutex_lock(&r->state_mu);
    r->st.last_sync_attempt = time(NULL);
    r->st.syncs_failed++;
    snprintf(r->st.last_error, sizeof r->st.last_error, "%s", err->message);
    pthread_mutex_unlock(&r->state_mu);
}

static void record_success(lsq_replica *r, const char *revision, uint64_t size, size_t pages)
{
    pthread_mutex_lock(&r->state_mu);
    time_t now = time(NULL);
    r->st.last_sync_attempt = now;
    r->st.last_sync_ok = now;
    r->st.syncs_ok++;
    r->st.pages_applied += pages;
    r->st.last_error[0] = 0;
    snprintf(r->st.revision, sizeof r->st.revision, "%s", revision);
    r->st.db_size_pages = size;
    pthread_mutex_unlock(&r->state_mu);
}

/* Revisions of the Turso sync server are WAL frame counts: decimal. */
static int parse_revision(const char *s, unsigned long long *out)
{
    if (!s || !*s)
        return 0;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return 0;
    *out = v;
    return 1;
}

/* Write the sidecar describing the file as it is now; may_be_ahead: the
 * file may hold pages newer than `revision` (replica_meta.h). */
static lsq_status save_meta_as(lsq_replica *r, const char *file, const char *revision,
                               uint64_t size_pages, int may_be_ahead, lsq_error *err)
{
    lsq_replica_meta m;
    memset(&m, 0, sizeof m);
    m.may_be_ahead = may_be_ahead;
    m.format = LSQ_META_FORMAT;
    memcpy(m.url_sha256, r->url_hash, sizeof m.url_sha256);
    snprintf(m.revision, sizeof m.revision, "%s", revision);
    m.db_size_pages = size_pages;
    lsq_status st = lsq_meta_file_identity(file, r->vfs_name, &m.change_counter, &m.file_size,
                                           err);
    if (st != LSQ_OK)
        return st;
    return lsq_meta_save(r->path, &m, err);
}

static lsq_status save_meta(lsq_replica *r, const char *file, const char *revision,
                            uint64_t size_pages, lsq_error *err)
{
    return save_meta_as(r, file, revision, size_pages, 0, err);
}

/* ---- sync ---- */

/* Other processes may sync the same file (sync_mu is per process; the file
 * lock serialises them, this is the backstop). A pull is applied only if
 * the file's change counter, read before the pull, is unchanged under the
 * applier's lock (lsq_apply_pages_if); otherwise another process applied
 * newer pages meanwhile and we pull again, this many times before
 * reporting the file busy. */
#define MAX_MOVED_RETRIES 8

/* The answer of a pull from old_rev (the file then held old_size pages):
 * refuse a history that went backwards, check the primary is still the
 * same database when that is due, apply the pages (only if the file's
 * change counter is still *expect_counter, when given: else *moved is set
 * and nothing changes), then record the new revision in the sidecar and
 * the state. Shared by the plain sync below and offline mode's pulls of a
 * file without local changes (offline_rebase.c). */
lsq_status lsq_replica_apply_pulled(lsq_replica *r, const char *old_rev, uint64_t old_size,
                                    const lsq_pull_result *res, const uint32_t *expect_counter,
                                    int *moved, lsq_apply_timing *tm, lsq_sync_stats *stats,
                                    lsq_error *err)
{
    if (moved)
        *moved = 0;
    unsigned long long a, b;
    if (parse_revision(old_rev, &a) && parse_revision(res->server_revision, &b) && b < a) {
        /* The server's history restarted (its WAL was checkpointed): a pull
         * from our revision cannot be trusted to return every change. */
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                        "the primary's revision went backwards (from %s to %s), usually "
                        "because its WAL was checkpointed; the replica '%s' cannot follow it "
                        "incrementally: delete it and its -libsql-meta file to re-bootstrap",
                        old_rev, res->server_revision, r->path);
    }
    lsq_status st;
    if (r->verify_primary) {
        st = lsq_primary_check(r->pull_remote, r->path, r->vfs_name, err);
        pthread_mutex_lock(&r->state_mu);
        if (st == LSQ_ERR_PROTOCOL)
            snprintf(r->refused, sizeof r->refused, "%s", err->message);
        else if (st == LSQ_OK)
            r->refused[0] = '\0';
        pthread_mutex_unlock(&r->state_mu);
        if (st != LSQ_OK)
            return st;
        r->verify_primary = 0;
    }

    /* A header without db_size carries no news about the size. */
    uint64_t new_size = res->db_size_pages ? res->db_size_pages : old_size;
    int need_apply = res->npages > 0 || new_size != old_size;
    int changed = strcmp(old_rev, res->server_revision) != 0;
    if (need_apply) {
        int was_moved = 0;
        st = lsq_apply_pages_if(r->path, r->vfs_name, res->pages, res->npages, new_size,
                                expect_counter, &was_moved, tm, err);
        if (st != LSQ_OK)
            return st;
        if (was_moved) {
            if (moved)
                *moved = 1;
            return LSQ_OK;
        }
    }
    if (need_apply || changed) {
        lsq_crash_point("before-meta");
        st = save_meta(r, r->path, res->server_revision, new_size, err);
        if (st != LSQ_OK)
            return st;
    }
    record_success(r, res->server_revision, new_size, res->npages);
    stats->pages = res->npages;
    stats->apply_seconds = tm->blocked;
    stats->changed = changed;
    return LSQ_OK;
}

/* One sync; *tm gets the apply's breakdown and *pull_seconds the time the
 * answer took to arrive (request to last byte), for the log. */
static lsq_status sync_locked(lsq_replica *r, lsq_sync_stats *stats, lsq_apply_timing *tm,
                              double *pull_seconds, lsq_error *err)
{
    char old_rev[sizeof r->st.revision];
    uint64_t old_size;
    pthread_mutex_lock(&r->state_mu);
    memcpy(old_rev, r->st.revision, sizeof old_rev);
    old_size = r->st.db_size_pages;
    pthread_mutex_unlock(&r->state_mu);

    double t0 = now_seconds();
    for (int attempts = 1;; attempts++) {
        if (attempts > MAX_MOVED_RETRIES)
            return lsq_fail(err, LSQ_ERR_BUSY, SQLITE_BUSY,
                            "other processes kept syncing replica file '%s' while this one "
                            "pulled; try again", r->path);
        uint32_t counter_before = 0;
        uint64_t bytes_before = 0;
        lsq_status st =
            lsq_meta_file_identity(r->path, r->vfs_name, &counter_before, &bytes_before, err);
        if (st != LSQ_OK)
            return st;
        double tp = now_seconds();
        lsq_pull_result res;
        st = lsq_remote_pull(r->pull_remote, old_rev, 0, &res, err);
        if (st != LSQ_OK)
            return st;
        *pull_seconds += now_seconds() - tp;
        stats->bytes += res.body_len;
        int moved = 0;
        st = lsq_replica_apply_pulled(r, old_rev, old_size, &res, &counter_before, &moved, tm,
                                      stats, err);
        lsq_pull_result_free(&res);
        if (st != LSQ_OK)
            return st;
        if (!moved)
            break;
    }
    stats->seconds = now_seconds() - t0;
    return LSQ_OK;
}

lsq_status lsq_replica_sync(lsq_replica *r, lsq_sync_stats *stats, lsq_error *err)
{
    return lsq_replica_sync_progress(r, NULL, NULL, stats, err);
}

static lsq_status sync_mode(lsq_replica *r, lsq_progress_fn fn, void *ctx, int mode,
                            lsq_offline_push_stats *push, lsq_sync_stats *stats,
                            lsq_error *err);

lsq_status lsq_replica_sync_progress(lsq_replica *r, lsq_progress_fn fn, void *ctx,
                                     lsq_sync_stats *stats, lsq_error *err)
{
    return sync_mode(r, fn, ctx, LSQ_OFFLINE_SYNC, NULL, stats, err);
}

lsq_status lsq_replica_sync_mode(lsq_replica *r, int mode, lsq_offline_push_stats *push,
                                 lsq_sync_stats *stats, lsq_error *err)
{
    return sync_mode(r, NULL, NULL, mode, push, stats, err);
}

/* Offline mode (offline.h): a replica with an offline store pushes its
 * pending local transactions and rebases them on pulls; the hook says
 * whether it did the work (a store exists) or the plain pull runs. */
static lsq_status sync_mode(lsq_replica *r, lsq_progress_fn fn, void *ctx, int mode,
                            lsq_offline_push_stats *push, lsq_sync_stats *stats,
                            lsq_error *err)
{
    lsq_sync_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (!r)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_replica_sync: no replica");
    lsq_error local_err = {0};
    if (!err)
        err = &local_err;
    pthread_mutex_lock(&r->sync_mu);
    char from_rev[sizeof r->st.revision];
    pthread_mutex_lock(&r->state_mu);
    memcpy(from_rev, r->st.revision, sizeof from_rev);
    pthread_mutex_unlock(&r->state_mu);
    /* The pull remote is only used under sync_mu: the callback is seen by
     * this sync alone and is gone again before the lock is released. */
    if (fn)
        lsq_remote_set_progress(r->pull_remote, fn, ctx);
    lsq_apply_timing tm;
    memset(&tm, 0, sizeof tm);
    double pull_seconds = 0;
    /* Syncs of other processes wait on the file lock (file_lock). */
    file_lock(r);
    int handled = 0;
    lsq_status st = lsq_offline_sync_locked(r, mode, push, stats, &handled, err);
    if (st == LSQ_OK && !handled && (mode & LSQ_OFFLINE_PULL))
        st = sync_locked(r, stats, &tm, &pull_seconds, err);
    file_unlock(r);
    if (fn)
        lsq_remote_set_progress(r->pull_remote, NULL, NULL);
    if (st != LSQ_OK) {
        if (st == LSQ_ERR_NETWORK || st == LSQ_ERR_TIMEOUT)
            r->verify_primary = 1; /* it may come back as another database */
        record_failure(r, err);
        lsq_sync_status_failed(r->path, err->message);
        LSQ_LOG(LSQ_LOG_WARN, "sync", "sync of '%s' failed (status %d, native %d): %s",
                r->path, (int)st, err->native, err->message);
    } else {
        lsq_sync_status_ok(r->path);
        pthread_mutex_lock(&r->state_mu);
        r->st.bytes_pulled += stats->bytes;
        pthread_mutex_unlock(&r->state_mu);
        if (lsq_log_enabled(stats->changed ? LSQ_LOG_INFO : LSQ_LOG_DEBUG)) {
            char to_rev[sizeof r->st.revision];
            pthread_mutex_lock(&r->state_mu);
            memcpy(to_rev, r->st.revision, sizeof to_rev);
            pthread_mutex_unlock(&r->state_mu);
            lsq_log_write(stats->changed ? LSQ_LOG_INFO : LSQ_LOG_DEBUG, "sync",
                          "synced '%s': revision %s -> %s, %zu pages, %zu bytes, %.3f s "
                          "(readers blocked %.6f s); ms: pull %.1f, apply prepare %.1f, "
                          "journal %.1f, lock wait %.2f, page writes %.2f, db sync %.2f, "
                          "commit %.2f, cleanup %.1f",
                          r->path, from_rev[0] ? from_rev : "(none)", to_rev, stats->pages,
                          stats->bytes, stats->seconds, stats->apply_seconds,
                          pull_seconds * 1e3, tm.prepare * 1e3, tm.journal * 1e3,
                          tm.lock_wait * 1e3, tm.page_write * 1e3, tm.db_sync * 1e3,
                          tm.commit * 1e3, tm.cleanup * 1e3);
        }
    }
    pthread_mutex_unlock(&r->sync_mu);
    return st;
}

/* ---- bootstrap ---- */

static lsq_status no_pages_to_bootstrap(lsq_replica *r, const char *revision, lsq_error *err)
{
    return lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                    "the primary returned no database pages to bootstrap '%s' from "
                    "(revision '%s'); the Turso sync server serves pages from its WAL "
                    "only, so a primary whose WAL was checkpointed cannot seed a replica",
                    r->path, revision ? revision : "");
}

/* The bootstrap's sink: the header sizes the new file, each page goes
 * straight into it (page_apply.h, lsq_bootstrap_*). */
typedef struct boot_sink {
    lsq_replica *r;
    lsq_bootstrap *w;
    char *revision;
    uint64_t db_size;
} boot_sink;

static lsq_status boot_header(void *ctx, const char *revision, uint64_t db_size_pages,
                              int apply_mode, lsq_error *err)
{
    boot_sink *b = ctx;
    (void)apply_mode;   /* a bootstrap replaces everything whatever the mode */
    b->revision = strdup(revision);
    if (!b->revision)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    b->db_size = db_size_pages;
    if (db_size_pages == 0)
        return no_pages_to_bootstrap(b->r, revision, err);
    return lsq_bootstrap_set_size(b->w, db_size_pages, err);
}

static lsq_status boot_page(void *ctx, uint32_t pgno, const unsigned char *data, lsq_error *err)
{
    boot_sink *b = ctx;
    return lsq_bootstrap_page(b->w, pgno, data, err);
}

/* Build the first revision beside the final name ("<db>.libsql-new"),
 * written page by page while the answer downloads, write the sidecar, then
 * rename into place: a crash before the rename leaves no replica file, so
 * the next open simply bootstraps again. Called with sync_mu and the file
 * lock held (the temp name is shared by processes). */
static lsq_status bootstrap(lsq_replica *r, lsq_progress_fn fn, void *ctx, lsq_error *err)
{
    double t0 = now_seconds();
    size_t n = strlen(r->path) + sizeof ".libsql-new";
    char *tmp = malloc(n);
    if (!tmp)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    snprintf(tmp, n, "%s.libsql-new", r->path);
    boot_sink b = { r, NULL, NULL, 0 };
    size_t body_len = 0, npages = 0;
    lsq_status st = lsq_bootstrap_open(tmp, r->vfs_name, &b.w, err);
    if (st == LSQ_OK) {
        /* As in a sync: the callback lives on the pull remote under sync_mu
         * (held by the caller) for this one pull. */
        if (fn)
            lsq_remote_set_progress(r->pull_remote, fn, ctx);
        lsq_pull_sink sink = { &b, boot_header, boot_page };
        st = lsq_remote_pull_stream(r->pull_remote, NULL, 0, &sink, &body_len, &npages, err);
        if (fn)
            lsq_remote_set_progress(r->pull_remote, NULL, NULL);
        if (st == LSQ_OK && npages == 0)
            st = no_pages_to_bootstrap(r, b.revision, err);
        if (st == LSQ_OK)
            st = lsq_bootstrap_finish(b.w, err);    /* syncs; removes the file on failure */
        else
            lsq_bootstrap_abort(b.w);
    }
    if (st == LSQ_OK)
        st = save_meta(r, tmp, b.revision, b.db_size, err);
    if (st == LSQ_OK && rename(tmp, r->path) != 0)
        st = lsq_fail(err, LSQ_ERR_CANTOPEN, errno, "cannot create replica file '%s': %s",
                      r->path, strerror(errno));
    if (st == LSQ_OK)
        lsq_fsync_parent_dir(r->path);
    if (st == LSQ_OK) {
        r->verify_primary = 0; /* just made from this very primary */
        record_success(r, b.revision, b.db_size, npages);
        lsq_sync_status_ok(r->path);
        pthread_mutex_lock(&r->state_mu);
        r->st.bytes_pulled += body_len;
        pthread_mutex_unlock(&r->state_mu);
        LSQ_LOG(LSQ_LOG_INFO, "sync",
                "bootstrapped '%s' at revision %s: %zu pages, %zu bytes, %.3f s", r->path,
                b.revision, npages, body_len, now_seconds() - t0);
    } else {
        LSQ_LOG(LSQ_LOG_ERROR, "sync", "bootstrap of '%s' failed (status %d): %s", r->path,
                (int)st, err->message);
        unlink(tmp);
    }
    free(tmp);
    free(b.revision);
    return st;
}

/* ---- background thread ---- */

static void *sync_thread_main(void *arg)
{
    lsq_replica *r = arg;
    pthread_mutex_lock(&r->state_mu);
    while (!r->stop) {
        unsigned shift = r->failures < 8 ? r->failures : 8;
        long delay = (long)r->interval << shift;
        if (r->failures && delay > MAX_BACKOFF_SECONDS)
            delay = MAX_BACKOFF_SECONDS > r->interval ? MAX_BACKOFF_SECONDS : r->interval;
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += delay;
        int rc = 0;
        while (!r->stop && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&r->wake, &r->state_mu, &deadline);
        if (r->stop)
            break;
        pthread_mutex_unlock(&r->state_mu);
        lsq_error err = {0};
        lsq_status st = lsq_replica_sync(r, NULL, &err);
        pthread_mutex_lock(&r->state_mu);
        r->failures = st == LSQ_OK ? 0 : r->failures + 1;
    }
    pthread_mutex_unlock(&r->state_mu);
    return NULL;
}

/* Start the thread, or shorten its interval if this connection asks for a
 * shorter one. Called with registry_lock held. */
static void want_interval(lsq_replica *r, int interval)
{
    if (interval <= 0)
        return;
    pthread_mutex_lock(&r->state_mu);
    if (!r->thread_started) {
        r->interval = interval;
        r->stop = 0;
        if (pthread_create(&r->thread, NULL, sync_thread_main, r) == 0)
            r->thread_started = 1;
    } else if (interval < r->interval) {
        r->interval = interval;
        pthread_cond_signal(&r->wake);
    }
    pthread_mutex_unlock(&r->state_mu);
}

static void stop_thread(lsq_replica *r)
{
    pthread_mutex_lock(&r->state_mu);
    int started = r->thread_started;
    r->stop = 1;
    pthread_cond_broadcast(&r->wake);
    pthread_mutex_unlock(&r->state_mu);
    if (started)
        pthread_join(r->thread, NULL);
    r->thread_started = 0;
}

/* ---- lifetime ---- */

static void replica_free(lsq_replica *r)
{
    if (!r)
        return;
    stop_thread(r);
    lsq_remote_close(r->pull_remote);
    lsq_remote_close(r->sql_remote);
    pthread_mutex_destroy(&r->sync_mu);
    pthread_mutex_destroy(&r->sql_mu);
    pthread_mutex_destroy(&r->state_mu);
    pthread_cond_destroy(&r->wake);
    lsq_crypto_vfs_release(r->crypto);
    if (r->lock_fd >= 0)
        close(r->lock_fd);
    free(r->lock_path);
    free(r->path);
    free(r);
}

/* A connection sharing an open replica must bring the same EncryptionKey. */
static lsq_status check_same_key(lsq_replica *r, const lsq_config *cfg, lsq_error *err)
{
    const char *key = cfg->encryption_key && *cfg->encryption_key ? cfg->encryption_key : NULL;
    lsq_crypto_vfs *v = NULL;
    if (key && lsq_crypto_vfs_acquire(key, &v, err) != LSQ_OK)
        return err ? err->status : LSQ_ERR_MISC;
    int same = v == r->crypto;
    lsq_crypto_vfs_release(v);
    if (same)
        return LSQ_OK;
    return lsq_fail(err, LSQ_ERR_AUTH, 0,
                    "replica file '%s' is already open in this process with %s", r->path,
                    r->crypto ? "another EncryptionKey: wrong EncryptionKey"
                              : "no EncryptionKey: EncryptionKey given but the file is not "
                                "encrypted");
}

static lsq_status replica_new(const lsq_config *cfg, char *path, lsq_replica **out,
                              lsq_error *err)
{
    *out = NULL;
    lsq_replica *r = calloc(1, sizeof *r);
    if (!r) {
        free(path);
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    }
    r->path = path;
    r->verify_primary = 1;
    lsq_meta_url_hash(cfg->sync_url, r->url_hash);
    size_t n = strlen(path) + sizeof "-libsql-lock";
    r->lock_path = malloc(n);
    if (r->lock_path)
        snprintf(r->lock_path, n, "%s-libsql-lock", path);
    open_lock_file(r);
    pthread_mutex_init(&r->sync_mu, NULL);
    pthread_mutex_init(&r->sql_mu, NULL);
    pthread_mutex_init(&r->state_mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->wake, &ca);
    pthread_condattr_destroy(&ca);
    /* The first connection's network settings serve the whole replica. */
    lsq_remote_opts ro = {cfg->connect_timeout_ms, cfg->request_timeout_ms, cfg->tls_ca_file,
                          cfg->tls_insecure};
    lsq_status st = lsq_remote_open(cfg->sync_url, cfg->auth_token, &ro, &r->pull_remote, err);
    if (st == LSQ_OK)
        st = lsq_remote_open(cfg->sync_url, cfg->auth_token, &ro, &r->sql_remote, err);
    /* EncryptionKey: bootstrap, applier, journal and sidecar identity all
     * read and write the file through the encryption shim. */
    if (st == LSQ_OK && cfg->encryption_key && *cfg->encryption_key) {
        st = lsq_crypto_vfs_acquire(cfg->encryption_key, &r->crypto, err);
        r->vfs_name = lsq_crypto_vfs_name(r->crypto);
    }
    if (st != LSQ_OK) {
        replica_free(r);
        return st;
    }
    *out = r;
    return LSQ_OK;
}

/* A sync failure a connection can live with: the primary cannot be reached,
 * but the local copy is there to read. */
static int tolerable(lsq_status st)
{
    return st == LSQ_ERR_NETWORK || st == LSQ_ERR_TIMEOUT || st == LSQ_ERR_BUSY;
}

/* Open an existing replica file: it must be ours, from this primary. */
static lsq_status adopt_existing(lsq_replica *r, const char *sync_url, lsq_error *err)
{
    lsq_replica_meta m;
    int found = 0;
    lsq_status st = lsq_meta_load(r->path, &m, &found, err);
    if (st != LSQ_OK)
        return st;
    if (!found)
        return lsq_fail(err, LSQ_ERR_MISC, 0,
                        "'%s' exists but has no replica metadata ('%s-libsql-meta'): it is "
                        "not a replica made by this driver; point Database at a new file, or "
                        "delete this one to bootstrap a replica from the primary",
                        r->path, r->path);
    /* Let SQLite roll back a hot journal a crashed apply may have left, so
     * the identity below is that of a consistent file. */
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(r->path, &db, SQLITE_OPEN_READWRITE, r->vfs_name);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, 10000);
        rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        st = lsq_fail(err, (rc & 0xff) == SQLITE_BUSY ? LSQ_ERR_BUSY : LSQ_ERR_CANTOPEN, rc,
                      "cannot read replica file '%s': %s", r->path,
                      db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return st;
    }
    sqlite3_close(db);
    /* Offline mode: finish a rebase a crash interrupted; a file holding
     * local changes no longer matches the sidecar's identity, by design
     * (its next pull is a full one), so only the primary is checked. */
    int diverged = 0;
    st = lsq_offline_recover(r, &diverged, err);
    if (st == LSQ_OK)
        st = lsq_meta_load(r->path, &m, &found, err);
    if (st != LSQ_OK)
        return st;
    if (diverged)
        lsq_meta_file_identity(r->path, r->vfs_name, &m.change_counter, &m.file_size, NULL);
    st = lsq_meta_check(r->path, r->vfs_name, &m, sync_url, err);
    if (st != LSQ_OK)
        return st;
    /* A crash after an apply and before its sidecar leaves the file one
     * change ahead of the sidecar, which lsq_meta_check accepts. Record the
     * file's identity now, with the OLD revision (re-pulling from it is
     * idempotent): otherwise a second such crash puts the file two changes
     * ahead and the replica is refused as modified outside the driver. */
    uint32_t counter = 0;
    uint64_t bytes = 0;
    st = lsq_meta_file_identity(r->path, r->vfs_name, &counter, &bytes, err);
    if (st == LSQ_OK && (counter != m.change_counter || bytes != m.file_size)) {
        m.db_size_pages = bytes / 4096;  /* replica pages are 4096 bytes (PROTOCOL.md) */
        st = save_meta_as(r, r->path, m.revision, m.db_size_pages, 1, err);
    }
    if (st != LSQ_OK)
        return st;
    pthread_mutex_lock(&r->state_mu);
    snprintf(r->st.revision, sizeof r->st.revision, "%s", m.revision);
    r->st.db_size_pages = m.db_size_pages;
    pthread_mutex_unlock(&r->state_mu);
    return LSQ_OK;
}

lsq_status lsq_replica_acquire_w(const lsq_config *cfg, lsq_replica **out, char *warning,
                                 size_t warning_cap, lsq_error *err)
{
    if (out)
        *out = NULL;
    if (warning && warning_cap)
        warning[0] = 0;
    if (!cfg || !out || !cfg->database || !*cfg->database || !cfg->sync_url || !*cfg->sync_url)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0,
                        "a replica needs both Database and SyncUrl");
    char *path = NULL;
    lsq_status st = resolve_path(cfg->database, &path, err);
    if (st != LSQ_OK)
        return st;
    char url_hash[65];
    lsq_meta_url_hash(cfg->sync_url, url_hash);

    pthread_mutex_lock(&registry_lock);
    lsq_replica *r = registry;
    while (r && strcmp(r->path, path) != 0)
        r = r->next;
    int fresh = 0;
    if (r) {
        free(path);
        if (strcmp(r->url_hash, url_hash) != 0) {
            pthread_mutex_unlock(&registry_lock);
            return lsq_fail(err, LSQ_ERR_MISC, 0,
                            "replica file '%s' is already open in this process with a "
                            "different SyncUrl", r->path);
        }
        st = check_same_key(r, cfg, err);
        if (st != LSQ_OK) {
            pthread_mutex_unlock(&registry_lock);
            return st;
        }
        r->refs++;
    } else {
        st = replica_new(cfg, path, &r, err);
        if (st != LSQ_OK) {
            pthread_mutex_unlock(&registry_lock);
            return st;
        }
        /* Under the file lock: another process may be bootstrapping the
         * file right now (then we adopt what it made) or syncing it. */
        pthread_mutex_lock(&r->sync_mu);
        file_lock(r);
        struct stat sb;
        if (stat(r->path, &sb) != 0 || sb.st_size == 0) {
            st = bootstrap(r, cfg->open_progress, cfg->open_progress_ctx, err);
            fresh = st == LSQ_OK;
            /* A failed bootstrap leaves no file behind, the lock's neither
             * (file_lock notices, in a process waiting for it). */
            if (st != LSQ_OK && r->lock_fd >= 0)
                unlink(r->lock_path);
        } else {
            st = adopt_existing(r, cfg->sync_url, err);
        }
        file_unlock(r);
        pthread_mutex_unlock(&r->sync_mu);
        if (st != LSQ_OK) {
            pthread_mutex_unlock(&registry_lock);
            replica_free(r);
            return st;
        }
        r->refs = 1;
        r->next = registry;
        registry = r;
    }
    want_interval(r, cfg->sync_interval);
    pthread_mutex_unlock(&registry_lock);

    /* Every new connection starts from the primary's current state. The
     * open's progress callback (lsq_config.open_progress, set by the
     * operator CLI, whose `sync` command is this very open: bootstrap or
     * pull, one request, not a second sync after it) is handed to the
     * bootstrap above or to this sync, and dropped when they return. */
    if (!fresh) {
        lsq_error serr = {0};
        st = lsq_replica_sync_progress(r, cfg->open_progress, cfg->open_progress_ctx, NULL,
                                       &serr);
        if (st != LSQ_OK) {
            if (!tolerable(st)) {
                lsq_replica_release(r);
                if (err)
                    *err = serr;
                return st;
            }
            if (warning && warning_cap)
                snprintf(warning, warning_cap,
                         "opened the local replica without syncing: %s", serr.message);
        }
    }
    *out = r;
    return LSQ_OK;
}

lsq_status lsq_replica_acquire(const lsq_config *cfg, lsq_replica **out, lsq_error *err)
{
    return lsq_replica_acquire_w(cfg, out, NULL, 0, err);
}

void lsq_replica_release(lsq_replica *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&registry_lock);
    if (--r->refs > 0) {
        pthread_mutex_unlock(&registry_lock);
        return;
    }
    lsq_replica **pp = &registry;
    while (*pp && *pp != r)
        pp = &(*pp)->next;
    if (*pp)
        *pp = r->next;
    pthread_mutex_unlock(&registry_lock);
    replica_free(r);
}

void lsq_replica_get_state(lsq_replica *r, lsq_replica_state *out)
{
    memset(out, 0, sizeof *out);
    if (!r)
        return;
    pthread_mutex_lock(&r->state_mu);
    *out = r->st;
    pthread_mutex_unlock(&r->state_mu);
}

const char *lsq_replica_path(const lsq_replica *r) { return r ? r->path : NULL; }

int lsq_replica_sync_interval(lsq_replica *r)
{
    if (!r)
        return 0;
    pthread_mutex_lock(&r->state_mu);
    int v = r->thread_started ? r->interval : 0;
    pthread_mutex_unlock(&r->state_mu);
    return v;
}

lsq_remote *lsq_replica_remote(lsq_replica *r) { return r ? r->sql_remote : NULL; }

lsq_status lsq_replica_pipeline(lsq_replica *r, const char *json_body, char **response,
                                lsq_error *err)
{
    if (!r)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_replica_pipeline: no replica");
    pthread_mutex_lock(&r->sql_mu);
    lsq_crash_point("pipeline-before-send");
    lsq_status st = lsq_remote_pipeline(r->sql_remote, json_body, response, err);
    lsq_crash_point("pipeline-after-response");
    pthread_mutex_unlock(&r->sql_mu);
    return st;
}

lsq_status lsq_replica_pipeline_timeout(lsq_replica *r, const char *json_body, long timeout_ms,
                                        char **response, lsq_error *err)
{
    if (!r)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_replica_pipeline: no replica");
    pthread_mutex_lock(&r->sql_mu);
    lsq_crash_point("pipeline-before-send");
    lsq_status st = lsq_remote_pipeline_timeout(r->sql_remote, json_body, timeout_ms, response,
                                                err);
    /* Dying here leaves a write the primary committed but the application
     * never heard of: what the exactly-once ledger settles. */
    lsq_crash_point("pipeline-after-response");
    pthread_mutex_unlock(&r->sql_mu);
    return st;
}

/* ---- for core/offline*.c (offline.h) ---- */

const char *lsq_replica_vfs(const lsq_replica *r) { return r ? r->vfs_name : NULL; }

lsq_remote *lsq_replica_pull_remote(lsq_replica *r) { return r ? r->pull_remote : NULL; }

void lsq_replica_revision(lsq_replica *r, char *out, size_t cap)
{
    pthread_mutex_lock(&r->state_mu);
    snprintf(out, cap, "%s", r->st.revision);
    pthread_mutex_unlock(&r->state_mu);
}

lsq_status lsq_replica_record_pull(lsq_replica *r, const char *revision, uint64_t size_pages,
                                   size_t pages, lsq_error *err)
{
    pthread_mutex_lock(&r->state_mu);
    int moved = strcmp(r->st.revision, revision) != 0 || r->st.db_size_pages != size_pages;
    pthread_mutex_unlock(&r->state_mu);
    if (moved || pages) {
        lsq_status st = save_meta(r, r->path, revision, size_pages, err);
        if (st != LSQ_OK)
            return st;
    }
    record_success(r, revision, size_pages, pages);
    return LSQ_OK;
}

int lsq_replica_refused(lsq_replica *r, char *why, size_t cap)
{
    if (!r)
        return 0;
    pthread_mutex_lock(&r->state_mu);
    int refused = r->refused[0] != '\0';
    if (refused && why && cap)
        snprintf(why, cap, "%s", r->refused);
    pthread_mutex_unlock(&r->state_mu);
    return refused;
}
