/*
 * Complete EAP runs driven by hand-built gateway packets (RFC 3748 4, 5; draft-kamath-pppext-
 * eap-mschapv2-02 2). Expected values: RFC 2759 9.2 and RFC 3079 3.5.3 vectors, packet layouts
 * written out from those documents, and MD5 computed here with OpenSSL.
 */
#include "tests/unit/check.h"

#include <openssl/evp.h>

#include "tests/unit/eap/eap_test_util.h"

static uint8_t pkt[2048], out[2048];
static size_t out_len;

static struct eap_client *new_client(const char *identity, const char *password, uint32_t allowed,
				     struct pinned_rand *r)
{
	struct eap_client_config cfg = {identity, password, allowed, pinned_rand, r};
	struct eap_client *c = NULL;

	CHECK_EQ(eap_client_new(&c, &cfg), 0);
	CHECK(c != NULL);
	return c;
}

static int feed(struct eap_client *c, size_t len)
{
	return eap_client_process(c, pkt, len, out, sizeof(out), &out_len);
}

static void expect_out(const char *hex)
{
	uint8_t want[256];
	size_t n = check_unhex(hex, want, sizeof(want));

	CHECK_EQ(out_len, n);
	CHECK_MEM(out, want, n < out_len ? n : out_len);
}

/* Identity, Challenge, Success request, EAP-Success; returns the client in SUCCESS. */
static struct eap_client *mschapv2_up_to_response(const char *identity, struct pinned_rand *r)
{
	struct eap_client *c = new_client(identity, RFC2759_PASSWORD, 0, r);
	uint8_t nt[24], pc[16];
	size_t name_len = strlen(identity);

	CHECK_EQ(eap_client_method(c), 0);
	/* Identity Request with a displayable message; Response carries the identity. */
	CHECK_EQ(feed(c, build_request(pkt, 1, 1, "hi", 2)), EAP_RESULT_SEND);
	CHECK_EQ(out_len, 5 + name_len);
	CHECK_EQ(out[0], 2);
	CHECK_EQ(out[1], 1);
	CHECK_EQ(out[4], 1);
	CHECK_MEM(out + 5, identity, name_len);

	/* Challenge: EAP id 2, MS-CHAPv2-ID 0x2a, AuthenticatorChallenge from RFC 2759 9.2. */
	CHECK_EQ(feed(c, build_challenge(pkt, 2, 0x2a, RFC2759_AUTH_CHALLENGE, "gw")),
		 EAP_RESULT_SEND);
	CHECK_EQ(r->calls, 1);
	CHECK_EQ(eap_client_method(c), 26);
	/* Response: Code 2, Id 2, Length, Type 26, OpCode 2, MS-CHAPv2-ID, MS-Length,
	   Value-Size 49, Peer-Challenge, 8 zero, NT-Response, Flags 0, Name. */
	CHECK_EQ(out_len, 5 + 4 + 1 + 49 + name_len);
	CHECK_EQ(out[0], 2);
	CHECK_EQ(out[1], 2);
	CHECK_EQ(out[2] << 8 | out[3], out_len);
	CHECK_EQ(out[4], 26);
	CHECK_EQ(out[5], 2);
	CHECK_EQ(out[6], 0x2a);
	CHECK_EQ(out[7] << 8 | out[8], out_len - 5);
	CHECK_EQ(out[9], 49);
	check_unhex(RFC2759_PEER_CHALLENGE, pc, 16);
	CHECK_MEM(out + 10, pc, 16);
	CHECK_MEM(out + 26, "\0\0\0\0\0\0\0\0", 8);
	check_unhex(RFC2759_NT_RESPONSE, nt, 24);
	CHECK_MEM(out + 34, nt, 24);
	CHECK_EQ(out[58], 0);
	CHECK_MEM(out + 59, identity, name_len);
	return c;
}

static void test_mschapv2_success(void)
{
	struct pinned_rand r = {RFC2759_PEER_CHALLENGE, 0, 0};
	struct eap_client *c = mschapv2_up_to_response(RFC2759_USER, &r);
	const char *msg = RFC2759_AUTH_STRING " M=Welcome";
	const uint8_t *msk = NULL;
	size_t msk_len = 0;
	uint8_t want[16], zeros[32] = {0};

	/* EAP-Success before the authenticator response was verified: refused, nothing changed. */
	CHECK_EQ(feed(c, build_code_only(pkt, 3, 3)), -EPROTO);
	CHECK_EQ(eap_client_msk(c, &msk, &msk_len), -EAGAIN);

	CHECK_EQ(feed(c, build_mschapv2(pkt, 3, 3, 0x2a, msg, strlen(msg))), EAP_RESULT_SEND);
	expect_out("02 03 0006 1a 03"); /* Success Response: OpCode alone */
	CHECK(!eap_client_failed(c));

	CHECK_EQ(feed(c, build_code_only(pkt, 3, 3)), EAP_RESULT_SUCCESS);
	CHECK_EQ(eap_client_msk(c, &msk, &msk_len), 0);
	CHECK_EQ(msk_len, 64);
	/* Second half: RFC 3079 3.5.3 SendStartKey128 (authenticator's send key), then zeros. */
	check_unhex("8B7CDC149B993A1BA118CB153F56DCCB", want, 16);
	CHECK_MEM(msk + 16, want, 16);
	CHECK_MEM(msk + 32, zeros, 32);
	CHECK_EQ(eap_client_method(c), 26);
	CHECK_EQ(strcmp(eap_client_reason(c), ""), 0);

	/* Anything after SUCCESS is unexpected. */
	CHECK_EQ(feed(c, build_request(pkt, 4, 1, NULL, 0)), -EPROTO);
	CHECK_EQ(feed(c, build_code_only(pkt, 4, 4)), -EPROTO);
	eap_client_free(c);
}

static void test_mschapv2_domain_and_lowercase(void)
{
	/* A "DOMAIN\" prefix stays in the Name but not in ChallengeHash (RFC 2759 8.2), so the
	   NT-Response is still the RFC's (checked inside). The S= hex may be lower case. */
	struct pinned_rand r = {RFC2759_PEER_CHALLENGE, 0, 0};
	struct eap_client *c = mschapv2_up_to_response("EXAMPLE\\User", &r);
	const char *msg = "S=407a5589115fd0d6209f510fe9c04566932cda56";

	/* Also with a NUL after it, as a server may count a C string's terminator. */
	CHECK_EQ(feed(c, build_mschapv2(pkt, 9, 3, 0x2a, msg, strlen(msg) + 1)), EAP_RESULT_SEND);
	expect_out("02 09 0006 1a 03");
	CHECK_EQ(feed(c, build_code_only(pkt, 3, 9)), EAP_RESULT_SUCCESS);
	eap_client_free(c);
}

static void test_mschapv2_failure(void)
{
	struct pinned_rand r = {RFC2759_PEER_CHALLENGE, 0, 0};
	struct eap_client *c = mschapv2_up_to_response(RFC2759_USER, &r);
	const char *msg = "E=691 R=0 C=00112233445566778899AABBCCDDEEFF V=3 M=Bad\x01password";
	const uint8_t *msk;
	size_t msk_len;

	CHECK_EQ(feed(c, build_mschapv2(pkt, 3, 4, 0x2a, msg, strlen(msg))), EAP_RESULT_SEND);
	expect_out("02 03 0006 1a 04"); /* Failure Response: OpCode alone */
	CHECK(eap_client_failed(c));
	CHECK(strstr(eap_client_reason(c), "E=691: authentication failure") != NULL);
	CHECK(strstr(eap_client_reason(c), "Bad?password") != NULL);
	/* No EAP-Success after a Failure. */
	CHECK_EQ(feed(c, build_code_only(pkt, 3, 3)), -EPROTO);
	CHECK_EQ(feed(c, build_code_only(pkt, 4, 3)), EAP_RESULT_FAILURE);
	CHECK(strstr(eap_client_reason(c), "E=691: authentication failure") != NULL);
	CHECK_EQ(eap_client_msk(c, &msk, &msk_len), -EAGAIN);
	CHECK_EQ(feed(c, build_code_only(pkt, 4, 3)), -EPROTO);
	eap_client_free(c);

	/* Another code (RFC 2759 6: 648 password expired), no M= text. */
	r.calls = 0;
	c = mschapv2_up_to_response(RFC2759_USER, &r);
	msg = "E=648 R=0 C=00112233445566778899AABBCCDDEEFF V=3";
	CHECK_EQ(feed(c, build_mschapv2(pkt, 3, 4, 0x2a, msg, strlen(msg))), EAP_RESULT_SEND);
	CHECK(strstr(eap_client_reason(c), "E=648: password expired") != NULL);
	eap_client_free(c);
}

static void test_mschapv2_bad_authenticator(void)
{
	struct pinned_rand r = {RFC2759_PEER_CHALLENGE, 0, 0};
	struct eap_client *c = mschapv2_up_to_response(RFC2759_USER, &r);
	/* The RFC's authenticator response with its last digit changed. */
	const char *msg = "S=407A5589115FD0D6209F510FE9C04566932CDA57 M=Welcome";
	const uint8_t *msk;
	size_t msk_len;

	CHECK_EQ(feed(c, build_mschapv2(pkt, 3, 3, 0x2a, msg, strlen(msg))), EAP_RESULT_FAILURE);
	CHECK_EQ(out_len, 0);
	CHECK(eap_client_failed(c));
	CHECK_EQ(strcmp(eap_client_reason(c), "gateway failed MSCHAPv2 mutual authentication"), 0);
	CHECK_EQ(feed(c, build_code_only(pkt, 3, 3)), -EPROTO);
	CHECK_EQ(eap_client_msk(c, &msk, &msk_len), -EAGAIN);
	eap_client_free(c);
}

static void test_mschapv2_resources(void)
{
	/* A failing rand_fn and a too small buffer change nothing: the retry succeeds. */
	struct pinned_rand r = {RFC2759_PEER_CHALLENGE, 0, -EIO};
	struct eap_client *c = new_client(RFC2759_USER, RFC2759_PASSWORD, 0, &r);
	size_t len = build_challenge(pkt, 2, 7, RFC2759_AUTH_CHALLENGE, "gw");
	uint8_t nt[24];

	CHECK_EQ(feed(c, len), -EIO);
	CHECK_EQ(eap_client_method(c), 0);
	r.fail = 0;
	CHECK_EQ(eap_client_process(c, pkt, len, out, 40, &out_len), -ENOBUFS);
	CHECK_EQ(eap_client_process(c, pkt, len, NULL, 0, &out_len), -ENOBUFS);
	CHECK_EQ(eap_client_method(c), 0);
	CHECK_EQ(feed(c, len), EAP_RESULT_SEND);
	check_unhex(RFC2759_NT_RESPONSE, nt, 24);
	CHECK_MEM(out + 34, nt, 24);
	eap_client_free(c);
}

static void test_nak(void)
{
	struct pinned_rand r = {"00", 0, 0};
	struct eap_client *c;

	/* Both allowed: Nak lists MSCHAPv2 then MD5 (RFC 3748 5.3.1). TLS = 13. */
	c = new_client("carol", "carol-password", 0, &r);
	CHECK_EQ(feed(c, build_request(pkt, 5, 13, "\x20", 1)), EAP_RESULT_SEND);
	expect_out("02 05 0007 03 1a 04");
	/* The gateway may then propose something we take. */
	CHECK_EQ(feed(c, build_challenge(pkt, 6, 1, RFC2759_AUTH_CHALLENGE, "gw")),
		 EAP_RESULT_SEND);
	eap_client_free(c);

	/* MSCHAPv2 only: a proposed MD5 is refused too. */
	c = new_client("carol", "carol-password", EAP_ALLOW(EAP_TYPE_MSCHAPV2), &r);
	CHECK_EQ(feed(c, build_request(pkt, 5, 4, "\x01\x55", 2)), EAP_RESULT_SEND);
	expect_out("02 05 0006 03 1a");
	CHECK_EQ(eap_client_method(c), 0);
	/* Expanded Type request: Expanded Nak (RFC 3748 5.3.2), alternatives as IETF types. */
	CHECK_EQ(feed(c, build_request(pkt, 6, 254, "\x00\x00\x00\x00\x00\x00\x01", 7)),
		 EAP_RESULT_SEND);
	expect_out("02 06 0014 fe 000000 00000003 fe 000000 0000001a");
	/* EAP-Failure then: the reason names what the gateway wanted. */
	CHECK_EQ(feed(c, build_code_only(pkt, 4, 6)), EAP_RESULT_FAILURE);
	CHECK(strstr(eap_client_reason(c), "Expanded") != NULL);
	eap_client_free(c);

	c = new_client("carol", "carol-password", EAP_ALLOW(EAP_TYPE_MD5), &r);
	CHECK_EQ(feed(c, build_request(pkt, 8, 25, NULL, 0)), EAP_RESULT_SEND);
	expect_out("02 08 0006 03 04");
	CHECK_EQ(feed(c, build_code_only(pkt, 4, 8)), EAP_RESULT_FAILURE);
	CHECK(strstr(eap_client_reason(c), "PEAP") != NULL);
	eap_client_free(c);
}

static void test_notification_and_padding(void)
{
	struct pinned_rand r = {"00", 0, 0};
	struct eap_client *c = new_client("carol", "carol-password", 0, &r);
	size_t len;

	CHECK_EQ(feed(c, build_request(pkt, 9, 2, "maintenance at 5", 16)), EAP_RESULT_SEND);
	expect_out("02 09 0005 02");
	/* Octets past Length are padding (RFC 3748 4.1). */
	len = build_request(pkt, 10, 1, NULL, 0);
	memset(pkt + len, 0xee, 7);
	CHECK_EQ(feed(c, len + 7), EAP_RESULT_SEND);
	expect_out("02 0a 000a 01 6361726f6c"); /* "carol" */
	eap_client_free(c);
}

static void test_md5(void)
{
	struct pinned_rand r = {"00", 0, 0};
	struct eap_client *c = new_client("carol", "carol-password", EAP_ALLOW(EAP_TYPE_MD5), &r);
	uint8_t td[64], want[16], buf[64];
	unsigned int n = 0;
	const uint8_t *msk;
	size_t msk_len, chal_len = check_unhex("0f1e2d3c4b5a69788796a5b4c3d2e1f0", td + 1, 32);

	/* Type-Data: Value-Size, Value, Name (RFC 3748 5.4). */
	td[0] = (uint8_t)chal_len;
	memcpy(td + 1 + chal_len, "gw", 2);
	CHECK_EQ(feed(c, build_request(pkt, 0x37, 4, td, 1 + chal_len + 2)), EAP_RESULT_SEND);
	CHECK_EQ(eap_client_method(c), 4);

	/* RFC 1994 4.1: MD5(Identifier | secret | Challenge), computed here with OpenSSL. */
	buf[0] = 0x37;
	memcpy(buf + 1, "carol-password", 14);
	memcpy(buf + 15, td + 1, chal_len);
	CHECK(EVP_Digest(buf, 15 + chal_len, want, &n, EVP_md5(), NULL) == 1);
	CHECK_EQ(out_len, 22);
	CHECK_MEM(out, "\x02\x37\x00\x16\x04\x10", 6);
	CHECK_MEM(out + 6, want, 16);

	CHECK_EQ(feed(c, build_code_only(pkt, 3, 0x37)), EAP_RESULT_SUCCESS);
	CHECK_EQ(eap_client_msk(c, &msk, &msk_len), -ENOENT);
	CHECK_EQ(r.calls, 0);
	eap_client_free(c);

	/* Wrong password: EAP-Failure after the MD5 response. */
	c = new_client("carol", "carol-password", 0, &r);
	CHECK_EQ(feed(c, build_request(pkt, 1, 4, td, 1 + chal_len)), EAP_RESULT_SEND);
	CHECK_EQ(feed(c, build_code_only(pkt, 4, 1)), EAP_RESULT_FAILURE);
	CHECK(strstr(eap_client_reason(c), "MD5") != NULL);
	eap_client_free(c);
}

static void test_config(void)
{
	struct eap_client *c = (struct eap_client *)&c;
	struct eap_client_config cfg = {"carol", "pw", 0, NULL, NULL};

	CHECK_EQ(eap_client_new(&c, NULL), -EINVAL);
	CHECK(c == NULL);
	cfg.identity = NULL;
	CHECK_EQ(eap_client_new(&c, &cfg), -EINVAL);
	cfg.identity = "";
	CHECK_EQ(eap_client_new(&c, &cfg), -EINVAL);
	cfg.identity = "carol";
	cfg.password = NULL;
	CHECK_EQ(eap_client_new(&c, &cfg), -EINVAL);
	cfg.password = "pw";
	cfg.allowed = EAP_ALLOW(13); /* TLS only: nothing we support */
	CHECK_EQ(eap_client_new(&c, &cfg), -EINVAL);
	cfg.allowed = 0;
	cfg.password = "bad \xff utf-8";
	CHECK_EQ(eap_client_new(&c, &cfg), -EINVAL);
	cfg.allowed = EAP_ALLOW(EAP_TYPE_MD5); /* MD5 takes the octets as they are */
	CHECK_EQ(eap_client_new(&c, &cfg), 0);
	eap_client_free(c);
	eap_client_free(NULL);

	CHECK_EQ(strcmp(eap_type_name(26), "MSCHAPv2"), 0);
	CHECK_EQ(strcmp(eap_type_name(4), "MD5"), 0);
	CHECK_EQ(strcmp(eap_type_name(200), "unknown"), 0);
}

int main(void)
{
	test_mschapv2_success();
	test_mschapv2_domain_and_lowercase();
	test_mschapv2_failure();
	test_mschapv2_bad_authenticator();
	test_mschapv2_resources();
	test_nak();
	test_notification_and_padding();
	test_md5();
	test_config();
	return check_done("eap_client");
}
