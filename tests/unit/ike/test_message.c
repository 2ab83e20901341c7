/*
 * The IKEv2 message codec (client/ike/message.c).
 *
 * Expected octets are assembled by hand from the diagrams of RFC 7296 section 3 (header 3.1,
 * generic payload header 3.2, SA/proposal/transform/attribute 3.3-3.3.5, KE 3.4, ID 3.5,
 * CERT 3.6, CERTREQ 3.7, AUTH 3.8, Nonce 3.9, Notify 3.10, Delete 3.11, Vendor ID 3.12,
 * TS 3.13, CP 3.15, EAP 3.16) with the IANA numbers next to each field. The malformed table
 * holds inputs that each must be refused; the mutation sweep at the end runs every parser on
 * every truncation and many one-octet changes of a valid message in exact-size heap buffers,
 * so that AddressSanitizer sees any read past the end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client/ike/ikev2.h"
#include "client/ike/message.h"
#include "tests/unit/check.h"

/* IKE_SA_INIT request, RFC 7296 1.2 "HDR, SAi1, KEi, Ni" plus N(IKEV2_FRAGMENTATION_SUPPORTED):
 * SA with two proposals (3.3.1), the first AES-GCM-16/256 (ENCR 20 with Key Length attribute
 * 14 = 256, TV format 0x800e), PRF_HMAC_SHA2_256 (5), Curve25519 (31); the second AES-CBC/128
 * (ENCR 12, 0x800e 0x0080), PRF 5, AUTH_HMAC_SHA2_256_128 (12), MODP-2048 (14). */
static const char init_hex[] =
    /* HDR: SPIi, SPIr, Next=SA(33) Ver=2.0 Exch=IKE_SA_INIT(34) Flags=I, MsgID 0, Length 180 */
    "0102030405060708 0000000000000000 21 20 22 08 00000000 000000b4"
    /* SA: Next=KE(34), Length 84 */
    "22 00 0054"
    /* Proposal 1 (more follow: 2), Length 36, #1, IKE, SPI size 0, 3 transforms */
    "02 00 0024 01 01 00 03"
    "03 00 000c 01 00 0014 800e 0100"
    "03 00 0008 02 00 0005"
    "00 00 0008 04 00 001f"
    /* Proposal 2 (last: 0), Length 44, #2, IKE, SPI size 0, 4 transforms */
    "00 00 002c 02 01 00 04"
    "03 00 000c 01 00 000c 800e 0080"
    "03 00 0008 02 00 0005"
    "03 00 0008 03 00 000c"
    "00 00 0008 04 00 000e"
    /* KE: Next=Nonce(40), Length 40, DH group 31, RESERVED, 32 octets */
    "28 00 0028 001f 0000"
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    /* Nonce: Next=Notify(41), Length 20 */
    "29 00 0014 a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
    /* Notify: Next=none, Length 8, Protocol 0, SPI size 0, type 16430 */
    "00 00 0008 00 00 402e";

static struct prop_list init_props(void)
{
	struct prop_list l = {.n = 2};
	l.p[0] =
	    (struct prop){.protocol = PROTO_IKE,
			  .t = {{TT_ENCR, ENCR_AES_GCM_16, 256}, {TT_PRF, 5, 0}, {TT_DH, 31, 0}},
			  .n = 3};
	l.p[1] = (struct prop){
	    .protocol = PROTO_IKE,
	    .t = {{TT_ENCR, ENCR_AES_CBC, 128}, {TT_PRF, 5, 0}, {TT_INTEG, 12, 0}, {TT_DH, 14, 0}},
	    .n = 4};
	return l;
}

static void test_build_init(void)
{
	uint8_t want[512], got[512], ke[32], nonce[16];
	size_t wlen = check_unhex(init_hex, want, sizeof(want));
	CHECK_EQ(wlen, 180);
	for (int i = 0; i < 32; i++)
		ke[i] = (uint8_t)i;
	for (int i = 0; i < 16; i++)
		nonce[i] = (uint8_t)(0xa0 + i);
	struct ike_hdr h = {.spi_i = 0x0102030405060708ULL,
			    .version = IKE_VERSION_2,
			    .exchange = IKE_SA_INIT,
			    .flags = IKE_FLAG_INITIATOR};
	struct ikb b;
	struct prop_list props = init_props();
	ikb_message(&b, got, sizeof(got), &h);
	ikb_sa(&b, &props, NULL, 0);
	ikb_ke(&b, 31, ke, sizeof(ke));
	ikb_simple(&b, PL_NONCE, nonce, sizeof(nonce));
	ikb_notify(&b, 0, NULL, 0, N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	int n = ikb_finish(&b);
	CHECK_EQ(n, (int)wlen);
	if (n == (int)wlen)
		CHECK_MEM(got, want, wlen);

	/* and back */
	struct ike_msg m;
	CHECK_EQ(ike_msg_parse(want, wlen, &m), 0);
	CHECK(m.hdr.spi_i == 0x0102030405060708ULL);
	CHECK(m.hdr.spi_r == 0);
	CHECK_EQ(m.hdr.next, PL_SA);
	CHECK_EQ(m.hdr.version, 0x20);
	CHECK_EQ(m.hdr.exchange, IKE_SA_INIT);
	CHECK_EQ(m.hdr.flags, IKE_FLAG_INITIATOR);
	CHECK_EQ(m.hdr.msg_id, 0);
	CHECK_EQ(m.hdr.length, 180);
	CHECK_EQ(m.n, 4);
	CHECK_EQ(m.sk_index, -1);
	static const uint8_t types[] = {PL_SA, PL_KE, PL_NONCE, PL_NOTIFY};
	static const size_t lens[] = {80, 36, 16, 4};
	for (unsigned i = 0; i < 4 && i < m.n; i++) {
		CHECK_EQ(m.pl[i].type, types[i]);
		CHECK_EQ(m.pl[i].len, lens[i]);
		CHECK(!m.pl[i].critical);
	}
	CHECK(m.raw == want && m.raw_len == wlen);
	CHECK(ike_msg_notify(&m, N_IKEV2_FRAGMENTATION_SUPPORTED, NULL));
	CHECK(!ike_msg_notify(&m, N_COOKIE, NULL));
	CHECK_EQ(ike_msg_error(&m), 0);
	CHECK(ike_msg_find(&m, PL_KE, NULL) == &m.pl[1]);
	CHECK(ike_msg_find(&m, PL_CERT, NULL) == NULL);
	int from = 1;
	CHECK(ike_msg_find(&m, PL_SA, &from) == NULL);
	/* a request SA with two proposals is not a reply */
	struct ike_chosen c;
	CHECK_EQ(ike_sa_parse_reply(&m.pl[0], &c), -EBADMSG);
	/* but it is an offer of two proposals, in order, with their transforms */
	struct ike_chosen offers[4];
	unsigned n_off = 0;
	CHECK_EQ(ike_sa_parse_offers(&m.pl[0], offers, 4, &n_off), 0);
	CHECK_EQ(n_off, 2);
	for (unsigned i = 0; i < n_off && i < 2; i++) {
		CHECK_EQ(offers[i].number, i + 1);
		CHECK_EQ(offers[i].prop.protocol, PROTO_IKE);
		CHECK_EQ(offers[i].spi_size, 0);
		CHECK_EQ(offers[i].prop.n, props.p[i].n);
		for (unsigned t = 0; t < props.p[i].n; t++) {
			CHECK_EQ(offers[i].prop.t[t].type, props.p[i].t[t].type);
			CHECK_EQ(offers[i].prop.t[t].id, props.p[i].t[t].id);
			CHECK_EQ(offers[i].prop.t[t].key_bits, props.p[i].t[t].key_bits);
		}
	}
	/* cap 1: the count stops at the room given */
	CHECK_EQ(ike_sa_parse_offers(&m.pl[0], offers, 1, &n_off), 0);
	CHECK_EQ(n_off, 1);
	/* the answer to proposal 2 (3.3.1: the responder keeps the proposal number) */
	uint8_t ans[128];
	struct ikb ab;
	ikb_chain(&ab, ans, sizeof(ans));
	struct ike_chosen pick = offers[0];
	CHECK_EQ(ike_sa_parse_offers(&m.pl[0], offers, 4, &n_off), 0);
	pick = offers[1];
	ikb_sa_chosen(&ab, &pick, NULL, 0);
	uint8_t want_ans[64];
	size_t wa = check_unhex("00 00 0030 00 00 002c 02 01 00 04"
				"03 00 000c 01 00 000c 800e 0080"
				"03 00 0008 02 00 0005"
				"03 00 0008 03 00 000c"
				"00 00 0008 04 00 000e",
				want_ans, sizeof(want_ans));
	CHECK_EQ(ab.w.len, wa);
	CHECK_MEM(ans, want_ans, wa);
	struct ike_pl apl = {PL_SA, false, ans + 4, ab.w.len - 4};
	CHECK_EQ(ike_sa_parse_reply(&apl, &c), 0);
	CHECK_EQ(c.number, 2);
	CHECK_EQ(c.prop.n, 4);
	struct ike_ke ke_pl;
	CHECK_EQ(ike_ke_parse(&m.pl[1], &ke_pl), 0);
	CHECK_EQ(ke_pl.group, 31);
	CHECK_EQ(ke_pl.len, 32);
	CHECK_MEM(ke_pl.data, ke, 32);
	/* an empty message: header only, Next Payload 0 */
	ikb_message(&b, got, sizeof(got), &h);
	CHECK_EQ(ikb_finish(&b), IKE_HDR_LEN);
	CHECK_EQ(got[16], 0);
	CHECK_EQ(ike_msg_parse(got, IKE_HDR_LEN, &m), 0);
	CHECK_EQ(m.n, 0);
	/* a buffer too small: -EMSGSIZE, never a partial message */
	ikb_message(&b, got, 100, &h);
	ikb_sa(&b, &props, NULL, 0);
	ikb_ke(&b, 31, ke, sizeof(ke));
	CHECK_EQ(ikb_finish(&b), -EMSGSIZE);
}

/* The SA payload of a reply: one proposal, ESP with a 4-octet SPI (3.3.1), ESN transform. */
static void test_sa_reply(void)
{
	static const char hex[] = "00 00 002c 01 03 04 03 c0ffee01"
				  "03 00 000c 01 00 0014 800e 0080"
				  "03 00 000c 01 00 0014 800e 0100"
				  "00 00 0008 05 00 0000";
	uint8_t want[64], got[128];
	size_t wlen = check_unhex(hex, want, sizeof(want));
	struct prop_list l = {.n = 1};
	l.p[0] = (struct prop){
	    .protocol = PROTO_ESP,
	    .t = {{TT_ENCR, ENCR_AES_GCM_16, 128}, {TT_ENCR, ENCR_AES_GCM_16, 256}, {TT_ESN, 0, 0}},
	    .n = 3};
	static const uint8_t spi[4] = {0xc0, 0xff, 0xee, 0x01};
	struct ikb b;
	ikb_chain(&b, got, sizeof(got));
	ikb_sa(&b, &l, spi, 4);
	CHECK_EQ(b.first, PL_SA);
	CHECK_EQ(b.w.len, 4 + wlen);
	CHECK_EQ(get_u16(got + 2), 4 + wlen);
	CHECK_MEM(got + 4, want, wlen);
	struct ike_pl pl = {PL_SA, false, want, wlen};
	struct ike_chosen c;
	CHECK_EQ(ike_sa_parse_reply(&pl, &c), 0);
	CHECK_EQ(c.number, 1);
	CHECK_EQ(c.prop.protocol, PROTO_ESP);
	CHECK_EQ(c.spi_size, 4);
	CHECK_MEM(c.spi, spi, 4);
	CHECK_EQ(c.prop.n, 3);
	for (unsigned i = 0; i < 3; i++) {
		CHECK_EQ(c.prop.t[i].type, l.p[0].t[i].type);
		CHECK_EQ(c.prop.t[i].id, l.p[0].t[i].id);
		CHECK_EQ(c.prop.t[i].key_bits, l.p[0].t[i].key_bits);
	}
}

/* Every other payload: built, checked against the RFC layout, parsed back. */
static void test_payloads(void)
{
	uint8_t buf[2048];
	struct ikb b;
	ikb_chain(&b, buf, sizeof(buf));
	ikb_id(&b, PL_IDI, ID_RFC822_ADDR, "carol@example.test", 18); /* 0 */
	ikb_id(&b, PL_IDR, ID_FQDN, "vpn.example.test", 16);	      /* 1 */
	static const uint8_t der[] = {0x30, 0x03, 0x02, 0x01, 0x05};
	uint8_t certbody[1 + sizeof(der)] = {CERT_X509_SIGNATURE};
	memcpy(certbody + 1, der, sizeof(der));
	ikb_simple(&b, PL_CERT, certbody, sizeof(certbody)); /* 2 */
	uint8_t keyid[40];
	for (int i = 0; i < 40; i++)
		keyid[i] = (uint8_t)(0x40 + i);
	ikb_certreq(&b, CERT_X509_SIGNATURE, keyid, 40); /* 3 */
	uint8_t mac[32];
	memset(mac, 0x3c, sizeof(mac));
	ikb_auth(&b, AUTH_SHARED_KEY_MIC, mac, sizeof(mac)); /* 4 */
	uint8_t nonce[32];
	memset(nonce, 0x4e, sizeof(nonce));
	ikb_simple(&b, PL_NONCE, nonce, sizeof(nonce)); /* 5 */
	static const uint8_t espspi[4] = {0x12, 0x34, 0x56, 0x78};
	ikb_notify(&b, PROTO_ESP, espspi, 4, N_REKEY_SA, NULL, 0); /* 6 */
	ikb_notify(&b, 0, NULL, 0, N_COOKIE, "cookie-data", 11);   /* 7 */
	ikb_delete(&b, PROTO_IKE, NULL, 0, 0);			   /* 8 */
	static const uint8_t two[8] = {0xaa, 0xbb, 0xcc, 0xdd, 0x11, 0x22, 0x33, 0x44};
	ikb_delete(&b, PROTO_ESP, two, 4, 2); /* 9 */
	struct ike_ts_list ts = {.n = 2};
	ts.ts[0] =
	    (struct ike_ts){TS_IPV4_ADDR_RANGE, 6, 16, 0xffff, {192, 0, 2, 0}, {192, 0, 2, 255}};
	ts.ts[1] = (struct ike_ts){TS_IPV6_ADDR_RANGE,
				   0,
				   0,
				   0xffff,
				   {0x20, 0x01, 0x0d, 0xb8},
				   {0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff}};
	memset(ts.ts[1].end + 6, 0xff, 10);
	ikb_ts(&b, PL_TSI, &ts); /* 10 */
	ikb_ts(&b, PL_TSR, &ts); /* 11 */
	static const uint16_t attrs[] = {CP_INTERNAL_IP4_ADDRESS, CP_INTERNAL_IP4_DNS,
					 CP_INTERNAL_IP6_ADDRESS, CP_INTERNAL_IP6_DNS};
	ikb_cp_request(&b, attrs, 4);			/* 12 */
	static const uint8_t eap[] = {1, 7, 0, 5, 1};	/* Request/Identity */
	ikb_simple(&b, PL_EAP, eap, sizeof(eap));	/* 13 */
	ikb_simple(&b, PL_VENDOR, "tern-test-vid", 13); /* 14 */
	CHECK(!b.w.err);
	CHECK_EQ(b.first, PL_IDI);

	/* Next Payload fields chain the payloads in order (3.2), and lengths add up. */
	static const uint8_t order[] = {PL_IDI,	  PL_IDR,    PL_CERT,	PL_CERTREQ, PL_AUTH,
					PL_NONCE, PL_NOTIFY, PL_NOTIFY, PL_DELETE,  PL_DELETE,
					PL_TSI,	  PL_TSR,    PL_CP,	PL_EAP,	    PL_VENDOR};
	size_t off = 0;
	for (unsigned i = 0; i < sizeof(order); i++) {
		uint8_t next = i + 1 < sizeof(order) ? order[i + 1] : PL_NONE;
		CHECK_EQ(buf[off], next);
		CHECK_EQ(buf[off + 1], 0);
		off += get_u16(buf + off + 2);
	}
	CHECK_EQ(off, b.w.len);

	/* Octets of a few bodies, from the diagrams */
	struct ike_msg m;
	memset(&m, 0, sizeof(m));
	m.sk_index = -1;
	CHECK_EQ(ike_chain_parse(&m, b.first, buf, b.w.len), 0);
	CHECK_EQ(m.n, sizeof(order));
	if (m.n != sizeof(order))
		return;
	uint8_t want[128];
	size_t wl = check_unhex("03 000000 6361726f6c406578616d706c652e74657374", want, 128);
	CHECK_EQ(m.pl[0].len, wl);
	CHECK_MEM(m.pl[0].body, want, wl);
	wl = check_unhex("03 04 4009 12345678", want, 128); /* N(REKEY_SA 16393), ESP SPI */
	CHECK_EQ(m.pl[6].len, wl);
	CHECK_MEM(m.pl[6].body, want, wl);
	wl = check_unhex("01 00 0000", want, 128); /* Delete IKE SA */
	CHECK_EQ(m.pl[8].len, wl);
	CHECK_MEM(m.pl[8].body, want, wl);
	wl = check_unhex("03 04 0002 aabbccdd 11223344", want, 128);
	CHECK_EQ(m.pl[9].len, wl);
	CHECK_MEM(m.pl[9].body, want, wl);
	wl = check_unhex("02 000000"
			 "07 06 0010 0010 ffff c0000200 c00002ff"
			 "08 00 0028 0000 ffff 20010db8000000000000000000000000"
			 "20010db8ffffffffffffffffffffffff",
			 want, 128);
	CHECK_EQ(m.pl[10].len, wl);
	CHECK_MEM(m.pl[10].body, want, wl);
	wl = check_unhex("01 000000 0001 0000 0003 0000 0008 0000 000a 0000", want, 128);
	CHECK_EQ(m.pl[12].len, wl);
	CHECK_MEM(m.pl[12].body, want, wl);
	wl = check_unhex("02 000000 3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c"
			 "3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c",
			 want, 128);
	CHECK_EQ(m.pl[4].len, wl);
	CHECK_MEM(m.pl[4].body, want, wl);

	/* parsed back */
	struct ike_id id;
	CHECK_EQ(ike_id_parse(&m.pl[0], &id), 0);
	CHECK_EQ(id.type, ID_RFC822_ADDR);
	CHECK_EQ(id.len, 18);
	CHECK_MEM(id.data, "carol@example.test", 18);
	CHECK(id.body == m.pl[0].body && id.body_len == 22);
	CHECK_EQ(ike_id_parse(&m.pl[1], &id), 0);
	CHECK_EQ(id.type, ID_FQDN);
	CHECK_MEM(id.data, "vpn.example.test", 16);
	struct ike_cert c;
	CHECK_EQ(ike_cert_parse(&m.pl[2], &c), 0);
	CHECK_EQ(c.encoding, CERT_X509_SIGNATURE);
	CHECK_EQ(c.len, sizeof(der));
	CHECK_MEM(c.data, der, sizeof(der));
	CHECK_EQ(ike_cert_parse(&m.pl[3], &c), 0);
	CHECK_EQ(c.len, 40);
	CHECK_MEM(c.data, keyid, 40);
	struct ike_auth a;
	CHECK_EQ(ike_auth_parse(&m.pl[4], &a), 0);
	CHECK_EQ(a.method, AUTH_SHARED_KEY_MIC);
	CHECK_EQ(a.len, 32);
	CHECK_MEM(a.data, mac, 32);
	CHECK_EQ(m.pl[5].len, 32);
	CHECK_MEM(m.pl[5].body, nonce, 32);
	struct ike_notify n;
	CHECK_EQ(ike_notify_parse(&m.pl[6], &n), 0);
	CHECK_EQ(n.protocol, PROTO_ESP);
	CHECK_EQ(n.spi_size, 4);
	CHECK_EQ(n.type, N_REKEY_SA);
	CHECK_MEM(n.spi, espspi, 4);
	CHECK_EQ(n.data_len, 0);
	CHECK_EQ(ike_notify_parse(&m.pl[7], &n), 0);
	CHECK_EQ(n.spi_size, 0);
	CHECK_EQ(n.type, N_COOKIE);
	CHECK_EQ(n.data_len, 11);
	CHECK_MEM(n.data, "cookie-data", 11);
	CHECK(ike_msg_notify(&m, N_COOKIE, &n) && n.data_len == 11);
	struct ike_delete d;
	CHECK_EQ(ike_delete_parse(&m.pl[8], &d), 0);
	CHECK_EQ(d.protocol, PROTO_IKE);
	CHECK_EQ(d.n_spis, 0);
	CHECK_EQ(ike_delete_parse(&m.pl[9], &d), 0);
	CHECK_EQ(d.protocol, PROTO_ESP);
	CHECK_EQ(d.spi_size, 4);
	CHECK_EQ(d.n_spis, 2);
	CHECK_MEM(d.spis, two, 8);
	for (unsigned k = 10; k <= 11; k++) {
		struct ike_ts_list l;
		CHECK_EQ(ike_ts_parse(&m.pl[k], &l), 0);
		CHECK_EQ(l.n, 2);
		for (unsigned i = 0; i < 2; i++) {
			CHECK_EQ(l.ts[i].type, ts.ts[i].type);
			CHECK_EQ(l.ts[i].ip_proto, ts.ts[i].ip_proto);
			CHECK_EQ(l.ts[i].start_port, ts.ts[i].start_port);
			CHECK_EQ(l.ts[i].end_port, ts.ts[i].end_port);
			size_t al = ts.ts[i].type == TS_IPV4_ADDR_RANGE ? 4 : 16;
			CHECK_MEM(l.ts[i].start, ts.ts[i].start, al);
			CHECK_MEM(l.ts[i].end, ts.ts[i].end, al);
		}
	}
	struct ike_cp cp;
	CHECK_EQ(ike_cp_parse(&m.pl[12], &cp), 0);
	CHECK_EQ(cp.cfg_type, CFG_REQUEST);
	CHECK_EQ(cp.n, 4);
	for (unsigned i = 0; i < 4 && i < cp.n; i++) {
		CHECK_EQ(cp.attr[i].type, attrs[i]);
		CHECK_EQ(cp.attr[i].len, 0);
	}
	CHECK_EQ(m.pl[13].len, sizeof(eap));
	CHECK_MEM(m.pl[13].body, eap, sizeof(eap));
	CHECK_EQ(m.pl[14].len, 13);
	CHECK_MEM(m.pl[14].body, "tern-test-vid", 13);
	CHECK_EQ(ike_msg_unknown_critical(&m), 0);
}

/* CP(CFG_REPLY) as a gateway sends it (3.15.1): INTERNAL_IP4_ADDRESS 203.0.113.7,
 * INTERNAL_IP4_DNS 203.0.113.53, INTERNAL_IP6_ADDRESS 2001:db8::7/64 (17 octets), and an
 * attribute with the R bit set (it must be ignored on receipt: 3.15.1 "R ... MUST be 0"
 * is about sending, so the type is read without it). */
static void test_cp_reply(void)
{
	uint8_t body[64];
	size_t n = check_unhex("02 000000"
			       "0001 0004 cb007107"
			       "0003 0004 cb007135"
			       "0008 0011 20010db8000000000000000000000007 40"
			       "8003 0000",
			       body, sizeof(body));
	struct ike_pl pl = {PL_CP, false, body, n};
	struct ike_cp cp;
	CHECK_EQ(ike_cp_parse(&pl, &cp), 0);
	CHECK_EQ(cp.cfg_type, CFG_REPLY);
	CHECK_EQ(cp.n, 4);
	CHECK_EQ(cp.attr[0].type, CP_INTERNAL_IP4_ADDRESS);
	CHECK_EQ(cp.attr[0].len, 4);
	CHECK_MEM(cp.attr[0].value, "\xcb\x00\x71\x07", 4);
	CHECK_EQ(cp.attr[1].type, CP_INTERNAL_IP4_DNS);
	CHECK_EQ(cp.attr[2].type, CP_INTERNAL_IP6_ADDRESS);
	CHECK_EQ(cp.attr[2].len, 17);
	CHECK_EQ(cp.attr[2].value[16], 64);
	CHECK_EQ(cp.attr[3].type, CP_INTERNAL_IP4_DNS);
	CHECK_EQ(cp.attr[3].len, 0);
}

/* ---- malformed inputs ---- */

enum target {
	T_MSG, /* ike_msg_parse on the whole datagram */
	T_SA,  /* ike_sa_parse_reply on an SA body */
	T_KE,  /* the body parsers */
	T_ID,
	T_CERT,
	T_AUTH,
	T_NOTIFY,
	T_DELETE,
	T_TS,
	T_CP,
	T_OFFERS, /* ike_sa_parse_offers on an SA body */
};

struct bad {
	const char *what;
	enum target target;
	const char *hex;
};

/* A valid header for an INFORMATIONAL response with Next Payload and Length filled in by
 * each row (the row states the whole datagram). */
#define HDR(next, len) "0102030405060708 1112131415161718 " next " 20 25 20 00000001 " len

static const struct bad bads[] = {
    {"truncated header (27 octets)", T_MSG,
     "0102030405060708 1112131415161718 00 20 25 20 00000001 000000"},
    {"Length field above the datagram", T_MSG, HDR("00", "0000001d")},
    {"Length field below the datagram", T_MSG, HDR("00", "0000001b") "00"},
    {"Length field 0", T_MSG, HDR("00", "00000000")},
    {"major version 1", T_MSG, "0102030405060708 1112131415161718 00 10 25 20 00000001 0000001c"},
    {"major version 3", T_MSG, "0102030405060708 1112131415161718 00 30 25 20 00000001 0000001c"},
    {"header says a payload, none follows", T_MSG, HDR("28", "0000001c")},
    {"payload length past the end", T_MSG, HDR("28", "00000024") "00 00 0010 41424344"},
    {"payload length 3", T_MSG, HDR("28", "00000024") "00 00 0003 41424344"},
    {"payload length 0", T_MSG, HDR("28", "00000024") "00 00 0000 41424344"},
    {"truncated generic header", T_MSG, HDR("28", "0000001e") "00 00"},
    {"octets after the last payload", T_MSG, HDR("28", "00000024") "00 00 0004 41424344"},
    {"chain names a payload that is missing", T_MSG, HDR("28", "00000020") "29 00 0004"},
    {"SK not last (octets follow)", T_MSG,
     HDR("2e", "00000034") "29 00 0014 000102030405060708090a0b0c0d0e0f 00 00 0004"},
    {"SK before another payload", T_MSG,
     HDR("29", "0000003c") "2e 00 0008 00000000 29 00 0014 000102030405060708090a0b0c0d0e0f"},
    {"SKF not last", T_MSG,
     HDR("35", "00000034") "00 00 0014 0001000200000000 0000000000000000 ffffffff"},
    {"SA reply with 2 proposals", T_SA,
     "02 00 0010 01 01 00 01 00 00 0008 01 00 0014"
     "00 00 0010 02 01 00 01 00 00 0008 01 00 0014"},
    {"proposal with Last = 1", T_SA, "01 00 0010 01 01 00 01 00 00 0008 01 00 0014"},
    {"proposal length not the SA's", T_SA, "00 00 0014 01 01 00 01 00 00 0008 01 00 0014"},
    {"proposal shorter than its header", T_SA, "00 00 0006 01 01"},
    {"proposal with 0 transforms", T_SA, "00 00 0008 01 01 00 00"},
    {"proposal with more transforms than present", T_SA,
     "00 00 0010 01 01 00 02 00 00 0008 01 00 0014"},
    {"transform marked last too early", T_SA,
     "00 00 0018 01 01 00 02 00 00 0008 01 00 0014 00 00 0008 02 00 0005"},
    {"last transform marked 'more'", T_SA, "00 00 0010 01 01 00 01 03 00 0008 01 00 0014"},
    {"transform 'more' value 2", T_SA, "00 00 0010 01 01 00 01 02 00 0008 01 00 0014"},
    {"transform length 7", T_SA, "00 00 000f 01 01 00 01 00 00 0007 01 00 00"},
    {"transform length past the proposal", T_SA, "00 00 0010 01 01 00 01 00 00 000c 01 00 0014"},
    {"transform with a TLV attribute", T_SA,
     "00 00 0014 01 01 00 01 00 00 000c 01 00 0014 000e 0000"},
    {"transform with a truncated attribute", T_SA,
     "00 00 0012 01 01 00 01 00 00 000a 01 00 0014 800e"},
    {"transform with an unknown TV attribute", T_SA,
     "00 00 0014 01 01 00 01 00 00 000c 01 00 0014 8001 0001"},
    {"SPI size 9", T_SA, "00 00 0019 01 03 09 01 010203040506070809 00 00 0008 01 00 0014"},
    {"SPI past the proposal", T_SA, "00 00 000c 01 03 08 01 01020304"},
    {"empty SA", T_SA, ""},
    {"KE without data", T_KE, "001f 0000"},
    {"KE truncated", T_KE, "001f 00"},
    {"ID without data", T_ID, "02 000000"},
    {"ID truncated", T_ID, "02 00"},
    {"CERT without data", T_CERT, "04"},
    {"AUTH without data", T_AUTH, "02 000000"},
    {"AUTH truncated", T_AUTH, "02"},
    {"Notify truncated", T_NOTIFY, "00 00 40"},
    {"Notify SPI past the end", T_NOTIFY, "03 04 4009 1234"},
    {"Delete ESP with SPI size 8", T_DELETE, "03 08 0001 0102030405060708"},
    {"Delete ESP with SPI size 0", T_DELETE, "03 00 0001"},
    {"Delete IKE with SPI size 4", T_DELETE, "01 04 0001 01020304"},
    {"Delete with fewer SPIs than counted", T_DELETE, "03 04 0002 01020304"},
    {"Delete with octets after the SPIs", T_DELETE, "03 04 0001 01020304 05"},
    {"Delete truncated", T_DELETE, "03 04 00"},
    {"TS count 0", T_TS, "00 000000"},
    {"TS with bad selector length (IPv4, 40)", T_TS,
     "01 000000 07 00 0028 0000 ffff c0000200 c00002ff 0000000000000000"
     "0000000000000000 00000000"},
    {"TS with bad selector length (IPv6, 16)", T_TS,
     "01 000000 08 00 0010 0000 ffff c0000200 c00002ff"},
    {"TS of unknown type 9", T_TS, "01 000000 09 00 0010 0000 ffff c0000200 c00002ff"},
    {"TS count above the selectors present", T_TS,
     "02 000000 07 00 0010 0000 ffff c0000200 c00002ff"},
    {"TS with octets after the selectors", T_TS,
     "01 000000 07 00 0010 0000 ffff c0000200 c00002ff 00"},
    {"TS selector truncated", T_TS, "01 000000 07 00 0010 0000 ffff c0000200 c000"},
    {"CP attribute past the end", T_CP, "02 000000 0001 0004 cb00"},
    {"CP attribute header truncated", T_CP, "02 000000 0001 00"},
    {"CP header truncated", T_CP, "02 00"},
};

static int run_target(enum target t, const uint8_t *p, size_t n)
{
	struct ike_pl pl = {0, false, p, n};
	switch (t) {
	case T_MSG: {
		struct ike_msg m;
		return ike_msg_parse(p, n, &m);
	}
	case T_SA: {
		struct ike_chosen c;
		return ike_sa_parse_reply(&pl, &c);
	}
	case T_KE: {
		struct ike_ke k;
		return ike_ke_parse(&pl, &k);
	}
	case T_ID: {
		struct ike_id id;
		return ike_id_parse(&pl, &id);
	}
	case T_CERT: {
		struct ike_cert c;
		return ike_cert_parse(&pl, &c);
	}
	case T_AUTH: {
		struct ike_auth a;
		return ike_auth_parse(&pl, &a);
	}
	case T_NOTIFY: {
		struct ike_notify no;
		return ike_notify_parse(&pl, &no);
	}
	case T_DELETE: {
		struct ike_delete d;
		return ike_delete_parse(&pl, &d);
	}
	case T_TS: {
		struct ike_ts_list l;
		return ike_ts_parse(&pl, &l);
	}
	case T_CP: {
		struct ike_cp cp;
		return ike_cp_parse(&pl, &cp);
	}
	case T_OFFERS: {
		struct ike_chosen offers[16];
		unsigned n_off;
		return ike_sa_parse_offers(&pl, offers, 16, &n_off);
	}
	}
	return 0;
}

static void test_malformed(void)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		uint8_t tmp[256];
		size_t n = check_unhex(bads[i].hex, tmp, sizeof(tmp));
		uint8_t *p = malloc(n ? n : 1); /* exact size: ASan sees any over-read */
		memcpy(p, tmp, n);
		int r = run_target(bads[i].target, p, n);
		CHECK(r < 0);
		if (r >= 0)
			fprintf(stderr, "  accepted: %s\n", bads[i].what);
		free(p);
	}
	/* the major version is its own error (RFC 7296 2.5 answers INVALID_MAJOR_VERSION) */
	uint8_t v1[28];
	check_unhex("0102030405060708 1112131415161718 00 10 25 20 00000001 0000001c", v1, 28);
	struct ike_msg m;
	CHECK_EQ(ike_msg_parse(v1, 28, &m), -EPROTONOSUPPORT);
	/* a minor version above 0 is accepted (2.5: "ignore the minor version") */
	v1[17] = 0x21;
	CHECK_EQ(ike_msg_parse(v1, 28, &m), 0);
}

/* Two SK payloads: one outside and one inside the decrypted chain. */
static void test_two_sk(void)
{
	uint8_t dg[64];
	size_t n = check_unhex(HDR("2e", "00000028") "29 00 000c 0000000000000000", dg, sizeof(dg));
	struct ike_msg m;
	CHECK_EQ(ike_msg_parse(dg, n, &m), 0);
	CHECK_EQ(m.sk_index, 0);
	uint8_t inner[32];
	size_t il = check_unhex("2e 00 0008 00000000", inner, sizeof(inner));
	CHECK(ike_chain_parse(&m, PL_NONCE, inner, il) < 0);
	/* and an inner SKF */
	CHECK_EQ(ike_msg_parse(dg, n, &m), 0);
	il = check_unhex("35 00 0008 00010001", inner, sizeof(inner));
	CHECK(ike_chain_parse(&m, PL_NONCE, inner, il) < 0);
}

/* More payloads than struct ike_msg holds: -E2BIG, no overflow. */
static void test_too_many(void)
{
	uint8_t buf[28 + 4 * 70];
	struct ike_hdr h = {.spi_i = 1,
			    .spi_r = 2,
			    .version = IKE_VERSION_2,
			    .exchange = INFORMATIONAL,
			    .flags = IKE_FLAG_RESPONSE};
	struct ikb b;
	ikb_message(&b, buf, sizeof(buf), &h);
	for (int i = 0; i < 70; i++)
		ikb_simple(&b, PL_VENDOR, NULL, 0);
	int n = ikb_finish(&b);
	CHECK_EQ(n, (int)sizeof(buf));
	struct ike_msg m;
	CHECK_EQ(ike_msg_parse(buf, sizeof(buf), &m), -E2BIG);
}

/* Unknown payload types: a critical one is named by ike_msg_unknown_critical (RFC 7296 2.5),
 * a non-critical one is not; known payloads with the critical bit are fine. */
static void test_unknown_critical(void)
{
	uint8_t dg[64];
	size_t n =
	    check_unhex(HDR("28", "00000030") "c8 80 0008 01020304 00 00 000c 0102030405060708", dg,
			sizeof(dg));
	struct ike_msg m;
	CHECK_EQ(ike_msg_parse(dg, n, &m), 0);
	CHECK_EQ(m.n, 2);
	CHECK(m.pl[0].critical);
	CHECK_EQ(m.pl[1].type, 200);
	CHECK(!m.pl[1].critical);
	CHECK_EQ(ike_msg_unknown_critical(&m), 0); /* 200 is not critical here */
	dg[28 + 8 + 1] = 0x80;			   /* now it is */
	CHECK_EQ(ike_msg_parse(dg, n, &m), 0);
	CHECK_EQ(ike_msg_unknown_critical(&m), 200);
	/* RESERVED bits of the generic header other than C are ignored (3.2) */
	dg[28 + 8 + 1] = 0x7f;
	CHECK_EQ(ike_msg_parse(dg, n, &m), 0);
	CHECK_EQ(ike_msg_unknown_critical(&m), 0);
}

/* Every parser on every prefix and on one-octet changes of a rich message. */
static void parse_everything(const uint8_t *p, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);
	memcpy(copy, p, n);
	struct ike_msg m;
	if (ike_msg_parse(copy, n, &m) == 0) {
		ike_msg_unknown_critical(&m);
		ike_msg_error(&m);
		ike_msg_notify(&m, N_COOKIE, NULL);
		for (unsigned i = 0; i < m.n; i++) {
			static const enum target all[] = {T_SA,	  T_KE,	    T_ID,     T_CERT,
							  T_AUTH, T_NOTIFY, T_DELETE, T_TS,
							  T_CP,	  T_OFFERS};
			for (size_t t = 0; t < sizeof(all) / sizeof(all[0]); t++) {
				/* exact-size copy of the body alone */
				uint8_t *body = malloc(m.pl[i].len ? m.pl[i].len : 1);
				memcpy(body, m.pl[i].body, m.pl[i].len);
				run_target(all[t], body, m.pl[i].len);
				free(body);
			}
		}
	}
	free(copy);
}

static void test_mutations(void)
{
	uint8_t dg[2100];
	struct prop_list props = init_props();
	props.n = 1;
	struct ike_ts_list ts = {.n = 1};
	ts.ts[0] = (struct ike_ts){TS_IPV4_ADDR_RANGE, 0, 0, 0xffff, {0}, {255, 255, 255, 255}};
	struct ike_hdr h = {.spi_i = 9,
			    .spi_r = 10,
			    .version = IKE_VERSION_2,
			    .exchange = IKE_AUTH,
			    .flags = IKE_FLAG_RESPONSE,
			    .msg_id = 1};
	struct ikb mb;
	ikb_message(&mb, dg, sizeof(dg), &h);
	ikb_sa(&mb, &props, NULL, 0);
	ikb_ke(&mb, 31, (const uint8_t *)"0123456789abcdef0123456789abcdef", 32);
	ikb_id(&mb, PL_IDR, ID_FQDN, "vpn", 3);
	ikb_auth(&mb, 14, (const uint8_t *)"abcdefgh", 8);
	ikb_notify(&mb, PROTO_ESP, (const uint8_t *)"spi!", 4, N_REKEY_SA, "x", 1);
	ikb_delete(&mb, PROTO_ESP, (const uint8_t *)"12345678", 4, 2);
	ikb_ts(&mb, PL_TSI, &ts);
	ikb_simple(&mb, PL_CP, "\x02\x00\x00\x00\x00\x01\x00\x04\xcb\x00\x71\x07", 12);
	ikb_certreq(&mb, 4, (const uint8_t *)"01234567890123456789", 20);
	int n = ikb_finish(&mb);
	CHECK(n > 0);
	if (n <= 0)
		return;
	struct ike_msg m;
	CHECK_EQ(ike_msg_parse(dg, (size_t)n, &m), 0);
	CHECK_EQ(m.n, 9);
	/* every prefix, with its Length field kept and with it patched to the prefix length */
	for (int len = 0; len <= n; len++) {
		parse_everything(dg, (size_t)len);
		if (len >= IKE_HDR_LEN) {
			uint8_t tmp[2100];
			memcpy(tmp, dg, (size_t)len);
			put_u32(tmp + 24, (uint32_t)len);
			parse_everything(tmp, (size_t)len);
		}
	}
	/* every octet set to a few values */
	static const uint8_t vals[] = {0x00, 0x01, 0x03, 0x04, 0x07, 0x08, 0x7f, 0x80, 0xff};
	for (int i = 0; i < n; i++) {
		for (size_t v = 0; v < sizeof(vals); v++) {
			uint8_t tmp[2100];
			memcpy(tmp, dg, (size_t)n);
			tmp[i] = vals[v];
			parse_everything(tmp, (size_t)n);
		}
	}
	CHECK(1); /* reaching here without a sanitizer report is the check */
}

int main(void)
{
	test_build_init();
	test_sa_reply();
	test_payloads();
	test_cp_reply();
	test_malformed();
	test_two_sk();
	test_too_many();
	test_unknown_critical();
	test_mutations();
	return check_done("ike_message");
}
