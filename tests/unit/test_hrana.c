/*
 * test_hrana.c — the Hrana /v2/pipeline JSON of core/hrana.c: building
 * batches (every value type, conditions), parsing answers (values, columns,
 * step errors, skipped steps, request-level errors), the error-code mapping
 * table for both servers (tursodb 0.6.0 messages captured from the real
 * server, sqld codes from the Hrana spec), malformed answers, and the
 * transport fact the never-twice rule rests on: a refused connection is
 * reported with CURLE_COULDNT_CONNECT as its native code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "hrana.h"

/* ---- building ---- */

static cJSON *steps_of(const char *json)
{
    cJSON *root = cJSON_Parse(json);
    assert_non_null(root);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(root, "baton")));
    cJSON *req = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "requests"), 0);
    assert_string_equal(cJSON_GetObjectItem(req, "type")->valuestring, "batch");
    cJSON *steps = cJSON_GetObjectItem(cJSON_GetObjectItem(req, "batch"), "steps");
    assert_true(cJSON_IsArray(steps));
    cJSON *copy = cJSON_Duplicate(steps, 1);
    cJSON_Delete(root);
    return copy;
}

static void test_build_every_value_type(void **state)
{
    (void)state;
    const unsigned char blob[] = {0x00, 0xff, 0x10, 0x20};
    lsq_value args[] = {
        {.type = SQLITE_INTEGER, .i = INT64_MIN},
        {.type = SQLITE_INTEGER, .i = 42},
        {.type = SQLITE_FLOAT, .d = 1.5},
        {.type = SQLITE_TEXT, .p = "h\xc3\xa9\"x", .n = 5},
        {.type = SQLITE_BLOB, .p = blob, .n = sizeof blob},
        {.type = SQLITE_NULL},
        {.type = SQLITE_BLOB, .p = NULL, .n = 0},
        {.type = SQLITE_TEXT, .p = "abc", .n = 2},  /* length, not NUL, ends it */
    };
    lsq_hrana_step step = {.sql = "INSERT INTO t VALUES(?,?,?,?,?,?,?,?)", .args = args,
                           .nargs = 8, .want_rows = 0};
    char *json = lsq_hrana_build_batch(&step, 1);
    assert_non_null(json);
    cJSON *steps = steps_of(json);
    cJSON *stmt = cJSON_GetObjectItem(cJSON_GetArrayItem(steps, 0), "stmt");
    assert_string_equal(cJSON_GetObjectItem(stmt, "sql")->valuestring, step.sql);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(stmt, "want_rows")));
    assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(steps, 0), "condition"));
    cJSON *a = cJSON_GetObjectItem(stmt, "args");
    assert_int_equal(cJSON_GetArraySize(a), 8);
    cJSON *v = cJSON_GetArrayItem(a, 0);
    assert_string_equal(cJSON_GetObjectItem(v, "type")->valuestring, "integer");
    assert_string_equal(cJSON_GetObjectItem(v, "value")->valuestring, "-9223372036854775808");
    v = cJSON_GetArrayItem(a, 1);
    assert_string_equal(cJSON_GetObjectItem(v, "value")->valuestring, "42");
    v = cJSON_GetArrayItem(a, 2);
    assert_string_equal(cJSON_GetObjectItem(v, "type")->valuestring, "float");
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(v, "value")));
    assert_true(cJSON_GetObjectItem(v, "value")->valuedouble == 1.5);
    v = cJSON_GetArrayItem(a, 3);
    assert_string_equal(cJSON_GetObjectItem(v, "type")->valuestring, "text");
    assert_string_equal(cJSON_GetObjectItem(v, "value")->valuestring, "h\xc3\xa9\"x");
    v = cJSON_GetArrayItem(a, 4);
    assert_string_equal(cJSON_GetObjectItem(v, "type")->valuestring, "blob");
    assert_string_equal(cJSON_GetObjectItem(v, "base64")->valuestring, "AP8QIA");
    v = cJSON_GetArrayItem(a, 5);
    assert_string_equal(cJSON_GetObjectItem(v, "type")->valuestring, "null");
    v = cJSON_GetArrayItem(a, 6);
    assert_string_equal(cJSON_GetObjectItem(v, "base64")->valuestring, "");
    v = cJSON_GetArrayItem(a, 7);
    assert_string_equal(cJSON_GetObjectItem(v, "value")->valuestring, "ab");
    cJSON_Delete(steps);
    free(json);
}

static void test_build_conditions(void **state)
{
    (void)state;
    lsq_hrana_step steps[] = {
        {.sql = "BEGIN"},
        {.sql = "INSERT", .cond = LSQ_COND_OK, .cond_step = 0},
        {.sql = "SELECT changes()", .want_rows = 1, .cond = LSQ_COND_ERROR, .cond_step = 1},
        {.sql = "ROLLBACK", .cond = LSQ_COND_NOT_OK, .cond_step = 2},
    };
    char *json = lsq_hrana_build_batch(steps, 4);
    assert_non_null(json);
    cJSON *a = steps_of(json);
    cJSON *c1 = cJSON_GetObjectItem(cJSON_GetArrayItem(a, 1), "condition");
    assert_string_equal(cJSON_GetObjectItem(c1, "type")->valuestring, "ok");
    assert_int_equal(cJSON_GetObjectItem(c1, "step")->valueint, 0);
    cJSON *c2 = cJSON_GetObjectItem(cJSON_GetArrayItem(a, 2), "condition");
    assert_string_equal(cJSON_GetObjectItem(c2, "type")->valuestring, "error");
    assert_int_equal(cJSON_GetObjectItem(c2, "step")->valueint, 1);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetArrayItem(a, 2), "stmt"), "want_rows")));
    cJSON *c3 = cJSON_GetObjectItem(cJSON_GetArrayItem(a, 3), "condition");
    assert_string_equal(cJSON_GetObjectItem(c3, "type")->valuestring, "not");
    cJSON *inner = cJSON_GetObjectItem(c3, "cond");
    assert_string_equal(cJSON_GetObjectItem(inner, "type")->valuestring, "ok");
    assert_int_equal(cJSON_GetObjectItem(inner, "step")->valueint, 2);
    cJSON_Delete(a);
    free(json);

    /* a condition on a later (or the same) step is refused */
    lsq_hrana_step bad[] = {{.sql = "X", .cond = LSQ_COND_OK, .cond_step = 0}};
    assert_null(lsq_hrana_build_batch(bad, 1));
    lsq_hrana_step nosql[] = {{.sql = NULL}};
    assert_null(lsq_hrana_build_batch(nosql, 1));
}

/* ---- parsing: answers captured from tursodb 0.6.0 ---- */

static const char returning_answer[] =
    "{\"baton\":null,\"base_url\":null,\"results\":[{\"type\":\"ok\",\"response\":{\"type\":"
    "\"batch\",\"result\":{\"step_results\":[{\"cols\":[{\"name\":\"id\",\"decltype\":"
    "\"INTEGER\"},{\"name\":\"a\",\"decltype\":\"TEXT\"},{\"name\":\"b\",\"decltype\":\"BLOB\"}"
    ",{\"name\":\"c\",\"decltype\":\"REAL\"},{\"name\":\"n\",\"decltype\":null}],\"rows\":[[{"
    "\"type\":\"integer\",\"value\":\"9223372036854775807\"},{\"type\":\"text\",\"value\":\"x\""
    "},{\"type\":\"blob\",\"base64\":\"AP8\"},{\"type\":\"float\",\"value\":1.5},{\"type\":"
    "\"null\"}]],\"affected_row_count\":0,\"last_insert_rowid\":null,\"replication_index\":"
    "null,\"rows_read\":0,\"rows_written\":0,\"query_duration_ms\":0.0},{\"cols\":[{\"name\":"
    "\"changes()\",\"decltype\":null},{\"name\":\"last_insert_rowid()\",\"decltype\":null}],"
    "\"rows\":[[{\"type\":\"integer\",\"value\":\"1\"},{\"type\":\"integer\",\"value\":\"7\"}]]"
    ",\"affected_row_count\":0,\"last_insert_rowid\":\"7\",\"replication_index\":null,"
    "\"rows_read\":0,\"rows_written\":0,\"query_duration_ms\":0.0}],\"step_errors\":[null,"
    "null],\"replication_index\":null}}}]}";

static void test_parse_values_and_columns(void **state)
{
    (void)state;
    lsq_hrana_batch_result res;
    lsq_error err;
    assert_int_equal(lsq_hrana_parse_batch(returning_answer, 2, &res, &err), LSQ_OK);
    assert_int_equal(res.nsteps, 2);
    lsq_hrana_result *r = &res.steps[0];
    assert_true(r->ok);
    assert_false(r->skipped);
    assert_int_equal(r->ncols, 5);
    assert_string_equal(r->col_names[1], "a");
    assert_string_equal(r->col_decltypes[2], "BLOB");
    assert_null(r->col_decltypes[4]);
    assert_int_equal(r->nrows, 1);
    assert_int_equal(r->rows[0].type, SQLITE_INTEGER);
    assert_true(r->rows[0].i == INT64_MAX);
    assert_int_equal(r->rows[1].type, SQLITE_TEXT);
    assert_int_equal(r->rows[1].n, 1);
    assert_memory_equal(r->rows[1].p, "x", 1);
    assert_int_equal(r->rows[2].type, SQLITE_BLOB);
    assert_int_equal(r->rows[2].n, 2);
    assert_memory_equal(r->rows[2].p, "\x00\xff", 2);
    assert_int_equal(r->rows[3].type, SQLITE_FLOAT);
    assert_true(r->rows[3].d == 1.5);
    assert_int_equal(r->rows[4].type, SQLITE_NULL);
    assert_false(r->has_last_insert_rowid);
    lsq_hrana_result *c = &res.steps[1];
    assert_true(c->ok);
    assert_true(c->rows[0].i == 1);
    assert_true(c->rows[1].i == 7);
    assert_true(c->has_last_insert_rowid);
    assert_true(c->last_insert_rowid == 7);
    lsq_hrana_batch_result_free(&res);
    assert_null(res.steps);
}

static void test_parse_step_errors_and_skips(void **state)
{
    (void)state;
    const char *json =
        "{\"baton\":null,\"base_url\":null,\"results\":[{\"type\":\"ok\",\"response\":{"
        "\"type\":\"batch\",\"result\":{\"step_results\":[null,null,{\"cols\":[],\"rows\":[],"
        "\"affected_row_count\":3,\"last_insert_rowid\":null}],\"step_errors\":[{\"message\":"
        "\"Runtime error: UNIQUE constraint failed: t.a (19)\",\"code\":\"BATCH_STEP_ERROR\"},"
        "null,null],\"replication_index\":null}}}]}";
    lsq_hrana_batch_result res;
    lsq_error err;
    assert_int_equal(lsq_hrana_parse_batch(json, 3, &res, &err), LSQ_OK);
    assert_false(res.steps[0].ok);
    assert_false(res.steps[0].skipped);
    assert_int_equal(res.steps[0].error.status, LSQ_ERR_CONSTRAINT);
    assert_int_equal(res.steps[0].error.native, SQLITE_CONSTRAINT_UNIQUE);
    assert_non_null(strstr(res.steps[0].error.message, "UNIQUE constraint failed: t.a"));
    assert_false(res.steps[1].ok);
    assert_true(res.steps[1].skipped);
    assert_true(res.steps[2].ok);
    assert_int_equal(res.steps[2].ncols, 0);
    assert_int_equal(res.steps[2].nrows, 0);
    assert_true(res.steps[2].affected_row_count == 3);
    lsq_hrana_batch_result_free(&res);

    /* A request-level error (e.g. PREPARE_ERROR) fails every step. */
    const char *reqerr = "{\"baton\":null,\"base_url\":null,\"results\":[{\"type\":\"error\","
                         "\"error\":{\"message\":\"near \\\"SELEC\\\": syntax error\",\"code\":"
                         "\"PREPARE_ERROR\"}}]}";
    assert_int_equal(lsq_hrana_parse_batch(reqerr, 2, &res, &err), LSQ_OK);
    assert_int_equal(res.nsteps, 2);
    for (int i = 0; i < 2; i++) {
        assert_false(res.steps[i].ok);
        assert_int_equal(res.steps[i].error.status, LSQ_ERR_SYNTAX);
        assert_non_null(strstr(res.steps[i].error.message, "syntax error"));
    }
    lsq_hrana_batch_result_free(&res);
}

/* Build, then parse an answer echoing the arguments as a row: every type
 * survives the round trip. */
static void test_round_trip(void **state)
{
    (void)state;
    unsigned char blob[300];
    for (size_t i = 0; i < sizeof blob; i++)
        blob[i] = (unsigned char)(i * 7);
    lsq_value in[] = {
        {.type = SQLITE_INTEGER, .i = -123456789012345LL},
        {.type = SQLITE_FLOAT, .d = -2.25e-300},
        {.type = SQLITE_TEXT, .p = "\xe2\x82\xac uro", .n = 7},
        {.type = SQLITE_BLOB, .p = blob, .n = sizeof blob},
        {.type = SQLITE_NULL},
    };
    for (size_t cut = 0; cut <= 3; cut++) { /* blob lengths 300..297: every padding */
        in[3].n = sizeof blob - cut;
        lsq_hrana_step step = {.sql = "SELECT ?,?,?,?,?", .args = in, .nargs = 5};
        char *req = lsq_hrana_build_batch(&step, 1);
        assert_non_null(req);
        cJSON *steps = steps_of(req);
        cJSON *args = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(steps, 0),
                                                              "stmt"), "args");
        cJSON *ans = cJSON_Parse("{\"baton\":null,\"results\":[{\"type\":\"ok\",\"response\":"
                                 "{\"type\":\"batch\",\"result\":{\"step_results\":[{\"cols\":"
                                 "[{\"name\":\"1\"},{\"name\":\"2\"},{\"name\":\"3\"},{\"name\":"
                                 "\"4\"},{\"name\":\"5\"}],\"rows\":[]}],\"step_errors\":[null]}}}]}");
        cJSON *res0 = cJSON_GetArrayItem(
            cJSON_GetObjectItem(
                cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
                                                            cJSON_GetObjectItem(ans, "results"), 0),
                                                        "response"),
                                    "result"),
                "step_results"),
            0);
        cJSON_AddItemToArray(cJSON_GetObjectItem(res0, "rows"), cJSON_Duplicate(args, 1));
        char *text = cJSON_PrintUnformatted(ans);
        lsq_hrana_batch_result res;
        lsq_error err;
        assert_int_equal(lsq_hrana_parse_batch(text, 1, &res, &err), LSQ_OK);
        lsq_value *out = res.steps[0].rows;
        assert_int_equal(res.steps[0].nrows, 1);
        assert_true(out[0].i == in[0].i);
        assert_true(out[1].d == in[1].d);
        assert_int_equal(out[2].n, 7);
        assert_memory_equal(out[2].p, in[2].p, 7);
        assert_int_equal(out[3].type, SQLITE_BLOB);
        assert_int_equal(out[3].n, in[3].n);
        assert_memory_equal(out[3].p, blob, in[3].n);
        assert_int_equal(out[4].type, SQLITE_NULL);
        lsq_hrana_batch_result_free(&res);
        free(text);
        cJSON_Delete(ans);
        cJSON_Delete(steps);
        free(req);
    }
}

static void test_parse_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "not json",
        "[]",
        "{}",
        "{\"results\":[]}",
        "{\"results\":[1]}",
        "{\"results\":[{\"type\":7}]}",
        "{\"results\":[{\"type\":\"ok\"}]}",
        "{\"results\":[{\"type\":\"ok\",\"response\":{\"result\":{\"step_results\":{}}}}]}",
        /* wrong step count */
        "{\"results\":[{\"type\":\"ok\",\"response\":{\"result\":{\"step_results\":[null,null],"
        "\"step_errors\":[null,null]}}}]}",
        /* an integer as a JSON number, not a string */
        "{\"results\":[{\"type\":\"ok\",\"response\":{\"result\":{\"step_results\":[{\"cols\":"
        "[{\"name\":\"a\"}],\"rows\":[[{\"type\":\"integer\",\"value\":5}]]}],\"step_errors\":[null]}}}]}",
        /* integer out of range */
        "{\"results\":[{\"type\":\"ok\",\"response\":{\"result\":{\"step_results\":[{\"cols\":"
        "[{\"name\":\"a\"}],\"rows\":[[{\"type\":\"integer\",\"value\":\"99999999999999999999\"}]]}],"
        "\"step_errors\":[null]}}}]}",
        /* row wider than the columns */
        "{\"results\":[{\"type\":\"ok\",\"response\":{\"result\":{\"step_results\":[{\"cols\":"
        "[{\"name\":\"a\"}],\"rows\":[[{\"type\":\"null\"},{\"type\":\"null\"}]]}],\"step_errors\":[null]}}}]}",
        /* bad base64 */
        "{\"results\":[{\"type\":\"ok\",\"response\":{\"result\":{\"step_results\":[{\"cols\":"
        "[{\"name\":\"a\"}],\"rows\":[[{\"type\":\"blob\",\"base64\":\"A!==\"}]]}],\"step_errors\":[null]}}}]}",
        /* unknown value type */
        "{\"results\":[{\"type\":\"ok\",\"response\":{\"result\":{\"step_results\":[{\"cols\":"
        "[{\"name\":\"a\"}],\"rows\":[[{\"type\":\"date\",\"value\":\"x\"}]]}],\"step_errors\":[null]}}}]}",
        /* text as a number */
        "{\"results\":[{\"type\":\"ok\",\"response\":{\"result\":{\"step_results\":[{\"cols\":"
        "[{\"name\":\"a\"}],\"rows\":[[{\"type\":\"text\",\"value\":1}]]}],\"step_errors\":[null]}}}]}",
        /* rows without columns, a column that is not an object */
        "{\"results\":[{\"type\":\"ok\",\"response\":{\"result\":{\"step_results\":[{\"cols\":"
        "[],\"rows\":[[]]}],\"step_errors\":[null]}}}]}",
        "{\"results\":[{\"type\":\"ok\",\"response\":{\"result\":{\"step_results\":[{\"cols\":"
        "[3],\"rows\":[]}],\"step_errors\":[null]}}}]}",
        /* a step error that is not an object */
        "{\"results\":[{\"type\":\"ok\",\"response\":{\"result\":{\"step_results\":[null],"
        "\"step_errors\":[\"boom\"]}}}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lsq_hrana_batch_result res;
        lsq_error err = {0};
        lsq_status st = lsq_hrana_parse_batch(bad[i], 1, &res, &err);
        if (st == LSQ_OK)
            fail_msg("malformed answer %zu was accepted: %s", i, bad[i]);
        assert_int_equal(st, LSQ_ERR_PROTOCOL);
        assert_null(res.steps);
        assert_int_equal(res.nsteps, 0);
    }
    lsq_hrana_batch_result res;
    assert_int_equal(lsq_hrana_parse_batch(NULL, 1, &res, NULL), LSQ_ERR_PROTOCOL);
}

/* ---- the error table ---- */

static void test_error_mapping(void **state)
{
    (void)state;
    static const struct {
        const char *code, *message;
        lsq_status want;
        int native;
    } cases[] = {
        /* tursodb 0.6.0, captured */
        {"BATCH_STEP_ERROR", "Runtime error: UNIQUE constraint failed: t.a (19)",
         LSQ_ERR_CONSTRAINT, SQLITE_CONSTRAINT_UNIQUE},
        {"BATCH_STEP_ERROR", "Runtime error: NOT NULL constraint failed: t.c (19)",
         LSQ_ERR_CONSTRAINT, SQLITE_CONSTRAINT_NOTNULL},
        {"BATCH_STEP_ERROR", "Parse error: no such table: nope", LSQ_ERR_NO_TABLE, SQLITE_ERROR},
        {"BATCH_STEP_ERROR", "near \"SELEC\": syntax error", LSQ_ERR_SYNTAX, SQLITE_ERROR},
        {"PREPARE_ERROR", "near \"SELEC\": syntax error", LSQ_ERR_SYNTAX, SQLITE_ERROR},
        {"BATCH_STEP_ERROR", "Parse error: table t already exists", LSQ_ERR_EXISTS, SQLITE_ERROR},
        {"BATCH_STEP_ERROR", "Parse error: no such column: nocol", LSQ_ERR_NO_COLUMN,
         SQLITE_ERROR},
        {"PREPARE_ERROR", "Parse error: something odd", LSQ_ERR_SYNTAX, SQLITE_ERROR},
        {"BATCH_STEP_ERROR", "Runtime error: something (19)", LSQ_ERR_CONSTRAINT,
         SQLITE_CONSTRAINT},
        {"BATCH_STEP_ERROR", "database is locked (5)", LSQ_ERR_BUSY, SQLITE_BUSY},
        /* sqld / Turso Cloud codes */
        {"SQLITE_CONSTRAINT_PRIMARYKEY", "PRIMARY KEY constraint failed", LSQ_ERR_CONSTRAINT,
         SQLITE_CONSTRAINT_PRIMARYKEY},
        {"SQLITE_CONSTRAINT_FOREIGNKEY", "FOREIGN KEY constraint failed", LSQ_ERR_CONSTRAINT,
         SQLITE_CONSTRAINT_FOREIGNKEY},
        {"SQLITE_CONSTRAINT_CHECK", "CHECK constraint failed: x", LSQ_ERR_CONSTRAINT,
         SQLITE_CONSTRAINT_CHECK},
        {"SQLITE_CONSTRAINT", "constraint failed", LSQ_ERR_CONSTRAINT, SQLITE_CONSTRAINT},
        {"SQL_PARSE_ERROR", "SQL string could not be parsed", LSQ_ERR_SYNTAX, SQLITE_ERROR},
        {"SQLITE_ERROR", "no such table: x", LSQ_ERR_NO_TABLE, SQLITE_ERROR},
        {"SQLITE_BUSY", "database is locked", LSQ_ERR_BUSY, SQLITE_BUSY},
        {"SQLITE_LOCKED", "database table is locked", LSQ_ERR_BUSY, SQLITE_LOCKED},
        {"SQLITE_AUTH", "not authorized", LSQ_ERR_AUTH, SQLITE_AUTH},
        {"AUTH_JWT_INVALID", "Authentication failed", LSQ_ERR_AUTH, SQLITE_AUTH},
        {"SQLITE_READONLY", "attempt to write a readonly database", LSQ_ERR_READONLY,
         SQLITE_READONLY},
        {NULL, "something else entirely", LSQ_ERR_MISC, SQLITE_ERROR},
        {NULL, NULL, LSQ_ERR_MISC, SQLITE_ERROR},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int native = -1;
        lsq_status st = lsq_hrana_error_status(cases[i].code, cases[i].message, &native);
        if (st != cases[i].want || native != cases[i].native)
            fail_msg("case %zu (%s / %s): status %d native %d, want %d / %d", i,
                     cases[i].code ? cases[i].code : "-", cases[i].message ? cases[i].message : "-",
                     st, native, cases[i].want, cases[i].native);
    }
    assert_int_equal(lsq_hrana_error_status(NULL, "UNIQUE constraint failed: a.b", NULL),
                     LSQ_ERR_CONSTRAINT);
}

/* The never-twice rule rests on this: a refused connection (nothing sent)
 * is told apart from every later failure by its native curl code. */
static void test_refused_connection_is_not_sent(void **state)
{
    (void)state;
    lsq_remote *r = NULL;
    lsq_error err;
    lsq_remote_opts opts = {.connect_timeout_ms = 2000, .request_timeout_ms = 3000};
    /* port 1 on loopback: nothing listens there */
    assert_int_equal(lsq_remote_open("http://127.0.0.1:1", NULL, &opts, &r, &err), LSQ_OK);
    char *resp = NULL;
    lsq_status st = lsq_remote_pipeline_timeout(r, "{}", 1000, &resp, &err);
    assert_int_equal(st, LSQ_ERR_NETWORK);
    assert_int_equal(err.native, CURLE_COULDNT_CONNECT);
    assert_null(resp);
    lsq_remote_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_every_value_type),
        cmocka_unit_test(test_build_conditions),
        cmocka_unit_test(test_parse_values_and_columns),
        cmocka_unit_test(test_parse_step_errors_and_skips),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_parse_malformed),
        cmocka_unit_test(test_error_mapping),
        cmocka_unit_test(test_refused_connection_is_not_sent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
