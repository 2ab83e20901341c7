/* Anti-replay window: RFC 4303 section 3.4.3 and Appendix A2, bitmap ring as in RFC 6479. */
#include "datapath/replay.h"

#include <errno.h>
#include <string.h>

enum { WORD_BITS = 64, WORD_SHIFT = 6 };

_Static_assert((ESP_REPLAY_WORDS & (ESP_REPLAY_WORDS - 1)) == 0, "ring size: power of two");
_Static_assert(ESP_REPLAY_WORDS *WORD_BITS >= ESP_REPLAY_WINDOW + WORD_BITS,
	       "ring must hold the window plus one partly used word");

void esp_replay_init(struct esp_replay *r, bool esn)
{
	memset(r, 0, sizeof(*r));
	r->esn = esn;
}

/* RFC 4303 Appendix A2.2: guess Seqh from Seql and the window. Returns false when the number
 * would lie before the start of the sequence space (it cannot be new). */
static bool infer_esn(const struct esp_replay *r, uint32_t seq_lo, uint64_t *seq)
{
	uint32_t tl = (uint32_t)r->top, th = (uint32_t)(r->top >> 32);
	uint32_t bottom = tl - (ESP_REPLAY_WINDOW - 1); /* Tl - W + 1, modulo 2^32 */
	uint64_t seq_hi;

	if (tl >= ESP_REPLAY_WINDOW - 1) {
		/* Case A: the window lies within one sub-space. */
		seq_hi = seq_lo >= bottom ? th : (uint64_t)th + 1;
	} else if (seq_lo >= bottom) {
		/* Case B, Seql in the upper part of the previous sub-space. */
		if (th == 0)
			return false;
		seq_hi = th - 1;
	} else {
		seq_hi = th;
	}
	*seq = seq_hi << 32 | seq_lo;
	return true;
}

static bool bit_is_set(const struct esp_replay *r, uint64_t seq)
{
	uint64_t word = r->bits[(seq >> WORD_SHIFT) & (ESP_REPLAY_WORDS - 1)];
	return (word >> (seq & (WORD_BITS - 1))) & 1;
}

static int verdict(const struct esp_replay *r, uint64_t seq)
{
	if (seq == 0)
		return -ESTALE; /* never sent: numbering starts at 1 (RFC 4303 section 3.3.3) */
	if (seq > r->top)
		return 0;
	if (r->top - seq >= ESP_REPLAY_WINDOW)
		return -ESTALE;
	return bit_is_set(r, seq) ? -EALREADY : 0;
}

int esp_replay_check(const struct esp_replay *r, uint32_t seq_lo, uint64_t *seq)
{
	uint64_t s = seq_lo;

	if (r->esn && !infer_esn(r, seq_lo, &s))
		return -ESTALE;
	*seq = s;
	return verdict(r, s);
}

int esp_replay_update(struct esp_replay *r, uint64_t seq)
{
	int err = verdict(r, seq);

	if (err < 0)
		return err;
	if (seq > r->top) {
		uint64_t from = r->top >> WORD_SHIFT, to = seq >> WORD_SHIFT;
		if (to - from >= ESP_REPLAY_WORDS) {
			memset(r->bits, 0, sizeof(r->bits));
		} else {
			for (uint64_t w = from + 1; w <= to; w++)
				r->bits[w & (ESP_REPLAY_WORDS - 1)] = 0;
		}
		r->top = seq;
	}
	r->bits[(seq >> WORD_SHIFT) & (ESP_REPLAY_WORDS - 1)] |= 1ull << (seq & (WORD_BITS - 1));
	return 0;
}
