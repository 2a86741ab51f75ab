/* stubs.c — TEMPORARY weak definitions so the library links while areas are filled in.
 * Delete when every declared function has a real definition. */
#include "internal.h"
#include "convert.h"
#include "typemap.h"
#include "sqltext.h"
#include <stdarg.h>
#pragma GCC diagnostic ignored "-Wunused-parameter"

__attribute__((weak)) SQLRETURN odbc_AllocHandle(SQLSMALLINT type, SQLHANDLE in, SQLHANDLE *out)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_FreeHandle(SQLSMALLINT type, SQLHANDLE h)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_FreeStmt(stmt *s, SQLUSMALLINT option)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_GetDiagRec(SQLSMALLINT htype, SQLHANDLE h, SQLSMALLINT recno, SQLCHAR *state, SQLINTEGER *native, SQLCHAR *msg, SQLSMALLINT buflen, SQLSMALLINT *textlen)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_GetDiagField(SQLSMALLINT htype, SQLHANDLE h, SQLSMALLINT recno, SQLSMALLINT field, SQLPOINTER info, SQLSMALLINT buflen, SQLSMALLINT *strlen)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_Connect(dbc *c, const SQLCHAR *dsn, SQLSMALLINT dsnlen, const SQLCHAR *uid, SQLSMALLINT uidlen, const SQLCHAR *pwd, SQLSMALLINT pwdlen)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_DriverConnect(dbc *c, SQLHWND hwnd, const SQLCHAR *in, SQLSMALLINT inlen, SQLCHAR *out, SQLSMALLINT outmax, SQLSMALLINT *outlen, SQLUSMALLINT completion)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_Disconnect(dbc *c)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_SetEnvAttr(env *e, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER len)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_GetEnvAttr(env *e, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER buflen, SQLINTEGER *len)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_SetConnectAttr(dbc *c, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER len)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_GetConnectAttr(dbc *c, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER buflen, SQLINTEGER *len)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_SetStmtAttr(stmt *s, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER len)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_GetStmtAttr(stmt *s, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER buflen, SQLINTEGER *len)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_SetCursorName(stmt *s, const SQLCHAR *name, SQLSMALLINT len)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_GetCursorName(stmt *s, SQLCHAR *name, SQLSMALLINT buflen, SQLSMALLINT *len)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_EndTran(SQLSMALLINT htype, SQLHANDLE h, SQLSMALLINT completion)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_GetInfo(dbc *c, SQLUSMALLINT type, SQLPOINTER val, SQLSMALLINT buflen, SQLSMALLINT *len)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_GetFunctions(dbc *c, SQLUSMALLINT id, SQLUSMALLINT *supported)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_Prepare(stmt *s, const SQLCHAR *sql, SQLINTEGER len)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_Execute(stmt *s)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_ExecDirect(stmt *s, const SQLCHAR *sql, SQLINTEGER len)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_NumParams(stmt *s, SQLSMALLINT *count)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_DescribeParam(stmt *s, SQLUSMALLINT n, SQLSMALLINT *type, SQLULEN *size, SQLSMALLINT *digits, SQLSMALLINT *nullable)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_ParamData(stmt *s, SQLPOINTER *value)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_PutData(stmt *s, SQLPOINTER data, SQLLEN len)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_MoreResults(stmt *s)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_RowCount(stmt *s, SQLLEN *count)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_NativeSql(dbc *c, const SQLCHAR *in, SQLINTEGER inlen, SQLCHAR *out, SQLINTEGER outmax, SQLINTEGER *outlen)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_Cancel(stmt *s)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_CloseCursor(stmt *s)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_BindParameter(stmt *s, SQLUSMALLINT n, SQLSMALLINT io, SQLSMALLINT ctype, SQLSMALLINT sqltype, SQLULEN size, SQLSMALLINT digits, SQLPOINTER ptr, SQLLEN buflen, SQLLEN *ind)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_BindCol(stmt *s, SQLUSMALLINT col, SQLSMALLINT ctype, SQLPOINTER ptr, SQLLEN buflen, SQLLEN *ind)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_Fetch(stmt *s)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_FetchScroll(stmt *s, SQLSMALLINT orientation, SQLLEN offset)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_ExtendedFetch(stmt *s, SQLUSMALLINT orientation, SQLLEN offset, SQLULEN *rowcount, SQLUSMALLINT *status)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_GetData(stmt *s, SQLUSMALLINT col, SQLSMALLINT ctype, SQLPOINTER ptr, SQLLEN buflen, SQLLEN *ind)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_SetPos(stmt *s, SQLSETPOSIROW row, SQLUSMALLINT op, SQLUSMALLINT lock)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_BulkOperations(stmt *s, SQLSMALLINT op)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_NumResultCols(stmt *s, SQLSMALLINT *count)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_DescribeCol(stmt *s, SQLUSMALLINT col, SQLCHAR *name, SQLSMALLINT buflen, SQLSMALLINT *namelen, SQLSMALLINT *type, SQLULEN *size, SQLSMALLINT *digits, SQLSMALLINT *nullable)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_ColAttribute(stmt *s, SQLUSMALLINT col, SQLUSMALLINT field, SQLPOINTER str, SQLSMALLINT buflen, SQLSMALLINT *strlen, SQLLEN *num)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_GetDescField(desc *d, SQLSMALLINT rec, SQLSMALLINT field, SQLPOINTER val, SQLINTEGER buflen, SQLINTEGER *len)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_SetDescField(desc *d, SQLSMALLINT rec, SQLSMALLINT field, SQLPOINTER val, SQLINTEGER len)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_GetDescRec(desc *d, SQLSMALLINT rec, SQLCHAR *name, SQLSMALLINT buflen, SQLSMALLINT *namelen, SQLSMALLINT *type, SQLSMALLINT *subtype, SQLLEN *length, SQLSMALLINT *precision, SQLSMALLINT *scale, SQLSMALLINT *nullable)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_SetDescRec(desc *d, SQLSMALLINT rec, SQLSMALLINT type, SQLSMALLINT subtype, SQLLEN length, SQLSMALLINT precision, SQLSMALLINT scale, SQLPOINTER data, SQLLEN *strlen, SQLLEN *ind)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_CopyDesc(desc *src, desc *dst)
{ return SQL_ERROR; }

__attribute__((weak)) void desc_init(desc *d, desc_role role, dbc *c, stmt *owner, SQLSMALLINT alloc_type)
{ }

__attribute__((weak)) void desc_free_recs(desc *d)
{ }

__attribute__((weak)) desc_rec * desc_rec_get(desc *d, SQLSMALLINT n)
{ return 0; }

__attribute__((weak)) void desc_set_count(desc *d, SQLSMALLINT n)
{ }

__attribute__((weak)) SQLRETURN odbc_Tables(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen, const SQLCHAR *sch, SQLSMALLINT schlen, const SQLCHAR *tab, SQLSMALLINT tablen, const SQLCHAR *types, SQLSMALLINT typeslen)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_Columns(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen, const SQLCHAR *sch, SQLSMALLINT schlen, const SQLCHAR *tab, SQLSMALLINT tablen, const SQLCHAR *col, SQLSMALLINT collen)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_PrimaryKeys(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen, const SQLCHAR *sch, SQLSMALLINT schlen, const SQLCHAR *tab, SQLSMALLINT tablen)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_ForeignKeys(stmt *s, const SQLCHAR *pkcat, SQLSMALLINT pkcatlen, const SQLCHAR *pksch, SQLSMALLINT pkschlen, const SQLCHAR *pktab, SQLSMALLINT pktablen, const SQLCHAR *fkcat, SQLSMALLINT fkcatlen, const SQLCHAR *fksch, SQLSMALLINT fkschlen, const SQLCHAR *fktab, SQLSMALLINT fktablen)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_Statistics(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen, const SQLCHAR *sch, SQLSMALLINT schlen, const SQLCHAR *tab, SQLSMALLINT tablen, SQLUSMALLINT unique, SQLUSMALLINT reserved)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_SpecialColumns(stmt *s, SQLUSMALLINT idtype, const SQLCHAR *cat, SQLSMALLINT catlen, const SQLCHAR *sch, SQLSMALLINT schlen, const SQLCHAR *tab, SQLSMALLINT tablen, SQLUSMALLINT scope, SQLUSMALLINT nullable)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_Procedures(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen, const SQLCHAR *sch, SQLSMALLINT schlen, const SQLCHAR *proc, SQLSMALLINT proclen)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_ProcedureColumns(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen, const SQLCHAR *sch, SQLSMALLINT schlen, const SQLCHAR *proc, SQLSMALLINT proclen, const SQLCHAR *col, SQLSMALLINT collen)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_TablePrivileges(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen, const SQLCHAR *sch, SQLSMALLINT schlen, const SQLCHAR *tab, SQLSMALLINT tablen)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_ColumnPrivileges(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen, const SQLCHAR *sch, SQLSMALLINT schlen, const SQLCHAR *tab, SQLSMALLINT tablen, const SQLCHAR *col, SQLSMALLINT collen)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN odbc_GetTypeInfo(stmt *s, SQLSMALLINT type)
{ return SQL_ERROR; }

__attribute__((weak)) void stmt_close_results(stmt *s)
{ }

__attribute__((weak)) void stmt_reset_all(stmt *s)
{ }

__attribute__((weak)) SQLRETURN stmt_set_mem_result(stmt *s, mem_rows *rows, const col_override *cols, int n)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN stmt_set_query_result(stmt *s, const char *sql, const col_override *cols, int n)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN stmt_describe_columns(stmt *s)
{ return SQL_ERROR; }

__attribute__((weak)) int mem_rows_init(mem_rows *m, int ncols)
{ return 0; }

__attribute__((weak)) db_value * mem_rows_add(mem_rows *m)
{ return 0; }

__attribute__((weak)) int mem_set_text(db_value *cell, const char *s)
{ return 0; }

__attribute__((weak)) void mem_set_int(db_value *cell, sqlite3_int64 v)
{ }

__attribute__((weak)) void mem_rows_free(mem_rows *m)
{ }

__attribute__((weak)) void cursor_open_sqlite(cursor *c, sqlite3_stmt *sst, int pending_row)
{ }

__attribute__((weak)) void cursor_open_mem(cursor *c, mem_rows *rows)
{ }

__attribute__((weak)) int cursor_materialize(cursor *c)
{ return 0; }

__attribute__((weak)) int cursor_next(cursor *c)
{ return 0; }

__attribute__((weak)) int cursor_seek(cursor *c, SQLLEN row)
{ return 0; }

__attribute__((weak)) void cursor_value(const cursor *c, int col, db_value *out)
{ }

__attribute__((weak)) SQLLEN cursor_row_count(const cursor *c)
{ return 0; }

__attribute__((weak)) void cursor_close(cursor *c)
{ }

__attribute__((weak)) env * env_from(SQLHANDLE h)
{ return 0; }

__attribute__((weak)) dbc * dbc_from(SQLHANDLE h)
{ return 0; }

__attribute__((weak)) stmt * stmt_from(SQLHANDLE h)
{ return 0; }

__attribute__((weak)) desc * desc_from(SQLHANDLE h)
{ return 0; }

__attribute__((weak)) void handle_lock(handle_hdr *h)
{ }

__attribute__((weak)) void handle_unlock(handle_hdr *h)
{ }

__attribute__((weak)) SQLLEN str_len_in(const SQLCHAR *s, SQLLEN len)
{ return 0; }

__attribute__((weak)) char * str_dup_in(const SQLCHAR *s, SQLLEN len)
{ return 0; }

__attribute__((weak)) SQLRETURN str_out(handle_hdr *h, const char *src, SQLCHAR *buf, SQLLEN buflen, SQLLEN *out_len)
{ return SQL_ERROR; }

__attribute__((weak)) void diag_init(diag_list *d)
{ }

__attribute__((weak)) void diag_clear(diag_list *d)
{ }

__attribute__((weak)) void diag_free(diag_list *d)
{ }

__attribute__((weak)) SQLRETURN diag_post(diag_list *d, const char *state, SQLINTEGER native, const char *fmt, ...)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN diag_post_at(diag_list *d, SQLLEN row, SQLINTEGER col, const char *state, SQLINTEGER native, const char *fmt, ...)
{ return SQL_ERROR; }

__attribute__((weak)) const char * diag_state_for(lsq_status st)
{ return 0; }

__attribute__((weak)) SQLRETURN diag_post_lsq(diag_list *d, const lsq_error *err)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN diag_post_sqlite(diag_list *d, struct sqlite3 *db, int rc)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN conv_to_c(diag_list *d, const db_value *v, SQLSMALLINT col_sql_type, const c_target *t, SQLLEN *offset, SQLLEN row, SQLINTEGER col)
{ return SQL_ERROR; }

__attribute__((weak)) SQLRETURN conv_from_c(diag_list *d, SQLSMALLINT ctype, SQLSMALLINT sql_type, SQLULEN column_size, SQLSMALLINT digits, const void *ptr, SQLLEN buflen, SQLLEN len_ind, param_value *out, SQLLEN row, SQLINTEGER param)
{ return SQL_ERROR; }

__attribute__((weak)) void param_value_free(param_value *p)
{ }

__attribute__((weak)) SQLSMALLINT conv_default_ctype(SQLSMALLINT sql_type)
{ return 0; }

__attribute__((weak)) SQLLEN conv_ctype_size(SQLSMALLINT ctype)
{ return 0; }

__attribute__((weak)) SQLLEN utf8_to_utf16(const char *s, SQLLEN n, SQLWCHAR *out, SQLLEN cap)
{ return 0; }

__attribute__((weak)) char * utf16_to_utf8(const SQLWCHAR *s, SQLLEN len16, SQLLEN *outlen)
{ return 0; }

__attribute__((weak)) void typemap_describe(const char *decltype, int storage_class, const typemap_opts *o, type_desc *out)
{ }

__attribute__((weak)) void typemap_describe_sql(SQLSMALLINT sql_type, SQLULEN size, SQLSMALLINT digits, const typemap_opts *o, type_desc *out)
{ }

__attribute__((weak)) SQLRETURN typemap_type_info_rows(SQLSMALLINT type, const typemap_opts *o, mem_rows *out)
{ return SQL_ERROR; }

__attribute__((weak)) void typemap_opts_from_dbc(const dbc *c, typemap_opts *o)
{ }

__attribute__((weak)) int typemap_register_sql_functions(sqlite3 *db, const typemap_opts *o)
{ return 0; }

__attribute__((weak)) char * sqltext_translate(const char *sql, size_t len, char *err, size_t errlen)
{ return 0; }

__attribute__((weak)) int sqltext_has_statement(const char *sql)
{ return 0; }

__attribute__((weak)) const col_override typemap_type_info_cols[19];

__attribute__((weak)) SQLRETURN dbc_begin_if_needed(dbc *c)
{ return SQL_SUCCESS; }

__attribute__((weak)) int txn_remote_active(const dbc *c) { (void)c; return 0; }
