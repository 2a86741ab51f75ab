/*
 * offline_sql.c — a captured change set as SQL the primary can run
 * (docs/offline.md, "Push"): one statement per changed row, identifiers
 * quoted, values as typed Hrana arguments (never spliced into the text).
 *
 *   INSERT  INSERT INTO t(every column) VALUES (...)
 *   UPDATE  UPDATE t SET <changed> = new WHERE <pk> = old AND <changed> IS old
 *   DELETE  DELETE FROM t WHERE <pk> = old AND <every other column> IS old
 *
 * UPDATE and DELETE carry the values the row had when the local change was
 * made; the push follows each with a guard that fails unless exactly one row
 * changed, so a row that changed or vanished on the primary is a conflict
 * instead of a silent overwrite. The change set does not name columns: they
 * come from the local schema (the first nCol columns, which is also how
 * SQLite's own sqlite3changeset_apply matches them).
 */
#include "offline.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growing text buffer ---------------------------------------------- */

typedef lsq_strbuf sbuf;

/* "name" with embedded quotes doubled. */
static void sb_ident(sbuf *b, const char *name)
{
    lsq_strbuf_add(b, "\"");
    for (const char *q; (q = strchr(name, '"')) != NULL; name = q + 1) {
        lsq_strbuf_addn(b, name, (size_t)(q - name) + 1);
        lsq_strbuf_add(b, "\"");
    }
    lsq_strbuf_add(b, name);
    lsq_strbuf_add(b, "\"");
}

/* ---- values -------------------------------------------------------------- */

static int value_copy(lsq_value *out, sqlite3_value *v)
{
    memset(out, 0, sizeof *out);
    out->type = v ? sqlite3_value_type(v) : SQLITE_NULL;
    switch (out->type) {
    case SQLITE_INTEGER: out->i = sqlite3_value_int64(v); break;
    case SQLITE_FLOAT: out->d = sqlite3_value_double(v); break;
    case SQLITE_TEXT:
    case SQLITE_BLOB: {
        const void *src = out->type == SQLITE_TEXT ? (const void *)sqlite3_value_text(v)
                                                   : sqlite3_value_blob(v);
        size_t n = (size_t)sqlite3_value_bytes(v);
        void *p = malloc(n ? n : 1);
        if (!p)
            return 0;
        if (n)
            memcpy(p, src, n);
        out->p = p;
        out->n = n;
        break;
    }
    default: out->type = SQLITE_NULL; break;
    }
    return 1;
}

static void stmt_free(lsq_offline_stmt *s)
{
    free(s->sql);
    for (size_t i = 0; i < s->nargs; i++)
        free((void *)s->args[i].p);
    free(s->args);
    memset(s, 0, sizeof *s);
}

void lsq_offline_stmts_free(lsq_offline_stmts *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        stmt_free(&s->v[i]);
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

/* ---- column names -------------------------------------------------------- */

typedef struct table_cols {
    char *table;
    char **names;
    int n;
} table_cols;

static void cols_free(table_cols *t)
{
    for (int i = 0; i < t->n; i++)
        free(t->names[i]);
    free(t->names);
    free(t->table);
    memset(t, 0, sizeof *t);
}

/* The first ncol column names of main.table into t (cached by table name). */
static lsq_status cols_load(sqlite3 *db, const char *table, int ncol, table_cols *t,
                            lsq_error *err)
{
    if (t->table && strcmp(t->table, table) == 0 && t->n >= ncol)
        return LSQ_OK;
    cols_free(t);
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1, 'main') ORDER BY cid",
                                -1, &q, NULL);
    if (rc != SQLITE_OK)
        return lsq_fail_sqlite(err, db, rc);
    sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
    t->names = calloc((size_t)ncol, sizeof *t->names);
    t->table = strdup(table);
    lsq_status st = t->names && t->table ? LSQ_OK : lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    while (st == LSQ_OK && t->n < ncol && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        t->names[t->n] = strdup((const char *)sqlite3_column_text(q, 0));
        if (!t->names[t->n])
            st = lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
        else
            t->n++;
    }
    sqlite3_finalize(q);
    if (st == LSQ_OK && t->n < ncol)
        st = lsq_fail(err, LSQ_ERR_NO_TABLE, 0,
                      "offline change to table '%s' (%d columns) does not match the local "
                      "schema (%d columns)", table, ncol, t->n);
    if (st != LSQ_OK)
        cols_free(t);
    return st;
}

/* ---- one change ---------------------------------------------------------- */

static lsq_status add_arg(lsq_offline_stmt *s, sqlite3_value *v, lsq_error *err)
{
    if (!value_copy(&s->args[s->nargs], v))
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    s->nargs++;
    return LSQ_OK;
}

static lsq_status one_change(sqlite3_changeset_iter *it, const table_cols *tc, int op,
                             lsq_offline_stmt *s, lsq_error *err)
{
    int ncol = 0;
    unsigned char *pk = NULL;
    sqlite3changeset_pk(it, &pk, &ncol);
    sbuf b = {0};
    s->args = calloc((size_t)ncol * 2 + 1, sizeof *s->args);
    if (!s->args)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    lsq_status st = LSQ_OK;
    sqlite3_value *v;

    if (op == SQLITE_INSERT) {
        s->op = LSQ_OFF_INSERT;
        lsq_strbuf_add(&b, "INSERT INTO ");
        sb_ident(&b, tc->table);
        lsq_strbuf_add(&b, "(");
        for (int i = 0; i < ncol; i++) {
            if (i)
                lsq_strbuf_add(&b, ", ");
            sb_ident(&b, tc->names[i]);
        }
        lsq_strbuf_add(&b, ") VALUES (");
        for (int i = 0; i < ncol && st == LSQ_OK; i++) {
            lsq_strbuf_add(&b, i ? ", ?" : "?");
            v = NULL;
            sqlite3changeset_new(it, i, &v);
            st = add_arg(s, v, err);
        }
        lsq_strbuf_add(&b, ")");
    } else if (op == SQLITE_UPDATE) {
        s->op = LSQ_OFF_UPDATE;
        s->guard = 1;
        lsq_strbuf_add(&b, "UPDATE ");
        sb_ident(&b, tc->table);
        lsq_strbuf_add(&b, " SET ");
        int first = 1;
        for (int i = 0; i < ncol && st == LSQ_OK; i++) {
            v = NULL;
            if (pk[i] || sqlite3changeset_new(it, i, &v) != SQLITE_OK || !v)
                continue;
            if (!first)
                lsq_strbuf_add(&b, ", ");
            first = 0;
            sb_ident(&b, tc->names[i]);
            lsq_strbuf_add(&b, " = ?");
            st = add_arg(s, v, err);
        }
        lsq_strbuf_add(&b, " WHERE ");
        first = 1;
        for (int i = 0; i < ncol && st == LSQ_OK; i++) {
            if (!pk[i])
                continue;
            v = NULL;
            sqlite3changeset_old(it, i, &v);
            if (!first)
                lsq_strbuf_add(&b, " AND ");
            first = 0;
            sb_ident(&b, tc->names[i]);
            lsq_strbuf_add(&b, " = ?");
            st = add_arg(s, v, err);
        }
        for (int i = 0; i < ncol && st == LSQ_OK; i++) {
            sqlite3_value *nv = NULL;
            if (pk[i] || sqlite3changeset_new(it, i, &nv) != SQLITE_OK || !nv)
                continue;
            v = NULL;
            sqlite3changeset_old(it, i, &v);
            lsq_strbuf_add(&b, " AND ");
            sb_ident(&b, tc->names[i]);
            lsq_strbuf_add(&b, " IS ?");
            st = add_arg(s, v, err);
        }
    } else {
        s->op = LSQ_OFF_DELETE;
        s->guard = 1;
        lsq_strbuf_add(&b, "DELETE FROM ");
        sb_ident(&b, tc->table);
        lsq_strbuf_add(&b, " WHERE ");
        int first = 1;
        for (int pass = 0; pass < 2; pass++)          /* the key first, then the rest */
            for (int i = 0; i < ncol && st == LSQ_OK; i++) {
                if ((pass == 0) != (pk[i] != 0))
                    continue;
                v = NULL;
                sqlite3changeset_old(it, i, &v);
                if (!first)
                    lsq_strbuf_add(&b, " AND ");
                first = 0;
                sb_ident(&b, tc->names[i]);
                lsq_strbuf_add(&b, pass == 0 ? " = ?" : " IS ?");
                st = add_arg(s, v, err);
            }
    }
    if (st == LSQ_OK && b.oom)
        st = lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    if (st != LSQ_OK) {
        free(b.p);
        return st;
    }
    s->sql = b.p;
    return LSQ_OK;
}

lsq_status lsq_offline_changeset_sql(sqlite3 *schema_db, const void *changeset, int n,
                                     lsq_offline_stmts *out, lsq_error *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_changeset_iter *it = NULL;
    int rc = sqlite3changeset_start(&it, n, (void *)changeset);
    if (rc != SQLITE_OK)
        return lsq_fail(err, LSQ_ERR_MISC, rc, "cannot read an offline change set: %s",
                        sqlite3_errstr(rc));
    size_t cap = 0;
    table_cols tc = {0};
    lsq_status st = LSQ_OK;
    while (st == LSQ_OK && (rc = sqlite3changeset_next(it)) == SQLITE_ROW) {
        const char *table = NULL;
        int ncol = 0, op = 0, indirect = 0;
        sqlite3changeset_op(it, &table, &ncol, &op, &indirect);
        st = cols_load(schema_db, table, ncol, &tc, err);
        if (st != LSQ_OK)
            break;
        if (out->n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            lsq_offline_stmt *v = realloc(out->v, nc * sizeof *v);
            if (!v) {
                st = lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
                break;
            }
            out->v = v;
            cap = nc;
        }
        lsq_offline_stmt *s = &out->v[out->n];
        memset(s, 0, sizeof *s);
        st = one_change(it, &tc, op, s, err);
        if (st == LSQ_OK)
            out->n++;
        else
            stmt_free(s);
    }
    int frc = sqlite3changeset_finalize(it);
    if (st == LSQ_OK && (rc != SQLITE_DONE || frc != SQLITE_OK))
        st = lsq_fail(err, LSQ_ERR_MISC, rc != SQLITE_DONE ? rc : frc,
                      "cannot read an offline change set: %s",
                      sqlite3_errstr(rc != SQLITE_DONE ? rc : frc));
    cols_free(&tc);
    if (st != LSQ_OK)
        lsq_offline_stmts_free(out);
    return st;
}

/* ---- rendering for people ------------------------------------------------ */

static void sb_literal(sbuf *b, const lsq_value *v)
{
    char *s = NULL;
    switch (v->type) {
    case SQLITE_INTEGER: s = sqlite3_mprintf("%lld", (long long)v->i); break;
    case SQLITE_FLOAT: s = sqlite3_mprintf("%!.17g", v->d); break;
    case SQLITE_TEXT: s = sqlite3_mprintf("%.*Q", (int)v->n, v->p ? (const char *)v->p : ""); break;
    case SQLITE_BLOB: {
        lsq_strbuf_add(b, "X'");
        static const char hex[] = "0123456789ABCDEF";
        for (size_t i = 0; i < v->n; i++) {
            unsigned char c = ((const unsigned char *)v->p)[i];
            char two[2] = {hex[c >> 4], hex[c & 15]};
            lsq_strbuf_addn(b, two, 2);
        }
        lsq_strbuf_add(b, "'");
        return;
    }
    default: lsq_strbuf_add(b, "NULL"); return;
    }
    if (!s) {
        b->oom = 1;
        return;
    }
    lsq_strbuf_add(b, s);
    sqlite3_free(s);
}

char *lsq_offline_stmts_render(const lsq_offline_stmts *s)
{
    sbuf b = {0};
    lsq_strbuf_add(&b, "");
    for (size_t k = 0; k < s->n; k++) {
        const lsq_offline_stmt *st = &s->v[k];
        size_t arg = 0;
        int in_ident = 0;
        for (const char *p = st->sql; *p; p++) {
            if (*p == '"')
                in_ident = !in_ident;
            if (*p == '?' && !in_ident && arg < st->nargs)
                sb_literal(&b, &st->args[arg++]);
            else
                lsq_strbuf_addn(&b, p, 1);
        }
        lsq_strbuf_add(&b, ";");
        if (k + 1 < s->n)
            lsq_strbuf_add(&b, " ");
    }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}
