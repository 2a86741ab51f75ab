/*
 * api.c — the exported ANSI ODBC entry points. Each one only validates its
 * handle (SQL_INVALID_HANDLE for NULL, freed or foreign pointers), takes the
 * handle's lock, clears its diagnostics, calls the internal odbc_* function
 * that does the work (see internal.h), records the return code for
 * SQL_DIAG_RETURNCODE, and unlocks. Strings are passed through unchanged:
 * the ANSI API of this driver is UTF-8.
 *
 * Exceptions, each for a reason given where it happens: SQLAllocHandle(ENV),
 * SQLFreeHandle, SQLFreeStmt(SQL_DROP), SQLGetDiagRec/Field (must not clear
 * the records they read) and SQLCancel (must not wait for the lock that the
 * running statement holds).
 */
#include "api.h"

/* The library is compiled with hidden visibility (only what exports.map and
 * this pragma allow leaves it): every SQL* entry point below is public. */
#pragma GCC visibility push(default)


/* ---------- handles ------------------------------------------------------ */

SQLRETURN SQL_API SQLAllocHandle(SQLSMALLINT type, SQLHANDLE in, SQLHANDLE *out)
{
    switch (type) {
    case SQL_HANDLE_ENV:
        return odbc_AllocHandle(type, in, out); /* no parent to lock */
    case SQL_HANDLE_DBC:
        ENV_API(in, odbc_AllocHandle(type, in, out));
    case SQL_HANDLE_STMT:
    case SQL_HANDLE_DESC:
        DBC_API(in, odbc_AllocHandle(type, in, out));
    default:
        return SQL_ERROR;
    }
}

SQLRETURN SQL_API SQLFreeHandle(SQLSMALLINT type, SQLHANDLE h)
{
    /* The handle dies here, so its own lock cannot be held across the call:
     * odbc_FreeHandle locks what it needs (the parent's list, the handle). */
    return odbc_FreeHandle(type, h);
}

SQLRETURN SQL_API SQLFreeStmt(SQLHSTMT h, SQLUSMALLINT option)
{
    if (option == SQL_DROP)
        return odbc_FreeHandle(SQL_HANDLE_STMT, h);
    STMT_API(h, odbc_FreeStmt(s, option));
}

/* ---------- diagnostics (read, never clear) ------------------------------ */

SQLRETURN SQL_API SQLGetDiagRec(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT recno,
                                SQLCHAR *state, SQLINTEGER *native, SQLCHAR *msg,
                                SQLSMALLINT buflen, SQLSMALLINT *textlen)
{
    handle_hdr *hh = handle_hdr_of(type, h);
    if (!hh)
        return SQL_INVALID_HANDLE;
    handle_lock(hh);
    SQLRETURN rc = odbc_GetDiagRec(type, h, recno, state, native, msg, buflen, textlen);
    handle_unlock(hh);
    return rc;
}

SQLRETURN SQL_API SQLGetDiagField(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT recno,
                                  SQLSMALLINT field, SQLPOINTER info, SQLSMALLINT buflen,
                                  SQLSMALLINT *strlen)
{
    handle_hdr *hh = handle_hdr_of(type, h);
    if (!hh)
        return SQL_INVALID_HANDLE;
    handle_lock(hh);
    SQLRETURN rc = odbc_GetDiagField(type, h, recno, field, info, buflen, strlen);
    handle_unlock(hh);
    return rc;
}

/* ---------- connections -------------------------------------------------- */

static SQLRETURN connect_ansi(dbc *c, SQLCHAR *dsn, SQLSMALLINT dsnlen, SQLCHAR *uid,
                              SQLSMALLINT uidlen, SQLCHAR *pwd, SQLSMALLINT pwdlen)
{
    c->unicode_app = 0;
    return odbc_Connect(c, dsn, dsnlen, uid, uidlen, pwd, pwdlen);
}

SQLRETURN SQL_API SQLConnect(SQLHDBC h, SQLCHAR *dsn, SQLSMALLINT dsnlen, SQLCHAR *uid,
                             SQLSMALLINT uidlen, SQLCHAR *pwd, SQLSMALLINT pwdlen)
{
    DBC_API(h, connect_ansi(c, dsn, dsnlen, uid, uidlen, pwd, pwdlen));
}

static SQLRETURN driver_connect_ansi(dbc *c, SQLHWND hwnd, SQLCHAR *in, SQLSMALLINT inlen,
                                     SQLCHAR *out, SQLSMALLINT outmax, SQLSMALLINT *outlen,
                                     SQLUSMALLINT completion)
{
    c->unicode_app = 0;
    return odbc_DriverConnect(c, hwnd, in, inlen, out, outmax, outlen, completion);
}

SQLRETURN SQL_API SQLDriverConnect(SQLHDBC h, SQLHWND hwnd, SQLCHAR *in, SQLSMALLINT inlen,
                                   SQLCHAR *out, SQLSMALLINT outmax, SQLSMALLINT *outlen,
                                   SQLUSMALLINT completion)
{
    DBC_API(h, driver_connect_ansi(c, hwnd, in, inlen, out, outmax, outlen, completion));
}

SQLRETURN SQL_API SQLDisconnect(SQLHDBC h) { DBC_API(h, odbc_Disconnect(c)); }

/* ---------- attributes --------------------------------------------------- */

SQLRETURN SQL_API SQLSetEnvAttr(SQLHENV h, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER len)
{
    ENV_API(h, odbc_SetEnvAttr(e, attr, val, len));
}

SQLRETURN SQL_API SQLGetEnvAttr(SQLHENV h, SQLINTEGER attr, SQLPOINTER val,
                                SQLINTEGER buflen, SQLINTEGER *len)
{
    ENV_API(h, odbc_GetEnvAttr(e, attr, val, buflen, len));
}

SQLRETURN SQL_API SQLSetConnectAttr(SQLHDBC h, SQLINTEGER attr, SQLPOINTER val,
                                    SQLINTEGER len)
{
    DBC_API(h, odbc_SetConnectAttr(c, attr, val, len));
}

SQLRETURN SQL_API SQLGetConnectAttr(SQLHDBC h, SQLINTEGER attr, SQLPOINTER val,
                                    SQLINTEGER buflen, SQLINTEGER *len)
{
    DBC_API(h, odbc_GetConnectAttr(c, attr, val, buflen, len));
}

SQLRETURN SQL_API SQLSetStmtAttr(SQLHSTMT h, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER len)
{
    STMT_API(h, odbc_SetStmtAttr(s, attr, val, len));
}

SQLRETURN SQL_API SQLGetStmtAttr(SQLHSTMT h, SQLINTEGER attr, SQLPOINTER val,
                                 SQLINTEGER buflen, SQLINTEGER *len)
{
    STMT_API(h, odbc_GetStmtAttr(s, attr, val, buflen, len));
}

SQLRETURN SQL_API SQLSetCursorName(SQLHSTMT h, SQLCHAR *name, SQLSMALLINT len)
{
    STMT_API(h, name ? odbc_SetCursorName(s, name, len) : api_null_ptr(&s->hdr));
}

SQLRETURN SQL_API SQLGetCursorName(SQLHSTMT h, SQLCHAR *name, SQLSMALLINT buflen,
                                   SQLSMALLINT *len)
{
    STMT_API(h, odbc_GetCursorName(s, name, buflen, len));
}

SQLRETURN SQL_API SQLEndTran(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT completion)
{
    if (type == SQL_HANDLE_ENV)
        ENV_API(h, odbc_EndTran(type, e, completion));
    if (type == SQL_HANDLE_DBC)
        DBC_API(h, odbc_EndTran(type, c, completion));
    return SQL_INVALID_HANDLE;
}

/* ---------- information -------------------------------------------------- */

SQLRETURN SQL_API SQLGetInfo(SQLHDBC h, SQLUSMALLINT type, SQLPOINTER val,
                             SQLSMALLINT buflen, SQLSMALLINT *len)
{
    DBC_API(h, odbc_GetInfo(c, type, val, buflen, len));
}

SQLRETURN SQL_API SQLGetFunctions(SQLHDBC h, SQLUSMALLINT id, SQLUSMALLINT *supported)
{
    DBC_API(h, supported ? odbc_GetFunctions(c, id, supported) : api_null_ptr(&c->hdr));
}

/* ---------- execution ---------------------------------------------------- */

SQLRETURN SQL_API SQLPrepare(SQLHSTMT h, SQLCHAR *sql, SQLINTEGER len)
{
    STMT_API(h, sql ? odbc_Prepare(s, sql, len) : api_null_ptr(&s->hdr));
}

SQLRETURN SQL_API SQLExecute(SQLHSTMT h) { STMT_API(h, odbc_Execute(s)); }

SQLRETURN SQL_API SQLExecDirect(SQLHSTMT h, SQLCHAR *sql, SQLINTEGER len)
{
    STMT_API(h, sql ? odbc_ExecDirect(s, sql, len) : api_null_ptr(&s->hdr));
}

SQLRETURN SQL_API SQLNumParams(SQLHSTMT h, SQLSMALLINT *count)
{
    STMT_API(h, odbc_NumParams(s, count));
}

SQLRETURN SQL_API SQLDescribeParam(SQLHSTMT h, SQLUSMALLINT n, SQLSMALLINT *type,
                                   SQLULEN *size, SQLSMALLINT *digits, SQLSMALLINT *nullable)
{
    STMT_API(h, odbc_DescribeParam(s, n, type, size, digits, nullable));
}

SQLRETURN SQL_API SQLParamData(SQLHSTMT h, SQLPOINTER *value)
{
    STMT_API(h, odbc_ParamData(s, value));
}

SQLRETURN SQL_API SQLPutData(SQLHSTMT h, SQLPOINTER data, SQLLEN len)
{
    STMT_API(h, odbc_PutData(s, data, len));
}

SQLRETURN SQL_API SQLMoreResults(SQLHSTMT h) { STMT_API(h, odbc_MoreResults(s)); }

SQLRETURN SQL_API SQLRowCount(SQLHSTMT h, SQLLEN *count)
{
    STMT_API(h, count ? odbc_RowCount(s, count) : api_null_ptr(&s->hdr));
}

SQLRETURN SQL_API SQLNativeSql(SQLHDBC h, SQLCHAR *in, SQLINTEGER inlen, SQLCHAR *out,
                               SQLINTEGER outmax, SQLINTEGER *outlen)
{
    DBC_API(h, in ? odbc_NativeSql(c, in, inlen, out, outmax, outlen) : api_null_ptr(&c->hdr));
}

SQLRETURN SQL_API SQLCancel(SQLHSTMT h)
{
    /* Called from another thread while SQLExecute holds the statement lock:
     * taking the lock here would wait for the very statement to finish. */
    stmt *s = stmt_from(h);
    if (!s)
        return SQL_INVALID_HANDLE;
    return odbc_Cancel(s);
}

SQLRETURN SQL_API SQLCloseCursor(SQLHSTMT h) { STMT_API(h, odbc_CloseCursor(s)); }

SQLRETURN SQL_API SQLBindParameter(SQLHSTMT h, SQLUSMALLINT n, SQLSMALLINT io,
                                   SQLSMALLINT ctype, SQLSMALLINT sqltype, SQLULEN size,
                                   SQLSMALLINT digits, SQLPOINTER ptr, SQLLEN buflen,
                                   SQLLEN *ind)
{
    STMT_API(h, odbc_BindParameter(s, n, io, ctype, sqltype, size, digits, ptr, buflen, ind));
}

/* ---------- results ------------------------------------------------------ */

SQLRETURN SQL_API SQLBindCol(SQLHSTMT h, SQLUSMALLINT col, SQLSMALLINT ctype,
                             SQLPOINTER ptr, SQLLEN buflen, SQLLEN *ind)
{
    STMT_API(h, odbc_BindCol(s, col, ctype, ptr, buflen, ind));
}

SQLRETURN SQL_API SQLFetch(SQLHSTMT h) { STMT_API(h, odbc_Fetch(s)); }

SQLRETURN SQL_API SQLFetchScroll(SQLHSTMT h, SQLSMALLINT orientation, SQLLEN offset)
{
    STMT_API(h, odbc_FetchScroll(s, orientation, offset));
}

SQLRETURN SQL_API SQLExtendedFetch(SQLHSTMT h, SQLUSMALLINT orientation, SQLLEN offset,
                                   SQLULEN *rowcount, SQLUSMALLINT *status)
{
    STMT_API(h, odbc_ExtendedFetch(s, orientation, offset, rowcount, status));
}

SQLRETURN SQL_API SQLGetData(SQLHSTMT h, SQLUSMALLINT col, SQLSMALLINT ctype,
                             SQLPOINTER ptr, SQLLEN buflen, SQLLEN *ind)
{
    STMT_API(h, odbc_GetData(s, col, ctype, ptr, buflen, ind));
}

SQLRETURN SQL_API SQLSetPos(SQLHSTMT h, SQLSETPOSIROW row, SQLUSMALLINT op,
                            SQLUSMALLINT lock)
{
    STMT_API(h, odbc_SetPos(s, row, op, lock));
}

SQLRETURN SQL_API SQLNumResultCols(SQLHSTMT h, SQLSMALLINT *count)
{
    STMT_API(h, count ? odbc_NumResultCols(s, count) : api_null_ptr(&s->hdr));
}

SQLRETURN SQL_API SQLDescribeCol(SQLHSTMT h, SQLUSMALLINT col, SQLCHAR *name,
                                 SQLSMALLINT buflen, SQLSMALLINT *namelen, SQLSMALLINT *type,
                                 SQLULEN *size, SQLSMALLINT *digits, SQLSMALLINT *nullable)
{
    STMT_API(h, odbc_DescribeCol(s, col, name, buflen, namelen, type, size, digits, nullable));
}

SQLRETURN SQL_API SQLColAttribute(SQLHSTMT h, SQLUSMALLINT col, SQLUSMALLINT field,
                                  SQLPOINTER str, SQLSMALLINT buflen, SQLSMALLINT *strlen,
                                  SQLLEN *num)
{
    STMT_API(h, odbc_ColAttribute(s, col, field, str, buflen, strlen, num));
}

/* ---------- descriptors -------------------------------------------------- */

SQLRETURN SQL_API SQLGetDescField(SQLHDESC h, SQLSMALLINT rec, SQLSMALLINT field,
                                  SQLPOINTER val, SQLINTEGER buflen, SQLINTEGER *len)
{
    DESC_API(h, odbc_GetDescField(d, rec, field, val, buflen, len));
}

SQLRETURN SQL_API SQLSetDescField(SQLHDESC h, SQLSMALLINT rec, SQLSMALLINT field,
                                  SQLPOINTER val, SQLINTEGER len)
{
    DESC_API(h, odbc_SetDescField(d, rec, field, val, len));
}

SQLRETURN SQL_API SQLGetDescRec(SQLHDESC h, SQLSMALLINT rec, SQLCHAR *name,
                                SQLSMALLINT buflen, SQLSMALLINT *namelen, SQLSMALLINT *type,
                                SQLSMALLINT *subtype, SQLLEN *length, SQLSMALLINT *precision,
                                SQLSMALLINT *scale, SQLSMALLINT *nullable)
{
    DESC_API(h, odbc_GetDescRec(d, rec, name, buflen, namelen, type, subtype, length,
                                precision, scale, nullable));
}

SQLRETURN SQL_API SQLSetDescRec(SQLHDESC h, SQLSMALLINT rec, SQLSMALLINT type,
                                SQLSMALLINT subtype, SQLLEN length, SQLSMALLINT precision,
                                SQLSMALLINT scale, SQLPOINTER data, SQLLEN *strlen,
                                SQLLEN *ind)
{
    DESC_API(h, odbc_SetDescRec(d, rec, type, subtype, length, precision, scale, data,
                                strlen, ind));
}

static SQLRETURN copy_desc(SQLHDESC src_h, desc *dst)
{
    desc *src = desc_from(src_h);
    if (!src)
        return SQL_INVALID_HANDLE;
    handle_lock(&src->hdr);
    SQLRETURN rc = odbc_CopyDesc(src, dst);
    handle_unlock(&src->hdr);
    return rc;
}

SQLRETURN SQL_API SQLCopyDesc(SQLHDESC src, SQLHDESC dst)
{
    if (!desc_from(src))
        return SQL_INVALID_HANDLE;
    DESC_API(dst, copy_desc(src, d));
}

/* ---------- catalog ------------------------------------------------------ */

SQLRETURN SQL_API SQLTables(SQLHSTMT h, SQLCHAR *cat, SQLSMALLINT catlen, SQLCHAR *sch,
                            SQLSMALLINT schlen, SQLCHAR *tab, SQLSMALLINT tablen,
                            SQLCHAR *types, SQLSMALLINT typeslen)
{
    STMT_API(h, odbc_Tables(s, cat, catlen, sch, schlen, tab, tablen, types, typeslen));
}

SQLRETURN SQL_API SQLColumns(SQLHSTMT h, SQLCHAR *cat, SQLSMALLINT catlen, SQLCHAR *sch,
                             SQLSMALLINT schlen, SQLCHAR *tab, SQLSMALLINT tablen,
                             SQLCHAR *col, SQLSMALLINT collen)
{
    STMT_API(h, odbc_Columns(s, cat, catlen, sch, schlen, tab, tablen, col, collen));
}

SQLRETURN SQL_API SQLPrimaryKeys(SQLHSTMT h, SQLCHAR *cat, SQLSMALLINT catlen, SQLCHAR *sch,
                                 SQLSMALLINT schlen, SQLCHAR *tab, SQLSMALLINT tablen)
{
    STMT_API(h, odbc_PrimaryKeys(s, cat, catlen, sch, schlen, tab, tablen));
}

SQLRETURN SQL_API SQLForeignKeys(SQLHSTMT h, SQLCHAR *pkcat, SQLSMALLINT pkcatlen,
                                 SQLCHAR *pksch, SQLSMALLINT pkschlen, SQLCHAR *pktab,
                                 SQLSMALLINT pktablen, SQLCHAR *fkcat, SQLSMALLINT fkcatlen,
                                 SQLCHAR *fksch, SQLSMALLINT fkschlen, SQLCHAR *fktab,
                                 SQLSMALLINT fktablen)
{
    STMT_API(h, odbc_ForeignKeys(s, pkcat, pkcatlen, pksch, pkschlen, pktab, pktablen, fkcat,
                                 fkcatlen, fksch, fkschlen, fktab, fktablen));
}

SQLRETURN SQL_API SQLStatistics(SQLHSTMT h, SQLCHAR *cat, SQLSMALLINT catlen, SQLCHAR *sch,
                                SQLSMALLINT schlen, SQLCHAR *tab, SQLSMALLINT tablen,
                                SQLUSMALLINT unique, SQLUSMALLINT reserved)
{
    STMT_API(h, odbc_Statistics(s, cat, catlen, sch, schlen, tab, tablen, unique, reserved));
}

SQLRETURN SQL_API SQLSpecialColumns(SQLHSTMT h, SQLUSMALLINT idtype, SQLCHAR *cat,
                                    SQLSMALLINT catlen, SQLCHAR *sch, SQLSMALLINT schlen,
                                    SQLCHAR *tab, SQLSMALLINT tablen, SQLUSMALLINT scope,
                                    SQLUSMALLINT nullable)
{
    STMT_API(h, odbc_SpecialColumns(s, idtype, cat, catlen, sch, schlen, tab, tablen, scope,
                                    nullable));
}

SQLRETURN SQL_API SQLProcedures(SQLHSTMT h, SQLCHAR *cat, SQLSMALLINT catlen, SQLCHAR *sch,
                                SQLSMALLINT schlen, SQLCHAR *proc, SQLSMALLINT proclen)
{
    STMT_API(h, odbc_Procedures(s, cat, catlen, sch, schlen, proc, proclen));
}

SQLRETURN SQL_API SQLProcedureColumns(SQLHSTMT h, SQLCHAR *cat, SQLSMALLINT catlen,
                                      SQLCHAR *sch, SQLSMALLINT schlen, SQLCHAR *proc,
                                      SQLSMALLINT proclen, SQLCHAR *col, SQLSMALLINT collen)
{
    STMT_API(h, odbc_ProcedureColumns(s, cat, catlen, sch, schlen, proc, proclen, col, collen));
}

SQLRETURN SQL_API SQLTablePrivileges(SQLHSTMT h, SQLCHAR *cat, SQLSMALLINT catlen,
                                     SQLCHAR *sch, SQLSMALLINT schlen, SQLCHAR *tab,
                                     SQLSMALLINT tablen)
{
    STMT_API(h, odbc_TablePrivileges(s, cat, catlen, sch, schlen, tab, tablen));
}

SQLRETURN SQL_API SQLColumnPrivileges(SQLHSTMT h, SQLCHAR *cat, SQLSMALLINT catlen,
                                      SQLCHAR *sch, SQLSMALLINT schlen, SQLCHAR *tab,
                                      SQLSMALLINT tablen, SQLCHAR *col, SQLSMALLINT collen)
{
    STMT_API(h, odbc_ColumnPrivileges(s, cat, catlen, sch, schlen, tab, tablen, col, collen));
}

SQLRETURN SQL_API SQLGetTypeInfo(SQLHSTMT h, SQLSMALLINT type)
{
    STMT_API(h, odbc_GetTypeInfo(s, type));
}

#pragma GCC visibility pop
