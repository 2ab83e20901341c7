/*
 * EAP-MSCHAPv2 peer (EAP Type 26): framing of draft-kamath-pppext-eap-mschapv2-02 section 2,
 * algorithms of RFC 2759, MSK from RFC 3079 (see mschapv2_crypto.c).
 *
 * Type-Data of Challenge (OpCode 1), Success (3) and Failure (4) Requests:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    OpCode     |  MS-CHAPv2-ID |           MS-Length           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Value-Size=16 |  Challenge (16) ...  Name ...     (Challenge)
 *   | Message ...                       (Success: "S=<40 hex> M=<text>")
 *   | Message ...                       (Failure: "E=e R=r C=c V=v M=<text>")
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * MS-Length is the EAP Length minus 5, i.e. the Type-Data length.
 *
 * Response (OpCode 2): OpCode, MS-CHAPv2-ID (the challenge's), MS-Length, Value-Size=49,
 *   Peer-Challenge (16), Reserved (8, zero), NT-Response (24), Flags (1, zero), Name.
 * Success and Failure Responses: the OpCode alone.
 */
#include "client/eap/method.h"

#include <stdio.h>

#include <openssl/crypto.h>

#include "client/eap/mschapv2.h"

enum mschapv2_opcode {
	MSCHAPV2_OP_CHALLENGE = 1,
	MSCHAPV2_OP_RESPONSE = 2,
	MSCHAPV2_OP_SUCCESS = 3,
	MSCHAPV2_OP_FAILURE = 4,
};

enum {
	MSCHAPV2_RESPONSE_VALUE_LEN = 49,
	MSCHAPV2_RESERVED_LEN = 8,
	MSCHAPV2_AUTH_STRING_LEN = 42, /* "S=" and 40 hex digits (RFC 2759 5) */
};

/* Everything computed from one Challenge, wiped after use. */
struct challenge_keys {
	uint8_t pw16[MSCHAPV2_PASSWORD_MAX_BYTES];
	uint8_t hash[MSCHAPV2_HASH_LEN];
	uint8_t hash_hash[MSCHAPV2_HASH_LEN];
	uint8_t challenge[MSCHAPV2_CHALLENGE_HASH_LEN];
	uint8_t nt_response[MSCHAPV2_NT_RESPONSE_LEN];
	uint8_t auth_response[MSCHAPV2_AUTH_RESPONSE_LEN];
	uint8_t master_key[MSCHAPV2_MASTER_KEY_LEN];
	uint8_t msk[EAP_MSK_LEN];
};

/* GenerateNTResponse, GenerateAuthenticatorResponse (RFC 2759 8.1, 8.7), GetMasterKey (RFC
   3079 3.4) and the MSK for one exchange. */
static int derive(struct challenge_keys *k, const struct eap_mschapv2_peer *p,
		  const uint8_t auth_challenge[16], const uint8_t peer_challenge[16])
{
	size_t pw16_len;
	int err;

	err = eap_mschapv2_password_utf16(p->password, k->pw16, &pw16_len);
	if (err)
		return err;
	eap_mschapv2_nt_password_hash(k->pw16, pw16_len, k->hash);
	eap_mschapv2_hash_nt_password_hash(k->hash, k->hash_hash);
	err = eap_mschapv2_challenge_hash(peer_challenge, auth_challenge,
					  eap_mschapv2_user_name(p->identity), k->challenge);
	if (!err)
		err = eap_mschapv2_challenge_response(k->challenge, k->hash, k->nt_response);
	if (!err)
		err = eap_mschapv2_authenticator_response(k->hash, k->nt_response, k->challenge,
							  k->auth_response);
	if (!err)
		err = eap_mschapv2_master_key(k->hash_hash, k->nt_response, k->master_key);
	if (!err)
		err = eap_mschapv2_msk(k->master_key, k->msk);
	return err;
}

static int on_challenge(struct eap_mschapv2 *m, const struct eap_mschapv2_peer *p, uint8_t id,
			struct eap_cursor *cur, struct eap_writer *w)
{
	struct challenge_keys k;
	const uint8_t *auth_challenge;
	uint8_t ms_id, value_size, peer_challenge[MSCHAPV2_CHALLENGE_LEN];
	uint16_t ms_len;
	size_t name_len = strlen(p->identity);
	int err;

	if (m->state != EAP_MSCHAPV2_WAIT_CHALLENGE)
		return -EPROTO;
	/* MS-Length counts from the OpCode, which the cursor has already passed. */
	if (eap_cursor_u8(cur, &ms_id) || eap_cursor_u16(cur, &ms_len) ||
	    ms_len != eap_cursor_left(cur) + 4 || eap_cursor_u8(cur, &value_size) ||
	    value_size != MSCHAPV2_CHALLENGE_LEN ||
	    eap_cursor_bytes(cur, MSCHAPV2_CHALLENGE_LEN, &auth_challenge))
		return -EBADMSG;
	/* The rest is the authenticator's Name: not used. */

	err = p->rnd(p->rnd_arg, peer_challenge, sizeof(peer_challenge));
	if (err)
		return err < 0 ? err : -EIO;
	err = derive(&k, p, auth_challenge, peer_challenge);
	if (err)
		goto out;

	eap_writer_begin(w, id, EAP_TYPE_MSCHAPV2);
	eap_writer_u8(w, MSCHAPV2_OP_RESPONSE);
	eap_writer_u8(w, ms_id);
	eap_writer_u16(w, (uint16_t)(4 + 1 + MSCHAPV2_RESPONSE_VALUE_LEN + name_len));
	eap_writer_u8(w, MSCHAPV2_RESPONSE_VALUE_LEN);
	eap_writer_bytes(w, peer_challenge, sizeof(peer_challenge));
	eap_writer_zeros(w, MSCHAPV2_RESERVED_LEN);
	eap_writer_bytes(w, k.nt_response, sizeof(k.nt_response));
	eap_writer_u8(w, 0); /* Flags */
	eap_writer_bytes(w, p->identity, name_len);
	if (w->overflow || w->len > UINT16_MAX) {
		err = -ENOBUFS;
		goto out;
	}

	m->state = EAP_MSCHAPV2_WAIT_RESULT;
	m->ms_id = ms_id;
	memcpy(m->auth_response, k.auth_response, sizeof(m->auth_response));
	memcpy(m->msk, k.msk, sizeof(m->msk));
	err = EAP_RESULT_SEND;
out:
	OPENSSL_cleanse(&k, sizeof(k));
	return err;
}

static int hex_value(uint8_t ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Reads the Success Message "S=<auth_string>" optionally followed by " M=<message>"
   (RFC 2759 5, draft-kamath 2.3). A NUL right after the auth string is accepted too: some
   servers count a C string terminator into the Message. */
static int parse_auth_string(const uint8_t *msg, size_t len, uint8_t out[20])
{
	if (len < MSCHAPV2_AUTH_STRING_LEN || msg[0] != 'S' || msg[1] != '=')
		return -EBADMSG;
	if (len > MSCHAPV2_AUTH_STRING_LEN && msg[MSCHAPV2_AUTH_STRING_LEN] != ' ' &&
	    msg[MSCHAPV2_AUTH_STRING_LEN] != '\0')
		return -EBADMSG;
	for (int i = 0; i < MSCHAPV2_AUTH_RESPONSE_LEN; i++) {
		int hi = hex_value(msg[2 + 2 * i]), lo = hex_value(msg[3 + 2 * i]);
		if (hi < 0 || lo < 0)
			return -EBADMSG;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Reads OpCode-specific header fields of Success/Failure; the Message is what remains. */
static int read_result_header(struct eap_cursor *cur, uint8_t *ms_id)
{
	uint16_t ms_len;

	if (eap_cursor_u8(cur, ms_id) || eap_cursor_u16(cur, &ms_len) ||
	    ms_len != eap_cursor_left(cur) + 4)
		return -EBADMSG;
	return 0;
}

static int on_success(struct eap_mschapv2 *m, uint8_t id, struct eap_cursor *cur,
		      struct eap_writer *w, char *reason, size_t reason_cap)
{
	uint8_t ms_id, got[MSCHAPV2_AUTH_RESPONSE_LEN];
	int err;

	if (m->state != EAP_MSCHAPV2_WAIT_RESULT)
		return -EPROTO;
	err = read_result_header(cur, &ms_id);
	if (!err)
		err = parse_auth_string(cur->p, eap_cursor_left(cur), got);
	if (err)
		return err;
	/* draft-kamath 2.3: the Success Request carries the Response's MS-CHAPv2-ID. */
	if (ms_id != m->ms_id)
		return -EPROTO;
	if (CRYPTO_memcmp(got, m->auth_response, sizeof(got)) != 0) {
		m->state = EAP_MSCHAPV2_FAILED;
		OPENSSL_cleanse(m->msk, sizeof(m->msk));
		snprintf(reason, reason_cap, "gateway failed MSCHAPv2 mutual authentication");
		return EAP_RESULT_FAILURE;
	}
	eap_writer_begin(w, id, EAP_TYPE_MSCHAPV2);
	eap_writer_u8(w, MSCHAPV2_OP_SUCCESS);
	if (w->overflow)
		return -ENOBUFS;
	m->state = EAP_MSCHAPV2_DONE;
	return EAP_RESULT_SEND;
}

/* RFC 2759 6: the error codes a Failure packet may carry. */
static const char *error_name(unsigned long code)
{
	switch (code) {
	case 646:
		return "logon not allowed at this time of day";
	case 647:
		return "account disabled";
	case 648:
		return "password expired";
	case 649:
		return "no dial-in permission";
	case 691:
		return "authentication failure";
	case 709:
		return "error changing password";
	default:
		return "unknown error";
	}
}

/* Copies the printable ASCII of a gateway's text into dst (others become '?'). */
static void sanitize(char *dst, size_t cap, const uint8_t *src, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 1 < cap; i++)
		dst[n++] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	dst[n] = '\0';
}

/* Failure Message: "E=eeeeeeeeee R=r C=cccc... V=vvvvvvvvvv M=<msg>" (RFC 2759 6). Only E
   and M are used; a message without them still means failure. */
static void failure_reason(const uint8_t *msg, size_t len, char *reason, size_t cap)
{
	char text[160] = "";
	unsigned long code = 0;
	size_t i = 2, digits = 0;

	if (len >= 2 && msg[0] == 'E' && msg[1] == '=')
		for (; i < len && msg[i] >= '0' && msg[i] <= '9' && digits < 10; i++, digits++)
			code = code * 10 + (unsigned long)(msg[i] - '0');
	for (size_t j = 0; j + 3 <= len; j++)
		if ((j == 0 || msg[j - 1] == ' ') && msg[j] == 'M' && msg[j + 1] == '=') {
			sanitize(text, sizeof(text), msg + j + 2, len - j - 2);
			break;
		}
	if (digits)
		snprintf(reason, cap, "MSCHAPv2 rejected by the gateway: E=%lu: %s%s%s%s", code,
			 error_name(code), text[0] ? " (\"" : "", text, text[0] ? "\")" : "");
	else
		snprintf(reason, cap, "MSCHAPv2 rejected by the gateway%s%s%s",
			 text[0] ? " (\"" : "", text, text[0] ? "\")" : "");
}

static int on_failure(struct eap_mschapv2 *m, uint8_t id, struct eap_cursor *cur,
		      struct eap_writer *w, char *reason, size_t reason_cap)
{
	uint8_t ms_id;
	int err;

	if (m->state != EAP_MSCHAPV2_WAIT_RESULT)
		return -EPROTO;
	/* The MS-CHAPv2-ID is not checked here: a failure is a failure. */
	err = read_result_header(cur, &ms_id);
	if (err)
		return err;
	eap_writer_begin(w, id, EAP_TYPE_MSCHAPV2);
	eap_writer_u8(w, MSCHAPV2_OP_FAILURE);
	if (w->overflow)
		return -ENOBUFS;
	/* No retry with the new challenge (R=1): the same password would fail again. */
	failure_reason(cur->p, eap_cursor_left(cur), reason, reason_cap);
	m->state = EAP_MSCHAPV2_FAILED;
	OPENSSL_cleanse(m->msk, sizeof(m->msk));
	return EAP_RESULT_SEND;
}

int eap_mschapv2_step(struct eap_mschapv2 *m, const struct eap_mschapv2_peer *p, uint8_t id,
		      const uint8_t *data, size_t len, struct eap_writer *w, char *reason,
		      size_t reason_cap)
{
	struct eap_cursor cur = eap_cursor_make(data, len);
	uint8_t opcode;

	if (eap_cursor_u8(&cur, &opcode))
		return -EBADMSG;
	switch (opcode) {
	case MSCHAPV2_OP_CHALLENGE:
		return on_challenge(m, p, id, &cur, w);
	case MSCHAPV2_OP_SUCCESS:
		return on_success(m, id, &cur, w, reason, reason_cap);
	case MSCHAPV2_OP_FAILURE:
		return on_failure(m, id, &cur, w, reason, reason_cap);
	default: /* Response, Change-Password (7) and unknown OpCodes never come from a server */
		return -EBADMSG;
	}
}

void eap_mschapv2_clear(struct eap_mschapv2 *m)
{
	OPENSSL_cleanse(m, sizeof(*m));
	m->state = EAP_MSCHAPV2_WAIT_CHALLENGE;
}
