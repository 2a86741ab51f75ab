/*
 * catalog.c — the ODBC catalog functions (SQLTables, SQLColumns,
 * SQLPrimaryKeys, SQLForeignKeys, SQLStatistics, SQLSpecialColumns,
 * SQLGetTypeInfo and the always-empty procedure/privilege ones).
 *
 * Each builds one read-only SQL query over pragma_table_list and the
 * pragma table-valued functions (table_xinfo, index_list, index_xinfo,
 * foreign_key_list), with the odbc_* type functions from typemap.c, and
 * hands it to results.c (stmt_set_query_result) together with the exact
 * column list the ODBC reference gives for that function. SQLSpecialColumns
 * decides in C and returns an in-memory result.
 *
 * SQLite has no catalogs and no schemas: TABLE_CAT and TABLE_SCHEM are NULL
 * everywhere, catalog/schema arguments are accepted and ignored, and the
 * SQLTables enumerations of catalogs and schemas are empty. The tables seen
 * are those of "main" and "temp" (temp tables are LOCAL TEMPORARY). SQLite
 * resolves an unqualified name in temp first, so do we.
 *
 * Every identifier the application passes is spliced in with %Q (a quoted
 * literal) — never as raw SQL text. Search patterns use LIKE with ODBC's
 * escape character "\", which matches case-insensitively just as SQLite
 * names do.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "typemap.h"
#include "../core/write_ledger.h"

#define NAME_LEN 128

/* The tables and views a catalog function can see, one row each:
 * sch ('main'/'temp'), name, type (table/view/shadow/virtual), wr (WITHOUT
 * ROWID), ttype (the ODBC TABLE_TYPE). The driver's own tables on the
 * primary (the exactly-once write ledger, names starting "_libsql_odbc_",
 * compared without case as lsq_ledger_is_internal_table does) are not
 * listed: they are bookkeeping, not the application's data. */
static const char TABLES_SRC[] =
    "(SELECT schema AS sch, name, type, wr,"
    " CASE WHEN type = 'view' THEN 'VIEW'"
    "  WHEN type = 'shadow' OR name LIKE 'sqlite\\_%' ESCAPE '\\' THEN 'SYSTEM TABLE'"
    "  WHEN schema = 'temp' THEN 'LOCAL TEMPORARY'"
    "  ELSE 'TABLE' END AS ttype"
    " FROM pragma_table_list WHERE schema IN ('main', 'temp')"
    " AND lower(substr(name, 1, length('" LSQ_LEDGER_PREFIX "'))) <> '" LSQ_LEDGER_PREFIX "')";

/* ---------- helpers ---------------------------------------------------- */

/* Validate and copy one input string argument. *out is NULL for a NULL
 * pointer. Returns SQL_SUCCESS or posts HY090 / HY001. */
static SQLRETURN arg_in(stmt *s, const SQLCHAR *p, SQLSMALLINT len, char **out)
{
    *out = NULL;
    if (!p)
        return SQL_SUCCESS;
    if (str_len_in(p, len) < 0)
        return diag_post(&s->hdr.diag, "HY090", 0, "Invalid string or buffer length");
    *out = str_dup_in(p, len);
    if (!*out)
        return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
    return SQL_SUCCESS;
}

/* HY090 for name lengths that are negative but not SQL_NTS, also for the
 * arguments a function ignores (catalog, schema): the ODBC reference lists
 * the check for every name argument. n lengths follow (promoted to int). */
static int bad_name_lens(stmt *s, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    int bad = 0;
    for (int i = 0; i < n; i++) {
        int len = va_arg(ap, int);
        if (len < 0 && len != SQL_NTS)
            bad = 1;
    }
    va_end(ap);
    if (bad)
        diag_post(&s->hdr.diag, "HY090", 0, "Invalid string or buffer length");
    return bad;
}

/* SQL_ATTR_METADATA_ID: arguments are identifiers, not patterns. A quoted
 * identifier loses its quotes (and "" becomes "); trailing blanks go. */
static void identifier_in_place(char *id)
{
    size_t n = strlen(id);
    while (n > 0 && id[n - 1] == ' ')
        id[--n] = '\0';
    if (n >= 2 && id[0] == '"' && id[n - 1] == '"') {
        size_t w = 0;
        for (size_t r = 1; r + 1 < n; r++) {
            id[w++] = id[r];
            if (id[r] == '"' && id[r + 1] == '"' && r + 2 < n)
                r++;
        }
        id[w] = '\0';
    }
}

/* Append "AND <col> LIKE 'pattern' ESCAPE '\'" (or an exact NOCASE match
 * when the argument is an identifier). NULL and "" match everything. */
static void append_pattern(sqlite3_str *q, const char *col, const char *pat, int metadata_id)
{
    if (!pat || !*pat)
        return;
    if (metadata_id)
        sqlite3_str_appendf(q, " AND %s = %Q COLLATE NOCASE", col, pat);
    else if (!strcmp(pat, "%"))
        return;
    else
        sqlite3_str_appendf(q, " AND %s LIKE %Q ESCAPE '\\'", col, pat);
}

/*
 * Whether the odbc_* functions on this connection were registered with
 * options that give the same answers as o. connect.c registers them; the
 * options can change afterwards (a W call, SQL_ATTR settings), and
 * re-registering needlessly would expire every prepared statement of the
 * connection, so look first: INTEGER's type, TEXT's type and size tell
 * all three options apart.
 */
static int sql_functions_current(sqlite3 *db, const typemap_opts *o)
{
    type_desc di, dt;
    sqlite3_stmt *st = NULL;
    int same = 0;
    typemap_describe("INTEGER", SQLITE_NULL, o, &di);
    typemap_describe("TEXT", SQLITE_NULL, o, &dt);
    if (sqlite3_prepare_v2(db, "SELECT odbc_sql_type('INTEGER'), odbc_sql_type('TEXT'),"
                               " odbc_column_size('TEXT')", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        same = sqlite3_column_int(st, 0) == di.sql_type &&
               sqlite3_column_int(st, 1) == dt.sql_type &&
               (SQLULEN)sqlite3_column_int64(st, 2) == dt.column_size;
    sqlite3_finalize(st);
    return same;
}

/* Common start of every catalog call: connected, no data-at-exec pending,
 * any open cursor closed (lenient, like most drivers), and the odbc_*
 * functions registered with this connection's current options (the app's
 * A/W flavour may have changed since connect). */
static SQLRETURN catalog_begin(stmt *s)
{
    if (!s->dbc || !s->dbc->sqlite)
        return diag_post(&s->hdr.diag, "08003", 0, "Connection not open");
    if (s->state == ST_NEED_DATA)
        return diag_post(&s->hdr.diag, "HY010", 0, "Function sequence error");
    stmt_close_results(s);
    typemap_opts o;
    typemap_opts_from_dbc(s->dbc, &o);
    if (!sql_functions_current(s->dbc->sqlite, &o)) {
        /* SQLITE_BUSY here means another statement is running on the
         * connection: the functions registered before stay in place. */
        (void)typemap_register_sql_functions(s->dbc->sqlite, &o);
    }
    return SQL_SUCCESS;
}

/* Run the finished query text as the statement's result set. */
static SQLRETURN run_query(stmt *s, sqlite3_str *q, const col_override *cols, int n)
{
    int err = sqlite3_str_errcode(q);
    char *sql = sqlite3_str_finish(q);
    if (err != SQLITE_OK || !sql) {
        sqlite3_free(sql);
        return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
    }
    SQLRETURN rc = stmt_set_query_result(s, sql, cols, n);
    sqlite3_free(sql);
    return rc;
}

/* A result set with the given columns and no rows. */
static SQLRETURN empty_result(stmt *s, const col_override *cols, int n)
{
    mem_rows rows;
    if (mem_rows_init(&rows, n) != 0)
        return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
    return stmt_set_mem_result(s, &rows, cols, n);
}

/* "(SELECT ... FROM TABLES_SRC WHERE name = 'x' ... LIMIT 1)": the one table
 * an ordinary (non-pattern) argument names, temp before main. */
static void append_one_table(sqlite3_str *q, const char *name, const char *extra)
{
    sqlite3_str_appendf(q, "(SELECT * FROM %s WHERE name = %Q COLLATE NOCASE %s"
                           " ORDER BY sch = 'temp' DESC LIMIT 1)",
                        TABLES_SRC, name, extra ? extra : "");
}

/* ODBC 2 applications know the date/time types as SQL_DATE (9), SQL_TIME
 * (10) and SQL_TIMESTAMP (11), not 91/92/93. */
static int odbc2_app(const stmt *s)
{
    return s->dbc && s->dbc->env && s->dbc->env->odbc_version == SQL_OV_ODBC2;
}

static sqlite3_int64 odbc2_type(sqlite3_int64 t)
{
    switch (t) {
    case SQL_TYPE_DATE: return SQL_DATE;
    case SQL_TYPE_TIME: return SQL_TIME;
    case SQL_TYPE_TIMESTAMP: return SQL_TIMESTAMP;
    default: return t;
    }
}

#define VC(name, nullable) {name, SQL_VARCHAR, NAME_LEN, nullable}
#define SC(name, nullable) {name, SQL_SMALLINT, 5, nullable}
#define IC(name, nullable) {name, SQL_INTEGER, 10, nullable}
#define N_COLS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---------- SQLTables -------------------------------------------------- */

static const col_override tables_cols[] = {
    VC("TABLE_CAT", SQL_NULLABLE), VC("TABLE_SCHEM", SQL_NULLABLE),
    VC("TABLE_NAME", SQL_NULLABLE), VC("TABLE_TYPE", SQL_NULLABLE),
    {"REMARKS", SQL_VARCHAR, 254, SQL_NULLABLE},
};

/* The TABLE_TYPE values this driver produces, in TABLE_TYPE order. */
static const char *const table_types[] = {"LOCAL TEMPORARY", "SYSTEM TABLE", "TABLE", "VIEW"};

/* Append "AND ttype IN (...)" for a type list like "'TABLE','VIEW'" or
 * "TABLE, VIEW". NULL/""/"%" mean every type except SYSTEM TABLE, which
 * appears only when asked for. Unknown types match nothing. */
static void append_type_filter(sqlite3_str *q, const char *types)
{
    if (!types || !*types || !strcmp(types, "%")) {
        sqlite3_str_appendall(q, " AND ttype <> 'SYSTEM TABLE'");
        return;
    }
    sqlite3_str_appendall(q, " AND ttype IN (''");
    const char *p = types;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *a = p, *b = p + len;
        while (a < b && (*a == ' ' || *a == '\'' || *a == '"'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\'' || b[-1] == '"'))
            b--;
        if (b > a) {
            int n = (int)(b - a);
            /* other databases call it BASE TABLE; accept that spelling too */
            if (n == 10 && !sqlite3_strnicmp(a, "BASE TABLE", 10))
                sqlite3_str_appendall(q, ", 'TABLE'");
            else {
                char *one = sqlite3_mprintf("%.*s", n, a);
                sqlite3_str_appendf(q, ", upper(%Q)", one ? one : "");
                sqlite3_free(one);
            }
        }
        p = end ? end + 1 : p + len;
    }
    sqlite3_str_appendall(q, ")");
}

SQLRETURN odbc_Tables(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen, const SQLCHAR *sch,
                      SQLSMALLINT schlen, const SQLCHAR *tab, SQLSMALLINT tablen,
                      const SQLCHAR *types, SQLSMALLINT typeslen)
{
    char *c = NULL, *sc = NULL, *t = NULL, *ty = NULL;
    SQLRETURN rc = catalog_begin(s);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    if (!SQL_SUCCEEDED(rc = arg_in(s, cat, catlen, &c)) ||
        !SQL_SUCCEEDED(rc = arg_in(s, sch, schlen, &sc)) ||
        !SQL_SUCCEEDED(rc = arg_in(s, tab, tablen, &t)) ||
        !SQL_SUCCEEDED(rc = arg_in(s, types, typeslen, &ty)))
        goto done;

    int c_empty = !c || !*c, s_empty = !sc || !*sc, t_empty = !t || !*t;
    int metadata_id = s->metadata_id == SQL_TRUE;
    if (!metadata_id && c && !strcmp(c, SQL_ALL_CATALOGS) && s_empty && t_empty) {
        rc = empty_result(s, tables_cols, N_COLS(tables_cols));  /* no catalogs */
        goto done;
    }
    if (!metadata_id && sc && !strcmp(sc, SQL_ALL_SCHEMAS) && c_empty && t_empty) {
        rc = empty_result(s, tables_cols, N_COLS(tables_cols));  /* no schemas */
        goto done;
    }
    sqlite3_str *q = sqlite3_str_new(NULL);
    if (!metadata_id && ty && !strcmp(ty, SQL_ALL_TABLE_TYPES) && c_empty && s_empty && t_empty) {
        sqlite3_str_appendall(q, "SELECT NULL, NULL, NULL, column1, NULL FROM (VALUES ");
        for (size_t i = 0; i < sizeof table_types / sizeof table_types[0]; i++)
            sqlite3_str_appendf(q, "%s(%Q)", i ? ", " : "", table_types[i]);
        sqlite3_str_appendall(q, ") ORDER BY 4");
        rc = run_query(s, q, tables_cols, N_COLS(tables_cols));
        goto done;
    }
    if (t && metadata_id)
        identifier_in_place(t);
    sqlite3_str_appendf(q, "SELECT NULL, NULL, name, ttype, NULL FROM %s WHERE 1", TABLES_SRC);
    append_pattern(q, "name", t, metadata_id);
    append_type_filter(q, ty);
    sqlite3_str_appendall(q, " ORDER BY 4, 3");
    rc = run_query(s, q, tables_cols, N_COLS(tables_cols));
done:
    free(c);
    free(sc);
    free(t);
    free(ty);
    return rc;
}

/* ---------- SQLColumns ------------------------------------------------- */

static const col_override columns_cols[] = {
    VC("TABLE_CAT", SQL_NULLABLE), VC("TABLE_SCHEM", SQL_NULLABLE),
    VC("TABLE_NAME", SQL_NO_NULLS), VC("COLUMN_NAME", SQL_NO_NULLS),
    SC("DATA_TYPE", SQL_NO_NULLS), VC("TYPE_NAME", SQL_NO_NULLS),
    IC("COLUMN_SIZE", SQL_NULLABLE), IC("BUFFER_LENGTH", SQL_NULLABLE),
    SC("DECIMAL_DIGITS", SQL_NULLABLE), SC("NUM_PREC_RADIX", SQL_NULLABLE),
    SC("NULLABLE", SQL_NO_NULLS), {"REMARKS", SQL_VARCHAR, 254, SQL_NULLABLE},
    {"COLUMN_DEF", SQL_VARCHAR, 254, SQL_NULLABLE}, SC("SQL_DATA_TYPE", SQL_NO_NULLS),
    SC("SQL_DATETIME_SUB", SQL_NULLABLE), IC("CHAR_OCTET_LENGTH", SQL_NULLABLE),
    IC("ORDINAL_POSITION", SQL_NO_NULLS), {"IS_NULLABLE", SQL_VARCHAR, 3, SQL_NULLABLE},
};

/* SQL: 0 (SQL_NO_NULLS) when column c of table t can never hold NULL: NOT
 * NULL, a WITHOUT ROWID table's key, or the INTEGER PRIMARY KEY rowid alias. */
#define NULLABLE_EXPR                                                                     \
    "CASE WHEN c.\"notnull\" OR (c.pk > 0 AND (t.wr OR (upper(c.type) = 'INTEGER' AND"     \
    " (SELECT count(*) FROM pragma_table_info(t.name, t.sch) k WHERE k.pk > 0) = 1)))"     \
    " THEN 0 ELSE 1 END"

/*
 * A view whose table was dropped (or a virtual table whose module is not
 * loaded) makes pragma_table_xinfo fail, and with it the whole SQLColumns
 * query over every table. Probe each view and virtual table the pattern
 * matches and leave out the ones SQLite cannot describe.
 */
static void append_broken_views(sqlite3 *db, sqlite3_str *q, const char *tab, int metadata_id)
{
    sqlite3_str *probe = sqlite3_str_new(NULL);
    sqlite3_str_appendf(probe, "SELECT sch, name FROM %s WHERE type IN ('view', 'virtual')",
                        TABLES_SRC);
    append_pattern(probe, "name", tab, metadata_id);
    char *sql = sqlite3_str_finish(probe);
    sqlite3_stmt *list = NULL, *one = NULL;
    if (sql && sqlite3_prepare_v2(db, sql, -1, &list, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_xinfo(?1, ?2)", -1, &one, NULL) ==
            SQLITE_OK) {
        while (sqlite3_step(list) == SQLITE_ROW) {
            const char *sch = (const char *)sqlite3_column_text(list, 0);
            const char *name = (const char *)sqlite3_column_text(list, 1);
            sqlite3_bind_text(one, 1, name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(one, 2, sch, -1, SQLITE_TRANSIENT);
            int rc = sqlite3_step(one);
            sqlite3_reset(one);
            if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                sqlite3_str_appendf(q, " AND NOT (t.sch = %Q AND t.name = %Q)", sch, name);
        }
    }
    sqlite3_finalize(one);
    sqlite3_finalize(list);
    sqlite3_free(sql);
}

SQLRETURN odbc_Columns(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen, const SQLCHAR *sch,
                       SQLSMALLINT schlen, const SQLCHAR *tab, SQLSMALLINT tablen,
                       const SQLCHAR *col, SQLSMALLINT collen)
{
    char *t = NULL, *cn = NULL;
    SQLRETURN rc = catalog_begin(s);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    if (bad_name_lens(s, 2, catlen, schlen))
        return SQL_ERROR;
    if (!SQL_SUCCEEDED(rc = arg_in(s, tab, tablen, &t)) ||
        !SQL_SUCCEEDED(rc = arg_in(s, col, collen, &cn)))
        goto done;
    (void)cat; (void)catlen; (void)sch; (void)schlen;
    int metadata_id = s->metadata_id == SQL_TRUE;
    if (metadata_id) {
        if (t)
            identifier_in_place(t);
        if (cn)
            identifier_in_place(cn);
    }
    sqlite3_str *q = sqlite3_str_new(NULL);
    sqlite3_str_appendf(
        q,
        "SELECT TABLE_CAT, TABLE_SCHEM, TABLE_NAME, COLUMN_NAME, DATA_TYPE, TYPE_NAME,"
        " COLUMN_SIZE, BUFFER_LENGTH, DECIMAL_DIGITS, NUM_PREC_RADIX, NULLABLE, REMARKS,"
        " COLUMN_DEF, SQL_DATA_TYPE, SQL_DATETIME_SUB, CHAR_OCTET_LENGTH, ORDINAL_POSITION,"
        " CASE WHEN NULLABLE = 0 THEN 'NO' ELSE 'YES' END"
        " FROM (SELECT NULL AS TABLE_CAT, NULL AS TABLE_SCHEM, t.name AS TABLE_NAME,"
        " c.name AS COLUMN_NAME, %s AS DATA_TYPE,"
        " odbc_type_name(c.type) AS TYPE_NAME, odbc_column_size(c.type) AS COLUMN_SIZE,"
        " odbc_octet_length(c.type) AS BUFFER_LENGTH,"
        " odbc_decimal_digits(c.type) AS DECIMAL_DIGITS, odbc_radix(c.type) AS NUM_PREC_RADIX,"
        " " NULLABLE_EXPR " AS NULLABLE, NULL AS REMARKS, c.dflt_value AS COLUMN_DEF,"
        " odbc_verbose_type(c.type) AS SQL_DATA_TYPE,"
        " odbc_datetime_sub(c.type) AS SQL_DATETIME_SUB,"
        " odbc_char_octet_length(c.type) AS CHAR_OCTET_LENGTH,"
        " c.cid + 1 AS ORDINAL_POSITION, t.sch AS sch"
        " FROM %s t CROSS JOIN pragma_table_xinfo(t.name, t.sch) c WHERE c.hidden <> 1",
        odbc2_app(s) ? "CASE odbc_sql_type(c.type) WHEN 91 THEN 9 WHEN 92 THEN 10"
                       " WHEN 93 THEN 11 ELSE odbc_sql_type(c.type) END"
                     : "odbc_sql_type(c.type)",
        TABLES_SRC);
    append_broken_views(s->dbc->sqlite, q, t, metadata_id);
    /* system tables only when a pattern could be naming them */
    if (!t || !*t || !strcmp(t, "%"))
        sqlite3_str_appendall(q, " AND t.ttype <> 'SYSTEM TABLE'");
    append_pattern(q, "t.name", t, metadata_id);
    append_pattern(q, "c.name", cn, metadata_id);
    sqlite3_str_appendall(q, ") ORDER BY TABLE_NAME, sch = 'main', ORDINAL_POSITION");
    rc = run_query(s, q, columns_cols, N_COLS(columns_cols));
done:
    free(t);
    free(cn);
    return rc;
}

/* ---------- SQLPrimaryKeys --------------------------------------------- */

static const col_override pk_cols[] = {
    VC("TABLE_CAT", SQL_NULLABLE), VC("TABLE_SCHEM", SQL_NULLABLE),
    VC("TABLE_NAME", SQL_NO_NULLS), VC("COLUMN_NAME", SQL_NO_NULLS),
    SC("KEY_SEQ", SQL_NO_NULLS), VC("PK_NAME", SQL_NULLABLE),
};

/* Copy an ordinary (non-pattern) table-name argument; missing -> HY009. */
static SQLRETURN table_arg(stmt *s, const SQLCHAR *tab, SQLSMALLINT tablen, char **out)
{
    SQLRETURN rc = arg_in(s, tab, tablen, out);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    if (!*out)
        return diag_post(&s->hdr.diag, "HY009", 0, "Invalid use of null pointer: table name");
    if (s->metadata_id == SQL_TRUE)
        identifier_in_place(*out);
    return SQL_SUCCESS;
}

SQLRETURN odbc_PrimaryKeys(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen, const SQLCHAR *sch,
                           SQLSMALLINT schlen, const SQLCHAR *tab, SQLSMALLINT tablen)
{
    char *t = NULL;
    SQLRETURN rc = catalog_begin(s);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    if (bad_name_lens(s, 2, catlen, schlen))
        return SQL_ERROR;
    if (!SQL_SUCCEEDED(rc = table_arg(s, tab, tablen, &t)))
        return rc;
    (void)cat; (void)catlen; (void)sch; (void)schlen;
    sqlite3_str *q = sqlite3_str_new(NULL);
    sqlite3_str_appendall(q, "SELECT NULL, NULL, t.name, c.name, c.pk, NULL FROM ");
    append_one_table(q, t, "AND type <> 'view'");
    sqlite3_str_appendall(q, " t CROSS JOIN pragma_table_info(t.name, t.sch) c WHERE c.pk > 0 ORDER BY c.pk");
    rc = run_query(s, q, pk_cols, N_COLS(pk_cols));
    free(t);
    return rc;
}

/* ---------- SQLForeignKeys --------------------------------------------- */

static const col_override fk_cols[] = {
    VC("PKTABLE_CAT", SQL_NULLABLE), VC("PKTABLE_SCHEM", SQL_NULLABLE),
    VC("PKTABLE_NAME", SQL_NO_NULLS), VC("PKCOLUMN_NAME", SQL_NO_NULLS),
    VC("FKTABLE_CAT", SQL_NULLABLE), VC("FKTABLE_SCHEM", SQL_NULLABLE),
    VC("FKTABLE_NAME", SQL_NO_NULLS), VC("FKCOLUMN_NAME", SQL_NO_NULLS),
    SC("KEY_SEQ", SQL_NO_NULLS), SC("UPDATE_RULE", SQL_NULLABLE),
    SC("DELETE_RULE", SQL_NULLABLE), VC("FK_NAME", SQL_NULLABLE),
    VC("PK_NAME", SQL_NULLABLE), SC("DEFERRABILITY", SQL_NULLABLE),
};

/* pragma_foreign_key_list's action text -> SQL_CASCADE ... SQL_NO_ACTION */
#define RULE_EXPR(col)                                                                     \
    "CASE upper(f." col ") WHEN 'CASCADE' THEN 0 WHEN 'RESTRICT' THEN 1"                   \
    " WHEN 'SET NULL' THEN 2 WHEN 'SET DEFAULT' THEN 4 ELSE 3 END"

SQLRETURN odbc_ForeignKeys(stmt *s, const SQLCHAR *pkcat, SQLSMALLINT pkcatlen,
                           const SQLCHAR *pksch, SQLSMALLINT pkschlen, const SQLCHAR *pktab,
                           SQLSMALLINT pktablen, const SQLCHAR *fkcat, SQLSMALLINT fkcatlen,
                           const SQLCHAR *fksch, SQLSMALLINT fkschlen, const SQLCHAR *fktab,
                           SQLSMALLINT fktablen)
{
    char *pk = NULL, *fk = NULL;
    SQLRETURN rc = catalog_begin(s);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    if (bad_name_lens(s, 6, pkcatlen, pkschlen, pktablen, fkcatlen, fkschlen, fktablen))
        return SQL_ERROR;
    (void)pkcat; (void)pkcatlen; (void)pksch; (void)pkschlen;
    (void)fkcat; (void)fkcatlen; (void)fksch; (void)fkschlen;
    if (!SQL_SUCCEEDED(rc = arg_in(s, pktab, pktablen, &pk)) ||
        !SQL_SUCCEEDED(rc = arg_in(s, fktab, fktablen, &fk)))
        goto done;
    if (pk && !*pk) {
        free(pk);
        pk = NULL;
    }
    if (fk && !*fk) {
        free(fk);
        fk = NULL;
    }
    if (!pk && !fk) {
        rc = diag_post(&s->hdr.diag, "HY009", 0,
                       "Invalid use of null pointer: give a primary key or a foreign key table");
        goto done;
    }
    if (s->metadata_id == SQL_TRUE) {
        if (pk)
            identifier_in_place(pk);
        if (fk)
            identifier_in_place(fk);
    }
    sqlite3_str *q = sqlite3_str_new(NULL);
    sqlite3_str_appendf(
        q,
        "SELECT NULL, NULL,"
        " COALESCE((SELECT p.name FROM %s p WHERE p.sch = t.sch"
        "   AND p.name = f.\"table\" COLLATE NOCASE), f.\"table\") AS PKTABLE_NAME,"
        " COALESCE(f.\"to\", (SELECT k.name FROM pragma_table_info(f.\"table\", t.sch) k"
        "   WHERE k.pk = f.seq + 1)) AS PKCOLUMN_NAME,"
        " NULL, NULL, t.name AS FKTABLE_NAME, f.\"from\", f.seq + 1 AS KEY_SEQ,"
        " " RULE_EXPR("on_update") ", " RULE_EXPR("on_delete") ","
        " 'fk_' || t.name || '_' || f.id AS FK_NAME, NULL, %d"
        " FROM %s t CROSS JOIN pragma_foreign_key_list(t.name, t.sch) f WHERE t.type = 'table'",
        TABLES_SRC, SQL_NOT_DEFERRABLE, TABLES_SRC);
    if (pk)
        sqlite3_str_appendf(q, " AND f.\"table\" = %Q COLLATE NOCASE", pk);
    if (fk)
        sqlite3_str_appendf(q, " AND t.name = %Q COLLATE NOCASE", fk);
    if (pk && !fk)
        sqlite3_str_appendall(q, " ORDER BY FKTABLE_NAME, FK_NAME, KEY_SEQ");
    else
        sqlite3_str_appendall(q, " ORDER BY PKTABLE_NAME, FK_NAME, KEY_SEQ");
    rc = run_query(s, q, fk_cols, N_COLS(fk_cols));
done:
    free(pk);
    free(fk);
    return rc;
}

/* ---------- SQLStatistics ---------------------------------------------- */

/* CROSS JOIN throughout: SQLite 3.40 returns no rows for
 * "t, pragma_index_list(t.name, t.sch) il, pragma_index_xinfo(il.name, t.sch)"
 * when the planner reorders the pragma functions; CROSS JOIN fixes the order. */

static const col_override stat_cols[] = {
    VC("TABLE_CAT", SQL_NULLABLE), VC("TABLE_SCHEM", SQL_NULLABLE),
    VC("TABLE_NAME", SQL_NO_NULLS), SC("NON_UNIQUE", SQL_NULLABLE),
    VC("INDEX_QUALIFIER", SQL_NULLABLE), VC("INDEX_NAME", SQL_NULLABLE),
    SC("TYPE", SQL_NO_NULLS), SC("ORDINAL_POSITION", SQL_NULLABLE),
    VC("COLUMN_NAME", SQL_NULLABLE), {"ASC_OR_DESC", SQL_VARCHAR, 1, SQL_NULLABLE},
    IC("CARDINALITY", SQL_NULLABLE), IC("PAGES", SQL_NULLABLE),
    VC("FILTER_CONDITION", SQL_NULLABLE),
};

/* Whether a table of that name exists (temp first); fills its schema. */
static int find_table(sqlite3 *db, const char *name, char *sch, size_t schlen, int *is_view,
                      int *without_rowid)
{
    sqlite3_str *q = sqlite3_str_new(NULL);
    sqlite3_str_appendall(q, "SELECT sch, type = 'view', wr FROM ");
    append_one_table(q, name, NULL);
    char *sql = sqlite3_str_finish(q);
    sqlite3_stmt *st = NULL;
    int found = 0;
    if (sql && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const char *sc = (const char *)sqlite3_column_text(st, 0);
        snprintf(sch, schlen, "%s", sc ? sc : "main");
        *is_view = sqlite3_column_int(st, 1);
        *without_rowid = sqlite3_column_int(st, 2);
        found = 1;
    }
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return found;
}

SQLRETURN odbc_Statistics(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen, const SQLCHAR *sch,
                          SQLSMALLINT schlen, const SQLCHAR *tab, SQLSMALLINT tablen,
                          SQLUSMALLINT unique, SQLUSMALLINT reserved)
{
    char *t = NULL;
    SQLRETURN rc = catalog_begin(s);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    if (bad_name_lens(s, 2, catlen, schlen))
        return SQL_ERROR;
    (void)cat; (void)catlen; (void)sch; (void)schlen;
    if (unique != SQL_INDEX_UNIQUE && unique != SQL_INDEX_ALL)
        return diag_post(&s->hdr.diag, "HY100", 0, "Uniqueness option type out of range");
    if (reserved != SQL_ENSURE && reserved != SQL_QUICK)
        return diag_post(&s->hdr.diag, "HY101", 0, "Accuracy option type out of range");
    if (!SQL_SUCCEEDED(rc = table_arg(s, tab, tablen, &t)))
        return rc;

    char tsch[16] = "";
    int is_view = 0, wr = 0;
    int exists = find_table(s->dbc->sqlite, t, tsch, sizeof tsch, &is_view, &wr);
    sqlite3_str *q = sqlite3_str_new(NULL);
    sqlite3_str_appendall(q, "SELECT NULL, NULL, t.name, NULL, NULL, NULL, 0, NULL, NULL, NULL, ");
    /* SQL_ENSURE: count the rows (the table's name is an identifier here,
     * quoted with %w, and we know it exists) */
    if (exists && !is_view && reserved == SQL_ENSURE)
        sqlite3_str_appendf(q, "(SELECT count(*) FROM \"%w\".\"%w\")", tsch, t);
    else
        sqlite3_str_appendall(q, "NULL");
    sqlite3_str_appendall(q, ", NULL, NULL FROM ");
    append_one_table(q, t, NULL);
    sqlite3_str_appendall(
        q, " t UNION ALL SELECT NULL, NULL, t.name, 1 - il.\"unique\", NULL, il.name, ");
    sqlite3_str_appendf(q, "%d", SQL_INDEX_OTHER);
    sqlite3_str_appendall(
        q, ", x.seqno + 1, x.name, CASE WHEN x.\"desc\" THEN 'D' ELSE 'A' END, NULL, NULL, NULL"
           " FROM ");
    append_one_table(q, t, NULL);
    sqlite3_str_appendall(q, " t CROSS JOIN pragma_index_list(t.name, t.sch) il"
                             " CROSS JOIN pragma_index_xinfo(il.name, t.sch) x WHERE x.key = 1");
    if (unique == SQL_INDEX_UNIQUE)
        sqlite3_str_appendall(q, " AND il.\"unique\" = 1");
    /* An INTEGER PRIMARY KEY has no index of its own: it is the rowid, the
     * key of the table's B-tree. Tools that look for a unique index to
     * update rows by (MS Access, for one) need to see it, so it appears as
     * the table's clustered index, named PRIMARY. */
    sqlite3_str_appendf(q, " UNION ALL SELECT NULL, NULL, t.name, 0, NULL, 'PRIMARY', %d, 1,"
                           " c.name, 'A', NULL, NULL, NULL FROM ",
                        SQL_INDEX_CLUSTERED);
    append_one_table(q, t, NULL);
    sqlite3_str_appendall(
        q, " t CROSS JOIN pragma_table_info(t.name, t.sch) c WHERE t.type = 'table'"
           " AND NOT t.wr AND c.pk = 1 AND upper(c.type) = 'INTEGER'"
           " AND (SELECT count(*) FROM pragma_table_info(t.name, t.sch) k WHERE k.pk > 0) = 1");
    sqlite3_str_appendall(q, " ORDER BY 4, 7, 5, 6, 8");
    rc = run_query(s, q, stat_cols, N_COLS(stat_cols));
    free(t);
    return rc;
}

/* ---------- SQLSpecialColumns ------------------------------------------ */

static const col_override special_cols[] = {
    SC("SCOPE", SQL_NULLABLE), VC("COLUMN_NAME", SQL_NO_NULLS),
    SC("DATA_TYPE", SQL_NO_NULLS), VC("TYPE_NAME", SQL_NO_NULLS),
    IC("COLUMN_SIZE", SQL_NULLABLE), IC("BUFFER_LENGTH", SQL_NULLABLE),
    SC("DECIMAL_DIGITS", SQL_NULLABLE), SC("PSEUDO_COLUMN", SQL_NULLABLE),
};

static int add_special_row(mem_rows *rows, const char *name, const char *decl,
                           const typemap_opts *o, int pseudo, int odbc2)
{
    type_desc d;
    db_value *r = mem_rows_add(rows);
    if (!r)
        return -1;
    typemap_describe(decl, SQLITE_INTEGER, o, &d);
    mem_set_int(&r[0], SQL_SCOPE_SESSION);
    if (mem_set_text(&r[1], name) != 0 || mem_set_text(&r[3], d.type_name) != 0)
        return -1;
    mem_set_int(&r[2], odbc2 ? odbc2_type(d.sql_type) : d.sql_type);
    mem_set_int(&r[4], (sqlite3_int64)d.column_size);
    mem_set_int(&r[5], d.octet_length);
    if (d.radix || d.sql_type == SQL_TYPE_TIMESTAMP)
        mem_set_int(&r[6], d.decimal_digits);
    mem_set_int(&r[7], pseudo);
    return 0;
}

/* The columns that identify a row: the INTEGER PRIMARY KEY (it is the
 * rowid), else the primary key, else the rowid pseudo column. */
static int best_rowid(sqlite3 *db, const char *tsch, const char *t, int wr,
                      SQLUSMALLINT nullable, const typemap_opts *o, int odbc2, mem_rows *rows)
{
    char *sql = sqlite3_mprintf("SELECT name, type, \"notnull\", "
                                "(SELECT count(*) FROM pragma_table_info(%Q, %Q) WHERE pk > 0)"
                                " FROM pragma_table_info(%Q, %Q) WHERE pk > 0 ORDER BY pk",
                                t, tsch, t, tsch);
    sqlite3_stmt *st = NULL;
    int rc = 0, npk = 0;
    if (!sql || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_free(sql);
        return -1;
    }
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *type = (const char *)sqlite3_column_text(st, 1);
        int notnull = sqlite3_column_int(st, 2);
        int count = sqlite3_column_int(st, 3);
        int is_rowid_alias = !wr && count == 1 && type && !sqlite3_stricmp(type, "INTEGER");
        npk++;
        /* SQL_NO_NULLS: leave out key columns that SQLite lets hold NULL
         * (non-integer keys of rowid tables without NOT NULL) */
        if (nullable == SQL_NO_NULLS && !notnull && !wr && !is_rowid_alias)
            continue;
        rc = add_special_row(rows, name ? name : "", type, o, SQL_PC_NOT_PSEUDO, odbc2);
    }
    sqlite3_finalize(st);
    sqlite3_free(sql);
    if (rc == 0 && npk == 0 && !wr) {
        /* no key: the rowid, under whichever of its names no column shadows */
        static const char *const aliases[] = {"rowid", "_rowid_", "oid"};
        for (int i = 0; i < 3; i++) {
            char *probe = sqlite3_mprintf("SELECT 1 FROM pragma_table_info(%Q, %Q)"
                                          " WHERE name = %Q COLLATE NOCASE",
                                          t, tsch, aliases[i]);
            int shadowed = 1;
            if (probe && sqlite3_prepare_v2(db, probe, -1, &st, NULL) == SQLITE_OK)
                shadowed = sqlite3_step(st) == SQLITE_ROW;
            sqlite3_finalize(st);
            st = NULL;
            sqlite3_free(probe);
            if (!shadowed)
                return add_special_row(rows, aliases[i], "INTEGER", o, SQL_PC_PSEUDO, odbc2);
        }
    }
    return rc;
}

SQLRETURN odbc_SpecialColumns(stmt *s, SQLUSMALLINT idtype, const SQLCHAR *cat,
                              SQLSMALLINT catlen, const SQLCHAR *sch, SQLSMALLINT schlen,
                              const SQLCHAR *tab, SQLSMALLINT tablen, SQLUSMALLINT scope,
                              SQLUSMALLINT nullable)
{
    char *t = NULL;
    SQLRETURN rc = catalog_begin(s);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    if (bad_name_lens(s, 2, catlen, schlen))
        return SQL_ERROR;
    (void)cat; (void)catlen; (void)sch; (void)schlen;
    if (idtype != SQL_BEST_ROWID && idtype != SQL_ROWVER)
        return diag_post(&s->hdr.diag, "HY097", 0, "Column type out of range");
    if (scope != SQL_SCOPE_CURROW && scope != SQL_SCOPE_TRANSACTION &&
        scope != SQL_SCOPE_SESSION)
        return diag_post(&s->hdr.diag, "HY098", 0, "Scope type out of range");
    if (nullable != SQL_NO_NULLS && nullable != SQL_NULLABLE)
        return diag_post(&s->hdr.diag, "HY099", 0, "Nullable type out of range");
    if (!SQL_SUCCEEDED(rc = table_arg(s, tab, tablen, &t)))
        return rc;

    mem_rows rows;
    if (mem_rows_init(&rows, N_COLS(special_cols)) != 0) {
        free(t);
        return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
    }
    char tsch[16] = "";
    int is_view = 0, wr = 0;
    /* SQL_ROWVER: SQLite has no automatically updated columns */
    if (idtype == SQL_BEST_ROWID &&
        find_table(s->dbc->sqlite, t, tsch, sizeof tsch, &is_view, &wr) && !is_view) {
        typemap_opts o;
        typemap_opts_from_dbc(s->dbc, &o);
        if (best_rowid(s->dbc->sqlite, tsch, t, wr, nullable, &o, odbc2_app(s), &rows) != 0) {
            mem_rows_free(&rows);
            free(t);
            return diag_post_sqlite(&s->hdr.diag, s->dbc->sqlite,
                                    sqlite3_errcode(s->dbc->sqlite));
        }
    }
    free(t);
    return stmt_set_mem_result(s, &rows, special_cols, N_COLS(special_cols));
}

/* ---------- procedures and privileges: none in SQLite ------------------- */

static const col_override procedures_cols[] = {
    VC("PROCEDURE_CAT", SQL_NULLABLE), VC("PROCEDURE_SCHEM", SQL_NULLABLE),
    VC("PROCEDURE_NAME", SQL_NO_NULLS), IC("NUM_INPUT_PARAMS", SQL_NULLABLE),
    IC("NUM_OUTPUT_PARAMS", SQL_NULLABLE), IC("NUM_RESULT_SETS", SQL_NULLABLE),
    {"REMARKS", SQL_VARCHAR, 254, SQL_NULLABLE}, SC("PROCEDURE_TYPE", SQL_NULLABLE),
};

static const col_override procedure_columns_cols[] = {
    VC("PROCEDURE_CAT", SQL_NULLABLE), VC("PROCEDURE_SCHEM", SQL_NULLABLE),
    VC("PROCEDURE_NAME", SQL_NO_NULLS), VC("COLUMN_NAME", SQL_NO_NULLS),
    SC("COLUMN_TYPE", SQL_NO_NULLS), SC("DATA_TYPE", SQL_NO_NULLS),
    VC("TYPE_NAME", SQL_NO_NULLS), IC("COLUMN_SIZE", SQL_NULLABLE),
    IC("BUFFER_LENGTH", SQL_NULLABLE), SC("DECIMAL_DIGITS", SQL_NULLABLE),
    SC("NUM_PREC_RADIX", SQL_NULLABLE), SC("NULLABLE", SQL_NO_NULLS),
    {"REMARKS", SQL_VARCHAR, 254, SQL_NULLABLE}, {"COLUMN_DEF", SQL_VARCHAR, 254, SQL_NULLABLE},
    SC("SQL_DATA_TYPE", SQL_NO_NULLS), SC("SQL_DATETIME_SUB", SQL_NULLABLE),
    IC("CHAR_OCTET_LENGTH", SQL_NULLABLE), IC("ORDINAL_POSITION", SQL_NO_NULLS),
    {"IS_NULLABLE", SQL_VARCHAR, 3, SQL_NULLABLE},
};

static const col_override table_privileges_cols[] = {
    VC("TABLE_CAT", SQL_NULLABLE), VC("TABLE_SCHEM", SQL_NULLABLE),
    VC("TABLE_NAME", SQL_NO_NULLS), VC("GRANTOR", SQL_NULLABLE),
    VC("GRANTEE", SQL_NO_NULLS), VC("PRIVILEGE", SQL_NO_NULLS),
    {"IS_GRANTABLE", SQL_VARCHAR, 3, SQL_NULLABLE},
};

static const col_override column_privileges_cols[] = {
    VC("TABLE_CAT", SQL_NULLABLE), VC("TABLE_SCHEM", SQL_NULLABLE),
    VC("TABLE_NAME", SQL_NO_NULLS), VC("COLUMN_NAME", SQL_NO_NULLS),
    VC("GRANTOR", SQL_NULLABLE), VC("GRANTEE", SQL_NO_NULLS),
    VC("PRIVILEGE", SQL_NO_NULLS), {"IS_GRANTABLE", SQL_VARCHAR, 3, SQL_NULLABLE},
};

SQLRETURN odbc_Procedures(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen, const SQLCHAR *sch,
                          SQLSMALLINT schlen, const SQLCHAR *proc, SQLSMALLINT proclen)
{
    SQLRETURN rc = catalog_begin(s);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    if (bad_name_lens(s, 3, catlen, schlen, proclen))
        return SQL_ERROR;
    (void)cat; (void)catlen; (void)sch; (void)schlen; (void)proc; (void)proclen;
    return empty_result(s, procedures_cols, N_COLS(procedures_cols));
}

SQLRETURN odbc_ProcedureColumns(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen,
                                const SQLCHAR *sch, SQLSMALLINT schlen, const SQLCHAR *proc,
                                SQLSMALLINT proclen, const SQLCHAR *col, SQLSMALLINT collen)
{
    SQLRETURN rc = catalog_begin(s);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    if (bad_name_lens(s, 4, catlen, schlen, proclen, collen))
        return SQL_ERROR;
    (void)cat; (void)catlen; (void)sch; (void)schlen; (void)proc; (void)proclen;
    (void)col; (void)collen;
    return empty_result(s, procedure_columns_cols, N_COLS(procedure_columns_cols));
}

SQLRETURN odbc_TablePrivileges(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen,
                               const SQLCHAR *sch, SQLSMALLINT schlen, const SQLCHAR *tab,
                               SQLSMALLINT tablen)
{
    SQLRETURN rc = catalog_begin(s);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    if (bad_name_lens(s, 3, catlen, schlen, tablen))
        return SQL_ERROR;
    (void)cat; (void)catlen; (void)sch; (void)schlen; (void)tab; (void)tablen;
    return empty_result(s, table_privileges_cols, N_COLS(table_privileges_cols));
}

SQLRETURN odbc_ColumnPrivileges(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen,
                                const SQLCHAR *sch, SQLSMALLINT schlen, const SQLCHAR *tab,
                                SQLSMALLINT tablen, const SQLCHAR *col, SQLSMALLINT collen)
{
    SQLRETURN rc = catalog_begin(s);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    if (bad_name_lens(s, 4, catlen, schlen, tablen, collen))
        return SQL_ERROR;
    (void)cat; (void)catlen; (void)sch; (void)schlen; (void)tab; (void)tablen;
    (void)col; (void)collen;
    return empty_result(s, column_privileges_cols, N_COLS(column_privileges_cols));
}

/* ---------- SQLGetTypeInfo --------------------------------------------- */

/* SQL_ALL_TYPES or an ODBC SQL type identifier (ODBC 2 and 3 codes, the
 * Unicode types and intervals): anything else is HY004, not an empty set. */
static int sql_type_known(SQLSMALLINT t)
{
    switch (t) {
    case SQL_ALL_TYPES: case SQL_CHAR: case SQL_VARCHAR: case SQL_LONGVARCHAR:
    case SQL_WCHAR: case SQL_WVARCHAR: case SQL_WLONGVARCHAR: case SQL_DECIMAL:
    case SQL_NUMERIC: case SQL_SMALLINT: case SQL_INTEGER: case SQL_REAL: case SQL_FLOAT:
    case SQL_DOUBLE: case SQL_BIT: case SQL_TINYINT: case SQL_BIGINT: case SQL_BINARY:
    case SQL_VARBINARY: case SQL_LONGVARBINARY: case SQL_TYPE_DATE: case SQL_TYPE_TIME:
    case SQL_TYPE_TIMESTAMP: case SQL_DATE: case SQL_TIME: case SQL_TIMESTAMP: case SQL_GUID:
        return 1;
    default:
        return t >= SQL_INTERVAL_YEAR && t <= SQL_INTERVAL_MINUTE_TO_SECOND;
    }
}

/* Rewrite DATA_TYPE (and SQL_DATA_TYPE's datetime rows) to ODBC 2 codes and
 * keep the rows sorted by DATA_TYPE: a stable insertion sort, as the old
 * 9/10/11 now sort before SQL_VARCHAR (12) where 91/92/93 came last. */
static int odbc2_type_info(mem_rows *rows)
{
    int nc = rows->ncols;
    db_value *tmp = malloc(sizeof(db_value) * (size_t)nc);
    if (!tmp)
        return -1;
    for (SQLLEN r = 0; r < rows->nrows; r++) {
        db_value *dt = &rows->cells[r * nc + 1];
        dt->i = odbc2_type(dt->i);
    }
    for (SQLLEN r = 1; r < rows->nrows; r++) {
        SQLLEN j = r;
        memcpy(tmp, &rows->cells[r * nc], sizeof(db_value) * (size_t)nc);
        while (j > 0 && rows->cells[(j - 1) * nc + 1].i > tmp[1].i) {
            memcpy(&rows->cells[j * nc], &rows->cells[(j - 1) * nc], sizeof(db_value) * (size_t)nc);
            j--;
        }
        memcpy(&rows->cells[j * nc], tmp, sizeof(db_value) * (size_t)nc);
    }
    free(tmp);
    return 0;
}

SQLRETURN odbc_GetTypeInfo(stmt *s, SQLSMALLINT type)
{
    SQLRETURN rc = catalog_begin(s);
    if (!SQL_SUCCEEDED(rc))
        return rc;
    if (!sql_type_known(type))
        return diag_post(&s->hdr.diag, "HY004", 0, "Invalid SQL data type %d", (int)type);
    typemap_opts o;
    mem_rows rows;
    typemap_opts_from_dbc(s->dbc, &o);
    if (typemap_type_info_rows(type, &o, &rows) != SQL_SUCCESS)
        return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
    if (odbc2_app(s) && odbc2_type_info(&rows) != 0) {
        mem_rows_free(&rows);
        return diag_post(&s->hdr.diag, "HY001", 0, "Memory allocation error");
    }
    return stmt_set_mem_result(s, &rows, typemap_type_info_cols, 19);
}
