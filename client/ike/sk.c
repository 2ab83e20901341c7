/* SK and SKF payload sealing and opening. */
#include "client/ike/sk.h"

#include <errno.h>
#include <string.h>

#include "crypto/cbc.h"
#include "crypto/integ.h"

enum { CBC_BLOCK = 16, CBC_IV_LEN = 16, SKF_FIELDS_LEN = 4 };

static size_t iv_len(const struct ike_keys *k)
{
	return k->aead ? AEAD_IV_LEN : CBC_IV_LEN;
}

static size_t icv_len(const struct ike_keys *k)
{
	return k->aead ? AEAD_TAG_LEN : integ_icv_size(k->alg.integ);
}

size_t ike_sk_overhead(const struct ike_keys *k, bool fragment)
{
	return IKE_HDR_LEN + IKE_GENERIC_HDR_LEN + (fragment ? SKF_FIELDS_LEN : 0) + iv_len(k) +
	       CBC_BLOCK + icv_len(k);
}

int ike_sk_seal(struct ike_keys *k, const struct ike_hdr *hdr, uint8_t first_inner,
		uint16_t frag_no, uint16_t frag_total, const uint8_t *inner, size_t inner_len,
		uint64_t iv_counter, rand_fn rnd, void *rnd_arg, uint8_t *out, size_t cap)
{
	bool frag = frag_total != 0;
	size_t ivl = iv_len(k), icvl = icv_len(k);
	/* Padding: none needed for the AEAD suites; CBC pads to the block size. */
	size_t pad = k->aead ? 0 : (CBC_BLOCK - (inner_len + 1) % CBC_BLOCK) % CBC_BLOCK;
	size_t ct_len = inner_len + pad + 1;
	size_t sk_len = IKE_GENERIC_HDR_LEN + (frag ? SKF_FIELDS_LEN : 0) + ivl + ct_len + icvl;
	size_t total = IKE_HDR_LEN + sk_len;
	if (total > cap || sk_len > 0xffff)
		return -EMSGSIZE;

	struct ike_hdr h = *hdr;
	h.next = frag ? PL_SKF : PL_SK;
	h.length = (uint32_t)total;
	ike_hdr_write(out, &h);
	uint8_t *p = out + IKE_HDR_LEN;
	p[0] = frag && frag_no != 1 ? PL_NONE : first_inner;
	p[1] = 0;
	put_u16(p + 2, (uint16_t)sk_len);
	p += IKE_GENERIC_HDR_LEN;
	if (frag) {
		put_u16(p, frag_no);
		put_u16(p + 2, frag_total);
		p += SKF_FIELDS_LEN;
	}
	size_t aad_len = (size_t)(p - out);
	uint8_t *iv = p;
	uint8_t *ct = iv + ivl;
	memmove(ct, inner, inner_len);
	for (size_t i = 0; i < pad; i++)
		ct[inner_len + i] = 0;
	ct[inner_len + pad] = (uint8_t)pad;
	uint8_t *icv = ct + ct_len;

	int err;
	if (k->aead) {
		put_u64(iv, iv_counter);
		struct aead_op op = {.iv = iv,
				     .aad = out,
				     .aad_len = aad_len,
				     .data = ct,
				     .len = ct_len,
				     .tag = icv};
		err = aead_seal(k->responder ? k->aead_r : k->aead_i, &op, 1);
	} else {
		err = rnd(rnd_arg, iv, ivl);
		if (!err)
			err = aes_cbc_encrypt(k->responder ? k->sk_er : k->sk_ei, k->encr_len, iv,
					      ct, ct_len);
		if (!err)
			err = integ_compute(k->alg.integ, k->responder ? k->sk_ar : k->sk_ai, out,
					    total - icvl, icv);
	}
	return err ? err : (int)total;
}

int ike_sk_open(struct ike_keys *k, const struct ike_msg *m, uint8_t *buf, uint8_t *first_inner,
		const uint8_t **inner, size_t *inner_len, uint16_t *frag_no, uint16_t *frag_total)
{
	if (m->sk_index < 0)
		return -ENOENT;
	const struct ike_pl *pl = &m->pl[m->sk_index];
	bool frag = pl->type == PL_SKF;
	size_t body_off = (size_t)(pl->body - m->raw);
	uint8_t *body = buf + body_off;
	size_t len = pl->len;
	size_t ivl = iv_len(k), icvl = icv_len(k);

	*frag_no = *frag_total = 0;
	if (frag) {
		if (len < SKF_FIELDS_LEN)
			return -EBADMSG;
		*frag_no = get_u16(body);
		*frag_total = get_u16(body + 2);
		if (*frag_no == 0 || *frag_total == 0 || *frag_no > *frag_total)
			return -EBADMSG;
		body += SKF_FIELDS_LEN;
		len -= SKF_FIELDS_LEN;
	}
	if (len < ivl + 1 + icvl)
		return -EBADMSG;
	uint8_t *iv = body;
	uint8_t *ct = body + ivl;
	size_t ct_len = len - ivl - icvl;
	uint8_t *icv = ct + ct_len;
	int err;
	if (k->aead) {
		struct aead_op op = {.iv = iv,
				     .aad = buf,
				     .aad_len = (size_t)(iv - buf),
				     .data = ct,
				     .len = ct_len,
				     .tag = icv};
		err = aead_open(k->responder ? k->aead_i : k->aead_r, &op, 1);
	} else {
		if (ct_len % CBC_BLOCK)
			return -EBADMSG;
		err = integ_verify(k->alg.integ, k->responder ? k->sk_ai : k->sk_ar, buf,
				   (size_t)(icv - buf), icv);
		if (!err)
			err = aes_cbc_decrypt(k->responder ? k->sk_ei : k->sk_er, k->encr_len, iv,
					      ct, ct_len);
	}
	if (err)
		return -EBADMSG;
	uint8_t padlen = ct[ct_len - 1];
	if ((size_t)padlen + 1 > ct_len)
		return -EBADMSG;
	/* The SK payload's Next Payload names the first inner payload (fragment 1 only for SKF). */
	*first_inner = buf[body_off - IKE_GENERIC_HDR_LEN];
	*inner = ct;
	*inner_len = ct_len - padlen - 1;
	return 0;
}
