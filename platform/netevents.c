/* rtnetlink notifications: RTNLGRP_LINK, RTNLGRP_IPV4/6_IFADDR, RTNLGRP_IPV4/6_ROUTE, parsed by
 * libnl-route into objects and reduced to struct net_event. */
#include "platform/netevents.h"
#include "platform/nl_request.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/object.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

enum {
	EVENTS_BUDGET_DEFAULT = 64,
	EVENTS_RCVBUF_BYTES = 1 << 20,
};

struct drain {
	net_event_fn fn;
	void *arg;
	int type; /* nlmsg_type of the message being parsed */
	int delivered;
};

static void set_prefix(struct net_prefix *p, struct nl_addr *a)
{
	size_t len;

	memset(p, 0, sizeof(*p));
	if (!a)
		return;
	len = nl_addr_get_len(a);
	if ((nl_addr_get_family(a) != AF_INET || len != 4) &&
	    (nl_addr_get_family(a) != AF_INET6 || len != 16))
		return;
	p->family = nl_addr_get_family(a);
	memcpy(p->addr, nl_addr_get_binary_addr(a), len);
	p->len = (uint8_t)nl_addr_get_prefixlen(a);
}

static void on_object(struct nl_object *obj, void *arg)
{
	struct drain *d = arg;
	const char *type = nl_object_get_type(obj);
	struct net_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.removed = d->type == RTM_DELLINK || d->type == RTM_DELADDR || d->type == RTM_DELROUTE;
	if (strcmp(type, "route/link") == 0) {
		struct rtnl_link *link = (struct rtnl_link *)obj;
		ev.type = NET_EVENT_LINK;
		ev.ifindex = rtnl_link_get_ifindex(link);
		ev.link_flags = rtnl_link_get_flags(link);
	} else if (strcmp(type, "route/addr") == 0) {
		struct rtnl_addr *addr = (struct rtnl_addr *)obj;
		ev.type = NET_EVENT_ADDR;
		ev.ifindex = rtnl_addr_get_ifindex(addr);
		set_prefix(&ev.prefix, rtnl_addr_get_local(addr));
		ev.prefix.len = (uint8_t)rtnl_addr_get_prefixlen(addr);
	} else if (strcmp(type, "route/route") == 0) {
		struct rtnl_route *route = (struct rtnl_route *)obj;
		struct rtnl_nexthop *nh =
		    rtnl_route_get_nnexthops(route) > 0 ? rtnl_route_nexthop_n(route, 0) : NULL;
		ev.type = NET_EVENT_ROUTE;
		ev.table = rtnl_route_get_table(route);
		ev.ifindex = nh ? rtnl_route_nh_get_ifindex(nh) : 0;
		set_prefix(&ev.prefix, rtnl_route_get_dst(route));
		ev.prefix.family = rtnl_route_get_family(route);
	} else {
		return;
	}
	d->fn(&ev, d->arg);
	d->delivered++;
}

/* Notifications carry sequence number 0: accept them all. */
static int accept_any(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static int on_message(struct nl_msg *msg, void *arg)
{
	struct drain *d = arg;

	d->type = nlmsg_hdr(msg)->nlmsg_type;
	/* A message libnl cannot parse is skipped: one bad notification must not stop the rest. */
	(void)nl_msg_parse(msg, on_object, d);
	return NL_OK;
}

int net_events_open(struct net_ctx *ctx, char *reason, size_t reason_len)
{
	struct nl_sock *sk;
	int err, fd;

	if (ctx->events)
		return nl_socket_get_fd(ctx->events);
	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	nl_socket_disable_seq_check(sk);
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err >= 0)
		err = nl_socket_add_memberships(sk, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
						RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE,
						RTNLGRP_IPV6_ROUTE, 0);
	if (err >= 0)
		err = nl_socket_set_nonblocking(sk);
	if (err < 0) {
		net_reason(reason, reason_len, -EIO, NULL,
			   "cannot subscribe to network change events: %s", nl_geterror(err));
		nl_socket_free(sk);
		return -EIO;
	}
	/* A burst of route changes (a VPN or a container starting) must not overrun us. */
	(void)nl_socket_set_buffer_size(sk, EVENTS_RCVBUF_BYTES, 0);
	fd = nl_socket_get_fd(sk);
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	ctx->events = sk;
	return fd;
}

int net_events_drain(struct net_ctx *ctx, unsigned budget, net_event_fn fn, void *arg)
{
	struct drain d = {.fn = fn, .arg = arg};
	struct nl_cb *cb;
	int err = 0;

	if (!ctx->events)
		return -EBADF;
	if (budget == 0)
		budget = EVENTS_BUDGET_DEFAULT;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, accept_any, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_message, &d);
	for (unsigned i = 0; i < budget; i++) {
		int n = nl_recvmsgs_report(ctx->events, cb);
		if (n == 0 || n == -NLE_AGAIN)
			break; /* nothing queued */
		if (n == -NLE_NOMEM) {
			/* ENOBUFS: the socket overflowed and notifications were lost. */
			struct net_event ev = {.type = NET_EVENT_OVERRUN};
			fn(&ev, arg);
			d.delivered++;
			continue;
		}
		if (n < 0) {
			err = -EIO;
			break;
		}
	}
	nl_cb_put(cb);
	return err ? err : d.delivered;
}
