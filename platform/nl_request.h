/* Internal to platform/: the netlink context and the request/dump helpers shared by netcfg.c,
 * netpolicy.c and netevents.c. */
#ifndef TERN_PLATFORM_NL_REQUEST_H
#define TERN_PLATFORM_NL_REQUEST_H

#include <stdarg.h>
#include <stddef.h>

#include <netlink/msg.h>
#include <netlink/handlers.h>
#include <netlink/socket.h>

#include "platform/netcfg.h"

struct net_ctx {
	struct nl_sock *sk;	/* requests and dumps, extended acks on */
	struct nl_sock *events; /* multicast notifications; NULL until net_events_open() */
};

/* Longest kernel extended-ack message kept for a reason string. */
enum { NET_EXTACK_LEN = 128 };

/* Sends msg (freed here) and reads until the kernel's ack (or NLMSG_DONE for a dump), passing
 * each reply message to on_reply (may be NULL). Returns 0 or the kernel's negative errno; the
 * kernel's extended-ack text, if any, goes to extack[NET_EXTACK_LEN] ("" when none). */
int net_nl_request(struct net_ctx *ctx, struct nl_msg *msg, nl_recvmsg_msg_cb_t on_reply, void *arg,
		   char *extack);

/* Fills reason with "<what>: <strerror(err)>" plus " (<extack>)" when the kernel said more. */
void net_reason(char *reason, size_t reason_len, int err, const char *extack, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* if_nametoindex() with a reason; returns the index or -ENODEV. */
int net_ifindex(const char *ifname, char *reason, size_t reason_len);

#endif
