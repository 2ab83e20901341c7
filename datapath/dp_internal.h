/* Shared between the datapath object (dp.c) and its worker threads (dp_tx.c, dp_rx.c). */
#ifndef TERN_DATAPATH_DP_INTERNAL_H
#define TERN_DATAPATH_DP_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/uio.h>

#include "datapath/dp.h"
#include "datapath/gro.h"
#include "datapath/pool.h"
#include "datapath/vnet.h"

enum {
	DP_UDP_GSO_SEGS_MAX = 64,     /* datagrams per UDP_SEGMENT send (kernel UDP_MAX_SEGMENTS) */
	DP_UDP_GSO_BYTES_MAX = 65000, /* UDP payload per UDP_SEGMENT send (IPv4 and IPv6) */
	DP_UDP_GRO_BUF = 65536,	      /* a coalesced UDP_GRO datagram train */
	DP_RX_SPARES = DP_BURST_MAX,  /* RX buffers for the datagrams split from GRO trains */
	DP_VNET_LEN_MAX = 32,	      /* largest virtio-net header accepted (TUNGETVNETHDRSZ) */
};

/* Room for one UDP_SEGMENT or UDP_GRO control message. */
union dp_cmsg {
	char buf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

struct dp_peer {
	struct sockaddr_storage addr;
	socklen_t len;
};

/* One worker thread with its own buffers and counters (single writer, read by dp_get_stats).
 *
 * Quiescent-state counter qs: the worker makes it odd before it loads SA or peer pointers and
 * even again once it no longer uses them (and always before it sleeps in poll). A control
 * call that unlinked an object waits until every worker's counter is even, or has moved
 * since the unlink: from then on no worker can still hold the object, so it can be freed.
 * All qs and pointer accesses are sequentially consistent, which is what makes the
 * "even, so it will load the new pointer" conclusion valid. */
struct dp_worker {
	struct dp *dp;
	pthread_t thread;
	bool running;
	int wake_fd; /* eventfd: written to wake this worker from poll (stop, settings) */
	_Atomic uint64_t qs;
	struct esp_pool *pool;
	struct pkt *pkts[DP_BURST_MAX];
	struct pkt *esp[DP_BURST_MAX];
	struct mmsghdr msgs[DP_BURST_MAX];
	struct iovec iov[2 * DP_BURST_MAX];
	union dp_cmsg ctrl[DP_BURST_MAX];
	unsigned first[DP_BURST_MAX];	 /* TX: the first packet of each message */
	unsigned cap;			 /* TX: packets per batch; RX: messages per recvmmsg */
	unsigned n;			 /* TX: packets in the batch being filled */
	bool io_gso;			 /* TX: UDP_SEGMENT in use; RX: UDP_GRO enabled */
	uint8_t *stage;			 /* TX: one super-packet; RX: cap GRO buffers (or NULL) */
	struct pkt *spare[DP_RX_SPARES]; /* RX: buffers for datagrams split from GRO trains */
	unsigned spares_used;
	struct dp_gro gro; /* RX: TCP segments being coalesced for one TUN write */
	struct esp_stats stats;
	_Atomic uint64_t ike, keepalives;  /* RX: received; TX: sent */
	_Atomic uint64_t tun_gso, udp_gso; /* TX: super-packets split; UDP_SEGMENT sends */
	_Atomic uint64_t udp_gro, tun_gro; /* RX: GRO trains split; coalesced TUN writes */
};

struct dp {
	struct dp_config cfg;
	unsigned burst;
	_Atomic(struct esp_sa *) in_cur, in_prev, out;
	_Atomic(struct dp_peer *) peer;
	unsigned vnet_len;    /* 0: plain TUN packets; else the virtio-net header's length */
	unsigned tun_offload; /* TUN_F_* bits the kernel accepted */
	atomic_bool stop, keepalive;
	atomic_uint keepalive_ms;
	pthread_mutex_t ctl;
	struct dp_worker tx, rx;
	const char *error;
};

static inline void dp_qs_enter(struct dp_worker *w)
{
	atomic_fetch_add(&w->qs, 1); /* odd: may hold pointers */
}

static inline void dp_qs_exit(struct dp_worker *w)
{
	atomic_fetch_add(&w->qs, 1); /* even: holds nothing */
}

/* Wakes a worker from poll; the worker drains its eventfd when it wakes. */
void dp_wake(struct dp_worker *w);
void dp_drain_wake(struct dp_worker *w);

void *dp_tx_main(void *arg);
void *dp_rx_main(void *arg);

/* Milliseconds on the monotonic clock. */
uint64_t dp_now_ms(void);

#endif
