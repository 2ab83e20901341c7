/*
 * prf_compute against RFC 4231 (HMAC-SHA-256/384/512 test cases 1-4, 6, 7; test case 5's
 * truncated output is checked on its first 16 bytes), and prf_plus against RFC 7296 section
 * 2.13's definition computed here independently with OpenSSL's HMAC() one-shot.
 */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "crypto/prf.h"
#include "tests/unit/check.h"

struct rfc4231_case {
	const char *key;  /* hex */
	const char *data; /* hex, or NULL when text is set */
	const char *text;
	const char *sha256, *sha384, *sha512;
	size_t check_len; /* 0: full output */
};

/* 131 bytes of 0xaa */
static const char aa131[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			    "aaaaaa";

static const struct rfc4231_case cases[] = {
    {/* 4.2 Test Case 1 */
     "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", NULL, "Hi There",
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
     "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9"
     "cb6",
     "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f"
     "4e4"
     "be9d914eeb61f1702e696c203a126854",
     0},
    {/* 4.3 Test Case 2 */
     "4a656665", NULL, "what do ya want for nothing?",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
     "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21"
     "649",
     "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e"
     "6fd"
     "caeab1a34d4a6b4b636e070a38bce737",
     0},
    {/* 4.4 Test Case 3 */
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
     "dddddddd",
     NULL, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
     "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34"
     "f27",
     "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c"
     "807"
     "b946a337bee8942674278859e13292fb",
     0},
    {/* 4.5 Test Case 4 */
     "0102030405060708090a0b0c0d0e0f10111213141516171819",
     "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
     "cdcdcdcd",
     NULL, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
     "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674c"
     "ffb",
     "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788"
     "063"
     "a5f19741120c4f2de2adebeb10a298dd",
     0},
    {/* 4.6 Test Case 5 (output truncated to 128 bits in the RFC) */
     "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", NULL, "Test With Truncation",
     "a3b6167473100ee06e0c796c2955552b", "3abf34c3503b2a23a46efc619baef897",
     "415fad6271580a531d4179bc891d87a6", 16},
    {/* 4.7 Test Case 6 */
     aa131, NULL, "Test Using Larger Than Block-Size Key - Hash Key First",
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
     "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44"
     "952",
     "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1"
     "e52"
     "95e64f73f63f0aec8b915a985d786598",
     0},
    {/* 4.8 Test Case 7 */
     aa131, NULL,
     "This is a test using a larger than block-size key and a larger than block-size data. The "
     "key needs to be hashed before being used by the HMAC algorithm.",
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
     "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c465"
     "23e",
     "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4d"
     "e15"
     "134676fb6de0446065c97440fa8c6a58",
     0},
};

static void test_rfc4231(void)
{
	static const enum prf_alg algs[] = {PRF_HMAC_SHA2_256, PRF_HMAC_SHA2_384,
					    PRF_HMAC_SHA2_512};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rfc4231_case *c = &cases[i];
		uint8_t key[200], data[200], want[64], out[64];
		size_t key_len = check_unhex(c->key, key, sizeof(key));
		size_t len;

		if (c->text) {
			len = strlen(c->text);
			memcpy(data, c->text, len);
		} else {
			len = check_unhex(c->data, data, sizeof(data));
		}
		for (size_t j = 0; j < 3; j++) {
			const char *hex = j == 0 ? c->sha256 : j == 1 ? c->sha384 : c->sha512;
			size_t n = check_unhex(hex, want, sizeof(want));

			CHECK_EQ(n, c->check_len ? c->check_len : prf_size(algs[j]));
			CHECK_EQ(prf_compute(algs[j], key, key_len, data, len, out), 0);
			CHECK_MEM(out, want, n);
		}
	}
}

/* RFC 7296 section 2.13, written out with HMAC() as the independent reference. */
static void ref_prf_plus(const EVP_MD *md, const uint8_t *key, size_t key_len, const uint8_t *seed,
			 size_t seed_len, uint8_t *out, size_t out_len)
{
	uint8_t t[64], msg[64 + 512 + 1];
	unsigned int tlen = 0;

	for (unsigned n = 1; out_len > 0; n++) {
		size_t m = 0, take;

		memcpy(msg, t, tlen); /* T(n-1), empty for n = 1 */
		m = tlen;
		memcpy(msg + m, seed, seed_len);
		m += seed_len;
		msg[m++] = (uint8_t)n;
		HMAC(md, key, (int)key_len, msg, m, t, &tlen);
		take = out_len < tlen ? out_len : tlen;
		memcpy(out, t, take);
		out += take;
		out_len -= take;
	}
}

static void test_prf_plus(void)
{
	static const struct {
		enum prf_alg alg;
		const EVP_MD *(*md)(void);
	} algs[] = {
	    {PRF_HMAC_SHA2_256, EVP_sha256},
	    {PRF_HMAC_SHA2_384, EVP_sha384},
	    {PRF_HMAC_SHA2_512, EVP_sha512},
	};
	static const size_t lens[] = {1, 31, 32, 33, 64, 100, 224, 1000};
	uint8_t key[80], seed[300], got[255 * 64 + 1], want[255 * 64];

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)(i * 13 + 5);
	for (size_t a = 0; a < 3; a++) {
		size_t hlen = prf_size(algs[a].alg);

		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			memset(got, 0, sizeof(got));
			CHECK_EQ(prf_plus(algs[a].alg, key, hlen, seed, 64, got, lens[l]), 0);
			ref_prf_plus(algs[a].md(), key, hlen, seed, 64, want, lens[l]);
			CHECK_MEM(got, want, lens[l]);
		}
		/* Longest allowed output (255 blocks), odd key and seed lengths. */
		CHECK_EQ(prf_plus(algs[a].alg, key, 17, seed, 300, got, 255 * hlen), 0);
		ref_prf_plus(algs[a].md(), key, 17, seed, 300, want, 255 * hlen);
		CHECK_MEM(got, want, 255 * hlen);
		/* One byte more needs a 256th block, which the counter cannot number. */
		CHECK_EQ(prf_plus(algs[a].alg, key, 17, seed, 300, got, 255 * hlen + 1), -EINVAL);
	}
}

static void test_errors(void)
{
	uint8_t out[64];

	CHECK_EQ(prf_size((enum prf_alg)2), 0);
	CHECK_EQ(prf_compute((enum prf_alg)2, out, 16, out, 16, out), -EINVAL);
	CHECK_EQ(prf_plus((enum prf_alg)2, out, 16, out, 16, out, 16), -EINVAL);
	CHECK_EQ(prf_size(PRF_HMAC_SHA2_256), 32);
	CHECK_EQ(prf_size(PRF_HMAC_SHA2_384), 48);
	CHECK_EQ(prf_size(PRF_HMAC_SHA2_512), 64);
}

int main(void)
{
	test_rfc4231();
	test_prf_plus();
	test_errors();
	return check_done("test_prf");
}
