/*
 * info.c — what the driver says about itself and about SQLite: SQLGetInfo
 * (odbc_GetInfo) and SQLGetFunctions (odbc_GetFunctions).
 *
 * Every answer is meant to be TRUE for a local SQLite 3.40+ file reached
 * through this driver, because BI tools act on them: Power BI, Tableau and
 * Excel generate SQL from the capability bits (outer joins, {fn} functions,
 * subqueries, CONVERT targets) and fall back to local evaluation where a bit
 * is clear. Saying "yes" wrongly produces SQL that fails; saying "no" wrongly
 * only costs speed, so doubtful cases answer "no".
 *
 * The constant answers live in one table (info_table) of {id, kind, value}
 * so a reader can check them against the ODBC reference line by line; the
 * few that depend on the connection (DSN, file, version, read-only, handles,
 * keywords) are computed in info_dynamic().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* Not in unixODBC 2.3.11's headers (ODBC 3.8 additions Power BI asks for). */
#ifndef SQL_RETURN_ESCAPE_CLAUSE
#define SQL_RETURN_ESCAPE_CLAUSE 180
#endif
#ifndef SQL_RC_NONE
#define SQL_RC_NONE 0x00000000L
#endif
#ifndef SQL_DTC_TRANSITION_COST
#define SQL_DTC_TRANSITION_COST 1750
#endif
/* The ODBC 2 id unixODBC passes through for SQL_OJ_CAPABILITIES. */
#define INFO_OJ_CAPABILITIES_ODBC2 65003

typedef enum info_kind {
    IK_STR,  /* character string */
    IK_U16,  /* SQLUSMALLINT */
    IK_U32   /* SQLUINTEGER (bitmasks and counts) */
} info_kind;

typedef struct info_entry {
    SQLUSMALLINT id;
    info_kind kind;
    const char *str;     /* IK_STR */
    SQLUINTEGER num;     /* IK_U16 / IK_U32 */
} info_entry;

#define S(id, s) { id, IK_STR, s, 0 }
#define U16(id, v) { id, IK_U16, NULL, (SQLUINTEGER)(v) }
#define U32(id, v) { id, IK_U32, NULL, (SQLUINTEGER)(v) }

/* ---- bitmask building blocks ------------------------------------------ */

/* What {fn CONVERT(x, SQL_type)} / CAST can produce. SQLite's CAST turns any
 * value into TEXT, INTEGER, REAL, NUMERIC or BLOB; date/time targets are
 * produced with the date()/time()/datetime() functions. */
#define CVT_CHARS (SQL_CVT_CHAR | SQL_CVT_VARCHAR | SQL_CVT_LONGVARCHAR | \
                   SQL_CVT_WCHAR | SQL_CVT_WVARCHAR | SQL_CVT_WLONGVARCHAR)
#define CVT_NUMBERS (SQL_CVT_NUMERIC | SQL_CVT_DECIMAL | SQL_CVT_INTEGER | \
                     SQL_CVT_SMALLINT | SQL_CVT_FLOAT | SQL_CVT_REAL | \
                     SQL_CVT_DOUBLE | SQL_CVT_BIT | SQL_CVT_TINYINT | SQL_CVT_BIGINT)
#define CVT_BINARIES (SQL_CVT_BINARY | SQL_CVT_VARBINARY | SQL_CVT_LONGVARBINARY)
#define CVT_DATETIMES (SQL_CVT_DATE | SQL_CVT_TIME | SQL_CVT_TIMESTAMP)
#define CVT_FROM_CHAR (CVT_CHARS | CVT_NUMBERS | CVT_BINARIES | CVT_DATETIMES)
#define CVT_FROM_NUMBER (CVT_CHARS | CVT_NUMBERS)
#define CVT_FROM_BINARY (CVT_CHARS | CVT_BINARIES)

/* Exactly the {fn} scalar functions sqltext.c rewrites into SQLite SQL (its
 * header comment lists them; keep the two in step). EXTRACT, SOUNDEX and
 * DIFFERENCE are not translated, so they are not claimed. */
#define STRING_FUNCS (SQL_FN_STR_ASCII | SQL_FN_STR_BIT_LENGTH | SQL_FN_STR_CHAR | \
    SQL_FN_STR_CHAR_LENGTH | SQL_FN_STR_CHARACTER_LENGTH | SQL_FN_STR_CONCAT | \
    SQL_FN_STR_INSERT | SQL_FN_STR_LCASE | SQL_FN_STR_LEFT | SQL_FN_STR_LENGTH | \
    SQL_FN_STR_LOCATE | SQL_FN_STR_LOCATE_2 | SQL_FN_STR_LTRIM | \
    SQL_FN_STR_OCTET_LENGTH | SQL_FN_STR_POSITION | SQL_FN_STR_REPEAT | \
    SQL_FN_STR_REPLACE | SQL_FN_STR_RIGHT | SQL_FN_STR_RTRIM | SQL_FN_STR_SPACE | \
    SQL_FN_STR_SUBSTRING | SQL_FN_STR_UCASE)
#define NUMERIC_FUNCS (SQL_FN_NUM_ABS | SQL_FN_NUM_ACOS | SQL_FN_NUM_ASIN | \
    SQL_FN_NUM_ATAN | SQL_FN_NUM_ATAN2 | SQL_FN_NUM_CEILING | SQL_FN_NUM_COS | \
    SQL_FN_NUM_COT | SQL_FN_NUM_DEGREES | SQL_FN_NUM_EXP | SQL_FN_NUM_FLOOR | \
    SQL_FN_NUM_LOG | SQL_FN_NUM_LOG10 | SQL_FN_NUM_MOD | SQL_FN_NUM_PI | \
    SQL_FN_NUM_POWER | SQL_FN_NUM_RADIANS | SQL_FN_NUM_RAND | SQL_FN_NUM_ROUND | \
    SQL_FN_NUM_SIGN | SQL_FN_NUM_SIN | SQL_FN_NUM_SQRT | SQL_FN_NUM_TAN | \
    SQL_FN_NUM_TRUNCATE)
#define TIMEDATE_FUNCS (SQL_FN_TD_CURDATE | SQL_FN_TD_CURTIME | SQL_FN_TD_NOW | \
    SQL_FN_TD_CURRENT_DATE | SQL_FN_TD_CURRENT_TIME | SQL_FN_TD_CURRENT_TIMESTAMP | \
    SQL_FN_TD_DAYNAME | SQL_FN_TD_DAYOFMONTH | SQL_FN_TD_DAYOFWEEK | \
    SQL_FN_TD_DAYOFYEAR | SQL_FN_TD_HOUR | SQL_FN_TD_MINUTE | \
    SQL_FN_TD_MONTH | SQL_FN_TD_MONTHNAME | SQL_FN_TD_QUARTER | SQL_FN_TD_SECOND | \
    SQL_FN_TD_TIMESTAMPADD | SQL_FN_TD_TIMESTAMPDIFF | SQL_FN_TD_WEEK | SQL_FN_TD_YEAR)
#define TIMEDATE_INTERVALS (SQL_FN_TSI_FRAC_SECOND | SQL_FN_TSI_SECOND | \
    SQL_FN_TSI_MINUTE | SQL_FN_TSI_HOUR | SQL_FN_TSI_DAY | SQL_FN_TSI_WEEK | \
    SQL_FN_TSI_MONTH | SQL_FN_TSI_QUARTER | SQL_FN_TSI_YEAR)
#define SYSTEM_FUNCS (SQL_FN_SYS_DBNAME | SQL_FN_SYS_IFNULL | SQL_FN_SYS_USERNAME)

/* Cursors: forward-only streams from sqlite3_step; static ones are the same
 * rows materialised, so they scroll. Nothing is updatable through the
 * cursor (no positioned UPDATE/DELETE). */
#define CA1_FORWARD (SQL_CA1_NEXT | SQL_CA1_LOCK_NO_CHANGE | SQL_CA1_POS_POSITION | \
                     SQL_CA1_POS_REFRESH)
#define CA1_STATIC (CA1_FORWARD | SQL_CA1_ABSOLUTE | SQL_CA1_RELATIVE)
/* SQL_ATTR_MAX_ROWS is applied at fetch time, so to catalog results too.
 * SQL_CA2_CRC_EXACT is not claimed: SQL_DIAG_CURSOR_ROW_COUNT is not filled
 * in after a static cursor is opened (exec.c would have to set it). */
#define CA2_FORWARD (SQL_CA2_READ_ONLY_CONCURRENCY | SQL_CA2_MAX_ROWS_SELECT | \
                     SQL_CA2_MAX_ROWS_CATALOG)
#define CA2_STATIC CA2_FORWARD

static const info_entry info_table[] = {
    /* --- driver and data source identity --- */
    S(SQL_DRIVER_NAME, DRIVER_NAME),
    S(SQL_DRIVER_VER, DRIVER_VER),
    S(SQL_DRIVER_ODBC_VER, "03.80"),
    S(SQL_ODBC_VER, "03.80.0000"),      /* normally answered by the DM */
    S(SQL_DBMS_NAME, "libSQL"),
    S(SQL_USER_NAME, ""),
    S(SQL_XOPEN_CLI_YEAR, "1995"),
    U16(SQL_ACTIVE_ENVIRONMENTS, 0),
    U16(SQL_MAX_DRIVER_CONNECTIONS, 0),
    U16(SQL_MAX_CONCURRENT_ACTIVITIES, 0),
    U16(SQL_FILE_USAGE, SQL_FILE_NOT_SUPPORTED),  /* SQLite, not the driver, owns files */

    /* --- conformance --- */
    U32(SQL_ODBC_INTERFACE_CONFORMANCE, SQL_OIC_CORE),
    U16(SQL_ODBC_API_CONFORMANCE, SQL_OAC_LEVEL1),
    U16(SQL_ODBC_SQL_CONFORMANCE, SQL_OSC_CORE),
    U16(SQL_ODBC_SAG_CLI_CONFORMANCE, SQL_OSCC_COMPLIANT),
    U32(SQL_SQL_CONFORMANCE, SQL_SC_SQL92_ENTRY),
    U32(SQL_STANDARD_CLI_CONFORMANCE, SQL_SCC_XOPEN_CLI_VERSION1),
    S(SQL_INTEGRITY, "Y"),              /* CHECK, FOREIGN KEY, DEFAULT */

    /* --- catalogs, schemas, names: SQLite has neither catalogs nor schemas
     * as ODBC means them (SQLTables reports NULL for both) --- */
    S(SQL_CATALOG_NAME, "N"),
    S(SQL_CATALOG_TERM, ""),
    S(SQL_CATALOG_NAME_SEPARATOR, ""),
    U16(SQL_CATALOG_LOCATION, 0),
    U32(SQL_CATALOG_USAGE, 0),
    S(SQL_SCHEMA_TERM, ""),
    U32(SQL_SCHEMA_USAGE, 0),
    S(SQL_TABLE_TERM, "table"),
    S(SQL_PROCEDURES, "N"),
    S(SQL_PROCEDURE_TERM, ""),
    S(SQL_ACCESSIBLE_TABLES, "Y"),
    S(SQL_ACCESSIBLE_PROCEDURES, "N"),
    S(SQL_IDENTIFIER_QUOTE_CHAR, "\""),
    /* SQLite compares identifiers case-insensitively, quoted or not, and
     * stores them as written. */
    U16(SQL_IDENTIFIER_CASE, SQL_IC_MIXED),
    U16(SQL_QUOTED_IDENTIFIER_CASE, SQL_IC_MIXED),
    S(SQL_SEARCH_PATTERN_ESCAPE, "\\"),
    S(SQL_SPECIAL_CHARACTERS, ""),
    S(SQL_COLLATION_SEQ, "BINARY"),
    U32(SQL_INFO_SCHEMA_VIEWS, 0),

    /* --- limits: 0 means "no limit"; the finite ones are SQLite's compile
     * options (MAX_COLUMN=2000, MAX_SQL_LENGTH=MAX_LENGTH=1e9, 64-way join) --- */
    U16(SQL_MAX_IDENTIFIER_LEN, 0),
    U16(SQL_MAX_COLUMN_NAME_LEN, 0),
    U16(SQL_MAX_TABLE_NAME_LEN, 0),
    U16(SQL_MAX_SCHEMA_NAME_LEN, 0),
    U16(SQL_MAX_CATALOG_NAME_LEN, 0),
    U16(SQL_MAX_PROCEDURE_NAME_LEN, 0),
    U16(SQL_MAX_CURSOR_NAME_LEN, 128),      /* attr.c's limit */
    U16(SQL_MAX_USER_NAME_LEN, 0),
    U16(SQL_MAX_COLUMNS_IN_TABLE, 2000),
    U16(SQL_MAX_COLUMNS_IN_SELECT, 2000),
    U16(SQL_MAX_COLUMNS_IN_GROUP_BY, 2000),
    U16(SQL_MAX_COLUMNS_IN_ORDER_BY, 2000),
    U16(SQL_MAX_COLUMNS_IN_INDEX, 2000),
    U16(SQL_MAX_TABLES_IN_SELECT, 64),
    U32(SQL_MAX_INDEX_SIZE, 0),
    U32(SQL_MAX_ROW_SIZE, 1000000000),
    S(SQL_MAX_ROW_SIZE_INCLUDES_LONG, "Y"),
    U32(SQL_MAX_STATEMENT_LEN, 1000000000),
    U32(SQL_MAX_CHAR_LITERAL_LEN, 1000000000),
    U32(SQL_MAX_BINARY_LITERAL_LEN, 1000000000),

    /* --- transactions --- */
    U16(SQL_TXN_CAPABLE, SQL_TC_ALL),
    U32(SQL_TXN_ISOLATION_OPTION, SQL_TXN_SERIALIZABLE),
    U32(SQL_DEFAULT_TXN_ISOLATION, SQL_TXN_SERIALIZABLE),
    /* As txn.c implements them: SQLite lets read statements survive a
     * COMMIT; the driver closes open cursors before a ROLLBACK (SQLite would
     * abort them mid-fetch). Prepared statements stay prepared either way. */
    U16(SQL_CURSOR_COMMIT_BEHAVIOR, SQL_CB_PRESERVE), /* local; replicas: info_dynamic */
    U16(SQL_CURSOR_ROLLBACK_BEHAVIOR, SQL_CB_CLOSE),
    S(SQL_MULTIPLE_ACTIVE_TXN, "Y"),
    U32(SQL_DTC_TRANSITION_COST, 0),

    /* --- statements, results, cursors --- */
    S(SQL_MULT_RESULT_SETS, "Y"),
    U32(SQL_BATCH_SUPPORT, SQL_BS_SELECT_EXPLICIT | SQL_BS_ROW_COUNT_EXPLICIT),
    U32(SQL_BATCH_ROW_COUNT, SQL_BRC_EXPLICIT),
    /* exec.c runs a parameter array as one statement: one cumulative row
     * count, and result rows of a parameterized SELECT are not returned. */
    U32(SQL_PARAM_ARRAY_ROW_COUNTS, SQL_PARC_NO_BATCH),
    U32(SQL_PARAM_ARRAY_SELECTS, SQL_PAS_NO_SELECT),
    S(SQL_DESCRIBE_PARAMETER, "Y"),
    S(SQL_NEED_LONG_DATA_LEN, "N"),
    U32(SQL_GETDATA_EXTENSIONS, SQL_GD_ANY_COLUMN | SQL_GD_ANY_ORDER | SQL_GD_BOUND |
                                    SQL_GD_BLOCK),
    U32(SQL_SCROLL_OPTIONS, SQL_SO_FORWARD_ONLY | SQL_SO_STATIC),
    U32(SQL_SCROLL_CONCURRENCY, SQL_SCCO_READ_ONLY),
    U32(SQL_FETCH_DIRECTION, SQL_FD_FETCH_NEXT | SQL_FD_FETCH_FIRST | SQL_FD_FETCH_LAST |
                                 SQL_FD_FETCH_PRIOR | SQL_FD_FETCH_ABSOLUTE |
                                 SQL_FD_FETCH_RELATIVE),
    U32(SQL_FORWARD_ONLY_CURSOR_ATTRIBUTES1, CA1_FORWARD),
    U32(SQL_FORWARD_ONLY_CURSOR_ATTRIBUTES2, CA2_FORWARD),
    U32(SQL_STATIC_CURSOR_ATTRIBUTES1, CA1_STATIC),
    U32(SQL_STATIC_CURSOR_ATTRIBUTES2, CA2_STATIC),
    U32(SQL_KEYSET_CURSOR_ATTRIBUTES1, 0),
    U32(SQL_KEYSET_CURSOR_ATTRIBUTES2, 0),
    U32(SQL_DYNAMIC_CURSOR_ATTRIBUTES1, 0),
    U32(SQL_DYNAMIC_CURSOR_ATTRIBUTES2, 0),
    U32(SQL_CURSOR_SENSITIVITY, SQL_INSENSITIVE),
    U32(SQL_STATIC_SENSITIVITY, 0),
    U32(SQL_POS_OPERATIONS, SQL_POS_POSITION | SQL_POS_REFRESH),
    U32(SQL_POSITIONED_STATEMENTS, 0),
    U32(SQL_LOCK_TYPES, SQL_LCK_NO_CHANGE),
    U32(SQL_BOOKMARK_PERSISTENCE, 0),
    S(SQL_ROW_UPDATES, "N"),
    U32(SQL_ASYNC_MODE, SQL_AM_NONE),
    U32(SQL_MAX_ASYNC_CONCURRENT_STATEMENTS, 0),
    U32(SQL_ASYNC_DBC_FUNCTIONS, SQL_ASYNC_DBC_NOT_CAPABLE),
    U32(SQL_ASYNC_NOTIFICATION, SQL_ASYNC_NOTIFICATION_NOT_CAPABLE),
    U32(SQL_DRIVER_AWARE_POOLING_SUPPORTED, SQL_DRIVER_AWARE_POOLING_NOT_CAPABLE),

    /* --- scalar functions and conversions --- */
    U32(SQL_CONVERT_FUNCTIONS, SQL_FN_CVT_CAST | SQL_FN_CVT_CONVERT),
    U32(SQL_STRING_FUNCTIONS, STRING_FUNCS),
    U32(SQL_NUMERIC_FUNCTIONS, NUMERIC_FUNCS),
    U32(SQL_TIMEDATE_FUNCTIONS, TIMEDATE_FUNCS),
    U32(SQL_SYSTEM_FUNCTIONS, SYSTEM_FUNCS),
    U32(SQL_TIMEDATE_ADD_INTERVALS, TIMEDATE_INTERVALS),
    U32(SQL_TIMEDATE_DIFF_INTERVALS, TIMEDATE_INTERVALS),
    U32(SQL_CONVERT_CHAR, CVT_FROM_CHAR),
    U32(SQL_CONVERT_VARCHAR, CVT_FROM_CHAR),
    U32(SQL_CONVERT_LONGVARCHAR, CVT_FROM_CHAR),
    U32(SQL_CONVERT_WCHAR, CVT_FROM_CHAR),
    U32(SQL_CONVERT_WVARCHAR, CVT_FROM_CHAR),
    U32(SQL_CONVERT_WLONGVARCHAR, CVT_FROM_CHAR),
    U32(SQL_CONVERT_BIGINT, CVT_FROM_NUMBER),
    U32(SQL_CONVERT_BIT, CVT_FROM_NUMBER),
    U32(SQL_CONVERT_DECIMAL, CVT_FROM_NUMBER),
    U32(SQL_CONVERT_DOUBLE, CVT_FROM_NUMBER),
    U32(SQL_CONVERT_FLOAT, CVT_FROM_NUMBER),
    U32(SQL_CONVERT_INTEGER, CVT_FROM_NUMBER),
    U32(SQL_CONVERT_NUMERIC, CVT_FROM_NUMBER),
    U32(SQL_CONVERT_REAL, CVT_FROM_NUMBER),
    U32(SQL_CONVERT_SMALLINT, CVT_FROM_NUMBER),
    U32(SQL_CONVERT_TINYINT, CVT_FROM_NUMBER),
    U32(SQL_CONVERT_BINARY, CVT_FROM_BINARY),
    U32(SQL_CONVERT_VARBINARY, CVT_FROM_BINARY),
    U32(SQL_CONVERT_LONGVARBINARY, CVT_FROM_BINARY),
    U32(SQL_CONVERT_DATE, CVT_CHARS | SQL_CVT_DATE | SQL_CVT_TIMESTAMP),
    U32(SQL_CONVERT_TIME, CVT_CHARS | SQL_CVT_TIME | SQL_CVT_TIMESTAMP),
    U32(SQL_CONVERT_TIMESTAMP, CVT_CHARS | CVT_DATETIMES),
    U32(SQL_CONVERT_INTERVAL_DAY_TIME, 0),
    U32(SQL_CONVERT_INTERVAL_YEAR_MONTH, 0),
    U32(SQL_CONVERT_GUID, 0),

    /* --- SQL language --- */
    U32(SQL_AGGREGATE_FUNCTIONS, SQL_AF_ALL | SQL_AF_AVG | SQL_AF_COUNT | SQL_AF_DISTINCT |
                                     SQL_AF_MAX | SQL_AF_MIN | SQL_AF_SUM),
    U32(SQL_ALTER_TABLE, SQL_AT_ADD_COLUMN | SQL_AT_DROP_COLUMN | SQL_AT_ADD_COLUMN_SINGLE |
                             SQL_AT_ADD_COLUMN_DEFAULT | SQL_AT_ADD_COLUMN_COLLATION),
    U32(SQL_ALTER_DOMAIN, 0),
    U32(SQL_CREATE_TABLE, SQL_CT_CREATE_TABLE | SQL_CT_LOCAL_TEMPORARY |
                              SQL_CT_COLUMN_CONSTRAINT | SQL_CT_COLUMN_DEFAULT |
                              SQL_CT_COLUMN_COLLATION | SQL_CT_TABLE_CONSTRAINT |
                              SQL_CT_CONSTRAINT_NAME_DEFINITION |
                              SQL_CT_CONSTRAINT_INITIALLY_DEFERRED |
                              SQL_CT_CONSTRAINT_INITIALLY_IMMEDIATE |
                              SQL_CT_CONSTRAINT_DEFERRABLE |
                              SQL_CT_CONSTRAINT_NON_DEFERRABLE),
    U32(SQL_CREATE_VIEW, SQL_CV_CREATE_VIEW),
    U32(SQL_CREATE_SCHEMA, 0),
    U32(SQL_CREATE_DOMAIN, 0),
    U32(SQL_CREATE_ASSERTION, 0),
    U32(SQL_CREATE_CHARACTER_SET, 0),
    U32(SQL_CREATE_COLLATION, 0),
    U32(SQL_CREATE_TRANSLATION, 0),
    U32(SQL_DROP_TABLE, SQL_DT_DROP_TABLE),
    U32(SQL_DROP_VIEW, SQL_DV_DROP_VIEW),
    U32(SQL_DROP_SCHEMA, 0),
    U32(SQL_DROP_DOMAIN, 0),
    U32(SQL_DROP_ASSERTION, 0),
    U32(SQL_DROP_CHARACTER_SET, 0),
    U32(SQL_DROP_COLLATION, 0),
    U32(SQL_DROP_TRANSLATION, 0),
    U32(SQL_DDL_INDEX, SQL_DI_CREATE_INDEX | SQL_DI_DROP_INDEX),
    U32(SQL_INDEX_KEYWORDS, SQL_IK_ASC | SQL_IK_DESC),
    U32(SQL_INSERT_STATEMENT, SQL_IS_INSERT_LITERALS | SQL_IS_INSERT_SEARCHED),
    U32(SQL_UNION, SQL_U_UNION | SQL_U_UNION_ALL),
    U32(SQL_SUBQUERIES, SQL_SQ_COMPARISON | SQL_SQ_EXISTS | SQL_SQ_IN |
                            SQL_SQ_CORRELATED_SUBQUERIES),
    S(SQL_OUTER_JOINS, "Y"),
    /* RIGHT and FULL OUTER JOIN exist since SQLite 3.39. */
    U32(SQL_OJ_CAPABILITIES, SQL_OJ_LEFT | SQL_OJ_RIGHT | SQL_OJ_FULL | SQL_OJ_NESTED |
                                 SQL_OJ_NOT_ORDERED | SQL_OJ_INNER |
                                 SQL_OJ_ALL_COMPARISON_OPS),
    U32(INFO_OJ_CAPABILITIES_ODBC2, SQL_OJ_LEFT | SQL_OJ_RIGHT | SQL_OJ_FULL |
                                        SQL_OJ_NESTED | SQL_OJ_NOT_ORDERED | SQL_OJ_INNER |
                                        SQL_OJ_ALL_COMPARISON_OPS),
    U16(SQL_CORRELATION_NAME, SQL_CN_ANY),
    U16(SQL_GROUP_BY, SQL_GB_NO_RELATION),
    S(SQL_ORDER_BY_COLUMNS_IN_SELECT, "N"),
    S(SQL_EXPRESSIONS_IN_ORDERBY, "Y"),
    S(SQL_LIKE_ESCAPE_CLAUSE, "Y"),
    S(SQL_COLUMN_ALIAS, "Y"),
    U16(SQL_NULL_COLLATION, SQL_NC_LOW),
    U16(SQL_CONCAT_NULL_BEHAVIOR, SQL_CB_NULL),
    U16(SQL_NON_NULLABLE_COLUMNS, SQL_NNC_NON_NULL),
    U32(SQL_DATETIME_LITERALS, 0),    /* only the {d} {t} {ts} escapes */
    U32(SQL_RETURN_ESCAPE_CLAUSE, SQL_RC_NONE),
    U32(SQL_SQL92_DATETIME_FUNCTIONS, SQL_SDF_CURRENT_DATE | SQL_SDF_CURRENT_TIME |
                                          SQL_SDF_CURRENT_TIMESTAMP),
    U32(SQL_SQL92_FOREIGN_KEY_DELETE_RULE, SQL_SFKD_CASCADE | SQL_SFKD_NO_ACTION |
                                               SQL_SFKD_SET_DEFAULT | SQL_SFKD_SET_NULL),
    U32(SQL_SQL92_FOREIGN_KEY_UPDATE_RULE, SQL_SFKU_CASCADE | SQL_SFKU_NO_ACTION |
                                               SQL_SFKU_SET_DEFAULT | SQL_SFKU_SET_NULL),
    U32(SQL_SQL92_GRANT, 0),
    U32(SQL_SQL92_REVOKE, 0),
    /* CHAR_LENGTH, POSITION, EXTRACT ... are not SQLite syntax outside {fn}. */
    U32(SQL_SQL92_NUMERIC_VALUE_FUNCTIONS, 0),
    U32(SQL_SQL92_PREDICATES, SQL_SP_BETWEEN | SQL_SP_COMPARISON | SQL_SP_EXISTS |
                                  SQL_SP_IN | SQL_SP_ISNOTNULL | SQL_SP_ISNULL |
                                  SQL_SP_LIKE),
    U32(SQL_SQL92_RELATIONAL_JOIN_OPERATORS,
        SQL_SRJO_CROSS_JOIN | SQL_SRJO_INNER_JOIN | SQL_SRJO_LEFT_OUTER_JOIN |
            SQL_SRJO_RIGHT_OUTER_JOIN | SQL_SRJO_FULL_OUTER_JOIN | SQL_SRJO_NATURAL_JOIN |
            SQL_SRJO_EXCEPT_JOIN | SQL_SRJO_INTERSECT_JOIN),
    U32(SQL_SQL92_ROW_VALUE_CONSTRUCTOR, SQL_SRVC_VALUE_EXPRESSION | SQL_SRVC_NULL |
                                             SQL_SRVC_ROW_SUBQUERY),
    U32(SQL_SQL92_STRING_FUNCTIONS, SQL_SSF_LOWER | SQL_SSF_UPPER),
    U32(SQL_SQL92_VALUE_EXPRESSIONS, SQL_SVE_CASE | SQL_SVE_CAST | SQL_SVE_COALESCE |
                                         SQL_SVE_NULLIF),
};

#undef S
#undef U16
#undef U32

/* ODBC's reserved keywords (Appendix C of the ODBC reference). SQL_KEYWORDS
 * lists the data source's keywords that are NOT in this list. Sorted for
 * bsearch. */
static const char *const odbc_reserved[] = {
    "ABSOLUTE", "ACTION", "ADA", "ADD", "ALL", "ALLOCATE", "ALTER", "AND", "ANY",
    "ARE", "AS", "ASC", "ASSERTION", "AT", "AUTHORIZATION", "AVG", "BEGIN",
    "BETWEEN", "BIT", "BIT_LENGTH", "BOTH", "BY", "CASCADE", "CASCADED", "CASE",
    "CAST", "CATALOG", "CHAR", "CHARACTER", "CHARACTER_LENGTH", "CHAR_LENGTH",
    "CHECK", "CLOSE", "COALESCE", "COLLATE", "COLLATION", "COLUMN", "COMMIT",
    "CONNECT", "CONNECTION", "CONSTRAINT", "CONSTRAINTS", "CONTINUE", "CONVERT",
    "CORRESPONDING", "COUNT", "CREATE", "CROSS", "CURRENT", "CURRENT_DATE",
    "CURRENT_TIME", "CURRENT_TIMESTAMP", "CURRENT_USER", "CURSOR", "DATE", "DAY",
    "DEALLOCATE", "DEC", "DECIMAL", "DECLARE", "DEFAULT", "DEFERRABLE", "DEFERRED",
    "DELETE", "DESC", "DESCRIBE", "DESCRIPTOR", "DIAGNOSTICS", "DISCONNECT",
    "DISTINCT", "DOMAIN", "DOUBLE", "DROP", "ELSE", "END", "END-EXEC", "ESCAPE",
    "EXCEPT", "EXCEPTION", "EXEC", "EXECUTE", "EXISTS", "EXTERNAL", "EXTRACT",
    "FALSE", "FETCH", "FIRST", "FLOAT", "FOR", "FOREIGN", "FORTRAN", "FOUND",
    "FROM", "FULL", "GET", "GLOBAL", "GO", "GOTO", "GRANT", "GROUP", "HAVING",
    "HOUR", "IDENTITY", "IMMEDIATE", "IN", "INCLUDE", "INDEX", "INDICATOR",
    "INITIALLY", "INNER", "INPUT", "INSENSITIVE", "INSERT", "INT", "INTEGER",
    "INTERSECT", "INTERVAL", "INTO", "IS", "ISOLATION", "JOIN", "KEY", "LANGUAGE",
    "LAST", "LEADING", "LEFT", "LEVEL", "LIKE", "LOCAL", "LOWER", "MATCH", "MAX",
    "MIN", "MINUTE", "MODULE", "MONTH", "NAMES", "NATIONAL", "NATURAL", "NCHAR",
    "NEXT", "NO", "NONE", "NOT", "NULL", "NULLIF", "NUMERIC", "OCTET_LENGTH", "OF",
    "ON", "ONLY", "OPEN", "OPTION", "OR", "ORDER", "OUTER", "OUTPUT", "OVERLAPS",
    "PAD", "PARTIAL", "PASCAL", "POSITION", "PRECISION", "PREPARE", "PRESERVE",
    "PRIMARY", "PRIOR", "PRIVILEGES", "PROCEDURE", "PUBLIC", "READ", "REAL",
    "REFERENCES", "RELATIVE", "RESTRICT", "REVOKE", "RIGHT", "ROLLBACK", "ROWS",
    "SCHEMA", "SCROLL", "SECOND", "SECTION", "SELECT", "SESSION", "SESSION_USER",
    "SET", "SIZE", "SMALLINT", "SOME", "SPACE", "SQL", "SQLCA", "SQLCODE",
    "SQLERROR", "SQLSTATE", "SQLWARNING", "SUBSTRING", "SUM", "SYSTEM_USER",
    "TABLE", "TEMPORARY", "THEN", "TIME", "TIMESTAMP", "TIMEZONE_HOUR",
    "TIMEZONE_MINUTE", "TO", "TRAILING", "TRANSACTION", "TRANSLATE", "TRANSLATION",
    "TRIM", "TRUE", "UNION", "UNIQUE", "UNKNOWN", "UPDATE", "UPPER", "USAGE",
    "USER", "USING", "VALUE", "VALUES", "VARCHAR", "VARYING", "VIEW", "WHEN",
    "WHENEVER", "WHERE", "WITH", "WORK", "WRITE", "YEAR", "ZONE",
};

static int cmp_reserved(const void *key, const void *elem)
{
    return strcasecmp((const char *)key, *(const char *const *)elem);
}

/* SQLite's keywords (sqlite3_keyword_name) minus ODBC's reserved words, as
 * a comma-separated list. malloc'd; NULL on OOM. */
static char *sqlite_only_keywords(void)
{
    int n = sqlite3_keyword_count();
    size_t cap = 16;
    for (int i = 0; i < n; i++) {
        const char *name;
        int len;
        if (sqlite3_keyword_name(i, &name, &len) == SQLITE_OK)
            cap += (size_t)len + 1;
    }
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        const char *name;
        int len;
        char word[64];
        if (sqlite3_keyword_name(i, &name, &len) != SQLITE_OK ||
            len <= 0 || (size_t)len >= sizeof word)
            continue;
        memcpy(word, name, (size_t)len);
        word[len] = '\0';
        if (bsearch(word, odbc_reserved, sizeof odbc_reserved / sizeof *odbc_reserved,
                    sizeof *odbc_reserved, cmp_reserved))
            continue;
        if (used)
            out[used++] = ',';
        memcpy(out + used, word, (size_t)len + 1);
        used += (size_t)len;
    }
    return out;
}

/* ---- writing one answer --------------------------------------------------- */

static SQLRETURN put_str(dbc *c, const char *s, SQLPOINTER val, SQLSMALLINT buflen,
                         SQLSMALLINT *len)
{
    SQLLEN full = 0;
    SQLRETURN rc = str_out(&c->hdr, s, (SQLCHAR *)val, val ? buflen : 0, &full);
    if (val == NULL)          /* only the length was asked for */
        rc = SQL_SUCCESS;
    if (len)
        *len = (SQLSMALLINT)(full > 32767 ? 32767 : full);
    return rc;
}

static SQLRETURN put_u16(SQLUINTEGER v, SQLPOINTER val, SQLSMALLINT *len)
{
    if (val)
        *(SQLUSMALLINT *)val = (SQLUSMALLINT)v;
    if (len)
        *len = (SQLSMALLINT)sizeof(SQLUSMALLINT);
    return SQL_SUCCESS;
}

static SQLRETURN put_u32(SQLUINTEGER v, SQLPOINTER val, SQLSMALLINT *len)
{
    if (val)
        *(SQLUINTEGER *)val = v;
    if (len)
        *len = (SQLSMALLINT)sizeof(SQLUINTEGER);
    return SQL_SUCCESS;
}

static SQLRETURN put_ulen(SQLULEN v, SQLPOINTER val, SQLSMALLINT *len)
{
    if (val)
        *(SQLULEN *)val = v;
    if (len)
        *len = (SQLSMALLINT)sizeof(SQLULEN);
    return SQL_SUCCESS;
}

/* Answers that depend on the connection. Returns 1 and sets *rc when `type`
 * is one of them, 0 otherwise. */
static int info_dynamic(dbc *c, SQLUSMALLINT type, SQLPOINTER val, SQLSMALLINT buflen,
                        SQLSMALLINT *len, SQLRETURN *rc)
{
    char buf[64];
    switch (type) {
    case SQL_DATA_SOURCE_NAME:
        *rc = put_str(c, c->opt.dsn ? c->opt.dsn : "", val, buflen, len);
        return 1;
    case SQL_DATABASE_NAME:
        *rc = put_str(c, c->opt.database ? c->opt.database : "", val, buflen, len);
        return 1;
    case SQL_SERVER_NAME:
        /* The primary when there is one, else the local file: what a BI
         * tool should show as "where the data lives". */
        *rc = put_str(c, c->opt.sync_url ? c->opt.sync_url
                                         : (c->opt.database ? c->opt.database : ""),
                      val, buflen, len);
        return 1;
    case SQL_DBMS_VER: {
        int v = sqlite3_libversion_number();   /* 3040001 -> 03.40.0001 */
        snprintf(buf, sizeof buf, "%02d.%02d.%04d", v / 1000000, (v / 1000) % 1000,
                 v % 1000);
        *rc = put_str(c, buf, val, buflen, len);
        return 1;
    }
    case SQL_CURSOR_COMMIT_BEHAVIOR:
        /* A local commit keeps cursors open; a replica's commit sends the
         * queued writes, rolls the local preview back and pulls, which
         * closes them (txn_remote.c). */
        *rc = put_u16(lsq_is_replica(c->db) ? SQL_CB_CLOSE : SQL_CB_PRESERVE, val, len);
        return 1;
    case SQL_DATA_SOURCE_READ_ONLY:
        *rc = put_str(c, (c->opt.read_only || c->access_mode == SQL_MODE_READ_ONLY) ? "Y" : "N",
                      val, buflen, len);
        return 1;
    case SQL_KEYWORDS: {
        char *kw = sqlite_only_keywords();
        if (!kw) {
            *rc = diag_post(&c->hdr.diag, "HY001", 0, "Memory allocation error");
            return 1;
        }
        *rc = put_str(c, kw, val, buflen, len);
        free(kw);
        return 1;
    }
    case SQL_DRIVER_HDBC:
        *rc = put_ulen((SQLULEN)(uintptr_t)c, val, len);
        return 1;
    case SQL_DRIVER_HENV:
        *rc = put_ulen((SQLULEN)(uintptr_t)c->env, val, len);
        return 1;
    case SQL_DRIVER_HSTMT:
    case SQL_DRIVER_HDESC: {
        /* On input *val holds the statement (descriptor) handle the driver
         * manager passed down; ours are the same pointers, so echo it back
         * after checking it belongs to this connection. */
        SQLULEN h = val ? *(SQLULEN *)val : 0;
        if (type == SQL_DRIVER_HSTMT) {
            stmt *s = stmt_from((SQLHANDLE)(uintptr_t)h);
            if (s && s->dbc != c)
                s = NULL;
            h = (SQLULEN)(uintptr_t)s;
        } else {
            desc *d = desc_from((SQLHANDLE)(uintptr_t)h);
            if (d && d->dbc != c)
                d = NULL;
            h = (SQLULEN)(uintptr_t)d;
        }
        *rc = put_ulen(h, val, len);
        return 1;
    }
    case SQL_DRIVER_HLIB:
        *rc = put_ulen(0, val, len);   /* the DM knows the library handle */
        return 1;
    default:
        return 0;
    }
}

int info_type_is_string(SQLUSMALLINT type)
{
    switch (type) {
    case SQL_DATA_SOURCE_NAME: case SQL_DATABASE_NAME: case SQL_SERVER_NAME:
    case SQL_DBMS_VER: case SQL_DATA_SOURCE_READ_ONLY: case SQL_KEYWORDS:
        return 1;
    default:
        break;
    }
    for (size_t i = 0; i < sizeof info_table / sizeof *info_table; i++)
        if (info_table[i].id == type)
            return info_table[i].kind == IK_STR;
    return 0;
}

SQLRETURN odbc_GetInfo(dbc *c, SQLUSMALLINT type, SQLPOINTER val, SQLSMALLINT buflen,
                       SQLSMALLINT *len)
{
    SQLRETURN rc;
    if (info_dynamic(c, type, val, buflen, len, &rc))
        return rc;
    for (size_t i = 0; i < sizeof info_table / sizeof *info_table; i++) {
        const info_entry *e = &info_table[i];
        if (e->id != type)
            continue;
        switch (e->kind) {
        case IK_STR:
            if (val && buflen < 0)
                return diag_post(&c->hdr.diag, "HY090", 0,
                                 "Invalid string or buffer length");
            return put_str(c, e->str, val, buflen, len);
        case IK_U16:
            return put_u16(e->num, val, len);
        case IK_U32:
            return put_u32(e->num, val, len);
        }
    }
    return diag_post(&c->hdr.diag, "HY096", 0, "Information type %u out of range",
                     (unsigned)type);
}

/* ---- SQLGetFunctions ------------------------------------------------------- */

/* The ANSI entry points api.c exports (each also has its W twin where one
 * exists); SQLGetFunctions reports exactly these. SQLBulkOperations and
 * SQLBrowseConnect are not exported, so they are not claimed. */
static const SQLUSMALLINT implemented_functions[] = {
    SQL_API_SQLALLOCHANDLE, SQL_API_SQLFREEHANDLE, SQL_API_SQLFREESTMT,
    SQL_API_SQLGETDIAGREC, SQL_API_SQLGETDIAGFIELD, SQL_API_SQLCONNECT,
    SQL_API_SQLDRIVERCONNECT, SQL_API_SQLDISCONNECT, SQL_API_SQLSETENVATTR,
    SQL_API_SQLGETENVATTR, SQL_API_SQLSETCONNECTATTR, SQL_API_SQLGETCONNECTATTR,
    SQL_API_SQLSETSTMTATTR, SQL_API_SQLGETSTMTATTR, SQL_API_SQLSETCURSORNAME,
    SQL_API_SQLGETCURSORNAME, SQL_API_SQLENDTRAN, SQL_API_SQLGETINFO,
    SQL_API_SQLGETFUNCTIONS, SQL_API_SQLPREPARE, SQL_API_SQLEXECUTE,
    SQL_API_SQLEXECDIRECT, SQL_API_SQLNUMPARAMS, SQL_API_SQLDESCRIBEPARAM,
    SQL_API_SQLPARAMDATA, SQL_API_SQLPUTDATA, SQL_API_SQLMORERESULTS,
    SQL_API_SQLROWCOUNT, SQL_API_SQLNATIVESQL, SQL_API_SQLCANCEL,
    SQL_API_SQLCLOSECURSOR, SQL_API_SQLBINDPARAMETER, SQL_API_SQLBINDCOL,
    SQL_API_SQLFETCH, SQL_API_SQLFETCHSCROLL, SQL_API_SQLEXTENDEDFETCH,
    SQL_API_SQLGETDATA, SQL_API_SQLSETPOS, SQL_API_SQLNUMRESULTCOLS,
    SQL_API_SQLDESCRIBECOL, SQL_API_SQLCOLATTRIBUTE, SQL_API_SQLGETDESCFIELD,
    SQL_API_SQLSETDESCFIELD, SQL_API_SQLGETDESCREC, SQL_API_SQLSETDESCREC,
    SQL_API_SQLCOPYDESC, SQL_API_SQLTABLES, SQL_API_SQLCOLUMNS,
    SQL_API_SQLPRIMARYKEYS, SQL_API_SQLFOREIGNKEYS, SQL_API_SQLSTATISTICS,
    SQL_API_SQLSPECIALCOLUMNS, SQL_API_SQLPROCEDURES, SQL_API_SQLPROCEDURECOLUMNS,
    SQL_API_SQLTABLEPRIVILEGES, SQL_API_SQLCOLUMNPRIVILEGES, SQL_API_SQLGETTYPEINFO,
    /* ODBC 2 functions a 3.x driver need not export: the driver manager maps
     * them onto the 3.x ones above (SQLAllocConnect -> SQLAllocHandle,
     * SQLError -> SQLGetDiagRec, SQLTransact -> SQLEndTran, SQLSetParam ->
     * SQLBindParameter, SQLColAttributes -> SQLColAttribute, the option
     * functions -> the attribute functions). The ODBC reference says they are
     * reported as supported when their 3.x counterparts are. */
    SQL_API_SQLALLOCCONNECT, SQL_API_SQLALLOCENV, SQL_API_SQLALLOCSTMT,
    SQL_API_SQLFREECONNECT, SQL_API_SQLFREEENV, SQL_API_SQLERROR,
    SQL_API_SQLTRANSACT, SQL_API_SQLSETPARAM, SQL_API_SQLCOLATTRIBUTES,
    SQL_API_SQLGETCONNECTOPTION, SQL_API_SQLSETCONNECTOPTION,
    SQL_API_SQLGETSTMTOPTION, SQL_API_SQLSETSTMTOPTION, SQL_API_SQLPARAMOPTIONS,
};

static int is_implemented(SQLUSMALLINT id)
{
    for (size_t i = 0; i < sizeof implemented_functions / sizeof *implemented_functions; i++)
        if (implemented_functions[i] == id)
            return 1;
    return 0;
}

SQLRETURN odbc_GetFunctions(dbc *c, SQLUSMALLINT id, SQLUSMALLINT *supported)
{
    if (supported == NULL)
        return diag_post(&c->hdr.diag, "HY009", 0, "Invalid use of null pointer");
    if (id == SQL_API_ODBC3_ALL_FUNCTIONS) {
        memset(supported, 0, SQL_API_ODBC3_ALL_FUNCTIONS_SIZE * sizeof(SQLUSMALLINT));
        for (size_t i = 0; i < sizeof implemented_functions / sizeof *implemented_functions;
             i++) {
            SQLUSMALLINT f = implemented_functions[i];
            if (f < SQL_API_ODBC3_ALL_FUNCTIONS_SIZE * 16)
                supported[f >> 4] |= (SQLUSMALLINT)(1u << (f & 0xF));
        }
        return SQL_SUCCESS;
    }
    if (id == SQL_API_ALL_FUNCTIONS) {
        /* ODBC 2: an array of 100 flags indexed by function id (ids < 100). */
        for (SQLUSMALLINT f = 0; f < 100; f++)
            supported[f] = is_implemented(f) ? SQL_TRUE : SQL_FALSE;
        return SQL_SUCCESS;
    }
    /* ODBC 1/2 ids are below 100, ODBC 3 ids from 1001 (sqlext.h) */
    if (!((id >= 1 && id < 100) || (id > 1000 && id < 1100)))
        return diag_post(&c->hdr.diag, "HY095", 0, "Function type %u out of range", (unsigned)id);
    *supported = is_implemented(id) ? SQL_TRUE : SQL_FALSE;
    return SQL_SUCCESS;
}
