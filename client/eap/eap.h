/*
 * EAP peer (client) for IKEv2 (RFC 7296 2.16, 3.16). I/O-free: the IKE core hands in the
 * content of each EAP payload from the gateway (a complete EAP packet, RFC 3748 4) and sends
 * back what this returns.
 *
 * Methods: Identity (1), Notification (2), legacy and expanded Nak (3, 254), MD5-Challenge (4,
 * RFC 3748 5.4) and EAP-MSCHAPv2 (26, draft-kamath-pppext-eap-mschapv2-02, RFC 2759, RFC 3079).
 */
#ifndef TERN_CLIENT_EAP_EAP_H
#define TERN_CLIENT_EAP_EAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/random.h"

enum eap_code {
	EAP_CODE_REQUEST = 1,
	EAP_CODE_RESPONSE = 2,
	EAP_CODE_SUCCESS = 3,
	EAP_CODE_FAILURE = 4,
};

enum eap_type {
	EAP_TYPE_IDENTITY = 1,
	EAP_TYPE_NOTIFICATION = 2,
	EAP_TYPE_NAK = 3,
	EAP_TYPE_MD5 = 4,
	EAP_TYPE_MSCHAPV2 = 26,
	EAP_TYPE_EXPANDED = 254,
};

enum eap_limits {
	EAP_HEADER_LEN = 4,	      /* Code, Identifier, Length (RFC 3748 4) */
	EAP_MSK_LEN = 64,	      /* MSK size (RFC 3748 7.10) */
	EAP_REASON_LEN = 256,	      /* room for a failure reason, with its NUL */
	EAP_PASSWORD_MAX_CHARS = 256, /* RFC 2759 8.1: 0 to 256 Unicode characters */
};

#define EAP_ALLOW(t) (1u << (t))

struct eap_client_config {
	const char *identity; /* also the MSCHAPv2 user name */
	const char *password; /* UTF-8; MSCHAPv2 uses its UTF-16LE form */
	uint32_t allowed;     /* EAP_ALLOW(EAP_TYPE_MSCHAPV2) | EAP_ALLOW(EAP_TYPE_MD5); 0 = both */
	rand_fn rnd;	      /* NULL = crypto_rand */
	void *rnd_arg;
};

struct eap_client;

/* Copies the strings. -EINVAL for a missing identity/password, an allowed mask without a
   supported method, or a password that is not valid UTF-8 (or too long for MSCHAPv2). */
int eap_client_new(struct eap_client **out, const struct eap_client_config *cfg);
/* Wipes the password and keys. NULL is fine. */
void eap_client_free(struct eap_client *c);

enum eap_result {
	EAP_RESULT_SEND = 0,	/* *out_len bytes in out: send them back */
	EAP_RESULT_SUCCESS = 1, /* EAP-Success after a completed method */
	EAP_RESULT_FAILURE = 2, /* authentication failed: see reason */
};

/*
 * Processes one EAP packet from the server. Returns an eap_result (>= 0), or a negative errno
 * for a packet that is malformed (-EBADMSG) or unexpected in this state (-EPROTO): then
 * nothing changed and the caller drops it / fails the exchange. -ENOBUFS when out_cap is too
 * small for the response (nothing changed either); the rand_fn's error if it fails.
 *
 * EAP-Success before the method finished, or without mutual auth for MSCHAPv2, is -EPROTO.
 * An MSCHAPv2 Failure request gives SEND (the Failure response) with the reason already set
 * and eap_client_failed() true; the EAP-Failure that follows gives FAILURE.
 */
int eap_client_process(struct eap_client *c, const uint8_t *in, size_t in_len, uint8_t *out,
		       size_t out_cap, size_t *out_len);

/* After SUCCESS: the MSK (MSCHAPv2, EAP_MSK_LEN bytes). -ENOENT when the method produced none
   (MD5): the IKE AUTH then uses SK_pi as key (RFC 7296 2.16). -EAGAIN before SUCCESS. */
int eap_client_msk(const struct eap_client *c, const uint8_t **msk, size_t *len);
/* Human reason for the last failure ("" when none). */
const char *eap_client_reason(const struct eap_client *c);
/* True once authentication has failed (the reason says why). */
bool eap_client_failed(const struct eap_client *c);
/* Method in use (EAP_TYPE_MD5 or EAP_TYPE_MSCHAPV2), 0 before. */
uint8_t eap_client_method(const struct eap_client *c);
/* "MSCHAPv2", "MD5", ... ; "unknown" for others. */
const char *eap_type_name(uint8_t type);

#endif
