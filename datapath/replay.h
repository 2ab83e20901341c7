/* Anti-replay window (RFC 4303 section 3.4.3, Appendix A2 for ESN), kept as a ring of 64-bit
 * words as in RFC 6479: advancing clears whole words, no bit shifting.
 *
 * Use: esp_replay_check() before decrypting (it also infers the high 32 bits of an extended
 * sequence number, which the AAD needs); esp_replay_update() only after the ICV verified.
 * update re-checks, so two copies of one packet in the same burst cannot both pass.
 * One thread owns a window (the RX thread of its SA): no locking. */
#ifndef TERN_DATAPATH_REPLAY_H
#define TERN_DATAPATH_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

enum {
	ESP_REPLAY_WINDOW = 4096, /* packets accepted behind the highest one seen */
	ESP_REPLAY_WORDS = 128,	  /* ring size: a power of two > ESP_REPLAY_WINDOW / 64 + 1 */
};

struct esp_replay {
	uint64_t top; /* highest authenticated sequence number, 0 before the first */
	bool esn;
	uint64_t bits[ESP_REPLAY_WORDS];
};

void esp_replay_init(struct esp_replay *r, bool esn);

/* Checks the 32 bits on the wire; on 0 stores the full 64-bit number in *seq.
 * -ESTALE: older than the window (or zero); -EALREADY: already received. */
int esp_replay_check(const struct esp_replay *r, uint32_t seq_lo, uint64_t *seq);

/* Records an authenticated seq, advancing the window. 0, -ESTALE or -EALREADY. */
int esp_replay_update(struct esp_replay *r, uint64_t seq);

#endif
