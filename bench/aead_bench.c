/*
 * AEAD throughput: backend x algorithm x packet size, bursts of 32 in-place ops, seal and open.
 * Usage: aead_bench [seconds-per-cell]   (default 0.2)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/aead.h"
#include "crypto/random.h"

enum { BURST = 32, MAX_SIZE = 8192 };

static const size_t sizes[] = {64, 512, 1400, 8192};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct bench {
	uint8_t *data, *saved;
	uint8_t iv[BURST][AEAD_IV_LEN], aad[BURST][8], tag[BURST][AEAD_TAG_LEN];
	uint8_t saved_tag[BURST][AEAD_TAG_LEN];
	struct aead_op ops[BURST];
};

static void setup_ops(struct bench *b, size_t size)
{
	for (int i = 0; i < BURST; i++)
		b->ops[i] = (struct aead_op){
		    b->iv[i],  b->aad[i], sizeof(b->aad[i]), b->data + (size_t)i * MAX_SIZE, size,
		    b->tag[i], 0};
}

/* Returns ns per op for sealing bursts for about `secs` seconds. */
static double time_seal(struct aead *a, struct bench *b, double secs)
{
	unsigned long bursts = 0;
	double t0 = now_s(), t;

	do {
		for (int k = 0; k < 16; k++, bursts++)
			if (aead_seal(a, b->ops, BURST) != 0)
				return -1;
		t = now_s();
	} while (t - t0 < secs);
	return (t - t0) * 1e9 / ((double)bursts * BURST);
}

/* Opens a sealed burst over and over, restoring the ciphertext (untimed) in between. */
static double time_open(struct aead *a, struct bench *b, size_t size, double secs)
{
	unsigned long bursts = 0;
	double spent = 0;

	if (aead_seal(a, b->ops, BURST) != 0)
		return -1;
	for (int i = 0; i < BURST; i++)
		memcpy(b->saved + (size_t)i * MAX_SIZE, b->ops[i].data, size);
	memcpy(b->saved_tag, b->tag, sizeof(b->tag));
	while (spent < secs) {
		double t0;

		for (int i = 0; i < BURST; i++)
			memcpy(b->ops[i].data, b->saved + (size_t)i * MAX_SIZE, size);
		t0 = now_s();
		if (aead_open(a, b->ops, BURST) != 0)
			return -1;
		spent += now_s() - t0;
		bursts++;
	}
	return spent * 1e9 / ((double)bursts * BURST);
}

int main(int argc, char **argv)
{
	static const enum aead_backend backends[] = {AEAD_BACKEND_OPENSSL, AEAD_BACKEND_IPSECMB};
	static const struct {
		enum aead_alg alg;
		size_t keymat_len;
		const char *name;
	} algs[] = {
	    {AEAD_AES_GCM_16, 20, "AES-128-GCM"},
	    {AEAD_AES_GCM_16, 36, "AES-256-GCM"},
	    {AEAD_CHACHA20_POLY1305, 36, "ChaCha20-Poly1305"},
	};
	double secs = argc > 1 ? atof(argv[1]) : 0.2;
	struct bench *b = calloc(1, sizeof(*b));
	uint8_t keymat[AEAD_KEYMAT_MAX];

	if (b == NULL || secs <= 0)
		return 1;
	b->data = malloc((size_t)BURST * MAX_SIZE);
	b->saved = malloc((size_t)BURST * MAX_SIZE);
	if (b->data == NULL || b->saved == NULL)
		return 1;
	crypto_rand(NULL, keymat, sizeof(keymat));
	crypto_rand(NULL, b->data, (size_t)BURST * MAX_SIZE);
	crypto_rand(NULL, &b->iv[0][0], sizeof(b->iv));
	crypto_rand(NULL, &b->aad[0][0], sizeof(b->aad));

	printf("%-9s %-18s %5s %10s %9s %10s %9s\n", "backend", "algorithm", "bytes", "seal MB/s",
	       "seal ns", "open MB/s", "open ns");
	for (size_t ai = 0; ai < sizeof(algs) / sizeof(algs[0]); ai++) {
		for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
			for (size_t bi = 0; bi < 2; bi++) {
				struct aead *a;
				double seal, open;

				if (!aead_backend_available(backends[bi], algs[ai].alg)) {
					printf("%-9s %-18s %5zu  (not available)\n",
					       bi ? "ipsec-mb" : "openssl", algs[ai].name,
					       sizes[si]);
					continue;
				}
				if (aead_new_backend(&a, algs[ai].alg, backends[bi], keymat,
						     algs[ai].keymat_len) != 0)
					return 1;
				setup_ops(b, sizes[si]);
				seal = time_seal(a, b, secs);
				open = time_open(a, b, sizes[si], secs);
				if (seal < 0 || open < 0) {
					fprintf(stderr, "aead_bench: %s failed\n", algs[ai].name);
					return 1;
				}
				printf("%-9s %-18s %5zu %10.0f %9.0f %10.0f %9.0f\n",
				       aead_backend_name(a), algs[ai].name, sizes[si],
				       (double)sizes[si] * 1e3 / seal, seal,
				       (double)sizes[si] * 1e3 / open, open);
				aead_free(a);
			}
		}
	}
	free(b->data);
	free(b->saved);
	free(b);
	return 0;
}
