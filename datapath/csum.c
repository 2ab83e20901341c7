/* RFC 1071 checksum, eight bytes per load with end-around carry (section 4.1's technique with
 * a 64-bit accumulator). */
#include "datapath/csum.h"

#include <string.h>

static inline uint64_t add64(uint64_t sum, uint64_t v)
{
	sum += v;
	return sum + (sum < v); /* end-around carry */
}

uint64_t dp_csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
	uint64_t v;

	while (len >= 32) {
		uint64_t a, b, c, d;
		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		memcpy(&c, p + 16, 8);
		memcpy(&d, p + 24, 8);
		sum = add64(add64(add64(add64(sum, a), b), c), d);
		p += 32;
		len -= 32;
	}
	while (len >= 8) {
		memcpy(&v, p, 8);
		sum = add64(sum, v);
		p += 8;
		len -= 8;
	}
	if (len != 0) {
		/* The tail in memory order, padded with zero bytes (an odd last byte is the high
		 * byte of its 16-bit word on the wire, which this keeps). */
		v = 0;
		memcpy(&v, p, len);
		sum = add64(sum, v);
	}
	return sum;
}

uint64_t dp_csum_be16(uint64_t sum, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	return dp_csum_add(sum, b, 2);
}

uint16_t dp_csum_fold(uint64_t sum)
{
	uint32_t s32 = (uint32_t)(sum >> 32) + (uint32_t)sum;

	if (s32 < (uint32_t)sum)
		s32++;
	s32 = (s32 >> 16) + (s32 & 0xffff);
	s32 = (s32 >> 16) + (s32 & 0xffff);
	return (uint16_t)s32;
}

uint64_t dp_csum_pseudo(const uint8_t *src, const uint8_t *dst, size_t addr_len, uint8_t proto,
			uint32_t l4_len)
{
	uint64_t sum = dp_csum_add(0, src, addr_len);

	sum = dp_csum_add(sum, dst, addr_len);
	sum = dp_csum_be16(sum, proto);
	sum = dp_csum_be16(sum, (uint16_t)(l4_len >> 16));
	return dp_csum_be16(sum, (uint16_t)l4_len);
}
