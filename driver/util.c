/*
 * util.c — ODBC string plumbing shared by every driver/ file: measuring an
 * input string under the (pointer, length | SQL_NTS) convention, copying it
 * into a NUL-terminated UTF-8 string, and writing an output string with the
 * truncation rules (01004) the ODBC reference imposes on every getter.
 */
#include <stdlib.h>
#include <string.h>

#include "driver.h"

SQLLEN str_len_in(const SQLCHAR *s, SQLLEN len)
{
    if (s == NULL)
        return 0;
    if (len == SQL_NTS)
        return (SQLLEN)strlen((const char *)s);
    if (len < 0)
        return -1;
    return len;
}

char *str_dup_in(const SQLCHAR *s, SQLLEN len)
{
    if (s == NULL)
        return NULL;
    SQLLEN n = str_len_in(s, len);
    if (n < 0)
        return NULL;
    char *out = malloc((size_t)n + 1);
    if (!out)
        return NULL;
    memcpy(out, s, (size_t)n);
    out[n] = '\0';
    return out;
}

/* Largest prefix length <= max that does not split a UTF-8 sequence. */
static size_t utf8_boundary(const char *s, size_t max)
{
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

SQLRETURN str_out(handle_hdr *h, const char *src, SQLCHAR *buf, SQLLEN buflen,
                  SQLLEN *out_len)
{
    if (src == NULL)
        src = "";
    size_t n = strlen(src);
    if (out_len)
        *out_len = (SQLLEN)n;
    if (buf == NULL)        /* the caller only asked for the length */
        return SQL_SUCCESS;
    if (buflen <= 0)        /* no room even for the terminator */
        return h ? diag_post(&h->diag, "01004", 0, "String data, right truncated")
                 : SQL_SUCCESS_WITH_INFO;
    if ((SQLLEN)n < buflen) {
        memcpy(buf, src, n + 1);
        return SQL_SUCCESS;
    }
    size_t keep = utf8_boundary(src, (size_t)buflen - 1);
    memcpy(buf, src, keep);
    buf[keep] = '\0';
    if (h)
        return diag_post(&h->diag, "01004", 0, "String data, right truncated");
    return SQL_SUCCESS_WITH_INFO;
}
