/*
 * pull_proto.c — the protobuf wire format of POST /pull-updates, by hand.
 *
 * Owns encoding PullUpdatesReqProtoBody and decoding the response body (one
 * length-delimited PullUpdatesRespProtoBody header followed by length-
 * delimited PageData messages): incrementally, in pieces of any size as the
 * body downloads (lsq_pull_stream_*, which hands each page to a sink: the
 * bootstrap writes it to the new file, a sync keeps it), and as a whole
 * body (lsq_proto_parse_pull_response, the same reader fed once). Two tiny
 * messages do not justify a protobuf code generator and runtime; a few
 * dozen lines of varint handling that are fuzzed (tests/fuzz/
 * fuzz_pull_proto.c, whole and in pieces) are easier to audit. Every read is bounds-checked against the end of its enclosing
 * message, so a hostile or truncated body yields LSQ_ERR_PROTOCOL with a
 * precise message, never an out-of-bounds access.
 *
 * Observed on the real server (tursodb --sync-server, npm turso 0.6.0; see
 * tests/node/primary.sh, tests/core/core_remote_live.c and the captured
 * bodies in tests/fuzz/corpus_pull/):
 *  - server_revision is a decimal string, the frame count of the primary's
 *    WAL ("3" after CREATE TABLE + one INSERT). An empty database answers
 *    revision "0" with db_size omitted (proto3 default 0) and no pages.
 *  - the header is {1: revision, 2: db_size, 3: raw_encoding {}};
 *    stream_kind and apply_mode are 0 and therefore absent on the wire.
 *  - bootstrap (empty client_revision) returns every page 0..db_size-1,
 *    NOT necessarily in order (newest frames first: page_id 2 came before
 *    0 and 1 after 1200 inserts); incremental pulls only the pages written
 *    since the client revision. page_id 0 is omitted from its PageData
 *    message (proto3). Hence the sort below.
 *  - page 1 comes as the primary has it: in WAL mode (header bytes 18/19 ==
 *    2), so the applier must switch it to rollback-journal mode.
 *  - a client revision beyond the server's is not an error (header only, no
 *    pages); a non-numeric one counts as none (every page). See http.c for
 *    the checkpoint caveat.
 */
#include "remote.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE 4096u

/* Wire types of the protobuf encoding. */
enum { WT_VARINT = 0, WT_FIXED64 = 1, WT_LEN = 2, WT_SGROUP = 3, WT_EGROUP = 4, WT_FIXED32 = 5 };

/* Groups may nest; a bound keeps a malicious body from recursing deeply. */
#define MAX_GROUP_DEPTH 16

/* A read cursor over [p, end). */
typedef struct cursor {
    const unsigned char *p;
    const unsigned char *end;
} cursor;

/* ---- writing ---- */

static size_t put_varint(unsigned char *out, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (unsigned char)v;
    return n;
}

/* Appends one length-delimited string field; returns 0, or -1 when it does not fit. */
static int put_string_field(unsigned char *buf, size_t cap, size_t *pos, unsigned field,
                            const char *s)
{
    size_t len = strlen(s);
    unsigned char tmp[20];
    size_t hdr = put_varint(tmp, ((uint64_t)field << 3) | WT_LEN);
    hdr += put_varint(tmp + hdr, len);
    if (hdr > cap - *pos || len > cap - *pos - hdr)
        return -1;
    memcpy(buf + *pos, tmp, hdr);
    memcpy(buf + *pos + hdr, s, len);
    *pos += hdr + len;
    return 0;
}

long lsq_proto_encode_pull_request(const char *server_revision, const char *client_revision,
                                   uint32_t long_poll_ms, unsigned char *buf, size_t cap)
{
    size_t pos = 0;
    if (!buf)
        return -1;
    /* encoding = 0 (raw) and stream_kind = 0 (pages) are proto3 defaults: omitted. */
    if (server_revision && *server_revision &&
        put_string_field(buf, cap, &pos, 2, server_revision) < 0)
        return -1;
    if (client_revision && *client_revision &&
        put_string_field(buf, cap, &pos, 3, client_revision) < 0)
        return -1;
    if (long_poll_ms) {
        unsigned char tmp[16];
        size_t n = put_varint(tmp, (4u << 3) | WT_VARINT);
        n += put_varint(tmp + n, long_poll_ms);
        if (n > cap - pos)
            return -1;
        memcpy(buf + pos, tmp, n);
        pos += n;
    }
    if (pos > (size_t)LONG_MAX)
        return -1;
    return (long)pos;
}

/* ---- reading ---- */

/* 0 ok; -1 truncated; -2 longer than 10 bytes or overflowing 64 bits. */
static int get_varint(cursor *c, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (c->p >= c->end)
            return -1;
        unsigned char b = *c->p++;
        if (shift == 63 && (b & 0x7e))
            return -2;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -2;
}

static lsq_status varint_or_fail(cursor *c, uint64_t *out, const char *what, lsq_error *err)
{
    int rc = get_varint(c, out);
    if (rc == -1)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "pull-updates: truncated varint in %s", what);
    if (rc == -2)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "pull-updates: malformed varint in %s", what);
    return LSQ_OK;
}

/* Reads a length prefix and the bytes it announces, checked against the cursor's end. */
static lsq_status get_bytes(cursor *c, const unsigned char **data, size_t *len,
                            const char *what, lsq_error *err)
{
    uint64_t n;
    lsq_status st = varint_or_fail(c, &n, what, err);
    if (st != LSQ_OK)
        return st;
    size_t left = (size_t)(c->end - c->p);
    if (n > left)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                        "pull-updates: %s length %llu runs past the end (%zu bytes left)",
                        what, (unsigned long long)n, left);
    *data = c->p;
    *len = (size_t)n;
    c->p += n;
    return LSQ_OK;
}

/* Reads a field key; rejects field number 0 and the reserved wire types 6/7. */
static lsq_status get_key(cursor *c, uint64_t *field, unsigned *wt, const char *what,
                          lsq_error *err)
{
    uint64_t key;
    lsq_status st = varint_or_fail(c, &key, what, err);
    if (st != LSQ_OK)
        return st;
    *field = key >> 3;
    *wt = (unsigned)(key & 7);
    if (*field == 0 || *field > 0x1fffffff)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "pull-updates: invalid field number %llu in %s",
                        (unsigned long long)*field, what);
    if (*wt > WT_FIXED32)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "pull-updates: invalid wire type %u in %s",
                        *wt, what);
    return LSQ_OK;
}

/* Skips the value of a field this reader does not know, whatever its wire type. */
static lsq_status skip_field(cursor *c, uint64_t field, unsigned wt, int depth,
                             const char *what, lsq_error *err)
{
    uint64_t ignored;
    const unsigned char *data;
    size_t len;
    switch (wt) {
    case WT_VARINT:
        return varint_or_fail(c, &ignored, what, err);
    case WT_FIXED64:
    case WT_FIXED32: {
        size_t need = wt == WT_FIXED64 ? 8 : 4;
        if ((size_t)(c->end - c->p) < need)
            return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "pull-updates: truncated fixed%zu in %s",
                            need * 8, what);
        c->p += need;
        return LSQ_OK;
    }
    case WT_LEN:
        return get_bytes(c, &data, &len, what, err);
    case WT_SGROUP:
        if (depth >= MAX_GROUP_DEPTH)
            return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "pull-updates: groups nested too deeply in %s",
                            what);
        for (;;) {
            uint64_t f;
            unsigned w;
            if (c->p >= c->end)
                return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "pull-updates: unterminated group in %s",
                                what);
            lsq_status st = get_key(c, &f, &w, what, err);
            if (st != LSQ_OK)
                return st;
            if (w == WT_EGROUP) {
                if (f != field)
                    return lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                                    "pull-updates: mismatched end group in %s", what);
                return LSQ_OK;
            }
            st = skip_field(c, f, w, depth + 1, what, err);
            if (st != LSQ_OK)
                return st;
        }
    default: /* WT_EGROUP without a start */
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "pull-updates: unexpected end group in %s", what);
    }
}

static lsq_status wrong_type(uint64_t field, unsigned wt, const char *what, lsq_error *err)
{
    return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "pull-updates: field %llu of %s has wire type %u",
                    (unsigned long long)field, what, wt);
}

/* Decodes PullUpdatesRespProtoBody into out (server_revision is malloc'd). */
static lsq_status parse_header(cursor c, lsq_pull_result *out, lsq_error *err)
{
    static const char what[] = "the response header";
    const unsigned char *rev = NULL;
    size_t rev_len = 0;
    uint64_t stream_kind = 0, apply_mode = 0;
    while (c.p < c.end) {
        uint64_t field, v;
        unsigned wt;
        lsq_status st = get_key(&c, &field, &wt, what, err);
        if (st != LSQ_OK)
            return st;
        switch (field) {
        case 1: /* server_revision */
            if (wt != WT_LEN)
                return wrong_type(field, wt, what, err);
            st = get_bytes(&c, &rev, &rev_len, "server_revision", err);
            break;
        case 2: /* db_size */
            if (wt != WT_VARINT)
                return wrong_type(field, wt, what, err);
            st = varint_or_fail(&c, &out->db_size_pages, "db_size", err);
            break;
        case 4: /* zstd_encoding: we always ask for raw pages */
            return lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                            "pull-updates: server sent zstd-encoded pages although raw were requested");
        case 5: /* stream_kind */
        case 6: /* apply_mode */
            if (wt != WT_VARINT)
                return wrong_type(field, wt, what, err);
            st = varint_or_fail(&c, &v, what, err);
            if (field == 5)
                stream_kind = v;
            else
                apply_mode = v;
            break;
        default: /* raw_encoding (3, an empty message), mvcc_log, future fields */
            st = skip_field(&c, field, wt, 0, what, err);
            break;
        }
        if (st != LSQ_OK)
            return st;
    }
    if (stream_kind != 0)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                        "pull-updates: unsupported stream kind %llu (only pages are supported)",
                        (unsigned long long)stream_kind);
    if (apply_mode > 1)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "pull-updates: unknown apply mode %llu",
                        (unsigned long long)apply_mode);
    if (rev && memchr(rev, '\0', rev_len))
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "pull-updates: server_revision contains a NUL byte");
    out->apply_mode = (int)apply_mode;
    out->server_revision = malloc(rev_len + 1);
    if (!out->server_revision)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    if (rev_len)
        memcpy(out->server_revision, rev, rev_len);
    out->server_revision[rev_len] = '\0';
    return LSQ_OK;
}

/* Decodes one PageData message into *pgno / *data (1-based page number;
 * data points into the message). */
static lsq_status parse_page(cursor c, uint64_t db_size, uint32_t *pgno,
                             const unsigned char **page, lsq_error *err)
{
    static const char what[] = "a PageData message";
    uint64_t page_id = 0;
    const unsigned char *data = NULL;
    size_t len = 0;
    while (c.p < c.end) {
        uint64_t field;
        unsigned wt;
        lsq_status st = get_key(&c, &field, &wt, what, err);
        if (st != LSQ_OK)
            return st;
        if (field == 1) {
            if (wt != WT_VARINT)
                return wrong_type(field, wt, what, err);
            st = varint_or_fail(&c, &page_id, "page_id", err);
        } else if (field == 2) {
            if (wt != WT_LEN)
                return wrong_type(field, wt, what, err);
            st = get_bytes(&c, &data, &len, "encoded_page", err);
        } else {
            st = skip_field(&c, field, wt, 0, what, err);
        }
        if (st != LSQ_OK)
            return st;
    }
    if (!data)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "pull-updates: page %llu has no data",
                        (unsigned long long)page_id);
    if (len != PAGE_SIZE)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                        "pull-updates: page %llu is %zu bytes; only 4096-byte pages are supported",
                        (unsigned long long)page_id, len);
    /* page_id is zero-based on the wire; SQLite numbers pages from 1. */
    if (page_id >= db_size)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                        "pull-updates: page %llu lies beyond the database size of %llu pages",
                        (unsigned long long)page_id + 1, (unsigned long long)db_size);
    if (page_id >= UINT32_MAX - 1)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "pull-updates: page number %llu too large",
                        (unsigned long long)page_id + 1);
    *pgno = (uint32_t)(page_id + 1);
    *page = data;
    return LSQ_OK;
}

/* ---- the incremental reader ---- */

/* The body is a sequence of length-delimited messages: a length varint,
 * then that many bytes. A message that lies whole inside the chunk being
 * fed is decoded where it is; one split across chunks is gathered into
 * `msg` first (a page message is ~4.1 KB, so that buffer stays small for
 * any real answer; it grows only as bytes actually arrive, whatever length
 * a hostile prefix announces). */
struct lsq_pull_stream {
    lsq_pull_sink sink;
    int have_header;
    uint64_t db_size;
    int failed;                 /* sticky: a failed reader refuses more input */
    unsigned char len_buf[10];  /* a length prefix split across chunks */
    size_t len_have;
    int in_msg;                 /* msg_len known, its bytes still coming */
    uint64_t msg_len;
    unsigned char *msg;
    size_t msg_have, msg_cap;
    uint32_t *pgnos;            /* every page delivered, to refuse duplicates */
    size_t npages, pg_cap;
    uint64_t total;             /* bytes fed */
};

static const char *next_what(const lsq_pull_stream *s)
{
    return s->have_header ? "a PageData message" : "the response header";
}

lsq_status lsq_pull_stream_new(const lsq_pull_sink *sink, lsq_pull_stream **out, lsq_error *err)
{
    if (!out || !sink || !sink->on_header || !sink->on_page)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_pull_stream_new: invalid argument");
    *out = calloc(1, sizeof **out);
    if (!*out)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    (*out)->sink = *sink;
    return LSQ_OK;
}

void lsq_pull_stream_free(lsq_pull_stream *s)
{
    if (!s)
        return;
    free(s->msg);
    free(s->pgnos);
    free(s);
}

size_t lsq_pull_stream_pages(const lsq_pull_stream *s)
{
    return s ? s->npages : 0;
}

static lsq_status stream_message(lsq_pull_stream *s, const unsigned char *m, size_t len,
                                 lsq_error *err)
{
    cursor c = { m, m + len };
    if (!s->have_header) {
        lsq_pull_result h;
        memset(&h, 0, sizeof h);
        lsq_status st = parse_header(c, &h, err);
        if (st == LSQ_OK) {
            s->have_header = 1;
            s->db_size = h.db_size_pages;
            st = s->sink.on_header(s->sink.ctx, h.server_revision, h.db_size_pages,
                                   h.apply_mode, err);
        }
        free(h.server_revision);
        return st;
    }
    uint32_t pgno = 0;
    const unsigned char *page = NULL;
    lsq_status st = parse_page(c, s->db_size, &pgno, &page, err);
    if (st != LSQ_OK)
        return st;
    if (s->npages == s->pg_cap) {
        size_t cap = s->pg_cap ? s->pg_cap * 2 : 1024;
        uint32_t *g = realloc(s->pgnos, cap * sizeof *g);
        if (!g)
            return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
        s->pgnos = g;
        s->pg_cap = cap;
    }
    s->pgnos[s->npages++] = pgno;
    return s->sink.on_page(s->sink.ctx, pgno, page, err);
}

/* Reads a length prefix from [*p, end), across chunks: 1 = complete (in
 * s->msg_len), 0 = need more bytes, -1 = malformed. */
static int stream_length(lsq_pull_stream *s, const unsigned char **p, const unsigned char *end)
{
    uint64_t v;
    if (s->len_have == 0) {
        cursor c = { *p, end };
        int rc = get_varint(&c, &v);
        if (rc == -2)
            return -1;
        if (rc == -1) {     /* cut short: fewer than 10 bytes are left */
            memcpy(s->len_buf, *p, (size_t)(end - *p));
            s->len_have = (size_t)(end - *p);
            *p = end;
            return 0;
        }
        *p = c.p;
        s->msg_len = v;
        return 1;
    }
    while (*p < end) {
        s->len_buf[s->len_have++] = *(*p)++;
        cursor c = { s->len_buf, s->len_buf + s->len_have };
        int rc = get_varint(&c, &v);
        if (rc == -2)
            return -1;
        if (rc == 0) {
            s->len_have = 0;
            s->msg_len = v;
            return 1;
        }
    }
    return 0;
}

lsq_status lsq_pull_stream_feed(lsq_pull_stream *s, const unsigned char *data, size_t len,
                                lsq_error *err)
{
    if (!s || (!data && len))
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_pull_stream_feed: invalid argument");
    if (s->failed)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "pull-updates: the reader stopped at an error");
    s->total += len;
    const unsigned char *p = data, *end = data + len;
    lsq_status st = LSQ_OK;
    for (;;) {
        if (!s->in_msg) {
            if (p == end)
                break;
            int rc = stream_length(s, &p, end);
            if (rc < 0) {
                st = lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "pull-updates: malformed varint in %s",
                              next_what(s));
                break;
            }
            if (rc == 0)
                break;
            s->in_msg = 1;
            s->msg_have = 0;
        }
        size_t avail = (size_t)(end - p);
        if (s->msg_have == 0 && avail >= s->msg_len) {
            size_t n = (size_t)s->msg_len;
            s->in_msg = 0;
            st = stream_message(s, p, n, err);
            p += n;
            if (st != LSQ_OK)
                break;
            continue;
        }
        size_t want = (size_t)(s->msg_len - s->msg_have);
        size_t take = avail < want ? avail : want;
        if (s->msg_have + take > s->msg_cap) {
            size_t cap = s->msg_cap ? s->msg_cap : 8192;
            while (cap < s->msg_have + take)
                cap *= 2;
            if (cap > s->msg_len)
                cap = (size_t)s->msg_len;
            unsigned char *m = realloc(s->msg, cap);
            if (!m) {
                st = lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
                break;
            }
            s->msg = m;
            s->msg_cap = cap;
        }
        if (take)
            memcpy(s->msg + s->msg_have, p, take);
        s->msg_have += take;
        p += take;
        if (s->msg_have < s->msg_len)
            break;
        s->in_msg = 0;
        s->msg_have = 0;
        st = stream_message(s, s->msg, (size_t)s->msg_len, err);
        if (st != LSQ_OK)
            break;
    }
    if (st != LSQ_OK)
        s->failed = 1;
    return st;
}

static int by_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

lsq_status lsq_pull_stream_finish(lsq_pull_stream *s, lsq_error *err)
{
    if (!s)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_pull_stream_finish: no reader");
    if (s->failed)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "pull-updates: the reader stopped at an error");
    lsq_status st = LSQ_OK;
    if (s->total == 0)
        st = lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "pull-updates: empty response body");
    else if (s->len_have)
        st = lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "pull-updates: truncated varint in %s",
                      next_what(s));
    else if (s->in_msg)
        st = lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                      "pull-updates: %s length %llu runs past the end (%zu bytes left)",
                      next_what(s), (unsigned long long)s->msg_len, s->msg_have);
    if (st == LSQ_OK && s->npages > 1) {
        /* The server sends the newest image of every changed page exactly
         * once; a page named twice leaves no safe way to tell which image
         * is newest (applying the wrong one corrupts the replica), so the
         * whole response is refused. */
        qsort(s->pgnos, s->npages, sizeof *s->pgnos, by_u32);
        for (size_t i = 0; i + 1 < s->npages; i++)
            if (s->pgnos[i + 1] == s->pgnos[i]) {
                st = lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                              "pull-updates: page %u appears twice in one response",
                              s->pgnos[i]);
                break;
            }
    }
    if (st != LSQ_OK)
        s->failed = 1;
    return st;
}

/* ---- the whole-body reader, on top of the incremental one ---- */

typedef struct collected {
    lsq_pull_result *out;
    lsq_page *pages;
    size_t n, cap;
} collected;

static lsq_status collect_header(void *ctx, const char *revision, uint64_t db_size_pages,
                                 int apply_mode, lsq_error *err)
{
    collected *c = ctx;
    c->out->server_revision = strdup(revision);
    if (!c->out->server_revision)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    c->out->db_size_pages = db_size_pages;
    c->out->apply_mode = apply_mode;
    return LSQ_OK;
}

/* The body is fed in one piece, so every page is decoded in place and its
 * data pointer stays valid as long as the body does. */
static lsq_status collect_page(void *ctx, uint32_t pgno, const unsigned char *data,
                               lsq_error *err)
{
    collected *c = ctx;
    if (c->n == c->cap)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "pull-updates: too many pages for the body size");
    c->pages[c->n].pgno = pgno;
    c->pages[c->n].data = data;
    c->n++;
    return LSQ_OK;
}

static int by_pgno(const void *a, const void *b)
{
    const lsq_page *x = a, *y = b;
    return x->pgno < y->pgno ? -1 : x->pgno > y->pgno;
}

lsq_status lsq_proto_parse_pull_response(const unsigned char *body, size_t len,
                                         lsq_pull_result *out, lsq_error *err)
{
    if (!out || (!body && len))
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_proto_parse_pull_response: NULL argument");
    memset(out, 0, sizeof *out);
    /* Every PageData message costs at least 4096 + 4 bytes, which bounds the
     * page count by the body length before a single page is decoded. */
    collected c = { out, NULL, 0, len / PAGE_SIZE + 1 };
    c.pages = malloc(c.cap * sizeof *c.pages);
    if (!c.pages)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    lsq_pull_sink sink = { &c, collect_header, collect_page };
    lsq_pull_stream *s = NULL;
    lsq_status st = lsq_pull_stream_new(&sink, &s, err);
    if (st == LSQ_OK)
        st = lsq_pull_stream_feed(s, body, len, err);
    if (st == LSQ_OK)
        st = lsq_pull_stream_finish(s, err);
    lsq_pull_stream_free(s);
    if (st != LSQ_OK) {
        free(c.pages);
        lsq_pull_result_free(out);
        return st;
    }
    /* Sorted by page number (unique: the reader refused duplicates). */
    qsort(c.pages, c.n, sizeof *c.pages, by_pgno);
    if (c.n) {
        out->pages = c.pages;
    } else {
        free(c.pages);
    }
    out->npages = c.n;
    return LSQ_OK;
}

void lsq_pull_result_free(lsq_pull_result *res)
{
    if (!res)
        return;
    free(res->server_revision);
    free(res->pages);
    free(res->body);
    memset(res, 0, sizeof *res);
}
