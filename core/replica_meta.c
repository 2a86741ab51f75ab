/*
 * replica_meta.c — reads, writes and checks the replica's sidecar file
 * "<db>-libsql-meta" (JSON, see replica_meta.h for what it records and why).
 *
 * The sidecar is replaced atomically (temp file, fsync, rename, fsync of the
 * directory) and only after the pages it describes are durable in the
 * database file, so after a crash it is either current or one apply behind.
 */
#include "replica_meta.h"
#include "durable.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void lsq_meta_url_hash(const char *sync_url, char out[65])
{
    size_t len = sync_url ? strlen(sync_url) : 0;
    while (len > 0 && sync_url[len - 1] == '/')
        len--;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    out[0] = 0;
    if (!EVP_Digest(sync_url ? sync_url : "", len, md, &mdlen, EVP_sha256(), NULL))
        return;
    for (unsigned int i = 0; i < mdlen && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

char *lsq_meta_path(const char *db_path)
{
    size_t n = strlen(db_path) + sizeof "-libsql-meta";
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s-libsql-meta", db_path);
    return p;
}

static char *slurp(const char *path, int *missing)
{
    *missing = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        *missing = errno == ENOENT;
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 1024 > cap) {
            cap = cap ? cap * 2 : 4096;
            if (cap > (1u << 20))
                break;          /* a sidecar is a few hundred bytes */
            char *nb = realloc(buf, cap);
            if (!nb)
                break;
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
    }
    fclose(f);
    if (buf)
        buf[len] = 0;
    return buf;
}

static int get_string(const cJSON *obj, const char *key, char *out, size_t cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= cap)
        return 0;
    strcpy(out, v->valuestring);
    return 1;
}

static int get_u64(const cJSON *obj, const char *key, uint64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9007199254740992.0)
        return 0;
    *out = (uint64_t)v->valuedouble;
    return 1;
}

lsq_status lsq_meta_load(const char *db_path, lsq_replica_meta *out, int *found,
                         lsq_error *err)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    char *path = lsq_meta_path(db_path);
    if (!path)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    int missing = 0;
    char *text = slurp(path, &missing);
    if (!text) {
        lsq_status st = LSQ_OK;
        if (!missing)
            st = lsq_fail(err, LSQ_ERR_MISC, errno, "cannot read replica metadata '%s': %s",
                          path, strerror(errno));
        free(path);
        return st;
    }
    cJSON *root = cJSON_Parse(text);
    free(text);
    uint64_t format = 0, counter = 0;
    int ok = root && cJSON_IsObject(root) && get_u64(root, "format", &format) &&
             format == LSQ_META_FORMAT &&
             get_string(root, "sync_url_sha256", out->url_sha256, sizeof out->url_sha256) &&
             get_string(root, "revision", out->revision, sizeof out->revision) &&
             get_u64(root, "db_size_pages", &out->db_size_pages) &&
             get_u64(root, "change_counter", &counter) && counter <= 0xffffffffu &&
             get_u64(root, "file_size", &out->file_size);
    uint64_t ahead = 0;
    out->may_be_ahead = ok && get_u64(root, "may_be_ahead", &ahead) && ahead != 0;
    cJSON_Delete(root);
    if (!ok) {
        lsq_fail(err, LSQ_ERR_MISC, 0,
                 "replica metadata '%s' is damaged or from an unknown version; delete the "
                 "replica file and '%s' to re-bootstrap from the primary", path, path);
        free(path);
        return LSQ_ERR_MISC;
    }
    out->format = (int)format;
    out->change_counter = (uint32_t)counter;

    *found = 1;
    free(path);
    return LSQ_OK;
}

lsq_status lsq_meta_save(const char *db_path, const lsq_replica_meta *meta, lsq_error *err)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    cJSON_AddNumberToObject(root, "format", LSQ_META_FORMAT);
    cJSON_AddStringToObject(root, "sync_url_sha256", meta->url_sha256);
    cJSON_AddStringToObject(root, "revision", meta->revision);
    cJSON_AddNumberToObject(root, "db_size_pages", (double)meta->db_size_pages);
    cJSON_AddNumberToObject(root, "change_counter", (double)meta->change_counter);
    cJSON_AddNumberToObject(root, "file_size", (double)meta->file_size);
    if (meta->may_be_ahead)
        cJSON_AddNumberToObject(root, "may_be_ahead", 1);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    char *path = lsq_meta_path(db_path);
    /* The temp name is per process: processes sharing the replica file save
     * sidecars concurrently, and with one shared name one renames the
     * other's half-written temp file away (the other's rename then fails). */
    size_t tlen = path ? strlen(path) + sizeof ".tmp." + 24 : 0;
    char *tmp = path ? malloc(tlen) : NULL;
    if (!text || !path || !tmp) {
        free(text);
        free(path);
        free(tmp);
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    }
    snprintf(tmp, tlen, "%s.tmp.%ld", path, (long)getpid());

    lsq_status st = LSQ_OK;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        st = lsq_fail(err, LSQ_ERR_MISC, errno, "cannot write replica metadata '%s': %s", tmp,
                      strerror(errno));
        goto done;
    }
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    int ok = off == len && fsync(fd) == 0;
    int saved = errno;
    close(fd);
    if (!ok || rename(tmp, path) != 0) {
        if (ok)
            saved = errno;
        unlink(tmp);
        st = lsq_fail(err, LSQ_ERR_MISC, saved, "cannot write replica metadata '%s': %s", path,
                      strerror(saved));
        goto done;
    }
    lsq_fsync_parent_dir(path);
done:
    free(text);
    free(path);
    free(tmp);
    return st;
}

lsq_status lsq_meta_file_identity(const char *db_path, const char *vfs_name,
                                  uint32_t *change_counter, uint64_t *file_size,
                                  lsq_error *err)
{
    *change_counter = 0;
    *file_size = 0;
    sqlite3_vfs *vfs = sqlite3_vfs_find(vfs_name);
    if (!vfs)
        return lsq_fail(err, LSQ_ERR_MISC, 0, "SQLite VFS '%s' is not registered",
                        vfs_name ? vfs_name : "(default)");
    sqlite3_file *f = calloc(1, (size_t)vfs->szOsFile);
    if (!f)
        return lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory");
    int flags = 0;
    int rc = vfs->xOpen(vfs, db_path, f, SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_READONLY, &flags);
    if (rc != SQLITE_OK) {
        if (f->pMethods)
            f->pMethods->xClose(f);
        free(f);
        return lsq_fail(err, LSQ_ERR_CANTOPEN, rc, "cannot open replica file '%s': %s",
                        db_path, sqlite3_errstr(rc));
    }
    sqlite3_int64 size = 0;
    unsigned char hdr[100];
    rc = f->pMethods->xFileSize(f, &size);
    if (rc == SQLITE_OK && size >= 100)
        rc = f->pMethods->xRead(f, hdr, sizeof hdr, 0);
    f->pMethods->xClose(f);
    free(f);
    if (rc != SQLITE_OK)
        return lsq_fail(err, LSQ_ERR_CANTOPEN, rc, "cannot read replica file '%s': %s", db_path,
                        sqlite3_errstr(rc));
    if (size >= 100)
        *change_counter = (uint32_t)hdr[24] << 24 | (uint32_t)hdr[25] << 16 |
                          (uint32_t)hdr[26] << 8 | hdr[27];
    *file_size = (uint64_t)size;
    return LSQ_OK;
}

lsq_status lsq_meta_check(const char *db_path, const char *vfs_name,
                          const lsq_replica_meta *meta, const char *sync_url, lsq_error *err)
{
    char want[65];
    lsq_meta_url_hash(sync_url, want);
    if (strcmp(want, meta->url_sha256) != 0)
        return lsq_fail(err, LSQ_ERR_MISC, 0,
                        "replica file '%s' was created from a different primary than SyncUrl "
                        "names; use another Database file, or delete '%s' and its "
                        "-libsql-meta file to re-bootstrap from this primary",
                        db_path, db_path);
    uint32_t counter = 0;
    uint64_t size = 0;
    lsq_status st = lsq_meta_file_identity(db_path, vfs_name, &counter, &size, err);
    if (st != LSQ_OK)
        return st;
    if (counter == meta->change_counter && size == meta->file_size)
        return LSQ_OK;
    if (counter == meta->change_counter + 1)
        return LSQ_OK;  /* crash after apply, before the sidecar: re-pull */
    return lsq_fail(err, LSQ_ERR_MISC, 0,
                    "replica file '%s' does not match its metadata (change counter %u, %llu "
                    "bytes; metadata says %u, %llu bytes): it was modified outside the "
                    "driver or replaced; delete '%s' and its -libsql-meta file to "
                    "re-bootstrap from the primary",
                    db_path, counter, (unsigned long long)size, meta->change_counter,
                    (unsigned long long)meta->file_size, db_path);
}
