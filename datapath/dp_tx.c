/* TX worker: TUN -> ESP -> UDP, and NAT-T keepalives (RFC 3948 section 4). */
#include "datapath/dp_internal.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "datapath/esp_internal.h"

enum {
	SEND_RETRY_MS = 10, /* wait for socket buffer space before trying again */
	NAT_KEEPALIVE_BYTE = 0xff,
	ERROR_BACKOFF_MS = 1,
};

/* Reads up to a burst of packets; returns how many. Never blocks (the fd is non-blocking).
 * *failed tells a read error apart from "nothing to read". */
static unsigned read_burst(struct dp_worker *w, bool *failed)
{
	struct dp *dp = w->dp;
	unsigned n = 0;

	while (n < dp->burst) {
		struct pkt *p = w->pkts[n];
		ssize_t r;

		pkt_reset(p);
		r = read(dp->cfg.tun_fd, p->data, PKT_DATA_MAX);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*failed = errno != EAGAIN;
			break;
		}
		if (r == 0)
			break;
		p->len = (uint32_t)r;
		n++;
	}
	return n;
}

/* Waits until the socket can take more, or the datapath stops. */
static void wait_writable(struct dp_worker *w)
{
	struct pollfd pfd[2] = {{.fd = w->dp->cfg.udp_fd, .events = POLLOUT},
				{.fd = w->wake_fd, .events = POLLIN}};

	if (poll(pfd, 2, SEND_RETRY_MS) > 0 && (pfd[1].revents & POLLIN) != 0)
		dp_drain_wake(w);
}

/* Sends the m messages prepared in w->msgs; a message the kernel refuses is dropped. */
static void send_msgs(struct dp_worker *w, unsigned m)
{
	struct dp *dp = w->dp;
	unsigned done = 0;

	while (done < m && !atomic_load_explicit(&dp->stop, memory_order_relaxed)) {
		int r = sendmmsg(dp->cfg.udp_fd, w->msgs + done, m - done, 0);
		if (r > 0) {
			done += (unsigned)r;
		} else if (r < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
			wait_writable(w);
		} else if (r < 0 && errno == EINTR) {
			continue;
		} else {
			/* e.g. no route while roaming, or a message too big: lose this one. */
			esp_count(&w->stats.drops[ESP_DROP_IO], 1);
			done++;
		}
	}
}

static void send_burst(struct dp_worker *w, const struct dp_peer *peer, unsigned n)
{
	unsigned m = 0;

	for (unsigned i = 0; i < n; i++) {
		struct pkt *p = w->pkts[i];
		if (p->drop != ESP_DROP_NONE)
			continue;
		w->iov[m] = (struct iovec){.iov_base = p->data, .iov_len = p->len};
		w->msgs[m].msg_hdr = (struct msghdr){.msg_name = (void *)&peer->addr,
						     .msg_namelen = peer->len,
						     .msg_iov = &w->iov[m],
						     .msg_iovlen = 1};
		m++;
	}
	if (m != 0)
		send_msgs(w, m);
}

static void send_keepalive(struct dp_worker *w)
{
	struct dp *dp = w->dp;
	uint8_t b = NAT_KEEPALIVE_BYTE;
	const struct dp_peer *peer;

	dp_qs_enter(w);
	peer = atomic_load(&dp->peer);
	if (sendto(dp->cfg.udp_fd, &b, 1, MSG_DONTWAIT, (const struct sockaddr *)&peer->addr,
		   peer->len) == 1)
		esp_count(&w->keepalives, 1);
	dp_qs_exit(w);
}

/* Sleeps until the TUN device has packets, the next keepalive is due, or a control call. */
static void idle(struct dp_worker *w, uint64_t *last_send)
{
	struct dp *dp = w->dp;
	struct pollfd pfd[2] = {{.fd = dp->cfg.tun_fd, .events = POLLIN},
				{.fd = w->wake_fd, .events = POLLIN}};
	int timeout = -1;

	if (atomic_load_explicit(&dp->keepalive, memory_order_relaxed)) {
		uint64_t now = dp_now_ms(), every = atomic_load(&dp->keepalive_ms);
		if (now - *last_send >= every) {
			send_keepalive(w);
			*last_send = now;
		}
		timeout = (int)(*last_send + every - now);
	}
	if (poll(pfd, 2, timeout) > 0 && (pfd[1].revents & POLLIN) != 0)
		dp_drain_wake(w);
}

void *dp_tx_main(void *arg)
{
	struct dp_worker *w = arg;
	struct dp *dp = w->dp;
	uint64_t last_send = dp_now_ms();

	while (!atomic_load_explicit(&dp->stop, memory_order_relaxed)) {
		bool failed = false;
		unsigned n = read_burst(w, &failed);
		if (failed) {
			/* Count it and don't spin on a descriptor that keeps failing. */
			esp_count(&w->stats.drops[ESP_DROP_IO], 1);
			if (n == 0)
				poll(NULL, 0, ERROR_BACKOFF_MS);
		}
		if (n == 0) {
			idle(w, &last_send);
			continue;
		}
		dp_qs_enter(w);
		esp_encap_burst(atomic_load(&dp->out), w->pkts, n, &w->stats);
		send_burst(w, atomic_load(&dp->peer), n);
		dp_qs_exit(w);
		last_send = dp_now_ms();
	}
	return NULL;
}
