/* libFuzzer target: ESP decapsulation (datapath/esp.h) of one burst against fixed inbound SAs.
 *
 * Input: one octet of options, then records of [kind (1)][length (2)][bytes]:
 *   options bit 0: ChaCha20-Poly1305 instead of AES-256-GCM; bit 1: ESN; bit 2: a second
 *           candidate SA (the previous one) with SPI 0x200; bit 3: narrow traffic selectors
 *           (our side 203.0.113.2, the gateway's side 192.0.2.0/24) instead of any.
 *   kind bit 0 = 0: the bytes are an ESP packet, as received.
 *   kind bit 0 = 1: the bytes are [seq high (4)][seq low (4)][plaintext]; the harness seals
 *           them for SPI 0x100 (kind bit 1: 0x200) with a valid ICV, so that the trailer and
 *           inner-packet checks are reached. The plaintext includes the padding, Pad Length
 *           and Next Header octets.
 * The burst is decapsulated twice: what passed the first time must be refused as a replay. */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "datapath/esp.h"
#include "fuzz_util.h"

enum { MAX_PKTS = 32, SPI_CUR = 0x100, SPI_PREV = 0x200 };

static const uint8_t keymat[ESP_KEYMAT_MAX] = {
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
    0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
    0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0xca, 0xfe, 0xba, 0xbe};

static struct aead *sealer[2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (aead_new(&sealer[0], AEAD_AES_GCM_16, keymat, sizeof(keymat)) != 0 ||
	    aead_new(&sealer[1], AEAD_CHACHA20_POLY1305, keymat, sizeof(keymat)) != 0)
		abort();
	return 0;
}

static void params(struct esp_sa_params *p, uint32_t spi, uint8_t opt)
{
	memset(p, 0, sizeof(*p));
	p->spi = spi;
	p->alg = opt & 1 ? AEAD_CHACHA20_POLY1305 : AEAD_AES_GCM_16;
	memcpy(p->keymat, keymat, sizeof(keymat));
	p->keymat_len = sizeof(keymat);
	p->esn = opt & 2;
	if (opt & 8) {
		struct in_addr me;
		inet_pton(AF_INET, "203.0.113.2", &me);
		esp_ts_host(&p->ts[0], ESP_TS_LOCAL, AF_INET, &me);
		esp_ts_any(&p->ts[1], ESP_TS_REMOTE, AF_INET);
		inet_pton(AF_INET, "192.0.2.0", p->ts[1].addr_lo);
		inet_pton(AF_INET, "192.0.2.255", p->ts[1].addr_hi);
		p->n_ts = 2;
	} else {
		esp_ts_any(&p->ts[0], ESP_TS_LOCAL, AF_INET);
		esp_ts_any(&p->ts[1], ESP_TS_REMOTE, AF_INET);
		esp_ts_any(&p->ts[2], ESP_TS_LOCAL, AF_INET6);
		esp_ts_any(&p->ts[3], ESP_TS_REMOTE, AF_INET6);
		p->n_ts = 4;
	}
}

/* Builds SPI | seq low | IV | Encrypted(plaintext) | ICV into out; returns the length. */
static size_t seal(uint8_t opt, uint8_t kind, const uint8_t *rec, size_t len, uint8_t *out)
{
	if (len < 8 || len - 8 > PKT_DATA_MAX - ESP_OVERHEAD_HEAD - AEAD_TAG_LEN)
		return 0;
	uint32_t spi = kind & 2 ? SPI_PREV : SPI_CUR;
	uint8_t aad[12];
	const uint8_t *hi = rec, *lo = rec + 4;
	size_t pt_len = len - 8;
	out[0] = (uint8_t)(spi >> 24);
	out[1] = (uint8_t)(spi >> 16);
	out[2] = (uint8_t)(spi >> 8);
	out[3] = (uint8_t)spi;
	memcpy(out + 4, lo, 4);
	memcpy(out + 8, hi, 4); /* IV: the 64-bit sequence number */
	memcpy(out + 12, lo, 4);
	memcpy(out + ESP_OVERHEAD_HEAD, rec + 8, pt_len);
	memcpy(aad, out, 4);
	memcpy(aad + 4, hi, 4);
	memcpy(aad + 8, lo, 4);
	struct aead_op op = {.iv = out + ESP_HDR_LEN,
			     .aad = opt & 2 ? aad : out,
			     .aad_len = opt & 2 ? 12 : ESP_HDR_LEN,
			     .data = out + ESP_OVERHEAD_HEAD,
			     .len = pt_len,
			     .tag = out + ESP_OVERHEAD_HEAD + pt_len};
	if (aead_seal(sealer[opt & 1], &op, 1) != 0)
		abort();
	return ESP_OVERHEAD_HEAD + pt_len + AEAD_TAG_LEN;
}

static unsigned decap(struct esp_sa *const *sas, uint8_t *const *bufs, const uint8_t *orig,
		      const size_t *lens, unsigned n, struct pkt *pk, bool *passed)
{
	struct pkt *pp[MAX_PKTS];
	for (unsigned i = 0; i < n; i++) {
		pk[i].head = bufs[i];
		pkt_reset(&pk[i]);
		memcpy(pk[i].data, orig + (size_t)i * PKT_DATA_MAX, lens[i]);
		pk[i].len = (uint32_t)lens[i];
		pp[i] = &pk[i];
	}
	unsigned ok = esp_decap_burst(sas, 2, pp, n, NULL);
	unsigned count = 0;
	for (unsigned i = 0; i < n; i++) {
		passed[i] = pk[i].drop == ESP_DROP_NONE;
		if (pk[i].drop >= ESP_DROP_COUNT)
			abort();
		(void)esp_drop_name((enum esp_drop)pk[i].drop);
		if (!passed[i])
			continue;
		count++;
		if (pk[i].data < pk[i].head || pkt_tailroom(&pk[i]) > PKT_BUF_SIZE ||
		    pk[i].len > lens[i])
			abort();
		fuzz_touch(pk[i].data, pk[i].len);
	}
	if (count != ok)
		abort();
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint8_t opt;
	if (!fuzz_u8(&in, &opt))
		return 0;

	struct esp_sa_params p;
	struct esp_sa *sas[2] = {NULL, NULL};
	params(&p, SPI_CUR, opt);
	if (esp_sa_new(&sas[0], &p, true) != 0)
		abort();
	if (opt & 4) {
		params(&p, SPI_PREV, opt);
		if (esp_sa_new(&sas[1], &p, true) != 0)
			abort();
	}

	static uint8_t orig[MAX_PKTS * PKT_DATA_MAX];
	size_t lens[MAX_PKTS];
	uint8_t *bufs[MAX_PKTS];
	unsigned n = 0;
	uint8_t kind;
	const uint8_t *rec;
	size_t len;
	while (n < MAX_PKTS && fuzz_u8(&in, &kind) && fuzz_record(&in, &rec, &len)) {
		uint8_t *o = orig + (size_t)n * PKT_DATA_MAX;
		if (kind & 1)
			len = seal(opt, kind, rec, len, o);
		else if (len <= PKT_DATA_MAX)
			memcpy(o, rec, len);
		else
			continue;
		lens[n++] = len;
	}
	for (unsigned i = 0; i < n; i++) {
		bufs[i] = malloc(PKT_BUF_SIZE); /* exact size: ASan sees any overrun */
		if (!bufs[i])
			abort();
	}

	struct pkt pk[MAX_PKTS];
	bool first[MAX_PKTS], again[MAX_PKTS];
	decap(sas, bufs, orig, lens, n, pk, first);
	decap(sas, bufs, orig, lens, n, pk, again);
	for (unsigned i = 0; i < n; i++)
		if (first[i] && again[i])
			abort(); /* a replayed packet got through */

	for (unsigned i = 0; i < n; i++)
		free(bufs[i]);
	esp_sa_free(sas[0]);
	esp_sa_free(sas[1]);
	return 0;
}
