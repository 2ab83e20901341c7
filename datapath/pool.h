/* A preallocated pool of packet buffers. Not thread-safe by design: each worker thread owns
 * its pool, so the per-packet path takes no lock and never calls malloc. */
#ifndef TERN_DATAPATH_POOL_H
#define TERN_DATAPATH_POOL_H

#include "datapath/pkt.h"

struct esp_pool;

/* Allocates count buffers of PKT_BUF_SIZE bytes. 0, -EINVAL or -ENOMEM. */
int esp_pool_new(struct esp_pool **out, unsigned count);
void esp_pool_free(struct esp_pool *pool);

/* Takes up to n packets (reset, with headroom) into pkts; returns how many it took. */
unsigned esp_pool_get(struct esp_pool *pool, struct pkt **pkts, unsigned n);
/* Gives n packets back. */
void esp_pool_put(struct esp_pool *pool, struct pkt **pkts, unsigned n);
/* Packets currently available. */
unsigned esp_pool_avail(const struct esp_pool *pool);

#endif
