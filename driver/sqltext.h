/*
 * sqltext.h — the only SQL text processing the driver does itself: ODBC
 * escape sequences ({fn ...}, {d ...}, {t ...}, {ts ...}, {oj ...},
 * {escape ...}, {call ...}, {INTERVAL ...}) are rewritten to SQLite SQL. Quotes, identifiers
 * and comments are skipped correctly; everything else is left to SQLite.
 */
#ifndef SQLTEXT_H
#define SQLTEXT_H

#include <stddef.h>

/* Translate escapes in sql[0..len). Returns malloc'd NUL-terminated text
 * (a plain copy when there is nothing to translate) or NULL with a message
 * in err (size errlen) for a malformed escape (caller posts 42000) or OOM. */
char *sqltext_translate(const char *sql, size_t len, char *err, size_t errlen);

/* Nonzero if the statement's first keyword (after whitespace, comments and
 * opening parentheses) is INSERT, UPDATE, DELETE, REPLACE or WITH: the
 * statements whose effect SQLite's changes() reports, so they get a row
 * count. The statement is already known to SQLite; this only reads its
 * first word, it does not classify (route.c does that). */
int sqltext_counts_changes(const char *sql);

/* Nonzero if the text has anything but whitespace and comments. */
int sqltext_has_statement(const char *sql);

#endif
