/*
 * hrana.c — SQL over HTTP to the primary: the Hrana /v2/pipeline JSON
 * (PROTOCOL.md section 1). Owns building one "batch" request from typed
 * steps, parsing its answer into per-step results (columns, rows, errors),
 * the one table that maps the servers' error codes and messages onto
 * lsq_status, and the "was anything sent?" rule that decides whether a
 * failed write may be retried.
 *
 * Observed on tursodb 0.6.0 (--sync-server): baton is always null;
 * affected_row_count is 0 and last_insert_rowid null even after an INSERT
 * (callers add a `SELECT changes(), last_insert_rowid()` step); blobs come
 * back as unpadded base64 ("AP8"); step errors carry code BATCH_STEP_ERROR
 * and messages such as "Runtime error: UNIQUE constraint failed: t.a (19)",
 * "Parse error: no such table: nope", "near \"SELEC\": syntax error",
 * "Parse error: table t already exists"; a failed prepare of a plain
 * execute request comes back as a request-level PREPARE_ERROR.
 * sqld / Turso Cloud send codes such as SQLITE_CONSTRAINT_UNIQUE instead.
 * The parser is fuzzed (tests/fuzz/fuzz_hrana.c): every field is checked
 * for its JSON type and nothing is trusted.
 */
#include "hrana.h"
#include "replica.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ */
/* base64 (standard alphabet). Sent without padding, since sqld decodes the
 * unpadded form and tursodb takes both; read with or without padding. */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64_encode(const unsigned char *in, size_t n)
{
    size_t cap = 4 * ((n + 2) / 3) + 1;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t o = 0, i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64_alphabet[v >> 18 & 63];
        out[o++] = b64_alphabet[v >> 12 & 63];
        out[o++] = b64_alphabet[v >> 6 & 63];
        out[o++] = b64_alphabet[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = b64_alphabet[v >> 18 & 63];
        out[o++] = b64_alphabet[v >> 12 & 63];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = b64_alphabet[v >> 18 & 63];
        out[o++] = b64_alphabet[v >> 12 & 63];
        out[o++] = b64_alphabet[v >> 6 & 63];
    }
    out[o] = '\0';
    return out;
}

static int b64_digit(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;   /* '-' '_': the URL-safe alphabet */
    if (c == '/' || c == '_') return 63;
    return -1;
}

/* Decode into a malloc'd buffer (at least 1 byte, so an empty blob is not
 * NULL). Returns 0 on malformed input. */
static int b64_decode(const char *s, unsigned char **out, size_t *outlen)
{
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '=')
        n--;
    if (n % 4 == 1)
        return 0;
    unsigned char *buf = malloc(n * 3 / 4 + 1);
    if (!buf)
        return 0;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int d = b64_digit(s[i]);
        if (d < 0) {
            free(buf);
            return 0;
        }
        acc = (acc << 6 | (uint32_t)d) & 0xFFFFFF;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[o++] = (unsigned char)(acc >> bits & 0xFF);
        }
    }
    *out = buf;
    *outlen = o;
    return 1;
}

/* ------------------------------------------------------------------ */
/* building a request */

static cJSON *value_json(const lsq_value *v)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    int ok = 1;
    switch (v->type) {
    case SQLITE_INTEGER: {
        char num[32];
        snprintf(num, sizeof num, "%lld", (long long)v->i);
        ok = cJSON_AddStringToObject(o, "type", "integer") &&
             cJSON_AddStringToObject(o, "value", num);
        break;
    }
    case SQLITE_FLOAT:
        /* JSON has no NaN or infinity: such values go as NULL, which is
         * also what SQLite itself stores for a NaN. */
        if (!isfinite(v->d))
            ok = cJSON_AddStringToObject(o, "type", "null") != NULL;
        else
            ok = cJSON_AddStringToObject(o, "type", "float") &&
                 cJSON_AddNumberToObject(o, "value", v->d);
        break;
    case SQLITE_TEXT: {
        char *t = malloc(v->n + 1);
        if (!t) {
            ok = 0;
            break;
        }
        if (v->n)
            memcpy(t, v->p, v->n);
        t[v->n] = '\0';
        ok = cJSON_AddStringToObject(o, "type", "text") && cJSON_AddStringToObject(o, "value", t);
        free(t);
        break;
    }
    case SQLITE_BLOB: {
        char *b = b64_encode(v->p, v->n);
        ok = b && cJSON_AddStringToObject(o, "type", "blob") &&
             cJSON_AddStringToObject(o, "base64", b);
        free(b);
        break;
    }
    default:
        ok = cJSON_AddStringToObject(o, "type", "null") != NULL;
        break;
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *cond_json(lsq_cond_kind kind, int step)
{
    cJSON *c = cJSON_CreateObject();
    if (!c)
        return NULL;
    const char *type = kind == LSQ_COND_ERROR ? "error" : "ok";
    cJSON *inner = c;
    if (kind == LSQ_COND_NOT_OK) {
        inner = cJSON_CreateObject();
        if (!inner || !cJSON_AddStringToObject(c, "type", "not")) {
            cJSON_Delete(inner);
            cJSON_Delete(c);
            return NULL;
        }
        cJSON_AddItemToObject(c, "cond", inner);
    }
    if (!cJSON_AddStringToObject(inner, "type", type) ||
        !cJSON_AddNumberToObject(inner, "step", step)) {
        cJSON_Delete(c);
        return NULL;
    }
    return c;
}

static cJSON *step_json(const lsq_hrana_step *st)
{
    cJSON *step = cJSON_CreateObject();
    cJSON *stmt = cJSON_CreateObject();
    cJSON *args = cJSON_CreateArray();
    if (!step || !stmt || !args || !st->sql)
        goto fail;
    if (st->cond != LSQ_COND_NONE) {
        cJSON *c = cond_json(st->cond, st->cond_step);
        if (!c)
            goto fail;
        cJSON_AddItemToObject(step, "condition", c);
    }
    if (!cJSON_AddStringToObject(stmt, "sql", st->sql))
        goto fail;
    for (size_t i = 0; i < st->nargs; i++) {
        cJSON *v = value_json(&st->args[i]);
        if (!v)
            goto fail;
        cJSON_AddItemToArray(args, v);
    }
    cJSON_AddItemToObject(stmt, "args", args);
    args = NULL;
    if (!cJSON_AddBoolToObject(stmt, "want_rows", st->want_rows ? 1 : 0))
        goto fail;
    cJSON_AddItemToObject(step, "stmt", stmt);
    return step;
fail:
    cJSON_Delete(args);
    cJSON_Delete(stmt);
    cJSON_Delete(step);
    return NULL;
}

char *lsq_hrana_build_batch(const lsq_hrana_step *steps, size_t nsteps)
{
    if (!steps && nsteps)
        return NULL;
    cJSON *root = cJSON_CreateObject();
    cJSON *requests = cJSON_CreateArray();
    cJSON *req = cJSON_CreateObject();
    cJSON *batch = cJSON_CreateObject();
    cJSON *arr = cJSON_CreateArray();
    char *text = NULL;
    if (!root || !requests || !req || !batch || !arr) {
        cJSON_Delete(root); cJSON_Delete(requests); cJSON_Delete(req);
        cJSON_Delete(batch); cJSON_Delete(arr);
        return NULL;
    }
    /* Attach early so one cJSON_Delete(root) frees everything below. */
    cJSON_AddNullToObject(root, "baton");
    cJSON_AddItemToObject(root, "requests", requests);
    cJSON_AddItemToArray(requests, req);
    cJSON_AddStringToObject(req, "type", "batch");
    cJSON_AddItemToObject(req, "batch", batch);
    cJSON_AddItemToObject(batch, "steps", arr);
    for (size_t i = 0; i < nsteps; i++) {
        if (steps[i].cond != LSQ_COND_NONE &&
            (steps[i].cond_step < 0 || (size_t)steps[i].cond_step >= i))
            goto done; /* a condition may only name an earlier step */
        cJSON *s = step_json(&steps[i]);
        if (!s)
            goto done;
        cJSON_AddItemToArray(arr, s);
    }
    text = cJSON_PrintUnformatted(root);
done:
    cJSON_Delete(root);
    return text;
}

/* ------------------------------------------------------------------ */
/* error mapping */

static int contains(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle) != NULL;
}

static int contains_nocase(const char *hay, const char *needle)
{
    if (!hay)
        return 0;
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return 0;
}

/* The SQLite result code tursodb appends to messages: "... (19)". */
static int trailing_code(const char *msg)
{
    if (!msg)
        return 0;
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == ' ' || msg[n - 1] == '\n'))
        n--;
    if (n < 3 || msg[n - 1] != ')')
        return 0;
    size_t end = n - 1, start = end;
    while (start > 0 && msg[start - 1] >= '0' && msg[start - 1] <= '9' && end - start < 6)
        start--;
    if (start == end || start == 0 || msg[start - 1] != '(')
        return 0;
    return atoi(msg + start);
}

static int constraint_native(const char *code, const char *msg)
{
    static const struct { const char *word; int ext; } kinds[] = {
        {"UNIQUE", SQLITE_CONSTRAINT_UNIQUE},
        {"PRIMARYKEY", SQLITE_CONSTRAINT_PRIMARYKEY},
        {"PRIMARY KEY", SQLITE_CONSTRAINT_PRIMARYKEY},
        {"NOTNULL", SQLITE_CONSTRAINT_NOTNULL},
        {"NOT NULL", SQLITE_CONSTRAINT_NOTNULL},
        {"FOREIGNKEY", SQLITE_CONSTRAINT_FOREIGNKEY},
        {"FOREIGN KEY", SQLITE_CONSTRAINT_FOREIGNKEY},
        {"CHECK", SQLITE_CONSTRAINT_CHECK},
        {"TRIGGER", SQLITE_CONSTRAINT_TRIGGER},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (contains(code, kinds[i].word) || contains(msg, kinds[i].word))
            return kinds[i].ext;
    return SQLITE_CONSTRAINT;
}

lsq_status lsq_hrana_error_status(const char *code, const char *message, int *native)
{
    int nat = trailing_code(message);
    lsq_status st = LSQ_ERR_MISC;
    if (contains(code, "SQLITE_CONSTRAINT") || contains_nocase(message, "constraint failed") ||
        nat == SQLITE_CONSTRAINT) {
        st = LSQ_ERR_CONSTRAINT;
        nat = constraint_native(code, message);
    } else if (contains_nocase(message, "no such table") || contains_nocase(message, "no such view")) {
        st = LSQ_ERR_NO_TABLE;
        nat = SQLITE_ERROR;
    } else if (contains_nocase(message, "no such column")) {
        st = LSQ_ERR_NO_COLUMN;
        nat = SQLITE_ERROR;
    } else if (contains_nocase(message, "already exists")) {
        st = LSQ_ERR_EXISTS;
        nat = SQLITE_ERROR;
    } else if (contains_nocase(message, "syntax error") || contains(code, "SQL_PARSE_ERROR") ||
               contains(code, "SQL_INPUT_ERROR") ||
               (contains(code, "PREPARE_ERROR") && contains_nocase(message, "parse error"))) {
        st = LSQ_ERR_SYNTAX;
        nat = SQLITE_ERROR;
    } else if (contains(code, "SQLITE_BUSY") || contains(code, "SQLITE_LOCKED") ||
               contains_nocase(message, "database is locked") || nat == SQLITE_BUSY ||
               nat == SQLITE_LOCKED) {
        st = LSQ_ERR_BUSY;
        if (!nat)
            nat = contains(code, "LOCKED") ? SQLITE_LOCKED : SQLITE_BUSY;
    } else if (contains(code, "SQLITE_AUTH") || contains(code, "AUTH") ||
               contains_nocase(message, "unauthorized") || contains_nocase(message, "not authorized") ||
               nat == SQLITE_AUTH) {
        st = LSQ_ERR_AUTH;
        if (!nat)
            nat = SQLITE_AUTH;
    } else if (contains(code, "SQLITE_READONLY") || nat == SQLITE_READONLY ||
               contains_nocase(message, "readonly database")) {
        st = LSQ_ERR_READONLY;
        nat = SQLITE_READONLY;
    } else if (contains(code, "PREPARE_ERROR") || contains_nocase(message, "parse error")) {
        /* A statement the server could not prepare, for a reason not named
         * above: still an error in the SQL text. */
        st = LSQ_ERR_SYNTAX;
        if (!nat)
            nat = SQLITE_ERROR;
    } else if (nat > 0) {
        st = lsq_status_from_sqlite(nat);
        if (st == LSQ_OK)
            st = LSQ_ERR_MISC;
    } else {
        nat = SQLITE_ERROR;
    }
    if (native)
        *native = nat;
    return st;
}

/* ------------------------------------------------------------------ */
/* parsing a response */

static void result_free(lsq_hrana_result *r)
{
    for (int c = 0; c < r->ncols; c++) {
        if (r->col_names)
            free(r->col_names[c]);
        if (r->col_decltypes)
            free(r->col_decltypes[c]);
    }
    free(r->col_names);
    free(r->col_decltypes);
    if (r->rows) {
        for (size_t i = 0; i < r->nrows * (size_t)r->ncols; i++)
            free((void *)r->rows[i].p);
        free(r->rows);
    }
    memset(r, 0, sizeof *r);
}

void lsq_hrana_batch_result_free(lsq_hrana_batch_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->nsteps; i++)
        result_free(&res->steps[i]);
    free(res->steps);
    res->steps = NULL;
    res->nsteps = 0;
}

static void set_step_error(lsq_hrana_result *r, const cJSON *error)
{
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(error, "message");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(error, "code");
    const char *m = cJSON_IsString(msg) ? msg->valuestring : "the primary reported an error";
    const char *c = cJSON_IsString(code) ? code->valuestring : NULL;
    int native = 0;
    lsq_status st = lsq_hrana_error_status(c, m, &native);
    r->ok = 0;
    r->skipped = 0;
    lsq_fail(&r->error, st, native, "%s", m);
}

/* Parse a decimal integer string strictly (the whole string, in range). */
static int parse_int_string(const char *s, int64_t *out)
{
    if (!s || !*s)
        return 0;
    errno = 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (errno || !end || *end || end == s)
        return 0;
    *out = v;
    return 1;
}

static int parse_value(const cJSON *j, lsq_value *v)
{
    memset(v, 0, sizeof *v);
    if (!cJSON_IsObject(j))
        return 0;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
    if (!cJSON_IsString(type))
        return 0;
    const char *t = type->valuestring;
    const cJSON *val = cJSON_GetObjectItemCaseSensitive(j, "value");
    if (strcmp(t, "null") == 0) {
        v->type = SQLITE_NULL;
        return 1;
    }
    if (strcmp(t, "integer") == 0) {
        v->type = SQLITE_INTEGER;
        return cJSON_IsString(val) && parse_int_string(val->valuestring, &v->i);
    }
    if (strcmp(t, "float") == 0) {
        if (!cJSON_IsNumber(val))
            return 0;
        v->type = SQLITE_FLOAT;
        v->d = val->valuedouble;
        return 1;
    }
    if (strcmp(t, "text") == 0) {
        if (!cJSON_IsString(val))
            return 0;
        v->n = strlen(val->valuestring);
        char *copy = malloc(v->n + 1);
        if (!copy)
            return 0;
        memcpy(copy, val->valuestring, v->n + 1);
        v->type = SQLITE_TEXT;
        v->p = copy;
        return 1;
    }
    if (strcmp(t, "blob") == 0) {
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(j, "base64");
        unsigned char *buf = NULL;
        size_t n = 0;
        if (!cJSON_IsString(b) || !b64_decode(b->valuestring, &buf, &n))
            return 0;
        v->type = SQLITE_BLOB;
        v->p = buf;
        v->n = n;
        return 1;
    }
    return 0;
}

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static lsq_status parse_result(const cJSON *j, lsq_hrana_result *r, lsq_error *err)
{
    memset(r, 0, sizeof *r);
    if (!cJSON_IsObject(j))
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "primary sent a step result that is not an object");
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(j, "cols");
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(j, "rows");
    if (cols && !cJSON_IsArray(cols))
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "primary sent \"cols\" that is not an array");
    if (rows && !cJSON_IsArray(rows))
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "primary sent \"rows\" that is not an array");
    int ncols = cols ? cJSON_GetArraySize(cols) : 0;
    if (ncols < 0 || ncols > 32767)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "primary sent %d columns", ncols);
    r->ok = 1;
    if (ncols > 0) {
        r->col_names = calloc((size_t)ncols, sizeof(char *));
        r->col_decltypes = calloc((size_t)ncols, sizeof(char *));
        if (!r->col_names || !r->col_decltypes) {
            result_free(r);
            return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
        }
        r->ncols = ncols;
        int c = 0;
        const cJSON *col;
        cJSON_ArrayForEach(col, cols) {
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(col, "name");
            const cJSON *decl = cJSON_GetObjectItemCaseSensitive(col, "decltype");
            if (!cJSON_IsObject(col) || (name && !cJSON_IsString(name) && !cJSON_IsNull(name)) ||
                (decl && !cJSON_IsString(decl) && !cJSON_IsNull(decl))) {
                result_free(r);
                return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "primary sent a malformed column");
            }
            r->col_names[c] = dup_string(cJSON_IsString(name) ? name->valuestring : "");
            if (cJSON_IsString(decl))
                r->col_decltypes[c] = dup_string(decl->valuestring);
            if (!r->col_names[c] || (cJSON_IsString(decl) && !r->col_decltypes[c])) {
                result_free(r);
                return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
            }
            c++;
        }
    }
    int nrows = rows ? cJSON_GetArraySize(rows) : 0;
    if (nrows > 0) {
        if (ncols == 0) {
            result_free(r);
            return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "primary sent rows without columns");
        }
        r->rows = calloc((size_t)nrows * (size_t)ncols, sizeof(lsq_value));
        if (!r->rows) {
            result_free(r);
            return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
        }
        size_t ri = 0;
        const cJSON *row;
        cJSON_ArrayForEach(row, rows) {
            /* Count the row before filling it, so a partly filled row is
             * freed too. */
            r->nrows = ri + 1;
            if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != ncols) {
                result_free(r);
                return lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                                "primary sent a row whose width is not the column count");
            }
            int c = 0;
            const cJSON *cell;
            cJSON_ArrayForEach(cell, row) {
                if (!parse_value(cell, &r->rows[ri * (size_t)ncols + (size_t)c])) {
                    result_free(r);
                    return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "primary sent a malformed value");
                }
                c++;
            }
            ri++;
        }
    }
    const cJSON *arc = cJSON_GetObjectItemCaseSensitive(j, "affected_row_count");
    if (cJSON_IsNumber(arc) && arc->valuedouble >= 0 && arc->valuedouble < 9.2e18)
        r->affected_row_count = (int64_t)arc->valuedouble;
    const cJSON *lir = cJSON_GetObjectItemCaseSensitive(j, "last_insert_rowid");
    if (cJSON_IsString(lir) && parse_int_string(lir->valuestring, &r->last_insert_rowid))
        r->has_last_insert_rowid = 1;
    return LSQ_OK;
}

lsq_status lsq_hrana_parse_batch(const char *json, size_t nsteps, lsq_hrana_batch_result *out,
                                 lsq_error *err)
{
    if (!out)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_hrana_parse_batch: NULL result");
    memset(out, 0, sizeof *out);
    if (!json)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "primary sent an empty answer");
    cJSON *root = cJSON_Parse(json);
    if (!root)
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "primary sent an answer that is not JSON");
    lsq_status st = LSQ_OK;
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(root, "results");
    const cJSON *first = cJSON_IsArray(results) ? cJSON_GetArrayItem(results, 0) : NULL;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(first, "type");
    if (!cJSON_IsObject(first) || !cJSON_IsString(type)) {
        st = lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "primary sent no result for the batch");
        goto done;
    }
    out->steps = calloc(nsteps ? nsteps : 1, sizeof *out->steps);
    if (!out->steps) {
        st = lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
        goto done;
    }
    out->nsteps = nsteps;
    if (strcmp(type->valuestring, "error") == 0) {
        /* The whole request was refused (e.g. a statement did not prepare):
         * every step failed with that error. */
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(first, "error");
        for (size_t i = 0; i < nsteps; i++)
            set_step_error(&out->steps[i], e);
        goto done;
    }
    const cJSON *resp = cJSON_GetObjectItemCaseSensitive(first, "response");
    const cJSON *bres = cJSON_GetObjectItemCaseSensitive(resp, "result");
    const cJSON *sres = cJSON_GetObjectItemCaseSensitive(bres, "step_results");
    const cJSON *serr = cJSON_GetObjectItemCaseSensitive(bres, "step_errors");
    if (strcmp(type->valuestring, "ok") != 0 || !cJSON_IsArray(sres) ||
        (serr && !cJSON_IsArray(serr)) || cJSON_GetArraySize(sres) < 0 ||
        (size_t)cJSON_GetArraySize(sres) != nsteps ||
        (serr && (size_t)cJSON_GetArraySize(serr) != nsteps)) {
        st = lsq_fail(err, LSQ_ERR_PROTOCOL, 0,
                      "primary sent a batch answer that does not match the request (%zu steps)",
                      nsteps);
        goto done;
    }
    size_t i = 0;
    const cJSON *item;
    /* Walk step_errors alongside (cJSON arrays are lists: indexing each
     * would be quadratic in the step count). */
    const cJSON *e_next = serr ? serr->child : NULL;
    cJSON_ArrayForEach(item, sres) {
        const cJSON *e = e_next;
        if (e_next)
            e_next = e_next->next;
        if (e && !cJSON_IsNull(e)) {
            if (!cJSON_IsObject(e)) {
                st = lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "primary sent a malformed step error");
                goto done;
            }
            set_step_error(&out->steps[i], e);
        } else if (cJSON_IsNull(item)) {
            out->steps[i].skipped = 1;
        } else {
            st = parse_result(item, &out->steps[i], err);
            if (st != LSQ_OK)
                goto done;
        }
        i++;
    }
done:
    cJSON_Delete(root);
    if (st != LSQ_OK)
        lsq_hrana_batch_result_free(out);
    return st;
}

/* ------------------------------------------------------------------ */
/* one round trip */

lsq_status lsq_hrana_batch(struct lsq_replica *r, const lsq_hrana_step *steps, size_t nsteps,
                           long timeout_ms, lsq_hrana_batch_result *out, int *sent,
                           lsq_error *err)
{
    lsq_error scratch;
    if (!err)
        err = &scratch;
    if (sent)
        *sent = 0;
    if (!out)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_hrana_batch: NULL result");
    memset(out, 0, sizeof *out);
    if (!r || (!steps && nsteps))
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "lsq_hrana_batch: NULL argument");
    char why[sizeof err->message];
    if (lsq_replica_refused(r, why, sizeof why)) /* a different database: send nothing */
        return lsq_fail(err, LSQ_ERR_PROTOCOL, 0, "%s", why);
    char *body = lsq_hrana_build_batch(steps, nsteps);
    if (!body)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "could not build the request for the primary");
    char *response = NULL;
    lsq_status st = lsq_replica_pipeline_timeout(r, body, timeout_ms, &response, err);
    free(body);
    if (sent) {
        /* Only a refused connection or a failed name lookup proves the
         * request never reached the primary; anything later (a reset, a
         * timeout, a 5xx) may have been applied, so it is not retryable. */
        int before_any_byte = st == LSQ_ERR_NETWORK &&
                              (err->native == CURLE_COULDNT_CONNECT ||
                               err->native == CURLE_COULDNT_RESOLVE_HOST ||
                               err->native == CURLE_COULDNT_RESOLVE_PROXY);
        *sent = before_any_byte ? 0 : 1;
    }
    if (st != LSQ_OK)
        return st;
    st = lsq_hrana_parse_batch(response, nsteps, out, err);
    free(response);
    return st;
}
