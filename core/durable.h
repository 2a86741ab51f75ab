/*
 * durable.h — making a directory entry survive a crash: after a file is
 * created, renamed or removed, the directory that holds it must itself be
 * synced (POSIX leaves the entry in the page cache until then). One helper,
 * used by the applier, the bootstrap, the sidecar and offline mode.
 */
#ifndef LSQ_DURABLE_H
#define LSQ_DURABLE_H

/* fsync the directory that holds path ("." for a bare name). 0 on success,
 * -1 with errno set. */
int lsq_fsync_parent_dir(const char *path);

#endif
