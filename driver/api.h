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

#define ENV_API(h, call) API_CALL(env, env_from, h, e, call)
#define DBC_API(h, call) API_CALL(dbc, dbc_from, h, c, call)
#define STMT_API(h, call) API_CALL(stmt, stmt_from, h, s, call)
#define DESC_API(h, call) API_CALL(desc, desc_from, h, d, call)

/* The header of any handle of the given type, or NULL if h is not one. */
handle_hdr *handle_hdr_of(SQLSMALLINT type, SQLHANDLE h);

/* Post HY009 (a required pointer argument is NULL). */
SQLRETURN api_null_ptr(handle_hdr *h);

#endif
