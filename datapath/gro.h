/* Userspace GRO for packets written to a TUN device with a virtio-net header: consecutive
 * in-order TCP segments of one flow are written as one super-packet (gso_type TCPV4/TCPV6,
 * gso_size = the first segment's payload, NEEDS_CSUM with the pseudo-header sum in the TCP
 * checksum field), which the kernel's TCP takes in one go. The rules follow what Linux's own
 * GRO merges: every header field equal except lengths, IPv4 identification, checksums, the
 * sequence number (which must continue the train) and PSH; only ACK (and PSH) set; all
 * segments of gso_size bytes except a shorter last one; PSH ends a train. Nothing is copied:
 * the train is an iovec over the segments' payloads, valid while their buffers are. */
#ifndef TERN_DATAPATH_GRO_H
#define TERN_DATAPATH_GRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

enum {
	DP_GRO_SEGS_MAX = 64,	       /* segments per train (as Linux GRO) */
	DP_GRO_LEN_MAX = 65535,	       /* IP length of a train */
	DP_GRO_HDR_MAX = 32 + 60 + 60, /* virtio-net header + IP header + TCP header */
};

struct dp_gro {
	const uint8_t *first; /* the first segment (its headers are the train's) */
	size_t hdr_len, l4_off, mss, total;
	unsigned segs;
	bool ipv6, ended, psh;
	uint32_t next_seq;
	uint8_t hdr[DP_GRO_HDR_MAX];
	struct iovec iov[DP_GRO_SEGS_MAX + 1];
};

/* Empties the train. */
void dp_gro_reset(struct dp_gro *g);

/* Adds an inner IP packet of exactly len bytes: starts a train when the train is empty (true
 * if the packet can start one: TCP with payload, ACK or ACK|PSH, no IPv4 fragment), or extends
 * it (true if the packet continues it). false: not taken, the train is unchanged. */
bool dp_gro_add(struct dp_gro *g, const uint8_t *pkt, size_t len);

/* Builds the train's headers: a virtio-net header of vnet_len bytes (a train of one segment
 * gets a zeroed one and its packet unchanged), then fixed IP and TCP headers. Returns the
 * number of iovecs in *iov for writev (0 if the train is empty); *segs: segments in it. */
int dp_gro_finish(struct dp_gro *g, unsigned vnet_len, const struct iovec **iov, unsigned *segs);

#endif
