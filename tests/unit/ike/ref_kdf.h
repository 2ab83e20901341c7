/* An independent IKEv2 key derivation for tests, written straight from RFC 7296 2.13, 2.14
 * and 2.17 with OpenSSL's HMAC() one-shot. It shares no code with client/ike/keys.c, so tern's
 * keys can be checked against it (and the fake gateway derives its keys with it). */
#ifndef TERN_TESTS_IKE_REF_KDF_H
#define TERN_TESTS_IKE_REF_KDF_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

enum { REF_KEY_MAX = 64 };

/* The digest of a PRF transform ID (5, 6, 7: HMAC-SHA2-256/384/512), or NULL. */
const EVP_MD *ref_prf_md(uint16_t prf_id);

/* prf(K, S) = HMAC-SHA2(K, S). Returns the output length, 0 on error. */
size_t ref_prf(uint16_t prf_id, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len,
	       uint8_t *out);

/* prf+ (K,S) = T1 | T2 | ..., T1 = prf (K, S | 0x01), Tn = prf (K, T(n-1) | S | n).
 * Returns 0, or -1 when out_len is more than 255 blocks. */
int ref_prf_plus(uint16_t prf_id, const uint8_t *key, size_t key_len, const uint8_t *seed,
		 size_t seed_len, uint8_t *out, size_t out_len);

/* The seven IKE SA keys with their lengths (2.14). */
struct ref_keys {
	size_t prf_len, integ_len, encr_len;
	uint8_t skeyseed[REF_KEY_MAX];
	uint8_t sk_d[REF_KEY_MAX], sk_ai[REF_KEY_MAX], sk_ar[REF_KEY_MAX];
	uint8_t sk_ei[REF_KEY_MAX], sk_er[REF_KEY_MAX], sk_pi[REF_KEY_MAX], sk_pr[REF_KEY_MAX];
};

/* SKEYSEED = prf(Ni | Nr, g^ir);
 * {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+ (SKEYSEED, Ni | Nr | SPIi | SPIr)
 * with SPIs as 8 octets in network order. integ_len and encr_len are the key lengths the
 * negotiated transforms need (AEAD: key plus 4-octet salt, RFC 5282 7.1 / RFC 7634 2). */
int ref_ike_keys(uint16_t prf_id, size_t integ_len, size_t encr_len, const uint8_t *ni,
		 size_t ni_len, const uint8_t *nr, size_t nr_len, const uint8_t *gir,
		 size_t gir_len, uint64_t spi_i, uint64_t spi_r, struct ref_keys *k);

#endif
