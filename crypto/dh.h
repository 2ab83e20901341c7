/*
 * IKEv2 Diffie-Hellman (transform type 4): MODP (RFC 3526 primes), ECP (RFC 5903) and
 * Curve25519 (RFC 8031). The private value is drawn from a rand_fn so tests can pin it.
 *
 * Key Exchange payload encodings: MODP big-endian, left-padded to the prime's length; ECP
 * x || y, each padded to the field size, no point-format prefix (RFC 5903 section 7); x25519
 * the 32-byte u-coordinate (RFC 7748).
 */
#ifndef TERN_CRYPTO_DH_H
#define TERN_CRYPTO_DH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/random.h"

/* IANA "Transform Type 4 - Key Exchange Method Transform IDs". */
enum dh_group {
	DH_MODP_2048 = 14,
	DH_MODP_3072 = 15,
	DH_MODP_4096 = 16,
	DH_ECP_256 = 19,
	DH_ECP_384 = 20,
	DH_CURVE25519 = 31
};

#define DH_MAX_PUBLIC_SIZE 512

struct dh;

bool dh_supported(uint16_t group);

/* KE payload data length: 256/384/512 (MODP), 64 (ECP-256), 96 (ECP-384), 32 (x25519); 0 if
 * unsupported. */
size_t dh_public_size(uint16_t group);

/* Draws a private value from rnd and computes the public one. 0, -ENOTSUP (group),
 * -ENOMEM, -EIO, or rnd's error. */
int dh_new(struct dh **out, uint16_t group, rand_fn rnd, void *rnd_arg);

/* The public value as sent in the KE payload (dh_public_size bytes). */
const uint8_t *dh_public(const struct dh *d, size_t *len);

/*
 * Computes the shared secret from the peer's KE data. out must hold dh_public_size bytes;
 * *out_len receives the secret's length (MODP: prime length; ECP: the x coordinate only, 32
 * or 48; x25519: 32). The peer value is validated: MODP 1 < y < p-1; ECP a point on the curve
 * with coordinates below p; x25519 an all-zero result is refused. -EINVAL for a malformed or
 * invalid peer value (or wrong length), -ENOMEM or -EIO.
 */
int dh_shared(struct dh *d, const uint8_t *peer, size_t peer_len, uint8_t *out, size_t *out_len);

/* Wipes the private value and frees. NULL is allowed. */
void dh_free(struct dh *d);

#endif
