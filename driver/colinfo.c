/*
 * colinfo.c — what the application learns about result columns:
 * SQLNumResultCols, SQLDescribeCol and SQLColAttribute (every SQL_DESC_*
 * field and the ODBC 2 SQL_COLUMN_* identifiers unixODBC passes through).
 *
 * Everything is read from the IRD, which results.c fills through typemap.h,
 * so these answers agree with SQLColumns and SQLGetTypeInfo by construction.
 */
#include <string.h>

#include "internal.h"

/* Bookmark column (record 0): fixed-length bookmarks are SQL_INTEGER-sized
 * row numbers, variable ones an 8-byte binary. Described, never stored. */
static void bookmark_rec(const stmt *s, desc_rec *r)
{
    memset(r, 0, sizeof *r);
    if (s->use_bookmarks == SQL_UB_VARIABLE) {
        r->type = r->concise_type = SQL_BINARY;
        r->length = sizeof(SQLLEN);
        r->octet_length = sizeof(SQLLEN);
        r->display_size = 2 * (SQLLEN)sizeof(SQLLEN);
    } else {
        r->type = r->concise_type = SQL_INTEGER;
        r->length = 10;
        r->precision = 10;
        r->octet_length = 4;
        r->display_size = 10;
        r->num_prec_radix = 10;
        r->is_unsigned = SQL_TRUE;
    }
    r->nullable = SQL_NO_NULLS;
    r->unnamed = SQL_UNNAMED;
    r->searchable = SQL_PRED_NONE;
    r->updatable = SQL_ATTR_READONLY;
}

/* ODBC 2 applications know dates by their old type codes. */
static SQLSMALLINT app_type(const stmt *s, SQLSMALLINT t)
{
    if (s->dbc && s->dbc->env && s->dbc->env->odbc_version == SQL_OV_ODBC2) {
        switch (t) {
        case SQL_TYPE_DATE: return SQL_DATE;
        case SQL_TYPE_TIME: return SQL_TIME;
        case SQL_TYPE_TIMESTAMP: return SQL_TIMESTAMP;
        default: break;
        }
    }
    return t;
}

static int has_metadata(const stmt *s)
{
    return s->state != ST_ALLOCATED;
}

SQLRETURN odbc_NumResultCols(stmt *s, SQLSMALLINT *count)
{
    if (!has_metadata(s) || s->state == ST_NEED_DATA) {
        diag_post(&s->hdr.diag, "HY010", 0, "Function sequence error: no statement prepared");
        return SQL_ERROR;
    }
    if (count)
        *count = s->ird->count;
    return SQL_SUCCESS;
}

/* Find the IRD record for column col (0 = bookmark, built into *tmp).
 * Posts the diagnostic and returns NULL when there is none. */
static const desc_rec *column_rec(stmt *s, SQLUSMALLINT col, desc_rec *tmp)
{
    diag_list *dg = &s->hdr.diag;
    if (!has_metadata(s) || s->state == ST_NEED_DATA) {
        diag_post(dg, "HY010", 0, "Function sequence error: no statement prepared");
        return NULL;
    }
    if (s->ird->count == 0) {
        diag_post(dg, "07005", 0, "Prepared statement not a cursor-specification");
        return NULL;
    }
    if (col == 0) {
        if (s->use_bookmarks == SQL_UB_OFF) {
            diag_post(dg, "07009", 0, "Invalid descriptor index 0: bookmarks are off");
            return NULL;
        }
        bookmark_rec(s, tmp);
        return tmp;
    }
    if (col > s->ird->count || col >= s->ird->cap) {
        diag_post(dg, "07009", 0, "Invalid descriptor index %u (result has %d columns)",
                  (unsigned)col, s->ird->count);
        return NULL;
    }
    return &s->ird->recs[col];
}

SQLRETURN odbc_DescribeCol(stmt *s, SQLUSMALLINT col, SQLCHAR *name, SQLSMALLINT buflen,
                           SQLSMALLINT *namelen, SQLSMALLINT *type, SQLULEN *size,
                           SQLSMALLINT *digits, SQLSMALLINT *nullable)
{
    desc_rec tmp;
    const desc_rec *r = column_rec(s, col, &tmp);
    if (!r)
        return SQL_ERROR;
    if (buflen < 0) {
        diag_post(&s->hdr.diag, "HY090", 0, "Invalid string or buffer length %d", buflen);
        return SQL_ERROR;
    }
    SQLLEN nl = 0;
    SQLRETURN rc = str_out(&s->hdr, r->name, name, name ? buflen : 0, &nl);
    if (namelen)
        *namelen = (SQLSMALLINT)(nl > 32767 ? 32767 : nl);
    if (type)
        *type = app_type(s, r->concise_type);
    if (size)
        *size = r->length;
    if (digits)
        *digits = r->scale;
    if (nullable)
        *nullable = r->nullable;
    return rc;
}

/* Which string an attribute names, or NULL for numeric ones. */
static int string_field(SQLUSMALLINT f, const desc_rec *r, const char **out)
{
    switch (f) {
    case SQL_DESC_BASE_COLUMN_NAME: *out = r->base_column_name; return 1;
    case SQL_DESC_BASE_TABLE_NAME: *out = r->base_table_name; return 1;
    case SQL_DESC_CATALOG_NAME: *out = r->catalog_name; return 1;
    case SQL_DESC_LABEL: *out = r->label ? r->label : r->name; return 1;
    case SQL_DESC_LITERAL_PREFIX: *out = r->literal_prefix; return 1;
    case SQL_DESC_LITERAL_SUFFIX: *out = r->literal_suffix; return 1;
    case SQL_DESC_LOCAL_TYPE_NAME: *out = r->local_type_name; return 1;
    case SQL_DESC_NAME: case SQL_COLUMN_NAME: *out = r->name; return 1;
    case SQL_DESC_SCHEMA_NAME: *out = r->schema_name; return 1;
    case SQL_DESC_TABLE_NAME: *out = r->table_name; return 1;
    case SQL_DESC_TYPE_NAME: *out = r->type_name; return 1;
    default: return 0;
    }
}

SQLRETURN odbc_ColAttribute(stmt *s, SQLUSMALLINT col, SQLUSMALLINT field, SQLPOINTER str,
                            SQLSMALLINT buflen, SQLSMALLINT *strlen_out, SQLLEN *num)
{
    diag_list *dg = &s->hdr.diag;
    if (field == SQL_DESC_COUNT || field == SQL_COLUMN_COUNT) {
        if (!has_metadata(s) || s->state == ST_NEED_DATA) {
            diag_post(dg, "HY010", 0, "Function sequence error: no statement prepared");
            return SQL_ERROR;
        }
        if (num)
            *num = s->ird->count;
        return SQL_SUCCESS;
    }
    desc_rec tmp;
    const desc_rec *r = column_rec(s, col, &tmp);
    if (!r)
        return SQL_ERROR;
    const char *sv = NULL;
    if (string_field(field, r, &sv)) {
        if (str && buflen < 0) {
            diag_post(dg, "HY090", 0, "Invalid string or buffer length %d", buflen);
            return SQL_ERROR;
        }
        SQLLEN n = 0;
        SQLRETURN rc = str_out(&s->hdr, sv, str, str ? buflen : 0, &n);
        if (strlen_out)
            *strlen_out = (SQLSMALLINT)(n > 32767 ? 32767 : n);
        return rc;
    }
    SQLLEN v;
    switch (field) {
    case SQL_DESC_AUTO_UNIQUE_VALUE: v = r->auto_unique_value; break;
    case SQL_DESC_CASE_SENSITIVE: v = r->case_sensitive; break;
    case SQL_DESC_CONCISE_TYPE: v = app_type(s, r->concise_type); break;
    case SQL_DESC_TYPE: v = r->type; break;
    case SQL_DESC_DATETIME_INTERVAL_CODE: v = r->datetime_interval_code; break;
    case SQL_DESC_DISPLAY_SIZE: v = r->display_size; break;
    case SQL_DESC_FIXED_PREC_SCALE: v = r->fixed_prec_scale; break;
    case SQL_DESC_LENGTH: v = (SQLLEN)r->length; break;
    case SQL_DESC_NULLABLE: case SQL_COLUMN_NULLABLE: v = r->nullable; break;
    case SQL_DESC_NUM_PREC_RADIX: v = r->num_prec_radix; break;
    case SQL_DESC_OCTET_LENGTH: v = r->octet_length; break;
    case SQL_DESC_PRECISION: v = r->precision; break;
    case SQL_DESC_SCALE: case SQL_COLUMN_SCALE: v = r->scale; break;
    case SQL_DESC_SEARCHABLE: v = r->searchable; break;
    case SQL_DESC_UNNAMED: v = r->unnamed; break;
    case SQL_DESC_UNSIGNED: v = r->is_unsigned; break;
    case SQL_DESC_UPDATABLE: v = r->updatable; break;
    /* ODBC 2 meanings: LENGTH is the transfer octet length, PRECISION the
     * column size. */
    case SQL_COLUMN_LENGTH: v = r->octet_length; break;
    case SQL_COLUMN_PRECISION: v = (SQLLEN)r->length; break;
    default:
        diag_post(dg, "HY091", 0, "Invalid descriptor field identifier %u", field);
        return SQL_ERROR;
    }
    if (num)
        *num = v;
    return SQL_SUCCESS;
}
