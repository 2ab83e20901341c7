/* IKEv2 message codec: the header, the generic payload chain, and one struct per payload.
 *
 * Decoding validates lengths first and keeps pointers into the received datagram (no copies);
 * every parser reads through the bounds-checked cursor of wire.h and fails with -EBADMSG.
 * Encoding goes through `struct ikb`, which chains payloads by patching the previous
 * "Next Payload" field, so a message is built by appending payloads in order.
 */
#ifndef TERN_IKE_MESSAGE_H
#define TERN_IKE_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/ike/ikev2.h"
#include "client/ike/wire.h"
#include "client/proposal.h"

enum { IKE_MAX_PAYLOADS = 64, IKE_MAX_TS = 8, IKE_MAX_CP_ATTRS = 32 };

/*                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Initiator's SPI                  |
 * |                       IKE SA Responder's SPI                  |
 * |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
 * |                          Message ID                           |
 * |                            Length                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct ike_hdr {
	uint64_t spi_i;
	uint64_t spi_r;
	uint8_t next;
	uint8_t version;
	uint8_t exchange;
	uint8_t flags;
	uint32_t msg_id;
	uint32_t length;
};

/* One payload of the chain: its type, the critical bit and its body (after the generic header). */
struct ike_pl {
	uint8_t type;
	bool critical;
	const uint8_t *body;
	size_t len;
};

struct ike_msg {
	struct ike_hdr hdr;
	const uint8_t *raw; /* the whole datagram as received (AUTH signs it) */
	size_t raw_len;
	struct ike_pl pl[IKE_MAX_PAYLOADS];
	unsigned n;
	int sk_index; /* index of the SK or SKF payload in pl[], or -1 */
};

int ike_hdr_parse(const uint8_t *buf, size_t len, struct ike_hdr *h);
void ike_hdr_write(uint8_t out[IKE_HDR_LEN], const struct ike_hdr *h);
/* Parses the header and the outer payload chain of a datagram. SK/SKF must be the last payload. */
int ike_msg_parse(const uint8_t *buf, size_t len, struct ike_msg *m);
/* Appends the payloads of a decrypted SK body (first payload type `first`) to m. */
int ike_chain_parse(struct ike_msg *m, uint8_t first, const uint8_t *p, size_t len);
/* Finds the first payload of a type after index `from` (-1 to start), or NULL. */
const struct ike_pl *ike_msg_find(const struct ike_msg *m, uint8_t type, int *from);
/* The first critical payload of a type tern does not know, or 0. */
uint8_t ike_msg_unknown_critical(const struct ike_msg *m);

/* Notify (RFC 7296 3.10): Protocol ID, SPI Size, Notify Message Type, SPI, Notification Data */
struct ike_notify {
	uint8_t protocol;
	uint8_t spi_size;
	uint16_t type;
	const uint8_t *spi;
	const uint8_t *data;
	size_t data_len;
};
int ike_notify_parse(const struct ike_pl *pl, struct ike_notify *n);
/* The first notify of a type in m (data into *n when given); true if present. */
bool ike_msg_notify(const struct ike_msg *m, uint16_t type, struct ike_notify *n);
/* The first error notify (type < 16384) in m, or 0. */
uint16_t ike_msg_error(const struct ike_msg *m);

/* Key Exchange (3.4): Diffie-Hellman Group Num, RESERVED, Key Exchange Data */
struct ike_ke {
	uint16_t group;
	const uint8_t *data;
	size_t len;
};
int ike_ke_parse(const struct ike_pl *pl, struct ike_ke *ke);

/* Identification (3.5): ID Type, RESERVED(3), Identification Data. `body` is what AUTH MACs. */
struct ike_id {
	uint8_t type;
	const uint8_t *data;
	size_t len;
	const uint8_t *body;
	size_t body_len;
};
int ike_id_parse(const struct ike_pl *pl, struct ike_id *id);

/* Certificate (3.6) and AUTH (3.8): an encoding/method octet, then data (AUTH: 3 reserved). */
struct ike_cert {
	uint8_t encoding;
	const uint8_t *data;
	size_t len;
};
int ike_cert_parse(const struct ike_pl *pl, struct ike_cert *c);

struct ike_auth {
	uint8_t method;
	const uint8_t *data;
	size_t len;
};
int ike_auth_parse(const struct ike_pl *pl, struct ike_auth *a);

/* Delete (3.11): Protocol ID, SPI Size, Num of SPIs, SPIs */
struct ike_delete {
	uint8_t protocol;
	uint8_t spi_size;
	uint16_t n_spis;
	const uint8_t *spis;
};
int ike_delete_parse(const struct ike_pl *pl, struct ike_delete *d);

/* SA (3.3): the proposal the responder chose. Exactly one proposal is allowed in a reply. */
struct ike_chosen {
	uint8_t number;
	struct prop prop; /* transforms as chosen */
	uint8_t spi_size;
	uint8_t spi[8];
};
int ike_sa_parse_reply(const struct ike_pl *pl, struct ike_chosen *c);
/* SA (3.3) in a request: every proposal offered (up to cap), in order. */
int ike_sa_parse_offers(const struct ike_pl *pl, struct ike_chosen *offers, unsigned cap,
			unsigned *n);

/* Traffic selectors (3.13.1): IPv4 and IPv6 address ranges. */
struct ike_ts {
	uint8_t type; /* TS_IPV4_ADDR_RANGE or TS_IPV6_ADDR_RANGE */
	uint8_t ip_proto;
	uint16_t start_port;
	uint16_t end_port;
	uint8_t start[16];
	uint8_t end[16];
};
struct ike_ts_list {
	struct ike_ts ts[IKE_MAX_TS];
	unsigned n;
};
int ike_ts_parse(const struct ike_pl *pl, struct ike_ts_list *l);

/* Configuration (3.15): CFG Type, RESERVED(3), attributes (R|type(15), length(16), value). */
struct ike_cp_attr {
	uint16_t type;
	const uint8_t *value;
	uint16_t len;
};
struct ike_cp {
	uint8_t cfg_type;
	struct ike_cp_attr attr[IKE_MAX_CP_ATTRS];
	unsigned n;
};
int ike_cp_parse(const struct ike_pl *pl, struct ike_cp *cp);

/* ---- encoding ---- */
struct ikb {
	struct wr w;
	size_t np_off; /* offset of the Next Payload field to patch, SIZE_MAX if none yet */
	uint8_t first; /* type of the first payload appended */
};

/* A builder for a whole message: writes the header (length patched by ikb_finish). */
void ikb_message(struct ikb *b, uint8_t *buf, size_t cap, const struct ike_hdr *h);
/* A builder for a payload chain alone (the plaintext inside SK). */
void ikb_chain(struct ikb *b, uint8_t *buf, size_t cap);
/* Starts a payload: returns its offset for ikb_end. */
size_t ikb_begin(struct ikb *b, uint8_t type);
void ikb_end(struct ikb *b, size_t start);
/* Patches the header's length field. Returns the message length, or -EMSGSIZE. */
int ikb_finish(struct ikb *b);

void ikb_notify(struct ikb *b, uint8_t protocol, const uint8_t *spi, uint8_t spi_size,
		uint16_t type, const void *data, size_t len);
void ikb_simple(struct ikb *b, uint8_t type, const void *data, size_t len);
void ikb_ke(struct ikb *b, uint16_t group, const uint8_t *data, size_t len);
void ikb_id(struct ikb *b, uint8_t pl_type, uint8_t id_type, const void *data, size_t len);
void ikb_auth(struct ikb *b, uint8_t method, const uint8_t *data, size_t len);
void ikb_certreq(struct ikb *b, uint8_t encoding, const uint8_t *data, size_t len);
/* SA payload with the given proposals (numbered from 1); spi of spi_size bytes in each. */
void ikb_sa(struct ikb *b, const struct prop_list *props, const uint8_t *spi, uint8_t spi_size);
/* An SA payload with one chosen proposal (our answer to an offer), with our SPI. */
void ikb_sa_chosen(struct ikb *b, const struct ike_chosen *c, const uint8_t *spi, uint8_t spi_size);
void ikb_ts(struct ikb *b, uint8_t pl_type, const struct ike_ts_list *l);
/* CP request asking for the given attribute types, each with an empty value. */
void ikb_cp_request(struct ikb *b, const uint16_t *attrs, unsigned n);
void ikb_delete(struct ikb *b, uint8_t protocol, const uint8_t *spis, uint8_t spi_size, uint16_t n);

#endif
