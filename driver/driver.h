/*
 * driver.h — the driver's shared types: handles, descriptors, diagnostics,
 * result cursors. Every driver/ file includes this; nothing here knows HTTP.
 *
 * Shape (after psqlODBC): the exported SQL* entry points in api.c (ANSI) and
 * api_w.c (wide) only validate the handle, lock it, clear its diagnostics,
 * convert strings, and call one internal function named odbc_<Area>... that
 * takes UTF-8. All behaviour lives in the internal functions, one file per
 * ODBC area (connect.c, attr.c, exec.c, fetch.c, desc.c, catalog.c, info.c...).
 */
#ifndef DRIVER_H
#define DRIVER_H

#include <pthread.h>
#include <stdint.h>

#include <sql.h>
#include <sqlext.h>
#include <sqlite3.h>

#include "../core/lsq.h"
#include "diag.h"
#include "route.h"

#define DRIVER_NAME "libsqlodbc.so"
#define DRIVER_VER "00.01.0000"

/* ---------- handles ---------------------------------------------------- */

typedef enum handle_kind {
    HK_ENV = 0x4c53454e,  /* magic numbers: a freed or foreign pointer */
    HK_DBC = 0x4c534443,  /* fails the check and gets SQL_INVALID_HANDLE */
    HK_STMT = 0x4c535354,
    HK_DESC = 0x4c534445
} handle_kind;

/* First member of every handle. */
typedef struct handle_hdr {
    handle_kind kind;
    pthread_mutex_t lock; /* recursive; taken by every entry point */
    diag_list diag;
} handle_hdr;

typedef struct env env;
typedef struct dbc dbc;
typedef struct stmt stmt;
typedef struct desc desc;

struct env {
    handle_hdr hdr;
    SQLINTEGER odbc_version;   /* SQL_OV_ODBC2 / 3 / 3_80 */
    SQLINTEGER connection_pooling, cp_match;
    dbc *dbcs;                 /* connections allocated on this env */
};

/* Options parsed from odbc.ini / connection string (connect.c). */
typedef struct dsn_options {
    char *dsn, *driver, *database, *sync_url, *auth_token, *encryption_key;
    int sync_interval, offline, read_your_writes, read_only, create;
    int busy_timeout_ms;        /* Timeout= (ms, sqliteodbc's name) */
    int max_text_len;           /* MaxTextLength= column size of unbounded TEXT (default 65535) */
    int bigint_as_integer;      /* BigInt=0 -> INTEGER reported as SQL_INTEGER */
    int no_wchar;               /* NoWCHAR=1 -> TEXT reported as SQL_VARCHAR even to W apps */
    int step_api;               /* reserved */
    /* operator keys (opskeys.c): log sink and where the AuthToken comes from */
    char *log_file;             /* LogFile= */
    char *log_level;            /* LogLevel= error|warn|info|debug|off (text as given) */
    char *auth_token_env;       /* AuthTokenEnv= name of an environment variable */
    char *auth_token_file;      /* AuthTokenFile= path; first line is the token */
} dsn_options;

struct dbc {
    handle_hdr hdr;
    env *env;
    dbc *next;                 /* in env->dbcs */
    lsq_db *db;                /* NULL until connected */
    sqlite3 *sqlite;           /* == lsq_sqlite(db), cached */
    dsn_options opt;
    stmt *stmts;               /* statements of this connection */
    desc *descs;               /* explicitly allocated descriptors */
    /* attributes */
    SQLUINTEGER autocommit;    /* SQL_AUTOCOMMIT_ON/OFF */
    SQLUINTEGER access_mode, login_timeout, connection_timeout, txn_isolation;
    SQLUINTEGER metadata_id, async_enable, trace;
    SQLULEN packet_size, odbc_cursors, quiet_mode;
    int in_txn;                /* a local transaction is open (manual commit) */
    struct txn_queue *txn_queue; /* replica: writes queued for commit (txn_remote.c) */
    char write_client_id[33];  /* replica: random id of this connection's writes, "" until
                                  the first write (write_once.c, core/write_ledger.h) */
    unsigned long long write_seq; /* replica: sequence number of the last write sent */
    int unicode_app;           /* the app called a W function to connect */
};

/* ---------- descriptors ------------------------------------------------ */

typedef enum desc_role { DESC_ARD = 1, DESC_APD, DESC_IRD, DESC_IPD } desc_role;

typedef struct desc_rec {
    /* header-ish per-record fields common to all */
    SQLSMALLINT type, concise_type, datetime_interval_code;
    SQLINTEGER datetime_interval_precision;
    SQLULEN length;
    SQLSMALLINT precision, scale;
    SQLLEN octet_length;
    SQLSMALLINT nullable, unnamed;
    /* application descriptors (ARD, APD) */
    SQLPOINTER data_ptr;
    SQLLEN *indicator_ptr;
    SQLLEN *octet_length_ptr;
    /* implementation descriptors (IRD, IPD) */
    SQLSMALLINT parameter_type;         /* IPD: SQL_PARAM_INPUT ... */
    SQLSMALLINT fixed_prec_scale, case_sensitive, searchable, is_unsigned,
        updatable, auto_unique_value, rowver;
    SQLLEN display_size;
    SQLINTEGER num_prec_radix;
    char *name, *label, *base_column_name, *base_table_name, *table_name,
        *schema_name, *catalog_name, *type_name, *local_type_name,
        *literal_prefix, *literal_suffix;
} desc_rec;

struct desc {
    handle_hdr hdr;
    desc_role role;
    SQLSMALLINT alloc_type;             /* SQL_DESC_ALLOC_AUTO / _USER */
    dbc *dbc;
    stmt *owner;                        /* implicit descriptors: their stmt */
    desc *next;                         /* in dbc->descs (explicit only) */
    /* header fields */
    SQLULEN array_size;
    SQLUSMALLINT *array_status_ptr;
    SQLLEN *bind_offset_ptr;
    SQLINTEGER bind_type;               /* SQL_BIND_BY_COLUMN or row size */
    SQLULEN *rows_processed_ptr;
    SQLSMALLINT count;                  /* highest record number in use */
    desc_rec *recs;                     /* recs[0] = bookmark, recs[1..cap-1] */
    SQLSMALLINT cap;
};

/* ---------- result cursors --------------------------------------------- */

/* One value as SQLite holds it; what every conversion reads from. */
typedef struct db_value {
    int type;                  /* SQLITE_INTEGER/FLOAT/TEXT/BLOB/NULL */
    sqlite3_int64 i;
    double d;
    const unsigned char *p;    /* TEXT (UTF-8, not NUL-terminated) or BLOB */
    int n;                     /* bytes at p */
} db_value;

/* A materialised row set: catalog results, static cursors, remote results. */
typedef struct mem_rows {
    int ncols;
    SQLLEN nrows, cap_rows;
    db_value *cells;           /* nrows * ncols; p owned (malloc'd) here */
} mem_rows;

typedef enum cursor_kind { CUR_NONE = 0, CUR_SQLITE, CUR_MEM } cursor_kind;

/* Where rows come from: streamed from a sqlite3_stmt or held in memory.
 * fetch.c and getdata.c only talk to this (cursor.c). */
typedef struct cursor {
    cursor_kind kind;
    int ncols;
    sqlite3_stmt *sst;         /* CUR_SQLITE: borrowed from the stmt */
    int pending_row;           /* CUR_SQLITE: execute already stepped a row */
    int at_end;
    mem_rows mem;              /* CUR_MEM */
    SQLLEN pos;                /* CUR_MEM: current row index, -1 = before first */
    SQLLEN rows_seen;          /* rows fetched so far (SQL_ATTR_ROW_NUMBER) */
} cursor;

/* cursor.c — the one interface over both row sources. */
/* Start streaming from sst (borrowed). pending_row: execute already stepped
 * a row that has not been fetched yet. */
void cursor_open_sqlite(cursor *c, sqlite3_stmt *sst, int pending_row);
/* Take ownership of rows. */
void cursor_open_mem(cursor *c, mem_rows *rows);
/* Read every remaining row of a CUR_SQLITE cursor into memory (static and
 * scrollable cursors). Returns SQLITE_OK or the SQLite error code. */
int cursor_materialize(cursor *c);
/* Advance to the next row: 1 = on a row, 0 = no more rows, <0 = -(SQLite error). */
int cursor_next(cursor *c);
/* CUR_MEM: position on 0-based row (may be -1 or nrows: before/after). 1 if on a row. */
int cursor_seek(cursor *c, SQLLEN row);
/* Value of 0-based column col on the current row (valid until the next move). */
void cursor_value(const cursor *c, int col, db_value *out);
/* CUR_MEM: number of rows; CUR_SQLITE: -1 (unknown). */
SQLLEN cursor_row_count(const cursor *c);
/* Drop rows (frees CUR_MEM storage; a CUR_SQLITE sst is reset, not finalized). */
void cursor_close(cursor *c);

/* ---------- statements ------------------------------------------------- */

typedef enum stmt_state {
    ST_ALLOCATED = 0,   /* no SQL */
    ST_PREPARED,        /* SQLPrepare done, not executed */
    ST_EXECUTED,        /* executed, no result set (or it was closed) */
    ST_CURSOR,          /* executed, result set open */
    ST_NEED_DATA        /* waiting for SQLParamData / SQLPutData */
} stmt_state;

/* Column metadata override for catalog result sets (SQLTables ...). */
typedef struct col_override {
    const char *name;
    SQLSMALLINT sql_type;       /* SQL_VARCHAR, SQL_SMALLINT, SQL_INTEGER */
    SQLULEN size;
    SQLSMALLINT nullable;
} col_override;

struct stmt {
    handle_hdr hdr;
    dbc *dbc;
    stmt *next;                 /* in dbc->stmts */
    desc *ard, *apd;            /* current (implicit or explicit) */
    desc *ird, *ipd;            /* always the implicit ones */
    desc imp_ard, imp_apd, imp_ird, imp_ipd;
    stmt_state state;
    int prepared;               /* SQLPrepare (vs SQLExecDirect) */

    char *sql;                  /* escape-translated text of all statements */
    const char *sql_next;       /* tail after the current statement (SQLMoreResults) */
    sqlite3_stmt *sst;          /* current prepared statement */
    route_info route;           /* where sst runs (route.c) */
    cursor cur;
    SQLLEN row_count;           /* SQLRowCount */
    const col_override *overrides;  /* catalog result column metadata */
    int n_overrides;

    /* SQLGetData progress */
    SQLUSMALLINT gd_col;        /* column last read by SQLGetData, 0 = none */
    SQLLEN gd_offset;           /* bytes already returned from it */

    /* data-at-execution (SQLParamData / SQLPutData) */
    int dae_param;              /* parameter (1-based) now being supplied, 0 = none */
    SQLULEN dae_row;            /* row of the parameter array */
    struct dae_buf { char *data; SQLLEN len, cap; int is_null, given; } *dae;
    int n_dae;

    /* attributes */
    SQLULEN cursor_type, concurrency, cursor_scrollable, cursor_sensitivity;
    SQLULEN query_timeout, max_rows, max_length, noscan, retrieve_data,
        use_bookmarks, simulate_cursor, keyset_size, async_enable, metadata_id;
    SQLULEN paramset_size_dummy; /* (paramset size lives in apd->array_size) */
    SQLUSMALLINT *param_status_ptr_dummy;
    SQLULEN *params_processed_ptr_dummy;
    SQLULEN row_number;         /* SQL_ATTR_ROW_NUMBER after a fetch */
    SQLLEN *fetch_bookmark_ptr; /* SQL_ATTR_FETCH_BOOKMARK_PTR */
    SQLLEN rowset_start;        /* scrollable: 0-based index of rowset's first row */
    char *cursor_name;
};

/* ---------- helpers shared across driver/ ------------------------------- */

/* Handle validation: returns the typed pointer or NULL. */
env *env_from(SQLHANDLE h);
dbc *dbc_from(SQLHANDLE h);
stmt *stmt_from(SQLHANDLE h);
desc *desc_from(SQLHANDLE h);
void handle_lock(handle_hdr *h);
void handle_unlock(handle_hdr *h);

/* Length of an input string given ODBC's (ptr, len|SQL_NTS) convention;
 * -1 when len is invalid (caller posts HY090). */
SQLLEN str_len_in(const SQLCHAR *s, SQLLEN len);
/* malloc'd NUL-terminated copy of an input string; NULL if s is NULL. */
char *str_dup_in(const SQLCHAR *s, SQLLEN len);

/* Copy a UTF-8 string into an ANSI/UTF-8 output buffer (NUL-terminated,
 * truncated at a character boundary). *out_len gets the full length.
 * Returns SQL_SUCCESS or SQL_SUCCESS_WITH_INFO after posting 01004. */
SQLRETURN str_out(handle_hdr *h, const char *src, SQLCHAR *buf, SQLLEN buflen,
                  SQLLEN *out_len);

#endif
