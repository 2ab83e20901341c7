/* Network change notifications (rtnetlink multicast groups) for roaming: a socket the event loop
 * polls, and a drain function that turns what arrived into net_event callbacks. */
#ifndef TERN_PLATFORM_NETEVENTS_H
#define TERN_PLATFORM_NETEVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "platform/netcfg.h"

enum net_event_type {
	NET_EVENT_LINK,	   /* a link appeared, changed state, or went away */
	NET_EVENT_ADDR,	   /* an address was added or removed */
	NET_EVENT_ROUTE,   /* a route was added or removed */
	NET_EVENT_OVERRUN, /* the kernel dropped notifications: re-read the state */
};

struct net_event {
	enum net_event_type type;
	bool removed;		  /* RTM_DEL*: the object went away */
	int ifindex;		  /* LINK, ADDR: the interface; ROUTE: first next hop's, or 0 */
	unsigned link_flags;	  /* LINK: IFF_UP, IFF_RUNNING, IFF_LOWER_UP, ... */
	struct net_prefix prefix; /* ADDR: address/prefix length; ROUTE: destination */
	uint32_t table;		  /* ROUTE: routing table */
};

typedef void (*net_event_fn)(const struct net_event *ev, void *arg);

/* Opens the notification socket (non-blocking, close-on-exec) joined to the link, IPv4/IPv6
 * address and IPv4/IPv6 route groups, and returns its fd for the caller's poll loop (readable:
 * call net_events_drain). Calling it again returns the same fd. The fd belongs to ctx. */
int net_events_open(struct net_ctx *ctx, char *reason, size_t reason_len);

/* Reads what is queued, at most `budget` datagrams (0: a default of 64), and calls fn for
 * each link, address or route notification. tern's own changes are reported too (callers
 * filter by ifindex or table). Returns the number of events delivered or a negative errno. */
int net_events_drain(struct net_ctx *ctx, unsigned budget, net_event_fn fn, void *arg);

#endif
