/*
 * test_utf.c — UTF-8 <-> UTF-16 transcoding (driver/utf.c): round trips,
 * surrogate pairs, U+FFFD for malformed input, truncation that never
 * splits a surrogate pair, and the consumed-bytes count chunked
 * SQLGetData relies on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../driver/convert.h"

static void test_ascii_round_trip(void **state)
{
    (void)state;
    SQLWCHAR w[16];
    assert_int_equal(utf8_to_utf16("hello", SQL_NTS, w, 16), 5);
    assert_int_equal(w[0], 'h');
    assert_int_equal(w[4], 'o');
    assert_int_equal(w[5], 0);
    SQLLEN n = -1;
    char *s = utf16_to_utf8(w, SQL_NTS, &n);
    assert_non_null(s);
    assert_string_equal(s, "hello");
    assert_int_equal(n, 5);
    free(s);
}

static void test_bmp_and_supplementary(void **state)
{
    (void)state;
    /* "é€😀": 2-, 3- and 4-byte UTF-8; the emoji is a surrogate pair. */
    const char *src = "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
    SQLWCHAR w[8];
    assert_int_equal(utf8_to_utf16(src, SQL_NTS, w, 8), 4);
    assert_int_equal(w[0], 0x00E9);
    assert_int_equal(w[1], 0x20AC);
    assert_int_equal(w[2], 0xD83D);
    assert_int_equal(w[3], 0xDE00);
    assert_int_equal(w[4], 0);
    SQLLEN n;
    char *back = utf16_to_utf8(w, 4, &n);
    assert_string_equal(back, src);
    assert_int_equal(n, 9);
    free(back);
}

static void test_length_only(void **state)
{
    (void)state;
    assert_int_equal(utf8_to_utf16("\xF0\x9F\x98\x80xy", SQL_NTS, NULL, 0), 4);
    assert_int_equal(utf8_to_utf16("abc", 2, NULL, 0), 2); /* explicit byte length */
    assert_int_equal(utf8_to_utf16("", SQL_NTS, NULL, 0), 0);
}

static void test_truncation_keeps_pairs_whole(void **state)
{
    (void)state;
    SQLWCHAR w[3] = {0x1111, 0x1111, 0x1111};
    /* "a😀": room for 2 units incl. NUL -> only "a" fits, pair not split. */
    SQLLEN consumed = -1;
    assert_int_equal(utf8_to_utf16_part("a\xF0\x9F\x98\x80", SQL_NTS, w, 2, &consumed), 3);
    assert_int_equal(w[0], 'a');
    assert_int_equal(w[1], 0);
    assert_int_equal(consumed, 1);
    /* Three units: "a" + NUL + one spare unit — still no half pair. */
    assert_int_equal(utf8_to_utf16_part("a\xF0\x9F\x98\x80", SQL_NTS, w, 3, &consumed), 3);
    assert_int_equal(w[1], 0);
    assert_int_equal(consumed, 1);
    SQLWCHAR w4[4];
    assert_int_equal(utf8_to_utf16_part("a\xF0\x9F\x98\x80", SQL_NTS, w4, 4, &consumed), 3);
    assert_int_equal(w4[1], 0xD83D);
    assert_int_equal(w4[2], 0xDE00);
    assert_int_equal(consumed, 5);
}

static void test_invalid_utf8_becomes_replacement(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int units;
    } cases[] = {
        {"\xFF", 1},              /* never valid */
        {"\xC3", 1},              /* truncated 2-byte */
        {"\xC0\xAF", 2},          /* overlong '/' : C0 invalid lead, AF stray */
        {"\xED\xA0\x80", 1},      /* encoded surrogate */
        {"\xE2\x82", 1},          /* truncated 3-byte */
        {"\x80", 1},              /* stray continuation */
        {"\xF4\x90\x80\x80", 1},  /* beyond U+10FFFF */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        SQLWCHAR w[8];
        assert_int_equal(utf8_to_utf16(cases[i].in, SQL_NTS, w, 8), cases[i].units);
        for (int k = 0; k < cases[i].units; k++) assert_int_equal(w[k], 0xFFFD);
        assert_false(utf8_is_valid((const unsigned char *)cases[i].in, strlen(cases[i].in)));
    }
    /* Resynchronises after a bad byte. */
    SQLWCHAR w[8];
    assert_int_equal(utf8_to_utf16("\xC3x", SQL_NTS, w, 8), 2);
    assert_int_equal(w[0], 0xFFFD);
    assert_int_equal(w[1], 'x');
    assert_true(utf8_is_valid((const unsigned char *)"ok \xEF\xBF\xBD", 6));
}

static void test_lone_surrogates_to_utf8(void **state)
{
    (void)state;
    SQLWCHAR hi[] = {'a', 0xD800, 'b', 0};
    SQLWCHAR lo[] = {0xDC00, 0};
    SQLWCHAR end_hi[] = {'z', 0xD83D};
    char *s = utf16_to_utf8(hi, SQL_NTS, NULL);
    assert_string_equal(s, "a\xEF\xBF\xBD" "b");
    free(s);
    s = utf16_to_utf8(lo, SQL_NTS, NULL);
    assert_string_equal(s, "\xEF\xBF\xBD");
    free(s);
    s = utf16_to_utf8(end_hi, 2, NULL);
    assert_string_equal(s, "z\xEF\xBF\xBD");
    free(s);
    assert_null(utf16_to_utf8(NULL, SQL_NTS, NULL));
}

static void test_empty_and_zero_cap(void **state)
{
    (void)state;
    SQLWCHAR w[2] = {0x4141, 0x4141};
    assert_int_equal(utf8_to_utf16("abc", SQL_NTS, w, 1), 3);
    assert_int_equal(w[0], 0); /* only the terminator fits */
    assert_int_equal(w[1], 0x4141);
    assert_int_equal(utf8_to_utf16("abc", SQL_NTS, w, 0), 3);
    SQLWCHAR empty[] = {0};
    SQLLEN n = 9;
    char *s = utf16_to_utf8(empty, SQL_NTS, &n);
    assert_string_equal(s, "");
    assert_int_equal(n, 0);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii_round_trip),
        cmocka_unit_test(test_bmp_and_supplementary),
        cmocka_unit_test(test_length_only),
        cmocka_unit_test(test_truncation_keeps_pairs_whole),
        cmocka_unit_test(test_invalid_utf8_becomes_replacement),
        cmocka_unit_test(test_lone_surrogates_to_utf8),
        cmocka_unit_test(test_empty_and_zero_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
