/*
 * cursor.c — the one interface over the two places rows come from.
 *
 * CUR_SQLITE streams from a prepared sqlite3_stmt owned by the statement:
 * values are read straight from SQLite's row buffer (zero copy), valid until
 * the next step. CUR_MEM walks a mem_rows table (catalog results, remote
 * results, and static/scrollable cursors made by cursor_materialize).
 * fetch.c, getdata and colinfo only ever talk to these functions, so block
 * fetch, conversion and scrolling are written once for both sources.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void cursor_open_sqlite(cursor *c, sqlite3_stmt *sst, int pending_row)
{
    memset(c, 0, sizeof *c);
    c->kind = CUR_SQLITE;
    c->sst = sst;
    c->ncols = sst ? sqlite3_column_count(sst) : 0;
    c->pending_row = pending_row;
    c->pos = -1;
}

void cursor_open_mem(cursor *c, mem_rows *rows)
{
    memset(c, 0, sizeof *c);
    c->kind = CUR_MEM;
    if (rows) {
        c->mem = *rows;           /* ownership moves into the cursor */
        memset(rows, 0, sizeof *rows);
    }
    c->ncols = c->mem.ncols;
    c->pos = -1;
}

/* Copy one SQLite column value into an owned cell. Returns 0 or SQLITE_NOMEM. */
static int copy_cell(sqlite3_stmt *sst, int col, db_value *cell)
{
    memset(cell, 0, sizeof *cell);
    cell->type = sqlite3_column_type(sst, col);
    switch (cell->type) {
    case SQLITE_INTEGER:
        cell->i = sqlite3_column_int64(sst, col);
        break;
    case SQLITE_FLOAT:
        cell->d = sqlite3_column_double(sst, col);
        break;
    case SQLITE_TEXT:
    case SQLITE_BLOB: {
        const void *src = cell->type == SQLITE_TEXT
                              ? (const void *)sqlite3_column_text(sst, col)
                              : sqlite3_column_blob(sst, col);
        int n = sqlite3_column_bytes(sst, col);
        /* Always allocate (even for 0 bytes) and NUL-terminate text, so an
         * empty value stays distinguishable from NULL and text can be used
         * as a C string. */
        unsigned char *p = malloc((size_t)n + 1);
        if (!p) {
            cell->type = SQLITE_NULL;
            return SQLITE_NOMEM;
        }
        if (n > 0 && src)
            memcpy(p, src, (size_t)n);
        p[n] = 0;
        cell->p = p;
        cell->n = n;
        break;
    }
    default:
        cell->type = SQLITE_NULL;
        break;
    }
    return SQLITE_OK;
}

/* Static and scrollable cursors need random access, which a stepping
 * sqlite3_stmt cannot give: read what is left into memory once. The
 * sqlite3_stmt is reset afterwards (releasing its read lock) but stays the
 * statement's to finalize. */
int cursor_materialize(cursor *c)
{
    if (c->kind != CUR_SQLITE)
        return SQLITE_OK;
    mem_rows m;
    memset(&m, 0, sizeof m);
    int ncols = c->ncols;
    (void)mem_rows_init(&m, ncols); /* only sets up fields; rows come from mem_rows_add */
    m.ncols = ncols;
    int rc = SQLITE_OK;
    int have = c->pending_row;
    c->pending_row = 0;
    if (!c->at_end && c->sst) {
        for (;;) {
            if (!have) {
                int st = sqlite3_step(c->sst);
                if (st == SQLITE_DONE)
                    break;
                if (st != SQLITE_ROW) {
                    rc = st;
                    break;
                }
            }
            have = 0;
            db_value *row = mem_rows_add(&m);
            if (!row) {
                rc = SQLITE_NOMEM;
                break;
            }
            for (int i = 0; i < ncols; i++) {
                if (copy_cell(c->sst, i, &row[i]) != SQLITE_OK) {
                    rc = SQLITE_NOMEM;
                    break;
                }
            }
            if (rc != SQLITE_OK)
                break;
        }
        sqlite3_reset(c->sst);
    }
    if (rc != SQLITE_OK) {
        mem_rows_free(&m);
        return rc;
    }
    SQLLEN seen = c->rows_seen;
    cursor_open_mem(c, &m);
    c->rows_seen = seen;
    return SQLITE_OK;
}

int cursor_next(cursor *c)
{
    switch (c->kind) {
    case CUR_SQLITE: {
        if (c->pending_row) {
            c->pending_row = 0;
            c->rows_seen++;
            return 1;
        }
        if (c->at_end)
            return 0;
        int rc = sqlite3_step(c->sst);
        if (rc == SQLITE_ROW) {
            c->rows_seen++;
            return 1;
        }
        c->at_end = 1;
        return rc == SQLITE_DONE ? 0 : -rc;
    }
    case CUR_MEM:
        if (c->pos + 1 >= c->mem.nrows) {
            c->pos = c->mem.nrows;
            c->at_end = 1;
            return 0;
        }
        c->pos++;
        c->rows_seen++;
        return 1;
    default:
        return 0;
    }
}

int cursor_seek(cursor *c, SQLLEN row)
{
    if (c->kind != CUR_MEM)
        return 0;
    if (row < 0) {
        c->pos = -1;
        return 0;
    }
    if (row >= c->mem.nrows) {
        c->pos = c->mem.nrows;
        return 0;
    }
    c->pos = row;
    c->at_end = 0;
    return 1;
}

void cursor_value(const cursor *c, int col, db_value *out)
{
    if (c->kind == CUR_SQLITE) {
        sqlite3_stmt *st = c->sst;
        /* One API call (one connection-mutex round trip) yields the type and,
         * for numbers, the value: reading flags and a stored integer or
         * double from the row's sqlite3_value allocates nothing, so it is
         * safe on the unprotected value. Text and blobs go through
         * sqlite3_column_text/blob, which may allocate (NUL terminator,
         * zeroblob expansion) and therefore need the mutex those take. */
        sqlite3_value *sv = sqlite3_column_value(st, col);
        out->type = sqlite3_value_type(sv);
        switch (out->type) {
        case SQLITE_INTEGER:
            out->i = sqlite3_value_int64(sv);
            return;
        case SQLITE_FLOAT:
            out->d = sqlite3_value_double(sv);
            return;
        case SQLITE_TEXT:
            out->p = sqlite3_column_text(st, col);
            out->n = sqlite3_column_bytes(st, col);
            return;
        case SQLITE_BLOB:
            out->p = sqlite3_column_blob(st, col);
            out->n = sqlite3_column_bytes(st, col);
            return;
        default:
            out->type = SQLITE_NULL;
            out->p = NULL;
            out->n = 0;
            return;
        }
    }
    if (c->kind == CUR_MEM && c->pos >= 0 && c->pos < c->mem.nrows && col >= 0 &&
        col < c->mem.ncols) {
        *out = c->mem.cells[(size_t)c->pos * (size_t)c->mem.ncols + (size_t)col];
        return;
    }
    memset(out, 0, sizeof *out);
    out->type = SQLITE_NULL;
}

SQLLEN cursor_row_count(const cursor *c)
{
    return c->kind == CUR_MEM ? c->mem.nrows : -1;
}

void cursor_close(cursor *c)
{
    if (c->kind == CUR_MEM)
        mem_rows_free(&c->mem);
    else if (c->kind == CUR_SQLITE && c->sst)
        sqlite3_reset(c->sst);
    memset(c, 0, sizeof *c);
    c->kind = CUR_NONE;
    c->pos = -1;
}
