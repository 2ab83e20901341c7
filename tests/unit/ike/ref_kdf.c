/* Reference IKEv2 key derivation (RFC 7296 2.13, 2.14) for tests: OpenSSL HMAC() only. */
#include "tests/unit/ike/ref_kdf.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/hmac.h>

const EVP_MD *ref_prf_md(uint16_t prf_id)
{
	switch (prf_id) {
	case 5:
		return EVP_sha256();
	case 6:
		return EVP_sha384();
	case 7:
		return EVP_sha512();
	default:
		return NULL;
	}
}

size_t ref_prf(uint16_t prf_id, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len,
	       uint8_t *out)
{
	const EVP_MD *md = ref_prf_md(prf_id);
	unsigned int n = 0;
	if (!md || !HMAC(md, key, (int)key_len, data, len, out, &n))
		return 0;
	return n;
}

int ref_prf_plus(uint16_t prf_id, const uint8_t *key, size_t key_len, const uint8_t *seed,
		 size_t seed_len, uint8_t *out, size_t out_len)
{
	const EVP_MD *md = ref_prf_md(prf_id);
	if (!md)
		return -1;
	size_t hlen = (size_t)EVP_MD_get_size(md);
	if (out_len > 255 * hlen)
		return -1;
	uint8_t t[REF_KEY_MAX];
	size_t t_len = 0;
	uint8_t *buf = malloc(REF_KEY_MAX + seed_len + 1);
	if (!buf)
		return -1;
	for (unsigned n = 1; out_len > 0; n++) {
		/* Tn = prf (K, T(n-1) | S | n), T0 empty */
		memcpy(buf, t, t_len);
		memcpy(buf + t_len, seed, seed_len);
		buf[t_len + seed_len] = (uint8_t)n;
		unsigned int len = 0;
		if (!HMAC(md, key, (int)key_len, buf, t_len + seed_len + 1, t, &len)) {
			free(buf);
			return -1;
		}
		t_len = len;
		size_t take = out_len < t_len ? out_len : t_len;
		memcpy(out, t, take);
		out += take;
		out_len -= take;
	}
	free(buf);
	return 0;
}

int ref_ike_keys(uint16_t prf_id, size_t integ_len, size_t encr_len, const uint8_t *ni,
		 size_t ni_len, const uint8_t *nr, size_t nr_len, const uint8_t *gir,
		 size_t gir_len, uint64_t spi_i, uint64_t spi_r, struct ref_keys *k)
{
	uint8_t seed[1024];
	uint8_t keymat[7 * REF_KEY_MAX];
	memset(k, 0, sizeof(*k));
	if (ni_len + nr_len + 16 > sizeof(seed) || integ_len > REF_KEY_MAX ||
	    encr_len > REF_KEY_MAX)
		return -1;
	memcpy(seed, ni, ni_len);
	memcpy(seed + ni_len, nr, nr_len);
	/* SKEYSEED = prf(Ni | Nr, g^ir) */
	k->prf_len = ref_prf(prf_id, seed, ni_len + nr_len, gir, gir_len, k->skeyseed);
	if (!k->prf_len)
		return -1;
	for (int i = 0; i < 8; i++) {
		seed[ni_len + nr_len + i] = (uint8_t)(spi_i >> (56 - 8 * i));
		seed[ni_len + nr_len + 8 + i] = (uint8_t)(spi_r >> (56 - 8 * i));
	}
	k->integ_len = integ_len;
	k->encr_len = encr_len;
	size_t total = 3 * k->prf_len + 2 * integ_len + 2 * encr_len;
	if (ref_prf_plus(prf_id, k->skeyseed, k->prf_len, seed, ni_len + nr_len + 16, keymat,
			 total))
		return -1;
	const uint8_t *p = keymat;
	uint8_t *dst[7] = {k->sk_d, k->sk_ai, k->sk_ar, k->sk_ei, k->sk_er, k->sk_pi, k->sk_pr};
	size_t len[7] = {k->prf_len, integ_len,	 integ_len, encr_len,
			 encr_len,   k->prf_len, k->prf_len};
	for (int i = 0; i < 7; i++) {
		memcpy(dst[i], p, len[i]);
		p += len[i];
	}
	return 0;
}
