/*
 * test_offline_sql.c — offline mode's change set -> SQL translation
 * (core/offline_sql.c), no network: changes are made on an in-memory
 * database under a real SQLite session, and the statements generated from
 * its change set must have exactly the expected text and typed arguments;
 * running them on a copy of the original rows must reproduce the changed
 * rows, and a row changed underneath must make them change nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offline.h"

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
}

static sqlite3 *mem_db(const char *schema)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    exec_ok(db, schema);
    return db;
}

/* Run `changes` under a session on db; the change set (sqlite3_free it). */
static void *capture(sqlite3 *db, const char *changes, int *n)
{
    sqlite3_session *s = NULL;
    assert_int_equal(sqlite3session_create(db, "main", &s), SQLITE_OK);
    assert_int_equal(sqlite3session_attach(s, NULL), SQLITE_OK);
    exec_ok(db, changes);
    void *cs = NULL;
    assert_int_equal(sqlite3session_changeset(s, n, &cs), SQLITE_OK);
    sqlite3session_delete(s);
    return cs;
}

static void translate(sqlite3 *db, const void *cs, int n, lsq_offline_stmts *out)
{
    lsq_error err;
    memset(&err, 0, sizeof err);
    lsq_status st = lsq_offline_changeset_sql(db, cs, n, out, &err);
    if (st != LSQ_OK)
        fail_msg("lsq_offline_changeset_sql: %s", err.message);
}

static void assert_text_arg(const lsq_value *v, const char *want)
{
    assert_int_equal(v->type, SQLITE_TEXT);
    assert_int_equal(v->n, strlen(want));
    assert_memory_equal(v->p, want, v->n);
}

static void assert_int_arg(const lsq_value *v, int64_t want)
{
    assert_int_equal(v->type, SQLITE_INTEGER);
    assert_int_equal(v->i, want);
}

/* Run one generated statement on db with its typed arguments; changes(). */
static int run_stmt(sqlite3 *db, const lsq_offline_stmt *s)
{
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, s->sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_bind_parameter_count(q), (int)s->nargs);
    for (size_t i = 0; i < s->nargs; i++) {
        const lsq_value *v = &s->args[i];
        int k = (int)i + 1;
        switch (v->type) {
        case SQLITE_INTEGER: sqlite3_bind_int64(q, k, v->i); break;
        case SQLITE_FLOAT: sqlite3_bind_double(q, k, v->d); break;
        case SQLITE_TEXT: sqlite3_bind_text(q, k, v->p, (int)v->n, SQLITE_STATIC); break;
        case SQLITE_BLOB: sqlite3_bind_blob(q, k, v->p, (int)v->n, SQLITE_STATIC); break;
        default: sqlite3_bind_null(q, k); break;
        }
    }
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    assert_int_equal(rc, SQLITE_DONE);
    return sqlite3_changes(db);
}

static char *dump(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    char *out = sqlite3_mprintf("");
    while (sqlite3_step(q) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(q); c++) {
            char *next = sqlite3_mprintf("%s%s%s", out, c ? "|" : "",
                                         sqlite3_column_type(q, c) == SQLITE_NULL
                                             ? "NULL"
                                             : (const char *)sqlite3_column_text(q, c));
            sqlite3_free(out);
            out = next;
        }
        char *next = sqlite3_mprintf("%s;", out);
        sqlite3_free(out);
        out = next;
    }
    sqlite3_finalize(q);
    return out;
}

static const char schema[] = "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b REAL, c BLOB);"
                             "INSERT INTO t VALUES (1, 'one', 1.5, x'00ff'), (2, 'two', NULL, NULL);";

static void test_insert(void **state)
{
    (void)state;
    sqlite3 *db = mem_db(schema);
    int n = 0;
    void *cs = capture(db, "INSERT INTO t VALUES (3, 'it''s', 2.25, x'0102')", &n);
    lsq_offline_stmts ss;
    translate(db, cs, n, &ss);
    assert_int_equal(ss.n, 1);
    assert_int_equal(ss.v[0].op, LSQ_OFF_INSERT);
    assert_int_equal(ss.v[0].guard, 0);
    assert_string_equal(ss.v[0].sql, "INSERT INTO \"t\"(\"id\", \"a\", \"b\", \"c\") VALUES (?, ?, ?, ?)");
    assert_int_equal(ss.v[0].nargs, 4);
    assert_int_arg(&ss.v[0].args[0], 3);
    assert_text_arg(&ss.v[0].args[1], "it's");
    assert_int_equal(ss.v[0].args[2].type, SQLITE_FLOAT);
    assert_true(ss.v[0].args[2].d == 2.25);
    assert_int_equal(ss.v[0].args[3].type, SQLITE_BLOB);
    assert_int_equal(ss.v[0].args[3].n, 2);
    assert_memory_equal(ss.v[0].args[3].p, "\x01\x02", 2);
    char *r = lsq_offline_stmts_render(&ss);
    assert_string_equal(r, "INSERT INTO \"t\"(\"id\", \"a\", \"b\", \"c\") VALUES (3, 'it''s', "
                           "2.25, X'0102');");
    free(r);
    lsq_offline_stmts_free(&ss);
    sqlite3_free(cs);
    sqlite3_close(db);
}

static void test_update_only_changed_columns(void **state)
{
    (void)state;
    sqlite3 *db = mem_db(schema);
    int n = 0;
    void *cs = capture(db, "UPDATE t SET a = 'ONE' WHERE id = 1", &n);
    lsq_offline_stmts ss;
    translate(db, cs, n, &ss);
    assert_int_equal(ss.n, 1);
    assert_int_equal(ss.v[0].op, LSQ_OFF_UPDATE);
    assert_int_equal(ss.v[0].guard, 1);
    assert_string_equal(ss.v[0].sql, "UPDATE \"t\" SET \"a\" = ? WHERE \"id\" = ? AND \"a\" IS ?");
    assert_int_equal(ss.v[0].nargs, 3);
    assert_text_arg(&ss.v[0].args[0], "ONE");
    assert_int_arg(&ss.v[0].args[1], 1);
    assert_text_arg(&ss.v[0].args[2], "one");

    /* Replayed on the original rows it makes the same change; on a copy
     * whose row changed underneath it changes nothing (the guard's case). */
    sqlite3 *copy = mem_db(schema);
    assert_int_equal(run_stmt(copy, &ss.v[0]), 1);
    char *got = dump(copy, "SELECT * FROM t ORDER BY id");
    char *want = dump(db, "SELECT * FROM t ORDER BY id");
    assert_string_equal(got, want);
    sqlite3_free(got);
    sqlite3_free(want);
    sqlite3_close(copy);
    copy = mem_db(schema);
    exec_ok(copy, "UPDATE t SET a = 'moved' WHERE id = 1");
    assert_int_equal(run_stmt(copy, &ss.v[0]), 0);
    sqlite3_close(copy);
    /* ... while a change to another column of the row is merged. */
    copy = mem_db(schema);
    exec_ok(copy, "UPDATE t SET b = 9 WHERE id = 1");
    assert_int_equal(run_stmt(copy, &ss.v[0]), 1);
    sqlite3_close(copy);

    lsq_offline_stmts_free(&ss);
    sqlite3_free(cs);
    sqlite3_close(db);
}

static void test_delete_checks_every_column(void **state)
{
    (void)state;
    sqlite3 *db = mem_db(schema);
    int n = 0;
    void *cs = capture(db, "DELETE FROM t WHERE id = 2", &n);
    lsq_offline_stmts ss;
    translate(db, cs, n, &ss);
    assert_int_equal(ss.n, 1);
    assert_int_equal(ss.v[0].op, LSQ_OFF_DELETE);
    assert_int_equal(ss.v[0].guard, 1);
    assert_string_equal(ss.v[0].sql, "DELETE FROM \"t\" WHERE \"id\" = ? AND \"a\" IS ? AND "
                                     "\"b\" IS ? AND \"c\" IS ?");
    assert_int_arg(&ss.v[0].args[0], 2);
    assert_text_arg(&ss.v[0].args[1], "two");
    assert_int_equal(ss.v[0].args[2].type, SQLITE_NULL);
    assert_int_equal(ss.v[0].args[3].type, SQLITE_NULL);
    char *r = lsq_offline_stmts_render(&ss);
    assert_string_equal(r, "DELETE FROM \"t\" WHERE \"id\" = 2 AND \"a\" IS 'two' AND \"b\" IS "
                           "NULL AND \"c\" IS NULL;");
    free(r);
    sqlite3 *copy = mem_db(schema);
    assert_int_equal(run_stmt(copy, &ss.v[0]), 1);
    sqlite3_close(copy);
    copy = mem_db(schema);
    exec_ok(copy, "UPDATE t SET b = 3 WHERE id = 2");
    assert_int_equal(run_stmt(copy, &ss.v[0]), 0);
    sqlite3_close(copy);
    lsq_offline_stmts_free(&ss);
    sqlite3_free(cs);
    sqlite3_close(db);
}

static void test_quoting_and_composite_key(void **state)
{
    (void)state;
    sqlite3 *db = mem_db("CREATE TABLE \"we\"\"ird?\"(\"k 1\" TEXT, k2 INTEGER, \"v\"\"\" TEXT,"
                         " PRIMARY KEY (k2, \"k 1\")) WITHOUT ROWID;"
                         "INSERT INTO \"we\"\"ird?\" VALUES ('a', 1, 'x');");
    int n = 0;
    void *cs = capture(db, "UPDATE \"we\"\"ird?\" SET \"v\"\"\" = '?' WHERE k2 = 1;"
                           "INSERT INTO \"we\"\"ird?\" VALUES ('b', 2, NULL)", &n);
    lsq_offline_stmts ss;
    translate(db, cs, n, &ss);
    assert_int_equal(ss.n, 2);
    int upd = ss.v[0].op == LSQ_OFF_UPDATE ? 0 : 1;
    assert_string_equal(ss.v[upd].sql, "UPDATE \"we\"\"ird?\" SET \"v\"\"\" = ? WHERE \"k 1\" = ? "
                                       "AND \"k2\" = ? AND \"v\"\"\" IS ?");
    assert_string_equal(ss.v[1 - upd].sql,
                        "INSERT INTO \"we\"\"ird?\"(\"k 1\", \"k2\", \"v\"\"\") VALUES (?, ?, ?)");
    /* '?' inside identifiers and values is not a placeholder when rendering */
    char *r = lsq_offline_stmts_render(&ss);
    assert_non_null(strstr(r, "UPDATE \"we\"\"ird?\" SET \"v\"\"\" = '?' WHERE \"k 1\" = 'a' AND "
                              "\"k2\" = 1 AND \"v\"\"\" IS 'x';"));
    free(r);
    lsq_offline_stmts_free(&ss);
    sqlite3_free(cs);
    sqlite3_close(db);
}

static void test_key_change_is_delete_and_insert(void **state)
{
    (void)state;
    sqlite3 *db = mem_db(schema);
    int n = 0;
    void *cs = capture(db, "UPDATE t SET id = 7 WHERE id = 2", &n);
    lsq_offline_stmts ss;
    translate(db, cs, n, &ss);
    assert_int_equal(ss.n, 2);
    int ins = 0, del = 0;
    for (size_t i = 0; i < ss.n; i++) {
        ins += ss.v[i].op == LSQ_OFF_INSERT;
        del += ss.v[i].op == LSQ_OFF_DELETE;
    }
    assert_int_equal(ins, 1);
    assert_int_equal(del, 1);
    lsq_offline_stmts_free(&ss);
    sqlite3_free(cs);
    sqlite3_close(db);
}

static void test_schema_mismatch_is_an_error(void **state)
{
    (void)state;
    sqlite3 *db = mem_db(schema);
    int n = 0;
    void *cs = capture(db, "INSERT INTO t VALUES (5, 'x', 1, NULL)", &n);
    sqlite3 *other = mem_db("CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT)");
    lsq_offline_stmts ss;
    lsq_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(lsq_offline_changeset_sql(other, cs, n, &ss, &err), LSQ_ERR_NO_TABLE);
    assert_non_null(strstr(err.message, "does not match the local schema"));
    assert_int_equal(ss.n, 0);
    /* a table added column later (ALTER TABLE ADD COLUMN): the first
     * columns still match */
    sqlite3 *wider = mem_db("CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b REAL, c BLOB, d);");
    translate(wider, cs, n, &ss);
    assert_string_equal(ss.v[0].sql, "INSERT INTO \"t\"(\"id\", \"a\", \"b\", \"c\") VALUES (?, ?, ?, ?)");
    lsq_offline_stmts_free(&ss);
    sqlite3_close(wider);
    sqlite3_close(other);
    sqlite3_free(cs);
    sqlite3_close(db);
}

static void test_garbage_is_an_error(void **state)
{
    (void)state;
    sqlite3 *db = mem_db(schema);
    lsq_offline_stmts ss;
    lsq_error err;
    memset(&err, 0, sizeof err);
    static const unsigned char junk[] = {'T', 3, 1, 0, 't', 0, 0x12, 0x34};
    assert_int_not_equal(lsq_offline_changeset_sql(db, junk, (int)sizeof junk, &ss, &err),
                         LSQ_OK);
    assert_int_equal(ss.n, 0);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert),
        cmocka_unit_test(test_update_only_changed_columns),
        cmocka_unit_test(test_delete_checks_every_column),
        cmocka_unit_test(test_quoting_and_composite_key),
        cmocka_unit_test(test_key_change_is_delete_and_insert),
        cmocka_unit_test(test_schema_mismatch_is_an_error),
        cmocka_unit_test(test_garbage_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
