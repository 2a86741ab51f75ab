/*
 * connect.c — SQLConnect, SQLDriverConnect, SQLDisconnect and the DSN
 * settings behind them: connection-string parsing, odbc.ini lookup, the
 * mapping of DSN keys onto dsn_options and then onto core/'s lsq_config.
 * For replicas also the network keys (ConnectTimeout, RequestTimeout,
 * TlsCaFile, TlsInsecure: net_options, needed only while opening) and the
 * 01000 warning of a replica opened without its initial sync.
 *
 * Secrets (AuthToken, EncryptionKey) are never put into a diagnostic and are
 * wiped from memory when the connection closes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <odbcinst.h>

#include "connstr.h"
#include "internal.h"
#include "replica_hooks.h"
#include "opskeys.h"
#include "typemap.h"

/* ---------- connection-string parsing ------------------------------------ */

static char *dup_range(const char *s, size_t n)
{
    char *o = malloc(n + 1);
    if (o) {
        memcpy(o, s, n);
        o[n] = '\0';
    }
    return o;
}

static char *trim_dup(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return dup_range(s, n);
}

void connstr_pairs_free(connstr_pair *pairs, int n)
{
    if (!pairs)
        return;
    for (int i = 0; i < n; i++) {
        free(pairs[i].key);
        if (pairs[i].value) {
            /* values may hold secrets */
            memset(pairs[i].value, 0, strlen(pairs[i].value));
            free(pairs[i].value);
        }
    }
    free(pairs);
}

int connstr_parse(const char *s, connstr_pair **pairs_out, int *n_out)
{
    connstr_pair *pairs = NULL;
    int n = 0, cap = 0;
    *pairs_out = NULL;
    *n_out = 0;
    if (!s)
        return 0;
    const char *p = s;
    for (;;) {
        while (*p == ';' || isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        const char *eq = p;
        while (*eq && *eq != '=' && *eq != ';')
            eq++;
        if (*eq != '=')
            goto fail;
        char *key = trim_dup(p, (size_t)(eq - p));
        char *value = NULL;
        const char *v = eq + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        if (*v == '{') {
            /* braced value: ends at the first '}' not doubled ("}}" = literal '}') */
            size_t cap_v = strlen(v), len = 0;
            value = malloc(cap_v + 1);
            const char *q = v + 1;
            for (;;) {
                if (!*q) {
                    free(key);
                    free(value);
                    goto fail;
                }
                if (*q == '}') {
                    if (q[1] == '}') {
                        if (value) value[len++] = '}';
                        q += 2;
                        continue;
                    }
                    q++;
                    break;
                }
                if (value) value[len++] = *q;
                q++;
            }
            if (value) value[len] = '\0';
            while (*q && *q != ';')
                q++;
            p = q;
        } else {
            const char *end = v;
            while (*end && *end != ';')
                end++;
            value = trim_dup(v, (size_t)(end - v));
            p = end;
        }
        if (!key || !value) {
            free(key);
            free(value);
            goto fail;
        }
        if (n == cap) {
            int ncap = cap ? cap * 2 : 8;
            connstr_pair *np = realloc(pairs, (size_t)ncap * sizeof *np);
            if (!np) {
                free(key);
                free(value);
                goto fail;
            }
            pairs = np;
            cap = ncap;
        }
        pairs[n].key = key;
        pairs[n].value = value;
        n++;
    }
    *pairs_out = pairs;
    *n_out = n;
    return 0;
fail:
    connstr_pairs_free(pairs, n);
    return -1;
}

/* ---------- dsn_options -------------------------------------------------- */

void dsn_options_defaults(dsn_options *o)
{
    memset(o, 0, sizeof *o);
    o->read_your_writes = 1;
    o->busy_timeout_ms = 5000;
    o->max_text_len = 65535;
    o->bigint_as_integer = 0;
}

static int parse_bool(const char *v)
{
    if (!v)
        return 0;
    if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcasecmp(v, "on"))
        return 1;
    return atoi(v) != 0;
}

static void wipe_free(char *s)
{
    if (s) {
        memset(s, 0, strlen(s));
        free(s);
    }
}

static void set_str(char **slot, const char *v, int secret)
{
    if (secret)
        wipe_free(*slot);
    else
        free(*slot);
    *slot = v ? strdup(v) : NULL;
}

/* Every key the driver understands; also the order of the out-string. */
static const char *const known_keys[] = {
    "Database", "Url", "SyncUrl", "AuthToken", "SyncInterval", "EncryptionKey", "Offline",
    "ReadYourWrites", "ReadOnly", "Create", "Timeout", "MaxTextLength", "BigInt",
    "NoWCHAR", NULL};

int dsn_options_set(dsn_options *o, const char *key, const char *v)
{
    if (!key || !v)
        return 0;
    if (!strcasecmp(key, "DSN"))
        set_str(&o->dsn, v, 0);
    else if (!strcasecmp(key, "DRIVER"))
        set_str(&o->driver, v, 0);
    else if (!strcasecmp(key, "Database") || !strcasecmp(key, "Url"))
        set_str(&o->database, v, 0);
    else if (!strcasecmp(key, "SyncUrl"))
        set_str(&o->sync_url, v, 0);
    else if (!strcasecmp(key, "AuthToken") || !strcasecmp(key, "PWD"))
        set_str(&o->auth_token, v, 1);
    else if (!strcasecmp(key, "EncryptionKey"))
        set_str(&o->encryption_key, v, 1);
    else if (!strcasecmp(key, "SyncInterval"))
        o->sync_interval = atoi(v);
    else if (!strcasecmp(key, "Offline"))
        o->offline = parse_bool(v);
    else if (!strcasecmp(key, "ReadYourWrites"))
        o->read_your_writes = parse_bool(v);
    else if (!strcasecmp(key, "ReadOnly"))
        o->read_only = parse_bool(v);
    else if (!strcasecmp(key, "Create"))
        o->create = parse_bool(v);
    else if (!strcasecmp(key, "Timeout"))
        o->busy_timeout_ms = atoi(v);
    else if (!strcasecmp(key, "MaxTextLength")) {
        int n = atoi(v);
        o->max_text_len = n > 0 ? n : 65535;
    } else if (!strcasecmp(key, "BigInt"))
        o->bigint_as_integer = !parse_bool(v);
    else if (!strcasecmp(key, "NoWCHAR"))
        o->no_wchar = parse_bool(v);
    else
        return opskeys_set(o, key, v); /* LogFile, LogLevel, AuthTokenEnv/File */
    return 1;
}

void dsn_options_load_dsn(dsn_options *o, const char *dsn)
{
    if (!dsn || !*dsn)
        return;
    char buf[4096];
    for (int i = 0; known_keys[i]; i++) {
        buf[0] = '\0';
        int n = SQLGetPrivateProfileString(dsn, known_keys[i], "", buf, sizeof buf, "odbc.ini");
        if (n > 0 && buf[0])
            dsn_options_set(o, known_keys[i], buf);
    }
    for (int i = 0; opskeys_names[i]; i++) {
        buf[0] = '\0';
        int n = SQLGetPrivateProfileString(dsn, opskeys_names[i], "", buf, sizeof buf, "odbc.ini");
        if (n > 0 && buf[0])
            opskeys_set(o, opskeys_names[i], buf);
    }
    memset(buf, 0, sizeof buf);
    set_str(&o->dsn, dsn, 0);
}

int dsn_options_from_connstr(dsn_options *o, const char *cs)
{
    connstr_pair *pairs;
    int n;
    if (connstr_parse(cs, &pairs, &n) != 0)
        return -1;
    /* DSN first so that the string's own keys override odbc.ini */
    for (int i = 0; i < n; i++)
        if (!strcasecmp(pairs[i].key, "DSN")) {
            dsn_options_load_dsn(o, pairs[i].value);
            break;
        }
    for (int i = 0; i < n; i++)
        if (strcasecmp(pairs[i].key, "DSN") != 0)
            dsn_options_set(o, pairs[i].key, pairs[i].value);
    connstr_pairs_free(pairs, n);
    return 0;
}

/* Append "key=value;" with braces when the value needs them. */
static int append_kv(char **buf, size_t *len, size_t *cap, const char *k, const char *v)
{
    size_t need = strlen(k) + 2 * strlen(v) + 5;
    if (*len + need + 1 > *cap) {
        size_t ncap = (*cap + need + 1) * 2;
        char *nb = realloc(*buf, ncap);
        if (!nb)
            return 0;
        *buf = nb;
        *cap = ncap;
    }
    int brace = strpbrk(v, ";{}=") != NULL || (v[0] && isspace((unsigned char)v[0]));
    char *p = *buf + *len;
    p += sprintf(p, "%s=", k);
    if (brace) {
        *p++ = '{';
        for (const char *q = v; *q; q++) {
            if (*q == '}')
                *p++ = '}';
            *p++ = *q;
        }
        *p++ = '}';
    } else {
        p += sprintf(p, "%s", v);
    }
    *p++ = ';';
    *p = '\0';
    *len = (size_t)(p - *buf);
    return 1;
}

char *dsn_options_to_connstr(const dsn_options *o)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    char num[32];
    int ok = 1;
#define KV(k, v) ok = ok && append_kv(&buf, &len, &cap, k, v)
#define KI(k, i) (snprintf(num, sizeof num, "%d", (i)), KV(k, num))
    if (o->dsn)
        KV("DSN", o->dsn);
    else
        KV("DRIVER", o->driver ? o->driver : "libSQL");
    KV("Database", o->database ? o->database : "");
    if (o->sync_url && *o->sync_url)
        KV("SyncUrl", o->sync_url);
    if (o->auth_token && *o->auth_token)
        KV("AuthToken", o->auth_token);
    if (o->encryption_key && *o->encryption_key)
        KV("EncryptionKey", o->encryption_key);
    KI("SyncInterval", o->sync_interval);
    KI("Offline", o->offline);
    KI("ReadYourWrites", o->read_your_writes);
    KI("ReadOnly", o->read_only);
    KI("Create", o->create);
    KI("Timeout", o->busy_timeout_ms);
    KI("MaxTextLength", o->max_text_len);
    KI("BigInt", !o->bigint_as_integer);
    KI("NoWCHAR", o->no_wchar);
    if (o->log_file && *o->log_file)
        KV("LogFile", o->log_file);
    if (o->log_level && *o->log_level)
        KV("LogLevel", o->log_level);
    if (o->auth_token_env && *o->auth_token_env)
        KV("AuthTokenEnv", o->auth_token_env);
    if (o->auth_token_file && *o->auth_token_file)
        KV("AuthTokenFile", o->auth_token_file);
#undef KV
#undef KI
    if (!ok) {
        free(buf);
        return NULL;
    }
    if (len && buf[len - 1] == ';')
        buf[len - 1] = '\0';
    return buf;
}

void dsn_options_free(dsn_options *o)
{
    free(o->dsn);
    free(o->driver);
    free(o->database);
    free(o->sync_url);
    wipe_free(o->auth_token);
    wipe_free(o->encryption_key);
    opskeys_free(o);
    memset(o, 0, sizeof *o);
}

/* ---------- how a replica reaches its primary ----------------------------- */

/* ConnectTimeout, RequestTimeout (seconds), TlsCaFile, TlsInsecure. They are
 * only needed while the connection opens, so they live here rather than in
 * dsn_options: read from odbc.ini and the connection string like any key. */
typedef struct net_options {
    long connect_timeout_s, request_timeout_s;  /* 0 = core/ defaults (10 s, 60 s) */
    char *tls_ca_file;
    int tls_insecure;                           /* tests only */
} net_options;

static const char *const net_keys[] = {"ConnectTimeout", "RequestTimeout", "TlsCaFile",
                                       "TlsInsecure", NULL};

static void net_options_set(net_options *n, const char *key, const char *v)
{
    if (!key || !v)
        return;
    if (!strcasecmp(key, "ConnectTimeout"))
        n->connect_timeout_s = atol(v) > 0 ? atol(v) : 0;
    else if (!strcasecmp(key, "RequestTimeout"))
        n->request_timeout_s = atol(v) > 0 ? atol(v) : 0;
    else if (!strcasecmp(key, "TlsCaFile"))
        set_str(&n->tls_ca_file, *v ? v : NULL, 0);
    else if (!strcasecmp(key, "TlsInsecure"))
        n->tls_insecure = parse_bool(v);
}

static void net_options_load_dsn(net_options *n, const char *dsn)
{
    if (!dsn || !*dsn)
        return;
    char buf[4096];
    for (int i = 0; net_keys[i]; i++) {
        buf[0] = '\0';
        int len = SQLGetPrivateProfileString(dsn, net_keys[i], "", buf, sizeof buf, "odbc.ini");
        if (len > 0 && buf[0])
            net_options_set(n, net_keys[i], buf);
    }
}

/* The DSN named in the string (if any) first, then the string's own keys. */
static int net_options_from_connstr(net_options *n, const char *cs)
{
    connstr_pair *pairs;
    int np;
    if (connstr_parse(cs, &pairs, &np) != 0)
        return -1;
    for (int i = 0; i < np; i++)
        if (!strcasecmp(pairs[i].key, "DSN"))
            net_options_load_dsn(n, pairs[i].value);
    for (int i = 0; i < np; i++)
        net_options_set(n, pairs[i].key, pairs[i].value);
    connstr_pairs_free(pairs, np);
    return 0;
}

/* Add the keys that differ from the defaults to the completed connection
 * string (takes and returns ownership of full). */
static char *net_options_append(char *full, const net_options *n)
{
    if (!full)
        return NULL;
    size_t len = strlen(full), cap = len + 1;
    int ok = 1;
    char num[32];
    if (len) {  /* dsn_options_to_connstr dropped the last ';' */
        char *nb = realloc(full, len + 2);
        if (!nb) {
            free(full);
            return NULL;
        }
        full = nb;
        full[len++] = ';';
        full[len] = '\0';
        cap = len + 1;
    }
    if (n->connect_timeout_s) {
        snprintf(num, sizeof num, "%ld", n->connect_timeout_s);
        ok = ok && append_kv(&full, &len, &cap, "ConnectTimeout", num);
    }
    if (n->request_timeout_s) {
        snprintf(num, sizeof num, "%ld", n->request_timeout_s);
        ok = ok && append_kv(&full, &len, &cap, "RequestTimeout", num);
    }
    if (n->tls_ca_file)
        ok = ok && append_kv(&full, &len, &cap, "TlsCaFile", n->tls_ca_file);
    if (n->tls_insecure)
        ok = ok && append_kv(&full, &len, &cap, "TlsInsecure", "1");
    if (!ok) {
        free(full);
        return NULL;
    }
    if (len && full[len - 1] == ';')
        full[len - 1] = '\0';
    return full;
}

static void net_options_free(net_options *n)
{
    free(n->tls_ca_file);
    memset(n, 0, sizeof *n);
}

/* ---------- opening ------------------------------------------------------ */

/* Open the database described by c->opt (already filled). */
static SQLRETURN open_with_options(dbc *c, const net_options *net)
{
    /* log sink first (so the connect itself is logged), then the token
     * from AuthTokenEnv / AuthTokenFile (opskeys.c) */
    SQLRETURN ops_rc = ops_before_open(c);
    if (ops_rc == SQL_ERROR) {
        dsn_options_free(&c->opt);
        return ops_rc;
    }
    lsq_config cfg;
    lsq_config_defaults(&cfg);
    cfg.database = c->opt.database;
    cfg.sync_url = c->opt.sync_url;
    cfg.auth_token = c->opt.auth_token;
    cfg.encryption_key = c->opt.encryption_key;
    cfg.sync_interval = c->opt.sync_interval;
    cfg.offline = c->opt.offline;
    cfg.read_your_writes = c->opt.read_your_writes;
    cfg.read_only = c->opt.read_only || c->access_mode == SQL_MODE_READ_ONLY;
    cfg.busy_timeout_ms = c->opt.busy_timeout_ms;
    cfg.create_if_missing = c->opt.create;
    cfg.connect_timeout_ms = net->connect_timeout_s * 1000;
    cfg.request_timeout_ms = net->request_timeout_s * 1000;
    cfg.tls_ca_file = net->tls_ca_file;
    cfg.tls_insecure = net->tls_insecure;

    if (!cfg.database || !*cfg.database) {
        dsn_options_free(&c->opt);
        return diag_post(&c->hdr.diag, "08001", 0,
                         "No database given: set Database= in the DSN or connection string");
    }
    lsq_db *db = NULL;
    lsq_error err;
    memset(&err, 0, sizeof err);
    if (lsq_open(&cfg, &db, &err) != LSQ_OK) {
        ops_after_open(c, &err);
        dsn_options_free(&c->opt);
        return diag_post_lsq(&c->hdr.diag, &err);
    }
    c->db = db;
    c->sqlite = lsq_sqlite(db);
    c->in_txn = 0;
    ops_after_open(c, NULL);
    typemap_opts to;
    typemap_opts_from_dbc(c, &to);
    typemap_register_sql_functions(c->sqlite, &to);
    /* A replica whose primary could not be reached still opens, on its
     * local copy: say so, the application may be reading stale data. */
    const char *warning = lsq_open_warning(db);
    if (warning)
        return diag_post(&c->hdr.diag, "01000", 0, "%s", warning);
    return ops_rc;
}

SQLRETURN odbc_Connect(dbc *c, const SQLCHAR *dsn, SQLSMALLINT dsnlen, const SQLCHAR *uid,
                       SQLSMALLINT uidlen, const SQLCHAR *pwd, SQLSMALLINT pwdlen)
{
    if (c->db)
        return diag_post(&c->hdr.diag, "08002", 0, "Connection name in use");
    if (str_len_in(dsn, dsnlen) < 0 || str_len_in(uid, uidlen) < 0 ||
        str_len_in(pwd, pwdlen) < 0)
        return diag_post(&c->hdr.diag, "HY090", 0, "Invalid string or buffer length");
    char *name = str_dup_in(dsn, dsnlen);
    if (!name || !*name) {
        free(name);
        return diag_post(&c->hdr.diag, "IM002", 0,
                         "Data source name not found and no default driver specified");
    }
    dsn_options_free(&c->opt);
    dsn_options_defaults(&c->opt);
    dsn_options_load_dsn(&c->opt, name);
    net_options net;
    memset(&net, 0, sizeof net);
    net_options_load_dsn(&net, name);
    free(name);
    /* SQLConnect's password doubles as the AuthToken when the DSN has none */
    char *pw = str_dup_in(pwd, pwdlen);
    if (pw && *pw && !(c->opt.auth_token && *c->opt.auth_token))
        dsn_options_set(&c->opt, "AuthToken", pw);
    wipe_free(pw);
    SQLRETURN rc = open_with_options(c, &net);
    net_options_free(&net);
    return rc;
}

SQLRETURN odbc_DriverConnect(dbc *c, SQLHWND hwnd, const SQLCHAR *in, SQLSMALLINT inlen,
                             SQLCHAR *out, SQLSMALLINT outmax, SQLSMALLINT *outlen,
                             SQLUSMALLINT completion)
{
    if (c->db)
        return diag_post(&c->hdr.diag, "08002", 0, "Connection name in use");
    switch (completion) {
    case SQL_DRIVER_NOPROMPT:
    case SQL_DRIVER_COMPLETE:
    case SQL_DRIVER_PROMPT:
    case SQL_DRIVER_COMPLETE_REQUIRED:
        break; /* no GUI: all behave like NOPROMPT */
    default:
        return diag_post(&c->hdr.diag, "HY110", 0, "Invalid driver completion");
    }
    if (!in || str_len_in(in, inlen) < 0)
        return diag_post(&c->hdr.diag, in ? "HY090" : "HY009", 0,
                         in ? "Invalid string or buffer length" : "Invalid use of null pointer");
    if (outmax < 0)
        return diag_post(&c->hdr.diag, "HY090", 0, "Invalid string or buffer length");
    char *cs = str_dup_in(in, inlen);
    if (!cs)
        return diag_post(&c->hdr.diag, "HY001", 0, "Memory allocation error");
    dsn_options_free(&c->opt);
    dsn_options_defaults(&c->opt);
    int prc = dsn_options_from_connstr(&c->opt, cs);
    net_options net;
    memset(&net, 0, sizeof net);
    if (prc == 0)
        prc = net_options_from_connstr(&net, cs);
    wipe_free(cs);
    if (prc != 0) {
        net_options_free(&net);
        dsn_options_free(&c->opt);
        return diag_post(&c->hdr.diag, "08001", 0,
                         "Invalid connection string (unbalanced braces or a key without '=')");
    }
    char *full = net_options_append(dsn_options_to_connstr(&c->opt), &net);
    SQLRETURN rc = open_with_options(c, &net);
    net_options_free(&net);
    if (!SQL_SUCCEEDED(rc)) {
        wipe_free(full);
        return rc;
    }
    SQLLEN n = 0;
    SQLRETURN orc = str_out(&c->hdr, full ? full : "", out, outmax, &n);
    if (outlen)
        *outlen = (SQLSMALLINT)(n > 32767 ? 32767 : n);
    wipe_free(full);
    /* keep the open's warning (01000: replica served without a sync) */
    return orc == SQL_SUCCESS ? rc : orc;
}

SQLRETURN odbc_Disconnect(dbc *c)
{
    if (!c->db)
        return diag_post(&c->hdr.diag, "08003", 0, "Connection not open");
    for (stmt *s = c->stmts; s; s = s->next)
        if (s->state == ST_NEED_DATA)
            return diag_post(&c->hdr.diag, "HY010", 0,
                             "A statement is waiting for data (SQLParamData/SQLPutData)");
    /* An open manual transaction is rolled back, as SQLite would on close. */
    if (c->sqlite && (c->in_txn || !sqlite3_get_autocommit(c->sqlite)))
        odbc_EndTran(SQL_HANDLE_DBC, c, SQL_ROLLBACK);
    while (c->stmts)
        stmt_destroy(c->stmts);
    while (c->descs)
        desc_destroy(c->descs);
    txn_remote_free(c);
    lsq_close(c->db);
    c->db = NULL;
    c->sqlite = NULL;
    c->in_txn = 0;
    dsn_options_free(&c->opt);
    return SQL_SUCCESS;
}
