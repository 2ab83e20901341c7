/* Shared between aead.c and its backends; not part of the module's API. */
#ifndef TERN_CRYPTO_AEAD_INTERNAL_H
#define TERN_CRYPTO_AEAD_INTERNAL_H

#include <stdbool.h>

#include <openssl/evp.h>

#include "crypto/aead.h"

struct aead_imb;

struct aead {
	enum aead_alg alg;
	enum aead_backend backend; /* never AUTO once created */
	size_t key_len;
	uint8_t salt[AEAD_SALT_LEN];
	EVP_CIPHER_CTX *ossl_enc; /* OpenSSL: one context per direction, keyed once */
	EVP_CIPHER_CTX *ossl_dec;
	struct aead_imb *imb; /* ipsec-mb: expanded keys and per-op context */
};

/* Builds nonce = salt || iv. */
static inline void aead_nonce(const struct aead *a, const uint8_t *iv,
			      uint8_t nonce[AEAD_NONCE_LEN])
{
	for (int i = 0; i < AEAD_SALT_LEN; i++)
		nonce[i] = a->salt[i];
	for (int i = 0; i < AEAD_IV_LEN; i++)
		nonce[AEAD_SALT_LEN + i] = iv[i];
}

int aead_ossl_init(struct aead *a, const uint8_t *key);
void aead_ossl_clear(struct aead *a);
int aead_ossl_seal(struct aead *a, struct aead_op *ops, unsigned n);
int aead_ossl_open(struct aead *a, struct aead_op *ops, unsigned n);

#ifdef HAVE_IPSECMB
bool aead_imb_available(enum aead_alg alg);
int aead_imb_init(struct aead *a, const uint8_t *key);
void aead_imb_clear(struct aead *a);
int aead_imb_seal(struct aead *a, struct aead_op *ops, unsigned n);
int aead_imb_open(struct aead *a, struct aead_op *ops, unsigned n);
#endif

#endif
