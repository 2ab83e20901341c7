/* Tunnel routing with policy rules, the scheme wg-quick uses.
 *
 * Why rules and a table of our own rather than routes in the main table:
 * - tern's UDP socket carries fwmark M (SO_MARK). The rule "not fwmark M lookup T" (priority P)
 *   sends every other packet to table T, where "default dev tern0" (or the split-tunnel
 *   prefixes) lives, while tern's own IKE and ESP packets fall through to the main table and
 *   leave by whatever path the system currently has. Nothing pins the gateway to one next hop,
 *   so when Wi-Fi gives way to LTE the main table changes and tern's packets follow, with no
 *   host route to the gateway to fix up (the classic "route to the gateway via the old router"
 *   trap of the 0/1 + 128/1 trick). The kernel's route lookup with mark M (net_route_get) tells
 *   the client which source address the new path uses.
 * - The rule "lookup main suppress_prefixlength 0" (priority P-1, evaluated first) consults the
 *   main table but ignores its default route: specific routes there (the LAN, a container
 *   bridge) still win over the tunnel; only what would have taken the main default route goes
 *   into table T.
 * - For a split tunnel, table T holds only the gateway's prefixes: a packet to elsewhere finds
 *   no route in T and the lookup continues with the later rules (main), so the same two rules
 *   serve both modes.
 * - Everything tern adds is recognisable by table T and priority P-1, so a crashed run's
 *   leftovers are found and removed without any state on disk (net_cleanup).
 * Rules are added per family in use: with no IPv6 address from the gateway, IPv6 is untouched.
 * Strict reverse-path filtering (rp_filter=1) on the underlying interface would drop the
 * gateway's replies (their reverse route points into T); wg-quick adds connmark rules for
 * that, which belongs with the later firewall (kill switch) work. */
#include "platform/netpolicy.h"
#include "platform/nl_request.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include <netlink/attr.h>
#include <netlink/cache.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

enum {
	RULE_PRIORITY_MAX = 32765, /* below the main table's rule (32766) */
	CLEANUP_RULES_MAX = 64,	   /* rules removed per dump; the dump is repeated if full */
	CLEANUP_PASSES_MAX = 8,
};

void net_policy_init(struct net_policy *p, const char *ifname)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->ifname, sizeof(p->ifname), "%s", ifname ? ifname : "tern0");
	p->table = NET_TABLE_DEFAULT;
	p->fwmark = NET_FWMARK_DEFAULT;
	p->priority = NET_RULE_PRIORITY_DEFAULT;
}

static int check_policy(const struct net_policy *p, char *reason, size_t reason_len)
{
	if (p->table == RT_TABLE_UNSPEC || p->table == RT_TABLE_DEFAULT ||
	    p->table == RT_TABLE_MAIN || p->table == RT_TABLE_LOCAL) {
		net_reason(reason, reason_len, -EINVAL, NULL,
			   "routing table %u is reserved, choose another", p->table);
		return -EINVAL;
	}
	if (p->priority < 2 || p->priority > RULE_PRIORITY_MAX || p->fwmark == 0) {
		net_reason(reason, reason_len, -EINVAL, NULL,
			   "rule priority must be 2..%d and the fwmark non-zero",
			   RULE_PRIORITY_MAX);
		return -EINVAL;
	}
	return 0;
}

static struct nl_msg *rule_msg(int type, int flags, int family, uint8_t rule_flags,
			       uint32_t priority, uint32_t table)
{
	struct fib_rule_hdr frh = {.family = (uint8_t)family,
				   .table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC,
				   .action = FR_ACT_TO_TBL,
				   .flags = rule_flags};
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (!msg || nlmsg_append(msg, &frh, sizeof(frh), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, FRA_PRIORITY, priority) < 0 ||
	    nla_put_u32(msg, FRA_TABLE, table) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int add_rules(struct net_ctx *ctx, const struct net_policy *p, int family, char *reason,
		     size_t reason_len)
{
	const char *fam = family == AF_INET ? "IPv4" : "IPv6";
	char extack[NET_EXTACK_LEN];
	struct nl_msg *msg;
	int err;

	/* priority P-1: lookup main suppress_prefixlength 0 */
	msg = rule_msg(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, family, 0, p->priority - 1,
		       RT_TABLE_MAIN);
	if (!msg || nla_put_u32(msg, FRA_SUPPRESS_PREFIXLEN, 0) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = net_nl_request(ctx, msg, NULL, NULL, extack);
	if (err && err != -EEXIST) {
		net_reason(reason, reason_len, err, extack,
			   "cannot add the %s rule \"lookup main suppress_prefixlength 0\"", fam);
		return err;
	}

	/* priority P: not fwmark M lookup T */
	msg = rule_msg(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, family, FIB_RULE_INVERT, p->priority,
		       p->table);
	if (!msg || nla_put_u32(msg, FRA_FWMARK, p->fwmark) < 0 ||
	    nla_put_u32(msg, FRA_FWMASK, 0xffffffffu) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = net_nl_request(ctx, msg, NULL, NULL, extack);
	if (err && err != -EEXIST) {
		net_reason(reason, reason_len, err, extack,
			   "cannot add the %s rule \"not fwmark 0x%x lookup %u\"", fam, p->fwmark,
			   p->table);
		return err;
	}
	return 0;
}

/* ifindex 0: a blackhole route (RTN_BLACKHOLE): what matches it is dropped. */
static int add_route(struct net_ctx *ctx, const struct net_policy *p, int ifindex,
		     const struct net_prefix *in, char *reason, size_t reason_len)
{
	char extack[NET_EXTACK_LEN], text[NET_PREFIX_STRLEN];
	size_t alen = in->family == AF_INET ? 4 : in->family == AF_INET6 ? 16 : 0;
	struct net_prefix dst = *in;
	struct rtmsg rtm = {.rtm_family = (uint8_t)in->family,
			    .rtm_dst_len = in->len,
			    .rtm_table = p->table < 256 ? (uint8_t)p->table : RT_TABLE_UNSPEC,
			    .rtm_protocol = RTPROT_STATIC,
			    .rtm_scope = ifindex ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE,
			    .rtm_type = ifindex ? RTN_UNICAST : RTN_BLACKHOLE};
	struct nl_msg *msg;
	int err;

	if (!alen || in->len > alen * 8) {
		net_reason(reason, reason_len, -EINVAL, NULL, "bad tunnel route");
		return -EINVAL;
	}
	for (size_t bit = in->len; bit < alen * 8; bit++)
		dst.addr[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
	msg = nlmsg_alloc_simple(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
	if (!msg || nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    (dst.len && nla_put(msg, RTA_DST, (int)alen, dst.addr) < 0) ||
	    (ifindex && nla_put_u32(msg, RTA_OIF, (uint32_t)ifindex) < 0) ||
	    nla_put_u32(msg, RTA_TABLE, p->table) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = net_nl_request(ctx, msg, NULL, NULL, extack);
	if (err)
		net_reason(reason, reason_len, err, extack, "cannot route %s through %s (table %u)",
			   net_prefix_format(&dst, text, sizeof(text)),
			   ifindex ? p->ifname : "a blackhole", p->table);
	return err;
}

int net_policy_block(struct net_ctx *ctx, const struct net_policy *p, int family, char *reason,
		     size_t reason_len)
{
	struct net_prefix all = {.family = family, .len = 0};
	int err = check_policy(p, reason, reason_len);
	if (!err)
		err = add_route(ctx, p, 0, &all, reason, reason_len);
	if (!err)
		err = add_rules(ctx, p, family, reason, reason_len);
	return err;
}

int net_policy_apply(struct net_ctx *ctx, const struct net_policy *p,
		     const struct net_prefix *routes, size_t n, char *reason, size_t reason_len)
{
	int v4 = 0, v6 = 0, idx, err;

	err = check_policy(p, reason, reason_len);
	if (err)
		return err;
	idx = net_ifindex(p->ifname, reason, reason_len);
	if (idx < 0)
		return idx;
	for (size_t i = 0; i < n; i++) {
		err = add_route(ctx, p, idx, &routes[i], reason, reason_len);
		if (err)
			return err;
		v4 |= routes[i].family == AF_INET;
		v6 |= routes[i].family == AF_INET6;
	}
	if (v4 && (err = add_rules(ctx, p, AF_INET, reason, reason_len)))
		return err;
	if (v6 && (err = add_rules(ctx, p, AF_INET6, reason, reason_len)))
		return err;
	return 0;
}

/* ---- cleanup ---- */

struct found_rule {
	uint8_t family;
	uint32_t priority;
	uint32_t table;
	int suppress; /* the rule carries FRA_SUPPRESS_PREFIXLEN 0 */
};

struct rule_scan {
	const struct net_policy *p;
	struct found_rule rules[CLEANUP_RULES_MAX];
	size_t n;
	int full;
};

static struct nla_policy rule_attrs[FRA_MAX + 1] = {
    [FRA_PRIORITY] = {.type = NLA_U32},
    [FRA_TABLE] = {.type = NLA_U32},
    [FRA_SUPPRESS_PREFIXLEN] = {.type = NLA_U32},
};

/* One RTM_NEWRULE from the dump: validated by nlmsg_parse, the header copied out. */
static int on_rule(struct nl_msg *msg, void *arg)
{
	struct rule_scan *scan = arg;
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	struct nlattr *tb[FRA_MAX + 1];
	struct fib_rule_hdr frh;
	struct found_rule r = {0};

	if (hdr->nlmsg_type != RTM_NEWRULE ||
	    nlmsg_parse(hdr, sizeof(frh), tb, FRA_MAX, rule_attrs) < 0)
		return NL_SKIP;
	memcpy(&frh, nlmsg_data(hdr), sizeof(frh));
	r.family = frh.family;
	r.table = tb[FRA_TABLE] ? nla_get_u32(tb[FRA_TABLE]) : frh.table;
	r.priority = tb[FRA_PRIORITY] ? nla_get_u32(tb[FRA_PRIORITY]) : 0;
	r.suppress = tb[FRA_SUPPRESS_PREFIXLEN] && nla_get_u32(tb[FRA_SUPPRESS_PREFIXLEN]) == 0;
	if (frh.action != FR_ACT_TO_TBL)
		return NL_OK;
	if (r.table != scan->p->table &&
	    !(r.table == RT_TABLE_MAIN && r.suppress && r.priority == scan->p->priority - 1))
		return NL_OK;
	if (scan->n == CLEANUP_RULES_MAX) {
		scan->full = 1;
		return NL_OK;
	}
	scan->rules[scan->n++] = r;
	return NL_OK;
}

static int remove_rules(struct net_ctx *ctx, const struct net_policy *p, char *reason,
			size_t reason_len)
{
	char extack[NET_EXTACK_LEN];
	struct rule_scan scan;
	int err;

	for (int pass = 0; pass < CLEANUP_PASSES_MAX; pass++) {
		struct fib_rule_hdr frh = {.family = AF_UNSPEC};
		struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETRULE, NLM_F_DUMP);

		memset(&scan, 0, sizeof(scan));
		scan.p = p;
		if (!msg || nlmsg_append(msg, &frh, sizeof(frh), NLMSG_ALIGNTO) < 0) {
			nlmsg_free(msg);
			return -ENOMEM;
		}
		err = net_nl_request(ctx, msg, on_rule, &scan, extack);
		if (err == -EINTR)
			continue; /* the rules changed during the dump: read them again */
		if (err) {
			net_reason(reason, reason_len, err, extack,
				   "cannot list the routing rules");
			return err;
		}
		for (size_t i = 0; i < scan.n; i++) {
			const struct found_rule *r = &scan.rules[i];
			msg = rule_msg(RTM_DELRULE, 0, r->family, 0, r->priority, r->table);
			if (msg && r->suppress && nla_put_u32(msg, FRA_SUPPRESS_PREFIXLEN, 0) < 0) {
				nlmsg_free(msg);
				msg = NULL;
			}
			if (!msg)
				return -ENOMEM;
			err = net_nl_request(ctx, msg, NULL, NULL, extack);
			if (err && err != -ENOENT) {
				net_reason(reason, reason_len, err, extack,
					   "cannot remove the rule at priority %u (table %u)",
					   r->priority, r->table);
				return err;
			}
		}
		if (!scan.full)
			return 0;
	}
	net_reason(reason, reason_len, -EAGAIN, NULL, "routing rules kept changing during cleanup");
	return -EAGAIN;
}

struct route_sweep {
	struct net_ctx *ctx;
	uint32_t table;
	int err;
	char extack[NET_EXTACK_LEN];
};

static void sweep_route(struct nl_object *obj, void *arg)
{
	struct route_sweep *s = arg;
	struct rtnl_route *route = (struct rtnl_route *)obj;
	struct nl_msg *msg = NULL;
	int err;

	if (s->err || rtnl_route_get_table(route) != s->table)
		return;
	if (rtnl_route_build_del_request(route, 0, &msg) < 0) {
		s->err = -ENOMEM;
		return;
	}
	err = net_nl_request(s->ctx, msg, NULL, NULL, s->extack);
	if (err && err != -ESRCH && err != -ENOENT)
		s->err = err;
}

static int remove_routes(struct net_ctx *ctx, const struct net_policy *p, char *reason,
			 size_t reason_len)
{
	static const int families[] = {AF_INET, AF_INET6};
	struct route_sweep s = {.ctx = ctx, .table = p->table};

	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		struct nl_cache *cache = NULL;
		int err = rtnl_route_alloc_cache(ctx->sk, families[i], 0, &cache);
		if (err < 0) {
			net_reason(reason, reason_len, -EIO, NULL, "cannot list routes: %s",
				   nl_geterror(err));
			return -EIO;
		}
		nl_cache_foreach(cache, sweep_route, &s);
		nl_cache_free(cache);
		if (s.err) {
			net_reason(reason, reason_len, s.err, s.extack,
				   "cannot remove a route from table %u", p->table);
			return s.err;
		}
	}
	return 0;
}

struct addr_sweep {
	struct net_ctx *ctx;
	int ifindex;
	int err;
	char extack[NET_EXTACK_LEN];
};

static void sweep_addr(struct nl_object *obj, void *arg)
{
	struct addr_sweep *s = arg;
	struct rtnl_addr *addr = (struct rtnl_addr *)obj;
	struct nl_msg *msg = NULL;
	int err;

	if (s->err || rtnl_addr_get_ifindex(addr) != s->ifindex ||
	    rtnl_addr_get_scope(addr) != RT_SCOPE_UNIVERSE)
		return;
	if (rtnl_addr_build_delete_request(addr, 0, &msg) < 0) {
		s->err = -ENOMEM;
		return;
	}
	err = net_nl_request(s->ctx, msg, NULL, NULL, s->extack);
	if (err && err != -EADDRNOTAVAIL)
		s->err = err;
}

static int remove_addrs(struct net_ctx *ctx, const struct net_policy *p, int ifindex, char *reason,
			size_t reason_len)
{
	struct addr_sweep s = {.ctx = ctx, .ifindex = ifindex};
	struct nl_cache *cache = NULL;
	int err = rtnl_addr_alloc_cache(ctx->sk, &cache);

	if (err < 0) {
		net_reason(reason, reason_len, -EIO, NULL, "cannot list addresses: %s",
			   nl_geterror(err));
		return -EIO;
	}
	nl_cache_foreach(cache, sweep_addr, &s);
	nl_cache_free(cache);
	if (s.err)
		net_reason(reason, reason_len, s.err, s.extack, "cannot remove an address from %s",
			   p->ifname);
	return s.err;
}

/* Deletes the device only if it is a TUN device: a user's own interface of that name stays. */
static int remove_link(struct net_ctx *ctx, const struct net_policy *p, int ifindex, char *reason,
		       size_t reason_len)
{
	char extack[NET_EXTACK_LEN];
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct rtnl_link *link = NULL;
	const char *kind;
	struct nl_msg *msg;
	int is_tun, err;

	if (rtnl_link_get_kernel(ctx->sk, ifindex, NULL, &link) < 0)
		return 0; /* gone meanwhile */
	kind = rtnl_link_get_type(link);
	is_tun = kind && strcmp(kind, "tun") == 0;
	rtnl_link_put(link);
	if (!is_tun)
		return 0;
	msg = nlmsg_alloc_simple(RTM_DELLINK, 0);
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = net_nl_request(ctx, msg, NULL, NULL, extack);
	if (err && err != -ENODEV) {
		net_reason(reason, reason_len, err, extack, "cannot remove %s", p->ifname);
		return err;
	}
	return 0;
}

int net_cleanup(struct net_ctx *ctx, const struct net_policy *p, unsigned flags, char *reason,
		size_t reason_len)
{
	unsigned ifindex;
	int err;

	err = check_policy(p, reason, reason_len);
	if (!err)
		err = remove_rules(ctx, p, reason, reason_len);
	if (!err)
		err = remove_routes(ctx, p, reason, reason_len);
	if (err)
		return err;
	ifindex = if_nametoindex(p->ifname);
	if (ifindex == 0)
		return 0;
	if (flags & NET_CLEANUP_KEEP_LINK)
		return remove_addrs(ctx, p, (int)ifindex, reason, reason_len);
	return remove_link(ctx, p, (int)ifindex, reason, reason_len);
}
