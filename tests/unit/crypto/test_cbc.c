/* AES-CBC against NIST SP 800-38A appendix F.2.1-F.2.6 (CBC-AES128/192/256). */
#include <errno.h>
#include <string.h>

#include "crypto/cbc.h"
#include "tests/unit/check.h"

static const char iv_hex[] = "000102030405060708090a0b0c0d0e0f";
static const char pt_hex[] = "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51"
			     "30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710";

static const struct {
	const char *key, *ct;
} cases[] = {
    {/* F.2.1 / F.2.2 CBC-AES128 */
     "2b7e151628aed2a6abf7158809cf4f3c",
     "7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2"
     "73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7"},
    {/* F.2.3 / F.2.4 CBC-AES192 */
     "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
     "4f021db243bc633d7178183a9fa071e8 b4d9ada9ad7dedf4e5e738763f69145a"
     "571b242012fb7ae07fa9baac3df102e0 08b0e27988598881d920a9e64f5615cd"},
    {/* F.2.5 / F.2.6 CBC-AES256 */
     "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d"
     "39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b"},
};

int main(void)
{
	uint8_t iv[16], pt[64], ct[64], buf[64], key[32];

	check_unhex(iv_hex, iv, sizeof(iv));
	check_unhex(pt_hex, pt, sizeof(pt));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t key_len = check_unhex(cases[i].key, key, sizeof(key));

		check_unhex(cases[i].ct, ct, sizeof(ct));
		memcpy(buf, pt, sizeof(buf));
		CHECK_EQ(aes_cbc_encrypt(key, key_len, iv, buf, sizeof(buf)), 0);
		CHECK_MEM(buf, ct, sizeof(ct));
		CHECK_EQ(aes_cbc_decrypt(key, key_len, iv, buf, sizeof(buf)), 0);
		CHECK_MEM(buf, pt, sizeof(pt));
		/* The first block alone is a CBC message of its own. */
		memcpy(buf, pt, 16);
		CHECK_EQ(aes_cbc_encrypt(key, key_len, iv, buf, 16), 0);
		CHECK_MEM(buf, ct, 16);
	}
	/* Lengths that are not whole blocks and unknown key sizes are refused. */
	CHECK_EQ(aes_cbc_encrypt(key, 16, iv, buf, 15), -EINVAL);
	CHECK_EQ(aes_cbc_decrypt(key, 16, iv, buf, 17), -EINVAL);
	CHECK_EQ(aes_cbc_encrypt(key, 20, iv, buf, 16), -EINVAL);
	CHECK_EQ(aes_cbc_encrypt(key, 16, iv, buf, 0), 0);
	return check_done("test_cbc");
}
