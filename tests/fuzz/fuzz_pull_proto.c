/*
 * fuzz_pull_proto.c — libFuzzer target for the /pull-updates response reader
 * (core/pull_proto.c), the one parser in the replica that reads bytes a
 * network peer chose. Checks, beyond "no crash, no leak", the promises the
 * applier relies on: success means pages sorted, unique, 1-based, within
 * db_size, each 4096 bytes inside the input; failure means an empty result.
 * Seed corpus: tests/fuzz/corpus_pull/ (responses captured from tursodb).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "remote.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lsq_pull_result res;
    lsq_error err;
    memset(&err, 0, sizeof err);
    lsq_status st = lsq_proto_parse_pull_response(data, size, &res, &err);
    if (st == LSQ_OK) {
        if (!res.server_revision)
            abort();
        for (size_t i = 0; i < res.npages; i++) {
            const lsq_page *p = &res.pages[i];
            if (p->pgno == 0 || p->pgno > res.db_size_pages)
                abort();
            if (i && p->pgno <= res.pages[i - 1].pgno)
                abort();
            if (p->data < data || p->data + 4096 > data + size)
                abort();
        }
    } else {
        if (st != LSQ_ERR_PROTOCOL && st != LSQ_ERR_NOMEM)
            abort();
        if (res.server_revision || res.pages || res.npages || !err.message[0])
            abort();
    }
    lsq_pull_result_free(&res);
    return 0;
}
