/* Diffie-Hellman for IKEv2 over OpenSSL: BN for MODP, EC_POINT for ECP, EVP_PKEY for x25519. */
#include "crypto/dh.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

enum dh_kind { DH_KIND_MODP, DH_KIND_ECP, DH_KIND_X25519 };

struct dh_group_info {
	uint16_t group;
	enum dh_kind kind;
	size_t public_size;
	size_t secret_bytes;	      /* private exponent / scalar drawn from rnd */
	BIGNUM *(*prime)(BIGNUM *bn); /* MODP */
	int nid;		      /* ECP */
};

/*
 * MODP private exponents take the upper end of RFC 3526 section 8's "exponent size" column:
 * 320, 420 and 480 bits for the 2048, 3072 and 4096-bit groups (rounded up to whole bytes).
 */
static const struct dh_group_info dh_groups[] = {
    {DH_MODP_2048, DH_KIND_MODP, 256, 40, BN_get_rfc3526_prime_2048, 0},
    {DH_MODP_3072, DH_KIND_MODP, 384, 53, BN_get_rfc3526_prime_3072, 0},
    {DH_MODP_4096, DH_KIND_MODP, 512, 60, BN_get_rfc3526_prime_4096, 0},
    {DH_ECP_256, DH_KIND_ECP, 64, 32, NULL, NID_X9_62_prime256v1},
    {DH_ECP_384, DH_KIND_ECP, 96, 48, NULL, NID_secp384r1},
    {DH_CURVE25519, DH_KIND_X25519, 32, 32, NULL, 0},
};

/* Attempts at drawing an ECP scalar in [1, n-1] (each fails with probability < 2^-32). */
#define DH_SCALAR_DRAWS 8

struct dh {
	const struct dh_group_info *info;
	uint8_t pub[DH_MAX_PUBLIC_SIZE];
	BN_CTX *bn;
	BIGNUM *p;	/* MODP prime */
	BIGNUM *priv;	/* MODP exponent or ECP scalar */
	EC_GROUP *ec;	/* ECP */
	EVP_PKEY *pkey; /* x25519 */
};

static const struct dh_group_info *group_info(uint16_t group)
{
	for (size_t i = 0; i < sizeof(dh_groups) / sizeof(dh_groups[0]); i++)
		if (dh_groups[i].group == group)
			return &dh_groups[i];
	return NULL;
}

bool dh_supported(uint16_t group)
{
	return group_info(group) != NULL;
}

size_t dh_public_size(uint16_t group)
{
	const struct dh_group_info *info = group_info(group);

	return info ? info->public_size : 0;
}

/* Draws info->secret_bytes from rnd into a constant-time BIGNUM. */
static int draw_secret(struct dh *d, rand_fn rnd, void *rnd_arg)
{
	uint8_t buf[64];
	size_t n = d->info->secret_bytes;
	int r = rnd(rnd_arg, buf, n);

	if (r < 0)
		goto out;
	BN_clear_free(d->priv);
	d->priv = BN_bin2bn(buf, (int)n, NULL);
	if (d->priv == NULL) {
		r = -ENOMEM;
		goto out;
	}
	BN_set_flags(d->priv, BN_FLG_CONSTTIME);
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return r;
}

static int modp_new(struct dh *d, rand_fn rnd, void *rnd_arg)
{
	BIGNUM *g = BN_new(), *y = BN_new();
	int r = -EIO;

	d->p = d->info->prime(NULL);
	if (g == NULL || y == NULL || d->p == NULL) {
		r = -ENOMEM;
		goto out;
	}
	/* An exponent of 0 or 1 would give a public value of 1 or 2: draw again. */
	for (int i = 0; i < DH_SCALAR_DRAWS; i++) {
		r = draw_secret(d, rnd, rnd_arg);
		if (r < 0)
			goto out;
		if (BN_num_bits(d->priv) > 1)
			break;
		r = -EIO;
	}
	if (r < 0)
		goto out;
	r = -EIO;
	if (BN_set_word(g, 2) != 1 ||
	    BN_mod_exp_mont_consttime(y, g, d->priv, d->p, d->bn, NULL) != 1 ||
	    BN_bn2binpad(y, d->pub, (int)d->info->public_size) < 0)
		goto out;
	r = 0;
out:
	BN_free(g);
	BN_free(y);
	return r;
}

static int modp_shared(struct dh *d, const uint8_t *peer, uint8_t *out, size_t *out_len)
{
	int plen = (int)d->info->public_size;
	BIGNUM *y = BN_bin2bn(peer, plen, NULL);
	BIGNUM *pm1 = BN_dup(d->p);
	BIGNUM *z = BN_new();
	int r = -ENOMEM;

	if (y == NULL || pm1 == NULL || z == NULL)
		goto out;
	r = -EIO;
	if (BN_sub_word(pm1, 1) != 1)
		goto out;
	/* 1 < y < p-1: rejects the identity and the order-2 subgroup. */
	r = -EINVAL;
	if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, pm1) >= 0)
		goto out;
	r = -EIO;
	if (BN_mod_exp_mont_consttime(z, y, d->priv, d->p, d->bn, NULL) != 1 ||
	    BN_bn2binpad(z, out, plen) < 0)
		goto out;
	*out_len = (size_t)plen;
	r = 0;
out:
	BN_free(y);
	BN_free(pm1);
	BN_clear_free(z);
	return r;
}

/* Writes x || y of pt, each padded to clen bytes, into out. */
static int ecp_encode(struct dh *d, const EC_POINT *pt, uint8_t *out, size_t clen, bool with_y)
{
	BIGNUM *x = BN_new(), *y = BN_new();
	int r = -ENOMEM;

	if (x == NULL || y == NULL)
		goto out;
	r = -EIO;
	if (EC_POINT_get_affine_coordinates(d->ec, pt, x, y, d->bn) != 1 ||
	    BN_bn2binpad(x, out, (int)clen) < 0 ||
	    (with_y && BN_bn2binpad(y, out + clen, (int)clen) < 0))
		goto out;
	r = 0;
out:
	BN_clear_free(x);
	BN_clear_free(y);
	return r;
}

static int ecp_new(struct dh *d, rand_fn rnd, void *rnd_arg)
{
	const BIGNUM *order;
	EC_POINT *pub = NULL;
	int r = -EIO;

	d->ec = EC_GROUP_new_by_curve_name(d->info->nid);
	if (d->ec == NULL)
		return -EIO;
	order = EC_GROUP_get0_order(d->ec);
	/* The scalar must be in [1, n-1]: draw again otherwise. */
	for (int i = 0; i < DH_SCALAR_DRAWS; i++) {
		r = draw_secret(d, rnd, rnd_arg);
		if (r < 0)
			return r;
		if (!BN_is_zero(d->priv) && BN_cmp(d->priv, order) < 0)
			break;
		r = -EIO;
	}
	if (r < 0)
		return r;
	pub = EC_POINT_new(d->ec);
	if (pub == NULL)
		return -ENOMEM;
	r = -EIO;
	if (EC_POINT_mul(d->ec, pub, d->priv, NULL, NULL, d->bn) == 1)
		r = ecp_encode(d, pub, d->pub, d->info->public_size / 2, true);
	EC_POINT_free(pub);
	return r;
}

static int ecp_shared(struct dh *d, const uint8_t *peer, uint8_t *out, size_t *out_len)
{
	size_t clen = d->info->public_size / 2;
	BIGNUM *x = BN_bin2bn(peer, (int)clen, NULL);
	BIGNUM *y = BN_bin2bn(peer + clen, (int)clen, NULL);
	BIGNUM *p = BN_new();
	EC_POINT *q = EC_POINT_new(d->ec), *z = EC_POINT_new(d->ec);
	int r = -ENOMEM;

	if (x == NULL || y == NULL || p == NULL || q == NULL || z == NULL)
		goto out;
	r = -EIO;
	if (EC_GROUP_get_curve(d->ec, p, NULL, NULL, d->bn) != 1)
		goto out;
	/* Coordinates must be field elements and the point on the curve (cofactor is 1). */
	r = -EINVAL;
	if (BN_cmp(x, p) >= 0 || BN_cmp(y, p) >= 0 ||
	    EC_POINT_set_affine_coordinates(d->ec, q, x, y, d->bn) != 1 ||
	    EC_POINT_is_on_curve(d->ec, q, d->bn) != 1 || EC_POINT_is_at_infinity(d->ec, q))
		goto out;
	r = -EIO;
	if (EC_POINT_mul(d->ec, z, NULL, q, d->priv, d->bn) != 1)
		goto out;
	r = -EINVAL;
	if (EC_POINT_is_at_infinity(d->ec, z))
		goto out;
	r = ecp_encode(d, z, out, clen, false);
	if (r == 0)
		*out_len = clen;
out:
	BN_free(x);
	BN_free(y);
	BN_free(p);
	EC_POINT_free(q);
	EC_POINT_clear_free(z);
	return r;
}

static int x25519_new(struct dh *d, rand_fn rnd, void *rnd_arg)
{
	uint8_t priv[32];
	size_t len = sizeof(d->pub);
	int r = rnd(rnd_arg, priv, sizeof(priv));

	if (r < 0)
		goto out;
	r = -EIO;
	d->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, sizeof(priv));
	if (d->pkey == NULL)
		goto out;
	if (EVP_PKEY_get_raw_public_key(d->pkey, d->pub, &len) != 1 || len != 32)
		goto out;
	r = 0;
out:
	OPENSSL_cleanse(priv, sizeof(priv));
	return r;
}

static int x25519_shared(struct dh *d, const uint8_t *peer, uint8_t *out, size_t *out_len)
{
	static const uint8_t zero[32];
	EVP_PKEY *peer_key = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, 32);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(d->pkey, NULL);
	size_t len = 32;
	int r = -ENOMEM;

	if (peer_key == NULL || ctx == NULL)
		goto out;
	/* OpenSSL refuses an all-zero result (RFC 7748 section 6.1); so do we, below. */
	r = -EINVAL;
	if (EVP_PKEY_derive_init(ctx) != 1 || EVP_PKEY_derive_set_peer(ctx, peer_key) != 1 ||
	    EVP_PKEY_derive(ctx, out, &len) != 1 || len != 32 ||
	    CRYPTO_memcmp(out, zero, sizeof(zero)) == 0) {
		OPENSSL_cleanse(out, 32);
		goto out;
	}
	*out_len = 32;
	r = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer_key);
	return r;
}

int dh_new(struct dh **out, uint16_t group, rand_fn rnd, void *rnd_arg)
{
	const struct dh_group_info *info = group_info(group);
	struct dh *d;
	int r;

	*out = NULL;
	if (info == NULL)
		return -ENOTSUP;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	d->info = info;
	d->bn = BN_CTX_secure_new();
	if (d->bn == NULL) {
		dh_free(d);
		return -ENOMEM;
	}
	switch (info->kind) {
	case DH_KIND_MODP:
		r = modp_new(d, rnd, rnd_arg);
		break;
	case DH_KIND_ECP:
		r = ecp_new(d, rnd, rnd_arg);
		break;
	default:
		r = x25519_new(d, rnd, rnd_arg);
		break;
	}
	if (r < 0) {
		dh_free(d);
		return r;
	}
	*out = d;
	return 0;
}

const uint8_t *dh_public(const struct dh *d, size_t *len)
{
	*len = d->info->public_size;
	return d->pub;
}

int dh_shared(struct dh *d, const uint8_t *peer, size_t peer_len, uint8_t *out, size_t *out_len)
{
	if (peer == NULL || peer_len != d->info->public_size)
		return -EINVAL;
	switch (d->info->kind) {
	case DH_KIND_MODP:
		return modp_shared(d, peer, out, out_len);
	case DH_KIND_ECP:
		return ecp_shared(d, peer, out, out_len);
	default:
		return x25519_shared(d, peer, out, out_len);
	}
}

void dh_free(struct dh *d)
{
	if (d == NULL)
		return;
	BN_clear_free(d->priv);
	BN_free(d->p);
	EC_GROUP_free(d->ec);
	EVP_PKEY_free(d->pkey); /* cleanses the raw private key */
	BN_CTX_free(d->bn);
	OPENSSL_cleanse(d, sizeof(*d));
	free(d);
}
