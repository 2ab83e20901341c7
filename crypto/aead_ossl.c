/*
 * OpenSSL AEAD backend: one EVP_CIPHER_CTX per direction, keyed once in aead_ossl_init; each
 * op only sets the nonce (EVP_CipherInit_ex with no cipher and no key).
 */
#include <errno.h>
#include <limits.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/aead_internal.h"

static const EVP_CIPHER *ossl_cipher(const struct aead *a)
{
	if (a->alg == AEAD_CHACHA20_POLY1305)
		return EVP_chacha20_poly1305();
	switch (a->key_len) {
	case 16:
		return EVP_aes_128_gcm();
	case 24:
		return EVP_aes_192_gcm();
	case 32:
		return EVP_aes_256_gcm();
	}
	return NULL;
}

static EVP_CIPHER_CTX *keyed_ctx(const EVP_CIPHER *cipher, const uint8_t *key, int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (ctx == NULL)
		return NULL;
	if (EVP_CipherInit_ex(ctx, cipher, NULL, NULL, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, AEAD_NONCE_LEN, NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, NULL, enc) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int aead_ossl_init(struct aead *a, const uint8_t *key)
{
	const EVP_CIPHER *cipher = ossl_cipher(a);

	if (cipher == NULL)
		return -EINVAL;
	a->ossl_enc = keyed_ctx(cipher, key, 1);
	a->ossl_dec = keyed_ctx(cipher, key, 0);
	if (a->ossl_enc == NULL || a->ossl_dec == NULL) {
		aead_ossl_clear(a);
		return -EIO;
	}
	return 0;
}

void aead_ossl_clear(struct aead *a)
{
	/* EVP_CIPHER_CTX_free cleanses the key schedule. */
	EVP_CIPHER_CTX_free(a->ossl_enc);
	EVP_CIPHER_CTX_free(a->ossl_dec);
	a->ossl_enc = NULL;
	a->ossl_dec = NULL;
}

/* Sets the nonce and feeds the AAD and the data (in place). */
static int start_op(const struct aead *a, EVP_CIPHER_CTX *ctx, const struct aead_op *op)
{
	uint8_t nonce[AEAD_NONCE_LEN];
	int outl;

	if (op->len > INT_MAX || op->aad_len > INT_MAX)
		return -EINVAL;
	aead_nonce(a, op->iv, nonce);
	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, -1) != 1)
		return -EIO;
	if (op->aad_len > 0 && EVP_CipherUpdate(ctx, NULL, &outl, op->aad, (int)op->aad_len) != 1)
		return -EIO;
	if (op->len > 0 && (EVP_CipherUpdate(ctx, op->data, &outl, op->data, (int)op->len) != 1 ||
			    (size_t)outl != op->len))
		return -EIO;
	return 0;
}

int aead_ossl_seal(struct aead *a, struct aead_op *ops, unsigned n)
{
	uint8_t none[16];
	int outl;

	for (unsigned i = 0; i < n; i++) {
		struct aead_op *op = &ops[i];
		int r = start_op(a, a->ossl_enc, op);

		if (r < 0)
			return r;
		if (EVP_CipherFinal_ex(a->ossl_enc, none, &outl) != 1 ||
		    EVP_CIPHER_CTX_ctrl(a->ossl_enc, EVP_CTRL_AEAD_GET_TAG, AEAD_TAG_LEN,
					op->tag) != 1)
			return -EIO;
	}
	return 0;
}

int aead_ossl_open(struct aead *a, struct aead_op *ops, unsigned n)
{
	uint8_t none[16];
	int outl, bad = 0;

	for (unsigned i = 0; i < n; i++) {
		struct aead_op *op = &ops[i];

		/* The tag is set before Final, which compares it in constant time. */
		bool ok = start_op(a, a->ossl_dec, op) == 0 &&
			  EVP_CIPHER_CTX_ctrl(a->ossl_dec, EVP_CTRL_AEAD_SET_TAG, AEAD_TAG_LEN,
					      op->tag) == 1 &&
			  EVP_CipherFinal_ex(a->ossl_dec, none, &outl) == 1;

		op->status = ok ? 0 : -EBADMSG;
		if (op->status < 0) {
			OPENSSL_cleanse(op->data, op->len);
			bad = 1;
		}
	}
	return bad ? -EBADMSG : 0;
}
