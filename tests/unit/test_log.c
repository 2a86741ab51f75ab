/*
 * test_log.c — the log sink (core/log.c) and the operator keys
 * (driver/opskeys.c): level names, off by default, the file created 0600,
 * line format, level filtering, the environment overriding the DSN, the
 * AuthToken precedence (AuthToken > AuthTokenEnv > AuthTokenFile), the
 * refusal of a token file others can read, and URL redaction.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../core/log.h"
#include "connstr.h"
#include "opskeys.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/lsq-test-log.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    unsetenv("LIBSQL_ODBC_LOG");
    unsetenv("LIBSQL_ODBC_LOG_LEVEL");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lsq_log_close();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static void test_levels(void **state)
{
    (void)state;
    lsq_log_level l;
    assert_int_equal(lsq_log_level_parse("DEBUG", &l), 0);
    assert_int_equal(l, LSQ_LOG_DEBUG);
    assert_int_equal(lsq_log_level_parse("warning", &l), 0);
    assert_int_equal(l, LSQ_LOG_WARN);
    assert_int_equal(lsq_log_level_parse("2", &l), 0);
    assert_int_equal(l, LSQ_LOG_WARN);
    assert_int_equal(lsq_log_level_parse("off", &l), 0);
    assert_int_equal(l, LSQ_LOG_OFF);
    assert_int_equal(lsq_log_level_parse("loud", &l), -1);
    assert_int_equal(lsq_log_level_parse(NULL, &l), -1);
}

static void test_off_by_default(void **state)
{
    (void)state;
    lsq_log_close();
    assert_int_equal(lsq_log_threshold(), LSQ_LOG_OFF);
    assert_false(lsq_log_enabled(LSQ_LOG_ERROR));
}

static void test_file_and_format(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/a.log", dir);
    lsq_error err = {0};
    assert_int_equal(lsq_log_configure(path, LSQ_LOG_OFF, &err), LSQ_OK); /* default warn */
    assert_int_equal(lsq_log_threshold(), LSQ_LOG_WARN);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    LSQ_LOG(LSQ_LOG_INFO, "test", "hidden %d", 1);
    LSQ_LOG(LSQ_LOG_WARN, "test", "shown %d\nforged line", 2);
    char *text = slurp(path);
    assert_non_null(text);
    assert_null(strstr(text, "hidden"));
    assert_non_null(strstr(text, "WARN  test: shown 2 forged line\n"));
    /* 2026-11-23T16:20:01.123Z pid=1 tid=1 */
    assert_true(strlen(text) > 24);
    assert_int_equal(text[4], '-');
    assert_int_equal(text[10], 'T');
    assert_int_equal(text[19], '.');
    assert_int_equal(text[23], 'Z');
    assert_non_null(strstr(text, " pid="));
    assert_non_null(strstr(text, " tid="));
    /* same file again, more verbose: the level rises */
    assert_int_equal(lsq_log_configure(path, LSQ_LOG_DEBUG, &err), LSQ_OK);
    assert_true(lsq_log_enabled(LSQ_LOG_DEBUG));
    /* a directory that does not exist: error, logging unchanged */
    assert_int_equal(lsq_log_configure("/nonexistent/dir/x.log", LSQ_LOG_INFO, &err),
                     LSQ_ERR_CANTOPEN);
    assert_non_null(strstr(err.message, "/nonexistent/dir/x.log"));
    assert_true(lsq_log_enabled(LSQ_LOG_DEBUG));
    lsq_log_close();
}

static void test_env_wins(void **state)
{
    (void)state;
    char dsn_path[128], env_path[128];
    snprintf(dsn_path, sizeof dsn_path, "%s/dsn.log", dir);
    snprintf(env_path, sizeof env_path, "%s/env.log", dir);
    setenv("LIBSQL_ODBC_LOG", env_path, 1);
    setenv("LIBSQL_ODBC_LOG_LEVEL", "info", 1);
    lsq_error err = {0};
    assert_int_equal(lsq_log_configure(dsn_path, LSQ_LOG_ERROR, &err), LSQ_OK);
    assert_int_equal(lsq_log_threshold(), LSQ_LOG_INFO);
    LSQ_LOG(LSQ_LOG_INFO, "test", "to env");
    assert_int_equal(access(dsn_path, F_OK), -1);
    assert_non_null(strstr(slurp(env_path), "to env"));
    unsetenv("LIBSQL_ODBC_LOG");
    unsetenv("LIBSQL_ODBC_LOG_LEVEL");
    lsq_log_close();
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

static void test_token_sources(void **state)
{
    (void)state;
    char tfile[128], state_[6], msg[600];
    snprintf(tfile, sizeof tfile, "%s/token", dir);
    write_file(tfile, "  file-token \nsecond line\n", 0600);
    setenv("LSQ_UNIT_TOKEN", "env-token", 1);

    dsn_options o;
    dsn_options_defaults(&o);
    assert_int_equal(dsn_options_set(&o, "AuthTokenFile", tfile), 1);
    assert_int_equal(opskeys_resolve_token(&o, state_, msg, sizeof msg), 0);
    assert_string_equal(o.auth_token, "file-token");
    dsn_options_free(&o);

    dsn_options_defaults(&o);
    dsn_options_set(&o, "AuthTokenFile", tfile);
    dsn_options_set(&o, "authtokenenv", "LSQ_UNIT_TOKEN");
    assert_int_equal(opskeys_resolve_token(&o, state_, msg, sizeof msg), 0);
    assert_string_equal(o.auth_token, "env-token"); /* env before file */
    dsn_options_set(&o, "AuthToken", "inline");
    assert_int_equal(opskeys_resolve_token(&o, state_, msg, sizeof msg), 0);
    assert_string_equal(o.auth_token, "inline");    /* explicit wins */
    dsn_options_free(&o);

    dsn_options_defaults(&o);
    dsn_options_set(&o, "AuthTokenEnv", "LSQ_UNIT_NO_SUCH_VARIABLE");
    assert_int_equal(opskeys_resolve_token(&o, state_, msg, sizeof msg), -1);
    assert_string_equal(state_, "28000");
    assert_non_null(strstr(msg, "LSQ_UNIT_NO_SUCH_VARIABLE"));
    dsn_options_free(&o);

    chmod(tfile, 0640);
    dsn_options_defaults(&o);
    dsn_options_set(&o, "AuthTokenFile", tfile);
    assert_int_equal(opskeys_resolve_token(&o, state_, msg, sizeof msg), -1);
    assert_string_equal(state_, "28000");
    assert_non_null(strstr(msg, "chmod 600"));
    assert_null(strstr(msg, "file-token"));
    assert_null(o.auth_token);
    dsn_options_free(&o);

    write_file(tfile, "\n", 0600);
    dsn_options_defaults(&o);
    dsn_options_set(&o, "AuthTokenFile", tfile);
    assert_int_equal(opskeys_resolve_token(&o, state_, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "empty"));
    dsn_options_free(&o);
    unsetenv("LSQ_UNIT_TOKEN");
}

static void test_connstr_round_trip(void **state)
{
    (void)state;
    dsn_options o;
    dsn_options_defaults(&o);
    assert_int_equal(dsn_options_from_connstr(&o, "Database=/x.db;LogFile=/tmp/l.log;"
                                                  "LogLevel=debug;AuthTokenEnv=TOK"), 0);
    assert_string_equal(o.log_file, "/tmp/l.log");
    assert_string_equal(o.log_level, "debug");
    char *cs = dsn_options_to_connstr(&o);
    assert_non_null(cs);
    assert_non_null(strstr(cs, "LogFile=/tmp/l.log"));
    assert_non_null(strstr(cs, "AuthTokenEnv=TOK"));
    free(cs);
    dsn_options_free(&o);
}

static void test_redact_url(void **state)
{
    (void)state;
    char out[256];
    ops_redact_url("https://user:pw@db.example.com:8080/path?authToken=abc", out, sizeof out);
    assert_string_equal(out, "https://db.example.com:8080/path");
    ops_redact_url("http://127.0.0.1:9", out, sizeof out);
    assert_string_equal(out, "http://127.0.0.1:9");
    ops_redact_url(NULL, out, sizeof out);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_off_by_default),
        cmocka_unit_test(test_file_and_format),
        cmocka_unit_test(test_env_wins),
        cmocka_unit_test(test_token_sources),
        cmocka_unit_test(test_connstr_round_trip),
        cmocka_unit_test(test_redact_url),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
