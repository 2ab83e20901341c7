/* IKE_AUTH with EAP (RFC 7296 1.2, 2.15, 2.16; RFC 5998 EAP-only), the configuration payload
 * (3.15) and the first CHILD SA (2.17).
 *
 *   HDR, SK {IDi, CERTREQ, CP(CFG_REQUEST), SAi2, TSi, TSr, N(...)}  -->
 *                               <--  HDR, SK {IDr, [CERT+], AUTH, EAP}
 *   HDR, SK {EAP}  -->          <--  HDR, SK {EAP}             (as many rounds as the method)
 *   HDR, SK {AUTH}  -->         <--  HDR, SK {AUTH, CP(CFG_REPLY), SAr2, TSi, TSr, N(...)}
 */
#include "client/ike/sa.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/cert.h"
#include "crypto/prf.h"

enum { MAX_CERTS = 8, AUTH_MSG_CAP = 16384, MAX_CERTREQ_CAS = 256 };

static const char key_pad[] = "Key Pad for IKEv2"; /* RFC 7296 2.15, 17 octets, no NUL */

static void full_range_ts(struct ike_ts_list *l)
{
	memset(l, 0, sizeof(*l));
	l->n = 2;
	l->ts[0].type = TS_IPV4_ADDR_RANGE;
	l->ts[1].type = TS_IPV6_ADDR_RANGE;
	for (unsigned i = 0; i < 2; i++) {
		l->ts[i].end_port = 0xffff;
		memset(l->ts[i].end, 0xff, 16);
	}
}

/* The CHILD SA made in IKE_AUTH takes its keys from the IKE SA's key exchange: its proposals
 * carry no DH transform (RFC 7296 1.2); PFS groups apply to rekeys only. */
static void strip_dh(struct prop_list *l)
{
	for (unsigned i = 0; i < l->n; i++) {
		struct prop *p = &l->p[i];
		unsigned k = 0;
		for (unsigned j = 0; j < p->n; j++)
			if (p->t[j].type != TT_DH)
				p->t[k++] = p->t[j];
		p->n = k;
	}
}

static uint8_t id_type_of(const char *id)
{
	return strchr(id, '@') ? ID_RFC822_ADDR : ID_FQDN;
}

int ike_auth_start(struct ike_sa *sa, uint64_t now)
{
	struct eap_client_config ec = {.identity = sa->cfg.identity,
				       .password = sa->cfg.password,
				       .allowed = sa->cfg.eap_allowed,
				       .rnd = sa->cfg.rnd,
				       .rnd_arg = sa->cfg.rnd_arg};
	int err = eap_client_new(&sa->eap, &ec);
	if (err)
		return err;
	do {
		err = sa->cfg.rnd(sa->cfg.rnd_arg, (uint8_t *)&sa->child_spi_in, 4);
	} while (!err && sa->child_spi_in < 256); /* SPIs 1..255 are reserved (RFC 4303 2.1) */
	if (err)
		return err;

	uint8_t buf[AUTH_MSG_CAP];
	struct ikb b;
	ikb_chain(&b, buf, sizeof(buf));
	size_t idlen = strlen(sa->cfg.identity);
	if (idlen + 4 > sizeof(sa->idi_body))
		return -ENAMETOOLONG;
	ikb_id(&b, PL_IDI, id_type_of(sa->cfg.identity), sa->cfg.identity, idlen);
	sa->idi_body[0] = id_type_of(sa->cfg.identity);
	memset(sa->idi_body + 1, 0, 3);
	memcpy(sa->idi_body + 4, sa->cfg.identity, idlen);
	sa->idi_len = idlen + 4;

	/* CERTREQ asks the gateway for its certificate (strongSwan sends it only if asked). */
	uint8_t keyids[20 * MAX_CERTREQ_CAS];
	int kl = sa->cfg.trust ? cert_trust_keyids(sa->cfg.trust, keyids, sizeof(keyids)) : 0;
	ikb_certreq(&b, CERT_X509_SIGNATURE, keyids, kl > 0 ? (size_t)kl : 0);

	static const uint16_t attrs[] = {CP_INTERNAL_IP4_ADDRESS, CP_INTERNAL_IP4_DNS,
					 CP_INTERNAL_IP6_ADDRESS, CP_INTERNAL_IP6_DNS,
					 CP_INTERNAL_IP4_SUBNET};
	ikb_cp_request(&b, attrs, sizeof(attrs) / sizeof(attrs[0]));
	uint8_t spi[4];
	put_u32(spi, sa->child_spi_in);
	struct prop_list esp = *sa->cfg.esp_props;
	strip_dh(&esp);
	ikb_sa(&b, &esp, spi, 4);
	struct ike_ts_list ts;
	full_range_ts(&ts);
	ikb_ts(&b, PL_TSI, &ts);
	ikb_ts(&b, PL_TSR, &ts);
	ikb_notify(&b, 0, NULL, 0, N_INITIAL_CONTACT, NULL, 0);
	ikb_notify(&b, 0, NULL, 0, N_MOBIKE_SUPPORTED, NULL, 0);
	ikb_notify(&b, 0, NULL, 0, N_EAP_ONLY_AUTHENTICATION, NULL, 0);
	ikb_notify(&b, 0, NULL, 0, N_ESP_TFC_PADDING_NOT_SUPPORTED, NULL, 0);
	err = ike_send_request(sa, now, IKE_AUTH, &b);
	if (err)
		return err;
	ike_set_state(sa, IKE_S_AUTH_SENT);
	ike_progress(sa, "IKE_AUTH: identifying as %s, asking for EAP", sa->cfg.identity);
	return 0;
}

/* Fails for the error notifies an IKE_AUTH response may carry. True if it failed. */
static bool auth_error(struct ike_sa *sa, const struct ike_msg *m)
{
	uint16_t error = ike_msg_error(m);
	char offered[160];
	switch (error) {
	case 0:
		return false;
	case N_AUTHENTICATION_FAILED:
		ike_fail(sa, IKE_FAIL_AUTH, "gateway rejected the authentication of %s",
			 sa->cfg.identity);
		break;
	case N_NO_PROPOSAL_CHOSEN:
		ike_prop_list_text(sa->cfg.esp_props, offered, sizeof(offered));
		ike_fail(sa, IKE_FAIL_NO_PROPOSAL,
			 "gateway accepted none of the ESP proposals offered: %s", offered);
		break;
	default:
		ike_fail(sa, IKE_FAIL_OTHER, "gateway answered IKE_AUTH with %s",
			 ike_notify_name(error));
	}
	return true;
}

/* prf(SK_p, ID') where ID' is the ID payload body. */
static int maced_id(struct ike_sa *sa, const uint8_t *sk_p, const uint8_t *id, size_t id_len,
		    uint8_t *out)
{
	return prf_compute(sa->keys.alg.prf, sk_p, sa->keys.prf_len, id, id_len, out);
}

/* RealMessage | Nonce | prf(SK_p, ID'): the octets each side's AUTH covers (2.15). */
static uint8_t *signed_octets(struct ike_sa *sa, bool responder, size_t *len)
{
	const uint8_t *msg = responder ? sa->init_resp : sa->init_req;
	size_t msg_len = responder ? sa->init_resp_len : sa->init_req_len;
	const uint8_t *nonce = responder ? sa->ni : sa->nr;
	size_t nonce_len = responder ? sizeof(sa->ni) : sa->nr_len;
	uint8_t *o = malloc(msg_len + nonce_len + IKE_KEY_MAX);
	if (!o)
		return NULL;
	memcpy(o, msg, msg_len);
	memcpy(o + msg_len, nonce, nonce_len);
	int err =
	    responder
		? maced_id(sa, sa->keys.sk_pr, sa->idr_body, sa->idr_len, o + msg_len + nonce_len)
		: maced_id(sa, sa->keys.sk_pi, sa->idi_body, sa->idi_len, o + msg_len + nonce_len);
	if (err) {
		free(o);
		return NULL;
	}
	*len = msg_len + nonce_len + sa->keys.prf_len;
	return o;
}

/* The gateway's certificate AUTH: chain, name, ID, signature. Fails and returns false. */
static bool verify_gateway(struct ike_sa *sa, const struct ike_msg *m, const struct ike_id *id)
{
	const uint8_t *certs[MAX_CERTS];
	size_t lens[MAX_CERTS];
	unsigned n = 0;
	char reason[256];
	for (int i = -1; n < MAX_CERTS;) {
		const struct ike_pl *pl = ike_msg_find(m, PL_CERT, &i);
		struct ike_cert c;
		if (!pl)
			break;
		if (ike_cert_parse(pl, &c) == 0 && c.encoding == CERT_X509_SIGNATURE) {
			certs[n] = c.data;
			lens[n++] = c.len;
		}
	}
	if (n == 0) {
		ike_fail(sa, IKE_FAIL_UNTRUSTED, "gateway sent no X.509 certificate");
		return false;
	}
	if (!sa->cfg.trust) {
		ike_fail(sa, IKE_FAIL_UNTRUSTED, "no trusted CA loaded");
		return false;
	}
	int err = cert_verify_chain(sa->cfg.trust, certs, lens, n, sa->cfg.unix_now, reason,
				    sizeof(reason));
	if (!err)
		err = cert_match_name(certs[0], lens[0], sa->cfg.server_id, reason, sizeof(reason));
	if (!err)
		err = cert_match_id(certs[0], lens[0], id->type, id->data, id->len, reason,
				    sizeof(reason));
	if (err) {
		ike_fail(sa, IKE_FAIL_UNTRUSTED, "gateway not trusted: %s", reason);
		return false;
	}
	struct ike_auth auth;
	if (ike_auth_parse(ike_msg_find(m, PL_AUTH, NULL), &auth)) {
		ike_fail(sa, IKE_FAIL_UNTRUSTED, "gateway sent a malformed AUTH payload");
		return false;
	}
	size_t olen;
	uint8_t *octets = signed_octets(sa, true, &olen);
	if (!octets) {
		ike_fail(sa, IKE_FAIL_OTHER, "out of memory");
		return false;
	}
	err = cert_verify_auth(certs[0], lens[0], auth.method, auth.data, auth.len, octets, olen,
			       reason, sizeof(reason));
	free(octets);
	if (err) {
		ike_fail(sa, IKE_FAIL_UNTRUSTED, "gateway's AUTH does not verify: %s", reason);
		return false;
	}
	char who[128];
	if (cert_describe(certs[0], lens[0], who, sizeof(who)) < 0)
		snprintf(who, sizeof(who), "its certificate");
	ike_progress(sa, "IKE_AUTH: gateway authenticated as %s (%u certificate%s)", who, n,
		     n == 1 ? "" : "s");
	sa->gw_signed = true;
	return true;
}

/* AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>), the secret being the
 * EAP MSK, or SK_pi/SK_pr for methods without one (2.16). */
static int psk_auth(struct ike_sa *sa, bool responder, uint8_t *out)
{
	const uint8_t *key;
	size_t key_len;
	if (eap_client_msk(sa->eap, &key, &key_len) != 0) {
		key = responder ? sa->keys.sk_pr : sa->keys.sk_pi;
		key_len = sa->keys.prf_len;
	}
	uint8_t pad_key[IKE_KEY_MAX];
	int err = prf_compute(sa->keys.alg.prf, key, key_len, (const uint8_t *)key_pad,
			      sizeof(key_pad) - 1, pad_key);
	size_t olen;
	uint8_t *octets = err ? NULL : signed_octets(sa, responder, &olen);
	if (!octets) {
		OPENSSL_cleanse(pad_key, sizeof(pad_key));
		return err ? err : -ENOMEM;
	}
	err = prf_compute(sa->keys.alg.prf, pad_key, sa->keys.prf_len, octets, olen, out);
	OPENSSL_cleanse(pad_key, sizeof(pad_key));
	free(octets);
	return err;
}

static void send_final_auth(struct ike_sa *sa, uint64_t now)
{
	if (!sa->gw_signed && eap_client_method(sa->eap) != EAP_TYPE_MSCHAPV2) {
		ike_fail(sa, IKE_FAIL_UNTRUSTED,
			 "gateway sent no certificate and %s does not authenticate it",
			 eap_type_name(eap_client_method(sa->eap)));
		return;
	}
	uint8_t auth[IKE_KEY_MAX], buf[256];
	struct ikb b;
	if (psk_auth(sa, false, auth)) {
		ike_fail(sa, IKE_FAIL_OTHER, "cannot compute AUTH");
		return;
	}
	ikb_chain(&b, buf, sizeof(buf));
	ikb_auth(&b, AUTH_SHARED_KEY_MIC, auth, sa->keys.prf_len);
	OPENSSL_cleanse(auth, sizeof(auth));
	if (ike_send_request(sa, now, IKE_AUTH, &b)) {
		ike_fail(sa, IKE_FAIL_OTHER, "cannot build the IKE_AUTH request");
		return;
	}
	ike_set_state(sa, IKE_S_AUTH_FINAL_SENT);
	ike_progress(sa, "IKE_AUTH: EAP-%s succeeded, sending AUTH",
		     eap_type_name(eap_client_method(sa->eap)));
}

static void run_eap(struct ike_sa *sa, uint64_t now, const struct ike_msg *m)
{
	const struct ike_pl *pl = ike_msg_find(m, PL_EAP, NULL);
	if (!pl) {
		ike_fail(sa, IKE_FAIL_OTHER, "gateway did not continue EAP");
		return;
	}
	uint8_t out[1024], buf[1100];
	size_t out_len = 0;
	uint8_t before = eap_client_method(sa->eap);
	int r = eap_client_process(sa->eap, pl->body, pl->len, out, sizeof(out), &out_len);
	switch (r) {
	case EAP_RESULT_SEND: {
		struct ikb b;
		ikb_chain(&b, buf, sizeof(buf));
		ikb_simple(&b, PL_EAP, out, out_len);
		OPENSSL_cleanse(out, sizeof(out));
		if (ike_send_request(sa, now, IKE_AUTH, &b)) {
			ike_fail(sa, IKE_FAIL_OTHER, "cannot build the IKE_AUTH request");
			return;
		}
		if (sa->state != IKE_S_EAP)
			ike_set_state(sa, IKE_S_EAP);
		uint8_t method = eap_client_method(sa->eap);
		if (method && method != before)
			ike_progress(sa, "IKE_AUTH: EAP-%s", eap_type_name(method));
		return;
	}
	case EAP_RESULT_SUCCESS:
		send_final_auth(sa, now);
		return;
	case EAP_RESULT_FAILURE:
		ike_fail(sa, IKE_FAIL_AUTH, "EAP authentication of %s failed: %s", sa->cfg.identity,
			 eap_client_reason(sa->eap));
		return;
	default:
		ike_fail(sa, IKE_FAIL_OTHER, "unexpected EAP message from the gateway (%s)",
			 strerror(-r));
	}
}

static const struct ike_pl_rule first_rules[] = {
    {PL_IDR, 0, 1},	{PL_CERT, 0, MAX_CERTS}, {PL_AUTH, 0, 1}, {PL_EAP, 0, 1},
    {PL_NOTIFY, 0, 64}, {PL_CERTREQ, 0, 16},	 {0, 0, 0},
};

static void first_response(struct ike_sa *sa, uint64_t now, const struct ike_msg *m)
{
	if (ike_check_payloads(sa, m, first_rules)) {
		ike_fail(sa, IKE_FAIL_OTHER, "malformed IKE_AUTH response");
		return;
	}
	const struct ike_pl *idr = ike_msg_find(m, PL_IDR, NULL);
	struct ike_id id;
	if (!idr || ike_id_parse(idr, &id) || idr->len > sizeof(sa->idr_body)) {
		ike_fail(sa, IKE_FAIL_OTHER, "gateway sent no valid identity (IDr)");
		return;
	}
	memcpy(sa->idr_body, idr->body, idr->len);
	sa->idr_len = idr->len;
	/* Without AUTH here the gateway uses EAP-only authentication (RFC 5998); the mutual EAP
	 * method and the final AUTH then authenticate it. */
	if (ike_msg_find(m, PL_AUTH, NULL) && !verify_gateway(sa, m, &id))
		return;
	run_eap(sa, now, m);
}

static int apply_cp(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_pl *pl = ike_msg_find(m, PL_CP, NULL);
	struct ike_cp cp;
	struct ike_vconfig *v = &sa->vcfg;
	memset(v, 0, sizeof(*v));
	if (!pl)
		return 0;
	if (ike_cp_parse(pl, &cp) || cp.cfg_type != CFG_REPLY)
		return -EBADMSG;
	for (unsigned i = 0; i < cp.n; i++) {
		const struct ike_cp_attr *a = &cp.attr[i];
		switch (a->type) {
		case CP_INTERNAL_IP4_ADDRESS:
			if (a->len == 4 && !v->has_ip4) {
				memcpy(v->ip4, a->value, 4);
				v->has_ip4 = true;
			}
			break;
		case CP_INTERNAL_IP6_ADDRESS:
			if (a->len == 17 && !v->has_ip6) {
				memcpy(v->ip6, a->value, 16);
				v->ip6_prefix = a->value[16];
				v->has_ip6 = true;
			}
			break;
		case CP_INTERNAL_IP4_DNS:
			if (a->len == 4 && v->n_dns4 < IKE_MAX_DNS)
				memcpy(v->dns4[v->n_dns4++], a->value, 4);
			break;
		case CP_INTERNAL_IP6_DNS:
			if (a->len >= 16 && v->n_dns6 < IKE_MAX_DNS)
				memcpy(v->dns6[v->n_dns6++], a->value, 16);
			break;
		case CP_INTERNAL_IP4_SUBNET:
			if (a->len == 8 && v->n_subnet4 < IKE_MAX_SUBNETS) {
				uint32_t mask = get_u32(a->value + 4);
				memcpy(v->subnet4[v->n_subnet4].addr, a->value, 4);
				v->subnet4[v->n_subnet4++].prefix =
				    (uint8_t)__builtin_popcount(mask);
			}
			break;
		default:
			break;
		}
	}
	return 0;
}

static int setup_child(struct ike_sa *sa, const struct ike_msg *m, char *reason, size_t rlen)
{
	struct ike_chosen chosen;
	struct ike_child *c = &sa->child;
	memset(c, 0, sizeof(*c));
	if (ike_sa_parse_reply(ike_msg_find(m, PL_SA, NULL), &chosen) ||
	    ike_ts_parse(ike_msg_find(m, PL_TSI, NULL), &c->ts_local) ||
	    ike_ts_parse(ike_msg_find(m, PL_TSR, NULL), &c->ts_remote)) {
		snprintf(reason, rlen, "malformed CHILD SA in the IKE_AUTH response");
		return -EBADMSG;
	}
	if (ike_prop_accept(sa->cfg.esp_props, &chosen, false, reason, rlen))
		return -EBADMSG;
	if (ike_child_algs(&chosen.prop, c)) {
		snprintf(reason, rlen, "the gateway chose an ESP cipher tern's datapath lacks");
		return -ENOTSUP;
	}
	c->spi_in = sa->child_spi_in;
	c->spi_out = get_u32(chosen.spi);
	/* The first key is the initiator's outbound one (2.17). */
	int err = ike_child_keymat(&sa->keys, c->key_len, sa->ni, sizeof(sa->ni), sa->nr,
				   sa->nr_len, c->key_out, c->key_in);
	if (err)
		snprintf(reason, rlen, "CHILD SA key derivation failed");
	return err;
}

static const struct ike_pl_rule final_rules[] = {
    {PL_AUTH, 1, 1}, {PL_SA, 1, 1},	 {PL_TSI, 1, 1}, {PL_TSR, 1, 1},
    {PL_CP, 0, 1},   {PL_NOTIFY, 0, 64}, {PL_IDR, 0, 1}, {0, 0, 0},
};

static void final_response(struct ike_sa *sa, uint64_t now, const struct ike_msg *m)
{
	char reason[200];
	if (ike_check_payloads(sa, m, final_rules)) {
		ike_fail(sa, IKE_FAIL_OTHER, "malformed final IKE_AUTH response");
		return;
	}
	struct ike_auth auth;
	uint8_t expect[IKE_KEY_MAX];
	if (ike_auth_parse(ike_msg_find(m, PL_AUTH, NULL), &auth) ||
	    auth.method != AUTH_SHARED_KEY_MIC || auth.len != sa->keys.prf_len ||
	    psk_auth(sa, true, expect) || CRYPTO_memcmp(expect, auth.data, auth.len) != 0) {
		ike_fail(sa, IKE_FAIL_UNTRUSTED, "gateway's AUTH does not match the EAP key");
		return;
	}
	if (apply_cp(sa, m)) {
		ike_fail(sa, IKE_FAIL_OTHER, "malformed configuration payload");
		return;
	}
	if (setup_child(sa, m, reason, sizeof(reason))) {
		ike_fail(sa, IKE_FAIL_OTHER, "%s", reason);
		return;
	}
	sa->mobike_ok = ike_msg_notify(m, N_MOBIKE_SUPPORTED, NULL);
	ike_request_done(sa);
	eap_client_free(sa->eap);
	sa->eap = NULL;
	ike_set_state(sa, IKE_S_ESTABLISHED);
	sa->alive_ms = now;

	struct ike_event *ev = ike_push_event(sa, IKE_EV_UP);
	ev->child = sa->child;
	ev->cfg = sa->vcfg;
	ev->behind_nat = sa->behind_nat;
	ev->mobike = sa->mobike_ok;
	char ip[INET6_ADDRSTRLEN] = "none";
	if (sa->vcfg.has_ip4)
		inet_ntop(AF_INET, sa->vcfg.ip4, ip, sizeof(ip));
	snprintf(ev->text, sizeof(ev->text), "connected, virtual IP %s, ESP SPIs in %08x out %08x",
		 ip, sa->child.spi_in, sa->child.spi_out);
	ike_log(sa, IKE_LOG_INFO, "%s", ev->text);
}

void ike_auth_response(struct ike_sa *sa, uint64_t now, const struct ike_msg *m)
{
	if (auth_error(sa, m))
		return;
	switch (sa->state) {
	case IKE_S_AUTH_SENT:
		first_response(sa, now, m);
		break;
	case IKE_S_EAP:
		run_eap(sa, now, m);
		break;
	case IKE_S_AUTH_FINAL_SENT:
		final_response(sa, now, m);
		break;
	default:
		sa->stats.dropped++;
	}
}
