/*
 * AEAD for the IKE SK payload (RFC 5282, RFC 7634) and ESP (RFC 4106, RFC 7634).
 *
 * Keyed once per SA: aead_new expands the key (and, for GCM, the GHASH key powers) once; each
 * call then only sets the nonce. Nonce = salt (4 bytes, from the keying material) || IV (8
 * bytes, from the packet). The burst calls work in place on arrays of packets and do not
 * allocate. A struct aead is used by one thread at a time (one per SA direction).
 *
 * Backends: intel-ipsec-mb (when built with it and the CPU has AES-NI) or OpenSSL. The
 * environment variable TERN_AEAD_BACKEND=openssl|ipsec-mb forces one. Both give identical
 * output.
 */
#ifndef TERN_CRYPTO_AEAD_H
#define TERN_CRYPTO_AEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum aead_alg { AEAD_AES_GCM_16, AEAD_CHACHA20_POLY1305 };

#define AEAD_IV_LEN	8
#define AEAD_TAG_LEN	16
#define AEAD_SALT_LEN	4
#define AEAD_NONCE_LEN	(AEAD_SALT_LEN + AEAD_IV_LEN)
#define AEAD_KEYMAT_MAX (32 + AEAD_SALT_LEN)

enum aead_backend { AEAD_BACKEND_AUTO, AEAD_BACKEND_OPENSSL, AEAD_BACKEND_IPSECMB };

struct aead;

/*
 * keymat = key || 4-byte salt: 20, 28 or 36 bytes for AES-GCM (AES-128/192/256), 36 for
 * ChaCha20-Poly1305. The backend is chosen automatically, or by TERN_AEAD_BACKEND.
 * Returns 0; -EINVAL (bad algorithm, keymat length, or TERN_AEAD_BACKEND value), -ENOTSUP
 * (TERN_AEAD_BACKEND names a backend not available here), -ENOMEM or -EIO.
 */
int aead_new(struct aead **out, enum aead_alg alg, const uint8_t *keymat, size_t keymat_len);

/* As aead_new with an explicit backend (AEAD_BACKEND_AUTO: as aead_new). */
int aead_new_backend(struct aead **out, enum aead_alg alg, enum aead_backend backend,
		     const uint8_t *keymat, size_t keymat_len);

/* Wipes the key material and frees. NULL is allowed. */
void aead_free(struct aead *a);

/* "openssl" or "ipsec-mb". */
const char *aead_backend_name(const struct aead *a);

/* Whether a backend can run alg on this build and CPU. */
bool aead_backend_available(enum aead_backend backend, enum aead_alg alg);

/* "AES-GCM-16" or "ChaCha20-Poly1305". */
const char *aead_alg_name(enum aead_alg alg);

/* One packet of a burst. */
struct aead_op {
	const uint8_t *iv; /* AEAD_IV_LEN bytes */
	const uint8_t *aad;
	size_t aad_len;
	uint8_t *data; /* in place */
	size_t len;
	uint8_t *tag; /* AEAD_TAG_LEN bytes: written by seal, checked by open */
	int status;   /* set by open: 0 or -EBADMSG */
};

/* Encrypts and tags every op. 0, -EINVAL (an op too long) or -EIO. */
int aead_seal(struct aead *a, struct aead_op *ops, unsigned n);

/*
 * Verifies and decrypts every op; sets each op's status. Returns 0 if all verified, else
 * -EBADMSG. The data of an op that fails is zeroed (no unauthenticated plaintext is left).
 */
int aead_open(struct aead *a, struct aead_op *ops, unsigned n);

#endif
