/* ESP (RFC 4303) with the combined-mode ciphers AES-GCM (RFC 4106) and ChaCha20-Poly1305
 * (RFC 7634), tunnel mode, in place on bursts of packet descriptors.
 *
 * Wire layout produced and accepted (the UDP header of RFC 3948 is the socket's business):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               Security Parameters Index (SPI)                 |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Sequence Number (low 32 bits)                 |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          IV (8 bytes): the 64-bit sequence number             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      inner IP packet, Padding 1,2,3.. (0-3), Pad Length,      |
 *  |      Next Header (4 = IPv4, 41 = IPv6)       [encrypted]      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        ICV (16 bytes)                         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * AAD = SPI || Seq (8 bytes), or SPI || Seq high || Seq low (12 bytes) with ESN
 * (RFC 4106 section 5, RFC 7634 section 3). Nonce = salt || IV, built by crypto/aead.
 *
 * Threads: an SA is used by one worker thread at a time (its cipher context and, inbound, its
 * replay window are not shared); sequence numbers are still reserved atomically per burst.
 * Counters are atomics, readable from any thread. */
#ifndef TERN_DATAPATH_ESP_H
#define TERN_DATAPATH_ESP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/aead.h"
#include "datapath/pkt.h"
#include "datapath/ts.h"

enum {
	ESP_HDR_LEN = 8,				    /* SPI + sequence number */
	ESP_OVERHEAD_HEAD = ESP_HDR_LEN + AEAD_IV_LEN,	    /* before the inner packet */
	ESP_OVERHEAD_TAIL_MAX = 3 + 2 + AEAD_TAG_LEN,	    /* padding, trailer, ICV */
	ESP_MIN_LEN = ESP_OVERHEAD_HEAD + 2 + AEAD_TAG_LEN, /* empty payload, no padding */
	ESP_BURST_MAX = 256,				    /* packets per crypto call */
	ESP_KEYMAT_MAX = 36,				    /* 32-byte key + 4-byte salt */
	ESP_NEXT_IPV4 = 4,
	ESP_NEXT_IPV6 = 41,
	ESP_NEXT_NONE = 59,
};

struct esp_sa_params {
	uint32_t spi;
	enum aead_alg alg;
	uint8_t keymat[ESP_KEYMAT_MAX]; /* key || salt; the caller wipes it after use */
	size_t keymat_len;		/* AES-GCM: 20, 28 or 36; ChaCha20-Poly1305: 36 */
	bool esn;
	struct esp_ts ts[ESP_TS_MAX]; /* both sides, see datapath/ts.h */
	unsigned n_ts;
};

/* Counters of one thread's traffic: one writer, any reader. bytes count inner packets. */
struct esp_stats {
	_Atomic uint64_t packets, bytes;
	_Atomic uint64_t drops[ESP_DROP_COUNT];
};

struct esp_sa;

/* Creates an SA, keying its cipher once. 0, -EINVAL (bad params), -ENOMEM or the AEAD's
 * error. inbound selects the direction for traffic selectors and the replay window. */
int esp_sa_new(struct esp_sa **out, const struct esp_sa_params *p, bool inbound);
void esp_sa_free(struct esp_sa *sa);

uint32_t esp_sa_spi(const struct esp_sa *sa);
/* Packets and inner bytes that passed this SA. */
void esp_sa_counters(const struct esp_sa *sa, uint64_t *packets, uint64_t *bytes);
/* Outbound: the last sequence number used (0 before the first packet). */
uint64_t esp_sa_seq_out(const struct esp_sa *sa);
/* Outbound: sets the last used sequence number (tests of exhaustion; never lowers it). */
void esp_sa_skip_seq_out(struct esp_sa *sa, uint64_t last_used);
/* Outbound, before the first packet: IV = base + sequence number (default base 0). Any constant
 * keeps IVs unique per key (RFC 4106 section 3.1); used to reproduce published vectors. */
void esp_sa_set_iv_base(struct esp_sa *sa, uint64_t base);
/* Outbound: true once the sequence space ran out (2^32 - 1 without ESN): rekey needed. */
bool esp_sa_rekey_needed(const struct esp_sa *sa);

/* Encapsulates each inner IP packet in place (headroom and tailroom from struct pkt). A packet
 * the SA's selectors don't cover is dropped as ESP_DROP_NO_SA (sa may be NULL: all are), never
 * sent in the clear; once sequence numbers run out, ESP_DROP_SEQ. Each packet's verdict is in
 * pkt->drop; returns how many passed. st (may be NULL) counts passes and drops. */
unsigned esp_encap_burst(struct esp_sa *sa, struct pkt **pkts, unsigned n, struct esp_stats *st);

/* Decapsulates ESP packets in place, each by SPI against the candidate inbound SAs (current
 * and previous; NULL entries allowed). Replay is checked before decryption and the window
 * advanced only after the ICV verified. On success pkt->data/len is the inner IP packet.
 * Verdicts in pkt->drop; returns how many passed; st (may be NULL) counts them. */
unsigned esp_decap_burst(struct esp_sa *const *sas, unsigned n_sas, struct pkt **pkts, unsigned n,
			 struct esp_stats *st);

/* The reason for a drop, in words. */
const char *esp_drop_name(enum esp_drop d);

#endif
