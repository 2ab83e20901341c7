/* Inner IP header parsing (RFC 791, RFC 8200) and traffic selector matching. */
#include "datapath/ts.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "datapath/rd.h"

enum {
	IPV4_HDR_MIN = 20,
	IPV6_HDR_LEN = 40,
	IPV6_EXT_MAX = 8, /* extension headers walked before giving up on ports */
	PROTO_HOPOPTS = 0,
	PROTO_ICMP = 1,
	PROTO_TCP = 6,
	PROTO_UDP = 17,
	PROTO_ROUTING = 43,
	PROTO_FRAGMENT = 44,
	PROTO_AH = 51,
	PROTO_ICMPV6 = 58,
	PROTO_DSTOPTS = 60,
	PROTO_SCTP = 132,
	PROTO_UDPLITE = 136,
	IPV4_FRAG_OFFSET_MASK = 0x1fff,
	IPV6_FRAG_OFFSET_MASK = 0xfff8,
};

/* Reads the ports (or ICMP type/code) at the transport header, if there are enough bytes. */
static void parse_ports(struct rd r, struct esp_flow *f)
{
	uint8_t type, code;

	switch (f->proto) {
	case PROTO_TCP:
	case PROTO_UDP:
	case PROTO_SCTP:
	case PROTO_UDPLITE:
		f->has_ports = rd_be16(&r, &f->sport) && rd_be16(&r, &f->dport);
		break;
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		if (rd_u8(&r, &type) && rd_u8(&r, &code)) {
			f->sport = f->dport = (uint16_t)(type << 8 | code);
			f->has_ports = true;
		}
		break;
	}
}

static int parse_v4(struct rd r, size_t len, struct esp_flow *f)
{
	uint8_t vihl, proto;
	uint16_t total, frag;
	size_t hlen;

	if (!rd_u8(&r, &vihl) || !rd_take(&r, 1) || !rd_be16(&r, &total) || !rd_take(&r, 2) ||
	    !rd_be16(&r, &frag) || !rd_take(&r, 1) || !rd_u8(&r, &proto) || !rd_take(&r, 2))
		return -EBADMSG;
	hlen = (size_t)(vihl & 0x0f) * 4;
	if (hlen < IPV4_HDR_MIN || total < hlen || total > len)
		return -EBADMSG;
	f->src = rd_take(&r, 4);
	f->dst = rd_take(&r, 4);
	if (f->dst == NULL || !rd_take(&r, hlen - IPV4_HDR_MIN))
		return -EBADMSG;
	f->family = AF_INET;
	f->proto = proto;
	f->ip_len = total;
	if ((frag & IPV4_FRAG_OFFSET_MASK) == 0) {
		r.end = r.p + (total - hlen); /* ports must lie inside the IP packet */
		parse_ports(r, f);
	}
	return 0;
}

static bool is_ext_header(uint8_t nh)
{
	return nh == PROTO_HOPOPTS || nh == PROTO_ROUTING || nh == PROTO_DSTOPTS ||
	       nh == PROTO_FRAGMENT || nh == PROTO_AH;
}

/* Walks IPv6 extension headers to the transport protocol; ports only from a first fragment. */
static void walk_v6_ext(struct rd r, struct esp_flow *f)
{
	for (unsigned i = 0; i < IPV6_EXT_MAX && is_ext_header(f->proto); i++) {
		uint8_t nh, hlen;
		uint16_t off;
		size_t skip;

		if (!rd_u8(&r, &nh) || !rd_u8(&r, &hlen))
			return;
		if (f->proto == PROTO_FRAGMENT) {
			if (!rd_be16(&r, &off) || !rd_take(&r, 4))
				return;
			f->proto = nh;
			if ((off & IPV6_FRAG_OFFSET_MASK) != 0)
				return; /* not the first fragment: no transport header */
			continue;
		}
		skip = f->proto == PROTO_AH ? ((size_t)hlen + 2) * 4 : ((size_t)hlen + 1) * 8;
		if (!rd_take(&r, skip - 2))
			return;
		f->proto = nh;
	}
	if (!is_ext_header(f->proto))
		parse_ports(r, f);
}

static int parse_v6(struct rd r, size_t len, struct esp_flow *f)
{
	uint16_t plen;
	uint8_t nh;

	if (!rd_take(&r, 4) || !rd_be16(&r, &plen) || !rd_u8(&r, &nh) || !rd_take(&r, 1))
		return -EBADMSG;
	/* A zero payload length means a jumbogram, which never fits our buffers. */
	if (plen == 0 || (size_t)IPV6_HDR_LEN + plen > len)
		return -EBADMSG;
	f->src = rd_take(&r, 16);
	f->dst = rd_take(&r, 16);
	if (f->dst == NULL)
		return -EBADMSG;
	f->family = AF_INET6;
	f->proto = nh;
	f->ip_len = IPV6_HDR_LEN + (uint32_t)plen;
	r.end = r.p + plen;
	walk_v6_ext(r, f);
	return 0;
}

int esp_flow_parse(const uint8_t *pkt, size_t len, struct esp_flow *f)
{
	memset(f, 0, sizeof(*f));
	if (len < 1)
		return -EBADMSG;
	switch (pkt[0] >> 4) {
	case 4:
		return parse_v4(rd_init(pkt, len), len, f);
	case 6:
		return parse_v6(rd_init(pkt, len), len, f);
	}
	return -EBADMSG;
}

static bool entry_match(const struct esp_ts *t, const struct esp_flow *f, const uint8_t *addr,
			uint16_t port)
{
	size_t alen = f->family == AF_INET ? 4 : 16;

	if (t->family != f->family || (t->proto != 0 && t->proto != f->proto))
		return false;
	if (!(t->port_lo == 0 && t->port_hi == 0xffff) &&
	    !(f->has_ports && t->port_lo <= port && port <= t->port_hi))
		return false;
	return memcmp(t->addr_lo, addr, alen) <= 0 && memcmp(addr, t->addr_hi, alen) <= 0;
}

static bool side_match(const struct esp_ts *ts, unsigned n, enum esp_ts_side side,
		       const struct esp_flow *f, const uint8_t *addr, uint16_t port)
{
	for (unsigned i = 0; i < n; i++)
		if (ts[i].side == side && entry_match(&ts[i], f, addr, port))
			return true;
	return false;
}

bool esp_ts_match(const struct esp_ts *ts, unsigned n, const struct esp_flow *f, bool inbound)
{
	enum esp_ts_side src_side = inbound ? ESP_TS_REMOTE : ESP_TS_LOCAL;
	enum esp_ts_side dst_side = inbound ? ESP_TS_LOCAL : ESP_TS_REMOTE;

	return side_match(ts, n, src_side, f, f->src, f->sport) &&
	       side_match(ts, n, dst_side, f, f->dst, f->dport);
}

void esp_ts_any(struct esp_ts *ts, enum esp_ts_side side, int family)
{
	memset(ts, 0, sizeof(*ts));
	ts->side = (uint8_t)side;
	ts->family = (uint8_t)family;
	ts->port_hi = 0xffff;
	memset(ts->addr_hi, 0xff, family == AF_INET ? 4 : 16);
}

void esp_ts_host(struct esp_ts *ts, enum esp_ts_side side, int family, const void *addr)
{
	size_t alen = family == AF_INET ? 4 : 16;

	esp_ts_any(ts, side, family);
	memcpy(ts->addr_lo, addr, alen);
	memcpy(ts->addr_hi, addr, alen);
}
