/* IKE SA and CHILD SA key derivation, in RFC 7296's notation. */
#include "client/ike/keys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/ike/ikev2.h"
#include "crypto/integ.h"
#include "crypto/prf.h"

int ike_algs_from_prop(const struct prop *p, struct ike_algs *a)
{
	memset(a, 0, sizeof(*a));
	for (unsigned i = 0; i < p->n; i++) {
		const struct prop_transform *t = &p->t[i];
		switch (t->type) {
		case TT_ENCR:
			a->encr = t->id;
			a->key_bits = t->id == ENCR_CHACHA20_POLY1305 ? 256 : t->key_bits;
			break;
		case TT_PRF:
			a->prf = t->id;
			break;
		case TT_INTEG:
			a->integ = t->id;
			break;
		case TT_DH:
			a->dh = t->id;
			break;
		default:
			break;
		}
	}
	if (!ike_encr_keymat_len(a->encr, a->key_bits))
		return -EINVAL;
	bool aead = a->encr != ENCR_AES_CBC;
	if (aead != (a->integ == 0))
		return -EINVAL;
	if (!aead && !integ_key_size(a->integ))
		return -EINVAL;
	return 0;
}

size_t ike_encr_keymat_len(uint16_t encr, uint16_t key_bits)
{
	switch (encr) {
	case ENCR_AES_CBC:
		return key_bits == 128 || key_bits == 192 || key_bits == 256 ? key_bits / 8 : 0;
	case ENCR_AES_GCM_16:
		return key_bits == 128 || key_bits == 256 ? key_bits / 8 + AEAD_SALT_LEN : 0;
	case ENCR_CHACHA20_POLY1305:
		return 32 + AEAD_SALT_LEN;
	default:
		return 0;
	}
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static enum aead_alg aead_of(uint16_t encr)
{
	return encr == ENCR_CHACHA20_POLY1305 ? AEAD_CHACHA20_POLY1305 : AEAD_AES_GCM_16;
}

static int split_keys(struct ike_keys *k, const struct ike_algs *alg, const uint8_t *skeyseed,
		      const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		      uint64_t spi_i, uint64_t spi_r)
{
	uint8_t seed[256 + 256 + 16];
	uint8_t keymat[7 * IKE_KEY_MAX];
	size_t total = 3 * k->prf_len + 2 * k->encr_len + 2 * k->integ_len;

	/* {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+ (SKEYSEED, Ni | Nr | SPIi |
	 * SPIr) */
	memcpy(seed, ni, ni_len);
	memcpy(seed + ni_len, nr, nr_len);
	size_t slen = ni_len + nr_len;
	put_be64(seed + slen, spi_i);
	put_be64(seed + slen + 8, spi_r);
	slen += 16;
	int err = prf_plus(alg->prf, skeyseed, k->prf_len, seed, slen, keymat, total);
	if (!err) {
		const uint8_t *p = keymat;
		memcpy(k->sk_d, p, k->prf_len), p += k->prf_len;
		memcpy(k->sk_ai, p, k->integ_len), p += k->integ_len;
		memcpy(k->sk_ar, p, k->integ_len), p += k->integ_len;
		memcpy(k->sk_ei, p, k->encr_len), p += k->encr_len;
		memcpy(k->sk_er, p, k->encr_len), p += k->encr_len;
		memcpy(k->sk_pi, p, k->prf_len), p += k->prf_len;
		memcpy(k->sk_pr, p, k->prf_len);
	}
	if (!err && k->aead) {
		err = aead_new(&k->aead_i, aead_of(alg->encr), k->sk_ei, k->encr_len);
		if (!err)
			err = aead_new(&k->aead_r, aead_of(alg->encr), k->sk_er, k->encr_len);
	}
	OPENSSL_cleanse(keymat, sizeof(keymat));
	OPENSSL_cleanse(seed, sizeof(seed));
	return err;
}

static int keys_init(struct ike_keys *k, const struct ike_algs *alg, size_t ni_len, size_t nr_len)
{
	memset(k, 0, sizeof(*k));
	k->alg = *alg;
	k->aead = alg->encr != ENCR_AES_CBC;
	k->prf_len = prf_size(alg->prf);
	k->encr_len = ike_encr_keymat_len(alg->encr, alg->key_bits);
	k->integ_len = k->aead ? 0 : integ_key_size(alg->integ);
	if (!k->prf_len || !k->encr_len || (!k->aead && !k->integ_len))
		return -EINVAL;
	if (ni_len > 256 || nr_len > 256)
		return -EINVAL;
	return 0;
}

int ike_keys_derive(struct ike_keys *k, const struct ike_algs *alg, const uint8_t *ni,
		    size_t ni_len, const uint8_t *nr, size_t nr_len, const uint8_t *gir,
		    size_t gir_len, uint64_t spi_i, uint64_t spi_r)
{
	uint8_t nonces[512];
	uint8_t skeyseed[IKE_KEY_MAX];
	int err = keys_init(k, alg, ni_len, nr_len);
	if (err)
		return err;
	/* SKEYSEED = prf(Ni | Nr, g^ir) */
	memcpy(nonces, ni, ni_len);
	memcpy(nonces + ni_len, nr, nr_len);
	err = prf_compute(alg->prf, nonces, ni_len + nr_len, gir, gir_len, skeyseed);
	if (!err)
		err = split_keys(k, alg, skeyseed, ni, ni_len, nr, nr_len, spi_i, spi_r);
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	OPENSSL_cleanse(nonces, sizeof(nonces));
	if (err)
		ike_keys_wipe(k);
	return err;
}

int ike_keys_rekey(struct ike_keys *k, const struct ike_keys *old, const struct ike_algs *alg,
		   const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		   const uint8_t *gir, size_t gir_len, uint64_t spi_i, uint64_t spi_r)
{
	uint8_t data[512 + 512];
	uint8_t skeyseed[IKE_KEY_MAX];
	if (gir_len > 512)
		return -EINVAL;
	int err = keys_init(k, alg, ni_len, nr_len);
	if (err)
		return err;
	/* SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) */
	memcpy(data, gir, gir_len);
	memcpy(data + gir_len, ni, ni_len);
	memcpy(data + gir_len + ni_len, nr, nr_len);
	err = prf_compute(old->alg.prf, old->sk_d, old->prf_len, data, gir_len + ni_len + nr_len,
			  skeyseed);
	if (!err)
		err = split_keys(k, alg, skeyseed, ni, ni_len, nr, nr_len, spi_i, spi_r);
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	OPENSSL_cleanse(data, sizeof(data));
	if (err)
		ike_keys_wipe(k);
	return err;
}

int ike_child_keymat_pfs(const struct ike_keys *k, size_t key_len, const uint8_t *gir,
			 size_t gir_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
			 size_t nr_len, uint8_t *i2r, uint8_t *r2i)
{
	uint8_t seed[512 + 512];
	uint8_t keymat[2 * IKE_KEY_MAX];
	if (gir_len + ni_len + nr_len > sizeof(seed) || key_len > IKE_KEY_MAX)
		return -EINVAL;
	if (gir_len)
		memcpy(seed, gir, gir_len);
	memcpy(seed + gir_len, ni, ni_len);
	memcpy(seed + gir_len + ni_len, nr, nr_len);
	/* KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) */
	int err = prf_plus(k->alg.prf, k->sk_d, k->prf_len, seed, gir_len + ni_len + nr_len, keymat,
			   2 * key_len);
	if (!err) {
		memcpy(i2r, keymat, key_len);
		memcpy(r2i, keymat + key_len, key_len);
	}
	OPENSSL_cleanse(keymat, sizeof(keymat));
	OPENSSL_cleanse(seed, sizeof(seed));
	return err;
}

int ike_child_keymat(const struct ike_keys *k, size_t key_len, const uint8_t *ni, size_t ni_len,
		     const uint8_t *nr, size_t nr_len, uint8_t *i2r, uint8_t *r2i)
{
	return ike_child_keymat_pfs(k, key_len, NULL, 0, ni, ni_len, nr, nr_len, i2r, r2i);
}

void ike_keys_wipe(struct ike_keys *k)
{
	if (k->aead_i)
		aead_free(k->aead_i);
	if (k->aead_r)
		aead_free(k->aead_r);
	OPENSSL_cleanse(k, sizeof(*k));
}
