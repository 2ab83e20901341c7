/* Packet descriptors: one buffer with headroom and tailroom, so ESP encapsulation and
 * decapsulation work in place. Every datapath stage takes an array of these (a burst). */
#ifndef TERN_DATAPATH_PKT_H
#define TERN_DATAPATH_PKT_H

#include <stddef.h>
#include <stdint.h>

struct esp_sa;

enum {
	PKT_BUF_SIZE = 4096, /* bytes per pool buffer, headroom included */
	PKT_HEADROOM = 128,  /* room for ESP header + IV (16) and later UDP/IP/virtio headers */
	PKT_TAILROOM = 64,   /* room for padding (<= 3), pad length, next header and ICV (16) */
	PKT_DATA_MAX = PKT_BUF_SIZE - PKT_HEADROOM - PKT_TAILROOM,
};

/* Why a packet was dropped; 0 means it goes on. Counted per reason in struct esp_stats. */
enum esp_drop {
	ESP_DROP_NONE = 0,
	ESP_DROP_UNKNOWN_SPI, /* inbound: no SA has this SPI */
	ESP_DROP_REPLAY,      /* inbound: sequence number seen or older than the window */
	ESP_DROP_ICV,	      /* inbound: integrity check failed */
	ESP_DROP_MALFORMED,   /* short, bad padding, bad next header, inner length mismatch */
	ESP_DROP_TS,	      /* inbound: inner packet outside the SA's traffic selectors */
	ESP_DROP_NO_SA,	      /* outbound: no SA covers the packet */
	ESP_DROP_SEQ,	      /* outbound: sequence numbers exhausted, rekey needed */
	ESP_DROP_DUMMY,	      /* inbound: dummy packet, next header 59 (RFC 4303 section 2.6) */
	ESP_DROP_IO,	      /* a send or write failed, or a crypto backend error */
	ESP_DROP_COUNT
};

struct pkt {
	uint8_t *head;	/* start of the buffer (PKT_BUF_SIZE bytes) */
	uint8_t *data;	/* first byte of the packet, head <= data */
	uint32_t len;	/* bytes at data */
	uint16_t drop;	/* enum esp_drop verdict of the last stage */
	uint8_t sa_idx; /* decap scratch: which candidate SA matched */
	uint64_t seq;	/* decap scratch: full (ESN-inferred) sequence number */
};

static inline size_t pkt_headroom(const struct pkt *p)
{
	return (size_t)(p->data - p->head);
}

static inline size_t pkt_tailroom(const struct pkt *p)
{
	return PKT_BUF_SIZE - pkt_headroom(p) - p->len;
}

/* Resets p to an empty packet with the standard headroom. */
static inline void pkt_reset(struct pkt *p)
{
	p->data = p->head + PKT_HEADROOM;
	p->len = 0;
	p->drop = ESP_DROP_NONE;
}

#endif
