/*
 * primary_check.h — is the primary still the database this replica was
 * made from? A primary can be restarted (same file: harmless) or replaced
 * by a different database at the same URL (a restore, a new volume, a
 * mistake). Pulling page updates from a different database's history would
 * silently mix its pages into the local file, so before a replica follows
 * a primary it has lost sight of (first sync of the process, first sync
 * after a failed one) it asks for the pages of the last few revisions it
 * holds, AS OF the revision it holds, and compares them with its own.
 * docs/replication.md ("The primary restarts or is replaced") has the
 * user's view.
 */
#ifndef LSQ_PRIMARY_CHECK_H
#define LSQ_PRIMARY_CHECK_H

#include "lsq.h"
#include "remote.h"

/* How many of the newest revisions the replica holds are compared. */
#define LSQ_PRIMARY_CHECK_FRAMES 8

/*
 * Compare the local file at path (read through VFS vfs_name under a SHARED
 * lock) with the primary's pages changed in the last frames up to
 * the revision the sidecar records (read here, under the caller's file
 * lock), as the primary serves them for that revision.
 * LSQ_OK: the same database (or nothing to compare: a non-numeric revision,
 * revision 0, a file one apply ahead of its sidecar after a crash, a server
 * that ignores server_revision and answers its newest revision).
 * LSQ_ERR_PROTOCOL with a message saying what happened and what to do:
 * a different database. Any other status: the primary could not be asked
 * (the caller tries again at its next sync).
 */
lsq_status lsq_primary_check(lsq_remote *pull, const char *path, const char *vfs_name,
                             lsq_error *err);

#endif
