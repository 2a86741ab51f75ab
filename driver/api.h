/*
 * api.h — the shape every exported entry point shares (api.c, api_w.c):
 * validate the handle, lock it, clear its diagnostics, call the internal
 * function, record SQL_DIAG_RETURNCODE, unlock. One definition, so the ANSI
 * and wide entry points cannot drift apart.
 */
#ifndef API_H
#define API_H

#include "internal.h"

/* `var` names the validated handle inside `call`. */
#define API_CALL(type, from, h, var, call)                   \
    do {                                                     \
        type *var = from(h);                                 \
        if (!var)                                            \
            return SQL_INVALID_HANDLE;                       \
        handle_lock(&var->hdr);                              \
        diag_clear(&var->hdr.diag);                          \
        SQLRETURN rc_ = (call);                              \
        var->hdr.diag.retcode = rc_;                         \
        handle_unlock(&var->hdr);                            \
        return rc_;                                          \
    } while (0)

/* Statements and descriptors take their connection's lock first (order:
 * connection, then the handle). Every statement of a connection works on
 * the connection's one SQLite handle, which is opened SQLITE_OPEN_NOMUTEX
 * (two threads must never be inside it at once), and route.c's authorizer,
 * installed while a statement is prepared, belongs to that handle: two
 * threads preparing on one connection used to classify each other's
 * statements (found by tests/reliability/rel_tsan_concurrency.c). */
#define API_CALL_IN_DBC(type, from, h, var, call)            \
    do {                                                     \
        type *var = from(h);                                 \
        if (!var)                                            \
            return SQL_INVALID_HANDLE;                       \
        dbc *owner_ = var->dbc;                              \
        if (owner_)                                          \
            handle_lock(&owner_->hdr);                       \
        handle_lock(&var->hdr);                              \
        diag_clear(&var->hdr.diag);                          \
        SQLRETURN rc_ = (call);                              \
        var->hdr.diag.retcode = rc_;                         \
        handle_unlock(&var->hdr);                            \
        if (owner_)                                          \
            handle_unlock(&owner_->hdr);                     \
        return rc_;                                          \
    } while (0)

#define ENV_API(h, call) API_CALL(env, env_from, h, e, call)
#define DBC_API(h, call) API_CALL(dbc, dbc_from, h, c, call)
#define STMT_API(h, call) API_CALL_IN_DBC(stmt, stmt_from, h, s, call)
#define DESC_API(h, call) API_CALL_IN_DBC(desc, desc_from, h, d, call)

/* The header of any handle of the given type, or NULL if h is not one. */
handle_hdr *handle_hdr_of(SQLSMALLINT type, SQLHANDLE h);

/* Post HY009 (a required pointer argument is NULL). */
SQLRETURN api_null_ptr(handle_hdr *h);

#endif
