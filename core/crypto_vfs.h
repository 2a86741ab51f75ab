/*
 * crypto_vfs.h — encryption at rest (docs/encryption.md): the page cipher of
 * the libSQL SDKs ("aes256cbc" of SQLite3 Multiple Ciphers) and an SQLite VFS
 * shim over the default VFS that applies it to the main database file and
 * its rollback journal, so SQLite, the page applier and the hot journal all
 * read and write ciphertext on disk.
 *
 * One shim VFS is registered per distinct key (refcounted registry); the
 * derived key lives only in that object's memory and is wiped when the last
 * user releases it. VFS names never contain the key.
 */
#ifndef LSQ_CRYPTO_VFS_H
#define LSQ_CRYPTO_VFS_H

#include <stddef.h>
#include <stdint.h>

#include "lsq.h"

#define LSQ_CRYPTO_KEY_BYTES 32

/* ---- the format (exposed for known-answer tests) ---- */

/* key = SHA-256 of the passphrase (first 32 bytes, padded with the fixed
 * padding string), then 4001 more SHA-256 rounds. */
void lsq_crypto_derive_key(const char *passphrase, size_t len,
                           unsigned char key[LSQ_CRYPTO_KEY_BYTES]);
/* Page key = SHA-256(key || pgno LE32 || 73 41 6C 54). */
void lsq_crypto_page_key(const unsigned char key[LSQ_CRYPTO_KEY_BYTES], uint32_t pgno,
                         unsigned char out[LSQ_CRYPTO_KEY_BYTES]);
/* IV = MD5 of four Park-Miller steps from pgno + 1. */
void lsq_crypto_page_iv(uint32_t pgno, unsigned char iv[16]);

/* Encrypt one page in place (page 1 with the special header layout).
 * size: the page size (a power of two, 512..65536). 0 on success. */
int lsq_crypto_encrypt_page(const unsigned char key[LSQ_CRYPTO_KEY_BYTES], uint32_t pgno,
                            unsigned char *page, size_t size);
/* Decrypt one page in place. 0 on success, 1 when page 1 fails the key
 * check (wrong key, or not an encrypted file), -1 on a cipher failure. */
int lsq_crypto_decrypt_page(const unsigned char key[LSQ_CRYPTO_KEY_BYTES], uint32_t pgno,
                            unsigned char *page, size_t size);

/* ---- the VFS shim ---- */

typedef struct lsq_crypto_vfs lsq_crypto_vfs;

/* Get (registering on first use) the shim VFS for this passphrase. Each
 * successful call must be matched by lsq_crypto_vfs_release, after every
 * SQLite connection and file opened through it is closed. */
lsq_status lsq_crypto_vfs_acquire(const char *passphrase, lsq_crypto_vfs **out,
                                  lsq_error *err);
void lsq_crypto_vfs_release(lsq_crypto_vfs *v);
/* The name to pass to sqlite3_open_v2 / lsq_apply_pages. */
const char *lsq_crypto_vfs_name(const lsq_crypto_vfs *v);

/* Check, before SQLite touches it, that the file at path matches the key
 * (passphrase NULL or "" = no key). An absent or empty file is fine. On a
 * mismatch: LSQ_ERR_AUTH and a message saying which case ("wrong
 * EncryptionKey", "the file is encrypted but no EncryptionKey was given",
 * "EncryptionKey given but the file is not encrypted"). Reads only. */
lsq_status lsq_crypto_check_file(const char *path, const char *passphrase, lsq_error *err);

/* SQL an encrypted connection runs right after opening: keep temporary
 * tables and indices in memory. */
#define LSQ_CRYPTO_CONN_SETUP "PRAGMA temp_store=2"

#endif
