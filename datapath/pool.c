/* Packet pool: one allocation for all buffers, a stack of free descriptors. */
#include "datapath/pool.h"

#include <errno.h>
#include <stdlib.h>

#include <openssl/crypto.h>

enum { POOL_COUNT_MAX = 1u << 20 };

struct esp_pool {
	uint8_t *mem;	     /* count * PKT_BUF_SIZE bytes */
	struct pkt *descs;   /* count descriptors */
	struct pkt **free_;  /* stack of free descriptors */
	unsigned count, top; /* top = number of free descriptors */
};

int esp_pool_new(struct esp_pool **out, unsigned count)
{
	struct esp_pool *pool;

	if (out == NULL || count == 0 || count > POOL_COUNT_MAX)
		return -EINVAL;
	pool = calloc(1, sizeof(*pool));
	if (pool == NULL)
		return -ENOMEM;
	pool->descs = calloc(count, sizeof(*pool->descs));
	pool->free_ = calloc(count, sizeof(*pool->free_));
	if (pool->descs == NULL || pool->free_ == NULL ||
	    posix_memalign((void **)&pool->mem, 64, (size_t)count * PKT_BUF_SIZE) != 0) {
		pool->mem = NULL;
		esp_pool_free(pool);
		return -ENOMEM;
	}
	pool->count = count;
	for (unsigned i = 0; i < count; i++) {
		pool->descs[i].head = pool->mem + (size_t)i * PKT_BUF_SIZE;
		pkt_reset(&pool->descs[i]);
		pool->free_[i] = &pool->descs[i];
	}
	pool->top = count;
	*out = pool;
	return 0;
}

void esp_pool_free(struct esp_pool *pool)
{
	if (pool == NULL)
		return;
	/* Buffers held plaintext: wipe them before giving the memory back. */
	if (pool->mem != NULL)
		OPENSSL_cleanse(pool->mem, (size_t)pool->count * PKT_BUF_SIZE);
	free(pool->mem);
	free(pool->descs);
	free(pool->free_);
	free(pool);
}

unsigned esp_pool_get(struct esp_pool *pool, struct pkt **pkts, unsigned n)
{
	unsigned got = n < pool->top ? n : pool->top;

	for (unsigned i = 0; i < got; i++) {
		struct pkt *p = pool->free_[--pool->top];
		pkt_reset(p);
		pkts[i] = p;
	}
	return got;
}

void esp_pool_put(struct esp_pool *pool, struct pkt **pkts, unsigned n)
{
	for (unsigned i = 0; i < n && pool->top < pool->count; i++)
		pool->free_[pool->top++] = pkts[i];
}

unsigned esp_pool_avail(const struct esp_pool *pool)
{
	return pool->top;
}
