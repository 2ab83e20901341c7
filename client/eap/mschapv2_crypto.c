/* MS-CHAP-V2 algorithms (RFC 2759 8) and MPPE master keys (RFC 3079 3.4). */
#include "client/eap/mschapv2.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "client/eap/md4.h"

struct part {
	const void *p;
	size_t len;
};

/* SHA1 over the concatenation of parts; the first out_len bytes of the digest go to out. */
static int sha1_parts(const struct part *parts, size_t n, uint8_t *out, size_t out_len)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL);

	for (size_t i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, parts[i].p, parts[i].len);
	ok = ok && EVP_DigestFinal_ex(ctx, md, &md_len) && md_len >= out_len;
	if (ok)
		memcpy(out, md, out_len);
	EVP_MD_CTX_free(ctx);
	OPENSSL_cleanse(md, sizeof(md));
	return ok ? 0 : -EIO;
}

/* Reads one code point from UTF-8; rejects overlong forms, surrogates and values past U+10FFFF.
   Returns the number of bytes used, or 0 when invalid. */
static size_t utf8_decode(const uint8_t *s, uint32_t *cp)
{
	static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
	size_t n;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		v = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		v = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		v = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the terminating NUL */
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

int eap_mschapv2_password_utf16(const char *utf8, uint8_t out[MSCHAPV2_PASSWORD_MAX_BYTES],
				size_t *out_len)
{
	const uint8_t *s = (const uint8_t *)utf8;
	size_t len = 0;

	while (*s) {
		uint32_t cp, units[2];
		size_t n = utf8_decode(s, &cp), nu = 1;

		if (n == 0)
			goto invalid;
		s += n;
		units[0] = cp;
		if (cp >= 0x10000) { /* UTF-16 surrogate pair */
			cp -= 0x10000;
			units[0] = 0xd800 | cp >> 10;
			units[1] = 0xdc00 | (cp & 0x3ff);
			nu = 2;
		}
		if (len + 2 * nu > MSCHAPV2_PASSWORD_MAX_BYTES)
			goto invalid;
		for (size_t i = 0; i < nu; i++) {
			out[len++] = (uint8_t)units[i];
			out[len++] = (uint8_t)(units[i] >> 8);
		}
	}
	*out_len = len;
	return 0;
invalid:
	OPENSSL_cleanse(out, MSCHAPV2_PASSWORD_MAX_BYTES);
	return -EINVAL;
}

const char *eap_mschapv2_user_name(const char *identity)
{
	const char *bs = strchr(identity, '\\');
	return bs ? bs + 1 : identity;
}

void eap_mschapv2_nt_password_hash(const uint8_t *pw16, size_t pw16_len,
				   uint8_t hash[MSCHAPV2_HASH_LEN])
{
	eap_md4(pw16, pw16_len, hash);
}

void eap_mschapv2_hash_nt_password_hash(const uint8_t hash[MSCHAPV2_HASH_LEN],
					uint8_t hash_hash[MSCHAPV2_HASH_LEN])
{
	eap_md4(hash, MSCHAPV2_HASH_LEN, hash_hash);
}

int eap_mschapv2_challenge_hash(const uint8_t peer_challenge[MSCHAPV2_CHALLENGE_LEN],
				const uint8_t auth_challenge[MSCHAPV2_CHALLENGE_LEN],
				const char *user_name,
				uint8_t challenge[MSCHAPV2_CHALLENGE_HASH_LEN])
{
	const struct part parts[] = {
	    {peer_challenge, MSCHAPV2_CHALLENGE_LEN},
	    {auth_challenge, MSCHAPV2_CHALLENGE_LEN},
	    {user_name, strlen(user_name)},
	};
	return sha1_parts(parts, 3, challenge, MSCHAPV2_CHALLENGE_HASH_LEN);
}

/* Spreads 56 key bits over 8 bytes, 7 per byte, with odd parity in the low bit (the DES key
   format RFC 2759 8.6 DesEncrypt expects). */
static void des_key_expand(const uint8_t in[7], uint8_t out[8])
{
	uint64_t bits = 0;

	for (int i = 0; i < 7; i++)
		bits = bits << 8 | in[i];
	for (int i = 0; i < 8; i++) {
		uint8_t b = (uint8_t)((bits >> (49 - 7 * i)) & 0x7f) << 1;
		b |= !__builtin_parity(b);
		out[i] = b;
	}
}

/* DesEncrypt (RFC 2759 8.6). Single DES through DES-EDE3 with K1 = K2 = K3, which OpenSSL's
   default provider offers (plain DES is in the legacy provider only). */
static int des_encrypt(const uint8_t clear[8], const uint8_t key7[7], uint8_t cypher[8])
{
	uint8_t k8[8], key[24];
	int n = 0, ok;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	des_key_expand(key7, k8);
	for (int i = 0; i < 3; i++)
		memcpy(key + 8 * i, k8, 8);
	ok = ctx && EVP_EncryptInit_ex(ctx, EVP_des_ede3_ecb(), NULL, key, NULL) &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) && EVP_EncryptUpdate(ctx, cypher, &n, clear, 8) &&
	     n == 8;
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(k8, sizeof(k8));
	OPENSSL_cleanse(key, sizeof(key));
	return ok ? 0 : -EIO;
}

int eap_mschapv2_challenge_response(const uint8_t challenge[MSCHAPV2_CHALLENGE_HASH_LEN],
				    const uint8_t hash[MSCHAPV2_HASH_LEN],
				    uint8_t response[MSCHAPV2_NT_RESPONSE_LEN])
{
	uint8_t z[21] = {0}; /* ZPasswordHash: the hash padded with zeros to 21 octets */
	int err = 0;

	memcpy(z, hash, MSCHAPV2_HASH_LEN);
	for (int i = 0; i < 3 && !err; i++)
		err = des_encrypt(challenge, z + 7 * i, response + 8 * i);
	OPENSSL_cleanse(z, sizeof(z));
	return err;
}

int eap_mschapv2_authenticator_response(const uint8_t hash[MSCHAPV2_HASH_LEN],
					const uint8_t nt_response[MSCHAPV2_NT_RESPONSE_LEN],
					const uint8_t challenge[MSCHAPV2_CHALLENGE_HASH_LEN],
					uint8_t out[MSCHAPV2_AUTH_RESPONSE_LEN])
{
	/* RFC 2759 8.7: Magic1 and Magic2 */
	static const char magic1[] = "Magic server to client signing constant";
	static const char magic2[] = "Pad to make it do more than one iteration";
	uint8_t hash_hash[MSCHAPV2_HASH_LEN], digest[20];
	int err;

	eap_mschapv2_hash_nt_password_hash(hash, hash_hash);
	{
		const struct part p1[] = {
		    {hash_hash, sizeof(hash_hash)},
		    {nt_response, MSCHAPV2_NT_RESPONSE_LEN},
		    {magic1, sizeof(magic1) - 1},
		};
		err = sha1_parts(p1, 3, digest, sizeof(digest));
	}
	if (!err) {
		const struct part p2[] = {
		    {digest, sizeof(digest)},
		    {challenge, MSCHAPV2_CHALLENGE_HASH_LEN},
		    {magic2, sizeof(magic2) - 1},
		};
		err = sha1_parts(p2, 3, out, MSCHAPV2_AUTH_RESPONSE_LEN);
	}
	OPENSSL_cleanse(hash_hash, sizeof(hash_hash));
	OPENSSL_cleanse(digest, sizeof(digest));
	return err;
}

int eap_mschapv2_master_key(const uint8_t hash_hash[MSCHAPV2_HASH_LEN],
			    const uint8_t nt_response[MSCHAPV2_NT_RESPONSE_LEN],
			    uint8_t master_key[MSCHAPV2_MASTER_KEY_LEN])
{
	/* RFC 3079 3.4: Magic1 */
	static const char magic1[] = "This is the MPPE Master Key";
	const struct part parts[] = {
	    {hash_hash, MSCHAPV2_HASH_LEN},
	    {nt_response, MSCHAPV2_NT_RESPONSE_LEN},
	    {magic1, sizeof(magic1) - 1},
	};
	return sha1_parts(parts, 3, master_key, MSCHAPV2_MASTER_KEY_LEN);
}

int eap_mschapv2_start_key(const uint8_t master_key[MSCHAPV2_MASTER_KEY_LEN], bool is_send,
			   bool is_server, uint8_t key[MSCHAPV2_SESSION_KEY_LEN])
{
	/* RFC 3079 3.4: Magic2, Magic3, SHSpad1, SHSpad2 */
	static const char magic2[] = "On the client side, this is the send key; "
				     "on the server side, it is the receive key.";
	static const char magic3[] = "On the client side, this is the receive key; "
				     "on the server side, it is the send key.";
	uint8_t pad1[40], pad2[40];
	const char *s = is_send == is_server ? magic3 : magic2;

	memset(pad1, 0x00, sizeof(pad1));
	memset(pad2, 0xf2, sizeof(pad2));
	const struct part parts[] = {
	    {master_key, MSCHAPV2_MASTER_KEY_LEN},
	    {pad1, sizeof(pad1)},
	    {s, sizeof(magic2) - 1}, /* both strings are 84 octets */
	    {pad2, sizeof(pad2)},
	};
	_Static_assert(sizeof(magic2) == sizeof(magic3), "RFC 3079 magic strings differ in size");
	return sha1_parts(parts, 4, key, MSCHAPV2_SESSION_KEY_LEN);
}

/*
 * MSK = MasterReceiveKey | MasterSendKey | 32 zero octets, where MasterReceiveKey and
 * MasterSendKey are the *authenticator's* keys: [MS-CHAP] 3.1.5.1 ("Master Session Key (MSK)
 * Derivation"), referring to RFC 3079 3.3; the 64-byte MSK size is RFC 3748 7.10's.
 * The authenticator's receive key is the peer's send key (RFC 3079 3.4: Magic2 is "on the
 * client side, the send key; on the server side, the receive key"), so from the peer's side
 * MSK = GetAsymetricStartKey(IsSend, !IsServer) | GetAsymetricStartKey(!IsSend, !IsServer)
 *     = start key from Magic2 | start key from Magic3 | 0^32,
 * which both ends compute alike.
 */
int eap_mschapv2_msk(const uint8_t master_key[MSCHAPV2_MASTER_KEY_LEN], uint8_t msk[64])
{
	int err;

	memset(msk, 0, 64);
	err = eap_mschapv2_start_key(master_key, true, false, msk);
	if (!err)
		err = eap_mschapv2_start_key(master_key, false, false, msk + 16);
	if (err)
		OPENSSL_cleanse(msk, 64);
	return err;
}
