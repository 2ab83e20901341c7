/* CREATE_CHILD_SA requests from the gateway (RFC 7296 1.3.2, 1.3.3, 2.18): it rekeys the
 * CHILD SA or the IKE SA; tern answers as the responder of that exchange.
 *
 *   CHILD:  HDR, SK {N(REKEY_SA), SA, Ni, [KEi], TSi, TSr}  -->  HDR, SK {SA, Nr, [KEr], TSi, TSr}
 *   IKE:    HDR, SK {SA, Ni, KEi}                           -->  HDR, SK {SA, Nr, KEr}
 *
 * The gateway is the initiator of these exchanges: Ni is its nonce, and the first half of the
 * new CHILD KEYMAT is its outbound (our inbound) key. After an IKE rekey the gateway is the
 * original initiator of the new IKE SA. */
#include "client/ike/sa.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

enum { MAX_OFFERS = 16, MIN_NONCE_LEN = 16, MAX_NONCE_LEN = 256 };

static const struct ike_pl_rule rules[] = {
    {PL_SA, 1, 1},  {PL_NONCE, 1, 1},	{PL_KE, 0, 1}, {PL_TSI, 0, 1},
    {PL_TSR, 0, 1}, {PL_NOTIFY, 0, 64}, {0, 0, 0},
};

static void refuse(struct ike_sa *sa, const struct ike_msg *m, uint16_t notify, const char *why)
{
	uint8_t buf[32];
	struct ikb b;
	ikb_chain(&b, buf, sizeof(buf));
	ikb_notify(&b, 0, NULL, 0, notify, NULL, 0);
	ike_send_response(sa, CREATE_CHILD_SA, m->hdr.msg_id, &b);
	ike_log(sa, IKE_LOG_INFO, "refused the gateway's CREATE_CHILD_SA: %s (%s)", why,
		ike_notify_name(notify));
}

static uint16_t chosen_group(const struct ike_chosen *c)
{
	for (unsigned i = 0; i < c->prop.n; i++)
		if (c->prop.t[i].type == TT_DH)
			return c->prop.t[i].id;
	return 0;
}

/* Our half of the exchange's key exchange: g^ir into gir, our public value into b. */
static int key_exchange(struct ike_sa *sa, const struct ike_msg *m, uint16_t group, struct ikb *b,
			uint8_t *gir, size_t *gir_len)
{
	struct ike_ke ke;
	const struct ike_pl *pl = ike_msg_find(m, PL_KE, NULL);
	*gir_len = 0;
	if (!group)
		return 0;
	if (!pl || ike_ke_parse(pl, &ke) || ke.group != group)
		return -EINVAL;
	struct dh *dh;
	int err = dh_new(&dh, group, sa->cfg.rnd, sa->cfg.rnd_arg);
	if (err)
		return err;
	size_t plen;
	const uint8_t *pub = dh_public(dh, &plen);
	*gir_len = 512;
	err = dh_shared(dh, ke.data, ke.len, gir, gir_len);
	if (!err)
		ikb_ke(b, group, pub, plen);
	dh_free(dh);
	return err;
}

/* Starts our answer: SA (the chosen proposal with a fresh SPI of ours) and Nr. */
static int begin_answer(struct ike_sa *sa, struct ikb *b, uint8_t *buf, size_t cap,
			const struct ike_chosen *c, uint8_t *spi, uint8_t spi_size, uint8_t *nr,
			size_t nr_len)
{
	int err = ike_random_spi(sa, spi, spi_size);
	if (!err)
		err = sa->cfg.rnd(sa->cfg.rnd_arg, nr, nr_len);
	if (err)
		return err;
	ikb_chain(b, buf, cap);
	ikb_sa_chosen(b, c, spi, spi_size);
	ikb_simple(b, PL_NONCE, nr, nr_len);
	return 0;
}

static void rekey_child(struct ike_sa *sa, const struct ike_msg *m, const struct ike_chosen *offers,
			unsigned n, const struct ike_notify *rk)
{
	if (rk->protocol != PROTO_ESP || rk->spi_size != 4 ||
	    (get_u32(rk->spi) != sa->child.spi_out && get_u32(rk->spi) != sa->child.spi_in)) {
		refuse(sa, m, N_CHILD_SA_NOT_FOUND, "rekey of an unknown CHILD SA");
		return;
	}
	struct ike_chosen c;
	if (ike_prop_select(sa->cfg.esp_props, offers, n, PROTO_ESP, true, &c) || c.spi_size != 4) {
		refuse(sa, m, N_NO_PROPOSAL_CHOSEN, "no acceptable ESP proposal");
		return;
	}
	struct ike_child next = sa->child;
	if (ike_child_algs(&c.prop, &next)) {
		refuse(sa, m, N_NO_PROPOSAL_CHOSEN, "ESP cipher not supported by the datapath");
		return;
	}
	uint8_t spi[4], nr[32], gir[512], buf[2048];
	size_t gir_len;
	struct ikb b;
	const struct ike_pl *ni = ike_msg_find(m, PL_NONCE, NULL);
	if (begin_answer(sa, &b, buf, sizeof(buf), &c, spi, sizeof(spi), nr, sizeof(nr))) {
		refuse(sa, m, N_TEMPORARY_FAILURE, "no randomness");
		return;
	}
	if (key_exchange(sa, m, chosen_group(&c), &b, gir, &gir_len)) {
		refuse(sa, m, N_INVALID_SYNTAX, "bad key exchange");
		return;
	}
	/* Our selectors as negotiated; in this exchange TSi is the gateway's side. */
	ikb_ts(&b, PL_TSI, &sa->child.ts_remote);
	ikb_ts(&b, PL_TSR, &sa->child.ts_local);
	next.spi_in = get_u32(spi);
	next.spi_out = get_u32(c.spi);
	int err = ike_child_keymat_pfs(&sa->keys, next.key_len, gir, gir_len, ni->body, ni->len, nr,
				       sizeof(nr), next.key_in, next.key_out);
	OPENSSL_cleanse(gir, sizeof(gir));
	if (err || ike_send_response(sa, CREATE_CHILD_SA, m->hdr.msg_id, &b)) {
		OPENSSL_cleanse(&next, sizeof(next));
		refuse(sa, m, N_TEMPORARY_FAILURE, "cannot build the answer");
		return;
	}
	sa->old_spi_in = sa->child.spi_in;
	sa->old_spi_out = sa->child.spi_out;
	sa->child = next;
	OPENSSL_cleanse(&next, sizeof(next));
	struct ike_event *ev = ike_push_event(sa, IKE_EV_REKEYED);
	ev->child = sa->child;
	ev->old_spi_in = sa->old_spi_in;
	ike_log(sa, IKE_LOG_INFO, "CHILD SA rekeyed by the gateway: SPIs in %08x out %08x",
		sa->child.spi_in, sa->child.spi_out);
}

static void rekey_ike(struct ike_sa *sa, const struct ike_msg *m, const struct ike_chosen *offers,
		      unsigned n)
{
	struct ike_chosen c;
	struct ike_algs algs;
	if (ike_prop_select(sa->cfg.ike_props, offers, n, PROTO_IKE, false, &c) ||
	    c.spi_size != 8 || ike_algs_from_prop(&c.prop, &algs) || !algs.dh) {
		refuse(sa, m, N_NO_PROPOSAL_CHOSEN, "no acceptable IKE proposal");
		return;
	}
	uint8_t spi[8], nr[32], gir[512], buf[2048];
	size_t gir_len;
	struct ikb b;
	const struct ike_pl *ni = ike_msg_find(m, PL_NONCE, NULL);
	if (begin_answer(sa, &b, buf, sizeof(buf), &c, spi, sizeof(spi), nr, sizeof(nr))) {
		refuse(sa, m, N_TEMPORARY_FAILURE, "no randomness");
		return;
	}
	if (key_exchange(sa, m, algs.dh, &b, gir, &gir_len) || !gir_len) {
		refuse(sa, m, N_INVALID_KE_PAYLOAD, "bad key exchange");
		return;
	}
	struct ike_keys keys;
	uint64_t spi_i = 0, spi_r = 0;
	for (int i = 0; i < 8; i++) {
		spi_i = spi_i << 8 | c.spi[i];
		spi_r = spi_r << 8 | spi[i];
	}
	int err = ike_keys_rekey(&keys, &sa->keys, &algs, ni->body, ni->len, nr, sizeof(nr), gir,
				 gir_len, spi_i, spi_r);
	OPENSSL_cleanse(gir, sizeof(gir));
	if (err || ike_send_response(sa, CREATE_CHILD_SA, m->hdr.msg_id, &b)) {
		if (!err)
			ike_keys_wipe(&keys);
		refuse(sa, m, N_TEMPORARY_FAILURE, "cannot build the answer");
		return;
	}
	/* The old IKE SA stays only to answer its Delete; the CHILD SA moves to the new one. */
	free(sa->old.resp.dgram);
	ike_keys_wipe(&sa->old.keys);
	sa->old = (struct ike_old_sa){.valid = true,
				      .initiator = sa->initiator,
				      .spi_i = sa->spi_i,
				      .spi_r = sa->spi_r,
				      .peer_msg_id = sa->peer_msg_id,
				      .keys = sa->keys,
				      .resp = sa->resp};
	memset(&sa->resp, 0, sizeof(sa->resp));
	keys.responder = true;
	sa->keys = keys;
	sa->initiator = false;
	sa->spi_i = spi_i;
	sa->spi_r = spi_r;
	sa->next_msg_id = 0;
	sa->peer_msg_id = 0;
	prop_format(&c.prop, sa->algs_text, sizeof(sa->algs_text));
	ike_log(sa, IKE_LOG_INFO, "IKE SA rekeyed by the gateway: %s", sa->algs_text);
}

void ike_create_child_request(struct ike_sa *sa, uint64_t now, const struct ike_msg *m)
{
	(void)now;
	struct ike_chosen offers[MAX_OFFERS];
	unsigned n;
	struct ike_notify rk;
	const struct ike_pl *nonce = ike_msg_find(m, PL_NONCE, NULL);
	if (sa->state != IKE_S_ESTABLISHED || sa->req.active) {
		refuse(sa, m, N_TEMPORARY_FAILURE, "busy");
		return;
	}
	if (ike_check_payloads(sa, m, rules) ||
	    ike_sa_parse_offers(ike_msg_find(m, PL_SA, NULL), offers, MAX_OFFERS, &n) ||
	    nonce->len < MIN_NONCE_LEN || nonce->len > MAX_NONCE_LEN) {
		refuse(sa, m, N_INVALID_SYNTAX, "malformed request");
		return;
	}
	if (offers[0].prop.protocol == PROTO_IKE)
		rekey_ike(sa, m, offers, n);
	else if (ike_msg_notify(m, N_REKEY_SA, &rk))
		rekey_child(sa, m, offers, n, &rk);
	else
		refuse(sa, m, N_NO_ADDITIONAL_SAS, "tern keeps one CHILD SA");
}
