/* ESP encapsulation and decapsulation throughput, single thread, bursts of 32 packets:
 * packets/s and Gbit/s of inner IP packets, for each AEAD backend, algorithm and size.
 *
 *   esp_bench [seconds per cell, default 0.3]
 *
 * Each round seals a burst in place and opens it again, so the buffers return to the inner
 * packets and the two directions are timed separately.
 *
 * Then the offload helpers, in Gbit/s of TCP payload: splitting a 64 KiB TSO super-packet
 * into 1400-byte segments with full checksums, and coalescing those segments again (GRO). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "crypto/aead.h"
#include "datapath/esp.h"
#include "datapath/gro.h"
#include "datapath/pool.h"
#include "datapath/vnet.h"

enum { BURST = 32 };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* An IPv4/UDP packet of len bytes (RFC 791, RFC 768), selectors permitting. */
static void fill_packet(struct pkt *p, size_t len)
{
	uint8_t *b = p->data;

	memset(b, 0x5a, len);
	b[0] = 0x45;
	b[1] = 0;
	b[2] = (uint8_t)(len >> 8);
	b[3] = (uint8_t)len;
	b[6] = b[7] = 0;
	b[9] = 17;
	p->len = (uint32_t)len;
}

static void params(struct esp_sa_params *p, enum aead_alg alg)
{
	memset(p, 0, sizeof(*p));
	p->spi = 0x42424242;
	p->alg = alg;
	for (size_t i = 0; i < 36; i++)
		p->keymat[i] = (uint8_t)(i * 31 + 7);
	p->keymat_len = 36;
	esp_ts_any(&p->ts[0], ESP_TS_LOCAL, AF_INET);
	esp_ts_any(&p->ts[1], ESP_TS_REMOTE, AF_INET);
	p->n_ts = 2;
}

struct result {
	double enc_pps, dec_pps;
	int ok;
};

static struct result run(enum aead_alg alg, size_t size, double seconds)
{
	struct result r = {0};
	struct esp_sa_params prm;
	struct esp_sa *out = NULL, *in = NULL;
	struct esp_pool *pool = NULL;
	struct pkt *pkts[BURST];
	double t_enc = 0, t_dec = 0, start;
	unsigned long rounds = 0;

	params(&prm, alg);
	if (esp_sa_new(&out, &prm, false) < 0 || esp_sa_new(&in, &prm, true) < 0 ||
	    esp_pool_new(&pool, BURST) < 0 || esp_pool_get(pool, pkts, BURST) != BURST)
		goto done;
	for (unsigned i = 0; i < BURST; i++)
		fill_packet(pkts[i], size);
	start = now_s();
	r.ok = 1;
	while (now_s() - start < seconds) {
		double t0 = now_s(), t1, t2;
		unsigned e = esp_encap_burst(out, pkts, BURST, NULL);
		t1 = now_s();
		unsigned d = esp_decap_burst(&in, 1, pkts, BURST, NULL);
		t2 = now_s();
		if (e != BURST || d != BURST) {
			r.ok = 0;
			break;
		}
		t_enc += t1 - t0;
		t_dec += t2 - t1;
		rounds++;
	}
	if (r.ok && rounds > 0) {
		r.enc_pps = (double)rounds * BURST / t_enc;
		r.dec_pps = (double)rounds * BURST / t_dec;
	}
done:
	if (pool != NULL) {
		esp_pool_put(pool, pkts, BURST);
		esp_pool_free(pool);
	}
	esp_sa_free(out);
	esp_sa_free(in);
	return r;
}

/* A TCP/IPv4 super-packet (RFC 791, RFC 793: 20 + 20 bytes of headers, ACK) of pay bytes. */
static size_t fill_tcp(uint8_t *b, size_t pay)
{
	size_t len = 40 + pay;

	memset(b, 0x5a, len);
	memset(b, 0, 40);
	b[0] = 0x45;
	b[2] = (uint8_t)(len >> 8);
	b[3] = (uint8_t)len;
	b[8] = 64;
	b[9] = 6;
	b[12] = 192, b[15] = 1, b[16] = 198, b[19] = 7;
	b[32] = 5 << 4;
	b[33] = 0x10;
	return len;
}

static void bench_offload(double seconds)
{
	enum { MSS = 1400, SEGS = 46, PAY = MSS * SEGS };
	static uint8_t super[40 + PAY], segs[SEGS][MSS + 40];
	static struct dp_gro gro;
	struct dp_vnet_hdr h = {.flags = DP_VNET_F_NEEDS_CSUM,
				.gso_type = DP_VNET_GSO_TCPV4,
				.hdr_len = 40,
				.gso_size = MSS,
				.csum_start = 20,
				.csum_offset = 16};
	size_t len = fill_tcp(super, PAY);
	double start = now_s(), t_split = 0, t_gro = 0;
	unsigned long rounds = 0, merged = 0;
	struct dp_gso g;

	while (now_s() - start < seconds) {
		double t0 = now_s(), t1;
		const struct iovec *iov;
		unsigned n;
		if (dp_gso_init(&g, &h, super, len, sizeof(segs[0])) < 0) {
			printf("offload: split failed\n");
			return;
		}
		for (unsigned i = 0; i < g.segs; i++)
			dp_gso_segment(&g, i, segs[i]);
		t1 = now_s();
		dp_gro_reset(&gro);
		for (unsigned i = 0; i < g.segs; i++)
			merged += dp_gro_add(&gro, segs[i], MSS + 40);
		dp_gro_finish(&gro, DP_VNET_HDR_LEN, &iov, &n);
		t_split += t1 - t0;
		t_gro += now_s() - t1;
		rounds++;
	}
	if (merged != rounds * SEGS) {
		printf("offload: GRO did not merge every segment\n");
		return;
	}
	printf("\n%-26s %10s\n", "offload (64 KiB, MSS 1400)", "Gbit/s");
	printf("%-26s %10.2f\n", "TSO split + checksums", (double)rounds * PAY * 8 / t_split / 1e9);
	printf("%-26s %10.2f\n", "GRO coalesce", (double)rounds * PAY * 8 / t_gro / 1e9);
}

int main(int argc, char **argv)
{
	static const struct {
		enum aead_backend backend;
		const char *env;
	} backends[] = {{AEAD_BACKEND_OPENSSL, "openssl"}, {AEAD_BACKEND_IPSECMB, "ipsec-mb"}};
	static const enum aead_alg algs[] = {AEAD_AES_GCM_16, AEAD_CHACHA20_POLY1305};
	static const size_t sizes[] = {64, 512, 1400};
	double seconds = argc > 1 ? atof(argv[1]) : 0.3;

	printf("%-9s %-18s %5s %12s %10s %12s %10s\n", "backend", "algorithm", "bytes", "encap pps",
	       "Gbit/s", "decap pps", "Gbit/s");
	for (size_t b = 0; b < sizeof(backends) / sizeof(backends[0]); b++) {
		setenv("TERN_AEAD_BACKEND", backends[b].env, 1);
		for (size_t a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
			const char *alg =
			    algs[a] == AEAD_AES_GCM_16 ? "AES-256-GCM-16" : "ChaCha20-Poly1305";
			if (!aead_backend_available(backends[b].backend, algs[a])) {
				printf("%-9s %-18s %5s %12s\n", backends[b].env, alg, "-",
				       "not available");
				continue;
			}
			for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
				struct result r = run(algs[a], sizes[s], seconds);
				if (!r.ok) {
					printf("%-9s %-18s %5zu %12s\n", backends[b].env, alg,
					       sizes[s], "failed");
					continue;
				}
				printf("%-9s %-18s %5zu %12.0f %10.2f %12.0f %10.2f\n",
				       backends[b].env, alg, sizes[s], r.enc_pps,
				       r.enc_pps * (double)sizes[s] * 8 / 1e9, r.dec_pps,
				       r.dec_pps * (double)sizes[s] * 8 / 1e9);
			}
		}
	}
	bench_offload(seconds);
	return 0;
}
