/*
 * page_apply.h — applying a set of pulled pages to the replica file as one
 * atomic, crash-safe step using SQLite's own rollback journal (DESIGN.md,
 * "Applying pulled pages atomically").
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

/*
 * Apply pages (1-based pgno, 4096 bytes each) and the new size in pages to
 * the database file at path, through VFS vfs_name (NULL = default; the
 * encryption shim when a key is set). Page 1 is fixed up as DESIGN.md says
 * (rollback-journal mode bytes 18-19 = 1, change counter = old + 1, copied to
 * version-valid-for, in-header size = db_size_pages). Readers in this and
 * other processes see the old or the new state, never a mix.
 * *blocked_seconds (may be NULL) gets how long the exclusive lock was held.
 */
lsq_status lsq_apply_pages(const char *path, const char *vfs_name, const lsq_page *pages,
                           size_t npages, uint64_t db_size_pages, double *blocked_seconds,
                           lsq_error *err);

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
                              double *blocked_seconds, lsq_error *err);

#endif
