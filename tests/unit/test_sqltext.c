/*
 * test_sqltext.c — ODBC escape translation (driver/sqltext.c): quotes,
 * identifiers and comments pass untouched, every escape kind, nesting,
 * scalar functions (checked by running the translation in SQLite), and
 * the errors the caller posts as 42000.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../driver/sqltext.h"

static char *tr(const char *sql)
{
    char err[256];
    char *out = sqltext_translate(sql, strlen(sql), err, sizeof err);
    if (!out) fail_msg("translate failed for [%s]: %s", sql, err);
    return out;
}

static void tr_is(const char *sql, const char *want)
{
    char *out = tr(sql);
    if (strcmp(out, want) != 0) fail_msg("[%s]\n got [%s]\nwant [%s]", sql, out, want);
    free(out);
}

static void tr_fails(const char *sql, const char *msg_part)
{
    char err[256] = "";
    char *out = sqltext_translate(sql, strlen(sql), err, sizeof err);
    if (out) fail_msg("expected an error for [%s], got [%s]", sql, out);
    if (!strstr(err, msg_part)) fail_msg("error for [%s] is [%s], wanted [%s]", sql, err, msg_part);
}

/* Translate and evaluate "SELECT <expr>" in SQLite, returning the text. */
static void eval_is(const char *expr, const char *want)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT %s", expr);
    char *t = tr(sql);
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, t, -1, &st, NULL) != SQLITE_OK)
        fail_msg("[%s] -> [%s]: %s", expr, t, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const char *got = (const char *)sqlite3_column_text(st, 0);
    if (!got) got = "NULL";
    if (strcmp(got, want) != 0) fail_msg("[%s] -> [%s] = [%s], want [%s]", expr, t, got, want);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(t);
}

static void test_plain_text_untouched(void **state)
{
    (void)state;
    tr_is("SELECT 1", "SELECT 1");
    tr_is("", "");
    tr_is("SELECT '{fn UCASE(x)}' FROM t", "SELECT '{fn UCASE(x)}' FROM t");
    tr_is("SELECT 'it''s {d x}', \"{fn\" FROM [a{b] -- {oj\n", "SELECT 'it''s {d x}', \"{fn\" FROM [a{b] -- {oj\n");
    tr_is("SELECT `{x}` /* {fn NOW()} */, 2", "SELECT `{x}` /* {fn NOW()} */, 2");
    tr_is("SELECT '}' , {fn UCASE('}')}", "SELECT '}' , upper('}')");
    /* Unterminated quotes are left for SQLite to report. */
    tr_is("SELECT 'abc", "SELECT 'abc");
}

static void test_date_time_literals(void **state)
{
    (void)state;
    tr_is("SELECT {d '2024-01-31'}", "SELECT '2024-01-31'");
    tr_is("SELECT {t '10:11:12'}", "SELECT '10:11:12'");
    tr_is("SELECT {ts '2024-01-31 10:11:12.5'}", "SELECT '2024-01-31 10:11:12.5'");
    tr_is("SELECT {D '2024-01-31'}", "SELECT '2024-01-31'");
    tr_is("SELECT {  ts   '2024-01-31 00:00:00'  }", "SELECT '2024-01-31 00:00:00'");
    tr_is("SELECT {guid '12345678-1234-1234-1234-123456789abc'}",
           "SELECT '12345678-1234-1234-1234-123456789abc'");
}

static void test_oj_and_escape(void **state)
{
    (void)state;
    tr_is("SELECT * FROM {oj a LEFT OUTER JOIN b ON a.id=b.id}",
           "SELECT * FROM a LEFT OUTER JOIN b ON a.id=b.id");
    tr_is("SELECT * FROM {OJ a LEFT JOIN {oj b LEFT JOIN c ON b.x=c.x} ON a.id=b.id}",
           "SELECT * FROM a LEFT JOIN b LEFT JOIN c ON b.x=c.x ON a.id=b.id");
    tr_is("SELECT 1 WHERE 'a%' LIKE 'a\\%' {escape '\\'}",
           "SELECT 1 WHERE 'a%' LIKE 'a\\%' ESCAPE '\\'");
}

static void test_function_text(void **state)
{
    (void)state;
    tr_is("SELECT {fn UCASE(name)} FROM t", "SELECT upper(name) FROM t");
    tr_is("SELECT {fn ucase(name)}", "SELECT upper(name)");
    tr_is("SELECT {fn CONCAT(a, b)}", "SELECT (a||b)");
    tr_is("SELECT {fn CONCAT(a + 1, 'x')}", "SELECT ((a + 1)||'x')");
    tr_is("SELECT {fn IFNULL(a, 0)}", "SELECT ifnull(a,0)");
    tr_is("SELECT {fn NOW()}", "SELECT datetime('now')");
    tr_is("SELECT {fn CURDATE()}", "SELECT date('now')");
    tr_is("SELECT {fn RAND()} < 1", "SELECT (random()/18446744073709551616.0+0.5) < 1");
    tr_is("SELECT {fn CONVERT(x, SQL_INTEGER)}", "SELECT CAST(x AS INTEGER)");
    tr_is("SELECT {fn CONVERT(x, SQL_VARCHAR)}", "SELECT CAST(x AS TEXT)");
    tr_is("SELECT {fn UCASE({fn LCASE(x)})}", "SELECT upper(lower(x))");
    tr_is("SELECT {fn CONCAT({fn CONCAT(a, b)}, c)}", "SELECT ((a||b)||c)");
    tr_is("SELECT {fn SUBSTRING(s, 2, 3)}, {fn SUBSTRING(s, 2)}", "SELECT substr(s,2,3), substr(s,2)");
    tr_is("SELECT {fn LENGTH(f(a, b))}", "SELECT length(rtrim(f(a, b),' '))");
}

static void test_function_values(void **state)
{
    (void)state;
    /* string */
    eval_is("{fn ASCII('A')}", "65");
    eval_is("{fn CHAR(66)}", "B");
    eval_is("{fn CONCAT('ab', 'cd')}", "abcd");
    eval_is("{fn INSERT('abcdef', 2, 3, 'XY')}", "aXYef");
    eval_is("{fn LCASE('AbC')}", "abc");
    eval_is("{fn UCASE('AbC')}", "ABC");
    eval_is("{fn LEFT('abcdef', 2)}", "ab");
    eval_is("{fn RIGHT('abcdef', 2)}", "ef");
    eval_is("{fn RIGHT('abcdef', 0)}", "");
    eval_is("{fn LENGTH('abc  ')}", "3");
    eval_is("{fn CHAR_LENGTH('abc  ')}", "5");
    eval_is("{fn OCTET_LENGTH('é')}", "2");
    eval_is("{fn BIT_LENGTH('a')}", "8");
    eval_is("{fn LOCATE('c', 'abcabc')}", "3");
    eval_is("{fn LOCATE('c', 'abcabc', 4)}", "6");
    eval_is("{fn LOCATE('z', 'abcabc', 2)}", "0");
    eval_is("{fn POSITION('c' IN 'abc')}", "3");
    eval_is("{fn LTRIM('  a ')}", "a ");
    eval_is("{fn RTRIM('  a ')}", "  a");
    eval_is("{fn REPEAT('ab', 3)}", "ababab");
    eval_is("{fn REPLACE('aXbX', 'X', 'y')}", "ayby");
    eval_is("'[' || {fn SPACE(3)} || ']'", "[   ]");
    eval_is("{fn SUBSTRING('abcdef', 2, 3)}", "bcd");
    /* numeric */
    eval_is("{fn ABS(-3)}", "3");
    eval_is("{fn CEILING(1.2)}", "2.0");
    eval_is("{fn FLOOR(-1.2)}", "-2.0");
    eval_is("{fn MOD(7, 3)}", "1");
    eval_is("{fn POWER(2, 10)}", "1024.0");
    eval_is("{fn SQRT(16)}", "4.0");
    eval_is("{fn ROUND(2.567, 2)}", "2.57");
    eval_is("{fn SIGN(-5)}", "-1");
    eval_is("{fn LOG10(1000)}", "3.0");
    eval_is("{fn LOG(1)}", "0.0");
    eval_is("{fn TRUNCATE(2.567, 1)}", "2.5");
    eval_is("round({fn PI()}, 4)", "3.1416");
    eval_is("{fn RAND()} BETWEEN 0 AND 1", "1");
    eval_is("{fn DEGREES({fn PI()})}", "180.0");
    /* date and time */
    eval_is("{fn YEAR('2024-03-15 10:20:30')}", "2024");
    eval_is("{fn MONTH('2024-03-15 10:20:30')}", "3");
    eval_is("{fn DAYOFMONTH('2024-03-15 10:20:30')}", "15");
    eval_is("{fn HOUR('2024-03-15 10:20:30')}", "10");
    eval_is("{fn MINUTE('2024-03-15 10:20:30')}", "20");
    eval_is("{fn SECOND('2024-03-15 10:20:30')}", "30");
    eval_is("{fn DAYOFWEEK('2024-03-17')}", "1"); /* Sunday */
    eval_is("{fn DAYNAME('2024-03-15')}", "Friday");
    eval_is("{fn MONTHNAME('2024-03-15')}", "March");
    eval_is("{fn QUARTER('2024-08-01')}", "3");
    eval_is("{fn DAYOFYEAR('2024-02-01')}", "32");
    eval_is("{fn TIMESTAMPADD(SQL_TSI_DAY, 3, '2024-01-30 10:00:00')}", "2024-02-02 10:00:00");
    eval_is("{fn TIMESTAMPADD(SQL_TSI_MONTH, -1, '2024-03-15 00:00:00')}", "2024-02-15 00:00:00");
    eval_is("{fn TIMESTAMPADD(SQL_TSI_HOUR, 2, {ts '2024-01-01 23:00:00'})}", "2024-01-02 01:00:00");
    eval_is("{fn TIMESTAMPADD(SQL_TSI_WEEK, 1, '2024-01-01 00:00:00')}", "2024-01-08 00:00:00");
    eval_is("{fn TIMESTAMPDIFF(SQL_TSI_SECOND, '2024-01-01 00:00:00', '2024-01-01 00:01:05')}", "65");
    eval_is("{fn TIMESTAMPDIFF(SQL_TSI_MINUTE, '2024-01-01 00:00:00', '2024-01-01 01:01:05')}", "61");
    eval_is("{fn TIMESTAMPDIFF(SQL_TSI_DAY, {d '2024-01-01'}, {d '2024-03-01'})}", "60");
    eval_is("{fn TIMESTAMPDIFF(SQL_TSI_MONTH, '2024-01-31', '2024-03-01')}", "2");
    eval_is("{fn TIMESTAMPDIFF(SQL_TSI_YEAR, '2020-06-01', '2024-01-01')}", "4");
    eval_is("length({fn NOW()})", "19");
    eval_is("length({fn CURDATE()})", "10");
    eval_is("length({fn CURTIME()})", "8");
    eval_is("length({fn CURRENT_TIMESTAMP()})", "19");
    /* system and conversion */
    eval_is("{fn IFNULL(NULL, 'x')}", "x");
    eval_is("{fn DATABASE()}", "main");
    eval_is("typeof({fn CONVERT('42', SQL_INTEGER)})", "integer");
    eval_is("typeof({fn CONVERT(42, SQL_VARCHAR)})", "text");
    eval_is("typeof({fn CONVERT('1.5', SQL_DOUBLE)})", "real");
    eval_is("{fn CONVERT('2024-01-02 03:04:05', SQL_DATE)}", "2024-01-02");
}

static void test_errors(void **state)
{
    (void)state;
    tr_fails("{call myproc(1)}", "procedures are not supported");
    tr_fails("{?= call myproc(1)}", "procedures are not supported");
    tr_fails("{CALL p}", "procedures are not supported");
    tr_fails("SELECT {fn NOSUCHFN(1)}", "unsupported ODBC scalar function");
    tr_fails("SELECT {fn UCASE(1, 2)}", "wrong number of arguments");
    tr_fails("SELECT {fn UCASE(1)", "unterminated");
    tr_fails("SELECT {fn UCASE 1}", "'(' expected");
    tr_fails("SELECT {fn UCASE(1) x}", "text after ')'");
    tr_fails("SELECT {bogus 1}", "unknown ODBC escape sequence");
    tr_fails("SELECT {d 2024}", "quoted literal");
    tr_fails("SELECT {fn TIMESTAMPADD(SQL_TSI_CENTURY, 1, x)}", "unknown interval");
    tr_fails("SELECT {fn CONVERT(x, SQL_NOTATYPE)}", "CONVERT");
    tr_fails("SELECT {INTERVAL '1' DAY}", "interval");
    /* A tiny error buffer is still NUL-terminated. */
    char err[8];
    assert_null(sqltext_translate("{call p}", 8, err, sizeof err));
    assert_int_equal(strlen(err), 7);
}

static void test_explicit_length(void **state)
{
    (void)state;
    char err[64];
    char *out = sqltext_translate("SELECT {d '2024-01-01'} garbage", 23, err, sizeof err);
    assert_non_null(out);
    assert_string_equal(out, "SELECT '2024-01-01'");
    free(out);
    out = sqltext_translate("SELECT 1; junk", 8, err, sizeof err);
    assert_string_equal(out, "SELECT 1");
    free(out);
}

static void test_has_statement(void **state)
{
    (void)state;
    assert_false(sqltext_has_statement(""));
    assert_false(sqltext_has_statement("   \n\t"));
    assert_false(sqltext_has_statement("-- just a comment\n  /* and another */ "));
    assert_false(sqltext_has_statement(" ; ;"));
    assert_false(sqltext_has_statement("/* unterminated"));
    assert_false(sqltext_has_statement(NULL));
    assert_true(sqltext_has_statement("SELECT 1"));
    assert_true(sqltext_has_statement("-- c\nSELECT 1"));
    assert_true(sqltext_has_statement("/* c */ x"));
    assert_true(sqltext_has_statement("-"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text_untouched),
        cmocka_unit_test(test_date_time_literals),
        cmocka_unit_test(test_oj_and_escape),
        cmocka_unit_test(test_function_text),
        cmocka_unit_test(test_function_values),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_explicit_length),
        cmocka_unit_test(test_has_statement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
