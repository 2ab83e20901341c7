/*
 * intel-ipsec-mb AEAD backend, through the library's direct (synchronous) API: AES-GCM keys
 * are expanded and the GHASH key powers precomputed once per SA (aes_gcm_pre_128/192/256);
 * ChaCha20-Poly1305 uses its init/update/finalize calls. The IMB_MGR is allocated once per
 * process and only read afterwards (the direct calls keep all state in our per-SA context),
 * so SAs on different threads may share it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <intel-ipsec-mb.h>
#include <openssl/crypto.h>

#include "crypto/aead_internal.h"

struct aead_imb {
	struct gcm_key_data gcm_key; /* 64-byte aligned */
	struct gcm_context_data gcm_ctx;
	struct chacha20_poly1305_context_data chacha_ctx;
	uint8_t chacha_key[32];
};

static IMB_MGR *imb_mgr;
static pthread_once_t imb_once = PTHREAD_ONCE_INIT;

static void imb_setup(void)
{
	IMB_ARCH arch = IMB_ARCH_NONE;
	IMB_MGR *mgr = alloc_mb_mgr(0);

	if (mgr == NULL)
		return;
	init_mb_mgr_auto(mgr, &arch);
	/* Without AES-NI the library falls back to slow generic code: prefer OpenSSL then. */
	if (imb_get_errno(mgr) != 0 || arch < IMB_ARCH_SSE) {
		free_mb_mgr(mgr);
		return;
	}
	imb_mgr = mgr;
}

bool aead_imb_available(enum aead_alg alg)
{
	(void)alg;
	pthread_once(&imb_once, imb_setup);
	return imb_mgr != NULL;
}

int aead_imb_init(struct aead *a, const uint8_t *key)
{
	size_t size = (sizeof(struct aead_imb) + 63) & ~(size_t)63;
	struct aead_imb *k;

	if (!aead_imb_available(a->alg))
		return -ENOTSUP;
	k = aligned_alloc(64, size);
	if (k == NULL)
		return -ENOMEM;
	memset(k, 0, sizeof(*k));
	a->imb = k;
	if (a->alg == AEAD_CHACHA20_POLY1305) {
		memcpy(k->chacha_key, key, sizeof(k->chacha_key));
		return 0;
	}
	switch (a->key_len) {
	case 16:
		IMB_AES128_GCM_PRE(imb_mgr, key, &k->gcm_key);
		break;
	case 24:
		IMB_AES192_GCM_PRE(imb_mgr, key, &k->gcm_key);
		break;
	case 32:
		IMB_AES256_GCM_PRE(imb_mgr, key, &k->gcm_key);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

void aead_imb_clear(struct aead *a)
{
	if (a->imb == NULL)
		return;
	OPENSSL_cleanse(a->imb, sizeof(*a->imb));
	free(a->imb);
	a->imb = NULL;
}

/* The library rejects NULL buffers even when their length is zero. */
static const uint8_t empty[16];

static void gcm_enc(const struct aead *a, struct aead_op *op, uint8_t *tag)
{
	struct aead_imb *k = a->imb;
	uint8_t nonce[AEAD_NONCE_LEN], spare[1];
	uint8_t *data = op->len ? op->data : spare;
	const uint8_t *aad = op->aad_len ? op->aad : empty;

	aead_nonce(a, op->iv, nonce);
	switch (a->key_len) {
	case 16:
		IMB_AES128_GCM_ENC(imb_mgr, &k->gcm_key, &k->gcm_ctx, data, data, op->len, nonce,
				   aad, op->aad_len, tag, AEAD_TAG_LEN);
		break;
	case 24:
		IMB_AES192_GCM_ENC(imb_mgr, &k->gcm_key, &k->gcm_ctx, data, data, op->len, nonce,
				   aad, op->aad_len, tag, AEAD_TAG_LEN);
		break;
	default:
		IMB_AES256_GCM_ENC(imb_mgr, &k->gcm_key, &k->gcm_ctx, data, data, op->len, nonce,
				   aad, op->aad_len, tag, AEAD_TAG_LEN);
		break;
	}
}

static void gcm_dec(const struct aead *a, struct aead_op *op, uint8_t *tag)
{
	struct aead_imb *k = a->imb;
	uint8_t nonce[AEAD_NONCE_LEN], spare[1];
	uint8_t *data = op->len ? op->data : spare;
	const uint8_t *aad = op->aad_len ? op->aad : empty;

	aead_nonce(a, op->iv, nonce);
	switch (a->key_len) {
	case 16:
		IMB_AES128_GCM_DEC(imb_mgr, &k->gcm_key, &k->gcm_ctx, data, data, op->len, nonce,
				   aad, op->aad_len, tag, AEAD_TAG_LEN);
		break;
	case 24:
		IMB_AES192_GCM_DEC(imb_mgr, &k->gcm_key, &k->gcm_ctx, data, data, op->len, nonce,
				   aad, op->aad_len, tag, AEAD_TAG_LEN);
		break;
	default:
		IMB_AES256_GCM_DEC(imb_mgr, &k->gcm_key, &k->gcm_ctx, data, data, op->len, nonce,
				   aad, op->aad_len, tag, AEAD_TAG_LEN);
		break;
	}
}

static void chacha(const struct aead *a, struct aead_op *op, uint8_t *tag, bool enc)
{
	struct aead_imb *k = a->imb;
	uint8_t nonce[AEAD_NONCE_LEN];
	const uint8_t *aad = op->aad_len ? op->aad : empty;

	aead_nonce(a, op->iv, nonce);
	IMB_CHACHA20_POLY1305_INIT(imb_mgr, k->chacha_key, &k->chacha_ctx, nonce, aad, op->aad_len);
	if (op->len > 0 && enc)
		IMB_CHACHA20_POLY1305_ENC_UPDATE(imb_mgr, k->chacha_key, &k->chacha_ctx, op->data,
						 op->data, op->len);
	else if (op->len > 0)
		IMB_CHACHA20_POLY1305_DEC_UPDATE(imb_mgr, k->chacha_key, &k->chacha_ctx, op->data,
						 op->data, op->len);
	IMB_CHACHA20_POLY1305_ENC_FINALIZE(imb_mgr, &k->chacha_ctx, tag, AEAD_TAG_LEN);
}

int aead_imb_seal(struct aead *a, struct aead_op *ops, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (a->alg == AEAD_CHACHA20_POLY1305)
			chacha(a, &ops[i], ops[i].tag, true);
		else
			gcm_enc(a, &ops[i], ops[i].tag);
	}
	return 0;
}

int aead_imb_open(struct aead *a, struct aead_op *ops, unsigned n)
{
	uint8_t tag[AEAD_TAG_LEN];
	int bad = 0;

	for (unsigned i = 0; i < n; i++) {
		struct aead_op *op = &ops[i];

		if (a->alg == AEAD_CHACHA20_POLY1305)
			chacha(a, op, tag, false);
		else
			gcm_dec(a, op, tag);
		op->status = CRYPTO_memcmp(tag, op->tag, AEAD_TAG_LEN) == 0 ? 0 : -EBADMSG;
		if (op->status < 0) {
			OPENSSL_cleanse(op->data, op->len);
			bad = 1;
		}
	}
	OPENSSL_cleanse(tag, sizeof(tag));
	return bad ? -EBADMSG : 0;
}
