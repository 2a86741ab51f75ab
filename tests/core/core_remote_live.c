/*
 * core_remote_live.c — core/http.c and core/pull_proto.c against a real
 * primary (tursodb --sync-server, started with tests/node/primary.sh) and a
 * deliberately misbehaving server (tests/node/fake_server.js).
 *
 * Runs through tests/integration/run.sh (LSQ_TEST_TMP, LSQ_SOURCE_DIR). A
 * crude page writer stands in for the real applier: it is enough to prove the
 * pulled pages make a database that SQLite opens, that reads the rows written
 * through /v2/pipeline and passes integrity_check, and that an incremental
 * pull on top of a bootstrap gives the same file as a fresh bootstrap.
 * Prints "N passed, M failed"; exits non-zero on any failure or when the
 * environment is missing (never skips silently).
 */
#include "remote.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

static int passed, failed;
static char tmpdir[512], srcdir[512], primary_dir[600], fake_dir[600];
static int primary_started;
static pid_t fake_pids[2];  /* plain HTTP and HTTPS fake servers */

static void check(int ok, const char *what, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *what, ...)
{
    va_list ap;
    va_start(ap, what);
    printf("%s: ", ok ? "PASS" : "FAIL");
    vprintf(what, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    if (ok)
        passed++;
    else
        failed++;
}

static void stop_servers(void)
{
    if (primary_started) {
        char cmd[2048];
        snprintf(cmd, sizeof cmd, "bash '%s/tests/node/primary.sh' stop '%s'", srcdir, primary_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "warning: primary.sh stop failed\n");
        primary_started = 0;
    }
    for (int i = 0; i < 2; i++) {
        if (fake_pids[i] > 0) {
            kill(fake_pids[i], SIGTERM);
            waitpid(fake_pids[i], NULL, 0);
            fake_pids[i] = 0;
        }
    }
}

static void on_signal(int sig)
{
    (void)sig;
    stop_servers();
    _exit(2);
}

static int read_int_file(const char *path, int wait_ms)
{
    for (int waited = 0; waited <= wait_ms; waited += 50) {
        FILE *f = fopen(path, "r");
        if (f) {
            int v = 0;
            int n = fscanf(f, "%d", &v);
            fclose(f);
            if (n == 1 && v > 0)
                return v;
        }
        usleep(50 * 1000);
    }
    return -1;
}

/* A loopback port nobody listens on: bind port 0, note it, close. */
static int closed_port(void)
{
    FILE *p = popen("/usr/bin/python3 -c 'import socket; s=socket.socket(); "
                    "s.bind((\"127.0.0.1\",0)); print(s.getsockname()[1])'", "r");
    int port = -1;
    if (p) {
        if (fscanf(p, "%d", &port) != 1)
            port = -1;
        pclose(p);
    }
    return port;
}

/* ---- SQL on the primary through lsq_remote_pipeline ---- */

/* Runs each statement as one execute request; 0 when every result is ok. */
static int run_sql(lsq_remote *r, const char *const *stmts, size_t n)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNullToObject(root, "baton");
    cJSON *reqs = cJSON_AddArrayToObject(root, "requests");
    for (size_t i = 0; i < n; i++) {
        cJSON *req = cJSON_CreateObject();
        cJSON_AddStringToObject(req, "type", "execute");
        cJSON *stmt = cJSON_AddObjectToObject(req, "stmt");
        cJSON_AddStringToObject(stmt, "sql", stmts[i]);
        cJSON_AddItemToArray(reqs, req);
    }
    char *body = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    char *resp = NULL;
    lsq_error err = { 0 };
    lsq_status st = lsq_remote_pipeline(r, body, &resp, &err);
    free(body);
    if (st != LSQ_OK) {
        fprintf(stderr, "pipeline failed (%d): %s\n", st, err.message);
        return -1;
    }
    int bad = 0;
    cJSON *json = cJSON_Parse(resp);
    cJSON *results = json ? cJSON_GetObjectItem(json, "results") : NULL;
    if (!cJSON_IsArray(results) || (size_t)cJSON_GetArraySize(results) != n)
        bad = 1;
    for (int i = 0; !bad && i < cJSON_GetArraySize(results); i++) {
        cJSON *type = cJSON_GetObjectItem(cJSON_GetArrayItem(results, i), "type");
        if (!cJSON_IsString(type) || strcmp(type->valuestring, "ok") != 0)
            bad = 1;
    }
    if (bad)
        fprintf(stderr, "pipeline answer not ok: %s\n", resp);
    cJSON_Delete(json);
    free(resp);
    return bad ? -1 : 0;
}

/* ---- the crude applier ---- */

static int write_pages(const char *path, const lsq_pull_result *res)
{
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    if (fd < 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < res->npages && rc == 0; i++) {
        unsigned char page[PAGE];
        memcpy(page, res->pages[i].data, PAGE);
        if (res->pages[i].pgno == 1)
            page[18] = page[19] = 1;    /* WAL mode on the primary, rollback here */
        if (pwrite(fd, page, PAGE, (off_t)(res->pages[i].pgno - 1) * PAGE) != PAGE)
            rc = -1;
    }
    if (rc == 0 && ftruncate(fd, (off_t)res->db_size_pages * PAGE) != 0)
        rc = -1;
    close(fd);
    return rc;
}

/* Returns the single integer of `sql` on the file, or -1. */
static long long query_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    long long v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        else
            fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return v;
}

static int integrity_ok(const char *path)
{
    sqlite3 *db = NULL;
    int ok = 0;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(st, 0);
            ok = t && strcmp(t, "ok") == 0;
            if (!ok)
                fprintf(stderr, "integrity_check: %s\n", t ? t : "(null)");
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return ok;
}

static int files_equal(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int eq = fa && fb;
    while (eq) {
        int ca = fgetc(fa), cb = fgetc(fb);
        if (ca != cb)
            eq = 0;
        if (ca == EOF || cb == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return eq;
}

/* ---- the tests ---- */

static void test_primary(int port)
{
    char url[128], replica[700], fresh[700];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);    /* trailing '/' on purpose */
    snprintf(replica, sizeof replica, "%s/replica.db", tmpdir);
    snprintf(fresh, sizeof fresh, "%s/fresh.db", tmpdir);

    lsq_remote *r = NULL;
    lsq_error err = { 0 };
    lsq_remote_opts opts = { .connect_timeout_ms = 2000, .request_timeout_ms = 20000 };
    check(lsq_remote_open(url, NULL, &opts, &r, &err) == LSQ_OK, "open %s (%s)", url, err.message);
    if (!r)
        return;

    /* Schema and rows through Hrana; the filler table makes the file big
     * enough that an incremental pull is visibly smaller than a bootstrap. */
    /* tursodb 0.6.0 has no recursive CTEs: spell the 300 filler rows out. */
    static char fill[300 * 110 + 64];
    size_t len = (size_t)snprintf(fill, sizeof fill, "INSERT INTO filler(x) VALUES ");
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(fill + len, sizeof fill - len, "%s('%0100d')", i ? "," : "", i);
    const char *setup[] = {
        "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)",
        "INSERT INTO t(v) VALUES ('alpha'), ('beta'), ('gamma')",
        "CREATE TABLE filler(x TEXT)",
        fill,
    };
    check(run_sql(r, setup, 4) == 0, "create and fill tables through /v2/pipeline");

    lsq_pull_result boot;
    lsq_status st = lsq_remote_pull(r, NULL, 0, &boot, &err);
    check(st == LSQ_OK, "bootstrap pull (%s)", st ? err.message : "ok");
    if (st != LSQ_OK) {
        lsq_remote_close(r);
        return;
    }
    int contiguous = boot.npages == boot.db_size_pages;
    for (size_t i = 0; contiguous && i < boot.npages; i++)
        contiguous = boot.pages[i].pgno == i + 1;
    check(boot.db_size_pages >= 5 && contiguous,
          "bootstrap returns every page 1..db_size (%zu pages, db_size %llu)", boot.npages,
          (unsigned long long)boot.db_size_pages);
    check(boot.server_revision[0] != '\0', "bootstrap has a revision (\"%s\")", boot.server_revision);
    check(boot.npages && boot.pages[0].data[18] == 2 && boot.pages[0].data[19] == 2,
          "page 1 comes in WAL mode (bytes 18/19 = 2)");
    check(boot.body && boot.body_len > boot.npages * PAGE, "result owns the response body");

    check(write_pages(replica, &boot) == 0, "write bootstrap pages to %s", replica);
    check(query_int(replica, "SELECT count(*) FROM t") == 3, "replica has the 3 rows of t");
    check(query_int(replica, "SELECT count(*) FROM filler") == 300, "replica has 300 filler rows");
    check(integrity_ok(replica), "bootstrap replica passes integrity_check");

    /* One more row: only the changed pages come back. */
    const char *more[] = { "INSERT INTO t(v) VALUES ('delta')" };
    check(run_sql(r, more, 1) == 0, "insert one more row");
    lsq_pull_result inc;
    st = lsq_remote_pull(r, boot.server_revision, 0, &inc, &err);
    check(st == LSQ_OK, "incremental pull from revision %s (%s)", boot.server_revision,
          st ? err.message : "ok");
    if (st == LSQ_OK) {
        check(strcmp(inc.server_revision, boot.server_revision) != 0,
              "revision moved (%s -> %s)", boot.server_revision, inc.server_revision);
        check(inc.npages >= 1 && inc.npages < boot.npages / 2,
              "incremental pull returns only changed pages (%zu of %zu)", inc.npages, boot.npages);
        check(write_pages(replica, &inc) == 0, "apply incremental pages");
        check(query_int(replica, "SELECT count(*) FROM t") == 4, "replica sees the new row");
        check(integrity_ok(replica), "incremental replica passes integrity_check");

        /* Same revision again: nothing new. */
        lsq_pull_result again;
        st = lsq_remote_pull(r, inc.server_revision, 0, &again, &err);
        check(st == LSQ_OK && again.npages == 0 &&
                  strcmp(again.server_revision, inc.server_revision) == 0,
              "pull at the newest revision returns no pages (%s)", st ? err.message : "ok");
        lsq_pull_result_free(&again);

        /* The incrementally updated file equals a fresh bootstrap. */
        lsq_pull_result full;
        st = lsq_remote_pull(r, "", 0, &full, &err);
        check(st == LSQ_OK && write_pages(fresh, &full) == 0 && files_equal(replica, fresh),
              "bootstrap + incremental == fresh bootstrap, byte for byte");
        lsq_pull_result_free(&full);

        /* A revision from the future: tursodb 0.6.0 answers with its own
         * revision and no pages rather than an error (recorded behaviour;
         * the replica must notice the revision went backwards). */
        lsq_pull_result bogus;
        st = lsq_remote_pull(r, "999999", 0, &bogus, &err);
        check(st == LSQ_OK && bogus.npages == 0 &&
                  strcmp(bogus.server_revision, inc.server_revision) == 0,
              "bogus revision 999999: no pages, server revision %s (%s)",
              st == LSQ_OK ? bogus.server_revision : "-", st ? err.message : "ok");
        lsq_pull_result_free(&bogus);
        /* A non-numeric revision is taken as none: everything comes back. */
        st = lsq_remote_pull(r, "not-a-revision", 0, &bogus, &err);
        check(st == LSQ_OK && bogus.npages == bogus.db_size_pages,
              "non-numeric revision returns every page (%s)", st ? err.message : "ok");
        lsq_pull_result_free(&bogus);
        lsq_pull_result_free(&inc);
    }
    lsq_pull_result_free(&boot);

    /* A tiny body cap turns the bootstrap into a protocol error. */
    lsq_remote_set_max_body(r, 1000);
    st = lsq_remote_pull(r, NULL, 0, &boot, &err);
    check(st == LSQ_ERR_PROTOCOL && strstr(err.message, "larger than the limit"),
          "oversized body -> PROTOCOL (%s)", err.message);
    lsq_remote_set_max_body(r, 0);

    /* A failing SQL statement is still an HTTP 200: pipeline succeeds and the
     * error is in the JSON (the caller, not http.c, maps it). */
    char *resp = NULL;
    st = lsq_remote_pipeline(r,
                             "{\"baton\":null,\"requests\":[{\"type\":\"execute\","
                             "\"stmt\":{\"sql\":\"SELECT * FROM no_such_table\"}}]}",
                             &resp, &err);
    check(st == LSQ_OK && resp && strstr(resp, "\"type\":\"error\""),
          "SQL error comes back as a JSON error result");
    free(resp);
    lsq_remote_close(r);

    /* A path that is not a primary: the server's own 404. */
    char wrong[160];
    snprintf(wrong, sizeof wrong, "http://127.0.0.1:%d/not/a/primary", port);
    if (lsq_remote_open(wrong, NULL, &opts, &r, &err) == LSQ_OK) {
        st = lsq_remote_pull(r, NULL, 0, &boot, &err);
        check(st == LSQ_ERR_PROTOCOL && strstr(err.message, "endpoint not found"),
              "tursodb 404 -> PROTOCOL (%s)", err.message);
        lsq_remote_close(r);
    } else {
        check(0, "open %s", wrong);
    }
}

static void test_closed_port(void)
{
    int port = closed_port();
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    lsq_remote *r = NULL;
    lsq_error err = { 0 };
    lsq_pull_result res;
    if (port < 0 || lsq_remote_open(url, "s3cret-token", NULL, &r, &err) != LSQ_OK) {
        check(0, "open %s", url);
        return;
    }
    lsq_status st = lsq_remote_pull(r, NULL, 0, &res, &err);
    check(st == LSQ_ERR_NETWORK && strstr(err.message, "127.0.0.1") &&
              !strstr(err.message, "s3cret"),
          "closed port -> NETWORK naming the host, not the token (%s)", err.message);
    char *resp = NULL;
    st = lsq_remote_pipeline(r, "{}", &resp, &err);
    check(st == LSQ_ERR_NETWORK && resp == NULL, "closed port pipeline -> NETWORK");
    lsq_remote_close(r);

    st = lsq_remote_open("libsql://no-such-host.invalid", NULL, NULL, &r, &err);
    if (st == LSQ_OK) {
        st = lsq_remote_pull(r, NULL, 0, &res, &err);
        check(st == LSQ_ERR_NETWORK && strstr(err.message, "no-such-host.invalid"),
              "unresolvable libsql:// host -> NETWORK (%s)", err.message);
        lsq_remote_close(r);
    } else {
        check(0, "open libsql://no-such-host.invalid");
    }
    check(lsq_remote_open("ftp://example.com", NULL, NULL, &r, &err) == LSQ_ERR_MISUSE && !r,
          "ftp:// SyncUrl refused (%s)", err.message);
    check(lsq_remote_open("https://", NULL, NULL, &r, &err) == LSQ_ERR_MISUSE && !r,
          "SyncUrl without host refused (%s)", err.message);
}

/* Starts tests/node/fake_server.js (HTTPS when cert/key are given); returns its port. */
static int start_fake(int slot, const char *cert, const char *key)
{
    char script[700], portfile[700];
    snprintf(script, sizeof script, "%s/tests/node/fake_server.js", srcdir);
    snprintf(portfile, sizeof portfile, "%s/fake%d.port", fake_dir, slot);
    mkdir(fake_dir, 0755);
    pid_t pid = fork();
    if (pid == 0) {
        unsetenv("LD_PRELOAD");     /* node is not ours to sanitize */
        execlp("node", "node", script, portfile, cert, key, (char *)NULL);
        _exit(127);
    }
    if (pid < 0)
        return -1;
    fake_pids[slot] = pid;
    return read_int_file(portfile, 10000);
}

/* Pulls from base_url + prefix; returns the status and fills err. */
static lsq_status pull_at(int port, const char *prefix, const char *token, long timeout_ms,
                          lsq_error *err)
{
    char url[200];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, prefix);
    lsq_remote_opts opts = { .connect_timeout_ms = 2000, .request_timeout_ms = timeout_ms };
    lsq_remote *r = NULL;
    lsq_status st = lsq_remote_open(url, token, &opts, &r, err);
    if (st != LSQ_OK)
        return st;
    lsq_pull_result res;
    st = lsq_remote_pull(r, NULL, 0, &res, err);
    if (st == LSQ_OK)
        lsq_pull_result_free(&res);
    lsq_remote_close(r);
    return st;
}

static void test_fake_server(void)
{
    int port = start_fake(0, NULL, NULL);
    if (port < 0) {
        check(0, "start tests/node/fake_server.js with node");
        return;
    }
    lsq_error err = { 0 };
    lsq_status st;
    st = pull_at(port, "", NULL, 5000, &err);
    check(st == LSQ_ERR_PROTOCOL && strstr(err.message, "endpoint not found: is SyncUrl a libSQL primary?"),
          "HTTP 404 -> PROTOCOL (%s)", err.message);
    st = pull_at(port, "/auth", "s3cret-token", 5000, &err);
    check(st == LSQ_ERR_AUTH && err.native == 401 && !strstr(err.message, "s3cret"),
          "HTTP 401 -> AUTH, token not in message (%s)", err.message);
    st = pull_at(port, "/forbid", NULL, 5000, &err);
    check(st == LSQ_ERR_AUTH && err.native == 403, "HTTP 403 -> AUTH (%s)", err.message);
    st = pull_at(port, "/boom", NULL, 5000, &err);
    check(st == LSQ_ERR_NETWORK && err.native == 503 && strstr(err.message, "503") &&
              strstr(err.message, "primary overloaded"),
          "HTTP 503 -> NETWORK with status and reason (%s)", err.message);
    st = pull_at(port, "/slow", NULL, 500, &err);
    check(st == LSQ_ERR_TIMEOUT, "slow answer -> TIMEOUT (%s)", err.message);
    st = pull_at(port, "/garbage", NULL, 5000, &err);
    check(st == LSQ_ERR_PROTOCOL, "non-protobuf 200 body -> PROTOCOL (%s)", err.message);

    /* Headers: bearer token only when set; content types per endpoint. */
    char url[200];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/echo", port);
    lsq_remote *r = NULL;
    char *resp = NULL;
    if (lsq_remote_open(url, "s3cret-token", NULL, &r, &err) == LSQ_OK &&
        lsq_remote_pipeline(r, "{}", &resp, &err) == LSQ_OK) {
        check(strstr(resp, "authorization=Bearer s3cret-token\n") &&
                  strstr(resp, "content-type=application/json\n"),
              "pipeline sends bearer token and JSON content type");
    } else {
        check(0, "echo with token (%s)", err.message);
    }
    free(resp);
    resp = NULL;
    lsq_remote_close(r);
    r = NULL;
    if (lsq_remote_open(url, NULL, NULL, &r, &err) == LSQ_OK &&
        lsq_remote_pipeline(r, "{}", &resp, &err) == LSQ_OK) {
        check(strstr(resp, "authorization=\n") != NULL, "no Authorization header without a token");
    } else {
        check(0, "echo without token (%s)", err.message);
    }
    free(resp);
    lsq_remote_close(r);

    /* https:// to a plain-HTTP server fails in the TLS handshake. */
    char tls_url[200];
    snprintf(tls_url, sizeof tls_url, "https://127.0.0.1:%d", port);
    r = NULL;
    if (lsq_remote_open(tls_url, NULL, NULL, &r, &err) == LSQ_OK) {
        lsq_pull_result res;
        st = lsq_remote_pull(r, NULL, 0, &res, &err);
        check(st == LSQ_ERR_NETWORK && strstr(err.message, "TLS"),
              "https:// to a plain HTTP port -> NETWORK with TLS (%s)", err.message);
        lsq_remote_close(r);
    }
}

/* Pipeline "{}" to url/echo with opts; returns the status, *resp the answer. */
static lsq_status echo_at(const char *url, const lsq_remote_opts *opts, char **resp,
                          lsq_error *err)
{
    lsq_remote *r = NULL;
    *resp = NULL;
    lsq_status st = lsq_remote_open(url, "tls-token", opts, &r, err);
    if (st == LSQ_OK)
        st = lsq_remote_pipeline(r, "{}", resp, err);
    lsq_remote_close(r);
    return st;
}

static void test_tls(void)
{
    char cert[700], key[700], cmd[2400];
    snprintf(cert, sizeof cert, "%s/cert.pem", fake_dir);
    snprintf(key, sizeof key, "%s/key.pem", fake_dir);
    mkdir(fake_dir, 0755);
    snprintf(cmd, sizeof cmd,
             "env -u LD_PRELOAD openssl req -x509 -newkey rsa:2048 -nodes -days 1 "
             "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
             "-keyout '%s' -out '%s' >/dev/null 2>&1", key, cert);
    if (system(cmd) != 0) {
        check(0, "make a test certificate with openssl");
        return;
    }
    int port = start_fake(1, cert, key);
    if (port < 0) {
        check(0, "start the HTTPS fake server");
        return;
    }
    char url[200], *resp = NULL;
    lsq_error err = { 0 };
    lsq_remote_opts opts = { .connect_timeout_ms = 2000, .request_timeout_ms = 5000 };

    snprintf(url, sizeof url, "libsql://127.0.0.1:%d/echo", port);
    lsq_status st = echo_at(url, &opts, &resp, &err);
    check(st == LSQ_ERR_NETWORK && strstr(err.message, "TLS") && !strstr(err.message, "tls-token"),
          "libsql:// is https; self-signed cert -> NETWORK with TLS (%s)", err.message);
    free(resp);

    opts.ca_file = cert;
    st = echo_at(url, &opts, &resp, &err);
    check(st == LSQ_OK && resp && strstr(resp, "authorization=Bearer tls-token\n"),
          "CA file makes the certificate trusted; token sent over TLS (%s)",
          st ? err.message : "ok");
    free(resp);

    opts.ca_file = NULL;
    opts.insecure = 1;
    st = echo_at(url, &opts, &resp, &err);
    check(st == LSQ_OK, "insecure skips verification (%s)", st ? err.message : "ok");
    free(resp);

    opts.insecure = 0;
    opts.ca_file = "/nonexistent/ca.pem";
    st = echo_at(url, &opts, &resp, &err);
    check(st == LSQ_ERR_NETWORK && strstr(err.message, "TLS"),
          "missing CA file -> NETWORK with TLS (%s)", err.message);
    free(resp);
}

int main(void)
{
    const char *t = getenv("LSQ_TEST_TMP"), *s = getenv("LSQ_SOURCE_DIR");
    if (!t || !s) {
        fprintf(stderr, "FAIL: LSQ_TEST_TMP and LSQ_SOURCE_DIR must be set (run via tests/integration/run.sh)\n");
        return 1;
    }
    snprintf(tmpdir, sizeof tmpdir, "%s", t);
    snprintf(srcdir, sizeof srcdir, "%s", s);
    snprintf(primary_dir, sizeof primary_dir, "%s/primary", tmpdir);
    snprintf(fake_dir, sizeof fake_dir, "%s/fake", tmpdir);
    atexit(stop_servers);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    char cmd[2048], portfile[700];
    snprintf(cmd, sizeof cmd, "bash '%s/tests/node/primary.sh' start '%s'", srcdir, primary_dir);
    int rc = system(cmd);
    primary_started = 1;    /* stop even after a half-failed start */
    snprintf(portfile, sizeof portfile, "%s/primary.port", primary_dir);
    int port = rc == 0 ? read_int_file(portfile, 0) : -1;
    check(port > 0, "start tursodb primary with tests/node/primary.sh");
    if (port > 0)
        test_primary(port);
    stop_servers();

    test_closed_port();
    test_fake_server();
    test_tls();
    stop_servers();

    printf("%d passed, %d failed\n", passed, failed);
    return failed || !passed ? 1 : 0;
}
