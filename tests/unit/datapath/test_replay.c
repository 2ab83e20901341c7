/* Anti-replay window tables. Expected verdicts follow by hand from RFC 4303 section 3.4.3
 * (window of W = 4096: accept if new or within W behind the highest and not yet seen; numbers
 * start at 1) and, for ESN, from the Seqh inference of RFC 4303 Appendix A2.2. */
#include <errno.h>

#include "../check.h"

#include "datapath/replay.h"

enum { OK = 0, OLD = -ESTALE, DUP = -EALREADY };

struct row {
	uint32_t seq_lo;
	int verdict;	   /* of esp_replay_check */
	bool authentic;	   /* ICV passed: update the window */
	uint64_t want_seq; /* ESN: the inferred 64-bit number (0: don't check) */
};

static void run(const char *name, bool esn, const struct row *rows, size_t n)
{
	struct esp_replay r;

	esp_replay_init(&r, esn);
	for (size_t i = 0; i < n; i++) {
		uint64_t seq = 0;
		int v = esp_replay_check(&r, rows[i].seq_lo, &seq);
		CHECK_EQ(v, rows[i].verdict);
		if (v != rows[i].verdict)
			fprintf(stderr, "  table %s, row %zu (seq 0x%x)\n", name, i,
				rows[i].seq_lo);
		if (rows[i].want_seq != 0)
			CHECK_EQ(seq, rows[i].want_seq);
		if (v == 0 && rows[i].authentic) {
			CHECK_EQ(esp_replay_update(&r, seq), 0);
			/* A second copy that passed the check in the same burst loses at update. */
			CHECK_EQ(esp_replay_update(&r, seq), DUP);
		}
	}
}

static const struct row plain[] = {
    {0, OLD, true, 0}, /* zero is never sent */
    {1, OK, true, 0},  /* in order */
    {1, DUP, true, 0}, /* duplicate */
    {2, OK, true, 0},
    {5, OK, true, 0}, /* gap */
    {4, OK, true, 0}, /* late, inside the window */
    {4, DUP, true, 0},
    {3, OK, true, 0},
    {5000, OK, true, 0}, /* jump */
    {905, OK, true, 0},	 /* 5000 - 905 = 4095: last slot of the window */
    {904, OLD, true, 0}, /* 5000 - 904 = 4096: just outside */
    {905, DUP, true, 0},
    {4999, OK, true, 0},
    {9000, OK, false, 0},   /* forged: ICV fails, the window must not move */
    {4990, OK, true, 0},    /* still inside: 5000 - 4990 = 10 */
    {1000000, OK, true, 0}, /* far jump: the whole ring is cleared */
    {5000, OLD, true, 0},
    {999999, OK, true, 0},
    {1000000, DUP, true, 0},
    {1000000 - 4095, OK, true, 0},
    {1000000 + 8192, OK, true, 0}, /* jump of exactly the ring size */
    {1000000 + 8191, OK, true, 0}, /* a slot that held a bit before the jump */
    {1000000 + 8192, DUP, true, 0},
    {0xffffffff, OK, true, 0}, /* last number without ESN */
    {5, OLD, true, 0},	       /* no wrap without ESN */
    {0xfffffff0, OK, true, 0},
    {0xfffffff0, DUP, true, 0},
};

static const struct row esn[] = {
    {1, OK, true, 1},
    {0xfffffff0, OLD, true, 0},		/* would be before the start (Seqh - 1 < 0) */
    {0x80000000, OK, true, 0x80000000}, /* case B, below Tl - W + 1: same Seqh */
    {0xfffffff0, OK, true, 0xfffffff0}, /* case A, above the bottom: same Seqh */
    {5, OK, true, 0x100000005},		/* case A, below the bottom: Seqh + 1 (wrap) */
    {0xfffffff8, OK, true, 0xfffffff8}, /* case B, upper part: Seqh - 1, in window */
    {0xfffffff0, DUP, true, 0xfffffff0},
    {0xfffff006, OK, true, 0xfffff006},	  /* 0x100000005 - 4095: oldest slot */
    {0xfffff005, OK, false, 0x1fffff005}, /* below the bottom: read as far ahead */
    {6, OK, true, 0x100000006},
    {5, DUP, true, 0x100000005},
    {0, OK, true, 0x100000000}, /* low half zero is valid once Seqh > 0 */
    {0, DUP, true, 0x100000000},
};

int main(void)
{
	run("plain", false, plain, sizeof(plain) / sizeof(plain[0]));
	run("esn", true, esn, sizeof(esn) / sizeof(esn[0]));
	return check_done("test_replay");
}
