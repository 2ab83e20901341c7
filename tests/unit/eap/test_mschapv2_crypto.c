/*
 * MS-CHAP-V2 algorithms against RFC 2759 9.2 and RFC 3079 3.5.3, and the MSK layout.
 */
#include "tests/unit/check.h"

#include <errno.h>

#include <openssl/evp.h>

#include "client/eap/mschapv2.h"

/* RFC 2759 9.2 "Sample Data" */
static const char *user = "User";
static const char *password = "clientPass";
static const char *pw16_hex = "63 00 6C 00 69 00 65 00 6E 00 74 00 50 00 61 00 73 00 73 00";
static const char *auth_challenge_hex = "5B 5D 7C 7D 7B 3F 2F 3E 3C 2C 60 21 32 26 26 28";
static const char *peer_challenge_hex = "21 40 23 24 25 5E 26 2A 28 29 5F 2B 3A 33 7C 7E";
static const char *challenge_hex = "D0 2E 43 86 BC E9 12 26";
static const char *nt_response_hex = "82 30 9E CD 8D 70 8B 5E A0 8F AA 39 81 CD 83 54 "
				     "42 33 11 4A 3D 85 D6 DF";
static const char *hash_hex = "44 EB BA 8D 53 12 B8 D6 11 47 44 11 F5 69 89 AE";
static const char *hash_hash_hex = "41 C0 0C 58 4B D2 D9 1C 40 17 A2 A1 2F A5 9F 3F";
/* AuthenticatorResponse "S=407A5589115FD0D6209F510FE9C04566932CDA56" */
static const char *auth_response_hex = "407A5589115FD0D6209F510FE9C04566932CDA56";
/* RFC 3079 3.5.3 (128-bit key), same credentials */
static const char *master_key_hex = "FD EC E3 71 7A 8C 83 8C B3 88 E5 27 AE 3C DD 31";
static const char *send_start_key128_hex = "8B 7C DC 14 9B 99 3A 1B A1 18 CB 15 3F 56 DC CB";

static void test_rfc2759(void)
{
	uint8_t pw16[MSCHAPV2_PASSWORD_MAX_BYTES], want_pw16[20];
	uint8_t ac[16], pc[16], want[24], got[24], hash[16], ch[8];
	size_t n = 0;

	CHECK_EQ(eap_mschapv2_password_utf16(password, pw16, &n), 0);
	CHECK_EQ(n, check_unhex(pw16_hex, want_pw16, sizeof(want_pw16)));
	CHECK_MEM(pw16, want_pw16, sizeof(want_pw16));

	eap_mschapv2_nt_password_hash(pw16, n, hash);
	check_unhex(hash_hex, want, 16);
	CHECK_MEM(hash, want, 16);

	eap_mschapv2_hash_nt_password_hash(hash, got);
	check_unhex(hash_hash_hex, want, 16);
	CHECK_MEM(got, want, 16);

	check_unhex(auth_challenge_hex, ac, 16);
	check_unhex(peer_challenge_hex, pc, 16);
	CHECK_EQ(eap_mschapv2_challenge_hash(pc, ac, user, ch), 0);
	check_unhex(challenge_hex, want, 8);
	CHECK_MEM(ch, want, 8);

	CHECK_EQ(eap_mschapv2_challenge_response(ch, hash, got), 0);
	check_unhex(nt_response_hex, want, 24);
	CHECK_MEM(got, want, 24);

	uint8_t ar[20], want_ar[20];
	CHECK_EQ(eap_mschapv2_authenticator_response(hash, got, ch, ar), 0);
	check_unhex(auth_response_hex, want_ar, 20);
	CHECK_MEM(ar, want_ar, 20);
}

static void test_user_name(void)
{
	/* RFC 2759 8.2: the domain prefix does not enter ChallengeHash. */
	CHECK(strcmp(eap_mschapv2_user_name("EXAMPLE\\User"), "User") == 0);
	CHECK(strcmp(eap_mschapv2_user_name("User"), "User") == 0);
	CHECK(strcmp(eap_mschapv2_user_name("user@example.test"), "user@example.test") == 0);
}

static void test_rfc3079(void)
{
	uint8_t hh[16], nt[24], mk[16], want[16], key[16];

	check_unhex(hash_hash_hex, hh, 16);
	check_unhex(nt_response_hex, nt, 24);
	CHECK_EQ(eap_mschapv2_master_key(hh, nt, mk), 0);
	check_unhex(master_key_hex, want, 16);
	CHECK_MEM(mk, want, 16);

	/* RFC 3079 3.5.3 prints the key as computed by the server for sending (Magic3). The
	   client's receive key is the same key. */
	check_unhex(send_start_key128_hex, want, 16);
	CHECK_EQ(eap_mschapv2_start_key(mk, true, true, key), 0);
	CHECK_MEM(key, want, 16);
	CHECK_EQ(eap_mschapv2_start_key(mk, false, false, key), 0);
	CHECK_MEM(key, want, 16);
	/* The other direction must differ (Magic2). */
	CHECK_EQ(eap_mschapv2_start_key(mk, true, false, key), 0);
	CHECK(memcmp(key, want, 16) != 0);
}

/* Independent computation of the Magic2 start key with OpenSSL's SHA1 from RFC 3079 3.4's
   pseudo-code: SHA1(MasterKey | SHSpad1 | Magic2 | SHSpad2)[0..16). */
static void magic2_key(const uint8_t mk[16], uint8_t out[16])
{
	const char *magic2 = "On the client side, this is the send key; on the server side, it is "
			     "the receive key.";
	uint8_t buf[16 + 40 + 84 + 40], md[20];
	unsigned int n;

	memcpy(buf, mk, 16);
	memset(buf + 16, 0, 40);
	memcpy(buf + 56, magic2, 84);
	memset(buf + 140, 0xf2, 40);
	CHECK(strlen(magic2) == 84);
	CHECK(EVP_Digest(buf, sizeof(buf), md, &n, EVP_sha1(), NULL) == 1);
	memcpy(out, md, 16);
}

static void test_msk(void)
{
	uint8_t mk[16], msk[64], want[16], zeros[32] = {0};

	/* [MS-CHAP] 3.1.5.1: MSK = MasterReceiveKey | MasterSendKey | 32 zero octets, with the
	   authenticator's receive key (Magic2) first and its send key (Magic3, RFC 3079 3.5.3's
	   SendStartKey128) second. */
	check_unhex(master_key_hex, mk, 16);
	memset(msk, 0xaa, sizeof(msk));
	CHECK_EQ(eap_mschapv2_msk(mk, msk), 0);
	magic2_key(mk, want);
	CHECK_MEM(msk, want, 16);
	check_unhex(send_start_key128_hex, want, 16);
	CHECK_MEM(msk + 16, want, 16);
	CHECK_MEM(msk + 32, zeros, 32);
}

static void test_utf16(void)
{
	uint8_t out[MSCHAPV2_PASSWORD_MAX_BYTES], want[16];
	size_t n = 0;
	char longpw[300];

	/* U+00E4 (2 UTF-8 octets), U+20AC (3), U+1F600 (4: surrogates D83D DE00, RFC 2781 2.1) */
	CHECK_EQ(eap_mschapv2_password_utf16("a\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80", out, &n), 0);
	CHECK_EQ(n, check_unhex("6100 e400 ac20 3dd8 00de", want, sizeof(want)));
	CHECK_MEM(out, want, 10);
	CHECK_EQ(eap_mschapv2_password_utf16("", out, &n), 0);
	CHECK_EQ(n, 0);

	/* Invalid UTF-8: truncated, overlong, surrogate, beyond U+10FFFF, stray continuation. */
	CHECK_EQ(eap_mschapv2_password_utf16("ab\xc3", out, &n), -EINVAL);
	CHECK_EQ(eap_mschapv2_password_utf16("\xc0\xaf", out, &n), -EINVAL);
	CHECK_EQ(eap_mschapv2_password_utf16("\xed\xa0\x80", out, &n), -EINVAL);
	CHECK_EQ(eap_mschapv2_password_utf16("\xf4\x90\x80\x80", out, &n), -EINVAL);
	CHECK_EQ(eap_mschapv2_password_utf16("\x80", out, &n), -EINVAL);

	/* 256 characters is the limit (RFC 2759 8.1). */
	memset(longpw, 'x', 256);
	longpw[256] = '\0';
	CHECK_EQ(eap_mschapv2_password_utf16(longpw, out, &n), 0);
	CHECK_EQ(n, 512);
	longpw[256] = 'x';
	longpw[257] = '\0';
	CHECK_EQ(eap_mschapv2_password_utf16(longpw, out, &n), -EINVAL);
}

int main(void)
{
	test_rfc2759();
	test_user_name();
	test_rfc3079();
	test_msk();
	test_utf16();
	return check_done("mschapv2_crypto");
}
