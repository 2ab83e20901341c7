/*
 * The SK payload (RFC 7296 3.14) and SKF payload (RFC 7383 2.5) of client/ike/sk.c, checked
 * against an independent implementation written here with OpenSSL EVP and HMAC():
 *   - AES-GCM-16 (RFC 5282 5.1, 7.1): nonce = 4-octet salt from the keying material || 8-octet
 *     IV carried in the payload; AAD = IKE header through the SK payload header (for SKF,
 *     through Fragment Number and Total Fragments, RFC 7383 2.5); 16-octet ICV.
 *   - ChaCha20-Poly1305 (RFC 7634 2, 3): the same layout, 32-octet key + 4-octet salt.
 *   - AES-CBC + HMAC-SHA2 (RFC 7296 3.14, RFC 3602, RFC 4868): the ICV is the truncated HMAC
 *     over the whole message up to the ICV; the ciphertext is a multiple of 16 octets.
 * Keys come from ref_kdf.c (RFC 7296 2.14, independent of keys.c). Every suite is run with
 * each AEAD backend this build and CPU have (TERN_AEAD_BACKEND).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "client/ike/ikev2.h"
#include "client/ike/sk.h"
#include "crypto/aead.h"
#include "crypto/integ.h"
#include "crypto/prf.h"
#include "tests/unit/check.h"
#include "tests/unit/ike/ref_kdf.h"

struct suite {
	const char *name;
	uint16_t encr, key_bits, integ;
	size_t encr_len, integ_len, icv_len, iv_len; /* RFC 5282, RFC 7634, RFC 4868, RFC 3602 */
};

static const struct suite suites[] = {
    {"aes128gcm16", ENCR_AES_GCM_16, 128, 0, 20, 0, 16, 8},
    {"aes256gcm16", ENCR_AES_GCM_16, 256, 0, 36, 0, 16, 8},
    {"chacha20poly1305", ENCR_CHACHA20_POLY1305, 256, 0, 36, 0, 16, 8},
    {"aes128-sha256", ENCR_AES_CBC, 128, INTEG_HMAC_SHA2_256_128, 16, 32, 16, 16},
    {"aes256-sha256", ENCR_AES_CBC, 256, INTEG_HMAC_SHA2_256_128, 32, 32, 16, 16},
    {"aes256-sha384", ENCR_AES_CBC, 256, INTEG_HMAC_SHA2_384_192, 32, 48, 24, 16},
    {"aes256-sha512", ENCR_AES_CBC, 256, INTEG_HMAC_SHA2_512_256, 32, 64, 32, 16},
};

static const uint64_t SPI_I = 0x1122334455667788ULL, SPI_R = 0x99aabbccddeeff00ULL;

static int fixed_rand(void *arg, uint8_t *buf, size_t len)
{
	unsigned *ctr = arg;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(0x5a ^ (*ctr)++);
	return 0;
}

/* ---- the independent side ---- */

static const EVP_CIPHER *cipher_of(const struct suite *s)
{
	if (s->encr == ENCR_CHACHA20_POLY1305)
		return EVP_chacha20_poly1305();
	if (s->encr == ENCR_AES_GCM_16)
		return s->key_bits == 128 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
	return s->key_bits == 128 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
}

static const EVP_MD *md_of(uint16_t integ)
{
	return integ == INTEG_HMAC_SHA2_256_128	  ? EVP_sha256()
	       : integ == INTEG_HMAC_SHA2_384_192 ? EVP_sha384()
						  : EVP_sha512();
}

/* AEAD with nonce = salt || iv (RFC 5282 4, RFC 7634 2). Returns 0, or -1 (tag mismatch). */
static int ref_aead(const struct suite *s, int enc, const uint8_t *keymat, const uint8_t *iv,
		    const uint8_t *aad, size_t aad_len, uint8_t *data, size_t len, uint8_t *tag)
{
	uint8_t nonce[12];
	size_t key_len = s->encr_len - 4;
	memcpy(nonce, keymat + key_len, 4);
	memcpy(nonce + 4, iv, 8);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int outl, ok = c && EVP_CipherInit_ex(c, cipher_of(s), NULL, NULL, NULL, enc) &&
		       EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) &&
		       EVP_CipherInit_ex(c, NULL, NULL, keymat, nonce, enc) &&
		       EVP_CipherUpdate(c, NULL, &outl, aad, (int)aad_len) &&
		       EVP_CipherUpdate(c, data, &outl, data, (int)len);
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, tag);
	ok = ok && EVP_CipherFinal_ex(c, data + outl, &outl) > 0;
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

static int ref_cbc(const struct suite *s, int enc, const uint8_t *key, const uint8_t *iv,
		   uint8_t *data, size_t len)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int outl, ok = c && EVP_CipherInit_ex(c, cipher_of(s), NULL, key, iv, enc) &&
		       EVP_CIPHER_CTX_set_padding(c, 0) &&
		       EVP_CipherUpdate(c, data, &outl, data, (int)len) &&
		       EVP_CipherFinal_ex(c, data + outl, &outl);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* Truncated HMAC (RFC 4868 2.3) */
static void ref_icv(const struct suite *s, const uint8_t *key, const uint8_t *data, size_t len,
		    uint8_t *icv)
{
	uint8_t full[64];
	unsigned int n;
	HMAC(md_of(s->integ), key, (int)s->integ_len, data, len, full, &n);
	memcpy(icv, full, s->icv_len);
}

/* Builds HDR | SK or SKF | [frag fields] | IV | E(inner | pad | padlen) | ICV as the gateway
 * would (keys of the responder: SK_er, SK_ar). Returns the datagram length. */
static size_t ref_seal(const struct suite *s, const struct ref_keys *rk, uint32_t msg_id,
		       uint8_t first, uint16_t frag_no, uint16_t frag_total, const uint8_t *inner,
		       size_t inner_len, size_t pad, uint8_t padlen_byte, uint8_t *out)
{
	bool aead = s->integ == 0;
	size_t skf = frag_total ? 4 : 0;
	size_t ct_len = inner_len + pad + 1;
	size_t total = 28 + 4 + skf + s->iv_len + ct_len + s->icv_len;
	uint8_t *p = out;
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)(SPI_I >> (56 - 8 * i));
		p[8 + i] = (uint8_t)(SPI_R >> (56 - 8 * i));
	}
	p[16] = frag_total ? PL_SKF : PL_SK;
	p[17] = 0x20;
	p[18] = IKE_AUTH;
	p[19] = IKE_FLAG_RESPONSE;
	put_u32(p + 20, msg_id);
	put_u32(p + 24, (uint32_t)total);
	p += 28;
	p[0] = first;
	p[1] = 0;
	put_u16(p + 2, (uint16_t)(total - 28));
	p += 4;
	if (frag_total) {
		put_u16(p, frag_no);
		put_u16(p + 2, frag_total);
		p += 4;
	}
	uint8_t *iv = p, *ct = p + s->iv_len, *icv = ct + ct_len;
	for (size_t i = 0; i < s->iv_len; i++)
		iv[i] = (uint8_t)(0xc0 + i);
	memcpy(ct, inner, inner_len);
	for (size_t i = 0; i < pad; i++)
		ct[inner_len + i] = (uint8_t)(0xe0 + i);
	ct[inner_len + pad] = padlen_byte;
	if (aead) {
		ref_aead(s, 1, rk->sk_er, iv, out, (size_t)(iv - out), ct, ct_len, icv);
	} else {
		ref_cbc(s, 1, rk->sk_er, iv, ct, ct_len);
		ref_icv(s, rk->sk_ar, out, (size_t)(icv - out), icv);
	}
	return total;
}

/* ---- fixtures ---- */

struct fix {
	const struct suite *s;
	struct ike_keys k;
	struct ref_keys rk;
	uint8_t inner[300];
	size_t inner_len;
	uint8_t first;
};

static int fix_init(struct fix *f, const struct suite *s, size_t inner_len)
{
	uint8_t ni[32], nr[48], gir[32];
	for (size_t i = 0; i < sizeof(ni); i++)
		ni[i] = (uint8_t)(i * 3 + 1);
	for (size_t i = 0; i < sizeof(nr); i++)
		nr[i] = (uint8_t)(i * 5 + 2);
	for (size_t i = 0; i < sizeof(gir); i++)
		gir[i] = (uint8_t)(i * 7 + 3);
	f->s = s;
	struct ike_algs a = {.encr = s->encr,
			     .key_bits = s->key_bits,
			     .prf = PRF_HMAC_SHA2_256,
			     .integ = s->integ,
			     .dh = 31};
	if (ike_keys_derive(&f->k, &a, ni, sizeof(ni), nr, sizeof(nr), gir, sizeof(gir), SPI_I,
			    SPI_R))
		return -1;
	if (ref_ike_keys(PRF_HMAC_SHA2_256, s->integ_len, s->encr_len, ni, sizeof(ni), nr,
			 sizeof(nr), gir, sizeof(gir), SPI_I, SPI_R, &f->rk))
		return -1;
	/* an inner chain: IDi "carol" then a Notify, as ikb builds it */
	struct ikb b;
	ikb_chain(&b, f->inner, sizeof(f->inner));
	ikb_id(&b, PL_IDI, ID_FQDN, "carol", 5);
	uint8_t filler[260];
	for (size_t i = 0; i < sizeof(filler); i++)
		filler[i] = (uint8_t)i;
	size_t room = inner_len > 13 + 8 ? inner_len - 13 - 8 : 0;
	ikb_notify(&b, 0, NULL, 0, N_INITIAL_CONTACT, filler, room);
	f->inner_len = b.w.len;
	f->first = b.first;
	return b.w.err ? -1 : 0;
}

static struct ike_hdr req_hdr(uint32_t msg_id)
{
	struct ike_hdr h = {.spi_i = SPI_I,
			    .spi_r = SPI_R,
			    .version = IKE_VERSION_2,
			    .exchange = IKE_AUTH,
			    .flags = IKE_FLAG_INITIATOR,
			    .msg_id = msg_id};
	return h;
}

/* ---- tern seals, the reference opens ---- */

static void check_seal(struct fix *f, uint16_t frag_no, uint16_t frag_total)
{
	const struct suite *s = f->s;
	uint8_t out[1024];
	unsigned ctr = 0;
	struct ike_hdr h = req_hdr(7);
	uint64_t ivc = 0x0102030405060708ULL + frag_no;
	int n = ike_sk_seal(&f->k, &h, f->first, frag_no, frag_total, f->inner, f->inner_len, ivc,
			    fixed_rand, &ctr, out, sizeof(out));
	CHECK(n > 0);
	if (n <= 0)
		return;
	size_t skf = frag_total ? 4 : 0;
	/* header: RFC 7296 3.1; length field = datagram length */
	CHECK_EQ(get_u32(out + 24), (uint32_t)n);
	CHECK_EQ(out[16], frag_total ? PL_SKF : PL_SK);
	CHECK_EQ(get_u32(out + 20), 7);
	CHECK_EQ(out[19], IKE_FLAG_INITIATOR);
	/* SK header: Next Payload = first inner payload (SKF: only in fragment 1, RFC 7383 2.5) */
	CHECK_EQ(out[28], frag_total && frag_no != 1 ? PL_NONE : f->first);
	CHECK_EQ(out[29], 0);
	CHECK_EQ(get_u16(out + 30), (uint16_t)(n - 28));
	if (frag_total) {
		CHECK_EQ(get_u16(out + 32), frag_no);
		CHECK_EQ(get_u16(out + 34), frag_total);
	}
	uint8_t *iv = out + 32 + skf;
	uint8_t *ct = iv + s->iv_len;
	size_t ct_len = (size_t)n - (size_t)(ct - out) - s->icv_len;
	uint8_t *icv = ct + ct_len;
	if (s->integ == 0) {
		/* the IV is the 64-bit counter, network order (RFC 5282 3.1 allows a counter) */
		uint8_t want_iv[8];
		put_u64(want_iv, ivc);
		CHECK_MEM(iv, want_iv, 8);
		CHECK_EQ(ref_aead(s, 0, f->rk.sk_ei, iv, out, (size_t)(iv - out), ct, ct_len, icv),
			 0);
	} else {
		uint8_t want[32];
		ref_icv(s, f->rk.sk_ai, out, (size_t)(icv - out), want);
		CHECK_MEM(icv, want, s->icv_len);
		CHECK_EQ(ct_len % 16, 0);
		CHECK_EQ(ref_cbc(s, 0, f->rk.sk_ei, iv, ct, ct_len), 0);
	}
	uint8_t padlen = ct[ct_len - 1];
	CHECK(padlen + 1u <= ct_len);
	CHECK_EQ(ct_len - padlen - 1, f->inner_len);
	CHECK_MEM(ct, f->inner, f->inner_len);
}

/* ---- the reference seals, tern opens ---- */

static int open_copy(struct fix *f, const uint8_t *dg, size_t len, uint8_t *buf, uint8_t *first,
		     const uint8_t **inner, size_t *inner_len, uint16_t *no, uint16_t *total,
		     void (*tamper)(uint8_t *buf, size_t len, size_t arg), size_t arg)
{
	struct ike_msg m;
	memcpy(buf, dg, len);
	int err = ike_msg_parse(buf, len, &m);
	if (err)
		return err;
	if (tamper)
		tamper(buf, len, arg);
	return ike_sk_open(&f->k, &m, buf, first, inner, inner_len, no, total);
}

static void flip(uint8_t *buf, size_t len, size_t off)
{
	(void)len;
	buf[off] ^= 0x01;
}

static void check_open(struct fix *f, size_t pad, uint16_t frag_no, uint16_t frag_total)
{
	const struct suite *s = f->s;
	bool aead = s->integ == 0;
	if (!aead)
		pad = (16 - (f->inner_len + 1) % 16) % 16 + (pad ? 16 : 0);
	uint8_t dg[1024], buf[1024], first = 0xff;
	const uint8_t *inner = NULL;
	size_t inner_len = 0;
	uint16_t no = 99, total = 99;
	uint8_t sk_first = frag_total && frag_no != 1 ? PL_NONE : f->first;
	size_t len = ref_seal(s, &f->rk, 3, sk_first, frag_no, frag_total, f->inner, f->inner_len,
			      pad, (uint8_t)pad, dg);
	CHECK_EQ(open_copy(f, dg, len, buf, &first, &inner, &inner_len, &no, &total, NULL, 0), 0);
	CHECK_EQ(first, sk_first);
	CHECK_EQ(inner_len, f->inner_len);
	CHECK(inner >= buf && inner + inner_len <= buf + len);
	if (inner)
		CHECK_MEM(inner, f->inner, f->inner_len);
	CHECK_EQ(no, frag_no);
	CHECK_EQ(total, frag_total);

	/* Any change to what the ICV covers is -EBADMSG: Message ID, SK header, fragment
	 * number (SKF), IV, first and last ciphertext octet, ICV. */
	size_t skf = frag_total ? 4 : 0;
	size_t offs[] = {20,	  28,	   32, 32 + skf, 32 + skf + s->iv_len, len - s->icv_len - 1,
			 len - 1, 33 + skf};
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		int err = open_copy(f, dg, len, buf, &first, &inner, &inner_len, &no, &total, flip,
				    offs[i]);
		CHECK_EQ(err, -EBADMSG);
		if (err != -EBADMSG)
			fprintf(stderr, "  %s: flipped octet %zu accepted\n", s->name, offs[i]);
	}
}

static void check_bad_padding(struct fix *f)
{
	const struct suite *s = f->s;
	bool aead = s->integ == 0;
	size_t pad = aead ? 0 : (16 - (f->inner_len + 1) % 16) % 16;
	uint8_t dg[1024], buf[1024], first;
	const uint8_t *inner;
	size_t inner_len;
	uint16_t no, total;
	/* Pad Length larger than the plaintext, under a valid ICV (RFC 7296 3.14) */
	size_t len = ref_seal(s, &f->rk, 3, f->first, 0, 0, f->inner, f->inner_len, pad, 0xff, dg);
	if (f->inner_len + pad + 1 <= 0xff)
		CHECK_EQ(
		    open_copy(f, dg, len, buf, &first, &inner, &inner_len, &no, &total, NULL, 0),
		    -EBADMSG);
	/* SKF with Fragment Number 0, or above Total Fragments (RFC 7383 2.5) */
	len = ref_seal(s, &f->rk, 3, PL_NONE, 0, 2, f->inner, f->inner_len, pad, (uint8_t)pad, dg);
	CHECK_EQ(open_copy(f, dg, len, buf, &first, &inner, &inner_len, &no, &total, NULL, 0),
		 -EBADMSG);
	len = ref_seal(s, &f->rk, 3, PL_NONE, 3, 2, f->inner, f->inner_len, pad, (uint8_t)pad, dg);
	CHECK_EQ(open_copy(f, dg, len, buf, &first, &inner, &inner_len, &no, &total, NULL, 0),
		 -EBADMSG);
	/* Sealed with the initiator's own keys: tern must not accept its own direction. */
	struct ref_keys mirror = f->rk;
	memcpy(mirror.sk_er, f->rk.sk_ei, sizeof(mirror.sk_er));
	memcpy(mirror.sk_ar, f->rk.sk_ai, sizeof(mirror.sk_ar));
	len =
	    ref_seal(s, &mirror, 3, f->first, 0, 0, f->inner, f->inner_len, pad, (uint8_t)pad, dg);
	CHECK_EQ(open_copy(f, dg, len, buf, &first, &inner, &inner_len, &no, &total, NULL, 0),
		 -EBADMSG);
	/* Ciphertext shorter than IV + Pad Length + ICV */
	uint8_t hdr_only[28 + 4 + 8];
	memcpy(hdr_only, dg, 28);
	put_u32(hdr_only + 24, sizeof(hdr_only));
	hdr_only[28] = f->first;
	hdr_only[29] = 0;
	put_u16(hdr_only + 30, sizeof(hdr_only) - 28);
	memset(hdr_only + 32, 0, 8);
	CHECK_EQ(open_copy(f, hdr_only, sizeof(hdr_only), buf, &first, &inner, &inner_len, &no,
			   &total, NULL, 0),
		 -EBADMSG);
	/* CBC: ciphertext not a multiple of the block size */
	if (!aead) {
		len = ref_seal(s, &f->rk, 3, f->first, 0, 0, f->inner, f->inner_len, pad + 1,
			       (uint8_t)(pad + 1), dg);
		CHECK_EQ(
		    open_copy(f, dg, len, buf, &first, &inner, &inner_len, &no, &total, NULL, 0),
		    -EBADMSG);
	}
	/* no SK payload at all */
	struct ike_msg m;
	uint8_t plain[64];
	struct ikb b;
	struct ike_hdr h = req_hdr(1);
	ikb_message(&b, plain, sizeof(plain), &h);
	ikb_simple(&b, PL_NONCE, "0123456789abcdef", 16);
	int pl = ikb_finish(&b);
	CHECK(pl > 0);
	CHECK_EQ(ike_msg_parse(plain, (size_t)pl, &m), 0);
	CHECK_EQ(ike_sk_open(&f->k, &m, plain, &first, &inner, &inner_len, &no, &total), -ENOENT);
}

/* Seal and open agree in tern itself across IV counters, and the IVs differ. */
static void check_ivs(struct fix *f)
{
	uint8_t a[1024], b[1024];
	unsigned ctr = 0;
	struct ike_hdr h = req_hdr(2);
	int na = ike_sk_seal(&f->k, &h, f->first, 0, 0, f->inner, f->inner_len, 1, fixed_rand, &ctr,
			     a, sizeof(a));
	int nb = ike_sk_seal(&f->k, &h, f->first, 0, 0, f->inner, f->inner_len, 2, fixed_rand, &ctr,
			     b, sizeof(b));
	CHECK(na > 0 && na == nb);
	CHECK(memcmp(a + 32, b + 32, f->s->iv_len) != 0);
	/* too small an output buffer */
	CHECK_EQ(ike_sk_seal(&f->k, &h, f->first, 0, 0, f->inner, f->inner_len, 3, fixed_rand, &ctr,
			     a, (size_t)na - 1),
		 -EMSGSIZE);
	/* the overhead bound covers the real overhead */
	CHECK((size_t)na - f->inner_len <= ike_sk_overhead(&f->k, false));
	int nf = ike_sk_seal(&f->k, &h, f->first, 1, 2, f->inner, f->inner_len, 4, fixed_rand, &ctr,
			     b, sizeof(b));
	CHECK(nf > 0 && (size_t)nf - f->inner_len <= ike_sk_overhead(&f->k, true));
}

static void run_all(void)
{
	static const size_t inner_sizes[] = {0, 13, 32, 47, 200};
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		for (size_t z = 0; z < sizeof(inner_sizes) / sizeof(inner_sizes[0]); z++) {
			struct fix f;
			int err = fix_init(&f, &suites[i], inner_sizes[z]);
			CHECK_EQ(err, 0);
			if (err)
				continue;
			check_seal(&f, 0, 0);
			check_seal(&f, 1, 3);
			check_seal(&f, 2, 3);
			check_open(&f, 0, 0, 0);
			check_open(&f, 5, 0, 0);
			check_open(&f, 0, 1, 2);
			check_open(&f, 0, 2, 2);
			check_bad_padding(&f);
			check_ivs(&f);
			ike_keys_wipe(&f.k);
		}
	}
}

int main(void)
{
	static const struct {
		enum aead_backend b;
		const char *env;
	} backends[] = {{AEAD_BACKEND_OPENSSL, "openssl"}, {AEAD_BACKEND_IPSECMB, "ipsec-mb"}};
	for (size_t i = 0; i < 2; i++) {
		if (!aead_backend_available(backends[i].b, AEAD_AES_GCM_16))
			continue;
		setenv("TERN_AEAD_BACKEND", backends[i].env, 1);
		run_all();
	}
	return check_done("ike_sk");
}
