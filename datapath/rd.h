/* Bounds-checked reader over a received buffer. Every read fails (returns false) rather than
 * going past end; a failed reader stays failed. */
#ifndef TERN_DATAPATH_RD_H
#define TERN_DATAPATH_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rd {
	const uint8_t *p, *end;
	bool bad;
};

static inline struct rd rd_init(const uint8_t *buf, size_t len)
{
	return (struct rd){.p = buf, .end = buf + len, .bad = false};
}

static inline size_t rd_left(const struct rd *r)
{
	return r->bad ? 0 : (size_t)(r->end - r->p);
}

/* Returns a pointer to the next n bytes and moves past them, or NULL. */
static inline const uint8_t *rd_take(struct rd *r, size_t n)
{
	const uint8_t *at = r->p;

	if (rd_left(r) < n) {
		r->bad = true;
		return NULL;
	}
	r->p += n;
	return at;
}

static inline bool rd_u8(struct rd *r, uint8_t *v)
{
	const uint8_t *b = rd_take(r, 1);
	if (b == NULL)
		return false;
	*v = b[0];
	return true;
}

static inline bool rd_be16(struct rd *r, uint16_t *v)
{
	const uint8_t *b = rd_take(r, 2);
	if (b == NULL)
		return false;
	*v = (uint16_t)(b[0] << 8 | b[1]);
	return true;
}

static inline bool rd_be32(struct rd *r, uint32_t *v)
{
	const uint8_t *b = rd_take(r, 4);
	if (b == NULL)
		return false;
	*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return true;
}

static inline void wr_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void wr_be64(uint8_t *p, uint64_t v)
{
	wr_be32(p, (uint32_t)(v >> 32));
	wr_be32(p + 4, (uint32_t)v);
}

#endif
