/*
 * write_once.h — exactly-once writes from a replica connection to the
 * primary (the driver's side of core/write_ledger.h).
 *
 * Every batch that writes the primary (an autocommit write, a parameter
 * array, a manual transaction's commit) carries its own id,
 * "<connection's client id>:<sequence>", and records it in the primary's
 * ledger table inside the same BEGIN..COMMIT, with COMMIT conditioned on
 * that insert. When the answer is lost after the request was sent, the
 * outcome is settled by claiming the id (lsq_ledger_settle): the write is
 * then reported either as committed once (01000) or as not applied
 * (08S01 / HYT00), and only when the primary cannot be asked in time as
 * "outcome unknown" with the id to look up later. docs/writes.md has the
 * user's view.
 */
#ifndef WRITE_ONCE_H
#define WRITE_ONCE_H

#include "driver.h"
#include "../core/hrana.h"
#include "../core/write_ledger.h"

/* The id of one write, and the id as the ledger step's argument. */
typedef struct wo_write {
    char id[LSQ_CLIENT_ID_LEN + 24];
    lsq_value arg;
} wo_write;

/* Number of steps wo_tail appends (ledger insert, COMMIT, ROLLBACK); a
 * batch also starts with LSQ_LEDGER_CREATE_SQL, so a caller reserves
 * WO_EXTRA_STEPS + 1 slots beyond its own. */
#define WO_EXTRA_STEPS 3

/* Give the connection's next write its id (the client id is drawn on the
 * first write). Posts HY000 on d and returns SQL_ERROR when no random id
 * can be drawn; nothing is sent then. */
SQLRETURN wo_start(dbc *c, diag_list *d, wo_write *w);

/* Append the ledger insert (conditioned `ok` on step cond_ok_step), COMMIT
 * (conditioned on the ledger insert) and ROLLBACK (when COMMIT did not
 * succeed) at steps[*k]; *ledger_step and *commit_step get their indices. */
void wo_tail(lsq_hrana_step *steps, size_t *k, const wo_write *w, int cond_ok_step,
             size_t *ledger_step, size_t *commit_step);

typedef enum wo_outcome {
    WO_ANSWERED = 0,    /* the primary answered: judge the batch result */
    WO_NOT_APPLIED,     /* no answer, but certainly not applied */
    WO_COMMITTED,       /* no answer, but the ledger says it committed once */
    WO_UNKNOWN          /* no answer and the claim could not reach the primary */
} wo_outcome;

typedef struct wo_result {
    wo_outcome outcome;
    lsq_status status;  /* the send's failure (not WO_ANSWERED) */
    lsq_error err;      /* its message */
    int sent;           /* 0 = provably never reached the primary */
    int claims;         /* settling claims sent */
    int64_t changes;    /* WO_COMMITTED: the write's changes() as recorded, -1 unknown */
} wo_result;

/* Send the batch (again only when nothing reached the primary), and settle
 * a lost answer through the ledger within timeout_ms (0 = RequestTimeout).
 * `res` holds the primary's answer when out->outcome is WO_ANSWERED (free it
 * with lsq_hrana_batch_result_free in every case). */
void wo_send(dbc *c, const lsq_hrana_step *steps, size_t nsteps, long timeout_ms,
             const wo_write *w, lsq_hrana_batch_result *res, wo_result *out);

/* Post the diagnostic of an outcome other than WO_ANSWERED, about `what`
 * ("write", "parameter array", "transaction") at row `row`
 * (SQL_NO_ROW_NUMBER for the statement); `extra` (may be NULL) is added to
 * the message of WO_COMMITTED. Returns SQL_SUCCESS_WITH_INFO for
 * WO_COMMITTED, SQL_ERROR otherwise. */
SQLRETURN wo_post(diag_list *d, SQLLEN row, const wo_result *r, const wo_write *w,
                  const char *what, const char *extra);

#endif
