/*
 * utf.c — UTF-8 <-> UTF-16 transcoding for the wide (W) entry points and
 * SQL_C_WCHAR data. SQLWCHAR is 2 bytes in host order, as unixODBC uses it.
 *
 * Both directions are lenient on input, strict on output: any malformed
 * sequence (bad lead byte, truncated or overlong sequence, encoded
 * surrogate, lone UTF-16 surrogate) becomes U+FFFD so the application always
 * receives well-formed text. Truncation never splits a surrogate pair.
 */
#include <stdlib.h>
#include <string.h>

#include "convert.h"

#define REPLACEMENT_CHAR 0xFFFDu

/* Decode one code point from s[0..n); returns bytes consumed (>= 1). */
size_t utf8_decode_one(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    size_t need;
    unsigned min, v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1; min = 0x80; v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2; min = 0x800; v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3; min = 0x10000; v = c & 0x07;
    } else {
        *cp = REPLACEMENT_CHAR;
        return 1;
    }
    size_t i;
    for (i = 1; i <= need; i++) {
        if (i >= n || (s[i] & 0xC0) != 0x80) {
            /* Truncated sequence: replace what we saw so far, resync at s[i]. */
            *cp = REPLACEMENT_CHAR;
            return i;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        v = REPLACEMENT_CHAR;
    *cp = v;
    return need + 1;
}

/* UTF-16 units one code point needs. */
static SQLLEN units_for(unsigned cp) { return cp >= 0x10000 ? 2 : 1; }

SQLLEN utf8_to_utf16_part(const char *s, SQLLEN n, SQLWCHAR *out, SQLLEN cap,
                          SQLLEN *consumed)
{
    const unsigned char *u = (const unsigned char *)s;
    SQLLEN total = 0, written = 0, pos = 0;
    int full = 0;
    if (!s) {
        if (out && cap > 0) out[0] = 0;
        if (consumed) *consumed = 0;
        return 0;
    }
    if (n < 0) n = (SQLLEN)strlen(s);
    SQLLEN room = cap > 0 ? cap - 1 : 0; /* units left for text, keeping the NUL */
    while (pos < n) {
        unsigned cp;
        size_t k = utf8_decode_one(u + pos, (size_t)(n - pos), &cp);
        SQLLEN w = units_for(cp);
        if (!full && out && written + w <= room) {
            if (w == 2) {
                unsigned v = cp - 0x10000;
                out[written++] = (SQLWCHAR)(0xD800 + (v >> 10));
                out[written++] = (SQLWCHAR)(0xDC00 + (v & 0x3FF));
            } else {
                out[written++] = (SQLWCHAR)cp;
            }
            if (consumed) *consumed = pos + (SQLLEN)k;
        } else {
            full = 1;
        }
        total += w;
        pos += (SQLLEN)k;
    }
    if (!out || written == 0) {
        if (consumed) *consumed = 0;
    }
    if (out && cap > 0) out[written] = 0;
    return total;
}

SQLLEN utf8_to_utf16(const char *s, SQLLEN n, SQLWCHAR *out, SQLLEN cap)
{
    return utf8_to_utf16_part(s, n, out, cap, NULL);
}

/* Bytes of UTF-8 for one code point. */
static size_t utf8_encode_one(unsigned cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t utf16_to_utf8_buf(const SQLWCHAR *s, SQLLEN n, char *out)
{
    size_t o = 0;
    for (SQLLEN i = 0; i < n; i++) {
        unsigned c = s[i];
        unsigned cp = c;
        if (c >= 0xD800 && c <= 0xDBFF) {
            if (i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
                cp = 0x10000 + ((c - 0xD800) << 10) + ((unsigned)s[i + 1] - 0xDC00);
                i++;
            } else {
                cp = REPLACEMENT_CHAR;
            }
        } else if (c >= 0xDC00 && c <= 0xDFFF) {
            cp = REPLACEMENT_CHAR;
        }
        o += utf8_encode_one(cp, out + o);
    }
    out[o] = 0;
    return o;
}

char *utf16_to_utf8(const SQLWCHAR *s, SQLLEN len16, SQLLEN *outlen)
{
    if (!s) {
        if (outlen) *outlen = 0;
        return NULL;
    }
    SQLLEN n = len16;
    if (n < 0) {
        n = 0;
        while (s[n]) n++;
    }
    /* Each unit yields at most 3 bytes (a pair yields 4 for 2 units). */
    char *out = malloc((size_t)n * 3 + 1);
    if (!out) {
        if (outlen) *outlen = 0;
        return NULL;
    }
    size_t o = utf16_to_utf8_buf(s, n, out);
    if (outlen) *outlen = (SQLLEN)o;
    return out;
}

int utf8_is_valid(const unsigned char *s, size_t n)
{
    size_t pos = 0;
    while (pos < n) {
        if (s[pos] < 0x80) {
            pos++;
            continue;
        }
        unsigned cp;
        size_t k = utf8_decode_one(s + pos, n - pos, &cp);
        if (cp == REPLACEMENT_CHAR &&
            !(k == 3 && s[pos] == 0xEF && s[pos + 1] == 0xBF && s[pos + 2] == 0xBD))
            return 0;
        pos += k;
    }
    return 1;
}
