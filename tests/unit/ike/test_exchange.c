/*
 * The IKE initiator's state machine (client/ike/ike.c, init.c, auth.c, info.c) against the
 * in-memory responder of fake_gw.c on a fake clock, in the manner of quicly's lossy tests.
 *
 * Expected values come from the fake gateway, which derives its keys with ref_kdf.c (RFC 7296
 * 2.14, 2.17; independent of keys.c), signs with OpenSSL, checks EAP-MD5 with OpenSSL's MD5
 * (RFC 1994 4.1) and its AUTH with the formula of RFC 7296 2.15/2.16; the retransmission
 * schedule comes from RFC 7296 2.1 (exponential backoff) with the constants documented in
 * client/ike/sa.h (first retransmission after 500 ms, interval doubling up to 4 s, a Delete
 * waits 3 s). Certificates are made at run time with OpenSSL (fake_pki_*).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/eap/eap.h"
#include "client/ike/ike.h"
#include "client/ike/ikev2.h"
#include "crypto/cert.h"
#include "tests/unit/check.h"
#include "tests/unit/ike/fake_gw.h"
#include "tests/unit/ike/fake_pki.h"
#include "tests/unit/ike/ref_kdf.h"

enum { MAX_SENT = 64, MAX_EV = 64 };

static EVP_PKEY *ca_key, *gw_key, *other_ca_key, *other_key;
static X509 *ca, *gw_cert, *other_ca, *other_cert;

struct opts {
	const char *tern_ike, *tern_esp, *gw_ike, *gw_esp;
	const char *gw_password, *server_id;
	bool cookie, frag_reverse, nat, no_cert, wrong_key, other_ca;
	size_t frag_size, vendor_pad;
	unsigned timeout_ms, max_msg, dpd_ms;
};

struct world {
	struct ike_config cfg;
	struct prop_list ike_props, esp_props;
	struct ike_sa *sa;
	struct fake_gw *gw;
	struct cert_trust *trust;
	uint64_t now;
	uint32_t rnd;
	bool drop_all_to_gw;
	unsigned drop_to_gw;	 /* drop this many of tern's next datagrams */
	uint64_t drop_tern_mask; /* drop the gateway's datagrams with these indexes */
	unsigned gw_index;	 /* index of the gateway's next datagram */
	uint64_t sent_at[MAX_SENT];
	unsigned n_sent;
	uint8_t last_out[4096];
	size_t last_out_len;
	struct ike_event ev[MAX_EV];
	unsigned n_ev;
	unsigned up, failed, closed;
	struct ike_event up_ev, fail_ev;
	void (*inject)(struct world *w);
	unsigned injected;
};

static int t_rand(void *arg, uint8_t *buf, size_t len)
{
	uint32_t *s = arg;
	for (size_t i = 0; i < len; i++) {
		*s ^= *s << 13;
		*s ^= *s >> 17;
		*s ^= *s << 5;
		buf[i] = (uint8_t)*s;
	}
	return 0;
}

static void addr4(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	memset(ss, 0, sizeof(*ss));
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	inet_pton(AF_INET, ip, &in->sin_addr);
}

static int world_init(struct world *w, const struct opts *o)
{
	memset(w, 0, sizeof(*w));
	w->rnd = 0x2545f491u;
	char reason[128];
	if (prop_parse(o->tern_ike ? o->tern_ike : "aes256gcm16-prfsha256-x25519", PROP_PROTO_IKE,
		       &w->ike_props, reason, sizeof(reason)) ||
	    prop_parse(o->tern_esp ? o->tern_esp : "aes256gcm16-noesn", PROP_PROTO_ESP,
		       &w->esp_props, reason, sizeof(reason))) {
		fprintf(stderr, "bad proposal: %s\n", reason);
		return -1;
	}
	if (fake_pki_trust(ca, &w->trust))
		return -1;
	w->cfg = (struct ike_config){
	    .identity = "carol",
	    .password = "carol-password",
	    .server_id = o->server_id ? o->server_id : "vpn.example.test",
	    .ike_props = &w->ike_props,
	    .esp_props = &w->esp_props,
	    .trust = w->trust,
	    .timeout_ms = o->timeout_ms ? o->timeout_ms : 10000,
	    .max_msg = o->max_msg,
	    .dpd_ms = o->dpd_ms,
	    .unix_now = (int64_t)time(NULL),
	    .rnd = t_rand,
	    .rnd_arg = &w->rnd,
	};
	addr4(&w->cfg.local, "192.0.2.10", 500);
	addr4(&w->cfg.remote, "192.0.2.1", 500);
	struct fake_gw_config g = {
	    .ike_prop = o->gw_ike ? o->gw_ike : "aes256gcm16-prfsha256-x25519",
	    .esp_prop = o->gw_esp ? o->gw_esp : "aes256gcm16-noesn",
	    .password = o->gw_password ? o->gw_password : "carol-password",
	    .id = "vpn.example.test",
	    .key = o->wrong_key ? other_key : gw_key,
	    .want_cookie = o->cookie,
	    .frag_size = o->frag_size,
	    .frag_reverse = o->frag_reverse,
	    .vendor_pad = o->vendor_pad,
	};
	if (!o->no_cert)
		g.certs[0] = o->other_ca ? other_cert : gw_cert;
	g.initiator = w->cfg.local;
	if (o->nat)
		addr4(&g.initiator, "198.51.100.77", 4500);
	g.self = w->cfg.remote;
	if (fake_gw_new(&w->gw, &g) || ike_new(&w->sa, &w->cfg))
		return -1;
	return 0;
}

static void world_free(struct world *w)
{
	ike_free(w->sa);
	fake_gw_free(w->gw);
	cert_trust_free(w->trust);
}

static void drain_events(struct world *w)
{
	struct ike_event ev;
	while (ike_next_event(w->sa, &ev)) {
		if (w->n_ev < MAX_EV)
			w->ev[w->n_ev++] = ev;
		if (ev.type == IKE_EV_UP) {
			w->up++;
			w->up_ev = ev;
		} else if (ev.type == IKE_EV_FAILED) {
			w->failed++;
			w->fail_ev = ev;
		} else if (ev.type == IKE_EV_CLOSED) {
			w->closed++;
		}
	}
}

/* tern -> gateway */
static unsigned drain_tern(struct world *w)
{
	struct ike_datagram d;
	unsigned n = 0;
	while (ike_next_datagram(w->sa, &d)) {
		n++;
		if (w->n_sent < MAX_SENT)
			w->sent_at[w->n_sent++] = w->now;
		if (d.len <= sizeof(w->last_out)) {
			memcpy(w->last_out, d.data, d.len);
			w->last_out_len = d.len;
		}
		if (w->drop_all_to_gw)
			continue;
		if (w->drop_to_gw) {
			w->drop_to_gw--;
			continue;
		}
		fake_gw_receive(w->gw, d.data, d.len);
	}
	drain_events(w);
	return n;
}

/* Delivers datagrams both ways until nothing moves. */
static void pump(struct world *w)
{
	for (int i = 0; i < 1000; i++) {
		drain_tern(w);
		struct fake_gw_dgram g;
		if (!fake_gw_next(w->gw, &g))
			break;
		unsigned idx = w->gw_index++;
		if (idx < 64 && (w->drop_tern_mask & (1ull << idx))) {
			free(g.data);
			continue;
		}
		if (w->inject)
			w->inject(w);
		ike_receive(w->sa, w->now, g.data, g.len);
		free(g.data);
	}
	drain_tern(w);
}

/* Runs the fake clock from deadline to deadline until an IKE_EV_UP, _FAILED or _CLOSED event
 * arrives (or nothing is left to do). */
static void run(struct world *w)
{
	unsigned done = w->up + w->failed + w->closed;
	for (int i = 0; i < 500 && w->up + w->failed + w->closed == done; i++) {
		pump(w);
		if (w->up + w->failed + w->closed != done)
			break;
		uint64_t dl = ike_deadline(w->sa);
		if (dl == UINT64_MAX)
			break;
		if (dl > w->now)
			w->now = dl;
		ike_tick(w->sa, w->now);
	}
	pump(w);
}

static int connect_world(struct world *w, const struct opts *o)
{
	if (world_init(w, o))
		return -1;
	int err = ike_connect(w->sa, w->now);
	CHECK_EQ(err, 0);
	run(w);
	return err;
}

static bool bytes_eq(const void *a, const void *b, size_t n)
{
	return memcmp(a, b, n) == 0;
}

/* ---- scenarios ---- */

static void check_up(struct world *w, const char *what)
{
	CHECK_EQ(w->up, 1);
	CHECK_EQ(w->failed, 0);
	CHECK_EQ(w->gw->errors, 0);
	if (w->up != 1 || w->failed || w->gw->errors) {
		fprintf(stderr, "  %s: up %u failed %u (%s) gw errors %u (%s)\n", what, w->up,
			w->failed, w->fail_ev.text, w->gw->errors, w->gw->error);
		return;
	}
	CHECK(strcmp(ike_state_name(w->sa), "established") == 0);
	const struct ike_event *e = &w->up_ev;
	CHECK_EQ(e->child.spi_out, w->gw->gw_spi);
	CHECK_EQ(e->child.spi_in, w->gw->tern_spi);
	CHECK_EQ(e->child.key_len, w->gw->child_key_len);
	CHECK_MEM(e->child.key_out, w->gw->child_i2r, w->gw->child_key_len);
	CHECK_MEM(e->child.key_in, w->gw->child_r2i, w->gw->child_key_len);
	CHECK(e->cfg.has_ip4);
	CHECK_MEM(e->cfg.ip4, "\xcb\x00\x71\x07", 4);
	CHECK_EQ(e->cfg.n_dns4, 1);
	CHECK_MEM(e->cfg.dns4[0], "\xcb\x00\x71\x35", 4);
	CHECK_EQ(e->child.ts_local.n, 1);
	CHECK_MEM(e->child.ts_local.ts[0].start, "\xcb\x00\x71\x07", 4);
	CHECK_EQ(e->child.ts_remote.n, 1);
	CHECK_MEM(e->child.ts_remote.ts[0].end, "\xff\xff\xff\xff", 4);
	CHECK(e->mobike);
	CHECK_EQ(w->gw->auth_requests, 4); /* IDi, EAP-Identity, EAP-MD5, AUTH */
	CHECK(ike_algorithms(w->sa)[0] != 0);
}

static void test_connect_suites(void)
{
	static const struct {
		const char *tern_ike, *gw_ike, *esp;
	} cases[] = {
	    {"aes256gcm16-prfsha256-x25519", "aes256gcm16-prfsha256-x25519", "aes256gcm16-noesn"},
	    {"chacha20poly1305-prfsha512-ecp256", "chacha20poly1305-prfsha512-ecp256",
	     "chacha20poly1305-noesn"},
	    /* the gateway picks the second proposal: CBC + HMAC for the IKE SA */
	    {"aes256gcm16-prfsha256-modp2048, aes128-sha256-prfsha256-modp2048",
	     "aes128-sha256-prfsha256-modp2048", "aes128gcm16-noesn"},
	    {"aes256-sha512-prfsha512-ecp384", "aes256-sha512-prfsha512-ecp384",
	     "aes256gcm16-noesn"},
	    {"aes128gcm16-prfsha384-x25519", "aes128gcm16-prfsha384-x25519",
	     "aes128gcm16-aes256gcm16-noesn"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct world w;
		struct opts o = {.tern_ike = cases[i].tern_ike,
				 .gw_ike = cases[i].gw_ike,
				 .tern_esp = cases[i].esp,
				 .gw_esp = i == 4 ? "aes256gcm16-noesn" : cases[i].esp};
		if (connect_world(&w, &o) == 0) {
			check_up(&w, cases[i].tern_ike);
			CHECK(!w.up_ev.behind_nat);
		}
		world_free(&w);
	}
	/* the gateway sees another address: tern is behind a NAT (RFC 7296 2.23) */
	struct world w;
	struct opts o = {.nat = true};
	if (connect_world(&w, &o) == 0) {
		check_up(&w, "nat");
		CHECK(w.up_ev.behind_nat);
	}
	world_free(&w);
}

static void test_wrong_password(void)
{
	struct world w;
	struct opts o = {.gw_password = "not-carols-password"};
	if (connect_world(&w, &o) == 0) {
		CHECK_EQ(w.up, 0);
		CHECK_EQ(w.failed, 1);
		CHECK_EQ(w.fail_ev.fail, IKE_FAIL_AUTH);
		CHECK(w.fail_ev.text[0] != 0);
		CHECK(w.gw->got_delete); /* the half-made IKE SA is deleted */
		CHECK(strcmp(ike_state_name(w.sa), "failed") == 0);
		CHECK_EQ(ike_deadline(w.sa), UINT64_MAX);
	}
	world_free(&w);
}

static void test_cookie(void)
{
	struct world w;
	struct opts o = {.cookie = true};
	if (connect_world(&w, &o) == 0) {
		check_up(&w, "cookie");
		CHECK_EQ(w.gw->cookie_requests, 1);
		CHECK_EQ(w.gw->init_requests, 2);
		CHECK(w.gw->cookie_first); /* RFC 7296 2.6 */
	}
	world_free(&w);
}

static void test_invalid_ke(void)
{
	struct world w;
	struct opts o = {.tern_ike = "aes256gcm16-prfsha256-x25519-ecp256",
			 .gw_ike = "aes256gcm16-prfsha256-ecp256"};
	if (connect_world(&w, &o) == 0) {
		check_up(&w, "invalid_ke");
		CHECK_EQ(w.gw->invalid_ke_sent, 1);
		CHECK_EQ(w.gw->init_requests, 2);
		CHECK_EQ(w.gw->ke_groups[0], 31);
		CHECK_EQ(w.gw->ke_groups[1], 19);
	}
	world_free(&w);
}

static void test_no_proposal(void)
{
	struct world w;
	struct opts o = {.gw_ike = "aes128-sha512-prfsha512-ecp384"};
	if (connect_world(&w, &o) == 0) {
		CHECK_EQ(w.up, 0);
		CHECK_EQ(w.failed, 1);
		CHECK_EQ(w.fail_ev.fail, IKE_FAIL_NO_PROPOSAL);
		CHECK(strstr(w.fail_ev.text, "aes256gcm16") != NULL); /* names what was offered */
	}
	world_free(&w);
	/* no ESP proposal in common: the final IKE_AUTH response carries NO_PROPOSAL_CHOSEN */
	struct opts o2 = {.gw_esp = "chacha20poly1305-noesn"};
	if (connect_world(&w, &o2) == 0) {
		CHECK_EQ(w.up, 0);
		CHECK_EQ(w.failed, 1);
		CHECK_EQ(w.fail_ev.fail, IKE_FAIL_NO_PROPOSAL);
		CHECK(strstr(w.fail_ev.text, "ESP") != NULL);
		CHECK_EQ(w.gw->errors, 0);
	}
	world_free(&w);
}

static void expect_untrusted(const struct opts *o, const char *what)
{
	struct world w;
	if (connect_world(&w, o) == 0) {
		CHECK_EQ(w.up, 0);
		CHECK_EQ(w.failed, 1);
		CHECK_EQ(w.fail_ev.fail, IKE_FAIL_UNTRUSTED);
		if (w.fail_ev.fail != IKE_FAIL_UNTRUSTED)
			fprintf(stderr, "  %s: %s\n", what, w.fail_ev.text);
		CHECK(w.gw->auth_requests <= 1); /* no EAP answer to an untrusted gateway */
	}
	world_free(&w);
}

static void test_untrusted(void)
{
	struct opts o = {.other_ca = true};
	expect_untrusted(&o, "certificate of another CA");
	struct opts o2 = {.server_id = "other.example.test"};
	expect_untrusted(&o2, "server id mismatch");
	struct opts o3 = {.wrong_key = true};
	expect_untrusted(&o3, "AUTH signed with another key");
	struct opts o4 = {.no_cert = true};
	expect_untrusted(&o4, "no certificate");
}

/* Every datagram to the gateway lost: retransmissions at 0.5, 1.5, 3.5, 7.5 s (RFC 7296 2.1:
 * doubling from 500 ms, capped at 4 s) and IKE_FAIL_UNREACHABLE at the 10 s timeout. */
static void test_loss_unreachable(void)
{
	struct world w;
	struct opts o = {.timeout_ms = 10000};
	if (world_init(&w, &o) == 0) {
		w.drop_all_to_gw = true;
		CHECK_EQ(ike_connect(w.sa, 0), 0);
		uint64_t want[MAX_SENT];
		unsigned n = 0;
		want[n++] = 0;
		for (uint64_t t = 0, step = 500;
		     t + step<10000; step = step * 2> 4000 ? 4000 : step * 2) {
			t += step;
			want[n++] = t;
		}
		/* the deadline tern reports is the next retransmission each time */
		drain_tern(&w);
		for (unsigned i = 1; i < n; i++) {
			CHECK_EQ(ike_deadline(w.sa), want[i]);
			w.now = ike_deadline(w.sa);
			ike_tick(w.sa, w.now);
			drain_tern(&w);
		}
		CHECK_EQ(ike_deadline(w.sa), 10000);
		w.now = 10000;
		ike_tick(w.sa, w.now);
		drain_tern(&w);
		CHECK_EQ(w.n_sent, n);
		for (unsigned i = 0; i < n && i < w.n_sent; i++)
			CHECK_EQ(w.sent_at[i], want[i]);
		CHECK_EQ(w.failed, 1);
		CHECK_EQ(w.fail_ev.fail, IKE_FAIL_UNREACHABLE);
		struct ike_stats st;
		ike_get_stats(w.sa, &st);
		CHECK_EQ(st.retransmits, n - 1);
		CHECK_EQ(ike_deadline(w.sa), UINT64_MAX);
		/* nothing happens after the failure */
		ike_tick(w.sa, 20000);
		CHECK_EQ(drain_tern(&w), 0);
	}
	world_free(&w);
}

static void test_loss_recovered(void)
{
	/* the first two IKE_SA_INIT requests lost */
	struct world w;
	struct opts o = {0};
	if (world_init(&w, &o) == 0) {
		w.drop_to_gw = 2;
		CHECK_EQ(ike_connect(w.sa, 0), 0);
		run(&w);
		check_up(&w, "loss of 2 requests");
		CHECK(w.n_sent >= 3);
		CHECK_EQ(w.sent_at[1], 500);
		CHECK_EQ(w.sent_at[2], 1500);
		struct ike_stats st;
		ike_get_stats(w.sa, &st);
		CHECK_EQ(st.retransmits, 2);
	}
	world_free(&w);
	/* lost responses: IKE_SA_INIT's, then the first IKE_AUTH's; the gateway answers the
	 * retransmitted request with its cached response */
	for (unsigned idx = 0; idx < 4; idx++) {
		if (world_init(&w, &o) == 0) {
			w.drop_tern_mask = 1ull << idx;
			CHECK_EQ(ike_connect(w.sa, 0), 0);
			run(&w);
			check_up(&w, "lost response");
			struct ike_stats st;
			ike_get_stats(w.sa, &st);
			CHECK_EQ(st.retransmits, 1);
		}
		world_free(&w);
	}
}

static void test_fragments(void)
{
	for (int rev = 0; rev < 2; rev++) {
		struct world w;
		struct opts o = {.frag_size = 500, .vendor_pad = 1500, .frag_reverse = rev};
		if (connect_world(&w, &o) == 0) {
			check_up(&w, rev ? "fragments in reverse" : "fragments");
			CHECK(w.gw->fragments_sent >= 4);
		}
		world_free(&w);
	}
	/* one fragment lost: the retransmitted request brings them all again */
	struct world w;
	struct opts o = {.frag_size = 500, .vendor_pad = 1500};
	if (world_init(&w, &o) == 0) {
		w.drop_tern_mask = 1ull << 2; /* second fragment of the first IKE_AUTH response */
		CHECK_EQ(ike_connect(w.sa, 0), 0);
		run(&w);
		check_up(&w, "fragment lost");
	}
	world_free(&w);
}

/* tern's own IKE_AUTH requests above max_msg go out as SKF fragments (RFC 7383 2.5), each
 * datagram at most max_msg octets, and the gateway reassembles them. */
static void test_request_fragments(void)
{
	struct world w;
	struct opts o = {.max_msg = 200};
	if (connect_world(&w, &o) == 0) {
		check_up(&w, "tern fragments");
		CHECK(w.gw->fragments_received >= 2);
		for (unsigned i = 1; i < w.n_sent; i++)
			CHECK(i == 0 || w.sent_at[i] >= w.sent_at[i - 1]);
	}
	world_free(&w);
}

/* Established, with the fake gateway ready to send requests. */
static int established(struct world *w)
{
	struct opts o = {0};
	if (connect_world(w, &o))
		return -1;
	check_up(w, "established");
	return w->up == 1 ? 0 : -1;
}

static int gw_send(struct world *w, uint8_t exchange, struct ikb *inner, long msg_id, uint8_t *dg,
		   size_t cap)
{
	int n = fake_gw_request(w->gw, exchange, inner, msg_id, dg, cap);
	CHECK(n > 0);
	if (n > 0)
		ike_receive(w->sa, w->now, dg, (size_t)n);
	return n;
}

static void test_liveness(void)
{
	struct world w;
	if (established(&w) == 0) {
		uint8_t buf[64], dg[256], first[512];
		struct ikb b;
		ikb_chain(&b, buf, sizeof(buf));
		struct ike_stats before, after;
		ike_get_stats(w.sa, &before);
		int n = gw_send(&w, INFORMATIONAL, &b, -1, dg, sizeof(dg));
		CHECK_EQ(drain_tern(&w), 1);
		CHECK_EQ(w.gw->responses, 1);
		CHECK_EQ(w.gw->last_resp.hdr.msg_id, 0);
		CHECK_EQ(w.gw->last_resp.hdr.exchange, INFORMATIONAL);
		CHECK_EQ(w.gw->last_resp.hdr.flags, IKE_FLAG_INITIATOR | IKE_FLAG_RESPONSE);
		CHECK_EQ(w.gw->last_resp.n, 1); /* the SK payload alone: an empty answer */
		size_t first_len = w.last_out_len;
		memcpy(first, w.last_out, first_len);
		/* the same request again: the cached answer, octet for octet (RFC 7296 2.1) */
		if (n > 0)
			ike_receive(w.sa, w.now, dg, (size_t)n);
		CHECK_EQ(drain_tern(&w), 1);
		CHECK_EQ(w.last_out_len, first_len);
		CHECK(bytes_eq(w.last_out, first, first_len));
		ike_get_stats(w.sa, &after);
		CHECK_EQ(after.dropped, before.dropped);
		CHECK_EQ(after.rx, before.rx + 2);
		CHECK(strcmp(ike_state_name(w.sa), "established") == 0);
		CHECK_EQ(w.closed + w.failed, 0);
	}
	world_free(&w);
}

static void test_gateway_delete(void)
{
	struct world w;
	if (established(&w) == 0) {
		uint8_t buf[64], dg[256];
		struct ikb b;
		ikb_chain(&b, buf, sizeof(buf));
		ikb_delete(&b, PROTO_IKE, NULL, 0, 0);
		gw_send(&w, INFORMATIONAL, &b, -1, dg, sizeof(dg));
		drain_tern(&w);
		CHECK_EQ(w.closed, 1);
		CHECK_EQ(w.failed, 0);
		CHECK_EQ(w.gw->responses, 1);
		CHECK(strcmp(ike_state_name(w.sa), "closed") == 0);
		CHECK_EQ(ike_deadline(w.sa), UINT64_MAX);
	}
	world_free(&w);
	/* a Delete of the CHILD SA: answered with our inbound SPI of the pair (RFC 7296 1.4.1) */
	if (established(&w) == 0) {
		uint8_t buf[64], dg[256], spi[4];
		struct ikb b;
		ikb_chain(&b, buf, sizeof(buf));
		put_u32(spi, w.gw->gw_spi);
		ikb_delete(&b, PROTO_ESP, spi, 4, 1);
		gw_send(&w, INFORMATIONAL, &b, -1, dg, sizeof(dg));
		drain_tern(&w);
		CHECK_EQ(w.gw->responses, 1);
		const struct ike_pl *pl = ike_msg_find(&w.gw->last_resp, PL_DELETE, NULL);
		struct ike_delete d;
		CHECK(pl != NULL);
		if (pl) {
			CHECK_EQ(ike_delete_parse(pl, &d), 0);
			CHECK_EQ(d.protocol, PROTO_ESP);
			CHECK_EQ(d.n_spis, 1);
			if (d.n_spis == 1)
				CHECK_EQ(get_u32(d.spis), w.gw->tern_spi);
		}
		CHECK_EQ(w.closed, 1);
	}
	world_free(&w);
}

static void test_disconnect(void)
{
	struct world w;
	if (established(&w) == 0) {
		ike_disconnect(w.sa, w.now);
		run(&w);
		CHECK(w.gw->got_delete);
		CHECK_EQ(w.closed, 1);
		CHECK_EQ(w.failed, 0);
		CHECK(strcmp(ike_state_name(w.sa), "closed") == 0);
	}
	world_free(&w);
	/* the gateway does not answer: closed when the Delete times out (3 s) */
	if (established(&w) == 0) {
		uint64_t t0 = w.now;
		w.drop_all_to_gw = true;
		ike_disconnect(w.sa, w.now);
		run(&w);
		CHECK_EQ(w.closed, 1);
		CHECK_EQ(w.now - t0, 3000);
	}
	world_free(&w);
}

/* Liveness: with no sign of life for dpd_ms, tern sends an empty INFORMATIONAL request
 * (RFC 7296 1.4); a gateway that answers keeps the SA, one that does not is declared
 * unreachable once the request times out. */
static void test_dpd(void)
{
	struct world w;
	struct opts o = {.dpd_ms = 20000, .timeout_ms = 10000};
	if (connect_world(&w, &o) == 0 && w.up == 1) {
		uint64_t t_up = w.now;
		CHECK_EQ(ike_deadline(w.sa), t_up + 20000);
		w.now = ike_deadline(w.sa);
		ike_tick(w.sa, w.now);
		unsigned before = w.gw->auth_requests, n_sent = w.n_sent;
		pump(&w);
		CHECK_EQ(w.n_sent, n_sent + 1);
		CHECK_EQ(w.gw->auth_requests, before);
		CHECK_EQ(w.gw->errors, 0);
		CHECK_EQ(w.failed + w.closed, 0);
		CHECK_EQ(ike_deadline(w.sa), w.now + 20000);
		/* now the gateway is gone */
		w.drop_all_to_gw = true;
		uint64_t t0 = ike_deadline(w.sa);
		run(&w);
		CHECK_EQ(w.failed, 1);
		CHECK_EQ(w.fail_ev.fail, IKE_FAIL_UNREACHABLE);
		CHECK_EQ(w.now, t0 + 10000);
	}
	world_free(&w);
}

static void test_unknown_critical(void)
{
	struct world w;
	if (established(&w) == 0) {
		uint8_t buf[64], dg[256];
		struct ikb b;
		ikb_chain(&b, buf, sizeof(buf));
		size_t s = ikb_begin(&b, 200);
		wr_bytes(&b.w, "xyz", 3);
		ikb_end(&b, s);
		buf[s + 1] = 0x80; /* critical */
		gw_send(&w, INFORMATIONAL, &b, -1, dg, sizeof(dg));
		CHECK_EQ(drain_tern(&w), 1);
		CHECK_EQ(w.gw->responses, 1);
		struct ike_notify n;
		CHECK(ike_msg_notify(&w.gw->last_resp, N_UNSUPPORTED_CRITICAL_PAYLOAD, &n));
		/* RFC 7296 3.10.1: the data is the one-octet payload type */
		CHECK_EQ(n.data_len, 1);
		if (n.data_len == 1)
			CHECK_EQ(n.data[0], 200);
		CHECK(strcmp(ike_state_name(w.sa), "established") == 0);
		/* the same payload without the critical bit is ignored (RFC 7296 2.5) */
		ikb_chain(&b, buf, sizeof(buf));
		s = ikb_begin(&b, 200);
		wr_bytes(&b.w, "xyz", 3);
		ikb_end(&b, s);
		gw_send(&w, INFORMATIONAL, &b, -1, dg, sizeof(dg));
		CHECK_EQ(drain_tern(&w), 1);
		CHECK_EQ(w.gw->responses, 2);
		CHECK(!ike_msg_notify(&w.gw->last_resp, N_UNSUPPORTED_CRITICAL_PAYLOAD, NULL));
		CHECK_EQ(w.closed + w.failed, 0);
	}
	world_free(&w);
}

/* The gateway rekeys the CHILD SA (RFC 7296 1.3.3): it is the initiator of that exchange, so
 * KEYMAT = prf+(SK_d, Ni | Nr) with its nonce first, and the first half is its outbound key,
 * tern's inbound one (2.17). Expected keys from ref_kdf.c with the gateway's SK_d. */
static void test_child_rekey(void)
{
	struct world w;
	if (established(&w) == 0) {
		uint8_t buf[1024], dg[2048], spi[4], ni[32];
		struct ikb b;
		struct prop_list esp;
		char reason[64];
		CHECK_EQ(
		    prop_parse("aes256gcm16-noesn", PROP_PROTO_ESP, &esp, reason, sizeof(reason)),
		    0);
		for (int i = 0; i < 32; i++)
			ni[i] = (uint8_t)(0x90 + i);
		ikb_chain(&b, buf, sizeof(buf));
		put_u32(spi, w.gw->gw_spi);
		ikb_notify(&b, PROTO_ESP, spi, 4, N_REKEY_SA, NULL, 0);
		put_u32(spi, 0xc0de0002);
		ikb_sa(&b, &esp, spi, 4);
		ikb_simple(&b, PL_NONCE, ni, sizeof(ni));
		struct ike_ts_list all = {.n = 1}, mine = {.n = 1};
		all.ts[0] =
		    (struct ike_ts){TS_IPV4_ADDR_RANGE, 0, 0, 0xffff, {0}, {255, 255, 255, 255}};
		mine.ts[0] = (struct ike_ts){TS_IPV4_ADDR_RANGE, 0, 0, 0xffff, {203, 0, 113, 7},
					     {203, 0, 113, 7}};
		ikb_ts(&b, PL_TSI, &all);
		ikb_ts(&b, PL_TSR, &mine);
		unsigned evs = w.n_ev;
		gw_send(&w, CREATE_CHILD_SA, &b, -1, dg, sizeof(dg));
		CHECK_EQ(drain_tern(&w), 1);
		CHECK_EQ(w.gw->responses, 1);
		const struct ike_msg *r = &w.gw->last_resp;
		struct ike_chosen c;
		const struct ike_pl *sa = ike_msg_find(r, PL_SA, NULL);
		const struct ike_pl *nr = ike_msg_find(r, PL_NONCE, NULL);
		CHECK(sa && nr && !ike_msg_find(r, PL_NOTIFY, NULL));
		CHECK(w.n_ev == evs + 1 && w.ev[evs].type == IKE_EV_REKEYED);
		if (sa && nr && w.n_ev == evs + 1) {
			CHECK_EQ(ike_sa_parse_reply(sa, &c), 0);
			const struct ike_event *e = &w.ev[evs];
			CHECK_EQ(e->child.spi_in, get_u32(c.spi));
			CHECK_EQ(e->child.spi_out, 0xc0de0002);
			CHECK_EQ(e->old_spi_in, w.up_ev.child.spi_in);
			uint8_t seed[300], km[72];
			memcpy(seed, ni, 32);
			memcpy(seed + 32, nr->body, nr->len);
			CHECK_EQ(ref_prf_plus(w.gw->k.alg.prf, w.gw->sk_d, w.gw->prf_len, seed,
					      32 + nr->len, km, 72),
				 0);
			CHECK_EQ(e->child.key_len, 36);
			CHECK_MEM(e->child.key_in, km, 36);
			CHECK_MEM(e->child.key_out, km + 36, 36);
		}
		CHECK(strcmp(ike_state_name(w.sa), "established") == 0);
	}
	world_free(&w);
}

static void test_wrong_msg_id(void)
{
	struct world w;
	if (established(&w) == 0) {
		uint8_t buf[64], dg[256];
		struct ikb b;
		ikb_chain(&b, buf, sizeof(buf));
		struct ike_stats before, after;
		ike_get_stats(w.sa, &before);
		gw_send(&w, INFORMATIONAL, &b, 5, dg, sizeof(dg));
		CHECK_EQ(drain_tern(&w), 0);
		ike_get_stats(w.sa, &after);
		CHECK_EQ(after.dropped, before.dropped + 1);
		CHECK(strcmp(ike_state_name(w.sa), "established") == 0);
		/* and the right one still works afterwards */
		gw_send(&w, INFORMATIONAL, &b, 0, dg, sizeof(dg));
		CHECK_EQ(drain_tern(&w), 1);
	}
	world_free(&w);
}

/* ---- garbage in every state ---- */

static size_t garbage(struct world *w, unsigned i, uint8_t *out)
{
	uint64_t spi_i = w->gw->spi_i, spi_r = w->gw->spi_r;
	uint32_t r = 0x9e3779b9u * (i + 1);
	struct ike_hdr h = {.spi_i = spi_i,
			    .spi_r = spi_r,
			    .version = IKE_VERSION_2,
			    .exchange = IKE_AUTH,
			    .flags = IKE_FLAG_RESPONSE};
	size_t n;
	switch (i) {
	case 0: /* a few random octets */
		n = 10;
		t_rand(&r, out, n);
		return n;
	case 1: /* a header's worth of random octets */
		n = 28;
		t_rand(&r, out, n);
		return n;
	case 2:
		n = 300;
		t_rand(&r, out, n);
		return n;
	case 3: /* someone else's IKE SA */
		h.spi_i ^= 0xff;
		break;
	case 4: /* claims to come from an initiator */
		h.flags = IKE_FLAG_INITIATOR | IKE_FLAG_RESPONSE;
		break;
	case 5: /* IKEv1 */
		h.version = 0x10;
		break;
	case 6: /* a request of the gateway with garbage in SK */
		h.flags = 0;
		h.exchange = INFORMATIONAL;
		h.msg_id = w->gw->next_msg_id;
		break;
	case 7: /* an IKE_SA_INIT response with a payload running past the end */
		h.exchange = IKE_SA_INIT;
		h.spi_r = 0x1234;
		h.next = PL_SA;
		h.length = 40;
		ike_hdr_write(out, &h);
		memset(out + 28, 0, 12);
		put_u16(out + 30, 200);
		return 40;
	default: /* a response to every Message ID 0..3 with a forged SK */
		h.msg_id = i - 8;
		break;
	}
	/* HDR | SK { IV | random | ICV } */
	n = 28 + 4 + 8 + 32 + 16;
	h.next = PL_SK;
	h.length = (uint32_t)n;
	ike_hdr_write(out, &h);
	out[28] = PL_NOTIFY;
	out[29] = 0;
	put_u16(out + 30, (uint16_t)(n - 28));
	t_rand(&r, out + 32, n - 32);
	return n;
}

enum { N_GARBAGE = 12 };

static void inject_garbage(struct world *w)
{
	char state[64];
	drain_tern(w); /* what tern had to send before */
	snprintf(state, sizeof(state), "%s", ike_state_name(w->sa));
	struct ike_stats before, after;
	ike_get_stats(w->sa, &before);
	unsigned evs = w->n_ev;
	unsigned out = 0;
	for (unsigned i = 0; i < N_GARBAGE; i++) {
		uint8_t g[512];
		size_t n = garbage(w, i, g);
		ike_receive(w->sa, w->now, g, n);
		unsigned o = drain_tern(w);
		if (o)
			fprintf(stderr, "  garbage %u in state %s was answered\n", i, state);
		out += o;
	}
	ike_get_stats(w->sa, &after);
	CHECK_EQ(after.dropped - before.dropped, N_GARBAGE);
	CHECK_EQ(after.rx - before.rx, N_GARBAGE);
	CHECK_EQ(out, 0);
	CHECK_EQ(w->n_ev, evs);
	CHECK(strcmp(state, ike_state_name(w->sa)) == 0);
	if (after.dropped - before.dropped != N_GARBAGE || strcmp(state, ike_state_name(w->sa)))
		fprintf(stderr, "  garbage in state %s: dropped %llu, now %s\n", state,
			(unsigned long long)(after.dropped - before.dropped),
			ike_state_name(w->sa));
	w->injected++;
}

static void test_garbage(void)
{
	struct world w;
	struct opts o = {0};
	if (world_init(&w, &o) == 0) {
		w.inject = inject_garbage; /* before each datagram of the gateway */
		CHECK_EQ(ike_connect(w.sa, 0), 0);
		run(&w);
		check_up(&w, "garbage");
		CHECK(w.injected >= 5); /* IKE_SA_INIT sent, IKE_AUTH sent, EAP x2, AUTH sent */
		inject_garbage(&w);	/* established */
		w.drop_all_to_gw = true;
		ike_disconnect(w.sa, w.now);
		inject_garbage(&w); /* deleting */
		w.inject = NULL;
		run(&w);
		CHECK_EQ(w.closed, 1);
		inject_garbage(&w); /* closed */
	}
	world_free(&w);
}

/* A forged, unprotected NO_PROPOSAL_CHOSEN answer to IKE_SA_INIT (RFC 7296 2.21.1: anyone on
 * the path can send one) arrives just before the gateway's real answer: tern must connect. */
static void inject_forged_no_proposal(struct world *w)
{
	drain_tern(w);
	if (w->injected++ || w->last_out_len < 28)
		return;
	uint8_t m[36] = {0};
	memcpy(m, w->last_out, 8); /* IKE SA initiator's SPI, from tern's IKE_SA_INIT */
	m[16] = 41;		   /* N */
	m[17] = 0x20;		   /* version 2.0 */
	m[18] = 34;		   /* IKE_SA_INIT */
	m[19] = 0x20;		   /* response */
	m[27] = 36;		   /* length */
	m[30] = 0;
	m[31] = 8;  /* payload length */
	m[35] = 14; /* NO_PROPOSAL_CHOSEN */
	ike_receive(w->sa, w->now, m, sizeof(m));
}

static void test_forged_init_error(void)
{
	struct world w;
	struct opts o = {0};
	if (world_init(&w, &o) == 0) {
		w.inject = inject_forged_no_proposal;
		CHECK_EQ(ike_connect(w.sa, 0), 0);
		run(&w);
		CHECK(w.injected >= 1);
		check_up(&w, "forged NO_PROPOSAL_CHOSEN before the real answer");
	}
	world_free(&w);
}

/* AES-CBC-192 is offered by client/proposal.c ("aes192", RFC 3602) and implemented by
 * crypto/cbc.h: a gateway that picks it must be accepted. Run last: today this reaches an
 * uninitialised reason string in init.c. */
static void test_offered_aes192(void)
{
	struct world w;
	struct opts o = {.tern_ike = "aes192-sha256-prfsha256-modp2048",
			 .gw_ike = "aes192-sha256-prfsha256-modp2048"};
	if (connect_world(&w, &o) == 0) {
		check_up(&w, "aes192");
		if (w.failed)
			CHECK(strlen(w.fail_ev.text) > 0);
	}
	world_free(&w);
}

static int make_pki(void)
{
	ca_key = fake_pki_key();
	gw_key = fake_pki_key();
	other_ca_key = fake_pki_key();
	other_key = fake_pki_key();
	if (!ca_key || !gw_key || !other_ca_key || !other_key)
		return -1;
	ca = fake_pki_cert("tern test CA", ca_key, NULL, NULL, NULL, true);
	gw_cert = fake_pki_cert("vpn.example.test", gw_key, ca, ca_key, "vpn.example.test", false);
	other_ca = fake_pki_cert("another CA", other_ca_key, NULL, NULL, NULL, true);
	other_cert = fake_pki_cert("vpn.example.test", gw_key, other_ca, other_ca_key,
				   "vpn.example.test", false);
	return ca && gw_cert && other_ca && other_cert ? 0 : -1;
}

static void free_pki(void)
{
	X509_free(ca);
	X509_free(gw_cert);
	X509_free(other_ca);
	X509_free(other_cert);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(gw_key);
	EVP_PKEY_free(other_ca_key);
	EVP_PKEY_free(other_key);
}

int main(void)
{
	CHECK_EQ(make_pki(), 0);
	if (check_failures)
		return check_done("ike_exchange");
	test_connect_suites();
	test_wrong_password();
	test_cookie();
	test_invalid_ke();
	test_no_proposal();
	test_forged_init_error();
	test_untrusted();
	test_loss_unreachable();
	test_loss_recovered();
	test_fragments();
	test_liveness();
	test_gateway_delete();
	test_disconnect();
	test_unknown_critical();
	test_wrong_msg_id();
	test_child_rekey();
	test_request_fragments();
	test_dpd();
	test_garbage();
	test_offered_aes192();
	free_pki();
	return check_done("ike_exchange");
}
