/* Policy routing for the tunnel and its cleanup. The expected rules and routes are the ones
 * wg-quick(8) installs for a full tunnel ("not fwmark M lookup T", "lookup main
 * suppress_prefixlength 0"), as `ip rule` / `ip route show table T` print them (iproute2 is the
 * independent checker); their effect is checked with `ip route get` (with and without the
 * mark). Leftovers of a crashed run are made by hand with `ip`. IPv6 uses 2001:db8::/32
 * (RFC 3849). Runs in its own network namespace. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "platform/netcfg.h"
#include "platform/netpolicy.h"
#include "platform/tun.h"
#include "tests/unit/check.h"
#include "tests/unit/platform/netns_util.h"

static struct net_ctx *ctx;
static char reason[256];

static int shows(const char *cmd, const char *text)
{
	char out[SH_OUT_MAX];
	sh(out, sizeof(out), "%s 2>&1", cmd);
	return strstr(out, text) != NULL;
}

static int count(const char *cmd, const char *text)
{
	char out[SH_OUT_MAX];
	int n = 0;
	sh(out, sizeof(out), "%s 2>&1", cmd);
	for (const char *at = out; (at = strstr(at, text)) != NULL; at += strlen(text))
		n++;
	return n;
}

static void prefixes(struct net_prefix *out, const char *const *text, size_t n)
{
	for (size_t i = 0; i < n; i++)
		CHECK_EQ(net_prefix_parse(text[i], &out[i]), 0);
}

static int open_tunnel_link(void)
{
	struct net_prefix v4, v6;
	int fd = tun_open(NULL, 0, NULL);

	CHECK(fd >= 0);
	CHECK_EQ(net_link_up(ctx, "tern0", 1400, reason, sizeof(reason)), 0);
	net_prefix_parse("203.0.113.5/32", &v4);
	net_prefix_parse("2001:db8::5/128", &v6);
	CHECK_EQ(net_addr_add(ctx, "tern0", &v4, reason, sizeof(reason)), 0);
	CHECK_EQ(net_addr_add(ctx, "tern0", &v6, reason, sizeof(reason)), 0);
	return fd;
}

static const char RULE_SUPPRESS[] = "29796:\tfrom all lookup main suppress_prefixlength 0";
static const char RULE_TUNNEL[] = "29797:\tnot from all fwmark 0x7465 lookup 29797";

static void check_nothing_left(void)
{
	CHECK(!shows("ip -4 rule", "29797:"));
	CHECK(!shows("ip -6 rule", "29797:"));
	CHECK(!shows("ip -4 rule", RULE_SUPPRESS));
	CHECK(!shows("ip -6 rule", RULE_SUPPRESS));
	CHECK(!shows("ip -4 rule", "lookup 29797"));
	CHECK(!shows("ip -6 rule", "lookup 29797"));
	CHECK_EQ(count("ip -4 route show table 29797", "dev"), 0);
	CHECK_EQ(count("ip -6 route show table 29797", "dev"), 0);
}

static void test_full_tunnel(void)
{
	static const char *const all[] = {"0.0.0.0/0", "::/0"};
	struct net_prefix routes[2];
	struct net_policy p;
	int fd = open_tunnel_link();

	net_policy_init(&p, NULL);
	CHECK(strcmp(p.ifname, "tern0") == 0);
	CHECK_EQ(p.table, 0x7465);
	CHECK_EQ(p.fwmark, 0x7465);
	CHECK_EQ(p.priority, 0x7465);
	prefixes(routes, all, 2);
	CHECK_EQ(net_policy_apply(ctx, &p, routes, 2, reason, sizeof(reason)), 0);

	CHECK(shows("ip -4 rule", RULE_SUPPRESS));
	CHECK(shows("ip -4 rule", RULE_TUNNEL));
	CHECK(shows("ip -6 rule", RULE_SUPPRESS));
	CHECK(shows("ip -6 rule", RULE_TUNNEL));
	CHECK(shows("ip -4 route show table 29797", "default dev tern0"));
	CHECK(shows("ip -6 route show table 29797", "default dev tern0"));

	/* Effect: ordinary traffic enters the tunnel, marked traffic and the LAN do not. */
	CHECK(shows("ip route get 198.51.100.7", "dev tern0"));
	CHECK(shows("ip route get 198.51.100.7 mark 0x7465", "via 192.0.2.1 dev d0"));
	CHECK(shows("ip route get 192.0.2.50", "dev d0"));
	CHECK(shows("ip route get 2001:db8:7::1", "dev tern0"));
	CHECK(shows("ip route get 2001:db8:7::1 mark 0x7465", "via 2001:db8:1::1 dev d0"));

	/* Applying again changes nothing and duplicates nothing. */
	CHECK_EQ(net_policy_apply(ctx, &p, routes, 2, reason, sizeof(reason)), 0);
	CHECK_EQ(count("ip -4 rule", "29796:"), 1);
	CHECK_EQ(count("ip -4 rule", "29797:"), 1);
	CHECK_EQ(count("ip -6 rule", "29796:"), 1);
	CHECK_EQ(count("ip -6 rule", "29797:"), 1);

	CHECK_EQ(net_cleanup(ctx, &p, 0, reason, sizeof(reason)), 0);
	check_nothing_left();
	CHECK(sh(NULL, 0, "ip link show dev tern0 2>/dev/null") != 0); /* the TUN is gone */
	CHECK(shows("ip route get 198.51.100.7", "dev d0"));
	CHECK(shows("ip -4 rule", "30000:\tfrom all lookup 100")); /* not ours: kept */
	CHECK(shows("ip route show", "default via 192.0.2.1 dev d0"));
	/* Idempotent. */
	CHECK_EQ(net_cleanup(ctx, &p, 0, reason, sizeof(reason)), 0);
	close(fd);
	CHECK_EQ(net_cleanup(ctx, &p, 0, reason, sizeof(reason)), 0);
}

static void test_split_tunnel(void)
{
	static const char *const split[] = {"198.51.100.0/24", "203.0.113.77/24"};
	struct net_prefix routes[2];
	struct net_policy p;
	int fd = open_tunnel_link();

	net_policy_init(&p, "tern0");
	prefixes(routes, split, 2);
	CHECK_EQ(net_policy_apply(ctx, &p, routes, 2, reason, sizeof(reason)), 0);
	CHECK(shows("ip -4 route show table 29797", "198.51.100.0/24 dev tern0"));
	CHECK(
	    shows("ip -4 route show table 29797", "203.0.113.0/24 dev tern0")); /* host bits cut */
	CHECK(!shows("ip -4 route show table 29797", "default"));
	CHECK(shows("ip -4 rule", RULE_TUNNEL));
	CHECK(!shows("ip -6 rule", "29797:")); /* no IPv6 prefix, IPv6 untouched */
	CHECK(!shows("ip -6 rule", "29796:"));
	CHECK(shows("ip route get 198.51.100.7", "dev tern0"));
	CHECK(shows("ip route get 198.51.100.7 mark 0x7465", "dev d0"));
	CHECK(shows("ip route get 192.0.2.200", "via 192.0.2.1 dev d0")); /* outside the split */

	/* Keep the device (reconnect): addresses, routes and rules go, tern0 stays. */
	CHECK_EQ(net_cleanup(ctx, &p, NET_CLEANUP_KEEP_LINK, reason, sizeof(reason)), 0);
	check_nothing_left();
	CHECK(sh(NULL, 0, "ip link show dev tern0 >/dev/null") == 0);
	CHECK(!shows("ip -o addr show dev tern0", "203.0.113.5"));
	CHECK(!shows("ip -o addr show dev tern0", "2001:db8::5"));
	close(fd);
}

static void test_leftovers(void)
{
	struct net_policy p;

	net_policy_init(&p, NULL);
	/* What a crashed run leaves (its TUN died with it), next to things that are not ours. */
	CHECK(sh(NULL, 0,
		 "ip -4 rule add not fwmark 0x7465 table 29797 prio 29797 && "
		 "ip -4 rule add table main suppress_prefixlength 0 prio 29796 && "
		 "ip -6 rule add not fwmark 0x7465 table 29797 prio 29797 && "
		 "ip -6 rule add table main suppress_prefixlength 0 prio 29796 && "
		 "ip -4 rule add from 192.0.2.0/24 table 29797 prio 500 && "
		 "ip -4 rule add table main suppress_prefixlength 0 prio 29000 && "
		 "ip -4 rule add table main prio 29796 && "
		 "ip -4 route add 203.0.113.0/24 dev d0 table 29797 && "
		 "ip -4 route add 198.51.100.0/24 via 192.0.2.1 table 29797 && "
		 "ip -6 route add 2001:db8:2::/48 dev d0 table 29797 && "
		 "ip -4 route add 203.0.113.0/24 dev d0 table 100") == 0);
	CHECK_EQ(net_cleanup(ctx, &p, 0, reason, sizeof(reason)), 0);
	check_nothing_left();
	CHECK(!shows("ip -4 rule", "500:"));
	CHECK(!shows("ip -4 rule", RULE_SUPPRESS));
	CHECK(shows("ip -4 rule", "29000:\tfrom all lookup main suppress_prefixlength 0"));
	CHECK(shows("ip -4 rule", "29796:\tfrom all lookup main\n")); /* no suppress: not ours */
	CHECK(shows("ip -4 route show table 100", "203.0.113.0/24 dev d0"));
	CHECK(sh(NULL, 0, "ip -4 rule del prio 29000 && ip -4 rule del prio 29796") == 0);

	/* A device called tern0 that is not a TUN is left alone. */
	CHECK(sh(NULL, 0, "ip link add tern0 type veth peer name tern1") == 0);
	CHECK_EQ(net_cleanup(ctx, &p, 0, reason, sizeof(reason)), 0);
	CHECK(sh(NULL, 0, "ip link show dev tern0 >/dev/null") == 0);
	CHECK(sh(NULL, 0, "ip link del tern0") == 0);
}

static void test_errors(void)
{
	static const char *const all[] = {"0.0.0.0/0"};
	struct net_prefix routes[1];
	struct net_policy p;
	int fd;

	prefixes(routes, all, 1);
	net_policy_init(&p, NULL);
	p.table = 254;
	CHECK_EQ(net_policy_apply(ctx, &p, routes, 1, reason, sizeof(reason)), -EINVAL);
	CHECK(strstr(reason, "254") != NULL);
	CHECK_EQ(net_cleanup(ctx, &p, 0, reason, sizeof(reason)), -EINVAL);
	net_policy_init(&p, NULL);
	CHECK_EQ(net_policy_apply(ctx, &p, routes, 1, reason, sizeof(reason)), -ENODEV);
	CHECK(strstr(reason, "tern0") != NULL);
	/* A route through a link that is down is refused; the reason names it. */
	fd = tun_open(NULL, 0, NULL);
	CHECK(fd >= 0);
	CHECK_EQ(net_policy_apply(ctx, &p, routes, 1, reason, sizeof(reason)), -ENETDOWN);
	CHECK(strstr(reason, "tern0") != NULL);
	printf("reason for a route through a down link: %s\n", reason);
	CHECK_EQ(net_cleanup(ctx, &p, 0, reason, sizeof(reason)), 0);
	close(fd);
	check_nothing_left();
}

int main(void)
{
	enter_netns(0);
	CHECK(sh(NULL, 0,
		 "ip link add d0 type veth peer name d1 && ip link set d1 up && "
		 "ip link set d0 up && ip addr add 192.0.2.10/25 dev d0 && "
		 "ip route add default via 192.0.2.1 && "
		 "ip addr add 2001:db8:1::10/64 dev d0 nodad && "
		 "ip -6 route add default via 2001:db8:1::1 && "
		 "ip -4 rule add prio 30000 lookup 100") == 0);
	CHECK_EQ(net_open(&ctx, reason, sizeof(reason)), 0);
	test_full_tunnel();
	test_split_tunnel();
	test_leftovers();
	test_errors();
	net_close(ctx);
	return check_done("platform_netpolicy");
}
