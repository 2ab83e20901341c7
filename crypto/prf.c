/* IKEv2 PRFs over HMAC-SHA2, and prf+ written as in RFC 7296 section 2.13. */
#include "crypto/prf.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/hmac.h"

static const char *prf_digest(enum prf_alg alg)
{
	switch (alg) {
	case PRF_HMAC_SHA2_256:
		return "SHA2-256";
	case PRF_HMAC_SHA2_384:
		return "SHA2-384";
	case PRF_HMAC_SHA2_512:
		return "SHA2-512";
	}
	return NULL;
}

size_t prf_size(enum prf_alg alg)
{
	switch (alg) {
	case PRF_HMAC_SHA2_256:
		return 32;
	case PRF_HMAC_SHA2_384:
		return 48;
	case PRF_HMAC_SHA2_512:
		return 64;
	}
	return 0;
}

int prf_compute(enum prf_alg alg, const uint8_t *key, size_t key_len, const uint8_t *data,
		size_t len, uint8_t *out)
{
	const char *digest = prf_digest(alg);
	int r;

	if (digest == NULL)
		return -EINVAL;
	r = crypto_hmac(digest, key, key_len, data, len, out, prf_size(alg));
	return r < 0 ? r : 0;
}

int prf_plus(enum prf_alg alg, const uint8_t *key, size_t key_len, const uint8_t *seed,
	     size_t seed_len, uint8_t *out, size_t out_len)
{
	const char *digest = prf_digest(alg);
	size_t hlen = prf_size(alg);
	uint8_t t[PRF_MAX_SIZE];
	struct crypto_hmac *h;
	size_t done = 0;
	int r;

	if (digest == NULL || out_len > 255 * hlen)
		return -EINVAL;
	r = crypto_hmac_new(&h, digest, key, key_len);
	if (r < 0)
		return r;
	for (uint8_t n = 1; done < out_len; n++) {
		size_t take = out_len - done < hlen ? out_len - done : hlen;

		/* Tn = prf (K, T(n-1) | S | n), where T0 is empty */
		r = crypto_hmac_begin(h);
		if (r == 0 && n > 1)
			r = crypto_hmac_update(h, t, hlen);
		if (r == 0)
			r = crypto_hmac_update(h, seed, seed_len);
		if (r == 0)
			r = crypto_hmac_update(h, &n, 1);
		if (r == 0)
			r = crypto_hmac_end(h, t, sizeof(t));
		if (r < 0)
			break;
		r = 0;
		memcpy(out + done, t, take);
		done += take;
	}
	crypto_hmac_free(h);
	OPENSSL_cleanse(t, sizeof(t));
	if (r < 0)
		OPENSSL_cleanse(out, out_len);
	return r;
}
