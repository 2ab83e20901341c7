/* libFuzzer target: a whole IKE initiator (client/ike/ike.h) fed gateway datagrams.
 *
 * Each input drives one struct ike_sa from ike_new + ike_connect (fixed rand hook, fixed clock)
 * through ike_receive / ike_tick / ike_disconnect. Random bytes alone would never pass the
 * SK payload's ICV, so the harness also plays the gateway's part where it needs keys: it reads
 * the client's IKE_SA_INIT request, answers with its own key exchange, derives the same IKE SA
 * keys with ike_keys_derive and seals whatever payloads the input gives (as SK, or as SKF
 * fragments). It signs the gateway's AUTH with certs/gw.key (trusted through certs/ca.pem)
 * and computes the final shared-key AUTH, so EAP, the configuration payload, the CHILD SA,
 * INFORMATIONAL requests and reassembly are all reachable.
 *
 * Input: one octet of options (bit 0: the CBC + HMAC suite instead of AES-GCM), then records
 * [kind (1)][length (2)][bytes]; kind & 7 selects:
 *   0 RAW    the bytes are a datagram as received; kind bit 3 writes the right SPIs into it
 *   1 TICK   advance the clock by bytes[0..1] * 10 ms (no bytes: to ike_deadline), ike_tick
 *   2 INIT   the gateway's IKE_SA_INIT response (SA, KE, Nr, NAT detection; kind bit 3 adds
 *            IKEV2_FRAGMENTATION_SUPPORTED), then the bytes as extra payloads (see EXTRA)
 *   3 SK     [exchange][flags][msg ID offset][fragments] then EXTRA, sealed: exchange & 3
 *            picks IKE_AUTH, INFORMATIONAL, CREATE_CHILD_SA, IKE_SA_INIT; flags bit 0: a
 *            response (ID = our last request's + offset), else a request (ID = the gateway's
 *            next + offset); flags bit 1: fragments delivered last first; fragments & 15 = 0:
 *            SK, else that many SKF fragments
 *   4 AUTH1  the first IKE_AUTH response: IDr, CERT, AUTH (signed), then EXTRA; kind bit 3
 *            leaves out CERT and AUTH (EAP-only)
 *   5 FINAL  the last IKE_AUTH response: AUTH (shared key from SK_pr), SA, TSi, TSr, then
 *            EXTRA; kind bit 3 adds a CP reply with an address and a DNS server
 *   6 CLOSE  ike_disconnect
 * EXTRA = [type of the first payload] then a payload chain, appended as they are.
 * After every call the datagrams and events the core hands out are read in full.
 * FUZZ_VERBOSE=1 in the environment prints the core's log (to check what a seed reaches). */
#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>

#include "client/ike/ike.h"
#include "client/ike/keys.h"
#include "client/ike/sk.h"
#include "crypto/cert.h"
#include "crypto/dh.h"
#include "crypto/prf.h"
#include "fuzz_util.h"

#ifndef FUZZ_CERT_DIR
#define FUZZ_CERT_DIR "tests/fuzz/certs"
#endif

enum {
	MAX_RECORDS = 48,
	GW_NONCE_LEN = 32,
	MAX_FRAGS = 15,
	DGRAM_MAX = 65535,
	AUTH_ALG_ID_LEN = 12,
};

static const uint64_t GW_SPI = 0x1122334455667788ull;
static const uint32_t GW_ADDR = 0xc0000201;	  /* 192.0.2.1 */
static const uint32_t CLIENT_ADDR = 0xc6336402;	  /* 198.51.100.2 */
static const int64_t FIXED_UNIX_NOW = 1893456000; /* 2030-01-01, inside the certificates' dates */
static const char server_id[] = "vpn.example.test";
static const char key_pad[] = "Key Pad for IKEv2"; /* RFC 7296 2.15 */
/* ecdsa-with-SHA256 AlgorithmIdentifier (RFC 7427 appendix A.4.3, RFC 5758) */
static const uint8_t ecdsa_sha256_alg[AUTH_ALG_ID_LEN] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
							  0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};

static struct cert_trust *trust;
static struct prop_list ike_props[2], esp_props;
static uint8_t gw_cert[4096];
static size_t gw_cert_len;
static EVP_PKEY *gw_key;
static bool verbose; /* FUZZ_VERBOSE=1: the core's log on stderr, to check seeds */

/* What the harness knows as the gateway, for one input. */
struct gw {
	struct ike_sa *sa;
	uint64_t now;
	const struct prop_list *props;
	uint64_t spi_i;
	uint16_t group; /* of the client's last KE */
	uint8_t ke[DH_MAX_PUBLIC_SIZE];
	size_t ke_len;
	uint8_t ni[256];
	size_t ni_len;
	uint32_t req_id;  /* the client's last request */
	uint32_t peer_id; /* the gateway's next request */
	bool have_keys;
	struct ike_keys keys; /* as derived; sealing uses a copy with the directions swapped */
	uint8_t nr[GW_NONCE_LEN];
	uint8_t *init_resp;
	size_t init_resp_len;
	uint8_t idr_body[4 + sizeof(server_id) - 1];
	struct fuzz_rand rnd;
	uint64_t iv;
};

static void load_file(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		abort();
	*len = fread(buf, 1, cap, f);
	if (*len == 0 || *len == cap)
		abort();
	fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char reason[256];
	(void)argc;
	(void)argv;
	if (cert_trust_load(&trust, FUZZ_CERT_DIR "/ca.pem", reason, sizeof(reason)) != 0 ||
	    prop_parse("aes256gcm16-prfsha256-x25519, aes128gcm16-prfsha256-ecp256", PROP_PROTO_IKE,
		       &ike_props[0], reason, sizeof(reason)) != 0 ||
	    prop_parse("aes256-sha256-prfsha256-x25519", PROP_PROTO_IKE, &ike_props[1], reason,
		       sizeof(reason)) != 0 ||
	    prop_parse("aes256gcm16, chacha20poly1305", PROP_PROTO_ESP, &esp_props, reason,
		       sizeof(reason)) != 0) {
		fprintf(stderr, "fuzz_ike_sa: %s\n", reason);
		abort();
	}
	load_file(FUZZ_CERT_DIR "/gw.der", gw_cert, sizeof(gw_cert), &gw_cert_len);
	FILE *f = fopen(FUZZ_CERT_DIR "/gw.key", "r");
	if (!f || !(gw_key = PEM_read_PrivateKey(f, NULL, NULL, NULL)))
		abort();
	fclose(f);
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	return 0;
}

static void log_line(void *arg, int level, const char *line)
{
	(void)arg;
	fuzz_touch(line, strlen(line));
	if (verbose)
		fprintf(stderr, "ike(%d): %s\n", level, line);
}

/* Learns from the client's own requests: message IDs, and KE and Ni of IKE_SA_INIT. */
static void observe(struct gw *g, const struct ike_datagram *d)
{
	struct ike_msg m;
	fuzz_touch(d->data, d->len);
	if (ike_msg_parse(d->data, d->len, &m) != 0)
		abort(); /* tern must send well-formed messages */
	if (m.hdr.flags & IKE_FLAG_RESPONSE)
		return;
	g->req_id = m.hdr.msg_id;
	if (m.hdr.exchange != IKE_SA_INIT)
		return;
	const struct ike_pl *ke = ike_msg_find(&m, PL_KE, NULL);
	const struct ike_pl *ni = ike_msg_find(&m, PL_NONCE, NULL);
	struct ike_ke k;
	if (!ke || !ni || ike_ke_parse(ke, &k) != 0 || k.len > sizeof(g->ke) ||
	    ni->len > sizeof(g->ni))
		abort();
	g->spi_i = m.hdr.spi_i;
	g->group = k.group;
	memcpy(g->ke, k.data, k.len);
	g->ke_len = k.len;
	memcpy(g->ni, ni->body, ni->len);
	g->ni_len = ni->len;
}

static void drain(struct gw *g)
{
	struct ike_datagram d;
	struct ike_event ev;
	struct ike_stats st;
	while (ike_next_datagram(g->sa, &d))
		observe(g, &d);
	while (ike_next_event(g->sa, &ev)) {
		if (!memchr(ev.text, 0, sizeof(ev.text)))
			abort();
		if (ev.type == IKE_EV_UP &&
		    (ev.child.key_len > sizeof(ev.child.key_in) ||
		     ev.child.ts_local.n > IKE_MAX_TS || ev.child.ts_remote.n > IKE_MAX_TS ||
		     ev.cfg.n_dns4 > IKE_MAX_DNS || ev.cfg.n_dns6 > IKE_MAX_DNS ||
		     ev.cfg.n_subnet4 > IKE_MAX_SUBNETS))
			abort();
	}
	(void)ike_deadline(g->sa);
	(void)ike_state_name(g->sa);
	(void)ike_algorithms(g->sa);
	ike_get_stats(g->sa, &st);
}

/* Appends EXTRA: [type of the first payload][chain]. Always the last thing appended. */
static void add_extra(struct ikb *b, const uint8_t *x, size_t len)
{
	if (len < 1 || b->w.err)
		return;
	if (b->np_off == SIZE_MAX)
		b->first = x[0];
	else
		b->w.buf[b->np_off] = x[0];
	b->np_off = SIZE_MAX - 1; /* nothing after it is patched */
	wr_bytes(&b->w, x + 1, len - 1);
}

/* Answers with the offered proposal whose DH group the client used (the first without one),
 * one transform of each type, under the offered proposal's number (RFC 7296 3.3.1). */
static void add_chosen_sa(struct ikb *b, const struct prop_list *l, uint16_t group,
			  const uint8_t *spi, uint8_t spi_size, struct prop *chosen)
{
	unsigned pick = 0;
	for (unsigned i = l->n; i-- > 0;)
		for (unsigned j = 0; j < l->p[i].n; j++)
			if (l->p[i].t[j].type == PROP_T_DH && l->p[i].t[j].id == group)
				pick = i;
	struct prop_list one = {.n = 1};
	one.p[0].protocol = l->p[pick].protocol;
	unsigned seen = 0;
	for (unsigned j = 0; j < l->p[pick].n; j++) {
		const struct prop_transform *t = &l->p[pick].t[j];
		if (seen & (1u << t->type))
			continue;
		seen |= 1u << t->type;
		one.p[0].t[one.p[0].n++] = *t;
	}
	size_t start = b->w.len;
	ikb_sa(b, &one, spi, spi_size);
	/* Proposal Num: after the payload header and Last, RESERVED, Proposal Length. */
	if (!b->w.err)
		b->w.buf[start + IKE_GENERIC_HDR_LEN + 4] = (uint8_t)(pick + 1);
	*chosen = one.p[0];
}

static void deliver(struct gw *g, const uint8_t *d, size_t len)
{
	ike_receive(g->sa, g->now, d, len);
	drain(g);
}

static void do_raw(struct gw *g, uint8_t kind, const uint8_t *x, size_t len)
{
	static uint8_t buf[DGRAM_MAX];
	memcpy(buf, x, len);
	if (kind & 8 && len >= 16) {
		put_u64(buf, g->spi_i);
		put_u64(buf + 8, g->have_keys ? GW_SPI : 0);
	}
	deliver(g, buf, len);
}

static void do_tick(struct gw *g, const uint8_t *x, size_t len)
{
	if (len >= 2)
		g->now += (uint64_t)get_u16(x) * 10;
	else if (ike_deadline(g->sa) != UINT64_MAX && ike_deadline(g->sa) > g->now)
		g->now = ike_deadline(g->sa);
	ike_tick(g->sa, g->now);
	drain(g);
}

/* NAT_DETECTION_*_IP data = SHA-1(SPIi | SPIr | IP | Port) (RFC 7296 2.23), by OpenSSL. */
static void natd(uint64_t spi_i, uint32_t ip, uint16_t port, uint8_t out[20])
{
	uint8_t in[16 + 4 + 2];
	unsigned n = 20;
	put_u64(in, spi_i);
	put_u64(in + 8, GW_SPI);
	put_u32(in + 16, ip);
	put_u16(in + 20, port);
	if (EVP_Digest(in, sizeof(in), out, &n, EVP_sha1(), NULL) != 1)
		abort();
}

static void derive_keys(struct gw *g, const struct prop *chosen, struct dh *dh)
{
	struct ike_algs algs;
	uint8_t gir[DH_MAX_PUBLIC_SIZE];
	size_t gir_len = sizeof(gir);
	if (ike_algs_from_prop(chosen, &algs) != 0 ||
	    dh_shared(dh, g->ke, g->ke_len, gir, &gir_len) != 0)
		return;
	if (g->have_keys)
		ike_keys_wipe(&g->keys);
	g->have_keys = ike_keys_derive(&g->keys, &algs, g->ni, g->ni_len, g->nr, sizeof(g->nr), gir,
				       gir_len, g->spi_i, GW_SPI) == 0;
}

static void do_init(struct gw *g, uint8_t kind, const uint8_t *x, size_t len)
{
	static uint8_t buf[DGRAM_MAX];
	struct ike_hdr h = {.spi_i = g->spi_i,
			    .spi_r = GW_SPI,
			    .version = IKE_VERSION_2,
			    .exchange = IKE_SA_INIT,
			    .flags = IKE_FLAG_RESPONSE};
	struct prop chosen;
	struct dh *dh = NULL;
	struct ikb b;
	uint8_t src[20], dst[20];
	size_t pub_len;

	if (!g->ke_len || dh_new(&dh, g->group, fuzz_rand_fill, &g->rnd) != 0)
		return;
	ikb_message(&b, buf, sizeof(buf), &h);
	add_chosen_sa(&b, g->props, g->group, NULL, 0, &chosen);
	const uint8_t *pub = dh_public(dh, &pub_len);
	ikb_ke(&b, g->group, pub, pub_len);
	ikb_simple(&b, PL_NONCE, g->nr, sizeof(g->nr));
	natd(g->spi_i, GW_ADDR, 500, src);
	natd(g->spi_i, CLIENT_ADDR, 500, dst);
	ikb_notify(&b, 0, NULL, 0, N_NAT_DETECTION_SOURCE_IP, src, sizeof(src));
	ikb_notify(&b, 0, NULL, 0, N_NAT_DETECTION_DESTINATION_IP, dst, sizeof(dst));
	if (kind & 8)
		ikb_notify(&b, 0, NULL, 0, N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	add_extra(&b, x, len);
	int n = ikb_finish(&b);
	if (n > 0) {
		free(g->init_resp);
		g->init_resp = malloc((size_t)n);
		if (!g->init_resp)
			abort();
		memcpy(g->init_resp, buf, (size_t)n);
		g->init_resp_len = (size_t)n;
		derive_keys(g, &chosen, dh);
		deliver(g, buf, (size_t)n);
	}
	dh_free(dh);
}

/* Seals an inner chain as the gateway (its outbound keys are the client's inbound ones). */
static void seal_and_deliver(struct gw *g, uint8_t exchange, uint8_t flags, uint32_t msg_id,
			     unsigned frags, struct ikb *inner)
{
	static uint8_t out[DGRAM_MAX];
	if (!g->have_keys || inner->w.err)
		return;
	struct ike_keys k = g->keys;
	memcpy(k.sk_ei, g->keys.sk_er, sizeof(k.sk_ei));
	memcpy(k.sk_ai, g->keys.sk_ar, sizeof(k.sk_ai));
	k.aead_i = g->keys.aead_r;
	struct ike_hdr h = {.spi_i = g->spi_i,
			    .spi_r = GW_SPI,
			    .version = IKE_VERSION_2,
			    .exchange = exchange,
			    .flags = flags & 1 ? IKE_FLAG_RESPONSE : 0,
			    .msg_id = msg_id};
	size_t total = frags ? frags : 1;
	size_t chunk = (inner->w.len + total - 1) / total;
	for (size_t i = 0; i < total; i++) {
		size_t f = flags & 2 ? total - 1 - i : i;
		size_t off = f * chunk < inner->w.len ? f * chunk : inner->w.len;
		size_t n = inner->w.len - off < chunk ? inner->w.len - off : chunk;
		int r = ike_sk_seal(&k, &h, inner->first, frags ? (uint16_t)(f + 1) : 0,
				    (uint16_t)frags, inner->w.buf + off, n, g->iv++, fuzz_rand_fill,
				    &g->rnd, out, sizeof(out));
		if (r > 0)
			deliver(g, out, (size_t)r);
	}
	memset(&k, 0, sizeof(k));
}

static void do_sk(struct gw *g, const uint8_t *x, size_t len)
{
	static const uint8_t exchanges[4] = {IKE_AUTH, INFORMATIONAL, CREATE_CHILD_SA, IKE_SA_INIT};
	static uint8_t buf[DGRAM_MAX];
	struct ikb b;
	if (len < 4)
		return;
	uint8_t flags = x[1];
	uint32_t id = (flags & 1 ? g->req_id : g->peer_id) + x[2];
	if (!(flags & 1) && x[2] == 0)
		g->peer_id++;
	ikb_chain(&b, buf, sizeof(buf));
	add_extra(&b, x + 4, len - 4);
	seal_and_deliver(g, exchanges[x[0] & 3], flags, id, x[3] & MAX_FRAGS, &b);
}

/* prf(SK_pr, IDr') appended to RealMessage2 | Ni: the octets the gateway's AUTH covers. */
static size_t signed_octets(struct gw *g, uint8_t *out, size_t cap)
{
	size_t n = g->init_resp_len + g->ni_len;
	if (!g->init_resp || n + PRF_MAX_SIZE > cap)
		return 0;
	memcpy(out, g->init_resp, g->init_resp_len);
	memcpy(out + g->init_resp_len, g->ni, g->ni_len);
	if (prf_compute(g->keys.alg.prf, g->keys.sk_pr, g->keys.prf_len, g->idr_body,
			sizeof(g->idr_body), out + n) != 0)
		return 0;
	return n + g->keys.prf_len;
}

static void do_auth1(struct gw *g, uint8_t kind, const uint8_t *x, size_t len)
{
	static uint8_t buf[DGRAM_MAX], octets[DGRAM_MAX];
	uint8_t auth[1 + AUTH_ALG_ID_LEN + 160];
	size_t sig_len = sizeof(auth) - 1 - AUTH_ALG_ID_LEN;
	struct ikb b;
	if (!g->have_keys)
		return;
	ikb_chain(&b, buf, sizeof(buf));
	ikb_id(&b, PL_IDR, ID_FQDN, server_id, sizeof(server_id) - 1);
	if (!(kind & 8)) {
		size_t n = signed_octets(g, octets, sizeof(octets));
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		if (!n || !md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, gw_key) != 1 ||
		    EVP_DigestSign(md, auth + 1 + AUTH_ALG_ID_LEN, &sig_len, octets, n) != 1)
			abort();
		EVP_MD_CTX_free(md);
		/* RFC 7427 3: AlgorithmIdentifier length, AlgorithmIdentifier, signature */
		auth[0] = AUTH_ALG_ID_LEN;
		memcpy(auth + 1, ecdsa_sha256_alg, AUTH_ALG_ID_LEN);
		size_t s = ikb_begin(&b, PL_CERT);
		wr_u8(&b.w, CERT_X509_SIGNATURE);
		wr_bytes(&b.w, gw_cert, gw_cert_len);
		ikb_end(&b, s);
		ikb_auth(&b, AUTH_DIGITAL_SIGNATURE, auth, 1 + AUTH_ALG_ID_LEN + sig_len);
	}
	add_extra(&b, x, len);
	seal_and_deliver(g, IKE_AUTH, 1, g->req_id, 0, &b);
}

static void do_final(struct gw *g, uint8_t kind, const uint8_t *x, size_t len)
{
	static uint8_t buf[DGRAM_MAX], octets[DGRAM_MAX];
	uint8_t pad_key[PRF_MAX_SIZE], auth[PRF_MAX_SIZE];
	struct ikb b;
	if (!g->have_keys)
		return;
	/* AUTH = prf(prf(SK_pr, "Key Pad for IKEv2"), <SignedOctets>): EAP without an MSK. */
	size_t n = signed_octets(g, octets, sizeof(octets));
	if (!n ||
	    prf_compute(g->keys.alg.prf, g->keys.sk_pr, g->keys.prf_len, (const uint8_t *)key_pad,
			sizeof(key_pad) - 1, pad_key) != 0 ||
	    prf_compute(g->keys.alg.prf, pad_key, g->keys.prf_len, octets, n, auth) != 0)
		abort();
	ikb_chain(&b, buf, sizeof(buf));
	ikb_auth(&b, AUTH_SHARED_KEY_MIC, auth, g->keys.prf_len);
	if (kind & 8) {
		static const uint8_t cp[] = {CFG_REPLY, 0, 0,	0, 0, CP_INTERNAL_IP4_ADDRESS, 0, 4,
					     203,	0, 113, 2, 0, CP_INTERNAL_IP4_DNS,     0, 4,
					     203,	0, 113, 53};
		ikb_simple(&b, PL_CP, cp, sizeof(cp));
	}
	struct prop chosen;
	static const uint8_t spi[4] = {0xc0, 0x01, 0xd0, 0x0d};
	add_chosen_sa(&b, &esp_props, 0, spi, sizeof(spi), &chosen);
	struct ike_ts_list ts = {.n = 1};
	ts.ts[0].type = TS_IPV4_ADDR_RANGE;
	ts.ts[0].end_port = 0xffff;
	memset(ts.ts[0].end, 0xff, 4);
	ikb_ts(&b, PL_TSI, &ts);
	ikb_ts(&b, PL_TSR, &ts);
	add_extra(&b, x, len);
	seal_and_deliver(g, IKE_AUTH, 1, g->req_id, 0, &b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	struct fuzz_rand client_rnd = {0x9e3779b97f4a7c15ull};
	struct gw g = {.now = 1000, .rnd = {0x2545f4914f6cdd1dull}};
	uint8_t opt;
	if (!fuzz_u8(&in, &opt))
		return 0;
	for (size_t i = 0; i < sizeof(g.nr); i++)
		g.nr[i] = (uint8_t)(0xa0 + i);
	g.idr_body[0] = ID_FQDN;
	memcpy(g.idr_body + 4, server_id, sizeof(server_id) - 1);
	g.props = &ike_props[opt & 1];

	struct ike_config cfg = {
	    .identity = "carol",
	    .password = "carol-password",
	    .server_id = server_id,
	    .ike_props = g.props,
	    .esp_props = &esp_props,
	    .trust = trust,
	    .unix_now = FIXED_UNIX_NOW,
	    .rnd = fuzz_rand_fill,
	    .rnd_arg = &client_rnd,
	    .log = log_line,
	};
	struct sockaddr_in *local = (struct sockaddr_in *)&cfg.local;
	struct sockaddr_in *remote = (struct sockaddr_in *)&cfg.remote;
	local->sin_family = remote->sin_family = AF_INET;
	local->sin_port = remote->sin_port = htons(500);
	local->sin_addr.s_addr = htonl(CLIENT_ADDR);
	remote->sin_addr.s_addr = htonl(GW_ADDR);

	if (ike_new(&g.sa, &cfg) != 0 || ike_connect(g.sa, g.now) != 0)
		abort();
	drain(&g);

	uint8_t kind;
	const uint8_t *x;
	size_t len;
	for (unsigned r = 0; r < MAX_RECORDS && fuzz_u8(&in, &kind) && fuzz_record(&in, &x, &len);
	     r++) {
		switch (kind & 7) {
		case 0:
			do_raw(&g, kind, x, len);
			break;
		case 1:
			do_tick(&g, x, len);
			break;
		case 2:
			do_init(&g, kind, x, len);
			break;
		case 3:
			do_sk(&g, x, len);
			break;
		case 4:
			do_auth1(&g, kind, x, len);
			break;
		case 5:
			do_final(&g, kind, x, len);
			break;
		case 6:
			ike_disconnect(g.sa, g.now);
			drain(&g);
			break;
		default:
			break;
		}
	}
	ike_free(g.sa);
	if (g.have_keys)
		ike_keys_wipe(&g.keys);
	free(g.init_resp);
	return 0;
}
