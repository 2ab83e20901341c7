/* virtio-net headers on a TUN device opened with IFF_VNET_HDR (Linux
 * Documentation/networking/tuntap.rst, include/uapi/linux/virtio_net.h, virtio 1.1 section
 * 5.1.6), and what the datapath does with them:
 *   - TX, packets read from TUN: a GSO super-packet (TSO over IPv4/IPv6, USO) is split into
 *     gso_size segments with every header fixed and every checksum complete; a single packet
 *     with NEEDS_CSUM gets its checksum completed at csum_start + csum_offset.
 *   - RX, packets written to TUN: a header describing a plain packet, or a TCP super-packet
 *     coalesced by datapath/gro.h.
 *
 * The header is 10 bytes, its 16-bit fields in host byte order (legacy virtio, which is what
 * TUN uses unless TUNSETVNETLE/BE is set). It is read through a cursor, never cast. */
#ifndef TERN_DATAPATH_VNET_H
#define TERN_DATAPATH_VNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	DP_VNET_HDR_LEN = 10,
	DP_VNET_F_NEEDS_CSUM = 1,
	DP_VNET_GSO_NONE = 0,
	DP_VNET_GSO_TCPV4 = 1,
	DP_VNET_GSO_UDP = 3, /* UFO (IP fragmentation): never split here */
	DP_VNET_GSO_TCPV6 = 4,
	DP_VNET_GSO_UDP_L4 = 5,
	DP_VNET_GSO_ECN = 0x80,
	DP_GSO_MAX = 65535 + DP_VNET_HDR_LEN, /* largest read from a TUN device with offloads */
};

struct dp_vnet_hdr {
	uint8_t flags, gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
};

/* A super-packet checked by dp_gso_init, ready to be cut into segs segments. */
struct dp_gso {
	const uint8_t *pkt; /* the super-packet, without its virtio-net header */
	size_t len;
	uint8_t proto; /* 6 (TCP) or 17 (UDP) */
	bool ipv6;
	size_t l4_off;	/* where the TCP/UDP header starts */
	size_t hdr_len; /* all headers: the bytes repeated in front of every segment */
	size_t mss;	/* payload bytes per segment (the last may have fewer) */
	unsigned segs;	/* at least 1 */
	uint32_t seq;	/* TCP: the first segment's sequence number */
	uint16_t ip_id; /* IPv4: the first segment's identification */
};

/* Reads a virtio-net header. 0, or -EBADMSG when len < DP_VNET_HDR_LEN. */
int dp_vnet_parse(const uint8_t *b, size_t len, struct dp_vnet_hdr *h);

/* Writes h as DP_VNET_HDR_LEN bytes. */
void dp_vnet_write(uint8_t *b, const struct dp_vnet_hdr *h);

/* Checks a super-packet against its header (gso_type not NONE). seg_max: the largest segment
 * the caller can hold. 0, -EBADMSG (gso_size 0, hdr_len, csum_start or csum_offset out of
 * place, headers short or inconsistent with gso_type, a segment larger than seg_max) or
 * -EPROTONOSUPPORT (a gso_type not split here: UFO or unknown). */
int dp_gso_init(struct dp_gso *g, const struct dp_vnet_hdr *h, const uint8_t *pkt, size_t len,
		size_t seg_max);

/* Writes segment i (< g->segs) into out: headers with length, IPv4 identification and header
 * checksum, TCP sequence number and flags (FIN and PSH on the last segment only, CWR on the
 * first only), UDP length, and a complete TCP/UDP checksum. Returns its length. */
size_t dp_gso_segment(const struct dp_gso *g, unsigned i, uint8_t *out);

/* Completes the checksum of a packet read with NEEDS_CSUM and no GSO: the one's complement sum
 * from csum_start to the end (the field at csum_start + csum_offset holds the pseudo-header
 * sum) goes into that field. 0, or -EBADMSG when the offsets are past the end. */
int dp_vnet_csum_complete(const struct dp_vnet_hdr *h, uint8_t *pkt, size_t len);

#endif
