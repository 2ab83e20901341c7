/* Checks the proposal a responder chose against what tern offered (RFC 7296 3.3.6: the
 * responder must pick one proposal and one transform of each type from it). */
#include "client/ike/sa.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool offered_has(const struct prop *p, const struct prop_transform *t)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->t[i].type == t->type && p->t[i].id == t->id &&
		    p->t[i].key_bits == t->key_bits)
			return true;
	return false;
}

static bool offers_type(const struct prop *p, uint8_t type)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->t[i].type == type)
			return true;
	return false;
}

int ike_prop_accept(const struct prop_list *offered, const struct ike_chosen *c, bool ike,
		    char *reason, size_t reason_len)
{
	if (c->number == 0 || c->number > offered->n) {
		snprintf(reason, reason_len, "the gateway chose proposal %u, which was not offered",
			 c->number);
		return -EBADMSG;
	}
	const struct prop *p = &offered->p[c->number - 1];
	if (c->prop.protocol != p->protocol || c->spi_size != (ike ? 0 : 4)) {
		snprintf(reason, reason_len,
			 "the gateway's proposal has the wrong protocol or SPI");
		return -EBADMSG;
	}
	unsigned seen = 0;
	for (unsigned i = 0; i < c->prop.n; i++) {
		const struct prop_transform *t = &c->prop.t[i];
		if (!offered_has(p, t) || t->type > TT_ESN || (seen & (1u << t->type))) {
			snprintf(reason, reason_len,
				 "the gateway chose transform type %u ID %u, which was not offered",
				 t->type, t->id);
			return -EBADMSG;
		}
		seen |= 1u << t->type;
	}
	/* Every transform type we offered must be answered with exactly one choice. */
	for (unsigned type = TT_ENCR; type <= TT_ESN; type++) {
		/* The first CHILD SA has no key exchange of its own (RFC 7296 1.2). */
		if (!ike && type == TT_DH)
			continue;
		if (offers_type(p, (uint8_t)type) && !(seen & (1u << type))) {
			snprintf(reason, reason_len,
				 "the gateway's proposal lacks transform type %u", type);
			return -EBADMSG;
		}
	}
	return 0;
}

void ike_prop_list_text(const struct prop_list *l, char *out, size_t cap)
{
	size_t off = 0;
	out[0] = 0;
	for (unsigned i = 0; i < l->n && off + 2 < cap; i++) {
		if (i)
			off += (size_t)snprintf(out + off, cap - off, ", ");
		if (off < cap && prop_format(&l->p[i], out + off, cap - off) >= 0)
			off += strlen(out + off);
	}
}

static bool ours_has(const struct prop *p, const struct prop_transform *t, bool any_dh)
{
	if (t->type == TT_DH && any_dh && dh_supported(t->id))
		return true;
	return offered_has(p, t);
}

/* Picks, from the gateway's offers, the first proposal that one of ours can answer: for each
 * transform type in the offer, the first of its transforms that our proposal has too. */
int ike_prop_select(const struct prop_list *ours, const struct ike_chosen *offers, unsigned n,
		    uint8_t protocol, bool any_dh, struct ike_chosen *out)
{
	for (unsigned o = 0; o < n; o++) {
		const struct ike_chosen *off = &offers[o];
		if (off->prop.protocol != protocol)
			continue;
		for (unsigned i = 0; i < ours->n; i++) {
			struct ike_chosen c = *off;
			unsigned seen = 0, types = 0;
			c.prop.n = 0;
			for (unsigned t = 0; t < off->prop.n; t++) {
				const struct prop_transform *tr = &off->prop.t[t];
				types |= 1u << tr->type;
				if (!(seen & (1u << tr->type)) &&
				    ours_has(&ours->p[i], tr, any_dh)) {
					seen |= 1u << tr->type;
					c.prop.t[c.prop.n++] = *tr;
				}
			}
			/* Transform types we need but the offer lacks (ESN, DH for IKE) fail too.
			 */
			bool complete = seen == types;
			for (unsigned ty = TT_ENCR; ty <= TT_ESN && complete; ty++)
				if (offers_type(&ours->p[i], (uint8_t)ty) &&
				    !(types & (1u << ty)) && ty != TT_ESN &&
				    !(ty == TT_DH && protocol == PROTO_ESP))
					complete = false;
			if (complete) {
				*out = c;
				return 0;
			}
		}
	}
	return -ENOENT;
}

int ike_child_algs(const struct prop *p, struct ike_child *c)
{
	c->encr = 0;
	c->key_bits = 0;
	c->esn = false;
	for (unsigned i = 0; i < p->n; i++) {
		const struct prop_transform *t = &p->t[i];
		if (t->type == TT_ENCR) {
			c->encr = t->id;
			c->key_bits = t->id == ENCR_CHACHA20_POLY1305 ? 256 : t->key_bits;
		} else if (t->type == TT_ESN) {
			c->esn = t->id == 1;
		}
	}
	c->key_len = ike_encr_keymat_len(c->encr, c->key_bits);
	/* tern's datapath does the AEAD suites only. */
	return c->encr == ENCR_AES_CBC || !c->key_len ? -ENOTSUP : 0;
}
