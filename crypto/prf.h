/* IKEv2 pseudo-random functions (transform type 2) and prf+ (RFC 7296 section 2.13). */
#ifndef TERN_CRYPTO_PRF_H
#define TERN_CRYPTO_PRF_H

#include <stddef.h>
#include <stdint.h>

/* IANA "Transform Type 2 - Pseudorandom Function Transform IDs". */
enum prf_alg { PRF_HMAC_SHA2_256 = 5, PRF_HMAC_SHA2_384 = 6, PRF_HMAC_SHA2_512 = 7 };

#define PRF_MAX_SIZE 64

/* Output (and preferred key) size in bytes; 0 if alg is unknown. */
size_t prf_size(enum prf_alg alg);

/* out receives prf_size(alg) bytes. 0, -EINVAL (unknown alg) or -EIO. */
int prf_compute(enum prf_alg alg, const uint8_t *key, size_t key_len, const uint8_t *data,
		size_t len, uint8_t *out);

/*
 * prf+ (K, S) = T1 | T2 | T3 | ...  with  T1 = prf (K, S | 0x01),
 * Tn = prf (K, T(n-1) | S | n); the first out_len bytes. out_len is at most 255 * prf_size.
 * 0, -EINVAL (unknown alg, out_len too long) or -EIO.
 */
int prf_plus(enum prf_alg alg, const uint8_t *key, size_t key_len, const uint8_t *seed,
	     size_t seed_len, uint8_t *out, size_t out_len);

#endif
