/*
 * write_ledger.c — the exactly-once ledger on the primary: ids, and
 * settling a write whose answer was lost by claiming its id
 * (write_ledger.h says why the ledger exists and how batches use it).
 */
#include "write_ledger.h"
#include "hrana.h"
#include "log.h"
#include "remote.h"
#include "replica.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

lsq_status lsq_ledger_new_client_id(char out[LSQ_CLIENT_ID_LEN + 1], lsq_error *err)
{
    unsigned char raw[LSQ_CLIENT_ID_LEN / 2];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return lsq_fail(err, LSQ_ERR_MISC, 0, "cannot draw a random client id (OpenSSL RAND_bytes)");
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    out[LSQ_CLIENT_ID_LEN] = 0;
    return LSQ_OK;
}

char *lsq_ledger_write_id(const char *client_id, uint64_t seq, char *out, size_t cap)
{
    snprintf(out, cap, "%s:%llu", client_id, (unsigned long long)seq);
    return out;
}

int lsq_ledger_is_internal_table(const char *name)
{
    return name && strncasecmp(name, LSQ_LEDGER_PREFIX, strlen(LSQ_LEDGER_PREFIX)) == 0;
}

int lsq_ledger_outcome_ambiguous(lsq_status st, int sent, const lsq_error *err)
{
    if (st == LSQ_OK || !sent)
        return 0;
    switch (st) {
    case LSQ_ERR_AUTH:   /* HTTP 401/403: refused before anything ran */
    case LSQ_ERR_MISUSE: /* never left the process */
        return 0;
    case LSQ_ERR_PROTOCOL:
        /* An HTTP 4xx (unknown endpoint, bad request) is a definite refusal;
         * a body that does not parse (native 0) may follow a commit. */
        return !(err && err->native >= 400 && err->native < 500);
    default:
        return 1;
    }
}

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* One claim: the ledger is created if missing (a write whose batch never
 * reached the primary may be the first of all), the id inserted as
 * cancelled, and its row read back. 1 = settled (*outcome set), 0 = ask
 * again (err says why). */
static int claim_once(struct lsq_replica *r, const char *write_id, long timeout_ms,
                      lsq_ledger_outcome *outcome, int64_t *changes, lsq_error *err)
{
    lsq_value id = {.type = SQLITE_TEXT, .p = write_id, .n = strlen(write_id)};
    const lsq_hrana_step steps[3] = {
        {.sql = LSQ_LEDGER_CREATE_SQL},
        {.sql = LSQ_LEDGER_CLAIM_SQL, .args = &id, .nargs = 1},
        {.sql = LSQ_LEDGER_LOOKUP_SQL, .args = &id, .nargs = 1, .want_rows = 1},
    };
    lsq_hrana_batch_result res;
    int sent = 0;
    lsq_status st = lsq_hrana_batch(r, steps, 3, timeout_ms, &res, &sent, err);
    if (st != LSQ_OK)
        return 0;
    int settled = 0;
    const lsq_hrana_result *claim = &res.steps[1], *look = &res.steps[2];
    int64_t recorded = 0;
    int has_row = look->ok && look->nrows >= 1 && look->ncols >= 1 &&
                  look->rows[0].type == SQLITE_INTEGER;
    if (has_row)
        recorded = look->rows[0].i;
    if (claim->ok) {
        *outcome = LSQ_LEDGER_NOT_APPLIED;
        *changes = -1;
        settled = 1;
    } else if (!claim->skipped && claim->error.status == LSQ_ERR_CONSTRAINT && has_row) {
        /* The id was taken: by the write itself, or by an earlier claim of
         * ours whose answer was lost (recorded as -1). */
        *outcome = recorded < 0 ? LSQ_LEDGER_NOT_APPLIED : LSQ_LEDGER_COMMITTED;
        *changes = recorded < 0 ? -1 : recorded;
        settled = 1;
    } else if (claim->skipped) {
        lsq_fail(err, LSQ_ERR_MISC, 0, "the primary skipped the claim of write %s", write_id);
    } else {
        *err = claim->error;
    }
    lsq_hrana_batch_result_free(&res);
    return settled;
}

lsq_status lsq_ledger_settle(struct lsq_replica *r, const char *write_id, long budget_ms,
                             lsq_ledger_outcome *outcome, int64_t *changes, int *attempts,
                             lsq_error *err)
{
    lsq_error scratch;
    int64_t ch_scratch;
    int n_scratch;
    if (!err)
        err = &scratch;
    if (!changes)
        changes = &ch_scratch;
    if (!attempts)
        attempts = &n_scratch;
    *attempts = 0;
    *changes = -1;
    if (!outcome || !r || !write_id)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_ledger_settle: NULL argument");
    *outcome = LSQ_LEDGER_UNKNOWN;
    if (budget_ms <= 0)
        budget_ms = lsq_remote_request_timeout_ms(lsq_replica_remote(r));
    if (budget_ms <= 0)
        budget_ms = 60000;
    double deadline = mono_ms() + (double)budget_ms;
    long backoff = 100;
    lsq_fail(err, LSQ_ERR_TIMEOUT, 0, "no time was left to ask the primary");
    for (;;) {
        long left = (long)(deadline - mono_ms());
        if (left <= 0)
            break;
        /* curl's timeouts are whole milliseconds; under 50 ms nothing
         * useful can come back. */
        if (left < 50)
            left = 50;
        ++*attempts;
        if (claim_once(r, write_id, left, outcome, changes, err)) {
            LSQ_LOG(LSQ_LOG_INFO, "ledger", "write %s settled after %d claim(s): %s", write_id,
                    *attempts, *outcome == LSQ_LEDGER_COMMITTED ? "committed" : "not applied");
            return LSQ_OK;
        }
        long wait = backoff;
        left = (long)(deadline - mono_ms());
        if (left <= 0)
            break;
        if (wait > left)
            wait = left;
        sleep_ms(wait);
        backoff = backoff >= 1000 ? 2000 : backoff * 2;
    }
    LSQ_LOG(LSQ_LOG_WARN, "ledger", "write %s could not be settled after %d claim(s): %s",
            write_id, *attempts, err->message);
    return LSQ_OK;
}
