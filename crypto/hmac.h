/* HMAC helper shared by prf.c and integ.c (not a public module API). */
#ifndef TERN_CRYPTO_HMAC_H
#define TERN_CRYPTO_HMAC_H

#include <stddef.h>
#include <stdint.h>

/* A keyed HMAC context: keyed once, then any number of messages. */
struct crypto_hmac;

/* digest: an OpenSSL digest name ("SHA2-256"). 0, -ENOMEM or -EIO. */
int crypto_hmac_new(struct crypto_hmac **out, const char *digest, const uint8_t *key,
		    size_t key_len);
void crypto_hmac_free(struct crypto_hmac *h);
/* Starts a new message under the same key. */
int crypto_hmac_begin(struct crypto_hmac *h);
int crypto_hmac_update(struct crypto_hmac *h, const uint8_t *data, size_t len);
/* Writes the full MAC (out_cap must be at least the digest size); returns its length. */
int crypto_hmac_end(struct crypto_hmac *h, uint8_t *out, size_t out_cap);

/* One shot: returns the MAC length or a negative errno. */
int crypto_hmac(const char *digest, const uint8_t *key, size_t key_len, const uint8_t *data,
		size_t len, uint8_t *out, size_t out_cap);

#endif
