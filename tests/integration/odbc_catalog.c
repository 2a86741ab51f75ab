/*
 * odbc_catalog.c — the catalog functions through unixODBC: SQLTables (all,
 * type lists, patterns, the three enumerations), SQLColumns (values, and
 * agreement with SQLDescribeCol and SQLGetTypeInfo), SQLPrimaryKeys,
 * SQLForeignKeys (both directions), SQLStatistics, SQLSpecialColumns, the
 * always-empty procedure/privilege functions, and SQLGetTypeInfo.
 *
 * Run through tests/integration/run.sh (driver registered as "libSQL",
 * LSQ_TEST_TMP set). Prints "N passed, M failed"; exits 1 on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sql.h>
#include <sqlext.h>

static int passed, failed;

#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (cond) {                                                          \
            passed++;                                                        \
        } else {                                                             \
            failed++;                                                        \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                      \
            printf(__VA_ARGS__);                                             \
            printf("\n");                                                    \
        }                                                                    \
    } while (0)

#define MAX_ROWS 128
#define MAX_COLS 24
#define CELL 256

/* A whole result set as text; NULL cells are marked. */
typedef struct result {
    SQLRETURN rc;              /* of the catalog call */
    char state[6];             /* its SQLSTATE when it failed */
    int ncols, nrows;
    char names[MAX_COLS][64];
    SQLSMALLINT types[MAX_COLS];
    char cell[MAX_ROWS][MAX_COLS][CELL];
    int isnull[MAX_ROWS][MAX_COLS];
} result;

static result R;  /* big: keep it off the stack */
static SQLHENV env;
static SQLHDBC dbc;

static void diag_state(SQLSMALLINT type, SQLHANDLE h, char *state)
{
    SQLCHAR msg[512];
    SQLINTEGER native;
    SQLSMALLINT len;
    state[0] = '\0';
    if (SQL_SUCCEEDED(SQLGetDiagRec(type, h, 1, (SQLCHAR *)state, &native, msg, sizeof msg,
                                    &len)))
        return;
    strcpy(state, "?????");
}

static void print_diag(SQLSMALLINT type, SQLHANDLE h, const char *what)
{
    SQLCHAR state[6], msg[512];
    SQLINTEGER native;
    SQLSMALLINT len;
    for (SQLSMALLINT i = 1;
         SQL_SUCCEEDED(SQLGetDiagRec(type, h, i, state, &native, msg, sizeof msg, &len)); i++)
        printf("  %s: [%s] %s\n", what, state, msg);
}

/* Read the statement's result set into R (after the call that made it). */
static void collect(SQLHSTMT st, SQLRETURN rc)
{
    memset(&R, 0, sizeof R);
    R.rc = rc;
    if (!SQL_SUCCEEDED(rc)) {
        diag_state(SQL_HANDLE_STMT, st, R.state);
        return;
    }
    SQLSMALLINT n = 0;
    if (!SQL_SUCCEEDED(SQLNumResultCols(st, &n))) {
        print_diag(SQL_HANDLE_STMT, st, "SQLNumResultCols");
        R.ncols = -1;
        return;
    }
    R.ncols = n;
    for (SQLSMALLINT c = 1; c <= n && c <= MAX_COLS; c++) {
        SQLSMALLINT nl, ty, dg, nu;
        SQLULEN sz;
        if (!SQL_SUCCEEDED(SQLDescribeCol(st, c, (SQLCHAR *)R.names[c - 1], 64, &nl, &ty, &sz,
                                          &dg, &nu)))
            print_diag(SQL_HANDLE_STMT, st, "SQLDescribeCol");
        R.types[c - 1] = ty;
    }
    for (;;) {
        SQLRETURN f = SQLFetch(st);
        if (f == SQL_NO_DATA)
            break;
        if (!SQL_SUCCEEDED(f)) {
            print_diag(SQL_HANDLE_STMT, st, "SQLFetch");
            R.nrows = -1;
            break;
        }
        if (R.nrows >= MAX_ROWS)
            continue;
        for (SQLSMALLINT c = 1; c <= n && c <= MAX_COLS; c++) {
            SQLLEN ind = 0;
            char *buf = R.cell[R.nrows][c - 1];
            SQLRETURN g = SQLGetData(st, c, SQL_C_CHAR, buf, CELL, &ind);
            if (!SQL_SUCCEEDED(g)) {
                print_diag(SQL_HANDLE_STMT, st, "SQLGetData");
                strcpy(buf, "<error>");
            } else if (ind == SQL_NULL_DATA) {
                R.isnull[R.nrows][c - 1] = 1;
                strcpy(buf, "<null>");
            }
        }
        R.nrows++;
    }
    SQLFreeStmt(st, SQL_CLOSE);
}

static SQLHSTMT new_stmt(void)
{
    SQLHSTMT st = SQL_NULL_HSTMT;
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st))) {
        print_diag(SQL_HANDLE_DBC, dbc, "SQLAllocHandle(STMT)");
        printf("FAIL: cannot allocate a statement\n");
        exit(1);
    }
    return st;
}

static int exec(const char *sql)
{
    SQLHSTMT st = new_stmt();
    SQLRETURN rc = SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS);
    if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA)
        print_diag(SQL_HANDLE_STMT, st, sql);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    return SQL_SUCCEEDED(rc) || rc == SQL_NO_DATA;
}

/* Column index (0-based) of a named result column, -1 if missing. */
static int col(const char *name)
{
    for (int i = 0; i < R.ncols && i < MAX_COLS; i++)
        if (!strcmp(R.names[i], name))
            return i;
    return -1;
}

static const char *val(int row, const char *name)
{
    int c = col(name);
    if (row < 0 || row >= R.nrows || c < 0)
        return "<missing>";
    return R.cell[row][c];
}

static long ival(int row, const char *name)
{
    return atol(val(row, name));
}

/* First row whose column `name` equals v, or -1. */
static int find_row(const char *name, const char *v)
{
    for (int r = 0; r < R.nrows; r++)
        if (!strcmp(val(r, name), v))
            return r;
    return -1;
}

static void check_columns(const char *fn, const char *const *names, int n)
{
    CHECK(SQL_SUCCEEDED(R.rc), "%s failed [%s]", fn, R.state);
    CHECK(R.ncols == n, "%s: %d columns, want %d", fn, R.ncols, n);
    for (int i = 0; i < n && i < R.ncols; i++)
        CHECK(!strcmp(R.names[i], names[i]), "%s column %d is %s, want %s", fn, i + 1,
              R.names[i], names[i]);
}

static const char *const TABLES_COLS[] = {"TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME",
                                          "TABLE_TYPE", "REMARKS"};

static void tables(const char *cat, const char *sch, const char *tab, const char *types)
{
    SQLHSTMT st = new_stmt();
    SQLRETURN rc = SQLTables(st, (SQLCHAR *)cat, cat ? SQL_NTS : 0, (SQLCHAR *)sch,
                             sch ? SQL_NTS : 0, (SQLCHAR *)tab, tab ? SQL_NTS : 0,
                             (SQLCHAR *)types, types ? SQL_NTS : 0);
    collect(st, rc);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    check_columns("SQLTables", TABLES_COLS, 5);
}

static void test_tables(void)
{
    tables(NULL, NULL, NULL, NULL);
    /* 8 tables + the temp table + the view; no sqlite_* system tables */
    CHECK(R.nrows == 10, "SQLTables(all): %d rows, want 10", R.nrows);
    int r = find_row("TABLE_NAME", "parent");
    CHECK(r >= 0 && !strcmp(val(r, "TABLE_TYPE"), "TABLE"), "parent is a TABLE: %s",
          val(r, "TABLE_TYPE"));
    CHECK(r >= 0 && R.isnull[r][0] && R.isnull[r][1], "TABLE_CAT/TABLE_SCHEM are NULL");
    r = find_row("TABLE_NAME", "v_parent");
    CHECK(r >= 0 && !strcmp(val(r, "TABLE_TYPE"), "VIEW"), "v_parent is a VIEW");
    r = find_row("TABLE_NAME", "scratch");
    CHECK(r >= 0 && !strcmp(val(r, "TABLE_TYPE"), "LOCAL TEMPORARY"),
          "scratch is LOCAL TEMPORARY: %s", val(r, "TABLE_TYPE"));
    CHECK(find_row("TABLE_NAME", "sqlite_schema") < 0, "no system tables unless asked");
    /* ordered by TABLE_TYPE, then TABLE_NAME */
    for (int i = 1; i < R.nrows; i++) {
        int t = strcmp(val(i - 1, "TABLE_TYPE"), val(i, "TABLE_TYPE"));
        CHECK(t < 0 || (t == 0 && strcmp(val(i - 1, "TABLE_NAME"), val(i, "TABLE_NAME")) < 0),
              "SQLTables order: row %d (%s %s) after (%s %s)", i, val(i, "TABLE_TYPE"),
              val(i, "TABLE_NAME"), val(i - 1, "TABLE_TYPE"), val(i - 1, "TABLE_NAME"));
    }

    tables(NULL, NULL, NULL, "'TABLE','VIEW'");
    CHECK(R.nrows == 9, "SQLTables('TABLE','VIEW'): %d rows, want 9", R.nrows);
    tables(NULL, NULL, NULL, "TABLE, VIEW");
    CHECK(R.nrows == 9, "SQLTables(TABLE, VIEW): %d rows, want 9", R.nrows);
    tables(NULL, NULL, NULL, "VIEW");
    CHECK(R.nrows == 1 && !strcmp(val(0, "TABLE_NAME"), "v_parent"), "SQLTables(VIEW)");
    tables(NULL, NULL, NULL, "SYSTEM TABLE");
    CHECK(R.nrows >= 1, "SQLTables(SYSTEM TABLE) lists sqlite_schema: %d rows", R.nrows);
    for (int i = 0; i < R.nrows; i++)
        CHECK(!strncmp(val(i, "TABLE_NAME"), "sqlite_", 7), "system table %s",
              val(i, "TABLE_NAME"));
    tables(NULL, NULL, NULL, "NOSUCHTYPE");
    CHECK(R.nrows == 0, "unknown table type: %d rows", R.nrows);

    /* patterns: % and _, the escape \, case-insensitive like SQLite names */
    tables(NULL, NULL, "par%", NULL);
    CHECK(R.nrows == 1 && !strcmp(val(0, "TABLE_NAME"), "parent"), "pattern par%%: %d rows",
          R.nrows);
    tables(NULL, NULL, "PARENT", NULL);
    CHECK(R.nrows == 1, "pattern PARENT (case-insensitive): %d rows", R.nrows);
    tables(NULL, NULL, "under_score", NULL);
    CHECK(R.nrows == 2, "pattern under_score matches 2: %d rows", R.nrows);
    tables(NULL, NULL, "under\\_score", NULL);
    CHECK(R.nrows == 1 && !strcmp(val(0, "TABLE_NAME"), "under_score"),
          "escaped pattern under\\_score: %d rows", R.nrows);
    tables(NULL, NULL, "%child", "TABLE");
    CHECK(R.nrows == 2, "pattern %%child: %d rows", R.nrows);
    tables(NULL, NULL, "x'; DROP TABLE parent; --", NULL);
    CHECK(R.nrows == 0, "quote in a pattern is data: %d rows", R.nrows);

    /* the enumerations */
    tables(SQL_ALL_CATALOGS, "", "", NULL);
    CHECK(R.nrows == 0, "SQL_ALL_CATALOGS: no catalogs, %d rows", R.nrows);
    tables("", SQL_ALL_SCHEMAS, "", NULL);
    CHECK(R.nrows == 0, "SQL_ALL_SCHEMAS: no schemas, %d rows", R.nrows);
    tables("", "", "", SQL_ALL_TABLE_TYPES);
    CHECK(R.nrows == 4, "SQL_ALL_TABLE_TYPES: %d rows, want 4", R.nrows);
    static const char *const want[] = {"LOCAL TEMPORARY", "SYSTEM TABLE", "TABLE", "VIEW"};
    for (int i = 0; i < 4 && i < R.nrows; i++) {
        CHECK(!strcmp(val(i, "TABLE_TYPE"), want[i]), "table type %d: %s", i,
              val(i, "TABLE_TYPE"));
        CHECK(R.isnull[i][2], "table type rows have NULL TABLE_NAME");
    }
}

static const char *const COLUMNS_COLS[] = {
    "TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME",
    "COLUMN_SIZE", "BUFFER_LENGTH", "DECIMAL_DIGITS", "NUM_PREC_RADIX", "NULLABLE", "REMARKS",
    "COLUMN_DEF", "SQL_DATA_TYPE", "SQL_DATETIME_SUB", "CHAR_OCTET_LENGTH", "ORDINAL_POSITION",
    "IS_NULLABLE"};

static void columns(const char *tab, const char *colpat)
{
    SQLHSTMT st = new_stmt();
    SQLRETURN rc = SQLColumns(st, NULL, 0, NULL, 0, (SQLCHAR *)tab, tab ? SQL_NTS : 0,
                              (SQLCHAR *)colpat, colpat ? SQL_NTS : 0);
    collect(st, rc);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    check_columns("SQLColumns", COLUMNS_COLS, 18);
}

typedef struct col_expect {
    const char *name;
    int data_type;
    const char *type_name;
    long size;
    const char *digits;   /* as text, "<null>" when not applicable */
    int nullable;
    const char *def;
} col_expect;

/* SQLGetTypeInfo(SQL_ALL_TYPES) as (TYPE_NAME, DATA_TYPE) pairs */
static char ti_name[64][64];
static int ti_type[64], ti_n;

static void load_type_info(void)
{
    SQLHSTMT st = new_stmt();
    collect(st, SQLGetTypeInfo(st, SQL_ALL_TYPES));
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    ti_n = 0;
    for (int r = 0; r < R.nrows && ti_n < 64; r++, ti_n++) {
        snprintf(ti_name[ti_n], sizeof ti_name[ti_n], "%s", val(r, "TYPE_NAME"));
        ti_type[ti_n] = (int)ival(r, "DATA_TYPE");
    }
}

static void test_columns(void)
{
    static const col_expect parent[] = {
        {"id", SQL_BIGINT, "INTEGER", 19, "0", SQL_NO_NULLS, "<null>"},
        {"name", SQL_VARCHAR, "VARCHAR", 40, "<null>", SQL_NO_NULLS, "<null>"},
        {"code", SQL_CHAR, "CHAR", 3, "<null>", SQL_NULLABLE, "<null>"},
        {"price", SQL_DECIMAL, "DECIMAL", 10, "2", SQL_NULLABLE, "0"},
        {"created", SQL_TYPE_TIMESTAMP, "TIMESTAMP", 23, "3", SQL_NULLABLE, "<null>"},
        {"flag", SQL_BIT, "BOOLEAN", 1, "<null>", SQL_NULLABLE, "<null>"},
        {"data", SQL_LONGVARBINARY, "BLOB", 1000000000, "<null>", SQL_NULLABLE, "<null>"},
        {"note", SQL_VARCHAR, "TEXT", 65535, "<null>", SQL_NULLABLE, "'none'"},
    };
    const int n = (int)(sizeof parent / sizeof parent[0]);
    load_type_info();
    columns("parent", NULL);
    CHECK(R.nrows == n, "SQLColumns(parent): %d rows, want %d", R.nrows, n);
    for (int i = 0; i < n && i < R.nrows; i++) {
        const col_expect *e = &parent[i];
        CHECK(!strcmp(val(i, "TABLE_NAME"), "parent"), "TABLE_NAME %s", val(i, "TABLE_NAME"));
        CHECK(!strcmp(val(i, "COLUMN_NAME"), e->name), "column %d is %s, want %s", i + 1,
              val(i, "COLUMN_NAME"), e->name);
        CHECK(ival(i, "DATA_TYPE") == e->data_type, "%s DATA_TYPE %ld, want %d", e->name,
              ival(i, "DATA_TYPE"), e->data_type);
        CHECK(!strcmp(val(i, "TYPE_NAME"), e->type_name), "%s TYPE_NAME %s, want %s", e->name,
              val(i, "TYPE_NAME"), e->type_name);
        CHECK(ival(i, "COLUMN_SIZE") == e->size, "%s COLUMN_SIZE %ld, want %ld", e->name,
              ival(i, "COLUMN_SIZE"), e->size);
        CHECK(!strcmp(val(i, "DECIMAL_DIGITS"), e->digits), "%s DECIMAL_DIGITS %s, want %s",
              e->name, val(i, "DECIMAL_DIGITS"), e->digits);
        CHECK(ival(i, "NULLABLE") == e->nullable, "%s NULLABLE %ld, want %d", e->name,
              ival(i, "NULLABLE"), e->nullable);
        CHECK(!strcmp(val(i, "IS_NULLABLE"), e->nullable == SQL_NO_NULLS ? "NO" : "YES"),
              "%s IS_NULLABLE %s", e->name, val(i, "IS_NULLABLE"));
        CHECK(ival(i, "ORDINAL_POSITION") == i + 1, "%s ORDINAL_POSITION %ld", e->name,
              ival(i, "ORDINAL_POSITION"));
        CHECK(!strcmp(val(i, "COLUMN_DEF"), e->def), "%s COLUMN_DEF %s, want %s", e->name,
              val(i, "COLUMN_DEF"), e->def);
        int verbose = e->data_type == SQL_TYPE_TIMESTAMP ? SQL_DATETIME : e->data_type;
        CHECK(ival(i, "SQL_DATA_TYPE") == verbose, "%s SQL_DATA_TYPE %ld", e->name,
              ival(i, "SQL_DATA_TYPE"));
        /* TYPE_NAME is one SQLGetTypeInfo advertises, for the same DATA_TYPE */
        int found = 0;
        for (int t = 0; t < ti_n; t++)
            if (!strcmp(ti_name[t], e->type_name) && ti_type[t] == e->data_type)
                found = 1;
        CHECK(found, "%s: SQLGetTypeInfo has no row (%s, %d)", e->name, e->type_name,
              e->data_type);
    }
    int r = find_row("COLUMN_NAME", "name");
    CHECK(r >= 0 && ival(r, "CHAR_OCTET_LENGTH") == 40, "name CHAR_OCTET_LENGTH %s",
          val(r, "CHAR_OCTET_LENGTH"));
    r = find_row("COLUMN_NAME", "id");
    CHECK(r >= 0 && R.isnull[r][15], "id CHAR_OCTET_LENGTH is NULL");
    CHECK(r >= 0 && ival(r, "NUM_PREC_RADIX") == 10, "id NUM_PREC_RADIX %s",
          val(r, "NUM_PREC_RADIX"));
    r = find_row("COLUMN_NAME", "created");
    CHECK(r >= 0 && ival(r, "SQL_DATETIME_SUB") == SQL_CODE_TIMESTAMP, "created DATETIME_SUB");

    /* agreement with SQLDescribeCol on SELECT * */
    long want_type[16], want_size[16];
    for (int i = 0; i < n && i < R.nrows; i++) {
        want_type[i] = ival(i, "DATA_TYPE");
        want_size[i] = ival(i, "COLUMN_SIZE");
    }
    SQLHSTMT st = new_stmt();
    SQLRETURN rc = SQLExecDirect(st, (SQLCHAR *)"SELECT * FROM parent", SQL_NTS);
    CHECK(SQL_SUCCEEDED(rc), "SELECT * FROM parent");
    if (!SQL_SUCCEEDED(rc))
        print_diag(SQL_HANDLE_STMT, st, "SELECT");
    for (int i = 0; SQL_SUCCEEDED(rc) && i < n; i++) {
        SQLCHAR name[64];
        SQLSMALLINT nl, ty = 0, dg, nu;
        SQLULEN sz = 0;
        SQLRETURN d = SQLDescribeCol(st, (SQLUSMALLINT)(i + 1), name, sizeof name, &nl, &ty,
                                     &sz, &dg, &nu);
        CHECK(SQL_SUCCEEDED(d), "SQLDescribeCol(%d)", i + 1);
        CHECK(ty == want_type[i], "%s: SQLDescribeCol type %d, SQLColumns %ld", parent[i].name,
              ty, want_type[i]);
        CHECK((long)sz == want_size[i], "%s: SQLDescribeCol size %lu, SQLColumns %ld",
              parent[i].name, (unsigned long)sz, want_size[i]);
    }
    SQLFreeHandle(SQL_HANDLE_STMT, st);

    /* patterns over tables and columns; views and temp tables too */
    columns("%", "name");
    CHECK(R.nrows == 2, "SQLColumns(%%, name): %d rows, want 2 (parent, v_parent)", R.nrows);
    columns("scratch", NULL);
    CHECK(R.nrows == 1 && !strcmp(val(0, "COLUMN_NAME"), "x"), "temp table columns: %d",
          R.nrows);
    columns("v_parent", NULL);
    CHECK(R.nrows == 2 && ival(1, "DATA_TYPE") == SQL_VARCHAR, "view columns: %d", R.nrows);
    columns("child", "p%");
    CHECK(R.nrows == 1 && !strcmp(val(0, "COLUMN_NAME"), "pid"), "column pattern p%%: %d",
          R.nrows);
    columns("wr", NULL);
    CHECK(R.nrows == 2 && ival(0, "NULLABLE") == SQL_NO_NULLS,
          "WITHOUT ROWID key is NOT NULL: %s", val(0, "NULLABLE"));
    columns("nosuchtable", NULL);
    CHECK(R.nrows == 0, "missing table: %d rows", R.nrows);
}

static const char *const PK_COLS[] = {"TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME",
                                      "COLUMN_NAME", "KEY_SEQ", "PK_NAME"};

static void primary_keys(const char *tab)
{
    SQLHSTMT st = new_stmt();
    collect(st, SQLPrimaryKeys(st, NULL, 0, NULL, 0, (SQLCHAR *)tab, SQL_NTS));
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    check_columns("SQLPrimaryKeys", PK_COLS, 6);
}

static void test_primary_keys(void)
{
    primary_keys("parent");
    CHECK(R.nrows == 1 && !strcmp(val(0, "COLUMN_NAME"), "id") && ival(0, "KEY_SEQ") == 1,
          "parent PK: %d rows", R.nrows);
    primary_keys("child");
    CHECK(R.nrows == 2, "child PK: %d rows", R.nrows);
    CHECK(!strcmp(val(0, "COLUMN_NAME"), "cid") && ival(0, "KEY_SEQ") == 1, "child key 1");
    CHECK(!strcmp(val(1, "COLUMN_NAME"), "pid") && ival(1, "KEY_SEQ") == 2, "child key 2");
    CHECK(!strcmp(val(0, "TABLE_NAME"), "child"), "TABLE_NAME %s", val(0, "TABLE_NAME"));
    primary_keys("CHILD");
    CHECK(R.nrows == 2 && !strcmp(val(0, "TABLE_NAME"), "child"),
          "case-insensitive name, real case back: %s", val(0, "TABLE_NAME"));
    primary_keys("nokey");
    CHECK(R.nrows == 0, "no PK: %d rows", R.nrows);
    primary_keys("child%");  /* not a pattern */
    CHECK(R.nrows == 0, "SQLPrimaryKeys takes no pattern: %d rows", R.nrows);
}

static const char *const FK_COLS[] = {
    "PKTABLE_CAT", "PKTABLE_SCHEM", "PKTABLE_NAME", "PKCOLUMN_NAME", "FKTABLE_CAT",
    "FKTABLE_SCHEM", "FKTABLE_NAME", "FKCOLUMN_NAME", "KEY_SEQ", "UPDATE_RULE",
    "DELETE_RULE", "FK_NAME", "PK_NAME", "DEFERRABILITY"};

static void foreign_keys(const char *pk, const char *fk)
{
    SQLHSTMT st = new_stmt();
    SQLRETURN rc = SQLForeignKeys(st, NULL, 0, NULL, 0, (SQLCHAR *)pk, pk ? SQL_NTS : 0, NULL,
                                  0, NULL, 0, (SQLCHAR *)fk, fk ? SQL_NTS : 0);
    collect(st, rc);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
}

static void test_foreign_keys(void)
{
    foreign_keys("parent", NULL);
    check_columns("SQLForeignKeys", FK_COLS, 14);
    /* child.pid and implicit_ref.x, ordered by FKTABLE_NAME */
    CHECK(R.nrows == 2, "FKs referencing parent: %d rows, want 2", R.nrows);
    CHECK(!strcmp(val(1, "FKTABLE_NAME"), "implicit_ref"), "second referencing table %s",
          val(1, "FKTABLE_NAME"));
    CHECK(!strcmp(val(0, "PKTABLE_NAME"), "parent") && !strcmp(val(0, "PKCOLUMN_NAME"), "id"),
          "PK side %s.%s", val(0, "PKTABLE_NAME"), val(0, "PKCOLUMN_NAME"));
    CHECK(!strcmp(val(0, "FKTABLE_NAME"), "child") && !strcmp(val(0, "FKCOLUMN_NAME"), "pid"),
          "FK side %s.%s", val(0, "FKTABLE_NAME"), val(0, "FKCOLUMN_NAME"));
    CHECK(ival(0, "KEY_SEQ") == 1, "KEY_SEQ %s", val(0, "KEY_SEQ"));
    CHECK(ival(0, "DELETE_RULE") == SQL_CASCADE, "DELETE_RULE %s", val(0, "DELETE_RULE"));
    CHECK(ival(0, "UPDATE_RULE") == SQL_NO_ACTION, "UPDATE_RULE %s", val(0, "UPDATE_RULE"));
    CHECK(ival(0, "DEFERRABILITY") == SQL_NOT_DEFERRABLE, "DEFERRABILITY %s",
          val(0, "DEFERRABILITY"));

    foreign_keys(NULL, "grandchild");
    check_columns("SQLForeignKeys", FK_COLS, 14);
    CHECK(R.nrows == 2, "FKs of grandchild: %d rows, want 2", R.nrows);
    CHECK(!strcmp(val(0, "PKTABLE_NAME"), "child") && !strcmp(val(0, "PKCOLUMN_NAME"), "cid") &&
              !strcmp(val(0, "FKCOLUMN_NAME"), "c1") && ival(0, "KEY_SEQ") == 1,
          "grandchild key 1: %s.%s <- %s", val(0, "PKTABLE_NAME"), val(0, "PKCOLUMN_NAME"),
          val(0, "FKCOLUMN_NAME"));
    CHECK(!strcmp(val(1, "PKCOLUMN_NAME"), "pid") && !strcmp(val(1, "FKCOLUMN_NAME"), "c2") &&
              ival(1, "KEY_SEQ") == 2,
          "grandchild key 2");
    CHECK(ival(0, "UPDATE_RULE") == SQL_SET_NULL, "UPDATE_RULE %s", val(0, "UPDATE_RULE"));
    CHECK(!strcmp(val(0, "FK_NAME"), val(1, "FK_NAME")) && !R.isnull[0][11],
          "one FK_NAME for both columns of one key");

    /* a reference to the parent's implicit primary key (no column list) */
    foreign_keys(NULL, "implicit_ref");
    CHECK(R.nrows == 1 && !strcmp(val(0, "PKCOLUMN_NAME"), "id"),
          "implicit PK reference resolves to id: %s", val(0, "PKCOLUMN_NAME"));

    foreign_keys("child", "grandchild");
    CHECK(R.nrows == 2, "both tables given: %d rows", R.nrows);
    foreign_keys("parent", "grandchild");
    CHECK(R.nrows == 0, "unrelated pair: %d rows", R.nrows);

    foreign_keys(NULL, NULL);
    CHECK(R.rc == SQL_ERROR && !strcmp(R.state, "HY009"), "no table at all: rc %d state %s",
          R.rc, R.state);
}

static const char *const STAT_COLS[] = {
    "TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "NON_UNIQUE", "INDEX_QUALIFIER", "INDEX_NAME",
    "TYPE", "ORDINAL_POSITION", "COLUMN_NAME", "ASC_OR_DESC", "CARDINALITY", "PAGES",
    "FILTER_CONDITION"};

static void statistics(const char *tab, SQLUSMALLINT unique, SQLUSMALLINT accuracy)
{
    SQLHSTMT st = new_stmt();
    collect(st, SQLStatistics(st, NULL, 0, NULL, 0, (SQLCHAR *)tab, SQL_NTS, unique, accuracy));
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    check_columns("SQLStatistics", STAT_COLS, 13);
}

static void test_statistics(void)
{
    statistics("child", SQL_INDEX_ALL, SQL_ENSURE);
    /* table stat row + child_note (1 column) + the primary key autoindex (2) */
    CHECK(R.nrows == 4, "SQLStatistics(child, ALL): %d rows, want 4", R.nrows);
    CHECK(ival(0, "TYPE") == SQL_TABLE_STAT && R.isnull[0][3], "first row is SQL_TABLE_STAT");
    CHECK(ival(0, "CARDINALITY") == 3, "child CARDINALITY %s, want 3", val(0, "CARDINALITY"));
    for (int i = 1; i < R.nrows; i++)
        CHECK(ival(i, "TYPE") == SQL_INDEX_OTHER, "index row TYPE %s", val(i, "TYPE"));
    CHECK(ival(1, "NON_UNIQUE") == 0 && ival(2, "NON_UNIQUE") == 0, "unique index first");
    CHECK(!strcmp(val(1, "COLUMN_NAME"), "cid") && ival(1, "ORDINAL_POSITION") == 1 &&
              !strcmp(val(2, "COLUMN_NAME"), "pid") && ival(2, "ORDINAL_POSITION") == 2,
          "PK index columns in order");
    int r = find_row("INDEX_NAME", "child_note");
    CHECK(r >= 0 && ival(r, "NON_UNIQUE") == 1 && !strcmp(val(r, "ASC_OR_DESC"), "D") &&
              !strcmp(val(r, "COLUMN_NAME"), "note"),
          "child_note: non-unique, descending on note");

    statistics("child", SQL_INDEX_UNIQUE, SQL_QUICK);
    CHECK(R.nrows == 3, "SQLStatistics(child, UNIQUE): %d rows, want 3", R.nrows);
    CHECK(R.isnull[0][10], "SQL_QUICK: CARDINALITY NULL");
    CHECK(find_row("INDEX_NAME", "child_note") < 0, "non-unique index filtered out");

    statistics("parent", SQL_INDEX_ALL, SQL_ENSURE);
    CHECK(find_row("INDEX_NAME", "parent_name") > 0, "parent_name index listed");
    r = find_row("INDEX_NAME", "parent_name");
    CHECK(r > 0 && ival(r, "NON_UNIQUE") == 0 && !strcmp(val(r, "ASC_OR_DESC"), "A"),
          "parent_name unique, ascending");
    CHECK(ival(0, "CARDINALITY") == 2, "parent CARDINALITY %s", val(0, "CARDINALITY"));
    /* the INTEGER PRIMARY KEY, as the clustered index, right after the stat row */
    CHECK(R.nrows >= 2 && !strcmp(val(1, "INDEX_NAME"), "PRIMARY") &&
              ival(1, "TYPE") == SQL_INDEX_CLUSTERED && !strcmp(val(1, "COLUMN_NAME"), "id") &&
              ival(1, "NON_UNIQUE") == 0,
          "parent: rowid alias id as clustered index PRIMARY: %s %s", val(1, "INDEX_NAME"),
          val(1, "COLUMN_NAME"));
    /* table stat + PRIMARY + parent_name + autoindex for UNIQUE code */
    CHECK(R.nrows == 4, "SQLStatistics(parent): %d rows, want 4", R.nrows);
    statistics("nosuchtable", SQL_INDEX_ALL, SQL_QUICK);
    CHECK(R.nrows == 0, "missing table: %d rows", R.nrows);
}

static const char *const SPECIAL_COLS[] = {"SCOPE", "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME",
                                           "COLUMN_SIZE", "BUFFER_LENGTH", "DECIMAL_DIGITS",
                                           "PSEUDO_COLUMN"};

static void special(SQLUSMALLINT id, const char *tab)
{
    SQLHSTMT st = new_stmt();
    collect(st, SQLSpecialColumns(st, id, NULL, 0, NULL, 0, (SQLCHAR *)tab, SQL_NTS,
                                  SQL_SCOPE_CURROW, SQL_NULLABLE));
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    check_columns("SQLSpecialColumns", SPECIAL_COLS, 8);
}

static void test_special_columns(void)
{
    special(SQL_BEST_ROWID, "parent");
    CHECK(R.nrows == 1 && !strcmp(val(0, "COLUMN_NAME"), "id") &&
              ival(0, "PSEUDO_COLUMN") == SQL_PC_NOT_PSEUDO && ival(0, "DATA_TYPE") == SQL_BIGINT,
          "parent best rowid is id: %d rows %s", R.nrows, val(0, "COLUMN_NAME"));
    special(SQL_BEST_ROWID, "child");
    CHECK(R.nrows == 2 && !strcmp(val(0, "COLUMN_NAME"), "cid") &&
              !strcmp(val(1, "COLUMN_NAME"), "pid"),
          "child best rowid is its key: %d rows", R.nrows);
    special(SQL_BEST_ROWID, "nokey");
    CHECK(R.nrows == 1 && !strcmp(val(0, "COLUMN_NAME"), "rowid") &&
              ival(0, "PSEUDO_COLUMN") == SQL_PC_PSEUDO,
          "nokey best rowid is the rowid pseudo column: %d rows %s", R.nrows,
          val(0, "COLUMN_NAME"));
    special(SQL_BEST_ROWID, "wr");
    CHECK(R.nrows == 1 && !strcmp(val(0, "COLUMN_NAME"), "k"), "WITHOUT ROWID: its key");
    special(SQL_BEST_ROWID, "v_parent");
    CHECK(R.nrows == 0, "view: no row id, %d rows", R.nrows);
    special(SQL_ROWVER, "parent");
    CHECK(R.nrows == 0, "SQL_ROWVER: no columns, %d rows", R.nrows);
}

static void test_empty_ones(void)
{
    static const char *const proc[] = {"PROCEDURE_CAT", "PROCEDURE_SCHEM", "PROCEDURE_NAME",
                                       "NUM_INPUT_PARAMS", "NUM_OUTPUT_PARAMS",
                                       "NUM_RESULT_SETS", "REMARKS", "PROCEDURE_TYPE"};
    static const char *const proccol[] = {
        "PROCEDURE_CAT", "PROCEDURE_SCHEM", "PROCEDURE_NAME", "COLUMN_NAME", "COLUMN_TYPE",
        "DATA_TYPE", "TYPE_NAME", "COLUMN_SIZE", "BUFFER_LENGTH", "DECIMAL_DIGITS",
        "NUM_PREC_RADIX", "NULLABLE", "REMARKS", "COLUMN_DEF", "SQL_DATA_TYPE",
        "SQL_DATETIME_SUB", "CHAR_OCTET_LENGTH", "ORDINAL_POSITION", "IS_NULLABLE"};
    static const char *const tabpriv[] = {"TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "GRANTOR",
                                          "GRANTEE", "PRIVILEGE", "IS_GRANTABLE"};
    static const char *const colpriv[] = {"TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME",
                                          "COLUMN_NAME", "GRANTOR", "GRANTEE", "PRIVILEGE",
                                          "IS_GRANTABLE"};
    SQLHSTMT st = new_stmt();
    collect(st, SQLProcedures(st, NULL, 0, NULL, 0, (SQLCHAR *)"%", SQL_NTS));
    check_columns("SQLProcedures", proc, 8);
    CHECK(R.nrows == 0, "SQLProcedures rows %d", R.nrows);
    collect(st, SQLProcedureColumns(st, NULL, 0, NULL, 0, (SQLCHAR *)"%", SQL_NTS,
                                    (SQLCHAR *)"%", SQL_NTS));
    check_columns("SQLProcedureColumns", proccol, 19);
    CHECK(R.nrows == 0, "SQLProcedureColumns rows %d", R.nrows);
    collect(st, SQLTablePrivileges(st, NULL, 0, NULL, 0, (SQLCHAR *)"parent", SQL_NTS));
    check_columns("SQLTablePrivileges", tabpriv, 7);
    CHECK(R.nrows == 0, "SQLTablePrivileges rows %d", R.nrows);
    collect(st, SQLColumnPrivileges(st, NULL, 0, NULL, 0, (SQLCHAR *)"parent", SQL_NTS,
                                    (SQLCHAR *)"%", SQL_NTS));
    check_columns("SQLColumnPrivileges", colpriv, 8);
    CHECK(R.nrows == 0, "SQLColumnPrivileges rows %d", R.nrows);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
}

static void test_type_info(void)
{
    static const char *const names[] = {
        "TYPE_NAME", "DATA_TYPE", "COLUMN_SIZE", "LITERAL_PREFIX", "LITERAL_SUFFIX",
        "CREATE_PARAMS", "NULLABLE", "CASE_SENSITIVE", "SEARCHABLE", "UNSIGNED_ATTRIBUTE",
        "FIXED_PREC_SCALE", "AUTO_UNIQUE_VALUE", "LOCAL_TYPE_NAME", "MINIMUM_SCALE",
        "MAXIMUM_SCALE", "SQL_DATA_TYPE", "SQL_DATETIME_SUB", "NUM_PREC_RADIX",
        "INTERVAL_PRECISION"};
    SQLHSTMT st = new_stmt();
    collect(st, SQLGetTypeInfo(st, SQL_ALL_TYPES));
    check_columns("SQLGetTypeInfo", names, 19);
    CHECK(R.nrows >= 15, "SQLGetTypeInfo(ALL): %d rows", R.nrows);
    CHECK(R.types[1] == SQL_SMALLINT && R.types[2] == SQL_INTEGER,
          "DATA_TYPE SMALLINT, COLUMN_SIZE INTEGER: %d %d", R.types[1], R.types[2]);
    for (int i = 1; i < R.nrows; i++)
        CHECK(ival(i - 1, "DATA_TYPE") <= ival(i, "DATA_TYPE"), "sorted by DATA_TYPE at row %d",
              i);
    int r = find_row("TYPE_NAME", "VARCHAR");
    CHECK(r >= 0 && ival(r, "DATA_TYPE") == SQL_VARCHAR &&
              !strcmp(val(r, "CREATE_PARAMS"), "length") && !strcmp(val(r, "LITERAL_PREFIX"), "'"),
          "VARCHAR row");
    collect(st, SQLGetTypeInfo(st, SQL_VARCHAR));
    CHECK(R.nrows >= 1, "SQLGetTypeInfo(SQL_VARCHAR): %d rows", R.nrows);
    for (int i = 0; i < R.nrows; i++)
        CHECK(ival(i, "DATA_TYPE") == SQL_VARCHAR, "only VARCHAR rows");
    collect(st, SQLGetTypeInfo(st, SQL_TYPE_DATE));
    CHECK(R.nrows == 1 && !strcmp(val(0, "TYPE_NAME"), "DATE"), "SQLGetTypeInfo(DATE)");
    SQLFreeHandle(SQL_HANDLE_STMT, st);
}

/* SQL_ATTR_METADATA_ID: arguments are identifiers (no wildcards, quotes
 * stripped), and one broken view does not break SQLColumns for the rest. */
static void test_metadata_id_and_broken_view(void)
{
    SQLRETURN rc = SQLSetConnectAttr(dbc, SQL_ATTR_METADATA_ID, (SQLPOINTER)SQL_TRUE, 0);
    CHECK(SQL_SUCCEEDED(rc), "SQL_ATTR_METADATA_ID on");
    if (SQL_SUCCEEDED(rc)) {
        tables(NULL, NULL, "under_score", NULL);
        CHECK(R.nrows == 1 && !strcmp(val(0, "TABLE_NAME"), "under_score"),
              "METADATA_ID: _ is not a wildcard: %d rows", R.nrows);
        tables(NULL, NULL, "\"parent\"", NULL);
        CHECK(R.nrows == 1, "METADATA_ID: quoted identifier: %d rows", R.nrows);
        tables(NULL, NULL, "par%", NULL);
        CHECK(R.nrows == 0, "METADATA_ID: %% is not a wildcard: %d rows", R.nrows);
        columns("parent", "name");
        CHECK(R.nrows == 1, "METADATA_ID: SQLColumns(parent, name): %d rows", R.nrows);
        SQLSetConnectAttr(dbc, SQL_ATTR_METADATA_ID, (SQLPOINTER)SQL_FALSE, 0);
    }

    int ok = exec("CREATE TABLE gone(x)") && exec("CREATE VIEW v_broken AS SELECT x FROM gone") &&
             exec("DROP TABLE gone");
    CHECK(ok, "broken view created");
    columns(NULL, NULL);
    CHECK(SQL_SUCCEEDED(R.rc) && R.nrows > 10, "SQLColumns(all) with a broken view: rc %d, %d rows",
          R.rc, R.nrows);
    CHECK(find_row("TABLE_NAME", "v_broken") < 0, "broken view left out");
    CHECK(find_row("TABLE_NAME", "parent") >= 0, "parent still listed");
    tables(NULL, NULL, "v_broken", NULL);
    CHECK(R.nrows == 1, "SQLTables still lists the broken view: %d rows", R.nrows);
}

static void to_wide(const char *in, SQLWCHAR *out, size_t n)
{
    size_t i = 0;
    for (; in[i] && i + 1 < n; i++)
        out[i] = (SQLWCHAR)(unsigned char)in[i];
    out[i] = 0;
}

/* A Unicode application (connected with SQLDriverConnectW) sees text as
 * SQL_WVARCHAR in SQLColumns and SQLDescribeCol alike; NoWCHAR=1 turns that
 * off. */
static void check_wide(const char *extra, SQLSMALLINT want)
{
    const char *tmp = getenv("LSQ_TEST_TMP");
    char conn[1024];
    SQLWCHAR w[1024];
    SQLHDBC d = SQL_NULL_HDBC;
    SQLHSTMT st = SQL_NULL_HSTMT;
    snprintf(conn, sizeof conn, "Driver=libSQL;Database=%s/c.db;%s", tmp, extra);
    to_wide(conn, w, 1024);
    SQLAllocHandle(SQL_HANDLE_DBC, env, &d);
    SQLRETURN rc = SQLDriverConnectW(d, NULL, w, SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT);
    CHECK(SQL_SUCCEEDED(rc), "SQLDriverConnectW(%s)", conn);
    if (!SQL_SUCCEEDED(rc)) {
        print_diag(SQL_HANDLE_DBC, d, "SQLDriverConnectW");
        SQLFreeHandle(SQL_HANDLE_DBC, d);
        return;
    }
    SQLAllocHandle(SQL_HANDLE_STMT, d, &st);
    SQLWCHAR tab[16], colname[16];
    to_wide("parent", tab, 16);
    to_wide("name", colname, 16);
    rc = SQLColumnsW(st, NULL, 0, NULL, 0, tab, SQL_NTS, colname, SQL_NTS);
    CHECK(SQL_SUCCEEDED(rc), "SQLColumnsW");
    SQLINTEGER dt = 0;
    SQLLEN ind = 0;
    rc = SQL_SUCCEEDED(rc) ? SQLFetch(st) : rc;
    CHECK(SQL_SUCCEEDED(rc), "SQLColumnsW fetch");
    if (SQL_SUCCEEDED(rc))
        SQLGetData(st, 5, SQL_C_SLONG, &dt, 0, &ind);
    CHECK(dt == want, "%s: SQLColumnsW DATA_TYPE %d, want %d", extra, (int)dt, want);
    SQLFreeStmt(st, SQL_CLOSE);

    SQLWCHAR sql[64];
    to_wide("SELECT name FROM parent", sql, 64);
    rc = SQLExecDirectW(st, sql, SQL_NTS);
    CHECK(SQL_SUCCEEDED(rc), "SQLExecDirectW");
    SQLWCHAR name[64];
    SQLSMALLINT nl, ty = 0, dg, nu;
    SQLULEN sz = 0;
    if (SQL_SUCCEEDED(rc))
        SQLDescribeColW(st, 1, name, 64, &nl, &ty, &sz, &dg, &nu);
    CHECK(ty == want, "%s: SQLDescribeColW type %d, want %d", extra, ty, want);
    CHECK(sz == 40, "%s: SQLDescribeColW size %lu, want 40", extra, (unsigned long)sz);
    SQLFreeStmt(st, SQL_CLOSE);

    rc = SQLGetTypeInfoW(st, want);
    int rows = 0;
    while (SQL_SUCCEEDED(rc) && SQL_SUCCEEDED(SQLFetch(st)))
        rows++;
    CHECK(rows >= 1, "%s: SQLGetTypeInfoW(%d) has %d rows", extra, want, rows);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    SQLDisconnect(d);
    SQLFreeHandle(SQL_HANDLE_DBC, d);
}

static void test_wide(void)
{
    check_wide("", SQL_WVARCHAR);
    check_wide("NoWCHAR=1", SQL_VARCHAR);
}

/* An ODBC 2 application gets SQL_DATE/SQL_TIME/SQL_TIMESTAMP (9/10/11)
 * from SQLGetTypeInfo (still sorted) and SQLColumns. */
static void test_odbc2(void)
{
    const char *tmp = getenv("LSQ_TEST_TMP");
    char conn[1024];
    SQLHENV e2 = SQL_NULL_HENV;
    SQLHDBC d = SQL_NULL_HDBC;
    SQLHSTMT st = SQL_NULL_HSTMT;
    snprintf(conn, sizeof conn, "Driver=libSQL;Database=%s/c.db", tmp);
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &e2);
    SQLSetEnvAttr(e2, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC2, 0);
    SQLAllocHandle(SQL_HANDLE_DBC, e2, &d);
    SQLRETURN rc = SQLDriverConnect(d, NULL, (SQLCHAR *)conn, SQL_NTS, NULL, 0, NULL,
                                    SQL_DRIVER_NOPROMPT);
    CHECK(SQL_SUCCEEDED(rc), "ODBC 2 connect");
    if (!SQL_SUCCEEDED(rc)) {
        print_diag(SQL_HANDLE_DBC, d, "SQLDriverConnect");
        goto out;
    }
    SQLAllocHandle(SQL_HANDLE_STMT, d, &st);
    rc = SQLGetTypeInfo(st, SQL_ALL_TYPES);
    CHECK(SQL_SUCCEEDED(rc), "ODBC 2 SQLGetTypeInfo");
    int prev = -32768, saw_ts = 0, saw_new = 0, sorted = 1;
    while (SQL_SUCCEEDED(rc) && SQL_SUCCEEDED(SQLFetch(st))) {
        SQLSMALLINT dt = 0;
        SQLLEN ind;
        SQLGetData(st, 2, SQL_C_SSHORT, &dt, 0, &ind);
        sorted &= dt >= prev;
        prev = dt;
        saw_ts |= dt == SQL_TIMESTAMP;
        saw_new |= dt == SQL_TYPE_TIMESTAMP || dt == SQL_TYPE_DATE || dt == SQL_TYPE_TIME;
    }
    CHECK(sorted, "ODBC 2 type info sorted by DATA_TYPE");
    CHECK(saw_ts && !saw_new, "ODBC 2 type info uses SQL_TIMESTAMP (11), not 93");
    SQLFreeStmt(st, SQL_CLOSE);
    rc = SQLColumns(st, NULL, 0, NULL, 0, (SQLCHAR *)"parent", SQL_NTS, (SQLCHAR *)"created",
                    SQL_NTS);
    SQLSMALLINT dt = 0;
    SQLLEN ind;
    if (SQL_SUCCEEDED(rc) && SQL_SUCCEEDED(SQLFetch(st)))
        SQLGetData(st, 5, SQL_C_SSHORT, &dt, 0, &ind);
    CHECK(dt == SQL_TIMESTAMP, "ODBC 2 SQLColumns DATA_TYPE %d, want 11", dt);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    SQLDisconnect(d);
out:
    SQLFreeHandle(SQL_HANDLE_DBC, d);
    SQLFreeHandle(SQL_HANDLE_ENV, e2);
}

/* Names with quotes are data, never SQL. */
static void test_odd_names(void)
{
    int ok = exec("CREATE TABLE \"we\"\"ird\"(\"it's\" INTEGER PRIMARY KEY, \"a\"\"b\" TEXT)") &&
             exec("CREATE INDEX \"ix'q\" ON \"we\"\"ird\"(\"a\"\"b\")") &&
             exec("INSERT INTO \"we\"\"ird\" VALUES (1, 'x'), (2, 'y'), (3, 'z')");
    CHECK(ok, "odd names created");
    tables(NULL, NULL, "we\"ird", NULL);
    CHECK(R.nrows == 1 && !strcmp(val(0, "TABLE_NAME"), "we\"ird"), "SQLTables(we\"ird)");
    columns("we\"ird", NULL);
    CHECK(R.nrows == 2 && !strcmp(val(0, "COLUMN_NAME"), "it's") &&
              !strcmp(val(1, "COLUMN_NAME"), "a\"b"),
          "SQLColumns(we\"ird): %d rows", R.nrows);
    statistics("we\"ird", SQL_INDEX_ALL, SQL_ENSURE);
    CHECK(R.nrows == 3 && ival(0, "CARDINALITY") == 3 && !strcmp(val(2, "INDEX_NAME"), "ix'q"),
          "SQLStatistics(we\"ird): %d rows, cardinality %s", R.nrows, val(0, "CARDINALITY"));
    primary_keys("we\"ird");
    CHECK(R.nrows == 1 && !strcmp(val(0, "COLUMN_NAME"), "it's"), "SQLPrimaryKeys(we\"ird)");
    special(SQL_BEST_ROWID, "we\"ird");
    CHECK(R.nrows == 1 && !strcmp(val(0, "COLUMN_NAME"), "it's"), "SQLSpecialColumns(we\"ird)");
}

static const char *const SCHEMA[] = {
    "CREATE TABLE parent(id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, code CHAR(3) UNIQUE,"
    " price DECIMAL(10,2) DEFAULT 0, created TIMESTAMP, flag BOOLEAN, data BLOB,"
    " note TEXT DEFAULT 'none')",
    "CREATE TABLE child(cid INTEGER NOT NULL, pid INTEGER REFERENCES parent(id) ON DELETE CASCADE,"
    " note TEXT, PRIMARY KEY (cid, pid))",
    "CREATE TABLE grandchild(gid INT, c1 INTEGER, c2 INTEGER,"
    " FOREIGN KEY (c1, c2) REFERENCES child(cid, pid) ON UPDATE SET NULL)",
    "CREATE TABLE implicit_ref(x INTEGER REFERENCES parent)",
    "CREATE INDEX child_note ON child(note DESC)",
    "CREATE UNIQUE INDEX parent_name ON parent(name)",
    "CREATE VIEW v_parent AS SELECT id, name FROM parent",
    "CREATE TABLE nokey(a TEXT, b REAL)",
    "CREATE TABLE wr(k TEXT PRIMARY KEY, v INT) WITHOUT ROWID",
    "CREATE TABLE under_score(x)",
    "CREATE TABLE underXscore(x)",
    "CREATE TEMP TABLE scratch(x INTEGER)",
    "INSERT INTO parent(id, name) VALUES (1, 'a'), (2, 'b')",
    "INSERT INTO child VALUES (1, 1, 'x'), (2, 1, 'y'), (3, 2, 'z')",
};

int main(void)
{
    const char *tmp = getenv("LSQ_TEST_TMP");
    if (!tmp) {
        printf("FAIL: LSQ_TEST_TMP not set (run through tests/integration/run.sh)\n");
        return 1;
    }
    char conn[1024];
    snprintf(conn, sizeof conn, "Driver=libSQL;Database=%s/c.db;Create=1", tmp);
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
    SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
    SQLRETURN rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)conn, SQL_NTS, NULL, 0, NULL,
                                    SQL_DRIVER_NOPROMPT);
    if (!SQL_SUCCEEDED(rc)) {
        print_diag(SQL_HANDLE_DBC, dbc, "SQLDriverConnect");
        printf("FAIL: cannot connect with %s\n0 passed, 1 failed\n", conn);
        return 1;
    }
    int schema_ok = 1;
    for (size_t i = 0; i < sizeof SCHEMA / sizeof SCHEMA[0]; i++)
        schema_ok &= exec(SCHEMA[i]);
    CHECK(schema_ok, "schema created");

    test_tables();
    test_columns();
    test_primary_keys();
    test_foreign_keys();
    test_statistics();
    test_special_columns();
    test_empty_ones();
    test_type_info();
    test_wide();
    test_odbc2();
    test_metadata_id_and_broken_view();
    test_odd_names();

    SQLDisconnect(dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
