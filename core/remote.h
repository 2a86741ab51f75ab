/*
 * remote.h — talking to the primary over HTTP (libcurl): the protobuf
 * /pull-updates endpoint (pages) and the Hrana /v2/pipeline endpoint (SQL).
 * Owns the URL rules (libsql:// means https), the bearer token, timeouts and
 * TLS settings, and maps HTTP/transport failures to lsq_status:
 * connect/DNS/reset -> NETWORK, 401/403 -> AUTH, timeout -> TIMEOUT,
 * malformed body -> PROTOCOL, TLS verification -> NETWORK with a TLS message.
 */
#ifndef LSQ_REMOTE_H
#define LSQ_REMOTE_H

#include "lsq.h"

typedef struct lsq_remote_opts {
    long connect_timeout_ms;    /* default 10000 */
    long request_timeout_ms;    /* default 60000 (whole request) */
    const char *ca_file;        /* TLS CA bundle (PEM); NULL = system default */
    int insecure;               /* skip TLS verification (tests only) */
} lsq_remote_opts;

typedef struct lsq_remote lsq_remote;

/* One page of a pull: 1-based SQLite page number and its 4096 bytes. */
typedef struct lsq_page {
    uint32_t pgno;
    const unsigned char *data;  /* points into the result's body buffer */
} lsq_page;

typedef struct lsq_pull_result {
    char *server_revision;      /* malloc'd, never NULL on success ("" allowed) */
    uint64_t db_size_pages;     /* database size in pages after applying */
    int apply_mode;             /* 0 incremental, 1 replace base */
    lsq_page *pages;            /* npages entries, sorted by pgno, unique */
    size_t npages;
    /* Owned memory the pages point into. From lsq_remote_pull: the page
     * images alone, back to back in pgno order (pages[i].data = body +
     * i * 4096), so runs of consecutive pages are contiguous. */
    unsigned char *body;
    size_t body_len;            /* bytes of the HTTP response body */
} lsq_pull_result;

/* Receives a pull's answer while it is read (lsq_pull_stream_*,
 * lsq_remote_pull_stream). A callback that returns a failure stops the
 * reader, and that failure is what the feed returns. */
typedef struct lsq_pull_sink {
    void *ctx;
    /* The header, before any page. revision is NUL-terminated and lives
     * only during the call. */
    lsq_status (*on_header)(void *ctx, const char *revision, uint64_t db_size_pages,
                            int apply_mode, lsq_error *err);
    /* One page, checked like lsq_remote_pull's: 1-based pgno <= the header's
     * size, 4096 bytes at data, valid only during the call. A page named
     * twice is refused only by lsq_pull_stream_finish, after both calls. */
    lsq_status (*on_page)(void *ctx, uint32_t pgno, const unsigned char *data, lsq_error *err);
} lsq_pull_sink;

/* sync_url: libsql://host (https), https://..., http://... ; token may be NULL. */
lsq_status lsq_remote_open(const char *sync_url, const char *auth_token,
                           const lsq_remote_opts *opts, lsq_remote **out, lsq_error *err);
void lsq_remote_close(lsq_remote *r);   /* wipes the token */

/* POST /pull-updates. client_revision NULL/"" = bootstrap (all pages).
 * long_poll_ms 0 = answer at once. Validates every page is 4096 bytes and
 * every pgno <= db_size_pages. Thread-safe per lsq_remote? No: one caller
 * at a time (the replica serialises syncs). */
lsq_status lsq_remote_pull(lsq_remote *r, const char *client_revision, uint32_t long_poll_ms,
                           lsq_pull_result *out, lsq_error *err);
/* As lsq_remote_pull, for the state at server_revision (NULL/"" = newest):
 * the pages changed after client_revision up to server_revision.
 * (primary_check.c asks for the revision a replica holds.) */
lsq_status lsq_remote_pull_at(lsq_remote *r, const char *server_revision,
                              const char *client_revision, uint32_t long_poll_ms,
                              lsq_pull_result *out, lsq_error *err);
void lsq_pull_result_free(lsq_pull_result *res);

/* POST /pull-updates, handing the header and each page to sink while the
 * body downloads (the body is never held whole). On success *body_len gets
 * the response's size and *npages the pages delivered (either may be NULL).
 * A failure may come after some pages were delivered: the sink's owner
 * discards what it got. */
lsq_status lsq_remote_pull_stream(lsq_remote *r, const char *client_revision,
                                  uint32_t long_poll_ms, const lsq_pull_sink *sink,
                                  size_t *body_len, size_t *npages, lsq_error *err);

/* POST /v2/pipeline with a JSON body; *response gets the malloc'd JSON text
 * of a 200 answer. HTTP errors are mapped to lsq_status as above. */
lsq_status lsq_remote_pipeline(lsq_remote *r, const char *json_body, char **response,
                               lsq_error *err);
/* As lsq_remote_pipeline, bounded by timeout_ms for the whole request
 * (0 = the connection's request timeout). (hrana.c's per-statement timeout) */
lsq_status lsq_remote_pipeline_timeout(lsq_remote *r, const char *json_body, long timeout_ms,
                                       char **response, lsq_error *err);

/* ---- the protobuf wire format of /pull-updates (pull_proto.c) ---- */

/* Encode PullUpdatesReqProtoBody into buf (cap bytes); returns length or -1. */
long lsq_proto_encode_pull_request(const char *server_revision, const char *client_revision,
                                   uint32_t long_poll_ms, unsigned char *buf, size_t cap);
/* Parse a whole response body (length-delimited messages). On success the
 * result's pages point into `body`, which the caller keeps alive (the result
 * does not take ownership: res->body stays NULL). Built on the incremental
 * reader below, fed the body in one piece. */
lsq_status lsq_proto_parse_pull_response(const unsigned char *body, size_t len,
                                         lsq_pull_result *out, lsq_error *err);

/* The incremental reader: feed the body in pieces of any size as they
 * arrive; the header and each page reach the sink as soon as they are
 * complete. Same checks and messages as the whole-body parse: finish
 * fails on a body cut short, an empty body, or a page named twice. After a
 * failure every further call fails. */
typedef struct lsq_pull_stream lsq_pull_stream;
lsq_status lsq_pull_stream_new(const lsq_pull_sink *sink, lsq_pull_stream **out,
                               lsq_error *err);
lsq_status lsq_pull_stream_feed(lsq_pull_stream *s, const unsigned char *data, size_t len,
                                lsq_error *err);
lsq_status lsq_pull_stream_finish(lsq_pull_stream *s, lsq_error *err);
size_t lsq_pull_stream_pages(const lsq_pull_stream *s);    /* pages delivered so far */
void lsq_pull_stream_free(lsq_pull_stream *s);

/* Cap on one response body (default 4 GiB); a larger answer fails with
 * LSQ_ERR_PROTOCOL. 0 restores the default. (http.c) */
void lsq_remote_set_max_body(lsq_remote *r, size_t max_bytes);

/* Report the download progress of every request on r to fn (lsq.h's
 * lsq_progress_fn: received, total from Content-Length or 0), plus one last
 * call with the final count when a request succeeds; NULL turns it off (the
 * default: curl's progress machinery is then not enabled at all). The
 * caller keeps ctx alive until it unsets the callback. (http.c) */
void lsq_remote_set_progress(lsq_remote *r, lsq_progress_fn fn, void *ctx);

/* The whole-request timeout r was opened with (ms; DSN RequestTimeout, or
 * the default). Fixed at open, so no lock is needed. (http.c) */
long lsq_remote_request_timeout_ms(const lsq_remote *r);

#endif
