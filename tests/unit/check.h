/* Minimal unit-test helpers: every CHECK counts, and main() returns non-zero on any failure. */
#ifndef TERN_TESTS_CHECK_H
#define TERN_TESTS_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		check_count++;                                                                     \
		if (!(cond)) {                                                                     \
			check_failures++;                                                          \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
		}                                                                                  \
	} while (0)

#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);                    \
		check_count++;                                                                     \
		if (check_a_ != check_b_) {                                                        \
			check_failures++;                                                          \
			fprintf(stderr,                                                            \
				"%s:%d: CHECK_EQ failed: %s == %lld, expected %s == %lld\n",       \
				__FILE__, __LINE__, #a, check_a_, #b, check_b_);                   \
		}                                                                                  \
	} while (0)

#define CHECK_MEM(a, b, n)                                                                         \
	do {                                                                                       \
		check_count++;                                                                     \
		if (memcmp((a), (b), (n)) != 0) {                                                  \
			check_failures++;                                                          \
			fprintf(stderr, "%s:%d: CHECK_MEM failed: %s != %s (%zu bytes)\n",         \
				__FILE__, __LINE__, #a, #b, (size_t)(n));                          \
			check_hexdump("got", (const uint8_t *)(a), (n));                           \
			check_hexdump("want", (const uint8_t *)(b), (n));                          \
		}                                                                                  \
	} while (0)

static inline void check_hexdump(const char *tag, const uint8_t *p, size_t n)
{
	fprintf(stderr, "  %-4s ", tag);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%02x", p[i]);
	fprintf(stderr, "\n");
}

/* Decodes a hex string (whitespace ignored) into out; returns the byte count. */
static inline size_t check_unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (; *hex; hex++) {
		int v;
		if (*hex >= '0' && *hex <= '9')
			v = *hex - '0';
		else if (*hex >= 'a' && *hex <= 'f')
			v = *hex - 'a' + 10;
		else if (*hex >= 'A' && *hex <= 'F')
			v = *hex - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			if (n < cap)
				out[n] = (uint8_t)(hi << 4 | v);
			n++;
			hi = -1;
		}
	}
	if (n > cap) {
		fprintf(stderr, "check_unhex: buffer too small (%zu > %zu)\n", n, cap);
		abort();
	}
	return n;
}

/* Ends a test program: prints the tally and returns the exit status. */
static inline int check_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
	return check_failures ? 1 : 0;
}

#endif
