/* HMAC through OpenSSL 3's EVP_MAC, with the MAC implementation fetched once per process. */
#include "crypto/hmac.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

struct crypto_hmac {
	EVP_MAC_CTX *ctx;
};

static EVP_MAC *hmac_mac;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void fetch_hmac(void)
{
	hmac_mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
}

int crypto_hmac_new(struct crypto_hmac **out, const char *digest, const uint8_t *key,
		    size_t key_len)
{
	OSSL_PARAM params[2];
	struct crypto_hmac *h;

	*out = NULL;
	pthread_once(&hmac_once, fetch_hmac);
	if (hmac_mac == NULL)
		return -EIO;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	h->ctx = EVP_MAC_CTX_new(hmac_mac);
	if (h->ctx == NULL) {
		free(h);
		return -ENOMEM;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	/* HMAC accepts an empty key; OpenSSL needs a non-NULL pointer for it. */
	if (EVP_MAC_init(h->ctx, key_len ? key : (const uint8_t *)"", key_len, params) != 1) {
		crypto_hmac_free(h);
		return -EIO;
	}
	*out = h;
	return 0;
}

void crypto_hmac_free(struct crypto_hmac *h)
{
	if (h == NULL)
		return;
	EVP_MAC_CTX_free(h->ctx); /* the provider cleanses its key copy */
	free(h);
}

int crypto_hmac_begin(struct crypto_hmac *h)
{
	/* A NULL key re-initialises for a new message and keeps the key. */
	return EVP_MAC_init(h->ctx, NULL, 0, NULL) == 1 ? 0 : -EIO;
}

int crypto_hmac_update(struct crypto_hmac *h, const uint8_t *data, size_t len)
{
	if (len == 0)
		return 0;
	return EVP_MAC_update(h->ctx, data, len) == 1 ? 0 : -EIO;
}

int crypto_hmac_end(struct crypto_hmac *h, uint8_t *out, size_t out_cap)
{
	size_t n = 0;

	if (EVP_MAC_final(h->ctx, out, &n, out_cap) != 1)
		return -EIO;
	return (int)n;
}

int crypto_hmac(const char *digest, const uint8_t *key, size_t key_len, const uint8_t *data,
		size_t len, uint8_t *out, size_t out_cap)
{
	struct crypto_hmac *h;
	int r = crypto_hmac_new(&h, digest, key, key_len);

	if (r < 0)
		return r;
	r = crypto_hmac_update(h, data, len);
	if (r == 0)
		r = crypto_hmac_end(h, out, out_cap);
	crypto_hmac_free(h);
	return r;
}
