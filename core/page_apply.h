/*
 * page_apply.h — applying a set of pulled pages to the replica file as one
 * atomic, crash-safe step using SQLite's own rollback journal (DESIGN.md,
 * "Applying pulled pages atomically"), and writing a new replica file page
 * by page while its bootstrap answer is still downloading.
 */
#ifndef LSQ_PAGE_APPLY_H
#define LSQ_PAGE_APPLY_H

#include "lsq.h"
#include "remote.h"

/* Named steps where a test can make the process die (environment variable
 * LSQ_CRASH_AT=<name> calls _exit(99) there): "journal-written",
 * "pages-half-written", "pages-written", "journal-deleted", "before-meta"
 * (a sync), "pipeline-before-send", "pipeline-after-response" (a forwarded
 * write: core/replica.c's lsq_replica_pipeline*). */
void lsq_crash_point(const char *name);

/* Where one apply's time went, in seconds (logs and bench/bench_sync.sh). */
typedef struct lsq_apply_timing {
    double prepare;         /* old page images read and journaled (RESERVED lock) */
    double journal;         /* journal synced, its directory too (RESERVED) */
    double lock_wait;       /* raising the lock to EXCLUSIVE: readers draining */
    double page_write;      /* new pages written (EXCLUSIVE) */
    double db_sync;         /* database file synced (EXCLUSIVE) */
    double commit;          /* journal renamed out of the way = committed (EXCLUSIVE) */
    double blocked;         /* the whole EXCLUSIVE window, lock_wait to unlock */
    double cleanup;         /* after unlock: directory sync, old journal removed */
} lsq_apply_timing;

/*
 * Apply pages (1-based pgno, 4096 bytes each) and the new size in pages to
 * the database file at path, through VFS vfs_name (NULL = default; the
 * encryption shim when a key is set). Page 1 is fixed up as DESIGN.md says
 * (rollback-journal mode bytes 18-19 = 1, change counter = old + 1, copied to
 * version-valid-for, in-header size = db_size_pages). Readers in this and
 * other processes see the old or the new state, never a mix.
 * *blocked_seconds (may be NULL) gets how long the exclusive lock was held.
 * Pages whose data lie back to back in memory in pgno order (what
 * lsq_remote_pull produces) are written with one call per run.
 */
lsq_status lsq_apply_pages(const char *path, const char *vfs_name, const lsq_page *pages,
                           size_t npages, uint64_t db_size_pages, double *blocked_seconds,
                           lsq_error *err);
/* As lsq_apply_pages, filling *timing (may be NULL) with the breakdown. */
lsq_status lsq_apply_pages_timed(const char *path, const char *vfs_name, const lsq_page *pages,
                                 size_t npages, uint64_t db_size_pages, lsq_apply_timing *timing,
                                 lsq_error *err);

/*
 * A new database file written page by page as a bootstrap answer arrives
 * (lsq_remote_pull_stream feeds it). The file has no readers yet, so pages
 * go straight to it (runs of consecutive pages in one write where the VFS
 * allows); nothing of the answer is held in memory. The caller makes it
 * visible by renaming it into place after lsq_bootstrap_finish succeeds.
 *
 *   lsq_bootstrap_open     creates path through vfs_name (NULL = default),
 *                          replacing any leftover file of that name
 *   lsq_bootstrap_set_size the header's database size, before any page
 *   lsq_bootstrap_page     one page (1-based pgno <= size; page 1 is fixed
 *                          up as for an apply, change counter 1); a page
 *                          written twice keeps the last image (the pull
 *                          reader refuses such an answer at its end)
 *   lsq_bootstrap_finish   page 1 present, file sized and synced; closes and
 *                          frees the writer; on failure removes the file
 *   lsq_bootstrap_abort    closes, removes the file, frees (NULL is fine)
 * Exactly one of finish/abort must be called for every writer opened.
 */
typedef struct lsq_bootstrap lsq_bootstrap;
lsq_status lsq_bootstrap_open(const char *path, const char *vfs_name, lsq_bootstrap **out,
                              lsq_error *err);
lsq_status lsq_bootstrap_set_size(lsq_bootstrap *b, uint64_t db_size_pages, lsq_error *err);
lsq_status lsq_bootstrap_page(lsq_bootstrap *b, uint32_t pgno, const unsigned char *data,
                              lsq_error *err);
lsq_status lsq_bootstrap_finish(lsq_bootstrap *b, lsq_error *err);
void lsq_bootstrap_abort(lsq_bootstrap *b);

/*
 * As lsq_apply_pages, but only while page 1's change counter is still
 * *expect_counter once the file is locked (expect_counter NULL = always).
 * Otherwise nothing is written, LSQ_OK is returned and *moved is set:
 * another process applied a sync since the caller read the counter, and the
 * pages in hand may be older than the file (pulled before that process's),
 * so applying them would put some pages back in time — a torn file. The
 * caller pulls again. (Processes sharing a replica file each sync it.)
 */
lsq_status lsq_apply_pages_if(const char *path, const char *vfs_name, const lsq_page *pages,
                              size_t npages, uint64_t db_size_pages,
                              const uint32_t *expect_counter, int *moved,
                              lsq_apply_timing *timing, lsq_error *err);

#endif
