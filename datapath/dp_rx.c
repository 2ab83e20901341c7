/* RX worker: UDP (UDP_GRO trains split back into datagrams) -> demux (IKE, NAT-keepalive,
 * ESP; RFC 3948 section 2) -> ESP -> TUN (TCP segments coalesced when the device takes
 * virtio-net headers). */
#include "datapath/dp_internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "datapath/esp_internal.h"

enum {
	NON_ESP_MARKER_LEN = 4,
	NAT_KEEPALIVE_BYTE = 0xff,
	ERROR_BACKOFF_MS = 1,
	RX_FIRST_LEN = PKT_BUF_SIZE - PKT_HEADROOM, /* a datagram's bytes in its own buffer */
};

static const uint8_t non_esp_marker[NON_ESP_MARKER_LEN];

static int recv_burst(struct dp_worker *w)
{
	struct dp *dp = w->dp;

	for (unsigned i = 0; i < w->cap; i++) {
		struct pkt *p = w->pkts[i];
		struct msghdr *mh = &w->msgs[i].msg_hdr;
		pkt_reset(p);
		w->iov[2 * i] = (struct iovec){.iov_base = p->data, .iov_len = RX_FIRST_LEN};
		*mh = (struct msghdr){.msg_iov = &w->iov[2 * i], .msg_iovlen = 1};
		if (w->stage != NULL) {
			/* A GRO train (or a big IKE message) goes on in a stage buffer. */
			w->iov[2 * i + 1] =
			    (struct iovec){.iov_base = w->stage + (size_t)i * DP_UDP_GRO_BUF,
					   .iov_len = DP_UDP_GRO_BUF};
			mh->msg_iovlen = 2;
			mh->msg_control = w->ctrl[i].buf;
			mh->msg_controllen = sizeof(w->ctrl[i].buf);
		}
		w->msgs[i].msg_len = 0;
	}
	return recvmmsg(dp->cfg.udp_fd, w->msgs, w->cap, MSG_DONTWAIT, NULL);
}

/* Copies len bytes at offset off of received message i (its buffer, then its stage). */
static void copy_out(const struct dp_worker *w, unsigned i, size_t off, size_t len, uint8_t *to)
{
	const struct iovec *iov = &w->iov[2 * i];

	if (off < RX_FIRST_LEN) {
		size_t n = RX_FIRST_LEN - off < len ? RX_FIRST_LEN - off : len;
		memcpy(to, (const uint8_t *)iov[0].iov_base + off, n);
		to += n;
		off += n;
		len -= n;
	}
	if (len != 0)
		memcpy(to, (const uint8_t *)iov[1].iov_base + (off - RX_FIRST_LEN), len);
}

static void write_single(struct dp_worker *w, struct pkt *p)
{
	struct dp *dp = w->dp;
	uint8_t *at = p->data - dp->vnet_len;
	ssize_t r;

	memset(at, 0, dp->vnet_len); /* no offload: a complete, checked packet */
	do
		r = write(dp->cfg.tun_fd, at, p->len + dp->vnet_len);
	while (r < 0 && errno == EINTR);
	if (r != (ssize_t)(p->len + dp->vnet_len))
		esp_count(&w->stats.drops[ESP_DROP_IO], 1);
}

/* Writes the TCP train being coalesced, as one super-packet. */
static void write_train(struct dp_worker *w)
{
	const struct iovec *iov;
	unsigned segs;
	int n = dp_gro_finish(&w->gro, w->dp->vnet_len, &iov, &segs);
	size_t want = 0;
	ssize_t r;

	if (n <= 0)
		return;
	for (int k = 0; k < n; k++)
		want += iov[k].iov_len;
	do
		r = writev(w->dp->cfg.tun_fd, iov, n);
	while (r < 0 && errno == EINTR);
	if (r != (ssize_t)want)
		esp_count(&w->stats.drops[ESP_DROP_IO], segs);
	else if (segs > 1)
		esp_count(&w->tun_gro, 1);
	dp_gro_reset(&w->gro);
}

static void write_tun(struct dp_worker *w, unsigned m)
{
	for (unsigned i = 0; i < m; i++) {
		struct pkt *p = w->esp[i];
		if (p->drop != ESP_DROP_NONE)
			continue;
		if (w->dp->vnet_len == 0) {
			write_single(w, p);
			continue;
		}
		if (dp_gro_add(&w->gro, p->data, p->len))
			continue;
		write_train(w);
		if (!dp_gro_add(&w->gro, p->data, p->len))
			write_single(w, p);
	}
	write_train(w);
}

/* Decapsulates the ESP packets collected so far and writes them out; the spare buffers are
 * free again afterwards. */
static void flush(struct dp_worker *w)
{
	struct dp *dp = w->dp;
	struct esp_sa *sas[2];

	if (w->n != 0) {
		dp_qs_enter(w);
		/* Current first, then previous: the order dp_install_sa relies on. */
		sas[0] = atomic_load(&dp->in_cur);
		sas[1] = atomic_load(&dp->in_prev);
		esp_decap_burst(sas, 2, w->esp, w->n, &w->stats);
		dp_qs_exit(w);
		write_tun(w, w->n);
	}
	w->n = 0;
	w->spares_used = 0;
}

/* Sorts one datagram: IKE goes to the callback, keepalives are counted, ESP is kept for
 * decapsulation. */
static void demux(struct dp_worker *w, struct pkt *p)
{
	struct dp *dp = w->dp;

	if (p->len == 1 && p->data[0] == NAT_KEEPALIVE_BYTE) {
		esp_count(&w->keepalives, 1);
	} else if (p->len >= NON_ESP_MARKER_LEN &&
		   memcmp(p->data, non_esp_marker, NON_ESP_MARKER_LEN) == 0) {
		esp_count(&w->ike, 1);
		if (dp->cfg.ike_rx != NULL)
			dp->cfg.ike_rx(dp->cfg.ike_rx_arg, p->data + NON_ESP_MARKER_LEN,
				       p->len - NON_ESP_MARKER_LEN);
	} else {
		if (w->n == DP_BURST_MAX)
			flush(w);
		w->esp[w->n++] = p;
	}
}

/* A datagram larger than its buffer: only IKE may be that big (ESP is bounded by the tunnel
 * MTU). The last stage buffer is scratch for it. */
static void demux_big(struct dp_worker *w, unsigned i, size_t len)
{
	struct dp *dp = w->dp;
	uint8_t *scratch = w->stage + (size_t)w->cap * DP_UDP_GRO_BUF;

	copy_out(w, i, 0, len, scratch);
	if (memcmp(scratch, non_esp_marker, NON_ESP_MARKER_LEN) != 0) {
		esp_count(&w->stats.drops[ESP_DROP_MALFORMED], 1);
		return;
	}
	esp_count(&w->ike, 1);
	if (dp->cfg.ike_rx != NULL)
		dp->cfg.ike_rx(dp->cfg.ike_rx_arg, scratch + NON_ESP_MARKER_LEN,
			       len - NON_ESP_MARKER_LEN);
}

/* The UDP_GRO segment size of message i, or 0 when it holds one datagram. */
static size_t gro_size(const struct dp_worker *w, unsigned i)
{
	struct msghdr *mh = (struct msghdr *)&w->msgs[i].msg_hdr;
	int seg;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&seg, CMSG_DATA(c), sizeof(seg));
			return seg > 0 ? (size_t)seg : 0;
		}
	}
	return 0;
}

/* Splits a GRO train (datagrams of seg bytes, the last maybe shorter) into spare buffers. */
static void split_train(struct dp_worker *w, unsigned i, size_t len, size_t seg)
{
	esp_count(&w->udp_gro, 1);
	for (size_t off = 0; off < len; off += seg) {
		size_t l = len - off < seg ? len - off : seg;
		struct pkt *q;
		if (l > RX_FIRST_LEN) {
			esp_count(&w->stats.drops[ESP_DROP_MALFORMED], 1);
			continue;
		}
		if (w->spares_used == DP_RX_SPARES || w->n == DP_BURST_MAX)
			flush(w); /* so that demux() won't flush with q taken but not queued */
		q = w->spare[w->spares_used++];
		pkt_reset(q);
		copy_out(w, i, off, l, q->data);
		q->len = (uint32_t)l;
		demux(w, q);
	}
}

static void sort_burst(struct dp_worker *w, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct pkt *p = w->pkts[i];
		size_t len = w->msgs[i].msg_len, seg;

		if ((w->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0) {
			esp_count(&w->stats.drops[ESP_DROP_MALFORMED], 1);
			continue;
		}
		seg = w->stage != NULL ? gro_size(w, i) : 0;
		if (seg != 0 && seg < len) {
			split_train(w, i, len, seg);
		} else if (len > RX_FIRST_LEN) {
			demux_big(w, i, len);
		} else {
			p->len = (uint32_t)len;
			demux(w, p);
		}
	}
	flush(w);
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

/* A recvmmsg that did not fill the burst emptied the queue: sleep in poll right away rather
 * than asking again for an EAGAIN. */
void *dp_rx_main(void *arg)
{
	struct dp_worker *w = arg;
	struct dp *dp = w->dp;

	w->n = 0;
	w->spares_used = 0;
	dp_gro_reset(&w->gro);
	while (!atomic_load_explicit(&dp->stop, memory_order_relaxed)) {
		int n = recv_burst(w);

		if (n < 0) {
			if (errno == EAGAIN)
				wait_readable(w);
			else if (errno != EINTR && errno != ECONNREFUSED)
				backoff(w); /* ECONNREFUSED: an ICMP error was queued, go on */
			continue;
		}
		sort_burst(w, (unsigned)n);
		if ((unsigned)n < w->cap)
			wait_readable(w);
	}
	return NULL;
}
