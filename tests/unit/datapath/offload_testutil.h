/* Helpers for the offload tests: an independent RFC 1071 checksum (16-bit big-endian words,
 * one at a time, as in RFC 1071 section 4.1), checkers for IPv4 header and TCP/UDP checksums
 * (RFC 791, RFC 793, RFC 768, RFC 8200 section 8.1), TCP/UDP packet builders and the
 * virtio-net header layout (include/uapi/linux/virtio_net.h: u8 flags, u8 gso_type, then
 * hdr_len, gso_size, csum_start, csum_offset as 16-bit host-order fields). */
#ifndef TERN_TESTS_OFFLOAD_TESTUTIL_H
#define TERN_TESTS_OFFLOAD_TESTUTIL_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* RFC 1071 section 4.1, written out plainly. Returns the folded sum (not complemented). */
static inline uint32_t ref_sum(uint32_t sum, const uint8_t *p, size_t len)
{
	while (len > 1) {
		sum += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len > 0)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static inline uint16_t ref_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void ref_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The pseudo-header sum of an IPv4 or IPv6 packet whose transport header is at l4. */
static inline uint32_t ref_pseudo(const uint8_t *pkt, size_t l4, size_t len)
{
	bool v6 = pkt[0] >> 4 == 6;
	uint32_t sum = ref_sum(0, pkt + (v6 ? 8 : 12), v6 ? 32 : 8);
	uint8_t proto = v6 ? pkt[6] : pkt[9];

	sum += proto;
	sum += (uint32_t)(len - l4);
	return ref_sum(sum, NULL, 0);
}

/* Whether the IPv4 header checksum verifies (sum of the header is 0xffff). */
static inline bool ref_ipv4_ok(const uint8_t *pkt)
{
	return ref_sum(0, pkt, (size_t)(pkt[0] & 15) * 4) == 0xffff;
}

/* Whether the transport checksum of a whole packet verifies. */
static inline bool ref_l4_ok(const uint8_t *pkt, size_t len)
{
	size_t l4 = pkt[0] >> 4 == 6 ? 40 : (size_t)(pkt[0] & 15) * 4;

	return ref_sum(ref_pseudo(pkt, l4, len), pkt + l4, len - l4) == 0xffff;
}

static inline void ref_vnet(uint8_t *b, uint8_t flags, uint8_t type, uint16_t hdr_len,
			    uint16_t gso_size, uint16_t csum_start, uint16_t csum_offset)
{
	b[0] = flags;
	b[1] = type;
	memcpy(b + 2, &hdr_len, 2);
	memcpy(b + 4, &gso_size, 2);
	memcpy(b + 6, &csum_start, 2);
	memcpy(b + 8, &csum_offset, 2);
}

static inline uint16_t ref_vnet16(const uint8_t *b, size_t off)
{
	uint16_t v;
	memcpy(&v, b + off, 2);
	return v;
}

/* Payload byte i of a test stream. */
static inline uint8_t ref_byte(uint32_t i)
{
	return (uint8_t)(i * 7 + (i >> 8) * 13 + 1);
}

/* The IP header of a reference packet of len bytes (b zeroed by the caller): IPv4
 * 192.0.2.1 -> 198.51.100.7 with id, DF when df, and its header checksum; or IPv6
 * 2001:db8::1 -> 2001:db8::7. TTL/hop limit 64. */
static inline void ref_ip(uint8_t *b, bool v6, uint8_t proto, uint16_t id, size_t len, bool df)
{
	if (v6) {
		b[0] = 0x60;
		ref_wr16(b + 4, (uint16_t)(len - 40));
		b[6] = proto;
		b[7] = 64;
		inet_pton(AF_INET6, "2001:db8::1", b + 8);
		inet_pton(AF_INET6, "2001:db8::7", b + 24);
		return;
	}
	b[0] = 0x45;
	ref_wr16(b + 2, (uint16_t)len);
	ref_wr16(b + 4, id);
	if (df)
		b[6] = 0x40;
	b[8] = 64;
	b[9] = proto;
	inet_pton(AF_INET, "192.0.2.1", b + 12);
	inet_pton(AF_INET, "198.51.100.7", b + 16);
	ref_wr16(b + 10, (uint16_t)~ref_sum(0, b, 20));
}

/* An IPv4 (or IPv6) TCP packet: 192.0.2.1:40000 -> 198.51.100.7:5001 (2001:db8::1 -> ::7),
 * header with a timestamp option (12 bytes: NOP NOP TS), stream bytes from stream_off, the
 * given flags and IPv4 id. The TCP checksum field holds the pseudo-header sum as the kernel
 * leaves it with CHECKSUM_PARTIAL (not complemented). Returns the length. */
static inline size_t ref_tcp(uint8_t *b, bool v6, uint32_t seq, uint8_t flags, uint16_t id,
			     uint32_t stream_off, size_t pay)
{
	size_t l4 = v6 ? 40 : 20, len = l4 + 32 + pay;
	uint8_t *t = b + l4;

	memset(b, 0, l4 + 32);
	ref_ip(b, v6, 6, id, len, true);
	ref_wr16(t, 40000);
	ref_wr16(t + 2, 5001);
	t[4] = (uint8_t)(seq >> 24);
	t[5] = (uint8_t)(seq >> 16);
	t[6] = (uint8_t)(seq >> 8);
	t[7] = (uint8_t)seq;
	memcpy(t + 8, "\x11\x22\x33\x44", 4); /* ack */
	t[12] = 8 << 4;			      /* 32-byte header */
	t[13] = flags;
	ref_wr16(t + 14, 501);
	memcpy(t + 20, "\x01\x01\x08\x0a\x00\x00\x10\x00\x00\x00\x20\x00", 12);
	for (size_t i = 0; i < pay; i++)
		b[l4 + 32 + i] = ref_byte(stream_off + (uint32_t)i);
	ref_wr16(t + 16, (uint16_t)ref_pseudo(b, l4, len));
	return len;
}

/* An IPv4 (or IPv6) UDP packet 192.0.2.1:40000 -> 198.51.100.7:5001 with stream bytes, the
 * UDP checksum field holding the pseudo-header sum (CHECKSUM_PARTIAL). */
static inline size_t ref_udp(uint8_t *b, bool v6, uint16_t id, uint32_t stream_off, size_t pay)
{
	size_t l4 = v6 ? 40 : 20, len = l4 + 8 + pay;
	uint8_t *u = b + l4;

	memset(b, 0, l4 + 8);
	ref_ip(b, v6, 17, id, len, false);
	ref_wr16(u, 40000);
	ref_wr16(u + 2, 5001);
	ref_wr16(u + 4, (uint16_t)(len - l4));
	for (size_t i = 0; i < pay; i++)
		b[l4 + 8 + i] = ref_byte(stream_off + (uint32_t)i);
	ref_wr16(u + 6, (uint16_t)ref_pseudo(b, l4, len));
	return len;
}

#endif
