/* TSO/USO splitting, checksum completion, virtio-net header checks and userspace GRO, all
 * checked with the independent RFC 1071 code of offload_testutil.h against packets built by
 * hand here:
 *   - every segment of a TCP super-packet (IPv4 and IPv6) has a valid IPv4 header checksum,
 *     IP length, IPv4 id + i, sequence number seq + i * mss, FIN/PSH on the last segment only,
 *     CWR on the first only, a valid TCP checksum and the right stream bytes;
 *   - USO: UDP length and a valid checksum per segment;
 *   - NEEDS_CSUM on a single packet: the completed checksum verifies;
 *   - malformed virtio-net headers are refused, never read out of bounds (random headers too);
 *   - the wide-load checksum equals RFC 1071 section 4.1's loop on random data;
 *   - GRO: segments built by hand coalesce into one super-packet whose header, lengths and
 *     partial checksum are right, and which splits back into exactly those segments; trains
 *     stop at a sequence gap, a different ACK, PSH, a short segment. */
#include <errno.h>
#include <stdlib.h>

#include "../check.h"
#include "offload_testutil.h"

#include "datapath/csum.h"
#include "datapath/gro.h"
#include "datapath/vnet.h"

enum { SEG_CAP = 3800, BIG = 70000 };

static uint8_t super[BIG], seg[BIG];

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void test_tso(bool v6, size_t pay, uint16_t mss)
{
	const uint32_t seq0 = 0xfffff000;	   /* wraps within the super-packet */
	const uint16_t id0 = 0xfffe;		   /* wraps too */
	uint8_t flags = 0x10 | 0x08 | 0x01 | 0x80; /* ACK PSH FIN CWR */
	size_t l4 = v6 ? 40 : 20, hdr = l4 + 32, len = ref_tcp(super, v6, seq0, flags, id0, 0, pay);
	unsigned want_segs = (unsigned)((pay + mss - 1) / mss);
	struct dp_vnet_hdr h = {.flags = DP_VNET_F_NEEDS_CSUM,
				.gso_type = v6 ? DP_VNET_GSO_TCPV6 : DP_VNET_GSO_TCPV4,
				.hdr_len = (uint16_t)hdr,
				.gso_size = mss,
				.csum_start = (uint16_t)l4,
				.csum_offset = 16};
	struct dp_gso g;
	size_t done = 0;

	CHECK_EQ(dp_gso_init(&g, &h, super, len, SEG_CAP), 0);
	CHECK_EQ(g.segs, want_segs);
	for (unsigned i = 0; i < g.segs; i++) {
		size_t n = dp_gso_segment(&g, i, seg), p = n - hdr;
		const uint8_t *t = seg + l4;
		bool last = i + 1 == g.segs;
		CHECK_EQ(p, last ? pay - (size_t)i * mss : mss);
		if (v6) {
			CHECK_EQ(ref_rd16(seg + 4), n - 40);
		} else {
			CHECK_EQ(ref_rd16(seg + 2), n);
			CHECK_EQ(ref_rd16(seg + 4), (uint16_t)(id0 + i));
			CHECK(ref_ipv4_ok(seg));
		}
		CHECK_EQ(rd32(t + 4), (uint32_t)(seq0 + i * mss));
		CHECK_EQ(t[13], (uint8_t)(0x10 | (last ? 0x09 : 0) | (i == 0 ? 0x80 : 0)));
		CHECK(ref_l4_ok(seg, n));
		CHECK_MEM(t + 20, super + l4 + 20, 12); /* options unchanged */
		CHECK_MEM(seg + hdr, super + hdr + done, p);
		done += p;
	}
	CHECK_EQ(done, pay);
}

static void test_uso(bool v6, size_t pay, uint16_t mss)
{
	size_t l4 = v6 ? 40 : 20, hdr = l4 + 8, len = ref_udp(super, v6, 7, 100, pay);
	struct dp_vnet_hdr h = {.flags = DP_VNET_F_NEEDS_CSUM,
				.gso_type = DP_VNET_GSO_UDP_L4,
				.hdr_len = (uint16_t)hdr,
				.gso_size = mss,
				.csum_start = (uint16_t)l4,
				.csum_offset = 6};
	struct dp_gso g;
	size_t done = 0;

	CHECK_EQ(dp_gso_init(&g, &h, super, len, SEG_CAP), 0);
	CHECK_EQ(g.segs, (pay + mss - 1) / mss);
	for (unsigned i = 0; i < g.segs; i++) {
		size_t n = dp_gso_segment(&g, i, seg), p = n - hdr;
		CHECK_EQ(ref_rd16(seg + l4 + 4), n - l4);
		if (!v6) {
			CHECK_EQ(ref_rd16(seg + 2), n);
			CHECK(ref_ipv4_ok(seg));
		} else {
			CHECK_EQ(ref_rd16(seg + 4), n - 40);
		}
		CHECK(ref_l4_ok(seg, n));
		CHECK(ref_rd16(seg + l4 + 6) != 0);
		CHECK_MEM(seg + hdr, super + hdr + done, p);
		done += p;
	}
	CHECK_EQ(done, pay);
}

/* A single packet with NEEDS_CSUM: the field holds the pseudo-header sum (as the kernel
 * leaves it), the completed checksum must verify. */
static void test_csum_complete(void)
{
	for (int v6 = 0; v6 < 2; v6++) {
		size_t l4 = v6 ? 40 : 20;
		size_t len = ref_tcp(super, v6, 1, 0x18, 1, 5, 777);
		struct dp_vnet_hdr h = {
		    .flags = DP_VNET_F_NEEDS_CSUM, .csum_start = (uint16_t)l4, .csum_offset = 16};
		CHECK(!ref_l4_ok(super, len));
		CHECK_EQ(dp_vnet_csum_complete(&h, super, len), 0);
		CHECK(ref_l4_ok(super, len));
		len = ref_udp(super, v6, 1, 9, 1001);
		h.csum_offset = 6;
		CHECK_EQ(dp_vnet_csum_complete(&h, super, len), 0);
		CHECK(ref_l4_ok(super, len));
		h.csum_start = (uint16_t)len;
		CHECK_EQ(dp_vnet_csum_complete(&h, super, len), -EBADMSG);
		h.csum_start = (uint16_t)(len - 2);
		h.csum_offset = 2;
		CHECK_EQ(dp_vnet_csum_complete(&h, super, len), -EBADMSG);
	}
}

struct bad_case {
	const char *what;
	bool v6;
	uint8_t type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
	int trunc; /* bytes cut from a 3000-byte-payload packet; <0: length = -trunc */
	int expect;
};

static void test_malformed(void)
{
	static const struct bad_case cases[] = {
	    {"gso_size 0", false, DP_VNET_GSO_TCPV4, 52, 0, 20, 16, 0, -EBADMSG},
	    {"hdr_len past the end", false, DP_VNET_GSO_TCPV4, 5000, 1000, 20, 16, 0, -EBADMSG},
	    {"csum_start past the end", false, DP_VNET_GSO_TCPV4, 52, 1000, 9000, 16, 0, -EBADMSG},
	    {"csum_start not at TCP", false, DP_VNET_GSO_TCPV4, 52, 1000, 24, 16, 0, -EBADMSG},
	    {"csum_offset wrong", false, DP_VNET_GSO_TCPV4, 52, 1000, 20, 6, 0, -EBADMSG},
	    {"unknown gso_type 2", false, 2, 52, 1000, 20, 16, 0, -EPROTONOSUPPORT},
	    {"unknown gso_type 6", false, 6, 52, 1000, 20, 16, 0, -EPROTONOSUPPORT},
	    {"unknown gso_type 0x7f", false, 0x7f, 52, 1000, 20, 16, 0, -EPROTONOSUPPORT},
	    {"UFO", false, DP_VNET_GSO_UDP, 52, 1000, 20, 16, 0, -EPROTONOSUPPORT},
	    {"TCPV6 on IPv4", false, DP_VNET_GSO_TCPV6, 52, 1000, 20, 16, 0, -EBADMSG},
	    {"TCPV4 on IPv6", true, DP_VNET_GSO_TCPV4, 72, 1000, 40, 16, 0, -EBADMSG},
	    {"UDP_L4 on TCP", false, DP_VNET_GSO_UDP_L4, 52, 1000, 20, 6, 0, -EBADMSG},
	    {"TCP header cut", false, DP_VNET_GSO_TCPV4, 0, 1000, 20, 16, -30, -EBADMSG},
	    {"IP header cut", false, DP_VNET_GSO_TCPV4, 0, 1000, 20, 16, -12, -EBADMSG},
	    {"empty", false, DP_VNET_GSO_TCPV4, 0, 1000, 20, 16, -1, -EBADMSG},
	};
	struct dp_vnet_hdr h;
	struct dp_gso g;
	uint8_t raw[DP_VNET_HDR_LEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		size_t len = ref_tcp(super, c->v6, 1, 0x10, 1, 0, 3000);
		int r;
		if (c->trunc < 0)
			len = (size_t)-c->trunc;
		h = (struct dp_vnet_hdr){.flags = DP_VNET_F_NEEDS_CSUM,
					 .gso_type = c->type,
					 .hdr_len = c->hdr_len,
					 .gso_size = c->gso_size,
					 .csum_start = c->csum_start,
					 .csum_offset = c->csum_offset};
		r = dp_gso_init(&g, &h, super, len, SEG_CAP);
		if (r != c->expect)
			fprintf(stderr, "malformed case \"%s\": %d\n", c->what, r);
		CHECK_EQ(r, c->expect);
	}
	/* A segment larger than the caller can hold. */
	size_t len = ref_tcp(super, false, 1, 0x10, 1, 0, 8000);
	h = (struct dp_vnet_hdr){.gso_type = DP_VNET_GSO_TCPV4, .gso_size = 3900};
	CHECK_EQ(dp_gso_init(&g, &h, super, len, SEG_CAP), -EBADMSG);
	h.gso_size = SEG_CAP - 52;
	CHECK_EQ(dp_gso_init(&g, &h, super, len, SEG_CAP), 0);
	/* IPv4 fragments, a bad IHL and a short TCP data offset. */
	len = ref_tcp(super, false, 1, 0x10, 1, 0, 3000);
	h = (struct dp_vnet_hdr){.gso_type = DP_VNET_GSO_TCPV4, .gso_size = 1000};
	super[6] = 0x20; /* MF */
	CHECK_EQ(dp_gso_init(&g, &h, super, len, SEG_CAP), -EBADMSG);
	super[6] = 0x40;
	super[0] = 0x44;
	CHECK_EQ(dp_gso_init(&g, &h, super, len, SEG_CAP), -EBADMSG);
	super[0] = 0x45;
	super[20 + 12] = 4 << 4;
	CHECK_EQ(dp_gso_init(&g, &h, super, len, SEG_CAP), -EBADMSG);
	/* A virtio-net header one byte short. */
	ref_vnet(raw, 1, 1, 2, 3, 4, 5);
	CHECK_EQ(dp_vnet_parse(raw, DP_VNET_HDR_LEN - 1, &h), -EBADMSG);
	CHECK_EQ(dp_vnet_parse(raw, DP_VNET_HDR_LEN, &h), 0);
	CHECK(h.flags == 1 && h.gso_type == 1 && h.hdr_len == 2 && h.gso_size == 3 &&
	      h.csum_start == 4 && h.csum_offset == 5);

	/* Random headers over random short packets: whatever init accepts must segment within
	 * the packet and the capacity (an out-of-bounds access would show under ASan). */
	srand(7);
	for (int it = 0; it < 200000; it++) {
		size_t l = (size_t)(rand() % 200);
		for (size_t k = 0; k < l; k++)
			super[k] = (uint8_t)rand();
		if (l > 0)
			super[0] = (uint8_t)((rand() % 2 ? 0x40 : 0x60) | (super[0] & 15));
		if (l > 9)
			super[9] = (uint8_t)(rand() % 2 ? 6 : 17);
		if (l > 6)
			super[6] = (uint8_t)(rand() % 2 ? 6 : 17);
		h = (struct dp_vnet_hdr){.flags = (uint8_t)(rand() & 1),
					 .gso_type = (uint8_t)(rand() % 7),
					 .hdr_len = (uint16_t)(rand() % 300),
					 .gso_size = (uint16_t)(rand() % 60),
					 .csum_start = (uint16_t)(rand() % 64),
					 .csum_offset = (uint16_t)(rand() % 20)};
		if (dp_gso_init(&g, &h, super, l, 120) == 0) {
			for (unsigned s = 0; s < g.segs && s < 8; s++)
				CHECK(dp_gso_segment(&g, s, seg) <= 120);
		}
		if (l > 0)
			(void)dp_vnet_csum_complete(&h, super, l);
	}
}

/* The wide-load checksum against RFC 1071's loop, at every length and alignment. */
static void test_csum_wide(void)
{
	srand(11);
	for (size_t i = 0; i < 4200; i++)
		super[i] = (uint8_t)rand();
	for (size_t off = 0; off < 8; off++) {
		for (size_t len = 0; len < 300; len++) {
			uint16_t mine = dp_csum_fold(dp_csum_add(0, super + off, len)), want;
			uint8_t b[2];
			memcpy(b, &mine, 2);
			want = (uint16_t)ref_sum(0, super + off, len);
			if (want == 0xffff || want == 0) /* +0 and -0 */
				CHECK(ref_rd16(b) == 0 || ref_rd16(b) == 0xffff);
			else
				CHECK_EQ(ref_rd16(b), want);
		}
	}
	/* A long one, and all-ones data (the carries). */
	memset(super + 5000, 0xff, 65000);
	uint16_t mine = dp_csum_fold(dp_csum_add(0, super + 5000, 65000));
	CHECK_EQ(mine, 0xffff);
	mine = dp_csum_fold(dp_csum_add(0, super, 65535));
	uint8_t b[2];
	memcpy(b, &mine, 2);
	CHECK_EQ(ref_rd16(b), ref_sum(0, super, 65535));
}

/* Concatenates a GRO train's iovecs. */
static size_t gather(const struct iovec *iov, int n, uint8_t *out)
{
	size_t len = 0;

	for (int k = 0; k < n; k++) {
		memcpy(out + len, iov[k].iov_base, iov[k].iov_len);
		len += iov[k].iov_len;
	}
	return len;
}

static void test_gro(bool v6)
{
	enum { NSEG = 5, MSS = 1200, LAST = 333 };
	static uint8_t segs[NSEG][2000], back[2000];
	size_t lens[NSEG], l4 = v6 ? 40 : 20, hdr = l4 + 32;
	static struct dp_gro g;
	const struct iovec *iov;
	unsigned nsegs;
	int n;

	dp_gro_reset(&g);
	for (int i = 0; i < NSEG; i++) {
		size_t pay = i == NSEG - 1 ? LAST : MSS;
		uint8_t fl = i == NSEG - 1 ? 0x18 : 0x10;
		lens[i] = ref_tcp(segs[i], v6, 1000 + (uint32_t)i * MSS, fl, (uint16_t)(50 + i),
				  (uint32_t)i * MSS, pay);
		/* As received: complete checksums. */
		ref_wr16(segs[i] + l4 + 16, 0);
		ref_wr16(segs[i] + l4 + 16, (uint16_t)~ref_sum(ref_pseudo(segs[i], l4, lens[i]),
							       segs[i] + l4, lens[i] - l4));
		CHECK(ref_l4_ok(segs[i], lens[i]));
		CHECK(dp_gro_add(&g, segs[i], lens[i]));
	}
	/* The train ended with PSH and a short segment: nothing more joins it. */
	CHECK(!dp_gro_add(&g, segs[0], lens[0]));
	n = dp_gro_finish(&g, DP_VNET_HDR_LEN, &iov, &nsegs);
	CHECK_EQ(n, NSEG + 1);
	CHECK_EQ(nsegs, NSEG);
	size_t len = gather(iov, n, super) - DP_VNET_HDR_LEN;
	uint8_t *sp = super + DP_VNET_HDR_LEN;
	CHECK_EQ(len, hdr + (NSEG - 1) * MSS + LAST);
	/* The virtio-net header. */
	CHECK_EQ(super[0], DP_VNET_F_NEEDS_CSUM);
	CHECK_EQ(super[1], v6 ? DP_VNET_GSO_TCPV6 : DP_VNET_GSO_TCPV4);
	CHECK_EQ(ref_vnet16(super, 2), hdr);
	CHECK_EQ(ref_vnet16(super, 4), MSS);
	CHECK_EQ(ref_vnet16(super, 6), l4);
	CHECK_EQ(ref_vnet16(super, 8), 16);
	/* Lengths, the header checksum, and the partial TCP checksum: the pseudo-header sum. */
	if (v6) {
		CHECK_EQ(ref_rd16(sp + 4), len - 40);
	} else {
		CHECK_EQ(ref_rd16(sp + 2), len);
		CHECK_EQ(ref_rd16(sp + 4), 50);
		CHECK(ref_ipv4_ok(sp));
	}
	CHECK_EQ(ref_rd16(sp + l4 + 16), ref_pseudo(sp, l4, len));
	CHECK_EQ(sp[l4 + 13], 0x18); /* the last segment's PSH */
	for (int i = 0; i < NSEG; i++)
		CHECK_MEM(sp + hdr + (size_t)i * MSS, segs[i] + hdr, lens[i] - hdr);
	/* Split again as the kernel would: exactly the original segments. */
	struct dp_vnet_hdr h;
	struct dp_gso gs;
	CHECK_EQ(dp_vnet_parse(super, DP_VNET_HDR_LEN, &h), 0);
	CHECK_EQ(dp_gso_init(&gs, &h, sp, len, SEG_CAP), 0);
	CHECK_EQ(gs.segs, NSEG);
	for (unsigned i = 0; i < gs.segs && i < NSEG; i++) {
		CHECK_EQ(dp_gso_segment(&gs, i, back), lens[i]);
		CHECK_MEM(back, segs[i], lens[i]);
	}
	dp_gro_reset(&g);

	/* Trains stop at a sequence gap, a different ACK, a short segment; a lone segment is
	 * written unchanged behind a zeroed header; pure ACKs and SYNs don't start one. */
	CHECK(dp_gro_add(&g, segs[0], lens[0]));
	CHECK(!dp_gro_add(&g, segs[2], lens[2]));
	segs[1][l4 + 11] ^= 1;
	CHECK(!dp_gro_add(&g, segs[1], lens[1]));
	segs[1][l4 + 11] ^= 1;
	CHECK(dp_gro_add(&g, segs[1], lens[1]));
	n = dp_gro_finish(&g, DP_VNET_HDR_LEN, &iov, &nsegs);
	CHECK_EQ(nsegs, 2);
	dp_gro_reset(&g);
	CHECK(dp_gro_add(&g, segs[4], lens[4]));
	CHECK(!dp_gro_add(&g, segs[0], lens[0]));
	n = dp_gro_finish(&g, DP_VNET_HDR_LEN, &iov, &nsegs);
	CHECK_EQ(n, 2);
	CHECK_EQ(nsegs, 1);
	len = gather(iov, n, super);
	CHECK_EQ(len, DP_VNET_HDR_LEN + lens[4]);
	CHECK_MEM(super, "\0\0\0\0\0\0\0\0\0\0", DP_VNET_HDR_LEN);
	CHECK_MEM(super + DP_VNET_HDR_LEN, segs[4], lens[4]);
	dp_gro_reset(&g);
	len = ref_tcp(back, v6, 1, 0x10, 1, 0, 0);
	CHECK(!dp_gro_add(&g, back, len)); /* no payload */
	len = ref_tcp(back, v6, 1, 0x02, 1, 0, 10);
	CHECK(!dp_gro_add(&g, back, len)); /* SYN */
	len = ref_udp(back, v6, 1, 0, 100);
	CHECK(!dp_gro_add(&g, back, len)); /* not TCP */
	n = dp_gro_finish(&g, DP_VNET_HDR_LEN, &iov, &nsegs);
	CHECK_EQ(n, 0);
}

int main(void)
{
	for (int v6 = 0; v6 < 2; v6++) {
		test_tso(v6, 60000, 1448);
		test_tso(v6, 1448 * 4, 1448); /* an exact multiple */
		test_tso(v6, 100, 1448);      /* one segment */
		test_tso(v6, 1001, 7);	      /* odd sizes */
		test_uso(v6, 30000, 1400);
		test_uso(v6, 999, 333);
		test_gro(v6);
	}
	test_csum_complete();
	test_csum_wide();
	test_malformed();
	return check_done("test_offload");
}
