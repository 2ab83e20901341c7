/* IKEv2 integrity algorithms (transform type 3): truncated HMAC-SHA2 (RFC 4868). */
#ifndef TERN_CRYPTO_INTEG_H
#define TERN_CRYPTO_INTEG_H

#include <stddef.h>
#include <stdint.h>

/* IANA "Transform Type 3 - Integrity Algorithm Transform IDs". */
enum integ_alg {
	INTEG_HMAC_SHA2_256_128 = 12,
	INTEG_HMAC_SHA2_384_192 = 13,
	INTEG_HMAC_SHA2_512_256 = 14
};

#define INTEG_MAX_ICV_SIZE 32

size_t integ_key_size(enum integ_alg alg); /* 32/48/64; 0 if unknown */
size_t integ_icv_size(enum integ_alg alg); /* 16/24/32; 0 if unknown */

/* key is integ_key_size(alg) bytes; icv receives integ_icv_size(alg). 0, -EINVAL or -EIO. */
int integ_compute(enum integ_alg alg, const uint8_t *key, const uint8_t *data, size_t len,
		  uint8_t *icv);
/* 0 if icv matches (constant-time compare), -EBADMSG if not, -EINVAL or -EIO. */
int integ_verify(enum integ_alg alg, const uint8_t *key, const uint8_t *data, size_t len,
		 const uint8_t *icv);

#endif
