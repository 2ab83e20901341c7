/* Userspace GRO of inner TCP segments (RFC 793 / RFC 9293 header, RFC 791, RFC 8200). */
#include "datapath/gro.h"

#include <string.h>

#include "datapath/csum.h"
#include "datapath/rd.h"
#include "datapath/vnet.h"

enum {
	IPV4_HDR_MIN = 20,
	IPV6_HDR_LEN = 40,
	TCP_HDR_MIN = 20,
	PROTO_TCP = 6,
	TCP_FLAG_PSH = 0x08,
	TCP_FLAG_ACK = 0x10,
	IPV4_FRAG_MASK = 0x3fff,
};

struct seg {
	bool ipv6;
	size_t l4_off, hdr_len, pay;
	uint32_t seq;
	uint8_t flags;
};

void dp_gro_reset(struct dp_gro *g)
{
	g->segs = 0;
	g->first = NULL;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Parses the headers of a candidate segment. */
static bool parse(const uint8_t *pkt, size_t len, struct seg *s)
{
	struct rd r = rd_init(pkt, len);
	const uint8_t *tcp;

	if (len < IPV4_HDR_MIN)
		return false;
	switch (pkt[0] >> 4) {
	case 4:
		s->ipv6 = false;
		s->l4_off = (size_t)(pkt[0] & 0x0f) * 4;
		if (s->l4_off < IPV4_HDR_MIN || pkt[9] != PROTO_TCP || be16(pkt + 2) != len ||
		    (be16(pkt + 6) & IPV4_FRAG_MASK) != 0)
			return false;
		break;
	case 6:
		s->ipv6 = true;
		s->l4_off = IPV6_HDR_LEN;
		if (len < IPV6_HDR_LEN || pkt[6] != PROTO_TCP ||
		    (size_t)be16(pkt + 4) + IPV6_HDR_LEN != len)
			return false;
		break;
	default:
		return false;
	}
	if (!rd_take(&r, s->l4_off) || (tcp = rd_take(&r, TCP_HDR_MIN)) == NULL)
		return false;
	s->hdr_len = s->l4_off + (size_t)(tcp[12] >> 4) * 4;
	if ((tcp[12] >> 4) * 4 < TCP_HDR_MIN || s->hdr_len >= len)
		return false; /* no payload: nothing to coalesce */
	s->pay = len - s->hdr_len;
	s->seq = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 | (uint32_t)tcp[6] << 8 | tcp[7];
	s->flags = tcp[13];
	return (s->flags & (uint8_t)~TCP_FLAG_PSH) == TCP_FLAG_ACK;
}

/* Whether b's headers equal a's in every field a train shares (see gro.h). */
static bool same_headers(const uint8_t *a, const uint8_t *b, const struct seg *s)
{
	const uint8_t *ta = a + s->l4_off, *tb = b + s->l4_off;

	if (s->ipv6) {
		if (memcmp(a, b, 4) != 0 || memcmp(a + 6, b + 6, IPV6_HDR_LEN - 6) != 0)
			return false;
	} else if (memcmp(a, b, 2) != 0 || memcmp(a + 6, b + 6, 4) != 0 ||
		   memcmp(a + 12, b + 12, s->l4_off - 12) != 0) {
		return false;
	}
	/* Ports; acknowledgment number, data offset; window; urgent pointer and options. */
	return memcmp(ta, tb, 4) == 0 && memcmp(ta + 8, tb + 8, 5) == 0 &&
	       memcmp(ta + 14, tb + 14, 2) == 0 &&
	       memcmp(ta + 18, tb + 18, s->hdr_len - s->l4_off - 18) == 0;
}

static void append(struct dp_gro *g, const uint8_t *pkt, const struct seg *s)
{
	g->iov[1 + g->segs] =
	    (struct iovec){.iov_base = (void *)(pkt + s->hdr_len), .iov_len = s->pay};
	g->segs++;
	g->total += s->pay;
	g->next_seq = s->seq + (uint32_t)s->pay;
	g->psh = (s->flags & TCP_FLAG_PSH) != 0;
	g->ended = g->psh || s->pay < g->mss;
}

bool dp_gro_add(struct dp_gro *g, const uint8_t *pkt, size_t len)
{
	struct seg s;

	if (!parse(pkt, len, &s))
		return false;
	if (g->segs == 0) {
		g->first = pkt;
		g->ipv6 = s.ipv6;
		g->l4_off = s.l4_off;
		g->hdr_len = s.hdr_len;
		g->mss = s.pay;
		g->total = s.hdr_len;
		append(g, pkt, &s);
		return true;
	}
	if (g->ended || g->segs >= DP_GRO_SEGS_MAX || s.ipv6 != g->ipv6 || s.l4_off != g->l4_off ||
	    s.hdr_len != g->hdr_len || s.seq != g->next_seq || s.pay > g->mss ||
	    g->total + s.pay > DP_GRO_LEN_MAX || !same_headers(g->first, pkt, &s))
		return false;
	append(g, pkt, &s);
	return true;
}

int dp_gro_finish(struct dp_gro *g, unsigned vnet_len, const struct iovec **iov, unsigned *segs)
{
	uint8_t *ip = g->hdr + vnet_len, *tcp = ip + g->l4_off;
	struct dp_vnet_hdr vh = {0};
	uint16_t sum;

	*segs = g->segs;
	if (g->segs == 0)
		return 0;
	memset(g->hdr, 0, vnet_len);
	if (g->segs == 1) {
		/* Unchanged: the zeroed header, then the packet as it came. */
		g->iov[0] = (struct iovec){.iov_base = g->hdr, .iov_len = vnet_len};
		g->iov[1] = (struct iovec){.iov_base = (void *)g->first, .iov_len = g->total};
		*iov = g->iov;
		return 2;
	}
	memcpy(ip, g->first, g->hdr_len);
	if (g->ipv6) {
		ip[4] = (uint8_t)((g->total - IPV6_HDR_LEN) >> 8);
		ip[5] = (uint8_t)(g->total - IPV6_HDR_LEN);
	} else {
		ip[2] = (uint8_t)(g->total >> 8);
		ip[3] = (uint8_t)g->total;
		memset(ip + 10, 0, 2);
		sum = dp_csum_final(dp_csum_add(0, ip, g->l4_off));
		memcpy(ip + 10, &sum, 2);
	}
	if (g->psh)
		tcp[13] |= TCP_FLAG_PSH;
	/* CHECKSUM_PARTIAL: the field holds the pseudo-header sum, not complemented. */
	sum = dp_csum_fold(dp_csum_pseudo(ip + (g->ipv6 ? 8 : 12), ip + (g->ipv6 ? 24 : 16),
					  g->ipv6 ? 16 : 4, PROTO_TCP,
					  (uint32_t)(g->total - g->l4_off)));
	memcpy(tcp + 16, &sum, 2);
	vh.flags = DP_VNET_F_NEEDS_CSUM;
	vh.gso_type = g->ipv6 ? DP_VNET_GSO_TCPV6 : DP_VNET_GSO_TCPV4;
	vh.hdr_len = (uint16_t)g->hdr_len;
	vh.gso_size = (uint16_t)g->mss;
	vh.csum_start = (uint16_t)g->l4_off;
	vh.csum_offset = 16;
	dp_vnet_write(g->hdr, &vh);
	g->iov[0] = (struct iovec){.iov_base = g->hdr, .iov_len = vnet_len + g->hdr_len};
	*iov = g->iov;
	return (int)g->segs + 1;
}
