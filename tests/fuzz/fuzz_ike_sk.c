/* libFuzzer target: opening SK and SKF payloads (client/ike/sk.h) with fixed keys.
 *
 * Keys come from ike_keys_derive over fixed nonces, SPIs and a fixed shared secret, for an AEAD
 * suite (AES-256-GCM-16) and a CBC suite (AES-256-CBC with HMAC-SHA2-256-128), both with
 * PRF-HMAC-SHA2-256. Input: one octet of options, then a datagram.
 *   bit 0: suite (0 AEAD, 1 CBC)
 *   bit 1: before opening, encrypt the SK body in place and write a valid ICV with the keys
 *          the opener uses, so the plaintext checks (padding, inner chain) are reached; the
 *          input then holds the plaintext where the ciphertext goes.
 * A message that opens is parsed further as its inner payload chain. */
#include "client/ike/message.h"
#include "client/ike/sk.h"
#include "crypto/cbc.h"
#include "crypto/integ.h"
#include "fuzz_util.h"

enum { SUITES = 2, CBC_IV = 16, SKF_FIELDS = 4, MAX_DGRAM = 65535 };

static struct ike_keys keys[SUITES];

static void derive(struct ike_keys *k, uint16_t encr, uint16_t integ)
{
	static const uint8_t ni[32] = {1}, nr[32] = {2}, gir[32] = {3};
	struct ike_algs a = {.encr = encr,
			     .key_bits = 256,
			     .prf = 5 /* PRF_HMAC_SHA2_256 */,
			     .integ = integ,
			     .dh = 31};
	if (ike_keys_derive(k, &a, ni, sizeof(ni), nr, sizeof(nr), gir, sizeof(gir),
			    0x0102030405060708ull, 0x1112131415161718ull) != 0)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	derive(&keys[0], ENCR_AES_GCM_16, 0);
	derive(&keys[1], ENCR_AES_CBC, INTEG_HMAC_SHA2_256_128);
	return 0;
}

/* Seals the SK body of buf in place, as the gateway would: the layout of sk.h. */
static void fix_up(struct ike_keys *k, const struct ike_msg *m, uint8_t *buf)
{
	const struct ike_pl *pl = &m->pl[m->sk_index];
	uint8_t *body = buf + (pl->body - m->raw);
	size_t len = pl->len;
	size_t ivl = k->aead ? AEAD_IV_LEN : CBC_IV;
	size_t icvl = k->aead ? AEAD_TAG_LEN : integ_icv_size(k->alg.integ);
	if (pl->type == PL_SKF) {
		if (len < SKF_FIELDS)
			return;
		body += SKF_FIELDS;
		len -= SKF_FIELDS;
	}
	if (len < ivl + icvl)
		return;
	uint8_t *iv = body, *ct = body + ivl;
	size_t ct_len = len - ivl - icvl;
	if (k->aead) {
		struct aead_op op = {.iv = iv,
				     .aad = buf,
				     .aad_len = (size_t)(iv - buf),
				     .data = ct,
				     .len = ct_len,
				     .tag = ct + ct_len};
		if (aead_seal(k->aead_r, &op, 1) != 0)
			abort();
	} else {
		if (ct_len % CBC_IV)
			return;
		if (aes_cbc_encrypt(k->sk_er, k->encr_len, iv, ct, ct_len) != 0 ||
		    integ_compute(k->alg.integ, k->sk_ar, buf, (size_t)(ct + ct_len - buf),
				  ct + ct_len) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size - 1 > MAX_DGRAM)
		return 0;
	uint8_t opt = data[0];
	struct ike_keys *k = &keys[opt & 1];
	size_t len = size - 1;
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf)
		abort();
	memcpy(buf, data + 1, len);

	struct ike_msg m;
	if (ike_msg_parse(buf, len, &m) == 0 && m.sk_index >= 0) {
		uint8_t first;
		const uint8_t *inner;
		size_t inner_len;
		uint16_t no, total;
		if (opt & 2)
			fix_up(k, &m, buf);
		if (ike_sk_open(k, &m, buf, &first, &inner, &inner_len, &no, &total) == 0) {
			if (inner < buf || inner + inner_len > buf + len || no > total)
				abort();
			fuzz_touch(inner, inner_len);
			(void)ike_chain_parse(&m, first, inner, inner_len);
		}
	}
	free(buf);
	return 0;
}
