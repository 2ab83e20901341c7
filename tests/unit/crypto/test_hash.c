/* hash_sha1 / hash_sha256 / hash_md5 against published digests. */
#include "crypto/hash.h"

#include "tests/unit/check.h"

int main(void)
{
	uint8_t out[32], want[32];

	/* FIPS 180-2 Appendix A.1 / B.1: SHA-1 and SHA-256 of "abc". */
	CHECK_EQ(hash_sha1("abc", 3, out), 0);
	check_unhex("a9993e364706816aba3e25717850c26c9cd0d89d", want, sizeof(want));
	CHECK_MEM(out, want, 20);
	CHECK_EQ(hash_sha256("abc", 3, out), 0);
	check_unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", want,
		    sizeof(want));
	CHECK_MEM(out, want, 32);

	/* RFC 1321 appendix A.5: MD5 ("") and MD5 ("abc"). */
	CHECK_EQ(hash_md5("", 0, out), 0);
	check_unhex("d41d8cd98f00b204e9800998ecf8427e", want, sizeof(want));
	CHECK_MEM(out, want, 16);
	CHECK_EQ(hash_md5("abc", 3, out), 0);
	check_unhex("900150983cd24fb0d6963f7d28e17f72", want, sizeof(want));
	CHECK_MEM(out, want, 16);

	return check_done("test_hash");
}
