/*
 * test_crypto_vfs.c — the encryption-at-rest format and VFS shim
 * (core/crypto_vfs.c): known answers against a file written by the npm
 * package `libsql` 0.5.29 (tests/fixtures/libsql_aes256cbc.db, see the
 * README there), round trips, journal encryption, crash recovery through a
 * hot encrypted journal, and the connect-time key checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto_vfs.h"

#define FIXTURE_KEY "fixture key 5"

static char tmpdir[256];

static void hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
}

static char *fixture_path(void)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s", __FILE__);
    char *slash = strrchr(path, '/');
    assert_non_null(slash);
    snprintf(slash, sizeof path - (size_t)(slash - path), "/../fixtures/libsql_aes256cbc.db");
    return path;
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static int contains(const unsigned char *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return 1;
    return 0;
}

static int file_contains(const char *path, const char *needle)
{
    size_t n = 0;
    unsigned char *b = read_file(path, &n);
    assert_non_null(b);
    int r = contains(b, n, needle);
    free(b);
    return r;
}

static void copy_file(const char *from, const char *to)
{
    size_t n = 0;
    unsigned char *b = read_file(from, &n);
    assert_non_null(b);
    FILE *f = fopen(to, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    fclose(f);
    free(b);
}

static void tmp_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", tmpdir, name);
}

static int exec_sql(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        print_error("sql '%s': %s\n", sql, msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return rc;
}

static int count_rows(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

static sqlite3 *open_with(lsq_crypto_vfs *v, const char *path, int create)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db,
                             SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0),
                             lsq_crypto_vfs_name(v));
    assert_int_equal(rc, SQLITE_OK);
    assert_int_equal(exec_sql(db, LSQ_CRYPTO_CONN_SETUP), SQLITE_OK);
    return db;
}

/* ---- known answers (computed independently with Python's hashlib) ---- */

static void test_key_derivation_kat(void **state)
{
    (void)state;
    unsigned char key[32], pkey[32], iv[16];
    char h[65];
    lsq_crypto_derive_key(FIXTURE_KEY, strlen(FIXTURE_KEY), key);
    hex(key, 32, h);
    assert_string_equal(h, "97440f6aa5eb37b7a0eb06ce8c30b0c66a7467de5e951a13fa33380db9973224");
    lsq_crypto_page_key(key, 1, pkey);
    hex(pkey, 32, h);
    assert_string_equal(h, "7d2a59b0228a7c8db80d9e5568af8416b4f83a7bb4ce1ed10de38a87175fda83");
    lsq_crypto_page_iv(1, iv);
    hex(iv, 16, h);
    assert_string_equal(h, "20d7420f9c37a35dca6fe92a1c6999a9");
    lsq_crypto_page_iv(2, iv);
    hex(iv, 16, h);
    assert_string_equal(h, "b2547aac5270eef583e1d267a725d988");
    /* only the first 32 bytes of a key count */
    unsigned char k1[32], k2[32];
    lsq_crypto_derive_key("0123456789abcdef0123456789abcdefXX", 34, k1);
    lsq_crypto_derive_key("0123456789abcdef0123456789abcdefYY", 34, k2);
    assert_memory_equal(k1, k2, 32);
}

/* Decrypt the libsql-written fixture page by page with the format's steps. */
static void test_fixture_pages_decrypt(void **state)
{
    (void)state;
    size_t n = 0;
    unsigned char *file = read_file(fixture_path(), &n);
    assert_non_null(file);
    assert_int_equal(n, 8192);
    assert_int_equal(file[16], 0x10);  /* page size 4096 stays readable */
    assert_int_equal(file[17], 0x00);
    assert_memory_not_equal(file, "SQLite format 3", 15);
    unsigned char key[32];
    lsq_crypto_derive_key(FIXTURE_KEY, strlen(FIXTURE_KEY), key);
    unsigned char page[4096];
    memcpy(page, file, sizeof page);
    assert_int_equal(lsq_crypto_decrypt_page(key, 1, page, sizeof page), 0);
    assert_memory_equal(page, "SQLite format 3", 16);
    assert_true(contains(page, sizeof page, "CREATE TABLE fruit"));
    /* re-encrypting gives the file's bytes back: the write path matches */
    assert_int_equal(lsq_crypto_encrypt_page(key, 1, page, sizeof page), 0);
    assert_memory_equal(page, file, sizeof page);
    memcpy(page, file + 4096, sizeof page);
    assert_int_equal(lsq_crypto_decrypt_page(key, 2, page, sizeof page), 0);
    assert_true(contains(page, sizeof page, "banana"));
    assert_int_equal(lsq_crypto_encrypt_page(key, 2, page, sizeof page), 0);
    assert_memory_equal(page, file + 4096, sizeof page);
    /* wrong key: the page 1 check fails */
    unsigned char bad[32];
    lsq_crypto_derive_key("fixture key 6", 13, bad);
    memcpy(page, file, sizeof page);
    assert_int_equal(lsq_crypto_decrypt_page(bad, 1, page, sizeof page), 1);
    free(file);
}

static void test_fixture_opens_through_vfs(void **state)
{
    (void)state;
    char path[512];
    tmp_path(path, sizeof path, "fixture.db");
    copy_file(fixture_path(), path);
    lsq_crypto_vfs *v = NULL;
    lsq_error err = {0};
    assert_int_equal(lsq_crypto_check_file(path, FIXTURE_KEY, &err), LSQ_OK);
    assert_int_equal(lsq_crypto_vfs_acquire(FIXTURE_KEY, &v, &err), LSQ_OK);
    sqlite3 *db = open_with(v, path, 0);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(name, ',') FROM fruit", -1,
                                        &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "apple,banana,cherry");
    sqlite3_finalize(st);
    /* WAL is refused: the mode stays "delete" */
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "delete");
    sqlite3_finalize(st);
    sqlite3_close(db);
    lsq_crypto_vfs_release(v);
}

/* ---- round trips ---- */

static void test_round_trip_no_plaintext(void **state)
{
    (void)state;
    char path[512];
    tmp_path(path, sizeof path, "rt.db");
    unlink(path);
    lsq_crypto_vfs *v = NULL, *v2 = NULL;
    lsq_error err = {0};
    assert_int_equal(lsq_crypto_vfs_acquire("round trip", &v, &err), LSQ_OK);
    assert_int_equal(lsq_crypto_vfs_acquire("round trip", &v2, &err), LSQ_OK);
    assert_ptr_equal(v, v2);  /* one VFS per key */
    lsq_crypto_vfs_release(v2);
    sqlite3 *db = open_with(v, path, 1);
    assert_int_equal(exec_sql(db, "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);"
                                  "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c "
                                  "WHERE i<2000) INSERT INTO t SELECT i, 'MARKER-PLAIN-' || i "
                                  "FROM c;"
                                  "CREATE INDEX tb ON t(b);"),
                     SQLITE_OK);
    sqlite3_close(db);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_false(file_contains(path, "MARKER-PLAIN-"));
    assert_false(file_contains(path, "SQLite format 3"));
    assert_false(file_contains(path, "CREATE TABLE"));
    /* the key check accepts it; a plain open does not */
    assert_int_equal(lsq_crypto_check_file(path, "round trip", &err), LSQ_OK);
    db = open_with(v, path, 0);
    assert_int_equal(count_rows(db, "SELECT count(*) FROM t WHERE b LIKE 'MARKER-PLAIN-%'"), 2000);
    assert_int_equal(count_rows(db, "SELECT count(*) FROM pragma_integrity_check "
                                    "WHERE integrity_check='ok'"), 1);
    sqlite3_close(db);
    lsq_crypto_vfs_release(v);
}

/* A transaction's journal holds old page images: encrypted, and a rollback
 * from it restores the old rows. PERSIST mode leaves the records on disk. */
static void test_journal_encrypted(void **state)
{
    (void)state;
    char path[512], jpath[600];
    tmp_path(path, sizeof path, "jr.db");
    snprintf(jpath, sizeof jpath, "%s-journal", path);
    unlink(path);
    unlink(jpath);
    lsq_crypto_vfs *v = NULL;
    lsq_error err = {0};
    assert_int_equal(lsq_crypto_vfs_acquire("journal key", &v, &err), LSQ_OK);
    sqlite3 *db = open_with(v, path, 1);
    assert_int_equal(exec_sql(db, "PRAGMA journal_mode=PERSIST; PRAGMA cache_size=2;"
                                  "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);"
                                  "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c "
                                  "WHERE i<500) INSERT INTO t SELECT i, 'OLDJOURNALMARK' || "
                                  "printf('%0200d', i) FROM c;"),
                     SQLITE_OK);
    assert_int_equal(exec_sql(db, "BEGIN; UPDATE t SET b = 'new' || a; ROLLBACK;"), SQLITE_OK);
    assert_int_equal(count_rows(db, "SELECT count(*) FROM t WHERE b LIKE 'OLDJOURNALMARK%'"), 500);
    assert_int_equal(exec_sql(db, "UPDATE t SET b = 'new' || a"), SQLITE_OK);
    sqlite3_close(db);
    struct stat sb;
    assert_int_equal(stat(jpath, &sb), 0);
    assert_true(sb.st_size > 4096);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_false(file_contains(jpath, "OLDJOURNALMARK"));
    assert_false(file_contains(path, "OLDJOURNALMARK"));
    lsq_crypto_vfs_release(v);
}

/* A process dies mid-transaction after spilling pages to the file: the
 * encrypted hot journal is rolled back at the next open with the key. */
static void test_hot_journal_recovery(void **state)
{
    (void)state;
    char path[512], jpath[600];
    tmp_path(path, sizeof path, "hot.db");
    snprintf(jpath, sizeof jpath, "%s-journal", path);
    unlink(path);
    unlink(jpath);
    lsq_crypto_vfs *v = NULL;
    lsq_error err = {0};
    assert_int_equal(lsq_crypto_vfs_acquire("hot key", &v, &err), LSQ_OK);
    sqlite3 *db = open_with(v, path, 1);
    assert_int_equal(exec_sql(db, "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);"
                                  "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c "
                                  "WHERE i<1000) INSERT INTO t SELECT i, printf('keep%0300d', i) "
                                  "FROM c;"),
                     SQLITE_OK);
    sqlite3_close(db);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        sqlite3 *c = NULL;
        sqlite3_open_v2(path, &c, SQLITE_OPEN_READWRITE, lsq_crypto_vfs_name(v));
        sqlite3_exec(c, "PRAGMA cache_size=2; BEGIN; UPDATE t SET b = 'HOTMARK' || a;", NULL,
                     NULL, NULL);
        _exit(0);  /* no commit, no rollback: a hot journal stays */
    }
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    struct stat sb;
    assert_int_equal(stat(jpath, &sb), 0);
    assert_true(sb.st_size > 4096);
    assert_false(file_contains(jpath, "keep0000"));
    assert_false(file_contains(path, "HOTMARK"));
    db = open_with(v, path, 0);
    assert_int_equal(count_rows(db, "SELECT count(*) FROM t WHERE b LIKE 'keep%'"), 1000);
    assert_int_equal(count_rows(db, "SELECT count(*) FROM pragma_integrity_check "
                                    "WHERE integrity_check='ok'"), 1);
    sqlite3_close(db);
    assert_int_not_equal(access(jpath, F_OK), 0);
    lsq_crypto_vfs_release(v);
}

/* Temporary files (forced here with temp_store=FILE and a tiny cache) go
 * through the shim's CTR path: a temp table and a sort spilling to disk
 * read back exactly what was written. */
static void test_temp_files_round_trip(void **state)
{
    (void)state;
    char path[512];
    tmp_path(path, sizeof path, "tmpf.db");
    unlink(path);
    lsq_crypto_vfs *v = NULL;
    lsq_error err = {0};
    assert_int_equal(lsq_crypto_vfs_acquire("temp key", &v, &err), LSQ_OK);
    sqlite3 *db = open_with(v, path, 1);
    assert_int_equal(exec_sql(db, "PRAGMA temp_store=1; PRAGMA cache_size=5;"
                                  "CREATE TEMP TABLE tt(a INTEGER, b TEXT);"
                                  "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c "
                                  "WHERE i<20000) INSERT INTO tt SELECT (i*7919)%20011, "
                                  "printf('%0100d', i) FROM c;"),
                     SQLITE_OK);
    assert_int_equal(count_rows(db, "SELECT count(*) FROM tt"), 20000);
    assert_int_equal(count_rows(db, "SELECT count(*) FROM (SELECT a, b FROM tt ORDER BY b DESC, a)"),
                     20000);
    assert_int_equal(count_rows(db, "SELECT sum(a) % 1000003 FROM (SELECT a FROM tt ORDER BY b)"),
                     count_rows(db, "SELECT sum(a) % 1000003 FROM tt"));
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA temp.integrity_check", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);
    lsq_crypto_vfs_release(v);
}

/* ---- the connect-time checks ---- */

static void test_key_checks(void **state)
{
    (void)state;
    char enc[512], plain[512];
    tmp_path(enc, sizeof enc, "fixture2.db");
    tmp_path(plain, sizeof plain, "plain.db");
    copy_file(fixture_path(), enc);
    unlink(plain);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(plain, &db), SQLITE_OK);
    assert_int_equal(exec_sql(db, "CREATE TABLE x(y)"), SQLITE_OK);
    sqlite3_close(db);
    lsq_error err = {0};

    assert_int_equal(lsq_crypto_check_file(enc, "not the key", &err), LSQ_ERR_AUTH);
    assert_non_null(strstr(err.message, "wrong EncryptionKey"));
    assert_null(strstr(err.message, "not the key"));
    assert_int_equal(lsq_crypto_check_file(enc, NULL, &err), LSQ_ERR_AUTH);
    assert_non_null(strstr(err.message, "the file is encrypted but no EncryptionKey was given"));
    assert_int_equal(lsq_crypto_check_file(plain, "some key", &err), LSQ_ERR_AUTH);
    assert_non_null(strstr(err.message, "EncryptionKey given but the file is not encrypted"));
    assert_int_equal(lsq_crypto_check_file(plain, NULL, &err), LSQ_OK);
    assert_int_equal(lsq_crypto_check_file(enc, FIXTURE_KEY, &err), LSQ_OK);
    char absent[512];
    tmp_path(absent, sizeof absent, "absent.db");
    assert_int_equal(lsq_crypto_check_file(absent, "k", &err), LSQ_OK);

    /* Through SQLite too: the wrong key reads page 1 as "not a database" and
     * the file is left as it was. */
    size_t n0 = 0, n1 = 0;
    unsigned char *before = read_file(enc, &n0);
    lsq_crypto_vfs *v = NULL;
    assert_int_equal(lsq_crypto_vfs_acquire("not the key", &v, &err), LSQ_OK);
    db = NULL;
    /* SQLite reads the header at open already; either step may report it */
    int rc = sqlite3_open_v2(enc, &db, SQLITE_OPEN_READWRITE, lsq_crypto_vfs_name(v));
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
    assert_int_equal(rc & 0xff, SQLITE_NOTADB);
    sqlite3_close(db);
    lsq_crypto_vfs_release(v);
    unsigned char *after = read_file(enc, &n1);
    assert_int_equal(n0, n1);
    assert_memory_equal(before, after, n0);
    free(before);
    free(after);
}

/* Through lsq_open, the way the driver connects. */
/* The connect-time key probe must not drop this process's SQLite locks:
 * closing any descriptor of a file releases all of the process's POSIX
 * locks on it, which once let another process roll back the page
 * applier's live journal. Hold RESERVED here, probe, and check from a
 * child process that the lock is still there. */
static void test_key_probe_keeps_locks(void **state)
{
    (void)state;
    char path[512];
    tmp_path(path, sizeof path, "probe-locks.db");
    unlink(path);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x); BEGIN IMMEDIATE; "
                                      "SELECT count(*) FROM t;", NULL, NULL, NULL), SQLITE_OK);
    lsq_error err = {0};
    assert_int_equal(lsq_crypto_check_file(path, NULL, &err), LSQ_OK);
    /* A fresh process (not a fork: a forked child inherits SQLite's
     * in-process lock table and would answer BUSY without asking the
     * kernel): the sqlite3 shell, with no busy timeout, must be refused. */
    char cmd[700];
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' 'BEGIN IMMEDIATE;' >/dev/null 2>&1", path);
    int status = system(cmd);
    assert_true(WIFEXITED(status));
    assert_int_not_equal(WEXITSTATUS(status), 0); /* "database is locked" */
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    unlink(path);
}

static void test_lsq_open_with_key(void **state)
{
    (void)state;
    char path[512];
    tmp_path(path, sizeof path, "open.db");
    unlink(path);
    lsq_config cfg;
    lsq_config_defaults(&cfg);
    cfg.database = path;
    cfg.encryption_key = "open key";
    cfg.create_if_missing = 1;
    lsq_db *h = NULL;
    lsq_error err = {0};
    assert_int_equal(lsq_open(&cfg, &h, &err), LSQ_OK);
    assert_int_equal(exec_sql(lsq_sqlite(h), "CREATE TABLE t(x); INSERT INTO t VALUES('OPENMARK')"),
                     SQLITE_OK);
    assert_int_equal(count_rows(lsq_sqlite(h), "PRAGMA temp_store"), 2);
    lsq_close(h);
    assert_false(file_contains(path, "OPENMARK"));
    cfg.create_if_missing = 0;
    cfg.encryption_key = "other key";
    assert_int_equal(lsq_open(&cfg, &h, &err), LSQ_ERR_AUTH);
    assert_null(h);
    assert_non_null(strstr(err.message, "wrong EncryptionKey"));
    cfg.encryption_key = NULL;
    assert_int_equal(lsq_open(&cfg, &h, &err), LSQ_ERR_AUTH);
    assert_non_null(strstr(err.message, "no EncryptionKey was given"));
    cfg.encryption_key = "open key";
    assert_int_equal(lsq_open(&cfg, &h, &err), LSQ_OK);
    assert_int_equal(count_rows(lsq_sqlite(h), "SELECT count(*) FROM t WHERE x='OPENMARK'"), 1);
    lsq_close(h);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_crypto_vfs.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_derivation_kat),
        cmocka_unit_test(test_key_probe_keeps_locks),
        cmocka_unit_test(test_fixture_pages_decrypt),
        cmocka_unit_test(test_fixture_opens_through_vfs),
        cmocka_unit_test(test_round_trip_no_plaintext),
        cmocka_unit_test(test_journal_encrypted),
        cmocka_unit_test(test_hot_journal_recovery),
        cmocka_unit_test(test_temp_files_round_trip),
        cmocka_unit_test(test_key_checks),
        cmocka_unit_test(test_lsq_open_with_key),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
