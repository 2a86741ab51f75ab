/*
 * odbc_fetch.c — the result side through unixODBC: block fetch with
 * row-wise and column-wise binding, scrolling a static cursor in every
 * orientation, chunked SQLGetData (UTF-8 text, WCHAR, blobs), column
 * metadata, SQL_ATTR_MAX_ROWS and SQL_C_DEFAULT.
 *
 * Run by tests/integration/run.sh (driver registered as "libSQL",
 * LSQ_TEST_TMP = scratch dir). Prints "N passed, M failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sql.h>
#include <sqlext.h>

static int passed, failed;
static SQLHENV env;
static SQLHDBC dbc;

/* SQLSTATE + message of the first diagnostic record of a handle. */
static void diag_of(SQLSMALLINT type, SQLHANDLE h, char state[6], char *msg, int msglen)
{
    SQLINTEGER native;
    SQLSMALLINT len;
    state[0] = 0;
    msg[0] = 0;
    if (!h || !SQL_SUCCEEDED(SQLGetDiagRec(type, h, 1, (SQLCHAR *)state, &native,
                                           (SQLCHAR *)msg, (SQLSMALLINT)msglen, &len)))
        strcpy(state, "-----");
}

/* CHECK(cond, handle_type, handle): on failure prints where and the
 * handle's SQLSTATE and message. */
#define CHECK(cond, htype, h)                                                        \
    do {                                                                             \
        if (cond) {                                                                  \
            passed++;                                                                \
        } else {                                                                     \
            char st_[6], msg_[512];                                                  \
            diag_of((htype), (h), st_, msg_, sizeof msg_);                           \
            fprintf(stderr, "%s:%d: FAILED: %s [SQLSTATE %s: %s]\n", __FILE__,       \
                    __LINE__, #cond, st_, msg_);                                     \
            failed++;                                                                \
        }                                                                            \
    } while (0)
#define CHECK_S(cond, st) CHECK(cond, SQL_HANDLE_STMT, st)

/* Does the newest call on h leave SQLSTATE `want` as its first record? */
static int state_is(SQLHANDLE h, const char *want)
{
    char st[6], msg[512];
    diag_of(SQL_HANDLE_STMT, h, st, msg, sizeof msg);
    if (strcmp(st, want) != 0) {
        fprintf(stderr, "  (got SQLSTATE %s: %s; wanted %s)\n", st, msg, want);
        return 0;
    }
    return 1;
}

static SQLHSTMT new_stmt(void)
{
    SQLHSTMT st = SQL_NULL_HSTMT;
    SQLRETURN rc = SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
    CHECK(SQL_SUCCEEDED(rc), SQL_HANDLE_DBC, dbc);
    return st;
}

static int exec(SQLHSTMT st, const char *sql)
{
    SQLRETURN rc = SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS);
    if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
        char s[6], m[512];
        diag_of(SQL_HANDLE_STMT, st, s, m, sizeof m);
        fprintf(stderr, "exec failed (%s: %s): %s\n", s, m, sql);
        return 0;
    }
    return 1;
}

#define NROWS 20

static void setup_data(void)
{
    SQLHSTMT st = new_stmt();
    CHECK_S(exec(st, "CREATE TABLE t(id INTEGER PRIMARY KEY, r REAL, s TEXT, b BLOB, "
                     "n NUMERIC(10,2), d DATE)"), st);
    char sql[256];
    for (int i = 1; i <= NROWS; i++) {
        if (i % 5 == 0)
            snprintf(sql, sizeof sql,
                     "INSERT INTO t VALUES(%d, NULL, NULL, NULL, NULL, NULL)", i);
        else
            snprintf(sql, sizeof sql,
                     "INSERT INTO t VALUES(%d, %d.5, 'row%d', x'%02x%02x', %d.25, "
                     "'2024-01-%02d')", i, i, i, i, 255 - i, i * 10, i);
        if (!exec(st, sql)) {
            failed++;
            break;
        }
    }
    CHECK_S(exec(st, "CREATE TABLE u(txt TEXT, bl BLOB)"), st);
    /* 'h', 'é'x3 (2 bytes each), '€' (3 bytes), '𝄞' (4 bytes), "world" */
    CHECK_S(exec(st, "INSERT INTO u VALUES('h\xc3\xa9\xc3\xa9\xc3\xa9\xe2\x82\xac"
                     "\xf0\x9d\x84\x9eworld', zeroblob(100))"), st);
    CHECK_S(exec(st, "UPDATE u SET bl = randomblob(100)"), st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
}

/* ---------- block fetch ------------------------------------------------- */

typedef struct row_buf {
    SQLINTEGER id;
    SQLLEN id_ind;
    char s[16];
    SQLLEN s_ind;
    double r;
    SQLLEN r_ind;
} row_buf;

static void test_row_wise(void)
{
    SQLHSTMT st = new_stmt();
    row_buf rows[7];
    SQLUSMALLINT status[7];
    SQLULEN fetched = 0;
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_ROW_BIND_TYPE,
                                         (SQLPOINTER)sizeof(row_buf), 0)), st);
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)7, 0)), st);
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_ROW_STATUS_PTR, status, 0)), st);
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_ROWS_FETCHED_PTR, &fetched, 0)), st);
    CHECK_S(SQL_SUCCEEDED(SQLBindCol(st, 1, SQL_C_SLONG, &rows[0].id, 0, &rows[0].id_ind)), st);
    CHECK_S(SQL_SUCCEEDED(SQLBindCol(st, 2, SQL_C_CHAR, rows[0].s, sizeof rows[0].s,
                                     &rows[0].s_ind)), st);
    CHECK_S(SQL_SUCCEEDED(SQLBindCol(st, 3, SQL_C_DOUBLE, &rows[0].r, 0, &rows[0].r_ind)), st);
    CHECK_S(exec(st, "SELECT id, s, r FROM t ORDER BY id"), st);
    int next_id = 1;
    const SQLULEN want[] = {7, 7, 6};
    for (int set = 0; set < 3; set++) {
        memset(rows, 0x55, sizeof rows);
        SQLRETURN rc = SQLFetch(st);
        CHECK_S(rc == SQL_SUCCESS, st);
        CHECK_S(fetched == want[set], st);
        for (SQLULEN i = 0; i < 7; i++) {
            if (i >= fetched) {
                CHECK_S(status[i] == SQL_ROW_NOROW, st);
                continue;
            }
            CHECK_S(status[i] == SQL_ROW_SUCCESS, st);
            CHECK_S(rows[i].id == next_id, st);
            if (next_id % 5 == 0) {
                CHECK_S(rows[i].s_ind == SQL_NULL_DATA, st);
                CHECK_S(rows[i].r_ind == SQL_NULL_DATA, st);
            } else {
                char want_s[16];
                snprintf(want_s, sizeof want_s, "row%d", next_id);
                CHECK_S(strcmp(rows[i].s, want_s) == 0, st);
                CHECK_S(rows[i].s_ind == (SQLLEN)strlen(want_s), st);
                CHECK_S(rows[i].r == next_id + 0.5, st);
            }
            next_id++;
        }
    }
    CHECK_S(SQLFetch(st) == SQL_NO_DATA, st);
    CHECK_S(fetched == 0, st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
}

static void test_column_wise_and_offset(void)
{
    SQLHSTMT st = new_stmt();
    /* Two copies of the arrays; the bind offset selects the second. */
    struct { SQLINTEGER id[7]; SQLLEN id_ind[7]; char s[7][8]; SQLLEN s_ind[7]; } buf[2];
    SQLLEN offset = (SQLLEN)sizeof buf[0];
    SQLUSMALLINT status[7];
    SQLULEN fetched = 0;
    memset(buf, 0, sizeof buf);
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)7, 0)), st);
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_ROW_STATUS_PTR, status, 0)), st);
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_ROWS_FETCHED_PTR, &fetched, 0)), st);
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_ROW_BIND_OFFSET_PTR, &offset, 0)), st);
    CHECK_S(SQL_SUCCEEDED(SQLBindCol(st, 1, SQL_C_SLONG, buf[0].id, 0, buf[0].id_ind)), st);
    CHECK_S(SQL_SUCCEEDED(SQLBindCol(st, 2, SQL_C_CHAR, buf[0].s, 8, buf[0].s_ind)), st);
    CHECK_S(exec(st, "SELECT id, s FROM t ORDER BY id"), st);
    int total = 0, sets = 0;
    SQLRETURN rc;
    while ((rc = SQLFetch(st)) == SQL_SUCCESS) {
        sets++;
        for (SQLULEN i = 0; i < fetched; i++) {
            int id = total + 1 + (int)i;
            CHECK_S(buf[1].id[i] == id, st);
            CHECK_S(buf[1].id_ind[i] == sizeof(SQLINTEGER), st);
            if (id % 5 == 0)
                CHECK_S(buf[1].s_ind[i] == SQL_NULL_DATA, st);
            else
                CHECK_S(atoi(buf[1].s[i] + 3) == id, st);
        }
        if (fetched < 7)
            CHECK_S(status[5] == SQL_ROW_SUCCESS && status[6] == SQL_ROW_NOROW, st);
        total += (int)fetched;
    }
    CHECK_S(rc == SQL_NO_DATA, st);
    CHECK_S(total == NROWS, st);
    CHECK_S(sets == 3, st);
    CHECK_S(buf[0].id[0] == 0, st);     /* the offset was honoured */
    SQLFreeHandle(SQL_HANDLE_STMT, st);
}

/* ---------- scrolling --------------------------------------------------- */

static void test_static_scroll(void)
{
    SQLHSTMT st = new_stmt();
    SQLINTEGER id = 0;
    SQLLEN ind = 0;
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_CURSOR_TYPE,
                                         (SQLPOINTER)SQL_CURSOR_STATIC, 0)), st);
    CHECK_S(SQL_SUCCEEDED(SQLBindCol(st, 1, SQL_C_SLONG, &id, 0, &ind)), st);
    CHECK_S(exec(st, "SELECT id FROM t ORDER BY id"), st);
    struct { SQLSMALLINT o; SQLLEN off; SQLRETURN rc; int id; } steps[] = {
        {SQL_FETCH_FIRST, 0, SQL_SUCCESS, 1},      {SQL_FETCH_LAST, 0, SQL_SUCCESS, 20},
        {SQL_FETCH_PRIOR, 0, SQL_SUCCESS, 19},     {SQL_FETCH_ABSOLUTE, 5, SQL_SUCCESS, 5},
        {SQL_FETCH_ABSOLUTE, -3, SQL_SUCCESS, 18}, {SQL_FETCH_RELATIVE, -2, SQL_SUCCESS, 16},
        {SQL_FETCH_NEXT, 0, SQL_SUCCESS, 17},      {SQL_FETCH_RELATIVE, 3, SQL_SUCCESS, 20},
        {SQL_FETCH_NEXT, 0, SQL_NO_DATA, 0},       {SQL_FETCH_PRIOR, 0, SQL_SUCCESS, 20},
        {SQL_FETCH_ABSOLUTE, 21, SQL_NO_DATA, 0},  {SQL_FETCH_RELATIVE, -1, SQL_SUCCESS, 20},
        {SQL_FETCH_ABSOLUTE, 0, SQL_NO_DATA, 0},   {SQL_FETCH_PRIOR, 0, SQL_NO_DATA, 0},
        {SQL_FETCH_NEXT, 0, SQL_SUCCESS, 1},       {SQL_FETCH_RELATIVE, 0, SQL_SUCCESS, 1},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        id = -1;
        SQLRETURN rc = SQLFetchScroll(st, steps[i].o, steps[i].off);
        if (rc != steps[i].rc || (steps[i].id && id != steps[i].id))
            fprintf(stderr, "  step %zu: orientation %d offset %ld -> rc %d id %d\n", i,
                    steps[i].o, (long)steps[i].off, rc, (int)id);
        CHECK_S(rc == steps[i].rc, st);
        if (steps[i].id)
            CHECK_S(id == steps[i].id, st);
    }
    /* Rowsets of 7 over 20 rows: the last one is partial. */
    SQLINTEGER ids[7];
    SQLULEN fetched = 0;
    CHECK_S(SQL_SUCCEEDED(SQLBindCol(st, 1, SQL_C_SLONG, ids, 0, NULL)), st);
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)7, 0)), st);
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_ROWS_FETCHED_PTR, &fetched, 0)), st);
    CHECK_S(SQLFetchScroll(st, SQL_FETCH_LAST, 0) == SQL_SUCCESS, st);
    CHECK_S(fetched == 7 && ids[0] == 14 && ids[6] == 20, st);
    CHECK_S(SQLFetchScroll(st, SQL_FETCH_ABSOLUTE, 18) == SQL_SUCCESS, st);
    CHECK_S(fetched == 3 && ids[0] == 18 && ids[2] == 20, st);
    CHECK_S(SQLFetchScroll(st, SQL_FETCH_PRIOR, 0) == SQL_SUCCESS, st);
    CHECK_S(fetched == 7 && ids[0] == 11, st);
    /* SQLSetPos + SQLGetData read any row of the rowset. */
    SQLINTEGER v = 0;
    CHECK_S(SQL_SUCCEEDED(SQLSetPos(st, 4, SQL_POSITION, SQL_LOCK_NO_CHANGE)), st);
    CHECK_S(SQL_SUCCEEDED(SQLGetData(st, 1, SQL_C_SLONG, &v, 0, NULL)) && v == 14, st);
    CHECK_S(SQLSetPos(st, 1, SQL_DELETE, SQL_LOCK_NO_CHANGE) == SQL_ERROR, st);
    CHECK_S(state_is(st, "HYC00"), st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);

    /* A forward-only cursor refuses to go back. */
    st = new_stmt();
    CHECK_S(exec(st, "SELECT id FROM t"), st);
    CHECK_S(SQLFetchScroll(st, SQL_FETCH_PRIOR, 0) == SQL_ERROR, st);
    CHECK_S(state_is(st, "HY106"), st);
    CHECK_S(SQLFetchScroll(st, SQL_FETCH_NEXT, 0) == SQL_SUCCESS, st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
}

/* ---------- SQLGetData -------------------------------------------------- */

/* Is s[0..n) whole UTF-8 characters? */
static int utf8_complete(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t len = s[i] < 0x80 ? 1 : (s[i] >> 5) == 6 ? 2 : (s[i] >> 4) == 14 ? 3
                   : (s[i] >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + len > n)
            return 0;
        i += len;
    }
    return 1;
}

static const char TEXT[] = "h\xc3\xa9\xc3\xa9\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9eworld";

static void test_getdata_chunks(void)
{
    SQLHSTMT st = new_stmt();
    CHECK_S(exec(st, "SELECT txt, bl, txt FROM u"), st);
    CHECK_S(SQLFetch(st) == SQL_SUCCESS, st);
    /* Text in 6-byte pieces (5 bytes + NUL each): no character is split. */
    char whole[64] = "", piece[6];
    SQLLEN ind = 0;
    int calls = 0, infos = 0;
    SQLRETURN rc;
    while ((rc = SQLGetData(st, 1, SQL_C_CHAR, piece, sizeof piece, &ind)) != SQL_NO_DATA) {
        calls++;
        if (rc == SQL_ERROR || calls > 20) {
            CHECK_S(0 && "SQLGetData text chunk", st);
            break;
        }
        if (rc == SQL_SUCCESS_WITH_INFO) {
            infos++;
            CHECK_S(state_is(st, "01004"), st);
            CHECK_S(ind == SQL_NO_TOTAL || ind > (SQLLEN)strlen(piece), st);
        }
        CHECK_S(utf8_complete((unsigned char *)piece, strlen(piece)), st);
        strcat(whole, piece);
    }
    CHECK_S(strcmp(whole, TEXT) == 0, st);
    CHECK_S(infos >= 3, st);
    /* Blob: 100 bytes in 30-byte pieces -> 30, 30, 30 (01004), 10, then NO_DATA. */
    unsigned char b[30];
    SQLLEN got = 0;
    int binfo = 0;
    calls = 0;
    while ((rc = SQLGetData(st, 2, SQL_C_BINARY, b, sizeof b, &ind)) != SQL_NO_DATA) {
        if (rc == SQL_ERROR || ++calls > 10) {
            CHECK_S(0 && "SQLGetData blob chunk", st);
            break;
        }
        if (rc == SQL_SUCCESS_WITH_INFO) {
            binfo++;
            CHECK_S(ind == SQL_NO_TOTAL || ind == 100 - got, st);
            got += 30;
        } else {
            CHECK_S(ind == 100 - got, st);
            got += ind;
        }
    }
    CHECK_S(got == 100, st);
    CHECK_S(binfo == 3, st);
    /* Column 3 (same text) as UTF-16, in one go; then NO_DATA. */
    SQLWCHAR w[32];
    CHECK_S(SQLGetData(st, 3, SQL_C_WCHAR, w, sizeof w, &ind) == SQL_SUCCESS, st);
    /* h é é é € 𝄞(surrogate pair) w o r l d = 12 units */
    if (ind != 12 * (SQLLEN)sizeof(SQLWCHAR))
        fprintf(stderr, "  WCHAR ind %ld units %x %x %x %x %x %x %x %x\n", (long)ind, w[0], w[1],
                w[2], w[3], w[4], w[5], w[6], w[7]);
    CHECK_S(ind == 12 * (SQLLEN)sizeof(SQLWCHAR), st);
    CHECK_S(w[0] == 'h' && w[1] == 0xE9 && w[4] == 0x20AC && w[5] == 0xD834 && w[6] == 0xDD1E &&
                w[7] == (SQLWCHAR)0x77 && w[12] == 0, st);
    CHECK_S(SQLGetData(st, 3, SQL_C_WCHAR, w, sizeof w, &ind) == SQL_NO_DATA, st);
    /* Going back to an earlier column is allowed (SQL_GD_ANY_ORDER). */
    CHECK_S(SQL_SUCCEEDED(SQLGetData(st, 1, SQL_C_CHAR, whole, sizeof whole, &ind)), st);
    CHECK_S(strcmp(whole, TEXT) == 0, st);
    CHECK_S(SQLGetData(st, 9, SQL_C_CHAR, whole, sizeof whole, &ind) == SQL_ERROR, st);
    CHECK_S(state_is(st, "07009"), st);
    CHECK_S(SQLFetch(st) == SQL_NO_DATA, st);
    CHECK_S(SQLGetData(st, 1, SQL_C_CHAR, whole, sizeof whole, &ind) == SQL_ERROR, st);
    CHECK_S(state_is(st, "24000"), st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);

    /* SQLGetData on a bound column, NULL with an indicator. */
    st = new_stmt();
    SQLINTEGER id = 0;
    CHECK_S(SQL_SUCCEEDED(SQLBindCol(st, 1, SQL_C_SLONG, &id, 0, NULL)), st);
    CHECK_S(exec(st, "SELECT id, s FROM t WHERE id = 5"), st);
    CHECK_S(SQLFetch(st) == SQL_SUCCESS && id == 5, st);
    SQLINTEGER again = 0;
    CHECK_S(SQLGetData(st, 1, SQL_C_SLONG, &again, 0, &ind) == SQL_SUCCESS && again == 5, st);
    CHECK_S(SQLGetData(st, 2, SQL_C_CHAR, piece, sizeof piece, &ind) == SQL_SUCCESS, st);
    CHECK_S(ind == SQL_NULL_DATA, st);
    CHECK_S(SQLGetData(st, 2, SQL_C_CHAR, piece, sizeof piece, &ind) == SQL_NO_DATA, st);
    CHECK_S(SQLBindCol(st, 0, SQL_C_BOOKMARK, &id, 0, NULL) == SQL_ERROR, st);
    CHECK_S(state_is(st, "07009"), st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
}

/* ---------- metadata ------------------------------------------------------ */

static void test_describe(void)
{
    SQLHSTMT st = new_stmt();
    CHECK_S(SQLPrepare(st, (SQLCHAR *)"SELECT id, r, s, b, n, d AS day FROM t", SQL_NTS) ==
                SQL_SUCCESS, st);
    SQLSMALLINT ncols = 0;
    CHECK_S(SQL_SUCCEEDED(SQLNumResultCols(st, &ncols)) && ncols == 6, st);
    char name[32];
    SQLSMALLINT nl, type, digits, nullable;
    SQLULEN size;
    CHECK_S(SQLDescribeCol(st, 1, (SQLCHAR *)name, sizeof name, &nl, &type, &size, &digits,
                           &nullable) == SQL_SUCCESS, st);
    CHECK_S(strcmp(name, "id") == 0 && nl == 2, st);
    CHECK_S(type == SQL_BIGINT || type == SQL_INTEGER, st);
    CHECK_S(SQLDescribeCol(st, 2, (SQLCHAR *)name, sizeof name, &nl, &type, &size, &digits,
                           &nullable) == SQL_SUCCESS, st);
    CHECK_S(type == SQL_DOUBLE || type == SQL_REAL || type == SQL_FLOAT, st);
    CHECK_S(nullable == SQL_NULLABLE, st);
    CHECK_S(SQLDescribeCol(st, 3, (SQLCHAR *)name, sizeof name, &nl, &type, &size, &digits,
                           &nullable) == SQL_SUCCESS, st);
    CHECK_S(type == SQL_VARCHAR || type == SQL_WVARCHAR || type == SQL_LONGVARCHAR ||
                type == SQL_WLONGVARCHAR, st);
    CHECK_S(size > 0, st);
    CHECK_S(SQLDescribeCol(st, 4, (SQLCHAR *)name, sizeof name, &nl, &type, &size, &digits,
                           &nullable) == SQL_SUCCESS, st);
    CHECK_S(type == SQL_VARBINARY || type == SQL_LONGVARBINARY || type == SQL_BINARY, st);
    CHECK_S(SQLDescribeCol(st, 5, (SQLCHAR *)name, sizeof name, &nl, &type, &size, &digits,
                           &nullable) == SQL_SUCCESS, st);
    CHECK_S((type == SQL_NUMERIC || type == SQL_DECIMAL) && size == 10 && digits == 2, st);
    CHECK_S(SQLDescribeCol(st, 6, (SQLCHAR *)name, 3, &nl, &type, &size, &digits, &nullable) ==
                SQL_SUCCESS_WITH_INFO, st);
    CHECK_S(state_is(st, "01004"), st);
    CHECK_S(strcmp(name, "da") == 0 && nl == 3, st);
    CHECK_S(type == SQL_TYPE_DATE && size == 10, st);
    CHECK_S(SQLDescribeCol(st, 7, (SQLCHAR *)name, sizeof name, &nl, &type, &size, &digits,
                           &nullable) == SQL_ERROR, st);
    CHECK_S(state_is(st, "07009"), st);

    SQLLEN num = 0;
    SQLSMALLINT sl = 0;
    CHECK_S(SQL_SUCCEEDED(SQLColAttribute(st, 0, SQL_DESC_COUNT, NULL, 0, NULL, &num)) &&
                num == 6, st);
    CHECK_S(SQL_SUCCEEDED(SQLColAttribute(st, 6, SQL_DESC_TYPE, NULL, 0, NULL, &num)) &&
                num == SQL_DATETIME, st);
    CHECK_S(SQL_SUCCEEDED(SQLColAttribute(st, 6, SQL_DESC_CONCISE_TYPE, NULL, 0, NULL, &num)) &&
                num == SQL_TYPE_DATE, st);
    CHECK_S(SQL_SUCCEEDED(SQLColAttribute(st, 6, SQL_DESC_LABEL, name, sizeof name, &sl, NULL)) &&
                strcmp(name, "day") == 0, st);
    CHECK_S(SQL_SUCCEEDED(SQLColAttribute(st, 6, SQL_DESC_BASE_COLUMN_NAME, name, sizeof name,
                                          &sl, NULL)) && strcmp(name, "d") == 0, st);
    CHECK_S(SQL_SUCCEEDED(SQLColAttribute(st, 1, SQL_DESC_BASE_TABLE_NAME, name, sizeof name,
                                          &sl, NULL)) && strcmp(name, "t") == 0, st);
    CHECK_S(SQL_SUCCEEDED(SQLColAttribute(st, 1, SQL_DESC_TYPE_NAME, name, sizeof name, &sl,
                                          NULL)) && sl > 0, st);
    CHECK_S(SQL_SUCCEEDED(SQLColAttribute(st, 1, SQL_DESC_UNNAMED, NULL, 0, NULL, &num)) &&
                num == SQL_NAMED, st);
    CHECK_S(SQL_SUCCEEDED(SQLColAttribute(st, 2, SQL_DESC_NUM_PREC_RADIX, NULL, 0, NULL, &num)) &&
                (num == 2 || num == 10), st);
    CHECK_S(SQL_SUCCEEDED(SQLColAttribute(st, 3, SQL_DESC_CASE_SENSITIVE, NULL, 0, NULL, &num)) &&
                num == SQL_TRUE, st);
    CHECK_S(SQL_SUCCEEDED(SQLColAttribute(st, 3, SQL_DESC_SEARCHABLE, NULL, 0, NULL, &num)) &&
                num == SQL_PRED_SEARCHABLE, st);
    CHECK_S(SQL_SUCCEEDED(SQLColAttribute(st, 3, SQL_DESC_LITERAL_PREFIX, name, sizeof name, &sl,
                                          NULL)) && strcmp(name, "'") == 0, st);
    CHECK_S(SQL_SUCCEEDED(SQLColAttribute(st, 6, SQL_DESC_DISPLAY_SIZE, NULL, 0, NULL, &num)) &&
                num == 10, st);
    CHECK_S(SQLColAttribute(st, 1, 4242, NULL, 0, NULL, &num) == SQL_ERROR, st);
    CHECK_S(state_is(st, "HY091"), st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);

    st = new_stmt();
    CHECK_S(exec(st, "UPDATE t SET r = r WHERE id = -1"), st);
    CHECK_S(SQL_SUCCEEDED(SQLNumResultCols(st, &ncols)) && ncols == 0, st);
    CHECK_S(SQLDescribeCol(st, 1, (SQLCHAR *)name, sizeof name, &nl, &type, &size, &digits,
                           &nullable) == SQL_ERROR, st);
    CHECK_S(state_is(st, "07005"), st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
}

/* ---------- ODBC 2 block fetch, bookmarks, refresh, row errors ------------ */

static void test_extended_and_bookmarks(void)
{
    SQLHSTMT st = new_stmt();
    SQLINTEGER ids[7];
    SQLULEN count = 0;
    SQLUSMALLINT status[7];
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_CURSOR_TYPE,
                                         (SQLPOINTER)SQL_CURSOR_STATIC, 0)), st);
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_USE_BOOKMARKS, (SQLPOINTER)SQL_UB_VARIABLE,
                                         0)), st);
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ROWSET_SIZE, (SQLPOINTER)7, 0)), st);
    CHECK_S(SQL_SUCCEEDED(SQLBindCol(st, 1, SQL_C_SLONG, ids, 0, NULL)), st);
    CHECK_S(exec(st, "SELECT id FROM t ORDER BY id"), st);
    CHECK_S(SQLExtendedFetch(st, SQL_FETCH_LAST, 0, &count, status) == SQL_SUCCESS, st);
    CHECK_S(count == 7 && ids[0] == 14 && status[6] == SQL_ROW_SUCCESS, st);
    CHECK_S(SQLExtendedFetch(st, SQL_FETCH_ABSOLUTE, 15, &count, status) == SQL_SUCCESS, st);
    CHECK_S(count == 6 && ids[0] == 15 && status[5] == SQL_ROW_SUCCESS &&
                status[6] == SQL_ROW_NOROW, st);
    /* Bookmark of the rowset's 2nd row, then jump back to it. */
    CHECK_S(SQL_SUCCEEDED(SQLSetPos(st, 2, SQL_POSITION, SQL_LOCK_NO_CHANGE)), st);
    SQLLEN bm = 0, bmlen = 0;
    CHECK_S(SQLGetData(st, 0, SQL_C_VARBOOKMARK, &bm, sizeof bm, &bmlen) == SQL_SUCCESS, st);
    CHECK_S(bmlen == sizeof bm && bm > 0, st);
    CHECK_S(SQLExtendedFetch(st, SQL_FETCH_FIRST, 0, &count, status) == SQL_SUCCESS, st);
    CHECK_S(ids[0] == 1, st);
    CHECK_S(SQLExtendedFetch(st, SQL_FETCH_BOOKMARK, bm, &count, status) == SQL_SUCCESS, st);
    CHECK_S(ids[0] == 16 && count == 5, st);
    /* SQL_REFRESH copies the rowset into the buffers again. */
    ids[0] = -1;
    ids[4] = -1;
    CHECK_S(SQL_SUCCEEDED(SQLSetPos(st, 0, SQL_REFRESH, SQL_LOCK_NO_CHANGE)), st);
    CHECK_S(ids[0] == 16 && ids[4] == 20, st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);

    /* A value that does not convert fails its row, not the rowset. */
    st = new_stmt();
    SQLSMALLINT vals[3];
    SQLLEN inds[3];
    SQLULEN fetched = 0;
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)3, 0)), st);
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_ROW_STATUS_PTR, status, 0)), st);
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_ROWS_FETCHED_PTR, &fetched, 0)), st);
    CHECK_S(SQL_SUCCEEDED(SQLBindCol(st, 1, SQL_C_SSHORT, vals, 0, inds)), st);
    CHECK_S(exec(st, "SELECT 1 UNION ALL SELECT 100000 UNION ALL SELECT 3"), st);
    SQLRETURN rc = SQLFetch(st);
    CHECK_S(rc == SQL_SUCCESS_WITH_INFO, st);
    CHECK_S(fetched == 3, st);
    CHECK_S(status[0] == SQL_ROW_SUCCESS && status[1] == SQL_ROW_ERROR &&
                status[2] == SQL_ROW_SUCCESS, st);
    CHECK_S(vals[0] == 1 && vals[2] == 3, st);
    CHECK_S(state_is(st, "22003"), st);
    SQLLEN rowno = 0;
    CHECK_S(SQL_SUCCEEDED(SQLGetDiagField(SQL_HANDLE_STMT, st, 1, SQL_DIAG_ROW_NUMBER, &rowno, 0,
                                          NULL)) && rowno == 2, st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);

    /* Forward-only blocks: SQLGetData reads the rowset's first row only if it
     * is still in SQLite's buffers; SQLSetPos to the last row makes it so. */
    st = new_stmt();
    SQLINTEGER blk[3], one = 0;
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)3, 0)), st);
    CHECK_S(SQL_SUCCEEDED(SQLBindCol(st, 1, SQL_C_SLONG, blk, 0, NULL)), st);
    CHECK_S(exec(st, "SELECT id FROM t ORDER BY id"), st);
    CHECK_S(SQLFetch(st) == SQL_SUCCESS && blk[0] == 1 && blk[2] == 3, st);
    CHECK_S(SQLGetData(st, 1, SQL_C_SLONG, &one, 0, NULL) == SQL_ERROR, st);
    CHECK_S(SQLSetPos(st, 1, SQL_POSITION, SQL_LOCK_NO_CHANGE) == SQL_ERROR, st);
    CHECK_S(state_is(st, "HYC00"), st);
    CHECK_S(SQL_SUCCEEDED(SQLSetPos(st, 3, SQL_POSITION, SQL_LOCK_NO_CHANGE)), st);
    CHECK_S(SQLGetData(st, 1, SQL_C_SLONG, &one, 0, NULL) == SQL_SUCCESS && one == 3, st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
}

/* ---------- descriptors through the driver manager ----------------------- */

static void test_descriptors(void)
{
    SQLHSTMT st = new_stmt();
    SQLHDESC user = SQL_NULL_HDESC, ird = SQL_NULL_HDESC, ard = SQL_NULL_HDESC;
    CHECK(SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DESC, dbc, &user)), SQL_HANDLE_DBC, dbc);
    SQLINTEGER ids[4];
    SQLLEN inds[4];
    SQLULEN fetched = 0;
    /* Bind through an explicit descriptor's fields instead of SQLBindCol. */
    CHECK(SQL_SUCCEEDED(SQLSetDescField(user, 1, SQL_DESC_CONCISE_TYPE, (SQLPOINTER)SQL_C_SLONG, 0)),
          SQL_HANDLE_DESC, user);
    CHECK(SQL_SUCCEEDED(SQLSetDescField(user, 1, SQL_DESC_INDICATOR_PTR, inds, 0)),
          SQL_HANDLE_DESC, user);
    CHECK(SQL_SUCCEEDED(SQLSetDescField(user, 1, SQL_DESC_OCTET_LENGTH_PTR, inds, 0)),
          SQL_HANDLE_DESC, user);
    CHECK(SQL_SUCCEEDED(SQLSetDescField(user, 1, SQL_DESC_DATA_PTR, ids, 0)), SQL_HANDLE_DESC, user);
    CHECK(SQL_SUCCEEDED(SQLSetDescField(user, 0, SQL_DESC_ARRAY_SIZE, (SQLPOINTER)4, 0)),
          SQL_HANDLE_DESC, user);
    CHECK(SQLSetDescField(user, 2, SQL_DESC_DISPLAY_SIZE, (SQLPOINTER)4, 0) == SQL_ERROR,
          SQL_HANDLE_DESC, user);
    CHECK_S(SQL_SUCCEEDED(SQLGetStmtAttr(st, SQL_ATTR_APP_ROW_DESC, &ard, 0, NULL)), st);
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_APP_ROW_DESC, user, 0)), st);
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_ROWS_FETCHED_PTR, &fetched, 0)), st);
    CHECK_S(exec(st, "SELECT id, s AS label FROM t WHERE id > 16 ORDER BY id"), st);
    CHECK_S(SQLFetch(st) == SQL_SUCCESS, st);
    CHECK_S(fetched == 4 && ids[0] == 17 && ids[3] == 20 && inds[3] == 4, st);

    /* The IRD is readable, not writable. */
    CHECK_S(SQL_SUCCEEDED(SQLGetStmtAttr(st, SQL_ATTR_IMP_ROW_DESC, &ird, 0, NULL)), st);
    SQLSMALLINT count = 0;
    CHECK(SQL_SUCCEEDED(SQLGetDescField(ird, 0, SQL_DESC_COUNT, &count, 0, NULL)) && count == 2,
          SQL_HANDLE_DESC, ird);
    char name[16];
    SQLINTEGER nlen = 0;
    CHECK(SQL_SUCCEEDED(SQLGetDescField(ird, 2, SQL_DESC_NAME, name, sizeof name, &nlen)) &&
              strcmp(name, "label") == 0 && nlen == 5, SQL_HANDLE_DESC, ird);
    CHECK(SQLSetDescField(ird, 1, SQL_DESC_TYPE, (SQLPOINTER)SQL_INTEGER, 0) == SQL_ERROR,
          SQL_HANDLE_DESC, ird);
    {
        char s5[6], m[256];
        diag_of(SQL_HANDLE_DESC, ird, s5, m, sizeof m);
        CHECK(strcmp(s5, "HY016") == 0, SQL_HANDLE_DESC, ird);
    }
    SQLSMALLINT type = 0, sub = 0, prec = 0, scale = 0, nullable = 0, nl = 0;
    SQLLEN len = 0;
    CHECK(SQLGetDescRec(ird, 1, (SQLCHAR *)name, sizeof name, &nl, &type, &sub, &len, &prec,
                        &scale, &nullable) == SQL_SUCCESS && strcmp(name, "id") == 0,
          SQL_HANDLE_DESC, ird);
    CHECK(SQLGetDescRec(ird, 3, (SQLCHAR *)name, sizeof name, &nl, &type, &sub, &len, &prec,
                        &scale, &nullable) == SQL_NO_DATA, SQL_HANDLE_DESC, ird);

    /* Back to the implicit ARD; copy the explicit one into it. */
    CHECK_S(SQL_SUCCEEDED(SQLCloseCursor(st)), st);
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_APP_ROW_DESC, SQL_NULL_HDESC, 0)), st);
    /* (unixODBC answers SQLGetStmtAttr with the handle it cached, so the
     * implicit ARD's handle was taken before the explicit one was set.) */
    CHECK(ard != user, SQL_HANDLE_STMT, st);
    CHECK(SQL_SUCCEEDED(SQLCopyDesc(user, ard)), SQL_HANDLE_DESC, ard);
    memset(ids, 0, sizeof ids);
    CHECK_S(exec(st, "SELECT id FROM t WHERE id <= 4 ORDER BY id"), st);
    CHECK_S(SQLFetch(st) == SQL_SUCCESS && fetched == 4 && ids[0] == 1 && ids[3] == 4, st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    SQLFreeHandle(SQL_HANDLE_DESC, user);
}

static void test_max_rows_and_default(void)
{
    SQLHSTMT st = new_stmt();
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_MAX_ROWS, (SQLPOINTER)5, 0)), st);
    CHECK_S(exec(st, "SELECT id FROM t"), st);
    int n = 0;
    while (SQLFetch(st) == SQL_SUCCESS)
        n++;
    CHECK_S(n == 5, st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);

    st = new_stmt();
    union { SQLINTEGER i32; SQLBIGINT i64; double d; char s[32]; } idv, rv, sv;
    SQLLEN ii, ri, si;
    CHECK_S(SQL_SUCCEEDED(SQLBindCol(st, 1, SQL_C_DEFAULT, &idv, sizeof idv, &ii)), st);
    CHECK_S(SQL_SUCCEEDED(SQLBindCol(st, 2, SQL_C_DEFAULT, &rv, sizeof rv, &ri)), st);
    CHECK_S(SQL_SUCCEEDED(SQLBindCol(st, 3, SQL_C_DEFAULT, &sv, sizeof sv, &si)), st);
    CHECK_S(exec(st, "SELECT id, r, s FROM t WHERE id = 3"), st);
    SQLSMALLINT t1 = 0, t2 = 0, t3 = 0;
    SQLDescribeCol(st, 1, NULL, 0, NULL, &t1, NULL, NULL, NULL);
    SQLDescribeCol(st, 2, NULL, 0, NULL, &t2, NULL, NULL, NULL);
    SQLDescribeCol(st, 3, NULL, 0, NULL, &t3, NULL, NULL, NULL);
    memset(&idv, 0, sizeof idv);
    CHECK_S(SQLFetch(st) == SQL_SUCCESS, st);
    if (t1 == SQL_BIGINT)
        CHECK_S(idv.i64 == 3 && ii == 8, st);
    else
        CHECK_S(idv.i32 == 3 && ii == 4, st);
    if (t2 == SQL_DOUBLE || t2 == SQL_FLOAT)
        CHECK_S(rv.d == 3.5 && ri == 8, st);
    if (t3 == SQL_VARCHAR || t3 == SQL_LONGVARCHAR)
        CHECK_S(strcmp(sv.s, "row3") == 0 && si == 4, st);
    else
        CHECK_S(si == 4 * (SQLLEN)sizeof(SQLWCHAR), st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);

    /* retrieve_data off: rows move, buffers stay untouched. */
    st = new_stmt();
    SQLINTEGER id = -7;
    CHECK_S(SQL_SUCCEEDED(SQLSetStmtAttr(st, SQL_ATTR_RETRIEVE_DATA, (SQLPOINTER)SQL_RD_OFF, 0)), st);
    CHECK_S(SQL_SUCCEEDED(SQLBindCol(st, 1, SQL_C_SLONG, &id, 0, NULL)), st);
    CHECK_S(exec(st, "SELECT id FROM t"), st);
    CHECK_S(SQLFetch(st) == SQL_SUCCESS && id == -7, st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
}

int main(void)
{
    const char *tmp = getenv("LSQ_TEST_TMP");
    if (!tmp) {
        fprintf(stderr, "FAIL: LSQ_TEST_TMP not set (run through tests/integration/run.sh)\n");
        return 2;
    }
    char conn[1024];
    snprintf(conn, sizeof conn, "Driver=libSQL;Database=%s/f.db;Create=1", tmp);
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
    SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
    SQLRETURN rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)conn, SQL_NTS, NULL, 0, NULL,
                                    SQL_DRIVER_NOPROMPT);
    CHECK(SQL_SUCCEEDED(rc), SQL_HANDLE_DBC, dbc);
    if (!SQL_SUCCEEDED(rc)) {
        printf("%d passed, %d failed (cannot connect)\n", passed, failed);
        return 1;
    }
    setup_data();
    test_row_wise();
    test_column_wise_and_offset();
    test_static_scroll();
    test_getdata_chunks();
    test_describe();
    test_max_rows_and_default();
    test_extended_and_bookmarks();
    test_descriptors();
    SQLDisconnect(dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
