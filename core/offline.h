/*
 * offline.h — offline mode (`Offline=1`, docs/offline.md): local-first
 * writes on an embedded replica, pushed to the primary on sync, and pulls
 * that rebase the still-pending local changes on top of the primary's state.
 *
 * The engine is split by job:
 *   offline_store.c    the store "<db>-libsql-offline" (pending change sets,
 *                      conflicts, meta: client id, local_base, counters), its
 *                      creation (0600, same VFS as the replica) and ATTACH,
 *                      the rebase marker file, state and conflict listings;
 *   offline_capture.c  one connection's local transactions: the statement
 *                      check (no DDL, no table without PRIMARY KEY, no
 *                      triggers), session capture, change set -> pending;
 *   offline_sql.c      change set -> SQL statements with typed arguments
 *                      (pure, unit-tested), and a readable rendering;
 *   offline_push.c     pending change sets -> one guarded Hrana batch each,
 *                      with the exactly-once ledger, and their outcomes;
 *   offline_rebase.c   pulls: incremental when the file has no local
 *                      changes, else full pull + apply + replay; crash
 *                      recovery; the hook replica.c calls for every sync.
 *
 * core/ knows nothing of ODBC: failures are lsq_status + message, and the
 * refusals the driver must show verbatim start with "Offline=1: ".
 */
#ifndef LSQ_OFFLINE_H
#define LSQ_OFFLINE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hrana.h"
#include "lsq.h"

struct lsq_replica;
struct lsq_sync_stats;

/* The schema name the store is attached under on every connection. */
#define LSQ_OFFLINE_SCHEMA "libsql_offline"

/* ---- the store (offline_store.c) ---------------------------------------- */

/* "<db_path>-libsql-offline" / "<db_path>-libsql-offline-rebase", malloc'd. */
char *lsq_offline_store_path(const char *db_path);
char *lsq_offline_marker_path(const char *db_path);
/* 1 when the store file exists (non-empty) next to db_path. */
int lsq_offline_store_exists(const char *db_path);

/* ATTACH the store of db_path to conn as LSQ_OFFLINE_SCHEMA, through VFS
 * vfs_name (NULL = default); creates it (mode 0600, tables, client id) when
 * `create`, else fails when it is absent. Sets synchronous=FULL and the
 * rollback journal on it. */
lsq_status lsq_offline_attach(sqlite3 *conn, const char *db_path, const char *vfs_name,
                              int create, lsq_error *err);

/* A meta value of the attached store (out gets "" when absent). */
lsq_status lsq_offline_meta_get(sqlite3 *conn, const char *key, char *out, size_t cap,
                                lsq_error *err);
lsq_status lsq_offline_meta_set(sqlite3 *conn, const char *key, const char *value,
                                lsq_error *err);

/* What PRAGMA libsql_state shows of offline mode. */
typedef struct lsq_offline_state {
    int offline;                  /* this connection has Offline=1 */
    uint64_t pending_transactions;
    uint64_t pushed_transactions;
    uint64_t conflicts;
    double last_push;             /* unix seconds; 0 = never */
    char local_base[128];         /* "" = the file has no local changes */
} lsq_offline_state;

/* One local transaction the primary did not take (PRAGMA libsql_conflicts). */
typedef struct lsq_offline_conflict {
    int64_t seq;
    double committed_at;          /* unix seconds */
    double at;                    /* when it was moved to conflicts */
    char *reason;
    char *sql;
} lsq_offline_conflict;

void lsq_offline_conflicts_free(lsq_offline_conflict *c, size_t n);

/* ---- a connection's local transactions (offline_capture.c) ------------- */

typedef struct lsq_offline_conn lsq_offline_conn;

/* The connection's offline state (NULL unless Offline=1 on a replica). */
lsq_offline_conn *lsq_db_offline(lsq_db *db);
/* 1 when the connection has Offline=1 on a replica: writes are local. */
int lsq_offline_enabled(const lsq_db *db);

/* May this statement run offline? LSQ_OK, or LSQ_ERR_MISC with a message
 * starting "Offline=1: " (schema change, table without PRIMARY KEY, a
 * trigger that writes, VACUUM / PRAGMA writes). Prepares the text once with
 * an authorizer; the verdict of the last text is cached. */
lsq_status lsq_offline_check(lsq_db *db, const char *sql, lsq_error *err);

/* Inside an open SQLite transaction on the connection, before its first
 * write to main: take the store's write lock (so no pull can apply pages
 * under the transaction), mark the file as having local changes and start
 * capturing them. Idempotent within a transaction. */
lsq_status lsq_offline_capture(lsq_db *db, lsq_error *err);
/* 1 while a transaction is being captured. */
int lsq_offline_capturing(lsq_db *db);
/* COMMIT the connection's transaction with its change set stored as one
 * pending transaction (empty change sets are not stored). On failure the
 * transaction is still open (roll it back). A commit with no capture is a
 * plain COMMIT. */
lsq_status lsq_offline_commit(lsq_db *db, lsq_error *err);
/* ROLLBACK and forget the capture. */
void lsq_offline_rollback(lsq_db *db);

/* The SAVEPOINT that began the connection's transaction ("" = none): SQL
 * SAVEPOINT outside a transaction begins one that its RELEASE commits, and
 * the driver keeps its name here to know which RELEASE commits. */
#define LSQ_OFFLINE_SAVEPOINT_MAX 128
char *lsq_offline_savepoint_slot(lsq_db *db);

/* Connection lifetime (core/db.c). */
lsq_status lsq_offline_conn_open(sqlite3 *conn, const char *db_path, const char *vfs_name,
                                 struct lsq_replica *r, lsq_offline_conn **out,
                                 lsq_error *err);
void lsq_offline_conn_close(lsq_offline_conn *oc);

/* ---- syncing (offline_push.c, offline_rebase.c) ------------------------- */

enum {
    LSQ_OFFLINE_PUSH = 1,
    LSQ_OFFLINE_PULL = 2,
    LSQ_OFFLINE_SYNC = 3
};

typedef struct lsq_offline_push_stats {
    size_t pushed;                /* committed on the primary by this call */
    size_t conflicts;             /* moved to conflicts by this call */
    size_t pending;               /* still pending afterwards */
} lsq_offline_push_stats;

/* Push and/or pull now (mode LSQ_OFFLINE_*), serialised with every other
 * sync of the replica. A push stops at the first transport failure
 * (everything stays pending) and returns it. push may be NULL. */
lsq_status lsq_offline_sync(lsq_db *db, int mode, lsq_offline_push_stats *push,
                            struct lsq_sync_stats *stats, lsq_error *err);

/* State and conflicts of the replica's store (zeros / none when absent). */
lsq_status lsq_offline_state_of(lsq_db *db, lsq_offline_state *out, lsq_error *err);
lsq_status lsq_offline_conflicts_of(lsq_db *db, lsq_offline_conflict **out, size_t *n,
                                    lsq_error *err);

/* ---- hooks replica.c calls (offline_rebase.c) --------------------------- */

/* Called under the replica's sync lock for every sync. When no store exists
 * next to the file, sets *handled = 0 and does nothing (the plain pull
 * runs). Otherwise pushes (mode & PUSH) and pulls (mode & PULL) itself. */
lsq_status lsq_offline_sync_locked(struct lsq_replica *r, int mode,
                                   lsq_offline_push_stats *push,
                                   struct lsq_sync_stats *stats, int *handled,
                                   lsq_error *err);

/* Called when an existing replica file is opened (before its sidecar is
 * checked): finishes a rebase a crash interrupted. *diverged = 1 when the
 * file holds local changes, so its identity no longer matches the sidecar
 * (that is expected: the next pull is a full one). */
lsq_status lsq_offline_recover(struct lsq_replica *r, int *diverged, lsq_error *err);

/* What offline_*.c need of the replica (defined in replica.c). */
const char *lsq_replica_vfs(const struct lsq_replica *r);
struct lsq_remote *lsq_replica_pull_remote(struct lsq_replica *r);   /* sync lock held */
/* Record a pull the offline code applied: sidecar (revision, size and the
 * file's identity now) and the replica's state. */
lsq_status lsq_replica_record_pull(struct lsq_replica *r, const char *revision,
                                   uint64_t size_pages, size_t pages, lsq_error *err);
/* The sidecar's revision now (the replica's state). */
void lsq_replica_revision(struct lsq_replica *r, char *out, size_t cap);
/* Sync with mode LSQ_OFFLINE_* (replica.c takes the sync lock). */
lsq_status lsq_replica_sync_mode(struct lsq_replica *r, int mode, lsq_offline_push_stats *push,
                                 struct lsq_sync_stats *stats, lsq_error *err);

/* ---- change set -> SQL (offline_sql.c) ---------------------------------- */

typedef enum lsq_offline_op { LSQ_OFF_INSERT = 1, LSQ_OFF_UPDATE, LSQ_OFF_DELETE } lsq_offline_op;

/* One statement generated from one change. */
typedef struct lsq_offline_stmt {
    lsq_offline_op op;
    char *sql;                    /* "?" placeholders, quoted identifiers */
    lsq_value *args;              /* TEXT/BLOB bytes owned by the list */
    size_t nargs;
    int guard;                    /* UPDATE/DELETE: must change exactly one row */
} lsq_offline_stmt;

typedef struct lsq_offline_stmts {
    lsq_offline_stmt *v;
    size_t n;
} lsq_offline_stmts;

/* Translate a change set into statements. Column names come from the
 * tables in schema `main` of schema_db (the first nCol columns of each, in
 * order: columns added later by ALTER TABLE ADD COLUMN come last). */
lsq_status lsq_offline_changeset_sql(sqlite3 *schema_db, const void *changeset, int n,
                                     lsq_offline_stmts *out, lsq_error *err);
void lsq_offline_stmts_free(lsq_offline_stmts *s);
/* The statements as one readable text, values inlined as SQL literals (for
 * people: conflicts.sql; never executed). malloc'd. */
char *lsq_offline_stmts_render(const lsq_offline_stmts *s);

/* The guard step that follows an UPDATE/DELETE in a push batch. */
#define LSQ_OFFLINE_GUARD_SQL                                                  \
    "SELECT CASE changes() WHEN 1 THEN 1 ELSE json('offline conflict') END"

#endif
