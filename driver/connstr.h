/*
 * connstr.h — DSN settings: parsing ODBC connection strings
 * ("k=v;k={v;with;semicolons}"), reading a DSN's keys from odbc.ini, and
 * turning both into dsn_options (connect.c implements all of it; exposed so
 * unit tests can check the parser without a driver manager).
 */
#ifndef CONNSTR_H
#define CONNSTR_H

#include "driver.h"

typedef struct connstr_pair {
    char *key;    /* as written (case kept); compare with strcasecmp */
    char *value;  /* braces removed, "}}" unescaped */
} connstr_pair;

/* Split a connection string (NUL-terminated) into pairs. Returns 0, or -1 on
 * a syntax error (unterminated brace, key without '='); *pairs is then NULL. */
int connstr_parse(const char *s, connstr_pair **pairs, int *n);
void connstr_pairs_free(connstr_pair *pairs, int n);

/* Defaults: ReadYourWrites=1, Timeout=5000, MaxTextLength=65535, others 0/NULL. */
void dsn_options_defaults(dsn_options *o);
/* Set one key (case-insensitive; Url is an alias of Database). Returns 1 if
 * the key is known, 0 if it was ignored. */
int dsn_options_set(dsn_options *o, const char *key, const char *value);
/* Read every known key of DSN `dsn` from odbc.ini (user, then system). */
void dsn_options_load_dsn(dsn_options *o, const char *dsn);
/* Build options from a connection string: DSN's odbc.ini keys first, then
 * the string's own keys override them. Returns 0 or -1 (syntax error). */
int dsn_options_from_connstr(dsn_options *o, const char *cs);
/* malloc'd full connection string describing o (secrets included: it is
 * the application's own reconnect string, never a diagnostic). */
char *dsn_options_to_connstr(const dsn_options *o);
/* Free the strings, wiping AuthToken / EncryptionKey first. */
void dsn_options_free(dsn_options *o);

#endif
