/* MD4 against the test suite of RFC 1320 appendix A.5. */
#include "tests/unit/check.h"

#include "client/eap/md4.h"

static void vector(const char *msg, const char *hex)
{
	uint8_t want[16], got[16];

	check_unhex(hex, want, sizeof(want));
	eap_md4(msg, strlen(msg), got);
	CHECK_MEM(got, want, 16);
}

int main(void)
{
	/* RFC 1320 A.5 */
	vector("", "31d6cfe0d16ae931b73c59d7e0c089c0");
	vector("a", "bde52cb31de33e46245e05fbdbd6fb24");
	vector("abc", "a448017aaf21d8525fc10ae87aa6729d");
	vector("message digest", "d9130a8164549fe818874806e1c7014b");
	vector("abcdefghijklmnopqrstuvwxyz", "d79e1c308aa5bbcdeea8ed63df412da9");
	vector("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
	       "043f8582f241db351ce627e153e7f0e4");
	vector("1234567890123456789012345678901234567890123456789012345678901234567890123456"
	       "7890",
	       "e33b4ddc9c38f2199c3e7b164fcc0536");
	return check_done("md4");
}
