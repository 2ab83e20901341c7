/* The datapath object: configuration, worker start/stop, SA and peer hand-over, counters. */
#include "datapath/dp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "datapath/esp_internal.h"
#include "platform/tun.h"

enum { SYNC_SLEEP_NS = 20000 };

uint64_t dp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct dp_peer *peer_new(const struct sockaddr *addr, socklen_t len)
{
	struct dp_peer *p;

	if (addr == NULL || len == 0 || len > sizeof(p->addr) ||
	    (addr->sa_family != AF_INET && addr->sa_family != AF_INET6))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	memcpy(&p->addr, addr, len);
	p->len = len;
	return p;
}

static void dp_release(struct dp *dp)
{
	if (dp->tx.wake_fd >= 0)
		close(dp->tx.wake_fd);
	if (dp->rx.wake_fd >= 0)
		close(dp->rx.wake_fd);
	free(atomic_load(&dp->peer));
	free(dp);
}

int dp_new(struct dp **out, const struct dp_config *cfg)
{
	struct dp *dp;

	if (out == NULL || cfg == NULL || cfg->tun_fd < 0 || cfg->udp_fd < 0 ||
	    cfg->burst > DP_BURST_MAX ||
	    (cfg->tun_vnet_hdr != 0 &&
	     (cfg->tun_vnet_hdr < DP_VNET_HDR_LEN || cfg->tun_vnet_hdr > DP_VNET_LEN_MAX)))
		return -EINVAL;
	dp = calloc(1, sizeof(*dp));
	if (dp == NULL)
		return -ENOMEM;
	dp->cfg = *cfg;
	dp->burst = cfg->burst != 0 ? cfg->burst : DP_BURST_DEFAULT;
	dp->error = "";
	atomic_init(&dp->keepalive_ms, DP_KEEPALIVE_MS);
	dp->tx.dp = dp->rx.dp = dp;
	dp->tx.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	dp->rx.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (dp->tx.wake_fd < 0 || dp->rx.wake_fd < 0) {
		int err = -errno;
		dp_release(dp);
		return err;
	}
	atomic_init(&dp->peer, peer_new((const struct sockaddr *)&cfg->peer, cfg->peer_len));
	if (atomic_load(&dp->peer) == NULL) {
		dp_release(dp);
		return -EINVAL;
	}
	if (pthread_mutex_init(&dp->ctl, NULL) != 0) {
		dp_release(dp);
		return -ENOMEM;
	}
	*out = dp;
	return 0;
}

void dp_wake(struct dp_worker *w)
{
	uint64_t one = 1;

	if (write(w->wake_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is already non-zero, the worker will wake anyway. */
	}
}

void dp_drain_wake(struct dp_worker *w)
{
	uint64_t v;

	if (read(w->wake_fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing was pending. */
	}
}

/* Waits until no worker can hold a pointer unlinked before this call (see dp_internal.h). */
static void synchronize(struct dp *dp)
{
	struct dp_worker *ws[] = {&dp->tx, &dp->rx};
	const struct timespec pause = {.tv_nsec = SYNC_SLEEP_NS};

	for (size_t i = 0; i < sizeof(ws) / sizeof(ws[0]); i++) {
		uint64_t v;
		if (!ws[i]->running)
			continue;
		v = atomic_load(&ws[i]->qs);
		while ((v & 1) != 0 && atomic_load(&ws[i]->qs) == v)
			nanosleep(&pause, NULL);
	}
}

/* The TUN side: with a virtio-net header, the widest offload set the kernel takes. A
 * descriptor that is not a TUN device (or has no vnet header) carries plain packets. */
static void setup_tun_offload(struct dp *dp)
{
	static const unsigned sets[] = {
	    TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6,
	    TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6,
	    TUN_F_CSUM,
	};
	struct ifreq ifr;
	int sz = 0;

	dp->vnet_len = dp->cfg.tun_vnet_hdr;
	dp->tun_offload = 0;
	if (dp->vnet_len != 0) {
		dp->tun_offload = sets[0];
		return;
	}
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(dp->cfg.tun_fd, TUNGETIFF, &ifr) < 0 || (ifr.ifr_flags & IFF_VNET_HDR) == 0)
		return;
	if (ioctl(dp->cfg.tun_fd, TUNGETVNETHDRSZ, &sz) < 0 || sz < DP_VNET_HDR_LEN ||
	    sz > DP_VNET_LEN_MAX)
		sz = DP_VNET_HDR_LEN; /* the default; larger headers are zero-extended */
	dp->vnet_len = (unsigned)sz;
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		if (tun_set_offload(dp->cfg.tun_fd, sets[i]) == 0) {
			dp->tun_offload = sets[i];
			return;
		}
	}
	/* No offload at all: packets still carry a (zero) vnet header each way. */
}

/* UDP_GRO on the socket: 0, or -errno when the kernel does not have it. */
static int set_udp_gro(int fd, int on)
{
	return setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof(on)) == 0 ? 0 : -errno;
}

/* Whether the socket knows UDP_SEGMENT (Linux 4.18): the option reads back as 0. */
static bool has_udp_gso(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);

	return getsockopt(fd, SOL_UDP, UDP_SEGMENT, &v, &len) == 0;
}

/* Per-worker buffers: TX a batch of dp->burst (or, with TSO, DP_BURST_MAX segments) and one
 * super-packet; RX dp->burst messages, with UDP_GRO a stage buffer per message plus scratch
 * and the spare buffers that split trains go into. */
static int alloc_worker(struct dp *dp, struct dp_worker *w, bool tx)
{
	unsigned spares = 0, count;
	size_t stage = 0;
	int err;

	w->cap = dp->burst;
	if (tx && dp->vnet_len != 0) {
		w->cap = DP_BURST_MAX;
		stage = DP_GSO_MAX;
	}
	if (!tx && w->io_gso) {
		spares = DP_RX_SPARES;
		stage = ((size_t)w->cap + 1) * DP_UDP_GRO_BUF;
	}
	count = w->cap + spares;
	err = esp_pool_new(&w->pool, count);
	if (err < 0)
		return err;
	if (esp_pool_get(w->pool, w->pkts, w->cap) != w->cap ||
	    esp_pool_get(w->pool, w->spare, spares) != spares)
		return -ENOMEM;
	if (stage != 0 && (w->stage = malloc(stage)) == NULL)
		return -ENOMEM;
	return 0;
}

static int start_worker(struct dp *dp, struct dp_worker *w, void *(*fn)(void *), const char *name)
{
	int err = alloc_worker(dp, w, fn == dp_tx_main);

	if (err < 0)
		return err;
	atomic_store(&w->qs, 0);
	err = pthread_create(&w->thread, NULL, fn, w);
	if (err != 0)
		return -err;
	pthread_setname_np(w->thread, name);
	w->running = true;
	return 0;
}

int dp_start(struct dp *dp)
{
	int flags, err;

	if (dp->tx.running || dp->rx.running)
		return -EALREADY;
	flags = fcntl(dp->cfg.tun_fd, F_GETFL);
	if (flags < 0 || fcntl(dp->cfg.tun_fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		dp->error = "cannot make the TUN descriptor non-blocking";
		return -errno;
	}
	setup_tun_offload(dp);
	dp->tx.io_gso = has_udp_gso(dp->cfg.udp_fd);
	dp->rx.io_gso = set_udp_gro(dp->cfg.udp_fd, 1) == 0;
	atomic_store(&dp->stop, false);
	err = start_worker(dp, &dp->tx, dp_tx_main, "tern-dp-tx");
	if (err == 0)
		err = start_worker(dp, &dp->rx, dp_rx_main, "tern-dp-rx");
	if (err < 0) {
		dp->error = "cannot start the datapath threads";
		dp_stop(dp);
	}
	return err;
}

static void stop_worker(struct dp_worker *w)
{
	if (w->running) {
		pthread_join(w->thread, NULL);
		w->running = false;
	}
	esp_pool_free(w->pool);
	w->pool = NULL;
	if (w->stage != NULL) {
		if (w == &w->dp->tx) /* it held plaintext; RX's held ESP and IKE */
			OPENSSL_cleanse(w->stage, DP_GSO_MAX);
		free(w->stage);
		w->stage = NULL;
	}
}

void dp_stop(struct dp *dp)
{
	atomic_store(&dp->stop, true);
	dp_wake(&dp->tx);
	dp_wake(&dp->rx);
	stop_worker(&dp->tx);
	stop_worker(&dp->rx);
	if (dp->rx.io_gso)
		set_udp_gro(dp->cfg.udp_fd, 0); /* the socket goes back as it came */
	dp->rx.io_gso = false;
	dp_drain_wake(&dp->tx);
	dp_drain_wake(&dp->rx);
}

void dp_free(struct dp *dp)
{
	if (dp == NULL)
		return;
	dp_stop(dp);
	esp_sa_free(atomic_load(&dp->in_cur));
	esp_sa_free(atomic_load(&dp->in_prev));
	esp_sa_free(atomic_load(&dp->out));
	pthread_mutex_destroy(&dp->ctl);
	dp_release(dp);
}

int dp_install_sa(struct dp *dp, const struct esp_sa_params *in, const struct esp_sa_params *out)
{
	struct esp_sa *new_in = NULL, *new_out = NULL, *old_prev = NULL, *old_out = NULL;
	int err = 0;

	if (in == NULL && out == NULL) {
		dp->error = "no SA to install";
		return -EINVAL;
	}
	if (in != NULL)
		err = esp_sa_new(&new_in, in, true);
	if (err == 0 && out != NULL)
		err = esp_sa_new(&new_out, out, false);
	if (err < 0) {
		esp_sa_free(new_in);
		dp->error = err == -EINVAL ? "bad SA parameters (SPI, key length or selectors)"
					   : "cannot create the SA's cipher context";
		return err;
	}
	pthread_mutex_lock(&dp->ctl);
	/* Inbound first: the current SA becomes the previous one and keeps accepting packets
	 * still in flight under it; the one before that is unlinked. Then outbound switches. */
	if (new_in != NULL) {
		old_prev = atomic_exchange(&dp->in_prev, atomic_load(&dp->in_cur));
		atomic_store(&dp->in_cur, new_in);
	}
	if (new_out != NULL)
		old_out = atomic_exchange(&dp->out, new_out);
	synchronize(dp);
	pthread_mutex_unlock(&dp->ctl);
	esp_sa_free(old_prev);
	esp_sa_free(old_out);
	return 0;
}

int dp_retire_inbound(struct dp *dp, uint32_t spi)
{
	_Atomic(struct esp_sa *) *slots[] = {&dp->in_prev, &dp->in_cur};
	struct esp_sa *gone = NULL;

	pthread_mutex_lock(&dp->ctl);
	for (size_t i = 0; i < 2 && gone == NULL; i++) {
		struct esp_sa *sa = atomic_load(slots[i]);
		if (sa != NULL && esp_sa_spi(sa) == spi)
			gone = atomic_exchange(slots[i], NULL);
	}
	if (gone != NULL)
		synchronize(dp);
	pthread_mutex_unlock(&dp->ctl);
	esp_sa_free(gone);
	return gone != NULL ? 0 : -ENOENT;
}

int dp_set_peer(struct dp *dp, const struct sockaddr *addr, socklen_t len)
{
	struct dp_peer *p = peer_new(addr, len), *old;

	if (p == NULL) {
		dp->error = "bad peer address";
		return -EINVAL;
	}
	pthread_mutex_lock(&dp->ctl);
	old = atomic_exchange(&dp->peer, p);
	synchronize(dp);
	pthread_mutex_unlock(&dp->ctl);
	free(old);
	return 0;
}

void dp_set_keepalive(struct dp *dp, bool on)
{
	atomic_store(&dp->keepalive, on);
	dp_wake(&dp->tx); /* so that an idle TX thread starts (or stops) its timer */
}

void dp_set_keepalive_interval(struct dp *dp, unsigned ms)
{
	atomic_store(&dp->keepalive_ms, ms != 0 ? ms : DP_KEEPALIVE_MS);
	dp_wake(&dp->tx);
}

static uint64_t load(_Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void dp_get_stats(struct dp *dp, struct dp_stats *st)
{
	struct esp_stats *tx = &dp->tx.stats, *rx = &dp->rx.stats;
	struct esp_sa *out;

	memset(st, 0, sizeof(*st));
	st->packets_in = load(&rx->packets);
	st->bytes_in = load(&rx->bytes);
	st->packets_out = load(&tx->packets);
	st->bytes_out = load(&tx->bytes);
	st->drop_unknown_spi = load(&rx->drops[ESP_DROP_UNKNOWN_SPI]);
	st->drop_replay = load(&rx->drops[ESP_DROP_REPLAY]);
	st->drop_icv = load(&rx->drops[ESP_DROP_ICV]);
	st->drop_malformed =
	    load(&rx->drops[ESP_DROP_MALFORMED]) + load(&tx->drops[ESP_DROP_MALFORMED]);
	st->drop_ts = load(&rx->drops[ESP_DROP_TS]);
	st->drop_no_sa = load(&tx->drops[ESP_DROP_NO_SA]);
	st->drop_seq = load(&tx->drops[ESP_DROP_SEQ]);
	st->drop_dummy = load(&rx->drops[ESP_DROP_DUMMY]);
	st->drop_io = load(&rx->drops[ESP_DROP_IO]) + load(&tx->drops[ESP_DROP_IO]);
	st->ike_in = load(&dp->rx.ike);
	st->keepalive_in = load(&dp->rx.keepalives);
	st->keepalive_out = load(&dp->tx.keepalives);
	st->tun_gso = load(&dp->tx.tun_gso);
	st->udp_gso = load(&dp->tx.udp_gso);
	st->udp_gro = load(&dp->rx.udp_gro);
	st->tun_gro = load(&dp->rx.tun_gro);
	st->tun_offload = dp->tun_offload;
	pthread_mutex_lock(&dp->ctl); /* the outbound SA is only freed under this lock */
	out = atomic_load(&dp->out);
	if (out != NULL) {
		st->out_seq = esp_sa_seq_out(out);
		st->rekey_needed = esp_sa_rekey_needed(out);
	}
	pthread_mutex_unlock(&dp->ctl);
}

const char *dp_last_error(const struct dp *dp)
{
	return dp->error;
}
