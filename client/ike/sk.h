/* The Encrypted payload (SK, RFC 7296 3.14; AEAD per RFC 5282 / RFC 7634) and the Encrypted
 * Fragment payload (SKF, RFC 7383 2.5).
 *
 *   HDR | SK hdr | [Fragment Number | Total Fragments] | IV | Encrypted(inner | pad | padlen) | ICV
 *
 * AEAD: the associated data is everything before the IV. CBC + HMAC: the ICV covers everything
 * before it. tern is always the original initiator, so it seals with SK_ei/SK_ai and opens with
 * SK_er/SK_ar, whichever side sent the request.
 */
#ifndef TERN_IKE_SK_H
#define TERN_IKE_SK_H

#include "client/ike/keys.h"
#include "client/ike/message.h"
#include "crypto/random.h"

/* Seals one message (frag_total == 0: SK) or one fragment (SKF frag_no of frag_total).
 * hdr->next and hdr->length are set here. Returns the datagram length or -errno. */
int ike_sk_seal(struct ike_keys *k, const struct ike_hdr *hdr, uint8_t first_inner,
		uint16_t frag_no, uint16_t frag_total, const uint8_t *inner, size_t inner_len,
		uint64_t iv_counter, rand_fn rnd, void *rnd_arg, uint8_t *out, size_t cap);

/* Bytes a sealed message adds to its inner payloads (worst case, for fragment sizing). */
size_t ike_sk_overhead(const struct ike_keys *k, bool fragment);

/* Opens the SK/SKF payload of a parsed message whose datagram `buf` is writable (decrypts in
 * place). On success, inner and inner_len point at the plaintext payload chain (inside buf) and,
 * for SKF, frag_no/frag_total are set (0 for SK). -EBADMSG on a failed ICV or bad padding. */
int ike_sk_open(struct ike_keys *k, const struct ike_msg *m, uint8_t *buf, uint8_t *first_inner,
		const uint8_t **inner, size_t *inner_len, uint16_t *frag_no, uint16_t *frag_total);

#endif
