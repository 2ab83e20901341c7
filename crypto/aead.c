/* AEAD front end: key material split, backend choice and dispatch. */
#include "crypto/aead.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/aead_internal.h"

const char *aead_alg_name(enum aead_alg alg)
{
	switch (alg) {
	case AEAD_AES_GCM_16:
		return "AES-GCM-16";
	case AEAD_CHACHA20_POLY1305:
		return "ChaCha20-Poly1305";
	}
	return "unknown";
}

static int key_len_for(enum aead_alg alg, size_t keymat_len)
{
	switch (alg) {
	case AEAD_AES_GCM_16:
		if (keymat_len == 16 + AEAD_SALT_LEN || keymat_len == 24 + AEAD_SALT_LEN ||
		    keymat_len == 32 + AEAD_SALT_LEN)
			return (int)(keymat_len - AEAD_SALT_LEN);
		return -EINVAL;
	case AEAD_CHACHA20_POLY1305:
		return keymat_len == 32 + AEAD_SALT_LEN ? 32 : -EINVAL;
	}
	return -EINVAL;
}

bool aead_backend_available(enum aead_backend backend, enum aead_alg alg)
{
	switch (backend) {
	case AEAD_BACKEND_OPENSSL:
		return true;
	case AEAD_BACKEND_IPSECMB:
#ifdef HAVE_IPSECMB
		return aead_imb_available(alg);
#else
		(void)alg;
		return false;
#endif
	case AEAD_BACKEND_AUTO:
		return true;
	}
	return false;
}

/* The backend named by TERN_AEAD_BACKEND, AUTO if unset; -EINVAL for an unknown name. */
static int backend_from_env(enum aead_backend *out)
{
	const char *v = getenv("TERN_AEAD_BACKEND");

	*out = AEAD_BACKEND_AUTO;
	if (v == NULL || *v == '\0' || strcmp(v, "auto") == 0)
		return 0;
	if (strcmp(v, "openssl") == 0)
		*out = AEAD_BACKEND_OPENSSL;
	else if (strcmp(v, "ipsec-mb") == 0)
		*out = AEAD_BACKEND_IPSECMB;
	else
		return -EINVAL;
	return 0;
}

static enum aead_backend backend_auto(enum aead_alg alg)
{
	if (aead_backend_available(AEAD_BACKEND_IPSECMB, alg))
		return AEAD_BACKEND_IPSECMB;
	return AEAD_BACKEND_OPENSSL;
}

int aead_new_backend(struct aead **out, enum aead_alg alg, enum aead_backend backend,
		     const uint8_t *keymat, size_t keymat_len)
{
	int key_len = key_len_for(alg, keymat_len);
	struct aead *a;
	int r;

	*out = NULL;
	if (key_len < 0)
		return key_len;
	if (backend == AEAD_BACKEND_AUTO)
		backend = backend_auto(alg);
	if (!aead_backend_available(backend, alg))
		return -ENOTSUP;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return -ENOMEM;
	a->alg = alg;
	a->backend = backend;
	a->key_len = (size_t)key_len;
	memcpy(a->salt, keymat + key_len, AEAD_SALT_LEN);
	switch (backend) {
#ifdef HAVE_IPSECMB
	case AEAD_BACKEND_IPSECMB:
		r = aead_imb_init(a, keymat);
		break;
#endif
	default:
		r = aead_ossl_init(a, keymat);
		break;
	}
	if (r < 0) {
		aead_free(a);
		return r;
	}
	*out = a;
	return 0;
}

int aead_new(struct aead **out, enum aead_alg alg, const uint8_t *keymat, size_t keymat_len)
{
	enum aead_backend backend;
	int r = backend_from_env(&backend);

	if (r < 0) {
		*out = NULL;
		return r;
	}
	return aead_new_backend(out, alg, backend, keymat, keymat_len);
}

void aead_free(struct aead *a)
{
	if (a == NULL)
		return;
	aead_ossl_clear(a);
#ifdef HAVE_IPSECMB
	aead_imb_clear(a);
#endif
	OPENSSL_cleanse(a, sizeof(*a));
	free(a);
}

const char *aead_backend_name(const struct aead *a)
{
	return a->backend == AEAD_BACKEND_IPSECMB ? "ipsec-mb" : "openssl";
}

int aead_seal(struct aead *a, struct aead_op *ops, unsigned n)
{
#ifdef HAVE_IPSECMB
	if (a->backend == AEAD_BACKEND_IPSECMB)
		return aead_imb_seal(a, ops, n);
#endif
	return aead_ossl_seal(a, ops, n);
}

int aead_open(struct aead *a, struct aead_op *ops, unsigned n)
{
#ifdef HAVE_IPSECMB
	if (a->backend == AEAD_BACKEND_IPSECMB)
		return aead_imb_open(a, ops, n);
#endif
	return aead_ossl_open(a, ops, n);
}
