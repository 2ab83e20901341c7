/* The datapath: IP packets from a TUN device sealed as ESP in UDP (RFC 3948) to the gateway,
 * and the reverse. Two worker threads:
 *   TX: TUN reads until EAGAIN after each poll (super-packets split into segments) -> ESP
 *       encap -> sendmmsg to the peer (runs of equal-size datagrams as one UDP_SEGMENT
 *       message each); also sends NAT-T keepalives (one 0xff byte) after 20 s without
 *       traffic when enabled.
 *   RX: recvmmsg (UDP_GRO trains split into datagrams) -> demux: non-ESP marker (four zero
 *       bytes) = IKE, handed to ike_rx without the marker; a single 0xff byte =
 *       NAT-keepalive, ignored; anything else = ESP -> decap -> TUN write (in-order TCP
 *       segments of one flow as one super-packet). A recvmmsg that did not fill the burst is
 *       followed by poll, not by another recvmmsg.
 *
 * The fds stay the caller's: dp never closes them. dp_start() puts tun_fd in non-blocking
 * mode. The TUN device must be IFF_TUN | IFF_NO_PI, and udp_fd a UDP socket bound to the
 * local IKE NAT-T port; IKE messages are sent by the caller on the same socket.
 *
 * Offloads, set up by dp_start() and undone by dp_stop():
 *   - a TUN device opened with IFF_VNET_HDR (tun_open(..., TUN_OPEN_VNET_HDR, ...)) gets
 *     TUNSETOFFLOAD CSUM|TSO4|TSO6 (and USO4|USO6 when the kernel has them): TX reads 64 KiB
 *     super-packets and splits them, RX coalesces TCP segments into super-packets (GRO);
 *     any other descriptor (e.g. a socketpair in tests) carries plain IP packets;
 *   - udp_fd: ESP datagrams of equal size go out with UDP_SEGMENT (dropped back to one
 *     datagram per message if the socket refuses), and UDP_GRO is turned on for receiving.
 *
 * ike_rx runs on the RX thread, with msg valid only during the call: copy the message into a
 * queue and wake the control loop (uv_async_send); never block in it.
 *
 * Control functions (dp_install_sa, dp_retire_inbound, dp_set_peer, dp_set_keepalive*,
 * dp_get_stats, dp_start, dp_stop, dp_free) are for one control thread; they may block
 * briefly (until both workers finish their current burst), the workers never block on them. */
#ifndef TERN_DATAPATH_DP_H
#define TERN_DATAPATH_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "datapath/esp.h"

enum {
	DP_BURST_DEFAULT = 32,
	DP_BURST_MAX = ESP_BURST_MAX,
	DP_KEEPALIVE_MS = 20000, /* RFC 3948 section 4: 20 s by default */
};

struct dp_config {
	int tun_fd;
	int udp_fd;
	struct sockaddr_storage peer; /* the gateway's IP and NAT-T port (4500) */
	socklen_t peer_len;
	void (*ike_rx)(void *arg, const uint8_t *msg, size_t len); /* on the RX thread */
	void *ike_rx_arg;
	unsigned burst; /* packets per burst: 0 = DP_BURST_DEFAULT, at most DP_BURST_MAX */
	/* 0: whether tun_fd carries virtio-net headers is asked of the TUN device. Otherwise
	 * tun_fd is taken to carry headers of this many bytes (10..32) without asking, as a
	 * TUN device with every offload on would (for tests over socketpairs). */
	unsigned tun_vnet_hdr;
};

struct dp_stats {
	/* in: inner packets written to TUN; out: inner packets sealed and handed to the socket.
	 * Bytes count inner IP packets. */
	uint64_t packets_in, bytes_in, packets_out, bytes_out;
	uint64_t drop_unknown_spi, drop_replay, drop_icv, drop_malformed, drop_ts;
	uint64_t drop_no_sa; /* outbound: no SA covers it (or none installed) */
	uint64_t drop_seq;   /* outbound: sequence numbers exhausted */
	uint64_t drop_dummy; /* inbound: next header 59 */
	uint64_t drop_io;    /* send/read/write errors */
	uint64_t ike_in;     /* IKE datagrams handed to ike_rx */
	uint64_t keepalive_in, keepalive_out;
	/* Offloads: super-packets read from TUN and split (TSO/USO), sends with UDP_SEGMENT,
	 * UDP_GRO trains received, TCP super-packets written to TUN (userspace GRO). */
	uint64_t tun_gso, udp_gso, udp_gro, tun_gro;
	unsigned tun_offload; /* TUN_F_* bits in use (0: plain TUN packets) */
	uint64_t out_seq;     /* last sequence number used by the current outbound SA */
	bool rekey_needed;    /* the current outbound SA ran out of sequence numbers */
};

struct dp;

/* 0, -EINVAL (a negative fd, no peer address, burst above DP_BURST_MAX, tun_vnet_hdr out of
 * range) or -ENOMEM. */
int dp_new(struct dp **out, const struct dp_config *cfg);
/* Starts the worker threads. 0 or a negative errno; reason in dp_last_error(). */
int dp_start(struct dp *dp);
/* Stops and joins the worker threads (no-op when not running). */
void dp_stop(struct dp *dp);
/* Stops if needed, frees every SA (keys wiped) and dp itself. */
void dp_free(struct dp *dp);

/* Installs a CHILD_SA pair: the new inbound SA first (the current one stays as "previous",
 * still accepted, for the rekey overlap), then switches outbound. The SA that was "previous"
 * and the old outbound SA are freed once no worker can hold them any more. Either direction
 * may be NULL to install the other one alone: e.g. a rekey responder installs inbound first
 * and switches outbound once the peer can receive on the new SA.
 * 0, or -EINVAL / -ENOMEM / the AEAD's error, reason in dp_last_error(). */
int dp_install_sa(struct dp *dp, const struct esp_sa_params *in, const struct esp_sa_params *out);
/* Stops accepting the inbound SA with this SPI (e.g. after the old CHILD_SA was deleted).
 * 0 or -ENOENT. */
int dp_retire_inbound(struct dp *dp, uint32_t spi);
/* Changes where ESP and keepalives go (NAT mapping change, MOBIKE). 0 or -EINVAL/-ENOMEM. */
int dp_set_peer(struct dp *dp, const struct sockaddr *addr, socklen_t len);
/* Turns NAT-T keepalives on (when a NAT was detected) or off. One is sent whenever nothing
 * was sent for the keepalive interval. */
void dp_set_keepalive(struct dp *dp, bool on);
/* Sets that interval (0: back to DP_KEEPALIVE_MS). */
void dp_set_keepalive_interval(struct dp *dp, unsigned ms);
/* Sums the workers' counters. */
void dp_get_stats(struct dp *dp, struct dp_stats *st);
/* The reason of the last failed control call, in words ("" if none). */
const char *dp_last_error(const struct dp *dp);

#endif
