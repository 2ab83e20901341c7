/* OpenSSL-backed random source. */
#include "crypto/random.h"

#include <errno.h>
#include <limits.h>

#include <openssl/rand.h>

int crypto_rand(void *arg, uint8_t *buf, size_t len)
{
	(void)arg;
	while (len > 0) {
		int chunk = len > INT_MAX ? INT_MAX : (int)len;
		if (RAND_bytes(buf, chunk) != 1)
			return -EIO;
		buf += chunk;
		len -= (size_t)chunk;
	}
	return 0;
}
