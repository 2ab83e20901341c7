/* MD4 (RFC 1320), one-shot. Written from the RFC's section 3 description. */
#include "client/eap/md4.h"

#include <string.h>

#include <openssl/crypto.h>

struct md4_state {
	uint32_t h[4]; /* A, B, C, D */
};

static uint32_t rol(uint32_t x, unsigned s)
{
	return x << s | x >> (32 - s);
}

/* The three auxiliary functions (RFC 1320 3.4). */
static uint32_t f(uint32_t x, uint32_t y, uint32_t z)
{
	return (x & y) | (~x & z);
}

static uint32_t g(uint32_t x, uint32_t y, uint32_t z)
{
	return (x & y) | (x & z) | (y & z);
}

static uint32_t h(uint32_t x, uint32_t y, uint32_t z)
{
	return x ^ y ^ z;
}

/* Processes one 16-word block (RFC 1320 3.4, step 4). */
static void md4_block(struct md4_state *st, const uint8_t block[64])
{
	/* Word order and shift amounts of rounds 2 and 3, as listed in the RFC. */
	static const uint8_t k2[16] = {0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15};
	static const uint8_t k3[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
	static const uint8_t s1[4] = {3, 7, 11, 19};
	static const uint8_t s2[4] = {3, 5, 9, 13};
	static const uint8_t s3[4] = {3, 9, 11, 15};
	uint32_t x[16], r[4];

	for (int i = 0; i < 16; i++)
		x[i] = (uint32_t)block[4 * i] | (uint32_t)block[4 * i + 1] << 8 |
		       (uint32_t)block[4 * i + 2] << 16 | (uint32_t)block[4 * i + 3] << 24;
	memcpy(r, st->h, sizeof(r));

	/* Each step updates one register: A, D, C, B, A, D, ... i.e. index (4 - i) % 4. */
	for (int i = 0; i < 16; i++) {
		uint32_t *a = &r[(4 - i % 4) % 4];
		uint32_t b = r[(5 - i % 4) % 4], c = r[(6 - i % 4) % 4], d = r[(7 - i % 4) % 4];
		*a = rol(*a + f(b, c, d) + x[i], s1[i % 4]);
	}
	for (int i = 0; i < 16; i++) {
		uint32_t *a = &r[(4 - i % 4) % 4];
		uint32_t b = r[(5 - i % 4) % 4], c = r[(6 - i % 4) % 4], d = r[(7 - i % 4) % 4];
		*a = rol(*a + g(b, c, d) + x[k2[i]] + 0x5A827999u, s2[i % 4]);
	}
	for (int i = 0; i < 16; i++) {
		uint32_t *a = &r[(4 - i % 4) % 4];
		uint32_t b = r[(5 - i % 4) % 4], c = r[(6 - i % 4) % 4], d = r[(7 - i % 4) % 4];
		*a = rol(*a + h(b, c, d) + x[k3[i]] + 0x6ED9EBA1u, s3[i % 4]);
	}
	for (int i = 0; i < 4; i++)
		st->h[i] += r[i];
	OPENSSL_cleanse(x, sizeof(x));
	OPENSSL_cleanse(r, sizeof(r));
}

void eap_md4(const void *data, size_t len, uint8_t digest[EAP_MD4_LEN])
{
	struct md4_state st = {{0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u}};
	const uint8_t *p = data;
	uint64_t bits = (uint64_t)len * 8;
	uint8_t tail[128];
	size_t rest, tail_len;

	for (; len >= 64; p += 64, len -= 64)
		md4_block(&st, p);

	/* Padding: a 1 bit, zeros up to 56 mod 64, then the bit length, little-endian (3.1, 3.2).
	 */
	rest = len;
	tail_len = rest < 56 ? 64 : 128;
	memset(tail, 0, sizeof(tail));
	if (rest)
		memcpy(tail, p, rest);
	tail[rest] = 0x80;
	for (int i = 0; i < 8; i++)
		tail[tail_len - 8 + i] = (uint8_t)(bits >> (8 * i));
	md4_block(&st, tail);
	if (tail_len == 128)
		md4_block(&st, tail + 64);

	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			digest[4 * i + j] = (uint8_t)(st.h[i] >> (8 * j));
	OPENSSL_cleanse(tail, sizeof(tail));
	OPENSSL_cleanse(&st, sizeof(st));
}
