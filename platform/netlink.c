/* The netlink context: one libnl socket for requests, an ack-driven request loop that keeps the
 * kernel's errno and its extended-ack message (RFC 3549 framing; extended acks are described in
 * the kernel's Documentation/userspace-api/netlink/intro.rst). */
#include "platform/nl_request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct request {
	nl_recvmsg_msg_cb_t on_reply;
	void *arg;
	char *extack;
	int error;
	int done;
	int interrupted;
};

/* libnl's own error codes for failures on our side of the socket. */
static int errno_from_nle(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_INTR:
	case NLE_DUMP_INTR:
		return -EINTR;
	case NLE_MSG_TRUNC:
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_PERM:
		return -EPERM;
	case NLE_BAD_SOCK:
		return -EBADF;
	default:
		return -EIO;
	}
}

/* The extended ack trails the error message: struct nlmsgerr, then the request's payload
 * unless NLM_F_CAPPED, then NLMSGERR_ATTR_* attributes (NLM_F_ACK_TLVS). libnl hands us e,
 * which is the payload of the NLMSG_ERROR message it already length-checked. */
static void read_extack(const struct nlmsgerr *e, char *out)
{
	const unsigned char *base = (const unsigned char *)e - NLMSG_HDRLEN;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct nlmsghdr hdr, inner;
	size_t off = NLMSG_HDRLEN + sizeof(struct nlmsgerr);

	memcpy(&hdr, base, sizeof(hdr));
	memcpy(&inner, &e->msg, sizeof(inner));
	if (!(hdr.nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(hdr.nlmsg_flags & NLM_F_CAPPED)) {
		if (inner.nlmsg_len < NLMSG_HDRLEN)
			return;
		off += NLMSG_ALIGN(inner.nlmsg_len - NLMSG_HDRLEN);
	}
	if (off >= hdr.nlmsg_len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)(base + off),
		      (int)(hdr.nlmsg_len - off), NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(out, tb[NLMSGERR_ATTR_MSG], NET_EXTACK_LEN);
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct request *r = arg;
	(void)who;
	r->error = e->error < 0 ? e->error : -EPROTO;
	r->done = 1;
	if (r->extack)
		read_extack(e, r->extack);
	return NL_STOP;
}

static int on_done(struct nl_msg *msg, void *arg)
{
	struct request *r = arg;
	(void)msg;
	r->done = 1;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request *r = arg;
	return r->on_reply ? r->on_reply(msg, r->arg) : NL_OK;
}

static int on_interrupted(struct nl_msg *msg, void *arg)
{
	struct request *r = arg;
	(void)msg;
	r->interrupted = 1;
	return NL_OK;
}

int net_nl_request(struct net_ctx *ctx, struct nl_msg *msg, nl_recvmsg_msg_cb_t on_reply, void *arg,
		   char *extack)
{
	struct request r = {.on_reply = on_reply, .arg = arg, .extack = extack};
	struct nl_cb *cb;
	int err;

	if (extack)
		extack[0] = '\0';
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, &r);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_interrupted, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &r);

	err = nl_send_auto(ctx->sk, msg);
	nlmsg_free(msg);
	if (err < 0) {
		err = errno_from_nle(err);
		goto out;
	}
	err = 0;
	while (!r.done) {
		int got = nl_recvmsgs(ctx->sk, cb);
		if (r.done)
			break;
		if (got < 0) {
			err = errno_from_nle(got);
			break;
		}
	}
	if (!err)
		err = r.error;
	if (!err && r.interrupted)
		err = -EINTR;
out:
	nl_cb_put(cb);
	return err;
}

void net_reason(char *reason, size_t reason_len, int err, const char *extack, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!reason || reason_len == 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(reason, reason_len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= reason_len)
		return;
	if (extack && extack[0])
		snprintf(reason + n, reason_len - (size_t)n, ": %s (kernel: %s)", strerror(-err),
			 extack);
	else
		snprintf(reason + n, reason_len - (size_t)n, ": %s", strerror(-err));
}

int net_ifindex(const char *ifname, char *reason, size_t reason_len)
{
	unsigned idx = ifname ? if_nametoindex(ifname) : 0;

	if (idx == 0) {
		net_reason(reason, reason_len, -ENODEV, NULL, "no network interface named %s",
			   ifname ? ifname : "(none)");
		return -ENODEV;
	}
	return (int)idx;
}

int net_open(struct net_ctx **out, char *reason, size_t reason_len)
{
	struct net_ctx *ctx = calloc(1, sizeof(*ctx));
	int one = 1;
	int err;

	*out = NULL;
	if (!ctx)
		return -ENOMEM;
	ctx->sk = nl_socket_alloc();
	if (!ctx->sk) {
		free(ctx);
		return -ENOMEM;
	}
	err = nl_connect(ctx->sk, NETLINK_ROUTE);
	if (err < 0) {
		err = errno_from_nle(err);
		net_reason(reason, reason_len, err, NULL, "cannot open an rtnetlink socket");
		net_close(ctx);
		return err;
	}
	/* Extended acks only improve the reason strings: older kernels lack them. */
	(void)setsockopt(nl_socket_get_fd(ctx->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
			 sizeof(one));
	*out = ctx;
	return 0;
}

void net_close(struct net_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->events)
		nl_socket_free(ctx->events);
	if (ctx->sk)
		nl_socket_free(ctx->sk);
	free(ctx);
}
