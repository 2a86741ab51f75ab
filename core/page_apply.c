/*
 * page_apply.c — makes a set of pulled pages visible in the replica file as
 * one atomic, crash-safe step, using SQLite's own rollback journal
 * (DESIGN.md, "Applying pulled pages atomically").
 *
 * Why it works: a dedicated connection takes BEGIN IMMEDIATE (SQLite's
 * RESERVED lock: no other writer, readers carry on). While it is held we
 * write, through the same VFS SQLite uses, a journal in SQLite's documented
 * format holding the current images of the pages about to change, and sync
 * it; readers ignore that journal because a RESERVED lock is held. Only then
 * is the lock raised to EXCLUSIVE (every reader, in this process or another,
 * including a plain sqlite3 shell, has finished; new ones wait in their busy
 * handler) to overwrite the pages, sync, and delete the journal — so readers
 * wait for the page writes and one fsync, never for the journal's. A crash
 * at any instant before the delete leaves a hot journal that SQLite itself
 * rolls back at the next open; after the delete the new state is complete.
 * Nothing is changed through SQLite, so the final COMMIT writes nothing. The
 * file change counter on page 1 is bumped, which is what makes every other
 * connection drop its page cache.
 *
 * Locks are held only for file I/O: every buffer is allocated before
 * BEGIN IMMEDIATE.
 */
#include "page_apply.h"

#include <errno.h>
#include <fcntl.h>
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

/* The unix VFS accepts at most 128 KiB per xWrite (it masks the length), so
 * large buffers go in chunks. */
static int write_all(sqlite3_file *f, const unsigned char *buf, size_t len, sqlite3_int64 off)
{
    int rc = SQLITE_OK;
    while (len > 0 && rc == SQLITE_OK) {
        size_t n = len > 65536 ? 65536 : len;
        rc = f->pMethods->xWrite(f, buf, (int)n, off);
        buf += n;
        off += (sqlite3_int64)n;
        len -= n;
    }
    return rc;
}

/* The journal as SQLite itself writes it: the header sector, then each
 * record as three calls (pgno, page image, checksum) at consecutive offsets.
 * The encryption shim (crypto_vfs.c) relies on that shape to know which
 * bytes are a page image and which page it is. */
static int write_journal(sqlite3_file *jf, const unsigned char *journal, size_t nrec)
{
    int rc = write_all(jf, journal, JOURNAL_SECTOR, 0);
    for (size_t i = 0; i < nrec && rc == SQLITE_OK; i++) {
        const unsigned char *rec = journal + JOURNAL_SECTOR + i * JOURNAL_RECORD;
        sqlite3_int64 off = (sqlite3_int64)(JOURNAL_SECTOR + i * JOURNAL_RECORD);
        rc = jf->pMethods->xWrite(jf, rec, 4, off);
        if (rc == SQLITE_OK)
            rc = jf->pMethods->xWrite(jf, rec + 4, PAGE_SIZE, off + 4);
        if (rc == SQLITE_OK)
            rc = jf->pMethods->xWrite(jf, rec + 4 + PAGE_SIZE, 4, off + 4 + PAGE_SIZE);
    }
    return rc;
}

static int fsync_dir_of(const char *path)
{
    char *dir = strdup(path);
    if (!dir)
        return -1;
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        dir[1] = 0;
    else if (slash)
        *slash = 0;
    else
        strcpy(dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    free(dir);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* ---- bootstrap: the file does not exist yet ---- */

/* Write every page into "<path>.bootstrap" through the VFS, sync, and rename
 * it into place: either the whole first revision exists or nothing does. */
static lsq_status bootstrap_file(const char *path, sqlite3_vfs *vfs, const lsq_page *pages,
                                 size_t npages, uint64_t db_size_pages, lsq_error *err)
{
    if (npages == 0 || pages[0].pgno != 1)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                        "bootstrap pull did not contain page 1 of the database");
    size_t tlen = strlen(path) + sizeof ".bootstrap";
    char *tmp = malloc(tlen);
    unsigned char *page1 = malloc(PAGE_SIZE);
    if (!tmp || !page1) {
        free(tmp);
        free(page1);
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    }
    snprintf(tmp, tlen, "%s.bootstrap", path);
    unlink(tmp);
    memcpy(page1, pages[0].data, PAGE_SIZE);
    fix_page_one(page1, 1, db_size_pages);

    lsq_status st = LSQ_OK;
    sqlite3_file *f = NULL;
    int rc = open_vfs_file(vfs, tmp,
                           SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &f);
    if (rc != SQLITE_OK) {
        st = lsq_fail(err, LSQ_ERR_CANTOPEN, rc, "cannot create replica file '%s': %s", tmp,
                      sqlite3_errstr(rc));
        goto done;
    }
    for (size_t i = 0; i < npages && rc == SQLITE_OK; i++) {
        const unsigned char *data = i == 0 ? page1 : pages[i].data;
        rc = f->pMethods->xWrite(f, data, PAGE_SIZE, (sqlite3_int64)(pages[i].pgno - 1) * PAGE_SIZE);
    }
    if (rc == SQLITE_OK)
        rc = f->pMethods->xTruncate(f, (sqlite3_int64)db_size_pages * PAGE_SIZE);
    if (rc == SQLITE_OK)
        rc = f->pMethods->xSync(f, SQLITE_SYNC_NORMAL);
    close_vfs_file(f);
    if (rc != SQLITE_OK) {
        st = lsq_fail(err, LSQ_ERR_MISC, rc, "cannot write replica file '%s': %s", tmp,
                      sqlite3_errstr(rc));
        unlink(tmp);
        goto done;
    }
    chmod(tmp, 0600);
    if (rename(tmp, path) != 0) {
        st = lsq_fail(err, LSQ_ERR_MISC, errno, "cannot rename '%s' to '%s': %s", tmp, path,
                      strerror(errno));
        unlink(tmp);
        goto done;
    }
    fsync_dir_of(path);
done:
    free(tmp);
    free(page1);
    return st;
}

/* ---- incremental apply on an existing file ---- */

typedef struct apply_plan {
    /* The pages to write, in pgno order; page 1 always included (its own
     * copy, fixed up under the lock once the old change counter is known). */
    const unsigned char **data;
    uint32_t *pgno;
    size_t n;
    unsigned char *page1;
    /* The journal image: header sector then up to n records. */
    unsigned char *journal;
    size_t journal_cap;
} apply_plan;

static void plan_free(apply_plan *p)
{
    free(p->data);
    free(p->pgno);
    free(p->page1);
    free(p->journal);
}

static lsq_status plan_build(apply_plan *p, const lsq_page *pages, size_t npages,
                             lsq_error *err)
{
    memset(p, 0, sizeof *p);
    int has_page1 = npages > 0 && pages[0].pgno == 1;
    size_t n = npages + (has_page1 ? 0 : 1);
    p->data = calloc(n, sizeof *p->data);
    p->pgno = calloc(n, sizeof *p->pgno);
    p->page1 = malloc(PAGE_SIZE);
    p->journal_cap = JOURNAL_SECTOR + n * JOURNAL_RECORD;
    p->journal = calloc(1, p->journal_cap);
    if (!p->data || !p->pgno || !p->page1 || !p->journal) {
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

/* With the exclusive lock held: journal the old images, write the new ones,
 * delete the journal. db is the applier's own main-database file. */
/* Raise the applier's RESERVED lock to EXCLUSIVE, waiting (up to
 * timeout_ms) for readers to finish. The first attempt takes PENDING, which
 * keeps new readers out while the current ones drain. */
static int lock_exclusive(sqlite3_file *db, int timeout_ms)
{
    int rc;
    for (int waited = 0;; waited++) {
        rc = db->pMethods->xLock(db, SQLITE_LOCK_EXCLUSIVE);
        if (rc != SQLITE_BUSY || waited >= timeout_ms)
            return rc;
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
}

static lsq_status apply_locked(const char *path, sqlite3_vfs *vfs, sqlite3_file *db,
                               apply_plan *p, int has_page1, uint64_t db_size_pages,
                               const uint32_t *expect_counter, int *moved,
                               double *exclusive_since, lsq_error *err)
{
    sqlite3_int64 old_bytes = 0;
    int rc = db->pMethods->xFileSize(db, &old_bytes);
    if (rc != SQLITE_OK)
        return lsq_fail(err, LSQ_ERR_MISC, rc, "cannot stat replica file '%s'", path);
    uint32_t old_pages = (uint32_t)(old_bytes / PAGE_SIZE);

    /* Journal: the current image of every page that exists now and changes. */
    unsigned char *hdr = p->journal;
    uint32_t nonce;
    sqlite3_randomness(sizeof nonce, &nonce);
    size_t nrec = 0;
    unsigned char *rec = p->journal + JOURNAL_SECTOR;
    uint32_t old_counter = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (p->pgno[i] > old_pages)
            continue;
        unsigned char *img = rec + 4;
        rc = db->pMethods->xRead(db, img, PAGE_SIZE, (sqlite3_int64)(p->pgno[i] - 1) * PAGE_SIZE);
        if (rc != SQLITE_OK)
            return lsq_fail(err, LSQ_ERR_MISC, rc, "cannot read page %u of '%s'", p->pgno[i],
                            path);
        if (p->pgno[i] == 1) {
            old_counter = get_be32(img + 24);
            if (!has_page1)
                memcpy(p->page1, img, PAGE_SIZE);
        }
        put_be32(rec, p->pgno[i]);
        put_be32(rec + 4 + PAGE_SIZE, journal_checksum(nonce, img));
        rec += JOURNAL_RECORD;
        nrec++;
    }
    /* Another process applied a sync since the caller looked at the file:
     * the pages in hand were maybe pulled before that one's, and writing
     * them would put those pages (only) back in time. Write nothing. */
    if (expect_counter && old_counter != *expect_counter) {
        *moved = 1;
        return LSQ_OK;
    }
    fix_page_one(p->page1, old_counter + 1, db_size_pages);

    /* The record count is right before the first database byte is written,
     * so a crash anywhere after the sync below rolls back completely. */
    memcpy(hdr, journal_magic, sizeof journal_magic);
    put_be32(hdr + 8, (uint32_t)nrec);
    put_be32(hdr + 12, nonce);
    put_be32(hdr + 16, old_pages);
    put_be32(hdr + 20, JOURNAL_SECTOR);
    put_be32(hdr + 24, PAGE_SIZE);

    size_t jlen = strlen(path) + sizeof "-journal";
    char *jpath = malloc(jlen);
    if (!jpath)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    snprintf(jpath, jlen, "%s-journal", path);
    sqlite3_file *jf = NULL;
    rc = open_vfs_file(vfs, jpath,
                       SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &jf);
    if (rc != SQLITE_OK) {
        lsq_fail(err, LSQ_ERR_MISC, rc, "cannot create journal '%s': %s", jpath,
                 sqlite3_errstr(rc));
        free(jpath);
        return LSQ_ERR_MISC;
    }
    rc = write_journal(jf, p->journal, nrec);
    /* A journal opened with SQLITE_OPEN_MAIN_JOURNAL|CREATE also syncs its
     * directory on this first sync (unix VFS), so the file's existence is
     * durable before any database byte changes. */
    if (rc == SQLITE_OK)
        rc = jf->pMethods->xSync(jf, SQLITE_SYNC_NORMAL);
    close_vfs_file(jf);
    if (rc != SQLITE_OK) {
        lsq_fail(err, LSQ_ERR_MISC, rc, "cannot write journal '%s': %s", jpath,
                 sqlite3_errstr(rc));
        vfs->xDelete(vfs, jpath, 1);
        free(jpath);
        return LSQ_ERR_MISC;
    }
    lsq_crash_point("journal-written");

    *exclusive_since = now_seconds();
    rc = lock_exclusive(db, 10000);
    if (rc != SQLITE_OK) {
        /* Nothing was written to the database: the journal is not needed. */
        vfs->xDelete(vfs, jpath, 1);
        free(jpath);
        return lsq_fail(err, LSQ_ERR_BUSY, rc,
                        "readers of '%s' kept the file busy; pulled pages not applied", path);
    }

    /* The new pages. Any failure from here on leaves the journal in place:
     * the next open rolls the file back to the old revision. */
    size_t half = p->n / 2;
    for (size_t i = 0; i < p->n && rc == SQLITE_OK; i++) {
        if (i == half && p->n > 1 && crash_armed("pages-half-written")) {
            /* make the half-written state real on disk before dying */
            db->pMethods->xSync(db, SQLITE_SYNC_NORMAL);
            lsq_crash_point("pages-half-written");
        }
        rc = db->pMethods->xWrite(db, p->data[i], PAGE_SIZE,
                                  (sqlite3_int64)(p->pgno[i] - 1) * PAGE_SIZE);
    }
    if (rc == SQLITE_OK)
        rc = db->pMethods->xTruncate(db, (sqlite3_int64)db_size_pages * PAGE_SIZE);
    if (rc == SQLITE_OK)
        rc = db->pMethods->xSync(db, SQLITE_SYNC_NORMAL);
    if (rc != SQLITE_OK) {
        lsq_fail(err, LSQ_ERR_MISC, rc,
                 "writing pulled pages to '%s' failed (%s); the journal left behind restores "
                 "the previous revision at the next open", path, sqlite3_errstr(rc));
        free(jpath);
        return LSQ_ERR_MISC;
    }
    lsq_crash_point("pages-written");

    /* Unlinking the journal commits the apply. Its directory entry is made
     * durable by the caller after the lock is released (fsync_dir_of), so
     * readers do not wait for that fsync; until then a power cut could
     * only bring the journal back, i.e. the old revision, and the new
     * revision is recorded in the metadata only after the directory sync. */
    rc = vfs->xDelete(vfs, jpath, 0);
    free(jpath);
    if (rc != SQLITE_OK)
        return lsq_fail(err, LSQ_ERR_MISC, rc, "cannot delete the journal of '%s': %s", path,
                        sqlite3_errstr(rc));
    lsq_crash_point("journal-deleted");
    return LSQ_OK;
}

lsq_status lsq_apply_pages(const char *path, const char *vfs_name, const lsq_page *pages,
                           size_t npages, uint64_t db_size_pages, double *blocked_seconds,
                           lsq_error *err)
{
    return lsq_apply_pages_if(path, vfs_name, pages, npages, db_size_pages, NULL, NULL,
                              blocked_seconds, err);
}

lsq_status lsq_apply_pages_if(const char *path, const char *vfs_name, const lsq_page *pages,
                              size_t npages, uint64_t db_size_pages,
                              const uint32_t *expect_counter, int *moved,
                              double *blocked_seconds, lsq_error *err)
{
    if (moved)
        *moved = 0;
    if (expect_counter && !moved)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_apply_pages_if: no 'moved' flag");
    if (blocked_seconds)
        *blocked_seconds = 0;
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
        return bootstrap_file(path, vfs, pages, npages, db_size_pages, err);

    apply_plan plan;
    st = plan_build(&plan, pages, npages, err);
    if (st != LSQ_OK)
        return st;
    int has_page1 = npages > 0 && pages[0].pgno == 1;

    sqlite3 *conn = NULL;
    int rc = sqlite3_open_v2(path, &conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, vfs_name);
    if (rc != SQLITE_OK) {
        st = lsq_fail(err, LSQ_ERR_CANTOPEN, rc, "cannot open replica file '%s': %s", path,
                      conn ? sqlite3_errmsg(conn) : sqlite3_errstr(rc));
        sqlite3_close(conn);
        plan_free(&plan);
        return st;
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
        plan_free(&plan);
        return st;
    }
    sqlite3_file *dbfile = NULL;
    rc = sqlite3_file_control(conn, "main", SQLITE_FCNTL_FILE_POINTER, &dbfile);
    if (rc != SQLITE_OK || !dbfile || !dbfile->pMethods) {
        st = lsq_fail(err, LSQ_ERR_MISC, rc, "cannot reach the file of '%s'", path);
    } else {
        st = apply_locked(path, vfs, dbfile, &plan, has_page1, db_size_pages, expect_counter,
                          moved, &t0, err);
    }
    /* Nothing was changed through SQLite, so COMMIT only drops the lock. A
     * failed apply also just unlocks: any journal left is rolled back by
     * the next connection that reads. */
    sqlite3_exec(conn, "COMMIT", NULL, NULL, NULL);
    double t1 = now_seconds();
    if (st == LSQ_OK)
        fsync_dir_of(path);
    sqlite3_close(conn);
    plan_free(&plan);
    if (blocked_seconds && t0 > 0)
        *blocked_seconds = t1 - t0;
    return st;
}
