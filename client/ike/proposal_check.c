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
		snprintf(reason, reason_len, "the gateway's proposal has the wrong protocol or SPI");
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
	for (uint8_t type = TT_ENCR; type <= TT_ESN; type++) {
		if (offers_type(p, type) && !(seen & (1u << type))) {
			snprintf(reason, reason_len, "the gateway's proposal lacks transform type %u",
				 type);
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
