/* Link state, addresses, route lookups and socket marks over rtnetlink (rtnetlink(7)). */
#include "platform/netcfg.h"
#include "platform/nl_request.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <netlink/addr.h>
#include <netlink/attr.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

static size_t family_bytes(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

int net_prefix_parse(const char *text, struct net_prefix *out)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash;
	size_t alen;
	unsigned long len;
	char *end;

	memset(out, 0, sizeof(*out));
	if (!text || strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash)
		buf[slash - buf] = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, out->addr) == 1)
		out->family = AF_INET6;
	else
		return -EINVAL;
	alen = family_bytes(out->family);
	out->len = (uint8_t)(alen * 8);
	if (!slash)
		return 0;
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end != '\0' || len > alen * 8)
		return -EINVAL;
	out->len = (uint8_t)len;
	return 0;
}

const char *net_prefix_format(const struct net_prefix *p, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	if (!family_bytes(p->family) || p->len > family_bytes(p->family) * 8 ||
	    !inet_ntop(p->family, p->addr, addr, sizeof(addr)))
		snprintf(buf, len, "(bad prefix)");
	else
		snprintf(buf, len, "%s/%u", addr, p->len);
	return buf;
}

static struct nl_msg *new_request(int type, int flags, const void *hdr, size_t hdr_len)
{
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (msg && nlmsg_append(msg, (void *)hdr, hdr_len, NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

int net_link_up(struct net_ctx *ctx, const char *ifname, unsigned mtu, char *reason,
		size_t reason_len)
{
	char extack[NET_EXTACK_LEN];
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP};
	struct nl_msg *msg;
	int idx, err;

	idx = net_ifindex(ifname, reason, reason_len);
	if (idx < 0)
		return idx;
	ifi.ifi_index = idx;
	msg = new_request(RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	if (!msg || (mtu && nla_put_u32(msg, IFLA_MTU, mtu) < 0)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = net_nl_request(ctx, msg, NULL, NULL, extack);
	if (err)
		net_reason(reason, reason_len, err, extack, "cannot set MTU %u and bring up %s",
			   mtu, ifname);
	return err;
}

static int change_addr(struct net_ctx *ctx, int type, const char *ifname,
		       const struct net_prefix *addr, char *reason, size_t reason_len)
{
	char extack[NET_EXTACK_LEN], text[NET_PREFIX_STRLEN];
	size_t alen = family_bytes(addr->family);
	struct ifaddrmsg ifa = {.ifa_family = (uint8_t)addr->family,
				.ifa_prefixlen = addr->len,
				.ifa_scope = RT_SCOPE_UNIVERSE};
	int flags = type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_REPLACE : 0;
	struct nl_msg *msg;
	int idx, err;

	if (!alen || addr->len > alen * 8) {
		net_reason(reason, reason_len, -EINVAL, NULL, "bad address for %s", ifname);
		return -EINVAL;
	}
	idx = net_ifindex(ifname, reason, reason_len);
	if (idx < 0)
		return idx;
	ifa.ifa_index = (uint32_t)idx;
	if (addr->family == AF_INET6 && type == RTM_NEWADDR)
		ifa.ifa_flags = IFA_F_NODAD;
	msg = new_request(type, flags, &ifa, sizeof(ifa));
	if (!msg || nla_put(msg, IFA_LOCAL, (int)alen, addr->addr) < 0 ||
	    nla_put(msg, IFA_ADDRESS, (int)alen, addr->addr) < 0 ||
	    (type == RTM_NEWADDR && nla_put_u32(msg, IFA_FLAGS, ifa.ifa_flags) < 0)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = net_nl_request(ctx, msg, NULL, NULL, extack);
	if (err)
		net_reason(reason, reason_len, err, extack, "cannot %s address %s %s %s",
			   type == RTM_NEWADDR ? "add" : "remove",
			   net_prefix_format(addr, text, sizeof(text)),
			   type == RTM_NEWADDR ? "to" : "from", ifname);
	return err;
}

int net_addr_add(struct net_ctx *ctx, const char *ifname, const struct net_prefix *addr,
		 char *reason, size_t reason_len)
{
	return change_addr(ctx, RTM_NEWADDR, ifname, addr, reason, reason_len);
}

int net_addr_del(struct net_ctx *ctx, const char *ifname, const struct net_prefix *addr,
		 char *reason, size_t reason_len)
{
	return change_addr(ctx, RTM_DELADDR, ifname, addr, reason, reason_len);
}

static void to_sockaddr(struct nl_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (!a)
		return;
	if (nl_addr_get_family(a) == AF_INET && nl_addr_get_len(a) == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, nl_addr_get_binary_addr(a), 4);
	} else if (nl_addr_get_family(a) == AF_INET6 && nl_addr_get_len(a) == 16) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, nl_addr_get_binary_addr(a), 16);
	}
}

struct route_answer {
	struct net_path *path;
	int found;
};

/* The RTM_NEWROUTE answer, parsed by libnl-route (attribute lengths validated there). */
static int on_route(struct nl_msg *msg, void *arg)
{
	struct route_answer *ans = arg;
	struct rtnl_route *route = NULL;
	struct rtnl_nexthop *nh;

	if (nlmsg_hdr(msg)->nlmsg_type != RTM_NEWROUTE ||
	    rtnl_route_parse(nlmsg_hdr(msg), &route) < 0)
		return NL_SKIP;
	to_sockaddr(rtnl_route_get_pref_src(route), &ans->path->src);
	ans->path->table = rtnl_route_get_table(route);
	nh = rtnl_route_get_nnexthops(route) > 0 ? rtnl_route_nexthop_n(route, 0) : NULL;
	if (nh) {
		ans->path->ifindex = rtnl_route_nh_get_ifindex(nh);
		to_sockaddr(rtnl_route_nh_get_gateway(nh), &ans->path->gateway);
	}
	ans->found = 1;
	rtnl_route_put(route);
	return NL_OK;
}

int net_route_get(struct net_ctx *ctx, const struct sockaddr *dst, uint32_t mark,
		  struct net_path *path, char *reason, size_t reason_len)
{
	char extack[NET_EXTACK_LEN], text[INET6_ADDRSTRLEN] = "?";
	struct route_answer ans = {.path = path};
	/* RTM_F_LOOKUP_TABLE: report the table that answered, not "main". */
	struct rtmsg rtm = {.rtm_family = (uint8_t)dst->sa_family, .rtm_flags = RTM_F_LOOKUP_TABLE};
	const void *addr;
	size_t alen;
	struct nl_msg *msg;
	int err;

	memset(path, 0, sizeof(*path));
	if (dst->sa_family == AF_INET) {
		addr = &((const struct sockaddr_in *)dst)->sin_addr;
		alen = 4;
	} else if (dst->sa_family == AF_INET6) {
		addr = &((const struct sockaddr_in6 *)dst)->sin6_addr;
		alen = 16;
	} else {
		net_reason(reason, reason_len, -EAFNOSUPPORT, NULL, "route lookup");
		return -EAFNOSUPPORT;
	}
	inet_ntop(dst->sa_family, addr, text, sizeof(text));
	rtm.rtm_dst_len = (uint8_t)(alen * 8);
	msg = new_request(RTM_GETROUTE, 0, &rtm, sizeof(rtm));
	if (!msg || nla_put(msg, RTA_DST, (int)alen, addr) < 0 ||
	    (mark && nla_put_u32(msg, RTA_MARK, mark) < 0)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = net_nl_request(ctx, msg, on_route, &ans, extack);
	if (!err && !ans.found)
		err = -ENETUNREACH;
	if (err) {
		net_reason(reason, reason_len, err, extack, "no route to %s", text);
		return err;
	}
	if (path->ifindex > 0 && !if_indextoname((unsigned)path->ifindex, path->ifname))
		path->ifname[0] = '\0';
	return 0;
}

int net_socket_mark(int fd, uint32_t mark)
{
	if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0)
		return -errno;
	return 0;
}

int net_link_disable_ipv6(const char *ifname, char *reason, size_t reason_len)
{
	char path[96];
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		int err = -errno;
		if (err == -ENOENT)
			return 0; /* no IPv6 in this kernel or namespace: nothing to turn off */
		net_reason(reason, reason_len, err, NULL, "cannot open %s", path);
		return err;
	}
	ssize_t n = write(fd, "1\n", 2);
	int err = n == 2 ? 0 : -errno;
	close(fd);
	if (err)
		net_reason(reason, reason_len, err, NULL, "cannot turn IPv6 off on %s", ifname);
	return err;
}
