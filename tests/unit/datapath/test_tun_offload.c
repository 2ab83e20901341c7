/* Real TUN devices with virtio-net headers and offloads, in private network namespaces: a TCP
 * connection over IPv4 and one over IPv6 cross two datapaths (A: TUN "ternta" in the test's
 * namespace, B: TUN "terntb" moved into a child's namespace, ESP between them over lo) and
 * must carry 8 MiB each way intact: the kernel's TSO super-packets are split by A and B, the
 * UDP is sent with UDP_SEGMENT and received with UDP_GRO, and TCP segments are coalesced
 * into super-packets on the way into the kernel. The echo from the child's side checks the
 * bytes; the counters check the offloads were in use.
 *
 * Addresses: outer 192.0.2.1 (A), 192.0.2.2 (B) on lo; inner 203.0.113.1 / 2001:db8::1 on
 * ternta, 203.0.113.2 / 2001:db8::2 on terntb. Needs iproute2 ("ip"), else skipped. */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../check.h"
#include "dp_testutil.h"

#include "datapath/dp.h"
#include "platform/tun.h"

enum { SKIP = 77, PORT = 5001, STREAM = 8 << 20, CHUNK = 65536 };

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int r = system(cmd);
	if (r != 0)
		fprintf(stderr, "test_tun_offload: \"%s\" failed (%d)\n", cmd, r);
	return r;
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 31 + (i >> 9));
}

/* The child's side: echo every byte of two connections back. */
static void echo_conn(int lfd)
{
	static uint8_t buf[CHUNK];
	int c = accept(lfd, NULL, NULL);
	ssize_t n;

	while (c >= 0 && (n = read(c, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(c, buf + off, (size_t)(n - off));
			if (w <= 0)
				_exit(3);
			off += w;
		}
	}
	if (c >= 0)
		close(c);
}

/* ip:PORT as a socket address; returns its length. */
static socklen_t make_addr(struct sockaddr_storage *ss, int family, const char *ip)
{
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(PORT);
		inet_pton(AF_INET, ip, &a->sin_addr);
		return sizeof(*a);
	}
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
	a->sin6_family = AF_INET6;
	a->sin6_port = htons(PORT);
	inet_pton(AF_INET6, ip, &a->sin6_addr);
	return sizeof(*a);
}

static int listen_on(int family, const char *ip)
{
	struct sockaddr_storage ss = {0};
	socklen_t len;
	int fd = socket(family, SOCK_STREAM, 0), one = 1;

	len = make_addr(&ss, family, ip);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 2) != 0)
		return -1;
	return fd;
}

static void child_main(int to_parent, int from_parent)
{
	char c = 0;
	int l4, l6;

	if (unshare(CLONE_NEWNET) != 0)
		_exit(2);
	if (write(to_parent, "u", 1) != 1 || read(from_parent, &c, 1) != 1)
		_exit(2);
	if (sh("ip link set lo up") || sh("ip link set terntb mtu 1400 up") ||
	    sh("ip addr add 203.0.113.2/32 dev terntb") ||
	    sh("ip -6 addr add 2001:db8::2/128 dev terntb nodad") ||
	    sh("ip route add 203.0.113.1/32 dev terntb") ||
	    sh("ip -6 route add 2001:db8::1/128 dev terntb"))
		_exit(2);
	l4 = listen_on(AF_INET, "203.0.113.2");
	l6 = listen_on(AF_INET6, "2001:db8::2");
	if (l4 < 0 || l6 < 0 || write(to_parent, "r", 1) != 1)
		_exit(2);
	echo_conn(l4);
	echo_conn(l6);
	_exit(0);
}

struct sender {
	int fd;
};

static void *send_main(void *arg)
{
	struct sender *s = arg;
	static uint8_t buf[CHUNK];
	size_t off = 0;

	while (off < STREAM) {
		size_t n = STREAM - off < CHUNK ? STREAM - off : CHUNK;
		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(off + i);
		ssize_t w = write(s->fd, buf, n);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	shutdown(s->fd, SHUT_WR);
	return NULL;
}

/* One connection to the child's echo: sends STREAM bytes, checks the echo. */
static void transfer(int family, const char *ip)
{
	struct sockaddr_storage ss = {0};
	struct sender s;
	pthread_t t;
	static uint8_t buf[CHUNK];
	size_t got = 0, bad = 0;
	socklen_t len;
	ssize_t n;

	len = make_addr(&ss, family, ip);
	s.fd = socket(family, SOCK_STREAM, 0);
	CHECK_EQ(connect(s.fd, (struct sockaddr *)&ss, len), 0);
	pthread_create(&t, NULL, send_main, &s);
	while ((n = read(s.fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			bad += buf[i] != pattern(got + (size_t)i);
		got += (size_t)n;
	}
	pthread_join(t, NULL);
	close(s.fd);
	CHECK_EQ(got, STREAM);
	CHECK_EQ(bad, 0);
}

static int make_dp(struct dp **dp, int tun, const char *ip, const char *peer_ip, int *udp)
{
	struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons(4500)}, peer = me;
	struct dp_config cfg = {.tun_fd = tun};
	int big = 4 << 20;

	inet_pton(AF_INET, ip, &me.sin_addr);
	inet_pton(AF_INET, peer_ip, &peer.sin_addr);
	*udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	setsockopt(*udp, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	setsockopt(*udp, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	if (bind(*udp, (struct sockaddr *)&me, sizeof(me)) != 0)
		return -errno;
	cfg.udp_fd = *udp;
	memcpy(&cfg.peer, &peer, sizeof(peer));
	cfg.peer_len = sizeof(peer);
	return dp_new(dp, &cfg);
}

int main(void)
{
	int up[2], down[2], ta, tb, ua, ub, status = 0;
	char ifname[IFNAMSIZ], c;
	struct dp *a = NULL, *b = NULL;
	struct esp_sa_params p;
	struct dp_stats sa, sb;
	uint8_t key[36];
	pid_t pid;

	if (unshare(CLONE_NEWNET) != 0 || system("ip -V >/dev/null 2>&1") != 0) {
		fprintf(stderr,
			"test_tun_offload: no private network namespace or no ip: skipped\n");
		return SKIP;
	}
	alarm(120);
	ta = tun_open("ternta", TUN_OPEN_VNET_HDR, ifname);
	tb = tun_open("terntb", TUN_OPEN_VNET_HDR, ifname);
	if (ta < 0 || tb < 0) {
		fprintf(stderr, "test_tun_offload: no TUN device (%s): skipped\n",
			strerror(-(ta < 0 ? ta : tb)));
		return SKIP;
	}
	CHECK_EQ(sh("ip link set lo up && ip addr add 192.0.2.1/32 dev lo && "
		    "ip addr add 192.0.2.2/32 dev lo"),
		 0);
	if (pipe(up) != 0 || pipe(down) != 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		close(ta);
		child_main(up[1], down[0]);
	}
	CHECK_EQ(read(up[0], &c, 1), 1);
	CHECK_EQ(sh("ip link set terntb netns %d", (int)pid), 0);
	CHECK_EQ(write(down[1], "m", 1), 1);
	CHECK_EQ(sh("ip link set ternta mtu 1400 up && ip addr add 203.0.113.1/32 dev ternta && "
		    "ip -6 addr add 2001:db8::1/128 dev ternta nodad && "
		    "ip route add 203.0.113.2/32 dev ternta && "
		    "ip -6 route add 2001:db8::2/128 dev ternta"),
		 0);

	for (int i = 0; i < 36; i++)
		key[i] = (uint8_t)(i * 5 + 3);
	CHECK_EQ(make_dp(&a, ta, "192.0.2.1", "192.0.2.2", &ua), 0);
	CHECK_EQ(make_dp(&b, tb, "192.0.2.2", "192.0.2.1", &ub), 0);
	if (a == NULL || b == NULL)
		return check_done("test_tun_offload");
	tu_params(&p, 0x1000, AEAD_AES_GCM_16, key, 36, false);
	CHECK_EQ(dp_install_sa(b, &p, NULL), 0);
	CHECK_EQ(dp_install_sa(a, NULL, &p), 0);
	tu_params(&p, 0x2000, AEAD_AES_GCM_16, key, 20, true);
	CHECK_EQ(dp_install_sa(a, &p, NULL), 0);
	CHECK_EQ(dp_install_sa(b, NULL, &p), 0);
	CHECK_EQ(dp_start(a), 0);
	CHECK_EQ(dp_start(b), 0);
	CHECK_EQ(read(up[0], &c, 1), 1); /* the child listens */

	transfer(AF_INET, "203.0.113.2");
	transfer(AF_INET6, "2001:db8::2");
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	dp_get_stats(a, &sa);
	dp_get_stats(b, &sb);
	fprintf(stderr,
		"test_tun_offload: A: offload 0x%x tun_gso %llu udp_gso %llu udp_gro %llu "
		"tun_gro %llu packets out %llu in %llu\n",
		sa.tun_offload, (unsigned long long)sa.tun_gso, (unsigned long long)sa.udp_gso,
		(unsigned long long)sa.udp_gro, (unsigned long long)sa.tun_gro,
		(unsigned long long)sa.packets_out, (unsigned long long)sa.packets_in);
	fprintf(stderr,
		"test_tun_offload: B: offload 0x%x tun_gso %llu udp_gso %llu udp_gro %llu "
		"tun_gro %llu packets out %llu in %llu\n",
		sb.tun_offload, (unsigned long long)sb.tun_gso, (unsigned long long)sb.udp_gso,
		(unsigned long long)sb.udp_gro, (unsigned long long)sb.tun_gro,
		(unsigned long long)sb.packets_out, (unsigned long long)sb.packets_in);
	CHECK(sa.tun_offload != 0 && sb.tun_offload != 0);
	CHECK(sa.tun_gso > 0 && sb.tun_gso > 0);
	CHECK(sa.udp_gso > 0 && sb.udp_gso > 0);
	CHECK(sa.udp_gro > 0 && sb.udp_gro > 0);
	CHECK(sa.tun_gro > 0 && sb.tun_gro > 0);
	CHECK_EQ(sa.drop_malformed + sa.drop_icv + sa.drop_replay + sa.drop_io, 0);
	CHECK_EQ(sb.drop_malformed + sb.drop_icv + sb.drop_replay + sb.drop_io, 0);
	dp_free(a);
	dp_free(b);
	close(ta);
	close(tb);
	close(ua);
	close(ub);
	return check_done("test_tun_offload");
}
