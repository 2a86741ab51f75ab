/*
 * strbuf.h — a growing, always NUL-terminated text buffer for building SQL
 * text (driver/sqltext.c's escape translation, core/offline_sql.c's change
 * set rendering). Out of memory is sticky: later appends do nothing and
 * `oom` stays set, so a caller checks once at the end.
 */
#ifndef LSQ_STRBUF_H
#define LSQ_STRBUF_H

#include <stddef.h>

typedef struct lsq_strbuf {
    char *p;        /* malloc'd; NULL until the first append; the caller frees */
    size_t n, cap;
    int oom;
} lsq_strbuf;

void lsq_strbuf_addn(lsq_strbuf *b, const char *s, size_t n);
void lsq_strbuf_add(lsq_strbuf *b, const char *s);

#endif
