/* The in-memory IKEv2 responder of the exchange tests (see fake_gw.h). */
#include "tests/unit/ike/fake_gw.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "client/eap/eap.h"
#include "client/ike/ikev2.h"
#include "client/ike/sk.h"
#include "crypto/cert.h"
#include "crypto/dh.h"
#include "crypto/integ.h"
#include "tests/unit/ike/ref_kdf.h"

static const char key_pad[] = "Key Pad for IKEv2"; /* RFC 7296 2.15, without the NUL */
static const uint8_t cookie_value[] = "fake-gw-cookie-0123456789";
/* RFC 7427 Appendix A.3.1: ecdsa-with-SHA256 AlgorithmIdentifier, with its length octet */
static const uint8_t ecdsa_sha256_id[] = {0x0c, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
					  0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};

static void gw_error(struct fake_gw *gw, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(gw->error, sizeof(gw->error), fmt, ap);
	va_end(ap);
	gw->errors++;
	fprintf(stderr, "fake_gw: %s\n", gw->error);
}

static int gw_rand(void *arg, uint8_t *buf, size_t len)
{
	struct fake_gw *gw = arg;
	for (size_t i = 0; i < len; i++) {
		gw->rnd_state = gw->rnd_state * 1103515245u + 12345u;
		buf[i] = (uint8_t)(gw->rnd_state >> 16);
	}
	return 0;
}

static void push(struct fake_gw *gw, const uint8_t *p, size_t len)
{
	if (gw->outq_n == FAKE_GW_OUTQ) {
		gw_error(gw, "output queue full");
		return;
	}
	struct fake_gw_dgram *d = &gw->outq[(gw->outq_head + gw->outq_n++) % FAKE_GW_OUTQ];
	d->data = malloc(len);
	memcpy(d->data, p, len);
	d->len = len;
}

bool fake_gw_next(struct fake_gw *gw, struct fake_gw_dgram *d)
{
	if (!gw->outq_n)
		return false;
	*d = gw->outq[gw->outq_head];
	gw->outq_head = (gw->outq_head + 1) % FAKE_GW_OUTQ;
	gw->outq_n--;
	return true;
}

static void cache_clear(struct fake_gw *gw)
{
	for (unsigned i = 0; i < gw->n_cached; i++)
		free(gw->cached[i].data);
	gw->n_cached = 0;
}

static void cache_add(struct fake_gw *gw, const uint8_t *p, size_t len)
{
	if (gw->n_cached == sizeof(gw->cached) / sizeof(gw->cached[0]))
		return;
	gw->cached[gw->n_cached].data = malloc(len);
	memcpy(gw->cached[gw->n_cached].data, p, len);
	gw->cached[gw->n_cached++].len = len;
}

static void resend_cache(struct fake_gw *gw)
{
	for (unsigned i = 0; i < gw->n_cached; i++)
		push(gw, gw->cached[i].data, gw->cached[i].len);
}

/* NAT_DETECTION_*_IP = SHA-1(SPIi | SPIr | IP | Port) (RFC 7296 2.23) */
static void natd(uint64_t spi_i, uint64_t spi_r, const struct sockaddr_storage *ss, uint8_t *out)
{
	uint8_t buf[34];
	size_t n = 16;
	put_u64(buf, spi_i);
	put_u64(buf + 8, spi_r);
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		memcpy(buf + n, &a->sin6_addr, 16);
		memcpy(buf + n + 16, &a->sin6_port, 2);
		n += 18;
	} else {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		memcpy(buf + n, &a->sin_addr, 4);
		memcpy(buf + n + 4, &a->sin_port, 2);
		n += 6;
	}
	unsigned int len;
	EVP_Digest(buf, n, out, &len, EVP_sha1(), NULL);
}

/* ---- proposals ---- */

static int one_prop(const char *s, uint8_t protocol, struct prop *out)
{
	struct prop_list l;
	char reason[128];
	if (prop_parse(s, protocol, &l, reason, sizeof(reason)) || l.n != 1) {
		fprintf(stderr, "fake_gw: bad proposal %s: %s\n", s, reason);
		return -1;
	}
	*out = l.p[0];
	return 0;
}

/* Its own reading of an offered SA payload (RFC 7296 3.3): the number of the first proposal
 * that has every transform of `want`, and that proposal's SPI; 0 if none. */
static uint8_t pick_proposal(const struct ike_pl *pl, const struct prop *want, uint8_t *spi,
			     uint8_t *spi_size)
{
	struct rd r = rd_init(pl->body, pl->len);
	for (;;) {
		uint8_t more = rd_u8(&r);
		rd_u8(&r);
		uint16_t plen = rd_u16(&r);
		if (r.err || plen < 8)
			return 0;
		struct rd p = rd_sub(&r, plen - 4);
		uint8_t num = rd_u8(&p), proto = rd_u8(&p), ssize = rd_u8(&p), nt = rd_u8(&p);
		const uint8_t *s = rd_bytes(&p, ssize);
		struct prop_transform t[32];
		unsigned n = 0;
		for (unsigned i = 0; i < nt && !p.err && n < 32; i++) {
			rd_u8(&p);
			rd_u8(&p);
			uint16_t tlen = rd_u16(&p);
			struct rd tr = rd_sub(&p, tlen >= 4 ? tlen - 4u : 0);
			t[n].type = rd_u8(&tr);
			rd_u8(&tr);
			t[n].id = rd_u16(&tr);
			t[n].key_bits = 0;
			while (!tr.err && rd_left(&tr) >= 4) {
				uint16_t at = rd_u16(&tr), av = rd_u16(&tr);
				if (at == (0x8000 | 14))
					t[n].key_bits = av;
			}
			n++;
		}
		if (p.err)
			return 0;
		bool all = proto == want->protocol;
		for (unsigned w = 0; w < want->n && all; w++) {
			bool found = false;
			for (unsigned i = 0; i < n; i++)
				found |= t[i].type == want->t[w].type && t[i].id == want->t[w].id &&
					 t[i].key_bits == want->t[w].key_bits;
			all = found;
		}
		if (all && ssize <= 8) {
			if (ssize)
				memcpy(spi, s, ssize);
			*spi_size = ssize;
			return num;
		}
		if (more != 2)
			return 0;
	}
}

static void sa_chosen(struct ikb *b, uint8_t number, const struct prop *p, const uint8_t *spi,
		      uint8_t spi_size)
{
	size_t s = ikb_begin(b, PL_SA);
	size_t ps = b->w.len;
	wr_u8(&b->w, 0);
	wr_u8(&b->w, 0);
	wr_u16(&b->w, 0);
	wr_u8(&b->w, number);
	wr_u8(&b->w, p->protocol);
	wr_u8(&b->w, spi_size);
	wr_u8(&b->w, (uint8_t)p->n);
	wr_bytes(&b->w, spi, spi_size);
	for (unsigned i = 0; i < p->n; i++) {
		size_t ts = b->w.len;
		wr_u8(&b->w, i + 1 == p->n ? 0 : 3);
		wr_u8(&b->w, 0);
		wr_u16(&b->w, 0);
		wr_u8(&b->w, p->t[i].type);
		wr_u8(&b->w, 0);
		wr_u16(&b->w, p->t[i].id);
		if (p->t[i].key_bits) {
			wr_u16(&b->w, 0x8000 | 14);
			wr_u16(&b->w, p->t[i].key_bits);
		}
		if (!b->w.err)
			put_u16(b->w.buf + ts + 2, (uint16_t)(b->w.len - ts));
	}
	if (!b->w.err)
		put_u16(b->w.buf + ps + 2, (uint16_t)(b->w.len - ps));
	ikb_end(b, s);
}

static uint16_t prop_id(const struct prop *p, uint8_t type, uint16_t *key_bits)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->t[i].type == type) {
			if (key_bits)
				*key_bits = p->t[i].key_bits;
			return p->t[i].id;
		}
	return 0;
}

/* AEAD keying material = key + 4-octet salt (RFC 5282 7.1, RFC 7634 2) */
static size_t encr_len(uint16_t encr, uint16_t key_bits)
{
	if (encr == ENCR_CHACHA20_POLY1305)
		return 36;
	return key_bits / 8 + (encr == ENCR_AES_GCM_16 ? 4 : 0);
}

static size_t integ_len(uint16_t integ)
{
	return integ == 12 ? 32 : integ == 13 ? 48 : integ == 14 ? 64 : 0; /* RFC 4868 2.1.2 */
}

/* ---- sending ---- */

static void send_plain(struct fake_gw *gw, struct ikb *b, bool cache)
{
	int n = ikb_finish(b);
	if (n < 0) {
		gw_error(gw, "cannot build a message");
		return;
	}
	push(gw, b->w.buf, (size_t)n);
	if (cache) {
		cache_clear(gw);
		cache_add(gw, b->w.buf, (size_t)n);
		gw->cached_msg_id = 0;
	}
}

static void send_sk(struct fake_gw *gw, uint8_t exchange, uint32_t msg_id, bool response,
		    const struct ikb *inner, bool may_frag)
{
	struct ike_hdr h = {.spi_i = gw->spi_i,
			    .spi_r = gw->spi_r,
			    .version = IKE_VERSION_2,
			    .exchange = exchange,
			    .flags = response ? IKE_FLAG_RESPONSE : 0,
			    .msg_id = msg_id};
	size_t len = inner->w.len;
	unsigned total = 1;
	size_t chunk = len;
	if (may_frag && gw->cfg.frag_size &&
	    len + ike_sk_overhead(&gw->k, false) > gw->cfg.frag_size) {
		chunk = gw->cfg.frag_size - ike_sk_overhead(&gw->k, true);
		total = (unsigned)((len + chunk - 1) / chunk);
	}
	struct fake_gw_dgram d[64];
	for (unsigned i = 0; i < total && i < 64; i++) {
		size_t off = i * chunk, n = len - off < chunk ? len - off : chunk;
		uint8_t out[70000];
		int r = ike_sk_seal(&gw->k, &h, inner->first, total > 1 ? (uint16_t)(i + 1) : 0,
				    total > 1 ? (uint16_t)total : 0, inner->w.buf + off, n,
				    gw->iv_counter++, gw_rand, gw, out, sizeof(out));
		if (r < 0) {
			gw_error(gw, "ike_sk_seal: %d", r);
			return;
		}
		d[i].data = malloc((size_t)r);
		memcpy(d[i].data, out, (size_t)r);
		d[i].len = (size_t)r;
	}
	if (response)
		cache_clear(gw);
	for (unsigned j = 0; j < total; j++) {
		unsigned i = gw->cfg.frag_reverse ? total - 1 - j : j;
		push(gw, d[i].data, d[i].len);
		if (response)
			cache_add(gw, d[i].data, d[i].len);
		free(d[i].data);
	}
	if (total > 1)
		gw->fragments_sent += total;
	if (response)
		gw->cached_msg_id = msg_id;
}

int fake_gw_request(struct fake_gw *gw, uint8_t exchange, const struct ikb *inner, long msg_id,
		    uint8_t *out, size_t cap)
{
	struct ike_hdr h = {.spi_i = gw->spi_i,
			    .spi_r = gw->spi_r,
			    .version = IKE_VERSION_2,
			    .exchange = exchange,
			    .msg_id = msg_id < 0 ? gw->next_msg_id++ : (uint32_t)msg_id};
	int r = ike_sk_seal(&gw->k, &h, inner->first, 0, 0, inner->w.buf, inner->w.len,
			    gw->iv_counter++, gw_rand, gw, out, cap);
	return r < 0 ? -1 : r;
}

/* ---- IKE_SA_INIT ---- */

static void init_error(struct fake_gw *gw, uint16_t type, const void *data, size_t len)
{
	uint8_t buf[256];
	struct ikb b;
	struct ike_hdr h = {.spi_i = gw->spi_i,
			    .version = IKE_VERSION_2,
			    .exchange = IKE_SA_INIT,
			    .flags = IKE_FLAG_RESPONSE};
	ikb_message(&b, buf, sizeof(buf), &h);
	ikb_notify(&b, 0, NULL, 0, type, data, len);
	send_plain(gw, &b, false);
}

static int derive_keys(struct fake_gw *gw, const uint8_t *gir, size_t gir_len)
{
	struct ref_keys r;
	uint16_t kb = 0, encr = prop_id(&gw->ike, TT_ENCR, &kb);
	uint16_t prf = prop_id(&gw->ike, TT_PRF, NULL), integ = prop_id(&gw->ike, TT_INTEG, NULL);
	if (encr == ENCR_CHACHA20_POLY1305)
		kb = 256;
	size_t el = encr_len(encr, kb), il = integ_len(integ);
	if (ref_ike_keys(prf, il, el, gw->ni, gw->ni_len, gw->nr, sizeof(gw->nr), gir, gir_len,
			 gw->spi_i, gw->spi_r, &r))
		return -1;
	struct ike_keys *k = &gw->k;
	ike_keys_wipe(k);
	k->alg = (struct ike_algs){encr, kb, prf, integ, gw->group};
	k->aead = integ == 0;
	k->prf_len = r.prf_len;
	k->encr_len = el;
	k->integ_len = il;
	/* the responder's view: its "initiator" keys are SK_er/SK_ar (see sk.h) */
	memcpy(k->sk_d, r.sk_d, r.prf_len);
	memcpy(k->sk_ei, r.sk_er, el);
	memcpy(k->sk_er, r.sk_ei, el);
	memcpy(k->sk_ai, r.sk_ar, il);
	memcpy(k->sk_ar, r.sk_ai, il);
	memcpy(k->sk_pi, r.sk_pr, r.prf_len);
	memcpy(k->sk_pr, r.sk_pi, r.prf_len);
	if (k->aead) {
		enum aead_alg a =
		    encr == ENCR_CHACHA20_POLY1305 ? AEAD_CHACHA20_POLY1305 : AEAD_AES_GCM_16;
		if (aead_new(&k->aead_i, a, r.sk_er, el) || aead_new(&k->aead_r, a, r.sk_ei, el))
			return -1;
	}
	memcpy(gw->sk_d, r.sk_d, r.prf_len);
	memcpy(gw->sk_pi, r.sk_pi, r.prf_len);
	memcpy(gw->sk_pr, r.sk_pr, r.prf_len);
	gw->prf_len = r.prf_len;
	gw->have_keys = true;
	return 0;
}

static void handle_init(struct fake_gw *gw, const struct ike_msg *m, const uint8_t *raw, size_t len)
{
	gw->init_requests++;
	if (gw->init_req_copy && len == gw->init_req_copy_len &&
	    memcmp(raw, gw->init_req_copy, len) == 0) {
		resend_cache(gw); /* a retransmission: the same answer */
		return;
	}
	gw->spi_i = m->hdr.spi_i;
	struct ike_notify n;
	if (gw->cfg.want_cookie) {
		if (!ike_msg_notify(m, N_COOKIE, &n) || n.data_len != sizeof(cookie_value) ||
		    memcmp(n.data, cookie_value, sizeof(cookie_value)) != 0) {
			gw->cookie_requests++;
			init_error(gw, N_COOKIE, cookie_value, sizeof(cookie_value));
			return;
		}
		/* RFC 7296 2.6: N(COOKIE) MUST be the first payload */
		gw->cookie_first = m->n > 0 && m->pl[0].type == PL_NOTIFY &&
				   ike_notify_parse(&m->pl[0], &n) == 0 && n.type == N_COOKIE;
	}
	const struct ike_pl *sa = ike_msg_find(m, PL_SA, NULL);
	const struct ike_pl *kep = ike_msg_find(m, PL_KE, NULL);
	const struct ike_pl *nonce = ike_msg_find(m, PL_NONCE, NULL);
	struct ike_ke ke;
	if (!sa || !kep || !nonce || ike_ke_parse(kep, &ke) || nonce->len > sizeof(gw->ni)) {
		gw_error(gw, "malformed IKE_SA_INIT request");
		return;
	}
	if (gw->init_requests <= 8)
		gw->ke_groups[gw->init_requests - 1] = ke.group;
	uint8_t spi[8], spi_size;
	uint8_t number = pick_proposal(sa, &gw->ike, spi, &spi_size);
	if (!number) {
		init_error(gw, N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	gw->group = prop_id(&gw->ike, TT_DH, NULL);
	if (ke.group != gw->group) {
		uint8_t g[2];
		put_u16(g, gw->group);
		gw->invalid_ke_sent++;
		init_error(gw, N_INVALID_KE_PAYLOAD, g, 2);
		return;
	}
	memcpy(gw->ni, nonce->body, nonce->len);
	gw->ni_len = nonce->len;
	gw_rand(gw, gw->nr, sizeof(gw->nr));
	gw->spi_r = 0x5555666677778888ULL;
	dh_free(gw->dh);
	gw->dh = NULL;
	uint8_t gir[DH_MAX_PUBLIC_SIZE];
	size_t gir_len = sizeof(gir);
	if (dh_new(&gw->dh, gw->group, gw_rand, gw) ||
	    dh_shared(gw->dh, ke.data, ke.len, gir, &gir_len)) {
		gw_error(gw, "DH failed");
		return;
	}
	uint8_t buf[2048];
	struct ikb b;
	struct ike_hdr h = {.spi_i = gw->spi_i,
			    .spi_r = gw->spi_r,
			    .version = IKE_VERSION_2,
			    .exchange = IKE_SA_INIT,
			    .flags = IKE_FLAG_RESPONSE};
	ikb_message(&b, buf, sizeof(buf), &h);
	sa_chosen(&b, number, &gw->ike, NULL, 0);
	size_t pub_len;
	const uint8_t *pub = dh_public(gw->dh, &pub_len);
	ikb_ke(&b, gw->group, pub, pub_len);
	ikb_simple(&b, PL_NONCE, gw->nr, sizeof(gw->nr));
	uint8_t hash[20];
	natd(gw->spi_i, gw->spi_r, &gw->cfg.self, hash);
	ikb_notify(&b, 0, NULL, 0, N_NAT_DETECTION_SOURCE_IP, hash, 20);
	natd(gw->spi_i, gw->spi_r, &gw->cfg.initiator, hash);
	ikb_notify(&b, 0, NULL, 0, N_NAT_DETECTION_DESTINATION_IP, hash, 20);
	ikb_notify(&b, 0, NULL, 0, N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	int n2 = ikb_finish(&b);
	if (n2 < 0 || derive_keys(gw, gir, gir_len)) {
		gw_error(gw, "cannot answer IKE_SA_INIT");
		return;
	}
	free(gw->msg1);
	free(gw->msg2);
	free(gw->init_req_copy);
	gw->msg1 = malloc(len);
	memcpy(gw->msg1, raw, len);
	gw->msg1_len = len;
	gw->init_req_copy = malloc(len);
	memcpy(gw->init_req_copy, raw, len);
	gw->init_req_copy_len = len;
	gw->msg2 = malloc((size_t)n2);
	memcpy(gw->msg2, buf, (size_t)n2);
	gw->msg2_len = (size_t)n2;
	send_plain(gw, &b, true);
	gw->expect_msg_id = 1;
}

/* ---- IKE_AUTH ---- */

/* RealMessage | Nonce | prf(SK_p, ID') (RFC 7296 2.15) */
static size_t octets(struct fake_gw *gw, bool responder, const uint8_t *id, size_t id_len,
		     uint8_t *out, size_t cap)
{
	const uint8_t *msg = responder ? gw->msg2 : gw->msg1;
	size_t msg_len = responder ? gw->msg2_len : gw->msg1_len;
	const uint8_t *nonce = responder ? gw->ni : gw->nr;
	size_t nonce_len = responder ? gw->ni_len : sizeof(gw->nr);
	uint16_t prf = gw->k.alg.prf;
	if (msg_len + nonce_len + 64 > cap)
		return 0;
	memcpy(out, msg, msg_len);
	memcpy(out + msg_len, nonce, nonce_len);
	size_t m = ref_prf(prf, responder ? gw->sk_pr : gw->sk_pi, gw->prf_len, id, id_len,
			   out + msg_len + nonce_len);
	return m ? msg_len + nonce_len + m : 0;
}

/* AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>) with SK_pi/SK_pr as the
 * secret, EAP-MD5 having no MSK (RFC 7296 2.16). */
static size_t psk_auth(struct fake_gw *gw, bool responder, const uint8_t *id, size_t id_len,
		       uint8_t *out)
{
	uint8_t o[4096], padkey[64];
	size_t olen = octets(gw, responder, id, id_len, o, sizeof(o));
	uint16_t prf = gw->k.alg.prf;
	if (!olen || !ref_prf(prf, responder ? gw->sk_pr : gw->sk_pi, gw->prf_len,
			      (const uint8_t *)key_pad, sizeof(key_pad) - 1, padkey))
		return 0;
	return ref_prf(prf, padkey, gw->prf_len, o, olen, out);
}

static void idr_body(struct fake_gw *gw, uint8_t *out, size_t *len)
{
	size_t n = strlen(gw->cfg.id);
	out[0] = ID_FQDN;
	memset(out + 1, 0, 3);
	memcpy(out + 4, gw->cfg.id, n);
	*len = n + 4;
}

static void eap_payload(struct ikb *b, uint8_t code, uint8_t id, uint8_t type, const void *data,
			size_t len)
{
	uint8_t p[256];
	size_t n = code <= 2 ? 5 + len : 4;
	p[0] = code;
	p[1] = id;
	put_u16(p + 2, (uint16_t)n);
	if (code <= 2) {
		p[4] = type;
		if (len)
			memcpy(p + 5, data, len);
	}
	ikb_simple(b, PL_EAP, p, n);
}

static void auth_first(struct fake_gw *gw, const struct ike_msg *m, uint32_t msg_id)
{
	const struct ike_pl *idi = ike_msg_find(m, PL_IDI, NULL);
	const struct ike_pl *sa = ike_msg_find(m, PL_SA, NULL);
	if (!idi || !sa || idi->len > sizeof(gw->idi_body) || !ike_msg_find(m, PL_TSI, NULL) ||
	    !ike_msg_find(m, PL_TSR, NULL) || !ike_msg_find(m, PL_CP, NULL)) {
		gw_error(gw, "first IKE_AUTH request lacks IDi, SA, TSi, TSr or CP");
		return;
	}
	memcpy(gw->idi_body, idi->body, idi->len);
	gw->idi_len = idi->len;
	uint8_t spi[8], spi_size = 0;
	gw->esp_number = pick_proposal(sa, &gw->esp, spi, &spi_size);
	if (gw->esp_number && spi_size != 4)
		gw_error(gw, "ESP proposal with a %u-octet SPI", spi_size);
	else if (gw->esp_number)
		gw->tern_spi = get_u32(spi);

	static uint8_t buf[16384];
	struct ikb b;
	ikb_chain(&b, buf, sizeof(buf));
	uint8_t idr[256];
	size_t idr_len;
	idr_body(gw, idr, &idr_len);
	ikb_id(&b, PL_IDR, ID_FQDN, gw->cfg.id, strlen(gw->cfg.id));
	for (unsigned i = 0; i < FAKE_GW_MAX_CERTS && gw->cfg.certs[i]; i++) {
		uint8_t *der = NULL;
		int n = i2d_X509(gw->cfg.certs[i], &der);
		uint8_t *body = malloc((size_t)n + 1);
		body[0] = CERT_X509_SIGNATURE;
		memcpy(body + 1, der, (size_t)n);
		ikb_simple(&b, PL_CERT, body, (size_t)n + 1);
		free(body);
		OPENSSL_free(der);
	}
	/* AUTH method 14 (RFC 7427): ecdsa-with-SHA256 over the responder's signed octets */
	uint8_t o[4096], auth[300];
	size_t olen = octets(gw, true, idr, idr_len, o, sizeof(o)), slen = 0;
	memcpy(auth, ecdsa_sha256_id, sizeof(ecdsa_sha256_id));
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	slen = sizeof(auth) - sizeof(ecdsa_sha256_id);
	if (!olen || !ctx || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, gw->cfg.key) <= 0 ||
	    EVP_DigestSign(ctx, auth + sizeof(ecdsa_sha256_id), &slen, o, olen) <= 0)
		gw_error(gw, "cannot sign AUTH");
	EVP_MD_CTX_free(ctx);
	ikb_auth(&b, AUTH_DIGITAL_SIGNATURE, auth, sizeof(ecdsa_sha256_id) + slen);
	gw->eap_id = 1;
	eap_payload(&b, EAP_CODE_REQUEST, gw->eap_id, EAP_TYPE_IDENTITY, NULL, 0);
	if (gw->cfg.vendor_pad) {
		uint8_t *v = calloc(1, gw->cfg.vendor_pad);
		ikb_simple(&b, PL_VENDOR, v, gw->cfg.vendor_pad);
		free(v);
	}
	send_sk(gw, IKE_AUTH, msg_id, true, &b, true);
}

static void auth_eap(struct fake_gw *gw, const struct ike_msg *m, uint32_t msg_id)
{
	const struct ike_pl *pl = ike_msg_find(m, PL_EAP, NULL);
	if (!pl || pl->len < 5 || pl->body[0] != EAP_CODE_RESPONSE || pl->body[1] != gw->eap_id) {
		gw_error(gw, "expected an EAP Response with Identifier %u", gw->eap_id);
		return;
	}
	uint8_t buf[256];
	struct ikb b;
	ikb_chain(&b, buf, sizeof(buf));
	if (pl->body[4] == EAP_TYPE_IDENTITY) {
		/* RFC 3748 5.4: MD5-Challenge Type-Data = Value-Size, Value, Name */
		uint8_t data[1 + 16 + 7];
		gw_rand(gw, gw->challenge, sizeof(gw->challenge));
		data[0] = 16;
		memcpy(data + 1, gw->challenge, 16);
		memcpy(data + 17, "fake-gw", 7);
		gw->eap_id = 2;
		eap_payload(&b, EAP_CODE_REQUEST, gw->eap_id, EAP_TYPE_MD5, data, sizeof(data));
	} else if (pl->body[4] == EAP_TYPE_MD5 && pl->len >= 6 + 16 && pl->body[5] == 16) {
		/* value = MD5(Identifier | secret | challenge) (RFC 1994 4.1) */
		uint8_t in[1 + 256 + 16], want[16];
		size_t pwl = strlen(gw->cfg.password);
		unsigned int wl;
		in[0] = gw->eap_id;
		memcpy(in + 1, gw->cfg.password, pwl);
		memcpy(in + 1 + pwl, gw->challenge, 16);
		EVP_Digest(in, 1 + pwl + 16, want, &wl, EVP_md5(), NULL);
		gw->eap_ok = memcmp(want, pl->body + 6, 16) == 0;
		eap_payload(&b, gw->eap_ok ? EAP_CODE_SUCCESS : EAP_CODE_FAILURE, gw->eap_id, 0,
			    NULL, 0);
	} else {
		gw_error(gw, "unexpected EAP type %u", pl->body[4]);
		return;
	}
	send_sk(gw, IKE_AUTH, msg_id, true, &b, false);
}

static void auth_final(struct fake_gw *gw, const struct ike_msg *m, uint32_t msg_id)
{
	const struct ike_pl *pl = ike_msg_find(m, PL_AUTH, NULL);
	uint8_t want[64], buf[1024];
	struct ikb b;
	ikb_chain(&b, buf, sizeof(buf));
	size_t wl = psk_auth(gw, false, gw->idi_body, gw->idi_len, want);
	if (!gw->eap_ok || !pl || pl->len != 4 + wl || pl->body[0] != AUTH_SHARED_KEY_MIC ||
	    memcmp(pl->body + 4, want, wl) != 0) {
		gw_error(gw, "the initiator's AUTH does not verify");
		ikb_notify(&b, 0, NULL, 0, N_AUTHENTICATION_FAILED, NULL, 0);
		send_sk(gw, IKE_AUTH, msg_id, true, &b, false);
		return;
	}
	uint8_t idr[256], mine[64];
	size_t idr_len;
	idr_body(gw, idr, &idr_len);
	size_t ml = psk_auth(gw, true, idr, idr_len, mine);
	ikb_auth(&b, AUTH_SHARED_KEY_MIC, mine, ml);
	if (!gw->esp_number) {
		/* the IKE SA stands, the CHILD SA does not (RFC 7296 1.2, 2.21.1) */
		ikb_notify(&b, 0, NULL, 0, N_NO_PROPOSAL_CHOSEN, NULL, 0);
		send_sk(gw, IKE_AUTH, msg_id, true, &b, true);
		return;
	}
	/* CP(CFG_REPLY): 203.0.113.7, DNS 203.0.113.53 (RFC 7296 3.15.1) */
	size_t s = ikb_begin(&b, PL_CP);
	static const uint8_t cp[] = {CFG_REPLY, 0, 0, 0, 0, 1, 0,   4, 203, 0,
				     113,	7, 0, 3, 0, 4, 203, 0, 113, 53};
	wr_bytes(&b.w, cp, sizeof(cp));
	ikb_end(&b, s);
	uint8_t spi[4];
	gw->gw_spi = 0xc0de0001;
	put_u32(spi, gw->gw_spi);
	sa_chosen(&b, gw->esp_number, &gw->esp, spi, 4);
	struct ike_ts_list tsi = {.n = 1}, tsr = {.n = 1};
	tsi.ts[0] =
	    (struct ike_ts){TS_IPV4_ADDR_RANGE, 0, 0, 0xffff, {203, 0, 113, 7}, {203, 0, 113, 7}};
	tsr.ts[0] =
	    (struct ike_ts){TS_IPV4_ADDR_RANGE, 0, 0, 0xffff, {0, 0, 0, 0}, {255, 255, 255, 255}};
	ikb_ts(&b, PL_TSI, &tsi);
	ikb_ts(&b, PL_TSR, &tsr);
	ikb_notify(&b, 0, NULL, 0, N_MOBIKE_SUPPORTED, NULL, 0);
	/* KEYMAT = prf+(SK_d, Ni | Nr), initiator-to-responder first (RFC 7296 2.17) */
	uint16_t kb = 0, encr = prop_id(&gw->esp, TT_ENCR, &kb);
	if (encr == ENCR_CHACHA20_POLY1305)
		kb = 256;
	gw->child_key_len = encr_len(encr, kb);
	uint8_t seed[512], km[128];
	memcpy(seed, gw->ni, gw->ni_len);
	memcpy(seed + gw->ni_len, gw->nr, sizeof(gw->nr));
	ref_prf_plus(gw->k.alg.prf, gw->sk_d, gw->prf_len, seed, gw->ni_len + sizeof(gw->nr), km,
		     2 * gw->child_key_len);
	memcpy(gw->child_i2r, km, gw->child_key_len);
	memcpy(gw->child_r2i, km + gw->child_key_len, gw->child_key_len);
	gw->established = true;
	send_sk(gw, IKE_AUTH, msg_id, true, &b, true);
}

/* ---- INFORMATIONAL ---- */

static void info_request(struct fake_gw *gw, const struct ike_msg *m, uint32_t msg_id)
{
	struct ike_delete d;
	for (int i = -1;;) {
		const struct ike_pl *pl = ike_msg_find(m, PL_DELETE, &i);
		if (!pl)
			break;
		if (ike_delete_parse(pl, &d) == 0 && d.protocol == PROTO_IKE)
			gw->got_delete = true;
	}
	uint8_t buf[16];
	struct ikb b;
	ikb_chain(&b, buf, sizeof(buf));
	send_sk(gw, INFORMATIONAL, msg_id, true, &b, false);
}

/* ---- intake ---- */

static void frags_clear(struct fake_gw *gw)
{
	for (unsigned i = 0; i < 65; i++) {
		free(gw->frag[i]);
		gw->frag[i] = NULL;
	}
	gw->frag_total = gw->frag_have = 0;
}

/* Opens SK, or collects SKF fragments: 1 when m holds the whole message, 0 while fragments are
 * missing, -1 on error. */
static int open_msg(struct fake_gw *gw, uint8_t *buf, size_t len, struct ike_msg *m)
{
	if (ike_msg_parse(buf, len, m))
		return -1;
	uint8_t first;
	const uint8_t *inner;
	size_t inner_len;
	uint16_t no, total;
	if (ike_sk_open(&gw->k, m, buf, &first, &inner, &inner_len, &no, &total))
		return -1;
	if (!total)
		return ike_chain_parse(m, first, inner, inner_len) ? -1 : 1;
	gw->fragments_received++;
	if (total > 64)
		return -1;
	if (gw->frag_total && (gw->frag_total != total || gw->frag_msg_id != m->hdr.msg_id))
		frags_clear(gw);
	gw->frag_total = total;
	gw->frag_msg_id = m->hdr.msg_id;
	if (no == 1)
		gw->frag_first = first;
	else if (first != PL_NONE)
		gw_error(gw, "fragment %u of %u names a first payload (RFC 7383 2.5)", no, total);
	if (!gw->frag[no]) {
		gw->frag[no] = malloc(inner_len ? inner_len : 1);
		memcpy(gw->frag[no], inner, inner_len);
		gw->frag_len[no] = inner_len;
		gw->frag_have++;
	}
	if (gw->frag_have < total)
		return 0;
	size_t off = 0;
	for (unsigned i = 1; i <= total; i++) {
		memcpy(gw->plain + off, gw->frag[i], gw->frag_len[i]);
		off += gw->frag_len[i];
	}
	first = gw->frag_first;
	frags_clear(gw);
	return ike_chain_parse(m, first, gw->plain, off) ? -1 : 1;
}

void fake_gw_receive(struct fake_gw *gw, const uint8_t *data, size_t len)
{
	static uint8_t buf[70000];
	struct ike_msg m;
	if (len > sizeof(buf) || len < IKE_HDR_LEN) {
		gw_error(gw, "datagram of %zu octets", len);
		return;
	}
	memcpy(buf, data, len);
	if (ike_msg_parse(buf, len, &m)) {
		gw_error(gw, "unparseable datagram from tern");
		return;
	}
	if (!(m.hdr.flags & IKE_FLAG_INITIATOR)) {
		gw_error(gw, "tern's message lacks the Initiator flag");
		return;
	}
	if (m.hdr.exchange == IKE_SA_INIT) {
		if (m.hdr.flags & IKE_FLAG_RESPONSE || m.hdr.msg_id != 0)
			gw_error(gw, "bad IKE_SA_INIT header");
		else
			handle_init(gw, &m, data, len);
		return;
	}
	if (!gw->have_keys || m.hdr.spi_i != gw->spi_i || m.hdr.spi_r != gw->spi_r) {
		gw_error(gw, "message for an unknown IKE SA");
		return;
	}
	if (m.hdr.flags & IKE_FLAG_RESPONSE) {
		memcpy(gw->last_resp_raw, data, len < sizeof(gw->last_resp_raw) ? len : 0);
		gw->last_resp_raw_len = len;
		if (len > sizeof(gw->last_resp_raw) ||
		    open_msg(gw, gw->last_resp_raw, len, &gw->last_resp) != 1) {
			gw_error(gw, "cannot open tern's response");
			return;
		}
		gw->responses++;
		return;
	}
	uint32_t id = m.hdr.msg_id;
	if (gw->n_cached && id == gw->cached_msg_id && id + 1 == gw->expect_msg_id) {
		resend_cache(gw);
		return;
	}
	if (id != gw->expect_msg_id) {
		gw_error(gw, "request with Message ID %u, expected %u", id, gw->expect_msg_id);
		return;
	}
	int r = open_msg(gw, buf, len, &m);
	if (r < 0) {
		gw_error(gw, "cannot open tern's request");
		return;
	}
	if (r == 0)
		return; /* more fragments to come */
	gw->expect_msg_id++;
	switch (m.hdr.exchange) {
	case IKE_AUTH:
		gw->auth_requests++;
		if (ike_msg_find(&m, PL_IDI, NULL))
			auth_first(gw, &m, id);
		else if (ike_msg_find(&m, PL_EAP, NULL))
			auth_eap(gw, &m, id);
		else
			auth_final(gw, &m, id);
		break;
	case INFORMATIONAL:
		info_request(gw, &m, id);
		break;
	default:
		gw_error(gw, "unexpected exchange %u", m.hdr.exchange);
	}
}

int fake_gw_new(struct fake_gw **out, const struct fake_gw_config *cfg)
{
	struct fake_gw *gw = calloc(1, sizeof(*gw));
	if (!gw)
		return -ENOMEM;
	gw->cfg = *cfg;
	gw->rnd_state = 0x12345u;
	if (one_prop(cfg->ike_prop, PROP_PROTO_IKE, &gw->ike) ||
	    one_prop(cfg->esp_prop, PROP_PROTO_ESP, &gw->esp)) {
		free(gw);
		return -EINVAL;
	}
	*out = gw;
	return 0;
}

void fake_gw_free(struct fake_gw *gw)
{
	if (!gw)
		return;
	struct fake_gw_dgram d;
	while (fake_gw_next(gw, &d))
		free(d.data);
	cache_clear(gw);
	frags_clear(gw);
	dh_free(gw->dh);
	ike_keys_wipe(&gw->k);
	free(gw->msg1);
	free(gw->msg2);
	free(gw->init_req_copy);
	free(gw);
}
