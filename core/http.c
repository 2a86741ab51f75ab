/*
 * http.c — the HTTP client side of the replica: lsq_remote_* over libcurl.
 *
 * Owns one curl easy handle per lsq_remote (reused, so keep-alive works
 * where the server allows it), the URL rules (libsql:// means https://), the
 * bearer token (sent only when set, wiped on close, never in a message),
 * connect/total timeouts and TLS options, the response-size cap, and the
 * mapping of transport and HTTP failures onto lsq_status. The protobuf body
 * of /pull-updates is encoded and decoded in pull_proto.c, while it
 * downloads: curl's write callback feeds the incremental reader, so a
 * bootstrap's pages reach the new file without the body ever being held
 * whole, and lsq_remote_pull keeps only the page images (back to back,
 * sorted into pgno order, for the applier's multi-page writes).
 *
 * Observed on the real primary (tursodb --sync-server from npm turso 0.6.0):
 *  - every answer carries "Connection: close", so each request opens a new
 *    TCP connection there; Turso Cloud keeps connections alive.
 *  - unknown paths, and GET on /pull-updates, answer 404 "Not Found".
 *  - /pull-updates with an empty body (bootstrap) answers 200 with header
 *    {server_revision "3", db_size 2, raw_encoding {}} and pages 0 and 1;
 *    page 1 is in WAL mode (bytes 18/19 = 2/2). After one more INSERT, a
 *    pull with client_revision "3" answers revision "4" and only page_id 1.
 *  - the revision is the frame count of the primary's WAL. A client revision
 *    beyond the server's ("99") is NOT an error: the answer is the header
 *    (revision "4", db_size 2) with no pages. A non-numeric revision ("abc")
 *    is treated as no revision: every page comes back.
 *  - long_poll_timeout_ms is ignored: a pull at the newest revision with a
 *    2 s long poll is answered at once with the header and no pages.
 *  - the server does not auto-checkpoint (1200 single-row transactions
 *    left a 1208-frame WAL, revision "1208"), and serves pages from its
 *    WAL only: after an explicit PRAGMA wal_checkpoint(TRUNCATE) even a
 *    bootstrap returns revision "0", no db_size and no pages, and revisions
 *    restart from 1, so a replica holding "4" silently misses the next
 *    writes. Nothing on this endpoint recovers from that: tests must never
 *    checkpoint the primary, and the replica should report a revision that
 *    goes backwards rather than keep serving stale pages.
 */
#include "remote.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PAGE_BYTES ((size_t)4096)

/* Default cap on one response body; lsq_remote_set_max_body changes it. */
#define DEFAULT_MAX_BODY ((size_t)4 << 30)

struct lsq_remote {
    CURL *curl;
    char *base_url;             /* normalised: scheme://host[:port][/path], no trailing '/' */
    char *host;                 /* for messages; never the token */
    char *auth_header;          /* "Authorization: Bearer ..." or NULL */
    struct curl_slist *proto_headers;
    struct curl_slist *json_headers;
    long connect_timeout_ms;
    long request_timeout_ms;
    char *ca_file;
    int insecure;
    size_t max_body;
    lsq_progress_fn progress_fn;    /* NULL = curl's progress callback stays off */
    void *progress_ctx;
    char curl_message[CURL_ERROR_SIZE];
};

/* A growing response body with a hard cap. A streamed pull keeps only the
 * start of an error answer here (for the message) and hands the rest of
 * the body to its reader; `received` counts every byte either way. */
typedef struct body_buffer {
    CURL *curl;             /* to read Content-Length when the body starts */
    unsigned char *data;
    size_t len, cap, max;
    size_t received;
    int too_large;
    int no_memory;
    lsq_status cb_status;   /* a streamed body's reader failed: this, with cb_err */
    lsq_error cb_err;
} body_buffer;

/* Receive buffer for pulls: fewer, larger write callbacks for a body that
 * may be a whole database (curl's default is 16 KiB). */
#define PULL_BUFFER_SIZE (256L * 1024)

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result = CURLE_FAILED_INIT;

static void init_curl_once(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* memset that the compiler may not drop because the memory is freed next. */
static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

static void free_wiped_string(char *s)
{
    if (s) {
        wipe(s, strlen(s));
        free(s);
    }
}

/* The header lists may hold the token: wipe their copies before freeing. */
static void free_wiped_headers(struct curl_slist *list)
{
    for (struct curl_slist *l = list; l; l = l->next)
        if (l->data)
            wipe(l->data, strlen(l->data));
    curl_slist_free_all(list);
}

static char *dup_range(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* libsql:// and wss:// are the TLS schemes of libSQL clients, ws:// the plain
 * one; all of them speak the same HTTP endpoints. */
static lsq_status normalise_url(const char *url, char **base, char **host, lsq_error *err)
{
    static const struct { const char *from, *to; } schemes[] = {
        { "libsql://", "https://" }, { "https://", "https://" }, { "http://", "http://" },
        { "wss://", "https://" },    { "ws://", "http://" },
    };
    const char *rest = NULL, *scheme = NULL;
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t n = strlen(schemes[i].from);
        if (strncasecmp(url, schemes[i].from, n) == 0) {
            rest = url + n;
            scheme = schemes[i].to;
            break;
        }
    }
    if (!rest)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0,
                        "SyncUrl must start with libsql://, https:// or http://");
    size_t len = strlen(rest);
    while (len && rest[len - 1] == '/')
        len--;
    size_t host_len = strcspn(rest, "/?#");
    if (host_len > len)
        host_len = len;
    /* Credentials in the URL (user:pass@host) stay out of messages. */
    const char *at = memchr(rest, '@', host_len);
    const char *h = at ? at + 1 : rest;
    size_t hl = host_len - (size_t)(h - rest);
    if (hl == 0)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "SyncUrl has no host name");
    size_t slen = strlen(scheme);
    *base = malloc(slen + len + 1);
    *host = dup_range(h, hl);
    if (!*base || !*host) {
        free(*base);
        free(*host);
        *base = *host = NULL;
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    }
    memcpy(*base, scheme, slen);
    memcpy(*base + slen, rest, len);
    (*base)[slen + len] = '\0';
    return LSQ_OK;
}

static struct curl_slist *make_headers(const char *content_type, const char *auth)
{
    /* "Expect:" turns off curl's 100-continue round trip for larger bodies. */
    const char *lines[] = { content_type, "Expect:", auth };
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < 3; i++) {
        if (!lines[i])
            continue;
        struct curl_slist *next = curl_slist_append(list, lines[i]);
        if (!next) {
            free_wiped_headers(list);
            return NULL;
        }
        list = next;
    }
    return list;
}

lsq_status lsq_remote_open(const char *sync_url, const char *auth_token,
                           const lsq_remote_opts *opts, lsq_remote **out, lsq_error *err)
{
    if (!out)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_remote_open: NULL out");
    *out = NULL;
    if (!sync_url || !*sync_url)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "SyncUrl is empty");
    pthread_once(&curl_once, init_curl_once);
    if (curl_init_result != CURLE_OK)
        return lsq_fail(err, LSQ_ERR_MISC, (int)curl_init_result, "libcurl initialisation failed: %s",
                        curl_easy_strerror(curl_init_result));

    lsq_remote *r = calloc(1, sizeof *r);
    if (!r)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    lsq_status st = normalise_url(sync_url, &r->base_url, &r->host, err);
    if (st != LSQ_OK) {
        free(r);
        return st;
    }
    r->connect_timeout_ms = opts && opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 10000;
    r->request_timeout_ms = opts && opts->request_timeout_ms > 0 ? opts->request_timeout_ms : 60000;
    r->insecure = opts ? opts->insecure : 0;
    r->max_body = DEFAULT_MAX_BODY;
    if (opts && opts->ca_file && *opts->ca_file && !(r->ca_file = strdup(opts->ca_file)))
        goto nomem;
    if (auth_token && *auth_token) {
        static const char prefix[] = "Authorization: Bearer ";
        size_t n = strlen(auth_token);
        r->auth_header = malloc(sizeof prefix + n);
        if (!r->auth_header)
            goto nomem;
        memcpy(r->auth_header, prefix, sizeof prefix - 1);
        memcpy(r->auth_header + sizeof prefix - 1, auth_token, n + 1);
    }
    r->proto_headers = make_headers("Content-Type: application/protobuf", r->auth_header);
    r->json_headers = make_headers("Content-Type: application/json", r->auth_header);
    r->curl = curl_easy_init();
    if (!r->proto_headers || !r->json_headers || !r->curl)
        goto nomem;
    *out = r;
    return LSQ_OK;
nomem:
    lsq_remote_close(r);
    return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
}

void lsq_remote_close(lsq_remote *r)
{
    if (!r)
        return;
    if (r->curl)
        curl_easy_cleanup(r->curl);
    free_wiped_headers(r->proto_headers);
    free_wiped_headers(r->json_headers);
    free_wiped_string(r->auth_header);
    free(r->base_url);
    free(r->host);
    free(r->ca_file);
    wipe(r, sizeof *r);
    free(r);
}

void lsq_remote_set_max_body(lsq_remote *r, size_t max_bytes)
{
    if (r)
        r->max_body = max_bytes ? max_bytes : DEFAULT_MAX_BODY;
}

void lsq_remote_set_progress(lsq_remote *r, lsq_progress_fn fn, void *ctx)
{
    if (r) {
        r->progress_fn = fn;
        r->progress_ctx = fn ? ctx : NULL;
    }
}

long lsq_remote_request_timeout_ms(const lsq_remote *r)
{
    return r ? r->request_timeout_ms : 0;
}

/* CURLOPT_XFERINFOFUNCTION: only the download side matters (the request
 * bodies are tiny). dltotal is 0 until Content-Length is known. */
static int on_progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)ultotal;
    (void)ulnow;
    lsq_remote *r = clientp;
    if (r->progress_fn)
        r->progress_fn(r->progress_ctx, dlnow > 0 ? (uint64_t)dlnow : 0,
                       dltotal > 0 ? (uint64_t)dltotal : 0);
    return 0;   /* never abort the transfer */
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    body_buffer *b = userdata;
    size_t n = size * nmemb;
    if (n > b->max - b->len) {
        b->too_large = 1;
        return 0;               /* makes curl stop with CURLE_WRITE_ERROR */
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        /* A bootstrap body is the whole database: size the buffer once from
         * Content-Length instead of doubling (and copying) it all the way. */
        curl_off_t announced = -1;
        if (!b->cap && b->curl &&
            curl_easy_getinfo(b->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced) == CURLE_OK &&
            announced > 0 && (size_t)announced < b->max)
            cap = (size_t)announced + 1;
        while (cap < b->len + n + 1)
            cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
        unsigned char *d = realloc(b->data, cap);
        if (!d) {
            b->no_memory = 1;
            return 0;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->received = b->len;
    b->data[b->len] = '\0';     /* JSON callers get a C string for free */
    return n;
}

static int is_tls_error(CURLcode rc)
{
    switch (rc) {
    case CURLE_SSL_CONNECT_ERROR: case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM: case CURLE_SSL_CIPHER: case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND: case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED: case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE: case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH: case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
        return 1;
    default:
        return 0;
    }
}

/* A printable excerpt of an error body, so "HTTP 500" comes with its reason. */
static void excerpt(const body_buffer *b, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < b->len && n + 1 < cap && i < 200; i++) {
        unsigned char ch = b->data[i];
        out[n++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : ' ';
    }
    while (n && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

static lsq_status transport_failure(lsq_remote *r, CURLcode rc, const body_buffer *b,
                                    lsq_error *err)
{
    const char *why = r->curl_message[0] ? r->curl_message : curl_easy_strerror(rc);
    if (b->cb_status != LSQ_OK) {
        if (err)
            *err = b->cb_err;
        return b->cb_status;
    }
    if (b->too_large)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                        "response from %s is larger than the limit of %zu bytes", r->host, b->max);
    if (b->no_memory || rc == CURLE_OUT_OF_MEMORY)
        return lsq_fail(err, LSQ_ERR_NOMEM, (int)rc, "out of memory reading the response from %s",
                        r->host);
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return lsq_fail(err, LSQ_ERR_TIMEOUT, (int)rc, "request to %s timed out: %s", r->host, why);
    if (is_tls_error(rc))
        return lsq_fail(err, LSQ_ERR_NETWORK, (int)rc, "TLS error talking to %s: %s", r->host, why);
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST: case CURLE_COULDNT_RESOLVE_PROXY:
        return lsq_fail(err, LSQ_ERR_NETWORK, (int)rc, "cannot resolve host %s: %s", r->host, why);
    case CURLE_COULDNT_CONNECT:
        return lsq_fail(err, LSQ_ERR_NETWORK, (int)rc, "cannot connect to %s: %s", r->host, why);
    case CURLE_UNSUPPORTED_PROTOCOL: case CURLE_URL_MALFORMAT:
        return lsq_fail(err, LSQ_ERR_MISUSE, (int)rc, "invalid SyncUrl for %s: %s", r->host, why);
    default: /* RECV/SEND errors, partial file, empty reply, ... */
        return lsq_fail(err, LSQ_ERR_NETWORK, (int)rc, "connection to %s failed: %s", r->host, why);
    }
}

static lsq_status http_failure(lsq_remote *r, long status, const char *path,
                               const body_buffer *b, lsq_error *err)
{
    char text[201];
    excerpt(b, text, sizeof text);
    if (status == 401 || status == 403)
        return lsq_fail(err, LSQ_ERR_AUTH, (int)status,
                        "%s refused the request (HTTP %ld): %s", r->host, status,
                        r->auth_header ? "check AuthToken" : "an AuthToken is required");
    if (status == 404)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, (int)status,
                        "endpoint not found: is SyncUrl a libSQL primary? (HTTP 404 for %s on %s)",
                        path, r->host);
    if (status >= 500)
        return lsq_fail(err, LSQ_ERR_NETWORK, (int)status, "primary %s failed: HTTP %ld%s%s",
                        r->host, status, text[0] ? ": " : "", text);
    return lsq_fail(err, LSQ_ERR_PROTOCOL, (int)status, "unexpected HTTP %ld from %s%s%s", status,
                    r->host, text[0] ? ": " : "", text);
}

/* POSTs body to base_url + path; on success *out holds the 2xx body.
 * extra_ms lengthens the total timeout by the time the server may hold a
 * long poll, so waiting for news is not mistaken for a dead primary. */
static lsq_status post(lsq_remote *r, const char *path, struct curl_slist *headers,
                       const void *body, size_t body_len, long extra_ms, body_buffer *out,
                       curl_write_callback write_fn, void *write_ctx, lsq_error *err)
{
    memset(out, 0, sizeof *out);
    out->curl = r->curl;
    out->max = r->max_body;
    size_t ulen = strlen(r->base_url) + strlen(path) + 1;
    char *url = malloc(ulen);
    if (!url)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    snprintf(url, ulen, "%s%s", r->base_url, path);

    CURL *c = r->curl;
    /* Reset clears last request's options but keeps the connection cache. */
    curl_easy_reset(c);
    r->curl_message[0] = '\0';
    int ok = 1;
    ok &= curl_easy_setopt(c, CURLOPT_URL, url) == CURLE_OK;
#if LIBCURL_VERSION_NUM >= 0x075500
    ok &= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
#endif
    ok &= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->curl_message) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_POST, 1L) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_POSTFIELDS, body_len ? body : "") == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_USERAGENT, "libsql-odbc/0.1") == CURLE_OK;
    /* A redirect could carry the bearer token to another host: never follow. */
    ok &= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, r->connect_timeout_ms) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, r->request_timeout_ms + extra_ms) == CURLE_OK;
    if (write_fn) {
        ok &= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_fn) == CURLE_OK;
        ok &= curl_easy_setopt(c, CURLOPT_WRITEDATA, write_ctx) == CURLE_OK;
        ok &= curl_easy_setopt(c, CURLOPT_BUFFERSIZE, PULL_BUFFER_SIZE) == CURLE_OK;
    } else {
        ok &= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
        ok &= curl_easy_setopt(c, CURLOPT_WRITEDATA, out) == CURLE_OK;
    }
    if (r->ca_file)
        ok &= curl_easy_setopt(c, CURLOPT_CAINFO, r->ca_file) == CURLE_OK;
    if (r->insecure) {
        ok &= curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L) == CURLE_OK;
        ok &= curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L) == CURLE_OK;
    }
    /* Progress reporting costs nothing unless someone asked for it. */
    if (r->progress_fn) {
        ok &= curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress) == CURLE_OK;
        ok &= curl_easy_setopt(c, CURLOPT_XFERINFODATA, r) == CURLE_OK;
        ok &= curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L) == CURLE_OK;
    }
    if (!ok) {
        free(url);
        return lsq_fail(err, LSQ_ERR_MISC, 0, "libcurl rejected an option for %s", r->host);
    }

    CURLcode rc = curl_easy_perform(c);
    free(url);
    lsq_status st = LSQ_OK;
    if (rc != CURLE_OK) {
        st = transport_failure(r, rc, out, err);
    } else {
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (status < 200 || status > 299)
            st = http_failure(r, status, path, out, err);
    }
    /* curl may stop calling back before the last bytes: report the end. */
    if (st == LSQ_OK && r->progress_fn) {
        curl_off_t total = -1;
        if (curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &total) != CURLE_OK)
            total = -1;
        r->progress_fn(r->progress_ctx, (uint64_t)out->received, total > 0 ? (uint64_t)total : 0);
    }
    if (st != LSQ_OK) {
        free(out->data);
        memset(out, 0, sizeof *out);
    }
    return st;
}

/* ---- /pull-updates, read while it downloads ---- */

/* The write callback's state for a streamed pull. */
typedef struct pull_body {
    body_buffer diag;           /* cap, counts, an error answer's first bytes */
    lsq_pull_stream *stream;
    lsq_remote *r;
    int status_known, is_error;
    uint64_t announced;         /* Content-Length, 0 = unknown */
} pull_body;

/* Bytes of a non-2xx answer kept for its message. */
#define ERROR_BODY_KEEP 4096

static size_t on_pull_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    pull_body *pb = userdata;
    body_buffer *b = &pb->diag;
    size_t n = size * nmemb;
    if (n > b->max - b->received) {
        b->too_large = 1;
        return 0;               /* makes curl stop with CURLE_WRITE_ERROR */
    }
    if (!pb->status_known) {
        /* The status line and headers are in before the first body byte. */
        long status = 0;
        curl_easy_getinfo(b->curl, CURLINFO_RESPONSE_CODE, &status);
        pb->is_error = status < 200 || status > 299;
        pb->status_known = 1;
        curl_off_t cl = -1;
        if (curl_easy_getinfo(b->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK &&
            cl > 0)
            pb->announced = (uint64_t)cl;
    }
    if (pb->is_error) {
        /* Not protobuf: keep the start for http_failure's excerpt. */
        size_t keep = b->len < ERROR_BODY_KEEP ? ERROR_BODY_KEEP - b->len : 0;
        if (keep > n)
            keep = n;
        if (keep && !b->data && !(b->data = malloc(ERROR_BODY_KEEP + 1))) {
            b->no_memory = 1;
            return 0;
        }
        if (keep) {
            memcpy(b->data + b->len, ptr, keep);
            b->len += keep;
            b->data[b->len] = '\0';
        }
        b->received += n;
        return n;
    }
    b->received += n;
    lsq_status st = lsq_pull_stream_feed(pb->stream, (const unsigned char *)ptr, n, &b->cb_err);
    if (st != LSQ_OK) {
        b->cb_status = st;
        return 0;
    }
    /* curl reads up to 100 buffers (25 MB here) between two calls of its
     * progress callback when data keep coming: report every piece. */
    if (pb->r->progress_fn)
        pb->r->progress_fn(pb->r->progress_ctx, b->received, pb->announced);
    return n;
}

/* A streamed pull as of server_revision (NULL = the newest). */
static lsq_status pull_stream_at(lsq_remote *r, const char *server_revision,
                                 const char *client_revision, uint32_t long_poll_ms,
                                 const lsq_pull_sink *sink, size_t *body_len, size_t *npages,
                                 lsq_error *err)
{
    if (body_len)
        *body_len = 0;
    if (npages)
        *npages = 0;
    if (!r || !sink)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_remote_pull_stream: NULL argument");
    size_t cap = (client_revision ? strlen(client_revision) : 0) +
                 (server_revision ? strlen(server_revision) : 0) + 32;
    unsigned char *req = malloc(cap);
    if (!req)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    long req_len = lsq_proto_encode_pull_request(server_revision, client_revision, long_poll_ms,
                                                 req, cap);
    if (req_len < 0) {
        free(req);
        return lsq_fail(err, LSQ_ERR_MISC, 0, "pull-updates request did not fit its buffer");
    }
    pull_body pb;
    memset(&pb, 0, sizeof pb);
    pb.r = r;
    lsq_status st = lsq_pull_stream_new(sink, &pb.stream, err);
    if (st != LSQ_OK) {
        free(req);
        return st;
    }
    st = post(r, "/pull-updates", r->proto_headers, req, (size_t)req_len, (long)long_poll_ms,
              &pb.diag, on_pull_body, &pb, err);
    free(req);
    if (st == LSQ_OK)
        st = lsq_pull_stream_finish(pb.stream, err);
    if (st == LSQ_OK) {
        if (body_len)
            *body_len = pb.diag.received;
        if (npages)
            *npages = lsq_pull_stream_pages(pb.stream);
    }
    free(pb.diag.data);
    lsq_pull_stream_free(pb.stream);
    return st;
}

lsq_status lsq_remote_pull_stream(lsq_remote *r, const char *client_revision,
                                  uint32_t long_poll_ms, const lsq_pull_sink *sink,
                                  size_t *body_len, size_t *npages, lsq_error *err)
{
    return pull_stream_at(r, NULL, client_revision, long_poll_ms, sink, body_len, npages, err);
}

/* ---- lsq_remote_pull: every page kept, contiguous in pgno order ---- */

/* The page images of a pull, copied out of the body as they arrive, back to
 * back; sorted into pgno order in place at the end, so the applier writes
 * runs of consecutive pages with one call each. */
typedef struct page_store {
    lsq_pull_result *out;
    CURL *curl;                 /* Content-Length sizes the store once */
    unsigned char *data;
    size_t cap;                 /* pages */
    uint32_t *pgno;
    size_t n;
} page_store;

/* Large buffers of pages ask for transparent huge pages: every first touch
 * of fresh memory is a page fault, and on the shared VM a 4 KiB fault
 * costs ~12 us, so 40 MB of 4 KiB pages cost ~0.5 s, 2 MiB pages ~0.05 s. */
#define HUGE_PAGE ((size_t)2 << 20)

static unsigned char *alloc_pages(size_t npages)
{
    size_t bytes = npages * PAGE_BYTES;
    void *p = NULL;
    if (bytes >= HUGE_PAGE) {
        bytes = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
        if (posix_memalign(&p, HUGE_PAGE, bytes) != 0)
            return NULL;
#ifdef MADV_HUGEPAGE
        madvise(p, bytes, MADV_HUGEPAGE);   /* advice only: failure changes nothing */
#endif
        return p;
    }
    return malloc(bytes ? bytes : 1);
}

static lsq_status store_reserve(page_store *ps, size_t need, lsq_error *err)
{
    if (need <= ps->cap)
        return LSQ_OK;
    size_t cap = ps->cap ? ps->cap * 2 : 64;
    if (!ps->cap && ps->curl) {
        /* Every PageData message costs more than a page: Content-Length
         * bounds the page count. */
        curl_off_t announced = -1;
        if (curl_easy_getinfo(ps->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced) ==
                CURLE_OK && announced > 0)
            cap = (size_t)announced / PAGE_BYTES + 1;
    }
    if (cap < need)
        cap = need;
    unsigned char *d = alloc_pages(cap);
    uint32_t *g = realloc(ps->pgno, cap * sizeof *g);
    if (g)
        ps->pgno = g;
    if (!d || !g) {
        free(d);
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory for %zu pulled pages", cap);
    }
    if (ps->n)
        memcpy(d, ps->data, ps->n * PAGE_BYTES);
    free(ps->data);
    ps->data = d;
    ps->cap = cap;
    return LSQ_OK;
}

static lsq_status store_header(void *ctx, const char *revision, uint64_t db_size_pages,
                               int apply_mode, lsq_error *err)
{
    page_store *ps = ctx;
    ps->out->server_revision = strdup(revision);
    if (!ps->out->server_revision)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    ps->out->db_size_pages = db_size_pages;
    ps->out->apply_mode = apply_mode;
    return LSQ_OK;
}

static lsq_status store_page(void *ctx, uint32_t pgno, const unsigned char *data, lsq_error *err)
{
    page_store *ps = ctx;
    lsq_status st = store_reserve(ps, ps->n + 1, err);
    if (st != LSQ_OK)
        return st;
    memcpy(ps->data + ps->n * PAGE_BYTES, data, PAGE_BYTES);
    ps->pgno[ps->n++] = pgno;
    return LSQ_OK;
}

typedef struct slot {
    uint32_t pgno;
    uint32_t from;              /* arrival index */
} slot;

static int by_slot_pgno(const void *a, const void *b)
{
    const slot *x = a, *y = b;
    return x->pgno < y->pgno ? -1 : x->pgno > y->pgno;
}

/* Sort the store's pages into pgno order in place (unique: the reader
 * refused duplicates): follow each cycle of the permutation with one spare
 * page. The server sends pages mostly in order, so little moves. */
static lsq_status store_sort(page_store *ps, lsq_page *pages, lsq_error *err)
{
    slot *order = malloc(ps->n * sizeof *order);
    unsigned char *spare = malloc(PAGE_BYTES);
    if (!order || !spare) {
        free(order);
        free(spare);
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    }
    for (size_t i = 0; i < ps->n; i++) {
        order[i].pgno = ps->pgno[i];
        order[i].from = (uint32_t)i;
    }
    qsort(order, ps->n, sizeof *order, by_slot_pgno);
    for (size_t i = 0; i < ps->n; i++) {
        pages[i].pgno = order[i].pgno;
        pages[i].data = ps->data + i * PAGE_BYTES;
    }
    /* Position j must receive the page that arrived at order[j].from. */
    for (size_t i = 0; i < ps->n; i++) {
        if (order[i].from == i)
            continue;
        memcpy(spare, ps->data + i * PAGE_BYTES, PAGE_BYTES);
        size_t j = i;
        for (;;) {
            size_t k = order[j].from;
            order[j].from = (uint32_t)j;
            if (k == i) {
                memcpy(ps->data + j * PAGE_BYTES, spare, PAGE_BYTES);
                break;
            }
            memcpy(ps->data + j * PAGE_BYTES, ps->data + k * PAGE_BYTES, PAGE_BYTES);
            j = k;
        }
    }
    free(order);
    free(spare);
    return LSQ_OK;
}

lsq_status lsq_remote_pull(lsq_remote *r, const char *client_revision, uint32_t long_poll_ms,
                           lsq_pull_result *out, lsq_error *err)
{
    return lsq_remote_pull_at(r, NULL, client_revision, long_poll_ms, out, err);
}

lsq_status lsq_remote_pull_at(lsq_remote *r, const char *server_revision,
                              const char *client_revision, uint32_t long_poll_ms,
                              lsq_pull_result *out, lsq_error *err)
{
    if (!r || !out)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_remote_pull: NULL argument");
    memset(out, 0, sizeof *out);
    page_store ps = { out, r->curl, NULL, 0, NULL, 0 };
    lsq_pull_sink sink = { &ps, store_header, store_page };
    size_t received = 0;
    lsq_status st = pull_stream_at(r, server_revision, client_revision, long_poll_ms, &sink,
                                   &received, NULL, err);
    if (st == LSQ_OK && ps.n) {
        out->pages = malloc(ps.n * sizeof *out->pages);
        st = out->pages ? store_sort(&ps, out->pages, err)
                        : lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    }
    free(ps.pgno);
    if (st != LSQ_OK) {
        free(ps.data);
        lsq_pull_result_free(out);
        return st;
    }
    out->npages = ps.n;
    out->body = ps.data;
    out->body_len = received;
    return LSQ_OK;
}

lsq_status lsq_remote_pipeline(lsq_remote *r, const char *json_body, char **response,
                               lsq_error *err)
{
    return lsq_remote_pipeline_timeout(r, json_body, 0, response, err);
}

lsq_status lsq_remote_pipeline_timeout(lsq_remote *r, const char *json_body, long timeout_ms,
                                       char **response, lsq_error *err)
{
    if (!r || !json_body || !response)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_remote_pipeline: NULL argument");
    *response = NULL;
    body_buffer b;
    /* post() adds extra_ms to the connection's request timeout; a per-call
     * bound (SQL_ATTR_QUERY_TIMEOUT) replaces it. */
    long extra_ms = timeout_ms > 0 ? timeout_ms - r->request_timeout_ms : 0;
    lsq_status st = post(r, "/v2/pipeline", r->json_headers, json_body, strlen(json_body),
                         extra_ms, &b, NULL, NULL, err);
    if (st != LSQ_OK)
        return st;
    if (!b.data) /* an empty 200 body: hand back "" rather than NULL */
        b.data = (unsigned char *)calloc(1, 1);
    if (!b.data)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    *response = (char *)b.data;
    return LSQ_OK;
}
