/* Internet checksum (RFC 1071) with wide loads: eight bytes at a time into a 64-bit
 * accumulator. Sums are kept in memory byte order (RFC 1071 section 2(B): the one's complement
 * sum does not depend on byte order), so a folded sum is stored into a packet with memcpy, and
 * values that must go in network order (lengths, protocol) are added through dp_csum_be16().
 * Pieces summed separately must each start at an even offset of the checksummed range. */
#ifndef TERN_DATAPATH_CSUM_H
#define TERN_DATAPATH_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds len bytes at p to sum (the result is not folded). */
uint64_t dp_csum_add(uint64_t sum, const uint8_t *p, size_t len);

/* Adds a 16-bit value given in host order as its network-order bytes. */
uint64_t dp_csum_be16(uint64_t sum, uint16_t v);

/* Folds to 16 bits (not complemented), in memory order. */
uint16_t dp_csum_fold(uint64_t sum);

/* The complemented checksum of sum, in memory order: memcpy it into the header. */
static inline uint16_t dp_csum_final(uint64_t sum)
{
	return (uint16_t)~dp_csum_fold(sum);
}

/* The TCP/UDP pseudo-header sum (RFC 793 section 3.1, RFC 768, RFC 8200 section 8.1):
 * addresses (4 or 16 bytes each, addr_len), protocol and the transport length. */
uint64_t dp_csum_pseudo(const uint8_t *src, const uint8_t *dst, size_t addr_len, uint8_t proto,
			uint32_t l4_len);

#endif
