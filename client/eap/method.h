/*
 * Internal to client/eap: the bounds-checked reader and response writer shared by the methods,
 * and the method entry points called by eap.c.
 */
#ifndef TERN_CLIENT_EAP_METHOD_H
#define TERN_CLIENT_EAP_METHOD_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "client/eap/eap.h"

/* Reader over a received buffer: every read checks the end first and fails with -EBADMSG. */
struct eap_cursor {
	const uint8_t *p;
	const uint8_t *end;
};

static inline struct eap_cursor eap_cursor_make(const uint8_t *p, size_t len)
{
	struct eap_cursor c = {p, p ? p + len : p};
	return c;
}

static inline size_t eap_cursor_left(const struct eap_cursor *c)
{
	return (size_t)(c->end - c->p);
}

static inline int eap_cursor_u8(struct eap_cursor *c, uint8_t *v)
{
	if (eap_cursor_left(c) < 1)
		return -EBADMSG;
	*v = *c->p++;
	return 0;
}

static inline int eap_cursor_u16(struct eap_cursor *c, uint16_t *v)
{
	if (eap_cursor_left(c) < 2)
		return -EBADMSG;
	*v = (uint16_t)(c->p[0] << 8 | c->p[1]);
	c->p += 2;
	return 0;
}

static inline int eap_cursor_bytes(struct eap_cursor *c, size_t n, const uint8_t **v)
{
	if (eap_cursor_left(c) < n)
		return -EBADMSG;
	*v = c->p;
	c->p += n;
	return 0;
}

/* Writer for one EAP Response; an overflow is remembered and reported by eap_writer_finish. */
struct eap_writer {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool overflow;
};

static inline void eap_writer_bytes(struct eap_writer *w, const void *p, size_t n)
{
	if (w->overflow || w->cap - w->len < n) {
		w->overflow = true;
		return;
	}
	if (n)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static inline void eap_writer_u8(struct eap_writer *w, uint8_t v)
{
	eap_writer_bytes(w, &v, 1);
}

static inline void eap_writer_u16(struct eap_writer *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	eap_writer_bytes(w, b, 2);
}

static inline void eap_writer_u32(struct eap_writer *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	eap_writer_bytes(w, b, 4);
}

static inline void eap_writer_zeros(struct eap_writer *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		eap_writer_u8(w, 0);
}

/* Starts a Response: Code 2, the request's Identifier, Length (patched at the end), Type. */
static inline void eap_writer_begin(struct eap_writer *w, uint8_t id, uint8_t type)
{
	w->len = 0;
	w->overflow = false;
	eap_writer_u8(w, EAP_CODE_RESPONSE);
	eap_writer_u8(w, id);
	eap_writer_u16(w, 0);
	eap_writer_u8(w, type);
}

/* Patches the Length field; -ENOBUFS when the packet did not fit. */
static inline int eap_writer_finish(struct eap_writer *w, size_t *out_len)
{
	if (w->overflow || w->len > UINT16_MAX)
		return -ENOBUFS;
	w->buf[2] = (uint8_t)(w->len >> 8);
	w->buf[3] = (uint8_t)w->len;
	*out_len = w->len;
	return 0;
}

/* EAP-MD5 (md5.c). value = MD5(Identifier || secret || challenge) (RFC 1994 4.1, RFC 3748 5.4).
   0 or -EIO. */
int eap_md5_value(uint8_t id, const uint8_t *secret, size_t secret_len, const uint8_t *challenge,
		  size_t challenge_len, uint8_t value[16]);
/* Builds the MD5-Challenge Response to a Request whose Type-Data is data[0..len). */
int eap_md5_respond(uint8_t id, const char *password, const uint8_t *data, size_t len,
		    struct eap_writer *w);

/* EAP-MSCHAPv2 method state (mschapv2.c). */
enum eap_mschapv2_state {
	EAP_MSCHAPV2_WAIT_CHALLENGE = 0, /* nothing received yet */
	EAP_MSCHAPV2_WAIT_RESULT,	 /* Response sent, waiting for Success/Failure request */
	EAP_MSCHAPV2_DONE,		 /* authenticator verified, Success response sent */
	EAP_MSCHAPV2_FAILED,		 /* Failure request, or the authenticator did not verify */
};

struct eap_mschapv2 {
	enum eap_mschapv2_state state;
	uint8_t ms_id;		   /* MS-CHAPv2-ID of the challenge we answered */
	uint8_t auth_response[20]; /* the AuthenticatorResponse we expect (RFC 2759 8.7) */
	uint8_t msk[EAP_MSK_LEN];  /* valid from DONE on */
};

struct eap_mschapv2_peer {
	const char *identity; /* Name in the Response; its user part enters ChallengeHash */
	const char *password; /* UTF-8 */
	rand_fn rnd;
	void *rnd_arg;
};

/*
 * One EAP-MSCHAPv2 Request whose Type-Data (from OpCode on) is data[0..len). Returns
 * EAP_RESULT_SEND (response in w), EAP_RESULT_FAILURE (reason written, nothing to send), or a
 * negative errno with m unchanged. A Failure request gives SEND with the reason written and
 * m->state FAILED.
 */
int eap_mschapv2_step(struct eap_mschapv2 *m, const struct eap_mschapv2_peer *p, uint8_t id,
		      const uint8_t *data, size_t len, struct eap_writer *w, char *reason,
		      size_t reason_cap);
/* Wipes the method state. */
void eap_mschapv2_clear(struct eap_mschapv2 *m);

#endif
