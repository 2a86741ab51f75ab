/*
 * sync_status.h — what an operator tool needs to know about a replica's
 * syncs after the process that did them has gone (core/sync_status.c):
 * the time of the last successful sync and the last failure.
 *
 * Kept on disk, beside the replica, cheaply:
 *   - last success = the mtime of the sidecar "<db>-libsql-meta", touched
 *     (utimensat) after every successful sync, even one that changed nothing;
 *   - last failure = "<db>-libsql-lasterror" (mode 0600: "<epoch>\n<message>"),
 *     written when a sync fails and removed by the next success.
 * Messages are lsq_error texts, which never contain secrets.
 */
#ifndef LSQ_SYNC_STATUS_H
#define LSQ_SYNC_STATUS_H

#include <stddef.h>
#include <time.h>

/* Record a successful sync of the replica at db_path (real path). */
void lsq_sync_status_ok(const char *db_path);
/* Record a failed sync and why. */
void lsq_sync_status_failed(const char *db_path, const char *message);

/* Read both back. *last_ok = 0 when no sidecar exists; *last_fail = 0 and
 * message "" when the last sync did not fail. */
void lsq_sync_status_read(const char *db_path, time_t *last_ok, time_t *last_fail,
                          char *message, size_t cap);

#endif
