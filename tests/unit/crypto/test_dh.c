/*
 * DH: x25519 against RFC 7748 sections 5.2 and 6.1, ECP-256/384 against RFC 5903 section 8,
 * MODP groups by agreement of two parties and against OpenSSL's BN_mod_exp on RFC 3526's
 * primes, and rejection of malformed peer values.
 */
#include <errno.h>
#include <string.h>

#include <openssl/bn.h>

#include "crypto/dh.h"
#include "tests/unit/check.h"

/* A rand_fn that returns fixed bytes (the private value under test). */
struct pinned {
	uint8_t bytes[64];
	size_t len;
	int calls;
};

static int pinned_rand(void *arg, uint8_t *buf, size_t len)
{
	struct pinned *p = arg;

	p->calls++;
	if (len != p->len)
		return -EMSGSIZE;
	memcpy(buf, p->bytes, len);
	return 0;
}

static int failing_rand(void *arg, uint8_t *buf, size_t len)
{
	(void)arg;
	(void)buf;
	(void)len;
	return -EIO;
}

static struct dh *pinned_dh(uint16_t group, const char *priv_hex)
{
	struct pinned p = {.calls = 0};
	struct dh *d = NULL;

	p.len = check_unhex(priv_hex, p.bytes, sizeof(p.bytes));
	CHECK_EQ(dh_new(&d, group, pinned_rand, &p), 0);
	CHECK_EQ(p.calls, 1);
	return d;
}

static void check_public(struct dh *d, const char *want_hex)
{
	uint8_t want[DH_MAX_PUBLIC_SIZE];
	size_t n = check_unhex(want_hex, want, sizeof(want)), len = 0;
	const uint8_t *pub;

	if (d == NULL)
		return;
	pub = dh_public(d, &len);
	CHECK_EQ(len, n);
	CHECK_MEM(pub, want, n);
}

static void check_shared(struct dh *d, const char *peer_hex, const char *want_hex)
{
	uint8_t peer[DH_MAX_PUBLIC_SIZE], want[DH_MAX_PUBLIC_SIZE], out[DH_MAX_PUBLIC_SIZE];
	size_t peer_len = check_unhex(peer_hex, peer, sizeof(peer));
	size_t n = check_unhex(want_hex, want, sizeof(want)), out_len = 0;

	if (d == NULL)
		return;
	CHECK_EQ(dh_shared(d, peer, peer_len, out, &out_len), 0);
	CHECK_EQ(out_len, n);
	CHECK_MEM(out, want, n);
}

static void test_x25519(void)
{
	struct dh *d;

	/* RFC 7748 section 5.2, the two single-call test vectors (scalar, u -> output). */
	d = pinned_dh(DH_CURVE25519,
		      "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
	check_shared(d, "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
		     "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
	dh_free(d);
	d = pinned_dh(DH_CURVE25519,
		      "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d");
	check_shared(d, "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
		     "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
	dh_free(d);

	/* RFC 7748 section 6.1: Alice and Bob. */
	d = pinned_dh(DH_CURVE25519,
		      "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	check_public(d, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	check_shared(d, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
		     "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	dh_free(d);
	d = pinned_dh(DH_CURVE25519,
		      "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
	check_public(d, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	check_shared(d, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
		     "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

	/* Low-order points give an all-zero secret: u = 0 and u = 1 (RFC 7748 section 6.1). */
	if (d != NULL) {
		uint8_t peer[32] = {0}, out[32];
		size_t out_len;

		CHECK_EQ(dh_shared(d, peer, 32, out, &out_len), -EINVAL);
		peer[0] = 1;
		CHECK_EQ(dh_shared(d, peer, 32, out, &out_len), -EINVAL);
		/* A point of order 8 on Curve25519. */
		check_unhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
			    peer, sizeof(peer));
		CHECK_EQ(dh_shared(d, peer, 32, out, &out_len), -EINVAL);
		CHECK_EQ(dh_shared(d, peer, 31, out, &out_len), -EINVAL);
		CHECK_EQ(dh_shared(d, peer, 33, out, &out_len), -EINVAL);
	}
	dh_free(d);
}

/* RFC 5903 section 8.1 (ECP-256) and 8.2 (ECP-384): i, g^i, r, g^r, g^ir (x only). */
static const struct {
	uint16_t group;
	const char *i, *gi, *r, *gr, *gir_x;
} ecp[] = {
    {DH_ECP_256, "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433",
     "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
     "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3",
     "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53",
     "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63"
     "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab",
     "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de"},
    {DH_ECP_384,
     "099f3c7034d4a2c699884d73a375a67f7624ef7c6b3c0f160647b67414dce655e35b538041e649ee3faef896783ab"
     "194",
     "667842d7d180ac2cde6f74f37551f55755c7645c20ef73e31634fe72b4c55ee6de3ac808acb4bdb4c88732aee95f4"
     "1aa"
     "9482ed1fc0eeb9cafc4984625ccfc23f65032149e0e144ada024181535a0f38eeb9fcff3c2c947dae69b4c634573a"
     "81c",
     "41cb0779b4bdb85d47846725fbec3c9430fab46cc8dc5060855cc9bda0aa2942e0308312916b8ed2960e4bd55a744"
     "8fc",
     "e558dbef53eecde3d3fccfc1aea08a89a987475d12fd950d83cfa41732bc509d0d1ac43a0336def96fda41d0774a3"
     "571"
     "dcfbec7aacf3196472169e838430367f66eebe3c6e70c416dd5f0c68759dd1fff83fa40142209dff5eaad96db9e63"
     "86c",
     "11187331c279962d93d604243fd592cb9d0a926f422e47187521287e7156c5c4d603135569b9e9d09cf5d4a270f59"
     "746"},
};

static void test_ecp(void)
{
	for (size_t k = 0; k < 2; k++) {
		struct dh *di = pinned_dh(ecp[k].group, ecp[k].i);
		struct dh *dr = pinned_dh(ecp[k].group, ecp[k].r);
		size_t plen = dh_public_size(ecp[k].group);

		check_public(di, ecp[k].gi);
		check_public(dr, ecp[k].gr);
		check_shared(di, ecp[k].gr, ecp[k].gir_x);
		check_shared(dr, ecp[k].gi, ecp[k].gir_x);
		if (di != NULL) {
			uint8_t peer[96], out[96];
			size_t out_len;

			/* Wrong lengths; a point off the curve; coordinates >= p; zero. */
			check_unhex(ecp[k].gr, peer, sizeof(peer));
			CHECK_EQ(dh_shared(di, peer, plen - 1, out, &out_len), -EINVAL);
			CHECK_EQ(dh_shared(di, peer, plen + 1, out, &out_len), -EINVAL);
			peer[plen - 1] ^= 0x01;
			CHECK_EQ(dh_shared(di, peer, plen, out, &out_len), -EINVAL);
			memset(peer, 0xff, plen);
			CHECK_EQ(dh_shared(di, peer, plen, out, &out_len), -EINVAL);
			memset(peer, 0, plen);
			CHECK_EQ(dh_shared(di, peer, plen, out, &out_len), -EINVAL);
		}
		dh_free(di);
		dh_free(dr);
	}
	/* A scalar of zero or one at or above the group order is drawn again. */
	{
		struct pinned p = {.len = 32};
		struct dh *d = NULL;

		memset(p.bytes, 0, 32);
		CHECK(dh_new(&d, DH_ECP_256, pinned_rand, &p) < 0);
		CHECK(d == NULL);
		CHECK(p.calls > 1);
		memset(p.bytes, 0xff, 32); /* > n */
		p.calls = 0;
		CHECK(dh_new(&d, DH_ECP_256, pinned_rand, &p) < 0);
		CHECK(p.calls > 1);
	}
}

/* Independent reference: base^exp mod p with OpenSSL's BN_mod_exp, padded to plen bytes. */
static void ref_modexp(BIGNUM *p, const uint8_t *base, size_t base_len, const uint8_t *exp,
		       size_t exp_len, uint8_t *out, size_t plen)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *b = BN_bin2bn(base, (int)base_len, NULL), *e = BN_bin2bn(exp, (int)exp_len, NULL);
	BIGNUM *r = BN_new();

	BN_mod_exp(r, b, e, p, ctx);
	BN_bn2binpad(r, out, (int)plen);
	BN_free(b);
	BN_free(e);
	BN_free(r);
	BN_CTX_free(ctx);
}

/* A rand_fn that records what it hands out, so the test knows the private exponent. */
struct recorder {
	uint8_t bytes[64];
	size_t len;
};

static int recording_rand(void *arg, uint8_t *buf, size_t len)
{
	struct recorder *r = arg;

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(0x5a ^ (i * 29) ^ (len << 3) ^ (uintptr_t)arg);
	if (len <= sizeof(r->bytes)) {
		memcpy(r->bytes, buf, len);
		r->len = len;
	}
	return 0;
}

static void test_modp(void)
{
	static const struct {
		uint16_t group;
		BIGNUM *(*prime)(BIGNUM *);
	} groups[] = {
	    /* RFC 3526 sections 3, 4 and 5, as OpenSSL carries them. */
	    {DH_MODP_2048, BN_get_rfc3526_prime_2048},
	    {DH_MODP_3072, BN_get_rfc3526_prime_3072},
	    {DH_MODP_4096, BN_get_rfc3526_prime_4096},
	};

	for (size_t k = 0; k < 3; k++) {
		uint16_t g = groups[k].group;
		size_t plen = dh_public_size(g), len_a, len_b, out_len_a = 0, out_len_b = 0;
		BIGNUM *p = groups[k].prime(NULL);
		struct recorder ra = {.len = 0}, rb = {.len = 0};
		struct dh *a = NULL, *b = NULL;
		uint8_t two = 2, want[512], sa[512], sb[512], bad[512];
		const uint8_t *pa, *pb;

		CHECK_EQ(plen, (size_t)BN_num_bytes(p));
		CHECK_EQ(dh_new(&a, g, recording_rand, &ra), 0);
		CHECK_EQ(dh_new(&b, g, recording_rand, &rb), 0);
		if (a == NULL || b == NULL) {
			BN_free(p);
			continue;
		}
		pa = dh_public(a, &len_a);
		pb = dh_public(b, &len_b);
		CHECK_EQ(len_a, plen);
		CHECK_EQ(len_b, plen);
		CHECK(memcmp(pa, pb, plen) != 0);
		/* g^a mod p, and g^ab computed both ways, against BN_mod_exp. */
		ref_modexp(p, &two, 1, ra.bytes, ra.len, want, plen);
		CHECK_MEM(pa, want, plen);
		CHECK_EQ(dh_shared(a, pb, plen, sa, &out_len_a), 0);
		CHECK_EQ(dh_shared(b, pa, plen, sb, &out_len_b), 0);
		CHECK_EQ(out_len_a, plen);
		CHECK_EQ(out_len_b, plen);
		CHECK_MEM(sa, sb, plen);
		ref_modexp(p, pb, plen, ra.bytes, ra.len, want, plen);
		CHECK_MEM(sa, want, plen);

		/* Malformed peer values: wrong length, 0, 1, p-1, p, all-ones. */
		CHECK_EQ(dh_shared(a, pb, plen - 1, sa, &out_len_a), -EINVAL);
		CHECK_EQ(dh_shared(a, pb, plen + 1, sa, &out_len_a), -EINVAL);
		memset(bad, 0, plen);
		CHECK_EQ(dh_shared(a, bad, plen, sa, &out_len_a), -EINVAL);
		bad[plen - 1] = 1;
		CHECK_EQ(dh_shared(a, bad, plen, sa, &out_len_a), -EINVAL);
		BN_bn2binpad(p, bad, (int)plen);
		CHECK_EQ(dh_shared(a, bad, plen, sa, &out_len_a), -EINVAL);
		bad[plen - 1] -= 1; /* p is odd: p-1 only changes the last byte */
		CHECK_EQ(dh_shared(a, bad, plen, sa, &out_len_a), -EINVAL);
		bad[plen - 1] -= 1; /* p-2 is acceptable */
		CHECK_EQ(dh_shared(a, bad, plen, sa, &out_len_a), 0);
		memset(bad, 0xff, plen);
		CHECK_EQ(dh_shared(a, bad, plen, sa, &out_len_a), -EINVAL);
		dh_free(a);
		dh_free(b);
		BN_free(p);
	}
}

static void test_groups(void)
{
	struct dh *d = NULL;

	CHECK(dh_supported(14) && dh_supported(15) && dh_supported(16));
	CHECK(dh_supported(19) && dh_supported(20) && dh_supported(31));
	CHECK(!dh_supported(2) && !dh_supported(21) && !dh_supported(32));
	CHECK_EQ(dh_public_size(14), 256);
	CHECK_EQ(dh_public_size(15), 384);
	CHECK_EQ(dh_public_size(16), 512);
	CHECK_EQ(dh_public_size(19), 64);
	CHECK_EQ(dh_public_size(20), 96);
	CHECK_EQ(dh_public_size(31), 32);
	CHECK_EQ(dh_public_size(5), 0);
	CHECK_EQ(dh_new(&d, 5, crypto_rand, NULL), -ENOTSUP);
	CHECK_EQ(dh_new(&d, DH_CURVE25519, failing_rand, NULL), -EIO);
	CHECK_EQ(dh_new(&d, DH_MODP_2048, failing_rand, NULL), -EIO);
	CHECK_EQ(dh_new(&d, DH_ECP_256, failing_rand, NULL), -EIO);
	CHECK(d == NULL);
	/* Real randomness: two parties agree on every group. */
	for (uint16_t g = 1; g < 40; g++) {
		struct dh *a = NULL, *b = NULL;
		uint8_t sa[512], sb[512];
		size_t la, lb, na = 0, nb = 0;
		const uint8_t *pa, *pb;

		if (!dh_supported(g))
			continue;
		CHECK_EQ(dh_new(&a, g, crypto_rand, NULL), 0);
		CHECK_EQ(dh_new(&b, g, crypto_rand, NULL), 0);
		if (a == NULL || b == NULL)
			continue;
		pa = dh_public(a, &la);
		pb = dh_public(b, &lb);
		CHECK_EQ(dh_shared(a, pb, lb, sa, &na), 0);
		CHECK_EQ(dh_shared(b, pa, la, sb, &nb), 0);
		CHECK_EQ(na, nb);
		CHECK_MEM(sa, sb, na);
		dh_free(a);
		dh_free(b);
	}
	dh_free(NULL);
}

int main(void)
{
	test_x25519();
	test_ecp();
	test_modp();
	test_groups();
	return check_done("test_dh");
}
