/* Outbound ESP (RFC 4303 section 3.3): selectors, sequence numbers, padding, one seal call
 * per burst. */
#include "datapath/esp_internal.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "datapath/rd.h"

enum { AAD_MAX = 12 };

/* Reserves up to want sequence numbers; returns how many, the first in *first. Numbers never
 * cycle (RFC 4303 section 3.3.3): at the end of the space the SA asks for a rekey. */
static unsigned reserve_seq(struct esp_sa *sa, unsigned want, uint64_t *first)
{
	uint64_t limit = sa->esn ? UINT64_MAX : UINT32_MAX;
	uint64_t cur = atomic_load(&sa->seq_out);
	uint64_t take;

	do {
		take = limit - cur < want ? limit - cur : want;
		if (take == 0)
			break;
	} while (!atomic_compare_exchange_weak(&sa->seq_out, &cur, cur + take));
	if (take < want)
		atomic_store(&sa->rekey_needed, true);
	*first = cur + 1;
	return (unsigned)take;
}

/* Checks one inner packet; returns its ESP next header, or 0 with p->drop set. */
static uint8_t classify(const struct esp_sa *sa, struct pkt *p)
{
	struct esp_flow f;

	if (esp_flow_parse(p->data, p->len, &f) < 0 || pkt_headroom(p) < ESP_OVERHEAD_HEAD ||
	    pkt_tailroom(p) + (p->len - f.ip_len) < ESP_OVERHEAD_TAIL_MAX) {
		p->drop = ESP_DROP_MALFORMED;
		return 0;
	}
	if (!esp_ts_match(sa->ts, sa->n_ts, &f, false)) {
		p->drop = ESP_DROP_NO_SA;
		return 0;
	}
	p->len = f.ip_len; /* anything after the IP packet is not ours to send */
	return f.family == AF_INET ? ESP_NEXT_IPV4 : ESP_NEXT_IPV6;
}

/* Writes header, IV and trailer around p and describes the seal in op. */
static void build(const struct esp_sa *sa, struct pkt *p, uint8_t nh, uint64_t seq,
		  uint8_t aad[AAD_MAX], struct aead_op *op)
{
	size_t pad = (4 - (p->len + 2) % 4) % 4;
	uint8_t *hdr = p->data - ESP_OVERHEAD_HEAD;
	uint8_t *tail = p->data + p->len;
	size_t pt_len = p->len + pad + 2;

	for (size_t i = 0; i < pad; i++)
		tail[i] = (uint8_t)(i + 1); /* RFC 4303 section 2.4: 1, 2, 3, ... */
	tail[pad] = (uint8_t)pad;
	tail[pad + 1] = nh;
	wr_be32(hdr, sa->spi);
	wr_be32(hdr + 4, (uint32_t)seq);
	wr_be64(hdr + ESP_HDR_LEN, sa->iv_base + seq); /* unique per key: RFC 4106 section 3.1 */
	op->iv = hdr + ESP_HDR_LEN;
	if (sa->esn) {
		wr_be32(aad, sa->spi);
		wr_be64(aad + 4, seq);
		op->aad = aad;
		op->aad_len = 12;
	} else {
		op->aad = hdr;
		op->aad_len = ESP_HDR_LEN;
	}
	op->data = p->data;
	op->len = pt_len;
	op->tag = p->data + pt_len;
	op->status = 0;
}

static unsigned encap_chunk(struct esp_sa *sa, struct pkt **pkts, unsigned n, struct esp_stats *st)
{
	struct aead_op ops[ESP_BURST_MAX];
	uint8_t aad[ESP_BURST_MAX][AAD_MAX];
	uint8_t nh[ESP_BURST_MAX];
	unsigned idx[ESP_BURST_MAX];
	unsigned ready = 0, got, passed = 0;
	uint64_t seq, bytes = 0;

	for (unsigned i = 0; i < n; i++) {
		pkts[i]->drop = ESP_DROP_NONE;
		if (sa == NULL) {
			pkts[i]->drop = ESP_DROP_NO_SA;
			continue;
		}
		nh[ready] = classify(sa, pkts[i]);
		if (nh[ready] != 0)
			idx[ready++] = i;
	}
	got = ready != 0 ? reserve_seq(sa, ready, &seq) : 0;
	for (unsigned k = got; k < ready; k++)
		pkts[idx[k]]->drop = ESP_DROP_SEQ;
	for (unsigned k = 0; k < got; k++)
		build(sa, pkts[idx[k]], nh[k], seq + k, aad[k], &ops[k]);
	if (got != 0 && aead_seal(sa->aead, ops, got) < 0)
		for (unsigned k = 0; k < got; k++)
			ops[k].status = -EIO;
	for (unsigned k = 0; k < got; k++) {
		struct pkt *p = pkts[idx[k]];
		if (ops[k].status != 0) {
			p->drop = ESP_DROP_IO;
			continue;
		}
		bytes += p->len;
		p->data -= ESP_OVERHEAD_HEAD;
		p->len = (uint32_t)(ESP_OVERHEAD_HEAD + ops[k].len + AEAD_TAG_LEN);
		passed++;
	}
	if (sa != NULL) {
		esp_count(&sa->packets, passed);
		esp_count(&sa->bytes, bytes);
	}
	if (st != NULL) {
		esp_count(&st->packets, passed);
		esp_count(&st->bytes, bytes);
	}
	esp_count_drops(st, pkts, n);
	return passed;
}

unsigned esp_encap_burst(struct esp_sa *sa, struct pkt **pkts, unsigned n, struct esp_stats *st)
{
	unsigned passed = 0;

	for (unsigned off = 0; off < n; off += ESP_BURST_MAX) {
		unsigned m = n - off < ESP_BURST_MAX ? n - off : ESP_BURST_MAX;
		passed += encap_chunk(sa, pkts + off, m, st);
	}
	return passed;
}
