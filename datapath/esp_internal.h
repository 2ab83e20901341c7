/* The ESP SA as the encapsulation and decapsulation files see it. Not for other modules. */
#ifndef TERN_DATAPATH_ESP_INTERNAL_H
#define TERN_DATAPATH_ESP_INTERNAL_H

#include "datapath/esp.h"
#include "datapath/replay.h"

struct esp_sa {
	uint32_t spi;
	bool esn, inbound;
	struct aead *aead; /* keyed once at creation */
	struct esp_ts ts[ESP_TS_MAX];
	unsigned n_ts;
	_Atomic uint64_t seq_out; /* outbound: last sequence number handed out */
	uint64_t iv_base;	  /* outbound: IV = iv_base + sequence number */
	atomic_bool rekey_needed;
	_Atomic uint64_t packets, bytes;
	struct esp_replay replay; /* inbound: owned by the receiving thread */
};

/* Adds to a counter. Relaxed: counters order nothing. */
static inline void esp_count(_Atomic uint64_t *c, uint64_t v)
{
	if (v != 0)
		atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}

/* Counts the dropped packets of a finished burst by reason into st (NULL allowed). */
void esp_count_drops(struct esp_stats *st, struct pkt **pkts, unsigned n);

#endif
