/* One-shot message digests. Each returns 0 or -EIO. */
#ifndef TERN_CRYPTO_HASH_H
#define TERN_CRYPTO_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_SHA1_LEN	20
#define HASH_SHA256_LEN 32
#define HASH_MD5_LEN	16

int hash_sha1(const void *data, size_t len, uint8_t out[20]);
int hash_sha256(const void *data, size_t len, uint8_t out[32]);
int hash_md5(const void *data, size_t len, uint8_t out[16]);

#endif
