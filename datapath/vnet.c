/* virtio-net headers and the userspace half of TSO/USO: splitting a super-packet read from
 * TUN into the segments the kernel would have sent (RFC 791, RFC 8200, RFC 793 / RFC 9293,
 * RFC 768, RFC 3168 for CWR). */
#include "datapath/vnet.h"

#include <errno.h>
#include <string.h>

#include "datapath/csum.h"
#include "datapath/rd.h"

enum {
	IPV4_HDR_MIN = 20,
	IPV6_HDR_LEN = 40,
	TCP_HDR_MIN = 20,
	UDP_HDR_LEN = 8,
	PROTO_TCP = 6,
	PROTO_UDP = 17,
	TCP_CSUM_OFF = 16,
	UDP_CSUM_OFF = 6,
	TCP_FLAG_FIN = 0x01,
	TCP_FLAG_PSH = 0x08,
	TCP_FLAG_CWR = 0x80,
	IPV4_FRAG_MASK = 0x3fff, /* MF and the fragment offset */
};

static bool rd_ne16(struct rd *r, uint16_t *v)
{
	const uint8_t *b = rd_take(r, 2);

	if (b == NULL)
		return false;
	memcpy(v, b, 2); /* legacy virtio: host byte order */
	return true;
}

int dp_vnet_parse(const uint8_t *b, size_t len, struct dp_vnet_hdr *h)
{
	struct rd r = rd_init(b, len);

	if (!rd_u8(&r, &h->flags) || !rd_u8(&r, &h->gso_type) || !rd_ne16(&r, &h->hdr_len) ||
	    !rd_ne16(&r, &h->gso_size) || !rd_ne16(&r, &h->csum_start) ||
	    !rd_ne16(&r, &h->csum_offset))
		return -EBADMSG;
	return 0;
}

void dp_vnet_write(uint8_t *b, const struct dp_vnet_hdr *h)
{
	b[0] = h->flags;
	b[1] = h->gso_type;
	memcpy(b + 2, &h->hdr_len, 2);
	memcpy(b + 4, &h->gso_size, 2);
	memcpy(b + 6, &h->csum_start, 2);
	memcpy(b + 8, &h->csum_offset, 2);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The network header: sets ipv6, l4_off and ip_id; returns the protocol it carries, or -1. */
static int parse_l3(struct dp_gso *g)
{
	struct rd r = rd_init(g->pkt, g->len);
	uint8_t vihl, proto;
	uint16_t frag;

	if (!rd_u8(&r, &vihl))
		return -1;
	switch (vihl >> 4) {
	case 4:
		g->ipv6 = false;
		g->l4_off = (size_t)(vihl & 0x0f) * 4;
		if (g->l4_off < IPV4_HDR_MIN || !rd_take(&r, 3) || !rd_be16(&r, &g->ip_id) ||
		    !rd_be16(&r, &frag) || !rd_take(&r, 1) || !rd_u8(&r, &proto) ||
		    (frag & IPV4_FRAG_MASK) != 0)
			return -1;
		return proto;
	case 6:
		/* Extension headers are not split (the kernel does not put any on TCP or UDP
		 * sent through TUN): the transport header must follow the fixed header. */
		g->ipv6 = true;
		g->l4_off = IPV6_HDR_LEN;
		if (!rd_take(&r, 5) || !rd_u8(&r, &proto))
			return -1;
		return proto;
	default:
		return -1;
	}
}

/* The transport header: sets hdr_len and seq. 0 or -EBADMSG. */
static int parse_l4(struct dp_gso *g)
{
	struct rd r = rd_init(g->pkt, g->len);
	const uint8_t *l4;

	if (!rd_take(&r, g->l4_off))
		return -EBADMSG;
	if (g->proto == PROTO_UDP) {
		g->hdr_len = g->l4_off + UDP_HDR_LEN;
		return rd_take(&r, UDP_HDR_LEN) != NULL ? 0 : -EBADMSG;
	}
	l4 = rd_take(&r, TCP_HDR_MIN);
	if (l4 == NULL || (l4[12] >> 4) * 4 < TCP_HDR_MIN)
		return -EBADMSG;
	g->hdr_len = g->l4_off + (size_t)(l4[12] >> 4) * 4;
	g->seq = be32(l4 + 4);
	return g->hdr_len <= g->len ? 0 : -EBADMSG;
}

int dp_gso_init(struct dp_gso *g, const struct dp_vnet_hdr *h, const uint8_t *pkt, size_t len,
		size_t seg_max)
{
	uint8_t type = h->gso_type & (uint8_t)~DP_VNET_GSO_ECN;
	bool want_v6;
	int proto;

	memset(g, 0, sizeof(*g));
	g->pkt = pkt;
	g->len = len;
	switch (type) {
	case DP_VNET_GSO_TCPV4:
	case DP_VNET_GSO_TCPV6:
		g->proto = PROTO_TCP;
		break;
	case DP_VNET_GSO_UDP_L4:
		g->proto = PROTO_UDP;
		break;
	default:
		return -EPROTONOSUPPORT;
	}
	if (h->gso_size == 0 || h->hdr_len > len)
		return -EBADMSG;
	proto = parse_l3(g);
	want_v6 = type == DP_VNET_GSO_TCPV6 || (type == DP_VNET_GSO_UDP_L4 && g->ipv6);
	if (proto != g->proto || g->ipv6 != want_v6 || parse_l4(g) < 0)
		return -EBADMSG;
	/* The kernel asks for the transport checksum at the header it describes. */
	if ((h->flags & DP_VNET_F_NEEDS_CSUM) != 0 &&
	    (h->csum_start != g->l4_off ||
	     h->csum_offset != (g->proto == PROTO_TCP ? TCP_CSUM_OFF : UDP_CSUM_OFF)))
		return -EBADMSG;
	g->mss = h->gso_size;
	if (g->hdr_len + (len - g->hdr_len < g->mss ? len - g->hdr_len : g->mss) > seg_max)
		return -EBADMSG;
	g->segs = (unsigned)((len - g->hdr_len + g->mss - 1) / g->mss);
	if (g->segs == 0)
		g->segs = 1;
	return 0;
}

size_t dp_gso_segment(const struct dp_gso *g, unsigned i, uint8_t *out)
{
	size_t off = g->hdr_len + (size_t)i * g->mss;
	size_t pay = g->len - off < g->mss ? g->len - off : g->mss;
	size_t total = g->hdr_len + pay, l4_len = total - g->l4_off;
	uint8_t *l4 = out + g->l4_off;
	const uint8_t *src = out + (g->ipv6 ? 8 : 12), *dst = src + (g->ipv6 ? 16 : 4);
	uint16_t csum;
	uint64_t sum;

	memcpy(out, g->pkt, g->hdr_len);
	memcpy(out + g->hdr_len, g->pkt + off, pay);
	if (g->ipv6) {
		put_be16(out + 4, (uint16_t)(total - IPV6_HDR_LEN));
	} else {
		put_be16(out + 2, (uint16_t)total);
		put_be16(out + 4, (uint16_t)(g->ip_id + i));
		memset(out + 10, 0, 2);
		csum = dp_csum_final(dp_csum_add(0, out, g->l4_off));
		memcpy(out + 10, &csum, 2);
	}
	if (g->proto == PROTO_TCP) {
		wr_be32(l4 + 4, g->seq + (uint32_t)(i * g->mss));
		if (i + 1 != g->segs)
			l4[13] &= (uint8_t) ~(TCP_FLAG_FIN | TCP_FLAG_PSH);
		if (i != 0)
			l4[13] &= (uint8_t)~TCP_FLAG_CWR;
		memset(l4 + TCP_CSUM_OFF, 0, 2);
	} else {
		put_be16(l4 + 4, (uint16_t)l4_len);
		memset(l4 + UDP_CSUM_OFF, 0, 2);
	}
	sum = dp_csum_pseudo(src, dst, g->ipv6 ? 16 : 4, g->proto, (uint32_t)l4_len);
	csum = dp_csum_final(dp_csum_add(sum, l4, l4_len));
	if (g->proto == PROTO_UDP && csum == 0)
		csum = 0xffff; /* RFC 768: zero means "no checksum" */
	memcpy(l4 + (g->proto == PROTO_TCP ? TCP_CSUM_OFF : UDP_CSUM_OFF), &csum, 2);
	return total;
}

int dp_vnet_csum_complete(const struct dp_vnet_hdr *h, uint8_t *pkt, size_t len)
{
	size_t start = h->csum_start, at = start + h->csum_offset;
	uint16_t csum;

	if (start >= len || at + 2 > len || (h->csum_offset & 1) != 0)
		return -EBADMSG;
	csum = dp_csum_final(dp_csum_add(0, pkt + start, len - start));
	if (csum == 0)
		csum = 0xffff; /* as the kernel does (skb_checksum_help): 0 means none for UDP */
	memcpy(pkt + at, &csum, 2);
	return 0;
}
