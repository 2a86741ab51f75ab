/*
 * fuzz_pull_proto.c — libFuzzer target for the /pull-updates response reader
 * (core/pull_proto.c), the one parser in the replica that reads bytes a
 * network peer chose. Checks, beyond "no crash, no leak", the promises the
 * applier relies on: success means pages sorted, unique, 1-based, within
 * db_size, each 4096 bytes inside the input; failure means an empty result.
 * Then the same input goes through the incremental reader (what syncs and
 * bootstraps use while the body downloads) in pieces whose sizes come from
 * the input's own bytes, each piece in its own allocation: it must reach the
 * same verdict, the same header and the same pages, byte for byte.
 * Seed corpus: tests/fuzz/corpus_pull/ (responses captured from tursodb).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "remote.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct seen {
    const lsq_pull_result *whole;   /* the whole-body result to compare with */
    size_t pages, headers;
} seen;

static lsq_status on_header(void *ctx, const char *rev, uint64_t db_size, int mode,
                            lsq_error *err)
{
    (void)err;
    seen *s = ctx;
    s->headers++;
    const lsq_pull_result *w = s->whole;
    if (w && (strcmp(rev, w->server_revision) != 0 || db_size != w->db_size_pages ||
              mode != w->apply_mode))
        abort();
    return LSQ_OK;
}

static lsq_status on_page(void *ctx, uint32_t pgno, const unsigned char *page, lsq_error *err)
{
    (void)err;
    seen *s = ctx;
    s->pages++;
    const lsq_pull_result *w = s->whole;
    if (w) {
        /* binary search: the whole-body result is sorted and unique */
        size_t lo = 0, hi = w->npages;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (w->pages[mid].pgno < pgno)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == w->npages || w->pages[lo].pgno != pgno ||
            memcmp(w->pages[lo].data, page, 4096) != 0)
            abort();
    }
    return LSQ_OK;
}

/* Feeds data in pieces: piece i has 1 + (data[i % size] * 37 + i) % 5000
 * bytes, so the cuts land inside length prefixes, keys and page images. */
static lsq_status stream(const uint8_t *data, size_t size, seen *s)
{
    lsq_pull_sink sink = { s, on_header, on_page };
    lsq_pull_stream *ps = NULL;
    lsq_error err;
    memset(&err, 0, sizeof err);
    lsq_status st = lsq_pull_stream_new(&sink, &ps, &err);
    if (st != LSQ_OK)
        abort();
    for (size_t off = 0, i = 0; off < size && st == LSQ_OK; i++) {
        size_t k = 1 + ((size_t)data[i % size] * 37 + i) % 5000;
        if (k > size - off)
            k = size - off;
        unsigned char *piece = malloc(k);
        if (!piece)
            abort();
        memcpy(piece, data + off, k);
        st = lsq_pull_stream_feed(ps, piece, k, &err);
        free(piece);
        off += k;
    }
    if (st == LSQ_OK)
        st = lsq_pull_stream_finish(ps, &err);
    if (st != LSQ_OK && !err.message[0])
        abort();
    lsq_pull_stream_free(ps);
    return st;
}

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

    seen s = { st == LSQ_OK ? &res : NULL, 0, 0 };
    lsq_status st2 = stream(data, size, &s);
    if ((st == LSQ_OK) != (st2 == LSQ_OK))
        abort();
    if (st == LSQ_OK && (s.headers != 1 || s.pages != res.npages))
        abort();
    lsq_pull_result_free(&res);
    return 0;
}
