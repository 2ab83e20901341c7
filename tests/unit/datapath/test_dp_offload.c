/* Two datapaths back to back over UDP in a private network namespace, each with a SOCK_DGRAM
 * socketpair standing in for a TUN device with virtio-net headers and every offload on
 * (dp_config.tun_vnet_hdr). What goes in and what must come out:
 *   - a TCP/IPv4 and a TCP/IPv6 TSO super-packet (built by hand) -> split, sealed, sent with
 *     UDP_SEGMENT, received as one UDP_GRO train, opened, coalesced again: the far side reads
 *     super-packets (or single segments) whose bytes, lengths, sequence numbers and checksums
 *     verify with the independent RFC 1071 code of offload_testutil.h, and carry the stream;
 *   - a USO (UDP/IPv6) super-packet -> separate UDP datagrams with valid checksums;
 *   - a single packet with NEEDS_CSUM -> its checksum completed;
 *   - malformed virtio-net headers -> dropped and counted, nothing sent, no crash.
 * Addresses: 192.0.2.1 (A) and 192.0.2.2 (B) on the namespace's lo. */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../check.h"
#include "dp_testutil.h"
#include "offload_testutil.h"

#include "datapath/dp.h"

enum { SKIP = 77, VNET = 10, WAIT_MS = 5000, BUF = 70000 };

struct side {
	int udp, tun[2];
	struct dp *dp;
};

static uint8_t in[BUF], out[BUF];

static int setup_netns(void)
{
	static const char *addrs[] = {"192.0.2.1", "192.0.2.2"};
	struct ifreq ifr = {0};
	int fd, err = 0;

	if (unshare(CLONE_NEWNET) != 0)
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
		err = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (err == 0 && ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
		err = -errno;
	for (int i = 0; i < 2 && err == 0; i++) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo:%d", i + 1);
		sin->sin_family = AF_INET;
		inet_pton(AF_INET, addrs[i], &sin->sin_addr);
		if (ioctl(fd, SIOCSIFADDR, &ifr) != 0)
			err = -errno;
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

static int make_side(struct side *s, const char *ip, const char *peer_ip)
{
	struct sockaddr_in me = addr4(ip, 4500), peer = addr4(peer_ip, 4500);
	struct dp_config cfg = {.tun_vnet_hdr = VNET};
	int big = 4 << 20;

	s->udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	setsockopt(s->udp, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	setsockopt(s->udp, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	if (bind(s->udp, (struct sockaddr *)&me, sizeof(me)) != 0 ||
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, s->tun) != 0)
		return -1;
	setsockopt(s->tun[0], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	setsockopt(s->tun[1], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	cfg.tun_fd = s->tun[0];
	cfg.udp_fd = s->udp;
	memcpy(&cfg.peer, &peer, sizeof(peer));
	cfg.peer_len = sizeof(peer);
	return dp_new(&s->dp, &cfg);
}

/* Reads one "TUN packet" (virtio-net header + packet) from the test's end; its length or 0. */
static size_t read_tun(struct side *s, int wait_ms)
{
	struct pollfd pfd = {.fd = s->tun[1], .events = POLLIN};
	ssize_t n;

	if (poll(&pfd, 1, wait_ms) != 1)
		return 0;
	n = read(s->tun[1], out, sizeof(out));
	return n > 0 ? (size_t)n : 0;
}

static uint32_t rd_seq(const uint8_t *tcp)
{
	return (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 | (uint32_t)tcp[6] << 8 | tcp[7];
}

/* Reads what B writes until `pay` stream bytes of a TCP flow arrived; checks each write. */
static void expect_tcp_stream(struct side *b, bool v6, uint32_t seq0, size_t pay, unsigned *supers)
{
	size_t l4 = v6 ? 40 : 20, hdr = l4 + 32, got = 0;

	*supers = 0;
	while (got < pay) {
		size_t n = read_tun(b, WAIT_MS), len;
		uint8_t *p = out + VNET;
		if (n <= VNET + hdr) {
			CHECK(n > VNET + hdr);
			return;
		}
		len = n - VNET;
		if (out[1] != 0) {
			/* A coalesced super-packet: NEEDS_CSUM at the TCP checksum, the field
			 * holding the pseudo-header sum (virtio 1.1 section 5.1.6.2). */
			(*supers)++;
			CHECK_EQ(out[0], 1);
			CHECK_EQ(out[1], v6 ? 4 : 1);
			CHECK_EQ(ref_vnet16(out, 2), hdr);
			CHECK_EQ(ref_vnet16(out, 4), 1360);
			CHECK_EQ(ref_vnet16(out, 6), l4);
			CHECK_EQ(ref_vnet16(out, 8), 16);
			CHECK_EQ(ref_rd16(p + l4 + 16), ref_pseudo(p, l4, len));
			ref_wr16(p + l4 + 16, (uint16_t)~ref_sum(0, p + l4, len - l4));
		} else {
			CHECK_MEM(out, "\0\0\0\0\0\0\0\0\0\0", VNET);
		}
		CHECK(v6 ? ref_rd16(p + 4) == len - 40 : ref_rd16(p + 2) == len && ref_ipv4_ok(p));
		CHECK(ref_l4_ok(p, len));
		CHECK_EQ(rd_seq(p + l4), seq0 + (uint32_t)got);
		for (size_t i = 0; i < len - hdr; i++) {
			if (p[hdr + i] != ref_byte((uint32_t)(got + i))) {
				CHECK(!"stream byte");
				break;
			}
		}
		got += len - hdr;
	}
	CHECK_EQ(got, pay);
}

static void send_tun(struct side *s, const uint8_t *buf, size_t len)
{
	CHECK_EQ(write(s->tun[1], buf, len), (ssize_t)len);
}

static void test_tso(struct side *a, struct side *b, bool v6)
{
	enum { SEGS = 40, MSS = 1360 };
	size_t l4 = v6 ? 40 : 20;
	size_t len = ref_tcp(in + VNET, v6, 0x12345678, 0x18, 1000, 0, SEGS * MSS);
	struct dp_stats sa0, sa, sb0, sb;
	unsigned supers;

	dp_get_stats(a->dp, &sa0);
	dp_get_stats(b->dp, &sb0);
	ref_vnet(in, 1, v6 ? 4 : 1, (uint16_t)(l4 + 32), MSS, (uint16_t)l4, 16);
	send_tun(a, in, VNET + len);
	expect_tcp_stream(b, v6, 0x12345678, SEGS * MSS, &supers);
	CHECK(supers >= 1);
	for (int t = 0; t < WAIT_MS; t++) { /* counters move just after the I/O */
		dp_get_stats(a->dp, &sa);
		dp_get_stats(b->dp, &sb);
		if (sb.tun_gro - sb0.tun_gro >= supers && sa.udp_gso > sa0.udp_gso)
			break;
		usleep(1000);
	}
	CHECK_EQ(sa.tun_gso - sa0.tun_gso, 1);
	CHECK_EQ(sa.packets_out - sa0.packets_out, SEGS);
	CHECK(sa.udp_gso > sa0.udp_gso);
	CHECK(sb.udp_gro > sb0.udp_gro);
	CHECK_EQ(sb.tun_gro - sb0.tun_gro, supers);
	CHECK_EQ(sb.packets_in - sb0.packets_in, SEGS);
}

static void test_uso(struct side *a, struct side *b)
{
	enum { SEGS = 10, MSS = 1200 };
	size_t len = ref_udp(in + VNET, true, 0, 0, SEGS * MSS - 100);

	ref_vnet(in, 1, 5, 48, MSS, 40, 6);
	send_tun(a, in, VNET + len);
	for (unsigned i = 0; i < SEGS; i++) {
		size_t n = read_tun(b, WAIT_MS), want = i + 1 == SEGS ? MSS - 100 : MSS;
		CHECK_EQ(n, VNET + 48 + want);
		if (n != VNET + 48 + want)
			return;
		CHECK_MEM(out, "\0\0\0\0\0\0\0\0\0\0", VNET);
		CHECK_EQ(ref_rd16(out + VNET + 44), 8 + want);
		CHECK(ref_l4_ok(out + VNET, n - VNET));
		for (size_t k = 0; k < want; k++)
			if (out[VNET + 48 + k] != ref_byte((uint32_t)(i * MSS + k))) {
				CHECK(!"USO payload");
				break;
			}
	}
}

static void test_needs_csum(struct side *a, struct side *b)
{
	size_t len = ref_udp(in + VNET, false, 9, 3, 555), n;

	ref_vnet(in, 1, 0, 0, 0, 20, 6);
	send_tun(a, in, VNET + len);
	n = read_tun(b, WAIT_MS);
	CHECK_EQ(n, VNET + len);
	CHECK(ref_l4_ok(out + VNET, len));
	CHECK_MEM(out + VNET + 28, in + VNET + 28, 555);
}

static void test_malformed(struct side *a, struct side *b)
{
	struct dp_stats st0, st;
	size_t len = ref_tcp(in + VNET, false, 1, 0x10, 1, 0, 3000);
	unsigned bad = 0;

	dp_get_stats(a->dp, &st0);
	send_tun(a, in, 5); /* shorter than the header */
	bad++;
	ref_vnet(in, 1, 1, 52, 0, 20, 16); /* gso_size 0 */
	send_tun(a, in, VNET + len);
	bad++;
	ref_vnet(in, 1, 2, 52, 1000, 20, 16); /* unknown gso_type */
	send_tun(a, in, VNET + len);
	bad++;
	ref_vnet(in, 1, 0, 0, 0, (uint16_t)len, 16); /* csum_start past the end */
	send_tun(a, in, VNET + len);
	bad++;
	ref_vnet(in, 1, 1, 9000, 1000, 20, 16); /* hdr_len past the end */
	send_tun(a, in, VNET + len);
	bad++;
	ref_vnet(in, 1, 4, 52, 1000, 20, 16); /* TCPV6 on an IPv4 packet */
	send_tun(a, in, VNET + len);
	bad++;
	for (int t = 0; t < WAIT_MS; t++) {
		dp_get_stats(a->dp, &st);
		if (st.drop_malformed - st0.drop_malformed >= bad)
			break;
		usleep(1000);
	}
	CHECK_EQ(st.drop_malformed - st0.drop_malformed, bad);
	CHECK_EQ(st.packets_out, st0.packets_out);
	CHECK_EQ(read_tun(b, 100), 0);
}

/* The kernel refuses UDP_SEGMENT when a datagram is larger than the path MTU (EINVAL, see
 * udp_send_skb): with lo's MTU below the ESP datagram size, the segments must still arrive,
 * sent one by one (and fragmented by IP). */
static void test_gso_refused(struct side *a, struct side *b)
{
	struct ifreq ifr = {0};
	struct dp_stats s0, s1;
	size_t len = ref_tcp(in + VNET, false, 777, 0x10, 5, 0, 10 * 1360);
	unsigned supers;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	strcpy(ifr.ifr_name, "lo");
	ifr.ifr_mtu = 1280;
	CHECK_EQ(ioctl(fd, SIOCSIFMTU, &ifr), 0);
	close(fd);
	dp_get_stats(a->dp, &s0);
	ref_vnet(in, 1, 1, 52, 1360, 20, 16);
	send_tun(a, in, VNET + len);
	expect_tcp_stream(b, false, 777, 10 * 1360, &supers);
	dp_get_stats(a->dp, &s1);
	CHECK_EQ(s1.udp_gso, s0.udp_gso);
	CHECK_EQ(s1.packets_out - s0.packets_out, 10);
	CHECK_EQ(s1.drop_io, s0.drop_io);
}

int main(void)
{
	static struct side a, b;
	struct esp_sa_params p;
	uint8_t key[36];
	int err = setup_netns();

	if (err < 0) {
		fprintf(stderr, "test_dp_offload: no private network namespace (%s): skipped\n",
			strerror(-err));
		return SKIP;
	}
	for (int i = 0; i < 36; i++)
		key[i] = (uint8_t)(i * 3 + 1);
	CHECK_EQ(make_side(&a, "192.0.2.1", "192.0.2.2"), 0);
	CHECK_EQ(make_side(&b, "192.0.2.2", "192.0.2.1"), 0);
	if (a.dp == NULL || b.dp == NULL)
		return check_done("test_dp_offload");
	tu_params(&p, 0x1000, AEAD_AES_GCM_16, key, 36, false);
	CHECK_EQ(dp_install_sa(b.dp, &p, NULL), 0);
	CHECK_EQ(dp_install_sa(a.dp, NULL, &p), 0);
	tu_params(&p, 0x2000, AEAD_CHACHA20_POLY1305, key, 36, true);
	CHECK_EQ(dp_install_sa(a.dp, &p, NULL), 0);
	CHECK_EQ(dp_install_sa(b.dp, NULL, &p), 0);
	CHECK_EQ(dp_start(a.dp), 0);
	CHECK_EQ(dp_start(b.dp), 0);

	test_tso(&a, &b, false);
	test_tso(&b, &a, true); /* and the other way, over the other SA */
	test_uso(&a, &b);
	test_needs_csum(&a, &b);
	test_malformed(&a, &b);
	test_gso_refused(&a, &b);

	dp_free(a.dp);
	dp_free(b.dp);
	return check_done("test_dp_offload");
}
