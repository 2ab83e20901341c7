/*
 * EAP MD5-Challenge (RFC 3748 5.4), the CHAP computation of RFC 1994 4.1.
 *
 * Type-Data of the Request and of the Response (RFC 1994 4.1, as RFC 3748 5.4 reuses it):
 *    0                   1                   2
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Value-Size   |  Value ...                     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Name ...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-
 */
#include "client/eap/method.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

enum { MD5_VALUE_LEN = 16 };

int eap_md5_value(uint8_t id, const uint8_t *secret, size_t secret_len, const uint8_t *challenge,
		  size_t challenge_len, uint8_t value[16])
{
	unsigned int n = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) && EVP_DigestUpdate(ctx, &id, 1) &&
		 EVP_DigestUpdate(ctx, secret, secret_len) &&
		 EVP_DigestUpdate(ctx, challenge, challenge_len) &&
		 EVP_DigestFinal_ex(ctx, value, &n) && n == MD5_VALUE_LEN;

	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

int eap_md5_respond(uint8_t id, const char *password, const uint8_t *data, size_t len,
		    struct eap_writer *w)
{
	struct eap_cursor cur = eap_cursor_make(data, len);
	const uint8_t *challenge;
	uint8_t size, value[MD5_VALUE_LEN];
	int err;

	/* The Name that may follow the Value is the authenticator's: not used. */
	if (eap_cursor_u8(&cur, &size) || size == 0 || eap_cursor_bytes(&cur, size, &challenge))
		return -EBADMSG;
	err =
	    eap_md5_value(id, (const uint8_t *)password, strlen(password), challenge, size, value);
	if (err)
		return err;
	eap_writer_begin(w, id, EAP_TYPE_MD5);
	eap_writer_u8(w, MD5_VALUE_LEN);
	eap_writer_bytes(w, value, sizeof(value));
	OPENSSL_cleanse(value, sizeof(value));
	return w->overflow ? -ENOBUFS : 0;
}
