/*
 * no_deepbind.c — a tiny LD_PRELOAD shim for the sanitizer build of the
 * client tests: PHP dlopen()s its extensions (opcache, odbc) with
 * RTLD_DEEPBIND, which the ASan runtime refuses outright, and running php
 * without the ASan preload does not work either (the driver links libasan,
 * whose interceptors then break calls such as realpath()). This shim sits in
 * front of libasan in LD_PRELOAD, drops RTLD_DEEPBIND and hands the call on,
 * so php loads the odbc extension and the driver stays instrumented.
 * Built by tests/integration/test_clients.sh only when LSQ_SANITIZE=ON.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

typedef void *(*dlopen_fn)(const char *, int);

void *dlopen(const char *file, int mode)
{
    static dlopen_fn next_dlopen;
    if (!next_dlopen)
        next_dlopen = (dlopen_fn)dlsym(RTLD_NEXT, "dlopen");
    if (!next_dlopen)
        return NULL;
    return next_dlopen(file, mode & ~RTLD_DEEPBIND);
}
