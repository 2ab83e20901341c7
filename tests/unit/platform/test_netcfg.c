/* Link state, addresses, route lookups, socket marks and change events. Every effect is checked
 * with iproute2 (`ip -o link/addr`, `ip route get`), an independent netlink client; prefix
 * notation per RFC 4632 section 3.1 (IPv4) and RFC 4291 section 2.3 (IPv6). IPv6 tests use
 * the documentation prefix 2001:db8::/32 (RFC 3849). Runs in its own network namespace. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>

#include "platform/netcfg.h"
#include "platform/netevents.h"
#include "platform/tun.h"
#include "tests/unit/check.h"
#include "tests/unit/platform/netns_util.h"

static struct net_ctx *ctx;
static char reason[256];

static int ifindex_by_ip(const char *ifname)
{
	char out[SH_OUT_MAX];
	if (sh(out, sizeof(out), "ip -o link show dev %s", ifname) != 0)
		return -1;
	return atoi(out);
}

static int shows(const char *cmd, const char *word)
{
	char out[SH_OUT_MAX];
	sh(out, sizeof(out), "%s 2>&1", cmd);
	return strstr(out, word) != NULL;
}

/* The word after `key` in `ip route get` output, or "". */
static void ip_route_get_field(const char *dst, const char *extra, const char *key, char *val,
			       size_t cap)
{
	char out[SH_OUT_MAX], pat[32];
	const char *at;

	val[0] = '\0';
	if (sh(out, sizeof(out), "ip route get %s %s", dst, extra) != 0)
		return;
	snprintf(pat, sizeof(pat), " %s ", key);
	at = strstr(out, pat);
	if (at)
		sscanf(at + strlen(pat), "%63s", val);
	(void)cap;
}

static const char *ntop(const struct sockaddr_storage *ss, char *buf, size_t cap)
{
	buf[0] = '\0';
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, buf,
			  (socklen_t)cap);
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, buf,
			  (socklen_t)cap);
	return buf;
}

static void to_sockaddr(const char *text, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &((struct sockaddr_in *)ss)->sin_addr) == 1)
		ss->ss_family = AF_INET;
	else if (inet_pton(AF_INET6, text, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1)
		ss->ss_family = AF_INET6;
}

static void test_prefix(void)
{
	static const struct {
		const char *text;
		int ret, family, len;
		const char *hex;
	} cases[] = {
	    {"192.0.2.0/24", 0, AF_INET, 24, "c0000200"},
	    {"203.0.113.5", 0, AF_INET, 32, "cb007105"},
	    {"0.0.0.0/0", 0, AF_INET, 0, "00000000"},
	    {"2001:db8::/32", 0, AF_INET6, 32, "20010db8000000000000000000000000"},
	    {"2001:db8::5", 0, AF_INET6, 128, "20010db8000000000000000000000005"},
	    {"192.0.2.1/33", -EINVAL, 0, 0, ""},
	    {"192.0.2.1/", -EINVAL, 0, 0, ""},
	    {"192.0.2.1/2x", -EINVAL, 0, 0, ""},
	    {"2001:db8::/129", -EINVAL, 0, 0, ""},
	    {"192.0.2", -EINVAL, 0, 0, ""},
	    {"", -EINVAL, 0, 0, ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct net_prefix p;
		uint8_t want[16];
		size_t n = check_unhex(cases[i].hex, want, sizeof(want));
		CHECK_EQ(net_prefix_parse(cases[i].text, &p), cases[i].ret);
		if (cases[i].ret)
			continue;
		CHECK_EQ(p.family, cases[i].family);
		CHECK_EQ(p.len, cases[i].len);
		CHECK_MEM(p.addr, want, n);
	}
	{
		struct net_prefix p;
		char buf[NET_PREFIX_STRLEN];
		net_prefix_parse("2001:db8::5", &p);
		CHECK(strcmp(net_prefix_format(&p, buf, sizeof(buf)), "2001:db8::5/128") == 0);
	}
}

static void test_link_and_addrs(void)
{
	struct net_prefix v4, v6;

	CHECK_EQ(net_link_up(ctx, "tern0", 1400, reason, sizeof(reason)), 0);
	CHECK(shows("ip -o link show dev tern0", "mtu 1400"));
	CHECK(shows("ip -o link show dev tern0", ",UP"));
	CHECK_EQ(net_link_up(ctx, "nope0", 1400, reason, sizeof(reason)), -ENODEV);
	CHECK(strstr(reason, "nope0") != NULL);
	CHECK_EQ(net_link_up(ctx, "tern0", 1000000, reason, sizeof(reason)), -EINVAL);
	CHECK(strstr(reason, "tern0") != NULL);
	printf("reason for a too large MTU: %s\n", reason);

	net_prefix_parse("203.0.113.5/32", &v4);
	net_prefix_parse("2001:db8::5/128", &v6);
	CHECK_EQ(net_addr_add(ctx, "tern0", &v4, reason, sizeof(reason)), 0);
	CHECK_EQ(net_addr_add(ctx, "tern0", &v6, reason, sizeof(reason)), 0);
	CHECK(shows("ip -o addr show dev tern0", "inet 203.0.113.5/32"));
	CHECK(shows("ip -o addr show dev tern0", "inet6 2001:db8::5/128"));
	CHECK(!shows("ip -o addr show dev tern0", "tentative"));
	/* Adding again refreshes, not fails. */
	CHECK_EQ(net_addr_add(ctx, "tern0", &v4, reason, sizeof(reason)), 0);
	CHECK_EQ(net_addr_del(ctx, "tern0", &v4, reason, sizeof(reason)), 0);
	CHECK(!shows("ip -o addr show dev tern0", "203.0.113.5"));
	CHECK(shows("ip -o addr show dev tern0", "2001:db8::5/128"));
	CHECK_EQ(net_addr_del(ctx, "tern0", &v4, reason, sizeof(reason)), -EADDRNOTAVAIL);
	CHECK_EQ(net_addr_del(ctx, "tern0", &v6, reason, sizeof(reason)), 0);
	CHECK(!shows("ip -o addr show dev tern0", "2001:db8::5"));
}

/* net_route_get() must agree with `ip route get` on source, device and next hop. */
static void check_route(const char *dst, uint32_t mark)
{
	struct sockaddr_storage ss;
	struct net_path path;
	char extra[32] = "", src[64], dev[64], via[64], got[INET6_ADDRSTRLEN];

	if (mark)
		snprintf(extra, sizeof(extra), "mark 0x%x", mark);
	ip_route_get_field(dst, extra, "src", src, sizeof(src));
	ip_route_get_field(dst, extra, "dev", dev, sizeof(dev));
	ip_route_get_field(dst, extra, "via", via, sizeof(via));
	to_sockaddr(dst, &ss);
	CHECK_EQ(net_route_get(ctx, (struct sockaddr *)&ss, mark, &path, reason, sizeof(reason)),
		 0);
	CHECK(src[0] != '\0');
	CHECK(strcmp(ntop(&path.src, got, sizeof(got)), src) == 0);
	CHECK(strcmp(path.ifname, dev) == 0);
	CHECK_EQ(path.ifindex, ifindex_by_ip(dev));
	CHECK(strcmp(ntop(&path.gateway, got, sizeof(got)), via) == 0);
	printf("route to %s (mark 0x%x): src %s dev %s via %s\n", dst, mark, src, dev,
	       via[0] ? via : "-");
}

static void test_route_get(void)
{
	struct sockaddr_storage ss;
	struct net_path path;
	char got[INET6_ADDRSTRLEN];

	CHECK(sh(NULL, 0,
		 "ip link add d0 type veth peer name d1 && ip link set d1 up && "
		 "ip link set d0 up && "
		 "ip addr add 192.0.2.10/24 dev d0 && "
		 "ip addr add 2001:db8:1::10/64 dev d0 nodad && "
		 "ip route add default via 192.0.2.1 && "
		 "ip rule add fwmark 0x7465 lookup 100 prio 100 && "
		 "ip route add 198.51.100.0/24 via 192.0.2.2 table 100") == 0);

	check_route("192.0.2.1", 0);
	check_route("198.51.100.7", 0);
	check_route("198.51.100.7", 0x7465);
	check_route("2001:db8:1::1", 0);

	to_sockaddr("192.0.2.1", &ss);
	CHECK_EQ(net_route_get(ctx, (struct sockaddr *)&ss, 0, &path, reason, sizeof(reason)), 0);
	CHECK(strcmp(ntop(&path.src, got, sizeof(got)), "192.0.2.10") == 0);
	CHECK(strcmp(path.ifname, "d0") == 0);
	CHECK_EQ(path.gateway.ss_family, AF_UNSPEC);
	CHECK_EQ(path.table, 254);

	/* Through the marked rule: next hop 192.0.2.2 from table 100. */
	to_sockaddr("198.51.100.7", &ss);
	CHECK_EQ(net_route_get(ctx, (struct sockaddr *)&ss, 0x7465, &path, reason, sizeof(reason)),
		 0);
	CHECK(strcmp(ntop(&path.gateway, got, sizeof(got)), "192.0.2.2") == 0);
	CHECK_EQ(path.table, 100);

	CHECK(sh(NULL, 0, "ip route del default") == 0);
	to_sockaddr("203.0.113.9", &ss);
	CHECK_EQ(net_route_get(ctx, (struct sockaddr *)&ss, 0, &path, reason, sizeof(reason)),
		 -ENETUNREACH);
	CHECK(strstr(reason, "203.0.113.9") != NULL);
	CHECK(sh(NULL, 0, "ip route add default via 192.0.2.1") == 0);
}

static void test_socket_mark(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	uint32_t mark = 0;
	socklen_t len = sizeof(mark);

	CHECK_EQ(net_socket_mark(s, 0x7465), 0);
	CHECK(getsockopt(s, SOL_SOCKET, SO_MARK, &mark, &len) == 0);
	CHECK_EQ(mark, 0x7465);
	close(s);
	CHECK_EQ(net_socket_mark(-1, 1), -EBADF);
}

struct seen {
	int d0;
	int addr_added, addr_removed, link_down, route_added, overrun;
};

static void on_event(const struct net_event *ev, void *arg)
{
	struct seen *s = arg;
	struct net_prefix want;

	switch (ev->type) {
	case NET_EVENT_ADDR:
		net_prefix_parse("198.51.100.20/24", &want);
		if (ev->ifindex == s->d0 && ev->prefix.family == AF_INET && ev->prefix.len == 24 &&
		    memcmp(ev->prefix.addr, want.addr, 4) == 0) {
			if (ev->removed)
				s->addr_removed++;
			else
				s->addr_added++;
		}
		break;
	case NET_EVENT_LINK:
		if (ev->ifindex == s->d0 && !ev->removed && !(ev->link_flags & IFF_UP))
			s->link_down++;
		break;
	case NET_EVENT_ROUTE:
		net_prefix_parse("203.0.113.0/24", &want);
		if (!ev->removed && ev->table == 200 && ev->prefix.len == 24 &&
		    memcmp(ev->prefix.addr, want.addr, 4) == 0 && ev->ifindex == s->d0)
			s->route_added++;
		break;
	case NET_EVENT_OVERRUN:
		s->overrun++;
		break;
	}
}

static void drain_for(int fd, struct seen *s)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	while (poll(&p, 1, 200) == 1)
		CHECK(net_events_drain(ctx, 0, on_event, s) >= 0);
}

static void test_events(void)
{
	struct seen s = {.d0 = ifindex_by_ip("d0")};
	int fd = net_events_open(ctx, reason, sizeof(reason));

	CHECK(fd >= 0);
	CHECK_EQ(net_events_open(ctx, reason, sizeof(reason)), fd);
	CHECK_EQ(net_events_drain(ctx, 0, on_event, &s), 0); /* nothing queued yet */

	CHECK(sh(NULL, 0, "ip addr add 198.51.100.20/24 dev d0") == 0);
	drain_for(fd, &s);
	CHECK_EQ(s.addr_added, 1);
	CHECK(sh(NULL, 0, "ip route add 203.0.113.0/24 dev d0 table 200") == 0);
	drain_for(fd, &s);
	CHECK_EQ(s.route_added, 1);
	CHECK(sh(NULL, 0, "ip addr del 198.51.100.20/24 dev d0") == 0);
	drain_for(fd, &s);
	CHECK_EQ(s.addr_removed, 1);
	CHECK(sh(NULL, 0, "ip link set d0 down") == 0);
	drain_for(fd, &s);
	CHECK(s.link_down >= 1);
	CHECK_EQ(s.overrun, 0);

	/* A receive buffer too small for a burst: the loss is reported, then events flow again. */
	{
		int small = 1; /* the kernel rounds it up to its minimum */
		CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) == 0);
		CHECK(sh(NULL, 0,
			 "for i in $(seq 1 100); do echo addr add 198.51.100.$i/32 dev d0; done"
			 " | ip -batch -") == 0);
		drain_for(fd, &s);
		CHECK(s.overrun >= 1);
		s.addr_added = 0;
		CHECK(sh(NULL, 0, "ip addr add 198.51.100.20/24 dev d0") == 0);
		drain_for(fd, &s);
		CHECK_EQ(s.addr_added, 1);
	}
}

int main(void)
{
	char name[IFNAMSIZ];
	int fd;

	enter_netns(0);
	test_prefix();
	CHECK_EQ(net_open(&ctx, reason, sizeof(reason)), 0);
	fd = tun_open(NULL, 0, name);
	CHECK(fd >= 0);
	test_link_and_addrs();
	test_route_get();
	test_socket_mark();
	test_events();
	close(fd);
	net_close(ctx);
	return check_done("platform_netcfg");
}
