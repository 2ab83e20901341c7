/*
 * AEAD: published vectors on every available backend, a burst of ops under one key, rejection
 * of tampered tag / data / AAD, backend selection, and a cross-backend check (seal on one,
 * open on the other, ciphertexts bit-identical) over random inputs of 0..9000 bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "crypto/aead.h"
#include "tests/unit/check.h"

struct vector {
	const char *source;
	enum aead_alg alg;
	const char *keymat; /* key || salt (the first 4 bytes of the 96-bit nonce) */
	const char *iv;	    /* the last 8 bytes of the nonce */
	const char *aad, *pt, *ct, *tag;
};

#define GCM_SPEC_P3                                                                                \
	"d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"                         \
	"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
#define GCM_SPEC_P4                                                                                \
	"d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"                         \
	"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
#define GCM_SPEC_A4 "feedfacedeadbeeffeedfacedeadbeefabaddad2"

static const struct vector vectors[] = {
    /* McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", appendix B. */
    {"GCM spec test case 1", AEAD_AES_GCM_16, "00000000000000000000000000000000 00000000",
     "0000000000000000", "", "", "", "58e2fccefa7e3061367f1d57a4e7455a"},
    {"GCM spec test case 2", AEAD_AES_GCM_16, "00000000000000000000000000000000 00000000",
     "0000000000000000", "", "00000000000000000000000000000000", "0388dace60b6a392f328c2b971b2fe78",
     "ab6e47d42cec13bdf53a67b21257bddf"},
    {"GCM spec test case 3", AEAD_AES_GCM_16, "feffe9928665731c6d6a8f9467308308 cafebabe",
     "facedbaddecaf888", "", GCM_SPEC_P3,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {"GCM spec test case 4", AEAD_AES_GCM_16, "feffe9928665731c6d6a8f9467308308 cafebabe",
     "facedbaddecaf888", GCM_SPEC_A4, GCM_SPEC_P4,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    {"GCM spec test case 13", AEAD_AES_GCM_16,
     "0000000000000000000000000000000000000000000000000000000000000000 00000000",
     "0000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"GCM spec test case 14", AEAD_AES_GCM_16,
     "0000000000000000000000000000000000000000000000000000000000000000 00000000",
     "0000000000000000", "", "00000000000000000000000000000000", "cea7403d4d606b6e074ec5d3baf39d18",
     "d0d1c8a799996bf0265b98b5d48ab919"},
    {"GCM spec test case 15", AEAD_AES_GCM_16,
     "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308 cafebabe",
     "facedbaddecaf888", "", GCM_SPEC_P3,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"GCM spec test case 16", AEAD_AES_GCM_16,
     "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308 cafebabe",
     "facedbaddecaf888", GCM_SPEC_A4, GCM_SPEC_P4,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
    /*
     * draft-mcgrew-gcm-test-01 section 4: ESP packets as RFC 4106 builds them (salt from the
     * SA, 8-byte IV in the packet, AAD = SPI || sequence number, 32- or 64-bit).
     */
    {"draft-mcgrew-gcm-test-01 packet 1 (ESN)", AEAD_AES_GCM_16,
     "4c80cdefbb5d10da906ac73c3613a634 2e443b68", "4956ed7e3b244cfe", "0000432187654321 00000000",
     "45000048699a000080114db7c0a80102c0a801010a9bf15638d3010000010000"
     "00000000045f736970045f756470037369700963796265726369747902646b00"
     "0021000101020201",
     "fecf537e729d5b07dc30df528dd22b768d1b98736696a6fd348509fa13ceac34"
     "cfa2436f14a3f3cf65925bf1f4a13c5d15b21e1884f5ff6247aeabb786b93bce"
     "61bc17d768fd9732",
     "459018148f6cbe722fd04796562dfdb4"},
    {"draft-mcgrew-gcm-test-01 packet (AES-192)", AEAD_AES_GCM_16,
     "feffe9928665731c6d6a8f9467308308feffe9928665731c cafebabe", "facedbaddecaf888",
     "0000a5f8 0000000a",
     "45000028a4ad4000400678800a01038f0a010612802306b8cb712602dd6bb03e"
     "501016d075680001",
     "a5b1f8066029aea40e598b8122de02420938b3ab33f828e687b8858b5bfbdbd0"
     "315b27452144cc77",
     "95457b9652037f5318027b5b4cd7a636"},
    {"draft-mcgrew-gcm-test-01 packet (AES-256)", AEAD_AES_GCM_16,
     "abbccddef00112233445566778899aababbccddef00112233445566778899aab 11223344",
     "0102030405060708", "4a2cbfe3 00000002",
     "4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee000000000"
     "7002400020bf0000020405b40101040201020201",
     "ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d65a5d763"
     "748a637985771d347f0545659f14e99def842d8e",
     "b335f4eecfdbf831824b4c4915956c96"},
    /* RFC 8439 section 2.8.2 (nonce = 07000000 || 4041424344454647). */
    {"RFC 8439 2.8.2", AEAD_CHACHA20_POLY1305,
     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f 07000000",
     "4041424344454647", "50515253c0c1c2c3c4c5c6c7",
     "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
     "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
     "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
     "637265656e20776f756c642062652069742e",
     "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
     "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
     "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
     "3ff4def08e4b7a9de576d26586cec64b6116",
     "1ae10b594f09e26a7e902ecbd0600691"},
    /* RFC 7634 appendix A: an ESP packet (SPI 0x01020304, sequence number 5). */
    {"RFC 7634 A", AEAD_CHACHA20_POLY1305,
     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f a0a1a2a3",
     "1011121314151617", "01020304 00000005",
     "45000054a6f200004001e778c6336405c000020508005b7a3a080000553bec10"
     "0007362708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223"
     "2425262728292a2b2c2d2e2f303132333435363701020204",
     "24039428b97f417e3c13753a4f05087b67c352e6a7fab1b982d466ef407ae5c6"
     "14ee8099d52844eb61aa95dfab4c02f72aa71e7c4c4f64c9befe2facc638e8f3"
     "cbec163fac469b502773f6fb94e664da9165b82829f641e0",
     "76aaa8266b7fb0f7b11b369907e1ad43"},
};

#define NVEC (sizeof(vectors) / sizeof(vectors[0]))

struct buf {
	uint8_t keymat[AEAD_KEYMAT_MAX], iv[8], aad[64], pt[256], ct[256], tag[16];
	size_t keymat_len, aad_len, len;
};

static void load(const struct vector *v, struct buf *b)
{
	b->keymat_len = check_unhex(v->keymat, b->keymat, sizeof(b->keymat));
	CHECK_EQ(check_unhex(v->iv, b->iv, sizeof(b->iv)), AEAD_IV_LEN);
	b->aad_len = check_unhex(v->aad, b->aad, sizeof(b->aad));
	b->len = check_unhex(v->pt, b->pt, sizeof(b->pt));
	CHECK_EQ(check_unhex(v->ct, b->ct, sizeof(b->ct)), b->len);
	CHECK_EQ(check_unhex(v->tag, b->tag, sizeof(b->tag)), AEAD_TAG_LEN);
}

static enum aead_backend backends[2];
static unsigned nbackends;

/* Expects one op to be refused, its status set and its data wiped. */
static void expect_reject(struct aead *a, struct aead_op *op, const char *what)
{
	uint8_t zero[256] = {0};

	op->status = 12345;
	if (aead_open(a, op, 1) != -EBADMSG)
		fprintf(stderr, "  %s was accepted\n", what);
	CHECK_EQ(op->status, -EBADMSG);
	CHECK_MEM(op->data, zero, op->len);
}

static void test_vector(enum aead_backend be, const struct vector *v)
{
	struct buf b;
	struct aead *a = NULL;
	uint8_t data[256], tag[16];
	struct aead_op op;

	load(v, &b);
	CHECK_EQ(aead_new_backend(&a, v->alg, be, b.keymat, b.keymat_len), 0);
	if (a == NULL) {
		fprintf(stderr, "  %s: no context\n", v->source);
		return;
	}
	CHECK_EQ(a != NULL && strcmp(aead_backend_name(a),
				     be == AEAD_BACKEND_OPENSSL ? "openssl" : "ipsec-mb") == 0,
		 1);
	memcpy(data, b.pt, b.len);
	op = (struct aead_op){b.iv, b.aad, b.aad_len, data, b.len, tag, 0};
	CHECK_EQ(aead_seal(a, &op, 1), 0);
	CHECK_MEM(data, b.ct, b.len);
	CHECK_MEM(tag, b.tag, AEAD_TAG_LEN);

	op.status = 12345;
	CHECK_EQ(aead_open(a, &op, 1), 0);
	CHECK_EQ(op.status, 0);
	CHECK_MEM(data, b.pt, b.len);

	/* Tampered tag, data (when there is any) and AAD (when there is any). */
	memcpy(data, b.ct, b.len);
	tag[15] ^= 0x01;
	expect_reject(a, &op, "tampered tag");
	memcpy(tag, b.tag, AEAD_TAG_LEN);
	if (b.len > 0) {
		memcpy(data, b.ct, b.len);
		data[b.len / 2] ^= 0x20;
		expect_reject(a, &op, "tampered data");
	}
	if (b.aad_len > 0) {
		memcpy(data, b.ct, b.len);
		b.aad[0] ^= 0x80;
		expect_reject(a, &op, "tampered AAD");
		b.aad[0] ^= 0x80;
	}
	/* A wrong IV must fail as well. */
	memcpy(data, b.ct, b.len);
	b.iv[7] ^= 0x01;
	expect_reject(a, &op, "wrong IV");
	aead_free(a);
}

/*
 * A burst of 32 ops under one key alternating GCM test cases 3 and 4 (same key and nonce,
 * different lengths and AAD): every op must match its vector, so no state leaks between ops.
 * Then the same burst is opened with op 5 tampered: only that op fails.
 */
static void test_burst(enum aead_backend be)
{
	enum { N = 32 };
	struct buf b[2];
	uint8_t data[N][256], tag[N][16];
	struct aead_op ops[N];
	struct aead *a = NULL;

	load(&vectors[2], &b[0]);
	load(&vectors[3], &b[1]);
	CHECK_EQ(aead_new_backend(&a, AEAD_AES_GCM_16, be, b[0].keymat, b[0].keymat_len), 0);
	if (a == NULL)
		return;
	for (int i = 0; i < N; i++) {
		struct buf *v = &b[i % 2];

		memcpy(data[i], v->pt, v->len);
		ops[i] = (struct aead_op){v->iv, v->aad, v->aad_len, data[i], v->len, tag[i], 99};
	}
	CHECK_EQ(aead_seal(a, ops, N), 0);
	for (int i = 0; i < N; i++) {
		CHECK_MEM(data[i], b[i % 2].ct, b[i % 2].len);
		CHECK_MEM(tag[i], b[i % 2].tag, AEAD_TAG_LEN);
	}
	tag[5][0] ^= 0x04;
	CHECK_EQ(aead_open(a, ops, N), -EBADMSG);
	for (int i = 0; i < N; i++) {
		CHECK_EQ(ops[i].status, i == 5 ? -EBADMSG : 0);
		if (i != 5)
			CHECK_MEM(data[i], b[i % 2].pt, b[i % 2].len);
	}
	CHECK_EQ(aead_seal(a, ops, 0), 0);
	CHECK_EQ(aead_open(a, ops, 0), 0);
	aead_free(a);
}

/*
 * Random key, IV, AAD and data of every size 0..300 then every 6th up to 9000, for both
 * algorithms and AES-128/256: seal on one backend, open on the other, and the two backends'
 * ciphertexts and tags must be identical.
 */
static void test_cross_backend(void)
{
	static const struct {
		enum aead_alg alg;
		size_t keymat_len;
	} kinds[] = {{AEAD_AES_GCM_16, 20}, {AEAD_AES_GCM_16, 36}, {AEAD_CHACHA20_POLY1305, 36}};
	static const size_t aad_lens[] = {0, 8, 12, 32};
	size_t max = 9000;
	uint8_t *pt = malloc(max), *c1 = malloc(max), *c2 = malloc(max);
	unsigned mismatches = 0, failures = 0, count = 0;

	if (nbackends < 2) {
		printf("test_aead: only one backend here, cross-backend test skipped\n");
		free(pt);
		free(c1);
		free(c2);
		return;
	}
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		uint8_t keymat[AEAD_KEYMAT_MAX];
		struct aead *ossl = NULL, *imb = NULL;

		RAND_bytes(keymat, sizeof(keymat));
		CHECK_EQ(aead_new_backend(&ossl, kinds[k].alg, AEAD_BACKEND_OPENSSL, keymat,
					  kinds[k].keymat_len),
			 0);
		CHECK_EQ(aead_new_backend(&imb, kinds[k].alg, AEAD_BACKEND_IPSECMB, keymat,
					  kinds[k].keymat_len),
			 0);
		if (ossl == NULL || imb == NULL)
			continue;
		for (size_t len = 0; len <= max; len += len < 300 ? 1 : 6) {
			uint8_t iv[8], aad[32], t1[16], t2[16];
			size_t aad_len = aad_lens[len % 4];
			struct aead_op o1 = {iv, aad, aad_len, c1, len, t1, 0};
			struct aead_op o2 = {iv, aad, aad_len, c2, len, t2, 0};
			int forward = len % 2; /* which backend seals */

			RAND_bytes(iv, sizeof(iv));
			RAND_bytes(aad, sizeof(aad));
			RAND_bytes(pt, max);
			memcpy(c1, pt, len);
			memcpy(c2, pt, len);
			count++;
			if (aead_seal(ossl, &o1, 1) != 0 || aead_seal(imb, &o2, 1) != 0) {
				failures++;
				continue;
			}
			if (memcmp(c1, c2, len) != 0 || memcmp(t1, t2, 16) != 0)
				mismatches++;
			if (aead_open(forward ? imb : ossl, forward ? &o1 : &o2, 1) != 0 ||
			    memcmp(forward ? c1 : c2, pt, len) != 0)
				failures++;
		}
		aead_free(ossl);
		aead_free(imb);
	}
	printf("test_aead: cross-backend: %u inputs, %u mismatches, %u failures\n", count,
	       mismatches, failures);
	CHECK_EQ(mismatches, 0);
	CHECK_EQ(failures, 0);
	CHECK(count > 3000);
	free(pt);
	free(c1);
	free(c2);
}

static void test_selection(void)
{
	uint8_t keymat[AEAD_KEYMAT_MAX] = {1, 2, 3};
	struct aead *a = NULL;
	bool imb = aead_backend_available(AEAD_BACKEND_IPSECMB, AEAD_AES_GCM_16);

	setenv("TERN_AEAD_BACKEND", "openssl", 1);
	CHECK_EQ(aead_new(&a, AEAD_AES_GCM_16, keymat, 36), 0);
	CHECK(a != NULL && strcmp(aead_backend_name(a), "openssl") == 0);
	aead_free(a);

	setenv("TERN_AEAD_BACKEND", "ipsec-mb", 1);
	CHECK_EQ(aead_new(&a, AEAD_AES_GCM_16, keymat, 36), imb ? 0 : -ENOTSUP);
	CHECK(imb ? a != NULL && strcmp(aead_backend_name(a), "ipsec-mb") == 0 : a == NULL);
	aead_free(a);

	setenv("TERN_AEAD_BACKEND", "fastest", 1);
	CHECK_EQ(aead_new(&a, AEAD_AES_GCM_16, keymat, 36), -EINVAL);
	CHECK(a == NULL);
	unsetenv("TERN_AEAD_BACKEND");

	/* Key material lengths: 20/28/36 for GCM, 36 only for ChaCha20-Poly1305. */
	CHECK_EQ(aead_new(&a, AEAD_AES_GCM_16, keymat, 16), -EINVAL);
	CHECK_EQ(aead_new(&a, AEAD_AES_GCM_16, keymat, 32), -EINVAL);
	CHECK_EQ(aead_new(&a, AEAD_CHACHA20_POLY1305, keymat, 20), -EINVAL);
	CHECK_EQ(aead_new(&a, AEAD_CHACHA20_POLY1305, keymat, 32), -EINVAL);
	CHECK_EQ(aead_new(&a, (enum aead_alg)7, keymat, 36), -EINVAL);
	CHECK(a == NULL);
	aead_free(NULL);
}

int main(void)
{
	backends[nbackends++] = AEAD_BACKEND_OPENSSL;
	if (aead_backend_available(AEAD_BACKEND_IPSECMB, AEAD_AES_GCM_16))
		backends[nbackends++] = AEAD_BACKEND_IPSECMB;
	else
		printf("test_aead: ipsec-mb backend not available, testing openssl only\n");
	for (unsigned be = 0; be < nbackends; be++) {
		for (size_t i = 0; i < NVEC; i++) {
			int before = check_failures;

			test_vector(backends[be], &vectors[i]);
			if (check_failures != before)
				fprintf(stderr, "  ^ %s on backend %u\n", vectors[i].source, be);
		}
		test_burst(backends[be]);
	}
	test_cross_backend();
	test_selection();
	return check_done("test_aead");
}
