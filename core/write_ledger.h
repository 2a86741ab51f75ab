/*
 * write_ledger.h — exactly-once writes on the primary.
 *
 * A write whose answer is lost (the connection drops after the request was
 * sent, the process dies before it records the answer) has an unknown
 * outcome. To settle it, every batch that changes the primary also inserts
 * one row into a small ledger table on the primary, in the same transaction:
 *
 *   _libsql_odbc_writes(id TEXT PRIMARY KEY, changes INTEGER, at INTEGER)
 *
 * id = "<client id>:<sequence>", unique per write. Afterwards:
 *  - the row exists   -> the write committed exactly once;
 *  - the row is absent (asked after the primary answered again) -> it did
 *    not commit, and may be sent again under the same id;
 *  - sending the same id twice fails the ledger insert (UNIQUE), so the
 *    batch's other steps, conditioned on it, are skipped: never applied twice.
 *
 * Users see the table in the replica (it is a real table on the primary);
 * the driver's catalog functions hide names starting "_libsql_odbc_".
 * Offline mode (issue 8) uses the same ledger for its pushes, with the
 * replica's persistent client id and the pending transaction's sequence.
 */
#ifndef LSQ_WRITE_LEDGER_H
#define LSQ_WRITE_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "lsq.h"

#define LSQ_LEDGER_TABLE "_libsql_odbc_writes"
#define LSQ_LEDGER_PREFIX "_libsql_odbc_"

/* Creates the ledger when missing; harmless to run again (a batch step
 * before BEGIN, or once per replica). */
#define LSQ_LEDGER_CREATE_SQL                                                   \
    "CREATE TABLE IF NOT EXISTS " LSQ_LEDGER_TABLE                              \
    " (id TEXT PRIMARY KEY, changes INTEGER, at INTEGER)"

/* The batch step that records a write: one argument, the id (TEXT). Put it
 * AFTER the write's own statements inside BEGIN..COMMIT so changes() is the
 * last statement's count (informational only), and condition COMMIT on it. */
#define LSQ_LEDGER_RECORD_SQL                                                   \
    "INSERT INTO " LSQ_LEDGER_TABLE " (id, changes, at) VALUES (?, changes(), "  \
    "CAST(strftime('%s','now') AS INTEGER))"

/* Ask whether a write committed: one argument (the id); one row = yes. */
#define LSQ_LEDGER_LOOKUP_SQL "SELECT changes FROM " LSQ_LEDGER_TABLE " WHERE id = ?"

#define LSQ_CLIENT_ID_LEN 32   /* hex digits of a random 128-bit client id */

/* A fresh random client id (OpenSSL RAND_bytes), NUL-terminated. */
lsq_status lsq_ledger_new_client_id(char out[LSQ_CLIENT_ID_LEN + 1], lsq_error *err);

/* "<client_id>:<seq>" into out (cap bytes); returns out. */
char *lsq_ledger_write_id(const char *client_id, uint64_t seq, char *out, size_t cap);

/* 1 when name (a table name) is one of the driver's own tables on the
 * primary, which catalog functions do not list. */
int lsq_ledger_is_internal_table(const char *name);

/* ---- settling a write whose answer was lost (write_ledger.c) ----------- */

/* The claim that settles a write: inserts the same id marked cancelled
 * (changes = -1). If it succeeds, the original batch can never commit any
 * more (its own ledger insert would hit UNIQUE and roll it back); if it hits
 * UNIQUE, the original committed (or an earlier claim did: changes = -1). */
#define LSQ_LEDGER_CLAIM_SQL                                                    \
    "INSERT INTO " LSQ_LEDGER_TABLE " (id, changes, at) VALUES (?, -1, "        \
    "CAST(strftime('%s','now') AS INTEGER))"

typedef enum lsq_ledger_outcome {
    LSQ_LEDGER_NOT_APPLIED = 0, /* settled: the write did not and never will commit */
    LSQ_LEDGER_COMMITTED,       /* the write committed, exactly once */
    LSQ_LEDGER_UNKNOWN          /* the primary could not be asked in time */
} lsq_ledger_outcome;

/* Did a failed lsq_hrana_batch (its status st, error err and `sent`) leave
 * the write's outcome unknown? 0 when the request provably never reached
 * the primary (sent = 0), or the primary (or a proxy) answered with a
 * definite refusal (HTTP 4xx: authentication, unknown endpoint), or the
 * failure happened before anything was sent (misuse); 1 otherwise (reset,
 * timeout, 5xx, a truncated or garbled answer, ...). */
int lsq_ledger_outcome_ambiguous(lsq_status st, int sent, const lsq_error *err);

/* Settle write `write_id` on the primary behind replica r by claiming its
 * id (LSQ_LEDGER_CLAIM_SQL, one round trip per attempt, which also reads
 * the id's row back so a claim whose own answer was lost is idempotent).
 * Attempts are retried with backoff (100 ms doubling, at most 2 s apart)
 * until budget_ms has passed (0 = the replica's request timeout); each
 * attempt is bounded by what is left of the budget. Returns LSQ_OK and sets
 * *outcome; *changes (may be NULL) gets the committed write's recorded
 * changes (-1 when not committed); *attempts (may be NULL) the number of
 * claims sent. With LSQ_LEDGER_UNKNOWN, err holds the last failure. */
struct lsq_replica;
lsq_status lsq_ledger_settle(struct lsq_replica *r, const char *write_id, long budget_ms,
                             lsq_ledger_outcome *outcome, int64_t *changes, int *attempts,
                             lsq_error *err);

#endif
