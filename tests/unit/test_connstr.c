/*
 * test_connstr.c — connection-string parsing and DSN option handling
 * (driver/connect.c via connstr.h): braces and escaped '}', case-insensitive
 * keys, unknown keys ignored, defaults, DSN keys from odbc.ini overridden by
 * the connection string, the out-connection string round trip, and secret
 * wiping on free.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "connstr.h"
#include "opskeys.h"

static const char *value_of(connstr_pair *p, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (strcmp(p[i].key, key) == 0)
            return p[i].value;
    return NULL;
}

static void test_parse_basic(void **state)
{
    (void)state;
    connstr_pair *p;
    int n;
    assert_int_equal(connstr_parse("DSN=a; Database = /x/y.db ;;Empty=;last=1", &p, &n), 0);
    assert_int_equal(n, 4);
    assert_string_equal(value_of(p, n, "DSN"), "a");
    assert_string_equal(value_of(p, n, "Database"), "/x/y.db");
    assert_string_equal(value_of(p, n, "Empty"), "");
    assert_string_equal(value_of(p, n, "last"), "1");
    connstr_pairs_free(p, n);

    assert_int_equal(connstr_parse("", &p, &n), 0);
    assert_int_equal(n, 0);
    connstr_pairs_free(p, n);
}

static void test_parse_braces(void **state)
{
    (void)state;
    connstr_pair *p;
    int n;
    assert_int_equal(connstr_parse("AuthToken={a;b=c}};d};Database={/tmp/with space.db}", &p, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(value_of(p, n, "AuthToken"), "a;b=c};d");
    assert_string_equal(value_of(p, n, "Database"), "/tmp/with space.db");
    connstr_pairs_free(p, n);

    /* errors: unterminated brace, key without '=' */
    assert_int_equal(connstr_parse("AuthToken={abc;Database=x", &p, &n), -1);
    assert_null(p);
    assert_int_equal(connstr_parse("Database=x;garbage;", &p, &n), -1);
    assert_null(p);
}

static void test_options_keys(void **state)
{
    (void)state;
    dsn_options o;
    dsn_options_defaults(&o);
    assert_int_equal(o.read_your_writes, 1);
    assert_int_equal(o.busy_timeout_ms, 5000);
    assert_int_equal(o.max_text_len, 65535);
    assert_int_equal(o.bigint_as_integer, 0);
    assert_int_equal(o.create, 0);

    assert_int_equal(dsn_options_from_connstr(&o,
        "driver={libSQL};URL=file:/tmp/a.db;syncurl=libsql://x.turso.io;AUTHTOKEN=tok;"
        "SyncInterval=30;offline=yes;ReadYourWrites=0;readonly=true;CREATE=1;timeout=250;"
        "MaxTextLength=100;BigInt=0;NoWCHAR=1;EncryptionKey=k;SomethingElse=ignored"), 0);
    assert_string_equal(o.driver, "libSQL");
    assert_string_equal(o.database, "file:/tmp/a.db");
    assert_string_equal(o.sync_url, "libsql://x.turso.io");
    assert_string_equal(o.auth_token, "tok");
    assert_string_equal(o.encryption_key, "k");
    assert_int_equal(o.sync_interval, 30);
    assert_int_equal(o.offline, 1);
    assert_int_equal(o.read_your_writes, 0);
    assert_int_equal(o.read_only, 1);
    assert_int_equal(o.create, 1);
    assert_int_equal(o.busy_timeout_ms, 250);
    assert_int_equal(o.max_text_len, 100);
    assert_int_equal(o.bigint_as_integer, 1);
    assert_int_equal(o.no_wchar, 1);
    assert_int_equal(dsn_options_set(&o, "SomethingElse", "x"), 0);
    assert_int_equal(dsn_options_set(&o, "database", "/b.db"), 1);
    assert_string_equal(o.database, "/b.db");
    dsn_options_free(&o);
    assert_null(o.auth_token);
    assert_null(o.database);

    dsn_options_defaults(&o);
    assert_int_equal(dsn_options_from_connstr(&o, "Database={unterminated"), -1);
    dsn_options_free(&o);
}

/* DSN keys come from odbc.ini; the connection string's keys win. */
static void test_dsn_precedence(void **state)
{
    (void)state;
    char dir[] = "/tmp/lsq-connstr-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char ini[256], inst[256];
    snprintf(ini, sizeof ini, "%s/odbc.ini", dir);
    snprintf(inst, sizeof inst, "%s/odbcinst.ini", dir);
    FILE *f = fopen(ini, "w");
    assert_non_null(f);
    fprintf(f, "[mydsn]\nDriver=libSQL\nDatabase=/from/ini.db\nTimeout=111\ncreate=1\n"
               "AuthToken=ini-token\n");
    fclose(f);
    f = fopen(inst, "w");
    assert_non_null(f);
    fprintf(f, "[libSQL]\nDriver=/nonexistent.so\n");
    fclose(f);
    setenv("ODBCSYSINI", dir, 1);
    setenv("ODBCINI", ini, 1);

    dsn_options o;
    dsn_options_defaults(&o);
    assert_int_equal(dsn_options_from_connstr(&o, "Timeout=222;dsn=mydsn"), 0);
    assert_string_equal(o.dsn, "mydsn");
    assert_string_equal(o.database, "/from/ini.db");  /* from odbc.ini */
    assert_int_equal(o.create, 1);                    /* from odbc.ini, key in lower case */
    assert_string_equal(o.auth_token, "ini-token");
    assert_int_equal(o.busy_timeout_ms, 222);         /* the string wins */

    char *out = dsn_options_to_connstr(&o);
    assert_non_null(out);
    assert_non_null(strstr(out, "DSN=mydsn;"));
    assert_non_null(strstr(out, "Database=/from/ini.db;"));
    assert_non_null(strstr(out, "Timeout=222;"));
    /* the out-string parses back to the same options */
    dsn_options back;
    dsn_options_defaults(&back);
    assert_int_equal(dsn_options_from_connstr(&back, out), 0);
    assert_string_equal(back.database, o.database);
    assert_int_equal(back.busy_timeout_ms, 222);
    dsn_options_free(&back);
    free(out);
    dsn_options_free(&o);

    unlink(ini);
    unlink(inst);
    rmdir(dir);
}

static void test_out_string_braces(void **state)
{
    (void)state;
    dsn_options o;
    dsn_options_defaults(&o);
    dsn_options_set(&o, "Database", "/tmp/a;b}c.db");
    char *out = dsn_options_to_connstr(&o);
    assert_non_null(out);
    assert_non_null(strstr(out, "DRIVER=libSQL;"));
    assert_non_null(strstr(out, "Database={/tmp/a;b}}c.db};"));
    dsn_options back;
    dsn_options_defaults(&back);
    assert_int_equal(dsn_options_from_connstr(&back, out), 0);
    assert_string_equal(back.database, "/tmp/a;b}c.db");
    dsn_options_free(&back);
    free(out);
    dsn_options_free(&o);
}

/* Found by fuzz_connstr (corpus_connstr/crash-trailing-space-lost): a value
 * ending in blanks was written without braces, and the parser trimmed the
 * blanks on the way back, so the completed string named another file. */
static void test_out_string_trailing_blanks(void **state)
{
    (void)state;
    dsn_options o;
    dsn_options_defaults(&o);
    assert_int_equal(dsn_options_from_connstr(&o, "Database={/tmp/a.db };AuthToken={tok\t}"), 0);
    assert_string_equal(o.database, "/tmp/a.db ");
    char *out = dsn_options_to_connstr(&o);
    assert_non_null(out);
    assert_non_null(strstr(out, "Database={/tmp/a.db };"));
    dsn_options back;
    dsn_options_defaults(&back);
    assert_int_equal(dsn_options_from_connstr(&back, out), 0);
    assert_string_equal(back.database, "/tmp/a.db ");
    assert_string_equal(back.auth_token, "tok\t");
    dsn_options_free(&back);
    free(out);
    dsn_options_free(&o);
}

/* Found by fuzz_connstr (corpus_connstr/crash-redact-url-at-in-password):
 * the log's redacted SyncUrl cut the user info at the first '@', so a
 * password holding an '@' leaked its tail into the log. */
static void test_redact_url_userinfo(void **state)
{
    (void)state;
    char out[128];
    ops_redact_url("https://user:pa@ss@host.example/db?authToken=x#f", out, sizeof out);
    assert_string_equal(out, "https://host.example/db");
    ops_redact_url("libsql://u@h:8080", out, sizeof out);
    assert_string_equal(out, "libsql://h:8080");
    ops_redact_url("http://h/p@q", out, sizeof out); /* '@' in the path is no user info */
    assert_string_equal(out, "http://h/p@q");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_basic),
        cmocka_unit_test(test_parse_braces),
        cmocka_unit_test(test_options_keys),
        cmocka_unit_test(test_dsn_precedence),
        cmocka_unit_test(test_out_string_braces),
        cmocka_unit_test(test_out_string_trailing_blanks),
        cmocka_unit_test(test_redact_url_userinfo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
