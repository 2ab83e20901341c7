/* The libuv glue around the I/O-free IKE core: one loop thread owns the IKE SA; the datapath
 * threads hand it IKE datagrams through a bounded queue and uv_async_send(). */
#include "client/session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <uv.h>

#include "client/control.h"
#include "client/daemon.h"
#include "client/eap/eap.h"
#include "client/ike/ike.h"
#include "client/status.h"
#include "client/tunnel.h"
#include "crypto/cert.h"
#include "platform/netcfg.h"
#include "platform/netpolicy.h"

enum {
	NAT_T_PORT = 4500,
	IKE_QUEUE_LEN = 64, /* IKE datagrams waiting for the loop; more are dropped */
	UDP_READ_BUDGET = 64,
	MARKER_LEN = 4,
	ALIVE_CHECK_MS = 5000,
};

struct ike_queued {
	uint8_t *data;
	size_t len;
};

struct control_conn {
	uv_poll_t poll;
	int fd;
	char buf[CONTROL_LINE_MAX];
	size_t len;
	bool waiting_close; /* a disconnect answered once the SA is closed */
	struct session *s;
	struct control_conn *next;
};

struct session {
	uv_loop_t loop;
	const struct cli_opts *o;
	struct ike_sa *ike;
	struct cert_trust *trust;
	int udp_fd;
	uv_poll_t udp_poll;
	bool udp_polling;
	uv_timer_t timer;
	uv_timer_t alive_timer; /* ESP from the gateway counts as a sign of life */
	uint64_t esp_in_seen;
	uv_signal_t sigint, sigterm, sighup;
	uv_async_t ike_async;
	pthread_mutex_t q_lock;
	struct ike_queued q[IKE_QUEUE_LEN];
	unsigned q_head, q_n;
	uint64_t q_dropped;
	int ctl_fd;
	uv_poll_t ctl_poll;
	struct control_conn *conns;
	struct sockaddr_storage gw500, gw4500;
	socklen_t gw_len;
	struct tunnel tun;
	bool tunnel_up;
	int notify_fd;
	bool progress; /* progress lines: on a terminal; -v logs them anyway */
	int exit_code;
	bool done;
	time_t connected_at;
	char vip[64];
};

static uint64_t now_ms(struct session *s)
{
	uv_update_time(&s->loop);
	return uv_now(&s->loop);
}

static void say(struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct session *s, const char *fmt, ...)
{
	(void)s;
	va_list ap;
	va_start(ap, fmt);
	fputs("tern: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void ike_log_line(void *arg, int level, const char *line)
{
	struct session *s = arg;
	if ((unsigned)level <= s->o->verbose)
		say(s, "%s", line);
}

/* ---- sending ---- */

static void send_dgram(struct session *s, const struct ike_datagram *d)
{
	struct iovec iov[2];
	static const uint8_t marker[MARKER_LEN];
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 0};
	if (d->nat_t) {
		iov[mh.msg_iovlen++] = (struct iovec){(void *)marker, MARKER_LEN};
		mh.msg_name = &s->gw4500;
	} else {
		mh.msg_name = &s->gw500;
	}
	mh.msg_namelen = s->gw_len;
	iov[mh.msg_iovlen++] = (struct iovec){(void *)d->data, d->len};
	if (sendmsg(s->udp_fd, &mh, 0) < 0 && s->o->verbose)
		say(s, "send to gateway failed: %s", strerror(errno));
}

static void finish(struct session *s, int code);
static void on_timer(uv_timer_t *t);
static void on_up(struct session *s, const struct ike_event *ev);
static void answer_waiting(struct session *s, const char *text);

/* After every call into the core: send what it queued, act on its events, re-arm the timer. */
static void pump(struct session *s)
{
	struct ike_datagram d;
	struct ike_event ev;
	while (ike_next_datagram(s->ike, &d))
		send_dgram(s, &d);
	while (!s->done && ike_next_event(s->ike, &ev)) {
		switch (ev.type) {
		case IKE_EV_PROGRESS:
			if (s->progress)
				say(s, "%s", ev.text);
			break;
		case IKE_EV_UP:
			on_up(s, &ev);
			break;
		case IKE_EV_REKEYED:
			if (s->tunnel_up && tunnel_rekeyed(&s->tun, &ev.child))
				say(s, "cannot install the rekeyed CHILD SA: %s",
				    dp_last_error(s->tun.dp));
			break;
		case IKE_EV_RETIRED:
			if (s->tunnel_up && tunnel_retired(&s->tun, &ev.child, ev.old_spi_in))
				say(s, "cannot switch to the rekeyed CHILD SA: %s",
				    dp_last_error(s->tun.dp));
			break;
		case IKE_EV_FAILED:
			say(s, "%s", ev.text);
			/* The Delete for a half-made IKE SA was queued with the event. */
			while (ike_next_datagram(s->ike, &d))
				send_dgram(s, &d);
			finish(s, (int)ev.fail);
			break;
		case IKE_EV_CLOSED:
			if (ev.text[0])
				say(s, "%s", ev.text);
			answer_waiting(s, "disconnected");
			finish(s, s->exit_code);
			break;
		}
	}
	OPENSSL_cleanse(&ev, sizeof(ev)); /* CHILD SA keys */
	if (s->done)
		return;
	uint64_t deadline = ike_deadline(s->ike);
	if (deadline == UINT64_MAX) {
		uv_timer_stop(&s->timer);
	} else {
		uint64_t now = now_ms(s);
		uv_timer_start(&s->timer, on_timer, deadline > now ? deadline - now : 0, 0);
	}
}

static void on_alive_timer(uv_timer_t *t)
{
	struct session *s = t->data;
	struct dp_stats st;
	if (!s->tunnel_up || s->done)
		return;
	dp_get_stats(s->tun.dp, &st);
	if (st.packets_in != s->esp_in_seen) {
		s->esp_in_seen = st.packets_in;
		ike_peer_alive(s->ike, now_ms(s));
		pump(s);
	}
}

static void on_timer(uv_timer_t *t)
{
	struct session *s = t->data;
	ike_tick(s->ike, now_ms(s));
	pump(s);
}

/* ---- receiving ---- */

static bool from_gateway(struct session *s, const struct sockaddr_storage *from, uint16_t *port)
{
	if (from->ss_family != s->gw500.ss_family)
		return false;
	if (from->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)from, *g = (const void *)&s->gw500;
		*port = ntohs(a->sin_port);
		return a->sin_addr.s_addr == g->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *a = (const void *)from, *g = (const void *)&s->gw500;
	/* from is zeroed, then filled by recvfrom(); the analyzer loses it through the cast. */
	/* NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage) */
	*port = ntohs(a->sin6_port);
	return memcmp(&a->sin6_addr, &g->sin6_addr, 16) == 0;
}

static void on_udp(uv_poll_t *p, int status, int events)
{
	struct session *s = p->data;
	(void)events;
	if (status < 0)
		return;
	static uint8_t buf[65536];
	for (int i = 0; i < UDP_READ_BUDGET; i++) {
		struct sockaddr_storage from = {0};
		socklen_t flen = sizeof(from);
		ssize_t n =
		    recvfrom(s->udp_fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		if (n < 0)
			break;
		uint16_t port;
		if (!from_gateway(s, &from, &port))
			continue;
		if (port == NAT_T_PORT) {
			/* Before the datapath runs, only IKE (behind the non-ESP marker) is wanted.
			 */
			if (n < MARKER_LEN || memcmp(buf, "\0\0\0\0", MARKER_LEN) != 0)
				continue;
			ike_receive(s->ike, now_ms(s), buf + MARKER_LEN, (size_t)n - MARKER_LEN);
		} else {
			ike_receive(s->ike, now_ms(s), buf, (size_t)n);
		}
		pump(s);
		if (s->done || !s->udp_polling)
			break;
	}
}

/* Datapath RX thread: copy the IKE message into the queue and wake the loop. */
static void ike_from_datapath(void *arg, const uint8_t *msg, size_t len)
{
	struct session *s = arg;
	uint8_t *copy = malloc(len);
	if (!copy)
		return;
	memcpy(copy, msg, len);
	pthread_mutex_lock(&s->q_lock);
	if (s->q_n == IKE_QUEUE_LEN) {
		s->q_dropped++;
		free(copy);
	} else {
		s->q[(s->q_head + s->q_n++) % IKE_QUEUE_LEN] = (struct ike_queued){copy, len};
	}
	pthread_mutex_unlock(&s->q_lock);
	uv_async_send(&s->ike_async);
}

static void on_ike_async(uv_async_t *a)
{
	struct session *s = a->data;
	for (;;) {
		struct ike_queued item;
		pthread_mutex_lock(&s->q_lock);
		if (!s->q_n) {
			pthread_mutex_unlock(&s->q_lock);
			break;
		}
		item = s->q[s->q_head];
		s->q_head = (s->q_head + 1) % IKE_QUEUE_LEN;
		s->q_n--;
		pthread_mutex_unlock(&s->q_lock);
		if (!s->done) {
			ike_receive(s->ike, now_ms(s), item.data, item.len);
			pump(s);
		}
		free(item.data);
	}
}

/* ---- state changes ---- */

static void on_up(struct session *s, const struct ike_event *ev)
{
	char reason[256];
	if (s->udp_polling) {
		uv_poll_stop(&s->udp_poll);
		s->udp_polling = false;
	}
	struct tunnel_params tp = {.ifname = s->o->ifname,
				   .mtu = s->o->mtu,
				   .udp_fd = s->udp_fd,
				   .gateway = &s->gw4500,
				   .gateway_len = s->gw_len,
				   .ike_rx = ike_from_datapath,
				   .ike_rx_arg = s};
	int err = tunnel_up(&s->tun, &tp, ev, reason, sizeof(reason));
	if (err) {
		say(s, "cannot set up the tunnel: %s", reason);
		s->exit_code = TERN_EXIT_FAILURE;
		/* The loop reads the socket again, for the answer to our Delete. */
		uv_poll_start(&s->udp_poll, UV_READABLE, on_udp);
		s->udp_polling = true;
		ike_disconnect(s->ike, now_ms(s));
		return;
	}
	s->tunnel_up = true;
	s->connected_at = time(NULL);
	uv_timer_start(&s->alive_timer, on_alive_timer, ALIVE_CHECK_MS, ALIVE_CHECK_MS);
	snprintf(s->vip, sizeof(s->vip), "%s", s->tun.vip4[0] ? s->tun.vip4 : s->tun.vip6);
	say(s, "connected to %s as %s, virtual IP %s on %s (MTU %u)%s", s->o->server, s->o->user,
	    s->vip, s->tun.ifname, s->tun.mtu, ev->mobike ? ", MOBIKE" : "");
	daemon_ready(s->notify_fd, TERN_EXIT_OK);
	s->notify_fd = -1;
}

static void close_cb(uv_handle_t *h)
{
	(void)h;
}

static void conn_close(struct control_conn *c);

static void finish(struct session *s, int code)
{
	if (s->done)
		return;
	s->done = true;
	s->exit_code = code;
	if (s->tunnel_up) {
		tunnel_down(&s->tun);
		s->tunnel_up = false;
	}
	if (s->notify_fd >= 0) {
		daemon_ready(s->notify_fd, code);
		s->notify_fd = -1;
	}
	uv_stop(&s->loop);
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct session *s = h->data;
	if (s->o->verbose)
		say(s, "signal %d: disconnecting", signum);
	if (!s->tunnel_up)
		s->exit_code = TERN_EXIT_FAILURE; /* interrupted while connecting */
	ike_disconnect(s->ike, now_ms(s));
	pump(s);
}

/* ---- control socket ---- */

static void status_text(struct session *s, bool json, char *out, size_t cap)
{
	struct status_info si = {
	    .state = ike_state_name(s->ike),
	    .server = s->o->server,
	    .user = s->o->user,
	    .ifname = s->tunnel_up ? s->tun.ifname : "",
	    .vip4 = s->tunnel_up ? s->tun.vip4 : "",
	    .vip6 = s->tunnel_up ? s->tun.vip6 : "",
	    .ike_algorithms = ike_algorithms(s->ike),
	    .connected_at = s->connected_at,
	    .now = time(NULL),
	    .has_datapath = s->tunnel_up && s->tun.dp,
	};
	if (si.has_datapath)
		dp_get_stats(s->tun.dp, &si.dp);
	ike_get_stats(s->ike, &si.ike);
	/* IKE datagrams the datapath handed over while the loop's queue was full: dropped too. */
	pthread_mutex_lock(&s->q_lock);
	si.ike.dropped += s->q_dropped;
	pthread_mutex_unlock(&s->q_lock);
	if (json)
		status_format_json(&si, out, cap);
	else
		status_format_text(&si, out, cap);
}

static void conn_reply(struct control_conn *c, bool ok, const char *body)
{
	char out[CONTROL_REPLY_MAX];
	int n = control_format_reply(out, sizeof(out), ok, body);
	if (n > 0 && write(c->fd, out, (size_t)n) < 0)
		(void)0; /* the client went away */
	conn_close(c);
}

static void answer_waiting(struct session *s, const char *text)
{
	struct control_conn *c = s->conns, *next;
	for (; c; c = next) {
		next = c->next;
		if (c->waiting_close)
			conn_reply(c, true, text);
	}
}

static void conn_closed_cb(uv_handle_t *h)
{
	free(h->data);
}

static void conn_close(struct control_conn *c)
{
	struct session *s = c->s;
	struct control_conn **pp = &s->conns;
	while (*pp && *pp != c)
		pp = &(*pp)->next;
	if (*pp)
		*pp = c->next;
	uv_poll_stop(&c->poll);
	close(c->fd);
	c->poll.data = c;
	uv_close((uv_handle_t *)&c->poll, conn_closed_cb);
}

static void on_conn(uv_poll_t *p, int status, int events)
{
	struct control_conn *c = p->data;
	struct session *s = c->s;
	(void)events;
	if (status < 0) {
		conn_close(c);
		return;
	}
	ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (n <= 0) {
		if (n == 0 || errno != EAGAIN)
			conn_close(c);
		return;
	}
	c->len += (size_t)n;
	enum control_cmd cmd;
	char reason[128], text[CONTROL_REPLY_MAX - 64];
	int r = control_parse_command(c->buf, c->len, &cmd, reason, sizeof(reason));
	if (r == -EAGAIN)
		return;
	if (r < 0) {
		conn_reply(c, false, r == -EMSGSIZE ? "request too long" : reason);
		return;
	}
	switch (cmd) {
	case CONTROL_CMD_STATUS:
	case CONTROL_CMD_STATUS_JSON:
		status_text(s, cmd == CONTROL_CMD_STATUS_JSON, text, sizeof(text));
		conn_reply(c, true, text);
		break;
	case CONTROL_CMD_DISCONNECT:
		uv_poll_stop(&c->poll);
		c->waiting_close = true;
		ike_disconnect(s->ike, now_ms(s));
		pump(s);
		break;
	}
}

static void on_ctl(uv_poll_t *p, int status, int events)
{
	struct session *s = p->data;
	(void)events;
	if (status < 0)
		return;
	int fd;
	while ((fd = control_accept(s->ctl_fd)) != -EAGAIN) {
		if (fd < 0)
			continue;
		struct control_conn *c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->s = s;
		c->next = s->conns;
		s->conns = c;
		uv_poll_init(&s->loop, &c->poll, fd);
		c->poll.data = c;
		uv_poll_start(&c->poll, UV_READABLE, on_conn);
	}
}

/* ---- setup ---- */

static int resolve(struct session *s, char *reason, size_t rlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *res;
	int err = getaddrinfo(s->o->server, NULL, &hints, &res);
	if (err) {
		snprintf(reason, rlen, "cannot resolve %.200s: %s", s->o->server,
			 gai_strerror(err));
		return -EHOSTUNREACH;
	}
	memcpy(&s->gw500, res->ai_addr, res->ai_addrlen);
	s->gw_len = res->ai_addrlen;
	freeaddrinfo(res);
	s->gw4500 = s->gw500;
	if (s->gw500.ss_family == AF_INET) {
		((struct sockaddr_in *)&s->gw500)->sin_port = htons(s->o->port);
		((struct sockaddr_in *)&s->gw4500)->sin_port = htons(NAT_T_PORT);
	} else {
		((struct sockaddr_in6 *)&s->gw500)->sin6_port = htons(s->o->port);
		((struct sockaddr_in6 *)&s->gw4500)->sin6_port = htons(NAT_T_PORT);
	}
	return 0;
}

/* One unconnected UDP socket carries IKE (to port 500, then 4500) and ESP. Its fwmark keeps
 * its packets out of the tunnel's routing rule. Returns our address as the gateway would see
 * it without a NAT, for NAT detection. */
static int open_socket(struct session *s, struct sockaddr_storage *local, char *reason, size_t rlen)
{
	int fam = s->gw500.ss_family;
	s->udp_fd = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->udp_fd < 0)
		goto fail;
	struct net_policy pol;
	net_policy_init(&pol, s->o->ifname);
	if (net_socket_mark(s->udp_fd, pol.fwmark) < 0)
		goto fail;
	int bufsz = 4 << 20;
	setsockopt(s->udp_fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz, sizeof(bufsz));
	setsockopt(s->udp_fd, SOL_SOCKET, SO_SNDBUFFORCE, &bufsz, sizeof(bufsz));
	struct sockaddr_storage any = {.ss_family = (sa_family_t)fam};
	if (bind(s->udp_fd, (struct sockaddr *)&any, s->gw_len) < 0)
		goto fail;
	socklen_t len = sizeof(*local);
	memset(local, 0, sizeof(*local));
	if (getsockname(s->udp_fd, (struct sockaddr *)local, &len) < 0)
		goto fail;
	uint16_t port = fam == AF_INET ? ((struct sockaddr_in *)local)->sin_port
				       : ((struct sockaddr_in6 *)local)->sin6_port;
	/* The source address the kernel picks for the gateway: ask with a connected probe. */
	int probe = socket(fam, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (probe < 0)
		goto fail;
	net_socket_mark(probe, pol.fwmark);
	if (connect(probe, (struct sockaddr *)&s->gw500, s->gw_len) < 0 ||
	    getsockname(probe, (struct sockaddr *)local, &len) < 0) {
		int e = errno;
		close(probe);
		snprintf(reason, rlen, "gateway %.200s unreachable: %s", s->o->server, strerror(e));
		return -EHOSTUNREACH;
	}
	close(probe);
	if (fam == AF_INET)
		((struct sockaddr_in *)local)->sin_port = port;
	else
		((struct sockaddr_in6 *)local)->sin6_port = port;
	return 0;
fail:
	snprintf(reason, rlen, "cannot open the UDP socket: %s", strerror(errno));
	return -errno;
}

static void walk_close(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, close_cb);
}

static int setup(struct session *s, const char *password, char *reason, size_t rlen)
{
	struct sockaddr_storage local;
	int err;
	if (resolve(s, reason, rlen))
		return TERN_EXIT_UNREACHABLE;
	err = open_socket(s, &local, reason, rlen);
	if (err)
		return err == -EHOSTUNREACH ? TERN_EXIT_UNREACHABLE : TERN_EXIT_FAILURE;
	s->ctl_fd = control_listen(s->o->socket_path, reason, rlen);
	if (s->ctl_fd < 0)
		return TERN_EXIT_FAILURE;

	struct ike_config cfg = {
	    .identity = s->o->user,
	    .password = password,
	    .server_id = s->o->server_id[0] ? s->o->server_id : s->o->server,
	    .ike_props = &s->o->ike,
	    .esp_props = &s->o->esp,
	    .eap_allowed = s->o->eap_methods,
	    .trust = s->trust,
	    .local = local,
	    .remote = s->gw500,
	    .timeout_ms = s->o->timeout_s * 1000,
	    .dpd_ms = s->o->dpd_s * 1000,
	    .unix_now = time(NULL),
	    .rnd = crypto_rand,
	    .log = ike_log_line,
	    .log_arg = s,
	};
	err = ike_new(&s->ike, &cfg);
	if (err) {
		snprintf(reason, rlen, "out of memory");
		return TERN_EXIT_FAILURE;
	}
	uv_poll_init(&s->loop, &s->udp_poll, s->udp_fd);
	s->udp_poll.data = s;
	uv_poll_start(&s->udp_poll, UV_READABLE, on_udp);
	s->udp_polling = true;
	uv_poll_init(&s->loop, &s->ctl_poll, s->ctl_fd);
	s->ctl_poll.data = s;
	uv_poll_start(&s->ctl_poll, UV_READABLE, on_ctl);
	uv_timer_init(&s->loop, &s->timer);
	s->timer.data = s;
	uv_timer_init(&s->loop, &s->alive_timer);
	s->alive_timer.data = s;
	uv_async_init(&s->loop, &s->ike_async, on_ike_async);
	s->ike_async.data = s;
	uv_signal_t *sigs[] = {&s->sigint, &s->sigterm, &s->sighup};
	int signums[] = {SIGINT, SIGTERM, SIGHUP};
	for (int i = 0; i < 3; i++) {
		uv_signal_init(&s->loop, sigs[i]);
		sigs[i]->data = s;
		uv_signal_start(sigs[i], on_signal, signums[i]);
	}
	return TERN_EXIT_OK;
}

int session_run(const struct cli_opts *o, const char *password, struct cert_trust *trust,
		int notify_fd)
{
	struct session *s = calloc(1, sizeof(*s));
	char reason[512] = "";
	if (!s) {
		cert_trust_free(trust);
		daemon_ready(notify_fd, TERN_EXIT_FAILURE);
		return TERN_EXIT_FAILURE;
	}
	s->o = o;
	s->trust = trust;
	s->udp_fd = s->ctl_fd = -1;
	s->notify_fd = notify_fd;
	s->progress = isatty(STDERR_FILENO) && !o->verbose;
	pthread_mutex_init(&s->q_lock, NULL);
	uv_loop_init(&s->loop);
	tunnel_sweep(o->ifname);

	int code = setup(s, password, reason, sizeof(reason));
	if (code == TERN_EXIT_OK) {
		if (s->progress || o->verbose)
			say(s, "connecting to %s as %s", o->server, o->user);
		if (ike_connect(s->ike, now_ms(s)) == 0) {
			pump(s);
			uv_run(&s->loop, UV_RUN_DEFAULT);
			code = s->exit_code;
		} else {
			snprintf(reason, sizeof(reason),
				 "cannot start IKE_SA_INIT (no usable proposal)");
			code = TERN_EXIT_USAGE;
		}
	}
	if (code != TERN_EXIT_OK && reason[0])
		say(s, "%s", reason);
	if (s->tunnel_up)
		tunnel_down(&s->tun);
	if (s->notify_fd >= 0)
		daemon_ready(s->notify_fd, code);
	while (s->conns)
		conn_close(s->conns);
	if (s->ctl_fd >= 0)
		control_unlisten(s->ctl_fd, o->socket_path);
	uv_walk(&s->loop, walk_close, NULL);
	uv_run(&s->loop, UV_RUN_DEFAULT);
	uv_loop_close(&s->loop);
	if (s->udp_fd >= 0)
		close(s->udp_fd);
	for (unsigned i = 0; i < s->q_n; i++)
		free(s->q[(s->q_head + i) % IKE_QUEUE_LEN].data);
	ike_free(s->ike);
	if (s->trust)
		cert_trust_free(s->trust);
	pthread_mutex_destroy(&s->q_lock);
	free(s);
	return code;
}
