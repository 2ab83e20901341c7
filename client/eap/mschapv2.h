/*
 * MS-CHAP-V2 algorithms (RFC 2759 section 8) and MPPE key derivation (RFC 3079 section 3),
 * named after the RFCs' pseudo-code. Each returns 0 or a negative errno (-EIO when OpenSSL
 * fails, -EINVAL for bad input).
 */
#ifndef TERN_CLIENT_EAP_MSCHAPV2_H
#define TERN_CLIENT_EAP_MSCHAPV2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum eap_mschapv2_sizes {
	MSCHAPV2_CHALLENGE_LEN = 16,
	MSCHAPV2_CHALLENGE_HASH_LEN = 8,
	MSCHAPV2_HASH_LEN = 16,
	MSCHAPV2_NT_RESPONSE_LEN = 24,
	MSCHAPV2_AUTH_RESPONSE_LEN = 20,
	MSCHAPV2_MASTER_KEY_LEN = 16,
	MSCHAPV2_SESSION_KEY_LEN = 16,	   /* 128-bit MPPE start keys */
	MSCHAPV2_PASSWORD_MAX_BYTES = 512, /* 256 UTF-16 code units (RFC 2759 8.1) */
};

/* UTF-8 password to the UTF-16LE form RFC 2759 hashes. -EINVAL: invalid UTF-8 or more than 256
   UTF-16 code units. */
int eap_mschapv2_password_utf16(const char *utf8, uint8_t out[MSCHAPV2_PASSWORD_MAX_BYTES],
				size_t *out_len);

/* The user name ChallengeHash uses: the identity without a "DOMAIN\" prefix (RFC 2759 8.2). */
const char *eap_mschapv2_user_name(const char *identity);

/* NtPasswordHash: MD4(password in UTF-16LE) (RFC 2759 8.3). */
void eap_mschapv2_nt_password_hash(const uint8_t *pw16, size_t pw16_len,
				   uint8_t hash[MSCHAPV2_HASH_LEN]);
/* HashNtPasswordHash: MD4(PasswordHash) (RFC 2759 8.4). */
void eap_mschapv2_hash_nt_password_hash(const uint8_t hash[MSCHAPV2_HASH_LEN],
					uint8_t hash_hash[MSCHAPV2_HASH_LEN]);
/* ChallengeHash: SHA1(PeerChallenge | AuthenticatorChallenge | UserName)[0..8) (8.2). */
int eap_mschapv2_challenge_hash(const uint8_t peer_challenge[MSCHAPV2_CHALLENGE_LEN],
				const uint8_t auth_challenge[MSCHAPV2_CHALLENGE_LEN],
				const char *user_name,
				uint8_t challenge[MSCHAPV2_CHALLENGE_HASH_LEN]);
/* ChallengeResponse: three DES encryptions of Challenge under the zero-padded hash (8.5). */
int eap_mschapv2_challenge_response(const uint8_t challenge[MSCHAPV2_CHALLENGE_HASH_LEN],
				    const uint8_t hash[MSCHAPV2_HASH_LEN],
				    uint8_t response[MSCHAPV2_NT_RESPONSE_LEN]);
/* GenerateAuthenticatorResponse, from PasswordHash and the ChallengeHash (8.7); out is the
   20-byte digest that the "S=" string carries in hex. */
int eap_mschapv2_authenticator_response(const uint8_t hash[MSCHAPV2_HASH_LEN],
					const uint8_t nt_response[MSCHAPV2_NT_RESPONSE_LEN],
					const uint8_t challenge[MSCHAPV2_CHALLENGE_HASH_LEN],
					uint8_t out[MSCHAPV2_AUTH_RESPONSE_LEN]);
/* GetMasterKey (RFC 3079 3.4). */
int eap_mschapv2_master_key(const uint8_t hash_hash[MSCHAPV2_HASH_LEN],
			    const uint8_t nt_response[MSCHAPV2_NT_RESPONSE_LEN],
			    uint8_t master_key[MSCHAPV2_MASTER_KEY_LEN]);
/* GetAsymetricStartKey with a 16-byte key (RFC 3079 3.4). */
int eap_mschapv2_start_key(const uint8_t master_key[MSCHAPV2_MASTER_KEY_LEN], bool is_send,
			   bool is_server, uint8_t key[MSCHAPV2_SESSION_KEY_LEN]);
/* The 64-byte MSK as the peer computes it (see mschapv2_crypto.c for the sources). */
int eap_mschapv2_msk(const uint8_t master_key[MSCHAPV2_MASTER_KEY_LEN], uint8_t msk[64]);

#endif
