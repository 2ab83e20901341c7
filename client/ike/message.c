/* IKEv2 message codec (RFC 7296 section 3). */
#include "client/ike/message.h"

#include <errno.h>
#include <string.h>

int ike_hdr_parse(const uint8_t *buf, size_t len, struct ike_hdr *h)
{
	struct rd r = rd_init(buf, len);
	h->spi_i = rd_u64(&r);
	h->spi_r = rd_u64(&r);
	h->next = rd_u8(&r);
	h->version = rd_u8(&r);
	h->exchange = rd_u8(&r);
	h->flags = rd_u8(&r);
	h->msg_id = rd_u32(&r);
	h->length = rd_u32(&r);
	if (r.err)
		return -EBADMSG;
	if ((h->version & 0xf0) != IKE_VERSION_2)
		return -EPROTONOSUPPORT;
	if (h->length != len)
		return -EBADMSG;
	return 0;
}

void ike_hdr_write(uint8_t out[IKE_HDR_LEN], const struct ike_hdr *h)
{
	put_u64(out, h->spi_i);
	put_u64(out + 8, h->spi_r);
	out[16] = h->next;
	out[17] = h->version;
	out[18] = h->exchange;
	out[19] = h->flags;
	put_u32(out + 20, h->msg_id);
	put_u32(out + 24, h->length);
}

int ike_chain_parse(struct ike_msg *m, uint8_t first, const uint8_t *p, size_t len)
{
	struct rd r = rd_init(p, len);
	uint8_t type = first;
	while (type != PL_NONE) {
		if (m->n == IKE_MAX_PAYLOADS)
			return -E2BIG;
		uint8_t next = rd_u8(&r);
		uint8_t flags = rd_u8(&r);
		uint16_t plen = rd_u16(&r);
		if (r.err || plen < IKE_GENERIC_HDR_LEN)
			return -EBADMSG;
		const uint8_t *body = rd_bytes(&r, plen - IKE_GENERIC_HDR_LEN);
		if (!body)
			return -EBADMSG;
		struct ike_pl *pl = &m->pl[m->n++];
		pl->type = type;
		pl->critical = flags & 0x80;
		pl->body = body;
		pl->len = plen - IKE_GENERIC_HDR_LEN;
		if (type == PL_SK || type == PL_SKF) {
			/* The encrypted payload is last; its Next Payload names the first inner
			 * one. */
			if (rd_left(&r) != 0 || m->sk_index >= 0)
				return -EBADMSG;
			m->sk_index = (int)(m->n - 1);
			return 0;
		}
		type = next;
	}
	return rd_left(&r) == 0 ? 0 : -EBADMSG;
}

int ike_msg_parse(const uint8_t *buf, size_t len, struct ike_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->sk_index = -1;
	int err = ike_hdr_parse(buf, len, &m->hdr);
	if (err)
		return err;
	m->raw = buf;
	m->raw_len = len;
	return ike_chain_parse(m, m->hdr.next, buf + IKE_HDR_LEN, len - IKE_HDR_LEN);
}

const struct ike_pl *ike_msg_find(const struct ike_msg *m, uint8_t type, int *from)
{
	int start = from ? *from + 1 : 0;
	for (unsigned i = (unsigned)start; i < m->n; i++) {
		if (m->pl[i].type == type) {
			if (from)
				*from = (int)i;
			return &m->pl[i];
		}
	}
	return NULL;
}

static bool known_payload(uint8_t t)
{
	return (t >= PL_SA && t <= PL_EAP) || t == PL_SKF;
}

uint8_t ike_msg_unknown_critical(const struct ike_msg *m)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->pl[i].critical && !known_payload(m->pl[i].type))
			return m->pl[i].type;
	return 0;
}

int ike_notify_parse(const struct ike_pl *pl, struct ike_notify *n)
{
	struct rd r = rd_init(pl->body, pl->len);
	n->protocol = rd_u8(&r);
	n->spi_size = rd_u8(&r);
	n->type = rd_u16(&r);
	n->spi = rd_bytes(&r, n->spi_size);
	if (r.err)
		return -EBADMSG;
	n->data = r.p;
	n->data_len = rd_left(&r);
	return 0;
}

bool ike_msg_notify(const struct ike_msg *m, uint16_t type, struct ike_notify *out)
{
	struct ike_notify n;
	for (unsigned i = 0; i < m->n; i++) {
		if (m->pl[i].type != PL_NOTIFY || ike_notify_parse(&m->pl[i], &n) != 0)
			continue;
		if (n.type == type) {
			if (out)
				*out = n;
			return true;
		}
	}
	return false;
}

uint16_t ike_msg_error(const struct ike_msg *m)
{
	struct ike_notify n;
	for (unsigned i = 0; i < m->n; i++)
		if (m->pl[i].type == PL_NOTIFY && ike_notify_parse(&m->pl[i], &n) == 0 &&
		    n.type > 0 && n.type <= N_ERROR_MAX)
			return n.type;
	return 0;
}

int ike_ke_parse(const struct ike_pl *pl, struct ike_ke *ke)
{
	struct rd r = rd_init(pl->body, pl->len);
	ke->group = rd_u16(&r);
	rd_u16(&r);
	if (r.err || rd_left(&r) == 0)
		return -EBADMSG;
	ke->data = r.p;
	ke->len = rd_left(&r);
	return 0;
}

int ike_id_parse(const struct ike_pl *pl, struct ike_id *id)
{
	struct rd r = rd_init(pl->body, pl->len);
	id->type = rd_u8(&r);
	rd_bytes(&r, 3);
	if (r.err || rd_left(&r) == 0)
		return -EBADMSG;
	id->data = r.p;
	id->len = rd_left(&r);
	id->body = pl->body;
	id->body_len = pl->len;
	return 0;
}

int ike_cert_parse(const struct ike_pl *pl, struct ike_cert *c)
{
	if (pl->len < 2)
		return -EBADMSG;
	c->encoding = pl->body[0];
	c->data = pl->body + 1;
	c->len = pl->len - 1;
	return 0;
}

int ike_auth_parse(const struct ike_pl *pl, struct ike_auth *a)
{
	if (pl->len < 5)
		return -EBADMSG;
	a->method = pl->body[0];
	a->data = pl->body + 4;
	a->len = pl->len - 4;
	return 0;
}

int ike_delete_parse(const struct ike_pl *pl, struct ike_delete *d)
{
	struct rd r = rd_init(pl->body, pl->len);
	d->protocol = rd_u8(&r);
	d->spi_size = rd_u8(&r);
	d->n_spis = rd_u16(&r);
	if (r.err)
		return -EBADMSG;
	if (d->protocol == PROTO_IKE ? d->spi_size != 0 : d->spi_size != 4)
		return -EBADMSG;
	d->spis = rd_bytes(&r, (size_t)d->spi_size * d->n_spis);
	if (r.err || rd_left(&r) != 0)
		return -EBADMSG;
	return 0;
}

/* Transform substructure (3.3.2): Last(0|3), RESERVED, Transform Length, Type, RESERVED,
 * Transform ID, attributes (TV format for Key Length: AF=1, type 14). */
static int transform_parse(struct rd *r, struct prop_transform *t, bool *last)
{
	uint8_t more = rd_u8(r);
	rd_u8(r);
	uint16_t len = rd_u16(r);
	if (r->err || len < 8 || (more != 0 && more != 3))
		return -EBADMSG;
	struct rd body = rd_sub(r, len - 4);
	t->type = rd_u8(&body);
	rd_u8(&body);
	t->id = rd_u16(&body);
	t->key_bits = 0;
	while (!body.err && rd_left(&body) > 0) {
		uint16_t at = rd_u16(&body);
		if (!(at & 0x8000))
			return -EBADMSG; /* no TLV attribute is defined for the transforms tern uses
					  */
		uint16_t val = rd_u16(&body);
		if ((at & 0x7fff) == TATTR_KEY_LENGTH)
			t->key_bits = val;
		else
			return -EBADMSG;
	}
	if (body.err)
		return -EBADMSG;
	*last = more == 0;
	return 0;
}

/* Proposal substructure (3.3.1): Last(0|2), RESERVED, Length, Proposal Num, Protocol ID,
 * SPI Size, Num Transforms, SPI, transforms. */
static int proposal_parse(struct rd *r, struct ike_chosen *c, bool *last)
{
	memset(c, 0, sizeof(*c));
	uint8_t more = rd_u8(r);
	rd_u8(r);
	uint16_t len = rd_u16(r);
	if (r->err || (more != 0 && more != 2) || len < 8)
		return -EBADMSG;
	struct rd p = rd_sub(r, len - 4);
	c->number = rd_u8(&p);
	c->prop.protocol = rd_u8(&p);
	c->spi_size = rd_u8(&p);
	uint8_t n_transforms = rd_u8(&p);
	if (p.err || c->spi_size > sizeof(c->spi) || n_transforms == 0 ||
	    n_transforms > sizeof(c->prop.t) / sizeof(c->prop.t[0]))
		return -EBADMSG;
	const uint8_t *spi = rd_bytes(&p, c->spi_size);
	if (!spi)
		return -EBADMSG;
	memcpy(c->spi, spi, c->spi_size);
	bool tlast = false;
	for (unsigned i = 0; i < n_transforms; i++) {
		if (tlast || transform_parse(&p, &c->prop.t[i], &tlast) != 0)
			return -EBADMSG;
	}
	c->prop.n = n_transforms;
	if (!tlast || rd_left(&p) != 0)
		return -EBADMSG;
	*last = more == 0;
	return 0;
}

int ike_sa_parse_reply(const struct ike_pl *pl, struct ike_chosen *c)
{
	struct rd r = rd_init(pl->body, pl->len);
	bool last = false;
	if (proposal_parse(&r, c, &last) || !last || rd_left(&r) != 0)
		return -EBADMSG; /* a reply carries exactly one proposal */
	return 0;
}

int ike_sa_parse_offers(const struct ike_pl *pl, struct ike_chosen *offers, unsigned cap,
			unsigned *n)
{
	struct rd r = rd_init(pl->body, pl->len);
	bool last = false;
	*n = 0;
	while (!last) {
		struct ike_chosen c;
		if (proposal_parse(&r, &c, &last))
			return -EBADMSG;
		if (*n < cap)
			offers[(*n)++] = c;
	}
	return rd_left(&r) == 0 && *n ? 0 : -EBADMSG;
}

/* Traffic Selector (3.13.1): TS Type, IP Protocol ID, Selector Length, Start Port, End Port,
 * Starting Address, Ending Address. */
int ike_ts_parse(const struct ike_pl *pl, struct ike_ts_list *l)
{
	struct rd r = rd_init(pl->body, pl->len);
	uint8_t n = rd_u8(&r);
	rd_bytes(&r, 3);
	if (r.err || n == 0)
		return -EBADMSG;
	l->n = 0;
	for (unsigned i = 0; i < n; i++) {
		uint8_t type = rd_u8(&r);
		uint8_t proto = rd_u8(&r);
		uint16_t len = rd_u16(&r);
		size_t alen = type == TS_IPV4_ADDR_RANGE ? 4 : type == TS_IPV6_ADDR_RANGE ? 16 : 0;
		if (r.err || alen == 0 || len != 8 + 2 * alen)
			return -EBADMSG;
		uint16_t sp = rd_u16(&r), ep = rd_u16(&r);
		const uint8_t *start = rd_bytes(&r, alen), *end = rd_bytes(&r, alen);
		if (r.err)
			return -EBADMSG;
		if (l->n == IKE_MAX_TS)
			continue; /* more than tern keeps: ignore the rest */
		struct ike_ts *ts = &l->ts[l->n++];
		memset(ts, 0, sizeof(*ts));
		ts->type = type;
		ts->ip_proto = proto;
		ts->start_port = sp;
		ts->end_port = ep;
		memcpy(ts->start, start, alen);
		memcpy(ts->end, end, alen);
	}
	return rd_left(&r) == 0 ? 0 : -EBADMSG;
}

int ike_cp_parse(const struct ike_pl *pl, struct ike_cp *cp)
{
	struct rd r = rd_init(pl->body, pl->len);
	cp->cfg_type = rd_u8(&r);
	rd_bytes(&r, 3);
	cp->n = 0;
	while (!r.err && rd_left(&r) > 0) {
		uint16_t type = rd_u16(&r) & 0x7fff;
		uint16_t len = rd_u16(&r);
		const uint8_t *v = rd_bytes(&r, len);
		if (r.err)
			break;
		if (cp->n < IKE_MAX_CP_ATTRS)
			cp->attr[cp->n++] = (struct ike_cp_attr){type, v, len};
	}
	return r.err ? -EBADMSG : 0;
}

/* ---- encoding ---- */

void ikb_message(struct ikb *b, uint8_t *buf, size_t cap, const struct ike_hdr *h)
{
	b->w = wr_init(buf, cap);
	b->first = PL_NONE;
	uint8_t *p = wr_reserve(&b->w, IKE_HDR_LEN);
	if (p) {
		struct ike_hdr hh = *h;
		hh.next = PL_NONE;
		hh.length = 0;
		ike_hdr_write(p, &hh);
	}
	b->np_off = 16;
}

void ikb_chain(struct ikb *b, uint8_t *buf, size_t cap)
{
	b->w = wr_init(buf, cap);
	b->first = PL_NONE;
	b->np_off = SIZE_MAX;
}

size_t ikb_begin(struct ikb *b, uint8_t type)
{
	size_t start = b->w.len;
	if (b->w.err)
		return start;
	if (b->np_off == SIZE_MAX)
		b->first = type;
	else
		b->w.buf[b->np_off] = type;
	b->np_off = start;
	wr_u8(&b->w, PL_NONE);
	wr_u8(&b->w, 0);
	wr_u16(&b->w, 0);
	return start;
}

void ikb_end(struct ikb *b, size_t start)
{
	if (b->w.err)
		return;
	size_t len = b->w.len - start;
	if (len > 0xffff) {
		b->w.err = true;
		return;
	}
	put_u16(b->w.buf + start + 2, (uint16_t)len);
}

int ikb_finish(struct ikb *b)
{
	if (b->w.err || b->w.len < IKE_HDR_LEN)
		return -EMSGSIZE;
	put_u32(b->w.buf + 24, (uint32_t)b->w.len);
	return (int)b->w.len;
}

void ikb_notify(struct ikb *b, uint8_t protocol, const uint8_t *spi, uint8_t spi_size,
		uint16_t type, const void *data, size_t len)
{
	size_t s = ikb_begin(b, PL_NOTIFY);
	wr_u8(&b->w, protocol);
	wr_u8(&b->w, spi_size);
	wr_u16(&b->w, type);
	wr_bytes(&b->w, spi, spi_size);
	wr_bytes(&b->w, data, len);
	ikb_end(b, s);
}

void ikb_simple(struct ikb *b, uint8_t type, const void *data, size_t len)
{
	size_t s = ikb_begin(b, type);
	wr_bytes(&b->w, data, len);
	ikb_end(b, s);
}

void ikb_ke(struct ikb *b, uint16_t group, const uint8_t *data, size_t len)
{
	size_t s = ikb_begin(b, PL_KE);
	wr_u16(&b->w, group);
	wr_u16(&b->w, 0);
	wr_bytes(&b->w, data, len);
	ikb_end(b, s);
}

void ikb_id(struct ikb *b, uint8_t pl_type, uint8_t id_type, const void *data, size_t len)
{
	size_t s = ikb_begin(b, pl_type);
	wr_u8(&b->w, id_type);
	wr_u8(&b->w, 0);
	wr_u16(&b->w, 0);
	wr_bytes(&b->w, data, len);
	ikb_end(b, s);
}

void ikb_auth(struct ikb *b, uint8_t method, const uint8_t *data, size_t len)
{
	ikb_id(b, PL_AUTH, method, data, len); /* same layout: octet, 3 reserved, data */
}

void ikb_certreq(struct ikb *b, uint8_t encoding, const uint8_t *data, size_t len)
{
	size_t s = ikb_begin(b, PL_CERTREQ);
	wr_u8(&b->w, encoding);
	wr_bytes(&b->w, data, len);
	ikb_end(b, s);
}

static void transform_write(struct wr *w, const struct prop_transform *t, bool last)
{
	size_t start = w->len;
	wr_u8(w, last ? 0 : 3);
	wr_u8(w, 0);
	wr_u16(w, 0);
	wr_u8(w, t->type);
	wr_u8(w, 0);
	wr_u16(w, t->id);
	if (t->key_bits) {
		wr_u16(w, 0x8000 | TATTR_KEY_LENGTH);
		wr_u16(w, t->key_bits);
	}
	if (!w->err)
		put_u16(w->buf + start + 2, (uint16_t)(w->len - start));
}

void ikb_sa(struct ikb *b, const struct prop_list *props, const uint8_t *spi, uint8_t spi_size)
{
	size_t s = ikb_begin(b, PL_SA);
	for (unsigned i = 0; i < props->n; i++) {
		const struct prop *p = &props->p[i];
		size_t ps = b->w.len;
		wr_u8(&b->w, i + 1 == props->n ? 0 : 2);
		wr_u8(&b->w, 0);
		wr_u16(&b->w, 0);
		wr_u8(&b->w, (uint8_t)(i + 1));
		wr_u8(&b->w, p->protocol);
		wr_u8(&b->w, spi_size);
		wr_u8(&b->w, (uint8_t)p->n);
		wr_bytes(&b->w, spi, spi_size);
		for (unsigned j = 0; j < p->n; j++)
			transform_write(&b->w, &p->t[j], j + 1 == p->n);
		if (!b->w.err)
			put_u16(b->w.buf + ps + 2, (uint16_t)(b->w.len - ps));
	}
	ikb_end(b, s);
}

void ikb_sa_chosen(struct ikb *b, const struct ike_chosen *c, const uint8_t *spi, uint8_t spi_size)
{
	size_t s = ikb_begin(b, PL_SA);
	size_t ps = b->w.len;
	wr_u8(&b->w, 0);
	wr_u8(&b->w, 0);
	wr_u16(&b->w, 0);
	wr_u8(&b->w, c->number);
	wr_u8(&b->w, c->prop.protocol);
	wr_u8(&b->w, spi_size);
	wr_u8(&b->w, (uint8_t)c->prop.n);
	wr_bytes(&b->w, spi, spi_size);
	for (unsigned j = 0; j < c->prop.n; j++)
		transform_write(&b->w, &c->prop.t[j], j + 1 == c->prop.n);
	if (!b->w.err)
		put_u16(b->w.buf + ps + 2, (uint16_t)(b->w.len - ps));
	ikb_end(b, s);
}

void ikb_ts(struct ikb *b, uint8_t pl_type, const struct ike_ts_list *l)
{
	size_t s = ikb_begin(b, pl_type);
	wr_u8(&b->w, (uint8_t)l->n);
	wr_u8(&b->w, 0);
	wr_u16(&b->w, 0);
	for (unsigned i = 0; i < l->n; i++) {
		const struct ike_ts *ts = &l->ts[i];
		size_t alen = ts->type == TS_IPV4_ADDR_RANGE ? 4 : 16;
		wr_u8(&b->w, ts->type);
		wr_u8(&b->w, ts->ip_proto);
		wr_u16(&b->w, (uint16_t)(8 + 2 * alen));
		wr_u16(&b->w, ts->start_port);
		wr_u16(&b->w, ts->end_port);
		wr_bytes(&b->w, ts->start, alen);
		wr_bytes(&b->w, ts->end, alen);
	}
	ikb_end(b, s);
}

void ikb_cp_request(struct ikb *b, const uint16_t *attrs, unsigned n)
{
	size_t s = ikb_begin(b, PL_CP);
	wr_u8(&b->w, CFG_REQUEST);
	wr_u8(&b->w, 0);
	wr_u16(&b->w, 0);
	for (unsigned i = 0; i < n; i++) {
		wr_u16(&b->w, attrs[i] & 0x7fff);
		wr_u16(&b->w, 0);
	}
	ikb_end(b, s);
}

void ikb_delete(struct ikb *b, uint8_t protocol, const uint8_t *spis, uint8_t spi_size, uint16_t n)
{
	size_t s = ikb_begin(b, PL_DELETE);
	wr_u8(&b->w, protocol);
	wr_u8(&b->w, spi_size);
	wr_u16(&b->w, n);
	wr_bytes(&b->w, spis, (size_t)spi_size * n);
	ikb_end(b, s);
}
