/* Inbound ESP (RFC 4303 section 3.4): parse, SPI lookup, replay check, one open call per SA
 * and burst, window update, trailer and inner packet checks, selectors. */
#include "datapath/esp_internal.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "datapath/rd.h"

enum { AAD_MAX = 12, NO_SA = 0xff };

/* Reads the ESP header and finds the SA; sets p->sa_idx, p->seq or p->drop. */
static void parse_header(struct esp_sa *const *sas, unsigned n_sas, struct pkt *p)
{
	struct rd r = rd_init(p->data, p->len);
	uint32_t spi, seq_lo;

	p->drop = ESP_DROP_NONE;
	p->sa_idx = NO_SA;
	if (!rd_be32(&r, &spi) || !rd_be32(&r, &seq_lo)) {
		p->drop = ESP_DROP_MALFORMED;
		return;
	}
	for (unsigned j = 0; j < n_sas; j++)
		if (sas[j] != NULL && sas[j]->spi == spi)
			p->sa_idx = (uint8_t)j;
	if (p->sa_idx == NO_SA) {
		p->drop = ESP_DROP_UNKNOWN_SPI;
		return;
	}
	/* IV, at least Pad Length and Next Header, and the ICV must follow. */
	if (rd_left(&r) < AEAD_IV_LEN + 2 + AEAD_TAG_LEN) {
		p->drop = ESP_DROP_MALFORMED;
		return;
	}
	/* Replay check before spending any work on decryption (RFC 4303 section 3.4.3). */
	if (esp_replay_check(&sas[p->sa_idx]->replay, seq_lo, &p->seq) < 0)
		p->drop = ESP_DROP_REPLAY;
}

static void describe_open(const struct esp_sa *sa, struct pkt *p, uint8_t aad[AAD_MAX],
			  struct aead_op *op)
{
	size_t ct_len = p->len - ESP_OVERHEAD_HEAD - AEAD_TAG_LEN;

	op->iv = p->data + ESP_HDR_LEN;
	if (sa->esn) {
		memcpy(aad, p->data, 4);  /* SPI */
		wr_be64(aad + 4, p->seq); /* Seq high || Seq low */
		op->aad = aad;
		op->aad_len = 12;
	} else {
		op->aad = p->data;
		op->aad_len = ESP_HDR_LEN;
	}
	op->data = p->data + ESP_OVERHEAD_HEAD;
	op->len = ct_len;
	op->tag = op->data + ct_len;
	op->status = 0;
}

/* Checks the decrypted trailer and inner packet; on success leaves p as the inner packet. */
static enum esp_drop check_payload(const struct esp_sa *sa, struct pkt *p, size_t ct_len)
{
	uint8_t *pt = p->data + ESP_OVERHEAD_HEAD;
	uint8_t nh = pt[ct_len - 1], pad = pt[ct_len - 2];
	size_t inner_len;
	struct esp_flow f;

	if ((size_t)pad + 2 > ct_len)
		return ESP_DROP_MALFORMED;
	inner_len = ct_len - 2 - pad;
	for (size_t i = 0; i < pad; i++)
		if (pt[inner_len + i] != (uint8_t)(i + 1))
			return ESP_DROP_MALFORMED;
	if (nh == ESP_NEXT_NONE)
		return ESP_DROP_DUMMY;
	if (nh != ESP_NEXT_IPV4 && nh != ESP_NEXT_IPV6)
		return ESP_DROP_MALFORMED;
	/* The inner header must agree with Next Header and fit in the payload; bytes after the
	 * IP packet are TFC padding (RFC 4303 section 2.7) and are cut off. */
	if (esp_flow_parse(pt, inner_len, &f) < 0 ||
	    f.family != (nh == ESP_NEXT_IPV4 ? AF_INET : AF_INET6))
		return ESP_DROP_MALFORMED;
	if (!esp_ts_match(sa->ts, sa->n_ts, &f, true))
		return ESP_DROP_TS;
	p->data = pt;
	p->len = f.ip_len;
	return ESP_DROP_NONE;
}

/* Opens every packet of the chunk that belongs to SA j. */
static void open_for_sa(struct esp_sa *sa, unsigned j, struct pkt **pkts, unsigned n)
{
	struct aead_op ops[ESP_BURST_MAX];
	uint8_t aad[ESP_BURST_MAX][AAD_MAX];
	unsigned idx[ESP_BURST_MAX];
	unsigned m = 0, passed = 0;
	uint64_t bytes = 0;

	for (unsigned i = 0; i < n; i++) {
		if (pkts[i]->drop != ESP_DROP_NONE || pkts[i]->sa_idx != j)
			continue;
		describe_open(sa, pkts[i], aad[m], &ops[m]);
		idx[m++] = i;
	}
	if (m == 0)
		return;
	/* -EBADMSG: some ops failed, each status says which; anything else: the backend failed. */
	int err = aead_open(sa->aead, ops, m);
	if (err < 0 && err != -EBADMSG)
		for (unsigned k = 0; k < m; k++)
			ops[k].status = -EIO;
	for (unsigned k = 0; k < m; k++) {
		struct pkt *p = pkts[idx[k]];
		if (ops[k].status == -EBADMSG) {
			p->drop = ESP_DROP_ICV;
			continue;
		}
		if (ops[k].status != 0) {
			p->drop = ESP_DROP_IO;
			continue;
		}
		/* Authentic: only now may the window move. A duplicate within this burst fails
		 * here. */
		if (esp_replay_update(&sa->replay, p->seq) < 0) {
			p->drop = ESP_DROP_REPLAY;
			continue;
		}
		p->drop = check_payload(sa, p, ops[k].len);
		if (p->drop == ESP_DROP_NONE) {
			passed++;
			bytes += p->len;
		}
	}
	esp_count(&sa->packets, passed);
	esp_count(&sa->bytes, bytes);
}

static unsigned decap_chunk(struct esp_sa *const *sas, unsigned n_sas, struct pkt **pkts,
			    unsigned n, struct esp_stats *st)
{
	unsigned passed = 0;
	uint64_t bytes = 0;

	for (unsigned i = 0; i < n; i++)
		parse_header(sas, n_sas, pkts[i]);
	for (unsigned j = 0; j < n_sas; j++)
		if (sas[j] != NULL)
			open_for_sa(sas[j], j, pkts, n);
	for (unsigned i = 0; i < n; i++) {
		if (pkts[i]->drop == ESP_DROP_NONE) {
			passed++;
			bytes += pkts[i]->len;
		}
	}
	if (st != NULL) {
		esp_count(&st->packets, passed);
		esp_count(&st->bytes, bytes);
	}
	esp_count_drops(st, pkts, n);
	return passed;
}

unsigned esp_decap_burst(struct esp_sa *const *sas, unsigned n_sas, struct pkt **pkts, unsigned n,
			 struct esp_stats *st)
{
	unsigned passed = 0;

	if (n_sas >= NO_SA)
		n_sas = NO_SA - 1;
	for (unsigned off = 0; off < n; off += ESP_BURST_MAX) {
		unsigned m = n - off < ESP_BURST_MAX ? n - off : ESP_BURST_MAX;
		passed += decap_chunk(sas, n_sas, pkts + off, m, st);
	}
	return passed;
}
