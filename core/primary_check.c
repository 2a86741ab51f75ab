/*
 * primary_check.c — checks that the primary still serves the database the
 * replica holds (primary_check.h says when and why).
 *
 * tursodb 0.6.0 serves /pull-updates with a server_revision: asked for
 * client_revision N-k and server_revision N, it returns the pages changed
 * in revisions N-k+1..N as they were at N (one WAL frame per revision).
 * Those are exactly the replica's own pages if the primary is the database
 * the replica was pulled from; a different database's frames N-k+1..N hold
 * other pages. Asked for a server_revision beyond its newest it answers
 * HTTP 500, so the caller checks "revision went backwards" first.
 */
#include "primary_check.h"
#include "log.h"
#include "replica_meta.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096

/* Bytes of page 1 the applier rewrites (page_apply.c fix_page_one): the
 * read/write versions (WAL on the primary, rollback journal here), the
 * change counter, the in-header size, version-valid-for. */
static int page1_masked(size_t i)
{
    return i == 18 || i == 19 || (i >= 24 && i < 32) || (i >= 92 && i < 96);
}

static int same_page(uint32_t pgno, const unsigned char *a, const unsigned char *b)
{
    if (pgno != 1)
        return memcmp(a, b, PAGE) == 0;
    for (size_t i = 0; i < PAGE; i++)
        if (a[i] != b[i] && !page1_masked(i))
            return 0;
    return 1;
}

/* Read the local pages listed in res through the VFS under a SHARED lock.
 * *differs = the first page that differs (or lies beyond the file), 0 none. */
static lsq_status compare_local(const char *path, const char *vfs_name,
                                const lsq_pull_result *res, uint32_t *differs, lsq_error *err)
{
    *differs = 0;
    sqlite3_vfs *vfs = sqlite3_vfs_find(vfs_name);
    if (!vfs)
        return lsq_fail(err, LSQ_ERR_MISC, 0, "SQLite VFS '%s' is not registered",
                        vfs_name ? vfs_name : "(default)");
    sqlite3_file *f = calloc(1, (size_t)vfs->szOsFile);
    unsigned char *buf = malloc(PAGE);
    if (!f || !buf) {
        free(f);
        free(buf);
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    }
    int flags = 0;
    int rc = vfs->xOpen(vfs, path, f, SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_READONLY, &flags);
    int locked = 0;
    if (rc == SQLITE_OK) {
        rc = f->pMethods->xLock(f, SQLITE_LOCK_SHARED);
        locked = rc == SQLITE_OK;
    }
    sqlite3_int64 size = 0;
    if (rc == SQLITE_OK)
        rc = f->pMethods->xFileSize(f, &size);
    for (size_t i = 0; rc == SQLITE_OK && i < res->npages; i++) {
        uint32_t pgno = res->pages[i].pgno;
        if ((sqlite3_int64)pgno * PAGE > size) {
            *differs = pgno;
            break;
        }
        rc = f->pMethods->xRead(f, buf, PAGE, (sqlite3_int64)(pgno - 1) * PAGE);
        if (rc == SQLITE_OK && !same_page(pgno, buf, res->pages[i].data)) {
            *differs = pgno;
            break;
        }
    }
    if (locked)
        f->pMethods->xUnlock(f, SQLITE_LOCK_NONE);
    if (f->pMethods)
        f->pMethods->xClose(f);
    free(f);
    free(buf);
    if (rc != SQLITE_OK)
        return lsq_fail(err, (rc & 0xff) == SQLITE_BUSY ? LSQ_ERR_BUSY : LSQ_ERR_CANTOPEN, rc,
                        "cannot read replica file '%s' to compare it with the primary: %s",
                        path, sqlite3_errstr(rc));
    return LSQ_OK;
}

lsq_status lsq_primary_check(lsq_remote *pull, const char *path, const char *vfs_name,
                             lsq_error *err)
{
    /* The sidecar says which revision the file holds: under the replica's
     * file lock it describes the file even when another process synced it
     * after this one last looked (its in-memory revision is then older).
     * A file one apply ahead of its sidecar (a crash between the two), or
     * adopted in that state at open (may_be_ahead), holds pages newer than
     * the sidecar's revision: the sync re-pulls them; no verdict. */
    lsq_replica_meta m;
    int found = 0;
    uint32_t counter = 0;
    uint64_t fsize = 0;
    lsq_status st = lsq_meta_load(path, &m, &found, err);
    if (st == LSQ_OK && found)
        st = lsq_meta_file_identity(path, vfs_name, &counter, &fsize, err);
    if (st != LSQ_OK)
        return st;
    if (!found || counter != m.change_counter || m.may_be_ahead)
        return LSQ_OK;
    const char *revision = m.revision;
    char *end = NULL;
    errno = 0;
    unsigned long long n = *revision ? strtoull(revision, &end, 10) : 0;
    if (!*revision || errno || *end || n == 0)
        return LSQ_OK; /* nothing this scheme can compare */

    unsigned long long from = n > LSQ_PRIMARY_CHECK_FRAMES ? n - LSQ_PRIMARY_CHECK_FRAMES : 0;
    char from_rev[32];
    snprintf(from_rev, sizeof from_rev, "%llu", from);
    lsq_pull_result res;
    st = lsq_remote_pull_at(pull, revision, from ? from_rev : NULL, 0, &res, err);
    if (st != LSQ_OK)
        return st;
    uint32_t differs = 0;
    /* A server that ignores server_revision answers its newest state: then
     * there is nothing this scheme can compare (no verdict), as with no
     * pages at all. */
    if (strcmp(res.server_revision, revision) == 0 && res.npages > 0)
        st = compare_local(path, vfs_name, &res, &differs, err);
    else
        LSQ_LOG(LSQ_LOG_INFO, "sync",
                "cannot check that the primary is still the database of '%s': asked for "
                "revision %s, it answered revision '%s' with %zu pages", path, revision,
                res.server_revision, res.npages);
    if (st == LSQ_OK && differs) {
        char why[64 + sizeof m.revision];
        snprintf(why, sizeof why, "its page %u at revision %s differs from the replica's",
                 differs, revision);
        st = lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                      "the primary at SyncUrl is no longer the database the replica '%s' was "
                      "made from: %s. It was replaced by a different database (or restored "
                      "from a backup). The replica keeps its old content and will not sync "
                      "from it, and writes are refused; if the new database is the right one, "
                      "delete '%s' and its -libsql-meta file to bootstrap a new replica",
                      path, why, path);
    }
    lsq_pull_result_free(&res);
    return st;
}
