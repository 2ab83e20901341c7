/* ESP SA lifetime, counters and drop names. */
#include "datapath/esp_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>

static bool keymat_len_ok(enum aead_alg alg, size_t len)
{
	switch (alg) {
	case AEAD_AES_GCM_16:
		return len == 16 + AEAD_SALT_LEN || len == 24 + AEAD_SALT_LEN ||
		       len == 32 + AEAD_SALT_LEN;
	case AEAD_CHACHA20_POLY1305:
		return len == 32 + AEAD_SALT_LEN;
	}
	return false;
}

static bool ts_ok(const struct esp_ts *ts, unsigned n)
{
	if (n > ESP_TS_MAX)
		return false;
	for (unsigned i = 0; i < n; i++) {
		if (ts[i].side > ESP_TS_REMOTE || ts[i].port_lo > ts[i].port_hi ||
		    (ts[i].family != AF_INET && ts[i].family != AF_INET6))
			return false;
	}
	return true;
}

int esp_sa_new(struct esp_sa **out, const struct esp_sa_params *p, bool inbound)
{
	struct esp_sa *sa;
	int err;

	if (out == NULL || p == NULL || p->spi == 0 || !keymat_len_ok(p->alg, p->keymat_len) ||
	    !ts_ok(p->ts, p->n_ts))
		return -EINVAL;
	sa = calloc(1, sizeof(*sa));
	if (sa == NULL)
		return -ENOMEM;
	err = aead_new(&sa->aead, p->alg, p->keymat, p->keymat_len);
	if (err < 0) {
		free(sa);
		return err;
	}
	sa->spi = p->spi;
	sa->esn = p->esn;
	sa->inbound = inbound;
	memcpy(sa->ts, p->ts, sizeof(sa->ts));
	sa->n_ts = p->n_ts;
	atomic_init(&sa->seq_out, 0);
	atomic_init(&sa->rekey_needed, false);
	atomic_init(&sa->packets, 0);
	atomic_init(&sa->bytes, 0);
	esp_replay_init(&sa->replay, p->esn);
	*out = sa;
	return 0;
}

void esp_sa_free(struct esp_sa *sa)
{
	if (sa == NULL)
		return;
	aead_free(sa->aead); /* wipes the key schedule */
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

uint32_t esp_sa_spi(const struct esp_sa *sa)
{
	return sa->spi;
}

void esp_sa_counters(const struct esp_sa *sa, uint64_t *packets, uint64_t *bytes)
{
	*packets = atomic_load_explicit(&sa->packets, memory_order_relaxed);
	*bytes = atomic_load_explicit(&sa->bytes, memory_order_relaxed);
}

uint64_t esp_sa_seq_out(const struct esp_sa *sa)
{
	return atomic_load(&sa->seq_out);
}

void esp_sa_skip_seq_out(struct esp_sa *sa, uint64_t last_used)
{
	uint64_t cur = atomic_load(&sa->seq_out);

	while (cur < last_used && !atomic_compare_exchange_weak(&sa->seq_out, &cur, last_used))
		;
}

void esp_sa_set_iv_base(struct esp_sa *sa, uint64_t base)
{
	sa->iv_base = base;
}

bool esp_sa_rekey_needed(const struct esp_sa *sa)
{
	return atomic_load(&sa->rekey_needed);
}

void esp_count_drops(struct esp_stats *st, struct pkt **pkts, unsigned n)
{
	uint64_t drops[ESP_DROP_COUNT] = {0};

	if (st == NULL)
		return;
	for (unsigned i = 0; i < n; i++)
		if (pkts[i]->drop < ESP_DROP_COUNT)
			drops[pkts[i]->drop]++;
	for (unsigned d = 1; d < ESP_DROP_COUNT; d++)
		esp_count(&st->drops[d], drops[d]);
}

const char *esp_drop_name(enum esp_drop d)
{
	switch (d) {
	case ESP_DROP_NONE:
		return "passed";
	case ESP_DROP_UNKNOWN_SPI:
		return "unknown SPI";
	case ESP_DROP_REPLAY:
		return "replayed or too old";
	case ESP_DROP_ICV:
		return "integrity check failed";
	case ESP_DROP_MALFORMED:
		return "malformed packet";
	case ESP_DROP_TS:
		return "inner packet outside the traffic selectors";
	case ESP_DROP_NO_SA:
		return "no SA covers the packet";
	case ESP_DROP_SEQ:
		return "sequence numbers exhausted, rekey needed";
	case ESP_DROP_DUMMY:
		return "dummy packet";
	case ESP_DROP_IO:
		return "send, write or crypto failure";
	case ESP_DROP_COUNT:
		break;
	}
	return "unknown reason";
}
