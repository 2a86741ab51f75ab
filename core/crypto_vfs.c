/*
 * crypto_vfs.c — encryption at rest in the libSQL SDKs' format (the
 * "aes256cbc" cipher of SQLite3 Multiple Ciphers; docs/encryption.md), as
 * an SQLite VFS shim over the default VFS, with OpenSSL.
 *
 * What goes through the shim, by SQLite open flag:
 *   MAIN_DB       each page encrypted with its page number (offset / page
 *                 size + 1); page 1 keeps bytes 16-23 readable so the page
 *                 size is known before decryption. SQLite also reads parts
 *                 of page 1 (100 header bytes, 16 bytes at 24): those reads
 *                 decrypt the whole page and copy the part out.
 *   MAIN_JOURNAL  rollback-journal records are "pgno (4 bytes), page image,
 *                 checksum (4 bytes)". SQLite (and the page applier) write
 *                 and read a record as three separate calls at consecutive
 *                 offsets, so a page-sized call at X+4 right after a 4-byte
 *                 call at X is a page image whose number is what that call
 *                 carried; it is encrypted exactly like the database page
 *                 (what SQLite3 Multiple Ciphers does, so hot journals are
 *                 interchangeable). Headers, checksums and anything else
 *                 pass unchanged: they hold no row data.
 *   WAL           refused (SQLITE_CANTOPEN): the shim exposes no shared
 *                 memory (io methods version 1), so SQLite refuses
 *                 journal_mode=WAL on its own, and a WAL file can never be
 *                 created next to an encrypted database.
 *   temp files    (temp db, temp/sub journals, sorter files) encrypted with
 *                 AES-256-CTR under a random per-file key: they are never
 *                 reopened, and CTR allows any offset and length. Encrypted
 *                 connections also set temp_store=MEMORY so these are rare.
 *   SUPER_JOURNAL passed through (it holds only file names).
 * Memory mapping is off (no xFetch), so SQLite never sees raw file bytes.
 *
 * Keys: one registered VFS per distinct derived key ("lsq-crypt-N"),
 * refcounted; the key is wiped (OPENSSL_cleanse) and the VFS unregistered
 * when the last user releases it. Files the shim creates get mode 0600.
 */
#include "crypto_vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

/* ---- the format ---- */

static const unsigned char key_padding[32] = {
    0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
    0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A};
static const unsigned char page_key_salt[4] = {0x73, 0x41, 0x6C, 0x54};
static const unsigned char sqlite_magic[16] = "SQLite format 3";

#define KDF_EXTRA_ROUNDS 4001

void lsq_crypto_derive_key(const char *passphrase, size_t len,
                           unsigned char key[LSQ_CRYPTO_KEY_BYTES])
{
    unsigned char buf[32];
    if (len > sizeof buf)
        len = sizeof buf;
    if (len)
        memcpy(buf, passphrase, len);
    memcpy(buf + len, key_padding, sizeof buf - len);
    SHA256(buf, sizeof buf, key);
    for (int i = 0; i < KDF_EXTRA_ROUNDS; i++) {
        SHA256(key, LSQ_CRYPTO_KEY_BYTES, buf);
        memcpy(key, buf, LSQ_CRYPTO_KEY_BYTES);
    }
    OPENSSL_cleanse(buf, sizeof buf);
}

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

void lsq_crypto_page_key(const unsigned char key[LSQ_CRYPTO_KEY_BYTES], uint32_t pgno,
                         unsigned char out[LSQ_CRYPTO_KEY_BYTES])
{
    unsigned char buf[LSQ_CRYPTO_KEY_BYTES + 8];
    memcpy(buf, key, LSQ_CRYPTO_KEY_BYTES);
    put_le32(buf + LSQ_CRYPTO_KEY_BYTES, pgno);
    memcpy(buf + LSQ_CRYPTO_KEY_BYTES + 4, page_key_salt, 4);
    SHA256(buf, sizeof buf, out);
    OPENSSL_cleanse(buf, sizeof buf);
}

void lsq_crypto_page_iv(uint32_t pgno, unsigned char iv[16])
{
    /* Park-Miller in 32-bit signed arithmetic, as the reference does; the
     * intermediate products fit in 64 bits and are reduced mod 2^32. */
    unsigned char seq[16];
    int32_t z = (int32_t)(pgno + 1);
    for (int i = 0; i < 4; i++) {
        int32_t q = z / 52774;
        int64_t t = (int64_t)40692 * ((int64_t)z - (int64_t)52774 * q) - (int64_t)3791 * q;
        z = (int32_t)(uint32_t)(uint64_t)t;
        if (z < 0)
            z += 2147483399;
        put_le32(seq + 4 * i, (uint32_t)z);
    }
    EVP_Digest(seq, sizeof seq, iv, NULL, EVP_md5(), NULL);
}

static int valid_page_size(long n)
{
    return n >= 512 && n <= 65536 && (n & (n - 1)) == 0;
}

/* AES-256-CBC without padding over len bytes (a multiple of 16), in place. */
static int cbc(EVP_CIPHER_CTX *ctx, int enc, const unsigned char *key, const unsigned char *iv,
               unsigned char *data, size_t len)
{
    int out = 0;
    if (EVP_CipherInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, iv, enc) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
        EVP_CipherUpdate(ctx, data, &out, data, (int)len) != 1 || (size_t)out != len)
        return -1;
    return 0;
}

static int page_cipher(EVP_CIPHER_CTX *ctx, int enc, const unsigned char *key, uint32_t pgno,
                       unsigned char *page, size_t size)
{
    if (!valid_page_size((long)size) || pgno == 0)
        return -1;
    unsigned char pkey[LSQ_CRYPTO_KEY_BYTES], iv[16];
    lsq_crypto_page_key(key, pgno, pkey);
    lsq_crypto_page_iv(pgno, iv);
    int rc = 0;
    if (pgno != 1) {
        rc = cbc(ctx, enc, pkey, iv, page, size);
    } else if (enc) {
        /* First 16 bytes on their own, bytes 16.. on their own; then the
         * ciphertext of 16-23 moves to 8-15 and 16-23 stay readable. */
        unsigned char plain[8];
        memcpy(plain, page + 16, 8);
        rc = cbc(ctx, 1, pkey, iv, page, 16);
        if (rc == 0)
            rc = cbc(ctx, 1, pkey, iv, page + 16, size - 16);
        memcpy(page + 8, page + 16, 8);
        memcpy(page + 16, plain, 8);
    } else {
        unsigned char saved[8];
        memcpy(saved, page + 16, 8);
        memcpy(page + 16, page + 8, 8);
        rc = cbc(ctx, 0, pkey, iv, page + 16, size - 16);
        if (rc == 0 && memcmp(page + 16, saved, 8) != 0)
            rc = 1;
        if (rc == 0)
            memcpy(page, sqlite_magic, 16);
    }
    OPENSSL_cleanse(pkey, sizeof pkey);
    return rc;
}

static int one_shot(int enc, const unsigned char *key, uint32_t pgno, unsigned char *page,
                    size_t size)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return -1;
    int rc = page_cipher(ctx, enc, key, pgno, page, size);
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

int lsq_crypto_encrypt_page(const unsigned char key[LSQ_CRYPTO_KEY_BYTES], uint32_t pgno,
                            unsigned char *page, size_t size)
{
    return one_shot(1, key, pgno, page, size);
}

int lsq_crypto_decrypt_page(const unsigned char key[LSQ_CRYPTO_KEY_BYTES], uint32_t pgno,
                            unsigned char *page, size_t size)
{
    return one_shot(0, key, pgno, page, size);
}

/* ---- the shim's files ---- */

struct lsq_crypto_vfs {
    sqlite3_vfs base;               /* first: SQLite sees this */
    sqlite3_vfs *real;
    char name[32];
    unsigned char key[LSQ_CRYPTO_KEY_BYTES];
    int refs;                       /* registry_mu */
    lsq_crypto_vfs *next;
};

enum file_kind { KIND_MAIN, KIND_JOURNAL, KIND_TEMP, KIND_PLAIN };

typedef struct crypt_file {
    sqlite3_file base;
    sqlite3_file *real;             /* lives right after this struct */
    lsq_crypto_vfs *vfs;
    enum file_kind kind;
    int page_size;                  /* main db: 0 until known */
    EVP_CIPHER_CTX *ctx;
    unsigned char *buf;             /* scratch: one page / one write */
    size_t buf_cap;
    /* journal: the last 4-byte call (its offset and value) and what the
     * next call is expected to be; see the file comment. */
    int jstate;                     /* 0 none, 1 after pgno, 2 after image */
    sqlite3_int64 joff;
    uint32_t jpgno;
    /* temp files: a random key and nonce for AES-256-CTR */
    unsigned char tkey[32];
    unsigned char tnonce[8];
} crypt_file;

#define REAL(f) ((f)->real)

static int grow(crypt_file *f, size_t n)
{
    if (f->buf_cap >= n)
        return 0;
    unsigned char *b = malloc(n);
    if (!b)
        return -1;
    if (f->buf) {
        OPENSSL_cleanse(f->buf, f->buf_cap);
        free(f->buf);
    }
    f->buf = b;
    f->buf_cap = n;
    return 0;
}

static uint32_t get_be16(const unsigned char *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static long header_page_size(const unsigned char *hdr16)
{
    uint32_t v = get_be16(hdr16);
    return v == 1 ? 65536 : (long)v;
}

/* The page size of the main file: known from an earlier full-page call, or
 * read from the readable bytes 16-17 on disk. 0 with SQLITE_OK: file empty. */
static int main_page_size(crypt_file *f, int *out)
{
    if (f->page_size) {
        *out = f->page_size;
        return SQLITE_OK;
    }
    unsigned char b[2];
    int rc = REAL(f)->pMethods->xRead(REAL(f), b, 2, 16);
    if (rc == SQLITE_IOERR_SHORT_READ) {
        *out = 0;
        return SQLITE_OK;
    }
    if (rc != SQLITE_OK)
        return rc;
    long ps = header_page_size(b);
    if (!valid_page_size(ps))
        return SQLITE_NOTADB;
    f->page_size = (int)ps;
    *out = (int)ps;
    return SQLITE_OK;
}

/* Read and decrypt the whole page pgno (size ps) into f->buf. */
static int read_page(crypt_file *f, uint32_t pgno, int ps)
{
    if (grow(f, (size_t)ps))
        return SQLITE_IOERR_NOMEM;
    int rc = REAL(f)->pMethods->xRead(REAL(f), f->buf, ps, (sqlite3_int64)(pgno - 1) * ps);
    if (rc != SQLITE_OK)
        return rc;
    int d = page_cipher(f->ctx, 0, f->vfs->key, pgno, f->buf, (size_t)ps);
    return d == 0 ? SQLITE_OK : d == 1 ? SQLITE_NOTADB : SQLITE_IOERR_READ;
}

static int main_read(crypt_file *f, void *out, int amt, sqlite3_int64 off)
{
    if (valid_page_size(amt) && off % amt == 0) {
        int rc = REAL(f)->pMethods->xRead(REAL(f), out, amt, off);
        if (rc != SQLITE_OK)
            return rc;  /* a short read leaves zeros: a page not yet written */
        int d = page_cipher(f->ctx, 0, f->vfs->key, (uint32_t)(off / amt + 1), out, (size_t)amt);
        if (d == 0 && off == 0)
            f->page_size = amt;
        return d == 0 ? SQLITE_OK : d == 1 ? SQLITE_NOTADB : SQLITE_IOERR_READ;
    }
    /* Part of a page (SQLite reads header fields of page 1). */
    int ps = 0;
    int rc = main_page_size(f, &ps);
    if (rc != SQLITE_OK)
        return rc;
    if (ps == 0) {
        memset(out, 0, (size_t)amt);
        return SQLITE_IOERR_SHORT_READ;
    }
    sqlite3_int64 first = off / ps;
    if ((off + amt - 1) / ps != first)
        return SQLITE_IOERR_READ;  /* never done by SQLite: see file comment */
    rc = read_page(f, (uint32_t)(first + 1), ps);
    if (rc == SQLITE_IOERR_SHORT_READ) {
        memset(out, 0, (size_t)amt);
        return rc;
    }
    if (rc != SQLITE_OK)
        return rc;
    memcpy(out, f->buf + (off - first * ps), (size_t)amt);
    return SQLITE_OK;
}

static int main_write(crypt_file *f, const void *data, int amt, sqlite3_int64 off)
{
    /* SQLite writes whole pages to a rollback-mode database. */
    if (!valid_page_size(amt) || off % amt != 0)
        return SQLITE_IOERR_WRITE;
    if (off == 0)
        f->page_size = amt;
    if (grow(f, (size_t)amt))
        return SQLITE_IOERR_NOMEM;
    memcpy(f->buf, data, (size_t)amt);
    if (page_cipher(f->ctx, 1, f->vfs->key, (uint32_t)(off / amt + 1), f->buf, (size_t)amt))
        return SQLITE_IOERR_WRITE;
    return REAL(f)->pMethods->xWrite(REAL(f), f->buf, amt, off);
}

/* Is this call the page image of the record whose pgno call came just
 * before? Updates the record-tracking state either way. */
static int journal_image(crypt_file *f, int amt, sqlite3_int64 off, uint32_t *pgno)
{
    if (amt == 4) {
        /* the record's pgno, or (after an image) its checksum */
        int after_image = f->jstate == 2 && off == f->joff;
        f->jstate = after_image ? 0 : 1;
        f->joff = off + 4;
        return 0;
    }
    int is_image = f->jstate == 1 && off == f->joff && valid_page_size(amt) && *pgno != 0;
    f->jstate = is_image ? 2 : 0;
    f->joff = off + amt;
    return is_image;
}

static int journal_read(crypt_file *f, void *out, int amt, sqlite3_int64 off)
{
    int rc = REAL(f)->pMethods->xRead(REAL(f), out, amt, off);
    uint32_t pgno = f->jpgno;
    int image = journal_image(f, amt, off, &pgno);
    if (rc != SQLITE_OK) {
        f->jstate = 0;
        return rc;
    }
    if (amt == 4 && f->jstate == 1)
        f->jpgno = get_be32(out);
    if (image) {
        int d = page_cipher(f->ctx, 0, f->vfs->key, pgno, out, (size_t)amt);
        if (d != 0)
            return d == 1 ? SQLITE_NOTADB : SQLITE_IOERR_READ;
    }
    return SQLITE_OK;
}

static int journal_write(crypt_file *f, const void *data, int amt, sqlite3_int64 off)
{
    uint32_t pgno = f->jpgno;
    int image = journal_image(f, amt, off, &pgno);
    if (amt == 4 && f->jstate == 1)
        f->jpgno = get_be32(data);
    if (!image)
        return REAL(f)->pMethods->xWrite(REAL(f), data, amt, off);
    if (grow(f, (size_t)amt))
        return SQLITE_IOERR_NOMEM;
    memcpy(f->buf, data, (size_t)amt);
    if (page_cipher(f->ctx, 1, f->vfs->key, pgno, f->buf, (size_t)amt))
        return SQLITE_IOERR_WRITE;
    return REAL(f)->pMethods->xWrite(REAL(f), f->buf, amt, off);
}

/* AES-256-CTR keystream at byte offset off, XORed over data in place. */
static int temp_xor(crypt_file *f, unsigned char *data, size_t n, sqlite3_int64 off)
{
    unsigned char iv[16], skip[16] = {0};
    uint64_t block = (uint64_t)off / 16;
    memcpy(iv, f->tnonce, 8);
    for (int i = 0; i < 8; i++)
        iv[15 - i] = (unsigned char)(block >> (8 * i));
    int len = 0;
    if (EVP_EncryptInit_ex(f->ctx, EVP_aes_256_ctr(), NULL, f->tkey, iv) != 1)
        return -1;
    if (off % 16 && EVP_EncryptUpdate(f->ctx, skip, &len, skip, (int)(off % 16)) != 1)
        return -1;
    return EVP_EncryptUpdate(f->ctx, data, &len, data, (int)n) == 1 ? 0 : -1;
}

static int temp_read(crypt_file *f, void *out, int amt, sqlite3_int64 off)
{
    int rc = REAL(f)->pMethods->xRead(REAL(f), out, amt, off);
    size_t valid = (size_t)amt;
    if (rc == SQLITE_IOERR_SHORT_READ) {
        sqlite3_int64 size = 0;
        if (REAL(f)->pMethods->xFileSize(REAL(f), &size) != SQLITE_OK)
            return SQLITE_IOERR_READ;
        valid = size <= off ? 0 : (size_t)(size - off) < valid ? (size_t)(size - off) : valid;
    } else if (rc != SQLITE_OK) {
        return rc;
    }
    if (valid && temp_xor(f, out, valid, off))
        return SQLITE_IOERR_READ;
    return rc;
}

static int temp_write(crypt_file *f, const void *data, int amt, sqlite3_int64 off)
{
    if (grow(f, (size_t)amt))
        return SQLITE_IOERR_NOMEM;
    memcpy(f->buf, data, (size_t)amt);
    if (temp_xor(f, f->buf, (size_t)amt, off))
        return SQLITE_IOERR_WRITE;
    return REAL(f)->pMethods->xWrite(REAL(f), f->buf, amt, off);
}

static int x_read(sqlite3_file *pf, void *out, int amt, sqlite3_int64 off)
{
    crypt_file *f = (crypt_file *)pf;
    switch (f->kind) {
    case KIND_MAIN: return main_read(f, out, amt, off);
    case KIND_JOURNAL: return journal_read(f, out, amt, off);
    case KIND_TEMP: return temp_read(f, out, amt, off);
    default: return REAL(f)->pMethods->xRead(REAL(f), out, amt, off);
    }
}

static int x_write(sqlite3_file *pf, const void *data, int amt, sqlite3_int64 off)
{
    crypt_file *f = (crypt_file *)pf;
    switch (f->kind) {
    case KIND_MAIN: return main_write(f, data, amt, off);
    case KIND_JOURNAL: return journal_write(f, data, amt, off);
    case KIND_TEMP: return temp_write(f, data, amt, off);
    default: return REAL(f)->pMethods->xWrite(REAL(f), data, amt, off);
    }
}

static int x_close(sqlite3_file *pf)
{
    crypt_file *f = (crypt_file *)pf;
    int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
    EVP_CIPHER_CTX_free(f->ctx);
    f->ctx = NULL;
    if (f->buf) {
        OPENSSL_cleanse(f->buf, f->buf_cap);
        free(f->buf);
        f->buf = NULL;
    }
    OPENSSL_cleanse(f->tkey, sizeof f->tkey);
    return rc;
}

static int x_truncate(sqlite3_file *pf, sqlite3_int64 size)
{
    crypt_file *f = (crypt_file *)pf;
    f->jstate = 0;
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int x_sync(sqlite3_file *pf, int flags)
{
    return REAL((crypt_file *)pf)->pMethods->xSync(REAL((crypt_file *)pf), flags);
}

static int x_file_size(sqlite3_file *pf, sqlite3_int64 *size)
{
    return REAL((crypt_file *)pf)->pMethods->xFileSize(REAL((crypt_file *)pf), size);
}

static int x_lock(sqlite3_file *pf, int lock)
{
    return REAL((crypt_file *)pf)->pMethods->xLock(REAL((crypt_file *)pf), lock);
}

static int x_unlock(sqlite3_file *pf, int lock)
{
    return REAL((crypt_file *)pf)->pMethods->xUnlock(REAL((crypt_file *)pf), lock);
}

static int x_check_reserved(sqlite3_file *pf, int *out)
{
    return REAL((crypt_file *)pf)->pMethods->xCheckReservedLock(REAL((crypt_file *)pf), out);
}

static int x_file_control(sqlite3_file *pf, int op, void *arg)
{
    crypt_file *f = (crypt_file *)pf;
    /* Memory mapping would hand SQLite raw ciphertext. */
    if (op == SQLITE_FCNTL_MMAP_SIZE) {
        if (arg)
            *(sqlite3_int64 *)arg = 0;
        return SQLITE_OK;
    }
    if (op == SQLITE_FCNTL_VFSNAME) {
        if (arg)
            *(char **)arg = sqlite3_mprintf("%s", f->vfs->name);
        return SQLITE_OK;
    }
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int x_sector_size(sqlite3_file *pf)
{
    return REAL((crypt_file *)pf)->pMethods->xSectorSize(REAL((crypt_file *)pf));
}

static int x_device_characteristics(sqlite3_file *pf)
{
    /* Encrypted pages are whole-page units already; keep the real file's
     * guarantees except batch-atomic writes, which bypass the journal. */
    int c = REAL((crypt_file *)pf)->pMethods->xDeviceCharacteristics(REAL((crypt_file *)pf));
    return c & ~SQLITE_IOCAP_BATCH_ATOMIC;
}

/* Version 1: no shared memory (so no WAL) and no memory mapping. */
static const sqlite3_io_methods crypt_io = {
    1,
    x_close,
    x_read,
    x_write,
    x_truncate,
    x_sync,
    x_file_size,
    x_lock,
    x_unlock,
    x_check_reserved,
    x_file_control,
    x_sector_size,
    x_device_characteristics,
    NULL, NULL, NULL, NULL, NULL, NULL,
};

static int x_open(sqlite3_vfs *pv, sqlite3_filename name, sqlite3_file *pf, int flags,
                  int *out_flags)
{
    lsq_crypto_vfs *v = (lsq_crypto_vfs *)pv;
    crypt_file *f = (crypt_file *)pf;
    memset(f, 0, sizeof *f);
    f->real = (sqlite3_file *)(f + 1);
    f->vfs = v;
    if (flags & SQLITE_OPEN_WAL)
        return SQLITE_CANTOPEN;  /* see the file comment */
    if (flags & SQLITE_OPEN_MAIN_DB)
        f->kind = KIND_MAIN;
    else if (flags & SQLITE_OPEN_MAIN_JOURNAL)
        f->kind = KIND_JOURNAL;
    else if (flags & SQLITE_OPEN_SUPER_JOURNAL)
        f->kind = KIND_PLAIN;
    else
        f->kind = KIND_TEMP;
    f->ctx = EVP_CIPHER_CTX_new();
    if (!f->ctx)
        return SQLITE_NOMEM;
    if (f->kind == KIND_TEMP &&
        (RAND_bytes(f->tkey, sizeof f->tkey) != 1 || RAND_bytes(f->tnonce, sizeof f->tnonce) != 1)) {
        EVP_CIPHER_CTX_free(f->ctx);
        f->ctx = NULL;
        return SQLITE_IOERR;
    }
    int created = 0;
    if (name && (flags & SQLITE_OPEN_CREATE) && (f->kind == KIND_MAIN || f->kind == KIND_JOURNAL))
        created = access(name, F_OK) != 0;
    int rc = v->real->xOpen(v->real, name, f->real, flags, out_flags);
    if (rc != SQLITE_OK) {
        if (f->real->pMethods)
            f->real->pMethods->xClose(f->real);
        EVP_CIPHER_CTX_free(f->ctx);
        f->ctx = NULL;
        OPENSSL_cleanse(f->tkey, sizeof f->tkey);
        return rc;
    }
    if (created)
        chmod(name, 0600);
    f->base.pMethods = &crypt_io;
    return SQLITE_OK;
}

#define REALVFS(p) (((lsq_crypto_vfs *)(p))->real)

static int x_delete(sqlite3_vfs *p, const char *name, int sync_dir)
{
    return REALVFS(p)->xDelete(REALVFS(p), name, sync_dir);
}
static int x_access(sqlite3_vfs *p, const char *name, int flags, int *out)
{
    return REALVFS(p)->xAccess(REALVFS(p), name, flags, out);
}
static int x_full_pathname(sqlite3_vfs *p, const char *name, int n, char *out)
{
    return REALVFS(p)->xFullPathname(REALVFS(p), name, n, out);
}
static void *x_dlopen(sqlite3_vfs *p, const char *name)
{
    return REALVFS(p)->xDlOpen(REALVFS(p), name);
}
static void x_dlerror(sqlite3_vfs *p, int n, char *msg)
{
    REALVFS(p)->xDlError(REALVFS(p), n, msg);
}
static void (*x_dlsym(sqlite3_vfs *p, void *h, const char *sym))(void)
{
    return REALVFS(p)->xDlSym(REALVFS(p), h, sym);
}
static void x_dlclose(sqlite3_vfs *p, void *h) { REALVFS(p)->xDlClose(REALVFS(p), h); }
static int x_randomness(sqlite3_vfs *p, int n, char *out)
{
    return REALVFS(p)->xRandomness(REALVFS(p), n, out);
}
static int x_sleep(sqlite3_vfs *p, int us) { return REALVFS(p)->xSleep(REALVFS(p), us); }
static int x_current_time(sqlite3_vfs *p, double *t)
{
    return REALVFS(p)->xCurrentTime(REALVFS(p), t);
}
static int x_last_error(sqlite3_vfs *p, int n, char *msg)
{
    return REALVFS(p)->xGetLastError ? REALVFS(p)->xGetLastError(REALVFS(p), n, msg) : 0;
}
static int x_current_time64(sqlite3_vfs *p, sqlite3_int64 *t)
{
    if (REALVFS(p)->iVersion >= 2 && REALVFS(p)->xCurrentTimeInt64)
        return REALVFS(p)->xCurrentTimeInt64(REALVFS(p), t);
    double d = 0;
    int rc = REALVFS(p)->xCurrentTime(REALVFS(p), &d);
    *t = (sqlite3_int64)(d * 86400000.0);
    return rc;
}

/* ---- the registry: one VFS per key ---- */

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static lsq_crypto_vfs *registry;
static unsigned next_id;

lsq_status lsq_crypto_vfs_acquire(const char *passphrase, lsq_crypto_vfs **out, lsq_error *err)
{
    *out = NULL;
    if (!passphrase || !*passphrase)
        return lsq_fail(err, LSQ_ERR_MISUSE, 0, "an empty EncryptionKey is not a key");
    sqlite3_initialize();
    unsigned char key[LSQ_CRYPTO_KEY_BYTES];
    lsq_crypto_derive_key(passphrase, strlen(passphrase), key);
    pthread_mutex_lock(&registry_mu);
    lsq_crypto_vfs *v = registry;
    while (v && CRYPTO_memcmp(v->key, key, sizeof key) != 0)
        v = v->next;
    if (v) {
        v->refs++;
        pthread_mutex_unlock(&registry_mu);
        OPENSSL_cleanse(key, sizeof key);
        *out = v;
        return LSQ_OK;
    }
    sqlite3_vfs *real = sqlite3_vfs_find(NULL);
    v = real ? calloc(1, sizeof *v) : NULL;
    if (!v) {
        pthread_mutex_unlock(&registry_mu);
        OPENSSL_cleanse(key, sizeof key);
        return real ? lsq_fail(err, LSQ_ERR_NOMEM, 0, "out of memory")
                    : lsq_fail(err, LSQ_ERR_MISC, 0, "SQLite has no default VFS");
    }
    memcpy(v->key, key, sizeof key);
    OPENSSL_cleanse(key, sizeof key);
    v->real = real;
    snprintf(v->name, sizeof v->name, "lsq-crypt-%u", ++next_id);
    v->base.iVersion = 2;
    v->base.szOsFile = (int)sizeof(crypt_file) + real->szOsFile;
    v->base.mxPathname = real->mxPathname;
    v->base.zName = v->name;
    v->base.pAppData = NULL;
    v->base.xOpen = x_open;
    v->base.xDelete = x_delete;
    v->base.xAccess = x_access;
    v->base.xFullPathname = x_full_pathname;
    v->base.xDlOpen = x_dlopen;
    v->base.xDlError = x_dlerror;
    v->base.xDlSym = x_dlsym;
    v->base.xDlClose = x_dlclose;
    v->base.xRandomness = x_randomness;
    v->base.xSleep = x_sleep;
    v->base.xCurrentTime = x_current_time;
    v->base.xGetLastError = x_last_error;
    v->base.xCurrentTimeInt64 = x_current_time64;
    int rc = sqlite3_vfs_register(&v->base, 0);
    if (rc != SQLITE_OK) {
        pthread_mutex_unlock(&registry_mu);
        OPENSSL_cleanse(v->key, sizeof v->key);
        free(v);
        return lsq_fail(err, LSQ_ERR_MISC, rc, "cannot register the encryption VFS: %s",
                        sqlite3_errstr(rc));
    }
    v->refs = 1;
    v->next = registry;
    registry = v;
    pthread_mutex_unlock(&registry_mu);
    *out = v;
    return LSQ_OK;
}

void lsq_crypto_vfs_release(lsq_crypto_vfs *v)
{
    if (!v)
        return;
    pthread_mutex_lock(&registry_mu);
    if (--v->refs > 0) {
        pthread_mutex_unlock(&registry_mu);
        return;
    }
    lsq_crypto_vfs **pp = &registry;
    while (*pp && *pp != v)
        pp = &(*pp)->next;
    if (*pp)
        *pp = v->next;
    sqlite3_vfs_unregister(&v->base);
    pthread_mutex_unlock(&registry_mu);
    OPENSSL_cleanse(v->key, sizeof v->key);
    free(v);
}

const char *lsq_crypto_vfs_name(const lsq_crypto_vfs *v) { return v ? v->name : NULL; }

/* ---- connect-time check ---- */

/* Read `n` bytes at offset 0 of the file through SQLite's default VFS.
 * Never open()/close() a database file behind SQLite's back: POSIX record
 * locks belong to the process, and closing ANY descriptor of the file drops
 * all of them, including another connection's (or the page applier's) lock,
 * after which a second process may roll a live journal back. The unix VFS
 * shares one inode record per file and defers such closes. Returns the
 * bytes read (0 for an empty file) or -1 when the file cannot be opened. */
static ssize_t read_head(const char *path, unsigned char *buf, size_t n)
{
    sqlite3_vfs *vfs = sqlite3_vfs_find(NULL);
    sqlite3_file *f = vfs ? calloc(1, (size_t)vfs->szOsFile) : NULL;
    if (!f)
        return -1;
    int flags = 0;
    int rc = vfs->xOpen(vfs, path, f, SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_READONLY, &flags);
    if (rc != SQLITE_OK) {
        if (f->pMethods)
            f->pMethods->xClose(f);
        free(f);
        return -1;
    }
    sqlite3_int64 size = 0;
    ssize_t got = -1;
    if (f->pMethods->xFileSize(f, &size) == SQLITE_OK) {
        size_t want = (size_t)size < n ? (size_t)size : n;
        got = want == 0 ? 0
                        : (f->pMethods->xRead(f, buf, (int)want, 0) == SQLITE_OK ? (ssize_t)want
                                                                                : -1);
    }
    f->pMethods->xClose(f);
    free(f);
    return got;
}

lsq_status lsq_crypto_check_file(const char *path, const char *passphrase, lsq_error *err)
{
    int has_key = passphrase && *passphrase;
    struct stat sb;
    if (!path || stat(path, &sb) != 0)
        return LSQ_OK;  /* absent (or unreadable: the open reports it) */
    unsigned char hdr[100];
    ssize_t n = read_head(path, hdr, sizeof hdr);
    if (n <= 0)
        return LSQ_OK;
    int plain = n >= 16 && memcmp(hdr, sqlite_magic, 16) == 0;
    long ps = n >= 24 ? header_page_size(hdr + 16) : 0;
    /* bytes 21-23 (payload fractions) are 64, 32, 32 in every SQLite file and
     * stay readable in an encrypted one: together with a valid page size
     * they tell an encrypted database from any other file. */
    int looks_encrypted = !plain && valid_page_size(ps) && hdr[21] == 64 && hdr[22] == 32 &&
                          hdr[23] == 32;
    lsq_status st = LSQ_OK;
    if (!has_key) {
        if (looks_encrypted)
            st = lsq_fail(err, LSQ_ERR_AUTH, SQLITE_NOTADB,
                          "cannot open '%s': the file is encrypted but no EncryptionKey was "
                          "given", path);
    } else if (plain) {
        st = lsq_fail(err, LSQ_ERR_AUTH, SQLITE_NOTADB,
                      "cannot open '%s': EncryptionKey given but the file is not encrypted",
                      path);
    } else if (!looks_encrypted) {
        st = lsq_fail(err, LSQ_ERR_AUTH, SQLITE_NOTADB,
                      "cannot open '%s': wrong EncryptionKey, or the file is not a database",
                      path);
    } else {
        unsigned char key[LSQ_CRYPTO_KEY_BYTES];
        unsigned char *page = malloc((size_t)ps);
        ssize_t got = page ? read_head(path, page, (size_t)ps) : -1;
        int d = -1;
        if (got == ps) {
            lsq_crypto_derive_key(passphrase, strlen(passphrase), key);
            d = lsq_crypto_decrypt_page(key, 1, page, (size_t)ps);
            OPENSSL_cleanse(key, sizeof key);
            OPENSSL_cleanse(page, (size_t)ps);
        }
        free(page);
        if (d != 0)
            st = lsq_fail(err, LSQ_ERR_AUTH, SQLITE_NOTADB,
                          "cannot open '%s': wrong EncryptionKey (page 1 does not decrypt)",
                          path);
    }
    return st;
}
