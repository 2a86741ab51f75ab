/*
 * sync_status.c — persisting "last successful sync" and "last failure" of a
 * replica for the operator tool (see sync_status.h for the file layout).
 * Best effort by design: a status file that cannot be written must never
 * make a sync fail, so every function here returns nothing.
 */
#include "sync_status.h"
#include "replica_meta.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *error_path(const char *db_path)
{
    size_t n = strlen(db_path) + sizeof "-libsql-lasterror";
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s-libsql-lasterror", db_path);
    return p;
}

void lsq_sync_status_ok(const char *db_path)
{
    if (!db_path)
        return;
    char *meta = lsq_meta_path(db_path);
    if (meta) {
        utimensat(AT_FDCWD, meta, NULL, 0); /* mtime := now */
        free(meta);
    }
    char *errp = error_path(db_path);
    if (errp) {
        unlink(errp);
        free(errp);
    }
}

void lsq_sync_status_failed(const char *db_path, const char *message)
{
    if (!db_path)
        return;
    char *errp = error_path(db_path);
    if (!errp)
        return;
    int fd = open(errp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    free(errp);
    if (fd < 0)
        return;
    char buf[700];
    int n = snprintf(buf, sizeof buf, "%lld\n%s\n", (long long)time(NULL),
                     message ? message : "");
    if (n > 0) {
        ssize_t w = write(fd, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
        (void)w;
    }
    close(fd);
}

void lsq_sync_status_read(const char *db_path, time_t *last_ok, time_t *last_fail,
                          char *message, size_t cap)
{
    *last_ok = 0;
    *last_fail = 0;
    if (message && cap)
        message[0] = 0;
    if (!db_path)
        return;
    char *meta = lsq_meta_path(db_path);
    struct stat sb;
    if (meta && stat(meta, &sb) == 0)
        *last_ok = sb.st_mtime;
    free(meta);
    char *errp = error_path(db_path);
    FILE *f = errp ? fopen(errp, "r") : NULL;
    free(errp);
    if (!f)
        return;
    long long when = 0;
    char line[700];
    if (fgets(line, sizeof line, f))
        when = atoll(line);
    if (message && cap && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        snprintf(message, cap, "%s", line);
    }
    fclose(f);
    *last_fail = (time_t)when;
}
