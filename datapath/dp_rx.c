/* RX worker: UDP -> demux (IKE, NAT-keepalive, ESP; RFC 3948 section 2) -> ESP -> TUN. */
#include "datapath/dp_internal.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "datapath/esp_internal.h"

enum {
	NON_ESP_MARKER_LEN = 4,
	NAT_KEEPALIVE_BYTE = 0xff,
	ERROR_BACKOFF_MS = 1,
};

static const uint8_t non_esp_marker[NON_ESP_MARKER_LEN];

static int recv_burst(struct dp_worker *w)
{
	struct dp *dp = w->dp;

	for (unsigned i = 0; i < dp->burst; i++) {
		struct pkt *p = w->pkts[i];
		pkt_reset(p);
		w->iov[i] =
		    (struct iovec){.iov_base = p->data, .iov_len = PKT_BUF_SIZE - PKT_HEADROOM};
		w->msgs[i].msg_hdr = (struct msghdr){.msg_iov = &w->iov[i], .msg_iovlen = 1};
		w->msgs[i].msg_len = 0;
	}
	return recvmmsg(dp->cfg.udp_fd, w->msgs, dp->burst, MSG_DONTWAIT, NULL);
}

/* Sorts received datagrams: IKE goes to the callback, keepalives are counted, ESP is kept
 * for decapsulation. Returns the number of ESP packets in w->esp. */
static unsigned demux(struct dp_worker *w, unsigned n)
{
	struct dp *dp = w->dp;
	unsigned m = 0;

	for (unsigned i = 0; i < n; i++) {
		struct pkt *p = w->pkts[i];
		p->len = w->msgs[i].msg_len;
		if ((w->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0) {
			esp_count(&w->stats.drops[ESP_DROP_MALFORMED], 1);
		} else if (p->len == 1 && p->data[0] == NAT_KEEPALIVE_BYTE) {
			esp_count(&w->keepalives, 1);
		} else if (p->len >= NON_ESP_MARKER_LEN &&
			   memcmp(p->data, non_esp_marker, NON_ESP_MARKER_LEN) == 0) {
			esp_count(&w->ike, 1);
			if (dp->cfg.ike_rx != NULL)
				dp->cfg.ike_rx(dp->cfg.ike_rx_arg, p->data + NON_ESP_MARKER_LEN,
					       p->len - NON_ESP_MARKER_LEN);
		} else {
			w->esp[m++] = p;
		}
	}
	return m;
}

static void write_tun(struct dp_worker *w, unsigned m)
{
	struct dp *dp = w->dp;

	for (unsigned i = 0; i < m; i++) {
		struct pkt *p = w->esp[i];
		ssize_t r;
		if (p->drop != ESP_DROP_NONE)
			continue;
		do
			r = write(dp->cfg.tun_fd, p->data, p->len);
		while (r < 0 && errno == EINTR);
		if (r != (ssize_t)p->len)
			esp_count(&w->stats.drops[ESP_DROP_IO], 1);
	}
}

static void wait_readable(struct dp_worker *w)
{
	struct pollfd pfd[2] = {{.fd = w->dp->cfg.udp_fd, .events = POLLIN},
				{.fd = w->wake_fd, .events = POLLIN}};

	if (poll(pfd, 2, -1) > 0 && (pfd[1].revents & POLLIN) != 0)
		dp_drain_wake(w);
}

/* An unexpected socket error: count it and don't spin on it. */
static void backoff(struct dp_worker *w)
{
	esp_count(&w->stats.drops[ESP_DROP_IO], 1);
	poll(NULL, 0, ERROR_BACKOFF_MS);
}

void *dp_rx_main(void *arg)
{
	struct dp_worker *w = arg;
	struct dp *dp = w->dp;

	while (!atomic_load_explicit(&dp->stop, memory_order_relaxed)) {
		int n = recv_burst(w);
		unsigned m;
		struct esp_sa *sas[2];

		if (n < 0) {
			if (errno == EAGAIN)
				wait_readable(w);
			else if (errno != EINTR && errno != ECONNREFUSED)
				backoff(w); /* ECONNREFUSED: an ICMP error was queued, go on */
			continue;
		}
		m = demux(w, (unsigned)n);
		if (m == 0)
			continue;
		dp_qs_enter(w);
		/* Current first, then previous: the order dp_install_sa relies on. */
		sas[0] = atomic_load(&dp->in_cur);
		sas[1] = atomic_load(&dp->in_prev);
		esp_decap_burst(sas, 2, w->esp, m, &w->stats);
		dp_qs_exit(w);
		write_tun(w, m);
	}
	return NULL;
}
