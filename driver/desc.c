/*
 * desc.c — descriptors: the four per-statement implicit ones (ARD, APD, IRD,
 * IPD, embedded in struct stmt) and explicitly allocated ones, their records,
 * and SQLGetDescField / SQLSetDescField / SQLGetDescRec / SQLSetDescRec /
 * SQLCopyDesc with the consistency rules of the ODBC reference:
 *   - TYPE, CONCISE_TYPE and DATETIME_INTERVAL_CODE always agree; setting one
 *     fixes the others and resets the fields that depend on the type;
 *   - setting any record field but the deferred pointers unbinds the record;
 *   - setting DATA_PTR runs the consistency check (HY021);
 *   - the IRD is written only by the driver (HY016 for applications);
 *   - record 0 is the bookmark column (row descriptors only).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---------- plumbing ---------------------------------------------------- */

static int is_app(const desc *d)
{
    return d->role == DESC_ARD || d->role == DESC_APD;
}

static void rec_defaults(const desc *d, desc_rec *r)
{
    memset(r, 0, sizeof *r);
    if (is_app(d)) {
        r->type = r->concise_type = SQL_C_DEFAULT;
    } else if (d->role == DESC_IPD) {
        r->parameter_type = SQL_PARAM_INPUT;
        r->nullable = SQL_NULLABLE;
        r->unnamed = SQL_UNNAMED;
    }
}

static void rec_free_strings(desc_rec *r)
{
    char **fields[] = {&r->name, &r->label, &r->base_column_name, &r->base_table_name,
                       &r->table_name, &r->schema_name, &r->catalog_name, &r->type_name,
                       &r->local_type_name, &r->literal_prefix, &r->literal_suffix};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        free(*fields[i]);
        *fields[i] = NULL;
    }
}

void desc_init(desc *d, desc_role role, dbc *c, stmt *owner, SQLSMALLINT alloc_type)
{
    /* The handle header is set up once (here, or by handles.c's hdr_init
     * for descriptors it allocates); re-initialising a live one would lose
     * its lock and diagnostics. */
    if (d->hdr.kind != HK_DESC) {
        d->hdr.kind = HK_DESC;
        pthread_mutexattr_t a;
        pthread_mutexattr_init(&a);
        pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
        pthread_mutex_init(&d->hdr.lock, &a);
        pthread_mutexattr_destroy(&a);
        diag_init(&d->hdr.diag);
    }
    memset((char *)d + sizeof d->hdr, 0, sizeof *d - sizeof d->hdr);
    d->role = role;
    d->alloc_type = alloc_type;
    d->dbc = c;
    d->owner = owner;
    d->array_size = 1;
    d->bind_type = SQL_BIND_BY_COLUMN;
}

void desc_free_recs(desc *d)
{
    for (SQLSMALLINT i = 0; i < d->cap; i++)
        rec_free_strings(&d->recs[i]);
    free(d->recs);
    d->recs = NULL;
    d->cap = 0;
    d->count = 0;
}

/* Make room for records 0..n (n < 32767) without changing count. */
static int desc_reserve(desc *d, SQLSMALLINT n)
{
    if (n < d->cap)
        return 1;
    int want = d->cap ? d->cap : 8;
    while (want <= n)
        want *= 2;
    if (want > 32767)
        want = 32767;
    if (want <= n)
        return 0;
    desc_rec *nr = realloc(d->recs, (size_t)want * sizeof *nr);
    if (!nr)
        return 0;
    for (int i = d->cap; i < want; i++)
        rec_defaults(d, &nr[i]);
    d->recs = nr;
    d->cap = (SQLSMALLINT)want;
    return 1;
}

desc_rec *desc_rec_get(desc *d, SQLSMALLINT n)
{
    if (n < 0 || !desc_reserve(d, n))
        return NULL;
    if (n > d->count)
        d->count = n;
    return &d->recs[n];
}

void desc_set_count(desc *d, SQLSMALLINT n)
{
    if (n < 0)
        n = 0;
    if (n < d->count) {
        /* Records above the new count are gone: unbind and forget them. */
        for (SQLSMALLINT i = (SQLSMALLINT)(n + 1); i <= d->count && i < d->cap; i++) {
            rec_free_strings(&d->recs[i]);
            rec_defaults(d, &d->recs[i]);
        }
    } else if (n > d->count && !desc_reserve(d, n)) {
        return;
    }
    d->count = n;
}

/* ---------- type rules -------------------------------------------------- */

int ctype_is_valid(SQLSMALLINT t)
{
    switch (t) {
    case SQL_C_CHAR: case SQL_C_WCHAR: case SQL_C_SHORT: case SQL_C_SSHORT:
    case SQL_C_USHORT: case SQL_C_LONG: case SQL_C_SLONG: case SQL_C_ULONG:
    case SQL_C_FLOAT: case SQL_C_DOUBLE: case SQL_C_BIT: case SQL_C_TINYINT:
    case SQL_C_STINYINT: case SQL_C_UTINYINT: case SQL_C_SBIGINT: case SQL_C_UBIGINT:
    case SQL_C_BINARY: case SQL_C_NUMERIC: case SQL_C_DATE: case SQL_C_TIME:
    case SQL_C_TIMESTAMP: case SQL_C_TYPE_DATE: case SQL_C_TYPE_TIME:
    case SQL_C_TYPE_TIMESTAMP: case SQL_C_GUID: case SQL_C_DEFAULT:
    case SQL_C_INTERVAL_YEAR: case SQL_C_INTERVAL_MONTH: case SQL_C_INTERVAL_DAY:
    case SQL_C_INTERVAL_HOUR: case SQL_C_INTERVAL_MINUTE: case SQL_C_INTERVAL_SECOND:
    case SQL_C_INTERVAL_YEAR_TO_MONTH: case SQL_C_INTERVAL_DAY_TO_HOUR:
    case SQL_C_INTERVAL_DAY_TO_MINUTE: case SQL_C_INTERVAL_DAY_TO_SECOND:
    case SQL_C_INTERVAL_HOUR_TO_MINUTE: case SQL_C_INTERVAL_HOUR_TO_SECOND:
    case SQL_C_INTERVAL_MINUTE_TO_SECOND:
        return 1;
    default:
        return 0;
    }
}

/* Verbose type and datetime/interval subcode for a concise type. */
static void split_concise(SQLSMALLINT concise, SQLSMALLINT *type, SQLSMALLINT *code)
{
    switch (concise) {
    case SQL_TYPE_DATE: case SQL_DATE:
        *type = SQL_DATETIME; *code = SQL_CODE_DATE; return;
    case SQL_TYPE_TIME: case SQL_TIME:
        *type = SQL_DATETIME; *code = SQL_CODE_TIME; return;
    case SQL_TYPE_TIMESTAMP: case SQL_TIMESTAMP:
        *type = SQL_DATETIME; *code = SQL_CODE_TIMESTAMP; return;
    default:
        if (concise >= SQL_INTERVAL_YEAR && concise <= SQL_INTERVAL_MINUTE_TO_SECOND) {
            *type = SQL_INTERVAL;
            *code = (SQLSMALLINT)(concise - 100);
            return;
        }
        *type = concise;
        *code = 0;
    }
}

/* Reset the fields that depend on the type, per SQLSetDescField's table. */
static void reset_type_dependents(desc_rec *r)
{
    switch (r->type) {
    case SQL_CHAR: case SQL_VARCHAR: case SQL_WCHAR: case SQL_WVARCHAR:
    case SQL_LONGVARCHAR: case SQL_WLONGVARCHAR: case SQL_BINARY: case SQL_VARBINARY:
    case SQL_LONGVARBINARY:
        r->length = 1;
        r->precision = 0;
        break;
    case SQL_DATETIME:
    case SQL_INTERVAL:
        r->precision = (r->datetime_interval_code == SQL_CODE_TIMESTAMP ||
                        r->datetime_interval_code == SQL_CODE_SECOND)
                           ? 6 : 0;
        r->datetime_interval_precision = 2;
        break;
    case SQL_DECIMAL: case SQL_NUMERIC:
        r->scale = 0;
        r->precision = 38;
        break;
    case SQL_FLOAT: case SQL_DOUBLE:
        r->precision = 53;
        break;
    case SQL_REAL:
        r->precision = 24;
        break;
    default:
        break;
    }
}

static void set_concise(desc_rec *r, SQLSMALLINT concise)
{
    r->concise_type = concise;
    split_concise(concise, &r->type, &r->datetime_interval_code);
    reset_type_dependents(r);
}

void desc_rec_set_concise(desc_rec *r, SQLSMALLINT concise)
{
    set_concise(r, concise);
}

/* SQL_DESC_TYPE: for DATETIME/INTERVAL the concise type follows the code. */
static void set_verbose(desc_rec *r, SQLSMALLINT type)
{
    r->type = type;
    if (type == SQL_DATETIME)
        r->concise_type = r->datetime_interval_code
                              ? (SQLSMALLINT)(90 + r->datetime_interval_code) : type;
    else if (type == SQL_INTERVAL)
        r->concise_type = r->datetime_interval_code
                              ? (SQLSMALLINT)(100 + r->datetime_interval_code) : type;
    else {
        r->concise_type = type;
        r->datetime_interval_code = 0;
    }
    reset_type_dependents(r);
}

static int set_code(desc_rec *r, SQLSMALLINT code)
{
    if (r->type == SQL_DATETIME) {
        if (code < SQL_CODE_DATE || code > SQL_CODE_TIMESTAMP)
            return 0;
        r->datetime_interval_code = code;
        r->concise_type = (SQLSMALLINT)(90 + code);
    } else if (r->type == SQL_INTERVAL) {
        if (code < SQL_CODE_YEAR || code > SQL_CODE_MINUTE_TO_SECOND)
            return 0;
        r->datetime_interval_code = code;
        r->concise_type = (SQLSMALLINT)(100 + code);
    } else {
        return 0;
    }
    return 1;
}

/* The consistency check the reference runs when DATA_PTR is set (and on
 * SQLSetDescRec / SQLBindParameter): is this record usable as it stands? */
static int rec_consistent(const desc *d, const desc_rec *r)
{
    if (is_app(d)) {
        if (!ctype_is_valid(r->concise_type) && r->concise_type != SQL_DATETIME &&
            r->concise_type != SQL_INTERVAL)
            return 0;
        if (r->type == SQL_DATETIME &&
            (r->datetime_interval_code < SQL_CODE_DATE ||
             r->datetime_interval_code > SQL_CODE_TIMESTAMP))
            return 0;
        if (r->type == SQL_INTERVAL &&
            (r->datetime_interval_code < SQL_CODE_YEAR ||
             r->datetime_interval_code > SQL_CODE_MINUTE_TO_SECOND))
            return 0;
    }
    if (r->concise_type == SQL_C_NUMERIC || r->concise_type == SQL_DECIMAL) {
        if (r->precision < 1 || r->precision > 38 || r->scale < 0 ||
            r->scale > r->precision)
            return 0;
    }
    return 1;
}

/* Field value kinds, for reading and writing through the void* API. */
enum fkind { F_SMALL, F_INT, F_LEN, F_ULEN, F_PTR, F_STR, F_BAD };

static enum fkind field_kind(SQLSMALLINT f)
{
    switch (f) {
    case SQL_DESC_ALLOC_TYPE: case SQL_DESC_COUNT: case SQL_DESC_CONCISE_TYPE:
    case SQL_DESC_DATETIME_INTERVAL_CODE: case SQL_DESC_FIXED_PREC_SCALE:
    case SQL_DESC_NULLABLE: case SQL_DESC_PARAMETER_TYPE: case SQL_DESC_PRECISION:
    case SQL_DESC_ROWVER: case SQL_DESC_SCALE: case SQL_DESC_SEARCHABLE:
    case SQL_DESC_TYPE: case SQL_DESC_UNNAMED: case SQL_DESC_UNSIGNED:
    case SQL_DESC_UPDATABLE:
        return F_SMALL;
    case SQL_DESC_BIND_TYPE: case SQL_DESC_AUTO_UNIQUE_VALUE:
    case SQL_DESC_CASE_SENSITIVE: case SQL_DESC_DATETIME_INTERVAL_PRECISION:
    case SQL_DESC_NUM_PREC_RADIX:
        return F_INT;
    case SQL_DESC_DISPLAY_SIZE: case SQL_DESC_OCTET_LENGTH:
        return F_LEN;
    case SQL_DESC_ARRAY_SIZE: case SQL_DESC_LENGTH:
        return F_ULEN;
    case SQL_DESC_ARRAY_STATUS_PTR: case SQL_DESC_BIND_OFFSET_PTR:
    case SQL_DESC_ROWS_PROCESSED_PTR: case SQL_DESC_DATA_PTR:
    case SQL_DESC_INDICATOR_PTR: case SQL_DESC_OCTET_LENGTH_PTR:
        return F_PTR;
    case SQL_DESC_BASE_COLUMN_NAME: case SQL_DESC_BASE_TABLE_NAME:
    case SQL_DESC_CATALOG_NAME: case SQL_DESC_LABEL: case SQL_DESC_LITERAL_PREFIX:
    case SQL_DESC_LITERAL_SUFFIX: case SQL_DESC_LOCAL_TYPE_NAME: case SQL_DESC_NAME:
    case SQL_DESC_SCHEMA_NAME: case SQL_DESC_TABLE_NAME: case SQL_DESC_TYPE_NAME:
        return F_STR;
    default:
        return F_BAD;
    }
}

static int is_header_field(SQLSMALLINT f)
{
    switch (f) {
    case SQL_DESC_ALLOC_TYPE: case SQL_DESC_ARRAY_SIZE: case SQL_DESC_ARRAY_STATUS_PTR:
    case SQL_DESC_BIND_OFFSET_PTR: case SQL_DESC_BIND_TYPE: case SQL_DESC_COUNT:
    case SQL_DESC_ROWS_PROCESSED_PTR:
        return 1;
    default:
        return 0;
    }
}

/* An IRD describes nothing until its statement is prepared or executed. */
static int ird_unready(const desc *d)
{
    return d->role == DESC_IRD && d->owner && d->owner->state == ST_ALLOCATED;
}

static const char *rec_string(const desc_rec *r, SQLSMALLINT f)
{
    switch (f) {
    case SQL_DESC_BASE_COLUMN_NAME: return r->base_column_name;
    case SQL_DESC_BASE_TABLE_NAME: return r->base_table_name;
    case SQL_DESC_CATALOG_NAME: return r->catalog_name;
    case SQL_DESC_LABEL: return r->label ? r->label : r->name;
    case SQL_DESC_LITERAL_PREFIX: return r->literal_prefix;
    case SQL_DESC_LITERAL_SUFFIX: return r->literal_suffix;
    case SQL_DESC_LOCAL_TYPE_NAME: return r->local_type_name;
    case SQL_DESC_NAME: return r->name;
    case SQL_DESC_SCHEMA_NAME: return r->schema_name;
    case SQL_DESC_TABLE_NAME: return r->table_name;
    case SQL_DESC_TYPE_NAME: return r->type_name;
    default: return NULL;
    }
}

/* ---------- SQLGetDescField ---------------------------------------------- */

SQLRETURN odbc_GetDescField(desc *d, SQLSMALLINT recno, SQLSMALLINT field, SQLPOINTER val,
                            SQLINTEGER buflen, SQLINTEGER *len)
{
    enum fkind k = field_kind(field);
    if (k == F_BAD) {
        diag_post(&d->hdr.diag, "HY091", 0, "Invalid descriptor field identifier %d", field);
        return SQL_ERROR;
    }
    if (ird_unready(d)) {
        diag_post(&d->hdr.diag, "HY007", 0, "Associated statement is not prepared");
        return SQL_ERROR;
    }
    SQLLEN n = 0;
    SQLULEN un = 0;
    SQLPOINTER p = NULL;
    if (is_header_field(field)) {
        switch (field) {
        case SQL_DESC_ALLOC_TYPE: n = d->alloc_type; break;
        case SQL_DESC_ARRAY_SIZE: un = d->array_size; break;
        case SQL_DESC_ARRAY_STATUS_PTR: p = d->array_status_ptr; break;
        case SQL_DESC_BIND_OFFSET_PTR: p = d->bind_offset_ptr; break;
        case SQL_DESC_BIND_TYPE: n = d->bind_type; break;
        case SQL_DESC_COUNT: n = d->count; break;
        case SQL_DESC_ROWS_PROCESSED_PTR: p = d->rows_processed_ptr; break;
        }
    } else {
        if (recno < 0 || (recno == 0 && (d->role == DESC_IPD || d->role == DESC_APD))) {
            diag_post(&d->hdr.diag, "07009", 0, "Invalid descriptor index %d", recno);
            return SQL_ERROR;
        }
        if (recno > d->count || recno >= d->cap)
            return SQL_NO_DATA;
        const desc_rec *r = &d->recs[recno];
        if (k == F_STR) {
            SQLLEN out = 0;
            SQLRETURN rc = str_out(&d->hdr, rec_string(r, field), val,
                                   val ? buflen : 0, &out);
            if (len)
                *len = (SQLINTEGER)out;
            return rc;
        }
        switch (field) {
        case SQL_DESC_AUTO_UNIQUE_VALUE: n = r->auto_unique_value; break;
        case SQL_DESC_CASE_SENSITIVE: n = r->case_sensitive; break;
        case SQL_DESC_CONCISE_TYPE: n = r->concise_type; break;
        case SQL_DESC_DATA_PTR: p = r->data_ptr; break;
        case SQL_DESC_DATETIME_INTERVAL_CODE: n = r->datetime_interval_code; break;
        case SQL_DESC_DATETIME_INTERVAL_PRECISION: n = r->datetime_interval_precision; break;
        case SQL_DESC_DISPLAY_SIZE: n = r->display_size; break;
        case SQL_DESC_FIXED_PREC_SCALE: n = r->fixed_prec_scale; break;
        case SQL_DESC_INDICATOR_PTR: p = r->indicator_ptr; break;
        case SQL_DESC_LENGTH: un = r->length; break;
        case SQL_DESC_NULLABLE: n = r->nullable; break;
        case SQL_DESC_NUM_PREC_RADIX: n = r->num_prec_radix; break;
        case SQL_DESC_OCTET_LENGTH: n = r->octet_length; break;
        case SQL_DESC_OCTET_LENGTH_PTR: p = r->octet_length_ptr; break;
        case SQL_DESC_PARAMETER_TYPE: n = r->parameter_type; break;
        case SQL_DESC_PRECISION: n = r->precision; break;
        case SQL_DESC_ROWVER: n = r->rowver; break;
        case SQL_DESC_SCALE: n = r->scale; break;
        case SQL_DESC_SEARCHABLE: n = r->searchable; break;
        case SQL_DESC_TYPE: n = r->type; break;
        case SQL_DESC_UNNAMED: n = r->unnamed; break;
        case SQL_DESC_UNSIGNED: n = r->is_unsigned; break;
        case SQL_DESC_UPDATABLE: n = r->updatable; break;
        }
    }
    if (!val)
        return SQL_SUCCESS;
    switch (k) {
    case F_SMALL: *(SQLSMALLINT *)val = (SQLSMALLINT)n; if (len) *len = sizeof(SQLSMALLINT); break;
    case F_INT: *(SQLINTEGER *)val = (SQLINTEGER)n; if (len) *len = sizeof(SQLINTEGER); break;
    case F_LEN: *(SQLLEN *)val = n; if (len) *len = sizeof(SQLLEN); break;
    case F_ULEN: *(SQLULEN *)val = un; if (len) *len = sizeof(SQLULEN); break;
    case F_PTR: *(SQLPOINTER *)val = p; if (len) *len = sizeof(SQLPOINTER); break;
    default: break;
    }
    return SQL_SUCCESS;
}

/* ---------- SQLSetDescField ---------------------------------------------- */

static int settable(const desc *d, SQLSMALLINT f)
{
    int app = is_app(d), ipd = d->role == DESC_IPD, ird = d->role == DESC_IRD;
    switch (f) {
    case SQL_DESC_ARRAY_SIZE: case SQL_DESC_BIND_OFFSET_PTR: case SQL_DESC_BIND_TYPE:
    case SQL_DESC_DATA_PTR: case SQL_DESC_INDICATOR_PTR: case SQL_DESC_OCTET_LENGTH_PTR:
        return app;
    case SQL_DESC_ARRAY_STATUS_PTR:
        return 1;
    case SQL_DESC_ROWS_PROCESSED_PTR:
        return ipd || ird;
    case SQL_DESC_COUNT: case SQL_DESC_CONCISE_TYPE: case SQL_DESC_DATETIME_INTERVAL_CODE:
    case SQL_DESC_DATETIME_INTERVAL_PRECISION: case SQL_DESC_LENGTH:
    case SQL_DESC_NUM_PREC_RADIX: case SQL_DESC_OCTET_LENGTH: case SQL_DESC_PRECISION:
    case SQL_DESC_SCALE: case SQL_DESC_TYPE:
        return app || ipd;
    case SQL_DESC_NAME: case SQL_DESC_PARAMETER_TYPE: case SQL_DESC_UNNAMED:
        return ipd;
    default:
        return 0;
    }
}

static SQLLEN int_arg(SQLPOINTER v)
{
    return (SQLLEN)(intptr_t)v;
}

SQLRETURN odbc_SetDescField(desc *d, SQLSMALLINT recno, SQLSMALLINT field, SQLPOINTER val,
                            SQLINTEGER len)
{
    diag_list *dg = &d->hdr.diag;
    if (field_kind(field) == F_BAD) {
        diag_post(dg, "HY091", 0, "Invalid descriptor field identifier %d", field);
        return SQL_ERROR;
    }
    if (d->role == DESC_IRD && field != SQL_DESC_ARRAY_STATUS_PTR &&
        field != SQL_DESC_ROWS_PROCESSED_PTR) {
        diag_post(dg, "HY016", 0, "Cannot modify an implementation row descriptor");
        return SQL_ERROR;
    }
    if (!settable(d, field)) {
        diag_post(dg, "HY091", 0, "Descriptor field %d is read-only for this descriptor",
                  field);
        return SQL_ERROR;
    }
    if (is_header_field(field)) {
        switch (field) {
        case SQL_DESC_ARRAY_SIZE:
            if ((SQLULEN)(uintptr_t)val == 0) {
                diag_post(dg, "HY024", 0, "Invalid attribute value: array size 0");
                return SQL_ERROR;
            }
            d->array_size = (SQLULEN)(uintptr_t)val;
            break;
        case SQL_DESC_ARRAY_STATUS_PTR: d->array_status_ptr = val; break;
        case SQL_DESC_BIND_OFFSET_PTR: d->bind_offset_ptr = val; break;
        case SQL_DESC_BIND_TYPE: d->bind_type = (SQLINTEGER)int_arg(val); break;
        case SQL_DESC_ROWS_PROCESSED_PTR: d->rows_processed_ptr = val; break;
        case SQL_DESC_COUNT: {
            SQLLEN n = int_arg(val);
            if (n < 0 || n > 32766) {
                diag_post(dg, "07009", 0, "Invalid descriptor index %ld", (long)n);
                return SQL_ERROR;
            }
            SQLSMALLINT before = d->count;
            desc_set_count(d, (SQLSMALLINT)n);
            if (n > before && d->count != n) {
                diag_post(dg, "HY001", 0, "Memory allocation error");
                return SQL_ERROR;
            }
            break;
        }
        }
        return SQL_SUCCESS;
    }

    if (recno < 0 || (recno == 0 && (d->role == DESC_IPD || d->role == DESC_APD))) {
        diag_post(dg, "07009", 0, "Invalid descriptor index %d", recno);
        return SQL_ERROR;
    }
    desc_rec *r = desc_rec_get(d, recno);
    if (!r) {
        diag_post(dg, "HY001", 0, "Memory allocation error");
        return SQL_ERROR;
    }
    int deferred = field == SQL_DESC_DATA_PTR || field == SQL_DESC_INDICATOR_PTR ||
                   field == SQL_DESC_OCTET_LENGTH_PTR;
    switch (field) {
    case SQL_DESC_TYPE: set_verbose(r, (SQLSMALLINT)int_arg(val)); break;
    case SQL_DESC_CONCISE_TYPE: set_concise(r, (SQLSMALLINT)int_arg(val)); break;
    case SQL_DESC_DATETIME_INTERVAL_CODE:
        if (!set_code(r, (SQLSMALLINT)int_arg(val))) {
            diag_post(dg, "HY021", 0, "Inconsistent descriptor information: interval code %d",
                      (int)int_arg(val));
            return SQL_ERROR;
        }
        break;
    case SQL_DESC_DATETIME_INTERVAL_PRECISION:
        r->datetime_interval_precision = (SQLINTEGER)int_arg(val);
        break;
    case SQL_DESC_LENGTH: r->length = (SQLULEN)(uintptr_t)val; break;
    case SQL_DESC_NUM_PREC_RADIX: r->num_prec_radix = (SQLINTEGER)int_arg(val); break;
    case SQL_DESC_OCTET_LENGTH: r->octet_length = int_arg(val); break;
    case SQL_DESC_PRECISION: r->precision = (SQLSMALLINT)int_arg(val); break;
    case SQL_DESC_SCALE: r->scale = (SQLSMALLINT)int_arg(val); break;
    case SQL_DESC_PARAMETER_TYPE: {
        SQLSMALLINT pt = (SQLSMALLINT)int_arg(val);
        if (pt != SQL_PARAM_INPUT && pt != SQL_PARAM_OUTPUT && pt != SQL_PARAM_INPUT_OUTPUT) {
            diag_post(dg, "HY105", 0, "Invalid parameter type %d", pt);
            return SQL_ERROR;
        }
        r->parameter_type = pt;
        break;
    }
    case SQL_DESC_UNNAMED:
        if (int_arg(val) != SQL_UNNAMED) {
            diag_post(dg, "HY091", 0, "SQL_DESC_UNNAMED can only be set to SQL_UNNAMED");
            return SQL_ERROR;
        }
        r->unnamed = SQL_UNNAMED;
        break;
    case SQL_DESC_NAME: {
        char *copy = str_dup_in(val, len);
        if (val && !copy) {
            diag_post(dg, "HY090", 0, "Invalid string or buffer length");
            return SQL_ERROR;
        }
        free(r->name);
        r->name = copy;
        r->unnamed = copy && *copy ? SQL_NAMED : SQL_UNNAMED;
        break;
    }
    case SQL_DESC_INDICATOR_PTR: r->indicator_ptr = val; break;
    case SQL_DESC_OCTET_LENGTH_PTR: r->octet_length_ptr = val; break;
    case SQL_DESC_DATA_PTR:
        r->data_ptr = val;
        if (val && !rec_consistent(d, r)) {
            r->data_ptr = NULL;
            diag_post(dg, "HY021", 0, "Inconsistent descriptor information for record %d",
                      recno);
            return SQL_ERROR;
        }
        break;
    }
    /* Changing a record's shape unbinds it: the old buffer no longer fits. */
    if (!deferred && is_app(d))
        r->data_ptr = NULL;
    return SQL_SUCCESS;
}

/* ---------- SQLGetDescRec / SQLSetDescRec --------------------------------- */

SQLRETURN odbc_GetDescRec(desc *d, SQLSMALLINT recno, SQLCHAR *name, SQLSMALLINT buflen,
                          SQLSMALLINT *namelen, SQLSMALLINT *type, SQLSMALLINT *subtype,
                          SQLLEN *length, SQLSMALLINT *precision, SQLSMALLINT *scale,
                          SQLSMALLINT *nullable)
{
    if (ird_unready(d)) {
        diag_post(&d->hdr.diag, "HY007", 0, "Associated statement is not prepared");
        return SQL_ERROR;
    }
    if (recno < 0 || (recno == 0 && (d->role == DESC_IPD || d->role == DESC_APD))) {
        diag_post(&d->hdr.diag, "07009", 0, "Invalid descriptor index %d", recno);
        return SQL_ERROR;
    }
    if (recno > d->count || recno >= d->cap)
        return SQL_NO_DATA;
    const desc_rec *r = &d->recs[recno];
    SQLLEN nl = 0;
    SQLRETURN rc = str_out(&d->hdr, r->name, name, name ? buflen : 0, &nl);
    if (namelen)
        *namelen = (SQLSMALLINT)nl;
    if (type) *type = r->type;
    if (subtype) *subtype = r->datetime_interval_code;
    if (length) *length = r->octet_length;
    if (precision) *precision = r->precision;
    if (scale) *scale = r->scale;
    if (nullable) *nullable = r->nullable;
    return rc;
}

SQLRETURN odbc_SetDescRec(desc *d, SQLSMALLINT recno, SQLSMALLINT type, SQLSMALLINT subtype,
                          SQLLEN length, SQLSMALLINT precision, SQLSMALLINT scale,
                          SQLPOINTER data, SQLLEN *strlen_ptr, SQLLEN *ind)
{
    diag_list *dg = &d->hdr.diag;
    if (d->role == DESC_IRD) {
        diag_post(dg, "HY016", 0, "Cannot modify an implementation row descriptor");
        return SQL_ERROR;
    }
    if (recno < 0 || (recno == 0 && (d->role == DESC_IPD || d->role == DESC_APD))) {
        diag_post(dg, "07009", 0, "Invalid descriptor index %d", recno);
        return SQL_ERROR;
    }
    desc_rec *r = desc_rec_get(d, recno);
    if (!r) {
        diag_post(dg, "HY001", 0, "Memory allocation error");
        return SQL_ERROR;
    }
    set_verbose(r, type);
    if (type == SQL_DATETIME || type == SQL_INTERVAL) {
        if (!set_code(r, subtype)) {
            diag_post(dg, "HY021", 0, "Inconsistent descriptor information: subtype %d",
                      subtype);
            return SQL_ERROR;
        }
    }
    r->octet_length = length;
    r->precision = precision;
    r->scale = scale;
    if (type == SQL_C_NUMERIC || type == SQL_DECIMAL || type == SQL_NUMERIC ||
        type == SQL_CHAR || type == SQL_VARCHAR || type == SQL_BINARY)
        r->length = (SQLULEN)(length > 0 ? length : 0);
    if (is_app(d)) {
        r->octet_length_ptr = strlen_ptr;
        r->indicator_ptr = ind;
        r->data_ptr = data;
    }
    if (!rec_consistent(d, r)) {
        r->data_ptr = NULL;
        diag_post(dg, "HY021", 0, "Inconsistent descriptor information for record %d", recno);
        return SQL_ERROR;
    }
    return SQL_SUCCESS;
}

/* ---------- SQLCopyDesc ---------------------------------------------------- */

static char *dup_or_null(const char *s, int *oom)
{
    if (!s)
        return NULL;
    char *c = strdup(s);
    if (!c)
        *oom = 1;
    return c;
}

SQLRETURN odbc_CopyDesc(desc *src, desc *dst)
{
    if (dst->role == DESC_IRD) {
        diag_post(&dst->hdr.diag, "HY016", 0, "Cannot modify an implementation row descriptor");
        return SQL_ERROR;
    }
    if (ird_unready(src)) {
        diag_post(&dst->hdr.diag, "HY007", 0, "Associated statement is not prepared");
        return SQL_ERROR;
    }
    if (src == dst)
        return SQL_SUCCESS;
    desc_rec *recs = NULL;
    SQLSMALLINT n = src->count;
    int oom = 0;
    if (src->cap > 0) {
        SQLSMALLINT want = src->cap;
        recs = calloc((size_t)want, sizeof *recs);
        if (!recs) {
            diag_post(&dst->hdr.diag, "HY001", 0, "Memory allocation error");
            return SQL_ERROR;
        }
        for (SQLSMALLINT i = 0; i < want; i++) {
            desc_rec *r = &recs[i];
            *r = src->recs[i];
            r->name = dup_or_null(src->recs[i].name, &oom);
            r->label = dup_or_null(src->recs[i].label, &oom);
            r->base_column_name = dup_or_null(src->recs[i].base_column_name, &oom);
            r->base_table_name = dup_or_null(src->recs[i].base_table_name, &oom);
            r->table_name = dup_or_null(src->recs[i].table_name, &oom);
            r->schema_name = dup_or_null(src->recs[i].schema_name, &oom);
            r->catalog_name = dup_or_null(src->recs[i].catalog_name, &oom);
            r->type_name = dup_or_null(src->recs[i].type_name, &oom);
            r->local_type_name = dup_or_null(src->recs[i].local_type_name, &oom);
            r->literal_prefix = dup_or_null(src->recs[i].literal_prefix, &oom);
            r->literal_suffix = dup_or_null(src->recs[i].literal_suffix, &oom);
        }
        if (oom) {
            for (SQLSMALLINT i = 0; i < want; i++)
                rec_free_strings(&recs[i]);
            free(recs);
            diag_post(&dst->hdr.diag, "HY001", 0, "Memory allocation error");
            return SQL_ERROR;
        }
    }
    desc_free_recs(dst);
    dst->recs = recs;
    dst->cap = src->cap;
    dst->count = n;
    /* Header fields travel too, except ALLOC_TYPE (a property of the handle). */
    dst->array_size = src->array_size;
    dst->array_status_ptr = src->array_status_ptr;
    dst->bind_offset_ptr = src->bind_offset_ptr;
    dst->bind_type = src->bind_type;
    dst->rows_processed_ptr = src->rows_processed_ptr;
    return SQL_SUCCESS;
}
