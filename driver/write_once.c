/*
 * write_once.c — exactly-once writes to the primary: write ids, the ledger
 * steps every writing batch ends with, sending with settle-on-lost-answer,
 * and the diagnostics of each outcome (write_once.h says why).
 */
#include "write_once.h"
#include "internal.h"
#include "replica_hooks.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Guards every connection's client id and sequence: two statements of one
 * connection may run on two threads (each takes only its own handle lock). */
static pthread_mutex_t id_mu = PTHREAD_MUTEX_INITIALIZER;

SQLRETURN wo_start(dbc *c, diag_list *d, wo_write *w)
{
    memset(w, 0, sizeof *w);
    pthread_mutex_lock(&id_mu);
    if (!c->write_client_id[0]) {
        lsq_error err;
        if (lsq_ledger_new_client_id(c->write_client_id, &err) != LSQ_OK) {
            c->write_client_id[0] = '\0';
            pthread_mutex_unlock(&id_mu);
            return diag_post(d, "HY000", 0, "%s; the write was not sent", err.message);
        }
    }
    unsigned long long seq = ++c->write_seq;
    lsq_ledger_write_id(c->write_client_id, seq, w->id, sizeof w->id);
    pthread_mutex_unlock(&id_mu);
    w->arg.type = SQLITE_TEXT;
    w->arg.p = w->id;
    w->arg.n = strlen(w->id);
    return SQL_SUCCESS;
}

void wo_tail(lsq_hrana_step *steps, size_t *k, const wo_write *w, int cond_ok_step,
             size_t *ledger_step, size_t *commit_step)
{
    size_t i = *k;
    *ledger_step = i;
    steps[i] = (lsq_hrana_step){.sql = LSQ_LEDGER_RECORD_SQL, .args = &w->arg, .nargs = 1,
                                .cond = LSQ_COND_OK, .cond_step = cond_ok_step};
    i++;
    *commit_step = i;
    steps[i] = (lsq_hrana_step){.sql = "COMMIT", .cond = LSQ_COND_OK, .cond_step = (int)i - 1};
    i++;
    steps[i] = (lsq_hrana_step){.sql = "ROLLBACK", .cond = LSQ_COND_NOT_OK,
                                .cond_step = (int)*commit_step};
    i++;
    *k = i;
}

void wo_send(dbc *c, const lsq_hrana_step *steps, size_t nsteps, long timeout_ms,
             const wo_write *w, lsq_hrana_batch_result *res, wo_result *out)
{
    memset(out, 0, sizeof *out);
    memset(res, 0, sizeof *res);
    out->changes = -1;
    struct lsq_replica *r = lsq_db_replica(c->db);
    int sent = 1;
    lsq_status st = lsq_hrana_batch(r, steps, nsteps, timeout_ms, res, &sent, &out->err);
    if (st != LSQ_OK && !sent) /* nothing reached the primary: once more */
        st = lsq_hrana_batch(r, steps, nsteps, timeout_ms, res, &sent, &out->err);
    out->sent = sent;
    out->status = st;
    if (st == LSQ_OK) {
        out->outcome = WO_ANSWERED;
        return;
    }
    lsq_hrana_batch_result_free(res);
    if (!lsq_ledger_outcome_ambiguous(st, sent, &out->err)) {
        out->outcome = WO_NOT_APPLIED;
        return;
    }
    /* Sent, answer lost: claim the id so the question has one answer. */
    lsq_ledger_outcome oc = LSQ_LEDGER_UNKNOWN;
    lsq_error cerr;
    memset(&cerr, 0, sizeof cerr);
    lsq_ledger_settle(r, w->id, timeout_ms, &oc, &out->changes, &out->claims, &cerr);
    switch (oc) {
    case LSQ_LEDGER_COMMITTED: out->outcome = WO_COMMITTED; break;
    case LSQ_LEDGER_NOT_APPLIED: out->outcome = WO_NOT_APPLIED; break;
    default: out->outcome = WO_UNKNOWN; break;
    }
}

SQLRETURN wo_post(diag_list *d, SQLLEN row, const wo_result *r, const wo_write *w,
                  const char *what, const char *extra)
{
    const char *why = r->err.message;
    const char *state = r->status == LSQ_ERR_TIMEOUT ? "HYT00" : diag_state_for(r->status);
    switch (r->outcome) {
    case WO_COMMITTED:
        return diag_post_at(d, row, SQL_COLUMN_NUMBER_UNKNOWN, "01000", 0,
                            "the answer from the primary was lost (%.300s); the write ledger "
                            "confirms the %s committed once (id %s)%s",
                            why, what, w->id, extra ? extra : "");
    case WO_NOT_APPLIED:
        if (!r->sent || !r->claims)
            return diag_post_at(d, row, SQL_COLUMN_NUMBER_UNKNOWN,
                                r->status == LSQ_ERR_AUTH ? "28000" : state, r->err.native,
                                "%.400s; the %s was not applied (nothing was committed)", why, what);
        return diag_post_at(d, row, SQL_COLUMN_NUMBER_UNKNOWN, state, r->err.native,
                            "%.300s; the answer was lost and the %s was settled through the "
                            "primary's write ledger: it was not applied and never will be "
                            "(id %s); it is safe to retry",
                            why, what, w->id);
    default:
        return diag_post_at(d, row, SQL_COLUMN_NUMBER_UNKNOWN, state, r->err.native,
                            "%.300s; outcome unknown: the %s may or may not have been applied, "
                            "and the primary could not be reached to settle it; before "
                            "retrying, look up id '%s' in " LSQ_LEDGER_TABLE
                            " (a row with changes >= 0 = committed)",
                            why, what, w->id);
    }
}
