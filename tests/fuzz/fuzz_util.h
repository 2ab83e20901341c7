/* Helpers shared by the libFuzzer targets: a deterministic rand hook and a reader that splits
 * one input into length-prefixed records. Header-only; each target is one C file. */
#ifndef TERN_FUZZ_UTIL_H
#define TERN_FUZZ_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A reproducible byte stream (xorshift64), so every run of an input takes the same path. */
struct fuzz_rand {
	uint64_t state;
};

static inline int fuzz_rand_fill(void *arg, uint8_t *buf, size_t len)
{
	struct fuzz_rand *r = arg;
	for (size_t i = 0; i < len; i++) {
		r->state ^= r->state << 13;
		r->state ^= r->state >> 7;
		r->state ^= r->state << 17;
		buf[i] = (uint8_t)(r->state >> 24);
	}
	return 0;
}

/* Input cursor: never reads past the end; a short read gives what is left. */
struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline bool fuzz_u8(struct fuzz_in *in, uint8_t *v)
{
	if (in->left < 1)
		return false;
	*v = in->p[0];
	in->p++;
	in->left--;
	return true;
}

static inline bool fuzz_u16(struct fuzz_in *in, uint16_t *v)
{
	if (in->left < 2)
		return false;
	*v = (uint16_t)(in->p[0] << 8 | in->p[1]);
	in->p += 2;
	in->left -= 2;
	return true;
}

/* A record: 2-octet big-endian length, then that many octets (cut short at the end). */
static inline bool fuzz_record(struct fuzz_in *in, const uint8_t **rec, size_t *len)
{
	uint16_t n;
	if (!fuzz_u16(in, &n))
		return false;
	*len = n < in->left ? n : in->left;
	*rec = in->p;
	in->p += *len;
	in->left -= *len;
	return true;
}

/* Reads every byte of a buffer the code under test handed out, so that ASan reports a
 * dangling or short buffer here rather than never. */
static inline unsigned fuzz_touch(const void *p, size_t len)
{
	const volatile uint8_t *b = p;
	unsigned sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return sum;
}

#endif
