/*
 * fuzz_connstr.c — libFuzzer target for connection strings and DSN options
 * (driver/connect.c through connstr.h: connstr_parse, dsn_options_set /
 * _from_connstr / _to_connstr) and the log redaction of URLs
 * (ops_redact_url, driver/opskeys.c).
 *
 * Byte 0 picks how the rest is read: as UTF-8 (SQLDriverConnect) or as
 * UTF-16 turned into UTF-8 the way SQLDriverConnectW does. Invariants
 * beyond "no crash, no leak":
 *   - a parse either fails with no pairs or yields pairs with trimmed keys
 *     free of '=' and ';';
 *   - the pairs written back (every value braced, '}' doubled) parse to
 *     exactly the same pairs;
 *   - options -> completed connection string -> options is the identity
 *     (the string SQLDriverConnect returns reconnects to the same thing);
 *   - the completed string holds an AuthToken only when one was given
 *     inline (docs/operations.md: AuthTokenEnv/AuthTokenFile are returned
 *     as such, never the token they yield), and never a PWD key;
 *   - a SyncUrl redacted for the log keeps no user info, query or fragment.
 * odbc.ini lookups (DSN=...) read empty files in a scratch directory, so
 * the DSN path runs without touching the machine's configuration.
 * Seed corpus: tests/fuzz/corpus_connstr/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "connstr.h"
#include "convert.h"
#include "opskeys.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "fuzz_connstr: check failed at line %d: %s\n", __LINE__, #cond); \
            abort();                                                                    \
        }                                                                               \
    } while (0)

static char scratch[] = "/tmp/fuzz_connstr.XXXXXX";

static void remove_scratch(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/odbc.ini", scratch);
    unlink(path);
    snprintf(path, sizeof path, "%s/odbcinst.ini", scratch);
    unlink(path);
    rmdir(scratch);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* Empty odbc.ini / odbcinst.ini: DSN=... resolves to no keys. */
    char *dir = mkdtemp(scratch);
    if (!dir)
        abort();
    atexit(remove_scratch);
    char path[128];
    snprintf(path, sizeof path, "%s/odbc.ini", dir);
    FILE *f = fopen(path, "w");
    if (f)
        fclose(f);
    snprintf(path, sizeof path, "%s/odbcinst.ini", dir);
    f = fopen(path, "w");
    if (f)
        fclose(f);
    snprintf(path, sizeof path, "%s/odbc.ini", dir);
    setenv("ODBCINI", path, 1);
    setenv("ODBCSYSINI", dir, 1);
    setenv("HOME", dir, 1);
    return 0;
}

static int streq0(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Every pair written back with braces: "k={v};...". */
static char *write_pairs(const connstr_pair *p, int n)
{
    size_t cap = 1;
    for (int i = 0; i < n; i++)
        cap += strlen(p[i].key) + 2 * strlen(p[i].value) + 4;
    char *s = malloc(cap), *o = s;
    CHECK(s);
    for (int i = 0; i < n; i++) {
        o += sprintf(o, "%s={", p[i].key);
        for (const char *q = p[i].value; *q; q++) {
            if (*q == '}')
                *o++ = '}';
            *o++ = *q;
        }
        *o++ = '}';
        *o++ = ';';
    }
    *o = 0;
    return s;
}

static void check_pairs(const char *cs)
{
    connstr_pair *p = (connstr_pair *)1;
    int n = -1;
    int rc = connstr_parse(cs, &p, &n);
    CHECK(rc == 0 || rc == -1);
    if (rc != 0) {
        CHECK(p == NULL && n == 0);
        return;
    }
    CHECK(n >= 0 && (n == 0 || p));
    for (int i = 0; i < n; i++) {
        const char *k = p[i].key;
        CHECK(k && p[i].value);
        CHECK(!strchr(k, '=') && !strchr(k, ';'));
        size_t kl = strlen(k);
        CHECK(kl == 0 || (k[0] != ' ' && k[0] != '\t' && k[kl - 1] != ' ' && k[kl - 1] != '\t'));
    }
    char *again = write_pairs(p, n);
    connstr_pair *p2;
    int n2;
    CHECK(connstr_parse(again, &p2, &n2) == 0);
    CHECK(n2 == n);
    for (int i = 0; i < n; i++) {
        CHECK(strcmp(p[i].key, p2[i].key) == 0);
        CHECK(strcmp(p[i].value, p2[i].value) == 0);
    }
    connstr_pairs_free(p2, n2);
    connstr_pairs_free(p, n);
    free(again);
}

static void check_options(const char *cs)
{
    dsn_options o1, o2;
    dsn_options_defaults(&o1);
    if (dsn_options_from_connstr(&o1, cs) != 0) {
        dsn_options_free(&o1);
        return;
    }
    char *full = dsn_options_to_connstr(&o1);
    CHECK(full);
    dsn_options_defaults(&o2);
    if (dsn_options_from_connstr(&o2, full) != 0) {
        fprintf(stderr, "completed string does not parse: %s\n", full);
        CHECK(0);
    }
#define SAME_STR(f)                                                                      \
    do {                                                                                 \
        if (!streq0(o1.f, o2.f)) {                                                        \
            fprintf(stderr, "%s: '%s' became '%s' via %s\n", #f, o1.f ? o1.f : "(null)",  \
                    o2.f ? o2.f : "(null)", full);                                        \
            CHECK(0);                                                                    \
        }                                                                                \
    } while (0)
    SAME_STR(dsn);
    SAME_STR(database);
    SAME_STR(sync_url);
    SAME_STR(auth_token);
    SAME_STR(encryption_key);
    SAME_STR(log_file);
    SAME_STR(log_level);
    SAME_STR(auth_token_env);
    SAME_STR(auth_token_file);
    if (!o1.dsn && o1.driver)
        SAME_STR(driver);
    CHECK(o1.sync_interval == o2.sync_interval);
    CHECK(o1.offline == o2.offline);
    CHECK(o1.read_your_writes == o2.read_your_writes);
    CHECK(o1.read_only == o2.read_only);
    CHECK(o1.create == o2.create);
    CHECK(o1.busy_timeout_ms == o2.busy_timeout_ms);
    CHECK(o1.max_text_len == o2.max_text_len);
    CHECK(o1.bigint_as_integer == o2.bigint_as_integer);
    CHECK(o1.no_wchar == o2.no_wchar);
#undef SAME_STR

    /* secrets in the completed string: only as given inline */
    connstr_pair *p;
    int n;
    CHECK(connstr_parse(full, &p, &n) == 0);
    for (int i = 0; i < n; i++) {
        CHECK(strcasecmp(p[i].key, "PWD") != 0);
        if (!strcasecmp(p[i].key, "AuthToken"))
            CHECK(o1.auth_token && *o1.auth_token && !strcmp(p[i].value, o1.auth_token));
        if (!strcasecmp(p[i].key, "EncryptionKey"))
            CHECK(o1.encryption_key && !strcmp(p[i].value, o1.encryption_key));
    }
    connstr_pairs_free(p, n);

    /* the SyncUrl as the log shows it */
    const char *se = o1.sync_url ? strstr(o1.sync_url, "://") : NULL;
    if (se && strcspn(o1.sync_url, "/?#@") >= (size_t)(se - o1.sync_url)) {
        char red[256];
        memset(red, 'x', sizeof red);
        ops_redact_url(o1.sync_url, red, sizeof red);
        CHECK(memchr(red, 0, sizeof red));
        CHECK(!strchr(red, '?') && !strchr(red, '#'));
        const char *auth = strstr(red, "://");
        auth = auth ? auth + 3 : red;
        size_t alen = strcspn(auth, "/");
        if (memchr(auth, '@', alen)) {
            fprintf(stderr, "redacted URL keeps user info: %s\n", red);
            CHECK(0);
        }
    }
    free(full);
    dsn_options_free(&o1);
    dsn_options_free(&o2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *cs;
    if (data[0] & 1) {
        /* SQLDriverConnectW: UTF-16 units in, UTF-8 to the parser */
        size_t units = (size - 1) / 2;
        SQLWCHAR *w = malloc((units ? units : 1) * sizeof *w);
        CHECK(w);
        memcpy(w, data + 1, units * sizeof *w);
        SQLLEN len = 0;
        cs = utf16_to_utf8(w, (SQLLEN)units, &len);
        free(w);
        CHECK(cs);
        CHECK(utf8_is_valid((const unsigned char *)cs, (size_t)len));
    } else {
        cs = malloc(size);
        CHECK(cs);
        memcpy(cs, data + 1, size - 1);
        cs[size - 1] = 0;
    }
    check_pairs(cs);
    check_options(cs);
    free(cs);
    return 0;
}
