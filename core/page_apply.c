/*
 * page_apply.c — makes a set of pulled pages visible in the replica file as
 * one atomic, crash-safe step, using SQLite's own rollback journal
 * (DESIGN.md, "Applying pulled pages atomically"); and writes a brand-new
 * replica file while its bootstrap answer downloads (lsq_bootstrap_*).
 *
 * Why the apply works: a dedicated connection takes BEGIN IMMEDIATE
 * (SQLite's RESERVED lock: no other writer, readers carry on). While it is
 * held we read the current images of the pages about to change and write,
 * through the same VFS SQLite uses, a journal in SQLite's documented format
 * holding them, and sync it; readers ignore that journal because a RESERVED
 * lock is held. Only then is the lock raised to EXCLUSIVE (every reader, in
 * this process or another, including a plain sqlite3 shell, has finished;
 * new ones wait in their busy handler) to overwrite the pages, sync, and
 * commit by moving the journal out of SQLite's sight. A crash at any
 * instant before that leaves a hot journal that SQLite itself rolls back at
 * the next open; after it the new state is complete. Nothing is changed
 * through SQLite, so the final COMMIT writes nothing. The file change
 * counter on page 1 is bumped, which is what makes every other connection
 * drop its page cache.
 *
 * What readers wait for (the EXCLUSIVE window) is kept to the page writes,
 * one data sync of the database file and one rename:
 *  - everything else happens before (buffers, old images, journal and its
 *    sync under RESERVED) or after the unlock (directory sync, unlink);
 *  - the journal is committed by renaming it to "<db>-journal-applied"
 *    rather than by unlinking it: on this ext4 VM an unlink costs 0.4-4 ms
 *    for a 400 KB journal and ~16 ms for 40 MB (the kernel drops the
 *    file's cached pages and frees its blocks), a rename ~0.03-0.1 ms. A
 *    journal under any other name is not hot, exactly as if deleted; the
 *    renamed file only ever holds a committed journal, so removing it
 *    after the unlock is safe even if another process's applier renamed
 *    its own journal to the same name in between;
 *  - consecutive pages that lie back to back in memory are written with
 *    one call per run (up to 31 pages: the unix VFS masks one I/O to
 *    128 KiB - 1), and the old images are read the same way; only with the
 *    unix VFS, since the encryption shim works one page per call;
 *  - the size is set only when it changes (an ftruncate is a metadata
 *    update even to the same size);
 *  - the wait for readers to drain polls from 10 us up, not in 1 ms steps.
 *
 * Locks are held only for file I/O: every buffer is allocated before
 * BEGIN IMMEDIATE.
 */
#include "page_apply.h"
#include "durable.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAGE_SIZE 4096u
/* The journal header is padded to this "sector size"; SQLite reads the
 * records from this offset. */
#define JOURNAL_SECTOR 4096u
#define JOURNAL_RECORD (4u + PAGE_SIZE + 4u)
/* The unix VFS masks the length of one read or write to 17 bits, so a run
 * of consecutive pages goes in at most 31 pages (124 KiB) per call. */
#define RUN_PAGES 31u
#define RUN_BYTES (RUN_PAGES * PAGE_SIZE)

static const unsigned char journal_magic[8] = {0xd9, 0xd5, 0x05, 0xf9,
                                               0x20, 0xa1, 0x63, 0xd7};

static int crash_armed(const char *name)
{
    const char *at = getenv("LSQ_CRASH_AT");
    return at && name && strcmp(at, name) == 0;
}

void lsq_crash_point(const char *name)
{
    if (crash_armed(name))
        _exit(99);
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* SQLite's journal record checksum: the nonce plus every 200th byte of the
 * page, counting down from pagesize-200 (pager_cksum in pager.c). */
static uint32_t journal_checksum(uint32_t nonce, const unsigned char *page)
{
    uint32_t sum = nonce;
    for (int i = (int)PAGE_SIZE - 200; i > 0; i -= 200)
        sum += page[i];
    return sum;
}

/* Page 1 as the replica must hold it: rollback-journal mode (the primary
 * runs WAL), the given change counter also stored as version-valid-for so
 * the in-header size below is trusted, and the new size. */
static void fix_page_one(unsigned char *page1, uint32_t change_counter, uint64_t size_pages)
{
    page1[18] = 1;
    page1[19] = 1;
    put_be32(page1 + 24, change_counter);
    put_be32(page1 + 92, change_counter);
    put_be32(page1 + 28, (uint32_t)size_pages);
}

static lsq_status check_pages(const lsq_page *pages, size_t npages, uint64_t db_size_pages,
                              lsq_error *err)
{
    if (db_size_pages > 0xffffffffu)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "database size %llu pages is too large",
                        (unsigned long long)db_size_pages);
    for (size_t i = 0; i < npages; i++) {
        if (pages[i].pgno == 0 || pages[i].pgno > db_size_pages || !pages[i].data)
            return lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                            "pulled page %u is outside the database (size %llu pages)",
                            pages[i].pgno, (unsigned long long)db_size_pages);
        if (i > 0 && pages[i].pgno <= pages[i - 1].pgno)
            return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "pulled pages are not sorted and unique");
    }
    return LSQ_OK;
}

static sqlite3_vfs *find_vfs(const char *vfs_name, lsq_error *err)
{
    sqlite3_vfs *vfs = sqlite3_vfs_find(vfs_name);
    if (!vfs)
        lsq_fail(err, LSQ_ERR_MISC, 0, "SQLite VFS '%s' is not registered",
                 vfs_name ? vfs_name : "(default)");
    return vfs;
}

/* Open a file through the VFS; *out is a malloc'd sqlite3_file (caller closes
 * with close_vfs_file). */
static int open_vfs_file(sqlite3_vfs *vfs, const char *name, int flags, sqlite3_file **out)
{
    *out = NULL;
    sqlite3_file *f = calloc(1, (size_t)vfs->szOsFile);
    if (!f)
        return SQLITE_NOMEM;
    int outflags = 0;
    int rc = vfs->xOpen(vfs, name, f, flags, &outflags);
    if (rc != SQLITE_OK) {
        if (f->pMethods)
            f->pMethods->xClose(f);
        free(f);
        return rc;
    }
    *out = f;
    return SQLITE_OK;
}

static void close_vfs_file(sqlite3_file *f)
{
    if (!f)
        return;
    if (f->pMethods)
        f->pMethods->xClose(f);
    free(f);
}

/* Multi-page reads and writes are for the unix VFS only: the encryption
 * shim (crypto_vfs.c) encrypts one page per call and refuses anything
 * else. */
static int vfs_takes_runs(const sqlite3_vfs *vfs)
{
    return vfs && vfs->zName && strncmp(vfs->zName, "unix", 4) == 0;
}

/* The unix VFS accepts less than 128 KiB per xWrite (it masks the length),
 * so large buffers go in chunks. */
static int write_all(sqlite3_file *f, const unsigned char *buf, size_t len, sqlite3_int64 off)
{
    int rc = SQLITE_OK;
    while (len > 0 && rc == SQLITE_OK) {
        size_t n = len > RUN_BYTES ? RUN_BYTES : len;
        rc = f->pMethods->xWrite(f, buf, (int)n, off);
        buf += n;
        off += (sqlite3_int64)n;
        len -= n;
    }
    return rc;
}

static char *path_with_suffix(const char *path, const char *suffix)
{
    size_t n = strlen(path) + strlen(suffix) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s", path, suffix);
    return s;
}

/* ---- bootstrap: a new file, written while the answer downloads ---- */

/* A second thread syncs the file after every this many bytes written, while
 * the download goes on, so the final sync of a large bootstrap has little
 * left to wait for. */
#define BOOTSTRAP_SYNC_EVERY ((size_t)16 << 20)

struct lsq_bootstrap {
    sqlite3_vfs *vfs;
    sqlite3_file *f;
    char *path;
    uint64_t size_pages;        /* 0 = not set yet */
    int have_page1;
    int failed;                 /* a write failed: finish reports it */
    /* The run being gathered: run_n pages from run_first, back to back. */
    unsigned char *run;
    uint32_t run_first, run_n, run_cap;
    size_t unsynced;            /* bytes written since the last sync request */
    /* The background syncer: fdatasync while the download goes on. */
    pthread_t syncer;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int syncer_started, sync_wanted, syncing, stop, sync_rc;
};

static void *syncer_main(void *arg)
{
    lsq_bootstrap *b = arg;
    pthread_mutex_lock(&b->mu);
    for (;;) {
        while (!b->sync_wanted && !b->stop)
            pthread_cond_wait(&b->cv, &b->mu);
        if (!b->sync_wanted)
            break;
        b->sync_wanted = 0;
        b->syncing = 1;
        pthread_mutex_unlock(&b->mu);
        /* xSync of the unix VFS reads the file handle and flags only, as
         * xWrite does on success: the two may run at once. */
        int rc = b->f->pMethods->xSync(b->f, SQLITE_SYNC_NORMAL);
        pthread_mutex_lock(&b->mu);
        b->syncing = 0;
        if (rc != SQLITE_OK && b->sync_rc == SQLITE_OK)
            b->sync_rc = rc;
        pthread_cond_broadcast(&b->cv);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

/* Stop the syncer after its current sync; returns the first error it met. */
static int syncer_stop(lsq_bootstrap *b)
{
    if (!b->syncer_started)
        return SQLITE_OK;
    pthread_mutex_lock(&b->mu);
    b->stop = 1;
    b->sync_wanted = 0;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    pthread_join(b->syncer, NULL);
    b->syncer_started = 0;
    return b->sync_rc;
}

static void bootstrap_free(lsq_bootstrap *b)
{
    if (!b)
        return;
    syncer_stop(b);
    close_vfs_file(b->f);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
    free(b->run);
    free(b->path);
    free(b);
}

lsq_status lsq_bootstrap_open(const char *path, const char *vfs_name, lsq_bootstrap **out,
                              lsq_error *err)
{
    if (!out || !path)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_bootstrap_open: invalid argument");
    *out = NULL;
    sqlite3_vfs *vfs = find_vfs(vfs_name, err);
    if (!vfs)
        return LSQ_ERR_MISC;
    lsq_bootstrap *b = calloc(1, sizeof *b);
    if (!b)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    b->vfs = vfs;
    b->run_cap = vfs_takes_runs(vfs) ? RUN_PAGES : 1;
    b->path = strdup(path);
    b->run = malloc((size_t)b->run_cap * PAGE_SIZE);
    if (!b->path || !b->run) {
        bootstrap_free(b);
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    }
    vfs->xDelete(vfs, path, 0);
    int rc = open_vfs_file(vfs, path,
                           SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &b->f);
    if (rc != SQLITE_OK) {
        lsq_status st = lsq_fail(err, LSQ_ERR_CANTOPEN, rc, "cannot create replica file '%s': %s",
                                 path, sqlite3_errstr(rc));
        bootstrap_free(b);
        return st;
    }
    /* Only the unix VFS is known to allow a sync beside a write. */
    if (b->run_cap > 1 && pthread_create(&b->syncer, NULL, syncer_main, b) == 0)
        b->syncer_started = 1;
    *out = b;
    return LSQ_OK;
}

lsq_status lsq_bootstrap_set_size(lsq_bootstrap *b, uint64_t db_size_pages, lsq_error *err)
{
    if (!b)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_bootstrap_set_size: no writer");
    if (db_size_pages == 0)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "the primary reported an empty database");
    if (db_size_pages > 0xffffffffu)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "database size %llu pages is too large",
                        (unsigned long long)db_size_pages);
    if (b->size_pages && b->size_pages != db_size_pages)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_bootstrap_set_size: size set twice");
    b->size_pages = db_size_pages;
    return LSQ_OK;
}

static lsq_status write_failed(lsq_bootstrap *b, int rc, lsq_error *err)
{
    b->failed = 1;
    return lsq_fail(err, LSQ_ERR_MISC, rc,
                    "cannot write replica file '%s': %s", b->path, sqlite3_errstr(rc));
}

/* Write the gathered run; every 16 MB ask the syncer to start flushing. */
static lsq_status flush_run(lsq_bootstrap *b, lsq_error *err)
{
    if (b->run_n == 0)
        return LSQ_OK;
    size_t len = (size_t)b->run_n * PAGE_SIZE;
    int rc = b->f->pMethods->xWrite(b->f, b->run, (int)len,
                                    (sqlite3_int64)(b->run_first - 1) * PAGE_SIZE);
    b->run_n = 0;
    if (rc != SQLITE_OK)
        return write_failed(b, rc, err);
    b->unsynced += len;
    if (b->syncer_started && b->unsynced >= BOOTSTRAP_SYNC_EVERY) {
        pthread_mutex_lock(&b->mu);
        /* One sync at a time: a request while one runs waits for the next. */
        if (!b->syncing && !b->sync_wanted) {
            b->sync_wanted = 1;
            b->unsynced = 0;
            pthread_cond_broadcast(&b->cv);
        }
        pthread_mutex_unlock(&b->mu);
    }
    return LSQ_OK;
}

lsq_status lsq_bootstrap_page(lsq_bootstrap *b, uint32_t pgno, const unsigned char *data,
                              lsq_error *err)
{
    if (!b || !data)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_bootstrap_page: invalid argument");
    if (b->failed)
        return lsq_fail(err, LSQ_ERR_MISC, 0, "replica file '%s': an earlier write failed",
                        b->path);
    if (b->size_pages == 0)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_bootstrap_page: size not set");
    if (pgno == 0 || pgno > b->size_pages)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                        "pulled page %u is outside the database (size %llu pages)", pgno,
                        (unsigned long long)b->size_pages);
    if (b->run_n && (pgno != b->run_first + b->run_n || b->run_n == b->run_cap)) {
        lsq_status st = flush_run(b, err);
        if (st != LSQ_OK)
            return st;
    }
    if (b->run_n == 0)
        b->run_first = pgno;
    unsigned char *slot = b->run + (size_t)b->run_n * PAGE_SIZE;
    memcpy(slot, data, PAGE_SIZE);
    if (pgno == 1) {
        fix_page_one(slot, 1, b->size_pages);
        b->have_page1 = 1;
    }
    b->run_n++;
    return LSQ_OK;
}

void lsq_bootstrap_abort(lsq_bootstrap *b)
{
    if (!b)
        return;
    syncer_stop(b);
    close_vfs_file(b->f);
    b->f = NULL;
    b->vfs->xDelete(b->vfs, b->path, 0);
    bootstrap_free(b);
}

lsq_status lsq_bootstrap_finish(lsq_bootstrap *b, lsq_error *err)
{
    if (!b)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_bootstrap_finish: no writer");
    lsq_status st = b->failed ? lsq_fail(err, LSQ_ERR_MISC, 0,
                                         "replica file '%s': an earlier write failed", b->path)
                              : flush_run(b, err);
    if (st == LSQ_OK && (b->size_pages == 0 || !b->have_page1))
        st = lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                      "bootstrap pull did not contain page 1 of the database");
    int rc = syncer_stop(b);
    if (st == LSQ_OK && rc == SQLITE_OK)
        rc = b->f->pMethods->xTruncate(b->f, (sqlite3_int64)b->size_pages * PAGE_SIZE);
    /* The syncer flushed most of the file already; this waits for the rest. */
    if (st == LSQ_OK && rc == SQLITE_OK)
        rc = b->f->pMethods->xSync(b->f, SQLITE_SYNC_NORMAL);
    if (st == LSQ_OK && rc != SQLITE_OK)
        st = write_failed(b, rc, err);
    close_vfs_file(b->f);
    b->f = NULL;
    if (st == LSQ_OK)
        chmod(b->path, 0600);
    else
        b->vfs->xDelete(b->vfs, b->path, 0);
    bootstrap_free(b);
    return st;
}

/* lsq_apply_pages on a file that does not exist yet: write every page into
 * "<path>.bootstrap", sync, and rename it into place, so that either the
 * whole first revision exists or nothing does. */
static lsq_status bootstrap_file(const char *path, const char *vfs_name, const lsq_page *pages,
                                 size_t npages, uint64_t db_size_pages, lsq_error *err)
{
    if (npages == 0 || pages[0].pgno != 1)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                        "bootstrap pull did not contain page 1 of the database");
    char *tmp = path_with_suffix(path, ".bootstrap");
    if (!tmp)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    lsq_bootstrap *b = NULL;
    lsq_status st = lsq_bootstrap_open(tmp, vfs_name, &b, err);
    if (st == LSQ_OK)
        st = lsq_bootstrap_set_size(b, db_size_pages, err);
    for (size_t i = 0; i < npages && st == LSQ_OK; i++)
        st = lsq_bootstrap_page(b, pages[i].pgno, pages[i].data, err);
    if (st == LSQ_OK) {
        st = lsq_bootstrap_finish(b, err);
    } else if (b) {
        lsq_bootstrap_abort(b);
    }
    if (st == LSQ_OK && rename(tmp, path) != 0) {
        st = lsq_fail(err, LSQ_ERR_MISC, errno, "cannot rename '%s' to '%s': %s", tmp, path,
                      strerror(errno));
        unlink(tmp);
    }
    if (st == LSQ_OK)
        lsq_fsync_parent_dir(path);
    free(tmp);
    return st;
}

/* ---- incremental apply on an existing file ---- */

typedef struct apply_plan {
    /* The pages to write, in pgno order; page 1 always included (its own
     * copy, fixed up once the old change counter is known). */
    const unsigned char **data;
    uint32_t *pgno;
    size_t n;
    unsigned char *page1;
    /* The journal goes out JOURNAL_CHUNK records at a time through these
     * two small buffers, reused for every chunk: a journal image of the
     * whole apply would be as large as the pull (fresh memory costs a page
     * fault per 4 KiB, ~12 us each on the loaded VM). */
    unsigned char *chunk;       /* JOURNAL_CHUNK records */
    unsigned char *bounce;      /* a run of old images read in one call */
    int runs;                   /* the VFS takes multi-page reads and writes */
} apply_plan;

/* Records per journal write: 31 * 4104 bytes stays under the unix VFS's
 * 128 KiB limit on one call. */
#define JOURNAL_CHUNK RUN_PAGES

static void plan_free(apply_plan *p)
{
    free(p->data);
    free(p->pgno);
    free(p->page1);
    free(p->chunk);
    free(p->bounce);
}

static lsq_status plan_build(apply_plan *p, const lsq_page *pages, size_t npages, int runs,
                             lsq_error *err)
{
    memset(p, 0, sizeof *p);
    int has_page1 = npages > 0 && pages[0].pgno == 1;
    size_t n = npages + (has_page1 ? 0 : 1);
    p->runs = runs;
    p->data = calloc(n, sizeof *p->data);
    p->pgno = calloc(n, sizeof *p->pgno);
    p->page1 = malloc(PAGE_SIZE);
    p->chunk = malloc((size_t)JOURNAL_CHUNK * JOURNAL_RECORD);
    p->bounce = malloc(RUN_BYTES);
    if (!p->data || !p->pgno || !p->page1 || !p->chunk || !p->bounce) {
        plan_free(p);
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    }
    size_t k = 0;
    p->pgno[k] = 1;
    p->data[k++] = p->page1;
    if (has_page1)
        memcpy(p->page1, pages[0].data, PAGE_SIZE);
    for (size_t i = has_page1 ? 1 : 0; i < npages; i++) {
        p->pgno[k] = pages[i].pgno;
        p->data[k++] = pages[i].data;
    }
    p->n = k;
    return LSQ_OK;
}

/* How many plan entries from i form one write: consecutive page numbers
 * whose data lie back to back in memory, at most RUN_PAGES, never past
 * `limit`. */
static size_t write_run_length(const apply_plan *p, size_t i, size_t limit)
{
    size_t k = 1;
    if (!p->runs)
        return 1;
    while (i + k < limit && k < RUN_PAGES && p->pgno[i + k] == p->pgno[i] + k &&
           p->data[i + k] == p->data[i] + k * PAGE_SIZE)
        k++;
    return k;
}

/* Raise the applier's RESERVED lock to EXCLUSIVE, waiting (up to
 * timeout_s) for readers to finish. The first attempt takes PENDING, which
 * keeps new readers out while the current ones drain. A read holds its
 * SHARED lock for microseconds, so for the first 200 us the retries only
 * yield the CPU (a sleep, however short, costs ~60 us of timer slack);
 * after that the pause doubles from 10 us to 1 ms. */
static int lock_exclusive(sqlite3_file *db, double timeout_s)
{
    double start = now_seconds();
    long pause_ns = 10000;
    for (;;) {
        int rc = db->pMethods->xLock(db, SQLITE_LOCK_EXCLUSIVE);
        double waited = now_seconds() - start;
        if (rc != SQLITE_BUSY || waited >= timeout_s)
            return rc;
        if (waited < 200e-6) {
            sched_yield();
            continue;
        }
        struct timespec ts = {0, pause_ns};
        nanosleep(&ts, NULL);
        if (pause_ns < 1000000)
            pause_ns *= 2;
    }
}

/* Fill the chunk buffer with the journal records of plan entries
 * [i, i + k): pgno, current image (read in runs of consecutive pages),
 * checksum. */
static int read_records(apply_plan *p, sqlite3_file *db, size_t i, size_t k, uint32_t nonce)
{
    for (size_t j = 0; j < k;) {
        size_t run = 1;
        if (p->runs)
            while (j + run < k && p->pgno[i + j + run] == p->pgno[i + j] + run)
                run++;
        sqlite3_int64 off = (sqlite3_int64)(p->pgno[i + j] - 1) * PAGE_SIZE;
        unsigned char *rec = p->chunk + j * JOURNAL_RECORD;
        int rc;
        if (run == 1) {
            rc = db->pMethods->xRead(db, rec + 4, PAGE_SIZE, off);
        } else {
            rc = db->pMethods->xRead(db, p->bounce, (int)(run * PAGE_SIZE), off);
            for (size_t m = 0; m < run && rc == SQLITE_OK; m++)
                memcpy(rec + m * JOURNAL_RECORD + 4, p->bounce + m * PAGE_SIZE, PAGE_SIZE);
        }
        if (rc != SQLITE_OK)
            return rc;
        for (size_t m = 0; m < run; m++, rec += JOURNAL_RECORD) {
            put_be32(rec, p->pgno[i + j + m]);
            put_be32(rec + 4 + PAGE_SIZE, journal_checksum(nonce, rec + 4));
        }
        j += run;
    }
    return SQLITE_OK;
}

/* Write the journal: the header sector, then the current image of every
 * page that exists now and changes (the plan's first nrec entries, since it
 * is sorted), JOURNAL_CHUNK records at a time. Page 1 is record 0: its old
 * change counter (and, when the pull did not bring page 1, its image) is
 * taken on the way. The records are written as SQLite writes them, three
 * calls each, unless the VFS is the unix one (see write_journal). */
static int journal_old_images(apply_plan *p, sqlite3_file *db, sqlite3_file *jf, size_t nrec,
                              uint32_t old_pages, int has_page1, uint32_t *old_counter)
{
    uint32_t nonce;
    sqlite3_randomness(sizeof nonce, &nonce);
    /* The record count is right before the first database byte is written,
     * so a crash anywhere after the journal's sync rolls back completely. */
    unsigned char *hdr = p->bounce;
    memset(hdr, 0, JOURNAL_SECTOR);
    memcpy(hdr, journal_magic, sizeof journal_magic);
    put_be32(hdr + 8, (uint32_t)nrec);
    put_be32(hdr + 12, nonce);
    put_be32(hdr + 16, old_pages);
    put_be32(hdr + 20, JOURNAL_SECTOR);
    put_be32(hdr + 24, PAGE_SIZE);
    int rc = write_all(jf, hdr, JOURNAL_SECTOR, 0);
    for (size_t i = 0; i < nrec && rc == SQLITE_OK; i += JOURNAL_CHUNK) {
        size_t k = nrec - i < JOURNAL_CHUNK ? nrec - i : JOURNAL_CHUNK;
        rc = read_records(p, db, i, k, nonce);
        if (rc != SQLITE_OK)
            break;
        if (i == 0) {
            *old_counter = get_be32(p->chunk + 4 + 24);
            if (!has_page1)
                memcpy(p->page1, p->chunk + 4, PAGE_SIZE);
        }
        sqlite3_int64 off = (sqlite3_int64)(JOURNAL_SECTOR + i * JOURNAL_RECORD);
        if (p->runs) {
            rc = jf->pMethods->xWrite(jf, p->chunk, (int)(k * JOURNAL_RECORD), off);
            continue;
        }
        for (size_t j = 0; j < k && rc == SQLITE_OK; j++, off += JOURNAL_RECORD) {
            const unsigned char *rec = p->chunk + j * JOURNAL_RECORD;
            rc = jf->pMethods->xWrite(jf, rec, 4, off);
            if (rc == SQLITE_OK)
                rc = jf->pMethods->xWrite(jf, rec + 4, PAGE_SIZE, off + 4);
            if (rc == SQLITE_OK)
                rc = jf->pMethods->xWrite(jf, rec + 4 + PAGE_SIZE, 4, off + 4 + PAGE_SIZE);
        }
    }
    return rc;
}

/* With the RESERVED lock held: journal the old images, raise to EXCLUSIVE,
 * write the new ones, commit by renaming the journal to *applied_path.
 * db is the applier's own main-database file. */
static lsq_status apply_locked(const char *path, sqlite3_vfs *vfs, sqlite3_file *db,
                               apply_plan *p, int has_page1, uint64_t db_size_pages,
                               const char *jpath, const char *applied_path,
                               const uint32_t *expect_counter, int *moved,
                               double *exclusive_since, lsq_apply_timing *tm, lsq_error *err)
{
    double t = now_seconds();
    sqlite3_int64 old_bytes = 0;
    int rc = db->pMethods->xFileSize(db, &old_bytes);
    if (rc != SQLITE_OK)
        return lsq_fail(err, LSQ_ERR_MISC, rc, "cannot stat replica file '%s'", path);
    uint32_t old_pages = (uint32_t)(old_bytes / PAGE_SIZE);
    if (old_pages == 0)
        return lsq_fail(err, LSQ_ERR_MISC, 0,
                        "replica file '%s' is shorter than one page: not a replica", path);
    size_t nrec = 0;
    while (nrec < p->n && p->pgno[nrec] <= old_pages)
        nrec++;

    /* A retired journal a crash left behind would be freed by the rename
     * below, inside the EXCLUSIVE window: free it now. */
    vfs->xDelete(vfs, applied_path, 0);
    sqlite3_file *jf = NULL;
    rc = open_vfs_file(vfs, jpath,
                       SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &jf);
    if (rc != SQLITE_OK)
        return lsq_fail(err, LSQ_ERR_MISC, rc, "cannot create journal '%s': %s", jpath,
                        sqlite3_errstr(rc));
    uint32_t old_counter = 0;
    rc = journal_old_images(p, db, jf, nrec, old_pages, has_page1, &old_counter);
    double t2 = now_seconds();
    tm->prepare = t2 - t;
    /* A journal opened with SQLITE_OPEN_MAIN_JOURNAL|CREATE also syncs its
     * directory on this first sync (unix VFS), so the file's existence is
     * durable before any database byte changes. */
    if (rc == SQLITE_OK)
        rc = jf->pMethods->xSync(jf, SQLITE_SYNC_NORMAL);
    close_vfs_file(jf);
    if (rc != SQLITE_OK) {
        lsq_fail(err, LSQ_ERR_MISC, rc, "cannot write the journal '%s': %s", jpath,
                 sqlite3_errstr(rc));
        vfs->xDelete(vfs, jpath, 1);
        return LSQ_ERR_MISC;
    }
    /* Another process applied a sync since the caller looked at the file:
     * the pages in hand were maybe pulled before that one's, and writing
     * them would put those pages (only) back in time. Write nothing; the
     * journal holds the file's current images, so removing it is safe. */
    if (expect_counter && old_counter != *expect_counter) {
        vfs->xDelete(vfs, jpath, 0);
        *moved = 1;
        return LSQ_OK;
    }
    fix_page_one(p->page1, old_counter + 1, db_size_pages);
    lsq_crash_point("journal-written");
    t = now_seconds();
    tm->journal = t - t2;

    *exclusive_since = t;
    rc = lock_exclusive(db, 10.0);
    if (rc != SQLITE_OK) {
        /* Nothing was written to the database: the journal is not needed. */
        vfs->xDelete(vfs, jpath, 1);
        return lsq_fail(err, LSQ_ERR_BUSY, rc,
                        "readers of '%s' kept the file busy; pulled pages not applied", path);
    }
    t2 = now_seconds();
    tm->lock_wait = t2 - t;

    /* The new pages. Any failure from here on leaves the journal in place:
     * the next open rolls the file back to the old revision. When a test
     * stops the process halfway, no run crosses the middle of the plan. */
    size_t half = crash_armed("pages-half-written") ? p->n / 2 : 0;
    uint64_t end_pages = old_pages;
    for (size_t i = 0; i < p->n && rc == SQLITE_OK;) {
        if (i == half && i > 0) {
            /* make the half-written state real on disk before dying */
            db->pMethods->xSync(db, SQLITE_SYNC_NORMAL);
            lsq_crash_point("pages-half-written");
        }
        size_t k = write_run_length(p, i, i < half ? half : p->n);
        rc = db->pMethods->xWrite(db, p->data[i], (int)(k * PAGE_SIZE),
                                  (sqlite3_int64)(p->pgno[i] - 1) * PAGE_SIZE);
        if (p->pgno[i + k - 1] > end_pages)
            end_pages = p->pgno[i + k - 1];
        i += k;
    }
    /* The file ends at max(old size, last page written); set the new size
     * only if that is not it already. */
    if (rc == SQLITE_OK && end_pages != db_size_pages)
        rc = db->pMethods->xTruncate(db, (sqlite3_int64)db_size_pages * PAGE_SIZE);
    t = now_seconds();
    tm->page_write = t - t2;
    if (rc == SQLITE_OK)
        rc = db->pMethods->xSync(db, SQLITE_SYNC_NORMAL);
    t2 = now_seconds();
    tm->db_sync = t2 - t;
    if (rc != SQLITE_OK)
        return lsq_fail(err, LSQ_ERR_MISC, rc,
                        "writing pulled pages to '%s' failed (%s); the journal left behind "
                        "restores the previous revision at the next open",
                        path, sqlite3_errstr(rc));
    lsq_crash_point("pages-written");

    /* Committed: once the journal is no longer named "<db>-journal" nothing
     * rolls the pages back. The rename is made durable by the caller's
     * directory sync after the unlock, before the new revision is recorded
     * in the metadata; until then a power cut can only bring the journal
     * back, i.e. the old revision, which the metadata still names. */
    if (rename(jpath, applied_path) != 0) {
        int e = errno;
        return lsq_fail(err, LSQ_ERR_MISC, e,
                        "cannot retire the journal of '%s': %s; it restores the previous "
                        "revision at the next open", path, strerror(e));
    }
    tm->commit = now_seconds() - t2;
    lsq_crash_point("journal-deleted");
    return LSQ_OK;
}

lsq_status lsq_apply_pages(const char *path, const char *vfs_name, const lsq_page *pages,
                           size_t npages, uint64_t db_size_pages, double *blocked_seconds,
                           lsq_error *err)
{
    lsq_apply_timing tm;
    lsq_status st = lsq_apply_pages_timed(path, vfs_name, pages, npages, db_size_pages, &tm, err);
    if (blocked_seconds)
        *blocked_seconds = tm.blocked;
    return st;
}

static lsq_status apply_pages(const char *path, const char *vfs_name, const lsq_page *pages,
                              size_t npages, uint64_t db_size_pages,
                              const uint32_t *expect_counter, int *moved,
                              lsq_apply_timing *timing, lsq_error *err);

lsq_status lsq_apply_pages_timed(const char *path, const char *vfs_name, const lsq_page *pages,
                                 size_t npages, uint64_t db_size_pages, lsq_apply_timing *timing,
                                 lsq_error *err)
{
    return apply_pages(path, vfs_name, pages, npages, db_size_pages, NULL, NULL, timing, err);
}

lsq_status lsq_apply_pages_if(const char *path, const char *vfs_name, const lsq_page *pages,
                              size_t npages, uint64_t db_size_pages,
                              const uint32_t *expect_counter, int *moved,
                              lsq_apply_timing *timing, lsq_error *err)
{
    if (moved)
        *moved = 0;
    if (expect_counter && !moved)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_apply_pages_if: no 'moved' flag");
    return apply_pages(path, vfs_name, pages, npages, db_size_pages, expect_counter, moved,
                       timing, err);
}

static lsq_status apply_pages(const char *path, const char *vfs_name, const lsq_page *pages,
                              size_t npages, uint64_t db_size_pages,
                              const uint32_t *expect_counter, int *moved,
                              lsq_apply_timing *timing, lsq_error *err)
{
    lsq_apply_timing local;
    lsq_apply_timing *tm = timing ? timing : &local;
    memset(tm, 0, sizeof *tm);
    if (!path || (npages && !pages))
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_apply_pages: invalid argument");
    lsq_status st = check_pages(pages, npages, db_size_pages, err);
    if (st != LSQ_OK)
        return st;
    if (db_size_pages == 0)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "the primary reported an empty database");
    sqlite3_vfs *vfs = find_vfs(vfs_name, err);
    if (!vfs)
        return LSQ_ERR_MISC;

    /* An absent or empty file has nothing to roll back to (SQLite ignores a
     * journal next to an empty database): build it beside and rename. */
    struct stat sb;
    if (stat(path, &sb) != 0 || sb.st_size == 0)
        return bootstrap_file(path, vfs_name, pages, npages, db_size_pages, err);

    apply_plan plan;
    st = plan_build(&plan, pages, npages, vfs_takes_runs(vfs), err);
    if (st != LSQ_OK)
        return st;
    int has_page1 = npages > 0 && pages[0].pgno == 1;
    char *jpath = path_with_suffix(path, "-journal");
    char *applied = path_with_suffix(path, "-journal-applied");
    if (!jpath || !applied) {
        free(jpath);
        free(applied);
        plan_free(&plan);
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    }

    sqlite3 *conn = NULL;
    int rc = sqlite3_open_v2(path, &conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, vfs_name);
    if (rc != SQLITE_OK) {
        st = lsq_fail(err, LSQ_ERR_CANTOPEN, rc, "cannot open replica file '%s': %s", path,
                      conn ? sqlite3_errmsg(conn) : sqlite3_errstr(rc));
        sqlite3_close(conn);
        goto out;
    }
    sqlite3_extended_result_codes(conn, 1);
    sqlite3_busy_timeout(conn, 10000);

    double t0 = 0;
    /* BEGIN IMMEDIATE keeps other writers out; the schema read makes sure the
     * lock is really taken (and rolls back any hot journal a crash left). */
    rc = sqlite3_exec(conn, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(conn, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        st = lsq_fail_sqlite(err, conn, rc);
        lsq_fail(err, st, sqlite3_extended_errcode(conn),
                 "cannot lock replica file '%s' to apply pulled pages: %s", path,
                 sqlite3_errmsg(conn));
        sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(conn);
        goto out;
    }
    sqlite3_file *dbfile = NULL;
    rc = sqlite3_file_control(conn, "main", SQLITE_FCNTL_FILE_POINTER, &dbfile);
    if (rc != SQLITE_OK || !dbfile || !dbfile->pMethods) {
        st = lsq_fail(err, LSQ_ERR_MISC, rc, "cannot reach the file of '%s'", path);
    } else {
        st = apply_locked(path, vfs, dbfile, &plan, has_page1, db_size_pages, jpath, applied,
                          expect_counter, moved, &t0, tm, err);
    }
    /* Nothing was changed through SQLite, so COMMIT only drops the lock. A
     * failed apply also just unlocks: any journal left is rolled back by
     * the next connection that reads. */
    sqlite3_exec(conn, "COMMIT", NULL, NULL, NULL);
    double t1 = now_seconds();
    if (t0 > 0)
        tm->blocked = t1 - t0;
    sqlite3_close(conn);
    if (st == LSQ_OK) {
        /* The retired journal goes (its blocks freed outside the lock), and
         * one directory sync makes both the rename and the unlink durable. */
        vfs->xDelete(vfs, applied, 0);
        lsq_fsync_parent_dir(path);
        tm->cleanup = now_seconds() - t1;
    }
out:
    free(jpath);
    free(applied);
    plan_free(&plan);
    return st;
}
