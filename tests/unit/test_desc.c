/*
 * test_desc.c — descriptor rules (desc.c), SQLBindCol records, column
 * metadata (colinfo.c) and the scrolling fetch engine (fetch.c) over an
 * in-memory cursor, exercised on hand-built stmt/desc structs without a
 * driver manager or a database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "convert.h"
#include "internal.h"

/* ---------- fixtures ----------------------------------------------------- */

static stmt *new_stmt(void)
{
    stmt *s = calloc(1, sizeof *s);
    assert_non_null(s);
    s->hdr.kind = HK_STMT;
    diag_init(&s->hdr.diag);
    desc_init(&s->imp_ard, DESC_ARD, NULL, s, SQL_DESC_ALLOC_AUTO);
    desc_init(&s->imp_apd, DESC_APD, NULL, s, SQL_DESC_ALLOC_AUTO);
    desc_init(&s->imp_ird, DESC_IRD, NULL, s, SQL_DESC_ALLOC_AUTO);
    desc_init(&s->imp_ipd, DESC_IPD, NULL, s, SQL_DESC_ALLOC_AUTO);
    s->ard = &s->imp_ard;
    s->apd = &s->imp_apd;
    s->ird = &s->imp_ird;
    s->ipd = &s->imp_ipd;
    s->cursor_type = SQL_CURSOR_FORWARD_ONLY;
    s->retrieve_data = SQL_RD_ON;
    s->cur.pos = -1;
    return s;
}

static void free_desc(desc *d)
{
    desc_free_recs(d);
    diag_free(&d->hdr.diag);
    pthread_mutex_destroy(&d->hdr.lock);
}

static void free_stmt(stmt *s)
{
    cursor_close(&s->cur);
    free_desc(&s->imp_ard);
    free_desc(&s->imp_apd);
    free_desc(&s->imp_ird);
    free_desc(&s->imp_ipd);
    diag_free(&s->hdr.diag);
    free(s);
}

/* SQLSTATE of the newest diagnostic record, "" if none. */
static const char *last_state(const diag_list *d)
{
    return d->count > 0 ? d->recs[d->count - 1].state : "";
}

#define SET(d, rec, field, val) odbc_SetDescField((d), (rec), (field), (SQLPOINTER)(intptr_t)(val), 0)

static SQLSMALLINT get_small(desc *d, SQLSMALLINT rec, SQLSMALLINT field)
{
    SQLSMALLINT v = -999;
    assert_int_equal(odbc_GetDescField(d, rec, field, &v, sizeof v, NULL), SQL_SUCCESS);
    return v;
}

/* ---------- descriptor tests --------------------------------------------- */

static void test_init_defaults(void **state)
{
    stmt *s = new_stmt();
    SQLULEN asz = 0;
    SQLINTEGER bt = -1;
    assert_int_equal(odbc_GetDescField(s->ard, 0, SQL_DESC_ARRAY_SIZE, &asz, 0, NULL), SQL_SUCCESS);
    assert_int_equal(asz, 1);
    assert_int_equal(odbc_GetDescField(s->ard, 0, SQL_DESC_BIND_TYPE, &bt, 0, NULL), SQL_SUCCESS);
    assert_int_equal(bt, SQL_BIND_BY_COLUMN);
    assert_int_equal(get_small(s->ard, 0, SQL_DESC_COUNT), 0);
    assert_int_equal(get_small(s->ard, 0, SQL_DESC_ALLOC_TYPE), SQL_DESC_ALLOC_AUTO);
    free_stmt(s);
}

static void test_type_consistency(void **state)
{
    stmt *s = new_stmt();
    desc *d = s->ard;
    assert_int_equal(SET(d, 1, SQL_DESC_CONCISE_TYPE, SQL_C_TYPE_DATE), SQL_SUCCESS);
    assert_int_equal(get_small(d, 1, SQL_DESC_TYPE), SQL_DATETIME);
    assert_int_equal(get_small(d, 1, SQL_DESC_DATETIME_INTERVAL_CODE), SQL_CODE_DATE);
    assert_int_equal(get_small(d, 0, SQL_DESC_COUNT), 1);

    assert_int_equal(SET(d, 1, SQL_DESC_DATETIME_INTERVAL_CODE, SQL_CODE_TIMESTAMP), SQL_SUCCESS);
    assert_int_equal(get_small(d, 1, SQL_DESC_CONCISE_TYPE), SQL_C_TYPE_TIMESTAMP);

    assert_int_equal(SET(d, 1, SQL_DESC_TYPE, SQL_C_SLONG), SQL_SUCCESS);
    assert_int_equal(get_small(d, 1, SQL_DESC_CONCISE_TYPE), SQL_C_SLONG);
    assert_int_equal(get_small(d, 1, SQL_DESC_DATETIME_INTERVAL_CODE), 0);

    /* An interval code makes no sense for an integer. */
    assert_int_equal(SET(d, 1, SQL_DESC_DATETIME_INTERVAL_CODE, SQL_CODE_DATE), SQL_ERROR);
    assert_string_equal(last_state(&d->hdr.diag), "HY021");

    assert_int_equal(SET(d, 2, SQL_DESC_CONCISE_TYPE, SQL_C_INTERVAL_DAY_TO_SECOND), SQL_SUCCESS);
    assert_int_equal(get_small(d, 2, SQL_DESC_TYPE), SQL_INTERVAL);
    assert_int_equal(get_small(d, 2, SQL_DESC_DATETIME_INTERVAL_CODE), SQL_CODE_DAY_TO_SECOND);

    /* Setting TYPE resets dependents: char gets LENGTH 1, numeric scale 0. */
    SQLULEN len = 0;
    assert_int_equal(SET(d, 3, SQL_DESC_TYPE, SQL_C_CHAR), SQL_SUCCESS);
    assert_int_equal(odbc_GetDescField(d, 3, SQL_DESC_LENGTH, &len, 0, NULL), SQL_SUCCESS);
    assert_int_equal(len, 1);
    free_stmt(s);
}

static void test_data_ptr_consistency(void **state)
{
    stmt *s = new_stmt();
    desc *d = s->ard;
    char buf[16];
    SQLPOINTER p = NULL;
    assert_int_equal(SET(d, 1, SQL_DESC_CONCISE_TYPE, SQL_C_NUMERIC), SQL_SUCCESS);
    assert_int_equal(SET(d, 1, SQL_DESC_PRECISION, 0), SQL_SUCCESS);
    assert_int_equal(odbc_SetDescField(d, 1, SQL_DESC_DATA_PTR, buf, 0), SQL_ERROR);
    assert_string_equal(last_state(&d->hdr.diag), "HY021");
    assert_int_equal(SET(d, 1, SQL_DESC_PRECISION, 10), SQL_SUCCESS);
    assert_int_equal(SET(d, 1, SQL_DESC_SCALE, 2), SQL_SUCCESS);
    assert_int_equal(odbc_SetDescField(d, 1, SQL_DESC_DATA_PTR, buf, 0), SQL_SUCCESS);
    assert_int_equal(odbc_GetDescField(d, 1, SQL_DESC_DATA_PTR, &p, 0, NULL), SQL_SUCCESS);
    assert_ptr_equal(p, buf);
    /* Changing the record's shape unbinds it... */
    assert_int_equal(SET(d, 1, SQL_DESC_SCALE, 3), SQL_SUCCESS);
    assert_int_equal(odbc_GetDescField(d, 1, SQL_DESC_DATA_PTR, &p, 0, NULL), SQL_SUCCESS);
    assert_null(p);
    /* ...but the deferred pointers do not. */
    SQLLEN ind;
    assert_int_equal(odbc_SetDescField(d, 1, SQL_DESC_DATA_PTR, buf, 0), SQL_SUCCESS);
    assert_int_equal(odbc_SetDescField(d, 1, SQL_DESC_INDICATOR_PTR, &ind, 0), SQL_SUCCESS);
    assert_int_equal(odbc_GetDescField(d, 1, SQL_DESC_DATA_PTR, &p, 0, NULL), SQL_SUCCESS);
    assert_ptr_equal(p, buf);
    /* An unknown C type is inconsistent. */
    assert_int_equal(SET(d, 2, SQL_DESC_CONCISE_TYPE, 12345), SQL_SUCCESS);
    assert_int_equal(odbc_SetDescField(d, 2, SQL_DESC_DATA_PTR, buf, 0), SQL_ERROR);
    assert_string_equal(last_state(&d->hdr.diag), "HY021");
    free_stmt(s);
}

static void test_ird_read_only(void **state)
{
    stmt *s = new_stmt();
    s->state = ST_CURSOR;
    SQLUSMALLINT st[4];
    SQLULEN done;
    assert_int_equal(SET(s->ird, 1, SQL_DESC_TYPE, SQL_INTEGER), SQL_ERROR);
    assert_string_equal(last_state(&s->ird->hdr.diag), "HY016");
    assert_int_equal(SET(s->ird, 0, SQL_DESC_COUNT, 3), SQL_ERROR);
    assert_string_equal(last_state(&s->ird->hdr.diag), "HY016");
    assert_int_equal(odbc_SetDescField(s->ird, 0, SQL_DESC_ARRAY_STATUS_PTR, st, 0), SQL_SUCCESS);
    assert_int_equal(odbc_SetDescField(s->ird, 0, SQL_DESC_ROWS_PROCESSED_PTR, &done, 0), SQL_SUCCESS);
    assert_ptr_equal(s->ird->array_status_ptr, st);
    assert_ptr_equal(s->ird->rows_processed_ptr, &done);
    assert_int_equal(odbc_SetDescRec(s->ird, 1, SQL_INTEGER, 0, 4, 0, 0, NULL, NULL, NULL), SQL_ERROR);
    assert_string_equal(last_state(&s->ird->hdr.diag), "HY016");
    assert_int_equal(odbc_CopyDesc(s->ard, s->ird), SQL_ERROR);
    assert_string_equal(last_state(&s->ird->hdr.diag), "HY016");
    /* An unprepared statement's IRD describes nothing. */
    s->state = ST_ALLOCATED;
    SQLSMALLINT n;
    assert_int_equal(odbc_GetDescField(s->ird, 0, SQL_DESC_COUNT, &n, 0, NULL), SQL_ERROR);
    assert_string_equal(last_state(&s->ird->hdr.diag), "HY007");
    free_stmt(s);
}

static void test_bad_fields_and_indexes(void **state)
{
    stmt *s = new_stmt();
    SQLSMALLINT v;
    assert_int_equal(odbc_GetDescField(s->ard, 1, 9999, &v, 0, NULL), SQL_ERROR);
    assert_string_equal(last_state(&s->ard->hdr.diag), "HY091");
    assert_int_equal(SET(s->ard, 1, 9999, 1), SQL_ERROR);
    assert_string_equal(last_state(&s->ard->hdr.diag), "HY091");
    assert_int_equal(SET(s->ard, 1, SQL_DESC_DISPLAY_SIZE, 5), SQL_ERROR); /* read-only */
    assert_string_equal(last_state(&s->ard->hdr.diag), "HY091");
    assert_int_equal(SET(s->ard, 0, SQL_DESC_ALLOC_TYPE, SQL_DESC_ALLOC_USER), SQL_ERROR);
    assert_string_equal(last_state(&s->ard->hdr.diag), "HY091");
    assert_int_equal(SET(s->ard, -1, SQL_DESC_TYPE, SQL_C_CHAR), SQL_ERROR);
    assert_string_equal(last_state(&s->ard->hdr.diag), "07009");
    assert_int_equal(odbc_GetDescField(s->ard, -1, SQL_DESC_TYPE, &v, 0, NULL), SQL_ERROR);
    assert_string_equal(last_state(&s->ard->hdr.diag), "07009");
    /* Record past COUNT: no data. */
    assert_int_equal(odbc_GetDescField(s->ard, 5, SQL_DESC_TYPE, &v, 0, NULL), SQL_NO_DATA);
    /* Parameters have no bookmark record. */
    assert_int_equal(SET(s->ipd, 0, SQL_DESC_TYPE, SQL_INTEGER), SQL_ERROR);
    assert_string_equal(last_state(&s->ipd->hdr.diag), "07009");
    assert_int_equal(SET(s->ard, 0, SQL_DESC_ARRAY_SIZE, 0), SQL_ERROR);
    assert_string_equal(last_state(&s->ard->hdr.diag), "HY024");
    free_stmt(s);
}

static void test_count_shrinks_and_grows(void **state)
{
    stmt *s = new_stmt();
    desc *d = s->ard;
    SQLINTEGER a, b;
    assert_int_equal(odbc_BindCol(s, 1, SQL_C_SLONG, &a, 0, NULL), SQL_SUCCESS);
    assert_int_equal(odbc_BindCol(s, 4, SQL_C_SLONG, &b, 0, NULL), SQL_SUCCESS);
    assert_int_equal(d->count, 4);
    assert_int_equal(SET(d, 0, SQL_DESC_COUNT, 2), SQL_SUCCESS);
    assert_int_equal(d->count, 2);
    assert_int_equal(SET(d, 0, SQL_DESC_COUNT, 6), SQL_SUCCESS);
    SQLPOINTER p = (SQLPOINTER)1;
    assert_int_equal(odbc_GetDescField(d, 4, SQL_DESC_DATA_PTR, &p, 0, NULL), SQL_SUCCESS);
    assert_null(p); /* record 4 was dropped by the shrink */
    assert_int_equal(get_small(d, 5, SQL_DESC_CONCISE_TYPE), SQL_C_DEFAULT);
    assert_int_equal(odbc_GetDescField(d, 1, SQL_DESC_DATA_PTR, &p, 0, NULL), SQL_SUCCESS);
    assert_ptr_equal(p, &a);
    assert_int_equal(SET(d, 0, SQL_DESC_COUNT, 0), SQL_SUCCESS);
    assert_int_equal(d->count, 0);
    free_stmt(s);
}

static void test_header_round_trip(void **state)
{
    stmt *s = new_stmt();
    desc *d = s->ard;
    SQLUSMALLINT st[3];
    SQLLEN off = 0;
    assert_int_equal(SET(d, 0, SQL_DESC_ARRAY_SIZE, 3), SQL_SUCCESS);
    assert_int_equal(odbc_SetDescField(d, 0, SQL_DESC_ARRAY_STATUS_PTR, st, 0), SQL_SUCCESS);
    assert_int_equal(odbc_SetDescField(d, 0, SQL_DESC_BIND_OFFSET_PTR, &off, 0), SQL_SUCCESS);
    assert_int_equal(SET(d, 0, SQL_DESC_BIND_TYPE, 24), SQL_SUCCESS);
    SQLULEN asz;
    SQLPOINTER p;
    SQLINTEGER bt, len = 0;
    assert_int_equal(odbc_GetDescField(d, 0, SQL_DESC_ARRAY_SIZE, &asz, 0, &len), SQL_SUCCESS);
    assert_int_equal(asz, 3);
    assert_int_equal(len, sizeof(SQLULEN));
    assert_int_equal(odbc_GetDescField(d, 0, SQL_DESC_ARRAY_STATUS_PTR, &p, 0, NULL), SQL_SUCCESS);
    assert_ptr_equal(p, st);
    assert_int_equal(odbc_GetDescField(d, 0, SQL_DESC_BIND_OFFSET_PTR, &p, 0, NULL), SQL_SUCCESS);
    assert_ptr_equal(p, &off);
    assert_int_equal(odbc_GetDescField(d, 0, SQL_DESC_BIND_TYPE, &bt, 0, NULL), SQL_SUCCESS);
    assert_int_equal(bt, 24);
    /* ROWS_PROCESSED_PTR belongs to implementation descriptors. */
    SQLULEN done;
    assert_int_equal(odbc_SetDescField(d, 0, SQL_DESC_ROWS_PROCESSED_PTR, &done, 0), SQL_ERROR);
    assert_int_equal(odbc_SetDescField(s->ipd, 0, SQL_DESC_ROWS_PROCESSED_PTR, &done, 0), SQL_SUCCESS);
    free_stmt(s);
}

static void test_desc_rec_and_copy(void **state)
{
    stmt *s = new_stmt();
    SQLLEN ind, olen;
    char buf[32];
    assert_int_equal(odbc_SetDescRec(s->ard, 2, SQL_C_CHAR, 0, sizeof buf, 0, 0, buf, &olen, &ind),
                     SQL_SUCCESS);
    assert_int_equal(odbc_SetDescRec(s->ard, 1, SQL_DATETIME, SQL_CODE_DATE, 6, 0, 0, buf, NULL, NULL),
                     SQL_SUCCESS);
    assert_int_equal(get_small(s->ard, 1, SQL_DESC_CONCISE_TYPE), SQL_C_TYPE_DATE);
    assert_int_equal(odbc_SetDescRec(s->ard, 3, SQL_DATETIME, 77, 6, 0, 0, buf, NULL, NULL), SQL_ERROR);
    assert_string_equal(last_state(&s->ard->hdr.diag), "HY021");

    SQLSMALLINT type, sub, prec, scale, nullable, namelen;
    SQLLEN length;
    char name[8];
    assert_int_equal(odbc_GetDescRec(s->ard, 2, (SQLCHAR *)name, sizeof name, &namelen, &type, &sub,
                                     &length, &prec, &scale, &nullable), SQL_SUCCESS);
    assert_int_equal(type, SQL_C_CHAR);
    assert_int_equal(length, sizeof buf);
    assert_int_equal(namelen, 0);
    assert_int_equal(odbc_GetDescRec(s->ard, 9, NULL, 0, NULL, &type, NULL, NULL, NULL, NULL, NULL),
                     SQL_NO_DATA);

    /* Copy into an explicit descriptor: records and header travel,
     * ALLOC_TYPE stays. */
    desc user;
    memset(&user, 0, sizeof user);
    desc_init(&user, DESC_ARD, NULL, NULL, SQL_DESC_ALLOC_USER);
    s->ard->array_size = 5;
    assert_int_equal(odbc_CopyDesc(s->ard, &user), SQL_SUCCESS);
    assert_int_equal(user.count, 3);
    assert_int_equal(user.array_size, 5);
    assert_int_equal(user.alloc_type, SQL_DESC_ALLOC_USER);
    SQLPOINTER p;
    assert_int_equal(odbc_GetDescField(&user, 2, SQL_DESC_DATA_PTR, &p, 0, NULL), SQL_SUCCESS);
    assert_ptr_equal(p, buf);
    assert_int_equal(odbc_GetDescField(&user, 2, SQL_DESC_INDICATOR_PTR, &p, 0, NULL), SQL_SUCCESS);
    assert_ptr_equal(p, &ind);
    free_desc(&user);
    free_stmt(s);
}

static void test_ipd_fields(void **state)
{
    stmt *s = new_stmt();
    assert_int_equal(SET(s->ipd, 1, SQL_DESC_PARAMETER_TYPE, 42), SQL_ERROR);
    assert_string_equal(last_state(&s->ipd->hdr.diag), "HY105");
    assert_int_equal(SET(s->ipd, 1, SQL_DESC_PARAMETER_TYPE, SQL_PARAM_OUTPUT), SQL_SUCCESS);
    assert_int_equal(get_small(s->ipd, 1, SQL_DESC_PARAMETER_TYPE), SQL_PARAM_OUTPUT);
    assert_int_equal(odbc_SetDescField(s->ipd, 1, SQL_DESC_NAME, "@p1", SQL_NTS), SQL_SUCCESS);
    assert_int_equal(get_small(s->ipd, 1, SQL_DESC_UNNAMED), SQL_NAMED);
    char name[3];
    SQLINTEGER len = 0;
    assert_int_equal(odbc_GetDescField(s->ipd, 1, SQL_DESC_NAME, name, sizeof name, &len),
                     SQL_SUCCESS_WITH_INFO);
    assert_string_equal(last_state(&s->ipd->hdr.diag), "01004");
    assert_int_equal(len, 3);
    assert_string_equal(name, "@p");
    assert_int_equal(SET(s->ipd, 1, SQL_DESC_UNNAMED, SQL_NAMED), SQL_ERROR);
    /* DATA_PTR is an application-descriptor field. */
    assert_int_equal(odbc_SetDescField(s->ipd, 1, SQL_DESC_DATA_PTR, name, 0), SQL_ERROR);
    free_stmt(s);
}

/* ---------- SQLBindCol ---------------------------------------------------- */

static void test_bindcol_rules(void **state)
{
    stmt *s = new_stmt();
    SQLINTEGER a;
    SQLLEN ind;
    assert_int_equal(odbc_BindCol(s, 1, 999, &a, 0, &ind), SQL_ERROR);
    assert_string_equal(last_state(&s->hdr.diag), "HY003");
    assert_int_equal(odbc_BindCol(s, 1, SQL_C_CHAR, &a, -1, &ind), SQL_ERROR);
    assert_string_equal(last_state(&s->hdr.diag), "HY090");
    assert_int_equal(odbc_BindCol(s, 0, SQL_C_BOOKMARK, &a, 0, &ind), SQL_ERROR);
    assert_string_equal(last_state(&s->hdr.diag), "07009");
    s->use_bookmarks = SQL_UB_ON;
    assert_int_equal(odbc_BindCol(s, 0, SQL_C_BOOKMARK, &a, 0, &ind), SQL_SUCCESS);
    assert_int_equal(odbc_BindCol(s, 3, SQL_C_DEFAULT, &a, 4, &ind), SQL_SUCCESS);
    assert_int_equal(s->ard->count, 3);
    assert_int_equal(s->ard->recs[3].concise_type, SQL_C_DEFAULT);
    assert_int_equal(odbc_BindCol(s, 2, SQL_C_SLONG, &a, 0, NULL), SQL_SUCCESS);
    assert_int_equal(odbc_BindCol(s, 3, SQL_C_SLONG, NULL, 0, NULL), SQL_SUCCESS); /* unbind */
    assert_int_equal(s->ard->count, 2);
    /* A prepared result with 2 columns refuses column 3. */
    s->state = ST_PREPARED;
    assert_non_null(desc_rec_get(s->ird, 2));
    assert_int_equal(odbc_BindCol(s, 3, SQL_C_SLONG, &a, 0, NULL), SQL_ERROR);
    assert_string_equal(last_state(&s->hdr.diag), "07009");
    free_stmt(s);
}

/* ---------- column metadata ---------------------------------------------- */

static void fake_ird(stmt *s)
{
    desc_rec *r = desc_rec_get(s->ird, 1);
    assert_non_null(r);
    r->type = r->concise_type = SQL_BIGINT;
    r->length = 19;
    r->precision = 19;
    r->octet_length = 8;
    r->display_size = 20;
    r->nullable = SQL_NULLABLE;
    r->num_prec_radix = 10;
    r->name = strdup("identifier");
    r->type_name = strdup("INTEGER");
    r->base_table_name = strdup("t");
    r = desc_rec_get(s->ird, 2);
    assert_non_null(r);
    r->concise_type = SQL_TYPE_TIMESTAMP;
    r->type = SQL_DATETIME;
    r->datetime_interval_code = SQL_CODE_TIMESTAMP;
    r->length = 23;
    r->precision = 3;
    r->scale = 3;
    r->name = strdup("ts");
}

static void test_colinfo(void **state)
{
    stmt *s = new_stmt();
    SQLSMALLINT n = -1;
    assert_int_equal(odbc_NumResultCols(s, &n), SQL_ERROR);
    assert_string_equal(last_state(&s->hdr.diag), "HY010");
    s->state = ST_EXECUTED;
    assert_int_equal(odbc_NumResultCols(s, &n), SQL_SUCCESS);
    assert_int_equal(n, 0);
    assert_int_equal(odbc_DescribeCol(s, 1, NULL, 0, NULL, NULL, NULL, NULL, NULL), SQL_ERROR);
    assert_string_equal(last_state(&s->hdr.diag), "07005");

    fake_ird(s);
    s->state = ST_CURSOR;
    assert_int_equal(odbc_NumResultCols(s, &n), SQL_SUCCESS);
    assert_int_equal(n, 2);
    char name[5];
    SQLSMALLINT nl, type, digits, nullable;
    SQLULEN size;
    assert_int_equal(odbc_DescribeCol(s, 1, (SQLCHAR *)name, sizeof name, &nl, &type, &size, &digits,
                                      &nullable), SQL_SUCCESS_WITH_INFO);
    assert_string_equal(last_state(&s->hdr.diag), "01004");
    assert_string_equal(name, "iden");
    assert_int_equal(nl, 10);
    assert_int_equal(type, SQL_BIGINT);
    assert_int_equal(size, 19);
    assert_int_equal(digits, 0);
    assert_int_equal(nullable, SQL_NULLABLE);
    assert_int_equal(odbc_DescribeCol(s, 2, NULL, 0, NULL, &type, &size, &digits, NULL), SQL_SUCCESS);
    assert_int_equal(type, SQL_TYPE_TIMESTAMP);
    assert_int_equal(digits, 3);
    assert_int_equal(odbc_DescribeCol(s, 3, NULL, 0, NULL, &type, NULL, NULL, NULL), SQL_ERROR);
    assert_string_equal(last_state(&s->hdr.diag), "07009");
    assert_int_equal(odbc_DescribeCol(s, 0, NULL, 0, NULL, &type, NULL, NULL, NULL), SQL_ERROR);
    assert_string_equal(last_state(&s->hdr.diag), "07009");

    SQLLEN num = 0;
    char str[32];
    SQLSMALLINT sl = 0;
    assert_int_equal(odbc_ColAttribute(s, 0, SQL_DESC_COUNT, NULL, 0, NULL, &num), SQL_SUCCESS);
    assert_int_equal(num, 2);
    assert_int_equal(odbc_ColAttribute(s, 1, SQL_DESC_DISPLAY_SIZE, NULL, 0, NULL, &num), SQL_SUCCESS);
    assert_int_equal(num, 20);
    assert_int_equal(odbc_ColAttribute(s, 1, SQL_DESC_OCTET_LENGTH, NULL, 0, NULL, &num), SQL_SUCCESS);
    assert_int_equal(num, 8);
    assert_int_equal(odbc_ColAttribute(s, 1, SQL_COLUMN_LENGTH, NULL, 0, NULL, &num), SQL_SUCCESS);
    assert_int_equal(num, 8);
    assert_int_equal(odbc_ColAttribute(s, 1, SQL_COLUMN_PRECISION, NULL, 0, NULL, &num), SQL_SUCCESS);
    assert_int_equal(num, 19);
    assert_int_equal(odbc_ColAttribute(s, 2, SQL_DESC_TYPE, NULL, 0, NULL, &num), SQL_SUCCESS);
    assert_int_equal(num, SQL_DATETIME);
    assert_int_equal(odbc_ColAttribute(s, 2, SQL_DESC_CONCISE_TYPE, NULL, 0, NULL, &num), SQL_SUCCESS);
    assert_int_equal(num, SQL_TYPE_TIMESTAMP);
    assert_int_equal(odbc_ColAttribute(s, 1, SQL_DESC_TYPE_NAME, str, sizeof str, &sl, NULL), SQL_SUCCESS);
    assert_string_equal(str, "INTEGER");
    assert_int_equal(sl, 7);
    assert_int_equal(odbc_ColAttribute(s, 1, SQL_DESC_LABEL, str, sizeof str, &sl, NULL), SQL_SUCCESS);
    assert_string_equal(str, "identifier"); /* label falls back to the name */
    assert_int_equal(odbc_ColAttribute(s, 1, SQL_DESC_BASE_TABLE_NAME, str, sizeof str, &sl, NULL), SQL_SUCCESS);
    assert_string_equal(str, "t");
    assert_int_equal(odbc_ColAttribute(s, 1, SQL_DESC_SCHEMA_NAME, str, sizeof str, &sl, NULL), SQL_SUCCESS);
    assert_string_equal(str, "");
    assert_int_equal(odbc_ColAttribute(s, 1, 4242, NULL, 0, NULL, &num), SQL_ERROR);
    assert_string_equal(last_state(&s->hdr.diag), "HY091");
    assert_int_equal(odbc_ColAttribute(s, 7, SQL_DESC_NAME, str, sizeof str, &sl, NULL), SQL_ERROR);
    assert_string_equal(last_state(&s->hdr.diag), "07009");
    s->use_bookmarks = SQL_UB_VARIABLE;
    assert_int_equal(odbc_ColAttribute(s, 0, SQL_DESC_TYPE, NULL, 0, NULL, &num), SQL_SUCCESS);
    assert_int_equal(num, SQL_BINARY);
    free_stmt(s);
}

/* ---------- scrolling over an in-memory cursor --------------------------- */

/* A static cursor over integers 1..n in one column. */
static void mem_result(stmt *s, int n)
{
    mem_rows m;
    assert_int_equal(mem_rows_init(&m, 1), 0);
    for (int i = 1; i <= n; i++) {
        db_value *row = mem_rows_add(&m);
        assert_non_null(row);
        mem_set_int(&row[0], i);
    }
    cursor_open_mem(&s->cur, &m);
    desc_rec *r = desc_rec_get(s->ird, 1);
    r->type = r->concise_type = SQL_INTEGER;
    s->state = ST_CURSOR;
    s->cursor_type = SQL_CURSOR_STATIC;
}

typedef struct fetch_case {
    SQLSMALLINT orient;
    SQLLEN offset;
    SQLRETURN rc;
    int first;                  /* value of the first row, 0 = none */
    SQLULEN rows;
} fetch_case;

static void test_scroll_positions(void **state)
{
    stmt *s = new_stmt();
    mem_result(s, 10);
    SQLINTEGER vals[3];
    SQLLEN inds[3];
    SQLUSMALLINT st[3];
    SQLULEN done = 99;
    s->ard->array_size = 3;
    s->ird->array_status_ptr = st;
    s->ird->rows_processed_ptr = &done;
    assert_int_equal(odbc_BindCol(s, 1, SQL_C_SLONG, vals, 0, inds), SQL_SUCCESS);
    /* The ODBC reference's cursor-positioning table, rowset size 3, 10 rows. */
    static const fetch_case cases[] = {
        {SQL_FETCH_PRIOR, 0, SQL_NO_DATA, 0, 0},     /* before start stays */
        {SQL_FETCH_NEXT, 0, SQL_SUCCESS, 1, 3},
        {SQL_FETCH_NEXT, 0, SQL_SUCCESS, 4, 3},
        {SQL_FETCH_PRIOR, 0, SQL_SUCCESS, 1, 3},
        {SQL_FETCH_LAST, 0, SQL_SUCCESS, 8, 3},
        {SQL_FETCH_NEXT, 0, SQL_NO_DATA, 0, 0},      /* after end */
        {SQL_FETCH_PRIOR, 0, SQL_SUCCESS, 8, 3},
        {SQL_FETCH_ABSOLUTE, 9, SQL_SUCCESS, 9, 2},  /* partial rowset */
        {SQL_FETCH_ABSOLUTE, -2, SQL_SUCCESS, 9, 2},
        {SQL_FETCH_RELATIVE, -5, SQL_SUCCESS, 4, 3},
        {SQL_FETCH_RELATIVE, -2, SQL_SUCCESS, 2, 3},
        {SQL_FETCH_RELATIVE, -2, SQL_SUCCESS_WITH_INFO, 1, 3}, /* 01S06 */
        {SQL_FETCH_RELATIVE, 0, SQL_SUCCESS, 1, 3},
        {SQL_FETCH_NEXT, 0, SQL_SUCCESS, 4, 3},
        {SQL_FETCH_RELATIVE, -5, SQL_NO_DATA, 0, 0},  /* |offset| > rowset: before start */
        {SQL_FETCH_FIRST, 0, SQL_SUCCESS, 1, 3},
        {SQL_FETCH_RELATIVE, 0, SQL_SUCCESS, 1, 3},
        {SQL_FETCH_ABSOLUTE, 0, SQL_NO_DATA, 0, 0},
        {SQL_FETCH_RELATIVE, 2, SQL_SUCCESS, 2, 3},  /* from before start = absolute */
        {SQL_FETCH_ABSOLUTE, 11, SQL_NO_DATA, 0, 0},
        {SQL_FETCH_RELATIVE, -1, SQL_SUCCESS, 10, 1},
        {SQL_FETCH_FIRST, 0, SQL_SUCCESS, 1, 3},
        {SQL_FETCH_ABSOLUTE, -11, SQL_NO_DATA, 0, 0},
        {SQL_FETCH_NEXT, 0, SQL_SUCCESS, 1, 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const fetch_case *c = &cases[i];
        SQLRETURN rc = odbc_FetchScroll(s, c->orient, c->offset);
        if (rc != c->rc || done != c->rows || (c->first && vals[0] != c->first))
            fail_msg("case %zu: orient %d offset %ld: rc %d (want %d) rows %lu (want %lu) first %d (want %d)",
                     i, c->orient, (long)c->offset, rc, c->rc, (unsigned long)done,
                     (unsigned long)c->rows, vals[0], c->first);
        for (SQLULEN r = 0; c->rows && r < 3; r++)
            assert_int_equal(st[r], r < c->rows ? SQL_ROW_SUCCESS : SQL_ROW_NOROW);
        if (c->first)
            assert_int_equal(vals[c->rows - 1], c->first + (int)c->rows - 1);
    }
    /* SQLSetPos picks a row of the rowset for SQLGetData. */
    SQLINTEGER v = 0;
    SQLLEN ind = 0;
    assert_int_equal(odbc_SetPos(s, 3, SQL_POSITION, SQL_LOCK_NO_CHANGE), SQL_SUCCESS);
    assert_int_equal(odbc_GetData(s, 1, SQL_C_SLONG, &v, 0, &ind), SQL_SUCCESS);
    assert_int_equal(v, 3);
    assert_int_equal(odbc_GetData(s, 1, SQL_C_SLONG, &v, 0, &ind), SQL_NO_DATA);
    assert_int_equal(odbc_SetPos(s, 4, SQL_POSITION, SQL_LOCK_NO_CHANGE), SQL_ERROR);
    assert_string_equal(last_state(&s->hdr.diag), "HY107");
    assert_int_equal(odbc_SetPos(s, 1, SQL_UPDATE, SQL_LOCK_NO_CHANGE), SQL_ERROR);
    assert_string_equal(last_state(&s->hdr.diag), "HYC00");
    /* MAX_ROWS hides the rows past it. */
    s->max_rows = 5;
    assert_int_equal(odbc_FetchScroll(s, SQL_FETCH_LAST, 0), SQL_SUCCESS);
    assert_int_equal(vals[0], 3);
    assert_int_equal(done, 3);
    free_stmt(s);
}

static void test_forward_only_rules(void **state)
{
    stmt *s = new_stmt();
    mem_result(s, 4);
    s->cursor_type = SQL_CURSOR_FORWARD_ONLY;
    assert_int_equal(odbc_FetchScroll(s, SQL_FETCH_PRIOR, 0), SQL_ERROR);
    assert_string_equal(last_state(&s->hdr.diag), "HY106");
    SQLINTEGER v;
    assert_int_equal(odbc_GetData(s, 1, SQL_C_SLONG, &v, 0, NULL), SQL_ERROR);
    assert_string_equal(last_state(&s->hdr.diag), "24000");
    int n = 0;
    while (odbc_Fetch(s) == SQL_SUCCESS)
        n++;
    assert_int_equal(n, 4);
    assert_int_equal(odbc_Fetch(s), SQL_NO_DATA);
    s->state = ST_EXECUTED;
    assert_int_equal(odbc_Fetch(s), SQL_ERROR);
    assert_string_equal(last_state(&s->hdr.diag), "24000");
    free_stmt(s);
}

/* ---------- cursor.c over a real sqlite3_stmt ----------------------------- */

static void test_cursor_sqlite_and_materialize(void **state)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
        "SELECT 1, 2.5, 'a\xc3\xa9', x'0001', NULL, '' UNION ALL "
        "SELECT 2, 3.5, 'b', x'', 7, 'z' UNION ALL SELECT 3, 4.5, 'c', NULL, NULL, NULL",
        -1, &st, NULL), SQLITE_OK);
    cursor c;
    /* execute already stepped the first row */
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    cursor_open_sqlite(&c, st, 1);
    assert_int_equal(c.ncols, 6);
    assert_int_equal(cursor_row_count(&c), -1);
    assert_int_equal(cursor_next(&c), 1);
    db_value v;
    cursor_value(&c, 0, &v);
    assert_int_equal(v.type, SQLITE_INTEGER);
    assert_int_equal(v.i, 1);
    cursor_value(&c, 1, &v);
    assert_int_equal(v.type, SQLITE_FLOAT);
    assert_true(v.d == 2.5);
    cursor_value(&c, 2, &v);
    assert_int_equal(v.type, SQLITE_TEXT);
    assert_int_equal(v.n, 3);
    assert_memory_equal(v.p, "a\xc3\xa9", 3);
    cursor_value(&c, 3, &v);
    assert_int_equal(v.type, SQLITE_BLOB);
    assert_int_equal(v.n, 2);
    cursor_value(&c, 4, &v);
    assert_int_equal(v.type, SQLITE_NULL);
    /* Read the rest into memory: rows 2 and 3 remain, in order. */
    assert_int_equal(cursor_materialize(&c), SQLITE_OK);
    assert_int_equal(c.kind, CUR_MEM);
    assert_int_equal(cursor_row_count(&c), 2);
    assert_int_equal(cursor_next(&c), 1);
    cursor_value(&c, 0, &v);
    assert_int_equal(v.i, 2);
    cursor_value(&c, 3, &v);
    assert_int_equal(v.type, SQLITE_BLOB);    /* empty blob is not NULL */
    assert_int_equal(v.n, 0);
    cursor_value(&c, 5, &v);
    assert_int_equal(v.type, SQLITE_TEXT);
    assert_string_equal((const char *)v.p, "z"); /* owned copies are NUL-terminated */
    assert_int_equal(cursor_seek(&c, 1), 1);
    cursor_value(&c, 2, &v);
    assert_memory_equal(v.p, "c", 1);
    assert_int_equal(cursor_seek(&c, 2), 0);
    assert_int_equal(cursor_next(&c), 0);
    assert_int_equal(cursor_seek(&c, -1), 0);
    assert_int_equal(cursor_next(&c), 1);
    cursor_value(&c, 0, &v);
    assert_int_equal(v.i, 2);
    cursor_close(&c);
    assert_int_equal(c.kind, CUR_NONE);

    /* Streaming to the end, then a full materialize of a fresh run. */
    sqlite3_reset(st);
    cursor_open_sqlite(&c, st, 0);
    int n = 0;
    while (cursor_next(&c) == 1)
        n++;
    assert_int_equal(n, 3);
    assert_int_equal(cursor_next(&c), 0);
    cursor_close(&c);
    cursor_open_sqlite(&c, st, 0);
    assert_int_equal(cursor_materialize(&c), SQLITE_OK);
    assert_int_equal(cursor_row_count(&c), 3);
    cursor_close(&c);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_defaults),
        cmocka_unit_test(test_type_consistency),
        cmocka_unit_test(test_data_ptr_consistency),
        cmocka_unit_test(test_ird_read_only),
        cmocka_unit_test(test_bad_fields_and_indexes),
        cmocka_unit_test(test_count_shrinks_and_grows),
        cmocka_unit_test(test_header_round_trip),
        cmocka_unit_test(test_desc_rec_and_copy),
        cmocka_unit_test(test_ipd_fields),
        cmocka_unit_test(test_bindcol_rules),
        cmocka_unit_test(test_colinfo),
        cmocka_unit_test(test_scroll_positions),
        cmocka_unit_test(test_forward_only_rules),
        cmocka_unit_test(test_cursor_sqlite_and_materialize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
