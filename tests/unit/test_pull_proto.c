/*
 * test_pull_proto.c — the /pull-updates protobuf reader/writer (core/pull_proto.c).
 *
 * Responses are built here byte by byte with a tiny protobuf writer, so every
 * malformed shape (truncated varints, lengths past the end, wrong wire types,
 * odd page sizes, stray groups) can be produced exactly; a body captured from
 * the real tursodb primary (tests/fuzz/corpus_pull/) checks the reader against
 * what the server actually sends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "remote.h"

/* ---- a minimal protobuf writer for building test bodies ---- */

typedef struct pb {
    unsigned char *d;
    size_t n, cap;
} pb;

static void pb_raw(pb *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->d = realloc(b->d, b->cap);
        assert_non_null(b->d);
    }
    if (n)
        memcpy(b->d + b->n, p, n);
    b->n += n;
}

static void pb_varint(pb *b, uint64_t v)
{
    unsigned char t[10];
    size_t n = 0;
    while (v >= 0x80) {
        t[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    t[n++] = (unsigned char)v;
    pb_raw(b, t, n);
}

static void pb_key(pb *b, unsigned field, unsigned wt) { pb_varint(b, ((uint64_t)field << 3) | wt); }

static void pb_bytes(pb *b, unsigned field, const void *p, size_t n)
{
    pb_key(b, field, 2);
    pb_varint(b, n);
    pb_raw(b, p, n);
}

static void pb_uint(pb *b, unsigned field, uint64_t v)
{
    pb_key(b, field, 0);
    pb_varint(b, v);
}

/* Appends msg to body as one length-delimited message, then empties msg. */
static void pb_message(pb *body, pb *msg)
{
    pb_varint(body, msg->n);
    pb_raw(body, msg->d, msg->n);
    msg->n = 0;
}

static void pb_free(pb *b) { free(b->d); memset(b, 0, sizeof *b); }

static void add_header(pb *body, const char *rev, uint64_t db_size)
{
    pb m = { 0 };
    if (rev)
        pb_bytes(&m, 1, rev, strlen(rev));
    pb_uint(&m, 2, db_size);
    pb_bytes(&m, 3, "", 0);     /* raw_encoding {} as the server sends it */
    pb_message(body, &m);
    pb_free(&m);
}

static void add_page(pb *body, uint64_t page_id, unsigned char fill, size_t size)
{
    unsigned char *page = malloc(size ? size : 1);
    assert_non_null(page);
    memset(page, fill, size);
    pb m = { 0 };
    if (page_id)                /* proto3 omits the zero default */
        pb_uint(&m, 1, page_id);
    pb_bytes(&m, 2, page, size);
    pb_message(body, &m);
    pb_free(&m);
    free(page);
}

/* ---- the incremental reader must agree with the whole-body parse ---- */

/* What a stream delivered: copies, since page data live only during the call. */
typedef struct got {
    char *rev;
    uint64_t size;
    int mode, headers;
    uint32_t *pgno;
    unsigned char *data;
    size_t n;
} got;

static lsq_status got_header(void *ctx, const char *rev, uint64_t size, int mode, lsq_error *err)
{
    (void)err;
    got *g = ctx;
    g->rev = strdup(rev);
    g->size = size;
    g->mode = mode;
    g->headers++;
    return LSQ_OK;
}

static lsq_status got_page(void *ctx, uint32_t pgno, const unsigned char *data, lsq_error *err)
{
    (void)err;
    got *g = ctx;
    g->pgno = realloc(g->pgno, (g->n + 1) * sizeof *g->pgno);
    g->data = realloc(g->data, (g->n + 1) * 4096);
    assert_true(g->pgno && g->data);
    g->pgno[g->n] = pgno;
    memcpy(g->data + g->n * 4096, data, 4096);
    g->n++;
    return LSQ_OK;
}

static void got_free(got *g)
{
    free(g->rev);
    free(g->pgno);
    free(g->data);
    memset(g, 0, sizeof *g);
}

/* Feed body in pieces: chunk > 0 = that size each; 0 = pseudo-random sizes
 * from 1 to 9000 (seeded, so a failure repeats). */
static lsq_status stream_parse(const unsigned char *d, size_t n, size_t chunk, unsigned seed,
                               got *g, lsq_error *err)
{
    memset(g, 0, sizeof *g);
    lsq_pull_sink sink = { g, got_header, got_page };
    lsq_pull_stream *s = NULL;
    lsq_status st = lsq_pull_stream_new(&sink, &s, err);
    assert_int_equal(st, LSQ_OK);
    for (size_t off = 0; off < n && st == LSQ_OK;) {
        size_t k = chunk ? chunk : 1 + (size_t)(rand_r(&seed) % 9000);
        if (k > n - off)
            k = n - off;
        /* each piece in its own allocation: ASan catches a read past it */
        unsigned char *piece = malloc(k);
        assert_non_null(piece);
        memcpy(piece, d + off, k);
        st = lsq_pull_stream_feed(s, piece, k, err);
        free(piece);
        off += k;
    }
    if (st == LSQ_OK)
        st = lsq_pull_stream_finish(s, err);
    if (st == LSQ_OK)
        assert_int_equal(lsq_pull_stream_pages(s), g->n);
    lsq_pull_stream_free(s);
    return st;
}

/* Whole-body parse vs the stream fed in many different piece sizes: same
 * verdict; on success the same header and the same pages (in pgno order,
 * byte for byte); on failure the same kind of error. */
static void check_stream_matches(const unsigned char *d, size_t n)
{
    static const size_t chunks[] = { 1, 2, 3, 5, 7, 10, 11, 13, 100, 4095, 4096, 4099, 4100,
                                     4103, 8192, 65536, 0, 0, 0, 0 };
    lsq_pull_result whole;
    lsq_error e1 = { 0 };
    lsq_status st1 = lsq_proto_parse_pull_response(d, n, &whole, &e1);
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        got g;
        lsq_error e2 = { 0 };
        lsq_status st2 = stream_parse(d, n, chunks[c], (unsigned)c, &g, &e2);
        if (st1 != st2)
            fail_msg("chunk %zu: whole-body status %d (%s), stream status %d (%s)", chunks[c],
                     st1, e1.message, st2, e2.message);
        if (st1 == LSQ_OK) {
            assert_int_equal(g.headers, 1);
            assert_string_equal(g.rev, whole.server_revision);
            assert_true(g.size == whole.db_size_pages);
            assert_int_equal(g.mode, whole.apply_mode);
            assert_int_equal(g.n, whole.npages);
            for (size_t i = 0; i < whole.npages; i++) {
                /* the stream delivers in arrival order: find each page */
                size_t j = 0;
                while (j < g.n && g.pgno[j] != whole.pages[i].pgno)
                    j++;
                assert_true(j < g.n);
                assert_memory_equal(g.data + j * 4096, whole.pages[i].data, 4096);
            }
        } else if (st1 == LSQ_ERR_PROTOCOL && !strstr(e1.message, "appears twice")) {
            /* the same first error, whichever way the bytes came */
            assert_string_equal(e2.message, e1.message);
        }
        got_free(&g);
    }
    if (st1 == LSQ_OK)
        lsq_pull_result_free(&whole);
}

/* Parses body and expects a PROTOCOL error whose message contains `needle`. */
static void expect_protocol_error(const pb *body, const char *needle)
{
    lsq_pull_result res;
    lsq_error err = { 0 };
    lsq_status st = lsq_proto_parse_pull_response(body->d, body->n, &res, &err);
    if (st != LSQ_ERR_PROTOCOL || !strstr(err.message, needle))
        fail_msg("expected PROTOCOL error containing \"%s\", got status %d: %s", needle, st,
                 err.message);
    assert_null(res.server_revision);
    assert_null(res.pages);
    assert_int_equal(res.npages, 0);
    check_stream_matches(body->d, body->n);
}

/* ---- request encoding ---- */

static void encode_bootstrap_is_empty(void **state)
{
    (void)state;
    unsigned char buf[16];
    assert_int_equal(lsq_proto_encode_pull_request(NULL, NULL, 0, buf, sizeof buf), 0);
    assert_int_equal(lsq_proto_encode_pull_request("", "", 0, buf, sizeof buf), 0);
}

static void encode_fields(void **state)
{
    (void)state;
    unsigned char buf[64];
    long n = lsq_proto_encode_pull_request(NULL, "3", 1000, buf, sizeof buf);
    const unsigned char want[] = { 0x1a, 0x01, '3', 0x20, 0xe8, 0x07 };
    assert_int_equal(n, sizeof want);
    assert_memory_equal(buf, want, sizeof want);

    n = lsq_proto_encode_pull_request("9", "42", 0, buf, sizeof buf);
    const unsigned char want2[] = { 0x12, 0x01, '9', 0x1a, 0x02, '4', '2' };
    assert_int_equal(n, sizeof want2);
    assert_memory_equal(buf, want2, sizeof want2);
}

static void encode_long_revision_and_small_buffer(void **state)
{
    (void)state;
    char rev[300];
    memset(rev, 'r', sizeof rev - 1);
    rev[sizeof rev - 1] = '\0';
    unsigned char buf[400];
    long n = lsq_proto_encode_pull_request(NULL, rev, 0, buf, sizeof buf);
    assert_int_equal(n, 3 + 299);               /* key, 2-byte length, text */
    assert_int_equal(buf[1], 0xab);
    assert_int_equal(buf[2], 0x02);
    for (size_t cap = 0; cap < 302; cap++)
        assert_int_equal(lsq_proto_encode_pull_request(NULL, rev, 0, buf, cap), -1);
    assert_int_equal(lsq_proto_encode_pull_request(NULL, "3", 1000, buf, 5), -1);
    assert_int_equal(lsq_proto_encode_pull_request(NULL, NULL, 0, NULL, 5), -1);
}

/* ---- response decoding ---- */

static void parse_pages_sorted_and_one_based(void **state)
{
    (void)state;
    pb body = { 0 };
    add_header(&body, "17", 3);
    add_page(&body, 2, 0xcc, 4096);
    add_page(&body, 0, 0xaa, 4096);
    lsq_pull_result res;
    lsq_error err = { 0 };
    assert_int_equal(lsq_proto_parse_pull_response(body.d, body.n, &res, &err), LSQ_OK);
    assert_string_equal(res.server_revision, "17");
    assert_int_equal(res.db_size_pages, 3);
    assert_int_equal(res.apply_mode, 0);
    assert_int_equal(res.npages, 2);
    assert_int_equal(res.pages[0].pgno, 1);
    assert_int_equal(res.pages[0].data[0], 0xaa);
    assert_int_equal(res.pages[0].data[4095], 0xaa);
    assert_int_equal(res.pages[1].pgno, 3);
    assert_int_equal(res.pages[1].data[0], 0xcc);
    /* Pages point into the caller's body, not into copies. */
    assert_true(res.pages[0].data > body.d && res.pages[0].data + 4096 <= body.d + body.n);
    assert_null(res.body);
    lsq_pull_result_free(&res);
    check_stream_matches(body.d, body.n);
    pb_free(&body);
}

static void parse_duplicates_refused(void **state)
{
    (void)state;
    pb body = { 0 };
    add_header(&body, "5", 4);
    add_page(&body, 3, 0x01, 4096);
    add_page(&body, 1, 0x02, 4096);
    add_page(&body, 3, 0x03, 4096);
    lsq_pull_result res;
    lsq_error err = { 0 };
    assert_int_equal(lsq_proto_parse_pull_response(body.d, body.n, &res, &err), LSQ_ERR_PROTOCOL);
    assert_non_null(strstr(err.message, "page 4 appears twice"));
    assert_null(res.pages);
    assert_int_equal(res.npages, 0);
    check_stream_matches(body.d, body.n);
    pb_free(&body);
}

static void parse_header_only_and_empty_header(void **state)
{
    (void)state;
    pb body = { 0 };
    add_header(&body, "4", 2);
    lsq_pull_result res;
    lsq_error err = { 0 };
    assert_int_equal(lsq_proto_parse_pull_response(body.d, body.n, &res, &err), LSQ_OK);
    assert_string_equal(res.server_revision, "4");
    assert_int_equal(res.db_size_pages, 2);
    assert_int_equal(res.npages, 0);
    assert_null(res.pages);
    check_stream_matches(body.d, body.n);
    lsq_pull_result_free(&res);

    /* An all-defaults header (empty database): revision "" and size 0. */
    const unsigned char empty[] = { 0x00 };
    assert_int_equal(lsq_proto_parse_pull_response(empty, 1, &res, &err), LSQ_OK);
    assert_non_null(res.server_revision);
    assert_string_equal(res.server_revision, "");
    assert_int_equal(res.db_size_pages, 0);
    lsq_pull_result_free(&res);
    pb_free(&body);
}

static void parse_apply_mode_and_big_values(void **state)
{
    (void)state;
    pb body = { 0 }, m = { 0 };
    pb_bytes(&m, 1, "r", 1);
    pb_uint(&m, 2, UINT64_MAX);
    pb_uint(&m, 5, 0);
    pb_uint(&m, 6, 1);
    pb_message(&body, &m);
    add_page(&body, 4000000000u, 0x11, 4096);
    lsq_pull_result res;
    lsq_error err = { 0 };
    assert_int_equal(lsq_proto_parse_pull_response(body.d, body.n, &res, &err), LSQ_OK);
    assert_int_equal(res.apply_mode, 1);
    assert_true(res.db_size_pages == UINT64_MAX);
    assert_int_equal(res.npages, 1);
    assert_int_equal(res.pages[0].pgno, 4000000001u);
    lsq_pull_result_free(&res);
    check_stream_matches(body.d, body.n);
    pb_free(&body);
    pb_free(&m);
}

/* Appends one unknown field of every wire type (and a nested group). */
static void add_unknown_fields(pb *m)
{
    pb_uint(m, 90, 123456789);                       /* varint */
    pb_key(m, 91, 1);                                /* fixed64 */
    pb_raw(m, "\1\2\3\4\5\6\7\10", 8);
    pb_bytes(m, 92, "ignored", 7);                   /* length-delimited */
    pb_key(m, 93, 3);                                /* group { varint; group { fixed32 } } */
    pb_uint(m, 1, 5);
    pb_key(m, 2, 3);
    pb_key(m, 7, 5);
    pb_raw(m, "\1\2\3\4", 4);
    pb_key(m, 2, 4);
    pb_key(m, 93, 4);
    pb_key(m, 94, 5);                                /* fixed32 */
    pb_raw(m, "abcd", 4);
}

static void parse_skips_unknown_fields(void **state)
{
    (void)state;
    pb body = { 0 }, m = { 0 };
    add_unknown_fields(&m);
    pb_bytes(&m, 1, "rev-9", 5);
    add_unknown_fields(&m);
    pb_uint(&m, 2, 2);
    pb_bytes(&m, 7, "\x0a\x04lml3", 6);              /* mvcc_log metadata: skipped */
    pb_message(&body, &m);

    unsigned char page[4096];
    memset(page, 0x5a, sizeof page);
    add_unknown_fields(&m);
    pb_uint(&m, 1, 1);
    add_unknown_fields(&m);
    pb_bytes(&m, 2, page, sizeof page);
    add_unknown_fields(&m);
    pb_message(&body, &m);

    lsq_pull_result res;
    lsq_error err = { 0 };
    assert_int_equal(lsq_proto_parse_pull_response(body.d, body.n, &res, &err), LSQ_OK);
    assert_string_equal(res.server_revision, "rev-9");
    assert_int_equal(res.db_size_pages, 2);
    assert_int_equal(res.npages, 1);
    assert_int_equal(res.pages[0].pgno, 2);
    assert_memory_equal(res.pages[0].data, page, sizeof page);
    lsq_pull_result_free(&res);
    check_stream_matches(body.d, body.n);
    pb_free(&body);
    pb_free(&m);
}

static void parse_real_tursodb_bootstrap(void **state)
{
    (void)state;
    /* Captured from tursodb 0.6.0: a 2-page database, revision "3". */
    char path[1024];
    const char *src = __FILE__;
    const char *slash = strrchr(src, '/');
    snprintf(path, sizeof path, "%.*s/../fuzz/corpus_pull/bootstrap_2pages.bin",
             (int)(slash ? slash - src : 1), slash ? src : ".");
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open the captured response %s", path);
    unsigned char *buf = malloc(65536);
    assert_non_null(buf);
    size_t n = fread(buf, 1, 65536, f);
    fclose(f);
    lsq_pull_result res;
    lsq_error err = { 0 };
    assert_int_equal(lsq_proto_parse_pull_response(buf, n, &res, &err), LSQ_OK);
    assert_string_equal(res.server_revision, "3");
    assert_int_equal(res.db_size_pages, 2);
    assert_int_equal(res.npages, 2);
    assert_int_equal(res.pages[0].pgno, 1);
    assert_int_equal(res.pages[1].pgno, 2);
    assert_memory_equal(res.pages[0].data, "SQLite format 3", 16);
    assert_int_equal(res.pages[0].data[18], 2);      /* the primary runs WAL */
    check_stream_matches(buf, n);
    lsq_pull_result_free(&res);
    free(buf);
}

/* ---- malformed responses ---- */

static void malformed_envelope(void **state)
{
    (void)state;
    pb b = { 0 };
    expect_protocol_error(&b, "empty response");

    pb_raw(&b, "\x80", 1);                            /* length varint cut short */
    expect_protocol_error(&b, "truncated varint");
    b.n = 0;
    pb_raw(&b, "\x05\x0a", 2);                        /* 5-byte header, 1 byte present */
    expect_protocol_error(&b, "runs past the end");
    b.n = 0;
    pb_raw(&b, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 10); /* > 2^63 */
    expect_protocol_error(&b, "malformed varint");
    b.n = 0;
    pb_raw(&b, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11); /* 11 bytes */
    expect_protocol_error(&b, "malformed varint");
    b.n = 0;
    pb_raw(&b, "\x8f\xff\xff\xff\x0f", 5);            /* ~4 GiB length */
    expect_protocol_error(&b, "runs past the end");

    b.n = 0;
    add_header(&b, "1", 1);
    pb_raw(&b, "\x80", 1);                            /* trailing cut varint */
    expect_protocol_error(&b, "truncated varint in a PageData");
    b.n = 0;
    add_header(&b, "1", 1);
    pb_raw(&b, "\x90\x20\x10", 3);                    /* page message past the end */
    expect_protocol_error(&b, "runs past the end");
    pb_free(&b);
}

static void malformed_header(void **state)
{
    (void)state;
    pb b = { 0 }, m = { 0 };
#define HEADER_CASE(build, needle)                                                         \
    do {                                                                                   \
        b.n = m.n = 0;                                                                     \
        build;                                                                             \
        pb_message(&b, &m);                                                                \
        expect_protocol_error(&b, needle);                                                 \
    } while (0)
    HEADER_CASE(pb_raw(&m, "\x10", 1), "truncated varint in db_size");
    HEADER_CASE(pb_raw(&m, "\x10\x80", 2), "truncated varint in db_size");
    HEADER_CASE(pb_raw(&m, "\x0a\x05" "ab", 4), "server_revision length 5 runs past the end");
    HEADER_CASE(pb_bytes(&m, 2, "x", 1), "field 2 of the response header has wire type 2");
    HEADER_CASE(pb_uint(&m, 1, 7), "field 1 of the response header has wire type 0");
    HEADER_CASE(pb_key(&m, 9, 6), "invalid wire type 6");
    HEADER_CASE(pb_key(&m, 9, 7), "invalid wire type 7");
    HEADER_CASE(pb_raw(&m, "\x02\x00", 2), "invalid field number 0");
    HEADER_CASE(pb_key(&m, 9, 4), "unexpected end group");
    HEADER_CASE((pb_key(&m, 9, 3), pb_uint(&m, 1, 1)), "unterminated group");
    HEADER_CASE((pb_key(&m, 9, 3), pb_key(&m, 8, 4)), "mismatched end group");
    HEADER_CASE((pb_key(&m, 9, 1), pb_raw(&m, "1234567", 7)), "truncated fixed64");
    HEADER_CASE((pb_key(&m, 9, 5), pb_raw(&m, "123", 3)), "truncated fixed32");
    HEADER_CASE(pb_bytes(&m, 4, "", 0), "zstd");
    HEADER_CASE(pb_uint(&m, 5, 1), "unsupported stream kind 1");
    HEADER_CASE(pb_uint(&m, 6, 2), "unknown apply mode 2");
    HEADER_CASE(pb_bytes(&m, 1, "a\0b", 3), "NUL");
    HEADER_CASE(for (int i = 0; i < 40; i++) pb_key(&m, 9, 3), "nested too deeply");
#undef HEADER_CASE
    pb_free(&b);
    pb_free(&m);
}

static void malformed_pages(void **state)
{
    (void)state;
    pb b = { 0 }, m = { 0 };
    unsigned char page[4096] = { 0 };

    add_header(&b, "1", 2);
    add_page(&b, 0, 1, 4095);
    expect_protocol_error(&b, "page 0 is 4095 bytes; only 4096-byte pages");
    b.n = 0;
    add_header(&b, "1", 2);
    add_page(&b, 1, 1, 4097);
    expect_protocol_error(&b, "page 1 is 4097 bytes");
    b.n = 0;
    add_header(&b, "1", 2);
    add_page(&b, 1, 1, 0);
    expect_protocol_error(&b, "is 0 bytes");
    b.n = 0;
    add_header(&b, "1", 2);
    add_page(&b, 0, 1, 65536);                         /* e.g. a 64 KiB page size */
    expect_protocol_error(&b, "65536 bytes");

    b.n = 0;                                           /* page beyond db_size */
    add_header(&b, "1", 2);
    add_page(&b, 2, 1, 4096);
    expect_protocol_error(&b, "page 3 lies beyond the database size of 2 pages");
    b.n = 0;
    add_header(&b, "1", 0);
    add_page(&b, 0, 1, 4096);
    expect_protocol_error(&b, "beyond the database size of 0 pages");
    b.n = m.n = 0;                                     /* no header db_size, huge page id */
    add_header(&b, "1", UINT64_MAX);
    pb_uint(&m, 1, UINT32_MAX);
    pb_bytes(&m, 2, page, sizeof page);
    pb_message(&b, &m);
    expect_protocol_error(&b, "too large");

    b.n = m.n = 0;                                     /* page without data */
    add_header(&b, "1", 2);
    pb_uint(&m, 1, 1);
    pb_message(&b, &m);
    expect_protocol_error(&b, "has no data");
    b.n = m.n = 0;                                     /* page_id as bytes */
    add_header(&b, "1", 2);
    pb_bytes(&m, 1, "x", 1);
    pb_message(&b, &m);
    expect_protocol_error(&b, "field 1 of a PageData message has wire type 2");
    b.n = m.n = 0;                                     /* encoded_page as varint */
    add_header(&b, "1", 2);
    pb_uint(&m, 2, 4096);
    pb_message(&b, &m);
    expect_protocol_error(&b, "field 2 of a PageData message has wire type 0");
    b.n = m.n = 0;                                     /* encoded_page length past message */
    add_header(&b, "1", 2);
    pb_key(&m, 2, 2);
    pb_varint(&m, 4096);
    pb_raw(&m, page, 100);
    pb_message(&b, &m);
    expect_protocol_error(&b, "encoded_page length 4096 runs past the end (100 bytes left)");
    b.n = m.n = 0;                                     /* truncated page_id */
    add_header(&b, "1", 2);
    pb_raw(&m, "\x08\xff", 2);
    pb_message(&b, &m);
    expect_protocol_error(&b, "truncated varint in page_id");

    /* A good page followed by a bad one frees everything (ASan checks). */
    b.n = 0;
    add_header(&b, "1", 2);
    add_page(&b, 0, 1, 4096);
    add_page(&b, 1, 1, 100);
    expect_protocol_error(&b, "100 bytes");
    pb_free(&b);
    pb_free(&m);
}

/* A sink that refuses stops the reader: the feed returns the sink's own
 * failure, and the reader refuses anything after it. */
static lsq_status refuse_page(void *ctx, uint32_t pgno, const unsigned char *data,
                              lsq_error *err)
{
    (void)data;
    int *seen = ctx;
    if (++*seen == 2)
        return lsq_fail(err, LSQ_ERR_MISC, 28, "disk full at page %u", pgno);
    return LSQ_OK;
}

static lsq_status refuse_header(void *ctx, const char *rev, uint64_t size, int mode,
                                lsq_error *err)
{
    (void)ctx;
    (void)mode;
    return size == 0 ? lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "no pages at revision '%s'", rev)
                     : LSQ_OK;
}

static void stream_sink_failures_stop_the_reader(void **state)
{
    (void)state;
    pb body = { 0 };
    add_header(&body, "8", 5);
    add_page(&body, 0, 0x01, 4096);
    add_page(&body, 1, 0x02, 4096);
    add_page(&body, 2, 0x03, 4096);
    int seen = 0;
    lsq_pull_sink sink = { &seen, refuse_header, refuse_page };
    lsq_pull_stream *s = NULL;
    lsq_error err = { 0 };
    assert_int_equal(lsq_pull_stream_new(&sink, &s, &err), LSQ_OK);
    assert_int_equal(lsq_pull_stream_feed(s, body.d, body.n, &err), LSQ_ERR_MISC);
    assert_string_equal(err.message, "disk full at page 2");
    assert_int_equal(err.native, 28);
    assert_int_equal(seen, 2);
    assert_int_equal(lsq_pull_stream_pages(s), 2);
    assert_int_equal(lsq_pull_stream_feed(s, body.d, 1, &err), LSQ_ERR_PROTOCOL);
    assert_int_equal(lsq_pull_stream_finish(s, &err), LSQ_ERR_PROTOCOL);
    lsq_pull_stream_free(s);

    pb empty = { 0 };
    add_header(&empty, "0", 0);
    assert_int_equal(lsq_pull_stream_new(&sink, &s, &err), LSQ_OK);
    assert_int_equal(lsq_pull_stream_feed(s, empty.d, empty.n, &err), LSQ_ERR_PROTOCOL);
    assert_string_equal(err.message, "no pages at revision '0'");
    lsq_pull_stream_free(s);

    /* misuse */
    lsq_pull_sink half = { NULL, refuse_header, NULL };
    assert_int_equal(lsq_pull_stream_new(&half, &s, &err), LSQ_ERR_MISUSE);
    assert_int_equal(lsq_pull_stream_feed(NULL, body.d, 1, &err), LSQ_ERR_MISUSE);
    assert_int_equal(lsq_pull_stream_finish(NULL, &err), LSQ_ERR_MISUSE);
    lsq_pull_stream_free(NULL);
    pb_free(&body);
    pb_free(&empty);
}

static void free_is_idempotent(void **state)
{
    (void)state;
    lsq_pull_result res;
    memset(&res, 0, sizeof res);
    lsq_pull_result_free(&res);
    lsq_pull_result_free(&res);
    lsq_pull_result_free(NULL);
    lsq_error err = { 0 };
    assert_int_equal(lsq_proto_parse_pull_response(NULL, 5, &res, &err), LSQ_ERR_MISUSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encode_bootstrap_is_empty),
        cmocka_unit_test(encode_fields),
        cmocka_unit_test(encode_long_revision_and_small_buffer),
        cmocka_unit_test(parse_pages_sorted_and_one_based),
        cmocka_unit_test(parse_duplicates_refused),
        cmocka_unit_test(parse_header_only_and_empty_header),
        cmocka_unit_test(parse_apply_mode_and_big_values),
        cmocka_unit_test(parse_skips_unknown_fields),
        cmocka_unit_test(parse_real_tursodb_bootstrap),
        cmocka_unit_test(malformed_envelope),
        cmocka_unit_test(malformed_header),
        cmocka_unit_test(malformed_pages),
        cmocka_unit_test(stream_sink_failures_stop_the_reader),
        cmocka_unit_test(free_is_idempotent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
