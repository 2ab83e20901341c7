/* TUN device: name, flags, queues and offloads. Checked independently with `ip -d link`
 * (iproute2 reads the device's flags over netlink: "vnet_hdr on", "multi_queue numqueues N")
 * and the kernel's ethtool ioctls (ETHTOOL_GTXCSUM / ETHTOOL_GTSO report the netdev features
 * that TUNSETOFFLOAD sets, see drivers/net/tun.c), and by packets the kernel routes into the
 * device. Runs in its own network namespace. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <netinet/in.h>

#include "platform/tun.h"
#include "tests/unit/check.h"
#include "tests/unit/platform/netns_util.h"

enum { VNET_HDR_LEN = 10 /* struct virtio_net_hdr, the TUN default (TUNGETVNETHDRSZ) */ };

static int ethtool_get(const char *ifname, uint32_t cmd)
{
	struct ethtool_value ev = {.cmd = cmd};
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM, 0), r;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ev;
	r = ioctl(s, SIOCETHTOOL, &ifr);
	close(s);
	return r < 0 ? -errno : (int)ev.data;
}

static int link_has(const char *ifname, const char *word)
{
	char out[SH_OUT_MAX];
	if (sh(out, sizeof(out), "ip -d -o link show dev %s 2>/dev/null", ifname) != 0)
		return 0;
	return strstr(out, word) != NULL;
}

static void test_default_open(void)
{
	char name[IFNAMSIZ] = "";
	int fd = tun_open(NULL, 0, name), fd2;

	CHECK(fd >= 0);
	CHECK(strcmp(name, "tern0") == 0);
	CHECK(link_has("tern0", "tun type tun pi off vnet_hdr off"));
	CHECK(!link_has("tern0", "multi_queue"));
	/* A second open of a single-queue device that is in use fails. */
	fd2 = tun_open("tern0", 0, NULL);
	CHECK_EQ(fd2, -EBUSY);
	/* Offloads need the virtio-net header. */
	CHECK_EQ(tun_set_offload(fd, TUN_F_CSUM), -EINVAL);
	close(fd);
	/* Not persistent: the device goes with its last fd. */
	CHECK(sh(NULL, 0, "ip link show dev tern0 2>/dev/null") != 0);
}

static void test_named_open(void)
{
	char name[IFNAMSIZ] = "";
	int fd = tun_open("tt%d", TUN_OPEN_NONBLOCK, name);
	char buf[64];

	CHECK(fd >= 0);
	CHECK(strcmp(name, "tt0") == 0);
	CHECK(link_has("tt0", "tun type tun"));
	/* Non-blocking: nothing to read yet. */
	CHECK(read(fd, buf, sizeof(buf)) < 0 && errno == EAGAIN);
	close(fd);
	CHECK_EQ(tun_open("this-name-is-too-long", 0, NULL), -EINVAL);
}

static void test_offload(void)
{
	int fd = tun_open(NULL, TUN_OPEN_VNET_HDR, NULL);

	CHECK(fd >= 0);
	CHECK(link_has("tern0", "vnet_hdr on"));
	CHECK_EQ(ethtool_get("tern0", ETHTOOL_GTXCSUM), 0);
	CHECK_EQ(ethtool_get("tern0", ETHTOOL_GTSO), 0);
	CHECK_EQ(tun_set_offload(fd, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6), 0);
	CHECK_EQ(ethtool_get("tern0", ETHTOOL_GTXCSUM), 1);
	CHECK_EQ(ethtool_get("tern0", ETHTOOL_GTSO), 1);
	/* UDP segmentation offload (Linux 6.2+; the lab kernel has it). */
	CHECK_EQ(
	    tun_set_offload(fd, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6), 0);
	/* An unknown bit is refused. */
	CHECK_EQ(tun_set_offload(fd, TUN_F_CSUM | 0x8000), -EINVAL);
	CHECK_EQ(tun_set_offload(fd, 0), 0);
	CHECK_EQ(ethtool_get("tern0", ETHTOOL_GTXCSUM), 0);
	CHECK_EQ(ethtool_get("tern0", ETHTOOL_GTSO), 0);
	close(fd);
}

/* Sends one UDP datagram to 192.0.2.2 (routed into tern0) from the given source port. */
static void send_udp(uint16_t sport)
{
	struct sockaddr_in src = {.sin_family = AF_INET, .sin_port = htons(sport)};
	struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(9)};
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	inet_pton(AF_INET, "192.0.2.2", &dst.sin_addr);
	CHECK(bind(s, (struct sockaddr *)&src, sizeof(src)) == 0);
	CHECK(sendto(s, "x", 1, 0, (struct sockaddr *)&dst, sizeof(dst)) == 1);
	close(s);
}

/* Reads one packet from fd (after the vnet header): 1 if it is IPv4/UDP to 192.0.2.2. */
static int read_udp(int fd)
{
	uint8_t pkt[2048];
	const uint8_t *ip = pkt + VNET_HDR_LEN;
	ssize_t n;

	errno = 0;
	n = read(fd, pkt, sizeof(pkt));

	if (n < VNET_HDR_LEN + 20)
		return 0;
	/* RFC 791: version 4, protocol 17 at byte 9, destination at bytes 16..19. */
	return (ip[0] >> 4) == 4 && ip[9] == 17 && ip[16] == 192 && ip[17] == 0 && ip[18] == 2 &&
	       ip[19] == 2;
}

static void test_multi_queue(void)
{
	char name[IFNAMSIZ];
	unsigned flags = TUN_OPEN_VNET_HDR | TUN_OPEN_MULTI_QUEUE | TUN_OPEN_NONBLOCK;
	int q0 = tun_open(NULL, flags, name);
	int q1 = tun_open_queue(name, TUN_OPEN_VNET_HDR | TUN_OPEN_NONBLOCK);
	int got = 0, on_q1 = 0;

	CHECK(q0 >= 0);
	CHECK(q1 >= 0);
	CHECK(link_has("tern0", "vnet_hdr on multi_queue numqueues 2"));
	CHECK_EQ(tun_set_offload(q1, TUN_F_CSUM), 0);

	CHECK(sh(NULL, 0, "ip addr add 192.0.2.1/24 dev tern0 && ip link set tern0 up") == 0);
	/* 32 flows: each lands on one of the queues; together they must all arrive. */
	for (int i = 0; i < 32; i++)
		send_udp((uint16_t)(40000 + i));
	for (int round = 0; round < 50 && got < 32; round++) {
		struct pollfd p[2] = {{.fd = q0, .events = POLLIN}, {.fd = q1, .events = POLLIN}};
		if (poll(p, 2, 100) <= 0)
			continue;
		for (int k = 0; k < 2; k++) {
			while (p[k].revents & POLLIN) {
				int ok = read_udp(p[k].fd);
				if (!ok && errno == EAGAIN)
					break;
				got += ok;
				on_q1 += ok && k == 1;
			}
		}
	}
	CHECK_EQ(got, 32);

	/* With the first queue gone, the second carries everything. */
	close(q0);
	CHECK(link_has("tern0", "numqueues 1"));
	send_udp(41000);
	{
		struct pollfd p = {.fd = q1, .events = POLLIN};
		CHECK(poll(&p, 1, 1000) == 1);
		CHECK(read_udp(q1));
	}
	close(q1);
	printf("multi-queue: %d of 32 flows on the second queue\n", on_q1);
}

int main(void)
{
	enter_netns(0);
	test_default_open();
	test_named_open();
	test_offload();
	test_multi_queue();
	return check_done("platform_tun");
}
