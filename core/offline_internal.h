/*
 * offline_internal.h — what the offline_*.c files share among themselves
 * (offline.h is what the rest of core/ and the driver use).
 */
#ifndef LSQ_OFFLINE_INTERNAL_H
#define LSQ_OFFLINE_INTERNAL_H

#include "offline.h"

/* Push every pending transaction in seq order on connection c (replica
 * file as main, the store attached). (offline_push.c) */
lsq_status lsq_offline_push_all(struct lsq_replica *r, sqlite3 *c, lsq_offline_push_stats *ps,
                                lsq_error *err);

/* Move pending transaction seq to conflicts with its SQL and reason; in a
 * transaction of its own, or inside the caller's (in_txn). (offline_push.c) */
lsq_status lsq_offline_record_conflict(sqlite3 *c, int64_t seq, double committed_at,
                                       const void *cs, int n, const char *sql,
                                       const char *reason, int in_txn, lsq_error *err);

/* One pending local transaction, copied out of the store (cs malloc'd: the
 * caller frees it). */
typedef struct lsq_pending_row {
    int64_t seq;
    double committed_at;
    void *cs;
    int n;
} lsq_pending_row;

/* The next pending transaction after seq `after`; *found = 0 when none.
 * Copied out so no read lock on the store is held across a round trip.
 * (offline_push.c) */
lsq_status lsq_offline_next_pending(sqlite3 *c, int64_t after, lsq_pending_row *row,
                                    int *found, lsq_error *err);

#endif
