/*
 * hrana.h — SQL over HTTP to the primary (Hrana /v2/pipeline, JSON via
 * cJSON): building execute/batch requests with typed arguments and
 * conditions, and reading results and errors back (PROTOCOL.md section 1).
 * Server error codes (sqld's SQLITE_CONSTRAINT_UNIQUE ..., tursodb's
 * PREPARE_ERROR / BATCH_STEP_ERROR with "(19)" in the message) are mapped
 * to lsq_status here, in one place.
 */
#ifndef LSQ_HRANA_H
#define LSQ_HRANA_H

#include "lsq.h"
#include "remote.h"

/* A typed SQL value (type = SQLITE_INTEGER/FLOAT/TEXT/BLOB/NULL). For
 * arguments p points to caller memory; in results it is owned by the result. */
typedef struct lsq_value {
    int type;
    int64_t i;
    double d;
    const void *p;   /* TEXT (UTF-8, not NUL-terminated) or BLOB */
    size_t n;
} lsq_value;

typedef enum lsq_cond_kind {
    LSQ_COND_NONE = 0,   /* always run */
    LSQ_COND_OK,         /* step `step` succeeded */
    LSQ_COND_ERROR,      /* step `step` failed */
    LSQ_COND_NOT_OK      /* step `step` did not succeed */
} lsq_cond_kind;

/* One step of a batch. */
typedef struct lsq_hrana_step {
    const char *sql;
    const lsq_value *args;
    size_t nargs;
    int want_rows;
    lsq_cond_kind cond;
    int cond_step;       /* 0-based index of an earlier step */
} lsq_hrana_step;

/* Result of one step: columns, rows, counts, or an error. */
typedef struct lsq_hrana_result {
    int ok;                      /* 0 = the step failed or was skipped */
    int skipped;                 /* condition false: step not run */
    lsq_error error;             /* when !ok && !skipped */
    int ncols;
    char **col_names, **col_decltypes;  /* ncols each, decltype may be NULL */
    size_t nrows;
    lsq_value *rows;             /* nrows * ncols */
    int64_t affected_row_count;  /* as the server reported it (may be 0 wrongly) */
    int has_last_insert_rowid;
    int64_t last_insert_rowid;
} lsq_hrana_result;

typedef struct lsq_hrana_batch_result {
    size_t nsteps;
    lsq_hrana_result *steps;
} lsq_hrana_batch_result;

/* Send one batch (one HTTP round trip) on the replica's SQL connection
 * (lsq_replica_pipeline serialises it). Transport/HTTP failures return a
 * non-OK status; per-step SQL errors are in out->steps[i].error.
 * `sent` (may be NULL) is set to 0 only when the request provably did not
 * reach the primary (connection refused, DNS failure) — the only case in
 * which a caller may retry a write. */
struct lsq_replica;
lsq_status lsq_hrana_batch(struct lsq_replica *r, const lsq_hrana_step *steps, size_t nsteps,
                           long timeout_ms, lsq_hrana_batch_result *out, int *sent,
                           lsq_error *err);
void lsq_hrana_batch_result_free(lsq_hrana_batch_result *res);
/* The replica behind a connection (NULL on a plain local database), to pass
 * to lsq_hrana_batch. (core/db.c) */
struct lsq_replica *lsq_db_replica(lsq_db *db);

/* Pure helpers (unit-tested, fuzzed): build the JSON request text, and parse
 * a JSON response into results. */
char *lsq_hrana_build_batch(const lsq_hrana_step *steps, size_t nsteps);
lsq_status lsq_hrana_parse_batch(const char *json, size_t nsteps, lsq_hrana_batch_result *out,
                                 lsq_error *err);
/* Map a Hrana error (code may be NULL) to a status and SQLite native code. */
lsq_status lsq_hrana_error_status(const char *code, const char *message, int *native);

#endif
