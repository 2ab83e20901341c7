/* Two datapaths back to back over UDP in a private network namespace, with SOCK_DGRAM
 * socketpairs standing in for the TUN devices. Packets go both ways at once and must arrive
 * intact and in full; an SA rekey in the middle of the stream must lose nothing; counters
 * must match; IKE datagrams (non-ESP marker) must reach the callback without the marker and
 * NAT-keepalives must be swallowed (RFC 3948 section 2); a peer change must redirect ESP.
 *
 * Addresses: 192.0.2.1 (A) and 192.0.2.2 (B), 192.0.2.3 (a new peer address for B), all on
 * the namespace's own lo; inner traffic between 203.0.113.2 and 198.51.100.0/24. */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"
#include "dp_testutil.h"

#include "datapath/dp.h"

enum {
	N = 3000,	 /* packets each way */
	WINDOW = 48,	 /* packets in flight per direction */
	SKIP = 77,	 /* meson's "skipped" exit status */
	WAIT_MS = 10000, /* for the last packets to arrive */
};

struct side {
	const char *name;
	int udp, tun[2]; /* tun[0] to the datapath, tun[1] the test's end */
	struct dp *dp;
	atomic_uint sent, received, bad;
	atomic_uint ike;
	uint8_t ike_msg[64];
	size_t ike_len;
	const char *src, *dst; /* inner addresses of what this side sends */
	uint8_t seen[N];
};

static atomic_bool stop_readers;
static uint8_t keys[4][36];

static int ifreq_ioctl(int fd, unsigned long req, struct ifreq *ifr)
{
	return ioctl(fd, req, ifr) == 0 ? 0 : -errno;
}

/* lo up, and the test's addresses as aliases of lo. */
static int setup_netns(void)
{
	static const char *addrs[] = {"192.0.2.1", "192.0.2.2", "192.0.2.3"};
	struct ifreq ifr = {0};
	int fd, err;
	FILE *f;

	if (unshare(CLONE_NEWNET) != 0)
		return -errno;
	/* Room for bursts in the socketpairs standing in for TUN (this namespace only). */
	f = fopen("/proc/sys/net/unix/max_dgram_qlen", "w");
	if (f != NULL) {
		fprintf(f, "1024\n");
		fclose(f);
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	strcpy(ifr.ifr_name, "lo");
	err = ifreq_ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (err == 0)
		err = ifreq_ioctl(fd, SIOCSIFFLAGS, &ifr);
	for (int i = 0; i < 3 && err == 0; i++) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo:%d", i + 1);
		sin->sin_family = AF_INET;
		inet_pton(AF_INET, addrs[i], &sin->sin_addr);
		err = ifreq_ioctl(fd, SIOCSIFADDR, &ifr);
	}
	close(fd);
	return err;
}

static struct sockaddr_in addr4(const char *ip, uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

static int udp_socket(const char *ip, uint16_t port)
{
	struct sockaddr_in a = addr4(ip, port);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), big = 4 << 20;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		perror("bind");
		close(fd);
		return -1;
	}
	return fd;
}

static void on_ike(void *arg, const uint8_t *msg, size_t len)
{
	struct side *s = arg;

	if (len <= sizeof(s->ike_msg)) {
		memcpy(s->ike_msg, msg, len);
		s->ike_len = len;
	}
	atomic_fetch_add(&s->ike, 1); /* after the copy: the reader waits for this */
}

/* Packet i of a direction: lengths from 28 to 1427 bytes, contents from i. */
static size_t make_packet(const struct side *from, unsigned i, uint8_t *buf)
{
	size_t len =
	    tu_ipv4_udp(buf, from->src, from->dst, 1000, 2000, (i * 7) % 1400, (uint8_t)(i * 13));
	if (len >= 32)
		memcpy(buf + 28, &i, sizeof(i));
	else
		memcpy(buf + 20, &i, sizeof(i)); /* in the UDP ports: fine for the datapath */
	return len;
}

struct reader {
	struct side *at;	 /* where packets come out */
	const struct side *from; /* who sent them */
};

/* Reads what comes out of one datapath and checks each packet against its original. */
static void *reader_main(void *arg)
{
	struct reader *r = arg;
	uint8_t buf[2048], want[2048];

	while (!atomic_load(&stop_readers)) {
		struct pollfd pfd = {.fd = r->at->tun[1], .events = POLLIN};
		ssize_t n;
		unsigned i;
		size_t wl;

		if (poll(&pfd, 1, 50) <= 0)
			continue;
		n = read(r->at->tun[1], buf, sizeof(buf));
		if (n < 28) {
			atomic_fetch_add(&r->at->bad, 1);
			continue;
		}
		memcpy(&i, n >= 32 ? buf + 28 : buf + 20, sizeof(i));
		if (i >= N || r->at->seen[i]) {
			atomic_fetch_add(&r->at->bad, 1);
			continue;
		}
		wl = make_packet(r->from, i, want);
		if ((size_t)n != wl || memcmp(buf, want, wl) != 0) {
			atomic_fetch_add(&r->at->bad, 1);
			continue;
		}
		r->at->seen[i] = 1;
		atomic_fetch_add(&r->at->received, 1);
	}
	return NULL;
}

/* Odd keys: ChaCha20-Poly1305 with ESN; even keys: AES-256-GCM without. */
static void params(struct esp_sa_params *p, uint32_t spi, int key)
{
	tu_params(p, spi, key % 2 ? AEAD_CHACHA20_POLY1305 : AEAD_AES_GCM_16, keys[key], 36,
		  key % 2 == 1);
}

/* Sends one packet from s into its datapath if the window allows; returns whether it did. */
static bool send_one(struct side *s, const struct side *peer)
{
	uint8_t buf[2048];
	unsigned i = atomic_load(&s->sent);
	size_t len;

	if (i >= N || i - atomic_load(&peer->received) >= WINDOW)
		return false;
	len = make_packet(s, i, buf);
	if (write(s->tun[1], buf, len) != (ssize_t)len)
		return false;
	atomic_fetch_add(&s->sent, 1);
	return true;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

static bool wait_for(atomic_uint *v, unsigned want)
{
	for (int t = 0; t < WAIT_MS && atomic_load(v) < want; t++)
		sleep_ms(1);
	return atomic_load(v) >= want;
}

static int make_side(struct side *s, const char *ip, const char *peer_ip)
{
	struct sockaddr_in peer = addr4(peer_ip, 4500);
	struct dp_config cfg = {.ike_rx = on_ike, .ike_rx_arg = s, .burst = 32};

	s->udp = udp_socket(ip, 4500);
	if (s->udp < 0 || socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, s->tun) != 0)
		return -1;
	cfg.tun_fd = s->tun[0];
	cfg.udp_fd = s->udp;
	memcpy(&cfg.peer, &peer, sizeof(peer));
	cfg.peer_len = sizeof(peer);
	return dp_new(&s->dp, &cfg);
}

static void test_ike_and_keepalive(struct side *a)
{
	static const uint8_t ike[] = "\0\0\0\0IKE_SA_INIT goes here";
	static const uint8_t keepalive[] = {0xff};
	static const uint8_t junk[] = {0x01, 0x02};
	struct sockaddr_in to = addr4("192.0.2.1", 4500);
	int fd = udp_socket("192.0.2.2", 0);
	struct dp_stats st;

	sendto(fd, ike, sizeof(ike) - 1, 0, (struct sockaddr *)&to, sizeof(to));
	sendto(fd, keepalive, sizeof(keepalive), 0, (struct sockaddr *)&to, sizeof(to));
	sendto(fd, junk, sizeof(junk), 0, (struct sockaddr *)&to, sizeof(to));
	CHECK(wait_for(&a->ike, 1));
	CHECK_EQ(a->ike_len, sizeof(ike) - 1 - 4);
	CHECK_MEM(a->ike_msg, ike + 4, sizeof(ike) - 1 - 4);
	for (int t = 0; t < WAIT_MS; t++) {
		dp_get_stats(a->dp, &st);
		if (st.keepalive_in == 1 && st.drop_malformed == 1)
			break;
		sleep_ms(1);
	}
	CHECK_EQ(st.ike_in, 1);
	CHECK_EQ(st.keepalive_in, 1);
	CHECK_EQ(st.drop_malformed, 1); /* two bytes: neither keepalive, IKE nor ESP */
	close(fd);
}

/* NAT-T keepalives from B (RFC 3948 section 4), at a short interval so the test is quick:
 * A's datapath must receive and swallow them; none once turned off. */
static void test_keepalives(struct side *a, struct side *b)
{
	struct dp_stats sa, sb;
	uint64_t before;

	dp_get_stats(a->dp, &sa);
	before = sa.keepalive_in;
	dp_set_keepalive_interval(b->dp, 20);
	dp_set_keepalive(b->dp, true);
	for (int t = 0; t < WAIT_MS; t++) {
		dp_get_stats(a->dp, &sa);
		if (sa.keepalive_in >= before + 3)
			break;
		sleep_ms(1);
	}
	CHECK(sa.keepalive_in >= before + 3);
	dp_set_keepalive(b->dp, false);
	sleep_ms(50); /* one may have been on its way */
	dp_get_stats(a->dp, &sa);
	dp_get_stats(b->dp, &sb);
	CHECK(sb.keepalive_out >= sa.keepalive_in - before);
	before = sa.keepalive_in;
	sleep_ms(100);
	dp_get_stats(a->dp, &sa);
	CHECK_EQ(sa.keepalive_in, before);
	CHECK_EQ(sa.ike_in, 1);			/* keepalives are not IKE */
	CHECK_EQ(atomic_load(&a->received), N); /* nor traffic */
}

/* B's peer moves to 192.0.2.3: its next ESP packet must arrive there, under B's SPI. */
static void test_set_peer(struct side *b)
{
	struct sockaddr_in c = addr4("192.0.2.3", 4500);
	int fd = udp_socket("192.0.2.3", 4500);
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	uint8_t buf[2048], got[2048];
	size_t len = make_packet(b, 0, buf);

	CHECK_EQ(dp_set_peer(b->dp, (struct sockaddr *)&c, sizeof(c)), 0);
	CHECK_EQ(write(b->tun[1], buf, len), (ssize_t)len);
	CHECK_EQ(poll(&pfd, 1, WAIT_MS), 1);
	CHECK_EQ(recv(fd, got, sizeof(got), MSG_DONTWAIT),
		 (ssize_t)(len + 16 + 2 + 16 + (4 - (len + 2) % 4) % 4));
	CHECK_MEM(got, "\x00\x00\x20\x01", 4); /* B's outbound SPI after the rekey */
	close(fd);
}

/* Generation 2, as IKE would install it: inbound on the receiving side first, outbound
 * switched only once the other side can receive it. A->B 0x1001 (ChaCha20-Poly1305, ESN),
 * B->A 0x2001 (AES-GCM). */
static void rekey(struct side *a, struct side *b)
{
	struct esp_sa_params ab, ba;

	params(&ab, 0x1001, 3);
	params(&ba, 0x2001, 2);
	CHECK_EQ(dp_install_sa(b->dp, &ab, NULL), 0);
	CHECK_EQ(dp_install_sa(a->dp, &ba, &ab), 0);
	CHECK_EQ(dp_install_sa(b->dp, NULL, &ba), 0);
}

static void check_counters(const struct side *s, const struct side *peer, uint64_t sent_bytes,
			   uint64_t recv_bytes)
{
	struct dp_stats st;

	dp_get_stats(s->dp, &st);
	CHECK_EQ(st.packets_out, N);
	CHECK_EQ(st.bytes_out, sent_bytes);
	CHECK_EQ(st.packets_in, atomic_load(&peer->sent));
	CHECK_EQ(st.bytes_in, recv_bytes);
	CHECK_EQ(st.drop_unknown_spi + st.drop_replay + st.drop_icv + st.drop_ts + st.drop_no_sa +
		     st.drop_seq + st.drop_io + st.drop_dummy,
		 0);
	CHECK(!st.rekey_needed);
}

int main(void)
{
	static struct side a = {.name = "A", .src = "203.0.113.2", .dst = "198.51.100.9"};
	static struct side b = {.name = "B", .src = "198.51.100.9", .dst = "203.0.113.2"};
	struct reader ra = {&a, &b}, rb = {&b, &a};
	struct esp_sa_params p;
	pthread_t ta, tb;
	uint64_t bytes_ab = 0, bytes_ba = 0;
	bool rekeyed = false;
	int err = setup_netns();

	if (err < 0) {
		fprintf(stderr, "test_dp_threaded: no private network namespace (%s): skipped\n",
			strerror(-err));
		return SKIP;
	}
	for (int k = 0; k < 4; k++)
		for (int i = 0; i < 36; i++)
			keys[k][i] = (uint8_t)(k * 50 + i);
	CHECK_EQ(make_side(&a, "192.0.2.1", "192.0.2.2"), 0);
	CHECK_EQ(make_side(&b, "192.0.2.2", "192.0.2.1"), 0);
	if (a.dp == NULL || b.dp == NULL)
		return check_done("test_dp_threaded");

	/* Generation 1: A->B SPI 0x1000 (AES-GCM), B->A SPI 0x2000 (ChaCha20-Poly1305, ESN). */
	params(&p, 0x1000, 0);
	CHECK_EQ(dp_install_sa(b.dp, &p, NULL), 0);
	CHECK_EQ(dp_install_sa(a.dp, NULL, &p), 0);
	params(&p, 0x2000, 1);
	CHECK_EQ(dp_install_sa(a.dp, &p, NULL), 0);
	CHECK_EQ(dp_install_sa(b.dp, NULL, &p), 0);
	CHECK_EQ(dp_start(a.dp), 0);
	CHECK_EQ(dp_start(b.dp), 0);
	pthread_create(&ta, NULL, reader_main, &ra);
	pthread_create(&tb, NULL, reader_main, &rb);

	test_ike_and_keepalive(&a);

	while (atomic_load(&a.sent) < N || atomic_load(&b.sent) < N) {
		bool any = send_one(&a, &b);
		any |= send_one(&b, &a);
		if (!rekeyed && atomic_load(&a.sent) >= N / 2 && atomic_load(&b.sent) >= N / 2) {
			rekey(&a, &b); /* with up to WINDOW packets in flight each way */
			rekeyed = true;
		}
		if (!any)
			sched_yield();
	}
	CHECK(wait_for(&b.received, N));
	CHECK(wait_for(&a.received, N));
	CHECK_EQ(atomic_load(&a.bad), 0);
	CHECK_EQ(atomic_load(&b.bad), 0);
	for (unsigned i = 0; i < N; i++) {
		uint8_t buf[2048];
		bytes_ab += make_packet(&a, i, buf);
		bytes_ba += make_packet(&b, i, buf);
	}
	check_counters(&b, &a, bytes_ba, bytes_ab);
	{
		/* A also saw the IKE message, the keepalive and the junk datagram. */
		struct dp_stats st;
		dp_get_stats(a.dp, &st);
		CHECK_EQ(st.packets_out, N);
		CHECK_EQ(st.bytes_out, bytes_ab);
		CHECK_EQ(st.packets_in, N);
		CHECK_EQ(st.bytes_in, bytes_ba);
		CHECK_EQ(st.drop_unknown_spi + st.drop_replay + st.drop_icv + st.drop_ts +
			     st.drop_no_sa + st.drop_io,
			 0);
	}

	/* The old inbound SAs are still "previous" until retired. */
	CHECK_EQ(dp_retire_inbound(b.dp, 0x1000), 0);
	CHECK_EQ(dp_retire_inbound(b.dp, 0x1000), -ENOENT);
	test_keepalives(&a, &b);
	test_set_peer(&b);

	atomic_store(&stop_readers, true);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	dp_free(a.dp);
	dp_free(b.dp);
	return check_done("test_dp_threaded");
}
