/*
 * write_ledger.c — ids for the exactly-once ledger on the primary
 * (write_ledger.h says why the ledger exists and how batches use it).
 */
#include "write_ledger.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

lsq_status lsq_ledger_new_client_id(char out[LSQ_CLIENT_ID_LEN + 1], lsq_error *err)
{
    unsigned char raw[LSQ_CLIENT_ID_LEN / 2];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return lsq_fail(err, LSQ_ERR_MISC, 0, "cannot draw a random client id (OpenSSL RAND_bytes)");
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    out[LSQ_CLIENT_ID_LEN] = 0;
    return LSQ_OK;
}

char *lsq_ledger_write_id(const char *client_id, uint64_t seq, char *out, size_t cap)
{
    snprintf(out, cap, "%s:%llu", client_id, (unsigned long long)seq);
    return out;
}

int lsq_ledger_is_internal_table(const char *name)
{
    return name && strncasecmp(name, LSQ_LEDGER_PREFIX, strlen(LSQ_LEDGER_PREFIX)) == 0;
}
