/*
 * test_diag.c — diagnostics (driver/diag.c) and string output (util.c):
 * posting records and their return codes, the lsq_status -> SQLSTATE table,
 * SQLite errors, SQLGetDiagRec / SQLGetDiagField field by field, truncation,
 * record numbers out of range, and handle validation of freed handles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"

static SQLHANDLE new_env(void)
{
    SQLHANDLE h = NULL;
    assert_int_equal(odbc_AllocHandle(SQL_HANDLE_ENV, NULL, &h), SQL_SUCCESS);
    assert_non_null(env_from(h));
    return h;
}

static void test_post_return_codes(void **state)
{
    (void)state;
    diag_list d;
    diag_init(&d);
    assert_int_equal(diag_post(&d, "42000", 1, "bad %s", "sql"), SQL_ERROR);
    assert_int_equal(diag_post(&d, "01004", 0, "truncated"), SQL_SUCCESS_WITH_INFO);
    assert_int_equal(diag_post_at(&d, 3, 2, "22003", 0, "range"), SQL_ERROR);
    assert_int_equal(d.count, 3);
    assert_string_equal(d.recs[0].state, "42000");
    assert_int_equal(d.recs[0].native, 1);
    assert_string_equal(d.recs[0].message, DIAG_PREFIX "bad sql");
    assert_int_equal(d.recs[0].row_number, SQL_NO_ROW_NUMBER);
    assert_int_equal(d.recs[2].row_number, 3);
    assert_int_equal(d.recs[2].column_number, 2);
    diag_clear(&d);
    assert_int_equal(d.count, 0);
    for (int i = 0; i < 50; i++) /* growth */
        diag_post(&d, "HY000", i, "n%d", i);
    assert_int_equal(d.count, 50);
    assert_string_equal(d.recs[49].message, DIAG_PREFIX "n49");
    diag_free(&d);
}

static void test_state_for_every_status(void **state)
{
    (void)state;
    static const struct { lsq_status st; const char *sqlstate; } map[] = {
        {LSQ_OK, "00000"},           {LSQ_ERR_CANTOPEN, "08001"},
        {LSQ_ERR_NETWORK, "08S01"},  {LSQ_ERR_AUTH, "28000"},
        {LSQ_ERR_TIMEOUT, "HYT00"},  {LSQ_ERR_CONSTRAINT, "23000"},
        {LSQ_ERR_SYNTAX, "42000"},   {LSQ_ERR_NO_TABLE, "42S02"},
        {LSQ_ERR_NO_COLUMN, "42S22"}, {LSQ_ERR_EXISTS, "42S01"},
        {LSQ_ERR_BUSY, "HY000"},     {LSQ_ERR_CONFLICT, "40001"},
        {LSQ_ERR_PROTOCOL, "08S01"}, {LSQ_ERR_READONLY, "25000"},
        {LSQ_ERR_NOMEM, "HY001"},    {LSQ_ERR_MISUSE, "HY009"},
        {LSQ_ERR_MISC, "HY000"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        assert_string_equal(diag_state_for(map[i].st), map[i].sqlstate);
    assert_int_equal(sizeof map / sizeof map[0], LSQ_ERR_MISC + 1);

    diag_list d;
    diag_init(&d);
    lsq_error err = {.status = LSQ_ERR_CONFLICT, .native = 7};
    strcpy(err.message, "primary moved");
    assert_int_equal(diag_post_lsq(&d, &err), SQL_ERROR);
    assert_string_equal(d.recs[0].state, "40001");
    assert_int_equal(d.recs[0].native, 7);
    assert_string_equal(d.recs[0].message, DIAG_PREFIX "primary moved");
    diag_free(&d);
}

static void test_sqlite_errors(void **state)
{
    (void)state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    diag_list d;
    diag_init(&d);
    int rc = sqlite3_exec(db, "SELEC 1", NULL, NULL, NULL);
    assert_int_equal(diag_post_sqlite(&d, db, rc), SQL_ERROR);
    assert_string_equal(d.recs[0].state, "42000");
    rc = sqlite3_exec(db, "SELECT * FROM nope", NULL, NULL, NULL);
    diag_post_sqlite(&d, db, rc);
    assert_string_equal(d.recs[1].state, "42S02");
    assert_non_null(strstr(d.recs[1].message, "no such table: nope"));
    sqlite3_exec(db, "CREATE TABLE t(a UNIQUE)", NULL, NULL, NULL);
    rc = sqlite3_exec(db, "CREATE TABLE t(a)", NULL, NULL, NULL);
    diag_post_sqlite(&d, db, rc);
    assert_string_equal(d.recs[2].state, "42S01");
    sqlite3_exec(db, "INSERT INTO t VALUES(1)", NULL, NULL, NULL);
    rc = sqlite3_exec(db, "INSERT INTO t VALUES(1)", NULL, NULL, NULL);
    diag_post_sqlite(&d, db, rc);
    assert_string_equal(d.recs[3].state, "23000");
    assert_int_equal(d.recs[3].native, SQLITE_CONSTRAINT_UNIQUE);
    diag_free(&d);
    sqlite3_close(db);
}

static void test_get_diag_rec(void **state)
{
    (void)state;
    SQLHANDLE h = new_env();
    env *e = env_from(h);
    diag_post(&e->hdr.diag, "HY024", 42, "Invalid attribute value");
    diag_post(&e->hdr.diag, "01S02", 0, "Option value changed");

    SQLCHAR st[6], msg[256];
    SQLINTEGER native = 0;
    SQLSMALLINT len = 0;
    assert_int_equal(odbc_GetDiagRec(SQL_HANDLE_ENV, h, 1, st, &native, msg, sizeof msg, &len),
                     SQL_SUCCESS);
    assert_string_equal((char *)st, "HY024");
    assert_int_equal(native, 42);
    assert_string_equal((char *)msg, DIAG_PREFIX "Invalid attribute value");
    assert_int_equal(len, (int)strlen(DIAG_PREFIX "Invalid attribute value"));

    /* truncation: SQL_SUCCESS_WITH_INFO, full length, NUL-terminated prefix */
    SQLCHAR small[8];
    assert_int_equal(odbc_GetDiagRec(SQL_HANDLE_ENV, h, 2, st, &native, small, sizeof small, &len),
                     SQL_SUCCESS_WITH_INFO);
    assert_string_equal((char *)small, "[libSQL");
    assert_int_equal(len, (int)strlen(DIAG_PREFIX "Option value changed"));
    /* truncation must not add a record to the list being read */
    assert_int_equal(e->hdr.diag.count, 2);

    assert_int_equal(odbc_GetDiagRec(SQL_HANDLE_ENV, h, 3, st, &native, msg, sizeof msg, &len),
                     SQL_NO_DATA);
    assert_int_equal(odbc_GetDiagRec(SQL_HANDLE_ENV, h, 0, st, &native, msg, sizeof msg, &len),
                     SQL_ERROR);
    assert_int_equal(odbc_GetDiagRec(SQL_HANDLE_ENV, h, 1, st, &native, msg, -1, &len),
                     SQL_ERROR);
    /* wrong handle type for this pointer */
    assert_int_equal(odbc_GetDiagRec(SQL_HANDLE_DBC, h, 1, st, &native, msg, sizeof msg, &len),
                     SQL_INVALID_HANDLE);

    assert_int_equal(odbc_FreeHandle(SQL_HANDLE_ENV, h), SQL_SUCCESS);
    /* freed handle: rejected without being dereferenced */
    assert_null(env_from(h));
    assert_int_equal(odbc_GetDiagRec(SQL_HANDLE_ENV, h, 1, st, &native, msg, sizeof msg, &len),
                     SQL_INVALID_HANDLE);
    assert_int_equal(odbc_GetDiagRec(SQL_HANDLE_ENV, NULL, 1, st, &native, msg, sizeof msg, &len),
                     SQL_INVALID_HANDLE);
}

static void test_get_diag_field(void **state)
{
    (void)state;
    SQLHANDLE h = new_env();
    env *e = env_from(h);
    diag_post(&e->hdr.diag, "42000", 1, "syntax");
    diag_post(&e->hdr.diag, "IM001", 0, "not supported");
    diag_post(&e->hdr.diag, "42S02", 0, "no table");
    e->hdr.diag.retcode = SQL_ERROR;

    SQLINTEGER n = -1;
    assert_int_equal(odbc_GetDiagField(SQL_HANDLE_ENV, h, 0, SQL_DIAG_NUMBER, &n, 0, NULL),
                     SQL_SUCCESS);
    assert_int_equal(n, 3);
    SQLRETURN rc = 0;
    assert_int_equal(odbc_GetDiagField(SQL_HANDLE_ENV, h, 0, SQL_DIAG_RETURNCODE, &rc, 0, NULL),
                     SQL_SUCCESS);
    assert_int_equal(rc, SQL_ERROR);
    /* statement-only header fields on an environment */
    SQLLEN rows;
    assert_int_equal(odbc_GetDiagField(SQL_HANDLE_ENV, h, 0, SQL_DIAG_ROW_COUNT, &rows, 0, NULL),
                     SQL_ERROR);

    char buf[64];
    SQLSMALLINT len;
    assert_int_equal(odbc_GetDiagField(SQL_HANDLE_ENV, h, 1, SQL_DIAG_SQLSTATE, buf, sizeof buf, &len),
                     SQL_SUCCESS);
    assert_string_equal(buf, "42000");
    assert_int_equal(len, 5);
    assert_int_equal(odbc_GetDiagField(SQL_HANDLE_ENV, h, 1, SQL_DIAG_NATIVE, &n, 0, NULL),
                     SQL_SUCCESS);
    assert_int_equal(n, 1);
    assert_int_equal(odbc_GetDiagField(SQL_HANDLE_ENV, h, 1, SQL_DIAG_MESSAGE_TEXT, buf, sizeof buf, &len),
                     SQL_SUCCESS);
    assert_string_equal(buf, DIAG_PREFIX "syntax");
    assert_int_equal(odbc_GetDiagField(SQL_HANDLE_ENV, h, 1, SQL_DIAG_MESSAGE_TEXT, buf, 4, &len),
                     SQL_SUCCESS_WITH_INFO);
    assert_string_equal(buf, "[li");

    odbc_GetDiagField(SQL_HANDLE_ENV, h, 1, SQL_DIAG_CLASS_ORIGIN, buf, sizeof buf, &len);
    assert_string_equal(buf, "ISO 9075");
    odbc_GetDiagField(SQL_HANDLE_ENV, h, 1, SQL_DIAG_SUBCLASS_ORIGIN, buf, sizeof buf, &len);
    assert_string_equal(buf, "ISO 9075");
    odbc_GetDiagField(SQL_HANDLE_ENV, h, 2, SQL_DIAG_CLASS_ORIGIN, buf, sizeof buf, &len);
    assert_string_equal(buf, "ODBC 3.0");
    odbc_GetDiagField(SQL_HANDLE_ENV, h, 3, SQL_DIAG_CLASS_ORIGIN, buf, sizeof buf, &len);
    assert_string_equal(buf, "ISO 9075");
    odbc_GetDiagField(SQL_HANDLE_ENV, h, 3, SQL_DIAG_SUBCLASS_ORIGIN, buf, sizeof buf, &len);
    assert_string_equal(buf, "ODBC 3.0");
    assert_int_equal(odbc_GetDiagField(SQL_HANDLE_ENV, h, 1, SQL_DIAG_CONNECTION_NAME, buf, sizeof buf, &len),
                     SQL_SUCCESS);
    assert_string_equal(buf, "");
    assert_int_equal(odbc_GetDiagField(SQL_HANDLE_ENV, h, 1, SQL_DIAG_SERVER_NAME, buf, sizeof buf, &len),
                     SQL_SUCCESS);
    /* row/column numbers are statement-only */
    assert_int_equal(odbc_GetDiagField(SQL_HANDLE_ENV, h, 1, SQL_DIAG_ROW_NUMBER, &rows, 0, NULL),
                     SQL_ERROR);
    assert_int_equal(odbc_GetDiagField(SQL_HANDLE_ENV, h, 4, SQL_DIAG_SQLSTATE, buf, sizeof buf, &len),
                     SQL_NO_DATA);
    assert_int_equal(odbc_GetDiagField(SQL_HANDLE_ENV, h, 0, SQL_DIAG_SQLSTATE, buf, sizeof buf, &len),
                     SQL_ERROR);
    assert_int_equal(odbc_GetDiagField(SQL_HANDLE_ENV, h, 1, 9999, buf, sizeof buf, &len), SQL_ERROR);
    assert_int_equal(odbc_FreeHandle(SQL_HANDLE_ENV, h), SQL_SUCCESS);
}

/* Records come back ordered: no-row first, then by row; errors before warnings,
 * connection errors before other errors. */
static void test_record_order(void **state)
{
    (void)state;
    SQLHANDLE h = new_env();
    env *e = env_from(h);
    diag_post(&e->hdr.diag, "01004", 0, "warn");
    diag_post_at(&e->hdr.diag, 2, 1, "22003", 0, "row2");
    diag_post_at(&e->hdr.diag, 1, 1, "22018", 0, "row1");
    diag_post(&e->hdr.diag, "HY000", 0, "err");
    diag_post(&e->hdr.diag, "08S01", 0, "link");
    const char *want[] = {"08S01", "HY000", "01004", "22018", "22003"};
    for (int i = 0; i < 5; i++) {
        SQLCHAR st[6];
        assert_int_equal(odbc_GetDiagRec(SQL_HANDLE_ENV, h, (SQLSMALLINT)(i + 1), st, NULL, NULL,
                                         0, NULL), SQL_SUCCESS);
        assert_string_equal((char *)st, want[i]);
    }
    assert_int_equal(odbc_FreeHandle(SQL_HANDLE_ENV, h), SQL_SUCCESS);
}

static void test_str_out(void **state)
{
    (void)state;
    handle_hdr hh;
    memset(&hh, 0, sizeof hh);
    diag_init(&hh.diag);
    SQLCHAR buf[6];
    SQLLEN n = 0;
    assert_int_equal(str_out(&hh, "abc", buf, sizeof buf, &n), SQL_SUCCESS);
    assert_string_equal((char *)buf, "abc");
    assert_int_equal(n, 3);
    /* "aé€x": truncation never splits a UTF-8 character */
    assert_int_equal(str_out(&hh, "a\xc3\xa9\xe2\x82\xacx", buf, sizeof buf, &n),
                     SQL_SUCCESS_WITH_INFO);
    assert_string_equal((char *)buf, "a\xc3\xa9");
    assert_int_equal(n, 7);
    assert_int_equal(hh.diag.count, 1);
    assert_string_equal(hh.diag.recs[0].state, "01004");
    /* length only */
    assert_int_equal(str_out(&hh, "hello world", NULL, 0, &n), SQL_SUCCESS);
    assert_int_equal(n, 11);
    diag_free(&hh.diag);

    assert_int_equal(str_len_in((const SQLCHAR *)"abcd", SQL_NTS), 4);
    assert_int_equal(str_len_in((const SQLCHAR *)"abcd", 2), 2);
    assert_int_equal(str_len_in((const SQLCHAR *)"abcd", -7), -1);
    char *c = str_dup_in((const SQLCHAR *)"abcd", 2);
    assert_string_equal(c, "ab");
    free(c);
    assert_null(str_dup_in(NULL, SQL_NTS));
}

/* Handle life cycle at the internal level (leaks show up under ASan). */
static void test_handle_lifecycle(void **state)
{
    (void)state;
    SQLHANDLE h = new_env(), hdbc = NULL, hstmt = NULL, hdesc = NULL;
    env *e = env_from(h);
    assert_null(dbc_from(h)); /* right pointer, wrong kind */
    assert_int_equal(odbc_AllocHandle(SQL_HANDLE_DBC, h, &hdbc), SQL_ERROR);
    assert_string_equal(e->hdr.diag.recs[0].state, "HY010");
    diag_clear(&e->hdr.diag);
    assert_int_equal(odbc_SetEnvAttr(e, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0),
                     SQL_SUCCESS);
    assert_int_equal(odbc_SetEnvAttr(e, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)12345, 0), SQL_ERROR);
    assert_string_equal(e->hdr.diag.recs[0].state, "HY024");
    diag_clear(&e->hdr.diag);
    assert_int_equal(odbc_AllocHandle(SQL_HANDLE_DBC, h, &hdbc), SQL_SUCCESS);
    dbc *c = dbc_from(hdbc);
    assert_non_null(c);
    assert_int_equal(c->autocommit, SQL_AUTOCOMMIT_ON);

    /* not connected: no statements */
    assert_int_equal(odbc_AllocHandle(SQL_HANDLE_STMT, hdbc, &hstmt), SQL_ERROR);
    assert_string_equal(c->hdr.diag.recs[0].state, "08003");
    diag_clear(&c->hdr.diag);
    /* an environment with a connection cannot be freed */
    assert_int_equal(odbc_FreeHandle(SQL_HANDLE_ENV, h), SQL_ERROR);
    assert_string_equal(e->hdr.diag.recs[0].state, "HY010");

    char dir[] = "/tmp/lsq-diag-XXXXXX", cs[256], path[200];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/x.db", dir);
    snprintf(cs, sizeof cs, "DRIVER=libSQL;Database=%s;Create=1;AuthToken=hush", path);
    SQLCHAR out[512];
    SQLSMALLINT outlen;
    assert_int_equal(odbc_DriverConnect(c, NULL, (SQLCHAR *)cs, SQL_NTS, out, sizeof out, &outlen,
                                        SQL_DRIVER_NOPROMPT), SQL_SUCCESS);
    assert_non_null(c->sqlite);
    assert_int_equal(odbc_DriverConnect(c, NULL, (SQLCHAR *)cs, SQL_NTS, NULL, 0, NULL,
                                        SQL_DRIVER_NOPROMPT), SQL_ERROR);
    assert_string_equal(c->hdr.diag.recs[0].state, "08002");
    diag_clear(&c->hdr.diag);

    assert_int_equal(odbc_AllocHandle(SQL_HANDLE_STMT, hdbc, &hstmt), SQL_SUCCESS);
    stmt *s = stmt_from(hstmt);
    assert_non_null(s);
    assert_ptr_equal(s->ard, &s->imp_ard);
    assert_non_null(desc_from(s->ird)); /* implicit descriptors are handles too */
    assert_int_equal(odbc_AllocHandle(SQL_HANDLE_DESC, hdbc, &hdesc), SQL_SUCCESS);
    assert_int_equal(odbc_SetStmtAttr(s, SQL_ATTR_APP_PARAM_DESC, hdesc, 0), SQL_SUCCESS);
    assert_ptr_equal(s->apd, hdesc);
    assert_int_equal(odbc_SetStmtAttr(s, SQL_ATTR_APP_ROW_DESC, s->ird, 0), SQL_ERROR);
    assert_string_equal(s->hdr.diag.recs[0].state, "HY017");
    assert_int_equal(odbc_FreeHandle(SQL_HANDLE_DESC, hdesc), SQL_SUCCESS);
    assert_ptr_equal(s->apd, &s->imp_apd);
    assert_null(desc_from(hdesc));

    /* manual commit: BEGIN on demand, EndTran closes it */
    assert_int_equal(odbc_SetConnectAttr(c, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0),
                     SQL_SUCCESS);
    assert_int_equal(dbc_begin_if_needed(c), SQL_SUCCESS);
    assert_int_equal(sqlite3_get_autocommit(c->sqlite), 0);
    assert_int_equal(odbc_EndTran(SQL_HANDLE_ENV, h, SQL_COMMIT), SQL_SUCCESS);
    assert_int_equal(sqlite3_get_autocommit(c->sqlite), 1);
    assert_int_equal(c->in_txn, 0);

    assert_int_equal(odbc_FreeHandle(SQL_HANDLE_DBC, hdbc), SQL_ERROR);
    assert_string_equal(c->hdr.diag.recs[0].state, "HY010");
    /* disconnect frees the statement */
    assert_int_equal(odbc_Disconnect(c), SQL_SUCCESS);
    assert_null(stmt_from(hstmt));
    assert_null(c->opt.auth_token);
    assert_int_equal(odbc_Disconnect(c), SQL_ERROR);
    assert_int_equal(odbc_FreeHandle(SQL_HANDLE_DBC, hdbc), SQL_SUCCESS);
    assert_null(dbc_from(hdbc));
    assert_int_equal(odbc_FreeHandle(SQL_HANDLE_ENV, h), SQL_SUCCESS);
    assert_int_equal(odbc_FreeHandle(SQL_HANDLE_ENV, h), SQL_INVALID_HANDLE);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_post_return_codes),
        cmocka_unit_test(test_state_for_every_status),
        cmocka_unit_test(test_sqlite_errors),
        cmocka_unit_test(test_get_diag_rec),
        cmocka_unit_test(test_get_diag_field),
        cmocka_unit_test(test_record_order),
        cmocka_unit_test(test_str_out),
        cmocka_unit_test(test_handle_lifecycle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
