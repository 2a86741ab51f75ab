/*
 * fuzz_hrana.c — libFuzzer target for the Hrana answer reader
 * (lsq_hrana_parse_batch in core/hrana.c), which reads JSON a network peer
 * chose. The first input byte picks the step count the "request" had
 * (0..7), the rest is the answer. Beyond "no crash, no leak": success means
 * exactly that many steps, each either ok (rows = nrows * ncols cells of a
 * known type, TEXT/BLOB with storage), skipped, or failed with a message;
 * failure means an empty result. The error-code mapper is fed the same bytes.
 * Seed corpus: tests/fuzz/corpus_hrana/ (answers captured from tursodb 0.6.0).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hrana.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t nsteps = data[0] % 8;
    char *json = malloc(size);
    if (!json)
        return 0;
    memcpy(json, data + 1, size - 1);
    json[size - 1] = '\0';

    lsq_hrana_batch_result res;
    lsq_error err;
    memset(&err, 0, sizeof err);
    lsq_status st = lsq_hrana_parse_batch(json, nsteps, &res, &err);
    if (st == LSQ_OK) {
        if (res.nsteps != nsteps || (nsteps && !res.steps))
            abort();
        for (size_t i = 0; i < res.nsteps; i++) {
            const lsq_hrana_result *r = &res.steps[i];
            if (r->ok && r->skipped)
                abort();
            if (!r->ok && !r->skipped && r->error.status == LSQ_OK)
                abort();
            if (r->ncols < 0 || (r->nrows && !r->rows))
                abort();
            for (size_t k = 0; k < r->nrows * (size_t)r->ncols; k++) {
                const lsq_value *v = &r->rows[k];
                switch (v->type) {
                case SQLITE_TEXT: case SQLITE_BLOB:
                    if (!v->p)
                        abort();
                    if (v->n) /* touch every byte: ASan checks the bounds */
                        (void)((volatile const unsigned char *)v->p)[v->n - 1];
                    break;
                case SQLITE_INTEGER: case SQLITE_FLOAT: case SQLITE_NULL:
                    break;
                default:
                    abort();
                }
            }
            for (int c = 0; c < r->ncols; c++)
                if (!r->col_names[c])
                    abort();
        }
        lsq_hrana_batch_result_free(&res);
    } else if (res.steps || res.nsteps) {
        abort();
    }
    int native = 0;
    (void)lsq_hrana_error_status(json, json, &native);
    free(json);
    return 0;
}
