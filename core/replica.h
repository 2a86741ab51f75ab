/*
 * replica.h — the embedded replica: one object per local file per process,
 * shared by every connection that names that file (registry keyed by the
 * file's real path), with its sidecar metadata, its sync lock and its
 * background sync thread. Syncs pull from the primary (remote.h) and apply
 * pages atomically (page_apply.h).
 */
#ifndef LSQ_REPLICA_H
#define LSQ_REPLICA_H

#include <time.h>

#include "lsq.h"
#include "remote.h"

typedef struct lsq_replica lsq_replica;

typedef struct lsq_replica_state {
    char revision[128];         /* server revision the file holds ("" = none) */
    uint64_t db_size_pages;
    time_t last_sync_ok;        /* 0 = never */
    time_t last_sync_attempt;
    char last_error[512];       /* "" when the last sync succeeded */
    uint64_t syncs_ok, syncs_failed, pages_applied;
    uint64_t bytes_pulled;      /* response bytes of every successful pull (bootstrap too) */
} lsq_replica_state;

typedef struct lsq_sync_stats {
    size_t pages;               /* pages applied by this sync */
    size_t bytes;               /* response bytes */
    double seconds;
    double apply_seconds;       /* time readers were blocked (exclusive lock) */
    int changed;                /* revision moved */
} lsq_sync_stats;

/* Get (creating and bootstrapping if needed) the replica for cfg->database.
 * Refcounted: each call must be matched by lsq_replica_release. */
lsq_status lsq_replica_acquire(const lsq_config *cfg, lsq_replica **out, lsq_error *err);
void lsq_replica_release(lsq_replica *r);

/* Pull once and apply. Serialised per replica. */
lsq_status lsq_replica_sync(lsq_replica *r, lsq_sync_stats *stats, lsq_error *err);
/* As lsq_replica_sync, with the pull's download progress reported to fn
 * (NULL = none); set on the sync remote under the sync lock for this sync
 * only, so ctx need outlive only this call. */
lsq_status lsq_replica_sync_progress(lsq_replica *r, lsq_progress_fn fn, void *ctx,
                                     lsq_sync_stats *stats, lsq_error *err);
void lsq_replica_get_state(lsq_replica *r, lsq_replica_state *out);
const char *lsq_replica_path(const lsq_replica *r);
/* The SyncInterval (seconds) the replica's background thread runs with. */
int lsq_replica_sync_interval(lsq_replica *r);
/* The replica's connection for SQL (Hrana). One caller at a time: prefer
 * lsq_replica_pipeline, which serialises callers. Syncs use their own. */
lsq_remote *lsq_replica_remote(lsq_replica *r);

/* As lsq_replica_acquire; when the replica opens but its sync failed because
 * the primary is unreachable (the local copy is then served as it is), the
 * reason is written to warning (cap bytes, "" when none; may be NULL). */
lsq_status lsq_replica_acquire_w(const lsq_config *cfg, lsq_replica **out, char *warning,
                                 size_t warning_cap, lsq_error *err);

/* lsq_remote_pipeline on the replica's SQL connection, serialised across the
 * connections sharing the replica. */
lsq_status lsq_replica_pipeline(lsq_replica *r, const char *json_body, char **response,
                                lsq_error *err);
/* As lsq_replica_pipeline with a per-call bound (0 = the default). */
lsq_status lsq_replica_pipeline_timeout(lsq_replica *r, const char *json_body, long timeout_ms,
                                        char **response, lsq_error *err);

/* 1 when the replica refuses its primary (a different database than the
 * file was made from, primary_check.h); why (cap bytes, may be NULL) gets
 * the message. Writes are then refused before anything is sent. */
int lsq_replica_refused(lsq_replica *r, char *why, size_t cap);

/* Check and apply the answer of a pull from old_rev (the file then held
 * old_size pages): history going backwards is refused, the primary is
 * checked when due (primary_check.h), pages applied (only while page 1's
 * change counter is *expect_counter, when given; else *moved = 1 and
 * nothing changes), then the sidecar and the state record the new
 * revision. Caller holds the sync lock. tm gets the apply's breakdown.
 * (Used by replica.c's sync and by offline mode for a file without local
 * changes.) */
struct lsq_apply_timing;
lsq_status lsq_replica_apply_pulled(lsq_replica *r, const char *old_rev, uint64_t old_size,
                                    const lsq_pull_result *res, const uint32_t *expect_counter,
                                    int *moved, struct lsq_apply_timing *tm,
                                    lsq_sync_stats *stats, lsq_error *err);

#endif
