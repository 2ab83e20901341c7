/* ESP encapsulation and decapsulation against published and independently computed packets.
 *
 * 1. RFC 7634 Appendix A (ChaCha20-Poly1305 ESP example): the exact ESP packet from its
 *    KEYMAT, SPI, sequence number, IV and source IP datagram, and back.
 * 2. AES-GCM (RFC 4106) and ChaCha20-Poly1305 with and without ESN: each packet compared byte
 *    for byte with one built in this test straight on OpenSSL EVP from the RFC 4303 layout
 *    (tu_ref_seal), for every padding length, then decrypted back. */
#include "../check.h"
#include "dp_testutil.h"

#include "datapath/esp_internal.h"

/* RFC 7634 Appendix A. */
static const char rfc7634_keymat[] = "808182838485868788898a8b8c8d8e8f"
				     "909192939495969798999a9b9c9d9e9f"
				     "a0a1a2a3";
static const char rfc7634_source[] = "45000054a6f200004001e778c6336405"
				     "c000020508005b7a3a080000553bec10"
				     "0007362708090a0b0c0d0e0f10111213"
				     "1415161718191a1b1c1d1e1f20212223"
				     "2425262728292a2b2c2d2e2f30313233"
				     "34353637";
static const char rfc7634_esp[] = "01020304000000051011121314151617"
				  "24039428b97f417e3c13753a4f05087b"
				  "67c352e6a7fab1b982d466ef407ae5c6"
				  "14ee8099d52844eb61aa95dfab4c02f7"
				  "2aa71e7c4c4f64c9befe2facc638e8f3"
				  "cbec163fac469b502773f6fb94e664da"
				  "9165b82829f641e0"
				  "76aaa8266b7fb0f7b11b369907e1ad43";

static void test_rfc7634(void)
{
	uint8_t keymat[36], source[128], esp[256];
	size_t kl = check_unhex(rfc7634_keymat, keymat, sizeof(keymat));
	size_t sl = check_unhex(rfc7634_source, source, sizeof(source));
	size_t el = check_unhex(rfc7634_esp, esp, sizeof(esp));
	struct esp_sa_params prm;
	struct esp_sa *out, *in;
	struct esp_stats st = {0};
	struct tu_buf b;
	struct pkt *p;

	tu_params(&prm, 0x01020304, AEAD_CHACHA20_POLY1305, keymat, kl, false);
	CHECK_EQ(esp_sa_new(&out, &prm, false), 0);
	CHECK_EQ(esp_sa_new(&in, &prm, true), 0);

	/* Sequence number 5 and IV 0x1011121314151617, as in the example. */
	esp_sa_skip_seq_out(out, 4);
	esp_sa_set_iv_base(out, 0x1011121314151617ull - 5);
	p = tu_pkt(&b, source, sl);
	CHECK_EQ(esp_encap_burst(out, &p, 1, &st), 1);
	CHECK_EQ(p->drop, ESP_DROP_NONE);
	CHECK_EQ(p->len, el);
	CHECK_MEM(p->data, esp, el);
	CHECK_EQ(atomic_load(&st.packets), 1);
	CHECK_EQ(atomic_load(&st.bytes), sl);

	p = tu_pkt(&b, esp, el);
	CHECK_EQ(esp_decap_burst(&in, 1, &p, 1, &st), 1);
	CHECK_EQ(p->drop, ESP_DROP_NONE);
	CHECK_EQ(p->len, sl);
	CHECK_MEM(p->data, source, sl);

	/* The same packet again is a replay. */
	p = tu_pkt(&b, esp, el);
	CHECK_EQ(esp_decap_burst(&in, 1, &p, 1, &st), 0);
	CHECK_EQ(p->drop, ESP_DROP_REPLAY);
	esp_sa_free(out);
	esp_sa_free(in);
}

struct ref_case {
	const char *name;
	enum aead_alg alg;
	size_t keymat_len;
	bool esn;
	uint64_t first_seq; /* sequence number of the first packet */
};

/* Encapsulates a burst of 8 packets (inner lengths 60..67: every padding length twice, IPv4
 * and IPv6) and compares each with the EVP reference; then decapsulates them. */
static void test_reference(const struct ref_case *c)
{
	enum { N = 8 };
	uint8_t keymat[36], inner[N][128], ref[256];
	size_t inner_len[N];
	struct tu_buf bufs[N];
	struct pkt *pkts[N];
	struct esp_sa_params prm;
	struct esp_sa *out, *in;
	const uint32_t spi = 0xc0ffee01;

	for (size_t i = 0; i < c->keymat_len; i++)
		keymat[i] = (uint8_t)(0x40 + 7 * i);
	tu_params(&prm, spi, c->alg, keymat, c->keymat_len, c->esn);
	CHECK_EQ(esp_sa_new(&out, &prm, false), 0);
	CHECK_EQ(esp_sa_new(&in, &prm, true), 0);
	esp_sa_skip_seq_out(out, c->first_seq - 1);
	/* The receiver has already seen traffic up to just before first_seq (white box: the
	 * window is where ESN's high half is inferred from). */
	in->replay.top = c->first_seq - 1;

	for (int i = 0; i < N; i++) {
		if (i % 2 == 0)
			inner_len[i] = tu_ipv4_udp(inner[i], "203.0.113.7", "192.0.2.9", 4000, 53,
						   32 + (size_t)i, (uint8_t)i);
		else
			inner_len[i] = tu_ipv6_udp(inner[i], "2001:db8::7", "2001:db8:1::9", 4000,
						   53, 12 + (size_t)i, (uint8_t)i);
		pkts[i] = tu_pkt(&bufs[i], inner[i], inner_len[i]);
	}
	CHECK_EQ(esp_encap_burst(out, pkts, N, NULL), N);
	for (int i = 0; i < N; i++) {
		uint8_t pt[160];
		size_t pt_len, ref_len;
		memcpy(pt, inner[i], inner_len[i]);
		pt_len = tu_trailer(pt, inner_len[i], i % 2 == 0 ? 4 : 41);
		ref_len = tu_ref_seal(c->alg, keymat, c->keymat_len, spi, c->first_seq + i, c->esn,
				      c->first_seq + i, pt, pt_len, ref);
		CHECK(ref_len != 0);
		CHECK_EQ(pkts[i]->len, ref_len);
		CHECK_MEM(pkts[i]->data, ref, ref_len);
		if (pkts[i]->len != ref_len || memcmp(pkts[i]->data, ref, ref_len) != 0)
			fprintf(stderr, "  case %s, packet %d\n", c->name, i);
	}
	CHECK_EQ(esp_decap_burst(&in, 1, pkts, N, NULL), N);
	for (int i = 0; i < N; i++) {
		CHECK_EQ(pkts[i]->drop, ESP_DROP_NONE);
		CHECK_EQ(pkts[i]->len, inner_len[i]);
		CHECK_MEM(pkts[i]->data, inner[i], inner_len[i]);
	}
	esp_sa_free(out);
	esp_sa_free(in);
}

int main(void)
{
	static const struct ref_case cases[] = {
	    {"aes128gcm", AEAD_AES_GCM_16, 20, false, 1},
	    {"aes256gcm", AEAD_AES_GCM_16, 36, false, 0x12345678},
	    {"aes192gcm-esn", AEAD_AES_GCM_16, 28, true, 0x1fffffffcull},
	    {"aes256gcm-esn", AEAD_AES_GCM_16, 36, true, 0x0000000700000001ull},
	    {"chacha20poly1305", AEAD_CHACHA20_POLY1305, 36, false, 77},
	    {"chacha20poly1305-esn", AEAD_CHACHA20_POLY1305, 36, true, 0x2fffffffeull},
	};

	test_rfc7634();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		test_reference(&cases[i]);
	return check_done("test_esp_vectors");
}
