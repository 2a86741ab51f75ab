/*
 * live_primary.h — shared by the tests/core programs that run against a real
 * primary (tursodb --sync-server started with tests/node/primary.sh): the
 * pass/fail counters and CHECK, starting and stopping a primary, running SQL
 * on it over Hrana, and comparing its rows with a local connection's.
 * Header-only (static inline) because every core_*.c is its own program.
 */
#ifndef LSQ_TESTS_LIVE_PRIMARY_H
#define LSQ_TESTS_LIVE_PRIMARY_H

#include "lsq.h"
#include "remote.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int passed, failed;
static char tmp[512], primary_sh[1024];

#define CHECK(cond, ...)                                                                     \
    do {                                                                                     \
        if (cond) {                                                                          \
            passed++;                                                                        \
        } else {                                                                             \
            failed++;                                                                        \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                 \
            fprintf(stderr, __VA_ARGS__);                                                    \
            fputc('\n', stderr);                                                             \
        }                                                                                    \
    } while (0)

static inline void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FATAL: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fprintf(stderr, "%d passed, %d failed\n", passed, failed + 1);
    exit(1);
}

/* ---- primaries ---- */

typedef struct primary {
    char dir[600];
    char url[128];
    lsq_remote *sql;
} primary;

static inline void primary_start(primary *p, const char *name)
{
    snprintf(p->dir, sizeof p->dir, "%s/%s", tmp, name);
    char cmd[2048];
    /* Under LSQ_SANITIZE run.sh preloads ASan into every child; curl and
     * tursodb started by primary.sh can then hang, so they run without it. */
    snprintf(cmd, sizeof cmd, "env -u LD_PRELOAD '%s' start '%s' >/dev/null", primary_sh,
             p->dir);
    if (system(cmd) != 0)
        die("cannot start the primary (%s)", cmd);
    char portfile[700];
    snprintf(portfile, sizeof portfile, "%s/primary.port", p->dir);
    FILE *f = fopen(portfile, "r");
    int port = 0;
    if (!f || fscanf(f, "%d", &port) != 1)
        die("primary.sh did not write %s", portfile);
    fclose(f);
    snprintf(p->url, sizeof p->url, "http://127.0.0.1:%d", port);
    lsq_error err = {0};
    if (lsq_remote_open(p->url, NULL, NULL, &p->sql, &err) != LSQ_OK)
        die("lsq_remote_open(%s): %s", p->url, err.message);
}

static inline void primary_stop(primary *p)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "env -u LD_PRELOAD '%s' stop '%s'", primary_sh, p->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: %s failed\n", cmd);
    lsq_remote_close(p->sql);
    p->sql = NULL;
}

/* Run one statement on the primary; returns the parsed response (caller
 * frees) or NULL after reporting the error. */
static inline cJSON *primary_exec(primary *p, const char *sql)
{
    cJSON *req = cJSON_CreateObject();
    cJSON_AddNullToObject(req, "baton");
    cJSON *reqs = cJSON_AddArrayToObject(req, "requests");
    cJSON *one = cJSON_CreateObject();
    cJSON_AddStringToObject(one, "type", "execute");
    cJSON *stmt = cJSON_AddObjectToObject(one, "stmt");
    cJSON_AddStringToObject(stmt, "sql", sql);
    cJSON_AddItemToArray(reqs, one);
    char *body = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    char *resp = NULL;
    lsq_error err = {0};
    lsq_status st = lsq_remote_pipeline(p->sql, body, &resp, &err);
    free(body);
    if (st != LSQ_OK) {
        fprintf(stderr, "primary: %s: %s\n", sql, err.message);
        return NULL;
    }
    cJSON *root = cJSON_Parse(resp);
    free(resp);
    cJSON *r0 = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "results"), 0);
    const cJSON *type = cJSON_GetObjectItem(r0, "type");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "ok") != 0) {
        char *t = cJSON_PrintUnformatted(r0);
        fprintf(stderr, "primary: %s: %s\n", sql, t ? t : "?");
        free(t);
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

static inline int primary_ok(primary *p, const char *sql)
{
    cJSON *r = primary_exec(p, sql);
    cJSON_Delete(r);
    return r != NULL;
}

/* The rows of a query on the primary, rendered "a|b|\n" per row. */
static inline char *primary_rows(primary *p, const char *sql)
{
    cJSON *root = primary_exec(p, sql);
    if (!root)
        return strdup("<error>");
    cJSON *rows = cJSON_GetObjectItem(
        cJSON_GetObjectItem(
            cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "results"), 0),
                                "response"),
            "result"),
        "rows");
    sqlite3_str *out = sqlite3_str_new(NULL);
    cJSON *row;
    cJSON_ArrayForEach(row, rows)
    {
        cJSON *v;
        cJSON_ArrayForEach(v, row)
        {
            const cJSON *type = cJSON_GetObjectItem(v, "type");
            const cJSON *val = cJSON_GetObjectItem(v, "value");
            if (cJSON_IsString(type) && strcmp(type->valuestring, "null") == 0)
                sqlite3_str_appendall(out, "NULL");
            else if (cJSON_IsString(val))
                sqlite3_str_appendall(out, val->valuestring);
            else if (cJSON_IsNumber(val))
                sqlite3_str_appendf(out, "%g", val->valuedouble);
            sqlite3_str_appendchar(out, 1, '|');
        }
        sqlite3_str_appendchar(out, 1, '\n');
    }
    cJSON_Delete(root);
    char *s = sqlite3_str_finish(out);
    char *copy = strdup(s ? s : "");
    sqlite3_free(s);
    return copy;
}

/* ---- the local side ---- */

static inline char *local_rows(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "local: %s: %s\n", sql, sqlite3_errmsg(db));
        return strdup("<error>");
    }
    sqlite3_str *out = sqlite3_str_new(NULL);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const unsigned char *t = sqlite3_column_text(st, c);
            sqlite3_str_appendall(out, t ? (const char *)t : "NULL");
            sqlite3_str_appendchar(out, 1, '|');
        }
        sqlite3_str_appendchar(out, 1, '\n');
    }
    sqlite3_finalize(st);
    char *s = sqlite3_str_finish(out);
    char *copy = strdup(s ? s : "");
    sqlite3_free(s);
    return copy;
}

/* Same rows on both sides? Reports the difference. */
static inline int same_rows(primary *p, lsq_db *db, const char *sql)
{
    char *want = primary_rows(p, sql);
    char *got = local_rows(lsq_sqlite(db), sql);
    int same = strcmp(want, got) == 0 && strcmp(want, "<error>") != 0;
    if (!same)
        fprintf(stderr, "rows differ for %s\n--- primary:\n%.600s--- replica:\n%.600s\n", sql,
                want, got);
    free(want);
    free(got);
    return same;
}

static inline int local_healthy(lsq_db *db)
{
    char *ic = local_rows(lsq_sqlite(db), "PRAGMA integrity_check");
    char *jm = local_rows(lsq_sqlite(db), "PRAGMA journal_mode");
    int ok = strcmp(ic, "ok|\n") == 0 && strcmp(jm, "delete|\n") == 0;
    if (!ok)
        fprintf(stderr, "integrity_check: %s journal_mode: %s\n", ic, jm);
    free(ic);
    free(jm);
    return ok;
}


static inline int file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* Read LSQ_TEST_TMP and LSQ_SOURCE_DIR (tests/integration/run.sh sets both). */
static inline inline void live_init(void)
{
    const char *t = getenv("LSQ_TEST_TMP");
    const char *src = getenv("LSQ_SOURCE_DIR");
    if (!t || !src)
        die("run through tests/integration/run.sh (LSQ_TEST_TMP and LSQ_SOURCE_DIR unset)");
    snprintf(tmp, sizeof tmp, "%s", t);
    snprintf(primary_sh, sizeof primary_sh, "%s/tests/node/primary.sh", src);
    if (access(primary_sh, X_OK) != 0)
        die("%s is missing or not executable", primary_sh);
}

#endif
