/*
 * handles.c — allocation, validation, locking and release of the four ODBC
 * handle kinds (environment, connection, statement, descriptor).
 *
 * Every handle starts with a handle_hdr holding a magic number. A pointer is
 * accepted only if it is registered in the live-handle set below AND carries
 * the expected magic: a freed or foreign pointer is never dereferenced, so
 * applications that pass stale handles get SQL_INVALID_HANDLE instead of a
 * crash (and ASan stays quiet). The set is the one piece of process-wide
 * state besides the replica registry; a mutex guards it.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

/* ---------- live-handle set (open addressing, pointer keys) ------------- */

static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static void **live_slots;          /* NULL = empty, TOMBSTONE = deleted */
static size_t live_cap, live_used; /* used counts tombstones too */
static char tombstone_mark;
#define TOMBSTONE ((void *)&tombstone_mark)

static size_t ptr_hash(const void *p)
{
    uintptr_t x = (uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

/* Rehash into a table sized for the live entries (tombstones dropped), so a
 * program that allocates and frees statements forever keeps a small table. */
static int live_grow(void)
{
    size_t live = 0;
    for (size_t i = 0; i < live_cap; i++)
        if (live_slots[i] && live_slots[i] != TOMBSTONE)
            live++;
    size_t ncap = 64;
    while ((live + 1) * 4 > ncap)
        ncap *= 2;
    void **ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return 0;
    size_t nused = 0;
    for (size_t i = 0; i < live_cap; i++) {
        void *p = live_slots[i];
        if (!p || p == TOMBSTONE)
            continue;
        size_t j = ptr_hash(p) & (ncap - 1);
        while (ns[j])
            j = (j + 1) & (ncap - 1);
        ns[j] = p;
        nused++;
    }
    free(live_slots);
    live_slots = ns;
    live_cap = ncap;
    live_used = nused;
    return 1;
}

static int live_add(void *p)
{
    pthread_mutex_lock(&live_lock);
    int ok = 1;
    if ((live_used + 1) * 2 > live_cap)
        ok = live_grow();
    if (ok) {
        size_t j = ptr_hash(p) & (live_cap - 1);
        while (live_slots[j] && live_slots[j] != TOMBSTONE)
            j = (j + 1) & (live_cap - 1);
        if (!live_slots[j])
            live_used++;
        live_slots[j] = p;
    }
    pthread_mutex_unlock(&live_lock);
    return ok;
}

static size_t live_find_locked(const void *p)
{
    if (!live_cap)
        return SIZE_MAX;
    size_t j = ptr_hash(p) & (live_cap - 1);
    while (live_slots[j]) {
        if (live_slots[j] == p)
            return j;
        j = (j + 1) & (live_cap - 1);
    }
    return SIZE_MAX;
}

static void live_remove(void *p)
{
    pthread_mutex_lock(&live_lock);
    size_t j = live_find_locked(p);
    if (j != SIZE_MAX)
        live_slots[j] = TOMBSTONE;
    pthread_mutex_unlock(&live_lock);
}

static void *checked(SQLHANDLE h, handle_kind kind)
{
    if (!h)
        return NULL;
    pthread_mutex_lock(&live_lock);
    int ok = live_find_locked(h) != SIZE_MAX && ((handle_hdr *)h)->kind == kind;
    pthread_mutex_unlock(&live_lock);
    return ok ? h : NULL;
}

env *env_from(SQLHANDLE h) { return checked(h, HK_ENV); }
dbc *dbc_from(SQLHANDLE h) { return checked(h, HK_DBC); }
stmt *stmt_from(SQLHANDLE h) { return checked(h, HK_STMT); }
desc *desc_from(SQLHANDLE h) { return checked(h, HK_DESC); }

void handle_lock(handle_hdr *h) { pthread_mutex_lock(&h->lock); }
void handle_unlock(handle_hdr *h) { pthread_mutex_unlock(&h->lock); }

static void hdr_init(handle_hdr *h, handle_kind kind)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&h->lock, &a);
    pthread_mutexattr_destroy(&a);
    diag_init(&h->diag);
    h->kind = kind;
}

static void hdr_destroy(handle_hdr *h)
{
    h->kind = 0; /* a stale copy of the pointer now fails every check */
    diag_free(&h->diag);
    pthread_mutex_destroy(&h->lock);
}

/* ---------- allocation --------------------------------------------------- */

static SQLRETURN alloc_env(SQLHANDLE *out)
{
    env *e = calloc(1, sizeof *e);
    if (!e)
        return SQL_ERROR;
    hdr_init(&e->hdr, HK_ENV);
    e->odbc_version = 0; /* must be set before a connection is allocated */
    e->connection_pooling = SQL_CP_OFF;
    e->cp_match = SQL_CP_STRICT_MATCH;
    if (!live_add(e)) {
        hdr_destroy(&e->hdr);
        free(e);
        return SQL_ERROR;
    }
    *out = e;
    return SQL_SUCCESS;
}

static SQLRETURN alloc_dbc(env *e, SQLHANDLE *out)
{
    if (e->odbc_version == 0)
        return diag_post(&e->hdr.diag, "HY010", 0,
                         "SQL_ATTR_ODBC_VERSION must be set before allocating a connection");
    dbc *c = calloc(1, sizeof *c);
    if (!c)
        return diag_post(&e->hdr.diag, "HY001", 0, "Memory allocation error");
    hdr_init(&c->hdr, HK_DBC);
    c->env = e;
    c->autocommit = SQL_AUTOCOMMIT_ON;
    c->access_mode = SQL_MODE_READ_WRITE;
    c->txn_isolation = SQL_TXN_SERIALIZABLE;
    c->login_timeout = 0;
    c->connection_timeout = 0;
    c->metadata_id = SQL_FALSE;
    c->async_enable = SQL_ASYNC_ENABLE_OFF;
    c->trace = SQL_OPT_TRACE_OFF;
    c->odbc_cursors = SQL_CUR_USE_DRIVER;
    if (!live_add(c)) {
        hdr_destroy(&c->hdr);
        free(c);
        return diag_post(&e->hdr.diag, "HY001", 0, "Memory allocation error");
    }
    c->next = e->dbcs;
    e->dbcs = c;
    *out = c;
    return SQL_SUCCESS;
}

static void implicit_desc_init(desc *d, desc_role role, dbc *c, stmt *owner)
{
    hdr_init(&d->hdr, HK_DESC); /* first: desc_init keeps an initialised header */
    desc_init(d, role, c, owner, SQL_DESC_ALLOC_AUTO);
    d->role = role;
    d->alloc_type = SQL_DESC_ALLOC_AUTO;
    d->dbc = c;
    d->owner = owner;
}

static void implicit_desc_destroy(desc *d)
{
    live_remove(d);
    desc_free_recs(d);
    hdr_destroy(&d->hdr);
}

static SQLRETURN alloc_stmt(dbc *c, SQLHANDLE *out)
{
    static atomic_ulong cursor_seq;
    if (!c->db)
        return diag_post(&c->hdr.diag, "08003", 0, "Connection not open");
    stmt *s = calloc(1, sizeof *s);
    if (!s)
        return diag_post(&c->hdr.diag, "HY001", 0, "Memory allocation error");
    hdr_init(&s->hdr, HK_STMT);
    s->dbc = c;
    implicit_desc_init(&s->imp_ard, DESC_ARD, c, s);
    implicit_desc_init(&s->imp_apd, DESC_APD, c, s);
    implicit_desc_init(&s->imp_ird, DESC_IRD, c, s);
    implicit_desc_init(&s->imp_ipd, DESC_IPD, c, s);
    s->ard = &s->imp_ard;
    s->apd = &s->imp_apd;
    s->ird = &s->imp_ird;
    s->ipd = &s->imp_ipd;
    s->state = ST_ALLOCATED;
    s->cursor_type = SQL_CURSOR_FORWARD_ONLY;
    s->concurrency = SQL_CONCUR_READ_ONLY;
    s->cursor_scrollable = SQL_NONSCROLLABLE;
    s->cursor_sensitivity = SQL_UNSPECIFIED;
    s->row_count = -1;
    s->hdr.diag.row_count = -1;
    s->retrieve_data = SQL_RD_ON;
    s->use_bookmarks = SQL_UB_OFF;
    s->noscan = SQL_NOSCAN_OFF;
    s->simulate_cursor = SQL_SC_UNIQUE;
    s->async_enable = SQL_ASYNC_ENABLE_OFF;
    s->metadata_id = c->metadata_id; /* statements inherit the connection's setting */
    char name[32];
    snprintf(name, sizeof name, "SQL_CUR%lu", (unsigned long)atomic_fetch_add(&cursor_seq, 1) + 1);
    s->cursor_name = strdup(name);
    /* implicit descriptors are valid handles too (SQLGetStmtAttr(IMP_ROW_DESC)) */
    int ok = s->cursor_name && live_add(s) && live_add(&s->imp_ard) && live_add(&s->imp_apd) &&
             live_add(&s->imp_ird) && live_add(&s->imp_ipd);
    if (!ok) {
        live_remove(s);
        implicit_desc_destroy(&s->imp_ard);
        implicit_desc_destroy(&s->imp_apd);
        implicit_desc_destroy(&s->imp_ird);
        implicit_desc_destroy(&s->imp_ipd);
        free(s->cursor_name);
        hdr_destroy(&s->hdr);
        free(s);
        return diag_post(&c->hdr.diag, "HY001", 0, "Memory allocation error");
    }
    s->next = c->stmts;
    c->stmts = s;
    *out = s;
    return SQL_SUCCESS;
}

static SQLRETURN alloc_desc(dbc *c, SQLHANDLE *out)
{
    if (!c->db)
        return diag_post(&c->hdr.diag, "08003", 0, "Connection not open");
    desc *d = calloc(1, sizeof *d);
    if (!d)
        return diag_post(&c->hdr.diag, "HY001", 0, "Memory allocation error");
    /* An explicit descriptor can serve as ARD or APD; it starts as an ARD. */
    hdr_init(&d->hdr, HK_DESC); /* first: desc_init keeps an initialised header */
    desc_init(d, DESC_ARD, c, NULL, SQL_DESC_ALLOC_USER);
    d->role = DESC_ARD;
    d->alloc_type = SQL_DESC_ALLOC_USER;
    d->dbc = c;
    d->owner = NULL;
    if (!live_add(d)) {
        desc_free_recs(d);
        hdr_destroy(&d->hdr);
        free(d);
        return diag_post(&c->hdr.diag, "HY001", 0, "Memory allocation error");
    }
    d->next = c->descs;
    c->descs = d;
    *out = d;
    return SQL_SUCCESS;
}

SQLRETURN odbc_AllocHandle(SQLSMALLINT type, SQLHANDLE in, SQLHANDLE *out)
{
    switch (type) {
    case SQL_HANDLE_ENV:
        if (!out)
            return SQL_ERROR;
        *out = SQL_NULL_HENV;
        return alloc_env(out);
    case SQL_HANDLE_DBC: {
        env *e = env_from(in);
        if (!e)
            return SQL_INVALID_HANDLE;
        if (!out)
            return diag_post(&e->hdr.diag, "HY009", 0, "Invalid use of null pointer");
        *out = SQL_NULL_HDBC;
        return alloc_dbc(e, out);
    }
    case SQL_HANDLE_STMT:
    case SQL_HANDLE_DESC: {
        dbc *c = dbc_from(in);
        if (!c)
            return SQL_INVALID_HANDLE;
        if (!out)
            return diag_post(&c->hdr.diag, "HY009", 0, "Invalid use of null pointer");
        *out = SQL_NULL_HANDLE;
        return type == SQL_HANDLE_STMT ? alloc_stmt(c, out) : alloc_desc(c, out);
    }
    default:
        return SQL_ERROR; /* HY092 is raised by the driver manager */
    }
}

/* ---------- release ------------------------------------------------------ */

void stmt_destroy(stmt *s)
{
    dbc *c = s->dbc;
    /* Held to the end: finalizing uses the connection's SQLite handle,
     * which another thread's statement may be using (see api.h). */
    handle_lock(&c->hdr);
    for (stmt **pp = &c->stmts; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            break;
        }

    live_remove(s);
    stmt_close_results(s);
    stmt_reset_all(s);
    if (s->dae) {
        for (int i = 0; i < s->n_dae; i++)
            free(s->dae[i].data);
        free(s->dae);
    }
    free(s->sql);
    free(s->cursor_name);
    implicit_desc_destroy(&s->imp_ard);
    implicit_desc_destroy(&s->imp_apd);
    implicit_desc_destroy(&s->imp_ird);
    implicit_desc_destroy(&s->imp_ipd);
    hdr_destroy(&s->hdr);
    free(s);
    handle_unlock(&c->hdr);
}

void desc_destroy(desc *d)
{
    dbc *c = d->dbc;
    handle_lock(&c->hdr);
    for (desc **pp = &c->descs; *pp; pp = &(*pp)->next)
        if (*pp == d) {
            *pp = d->next;
            break;
        }
    /* statements that used it fall back to their implicit descriptors */
    for (stmt *s = c->stmts; s; s = s->next) {
        if (s->ard == d)
            s->ard = &s->imp_ard;
        if (s->apd == d)
            s->apd = &s->imp_apd;
    }
    handle_unlock(&c->hdr);
    live_remove(d);
    desc_free_recs(d);
    hdr_destroy(&d->hdr);
    free(d);
}

static void dbc_destroy(dbc *c)
{
    while (c->stmts)
        stmt_destroy(c->stmts);
    while (c->descs)
        desc_destroy(c->descs);
    env *e = c->env;
    handle_lock(&e->hdr);
    for (dbc **pp = &e->dbcs; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    handle_unlock(&e->hdr);
    live_remove(c);
    hdr_destroy(&c->hdr);
    free(c);
}

SQLRETURN odbc_FreeHandle(SQLSMALLINT type, SQLHANDLE h)
{
    switch (type) {
    case SQL_HANDLE_ENV: {
        env *e = env_from(h);
        if (!e)
            return SQL_INVALID_HANDLE;
        handle_lock(&e->hdr);
        diag_clear(&e->hdr.diag);
        if (e->dbcs) {
            SQLRETURN rc = diag_post(&e->hdr.diag, "HY010", 0,
                                     "Connections are still allocated on this environment");
            handle_unlock(&e->hdr);
            return rc;
        }
        live_remove(e);
        handle_unlock(&e->hdr);
        hdr_destroy(&e->hdr);
        free(e);
        return SQL_SUCCESS;
    }
    case SQL_HANDLE_DBC: {
        dbc *c = dbc_from(h);
        if (!c)
            return SQL_INVALID_HANDLE;
        handle_lock(&c->hdr);
        diag_clear(&c->hdr.diag);
        if (c->db) {
            SQLRETURN rc = diag_post(&c->hdr.diag, "HY010", 0,
                                     "Connection is still open; call SQLDisconnect first");
            handle_unlock(&c->hdr);
            return rc;
        }
        handle_unlock(&c->hdr);
        dbc_destroy(c);
        return SQL_SUCCESS;
    }
    case SQL_HANDLE_STMT: {
        stmt *s = stmt_from(h);
        if (!s)
            return SQL_INVALID_HANDLE;
        stmt_destroy(s);
        return SQL_SUCCESS;
    }
    case SQL_HANDLE_DESC: {
        desc *d = desc_from(h);
        if (!d)
            return SQL_INVALID_HANDLE;
        if (d->alloc_type != SQL_DESC_ALLOC_USER) {
            handle_lock(&d->hdr);
            diag_clear(&d->hdr.diag);
            SQLRETURN rc = diag_post(&d->hdr.diag, "HY017", 0,
                                     "Invalid use of an automatically allocated descriptor handle");
            handle_unlock(&d->hdr);
            return rc;
        }
        desc_destroy(d);
        return SQL_SUCCESS;
    }
    default:
        return SQL_ERROR;
    }
}

SQLRETURN odbc_FreeStmt(stmt *s, SQLUSMALLINT option)
{
    switch (option) {
    case SQL_CLOSE:
        /* Closes the cursor only: a prepared statement stays prepared. */
        stmt_close_cursor(s);
        return SQL_SUCCESS;
    case SQL_UNBIND:
        desc_set_count(s->ard, 0);
        return SQL_SUCCESS;
    case SQL_RESET_PARAMS:
        desc_set_count(s->apd, 0);
        desc_set_count(s->ipd, 0);
        return SQL_SUCCESS;
    case SQL_DROP:
        /* api.c unlocks before dropping; see SQLFreeStmt there */
        stmt_destroy(s);
        return SQL_SUCCESS;
    default:
        return diag_post(&s->hdr.diag, "HY092", 0, "Invalid attribute/option identifier");
    }
}

handle_hdr *handle_hdr_of(SQLSMALLINT type, SQLHANDLE h)
{
    switch (type) {
    case SQL_HANDLE_ENV: { env *e = env_from(h); return e ? &e->hdr : NULL; }
    case SQL_HANDLE_DBC: { dbc *c = dbc_from(h); return c ? &c->hdr : NULL; }
    case SQL_HANDLE_STMT: { stmt *s = stmt_from(h); return s ? &s->hdr : NULL; }
    case SQL_HANDLE_DESC: { desc *d = desc_from(h); return d ? &d->hdr : NULL; }
    default: return NULL;
    }
}

SQLRETURN api_null_ptr(handle_hdr *h)
{
    return diag_post(&h->diag, "HY009", 0, "Invalid use of null pointer");
}
