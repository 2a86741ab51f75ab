/*
 * offline_capture.c — one connection's local transactions in offline mode
 * (docs/offline.md, "What a user sees" and "Where pending changes live").
 *
 * Owns the connection's lsq_offline_conn: the attached store, the statement
 * check that refuses what cannot be pushed, and the capture of a local
 * transaction with SQLite's session extension:
 *
 *   capture   (before the transaction's first write to main)
 *             UPDATE meta SET local_base = <revision> WHERE it is '' — this
 *             both marks the file as holding local changes and takes the
 *             store's write lock FIRST, before main's: a pull holds that same
 *             lock while it applies pages and replays, so a local write never
 *             interleaves with a rebase, and the lock order store -> main is
 *             the same for everyone (no deadlock between writer and puller);
 *             then sqlite3session_create(main) + attach(all tables).
 *   commit    sqlite3session_changeset -> INSERT INTO pending (in a savepoint,
 *             so a COMMIT that fails with SQLITE_BUSY leaves no stray row and
 *             can be retried) -> COMMIT: the change set is durable exactly
 *             when the local changes are.
 *   rollback  ROLLBACK, session deleted.
 *
 * The session records a row's original values and computes the change set
 * from the rows as they are at commit, so statement rollbacks and ROLLBACK
 * TO a savepoint are reflected without any bookkeeping here.
 */
#include "offline.h"
#include "replica.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct lsq_offline_conn {
    sqlite3 *conn;                /* the connection's own handle (borrowed) */
    struct lsq_replica *replica;  /* borrowed */
    char *db_path;
    char *marker_path;
    sqlite3_session *session;     /* non-NULL while capturing */
    char savepoint[LSQ_OFFLINE_SAVEPOINT_MAX];
    /* the last statement check: text, schema version, verdict */
    char *checked_sql;
    int checked_schema;
    lsq_error checked;
};

lsq_status lsq_offline_conn_open(sqlite3 *conn, const char *db_path, const char *vfs_name,
                                 struct lsq_replica *r, lsq_offline_conn **out, lsq_error *err)
{
    *out = NULL;
    lsq_offline_conn *oc = calloc(1, sizeof *oc);
    if (!oc)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    oc->conn = conn;
    oc->replica = r;
    oc->db_path = strdup(db_path);
    oc->marker_path = lsq_offline_marker_path(db_path);
    if (!oc->db_path || !oc->marker_path) {
        lsq_offline_conn_close(oc);
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    }
    lsq_status st = lsq_offline_attach(conn, db_path, vfs_name, 1, err);
    if (st != LSQ_OK) {
        lsq_offline_conn_close(oc);
        return st;
    }
    *out = oc;
    return LSQ_OK;
}

char *lsq_offline_savepoint_slot(lsq_db *db)
{
    static char none[LSQ_OFFLINE_SAVEPOINT_MAX]; /* never written: callers check offline first */
    lsq_offline_conn *oc = lsq_db_offline(db);
    return oc ? oc->savepoint : none;
}

void lsq_offline_conn_close(lsq_offline_conn *oc)
{
    if (!oc)
        return;
    if (oc->session)
        sqlite3session_delete(oc->session);
    free(oc->db_path);
    free(oc->marker_path);
    free(oc->checked_sql);
    free(oc);
}

/* ---- the statement check ------------------------------------------------- */

typedef struct probe {
    int ddl, other_write, pragma_write, store_write;
    char pragma[64];
    char trigger[128], trigger_table[128];
    char **tables;
    int ntables, cap;
    int oom;
} probe;

static void probe_table(probe *p, const char *name)
{
    for (int i = 0; i < p->ntables; i++)
        if (strcmp(p->tables[i], name) == 0)
            return;
    if (p->ntables == p->cap) {
        int cap = p->cap ? p->cap * 2 : 4;
        char **v = realloc(p->tables, (size_t)cap * sizeof *v);
        if (!v) {
            p->oom = 1;
            return;
        }
        p->tables = v;
        p->cap = cap;
    }
    p->tables[p->ntables] = strdup(name);
    if (p->tables[p->ntables])
        p->ntables++;
    else
        p->oom = 1;
}

static int probe_auth(void *arg, int action, const char *a1, const char *a2, const char *db,
                      const char *trigger)
{
    probe *p = arg;
    int is_temp = db && strcmp(db, "temp") == 0;
    int is_store = db && strcmp(db, LSQ_OFFLINE_SCHEMA) == 0;
    switch (action) {
    case SQLITE_INSERT: case SQLITE_UPDATE: case SQLITE_DELETE:
        if (is_temp || !a1)
            break;
        if (is_store) {
            p->store_write = 1;
            break;
        }
        if (strncmp(a1, "sqlite_", 7) == 0)
            break; /* sqlite_sequence: SQLite's own bookkeeping */
        if (trigger && !p->trigger[0]) {
            snprintf(p->trigger, sizeof p->trigger, "%s", trigger);
            snprintf(p->trigger_table, sizeof p->trigger_table, "%s", a1);
        }
        probe_table(p, a1);
        break;
    case SQLITE_CREATE_INDEX: case SQLITE_CREATE_TABLE: case SQLITE_CREATE_TRIGGER:
    case SQLITE_CREATE_VIEW: case SQLITE_DROP_INDEX: case SQLITE_DROP_TABLE:
    case SQLITE_DROP_TRIGGER: case SQLITE_DROP_VIEW: case SQLITE_ALTER_TABLE:
    case SQLITE_CREATE_VTABLE: case SQLITE_DROP_VTABLE:
        if (!is_temp)
            p->ddl = 1;
        break;
    case SQLITE_ANALYZE: case SQLITE_REINDEX: case SQLITE_ATTACH: case SQLITE_DETACH:
        p->other_write = 1;
        break;
    case SQLITE_PRAGMA:
        /* A value ("PRAGMA x = y", "x(y)") may write the file; whether it
         * does is sqlite3_stmt_readonly's verdict after the prepare
         * (table_info(t) reads, user_version = 5 writes). */
        if (a2 && !is_temp && !p->pragma[0])
            snprintf(p->pragma, sizeof p->pragma, "%s", a1 ? a1 : "");
        break;
    default:
        break;
    }
    return SQLITE_OK;
}

static int has_primary_key(sqlite3 *conn, const char *table)
{
    sqlite3_stmt *q = NULL;
    int yes = 0;
    if (sqlite3_prepare_v2(conn, "SELECT count(*) FROM pragma_table_info(?1, 'main') WHERE pk > 0",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
        yes = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) > 0;
    }
    sqlite3_finalize(q);
    return yes;
}

static int schema_version(sqlite3 *conn)
{
    int v = -1;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(conn, "PRAGMA main.schema_version", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return v;
}

static lsq_status check_uncached(sqlite3 *conn, const char *sql, int *prepared, lsq_error *err)
{
    probe p;
    memset(&p, 0, sizeof p);
    sqlite3_stmt *st = NULL;
    sqlite3_set_authorizer(conn, probe_auth, &p);
    int rc = sqlite3_prepare_v2(conn, sql, -1, &st, NULL);
    sqlite3_set_authorizer(conn, NULL, NULL);
    p.pragma_write = p.pragma[0] && st && !sqlite3_stmt_readonly(st);
    sqlite3_finalize(st);
    lsq_status out = LSQ_OK;
    *prepared = rc == SQLITE_OK;
    if (rc != SQLITE_OK)
        out = lsq_fail_sqlite(err, conn, rc);
    else if (p.oom)
        out = lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    else if (p.ddl)
        out = lsq_fail(err, LSQ_ERR_MISC, 0,
                       "Offline=1: schema changes cannot be made offline; make them on the "
                       "primary (or with Offline=0): they arrive with the next pull");
    else if (p.store_write)
        out = lsq_fail(err, LSQ_ERR_MISC, 0,
                       "Offline=1: the schema '" LSQ_OFFLINE_SCHEMA "' is the driver's own "
                       "store of pending changes and cannot be written");
    else if (p.pragma_write)
        out = lsq_fail(err, LSQ_ERR_MISC, 0,
                       "Offline=1: PRAGMA %s with a value changes the database file and cannot "
                       "be run offline", p.pragma);
    else if (p.other_write || p.ntables == 0)
        out = lsq_fail(err, LSQ_ERR_MISC, 0,
                       "Offline=1: only INSERT, UPDATE and DELETE can be run offline; run this "
                       "statement with Offline=0");
    else if (p.trigger[0])
        out = lsq_fail(err, LSQ_ERR_MISC, 0,
                       "Offline=1: trigger '%s' writes table '%s'; offline writes that fire "
                       "triggers are refused because the primary runs its triggers again when "
                       "the change is pushed", p.trigger, p.trigger_table);
    for (int i = 0; out == LSQ_OK && i < p.ntables; i++)
        if (!has_primary_key(conn, p.tables[i]))
            out = lsq_fail(err, LSQ_ERR_MISC, 0,
                           "Offline=1: table '%s' has no PRIMARY KEY; offline writes need one so "
                           "they can be pushed", p.tables[i]);
    for (int i = 0; i < p.ntables; i++)
        free(p.tables[i]);
    free(p.tables);
    return out;
}

lsq_status lsq_offline_check(lsq_db *db, const char *sql, lsq_error *err)
{
    lsq_offline_conn *oc = lsq_db_offline(db);
    if (!oc)
        return LSQ_OK;
    if (!sql)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "no statement");
    int version = schema_version(oc->conn);
    if (oc->checked_sql && oc->checked_schema == version && strcmp(oc->checked_sql, sql) == 0) {
        if (oc->checked.status != LSQ_OK && err)
            *err = oc->checked;
        return oc->checked.status;
    }
    lsq_error e;
    memset(&e, 0, sizeof e);
    int prepared = 0;
    lsq_status st = check_uncached(oc->conn, sql, &prepared, &e);
    e.status = st;
    free(oc->checked_sql);
    /* A text that did not even prepare is not a verdict worth keeping. */
    oc->checked_sql = prepared ? strdup(sql) : NULL;
    oc->checked_schema = version;
    oc->checked = e;
    if (st != LSQ_OK && err)
        *err = e;
    return st;
}

/* ---- capture, commit, rollback ------------------------------------------- */

int lsq_offline_capturing(lsq_db *db)
{
    lsq_offline_conn *oc = lsq_db_offline(db);
    return oc && oc->session != NULL;
}

static void forget_capture(lsq_offline_conn *oc)
{
    if (oc->session) {
        sqlite3session_delete(oc->session);
        oc->session = NULL;
    }
}

/* A pull interrupted by a crash between its page apply and its replay
 * (the marker exists and the store does not say it was finished): writing
 * now would put local changes on a file that lacks the pending ones. */
static lsq_status interrupted_rebase(lsq_offline_conn *oc, lsq_error *err)
{
    FILE *f = fopen(oc->marker_path, "r");
    if (!f)
        return LSQ_OK;
    char id[80] = "";
    int ok = fscanf(f, "%79s", id) == 1;
    fclose(f);
    char done[80] = "";
    lsq_offline_meta_get(oc->conn, "rebase_done", done, sizeof done, NULL);
    if (ok && strcmp(id, done) == 0)
        return LSQ_OK; /* finished; the marker is about to be removed */
    return lsq_fail(err, LSQ_ERR_BUSY, 0,
                    "Offline=1: a pull was interrupted before the pending local changes were "
                    "replayed; run PRAGMA libsql_sync (or reconnect) before writing");
}

lsq_status lsq_offline_capture(lsq_db *db, lsq_error *err)
{
    lsq_offline_conn *oc = lsq_db_offline(db);
    if (!oc)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "not an offline connection");
    if (sqlite3_get_autocommit(oc->conn)) {
        forget_capture(oc); /* its transaction ended behind our back */
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "offline capture needs an open transaction");
    }
    if (oc->session)
        return LSQ_OK;
    char rev[128];
    lsq_replica_revision(oc->replica, rev, sizeof rev);
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(oc->conn,
                                "UPDATE " LSQ_OFFLINE_SCHEMA ".meta SET value = ?1 "
                                "WHERE key = 'local_base' AND value = ''",
                                -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(q, 1, rev[0] ? rev : "?", -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(q);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_OK) {
        lsq_status st = lsq_fail_sqlite(err, oc->conn, rc);
        return lsq_fail(err, st, sqlite3_extended_errcode(oc->conn),
                        "Offline=1: cannot start the local transaction: %s",
                        sqlite3_errmsg(oc->conn));
    }
    lsq_status st = interrupted_rebase(oc, err);
    if (st != LSQ_OK)
        return st;
    sqlite3_session *s = NULL;
    rc = sqlite3session_create(oc->conn, "main", &s);
    if (rc == SQLITE_OK)
        rc = sqlite3session_attach(s, NULL);
    if (rc != SQLITE_OK) {
        if (s)
            sqlite3session_delete(s);
        return lsq_fail(err, lsq_status_from_sqlite(rc), rc,
                        "Offline=1: cannot record the local transaction: %s", sqlite3_errstr(rc));
    }
    oc->session = s;
    return LSQ_OK;
}

static double unix_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

lsq_status lsq_offline_commit(lsq_db *db, lsq_error *err)
{
    lsq_offline_conn *oc = lsq_db_offline(db);
    sqlite3 *conn = oc ? oc->conn : lsq_sqlite(db);
    if (!conn)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "no connection");
    if (sqlite3_get_autocommit(conn)) {
        if (oc)
            forget_capture(oc);
        return LSQ_OK;
    }
    int n = 0;
    void *cs = NULL;
    int rc = SQLITE_OK;
    int stored = 0, savepoint = 0;
    /* Recording the change set inserts into the store on this connection;
     * the application's last_insert_rowid() must stay its own row's. */
    sqlite3_int64 app_rowid = sqlite3_last_insert_rowid(conn);
    if (oc && oc->session) {
        rc = sqlite3session_changeset(oc->session, &n, &cs);
        if (rc == SQLITE_OK && n > 0) {
            rc = sqlite3_exec(conn, "SAVEPOINT lsq_offline_commit", NULL, NULL, NULL);
            savepoint = rc == SQLITE_OK;
            sqlite3_stmt *q = NULL;
            if (rc == SQLITE_OK)
                rc = sqlite3_prepare_v2(conn,
                                        "INSERT INTO " LSQ_OFFLINE_SCHEMA
                                        ".pending(changeset, committed_at) VALUES (?1, ?2)",
                                        -1, &q, NULL);
            if (rc == SQLITE_OK) {
                sqlite3_bind_blob(q, 1, cs, n, SQLITE_STATIC);
                sqlite3_bind_double(q, 2, unix_now());
                rc = sqlite3_step(q);
                rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
            }
            sqlite3_finalize(q);
            stored = rc == SQLITE_OK;
        }
    }
    lsq_status st = LSQ_OK;
    if (rc == SQLITE_OK) {
        rc = sqlite3_exec(conn, "COMMIT", NULL, NULL, NULL);
        if (rc != SQLITE_OK && stored && !sqlite3_get_autocommit(conn)) {
            /* Still open (e.g. SQLITE_BUSY): undo the pending row so a retry
             * of the commit stores the change set once. */
            st = lsq_fail_sqlite(err, conn, rc);
            sqlite3_exec(conn, "ROLLBACK TO lsq_offline_commit; RELEASE lsq_offline_commit",
                         NULL, NULL, NULL);
            rc = SQLITE_OK;
        }
    }
    if (rc != SQLITE_OK) {
        st = lsq_fail_sqlite(err, conn, rc);
        if (savepoint && !stored && !sqlite3_get_autocommit(conn))
            sqlite3_exec(conn, "ROLLBACK TO lsq_offline_commit; RELEASE lsq_offline_commit",
                         NULL, NULL, NULL);
    }
    sqlite3_free(cs);
    sqlite3_set_last_insert_rowid(conn, app_rowid);
    if (st == LSQ_OK || sqlite3_get_autocommit(conn)) {
        if (oc)
            forget_capture(oc);
    }
    return st;
}

void lsq_offline_rollback(lsq_db *db)
{
    lsq_offline_conn *oc = lsq_db_offline(db);
    sqlite3 *conn = oc ? oc->conn : lsq_sqlite(db);
    if (conn && !sqlite3_get_autocommit(conn))
        sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
    if (oc)
        forget_capture(oc);
}
