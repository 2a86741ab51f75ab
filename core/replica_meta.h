/*
 * replica_meta.h — the replica's sidecar file "<db>-libsql-meta": which
 * primary the local file mirrors (SHA-256 of the sync URL, never the token),
 * the server revision it holds, and an identity of the file (page-1 change
 * counter after the last apply, file size) so a sidecar that does not
 * describe the file next to it is detected instead of silently trusted.
 */
#ifndef LSQ_REPLICA_META_H
#define LSQ_REPLICA_META_H

#include "lsq.h"

#define LSQ_META_FORMAT 1

typedef struct lsq_replica_meta {
    int format;                  /* LSQ_META_FORMAT */
    char url_sha256[65];         /* lowercase hex of SHA-256(sync URL) */
    char revision[128];          /* server revision the file holds */
    uint64_t db_size_pages;
    uint32_t change_counter;     /* page-1 bytes 24-27 after the last apply */
    uint64_t file_size;          /* bytes, after the last apply */
    int may_be_ahead;            /* 1: a crash fell between an apply and its sidecar, and
                                    the file may hold pages newer than `revision` (the
                                    next sync re-pulls them); its pages cannot be compared
                                    with the primary's at `revision` (primary_check.c).
                                    Optional in the file (absent = 0). */
} lsq_replica_meta;

/* Hex SHA-256 of the sync URL (a trailing '/' is ignored). */
void lsq_meta_url_hash(const char *sync_url, char out[65]);

/* "<db_path>-libsql-meta", malloc'd (NULL when out of memory). */
char *lsq_meta_path(const char *db_path);

/* Load the sidecar of db_path. *found = 0 (and LSQ_OK) when it does not
 * exist; a sidecar that cannot be parsed is LSQ_ERR_MISC. */
lsq_status lsq_meta_load(const char *db_path, lsq_replica_meta *out, int *found,
                         lsq_error *err);

/* Write the sidecar atomically: temp file (mode 0600), fsync, rename,
 * fsync the directory. */
lsq_status lsq_meta_save(const char *db_path, const lsq_replica_meta *meta, lsq_error *err);

/* The file's identity as the sidecar records it: page-1 change counter
 * (read through VFS vfs_name, so an encrypted file works) and size. */
lsq_status lsq_meta_file_identity(const char *db_path, const char *vfs_name,
                                  uint32_t *change_counter, uint64_t *file_size,
                                  lsq_error *err);

/* Does the file at db_path belong to this sidecar and this sync URL?
 * LSQ_OK, or LSQ_ERR_MISC with a message telling the user what to do. A file
 * exactly one apply ahead of the sidecar (a crash between applying pages and
 * saving the sidecar) is accepted: re-pulling the same range is idempotent. */
lsq_status lsq_meta_check(const char *db_path, const char *vfs_name,
                          const lsq_replica_meta *meta, const char *sync_url, lsq_error *err);

#endif
