/* TX worker: TUN -> (TSO/USO split) -> ESP -> UDP (UDP_SEGMENT when it can), and NAT-T
 * keepalives (RFC 3948 section 4). */
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
	SEND_RETRY_MS = 10, /* wait for socket buffer space before trying again */
	NAT_KEEPALIVE_BYTE = 0xff,
	ERROR_BACKOFF_MS = 1,
	SEG_MAX = PKT_DATA_MAX - ESP_OVERHEAD_TAIL_MAX, /* an inner segment with room to seal */
};

/* What a read from TUN gave. */
enum rd_result { READ_OK, READ_AGAIN, READ_FAILED };

static void drop(struct dp_worker *w, enum esp_drop why)
{
	esp_count(&w->stats.drops[why], 1);
}

/* Waits until the socket can take more, or the datapath stops. */
static void wait_writable(struct dp_worker *w)
{
	struct pollfd pfd[2] = {{.fd = w->dp->cfg.udp_fd, .events = POLLOUT},
				{.fd = w->wake_fd, .events = POLLIN}};

	if (poll(pfd, 2, SEND_RETRY_MS) > 0 && (pfd[1].revents & POLLIN) != 0)
		dp_drain_wake(w);
}

/* Whether a send error means the socket refuses UDP_SEGMENT for this message: EIO (no
 * checksum offload on the route), EINVAL (too many segments, or older kernels for what
 * follows), EMSGSIZE (a datagram above the path MTU: UDP_SEGMENT never fragments). */
static bool gso_refused(const struct msghdr *mh, int err)
{
	return mh->msg_controllen != 0 && (err == EIO || err == EINVAL || err == EMSGSIZE);
}

/* Sends a refused UDP_SEGMENT message's datagrams one by one. */
static void send_singly(struct dp_worker *w, const struct msghdr *mh)
{
	for (size_t k = 0; k < mh->msg_iovlen; k++) {
		struct msghdr one = {.msg_name = mh->msg_name,
				     .msg_namelen = mh->msg_namelen,
				     .msg_iov = &mh->msg_iov[k],
				     .msg_iovlen = 1};
		ssize_t r;
		do
			r = sendmsg(w->dp->cfg.udp_fd, &one, 0);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			drop(w, ESP_DROP_IO);
	}
}

/* Sends the m messages prepared in w->msgs; a message the kernel refuses is dropped (all of
 * its datagrams), or sent again datagram by datagram when UDP_SEGMENT was the problem. */
static void send_msgs(struct dp_worker *w, unsigned m)
{
	struct dp *dp = w->dp;
	unsigned done = 0;

	while (done < m && !atomic_load_explicit(&dp->stop, memory_order_relaxed)) {
		int r = sendmmsg(dp->cfg.udp_fd, w->msgs + done, m - done, 0);
		if (r > 0) {
			for (unsigned k = done; k < done + (unsigned)r; k++)
				if (w->msgs[k].msg_hdr.msg_controllen != 0)
					esp_count(&w->udp_gso, 1);
			done += (unsigned)r;
		} else if (r < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
			wait_writable(w);
		} else if (r < 0 && errno == EINTR) {
			continue;
		} else if (r < 0 && gso_refused(&w->msgs[done].msg_hdr, errno)) {
			/* Refused before it ever worked: the socket or route can't do it. A
			 * datagram above the MTU says nothing about the next ones. */
			if (errno != EMSGSIZE &&
			    atomic_load_explicit(&w->udp_gso, memory_order_relaxed) == 0)
				w->io_gso = false;
			send_singly(w, &w->msgs[done].msg_hdr);
			done++;
		} else {
			/* e.g. no route while roaming, or a message too big: lose this one. */
			esp_count(&w->stats.drops[ESP_DROP_IO], w->msgs[done].msg_hdr.msg_iovlen);
			done++;
		}
	}
}

/* Appends one UDP_SEGMENT control message (the datagram size) to mh. */
static void set_segment(struct dp_worker *w, unsigned m, struct msghdr *mh, uint16_t seg)
{
	struct cmsghdr *c;

	mh->msg_control = w->ctrl[m].buf;
	mh->msg_controllen = CMSG_SPACE(sizeof(uint16_t));
	c = CMSG_FIRSTHDR(mh);
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
	memcpy(CMSG_DATA(c), &seg, sizeof(seg));
}

/* One message per datagram, or with UDP_SEGMENT one per run of datagrams of equal length
 * (the last of a run may be shorter), each an iovec over the pool buffers: no copy. */
static void send_burst(struct dp_worker *w, const struct dp_peer *peer, unsigned n)
{
	unsigned m = 0, k = 0, i = 0;

	while (i < n) {
		struct pkt *p = w->pkts[i++];
		struct msghdr *mh = &w->msgs[m].msg_hdr;
		size_t seg, total;

		if (p->drop != ESP_DROP_NONE)
			continue;
		*mh = (struct msghdr){.msg_name = (void *)&peer->addr,
				      .msg_namelen = peer->len,
				      .msg_iov = &w->iov[k],
				      .msg_iovlen = 1};
		w->iov[k++] = (struct iovec){.iov_base = p->data, .iov_len = p->len};
		seg = total = p->len;
		while (w->io_gso && i < n && mh->msg_iovlen < DP_UDP_GSO_SEGS_MAX) {
			struct pkt *q = w->pkts[i];
			if (q->drop != ESP_DROP_NONE) {
				i++;
				continue;
			}
			if (q->len > seg || total + q->len > DP_UDP_GSO_BYTES_MAX)
				break;
			w->iov[k++] = (struct iovec){.iov_base = q->data, .iov_len = q->len};
			mh->msg_iovlen++;
			total += q->len;
			i++;
			if (q->len < seg)
				break; /* a shorter datagram ends the run */
		}
		if (mh->msg_iovlen > 1)
			set_segment(w, m, mh, (uint16_t)seg);
		m++;
	}
	if (m != 0)
		send_msgs(w, m);
}

/* Seals and sends the batch. */
static void flush(struct dp_worker *w)
{
	struct dp *dp = w->dp;

	if (w->n == 0)
		return;
	dp_qs_enter(w);
	esp_encap_burst(atomic_load(&dp->out), w->pkts, w->n, &w->stats);
	send_burst(w, atomic_load(&dp->peer), w->n);
	dp_qs_exit(w);
	w->n = 0;
}

/* The next free packet of the batch, sending the batch first when it is full. */
static struct pkt *slot(struct dp_worker *w)
{
	struct pkt *p;

	if (w->n == w->cap)
		flush(w);
	p = w->pkts[w->n];
	pkt_reset(p);
	return p;
}

/* A packet read with its virtio-net header: w->pkts[w->n] holds the header (just before
 * data) and the first PKT_DATA_MAX bytes, w->stage + PKT_DATA_MAX the rest. Adds the packet,
 * or its segments, to the batch. */
static void take_vnet(struct dp_worker *w, size_t len)
{
	struct pkt *p = w->pkts[w->n];
	struct dp_vnet_hdr h;
	struct dp_gso g;

	if (dp_vnet_parse(p->data - w->dp->vnet_len, w->dp->vnet_len, &h) < 0) {
		drop(w, ESP_DROP_MALFORMED);
		return;
	}
	if (h.gso_type == DP_VNET_GSO_NONE) {
		if (len > PKT_DATA_MAX || ((h.flags & DP_VNET_F_NEEDS_CSUM) != 0 &&
					   dp_vnet_csum_complete(&h, p->data, len) < 0)) {
			drop(w, ESP_DROP_MALFORMED);
			return;
		}
		p->len = (uint32_t)len;
		w->n++;
		return;
	}
	/* A super-packet: make it contiguous in the stage, then cut it into the batch. */
	memcpy(w->stage, p->data, len < PKT_DATA_MAX ? len : PKT_DATA_MAX);
	if (dp_gso_init(&g, &h, w->stage, len, SEG_MAX) < 0) {
		drop(w, ESP_DROP_MALFORMED);
		return;
	}
	for (unsigned i = 0; i < g.segs; i++) {
		struct pkt *s = slot(w);
		s->len = (uint32_t)dp_gso_segment(&g, i, s->data);
		w->n++;
	}
	esp_count(&w->tun_gso, 1);
}

static ssize_t read_tun(struct dp_worker *w, struct pkt *p)
{
	struct dp *dp = w->dp;

	if (dp->vnet_len == 0)
		return read(dp->cfg.tun_fd, p->data, PKT_DATA_MAX);
	struct iovec iov[2] = {
	    {.iov_base = p->data - dp->vnet_len, .iov_len = dp->vnet_len + PKT_DATA_MAX},
	    {.iov_base = w->stage + PKT_DATA_MAX, .iov_len = DP_GSO_MAX - PKT_DATA_MAX}};
	return readv(dp->cfg.tun_fd, iov, 2);
}

/* Reads one packet (or super-packet) from TUN into the batch. */
static enum rd_result read_one(struct dp_worker *w)
{
	struct dp *dp = w->dp;
	struct pkt *p = slot(w);
	ssize_t r;

	do
		r = read_tun(w, p);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == EAGAIN ? READ_AGAIN : READ_FAILED;
	if (r == 0)
		return READ_AGAIN;
	if (dp->vnet_len == 0) {
		p->len = (uint32_t)r;
		w->n++;
	} else if ((size_t)r <= dp->vnet_len) {
		drop(w, ESP_DROP_MALFORMED);
	} else {
		take_vnet(w, (size_t)r - dp->vnet_len);
	}
	return READ_OK;
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

/* Reads until the device is empty (then sleeps in poll) or a burst of reads was done (then
 * goes on reading): one poll per wakeup, no read after the one that said EAGAIN. */
void *dp_tx_main(void *arg)
{
	struct dp_worker *w = arg;
	struct dp *dp = w->dp;
	uint64_t last_send = dp_now_ms();

	w->n = 0;
	while (!atomic_load_explicit(&dp->stop, memory_order_relaxed)) {
		enum rd_result res = READ_OK;
		unsigned reads = 0;

		while (reads < dp->burst && (res = read_one(w)) == READ_OK)
			reads++;
		if (w->n != 0) {
			flush(w);
			last_send = dp_now_ms();
		}
		if (res == READ_FAILED) {
			/* Count it and don't spin on a descriptor that keeps failing. */
			drop(w, ESP_DROP_IO);
			if (reads == 0)
				poll(NULL, 0, ERROR_BACKOFF_MS);
		}
		if (res != READ_OK)
			idle(w, &last_send);
	}
	return NULL;
}
