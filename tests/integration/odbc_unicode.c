/*
 * odbc_unicode.c — the wide (W) API end to end through unixODBC: a Unicode
 * application connects with SQLDriverConnectW (to a file whose name is not
 * ASCII), creates and fills a table whose names and values hold é, 漢字 and
 * an emoji (a UTF-16 surrogate pair), and reads everything back: column
 * names (SQLDescribeColW, in characters), attributes (SQLColAttributeW, in
 * bytes), data (SQLGetData SQL_C_WCHAR), catalog results (SQLTablesW,
 * SQLColumnsW), SQLGetInfoW (bytes), diagnostics (SQLGetDiagRecW) and
 * truncation (01004, full lengths, no split surrogate pairs).
 *
 * Run through tests/integration/run.sh. Prints "N passed, M failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sql.h>
#include <sqlext.h>
#include <sqlucode.h>

static int passed, failed;

#define CHECK(cond, ...)                                            \
    do {                                                            \
        if (cond) {                                                 \
            passed++;                                               \
        } else {                                                    \
            failed++;                                               \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);             \
            printf(__VA_ARGS__);                                    \
            printf("\n");                                           \
        }                                                           \
    } while (0)

/* ---- UTF-8 <-> UTF-16 for the test itself (independent of the driver) -- */

/* Returns units written (excluding the NUL). */
static size_t to_w(const char *s, SQLWCHAR *out, size_t cap)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = 0;
    while (*u && n + 2 < cap) {
        unsigned cp;
        if (u[0] < 0x80) { cp = u[0]; u += 1; }
        else if (u[0] < 0xE0) { cp = ((u[0] & 0x1Fu) << 6) | (u[1] & 0x3Fu); u += 2; }
        else if (u[0] < 0xF0) {
            cp = ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu); u += 3;
        } else {
            cp = ((u[0] & 0x07u) << 18) | ((u[1] & 0x3Fu) << 12) | ((u[2] & 0x3Fu) << 6) |
                 (u[3] & 0x3Fu);
            u += 4;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out[n++] = (SQLWCHAR)(0xD800 + (cp >> 10));
            out[n++] = (SQLWCHAR)(0xDC00 + (cp & 0x3FF));
        } else {
            out[n++] = (SQLWCHAR)cp;
        }
    }
    out[n] = 0;
    return n;
}

static void to_u8(const SQLWCHAR *w, char *out, size_t cap)
{
    size_t n = 0;
    for (; *w; w++) {
        unsigned cp = *w;
        if (cp >= 0xD800 && cp < 0xDC00 && w[1] >= 0xDC00 && w[1] < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (w[1] - 0xDC00);
            w++;
        }
        size_t need = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (n + need >= cap)
            break;
        if (cp < 0x80) out[n++] = (char)cp;
        else if (cp < 0x800) {
            out[n++] = (char)(0xC0 | (cp >> 6));
            out[n++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out[n++] = (char)(0xE0 | (cp >> 12));
            out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[n++] = (char)(0x80 | (cp & 0x3F));
        } else {
            out[n++] = (char)(0xF0 | (cp >> 18));
            out[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
            out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[n++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    out[n] = '\0';
}

static size_t wlen(const SQLWCHAR *w)
{
    size_t n = 0;
    while (w[n])
        n++;
    return n;
}

/* A wide literal from UTF-8 (static rotating buffers: up to 8 live at once). */
static SQLWCHAR *W(const char *s)
{
    static SQLWCHAR bufs[8][1024];
    static int next;
    SQLWCHAR *b = bufs[next++ & 7];
    to_w(s, b, 1024);
    return b;
}

/* ---- diagnostics ------------------------------------------------------ */

static char last_state[6];
static char last_msg[1024];

/* Read diagnostic record 1 with SQLGetDiagRecW into last_state/last_msg. */
static SQLRETURN diag_w(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT *textlen)
{
    SQLWCHAR st[6], msg[1024];
    SQLINTEGER native = 0;
    SQLSMALLINT len = 0;
    SQLRETURN rc = SQLGetDiagRecW(type, h, 1, st, &native, msg, 1024, &len);
    last_state[0] = last_msg[0] = '\0';
    if (SQL_SUCCEEDED(rc)) {
        to_u8(st, last_state, sizeof last_state);
        to_u8(msg, last_msg, sizeof last_msg);
    }
    if (textlen)
        *textlen = len;
    return rc;
}

static int ok(SQLRETURN rc, SQLSMALLINT type, SQLHANDLE h, const char *what)
{
    if (SQL_SUCCEEDED(rc))
        return 1;
    diag_w(type, h, NULL);
    printf("  %s failed (%d): %s %s\n", what, rc, last_state, last_msg);
    return 0;
}

static int exec_w(SQLHSTMT st, const char *sql)
{
    SQLRETURN rc = SQLExecDirectW(st, W(sql), SQL_NTS);
    int good = ok(rc, SQL_HANDLE_STMT, st, sql);
    CHECK(good, "SQLExecDirectW(%s)", sql);
    SQLFreeStmt(st, SQL_CLOSE);
    return good;
}

/* Column value as UTF-8 through SQL_C_WCHAR; checks the indicator is the
 * byte length of what was returned. */
static int get_wchar(SQLHSTMT st, SQLUSMALLINT col, char *out, size_t cap)
{
    SQLWCHAR w[512];
    SQLLEN ind = 0;
    SQLRETURN rc = SQLGetData(st, col, SQL_C_WCHAR, w, sizeof w, &ind);
    if (!ok(rc, SQL_HANDLE_STMT, st, "SQLGetData(WCHAR)"))
        return 0;
    if (ind == SQL_NULL_DATA) {
        out[0] = '\0';
        return 1;
    }
    CHECK(ind == (SQLLEN)(wlen(w) * sizeof(SQLWCHAR)), "col %u: indicator %ld for %zu units",
          col, (long)ind, wlen(w));
    to_u8(w, out, cap);
    return 1;
}

/* ---- the scenario ----------------------------------------------------- */

static const char *const values[] = { "é", "漢字", "😀 emoji", "mixed é漢😀z" };
#define TABLE "tëst_漢字"
#define COLUMN "naïve_名"

static void connect_info(SQLHDBC dbc, const char *dbpath)
{
    /* SQLGetInfoW: lengths in bytes */
    SQLWCHAR buf[512];
    SQLSMALLINT len = 0;
    SQLRETURN rc = SQLGetInfoW(dbc, SQL_DBMS_NAME, buf, sizeof buf, &len);
    CHECK(rc == SQL_SUCCESS, "GetInfoW(DBMS_NAME) rc %d", rc);
    char u8[1024];
    to_u8(buf, u8, sizeof u8);
    CHECK(strcmp(u8, "libSQL") == 0, "DBMS_NAME '%s'", u8);
    CHECK(len == 12, "DBMS_NAME length %d bytes, want 12", len);

    rc = SQLGetInfoW(dbc, SQL_DATABASE_NAME, buf, sizeof buf, &len);
    to_u8(buf, u8, sizeof u8);
    CHECK(rc == SQL_SUCCESS && strcmp(u8, dbpath) == 0, "DATABASE_NAME '%s' want '%s'", u8,
          dbpath);
    SQLWCHAR want_w[512];
    size_t want_units = to_w(dbpath, want_w, 512);
    CHECK(len == (SQLSMALLINT)(want_units * 2), "DATABASE_NAME len %d want %zu", len,
          want_units * 2);

    /* truncated: room for 2 characters + NUL */
    memset(buf, 0x55, sizeof buf);
    rc = SQLGetInfoW(dbc, SQL_DBMS_NAME, buf, 3 * sizeof(SQLWCHAR), &len);
    CHECK(rc == SQL_SUCCESS_WITH_INFO, "truncated GetInfoW rc %d", rc);
    CHECK(buf[0] == 'l' && buf[1] == 'i' && buf[2] == 0 && buf[3] == 0x5555,
          "truncated GetInfoW content");
    CHECK(len == 12, "truncated GetInfoW length %d", len);
    diag_w(SQL_HANDLE_DBC, dbc, NULL);
    CHECK(strcmp(last_state, "01004") == 0, "truncated GetInfoW state '%s'", last_state);

    /* numeric info through the W entry point */
    SQLUSMALLINT u16 = 0;
    rc = SQLGetInfoW(dbc, SQL_TXN_CAPABLE, &u16, sizeof u16, &len);
    CHECK(rc == SQL_SUCCESS && u16 == SQL_TC_ALL && len == 2, "GetInfoW(TXN_CAPABLE)");
}

static void create_and_fill(SQLHSTMT st)
{
    exec_w(st, "CREATE TABLE \"" TABLE "\" (id INTEGER PRIMARY KEY, \"" COLUMN "\" TEXT)");
    char sql[512];
    for (int i = 0; i < 3; i++) {
        snprintf(sql, sizeof sql, "INSERT INTO \"" TABLE "\" VALUES (%d, '%s')", i + 1,
                 values[i]);
        exec_w(st, sql);
    }
    /* the fourth row as a bound SQL_C_WCHAR parameter */
    SQLRETURN rc = SQLPrepareW(st, W("INSERT INTO \"" TABLE "\" VALUES (4, ?)"), SQL_NTS);
    CHECK(ok(rc, SQL_HANDLE_STMT, st, "SQLPrepareW"), "SQLPrepareW(insert)");
    SQLWCHAR param[64];
    SQLLEN plen = (SQLLEN)(to_w(values[3], param, 64) * sizeof(SQLWCHAR));
    rc = SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_WCHAR, SQL_WVARCHAR, 64, 0, param,
                          sizeof param, &plen);
    CHECK(ok(rc, SQL_HANDLE_STMT, st, "SQLBindParameter"), "bind WCHAR parameter");
    rc = SQLExecute(st);
    CHECK(ok(rc, SQL_HANDLE_STMT, st, "SQLExecute"), "execute WCHAR insert");
    SQLFreeStmt(st, SQL_RESET_PARAMS);
    SQLFreeStmt(st, SQL_CLOSE);
}

static void read_back(SQLHSTMT st)
{
    SQLRETURN rc = SQLExecDirectW(
        st, W("SELECT id, \"" COLUMN "\" FROM \"" TABLE "\" ORDER BY id"), SQL_NTS);
    if (!ok(rc, SQL_HANDLE_STMT, st, "select")) {
        CHECK(0, "select from the Unicode table");
        return;
    }
    /* column name in characters */
    SQLWCHAR name[64];
    SQLSMALLINT namelen = 0, type = 0, digits = 0, nullable = 0;
    SQLULEN size = 0;
    rc = SQLDescribeColW(st, 2, name, 64, &namelen, &type, &size, &digits, &nullable);
    char u8[256];
    to_u8(name, u8, sizeof u8);
    CHECK(rc == SQL_SUCCESS, "DescribeColW rc %d", rc);
    CHECK(strcmp(u8, COLUMN) == 0, "DescribeColW name '%s'", u8);
    CHECK(namelen == 7, "DescribeColW namelen %d, want 7 characters", namelen);
    CHECK(type == SQL_WVARCHAR || type == SQL_WLONGVARCHAR || type == SQL_WCHAR,
          "a Unicode application sees TEXT as a wide type, got %d", type);

    /* truncated name: room for 3 characters + NUL */
    rc = SQLDescribeColW(st, 2, name, 4, &namelen, NULL, NULL, NULL, NULL);
    to_u8(name, u8, sizeof u8);
    CHECK(rc == SQL_SUCCESS_WITH_INFO, "truncated DescribeColW rc %d", rc);
    CHECK(strcmp(u8, "naï") == 0, "truncated DescribeColW name '%s'", u8);
    CHECK(namelen == 7, "truncated DescribeColW namelen %d", namelen);
    diag_w(SQL_HANDLE_STMT, st, NULL);
    CHECK(strcmp(last_state, "01004") == 0, "truncated DescribeColW state '%s'", last_state);

    /* SQLColAttributeW: string lengths in bytes */
    SQLSMALLINT blen = 0;
    rc = SQLColAttributeW(st, 2, SQL_DESC_NAME, name, sizeof name, &blen, NULL);
    to_u8(name, u8, sizeof u8);
    CHECK(rc == SQL_SUCCESS && strcmp(u8, COLUMN) == 0, "ColAttributeW(NAME) '%s'", u8);
    CHECK(blen == 14, "ColAttributeW(NAME) length %d bytes, want 14", blen);
    rc = SQLColAttributeW(st, 2, SQL_DESC_LABEL, name, sizeof name, &blen, NULL);
    CHECK(rc == SQL_SUCCESS && blen == 14, "ColAttributeW(LABEL) rc %d len %d", rc, blen);
    rc = SQLColAttributeW(st, 2, SQL_DESC_BASE_TABLE_NAME, name, sizeof name, &blen, NULL);
    to_u8(name, u8, sizeof u8);
    CHECK(rc == SQL_SUCCESS && strcmp(u8, TABLE) == 0 && blen == 14,
          "ColAttributeW(BASE_TABLE_NAME) '%s' len %d", u8, blen);
    rc = SQLColAttributeW(st, 2, SQL_DESC_NAME, name, 6, &blen, NULL);
    CHECK(rc == SQL_SUCCESS_WITH_INFO && blen == 14 && name[0] == 'n' && name[1] == 'a' &&
              name[2] == 0,
          "truncated ColAttributeW rc %d len %d", rc, blen);
    SQLLEN num = 0;
    rc = SQLColAttributeW(st, 2, SQL_DESC_CONCISE_TYPE, NULL, 0, NULL, &num);
    CHECK(rc == SQL_SUCCESS && num == type, "ColAttributeW(CONCISE_TYPE) %ld vs %d",
          (long)num, type);

    /* values through SQL_C_WCHAR */
    int rows = 0;
    while ((rc = SQLFetch(st)) == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO) {
        char v[256];
        if (rows < 4 && get_wchar(st, 2, v, sizeof v))
            CHECK(strcmp(v, values[rows]) == 0, "row %d: '%s', want '%s'", rows + 1, v,
                  values[rows]);
        rows++;
    }
    CHECK(rc == SQL_NO_DATA, "fetch ended with %d", rc);
    CHECK(rows == 4, "%d rows, want 4", rows);
    SQLFreeStmt(st, SQL_CLOSE);

    /* SQLGetData in pieces: room for 2 units + NUL holds the emoji's
     * surrogate pair, the 'x' is left for the next call (01004) */
    rc = SQLExecDirectW(st, W("SELECT '😀x'"), SQL_NTS);
    if (ok(rc, SQL_HANDLE_STMT, st, "select emoji") && SQL_SUCCEEDED(SQLFetch(st))) {
        SQLWCHAR w[8];
        SQLLEN ind = 0;
        rc = SQLGetData(st, 1, SQL_C_WCHAR, w, 3 * sizeof(SQLWCHAR), &ind);
        CHECK(rc == SQL_SUCCESS_WITH_INFO, "GetData(WCHAR) piece rc %d", rc);
        CHECK(ind == 6, "GetData(WCHAR) total %ld bytes, want 6", (long)ind);
        CHECK(w[0] == 0xD83D && w[1] == 0xDE00 && w[2] == 0, "first piece holds the pair");
    } else {
        CHECK(0, "select emoji");
    }
    SQLFreeStmt(st, SQL_CLOSE);

    /* column alias ending in an emoji: truncation keeps the pair whole */
    rc = SQLExecDirectW(st, W("SELECT 1 AS \"a😀\""), SQL_NTS);
    if (ok(rc, SQL_HANDLE_STMT, st, "select alias")) {
        SQLWCHAR n[8];
        memset(n, 0x55, sizeof n);
        rc = SQLDescribeColW(st, 1, n, 3, &namelen, NULL, NULL, NULL, NULL);
        CHECK(rc == SQL_SUCCESS_WITH_INFO, "emoji name truncation rc %d", rc);
        CHECK(n[0] == 'a' && n[1] == 0, "a lone high surrogate was returned: %04x %04x",
              n[0], n[1]);
        CHECK(namelen == 3, "emoji name length %d units, want 3", namelen);
    } else {
        CHECK(0, "select alias");
    }
    SQLFreeStmt(st, SQL_CLOSE);
}

static void catalog(SQLHSTMT st)
{
    SQLRETURN rc = SQLTablesW(st, NULL, 0, NULL, 0, W(TABLE), SQL_NTS, W("TABLE"), SQL_NTS);
    int rows = 0;
    if (ok(rc, SQL_HANDLE_STMT, st, "SQLTablesW")) {
        while (SQL_SUCCEEDED(SQLFetch(st))) {
            char v[256];
            if (get_wchar(st, 3, v, sizeof v))
                CHECK(strcmp(v, TABLE) == 0, "SQLTablesW TABLE_NAME '%s'", v);
            rows++;
        }
    }
    CHECK(rows == 1, "SQLTablesW rows %d, want 1", rows);
    SQLFreeStmt(st, SQL_CLOSE);

    rc = SQLColumnsW(st, NULL, 0, NULL, 0, W(TABLE), SQL_NTS, W(COLUMN), SQL_NTS);
    rows = 0;
    if (ok(rc, SQL_HANDLE_STMT, st, "SQLColumnsW")) {
        while (SQL_SUCCEEDED(SQLFetch(st))) {
            char t[256], c[256];
            if (get_wchar(st, 3, t, sizeof t) && get_wchar(st, 4, c, sizeof c))
                CHECK(strcmp(t, TABLE) == 0 && strcmp(c, COLUMN) == 0,
                      "SQLColumnsW row '%s'.'%s'", t, c);
            rows++;
        }
    }
    CHECK(rows == 1, "SQLColumnsW rows %d, want 1", rows);
    SQLFreeStmt(st, SQL_CLOSE);

    rc = SQLColumnsW(st, NULL, 0, NULL, 0, W(TABLE), SQL_NTS, NULL, 0);
    rows = 0;
    if (ok(rc, SQL_HANDLE_STMT, st, "SQLColumnsW(all)"))
        while (SQL_SUCCEEDED(SQLFetch(st)))
            rows++;
    CHECK(rows == 2, "SQLColumnsW(all) rows %d, want 2", rows);
    SQLFreeStmt(st, SQL_CLOSE);
}

static void errors(SQLHSTMT st)
{
    SQLRETURN rc = SQLExecDirectW(st, W("SELECT * FROM \"nö_such_表\""), SQL_NTS);
    CHECK(rc == SQL_ERROR, "select from a missing table rc %d", rc);
    SQLSMALLINT textlen = 0;
    rc = diag_w(SQL_HANDLE_STMT, st, &textlen);
    CHECK(rc == SQL_SUCCESS, "GetDiagRecW rc %d", rc);
    CHECK(strcmp(last_state, "42S02") == 0, "missing table state '%s'", last_state);
    CHECK(strstr(last_msg, "nö_such_表") != NULL, "message names the table: '%s'", last_msg);
    SQLWCHAR mw[1024];
    size_t units = to_w(last_msg, mw, 1024);
    CHECK(textlen == (SQLSMALLINT)units, "GetDiagRecW length %d, want %zu characters", textlen,
          units);

    /* truncated message: SQL_SUCCESS_WITH_INFO, full length still reported */
    SQLWCHAR st6[6], small[5];
    SQLINTEGER native;
    SQLSMALLINT len2 = 0;
    rc = SQLGetDiagRecW(SQL_HANDLE_STMT, st, 1, st6, &native, small, 5, &len2);
    CHECK(rc == SQL_SUCCESS_WITH_INFO, "truncated GetDiagRecW rc %d", rc);
    CHECK(len2 == textlen, "truncated GetDiagRecW length %d, want %d", len2, textlen);
    CHECK(wlen(small) == 4, "truncated GetDiagRecW keeps 4 characters");

    /* SQLGetDiagFieldW(MESSAGE_TEXT): length in bytes */
    SQLSMALLINT blen = 0;
    rc = SQLGetDiagFieldW(SQL_HANDLE_STMT, st, 1, SQL_DIAG_MESSAGE_TEXT, mw, sizeof mw, &blen);
    CHECK(rc == SQL_SUCCESS && blen == (SQLSMALLINT)(units * 2),
          "GetDiagFieldW(MESSAGE_TEXT) rc %d len %d want %zu", rc, blen, units * 2);
    rc = SQLGetDiagFieldW(SQL_HANDLE_STMT, st, 1, SQL_DIAG_SQLSTATE, mw, sizeof mw, &blen);
    char s8[16];
    to_u8(mw, s8, sizeof s8);
    CHECK(rc == SQL_SUCCESS && strcmp(s8, "42S02") == 0 && blen == 10,
          "GetDiagFieldW(SQLSTATE) '%s' len %d", s8, blen);
}

static void strings_in_and_out(SQLHDBC dbc, SQLHSTMT st)
{
    SQLWCHAR out[64];
    SQLINTEGER outlen = 0;
    SQLRETURN rc = SQLNativeSqlW(dbc, W("SELECT 'é漢'"), SQL_NTS, out, 64, &outlen);
    char u8[256];
    to_u8(out, u8, sizeof u8);
    CHECK(rc == SQL_SUCCESS && strcmp(u8, "SELECT 'é漢'") == 0, "NativeSqlW '%s' rc %d", u8,
          rc);
    CHECK(outlen == 11, "NativeSqlW length %d, want 11 characters", (int)outlen);

    /* an escape grows the text: lengths are of the translation */
    rc = SQLNativeSqlW(dbc, W("SELECT {fn UCASE('é')}"), SQL_NTS, out, 64, &outlen);
    to_u8(out, u8, sizeof u8);
    CHECK(rc == SQL_SUCCESS && strstr(u8, "upper(") != NULL && outlen == (SQLINTEGER)wlen(out),
          "NativeSqlW escape '%s' len %d", u8, (int)outlen);
    SQLINTEGER full = outlen;
    SQLWCHAR small[6];
    rc = SQLNativeSqlW(dbc, W("SELECT {fn UCASE('é')}"), SQL_NTS, small, 6, &outlen);
    CHECK(rc == SQL_SUCCESS_WITH_INFO && outlen == full && wlen(small) == 5,
          "truncated NativeSqlW rc %d len %d", rc, (int)outlen);

    rc = SQLSetCursorNameW(st, W("cürsor_名"), SQL_NTS);
    CHECK(rc == SQL_SUCCESS, "SetCursorNameW rc %d", rc);
    SQLSMALLINT len = 0;
    rc = SQLGetCursorNameW(st, out, 64, &len);
    to_u8(out, u8, sizeof u8);
    CHECK(rc == SQL_SUCCESS && strcmp(u8, "cürsor_名") == 0 && len == 8,
          "GetCursorNameW '%s' len %d rc %d", u8, len, rc);
}

static void descriptors(SQLHSTMT st)
{
    SQLRETURN rc = SQLExecDirectW(
        st, W("SELECT id, \"" COLUMN "\" FROM \"" TABLE "\" ORDER BY id"), SQL_NTS);
    if (!ok(rc, SQL_HANDLE_STMT, st, "select for descriptors")) {
        CHECK(0, "select for descriptors");
        return;
    }
    SQLHDESC ird = NULL;
    rc = SQLGetStmtAttrW(st, SQL_ATTR_IMP_ROW_DESC, &ird, 0, NULL);
    CHECK(rc == SQL_SUCCESS && ird != NULL, "GetStmtAttrW(IMP_ROW_DESC) rc %d", rc);
    if (ird) {
        SQLWCHAR name[64];
        SQLSMALLINT namelen = 0, type = 0, sub = 0, prec = 0, scale = 0, nullable = 0;
        SQLLEN length = 0;
        rc = SQLGetDescRecW(ird, 2, name, 64, &namelen, &type, &sub, &length, &prec, &scale,
                            &nullable);
        char u8[256];
        to_u8(name, u8, sizeof u8);
        CHECK(rc == SQL_SUCCESS && strcmp(u8, COLUMN) == 0 && namelen == 7,
              "GetDescRecW name '%s' len %d rc %d", u8, namelen, rc);
        SQLINTEGER blen = 0;
        rc = SQLGetDescFieldW(ird, 2, SQL_DESC_NAME, name, sizeof name, &blen);
        to_u8(name, u8, sizeof u8);
        CHECK(rc == SQL_SUCCESS && strcmp(u8, COLUMN) == 0 && blen == 14,
              "GetDescFieldW(NAME) '%s' len %d rc %d", u8, (int)blen, rc);
        rc = SQLGetDescFieldW(ird, 2, SQL_DESC_NAME, name, 4, &blen);
        CHECK(rc == SQL_SUCCESS_WITH_INFO && blen == 14 && name[0] == 'n' && name[1] == 0,
              "truncated GetDescFieldW rc %d len %d", rc, (int)blen);
    }
    SQLFreeStmt(st, SQL_CLOSE);

    /* IPD names are the one writable string field */
    rc = SQLPrepareW(st, W("SELECT ?"), SQL_NTS);
    SQLHDESC ipd = NULL;
    if (ok(rc, SQL_HANDLE_STMT, st, "prepare for IPD") &&
        SQL_SUCCEEDED(SQLGetStmtAttrW(st, SQL_ATTR_IMP_PARAM_DESC, &ipd, 0, NULL)) && ipd) {
        SQLINTEGER v = 1;
        SQLLEN ind = 0;
        SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &v, 0, &ind);
        rc = SQLSetDescFieldW(ipd, 1, SQL_DESC_NAME, W("pär_名"), SQL_NTS);
        CHECK(ok(rc, SQL_HANDLE_DESC, ipd, "SetDescFieldW(NAME)"), "SetDescFieldW(NAME)");
        SQLWCHAR name[64];
        SQLINTEGER blen = 0;
        rc = SQLGetDescFieldW(ipd, 1, SQL_DESC_NAME, name, sizeof name, &blen);
        char u8[64];
        to_u8(name, u8, sizeof u8);
        CHECK(rc == SQL_SUCCESS && strcmp(u8, "pär_名") == 0 && blen == 10,
              "IPD name round trip '%s' len %d", u8, (int)blen);
    } else {
        CHECK(0, "IPD handle");
    }
    SQLFreeStmt(st, SQL_RESET_PARAMS);
    SQLFreeStmt(st, SQL_CLOSE);
}

/* Count rows of the current result, checking one wide column value. */
static int count_rows(SQLHSTMT st, SQLUSMALLINT col, const char *want)
{
    int rows = 0;
    while (SQL_SUCCEEDED(SQLFetch(st))) {
        char v[256];
        if (col && get_wchar(st, col, v, sizeof v))
            CHECK(strcmp(v, want) == 0, "column %u: '%s', want '%s'", col, v, want);
        rows++;
    }
    SQLFreeStmt(st, SQL_CLOSE);
    return rows;
}

static void more_catalog(SQLHSTMT st)
{
    exec_w(st, "CREATE TABLE \"子\" (k INTEGER PRIMARY KEY, pid INTEGER REFERENCES \"" TABLE
               "\"(id))");
    SQLRETURN rc = SQLPrimaryKeysW(st, NULL, 0, NULL, 0, W(TABLE), SQL_NTS);
    CHECK(ok(rc, SQL_HANDLE_STMT, st, "PrimaryKeysW") && count_rows(st, 3, TABLE) == 1,
          "SQLPrimaryKeysW: one row naming the table");
    rc = SQLForeignKeysW(st, NULL, 0, NULL, 0, W(TABLE), SQL_NTS, NULL, 0, NULL, 0, NULL, 0);
    CHECK(ok(rc, SQL_HANDLE_STMT, st, "ForeignKeysW") && count_rows(st, 7, "子") == 1,
          "SQLForeignKeysW: one referencing table 子");
    rc = SQLSpecialColumnsW(st, SQL_BEST_ROWID, NULL, 0, NULL, 0, W(TABLE), SQL_NTS,
                            SQL_SCOPE_SESSION, SQL_NULLABLE);
    CHECK(ok(rc, SQL_HANDLE_STMT, st, "SpecialColumnsW") && count_rows(st, 2, "id") == 1,
          "SQLSpecialColumnsW: the id column");
    rc = SQLStatisticsW(st, NULL, 0, NULL, 0, W(TABLE), SQL_NTS, SQL_INDEX_ALL, SQL_QUICK);
    CHECK(ok(rc, SQL_HANDLE_STMT, st, "StatisticsW"), "SQLStatisticsW rc %d", rc);
    SQLFreeStmt(st, SQL_CLOSE);
    rc = SQLGetTypeInfoW(st, SQL_ALL_TYPES);
    CHECK(ok(rc, SQL_HANDLE_STMT, st, "GetTypeInfoW") && count_rows(st, 0, NULL) > 5,
          "SQLGetTypeInfoW rows");
    rc = SQLProceduresW(st, NULL, 0, NULL, 0, W("%"), SQL_NTS);
    CHECK(ok(rc, SQL_HANDLE_STMT, st, "ProceduresW") && count_rows(st, 0, NULL) == 0,
          "SQLProceduresW: no procedures");
    rc = SQLTablePrivilegesW(st, NULL, 0, NULL, 0, W(TABLE), SQL_NTS);
    CHECK(ok(rc, SQL_HANDLE_STMT, st, "TablePrivilegesW"), "SQLTablePrivilegesW rc %d", rc);
    SQLFreeStmt(st, SQL_CLOSE);
}

static void connection_attrs(SQLHDBC dbc)
{
    SQLRETURN rc = SQLSetConnectAttrW(dbc, SQL_ATTR_CURRENT_CATALOG, W("main"), SQL_NTS);
    CHECK(rc == SQL_SUCCESS, "SetConnectAttrW(CURRENT_CATALOG, main) rc %d", rc);
    rc = SQLSetConnectAttrW(dbc, SQL_ATTR_CURRENT_CATALOG, W("çat"), SQL_NTS);
    CHECK(rc == SQL_ERROR, "SetConnectAttrW(CURRENT_CATALOG, çat) rc %d", rc);
    SQLWCHAR buf[16];
    SQLINTEGER len = -1;
    rc = SQLGetConnectAttrW(dbc, SQL_ATTR_CURRENT_CATALOG, buf, sizeof buf, &len);
    CHECK(rc == SQL_SUCCESS && len == 0 && buf[0] == 0, "GetConnectAttrW(CURRENT_CATALOG) rc %d len %d",
          rc, (int)len);
    SQLUINTEGER ac = 0;
    rc = SQLGetConnectAttrW(dbc, SQL_ATTR_AUTOCOMMIT, &ac, 0, NULL);
    CHECK(rc == SQL_SUCCESS && ac == SQL_AUTOCOMMIT_ON, "GetConnectAttrW(AUTOCOMMIT)");
}

static void connect_w_with_dsn(SQLHENV env, const char *dbpath)
{
    const char *odbcini = getenv("ODBCINI");
    FILE *f = odbcini ? fopen(odbcini, "a") : NULL;
    if (!f) {
        CHECK(0, "cannot write ODBCINI");
        return;
    }
    fprintf(f, "[UniDSN]\nDriver=libSQL\nDatabase=%s\n\n", dbpath);
    fclose(f);
    SQLHDBC dbc;
    SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
    SQLRETURN rc = SQLConnectW(dbc, W("UniDSN"), SQL_NTS, W(""), SQL_NTS, W(""), SQL_NTS);
    CHECK(ok(rc, SQL_HANDLE_DBC, dbc, "SQLConnectW"), "SQLConnectW(UniDSN)");
    if (SQL_SUCCEEDED(rc)) {
        SQLWCHAR buf[64];
        SQLSMALLINT len = 0;
        rc = SQLGetInfoW(dbc, SQL_DATA_SOURCE_NAME, buf, sizeof buf, &len);
        char u8[64];
        to_u8(buf, u8, sizeof u8);
        CHECK(rc == SQL_SUCCESS && strcmp(u8, "UniDSN") == 0 && len == 12,
              "DATA_SOURCE_NAME '%s' len %d", u8, len);
        SQLHSTMT st;
        SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
        rc = SQLExecDirectW(st, W("SELECT \"" COLUMN "\" FROM \"" TABLE "\" WHERE id = 2"),
                            SQL_NTS);
        char v[64] = "";
        if (ok(rc, SQL_HANDLE_STMT, st, "select via SQLConnectW") && SQL_SUCCEEDED(SQLFetch(st)))
            get_wchar(st, 1, v, sizeof v);
        CHECK(strcmp(v, values[1]) == 0, "value through SQLConnectW '%s'", v);
        SQLSMALLINT type = 0;
        SQLDescribeColW(st, 1, NULL, 0, NULL, &type, NULL, NULL, NULL);
        CHECK(type == SQL_WVARCHAR || type == SQL_WLONGVARCHAR || type == SQL_WCHAR,
              "SQLConnectW marks a Unicode application: type %d", type);
        SQLFreeHandle(SQL_HANDLE_STMT, st);
        SQLDisconnect(dbc);
    }
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
}

int main(void)
{
    const char *tmp = getenv("LSQ_TEST_TMP");
    if (!tmp) {
        printf("FAIL: LSQ_TEST_TMP not set: run through tests/integration/run.sh\n");
        printf("0 passed, 1 failed\n");
        return 1;
    }
    char dbpath[1024], connstr[2048];
    snprintf(dbpath, sizeof dbpath, "%s/ünï_数据.db", tmp);
    snprintf(connstr, sizeof connstr, "Driver=libSQL;Database=%s;Create=1", dbpath);

    SQLHENV env;
    SQLHDBC dbc;
    SQLHSTMT st;
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
    SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);

    SQLWCHAR out[1024];
    SQLSMALLINT outlen = 0;
    SQLRETURN rc = SQLDriverConnectW(dbc, NULL, W(connstr), SQL_NTS, out, 1024, &outlen,
                                     SQL_DRIVER_NOPROMPT);
    if (!ok(rc, SQL_HANDLE_DBC, dbc, "SQLDriverConnectW")) {
        printf("FAIL: cannot connect with %s\n0 passed, 1 failed\n", connstr);
        return 1;
    }
    CHECK(outlen == (SQLSMALLINT)wlen(out), "DriverConnectW out length %d vs %zu characters",
          outlen, wlen(out));
    char out8[2048];
    to_u8(out, out8, sizeof out8);
    CHECK(strstr(out8, dbpath) != NULL, "out connection string names the file: %s", out8);

    connect_info(dbc, dbpath);
    SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
    create_and_fill(st);
    read_back(st);
    catalog(st);
    errors(st);
    strings_in_and_out(dbc, st);
    descriptors(st);
    more_catalog(st);
    connection_attrs(dbc);

    SQLFreeHandle(SQL_HANDLE_STMT, st);
    SQLDisconnect(dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    connect_w_with_dsn(env, dbpath);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
