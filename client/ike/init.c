/* IKE_SA_INIT (RFC 7296 1.2), with COOKIE (2.6), INVALID_KE_PAYLOAD (1.3), NAT detection
 * (2.23) and the capability notifies for fragmentation (RFC 7383) and signature hash
 * algorithms (RFC 7427).
 *
 *   HDR, [N(COOKIE)], SA, KE, Ni, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP),
 *        N(IKEV2_FRAGMENTATION_SUPPORTED), N(SIGNATURE_HASH_ALGORITHMS)  -->
 *                                <--  HDR, SA, KE, Nr, [CERTREQ], N(NAT_DETECTION_*), N(...)
 */
#include "client/ike/sa.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/ike/sk.h"
#include "crypto/cert.h"
#include "crypto/hash.h"

enum { NATD_LEN = 20, MIN_NONCE_LEN = 16, MAX_NONCE_LEN = 256 };

/* NAT_DETECTION_*_IP data = SHA-1(SPIi | SPIr | IP | Port) */
static int natd_hash(uint64_t spi_i, uint64_t spi_r, const struct sockaddr_storage *ss,
		     uint8_t out[NATD_LEN])
{
	uint8_t buf[16 + 16 + 2];
	size_t len = 16;
	put_u64(buf, spi_i);
	put_u64(buf + 8, spi_r);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
		memcpy(buf + len, &in->sin_addr, 4);
		len += 4;
		memcpy(buf + len, &in->sin_port, 2);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
		memcpy(buf + len, &in6->sin6_addr, 16);
		len += 16;
		memcpy(buf + len, &in6->sin6_port, 2);
	} else {
		return -EAFNOSUPPORT;
	}
	return hash_sha1(buf, len + 2, out);
}

static uint16_t first_dh_group(const struct prop_list *l)
{
	for (unsigned i = 0; i < l->n; i++)
		for (unsigned j = 0; j < l->p[i].n; j++)
			if (l->p[i].t[j].type == TT_DH && dh_supported(l->p[i].t[j].id))
				return l->p[i].t[j].id;
	return 0;
}

static bool group_offered(const struct prop_list *l, uint16_t group)
{
	for (unsigned i = 0; i < l->n; i++)
		for (unsigned j = 0; j < l->p[i].n; j++)
			if (l->p[i].t[j].type == TT_DH && l->p[i].t[j].id == group)
				return true;
	return false;
}

static int new_dh(struct ike_sa *sa, uint16_t group)
{
	if (sa->dh)
		dh_free(sa->dh);
	sa->dh = NULL;
	sa->dh_group = group;
	return dh_new(&sa->dh, group, sa->cfg.rnd, sa->cfg.rnd_arg);
}

static int send_init(struct ike_sa *sa, uint64_t now)
{
	uint8_t buf[2048];
	struct ikb b;
	struct ike_hdr h = {.spi_i = sa->spi_i,
			    .version = IKE_VERSION_2,
			    .exchange = IKE_SA_INIT,
			    .flags = IKE_FLAG_INITIATOR};
	ikb_message(&b, buf, sizeof(buf), &h);
	if (sa->cookie_len)
		ikb_notify(&b, 0, NULL, 0, N_COOKIE, sa->cookie, sa->cookie_len);
	ikb_sa(&b, sa->cfg.ike_props, NULL, 0);
	size_t pub_len;
	const uint8_t *pub = dh_public(sa->dh, &pub_len);
	ikb_ke(&b, sa->dh_group, pub, pub_len);
	ikb_simple(&b, PL_NONCE, sa->ni, sizeof(sa->ni));

	/* A source hash that cannot match makes the gateway believe we are behind a NAT, so it
	 * encapsulates ESP in UDP, which tern's datapath needs (RFC 7296 2.23 allows this). */
	uint8_t src[NATD_LEN], dst[NATD_LEN];
	int err = sa->cfg.rnd(sa->cfg.rnd_arg, src, sizeof(src));
	if (!err)
		err = natd_hash(sa->spi_i, 0, &sa->cfg.remote, dst);
	if (err)
		return err;
	ikb_notify(&b, 0, NULL, 0, N_NAT_DETECTION_SOURCE_IP, src, sizeof(src));
	ikb_notify(&b, 0, NULL, 0, N_NAT_DETECTION_DESTINATION_IP, dst, sizeof(dst));
	ikb_notify(&b, 0, NULL, 0, N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	uint16_t algs[8];
	uint8_t algs_wire[16];
	size_t n_algs = cert_sig_hash_algs(algs, 8);
	for (size_t i = 0; i < n_algs; i++)
		put_u16(algs_wire + 2 * i, algs[i]);
	ikb_notify(&b, 0, NULL, 0, N_SIGNATURE_HASH_ALGORITHMS, algs_wire, 2 * n_algs);

	int len = ikb_finish(&b);
	if (len < 0)
		return len;
	free(sa->init_req);
	sa->init_req = malloc((size_t)len);
	if (!sa->init_req)
		return -ENOMEM;
	memcpy(sa->init_req, buf, (size_t)len);
	sa->init_req_len = (size_t)len;
	return ike_send_plain_request(sa, now, buf, (size_t)len);
}

int ike_init_start(struct ike_sa *sa, uint64_t now)
{
	int err;
	uint16_t group = first_dh_group(sa->cfg.ike_props);
	if (!group)
		return -EINVAL;
	do {
		err = sa->cfg.rnd(sa->cfg.rnd_arg, (uint8_t *)&sa->spi_i, sizeof(sa->spi_i));
	} while (!err && sa->spi_i == 0);
	if (!err)
		err = sa->cfg.rnd(sa->cfg.rnd_arg, sa->ni, sizeof(sa->ni));
	if (!err)
		err = new_dh(sa, group);
	if (!err)
		err = send_init(sa, now);
	if (err)
		return err;
	ike_set_state(sa, IKE_S_INIT_SENT);
	char offered[200];
	ike_prop_list_text(sa->cfg.ike_props, offered, sizeof(offered));
	ike_log(sa, IKE_LOG_INFO, "IKE_SA_INIT: offering %s", offered);
	return 0;
}

static bool retry_with_cookie(struct ike_sa *sa, uint64_t now, const struct ike_msg *m)
{
	struct ike_notify n;
	if (!ike_msg_notify(m, N_COOKIE, &n))
		return false;
	if (sa->cookie_tries++ >= IKE_MAX_COOKIE_TRIES || n.data_len == 0 ||
	    n.data_len > sizeof(sa->cookie)) {
		ike_fail(sa, IKE_FAIL_OTHER, "gateway keeps asking for a cookie");
		return true;
	}
	memcpy(sa->cookie, n.data, n.data_len);
	sa->cookie_len = n.data_len;
	ike_progress(sa, "IKE_SA_INIT: gateway asked for a cookie, sending it back");
	if (send_init(sa, now))
		ike_fail(sa, IKE_FAIL_OTHER, "cannot build IKE_SA_INIT");
	return true;
}

static bool retry_with_group(struct ike_sa *sa, uint64_t now, const struct ike_msg *m)
{
	struct ike_notify n;
	if (!ike_msg_notify(m, N_INVALID_KE_PAYLOAD, &n))
		return false;
	uint16_t group = n.data_len >= 2 ? get_u16(n.data) : 0;
	if (sa->ke_tries++ >= IKE_MAX_KE_TRIES || group == sa->dh_group ||
	    !group_offered(sa->cfg.ike_props, group) || !dh_supported(group)) {
		ike_fail(sa, IKE_FAIL_NO_PROPOSAL,
			 "gateway asked for key exchange group %u, which was not offered", group);
		return true;
	}
	ike_progress(sa, "IKE_SA_INIT: gateway asked for key exchange group %u, retrying", group);
	if (new_dh(sa, group) || send_init(sa, now))
		ike_fail(sa, IKE_FAIL_OTHER, "cannot build IKE_SA_INIT");
	return true;
}

void ike_init_error(struct ike_sa *sa)
{
	char offered[160];
	if (sa->init_error == N_NO_PROPOSAL_CHOSEN) {
		ike_prop_list_text(sa->cfg.ike_props, offered, sizeof(offered));
		ike_fail(sa, IKE_FAIL_NO_PROPOSAL,
			 "gateway accepted none of the IKE proposals offered: %s", offered);
	} else {
		ike_fail(sa, IKE_FAIL_OTHER, "gateway answered IKE_SA_INIT with %s",
			 ike_notify_name(sa->init_error));
	}
}

static const struct ike_pl_rule init_rules[] = {
    {PL_SA, 1, 1},	{PL_KE, 1, 1},	     {PL_NONCE, 1, 1},
    {PL_NOTIFY, 0, 64}, {PL_CERTREQ, 0, 64}, {0, 0, 0},
};

/* Our address as the gateway saw it: a mismatch of its NAT_DETECTION_DESTINATION_IP. */
static int check_nat(struct ike_sa *sa, const struct ike_msg *m)
{
	uint8_t mine[NATD_LEN];
	bool any = false, match = false;
	if (natd_hash(sa->spi_i, sa->spi_r, &sa->cfg.local, mine))
		return -EINVAL;
	for (unsigned i = 0; i < m->n; i++) {
		struct ike_notify n;
		if (m->pl[i].type != PL_NOTIFY || ike_notify_parse(&m->pl[i], &n) ||
		    n.type != N_NAT_DETECTION_DESTINATION_IP)
			continue;
		any = true;
		match |= n.data_len == NATD_LEN && CRYPTO_memcmp(n.data, mine, NATD_LEN) == 0;
	}
	if (!any)
		return -ENOTSUP;
	sa->behind_nat = !match;
	return 0;
}

void ike_init_response(struct ike_sa *sa, uint64_t now, const struct ike_msg *m)
{
	if (sa->state != IKE_S_INIT_SENT)
		return;
	if (retry_with_cookie(sa, now, m) || retry_with_group(sa, now, m))
		return;
	char reason[200] = "the gateway chose an unusable IKE proposal";
	uint16_t error = ike_msg_error(m);
	if (error) {
		/* Anyone on the path can forge this unprotected answer (RFC 7296 2.21.1): give the
		 * real one a moment to arrive before failing with it. */
		sa->init_error = error;
		if (sa->req.next_ms > now + INIT_ERROR_GRACE_MS)
			sa->req.next_ms = now + INIT_ERROR_GRACE_MS;
		return;
	}
	if (ike_msg_unknown_critical(m) || ike_check_payloads(sa, m, init_rules) ||
	    m->hdr.spi_r == 0) {
		ike_log(sa, IKE_LOG_INFO, "dropped a malformed IKE_SA_INIT response");
		sa->stats.dropped++;
		return;
	}

	struct ike_chosen chosen;
	struct ike_ke ke;
	struct ike_algs algs;
	const struct ike_pl *nonce = ike_msg_find(m, PL_NONCE, NULL);
	if (ike_sa_parse_reply(ike_msg_find(m, PL_SA, NULL), &chosen) ||
	    ike_ke_parse(ike_msg_find(m, PL_KE, NULL), &ke) || nonce->len < MIN_NONCE_LEN ||
	    nonce->len > MAX_NONCE_LEN) {
		sa->stats.dropped++;
		return;
	}
	if (ike_prop_accept(sa->cfg.ike_props, &chosen, true, reason, sizeof(reason)) ||
	    ike_algs_from_prop(&chosen.prop, &algs)) {
		ike_fail(sa, IKE_FAIL_NO_PROPOSAL, "%s", reason);
		return;
	}
	if (ke.group != sa->dh_group || algs.dh != sa->dh_group) {
		ike_fail(sa, IKE_FAIL_OTHER, "gateway answered with key exchange group %u, not %u",
			 ke.group, sa->dh_group);
		return;
	}
	sa->spi_r = m->hdr.spi_r;
	int err = check_nat(sa, m);
	if (err) {
		ike_fail(sa, IKE_FAIL_OTHER,
			 "gateway does not support NAT traversal, which tern needs for UDP "
			 "encapsulation");
		return;
	}
	sa->frag_ok = ike_msg_notify(m, N_IKEV2_FRAGMENTATION_SUPPORTED, NULL);

	uint8_t gir[512];
	size_t gir_len = sizeof(gir);
	if (dh_shared(sa->dh, ke.data, ke.len, gir, &gir_len)) {
		ike_fail(sa, IKE_FAIL_OTHER, "gateway sent an invalid key exchange value");
		return;
	}
	memcpy(sa->nr, nonce->body, nonce->len);
	sa->nr_len = nonce->len;
	sa->init_resp = malloc(m->raw_len);
	if (!sa->init_resp) {
		ike_fail(sa, IKE_FAIL_OTHER, "out of memory");
		return;
	}
	memcpy(sa->init_resp, m->raw, m->raw_len);
	sa->init_resp_len = m->raw_len;
	err = ike_keys_derive(&sa->keys, &algs, sa->ni, sizeof(sa->ni), sa->nr, sa->nr_len, gir,
			      gir_len, sa->spi_i, sa->spi_r);
	OPENSSL_cleanse(gir, sizeof(gir));
	dh_free(sa->dh);
	sa->dh = NULL;
	if (err) {
		ike_fail(sa, IKE_FAIL_OTHER, "key derivation failed (%s)", strerror(-err));
		return;
	}
	sa->have_keys = true;
	prop_format(&chosen.prop, sa->algs_text, sizeof(sa->algs_text));
	ike_progress(sa, "IKE_SA_INIT done: %s%s%s", sa->algs_text,
		     sa->behind_nat ? ", behind a NAT" : "",
		     sa->frag_ok ? ", fragmentation on" : "");
	ike_request_done(sa);
	sa->nat_t = true; /* RFC 7296 2.23: move to port 4500 from IKE_AUTH on */
	sa->next_msg_id = 1;
	if (ike_auth_start(sa, now))
		ike_fail(sa, IKE_FAIL_OTHER, "cannot build the IKE_AUTH request");
}
