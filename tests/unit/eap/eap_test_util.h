/* Helpers for the EAP tests: building server packets by hand, pinned randomness. */
#ifndef TERN_TESTS_UNIT_EAP_UTIL_H
#define TERN_TESTS_UNIT_EAP_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "client/eap/eap.h"

/* RFC 2759 9.2 sample data */
#define RFC2759_USER	       "User"
#define RFC2759_PASSWORD       "clientPass"
#define RFC2759_AUTH_CHALLENGE "5B5D7C7D7B3F2F3E3C2C602132262628"
#define RFC2759_PEER_CHALLENGE "21402324255E262A28295F2B3A337C7E"
#define RFC2759_NT_RESPONSE    "82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF"
#define RFC2759_AUTH_STRING    "S=407A5589115FD0D6209F510FE9C04566932CDA56"

/* A rand_fn that hands out the bytes of a hex string (repeating), so the peer challenge is
   the RFC's. */
struct pinned_rand {
	const char *hex;
	int calls;
	int fail; /* when non-zero, returned instead */
};

static inline int pinned_rand(void *arg, uint8_t *buf, size_t len)
{
	struct pinned_rand *r = arg;
	uint8_t bytes[256];
	size_t n;

	r->calls++;
	if (r->fail)
		return r->fail;
	n = check_unhex(r->hex, bytes, sizeof(bytes));
	for (size_t i = 0; i < len; i++)
		buf[i] = bytes[i % n];
	return 0;
}

/* Request: Code 1, id, Length, Type, then data. Returns the packet length. */
static inline size_t build_request(uint8_t *buf, uint8_t id, uint8_t type, const void *data,
				   size_t len)
{
	size_t total = 5 + len;

	buf[0] = 1;
	buf[1] = id;
	buf[2] = (uint8_t)(total >> 8);
	buf[3] = (uint8_t)total;
	buf[4] = type;
	if (len)
		memcpy(buf + 5, data, len);
	return total;
}

/* EAP-MSCHAPv2 Request: OpCode, MS-CHAPv2-ID, MS-Length (Type-Data length), then body. */
static inline size_t build_mschapv2(uint8_t *buf, uint8_t id, uint8_t opcode, uint8_t ms_id,
				    const void *body, size_t len)
{
	uint8_t td[1024];
	size_t n = 4 + len;

	td[0] = opcode;
	td[1] = ms_id;
	td[2] = (uint8_t)(n >> 8);
	td[3] = (uint8_t)n;
	memcpy(td + 4, body, len);
	return build_request(buf, id, 26, td, n);
}

/* Challenge body: Value-Size 16, challenge, Name. */
static inline size_t build_challenge(uint8_t *buf, uint8_t id, uint8_t ms_id, const char *chal_hex,
				     const char *name)
{
	uint8_t body[256];
	size_t n;

	body[0] = 16;
	check_unhex(chal_hex, body + 1, 16);
	n = strlen(name);
	memcpy(body + 17, name, n);
	return build_mschapv2(buf, id, 1, ms_id, body, 17 + n);
}

static inline size_t build_code_only(uint8_t *buf, uint8_t code, uint8_t id)
{
	buf[0] = code;
	buf[1] = id;
	buf[2] = 0;
	buf[3] = 4;
	return 4;
}

#endif
