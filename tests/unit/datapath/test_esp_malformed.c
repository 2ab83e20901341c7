/* Malformed and unwanted ESP packets, each dropped with the right counter; and the outbound
 * refusals (no SA covers the packet, sequence numbers exhausted).
 *
 * Packets are sealed by the test's own EVP reference (tu_ref_seal, RFC 4303 layout), so a
 * packet can carry a valid ICV over a broken trailer or inner header. Verdicts follow
 * RFC 4303 sections 2.4-2.6 and 3.4 and the selector rules in datapath/ts.h. */
#include "../check.h"
#include "dp_testutil.h"

enum { SPI = 0x0badcafe };

static uint8_t keymat[20];

struct craft {
	const char *name;
	uint32_t spi;
	uint32_t seq;
	const char *src, *dst; /* inner IPv4 addresses; NULL src: IPv6 inner packet */
	int next_header;       /* -1: the right one */
	int pad_len;	       /* -1: the right one */
	bool bad_pad_bytes;
	int ip_len_delta; /* added to the inner IPv4 total length */
	size_t tfc;	  /* bytes after the inner packet (RFC 4303 section 2.7) */
	int cut_to;	  /* > 0: keep only this many bytes of the ESP packet */
	int flip;	  /* > 0: flip byte at this offset; < 0: from the end */
	enum esp_drop want;
};

static size_t build(const struct craft *c, uint8_t *out, size_t *inner_len)
{
	uint8_t pt[256];
	size_t len, pos, pad;

	if (c->src != NULL)
		len = tu_ipv4_udp(pt, c->src, c->dst, 5000, 53, 20, (uint8_t)c->seq);
	else
		len = tu_ipv6_udp(pt, "2001:db8::1", "2001:db8::2", 5000, 53, 20, 0);
	*inner_len = len;
	if (c->src != NULL)
		tu_be16(pt + 2, (uint16_t)(len + c->ip_len_delta));
	memset(pt + len, 0xee, c->tfc);
	pos = len + c->tfc;
	pad = (4 - (pos + 2) % 4) % 4;
	for (size_t i = 0; i < pad; i++)
		pt[pos + i] = (uint8_t)(c->bad_pad_bytes ? 9 : i + 1);
	pt[pos + pad] = (uint8_t)(c->pad_len >= 0 ? c->pad_len : (int)pad);
	pt[pos + pad + 1] = (uint8_t)(c->next_header >= 0 ? c->next_header
				      : c->src != NULL	  ? 4
							  : 41);
	len = tu_ref_seal(AEAD_AES_GCM_16, keymat, sizeof(keymat), c->spi, c->seq, false, c->seq,
			  pt, pos + pad + 2, out);
	if (c->flip > 0)
		out[c->flip] ^= 0x01;
	if (c->flip < 0)
		out[(int)len + c->flip] ^= 0x01;
	if (c->cut_to > 0)
		len = (size_t)c->cut_to;
	return len;
}

/* Both sides' selectors: we are 203.0.113.2, the gateway's side is 192.0.2.0/24. */
static void narrow_params(struct esp_sa_params *p)
{
	struct in_addr me;

	tu_params(p, SPI, AEAD_AES_GCM_16, keymat, sizeof(keymat), false);
	inet_pton(AF_INET, "203.0.113.2", &me);
	esp_ts_host(&p->ts[0], ESP_TS_LOCAL, AF_INET, &me);
	esp_ts_any(&p->ts[1], ESP_TS_REMOTE, AF_INET);
	inet_pton(AF_INET, "192.0.2.0", p->ts[1].addr_lo);
	inet_pton(AF_INET, "192.0.2.255", p->ts[1].addr_hi);
	p->n_ts = 2;
}

#define GW "192.0.2.10"
#define ME "203.0.113.2"

static const struct craft rows[] = {
    {"valid", SPI, 1, GW, ME, -1, -1, false, 0, 0, 0, 0, ESP_DROP_NONE},
    {"truncated header", SPI, 2, GW, ME, -1, -1, false, 0, 0, 6, 0, ESP_DROP_MALFORMED},
    {"header only", SPI, 3, GW, ME, -1, -1, false, 0, 0, 8, 0, ESP_DROP_MALFORMED},
    {"shorter than IV + trailer + ICV", SPI, 4, GW, ME, -1, -1, false, 0, 0, 33, 0,
     ESP_DROP_MALFORMED},
    {"unknown SPI", 0xdeadbeef, 5, GW, ME, -1, -1, false, 0, 0, 0, 0, ESP_DROP_UNKNOWN_SPI},
    {"ICV byte flipped", SPI, 6, GW, ME, -1, -1, false, 0, 0, 0, -1, ESP_DROP_ICV},
    {"ciphertext byte flipped", SPI, 7, GW, ME, -1, -1, false, 0, 0, 0, 20, ESP_DROP_ICV},
    {"IV byte flipped", SPI, 8, GW, ME, -1, -1, false, 0, 0, 0, 12, ESP_DROP_ICV},
    {"forged high sequence number", SPI, 1000000, GW, ME, -1, -1, false, 0, 0, 0, -3, ESP_DROP_ICV},
    {"old but in window after the forgery", SPI, 30, GW, ME, -1, -1, false, 0, 0, 0, 0,
     ESP_DROP_NONE},
    {"bad padding bytes", SPI, 9, GW, ME, -1, -1, true, 0, 0, 0, 0, ESP_DROP_MALFORMED},
    {"pad length beyond the payload", SPI, 10, GW, ME, -1, 250, false, 0, 0, 0, 0,
     ESP_DROP_MALFORMED},
    {"next header 17", SPI, 11, GW, ME, 17, -1, false, 0, 0, 0, 0, ESP_DROP_MALFORMED},
    {"next header 41 on IPv4", SPI, 12, GW, ME, 41, -1, false, 0, 0, 0, 0, ESP_DROP_MALFORMED},
    {"dummy packet (next header 59)", SPI, 13, GW, ME, 59, -1, false, 0, 0, 0, 0, ESP_DROP_DUMMY},
    {"inner length beyond the payload", SPI, 14, GW, ME, -1, -1, false, 4, 0, 0, 0,
     ESP_DROP_MALFORMED},
    {"inner length shorter than its header", SPI, 15, GW, ME, -1, -1, false, -40, 0, 0, 0,
     ESP_DROP_MALFORMED},
    {"TFC padding after the inner packet", SPI, 16, GW, ME, -1, -1, false, 0, 7, 0, 0,
     ESP_DROP_NONE},
    {"inner source outside the selectors", SPI, 17, "198.51.100.7", ME, -1, -1, false, 0, 0, 0, 0,
     ESP_DROP_TS},
    {"inner destination outside the selectors", SPI, 18, GW, "203.0.113.99", -1, -1, false, 0, 0, 0,
     0, ESP_DROP_TS},
    {"IPv6 inner, no IPv6 selectors", SPI, 19, NULL, NULL, -1, -1, false, 0, 0, 0, 0, ESP_DROP_TS},
    {"replayed", SPI, 1, GW, ME, -1, -1, false, 0, 0, 0, 0, ESP_DROP_REPLAY},
};

/* Each row alone, in order: verdict and counter. */
static void test_rows_one_by_one(void)
{
	struct esp_sa_params prm;
	struct esp_sa *in;
	struct esp_stats st = {0};

	narrow_params(&prm);
	CHECK_EQ(esp_sa_new(&in, &prm, true), 0);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct craft *c = &rows[i];
		uint8_t esp[512];
		size_t inner_len, len = build(c, esp, &inner_len);
		uint64_t before = atomic_load(&st.drops[c->want]);
		struct tu_buf b;
		struct pkt *p = tu_pkt(&b, esp, len);
		unsigned passed = esp_decap_burst(&in, 1, &p, 1, &st);

		CHECK_EQ(p->drop, c->want);
		if (p->drop != c->want)
			fprintf(stderr, "  row \"%s\": got \"%s\"\n", c->name,
				esp_drop_name(p->drop));
		CHECK_EQ(passed, c->want == ESP_DROP_NONE);
		if (c->want != ESP_DROP_NONE)
			CHECK_EQ(atomic_load(&st.drops[c->want]), before + 1);
		if (c->want == ESP_DROP_NONE)
			CHECK_EQ(p->len, inner_len);
	}
	/* valid, old but in window, TFC padding. */
	CHECK_EQ(atomic_load(&st.packets), 3);
	esp_sa_free(in);
}

/* Everything in one burst, through the "previous SA" slot: the same verdicts; the replayed
 * row now meets its original in the same burst, and only the first of the two may pass. */
static void test_rows_in_one_burst(void)
{
	enum { N = sizeof(rows) / sizeof(rows[0]) };
	static struct tu_buf bufs[N];
	struct pkt *pkts[N];
	struct esp_sa_params prm;
	struct esp_sa *sas[2] = {NULL, NULL};
	struct esp_stats st = {0};
	unsigned want[ESP_DROP_COUNT] = {0};

	narrow_params(&prm);
	CHECK_EQ(esp_sa_new(&sas[1], &prm, true), 0); /* as the "previous" SA */
	for (size_t i = 0; i < N; i++) {
		uint8_t esp[512];
		size_t inner_len, len = build(&rows[i], esp, &inner_len);
		pkts[i] = tu_pkt(&bufs[i], esp, len);
		want[rows[i].want]++;
	}
	CHECK_EQ(esp_decap_burst(sas, 2, pkts, N, &st), want[ESP_DROP_NONE]);
	for (size_t i = 0; i < N; i++)
		CHECK_EQ(pkts[i]->drop, rows[i].want);
	for (unsigned d = 1; d < ESP_DROP_COUNT; d++)
		CHECK_EQ(atomic_load(&st.drops[d]), want[d]);
	esp_sa_free(sas[1]);
}

/* A packet older than the window after a real (authentic) jump. */
static void test_too_old(void)
{
	struct craft c = rows[0];
	struct esp_sa_params prm;
	struct esp_sa *in;
	uint8_t esp[512];
	size_t inner_len, len;
	struct tu_buf b;
	struct pkt *p;

	narrow_params(&prm);
	CHECK_EQ(esp_sa_new(&in, &prm, true), 0);
	c.seq = 10000;
	len = build(&c, esp, &inner_len);
	p = tu_pkt(&b, esp, len);
	CHECK_EQ(esp_decap_burst(&in, 1, &p, 1, NULL), 1);
	c.seq = 10000 - 4096;
	len = build(&c, esp, &inner_len);
	p = tu_pkt(&b, esp, len);
	CHECK_EQ(esp_decap_burst(&in, 1, &p, 1, NULL), 0);
	CHECK_EQ(p->drop, ESP_DROP_REPLAY);
	esp_sa_free(in);
}

static void test_outbound_selectors(void)
{
	static const struct {
		const char *src, *dst;
		enum esp_drop want;
	} cases[] = {
	    {ME, "192.0.2.1", ESP_DROP_NONE},
	    {ME, "192.0.2.255", ESP_DROP_NONE},
	    {ME, "198.51.100.1", ESP_DROP_NO_SA},	  /* destination not the gateway's side */
	    {"203.0.113.3", "192.0.2.1", ESP_DROP_NO_SA}, /* source not ours */
	};
	enum { N = sizeof(cases) / sizeof(cases[0]) + 1 };
	struct tu_buf bufs[N];
	struct pkt *pkts[N];
	struct esp_sa_params prm;
	struct esp_sa *out;
	struct esp_stats st = {0};
	uint8_t inner[128], junk[40] = {0x50}; /* IP version 5 */

	narrow_params(&prm);
	CHECK_EQ(esp_sa_new(&out, &prm, false), 0);
	for (size_t i = 0; i < N - 1; i++) {
		size_t len = tu_ipv4_udp(inner, cases[i].src, cases[i].dst, 1, 2, 10, 0);
		pkts[i] = tu_pkt(&bufs[i], inner, len);
	}
	pkts[N - 1] = tu_pkt(&bufs[N - 1], junk, sizeof(junk));
	CHECK_EQ(esp_encap_burst(out, pkts, N, &st), 2);
	for (size_t i = 0; i < N - 1; i++)
		CHECK_EQ(pkts[i]->drop, cases[i].want);
	CHECK_EQ(pkts[N - 1]->drop, ESP_DROP_MALFORMED);
	CHECK_EQ(atomic_load(&st.drops[ESP_DROP_NO_SA]), 2);
	CHECK_EQ(atomic_load(&st.drops[ESP_DROP_MALFORMED]), 1);
	/* Refused packets used no sequence numbers. */
	CHECK_EQ(esp_sa_seq_out(out), 2);

	/* No SA at all: nothing goes out in the clear. */
	{
		size_t len = tu_ipv4_udp(inner, ME, "192.0.2.1", 1, 2, 10, 0);
		struct pkt *p = tu_pkt(&bufs[0], inner, len);
		CHECK_EQ(esp_encap_burst(NULL, &p, 1, &st), 0);
		CHECK_EQ(p->drop, ESP_DROP_NO_SA);
		CHECK_EQ(atomic_load(&st.drops[ESP_DROP_NO_SA]), 3);
	}
	esp_sa_free(out);
}

/* RFC 4303 section 3.3.3: without ESN the counter must not cycle past 2^32 - 1. */
static void test_exhaustion(bool esn)
{
	struct tu_buf bufs[3];
	struct pkt *pkts[3];
	struct esp_sa_params prm;
	struct esp_sa *out;
	struct esp_stats st = {0};
	uint8_t inner[128];
	size_t len = tu_ipv4_udp(inner, ME, "192.0.2.1", 1, 2, 10, 0);

	narrow_params(&prm);
	prm.esn = esn;
	CHECK_EQ(esp_sa_new(&out, &prm, false), 0);
	esp_sa_skip_seq_out(out, 0xfffffffe);
	for (int i = 0; i < 3; i++)
		pkts[i] = tu_pkt(&bufs[i], inner, len);
	if (!esn) {
		CHECK_EQ(esp_encap_burst(out, pkts, 3, &st), 1);
		CHECK_EQ(pkts[0]->drop, ESP_DROP_NONE);
		CHECK_MEM(pkts[0]->data + 4, "\xff\xff\xff\xff", 4);
		CHECK_EQ(pkts[1]->drop, ESP_DROP_SEQ);
		CHECK_EQ(pkts[2]->drop, ESP_DROP_SEQ);
		CHECK(esp_sa_rekey_needed(out));
		pkts[0] = tu_pkt(&bufs[0], inner, len);
		CHECK_EQ(esp_encap_burst(out, pkts, 1, &st), 0);
		CHECK_EQ(pkts[0]->drop, ESP_DROP_SEQ);
		CHECK_EQ(atomic_load(&st.drops[ESP_DROP_SEQ]), 3);
		CHECK_EQ(esp_sa_seq_out(out), 0xffffffffu);
	} else {
		/* ESN: 0xffffffff, then 0x1_00000000 (low half 0 on the wire), 0x1_00000001. */
		CHECK_EQ(esp_encap_burst(out, pkts, 3, &st), 3);
		CHECK_MEM(pkts[0]->data + 4, "\xff\xff\xff\xff", 4);
		CHECK_MEM(pkts[1]->data + 4, "\x00\x00\x00\x00", 4);
		CHECK_MEM(pkts[2]->data + 4, "\x00\x00\x00\x01", 4);
		CHECK(!esp_sa_rekey_needed(out));
		CHECK_EQ(esp_sa_seq_out(out), 0x100000001ull);
	}
	esp_sa_free(out);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(keymat); i++)
		keymat[i] = (uint8_t)(0xa0 ^ i);
	test_rows_one_by_one();
	test_rows_in_one_burst();
	test_too_old();
	test_outbound_selectors();
	test_exhaustion(false);
	test_exhaustion(true);
	return check_done("test_esp_malformed");
}
