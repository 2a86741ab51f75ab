/*
 * typemap.h — how SQLite's declared column types are presented to ODBC, and
 * the data types the driver advertises (SQLGetTypeInfo). One table shared by
 * SQLDescribeCol, SQLColAttribute, SQLColumns and SQLGetTypeInfo so they
 * always agree.
 */
#ifndef TYPEMAP_H
#define TYPEMAP_H

#include "driver.h"

typedef struct typemap_opts {
    int max_text_len;       /* column size for TEXT without a length (default 65535) */
    int bigint_as_integer;  /* report INTEGER as SQL_INTEGER instead of SQL_BIGINT */
    int wide;               /* report text as SQL_WVARCHAR / SQL_WLONGVARCHAR */
} typemap_opts;

/* Everything ODBC says about one column's type. */
typedef struct type_desc {
    SQLSMALLINT sql_type;       /* concise type: SQL_BIGINT, SQL_VARCHAR, SQL_TYPE_DATE ... */
    SQLSMALLINT verbose_type;   /* SQL_DATETIME for date/time types, else == sql_type */
    SQLSMALLINT datetime_sub;   /* SQL_CODE_DATE ... or 0 */
    const char *type_name;      /* TYPE_NAME as SQLGetTypeInfo reports it */
    SQLULEN column_size;
    SQLSMALLINT decimal_digits;
    SQLLEN octet_length;        /* transfer octet length */
    SQLLEN display_size;
    SQLINTEGER radix;           /* 10, 2 or 0 */
    int is_unsigned, case_sensitive;
    SQLSMALLINT searchable;
    const char *literal_prefix, *literal_suffix;
} type_desc;

/*
 * Describe a column from its declared type (may be NULL or "" for
 * expressions), falling back to the storage class of its first value
 * (SQLITE_INTEGER ... ; SQLITE_NULL when unknown). Declared lengths
 * ("VARCHAR(20)", "DECIMAL(10,2)") set column size / digits.
 */
void typemap_describe(const char *decltype, int storage_class, const typemap_opts *o,
                      type_desc *out);

/* Describe an ODBC SQL type by itself (for catalog columns, parameters). */
void typemap_describe_sql(SQLSMALLINT sql_type, SQLULEN size, SQLSMALLINT digits,
                          const typemap_opts *o, type_desc *out);

/* The rows of SQLGetTypeInfo(type) (SQL_ALL_TYPES = all), 19 columns each,
 * in the order the ODBC reference requires (by DATA_TYPE, then closeness). */
SQLRETURN typemap_type_info_rows(SQLSMALLINT type, const typemap_opts *o, mem_rows *out);
extern const col_override typemap_type_info_cols[19];

/* Options from a connection's DSN settings. */
void typemap_opts_from_dbc(const dbc *c, typemap_opts *o);

/* SQL functions registered on each connection so catalog queries can map
 * declared types in SQL: odbc_sql_type(decl), odbc_column_size(decl),
 * odbc_decimal_digits(decl), odbc_type_name(decl), odbc_octet_length(decl),
 * odbc_radix(decl). Uses the connection's typemap_opts (copied). */
int typemap_register_sql_functions(sqlite3 *db, const typemap_opts *o);

#endif
