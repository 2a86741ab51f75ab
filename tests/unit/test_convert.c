/*
 * test_convert.c — the ODBC conversion tables (driver/convert.c,
 * conv_param.c, conv_numeric.c, conv_datetime.c): one table-driven test
 * per family, SQL to C and C to SQL, asserting values, lengths and every
 * SQLSTATE the functions can post.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../driver/convert.h"

/* ---------- helpers ----------------------------------------------------- */

static db_value v_int(sqlite3_int64 i) { db_value v = {SQLITE_INTEGER, i, 0, NULL, 0}; return v; }
static db_value v_real(double d) { db_value v = {SQLITE_FLOAT, 0, d, NULL, 0}; return v; }
static db_value v_text(const char *s)
{
    db_value v = {SQLITE_TEXT, 0, 0, (const unsigned char *)s, (int)strlen(s)};
    return v;
}
static db_value v_blob(const void *p, int n) { db_value v = {SQLITE_BLOB, 0, 0, p, n}; return v; }
static db_value v_null(void) { db_value v = {SQLITE_NULL, 0, 0, NULL, 0}; return v; }

static const char *last_state(diag_list *d) { return d->count ? d->recs[d->count - 1].state : ""; }

/* Convert v (column of SQL type sql) into ctype at buf; returns rc and
 * copies the last SQLSTATE ("" when none) into state. */
static SQLRETURN to_c(const db_value *v, SQLSMALLINT sql, SQLSMALLINT ctype, void *buf,
                      SQLLEN buflen, SQLLEN *ind, SQLLEN *offset, char state[6])
{
    diag_list d;
    diag_init(&d);
    c_target t = {ctype, buf, buflen, ind, ind, 0, 0};
    SQLRETURN rc = conv_to_c(&d, v, sql, &t, offset, 1, 1);
    strcpy(state, last_state(&d));
    diag_free(&d);
    return rc;
}

#define CHECK_RC(rc, want_rc, state, want_state, what)                                       \
    do {                                                                                      \
        if ((rc) != (want_rc) || strcmp((state), (want_state)) != 0)                          \
            fail_msg("%s: rc %d state '%s', want rc %d state '%s'", (what), (int)(rc),       \
                     (state), (int)(want_rc), (want_state));                                  \
    } while (0)

/* ---------- SQL to C: integers ------------------------------------------ */

static void test_to_integers(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        db_value v;
        SQLSMALLINT ctype;
        SQLRETURN rc;
        const char *st;
        long long want;
    } cases[] = {
        {"int->slong", {SQLITE_INTEGER, 42, 0, 0, 0}, SQL_C_SLONG, SQL_SUCCESS, "", 42},
        {"int->long (odbc2)", {SQLITE_INTEGER, -7, 0, 0, 0}, SQL_C_LONG, SQL_SUCCESS, "", -7},
        {"big->slong 22003", {SQLITE_INTEGER, 3000000000LL, 0, 0, 0}, SQL_C_SLONG, SQL_ERROR, "22003", 0},
        {"big->sbigint", {SQLITE_INTEGER, 3000000000LL, 0, 0, 0}, SQL_C_SBIGINT, SQL_SUCCESS, "", 3000000000LL},
        {"neg->ulong 22003", {SQLITE_INTEGER, -1, 0, 0, 0}, SQL_C_ULONG, SQL_ERROR, "22003", 0},
        {"max->ulong", {SQLITE_INTEGER, 4294967295LL, 0, 0, 0}, SQL_C_ULONG, SQL_SUCCESS, "", 4294967295LL},
        {"128->stinyint 22003", {SQLITE_INTEGER, 128, 0, 0, 0}, SQL_C_STINYINT, SQL_ERROR, "22003", 0},
        {"-128->stinyint", {SQLITE_INTEGER, -128, 0, 0, 0}, SQL_C_STINYINT, SQL_SUCCESS, "", -128},
        {"255->utinyint", {SQLITE_INTEGER, 255, 0, 0, 0}, SQL_C_UTINYINT, SQL_SUCCESS, "", 255},
        {"256->utinyint 22003", {SQLITE_INTEGER, 256, 0, 0, 0}, SQL_C_UTINYINT, SQL_ERROR, "22003", 0},
        {"-5->tinyint", {SQLITE_INTEGER, -5, 0, 0, 0}, SQL_C_TINYINT, SQL_SUCCESS, "", -5},
        {"32767->sshort", {SQLITE_INTEGER, 32767, 0, 0, 0}, SQL_C_SSHORT, SQL_SUCCESS, "", 32767},
        {"32768->sshort 22003", {SQLITE_INTEGER, 32768, 0, 0, 0}, SQL_C_SSHORT, SQL_ERROR, "22003", 0},
        {"65535->ushort", {SQLITE_INTEGER, 65535, 0, 0, 0}, SQL_C_USHORT, SQL_SUCCESS, "", 65535},
        {"-1->short", {SQLITE_INTEGER, -1, 0, 0, 0}, SQL_C_SHORT, SQL_SUCCESS, "", -1},
        {"2.5->slong 01S07", {SQLITE_FLOAT, 0, 2.5, 0, 0}, SQL_C_SLONG, SQL_SUCCESS_WITH_INFO, "01S07", 2},
        {"-2.5->slong 01S07", {SQLITE_FLOAT, 0, -2.5, 0, 0}, SQL_C_SLONG, SQL_SUCCESS_WITH_INFO, "01S07", -2},
        {"3.0->slong", {SQLITE_FLOAT, 0, 3.0, 0, 0}, SQL_C_SLONG, SQL_SUCCESS, "", 3},
        {"1e10->slong 22003", {SQLITE_FLOAT, 0, 1e10, 0, 0}, SQL_C_SLONG, SQL_ERROR, "22003", 0},
        {"1e30->sbigint 22003", {SQLITE_FLOAT, 0, 1e30, 0, 0}, SQL_C_SBIGINT, SQL_ERROR, "22003", 0},
        {"text 42", {SQLITE_TEXT, 0, 0, (const unsigned char *)" 42 ", 4}, SQL_C_SLONG, SQL_SUCCESS, "", 42},
        {"text 12.7 01S07", {SQLITE_TEXT, 0, 0, (const unsigned char *)"12.7", 4}, SQL_C_SLONG, SQL_SUCCESS_WITH_INFO, "01S07", 12},
        {"text 1e3", {SQLITE_TEXT, 0, 0, (const unsigned char *)"1e3", 3}, SQL_C_SLONG, SQL_SUCCESS, "", 1000},
        {"text abc 22018", {SQLITE_TEXT, 0, 0, (const unsigned char *)"abc", 3}, SQL_C_SLONG, SQL_ERROR, "22018", 0},
        {"text empty 22018", {SQLITE_TEXT, 0, 0, (const unsigned char *)"", 0}, SQL_C_SLONG, SQL_ERROR, "22018", 0},
        {"text inf 22018", {SQLITE_TEXT, 0, 0, (const unsigned char *)"inf", 3}, SQL_C_DOUBLE, SQL_ERROR, "22018", 0},
        {"text 99999999999 22003", {SQLITE_TEXT, 0, 0, (const unsigned char *)"99999999999", 11}, SQL_C_SLONG, SQL_ERROR, "22003", 0},
        {"blob 07006", {SQLITE_BLOB, 0, 0, (const unsigned char *)"ab", 2}, SQL_C_SLONG, SQL_ERROR, "07006", 0},
        {"text u64 max", {SQLITE_TEXT, 0, 0, (const unsigned char *)"18446744073709551615", 20}, SQL_C_UBIGINT, SQL_SUCCESS, "", -1},
        {"neg->ubigint 22003", {SQLITE_INTEGER, -1, 0, 0, 0}, SQL_C_UBIGINT, SQL_ERROR, "22003", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        unsigned char buf[16];
        memset(buf, 0xAA, sizeof buf);
        SQLLEN ind = 12345;
        char st[6];
        SQLRETURN rc = to_c(&cases[i].v, SQL_BIGINT, cases[i].ctype, buf, 0, &ind, NULL, st);
        CHECK_RC(rc, cases[i].rc, st, cases[i].st, cases[i].name);
        if (!SQL_SUCCEEDED(rc)) continue;
        long long got;
        switch (cases[i].ctype) {
        case SQL_C_STINYINT: case SQL_C_TINYINT: got = *(signed char *)buf; break;
        case SQL_C_UTINYINT: got = *(unsigned char *)buf; break;
        case SQL_C_SSHORT: case SQL_C_SHORT: got = *(SQLSMALLINT *)buf; break;
        case SQL_C_USHORT: got = *(SQLUSMALLINT *)buf; break;
        case SQL_C_SLONG: case SQL_C_LONG: got = *(SQLINTEGER *)buf; break;
        case SQL_C_ULONG: got = *(SQLUINTEGER *)buf; break;
        case SQL_C_UBIGINT: got = (long long)*(SQLUBIGINT *)buf; break;
        default: got = *(SQLBIGINT *)buf; break;
        }
        if (got != cases[i].want) fail_msg("%s: got %lld want %lld", cases[i].name, got, cases[i].want);
        assert_int_equal(ind, conv_ctype_size(cases[i].ctype));
    }
}

static void test_to_floating_and_bit(void **state)
{
    (void)state;
    char st[6];
    SQLLEN ind;
    double x;
    float f;
    db_value v = v_text("2.5");
    assert_int_equal(to_c(&v, SQL_VARCHAR, SQL_C_DOUBLE, &x, 0, &ind, NULL, st), SQL_SUCCESS);
    assert_true(x == 2.5);
    assert_int_equal(ind, sizeof(double));
    v = v_int(-3);
    assert_int_equal(to_c(&v, SQL_BIGINT, SQL_C_FLOAT, &f, 0, &ind, NULL, st), SQL_SUCCESS);
    assert_true(f == -3.0f);
    v = v_real(1e300);
    CHECK_RC(to_c(&v, SQL_DOUBLE, SQL_C_FLOAT, &f, 0, &ind, NULL, st), SQL_ERROR, st, "22003", "1e300->float");
    v = v_text("x1");
    CHECK_RC(to_c(&v, SQL_VARCHAR, SQL_C_DOUBLE, &x, 0, &ind, NULL, st), SQL_ERROR, st, "22018", "x1->double");

    static const struct {
        db_value v;
        SQLRETURN rc;
        const char *st;
        unsigned char want;
    } bits[] = {
        {{SQLITE_INTEGER, 0, 0, 0, 0}, SQL_SUCCESS, "", 0},
        {{SQLITE_INTEGER, 1, 0, 0, 0}, SQL_SUCCESS, "", 1},
        {{SQLITE_INTEGER, 2, 0, 0, 0}, SQL_ERROR, "22003", 0},
        {{SQLITE_INTEGER, -1, 0, 0, 0}, SQL_ERROR, "22003", 0},
        {{SQLITE_FLOAT, 0, 1.5, 0, 0}, SQL_SUCCESS_WITH_INFO, "01S07", 1},
        {{SQLITE_FLOAT, 0, 0.25, 0, 0}, SQL_SUCCESS_WITH_INFO, "01S07", 0},
        {{SQLITE_FLOAT, 0, 2.0, 0, 0}, SQL_ERROR, "22003", 0},
        {{SQLITE_TEXT, 0, 0, (const unsigned char *)"true", 4}, SQL_SUCCESS, "", 1},
        {{SQLITE_TEXT, 0, 0, (const unsigned char *)"FALSE", 5}, SQL_SUCCESS, "", 0},
        {{SQLITE_TEXT, 0, 0, (const unsigned char *)"1", 1}, SQL_SUCCESS, "", 1},
        {{SQLITE_TEXT, 0, 0, (const unsigned char *)"yes", 3}, SQL_ERROR, "22018", 0},
    };
    for (size_t i = 0; i < sizeof bits / sizeof *bits; i++) {
        unsigned char b = 0x55;
        SQLRETURN rc = to_c(&bits[i].v, SQL_BIT, SQL_C_BIT, &b, 0, &ind, NULL, st);
        char name[32];
        snprintf(name, sizeof name, "bit case %zu", i);
        CHECK_RC(rc, bits[i].rc, st, bits[i].st, name);
        if (SQL_SUCCEEDED(rc)) assert_int_equal(b, bits[i].want);
    }
}

/* ---------- SQL to C: characters ---------------------------------------- */

static void test_to_char(void **state)
{
    (void)state;
    static const unsigned char blob[] = {0x00, 0xAB, 0x10, 0xFF};
    static const struct {
        const char *name;
        db_value v;
        SQLSMALLINT sql;
        SQLLEN buflen;
        SQLRETURN rc;
        const char *st;
        const char *want;
        SQLLEN want_len;
    } cases[] = {
        {"text", {SQLITE_TEXT, 0, 0, (const unsigned char *)"hello", 5}, SQL_VARCHAR, 16, SQL_SUCCESS, "", "hello", 5},
        {"text truncated", {SQLITE_TEXT, 0, 0, (const unsigned char *)"hello", 5}, SQL_VARCHAR, 4, SQL_SUCCESS_WITH_INFO, "01004", "hel", 5},
        {"exact fit", {SQLITE_TEXT, 0, 0, (const unsigned char *)"hello", 5}, SQL_VARCHAR, 6, SQL_SUCCESS, "", "hello", 5},
        {"utf8 not split", {SQLITE_TEXT, 0, 0, (const unsigned char *)"a\xC3\xA9", 3}, SQL_VARCHAR, 3, SQL_SUCCESS_WITH_INFO, "01004", "a", 3},
        {"int", {SQLITE_INTEGER, -1234567890123LL, 0, 0, 0}, SQL_BIGINT, 32, SQL_SUCCESS, "", "-1234567890123", 14},
        {"int no room 22003", {SQLITE_INTEGER, 12345, 0, 0, 0}, SQL_INTEGER, 5, SQL_ERROR, "22003", NULL, 0},
        {"double shortest", {SQLITE_FLOAT, 0, 0.1, 0, 0}, SQL_DOUBLE, 32, SQL_SUCCESS, "", "0.1", 3},
        {"double 16 digits", {SQLITE_FLOAT, 0, 1.0 / 3, 0, 0}, SQL_DOUBLE, 32, SQL_SUCCESS, "", "0.3333333333333333", 18},
        {"double 17 digits", {SQLITE_FLOAT, 0, 0.30000000000000004, 0, 0}, SQL_DOUBLE, 32, SQL_SUCCESS, "", "0.30000000000000004", 19},
        {"double big", {SQLITE_FLOAT, 0, 1e300, 0, 0}, SQL_DOUBLE, 32, SQL_SUCCESS, "", "1e+300", 6},
        {"double fraction cut 01004", {SQLITE_FLOAT, 0, 3.14159, 0, 0}, SQL_DOUBLE, 5, SQL_SUCCESS_WITH_INFO, "01004", "3.14", 7},
        {"double whole too big 22003", {SQLITE_FLOAT, 0, 123456.5, 0, 0}, SQL_DOUBLE, 4, SQL_ERROR, "22003", NULL, 0},
        {"blob hex", {SQLITE_BLOB, 0, 0, blob, 4}, SQL_VARBINARY, 16, SQL_SUCCESS, "", "00AB10FF", 8},
        {"blob hex truncated", {SQLITE_BLOB, 0, 0, blob, 4}, SQL_VARBINARY, 4, SQL_SUCCESS_WITH_INFO, "01004", "00A", 8},
        {"epoch in date column", {SQLITE_INTEGER, 86400 * 365, 0, 0, 0}, SQL_TYPE_DATE, 32, SQL_SUCCESS, "", "1971-01-01", 10},
        {"epoch in timestamp column", {SQLITE_INTEGER, 1700000000, 0, 0, 0}, SQL_TYPE_TIMESTAMP, 32, SQL_SUCCESS, "", "2023-11-14 22:13:20", 19},
        {"julian in timestamp column", {SQLITE_FLOAT, 0, 2460000.5, 0, 0}, SQL_TYPE_TIMESTAMP, 32, SQL_SUCCESS, "", "2023-02-25 00:00:00", 19},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char buf[64];
        memset(buf, 'Z', sizeof buf);
        SQLLEN ind = 999;
        char st[6];
        SQLRETURN rc = to_c(&cases[i].v, cases[i].sql, SQL_C_CHAR, buf, cases[i].buflen, &ind, NULL, st);
        CHECK_RC(rc, cases[i].rc, st, cases[i].st, cases[i].name);
        if (!SQL_SUCCEEDED(rc)) continue;
        if (strcmp(buf, cases[i].want) != 0) fail_msg("%s: got '%s' want '%s'", cases[i].name, buf, cases[i].want);
        if (ind != cases[i].want_len) fail_msg("%s: len %ld want %ld", cases[i].name, (long)ind, (long)cases[i].want_len);
    }
    /* NULL target pointer: only the length. */
    db_value v = v_text("abcdef");
    SQLLEN ind;
    char st[6];
    SQLRETURN rc = to_c(&v, SQL_VARCHAR, SQL_C_CHAR, NULL, 0, &ind, NULL, st);
    assert_true(SQL_SUCCEEDED(rc));
    assert_int_equal(ind, 6);
}

static void test_to_wchar(void **state)
{
    (void)state;
    SQLWCHAR w[16];
    SQLLEN ind;
    char st[6];
    db_value v = v_text("h\xC3\xA9\xF0\x9F\x98\x80"); /* "hé😀" = 4 units */
    assert_int_equal(to_c(&v, SQL_WVARCHAR, SQL_C_WCHAR, w, sizeof w, &ind, NULL, st), SQL_SUCCESS);
    assert_int_equal(ind, 8);
    assert_int_equal(w[0], 'h');
    assert_int_equal(w[1], 0xE9);
    assert_int_equal(w[2], 0xD83D);
    assert_int_equal(w[3], 0xDE00);
    assert_int_equal(w[4], 0);
    /* 4 units of room incl. NUL: "hé" fits, the pair would be split -> not written. */
    CHECK_RC(to_c(&v, SQL_WVARCHAR, SQL_C_WCHAR, w, 4 * sizeof(SQLWCHAR), &ind, NULL, st),
             SQL_SUCCESS_WITH_INFO, st, "01004", "wchar truncated");
    assert_int_equal(ind, 8);
    assert_int_equal(w[2], 0);
    v = v_int(-42);
    assert_int_equal(to_c(&v, SQL_INTEGER, SQL_C_WCHAR, w, sizeof w, &ind, NULL, st), SQL_SUCCESS);
    assert_int_equal(ind, 6);
    assert_int_equal(w[0], '-');
    assert_int_equal(w[2], '2');
    assert_int_equal(w[3], 0);
    CHECK_RC(to_c(&v, SQL_INTEGER, SQL_C_WCHAR, w, 3 * sizeof(SQLWCHAR), &ind, NULL, st), SQL_ERROR, st,
             "22003", "wchar number no room");
    static const unsigned char blob[] = {0xDE, 0xAD};
    v = v_blob(blob, 2);
    assert_int_equal(to_c(&v, SQL_VARBINARY, SQL_C_WCHAR, w, sizeof w, &ind, NULL, st), SQL_SUCCESS);
    assert_int_equal(ind, 8);
    assert_int_equal(w[0], 'D');
    assert_int_equal(w[3], 'D');
    assert_int_equal(w[4], 0);
}

static void test_to_binary(void **state)
{
    (void)state;
    unsigned char b[8];
    SQLLEN ind;
    char st[6];
    static const unsigned char blob[] = {1, 2, 3, 4, 5, 6};
    db_value v = v_blob(blob, 6);
    assert_int_equal(to_c(&v, SQL_VARBINARY, SQL_C_BINARY, b, sizeof b, &ind, NULL, st), SQL_SUCCESS);
    assert_int_equal(ind, 6);
    assert_memory_equal(b, blob, 6);
    CHECK_RC(to_c(&v, SQL_VARBINARY, SQL_C_BINARY, b, 4, &ind, NULL, st), SQL_SUCCESS_WITH_INFO, st,
             "01004", "binary truncated");
    assert_int_equal(ind, 6);
    v = v_text("abc");
    assert_int_equal(to_c(&v, SQL_VARCHAR, SQL_C_BINARY, b, sizeof b, &ind, NULL, st), SQL_SUCCESS);
    assert_int_equal(ind, 3);
    assert_memory_equal(b, "abc", 3);
    v = v_int(123456789);
    CHECK_RC(to_c(&v, SQL_INTEGER, SQL_C_BINARY, b, 4, &ind, NULL, st), SQL_ERROR, st, "22003", "int->binary no room");
}

/* ---------- SQLGetData in pieces ---------------------------------------- */

static void test_chunked_getdata(void **state)
{
    (void)state;
    char st[6];
    SQLLEN ind, off = 0;
    char buf[4];
    db_value v = v_text("abcdefgh");
    const char *parts[] = {"abc", "def", "gh"};
    const SQLLEN lens[] = {8, 5, 2};
    for (int i = 0; i < 3; i++) {
        SQLRETURN rc = to_c(&v, SQL_VARCHAR, SQL_C_CHAR, buf, sizeof buf, &ind, &off, st);
        assert_int_equal(rc, i < 2 ? SQL_SUCCESS_WITH_INFO : SQL_SUCCESS);
        assert_string_equal(buf, parts[i]);
        assert_int_equal(ind, lens[i]);
    }
    assert_int_equal(to_c(&v, SQL_VARCHAR, SQL_C_CHAR, buf, sizeof buf, &ind, &off, st), SQL_NO_DATA);

    /* Wide chunks count source bytes and never split a pair. */
    v = v_text("ab\xF0\x9F\x98\x80" "cd"); /* a b 😀 c d = 6 units */
    SQLWCHAR w[3];
    off = 0;
    assert_int_equal(to_c(&v, SQL_WVARCHAR, SQL_C_WCHAR, w, sizeof w, &ind, &off, st), SQL_SUCCESS_WITH_INFO);
    assert_int_equal(ind, 12);
    assert_int_equal(w[0], 'a');
    assert_int_equal(w[1], 'b');
    assert_int_equal(off, 2);
    SQLWCHAR w3[3];
    assert_int_equal(to_c(&v, SQL_WVARCHAR, SQL_C_WCHAR, w3, sizeof w3, &ind, &off, st), SQL_SUCCESS_WITH_INFO);
    assert_int_equal(ind, 8);
    assert_int_equal(w3[0], 0xD83D);
    assert_int_equal(w3[1], 0xDE00);
    assert_int_equal(off, 6);
    assert_int_equal(to_c(&v, SQL_WVARCHAR, SQL_C_WCHAR, w3, sizeof w3, &ind, &off, st), SQL_SUCCESS);
    assert_int_equal(ind, 4);
    assert_int_equal(w3[0], 'c');
    assert_int_equal(w3[1], 'd');
    assert_int_equal(to_c(&v, SQL_WVARCHAR, SQL_C_WCHAR, w3, sizeof w3, &ind, &off, st), SQL_NO_DATA);

    /* Binary in pieces, then SQL_NO_DATA. */
    static const unsigned char blob[] = {9, 8, 7, 6, 5};
    unsigned char b[2];
    v = v_blob(blob, 5);
    off = 0;
    assert_int_equal(to_c(&v, SQL_VARBINARY, SQL_C_BINARY, b, 2, &ind, &off, st), SQL_SUCCESS_WITH_INFO);
    assert_int_equal(ind, 5);
    assert_int_equal(to_c(&v, SQL_VARBINARY, SQL_C_BINARY, b, 2, &ind, &off, st), SQL_SUCCESS_WITH_INFO);
    assert_int_equal(ind, 3);
    assert_int_equal(b[0], 7);
    assert_int_equal(to_c(&v, SQL_VARBINARY, SQL_C_BINARY, b, 2, &ind, &off, st), SQL_SUCCESS);
    assert_int_equal(ind, 1);
    assert_int_equal(b[0], 5);
    assert_int_equal(to_c(&v, SQL_VARBINARY, SQL_C_BINARY, b, 2, &ind, &off, st), SQL_NO_DATA);

    /* Blob as hex in pieces. */
    char hx[4];
    off = 0;
    assert_int_equal(to_c(&v, SQL_VARBINARY, SQL_C_CHAR, hx, 4, &ind, &off, st), SQL_SUCCESS_WITH_INFO);
    assert_string_equal(hx, "090");
    assert_int_equal(to_c(&v, SQL_VARBINARY, SQL_C_CHAR, hx, 4, &ind, &off, st), SQL_SUCCESS_WITH_INFO);
    assert_string_equal(hx, "807");

    /* Fixed-size targets: the second call has nothing more. */
    SQLINTEGER n;
    v = v_int(5);
    off = 0;
    assert_int_equal(to_c(&v, SQL_INTEGER, SQL_C_SLONG, &n, 0, &ind, &off, st), SQL_SUCCESS);
    assert_int_equal(to_c(&v, SQL_INTEGER, SQL_C_SLONG, &n, 0, &ind, &off, st), SQL_NO_DATA);
    /* Empty text: "" once, then SQL_NO_DATA. */
    v = v_text("");
    off = 0;
    assert_int_equal(to_c(&v, SQL_VARCHAR, SQL_C_CHAR, buf, sizeof buf, &ind, &off, st), SQL_SUCCESS);
    assert_int_equal(ind, 0);
    assert_int_equal(to_c(&v, SQL_VARCHAR, SQL_C_CHAR, buf, sizeof buf, &ind, &off, st), SQL_NO_DATA);
}

/* ---------- NULL, unknown types, defaults -------------------------------- */

static void test_null_and_errors(void **state)
{
    (void)state;
    char st[6];
    SQLLEN ind = 0;
    SQLINTEGER n;
    db_value v = v_null();
    assert_int_equal(to_c(&v, SQL_INTEGER, SQL_C_SLONG, &n, 0, &ind, NULL, st), SQL_SUCCESS);
    assert_int_equal(ind, SQL_NULL_DATA);
    CHECK_RC(to_c(&v, SQL_INTEGER, SQL_C_SLONG, &n, 0, NULL, NULL, st), SQL_ERROR, st, "22002", "null without ind");
    v = v_int(1);
    CHECK_RC(to_c(&v, SQL_INTEGER, 1234, &n, 0, &ind, NULL, st), SQL_ERROR, st, "HY003", "bad ctype");
    CHECK_RC(to_c(&v, SQL_INTEGER, SQL_C_INTERVAL_DAY, &n, 0, &ind, NULL, st), SQL_ERROR, st, "07006", "interval");
    /* SQL_C_DEFAULT follows the column's SQL type. */
    SQLBIGINT big;
    v = v_int(1LL << 40);
    assert_int_equal(to_c(&v, SQL_BIGINT, SQL_C_DEFAULT, &big, 0, &ind, NULL, st), SQL_SUCCESS);
    assert_true(big == (1LL << 40));
    assert_int_equal(ind, 8);
    /* Separate indicator and length buffers. */
    diag_list d;
    diag_init(&d);
    SQLLEN len = -9, indic = -9;
    char buf[8];
    db_value t = v_text("abc");
    c_target tg = {SQL_C_CHAR, buf, sizeof buf, &indic, &len, 0, 0};
    assert_int_equal(conv_to_c(&d, &t, SQL_VARCHAR, &tg, NULL, 0, 1), SQL_SUCCESS);
    assert_int_equal(len, 3);
    assert_int_equal(indic, 0);
    diag_free(&d);

    assert_int_equal(conv_default_ctype(SQL_INTEGER), SQL_C_SLONG);
    assert_int_equal(conv_default_ctype(SQL_BIGINT), SQL_C_SBIGINT);
    assert_int_equal(conv_default_ctype(SQL_SMALLINT), SQL_C_SSHORT);
    assert_int_equal(conv_default_ctype(SQL_TINYINT), SQL_C_STINYINT);
    assert_int_equal(conv_default_ctype(SQL_DOUBLE), SQL_C_DOUBLE);
    assert_int_equal(conv_default_ctype(SQL_REAL), SQL_C_FLOAT);
    assert_int_equal(conv_default_ctype(SQL_VARCHAR), SQL_C_CHAR);
    assert_int_equal(conv_default_ctype(SQL_WVARCHAR), SQL_C_WCHAR);
    assert_int_equal(conv_default_ctype(SQL_DECIMAL), SQL_C_CHAR);
    assert_int_equal(conv_default_ctype(SQL_LONGVARBINARY), SQL_C_BINARY);
    assert_int_equal(conv_default_ctype(SQL_TYPE_TIMESTAMP), SQL_C_TYPE_TIMESTAMP);
    assert_int_equal(conv_default_ctype(SQL_BIT), SQL_C_BIT);
    assert_int_equal(conv_default_ctype(SQL_GUID), SQL_C_GUID);
    assert_int_equal(conv_ctype_size(SQL_C_SLONG), 4);
    assert_int_equal(conv_ctype_size(SQL_C_SBIGINT), 8);
    assert_int_equal(conv_ctype_size(SQL_C_TYPE_TIMESTAMP), sizeof(SQL_TIMESTAMP_STRUCT));
    assert_int_equal(conv_ctype_size(SQL_C_NUMERIC), sizeof(SQL_NUMERIC_STRUCT));
    assert_int_equal(conv_ctype_size(SQL_C_CHAR), 0);
    assert_int_equal(conv_ctype_size(SQL_C_BINARY), 0);
}

/* ---------- dates and times --------------------------------------------- */

static void test_to_datetime(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        db_value v;
        SQLSMALLINT ctype;
        SQLRETURN rc;
        const char *st;
        int y, mo, d, h, mi, s;
        unsigned frac;
    } cases[] = {
        {"date text", {SQLITE_TEXT, 0, 0, (const unsigned char *)"2024-02-29", 10}, SQL_C_TYPE_DATE, SQL_SUCCESS, "", 2024, 2, 29, 0, 0, 0, 0},
        {"bad day", {SQLITE_TEXT, 0, 0, (const unsigned char *)"2023-02-29", 10}, SQL_C_TYPE_DATE, SQL_ERROR, "22007", 0, 0, 0, 0, 0, 0, 0},
        {"garbage", {SQLITE_TEXT, 0, 0, (const unsigned char *)"yesterday", 9}, SQL_C_TYPE_TIMESTAMP, SQL_ERROR, "22007", 0, 0, 0, 0, 0, 0, 0},
        {"ts full", {SQLITE_TEXT, 0, 0, (const unsigned char *)"2024-01-31 23:59:58.123456789", 29}, SQL_C_TYPE_TIMESTAMP, SQL_SUCCESS, "", 2024, 1, 31, 23, 59, 58, 123456789},
        {"ts T sep + Z", {SQLITE_TEXT, 0, 0, (const unsigned char *)"2024-01-31T10:11:12.5Z", 22}, SQL_C_TYPE_TIMESTAMP, SQL_SUCCESS, "", 2024, 1, 31, 10, 11, 12, 500000000},
        {"ts with zone", {SQLITE_TEXT, 0, 0, (const unsigned char *)"2024-01-31 10:11:12+02:00", 25}, SQL_C_TIMESTAMP, SQL_SUCCESS, "", 2024, 1, 31, 10, 11, 12, 0},
        {"ts no seconds", {SQLITE_TEXT, 0, 0, (const unsigned char *)"2024-01-31 10:11", 16}, SQL_C_TYPE_TIMESTAMP, SQL_SUCCESS, "", 2024, 1, 31, 10, 11, 0, 0},
        {"date from ts 01S07", {SQLITE_TEXT, 0, 0, (const unsigned char *)"2024-01-31 10:11:12", 19}, SQL_C_TYPE_DATE, SQL_SUCCESS_WITH_INFO, "01S07", 2024, 1, 31, 0, 0, 0, 0},
        {"date from midnight ts", {SQLITE_TEXT, 0, 0, (const unsigned char *)"2024-01-31 00:00:00", 19}, SQL_C_DATE, SQL_SUCCESS, "", 2024, 1, 31, 0, 0, 0, 0},
        {"time text", {SQLITE_TEXT, 0, 0, (const unsigned char *)"07:08:09", 8}, SQL_C_TYPE_TIME, SQL_SUCCESS, "", 0, 0, 0, 7, 8, 9, 0},
        {"time with fraction 01S07", {SQLITE_TEXT, 0, 0, (const unsigned char *)"07:08:09.5", 10}, SQL_C_TIME, SQL_SUCCESS_WITH_INFO, "01S07", 0, 0, 0, 7, 8, 9, 0},
        {"time from ts", {SQLITE_TEXT, 0, 0, (const unsigned char *)"2024-01-31 07:08:09", 19}, SQL_C_TYPE_TIME, SQL_SUCCESS, "", 0, 0, 0, 7, 8, 9, 0},
        {"time from date 22007", {SQLITE_TEXT, 0, 0, (const unsigned char *)"2024-01-31", 10}, SQL_C_TYPE_TIME, SQL_ERROR, "22007", 0, 0, 0, 0, 0, 0, 0},
        {"bad hour", {SQLITE_TEXT, 0, 0, (const unsigned char *)"24:00:00", 8}, SQL_C_TYPE_TIME, SQL_ERROR, "22007", 0, 0, 0, 0, 0, 0, 0},
        {"bad month", {SQLITE_TEXT, 0, 0, (const unsigned char *)"2024-13-01", 10}, SQL_C_TYPE_DATE, SQL_ERROR, "22007", 0, 0, 0, 0, 0, 0, 0},
        {"epoch", {SQLITE_INTEGER, 1700000000, 0, 0, 0}, SQL_C_TYPE_TIMESTAMP, SQL_SUCCESS, "", 2023, 11, 14, 22, 13, 20, 0},
        {"negative epoch", {SQLITE_INTEGER, -86400, 0, 0, 0}, SQL_C_TYPE_DATE, SQL_SUCCESS, "", 1969, 12, 31, 0, 0, 0, 0},
        {"julian", {SQLITE_FLOAT, 0, 2451545.0, 0, 0}, SQL_C_TYPE_TIMESTAMP, SQL_SUCCESS, "", 2000, 1, 1, 12, 0, 0, 0},
        {"blob 07006", {SQLITE_BLOB, 0, 0, (const unsigned char *)"x", 1}, SQL_C_TYPE_DATE, SQL_ERROR, "07006", 0, 0, 0, 0, 0, 0, 0},
        {"real unix time", {SQLITE_FLOAT, 0, 1700000000.25, 0, 0}, SQL_C_TYPE_TIMESTAMP, SQL_SUCCESS, "", 2023, 11, 14, 22, 13, 20, 250000000},
        {"negative julian 22007", {SQLITE_FLOAT, 0, -1.0, 0, 0}, SQL_C_TYPE_TIMESTAMP, SQL_ERROR, "22007", 0, 0, 0, 0, 0, 0, 0},
        {"epoch too far 22007", {SQLITE_INTEGER, 400000000000LL, 0, 0, 0}, SQL_C_TYPE_TIMESTAMP, SQL_ERROR, "22007", 0, 0, 0, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        union { SQL_DATE_STRUCT d; SQL_TIME_STRUCT t; SQL_TIMESTAMP_STRUCT ts; } u;
        memset(&u, 0, sizeof u);
        SQLLEN ind;
        char st[6];
        SQLRETURN rc = to_c(&cases[i].v, SQL_TYPE_TIMESTAMP, cases[i].ctype, &u, 0, &ind, NULL, st);
        CHECK_RC(rc, cases[i].rc, st, cases[i].st, cases[i].name);
        if (!SQL_SUCCEEDED(rc)) continue;
        int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
        unsigned frac = 0;
        if (cases[i].ctype == SQL_C_TYPE_DATE || cases[i].ctype == SQL_C_DATE) {
            y = u.d.year, mo = u.d.month, d = u.d.day;
            assert_int_equal(ind, sizeof(SQL_DATE_STRUCT));
        } else if (cases[i].ctype == SQL_C_TYPE_TIME || cases[i].ctype == SQL_C_TIME) {
            h = u.t.hour, mi = u.t.minute, s = u.t.second;
            assert_int_equal(ind, sizeof(SQL_TIME_STRUCT));
        } else {
            y = u.ts.year, mo = u.ts.month, d = u.ts.day, h = u.ts.hour, mi = u.ts.minute,
            s = u.ts.second, frac = u.ts.fraction;
            assert_int_equal(ind, sizeof(SQL_TIMESTAMP_STRUCT));
        }
        if (y != cases[i].y || mo != cases[i].mo || d != cases[i].d || h != cases[i].h ||
            mi != cases[i].mi || s != cases[i].s || frac != cases[i].frac)
            fail_msg("%s: got %04d-%02d-%02d %02d:%02d:%02d.%09u", cases[i].name, y, mo, d, h, mi, s, frac);
    }
    /* Time text into a timestamp: today's date (ODBC rule). */
    db_value v = v_text("01:02:03");
    SQL_TIMESTAMP_STRUCT ts;
    SQLLEN ind;
    char st[6];
    assert_int_equal(to_c(&v, SQL_TYPE_TIME, SQL_C_TYPE_TIMESTAMP, &ts, 0, &ind, NULL, st), SQL_SUCCESS);
    assert_true(ts.year >= 2024);
    assert_int_equal(ts.hour, 1);
}

/* ---------- NUMERIC and GUID --------------------------------------------- */

static long long mantissa(const SQL_NUMERIC_STRUCT *n)
{
    long long m = 0;
    for (int k = 7; k >= 0; k--) m = (m << 8) | n->val[k];
    return m;
}

static void test_to_numeric(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        db_value v;
        SQLSMALLINT prec, scale;
        SQLRETURN rc;
        const char *st;
        int sign;
        long long m;
    } cases[] = {
        {"text 12.34 s2", {SQLITE_TEXT, 0, 0, (const unsigned char *)"12.34", 5}, 10, 2, SQL_SUCCESS, "", 1, 1234},
        {"text -12.345 s2", {SQLITE_TEXT, 0, 0, (const unsigned char *)"-12.345", 7}, 10, 2, SQL_SUCCESS_WITH_INFO, "01S07", 0, 1234},
        {"text 12.340 s2", {SQLITE_TEXT, 0, 0, (const unsigned char *)"12.340", 6}, 10, 2, SQL_SUCCESS, "", 1, 1234},
        {"int s0", {SQLITE_INTEGER, 987654321, 0, 0, 0}, 0, 0, SQL_SUCCESS, "", 1, 987654321},
        {"int s3", {SQLITE_INTEGER, 5, 0, 0, 0}, 10, 3, SQL_SUCCESS, "", 1, 5000},
        {"double 0.1 s2", {SQLITE_FLOAT, 0, 0.1, 0, 0}, 10, 2, SQL_SUCCESS, "", 1, 10},
        {"double -2.5 s1", {SQLITE_FLOAT, 0, -2.5, 0, 0}, 5, 1, SQL_SUCCESS, "", 0, 25},
        {"exp text", {SQLITE_TEXT, 0, 0, (const unsigned char *)"1.5e2", 5}, 10, 0, SQL_SUCCESS, "", 1, 150},
        {"precision 22003", {SQLITE_INTEGER, 123456, 0, 0, 0}, 5, 0, SQL_ERROR, "22003", 0, 0},
        {"precision with scale 22003", {SQLITE_TEXT, 0, 0, (const unsigned char *)"1234.5", 6}, 5, 2, SQL_ERROR, "22003", 0, 0},
        {"not a number 22018", {SQLITE_TEXT, 0, 0, (const unsigned char *)"12a", 3}, 10, 2, SQL_ERROR, "22018", 0, 0},
        {"blob 07006", {SQLITE_BLOB, 0, 0, (const unsigned char *)"1", 1}, 10, 2, SQL_ERROR, "07006", 0, 0},
        {"zero", {SQLITE_TEXT, 0, 0, (const unsigned char *)"-0.00", 5}, 10, 2, SQL_SUCCESS, "", 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        SQL_NUMERIC_STRUCT ns;
        memset(&ns, 0x77, sizeof ns);
        SQLLEN ind;
        diag_list d;
        diag_init(&d);
        c_target t = {SQL_C_NUMERIC, &ns, 0, &ind, &ind, cases[i].prec, cases[i].scale};
        SQLRETURN rc = conv_to_c(&d, &cases[i].v, SQL_DECIMAL, &t, NULL, 1, 1);
        char st[6];
        strcpy(st, last_state(&d));
        diag_free(&d);
        CHECK_RC(rc, cases[i].rc, st, cases[i].st, cases[i].name);
        if (!SQL_SUCCEEDED(rc)) continue;
        assert_int_equal(ns.sign, cases[i].sign);
        assert_int_equal(ns.scale, cases[i].scale);
        if (mantissa(&ns) != cases[i].m) fail_msg("%s: mantissa %lld want %lld", cases[i].name, mantissa(&ns), cases[i].m);
        for (int k = 8; k < 16; k++) assert_int_equal(ns.val[k], 0);
    }
    /* Struct to text, used for parameters. */
    SQL_NUMERIC_STRUCT ns;
    memset(&ns, 0, sizeof ns);
    ns.val[0] = 0x39;
    ns.val[1] = 0x30; /* 12345 */
    ns.sign = 0;
    ns.scale = 2;
    char out[64];
    assert_int_equal(conv_numeric_to_text(&ns, out, sizeof out), 7);
    assert_string_equal(out, "-123.45");
    ns.scale = 6;
    conv_numeric_to_text(&ns, out, sizeof out);
    assert_string_equal(out, "-0.012345");
    ns.scale = -2;
    ns.sign = 1;
    conv_numeric_to_text(&ns, out, sizeof out);
    assert_string_equal(out, "1234500");
}

static void test_to_guid(void **state)
{
    (void)state;
    SQLGUID g;
    SQLLEN ind;
    char st[6];
    db_value v = v_text("{12345678-9abc-def0-1122-334455667788}");
    assert_int_equal(to_c(&v, SQL_GUID, SQL_C_GUID, &g, 0, &ind, NULL, st), SQL_SUCCESS);
    assert_int_equal(g.Data1, 0x12345678u);
    assert_int_equal(g.Data2, 0x9abc);
    assert_int_equal(g.Data3, 0xdef0);
    assert_int_equal(g.Data4[0], 0x11);
    assert_int_equal(g.Data4[7], 0x88);
    v = v_text("not-a-guid");
    CHECK_RC(to_c(&v, SQL_GUID, SQL_C_GUID, &g, 0, &ind, NULL, st), SQL_ERROR, st, "22018", "bad guid");
}

/* ---------- C to SQL ------------------------------------------------------ */

typedef struct from_case {
    const char *name;
    SQLSMALLINT ctype, sql;
    const void *ptr;
    SQLLEN buflen, len_ind;
    SQLRETURN rc;
    const char *st;
    int type;          /* expected storage class */
    long long i;
    double d;
    const char *text;  /* for TEXT/BLOB */
    int n;
} from_case;

static void run_from(const from_case *c)
{
    diag_list d;
    diag_init(&d);
    param_value pv;
    SQLRETURN rc = conv_from_c(&d, c->ctype, c->sql, 0, 0, c->ptr, c->buflen, c->len_ind, &pv, 1, 1);
    char st[6];
    strcpy(st, last_state(&d));
    diag_free(&d);
    CHECK_RC(rc, c->rc, st, c->st, c->name);
    if (SQL_SUCCEEDED(rc)) {
        if (pv.v.type != c->type) fail_msg("%s: type %d want %d", c->name, pv.v.type, c->type);
        if (c->type == SQLITE_INTEGER && pv.v.i != c->i) fail_msg("%s: %lld want %lld", c->name, (long long)pv.v.i, c->i);
        if (c->type == SQLITE_FLOAT && pv.v.d != c->d) fail_msg("%s: %g want %g", c->name, pv.v.d, c->d);
        if (c->type == SQLITE_TEXT || c->type == SQLITE_BLOB) {
            int n = c->n ? c->n : (int)strlen(c->text);
            if (pv.v.n != n || memcmp(pv.v.p, c->text, (size_t)n) != 0)
                fail_msg("%s: got '%.*s' (%d) want '%s' (%d)", c->name, pv.v.n, (const char *)pv.v.p, pv.v.n, c->text, n);
        }
    }
    param_value_free(&pv);
}

static void test_from_c(void **state)
{
    (void)state;
    static const SQLINTEGER i42 = 42;
    static const SQLBIGINT big = 5000000000LL;
    static const SQLUBIGINT ubig = 18446744073709551615ULL;
    static const SQLSMALLINT sm = -7;
    static const unsigned char bit1 = 1, ut = 200;
    static const signed char st8 = -100;
    static const double pi = 3.25, whole = 7.0;
    static const float fl = 1.5f;
    static const SQL_DATE_STRUCT date = {2024, 2, 29};
    static const SQL_DATE_STRUCT bad_date = {2023, 2, 29};
    static const SQL_TIME_STRUCT tm = {13, 14, 15};
    static const SQL_TIME_STRUCT bad_tm = {25, 0, 0};
    static const SQL_TIMESTAMP_STRUCT ts = {2024, 1, 2, 3, 4, 5, 123456000};
    static const SQL_TIMESTAMP_STRUCT ts0 = {2024, 1, 2, 3, 4, 5, 0};
    static const SQLWCHAR wide[] = {'h', 0xE9, 0xD83D, 0xDE00, 0};
    static const SQLWCHAR wnum[] = {'1', '2', 0};
    static const unsigned char bin[] = {0x00, 0xFF, 0x41};
    static const SQLGUID guid = {0x12345678, 0x9abc, 0xdef0, {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88}};
    static SQL_NUMERIC_STRUCT num; /* 123.45 */
    memset(&num, 0, sizeof num);
    num.precision = 10, num.scale = 2, num.sign = 1, num.val[0] = 0x39, num.val[1] = 0x30;

    const from_case cases[] = {
        {"null", SQL_C_SLONG, SQL_INTEGER, &i42, 0, SQL_NULL_DATA, SQL_SUCCESS, "", SQLITE_NULL, 0, 0, NULL, 0},
        {"slong", SQL_C_SLONG, SQL_INTEGER, &i42, 0, 0, SQL_SUCCESS, "", SQLITE_INTEGER, 42, 0, NULL, 0},
        {"slong as varchar", SQL_C_SLONG, SQL_VARCHAR, &i42, 0, 0, SQL_SUCCESS, "", SQLITE_TEXT, 0, 0, "42", 0},
        {"slong as double", SQL_C_SLONG, SQL_DOUBLE, &i42, 0, 0, SQL_SUCCESS, "", SQLITE_FLOAT, 0, 42.0, NULL, 0},
        {"slong as bit 22003", SQL_C_SLONG, SQL_BIT, &i42, 0, 0, SQL_ERROR, "22003", 0, 0, 0, NULL, 0},
        {"sbigint", SQL_C_SBIGINT, SQL_BIGINT, &big, 0, 0, SQL_SUCCESS, "", SQLITE_INTEGER, 5000000000LL, 0, NULL, 0},
        {"ubigint max -> text", SQL_C_UBIGINT, SQL_DECIMAL, &ubig, 0, 0, SQL_SUCCESS, "", SQLITE_TEXT, 0, 0, "18446744073709551615", 0},
        {"ubigint max as int 22003", SQL_C_UBIGINT, SQL_BIGINT, &ubig, 0, 0, SQL_ERROR, "22003", 0, 0, 0, NULL, 0},
        {"sshort", SQL_C_SSHORT, SQL_SMALLINT, &sm, 0, 0, SQL_SUCCESS, "", SQLITE_INTEGER, -7, 0, NULL, 0},
        {"stinyint", SQL_C_STINYINT, SQL_TINYINT, &st8, 0, 0, SQL_SUCCESS, "", SQLITE_INTEGER, -100, 0, NULL, 0},
        {"utinyint", SQL_C_UTINYINT, SQL_TINYINT, &ut, 0, 0, SQL_SUCCESS, "", SQLITE_INTEGER, 200, 0, NULL, 0},
        {"bit", SQL_C_BIT, SQL_BIT, &bit1, 0, 0, SQL_SUCCESS, "", SQLITE_INTEGER, 1, 0, NULL, 0},
        {"double", SQL_C_DOUBLE, SQL_DOUBLE, &pi, 0, 0, SQL_SUCCESS, "", SQLITE_FLOAT, 0, 3.25, NULL, 0},
        {"double whole as int", SQL_C_DOUBLE, SQL_INTEGER, &whole, 0, 0, SQL_SUCCESS, "", SQLITE_INTEGER, 7, 0, NULL, 0},
        {"double as varchar", SQL_C_DOUBLE, SQL_VARCHAR, &pi, 0, 0, SQL_SUCCESS, "", SQLITE_TEXT, 0, 0, "3.25", 0},
        {"float", SQL_C_FLOAT, SQL_REAL, &fl, 0, 0, SQL_SUCCESS, "", SQLITE_FLOAT, 0, 1.5, NULL, 0},
        {"char nts", SQL_C_CHAR, SQL_VARCHAR, "hello", 0, SQL_NTS, SQL_SUCCESS, "", SQLITE_TEXT, 0, 0, "hello", 0},
        {"char explicit len", SQL_C_CHAR, SQL_VARCHAR, "hello", 0, 3, SQL_SUCCESS, "", SQLITE_TEXT, 0, 0, "hel", 0},
        {"char nts within buflen", SQL_C_CHAR, SQL_VARCHAR, "hello", 2, SQL_NTS, SQL_SUCCESS, "", SQLITE_TEXT, 0, 0, "he", 0},
        {"char bad len HY090", SQL_C_CHAR, SQL_VARCHAR, "hello", 0, -7, SQL_ERROR, "HY090", 0, 0, 0, NULL, 0},
        {"char to integer", SQL_C_CHAR, SQL_INTEGER, " 42 ", 0, SQL_NTS, SQL_SUCCESS, "", SQLITE_INTEGER, 42, 0, NULL, 0},
        {"char to integer 22018", SQL_C_CHAR, SQL_INTEGER, "4x2", 0, SQL_NTS, SQL_ERROR, "22018", 0, 0, 0, NULL, 0},
        {"char to double", SQL_C_CHAR, SQL_DOUBLE, "2.5", 0, SQL_NTS, SQL_SUCCESS, "", SQLITE_FLOAT, 0, 2.5, NULL, 0},
        {"char to double 22018", SQL_C_CHAR, SQL_FLOAT, "", 0, SQL_NTS, SQL_ERROR, "22018", 0, 0, 0, NULL, 0},
        {"char to decimal exact", SQL_C_CHAR, SQL_DECIMAL, "12.50", 0, SQL_NTS, SQL_SUCCESS, "", SQLITE_TEXT, 0, 0, "12.50", 0},
        {"char to decimal int", SQL_C_CHAR, SQL_NUMERIC, "12", 0, SQL_NTS, SQL_SUCCESS, "", SQLITE_INTEGER, 12, 0, NULL, 0},
        {"char to bit", SQL_C_CHAR, SQL_BIT, "true", 0, SQL_NTS, SQL_SUCCESS, "", SQLITE_INTEGER, 1, 0, NULL, 0},
        {"char to date", SQL_C_CHAR, SQL_TYPE_DATE, "2024-01-31", 0, SQL_NTS, SQL_SUCCESS, "", SQLITE_TEXT, 0, 0, "2024-01-31", 0},
        {"char to date 22007", SQL_C_CHAR, SQL_TYPE_DATE, "2024-02-30", 0, SQL_NTS, SQL_ERROR, "22007", 0, 0, 0, NULL, 0},
        {"char hex to binary", SQL_C_CHAR, SQL_VARBINARY, "00ff41", 0, SQL_NTS, SQL_SUCCESS, "", SQLITE_BLOB, 0, 0, "\x00\xff\x41", 3},
        {"char bad hex 22018", SQL_C_CHAR, SQL_VARBINARY, "0g", 0, SQL_NTS, SQL_ERROR, "22018", 0, 0, 0, NULL, 0},
        {"wchar", SQL_C_WCHAR, SQL_WVARCHAR, wide, 0, SQL_NTS, SQL_SUCCESS, "", SQLITE_TEXT, 0, 0, "h\xC3\xA9\xF0\x9F\x98\x80", 0},
        {"wchar bytes len", SQL_C_WCHAR, SQL_WVARCHAR, wide, 0, 4, SQL_SUCCESS, "", SQLITE_TEXT, 0, 0, "h\xC3\xA9", 0},
        {"wchar to int", SQL_C_WCHAR, SQL_INTEGER, wnum, 0, SQL_NTS, SQL_SUCCESS, "", SQLITE_INTEGER, 12, 0, NULL, 0},
        {"binary", SQL_C_BINARY, SQL_VARBINARY, bin, 0, 3, SQL_SUCCESS, "", SQLITE_BLOB, 0, 0, "\x00\xff\x41", 3},
        {"binary nts uses buflen", SQL_C_BINARY, SQL_VARBINARY, bin, 2, SQL_NTS, SQL_SUCCESS, "", SQLITE_BLOB, 0, 0, "\x00\xff", 2},
        {"binary utf8 as varchar", SQL_C_BINARY, SQL_VARCHAR, "abc", 0, 3, SQL_SUCCESS, "", SQLITE_TEXT, 0, 0, "abc", 0},
        {"binary non-utf8 as varchar", SQL_C_BINARY, SQL_VARCHAR, bin, 0, 3, SQL_SUCCESS, "", SQLITE_BLOB, 0, 0, "\x00\xff\x41", 3},
        {"date", SQL_C_TYPE_DATE, SQL_TYPE_DATE, &date, 0, 0, SQL_SUCCESS, "", SQLITE_TEXT, 0, 0, "2024-02-29", 0},
        {"bad date 22007", SQL_C_TYPE_DATE, SQL_TYPE_DATE, &bad_date, 0, 0, SQL_ERROR, "22007", 0, 0, 0, NULL, 0},
        {"time", SQL_C_TYPE_TIME, SQL_TYPE_TIME, &tm, 0, 0, SQL_SUCCESS, "", SQLITE_TEXT, 0, 0, "13:14:15", 0},
        {"bad time 22007", SQL_C_TIME, SQL_TYPE_TIME, &bad_tm, 0, 0, SQL_ERROR, "22007", 0, 0, 0, NULL, 0},
        {"timestamp", SQL_C_TYPE_TIMESTAMP, SQL_TYPE_TIMESTAMP, &ts, 0, 0, SQL_SUCCESS, "", SQLITE_TEXT, 0, 0, "2024-01-02 03:04:05.123456", 0},
        {"timestamp no fraction", SQL_C_TIMESTAMP, SQL_TIMESTAMP, &ts0, 0, 0, SQL_SUCCESS, "", SQLITE_TEXT, 0, 0, "2024-01-02 03:04:05", 0},
        {"timestamp as date", SQL_C_TYPE_TIMESTAMP, SQL_TYPE_DATE, &ts, 0, 0, SQL_SUCCESS, "", SQLITE_TEXT, 0, 0, "2024-01-02", 0},
        {"numeric as decimal", SQL_C_NUMERIC, SQL_DECIMAL, &num, 0, 0, SQL_SUCCESS, "", SQLITE_TEXT, 0, 0, "123.45", 0},
        {"numeric as double", SQL_C_NUMERIC, SQL_DOUBLE, &num, 0, 0, SQL_SUCCESS, "", SQLITE_FLOAT, 0, 123.45, NULL, 0},
        {"guid", SQL_C_GUID, SQL_GUID, &guid, 0, 0, SQL_SUCCESS, "", SQLITE_TEXT, 0, 0, "12345678-9abc-def0-1122-334455667788", 0},
        {"default ctype", SQL_C_DEFAULT, SQL_INTEGER, &i42, 0, 0, SQL_SUCCESS, "", SQLITE_INTEGER, 42, 0, NULL, 0},
        {"unknown ctype HY003", 999, SQL_INTEGER, &i42, 0, 0, SQL_ERROR, "HY003", 0, 0, 0, NULL, 0},
        {"interval 07006", SQL_C_INTERVAL_YEAR, SQL_INTEGER, &i42, 0, 0, SQL_ERROR, "07006", 0, 0, 0, NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) run_from(&cases[i]);
}

static void test_from_c_long_values(void **state)
{
    (void)state;
    /* Long wide strings use owned storage; freed by param_value_free (ASan). */
    SQLWCHAR w[300];
    for (int i = 0; i < 299; i++) w[i] = (SQLWCHAR)('a' + i % 26);
    w[299] = 0;
    param_value pv;
    diag_list d;
    diag_init(&d);
    assert_int_equal(conv_from_c(&d, SQL_C_WCHAR, SQL_WLONGVARCHAR, 0, 0, w, 0, SQL_NTS, &pv, 1, 1), SQL_SUCCESS);
    assert_int_equal(pv.v.type, SQLITE_TEXT);
    assert_int_equal(pv.v.n, 299);
    assert_non_null(pv.owned);
    assert_memory_equal(pv.v.p, "abcdef", 6);
    param_value_free(&pv);
    assert_null(pv.owned);
    /* Wide hex into a binary parameter, decoded in place. */
    SQLWCHAR hex[201];
    for (int i = 0; i < 200; i++) hex[i] = (SQLWCHAR)(i % 2 ? '1' : 'F');
    hex[200] = 0;
    assert_int_equal(conv_from_c(&d, SQL_C_WCHAR, SQL_LONGVARBINARY, 0, 0, hex, 0, SQL_NTS, &pv, 1, 1), SQL_SUCCESS);
    assert_int_equal(pv.v.type, SQLITE_BLOB);
    assert_int_equal(pv.v.n, 100);
    assert_int_equal(pv.v.p[99], 0xF1);
    param_value_free(&pv);
    /* Short ints never allocate. */
    SQLINTEGER x = 5;
    assert_int_equal(conv_from_c(&d, SQL_C_SLONG, SQL_VARCHAR, 0, 0, &x, 0, 0, &pv, 1, 1), SQL_SUCCESS);
    assert_null(pv.owned);
    param_value_free(&pv);
    diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_to_integers),
        cmocka_unit_test(test_to_floating_and_bit),
        cmocka_unit_test(test_to_char),
        cmocka_unit_test(test_to_wchar),
        cmocka_unit_test(test_to_binary),
        cmocka_unit_test(test_chunked_getdata),
        cmocka_unit_test(test_null_and_errors),
        cmocka_unit_test(test_to_datetime),
        cmocka_unit_test(test_to_numeric),
        cmocka_unit_test(test_to_guid),
        cmocka_unit_test(test_from_c),
        cmocka_unit_test(test_from_c_long_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
