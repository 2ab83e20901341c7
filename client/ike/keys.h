/* IKE SA and CHILD SA key derivation (RFC 7296 2.13, 2.14, 2.17; RFC 5282 for AEAD salts). */
#ifndef TERN_IKE_KEYS_H
#define TERN_IKE_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/aead.h"
#include "client/proposal.h"

enum { IKE_KEY_MAX = 64 };

/* The negotiated IKE SA algorithms, from the responder's chosen proposal. */
struct ike_algs {
	uint16_t encr;	   /* ENCR_* */
	uint16_t key_bits; /* 128/256 for AES; 256 for ChaCha20 */
	uint16_t prf;	   /* PRF_* */
	uint16_t integ;	   /* INTEG_*, 0 for AEAD */
	uint16_t dh;	   /* DH group */
};

struct ike_keys {
	struct ike_algs alg;
	bool aead;
	bool responder;	  /* we are the original responder: seal with the _r keys, open with _i */
	size_t prf_len;	  /* length of SK_d, SK_pi, SK_pr */
	size_t encr_len;  /* length of SK_ei/SK_er, with the 4-byte salt for AEAD */
	size_t integ_len; /* length of SK_ai/SK_ar, 0 for AEAD */
	uint8_t sk_d[IKE_KEY_MAX];
	uint8_t sk_ai[IKE_KEY_MAX], sk_ar[IKE_KEY_MAX];
	uint8_t sk_ei[IKE_KEY_MAX], sk_er[IKE_KEY_MAX];
	uint8_t sk_pi[IKE_KEY_MAX], sk_pr[IKE_KEY_MAX];
	struct aead *aead_i, *aead_r; /* keyed once for the SK payload (AEAD suites) */
};

/* Fills algs from a proposal's transforms; -EINVAL if a needed transform is missing. */
int ike_algs_from_prop(const struct prop *p, struct ike_algs *a);
/* Key material length of an ENCR transform for SK/ESP (AEAD: key + 4-byte salt), 0 if unknown. */
size_t ike_encr_keymat_len(uint16_t encr, uint16_t key_bits);

/* SKEYSEED = prf(Ni | Nr, g^ir)
 * {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+ (SKEYSEED, Ni | Nr | SPIi | SPIr)
 */
int ike_keys_derive(struct ike_keys *k, const struct ike_algs *alg, const uint8_t *ni,
		    size_t ni_len, const uint8_t *nr, size_t nr_len, const uint8_t *gir,
		    size_t gir_len, uint64_t spi_i, uint64_t spi_r);

/* Rekeying an IKE SA (2.18): SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), then as above
 * with the new SPIs. Ni/Nr/SPIi/SPIr are those of the CREATE_CHILD_SA exchange's initiator
 * and responder. */
int ike_keys_rekey(struct ike_keys *k, const struct ike_keys *old, const struct ike_algs *alg,
		   const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		   const uint8_t *gir, size_t gir_len, uint64_t spi_i, uint64_t spi_r);

/* KEYMAT = prf+(SK_d, Ni | Nr): the initiator-to-responder key first, then the other. */
int ike_child_keymat(const struct ike_keys *k, size_t key_len, const uint8_t *ni, size_t ni_len,
		     const uint8_t *nr, size_t nr_len, uint8_t *i2r, uint8_t *r2i);
/* KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr), for a CHILD SA rekeyed with a key exchange. */
int ike_child_keymat_pfs(const struct ike_keys *k, size_t key_len, const uint8_t *gir,
			 size_t gir_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
			 size_t nr_len, uint8_t *i2r, uint8_t *r2i);

void ike_keys_wipe(struct ike_keys *k);

#endif
