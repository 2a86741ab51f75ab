/*
 * internal.h — the driver's internal ODBC functions, one per entry point.
 *
 * api.c (ANSI) and api_w.c (wide) validate and lock the handle, clear its
 * diagnostics, convert UTF-16 <-> UTF-8 where needed and call these. Strings
 * here are UTF-8; lengths follow ODBC (SQL_NTS allowed for inputs). Output
 * string lengths are in bytes of UTF-8. The file owning each group is named.
 */
#ifndef INTERNAL_H
#define INTERNAL_H

#include "driver.h"

/* handles.c */
SQLRETURN odbc_AllocHandle(SQLSMALLINT type, SQLHANDLE in, SQLHANDLE *out);
SQLRETURN odbc_FreeHandle(SQLSMALLINT type, SQLHANDLE h);
SQLRETURN odbc_FreeStmt(stmt *s, SQLUSMALLINT option);

/* diag.c (handle type + handle as given by the application) */
SQLRETURN odbc_GetDiagRec(SQLSMALLINT htype, SQLHANDLE h, SQLSMALLINT recno,
                          SQLCHAR *state, SQLINTEGER *native, SQLCHAR *msg,
                          SQLSMALLINT buflen, SQLSMALLINT *textlen);
SQLRETURN odbc_GetDiagField(SQLSMALLINT htype, SQLHANDLE h, SQLSMALLINT recno,
                            SQLSMALLINT field, SQLPOINTER info, SQLSMALLINT buflen,
                            SQLSMALLINT *strlen);

/* connect.c */
SQLRETURN odbc_Connect(dbc *c, const SQLCHAR *dsn, SQLSMALLINT dsnlen,
                       const SQLCHAR *uid, SQLSMALLINT uidlen,
                       const SQLCHAR *pwd, SQLSMALLINT pwdlen);
SQLRETURN odbc_DriverConnect(dbc *c, SQLHWND hwnd, const SQLCHAR *in, SQLSMALLINT inlen,
                             SQLCHAR *out, SQLSMALLINT outmax, SQLSMALLINT *outlen,
                             SQLUSMALLINT completion);
SQLRETURN odbc_Disconnect(dbc *c);

/* attr.c */
SQLRETURN odbc_SetEnvAttr(env *e, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER len);
SQLRETURN odbc_GetEnvAttr(env *e, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER buflen, SQLINTEGER *len);
SQLRETURN odbc_SetConnectAttr(dbc *c, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER len);
SQLRETURN odbc_GetConnectAttr(dbc *c, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER buflen, SQLINTEGER *len);
SQLRETURN odbc_SetStmtAttr(stmt *s, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER len);
SQLRETURN odbc_GetStmtAttr(stmt *s, SQLINTEGER attr, SQLPOINTER val, SQLINTEGER buflen, SQLINTEGER *len);
SQLRETURN odbc_SetCursorName(stmt *s, const SQLCHAR *name, SQLSMALLINT len);
SQLRETURN odbc_GetCursorName(stmt *s, SQLCHAR *name, SQLSMALLINT buflen, SQLSMALLINT *len);

/* txn.c */
SQLRETURN odbc_EndTran(SQLSMALLINT htype, SQLHANDLE h, SQLSMALLINT completion);
/* Manual-commit mode: open the connection's transaction if none is open.
 * exec.c calls this before executing any statement when autocommit is off. */
SQLRETURN dbc_begin_if_needed(dbc *c);

/* info.c */
SQLRETURN odbc_GetInfo(dbc *c, SQLUSMALLINT type, SQLPOINTER val, SQLSMALLINT buflen, SQLSMALLINT *len);
SQLRETURN odbc_GetFunctions(dbc *c, SQLUSMALLINT id, SQLUSMALLINT *supported);
/* Nonzero when SQLGetInfo answers `type` with a character string (api_w.c
 * converts those to UTF-16 and reports their length in bytes). */
int info_type_is_string(SQLUSMALLINT type);

/* exec.c */
SQLRETURN odbc_Prepare(stmt *s, const SQLCHAR *sql, SQLINTEGER len);
SQLRETURN odbc_Execute(stmt *s);
SQLRETURN odbc_ExecDirect(stmt *s, const SQLCHAR *sql, SQLINTEGER len);
SQLRETURN odbc_NumParams(stmt *s, SQLSMALLINT *count);
SQLRETURN odbc_DescribeParam(stmt *s, SQLUSMALLINT n, SQLSMALLINT *type, SQLULEN *size,
                             SQLSMALLINT *digits, SQLSMALLINT *nullable);
SQLRETURN odbc_ParamData(stmt *s, SQLPOINTER *value);
SQLRETURN odbc_PutData(stmt *s, SQLPOINTER data, SQLLEN len);
SQLRETURN odbc_MoreResults(stmt *s);
SQLRETURN odbc_RowCount(stmt *s, SQLLEN *count);
SQLRETURN odbc_NativeSql(dbc *c, const SQLCHAR *in, SQLINTEGER inlen, SQLCHAR *out,
                         SQLINTEGER outmax, SQLINTEGER *outlen);
SQLRETURN odbc_Cancel(stmt *s);
SQLRETURN odbc_CloseCursor(stmt *s);

/* params.c */
SQLRETURN odbc_BindParameter(stmt *s, SQLUSMALLINT n, SQLSMALLINT io, SQLSMALLINT ctype,
                             SQLSMALLINT sqltype, SQLULEN size, SQLSMALLINT digits,
                             SQLPOINTER ptr, SQLLEN buflen, SQLLEN *ind);

/* fetch.c */
SQLRETURN odbc_BindCol(stmt *s, SQLUSMALLINT col, SQLSMALLINT ctype, SQLPOINTER ptr,
                       SQLLEN buflen, SQLLEN *ind);
SQLRETURN odbc_Fetch(stmt *s);
SQLRETURN odbc_FetchScroll(stmt *s, SQLSMALLINT orientation, SQLLEN offset);
SQLRETURN odbc_ExtendedFetch(stmt *s, SQLUSMALLINT orientation, SQLLEN offset,
                             SQLULEN *rowcount, SQLUSMALLINT *status);
SQLRETURN odbc_GetData(stmt *s, SQLUSMALLINT col, SQLSMALLINT ctype, SQLPOINTER ptr,
                       SQLLEN buflen, SQLLEN *ind);
SQLRETURN odbc_SetPos(stmt *s, SQLSETPOSIROW row, SQLUSMALLINT op, SQLUSMALLINT lock);
SQLRETURN odbc_BulkOperations(stmt *s, SQLSMALLINT op);

/* colinfo.c */
SQLRETURN odbc_NumResultCols(stmt *s, SQLSMALLINT *count);
SQLRETURN odbc_DescribeCol(stmt *s, SQLUSMALLINT col, SQLCHAR *name, SQLSMALLINT buflen,
                           SQLSMALLINT *namelen, SQLSMALLINT *type, SQLULEN *size,
                           SQLSMALLINT *digits, SQLSMALLINT *nullable);
SQLRETURN odbc_ColAttribute(stmt *s, SQLUSMALLINT col, SQLUSMALLINT field, SQLPOINTER str,
                            SQLSMALLINT buflen, SQLSMALLINT *strlen, SQLLEN *num);

/* desc.c */
SQLRETURN odbc_GetDescField(desc *d, SQLSMALLINT rec, SQLSMALLINT field, SQLPOINTER val,
                            SQLINTEGER buflen, SQLINTEGER *len);
SQLRETURN odbc_SetDescField(desc *d, SQLSMALLINT rec, SQLSMALLINT field, SQLPOINTER val,
                            SQLINTEGER len);
SQLRETURN odbc_GetDescRec(desc *d, SQLSMALLINT rec, SQLCHAR *name, SQLSMALLINT buflen,
                          SQLSMALLINT *namelen, SQLSMALLINT *type, SQLSMALLINT *subtype,
                          SQLLEN *length, SQLSMALLINT *precision, SQLSMALLINT *scale,
                          SQLSMALLINT *nullable);
SQLRETURN odbc_SetDescRec(desc *d, SQLSMALLINT rec, SQLSMALLINT type, SQLSMALLINT subtype,
                          SQLLEN length, SQLSMALLINT precision, SQLSMALLINT scale,
                          SQLPOINTER data, SQLLEN *strlen, SQLLEN *ind);
SQLRETURN odbc_CopyDesc(desc *src, desc *dst);
/* descriptor plumbing used by other files */
void desc_init(desc *d, desc_role role, dbc *c, stmt *owner, SQLSMALLINT alloc_type);
void desc_free_recs(desc *d);                   /* drop all records */
desc_rec *desc_rec_get(desc *d, SQLSMALLINT n); /* grow to n and return rec n; NULL on OOM */
void desc_set_count(desc *d, SQLSMALLINT n);    /* shrink/grow (unbind) */
int ctype_is_valid(SQLSMALLINT ctype);          /* a C type SQLBindCol/GetData accept */
/* Set a record's concise type; TYPE and DATETIME_INTERVAL_CODE follow. */
void desc_rec_set_concise(desc_rec *r, SQLSMALLINT concise);

/* catalog.c (identifiers as given; len may be SQL_NTS) */
SQLRETURN odbc_Tables(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen, const SQLCHAR *sch,
                      SQLSMALLINT schlen, const SQLCHAR *tab, SQLSMALLINT tablen,
                      const SQLCHAR *types, SQLSMALLINT typeslen);
SQLRETURN odbc_Columns(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen, const SQLCHAR *sch,
                       SQLSMALLINT schlen, const SQLCHAR *tab, SQLSMALLINT tablen,
                       const SQLCHAR *col, SQLSMALLINT collen);
SQLRETURN odbc_PrimaryKeys(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen, const SQLCHAR *sch,
                           SQLSMALLINT schlen, const SQLCHAR *tab, SQLSMALLINT tablen);
SQLRETURN odbc_ForeignKeys(stmt *s, const SQLCHAR *pkcat, SQLSMALLINT pkcatlen,
                           const SQLCHAR *pksch, SQLSMALLINT pkschlen, const SQLCHAR *pktab,
                           SQLSMALLINT pktablen, const SQLCHAR *fkcat, SQLSMALLINT fkcatlen,
                           const SQLCHAR *fksch, SQLSMALLINT fkschlen, const SQLCHAR *fktab,
                           SQLSMALLINT fktablen);
SQLRETURN odbc_Statistics(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen, const SQLCHAR *sch,
                          SQLSMALLINT schlen, const SQLCHAR *tab, SQLSMALLINT tablen,
                          SQLUSMALLINT unique, SQLUSMALLINT reserved);
SQLRETURN odbc_SpecialColumns(stmt *s, SQLUSMALLINT idtype, const SQLCHAR *cat,
                              SQLSMALLINT catlen, const SQLCHAR *sch, SQLSMALLINT schlen,
                              const SQLCHAR *tab, SQLSMALLINT tablen, SQLUSMALLINT scope,
                              SQLUSMALLINT nullable);
SQLRETURN odbc_Procedures(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen, const SQLCHAR *sch,
                          SQLSMALLINT schlen, const SQLCHAR *proc, SQLSMALLINT proclen);
SQLRETURN odbc_ProcedureColumns(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen,
                                const SQLCHAR *sch, SQLSMALLINT schlen, const SQLCHAR *proc,
                                SQLSMALLINT proclen, const SQLCHAR *col, SQLSMALLINT collen);
SQLRETURN odbc_TablePrivileges(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen,
                               const SQLCHAR *sch, SQLSMALLINT schlen, const SQLCHAR *tab,
                               SQLSMALLINT tablen);
SQLRETURN odbc_ColumnPrivileges(stmt *s, const SQLCHAR *cat, SQLSMALLINT catlen,
                                const SQLCHAR *sch, SQLSMALLINT schlen, const SQLCHAR *tab,
                                SQLSMALLINT tablen, const SQLCHAR *col, SQLSMALLINT collen);
SQLRETURN odbc_GetTypeInfo(stmt *s, SQLSMALLINT type);

/* results.c — how exec.c and catalog.c give a statement its result set */
/* Close cursor, finalize sqlite3_stmt, reset row count and GetData state. */
void stmt_close_results(stmt *s);
/* Forget the SQL entirely (back to ST_ALLOCATED). */
void stmt_reset_all(stmt *s);
/* Install an in-memory result (ownership of rows moves to s). The IRD is
 * filled from `cols` (n columns). State becomes ST_CURSOR. */
SQLRETURN stmt_set_mem_result(stmt *s, mem_rows *rows, const col_override *cols, int n);
/* Run a local read-only query as the statement's result set; IRD metadata
 * comes from `cols` when given (catalog functions), else from SQLite. */
SQLRETURN stmt_set_query_result(stmt *s, const char *sql, const col_override *cols, int n);
/* Fill the IRD from the current sqlite3_stmt (names, types via typemap). */
SQLRETURN stmt_describe_columns(stmt *s);

/* mem_rows helpers (results.c) */
int mem_rows_init(mem_rows *m, int ncols);
db_value *mem_rows_add(mem_rows *m);          /* new row, cells NULL-typed; NULL on OOM */
int mem_set_text(db_value *cell, const char *s);  /* copies; s NULL -> SQL NULL */
void mem_set_int(db_value *cell, sqlite3_int64 v);
void mem_rows_free(mem_rows *m);

/* handles.c (backbone): release one statement / explicit descriptor, used by
 * SQLDisconnect, which frees every statement and descriptor of a connection. */
void stmt_destroy(stmt *s);
void desc_destroy(desc *d);


/* results.c (exec area): after execute stepped the first row, give columns
 * without a declared type the type of that row's values. */
SQLRETURN stmt_refine_column_types(stmt *s);

/* params.c (exec area) — parameter binding used by exec.c. SQLNumParams,
 * SQLDescribeParam, SQLParamData and SQLPutData (listed under exec.c above)
 * are defined in params.c too. */
/* Bind row `row` of the parameter set to s->sst; ODBC parameter numbers are
 * offset by `first` (parameters of earlier statements in a batch). DAE
 * parameters take the data collected by SQLPutData. */
SQLRETURN params_bind_row(stmt *s, SQLULEN row, int first);
/* 07002 unless every parameter of s->sst (numbered from first+1) is bound. */
SQLRETURN params_check_bound(stmt *s, int first);
/* Next data-at-execution parameter after `after` in row s->dae_row, 0 if none. */
int params_next_dae(stmt *s, int after);
/* Drop collected SQLPutData buffers. */
void params_free_dae(stmt *s);
/* exec.c: close the open cursor but keep the prepared statement for the next
 * SQLExecute (what SQLFreeStmt(SQL_CLOSE) should do; never fails). */
void stmt_close_cursor(stmt *s);
/* exec.c: parameters of the statements of s->sql that start before `upto`
 * (ODBC numbers parameters across a batch, SQLite per statement). */
int exec_params_before(stmt *s, const char *upto);
/* exec.c: run the statement once its data-at-execution parameters are in. */
SQLRETURN exec_after_params(stmt *s);

/* params.c (writes area): one walk over the parameters of s->sst for row
 * `row`, converting each value once and handing it to a sink: binding to
 * SQLite and collecting Hrana arguments (forward.c) share it. index is
 * 1-based within s->sst, param_no the ODBC number (first + index). */
typedef SQLRETURN (*params_sink)(stmt *s, int index, int param_no, SQLLEN diag_row,
                                 const db_value *v, void *ctx);
SQLRETURN params_walk_row(stmt *s, SQLULEN row, int first, params_sink sink, void *ctx);
/* exec.c (writes area): run s->sst (parameters bound) on the local file and
 * leave its result on the statement — the local preview of a queued write. */
SQLRETURN exec_local(stmt *s);
/* exec.c: does the statement report a row count (INSERT/UPDATE/DELETE/
 * REPLACE or WITH ... DML)? */
SQLRETURN exec_array_done(stmt *s, SQLLEN row_count, SQLULEN ok, SQLULEN failed,
                          SQLRETURN all_ok_rc);
int exec_is_dml(sqlite3_stmt *st);
/* exec.c: ODBC parameters of earlier statements of s->sql before s->sst. */
int exec_first_param(stmt *s);

#endif
