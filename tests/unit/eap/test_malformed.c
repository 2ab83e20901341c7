/*
 * Malformed and out-of-state packets (RFC 3748 4 framing, draft-kamath-pppext-eap-mschapv2-02
 * 2 fields): each must give a negative errno and leave the client as it was, which is checked
 * by completing the normal exchange afterwards. Then every truncation and many byte flips of
 * valid packets, which must not crash (run under ASan/UBSan for full value).
 */
#include "tests/unit/check.h"

#include "tests/unit/eap/eap_test_util.h"

enum stage {
	FRESH,	   /* new client, nothing received */
	RESPONDED, /* MSCHAPv2 Response sent for the RFC 2759 challenge, MS-CHAPv2-ID 0x2a */
};

struct bad_case {
	const char *name;
	enum stage stage;
	uint32_t allowed;
	const char *hex; /* the packet */
	int want;
};

/* "S=407A5589115FD0D6209F510FE9C04566932CDA56" (RFC 2759 9.2), and it without "S=4" */
#define S_TAIL                                                                                     \
	"3037413535383931313546443044363230394635313046453943303435363639333243444135"             \
	"36"
#define S_OK "533d34" S_TAIL

static const struct bad_case cases[] = {
    {"empty", FRESH, 0, "", -EBADMSG},
    {"truncated header", FRESH, 0, "01 01 00", -EBADMSG},
    {"length below header", FRESH, 0, "01 01 0003 01", -EBADMSG},
    {"length beyond data", FRESH, 0, "01 01 0010 01", -EBADMSG},
    {"request without type", FRESH, 0, "01 01 0004", -EBADMSG},
    {"response from the server", FRESH, 0, "02 01 0005 01", -EBADMSG},
    {"code 0", FRESH, 0, "00 01 0004", -EBADMSG},
    {"code 5 (Initiate)", FRESH, 0, "05 01 0005 01", -EBADMSG},
    {"success with data", FRESH, 0, "03 01 0005 00", -EBADMSG},
    {"failure with data", FRESH, 0, "04 01 0005 00", -EBADMSG},
    {"success before any method", FRESH, 0, "03 01 0004", -EPROTO},
    {"nak in a request", FRESH, 0, "01 01 0006 03 1a", -EBADMSG},
    {"mschapv2 without opcode", FRESH, 0, "01 01 0005 1a", -EBADMSG},
    {"mschapv2 truncated header", FRESH, 0, "01 01 0007 1a 01 2a", -EBADMSG},
    {"mschapv2 short value size", FRESH, 0, "01 01 0012 1a 01 2a 000d 08 5b5d7c7d7b3f2f3e",
     -EBADMSG},
    {"mschapv2 value size 16, 10 octets", FRESH, 0,
     "01 01 0014 1a 01 2a 000f 10 5b5d7c7d7b3f2f3e3c2c", -EBADMSG},
    {"mschapv2 ms-length mismatch", FRESH, 0,
     "01 01 001a 1a 01 2a 0016 10 5b5d7c7d7b3f2f3e3c2c602132262628", -EBADMSG},
    {"mschapv2 success before challenge", FRESH, 0, "01 01 0033 1a 03 2a 002e" S_OK, -EPROTO},
    {"mschapv2 failure before challenge", FRESH, 0, "01 01 000e 1a 04 2a 0009 453d363931", -EPROTO},
    {"mschapv2 response opcode", FRESH, 0, "01 01 0009 1a 02 2a 0004", -EBADMSG},
    {"mschapv2 change-password opcode", FRESH, 0, "01 01 0009 1a 07 2a 0004", -EBADMSG},
    {"mschapv2 unknown opcode", FRESH, 0, "01 01 0009 1a 09 2a 0004", -EBADMSG},
    {"md5 value size 0", FRESH, EAP_ALLOW(EAP_TYPE_MD5), "01 01 0006 04 00", -EBADMSG},
    {"md5 value beyond data", FRESH, EAP_ALLOW(EAP_TYPE_MD5), "01 01 0008 04 10 0102", -EBADMSG},
    {"md5 without value size", FRESH, EAP_ALLOW(EAP_TYPE_MD5), "01 01 0005 04", -EBADMSG},
    {"second challenge", RESPONDED, 0,
     "01 03 001a 1a 01 2b 0015 10 5b5d7c7d7b3f2f3e3c2c602132262628", -EPROTO},
    {"identity mid-method", RESPONDED, 0, "01 03 0005 01", -EPROTO},
    {"unknown type mid-method (no Nak)", RESPONDED, 0, "01 03 0005 0d", -EPROTO},
    {"md5 mid-method", RESPONDED, 0, "01 03 0007 04 01 00", -EPROTO},
    {"eap-success before mutual auth", RESPONDED, 0, "03 03 0004", -EPROTO},
    {"success with another ms-chapv2-id", RESPONDED, 0, "01 03 0033 1a 03 2b 002e" S_OK, -EPROTO},
    {"success with ms-length mismatch", RESPONDED, 0, "01 03 0033 1a 03 2a 002d" S_OK, -EBADMSG},
    {"success message too short", RESPONDED, 0, "01 03 000f 1a 03 2a 000a 533d34303741", -EBADMSG},
    {"success message without S=", RESPONDED, 0, "01 03 0033 1a 03 2a 002e 583d34" S_TAIL,
     -EBADMSG},
    {"success message bad hex", RESPONDED, 0, "01 03 0033 1a 03 2a 002e 533d5a" S_TAIL, -EBADMSG},
    {"success message, no space before M=", RESPONDED, 0, "01 03 0036 1a 03 2a 0031" S_OK "4d3d78",
     -EBADMSG},
    {"failure with ms-length mismatch", RESPONDED, 0, "01 03 000e 1a 04 2a 0008 453d363931",
     -EBADMSG},
};

static uint8_t pkt[2048], out[2048];
static size_t out_len;

static struct eap_client *at_stage(enum stage stage, uint32_t allowed, struct pinned_rand *r)
{
	struct eap_client_config cfg = {RFC2759_USER, RFC2759_PASSWORD, allowed, pinned_rand, r};
	struct eap_client *c = NULL;

	CHECK_EQ(eap_client_new(&c, &cfg), 0);
	if (stage == RESPONDED)
		CHECK_EQ(eap_client_process(
			     c, pkt, build_challenge(pkt, 2, 0x2a, RFC2759_AUTH_CHALLENGE, "gw"),
			     out, sizeof(out), &out_len),
			 EAP_RESULT_SEND);
	return c;
}

/* Drives the rest of a normal exchange: proves the bad packet changed nothing. */
static bool completes(struct eap_client *c, enum stage stage, uint32_t allowed)
{
	const char *s = RFC2759_AUTH_STRING;
	size_t len;

	if (stage == FRESH) {
		if (eap_client_process(c, pkt, build_request(pkt, 1, 1, NULL, 0), out, sizeof(out),
				       &out_len) != EAP_RESULT_SEND)
			return false;
		if (allowed == EAP_ALLOW(EAP_TYPE_MD5))
			return eap_client_process(c, pkt, build_request(pkt, 2, 4, "\x01\x99", 2),
						  out, sizeof(out), &out_len) == EAP_RESULT_SEND &&
			       eap_client_process(c, pkt, build_code_only(pkt, 3, 2), out,
						  sizeof(out), &out_len) == EAP_RESULT_SUCCESS;
		len = build_challenge(pkt, 2, 0x2a, RFC2759_AUTH_CHALLENGE, "gw");
		if (eap_client_process(c, pkt, len, out, sizeof(out), &out_len) != EAP_RESULT_SEND)
			return false;
	}
	len = build_mschapv2(pkt, 3, 3, 0x2a, s, strlen(s));
	return eap_client_process(c, pkt, len, out, sizeof(out), &out_len) == EAP_RESULT_SEND &&
	       eap_client_process(c, pkt, build_code_only(pkt, 3, 3), out, sizeof(out), &out_len) ==
		   EAP_RESULT_SUCCESS;
}

static void test_table(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *t = &cases[i];
		struct pinned_rand r = {RFC2759_PEER_CHALLENGE, 0, 0};
		struct eap_client *c = at_stage(t->stage, t->allowed, &r);
		uint8_t bad[256];
		size_t n = check_unhex(t->hex, bad, sizeof(bad));
		int res = eap_client_process(c, n ? bad : NULL, n, out, sizeof(out), &out_len);

		if (res != t->want)
			fprintf(stderr, "case \"%s\": got %d, want %d\n", t->name, res, t->want);
		CHECK_EQ(res, t->want);
		CHECK_EQ(out_len, 0);
		bool ok = completes(c, t->stage, t->allowed);
		if (!ok)
			fprintf(stderr, "case \"%s\": the exchange did not complete after it\n",
				t->name);
		CHECK(ok);
		eap_client_free(c);
	}
}

static void test_after_end(void)
{
	struct pinned_rand r = {RFC2759_PEER_CHALLENGE, 0, 0};
	struct eap_client *c = at_stage(FRESH, 0, &r);

	CHECK(completes(c, FRESH, 0));
	CHECK_EQ(eap_client_process(c, pkt, build_request(pkt, 9, 2, NULL, 0), out, sizeof(out),
				    &out_len),
		 -EPROTO);
	eap_client_free(c);
}

/* Every prefix and many single-byte changes of valid packets, in both stages. Results must be
   a valid eap_result or one of the documented errnos, with out_len within the buffer. */
static void test_mutations(void)
{
	const char *s = RFC2759_AUTH_STRING " M=ok";
	uint8_t base[4][256];
	size_t base_len[4];
	uint32_t seed = 12345;
	int bad_results = 0;

	base_len[0] = build_challenge(base[0], 2, 0x2a, RFC2759_AUTH_CHALLENGE, "gw");
	base_len[1] = build_mschapv2(base[1], 3, 3, 0x2a, s, strlen(s));
	base_len[2] = build_mschapv2(base[2], 3, 4, 0x2a, "E=691 R=0 M=x", 13);
	base_len[3] = build_request(base[3], 4, 4, "\x04\x01\x02\x03\x04gw", 7);

	for (int b = 0; b < 4; b++)
		for (int stage = FRESH; stage <= RESPONDED; stage++)
			for (size_t iter = 0; iter < 600; iter++) {
				struct pinned_rand r = {RFC2759_PEER_CHALLENGE, 0, 0};
				struct eap_client *c = at_stage((enum stage)stage, 0, &r);
				uint8_t m[256];
				size_t len = base_len[b];
				int res;

				memcpy(m, base[b], len);
				if (iter < len) {
					len = iter; /* truncation */
				} else {
					seed = seed * 1103515245u + 12345u;
					m[(seed >> 8) % len] ^= (uint8_t)(1u << ((seed >> 20) % 8));
					if (seed & 0x10000) {
						seed = seed * 1103515245u + 12345u;
						m[(seed >> 8) % len] = (uint8_t)(seed >> 24);
					}
				}
				res = eap_client_process(c, m, len, out, sizeof(out), &out_len);
				if (!(res == EAP_RESULT_SEND || res == EAP_RESULT_SUCCESS ||
				      res == EAP_RESULT_FAILURE || res == -EBADMSG ||
				      res == -EPROTO) ||
				    out_len > sizeof(out) || (res != EAP_RESULT_SEND && out_len))
					bad_results++;
				eap_client_free(c);
			}
	CHECK_EQ(bad_results, 0);
}

int main(void)
{
	test_table();
	test_after_end();
	test_mutations();
	return check_done("eap_malformed");
}
