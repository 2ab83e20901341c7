/* One-shot digests through OpenSSL's EVP_Digest. */
#include "crypto/hash.h"

#include <errno.h>

#include <openssl/evp.h>

static int digest(const EVP_MD *md, const void *data, size_t len, uint8_t *out)
{
	if (md == NULL || (data == NULL && len > 0))
		return -EINVAL;
	if (EVP_Digest(data, len, out, NULL, md, NULL) != 1)
		return -EIO;
	return 0;
}

int hash_sha1(const void *data, size_t len, uint8_t out[20])
{
	return digest(EVP_sha1(), data, len, out);
}

int hash_sha256(const void *data, size_t len, uint8_t out[32])
{
	return digest(EVP_sha256(), data, len, out);
}

int hash_md5(const void *data, size_t len, uint8_t out[16])
{
	return digest(EVP_md5(), data, len, out);
}
