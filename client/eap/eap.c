/*
 * EAP peer state machine (RFC 3748), I/O-free.
 *
 * EAP packet (RFC 3748 4):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Code      |  Identifier   |            Length             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Type (Request/Response only) |  Type-Data ...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Length covers the whole packet; octets past it are padding (RFC 3748 4.1). Success and
 * Failure are the 4-octet header alone (4.2).
 *
 * IKEv2 carries EAP reliably (a lost message is retransmitted by IKE with the same Message ID),
 * so this peer does not need RFC 3748's duplicate detection.
 */
#include "client/eap/eap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/eap/method.h"
#include "client/eap/mschapv2.h"

#define EAP_SUPPORTED (EAP_ALLOW(EAP_TYPE_MSCHAPV2) | EAP_ALLOW(EAP_TYPE_MD5))

enum {
	EAP_IDENTITY_MAX_LEN = 1020, /* RFC 3748 5.1: larger identities are not to be expected */
	EAP_EXPANDED_NAK_VENDOR_TYPE = 3,
};

enum eap_state {
	EAP_ST_IDLE,	    /* no method started: Identity, Nak, Notification */
	EAP_ST_METHOD,	    /* a method is running (MSCHAPv2 waiting for its result) */
	EAP_ST_METHOD_DONE, /* the method finished on our side: waiting for EAP-Success */
	EAP_ST_FAILED_WAIT, /* the method failed (MSCHAPv2 Failure): waiting for EAP-Failure */
	EAP_ST_SUCCESS,	    /* terminal */
	EAP_ST_FAILURE,	    /* terminal */
};

struct eap_client {
	char *identity;
	char *password;
	uint32_t allowed;
	rand_fn rnd;
	void *rnd_arg;
	enum eap_state state;
	uint8_t method;	      /* EAP_TYPE_MD5 / EAP_TYPE_MSCHAPV2 once started */
	uint8_t last_refused; /* last method type we answered with a Nak */
	struct eap_mschapv2 ms;
	uint8_t msk[EAP_MSK_LEN];
	size_t msk_len;
	char reason[EAP_REASON_LEN];
};

/* The one place the state changes; refuses transitions the protocol does not have. */
static int set_state(struct eap_client *c, enum eap_state to)
{
	static const uint8_t allowed[] = {
	    [EAP_ST_IDLE] = 1u << EAP_ST_IDLE | 1u << EAP_ST_METHOD | 1u << EAP_ST_METHOD_DONE |
			    1u << EAP_ST_FAILURE,
	    [EAP_ST_METHOD] = 1u << EAP_ST_METHOD | 1u << EAP_ST_METHOD_DONE |
			      1u << EAP_ST_FAILED_WAIT | 1u << EAP_ST_FAILURE,
	    [EAP_ST_METHOD_DONE] =
		1u << EAP_ST_METHOD_DONE | 1u << EAP_ST_SUCCESS | 1u << EAP_ST_FAILURE,
	    [EAP_ST_FAILED_WAIT] = 1u << EAP_ST_FAILED_WAIT | 1u << EAP_ST_FAILURE,
	    [EAP_ST_SUCCESS] = 0,
	    [EAP_ST_FAILURE] = 0,
	};
	if (!(allowed[c->state] & 1u << to))
		return -EPROTO;
	c->state = to;
	return 0;
}

static bool terminal(const struct eap_client *c)
{
	return c->state == EAP_ST_SUCCESS || c->state == EAP_ST_FAILURE;
}

const char *eap_type_name(uint8_t type)
{
	switch (type) {
	case EAP_TYPE_IDENTITY:
		return "Identity";
	case EAP_TYPE_NOTIFICATION:
		return "Notification";
	case EAP_TYPE_NAK:
		return "Nak";
	case EAP_TYPE_MD5:
		return "MD5";
	case 5:
		return "OTP";
	case 6:
		return "GTC";
	case 13:
		return "TLS";
	case 18:
		return "SIM";
	case 21:
		return "TTLS";
	case 23:
		return "AKA";
	case 25:
		return "PEAP";
	case EAP_TYPE_MSCHAPV2:
		return "MSCHAPv2";
	case 43:
		return "FAST";
	case 50:
		return "AKA'";
	case EAP_TYPE_EXPANDED:
		return "Expanded";
	default:
		return "unknown";
	}
}

static char *dup_string(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static void free_secret_string(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

int eap_client_new(struct eap_client **out, const struct eap_client_config *cfg)
{
	struct eap_client *c;
	uint32_t allowed;

	*out = NULL;
	if (!cfg || !cfg->identity || !cfg->password || !cfg->identity[0] ||
	    strlen(cfg->identity) > EAP_IDENTITY_MAX_LEN)
		return -EINVAL;
	allowed = cfg->allowed ? cfg->allowed & EAP_SUPPORTED : EAP_SUPPORTED;
	if (!allowed)
		return -EINVAL;
	if (allowed & EAP_ALLOW(EAP_TYPE_MSCHAPV2)) {
		uint8_t pw16[MSCHAPV2_PASSWORD_MAX_BYTES];
		size_t n;
		int err = eap_mschapv2_password_utf16(cfg->password, pw16, &n);
		OPENSSL_cleanse(pw16, sizeof(pw16));
		if (err)
			return err;
	}

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->identity = dup_string(cfg->identity);
	c->password = dup_string(cfg->password);
	if (!c->identity || !c->password) {
		eap_client_free(c);
		return -ENOMEM;
	}
	c->allowed = allowed;
	c->rnd = cfg->rnd ? cfg->rnd : crypto_rand;
	c->rnd_arg = cfg->rnd_arg;
	c->state = EAP_ST_IDLE;
	eap_mschapv2_clear(&c->ms);
	*out = c;
	return 0;
}

void eap_client_free(struct eap_client *c)
{
	if (!c)
		return;
	free_secret_string(c->password);
	free(c->identity);
	eap_mschapv2_clear(&c->ms);
	OPENSSL_cleanse(c->msk, sizeof(c->msk));
	free(c);
}

/* Identity Response: our identity, not NUL-terminated (RFC 3748 5.1). */
static int respond_identity(struct eap_client *c, uint8_t id, struct eap_writer *w)
{
	if (c->state != EAP_ST_IDLE)
		return -EPROTO;
	eap_writer_begin(w, id, EAP_TYPE_IDENTITY);
	eap_writer_bytes(w, c->identity, strlen(c->identity));
	return w->overflow ? -ENOBUFS : 0;
}

/* Notification Response: the Type alone (RFC 3748 5.2). The text is not shown to anyone. */
static int respond_notification(uint8_t id, struct eap_writer *w)
{
	eap_writer_begin(w, id, EAP_TYPE_NOTIFICATION);
	return w->overflow ? -ENOBUFS : 0;
}

/* Our methods in order of preference: MSCHAPv2 (mutual, gives an MSK), then MD5. */
static const uint8_t preference[] = {EAP_TYPE_MSCHAPV2, EAP_TYPE_MD5};

/* Legacy Nak (RFC 3748 5.3.1) with the types we allow, or for a Request of Type 254 an
   Expanded Nak (5.3.2) listing them as IETF (Vendor-Id 0) expanded types. */
static int respond_nak(struct eap_client *c, uint8_t id, uint8_t proposed, struct eap_writer *w)
{
	if (c->state != EAP_ST_IDLE) /* 5.3.1: no Nak once a method has been answered */
		return -EPROTO;
	if (proposed == EAP_TYPE_EXPANDED) {
		eap_writer_begin(w, id, EAP_TYPE_EXPANDED);
		eap_writer_zeros(w, 3); /* Vendor-Id: IETF */
		eap_writer_u32(w, EAP_EXPANDED_NAK_VENDOR_TYPE);
	} else {
		eap_writer_begin(w, id, EAP_TYPE_NAK);
	}
	for (size_t i = 0; i < sizeof(preference); i++) {
		if (!(c->allowed & EAP_ALLOW(preference[i])))
			continue;
		if (proposed == EAP_TYPE_EXPANDED) {
			eap_writer_u8(w, EAP_TYPE_EXPANDED);
			eap_writer_zeros(w, 3);
			eap_writer_u32(w, preference[i]);
		} else {
			eap_writer_u8(w, preference[i]);
		}
	}
	if (w->overflow)
		return -ENOBUFS;
	c->last_refused = proposed;
	return 0;
}

static int start_md5(struct eap_client *c, uint8_t id, const uint8_t *data, size_t len,
		     struct eap_writer *w)
{
	int err;

	if (c->state != EAP_ST_IDLE)
		return -EPROTO;
	err = eap_md5_respond(id, c->password, data, len, w);
	if (err)
		return err;
	c->method = EAP_TYPE_MD5;
	return set_state(c, EAP_ST_METHOD_DONE);
}

static int step_mschapv2(struct eap_client *c, uint8_t id, const uint8_t *data, size_t len,
			 struct eap_writer *w)
{
	const struct eap_mschapv2_peer peer = {c->identity, c->password, c->rnd, c->rnd_arg};
	char reason[EAP_REASON_LEN] = "";
	enum eap_state next;
	int res;

	if (c->state != EAP_ST_IDLE &&
	    !(c->state == EAP_ST_METHOD && c->method == EAP_TYPE_MSCHAPV2))
		return -EPROTO;
	res = eap_mschapv2_step(&c->ms, &peer, id, data, len, w, reason, sizeof(reason));
	if (res < 0)
		return res;
	switch (c->ms.state) {
	case EAP_MSCHAPV2_WAIT_RESULT:
		next = EAP_ST_METHOD;
		break;
	case EAP_MSCHAPV2_DONE:
		next = EAP_ST_METHOD_DONE;
		memcpy(c->msk, c->ms.msk, sizeof(c->msk));
		c->msk_len = EAP_MSK_LEN;
		break;
	default:
		next = res == EAP_RESULT_FAILURE ? EAP_ST_FAILURE : EAP_ST_FAILED_WAIT;
		memcpy(c->reason, reason, sizeof(c->reason));
		break;
	}
	c->method = EAP_TYPE_MSCHAPV2;
	set_state(c, next); /* the method's own state machine admits only these */
	return res;
}

static int on_request(struct eap_client *c, uint8_t id, uint8_t type, const uint8_t *data,
		      size_t len, struct eap_writer *w)
{
	switch (type) {
	case EAP_TYPE_IDENTITY:
		return respond_identity(c, id, w);
	case EAP_TYPE_NOTIFICATION:
		return respond_notification(id, w);
	case EAP_TYPE_NAK: /* Response-only (RFC 3748 5) */
		return -EBADMSG;
	case EAP_TYPE_MD5:
		if (c->allowed & EAP_ALLOW(EAP_TYPE_MD5))
			return start_md5(c, id, data, len, w);
		break;
	case EAP_TYPE_MSCHAPV2:
		if (c->allowed & EAP_ALLOW(EAP_TYPE_MSCHAPV2))
			return step_mschapv2(c, id, data, len, w);
		break;
	default:
		break;
	}
	return respond_nak(c, id, type, w);
}

/* EAP-Failure: keeps a method's reason, or says at which point the gateway gave up. */
static void failure_reason(struct eap_client *c)
{
	if (c->state == EAP_ST_FAILED_WAIT && c->reason[0])
		return;
	if (c->state == EAP_ST_IDLE && c->last_refused)
		snprintf(c->reason, sizeof(c->reason),
			 "gateway offered EAP-%s (type %u), which is not allowed here; sent "
			 "EAP-Failure after our Nak",
			 eap_type_name(c->last_refused), c->last_refused);
	else if (c->state == EAP_ST_IDLE)
		snprintf(c->reason, sizeof(c->reason),
			 "gateway sent EAP-Failure before any EAP method (identity refused?)");
	else if (c->method == EAP_TYPE_MD5)
		snprintf(c->reason, sizeof(c->reason),
			 "gateway rejected the EAP-MD5 response (wrong password?)");
	else if (c->state == EAP_ST_METHOD)
		snprintf(c->reason, sizeof(c->reason),
			 "gateway rejected the MSCHAPv2 response (EAP-Failure without a reason)");
	else
		snprintf(c->reason, sizeof(c->reason),
			 "gateway sent EAP-Failure after a successful EAP-%s",
			 eap_type_name(c->method));
}

int eap_client_process(struct eap_client *c, const uint8_t *in, size_t in_len, uint8_t *out,
		       size_t out_cap, size_t *out_len)
{
	struct eap_cursor cur = eap_cursor_make(in, in ? in_len : 0); /* NULL: malformed */
	struct eap_writer w = {out, out ? out_cap : 0, 0, false};
	uint8_t code, id, type = 0;
	uint16_t length;
	int res;

	*out_len = 0;
	if (eap_cursor_u8(&cur, &code) || eap_cursor_u8(&cur, &id) ||
	    eap_cursor_u16(&cur, &length) || length < EAP_HEADER_LEN || length > in_len)
		return -EBADMSG;
	cur.end = in + length; /* what follows Length is padding */
	if (terminal(c))
		return -EPROTO;

	switch (code) {
	case EAP_CODE_REQUEST:
		if (eap_cursor_u8(&cur, &type))
			return -EBADMSG;
		res = on_request(c, id, type, cur.p, eap_cursor_left(&cur), &w);
		if (res < 0 || res == EAP_RESULT_FAILURE)
			return res;
		res = eap_writer_finish(&w, out_len);
		return res < 0 ? res : EAP_RESULT_SEND;
	case EAP_CODE_SUCCESS:
		if (length != EAP_HEADER_LEN)
			return -EBADMSG;
		/* Only after our side of the method completed (for MSCHAPv2: the authenticator
		   response verified), never as a shortcut (RFC 3748 7.16 on lying about success).
		 */
		if (c->state != EAP_ST_METHOD_DONE)
			return -EPROTO;
		set_state(c, EAP_ST_SUCCESS);
		return EAP_RESULT_SUCCESS;
	case EAP_CODE_FAILURE:
		if (length != EAP_HEADER_LEN)
			return -EBADMSG;
		failure_reason(c);
		set_state(c, EAP_ST_FAILURE);
		OPENSSL_cleanse(c->msk, sizeof(c->msk));
		c->msk_len = 0;
		return EAP_RESULT_FAILURE;
	case EAP_CODE_RESPONSE: /* a peer never receives Responses */
	default:
		return -EBADMSG;
	}
}

int eap_client_msk(const struct eap_client *c, const uint8_t **msk, size_t *len)
{
	if (c->state != EAP_ST_SUCCESS)
		return -EAGAIN;
	if (!c->msk_len)
		return -ENOENT;
	*msk = c->msk;
	*len = c->msk_len;
	return 0;
}

const char *eap_client_reason(const struct eap_client *c)
{
	return c->reason;
}

bool eap_client_failed(const struct eap_client *c)
{
	return c->state == EAP_ST_FAILED_WAIT || c->state == EAP_ST_FAILURE;
}

uint8_t eap_client_method(const struct eap_client *c)
{
	return c->method;
}
