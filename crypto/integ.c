/* HMAC-SHA2 truncated to half its output (RFC 4868 section 2.3), keyed with a full-size key. */
#include "crypto/integ.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/hmac.h"

static const char *integ_digest(enum integ_alg alg)
{
	switch (alg) {
	case INTEG_HMAC_SHA2_256_128:
		return "SHA2-256";
	case INTEG_HMAC_SHA2_384_192:
		return "SHA2-384";
	case INTEG_HMAC_SHA2_512_256:
		return "SHA2-512";
	}
	return NULL;
}

size_t integ_key_size(enum integ_alg alg)
{
	switch (alg) {
	case INTEG_HMAC_SHA2_256_128:
		return 32;
	case INTEG_HMAC_SHA2_384_192:
		return 48;
	case INTEG_HMAC_SHA2_512_256:
		return 64;
	}
	return 0;
}

size_t integ_icv_size(enum integ_alg alg)
{
	return integ_key_size(alg) / 2;
}

int integ_compute(enum integ_alg alg, const uint8_t *key, const uint8_t *data, size_t len,
		  uint8_t *icv)
{
	const char *digest = integ_digest(alg);
	uint8_t mac[64];
	int r;

	if (digest == NULL)
		return -EINVAL;
	r = crypto_hmac(digest, key, integ_key_size(alg), data, len, mac, sizeof(mac));
	if (r >= 0) {
		memcpy(icv, mac, integ_icv_size(alg));
		r = 0;
	}
	OPENSSL_cleanse(mac, sizeof(mac));
	return r;
}

int integ_verify(enum integ_alg alg, const uint8_t *key, const uint8_t *data, size_t len,
		 const uint8_t *icv)
{
	uint8_t want[INTEG_MAX_ICV_SIZE];
	int r = integ_compute(alg, key, data, len, want);

	if (r == 0 && CRYPTO_memcmp(want, icv, integ_icv_size(alg)) != 0)
		r = -EBADMSG;
	OPENSSL_cleanse(want, sizeof(want));
	return r;
}
