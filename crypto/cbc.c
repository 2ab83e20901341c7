/* AES-CBC through OpenSSL EVP, padding disabled. */
#include "crypto/cbc.h"

#include <errno.h>
#include <limits.h>

#include <openssl/evp.h>

static const EVP_CIPHER *cbc_cipher(size_t key_len)
{
	switch (key_len) {
	case 16:
		return EVP_aes_128_cbc();
	case 24:
		return EVP_aes_192_cbc();
	case 32:
		return EVP_aes_256_cbc();
	}
	return NULL;
}

static int cbc_crypt(int enc, const uint8_t *key, size_t key_len, const uint8_t iv[16],
		     uint8_t *data, size_t len)
{
	const EVP_CIPHER *cipher = cbc_cipher(key_len);
	EVP_CIPHER_CTX *ctx;
	int outl, r = -EIO;

	if (cipher == NULL || len % AES_CBC_BLOCK != 0 || len > INT_MAX)
		return -EINVAL;
	if (len == 0)
		return 0;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return -ENOMEM;
	if (EVP_CipherInit_ex(ctx, cipher, NULL, key, iv, enc) == 1 &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	    EVP_CipherUpdate(ctx, data, &outl, data, (int)len) == 1 && (size_t)outl == len &&
	    EVP_CipherFinal_ex(ctx, data + outl, &outl) == 1 && outl == 0)
		r = 0;
	EVP_CIPHER_CTX_free(ctx); /* cleanses the key schedule */
	return r;
}

int aes_cbc_encrypt(const uint8_t *key, size_t key_len, const uint8_t iv[16], uint8_t *data,
		    size_t len)
{
	return cbc_crypt(1, key, key_len, iv, data, len);
}

int aes_cbc_decrypt(const uint8_t *key, size_t key_len, const uint8_t iv[16], uint8_t *data,
		    size_t len)
{
	return cbc_crypt(0, key, key_len, iv, data, len);
}
