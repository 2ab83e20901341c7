/*
 * IKE SA and CHILD SA key derivation (client/ike/keys.c).
 *
 * Expected values: no NIST CAVP IKEv2 KDF vectors (SP 800-135 "SKEYSEED"/"DKM") with
 * HMAC-SHA2 answers could be found with the search tool, so every expected key comes from
 * ref_kdf.c, an independent computation written straight from RFC 7296 2.13/2.14/2.17 with
 * OpenSSL's HMAC(). Key lengths come from the RFCs: RFC 5282 7.1 (AES-GCM keying material =
 * key + 4-octet salt), RFC 7634 2 (ChaCha20-Poly1305: 32 + 4 octets), RFC 4868 2.1.2 and 2.7
 * (HMAC-SHA-256-128/384-192/512-256 keys of 32/48/64 octets), RFC 3602 / RFC 7296 3.3.5
 * (AES-CBC key length from the Key Length attribute), RFC 7296 2.13 (SK_d/SK_pi/SK_pr are
 * as long as the PRF's preferred key, its output size for HMAC).
 */
#include <errno.h>
#include <string.h>

#include "client/ike/ikev2.h"
#include "client/ike/keys.h"
#include "crypto/integ.h"
#include "crypto/prf.h"
#include "tests/unit/check.h"
#include "tests/unit/ike/ref_kdf.h"

static void fill(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 131 + i * 29 + (i >> 3));
}

struct suite {
	const char *name;
	uint16_t encr, key_bits, integ;
	size_t encr_len, integ_len; /* from the RFCs named above */
};

static const struct suite suites[] = {
    {"aes128gcm16", ENCR_AES_GCM_16, 128, 0, 16 + 4, 0},
    {"aes256gcm16", ENCR_AES_GCM_16, 256, 0, 32 + 4, 0},
    {"chacha20poly1305", ENCR_CHACHA20_POLY1305, 256, 0, 32 + 4, 0},
    {"aes128-sha256", ENCR_AES_CBC, 128, INTEG_HMAC_SHA2_256_128, 16, 32},
    {"aes256-sha384", ENCR_AES_CBC, 256, INTEG_HMAC_SHA2_384_192, 32, 48},
    {"aes256-sha512", ENCR_AES_CBC, 256, INTEG_HMAC_SHA2_512_256, 32, 64},
};

static const struct {
	uint16_t id;
	size_t len;
} prfs[] = {{PRF_HMAC_SHA2_256, 32}, {PRF_HMAC_SHA2_384, 48}, {PRF_HMAC_SHA2_512, 64}};

static const struct {
	size_t ni, nr, gir;
} sizes[] = {{32, 32, 32}, {16, 256, 256}, {256, 16, 97}};

static void test_ike_sa_keys(void)
{
	uint8_t ni[256], nr[256], gir[512];
	for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
		for (size_t p = 0; p < 3; p++) {
			for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
				const struct suite *su = &suites[s];
				fill(ni, sizes[z].ni, (unsigned)(s + 1));
				fill(nr, sizes[z].nr, (unsigned)(p + 7));
				fill(gir, sizes[z].gir, (unsigned)(z + 13));
				uint64_t spi_i = 0x0123456789abcdefULL ^ s,
					 spi_r = 0xfedcba9876543210ULL;
				struct ike_algs a = {.encr = su->encr,
						     .key_bits = su->key_bits,
						     .prf = prfs[p].id,
						     .integ = su->integ,
						     .dh = 31};
				struct ike_keys k;
				struct ref_keys r;
				int err = ike_keys_derive(&k, &a, ni, sizes[z].ni, nr, sizes[z].nr,
							  gir, sizes[z].gir, spi_i, spi_r);
				CHECK_EQ(err, 0);
				if (err) {
					fprintf(stderr, "  suite %s prf %u\n", su->name,
						prfs[p].id);
					continue;
				}
				CHECK_EQ(ref_ike_keys(prfs[p].id, su->integ_len, su->encr_len, ni,
						      sizes[z].ni, nr, sizes[z].nr, gir,
						      sizes[z].gir, spi_i, spi_r, &r),
					 0);
				CHECK_EQ(k.prf_len, prfs[p].len);
				CHECK_EQ(k.encr_len, su->encr_len);
				CHECK_EQ(k.integ_len, su->integ_len);
				CHECK_EQ(k.aead, su->integ == 0);
				CHECK_MEM(k.sk_d, r.sk_d, r.prf_len);
				CHECK_MEM(k.sk_ai, r.sk_ai, r.integ_len);
				CHECK_MEM(k.sk_ar, r.sk_ar, r.integ_len);
				CHECK_MEM(k.sk_ei, r.sk_ei, r.encr_len);
				CHECK_MEM(k.sk_er, r.sk_er, r.encr_len);
				CHECK_MEM(k.sk_pi, r.sk_pi, r.prf_len);
				CHECK_MEM(k.sk_pr, r.sk_pr, r.prf_len);
				CHECK((k.aead_i != NULL) == (su->integ == 0));
				CHECK((k.aead_r != NULL) == (su->integ == 0));

				/* CHILD SA KEYMAT = prf+(SK_d, Ni | Nr), i->r key first (2.17). */
				uint8_t seed[512], km[2 * 64], i2r[64], r2i[64];
				memcpy(seed, ni, sizes[z].ni);
				memcpy(seed + sizes[z].ni, nr, sizes[z].nr);
				size_t kl = su->encr_len;
				CHECK_EQ(ref_prf_plus(prfs[p].id, r.sk_d, r.prf_len, seed,
						      sizes[z].ni + sizes[z].nr, km, 2 * kl),
					 0);
				CHECK_EQ(ike_child_keymat(&k, kl, ni, sizes[z].ni, nr, sizes[z].nr,
							  i2r, r2i),
					 0);
				CHECK_MEM(i2r, km, kl);
				CHECK_MEM(r2i, km + kl, kl);
				ike_keys_wipe(&k);
				static const uint8_t zero[sizeof(struct ike_keys)];
				CHECK_MEM(&k, zero, sizeof(k));
			}
		}
	}
}

/* The reference itself must fail when wrong: prf+ of RFC 7296 2.13 computed by hand for one
 * block count, T1 = prf(K, S | 0x01), T2 = prf(K, T1 | S | 0x02). */
static void test_ref_self(void)
{
	uint8_t key[32], seed[40], out[80], t1[32], t2[32], buf[80];
	fill(key, sizeof(key), 3);
	fill(seed, sizeof(seed), 4);
	CHECK_EQ(ref_prf_plus(PRF_HMAC_SHA2_256, key, 32, seed, 40, out, 64), 0);
	memcpy(buf, seed, 40);
	buf[40] = 1;
	CHECK_EQ(ref_prf(PRF_HMAC_SHA2_256, key, 32, buf, 41, t1), 32);
	memcpy(buf, t1, 32);
	memcpy(buf + 32, seed, 40);
	buf[72] = 2;
	CHECK_EQ(ref_prf(PRF_HMAC_SHA2_256, key, 32, buf, 73, t2), 32);
	CHECK_MEM(out, t1, 32);
	CHECK_MEM(out + 32, t2, 32);
	/* and tern's prf_plus agrees with it */
	uint8_t tern[64];
	CHECK_EQ(prf_plus(PRF_HMAC_SHA2_256, key, 32, seed, 40, tern, 64), 0);
	CHECK_MEM(tern, out, 64);
}

static void test_algs_from_prop(void)
{
	struct ike_algs a;
	/* A chosen proposal: one transform of each type (RFC 7296 3.3.6). */
	struct prop gcm = {
	    .protocol = 1,
	    .t = {{TT_ENCR, ENCR_AES_GCM_16, 256}, {TT_PRF, PRF_HMAC_SHA2_384, 0}, {TT_DH, 19, 0}},
	    .n = 3};
	CHECK_EQ(ike_algs_from_prop(&gcm, &a), 0);
	CHECK_EQ(a.encr, ENCR_AES_GCM_16);
	CHECK_EQ(a.key_bits, 256);
	CHECK_EQ(a.prf, PRF_HMAC_SHA2_384);
	CHECK_EQ(a.integ, 0);
	CHECK_EQ(a.dh, 19);

	/* ChaCha20-Poly1305 has no Key Length attribute (RFC 7634 2): always 256 bits. */
	struct prop cha = {.protocol = 1,
			   .t = {{TT_ENCR, ENCR_CHACHA20_POLY1305, 0},
				 {TT_PRF, PRF_HMAC_SHA2_256, 0},
				 {TT_DH, 31, 0}},
			   .n = 3};
	CHECK_EQ(ike_algs_from_prop(&cha, &a), 0);
	CHECK_EQ(a.key_bits, 256);

	struct prop cbc = {.protocol = 1,
			   .t = {{TT_ENCR, ENCR_AES_CBC, 128},
				 {TT_PRF, PRF_HMAC_SHA2_256, 0},
				 {TT_INTEG, INTEG_HMAC_SHA2_256_128, 0},
				 {TT_DH, 14, 0}},
			   .n = 4};
	CHECK_EQ(ike_algs_from_prop(&cbc, &a), 0);
	CHECK_EQ(a.integ, INTEG_HMAC_SHA2_256_128);

	/* An AEAD cipher with an integrity transform, or CBC without one, is refused (RFC 5282 8).
	 */
	struct prop bad = gcm;
	bad.t[bad.n++] = (struct prop_transform){TT_INTEG, INTEG_HMAC_SHA2_256_128, 0};
	CHECK_EQ(ike_algs_from_prop(&bad, &a), -EINVAL);
	bad = cbc;
	bad.n = 3;
	bad.t[2] = bad.t[3];
	CHECK_EQ(ike_algs_from_prop(&bad, &a), -EINVAL);
	/* no ENCR at all */
	bad = cbc;
	bad.t[0] = bad.t[3];
	bad.n = 3;
	CHECK_EQ(ike_algs_from_prop(&bad, &a), -EINVAL);
	/* AES-GCM without a Key Length attribute (RFC 5282 8: it is mandatory) */
	bad = gcm;
	bad.t[0].key_bits = 0;
	CHECK_EQ(ike_algs_from_prop(&bad, &a), -EINVAL);
}

static void test_keymat_lengths(void)
{
	CHECK_EQ(ike_encr_keymat_len(ENCR_AES_GCM_16, 128), 20);
	CHECK_EQ(ike_encr_keymat_len(ENCR_AES_GCM_16, 256), 36);
	CHECK_EQ(ike_encr_keymat_len(ENCR_CHACHA20_POLY1305, 0), 36);
	CHECK_EQ(ike_encr_keymat_len(ENCR_AES_CBC, 128), 16);
	CHECK_EQ(ike_encr_keymat_len(ENCR_AES_CBC, 256), 32);
	CHECK_EQ(ike_encr_keymat_len(ENCR_AES_CBC, 64), 0);
	CHECK_EQ(ike_encr_keymat_len(3 /* ENCR_3DES */, 0), 0);
	/* AES-CBC-192 is a valid IKE cipher (RFC 3602, 24-octet key) that client/proposal.c
	 * offers as "aes192" and crypto/cbc.h implements: its keying material is 24 octets. */
	CHECK_EQ(ike_encr_keymat_len(ENCR_AES_CBC, 192), 24);
}

static void test_errors(void)
{
	uint8_t n[300] = {1}, g[32] = {2};
	struct ike_keys k;
	struct ike_algs a = {.encr = ENCR_AES_GCM_16, .key_bits = 256, .prf = 2 /* SHA-1 */};
	CHECK_EQ(ike_keys_derive(&k, &a, n, 32, n, 32, g, 32, 1, 2), -EINVAL);
	a.prf = PRF_HMAC_SHA2_256;
	a.encr = 3; /* 3DES: not supported */
	CHECK_EQ(ike_keys_derive(&k, &a, n, 32, n, 32, g, 32, 1, 2), -EINVAL);
	a.encr = ENCR_AES_CBC;
	a.integ = 2; /* HMAC-SHA1-96: not supported */
	CHECK_EQ(ike_keys_derive(&k, &a, n, 32, n, 32, g, 32, 1, 2), -EINVAL);
	/* nonces are at most 256 octets (RFC 7296 3.9) */
	a = (struct ike_algs){.encr = ENCR_AES_GCM_16, .key_bits = 256, .prf = PRF_HMAC_SHA2_256};
	CHECK_EQ(ike_keys_derive(&k, &a, n, 257, n, 32, g, 32, 1, 2), -EINVAL);
	CHECK_EQ(ike_keys_derive(&k, &a, n, 32, n, 257, g, 32, 1, 2), -EINVAL);
	CHECK_EQ(ike_keys_derive(&k, &a, n, 32, n, 32, g, 32, 1, 2), 0);
	uint8_t i2r[64], r2i[64];
	CHECK_EQ(ike_child_keymat(&k, 65, n, 32, n, 32, i2r, r2i), -EINVAL);
	ike_keys_wipe(&k);
}

int main(void)
{
	test_ref_self();
	test_ike_sa_keys();
	test_algs_from_prop();
	test_keymat_lengths();
	test_errors();
	return check_done("ike_keys");
}
