/*
 * results.c — a statement's result set: how it is opened, described and
 * closed. exec.c opens results from its own sqlite3_stmt, catalog.c from a
 * query or an in-memory row set (mem_rows); either way the IRD is filled here
 * so SQLDescribeCol / SQLColAttribute see one consistent description.
 *
 * Ownership: the statement owns s->sst (finalized here) and s->sql; the
 * cursor only borrows s->sst. IRD record strings are malloc'd and owned by
 * the descriptor record (desc.c frees them).
 */
#include "internal.h"
#include "typemap.h"

#include <stdlib.h>
#include <string.h>

/* ---------- mem_rows ---------------------------------------------------- */

/* Returns 0 on success, -1 on a bad column count. Rows are added with
 * mem_rows_add; cells own their TEXT/BLOB bytes. */
int mem_rows_init(mem_rows *m, int ncols)
{
    memset(m, 0, sizeof *m);
    if (ncols < 0)
        return -1;
    m->ncols = ncols;
    return 0;
}

/* Append a row whose cells are all SQL NULL and return its first cell.
 * The pointer is valid until the next mem_rows_add (the array may move). */
db_value *mem_rows_add(mem_rows *m)
{
    if (m->nrows == m->cap_rows) {
        SQLLEN cap = m->cap_rows ? m->cap_rows * 2 : 16;
        size_t cells = (size_t)cap * (size_t)(m->ncols ? m->ncols : 1);
        db_value *p = realloc(m->cells, cells * sizeof *p);
        if (!p)
            return NULL;
        m->cells = p;
        m->cap_rows = cap;
    }
    db_value *row = m->cells + (size_t)m->nrows * (size_t)m->ncols;
    for (int i = 0; i < m->ncols; i++) {
        memset(&row[i], 0, sizeof row[i]);
        row[i].type = SQLITE_NULL;
    }
    m->nrows++;
    return row;
}

static void cell_clear(db_value *cell)
{
    if (cell->type == SQLITE_TEXT || cell->type == SQLITE_BLOB)
        free((void *)cell->p);
    memset(cell, 0, sizeof *cell);
    cell->type = SQLITE_NULL;
}

/* Copy s into the cell (s NULL -> SQL NULL). Returns 0, or -1 when out of
 * memory (the cell is then NULL). */
int mem_set_text(db_value *cell, const char *s)
{
    cell_clear(cell);
    if (!s)
        return 0;
    size_t n = strlen(s);
    char *copy = malloc(n + 1);
    if (!copy)
        return -1;
    memcpy(copy, s, n + 1);
    cell->type = SQLITE_TEXT;
    cell->p = (const unsigned char *)copy;
    cell->n = (int)n;
    return 0;
}

void mem_set_int(db_value *cell, sqlite3_int64 v)
{
    cell_clear(cell);
    cell->type = SQLITE_INTEGER;
    cell->i = v;
    cell->d = (double)v;
}

void mem_rows_free(mem_rows *m)
{
    if (m->cells) {
        size_t n = (size_t)m->nrows * (size_t)m->ncols;
        for (size_t i = 0; i < n; i++)
            if (m->cells[i].type == SQLITE_TEXT || m->cells[i].type == SQLITE_BLOB)
                free((void *)m->cells[i].p);
        free(m->cells);
    }
    memset(m, 0, sizeof *m);
}

/* ---------- closing ----------------------------------------------------- */

void stmt_close_results(stmt *s)
{
    cursor_close(&s->cur);
    memset(&s->cur, 0, sizeof s->cur);
    if (s->sst) {
        sqlite3_finalize(s->sst);
        s->sst = NULL;
    }
    params_free_dae(s);
    s->row_count = -1;
    s->hdr.diag.row_count = -1;
    s->gd_col = 0;
    s->gd_offset = 0;
    s->row_number = 0;
    s->rowset_start = 0;
    s->overrides = NULL;
    s->n_overrides = 0;
    /* A prepared statement stays prepared: exec.c prepares s->sql again on
     * the next SQLExecute when s->sst is gone. */
    s->state = (s->prepared && s->sql) ? ST_PREPARED : ST_ALLOCATED;
}

void stmt_reset_all(stmt *s)
{
    stmt_close_results(s);
    free(s->sql);
    s->sql = NULL;
    s->sql_next = NULL;
    s->prepared = 0;
    s->state = ST_ALLOCATED;
    if (s->ird)
        desc_set_count(s->ird, 0);
}

/* ---------- describing -------------------------------------------------- */

/* Replace a malloc'd string field; NULL src stores "". Returns 0 or -1 (OOM). */
static int set_str(char **dst, const char *src)
{
    if (!src)
        src = "";
    if (*dst && strcmp(*dst, src) == 0)
        return 0;
    size_t n = strlen(src);
    char *copy = malloc(n + 1);
    if (!copy)
        return -1;
    memcpy(copy, src, n + 1);
    free(*dst);
    *dst = copy;
    return 0;
}

static int is_datetime(SQLSMALLINT t)
{
    return t == SQL_TYPE_DATE || t == SQL_TYPE_TIME || t == SQL_TYPE_TIMESTAMP ||
           t == SQL_DATE || t == SQL_TIME || t == SQL_TIMESTAMP;
}

static int is_exact_or_approx_numeric(SQLSMALLINT t)
{
    switch (t) {
    case SQL_DECIMAL: case SQL_NUMERIC: case SQL_SMALLINT: case SQL_INTEGER:
    case SQL_REAL: case SQL_FLOAT: case SQL_DOUBLE: case SQL_TINYINT:
    case SQL_BIGINT: case SQL_BIT:
        return 1;
    default:
        return 0;
    }
}

/* Copy the type part of a type_desc into an IRD record. LENGTH is the
 * column size for every type; PRECISION is the column size for numbers and
 * the fractional-second digits for date/time types (ODBC's rules). */
static int apply_type(desc_rec *r, const type_desc *td)
{
    r->concise_type = td->sql_type;
    r->type = td->verbose_type ? td->verbose_type : td->sql_type;
    r->datetime_interval_code = td->datetime_sub;
    r->length = td->column_size;
    if (is_datetime(td->sql_type))
        r->precision = td->decimal_digits;
    else if (is_exact_or_approx_numeric(td->sql_type))
        r->precision = (SQLSMALLINT)td->column_size;
    else
        r->precision = 0;
    r->scale = td->decimal_digits;
    r->octet_length = td->octet_length;
    r->display_size = td->display_size;
    r->num_prec_radix = td->radix;
    r->is_unsigned = td->is_unsigned ? SQL_TRUE : SQL_FALSE;
    r->case_sensitive = td->case_sensitive ? SQL_TRUE : SQL_FALSE;
    r->searchable = td->searchable;
    r->fixed_prec_scale = SQL_FALSE;
    if (set_str(&r->type_name, td->type_name) || set_str(&r->local_type_name, td->type_name) ||
        set_str(&r->literal_prefix, td->literal_prefix) ||
        set_str(&r->literal_suffix, td->literal_suffix))
        return -1;
    return 0;
}

static int apply_names(desc_rec *r, const char *name, const char *base_col,
                       const char *table)
{
    r->unnamed = (name && *name) ? SQL_NAMED : SQL_UNNAMED;
    r->updatable = SQL_ATTR_READWRITE_UNKNOWN;
    r->rowver = SQL_FALSE;
    if (set_str(&r->name, name) || set_str(&r->label, name) ||
        set_str(&r->base_column_name, base_col ? base_col : name) ||
        set_str(&r->base_table_name, table) || set_str(&r->table_name, table) ||
        set_str(&r->schema_name, "") || set_str(&r->catalog_name, ""))
        return -1;
    return 0;
}

/* One IRD record from a catalog override. */
static int describe_override(stmt *s, int i, const col_override *o, const typemap_opts *opts)
{
    desc_rec *r = desc_rec_get(s->ird, (SQLSMALLINT)(i + 1));
    if (!r)
        return -1;
    type_desc td;
    memset(&td, 0, sizeof td);
    typemap_describe_sql(o->sql_type, o->size, 0, opts, &td);
    if (!td.sql_type) { /* typemap not available: the override is enough */
        td.sql_type = td.verbose_type = o->sql_type;
        td.column_size = o->size;
        td.octet_length = (SQLLEN)o->size;
        td.display_size = (SQLLEN)o->size;
        td.searchable = SQL_PRED_SEARCHABLE;
    }
    if (apply_names(r, o->name, o->name, "") || apply_type(r, &td))
        return -1;
    r->nullable = o->nullable;
    r->auto_unique_value = SQL_FALSE;
    return 0;
}

/* Storage class of column i on the row the statement is positioned on
 * (execute stepped it), SQLITE_NULL when there is none. */
static int pending_storage_class(stmt *s, int i)
{
    if (s->sst && s->cur.kind == CUR_SQLITE && s->cur.pending_row)
        return sqlite3_column_type(s->sst, i);
    return SQLITE_NULL;
}

/* One IRD record from column i of s->sst. */
static int describe_sqlite_col(stmt *s, int i, const typemap_opts *opts)
{
    sqlite3_stmt *st = s->sst;
    desc_rec *r = desc_rec_get(s->ird, (SQLSMALLINT)(i + 1));
    if (!r)
        return -1;
    const char *name = sqlite3_column_name(st, i);
    const char *origin = sqlite3_column_origin_name(st, i);
    const char *table = sqlite3_column_table_name(st, i);
    const char *dbname = sqlite3_column_database_name(st, i);
    const char *decl = sqlite3_column_decltype(st, i);

    type_desc td;
    memset(&td, 0, sizeof td);
    typemap_describe(decl, pending_storage_class(s, i), opts, &td);
    if (apply_names(r, name, origin, table) || apply_type(r, &td))
        return -1;

    r->nullable = SQL_NULLABLE_UNKNOWN;
    r->auto_unique_value = SQL_FALSE;
    if (origin && table) {
        int notnull = 0, pk = 0, autoinc = 0;
        if (sqlite3_table_column_metadata(s->dbc->sqlite, dbname, table, origin, NULL,
                                          NULL, &notnull, &pk, &autoinc) == SQLITE_OK) {
            r->nullable = (notnull || pk) ? SQL_NO_NULLS : SQL_NULLABLE;
            r->auto_unique_value = autoinc ? SQL_TRUE : SQL_FALSE;
        }
    }
    return 0;
}

static SQLRETURN describe(stmt *s, const col_override *cols, int n)
{
    typemap_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.max_text_len = 65535;
    typemap_opts_from_dbc(s->dbc, &opts);

    int ncols = s->sst ? sqlite3_column_count(s->sst) : 0;
    if (!s->sst && cols)
        ncols = n;
    for (int i = 0; i < ncols; i++) {
        int rc = (cols && i < n) ? describe_override(s, i, &cols[i], &opts)
                                 : describe_sqlite_col(s, i, &opts);
        if (rc)
            return diag_post(&s->hdr.diag, "HY001", 0, "out of memory describing columns");
    }
    desc_set_count(s->ird, (SQLSMALLINT)ncols);
    return SQL_SUCCESS;
}

SQLRETURN stmt_describe_columns(stmt *s)
{
    return describe(s, s->overrides, s->n_overrides);
}

/* After execute stepped the first row: columns without a declared type
 * (expressions) take their type from that row's storage class. Touches the
 * IRD only when the type actually changes, so the hot path allocates nothing. */
SQLRETURN stmt_refine_column_types(stmt *s)
{
    if (!s->sst || s->overrides)
        return SQL_SUCCESS;
    int ncols = sqlite3_column_count(s->sst);
    if (ncols != s->ird->count)
        return stmt_describe_columns(s);
    typemap_opts opts;
    int have_opts = 0;
    for (int i = 0; i < ncols; i++) {
        if (sqlite3_column_decltype(s->sst, i))
            continue;
        if (!have_opts) {
            memset(&opts, 0, sizeof opts);
            opts.max_text_len = 65535;
            typemap_opts_from_dbc(s->dbc, &opts);
            have_opts = 1;
        }
        type_desc td;
        memset(&td, 0, sizeof td);
        typemap_describe(NULL, pending_storage_class(s, i), &opts, &td);
        desc_rec *r = desc_rec_get(s->ird, (SQLSMALLINT)(i + 1));
        if (!r)
            return diag_post(&s->hdr.diag, "HY001", 0, "out of memory describing columns");
        if (r->concise_type == td.sql_type && r->length == td.column_size)
            continue;
        if (apply_type(r, &td))
            return diag_post(&s->hdr.diag, "HY001", 0, "out of memory describing columns");
    }
    return SQL_SUCCESS;
}

/* ---------- installing results ------------------------------------------ */

SQLRETURN stmt_set_mem_result(stmt *s, mem_rows *rows, const col_override *cols, int n)
{
    stmt_reset_all(s);
    /* Described once, here: a memory result has no sqlite3_stmt to describe
     * again, and keeping the overrides would leak them onto the next
     * statement of a batch. */
    SQLRETURN rc = describe(s, cols, n);
    if (!SQL_SUCCEEDED(rc)) {
        mem_rows_free(rows);
        return rc;
    }
    SQLLEN nrows = rows->nrows;
    cursor_open_mem(&s->cur, rows);
    s->row_count = nrows;
    s->hdr.diag.row_count = nrows;
    s->state = ST_CURSOR;
    return SQL_SUCCESS;
}

SQLRETURN stmt_set_query_result(stmt *s, const char *sql, const col_override *cols, int n)
{
    stmt_reset_all(s);
    sqlite3 *db = s->dbc->sqlite;
    if (!db)
        return diag_post(&s->hdr.diag, "08003", 0, "connection not open");
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK || !st) {
        sqlite3_finalize(st);
        return diag_post_sqlite(&s->hdr.diag, db, rc != SQLITE_OK ? rc : SQLITE_MISUSE);
    }
    s->sst = st;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        SQLRETURN r = diag_post_sqlite(&s->hdr.diag, db, rc);
        stmt_close_results(s);
        return r;
    }
    s->overrides = cols;
    s->n_overrides = n;
    cursor_open_sqlite(&s->cur, st, rc == SQLITE_ROW);
    if (rc == SQLITE_DONE)
        s->cur.at_end = 1;
    SQLRETURN r = describe(s, cols, n);
    if (!SQL_SUCCEEDED(r)) {
        stmt_close_results(s);
        return r;
    }
    s->state = ST_CURSOR;
    if (s->cursor_type != SQL_CURSOR_FORWARD_ONLY) {
        rc = cursor_materialize(&s->cur);
        if (rc != SQLITE_OK) {
            r = diag_post_sqlite(&s->hdr.diag, db, rc);
            stmt_close_results(s);
            return r;
        }
    }
    return SQL_SUCCESS;
}
